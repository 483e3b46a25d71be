/**
 * Autoshares Trader on the ETNA Trader platform (ASP.NET Web API). baseUrl = origin + '/api'.
 *
 * POST /api/token, no body; everything in headers: Et-App-Key, Username, Password, optional
 * PinCode; second step VerificationCode + `Authorization: Bearer <interim>`. Answers
 * {State, Step, Reason, Token} exactly as the vendor documents (typo `SecutityPin` included).
 * Later calls: `Authorization: Bearer <final token>` AND `Et-App-Key` on every request, e.g.
 * GET /api/v1.0/users/@me/info → 200 {"Id","Login"}.
 *
 * Sandbox choices where the vendor is silent (see README.md):
 * - empty optional headers (`PinCode: ""`, the doc's defaults) count as absent;
 * - the second 2FA call must repeat Username/Password (as documented) for the same user;
 * - a wrong code: `settings.wrongVerificationCode` (default `retry`);
 * - the PIN retry with the interim Bearer and a wrong PinCode → 401
 *   {"State":"Failed","Step":"SecutityPin","Reason":"Invalid pin"} (the vendor's 401 example),
 *   interim kept; without a (valid) interim a wrong PIN gets 202 SecutityPin again;
 * - VerificationCode with a PIN-step interim → Corrupted ticket;
 * - interim tickets live `interimLifetimeSeconds` (300 s) and are burnt once used;
 * - `settings.expectingReason` replaces the 202 VerificationCode `Reason` (what a client forwards).
 */
import { randomBytes, randomInt } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

import { SANDBOX_ACCOUNTS } from './accounts';
import type { EchoResult, Reply, TokenRecord, VendorDefinition, VendorServerImpl } from './server';
import { header, nonEmptyHeader, parseBearer } from './server';
import type { AutosharesSettings } from './types';

const ACCOUNTS = SANDBOX_ACCOUNTS.autosharesTrader;
const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };

type Srv = VendorServerImpl<AutosharesSettings>;

interface User {
	username: string;
	password: string;
	pin?: string;
	twoFactor: boolean;
	pinNotInitialised?: boolean;
	passwordExpired?: boolean;
	id: number;
}

const USERS: User[] = [
	{ ...ACCOUNTS.plain, twoFactor: false, id: 10001 },
	{ ...ACCOUNTS.twoFactor, twoFactor: true, id: 10002 },
	{ ...ACCOUNTS.pin, twoFactor: false, id: 10003 },
	{ ...ACCOUNTS.pinTwoFactor, twoFactor: true, id: 10004 },
	{ ...ACCOUNTS.pinNotInitialised, twoFactor: false, pinNotInitialised: true, id: 10005 },
	{ ...ACCOUNTS.expiredPassword, twoFactor: false, passwordExpired: true, id: 10006 },
];

export const DEFAULT_AUTOSHARES_SETTINGS: AutosharesSettings = {
	wrongVerificationCode: 'retry',
	rateLimitPerMinute: null,
	pinStepName: 'SecutityPin',
	interimLifetimeSeconds: 300,
};

const reply = (status: number, body: object): Reply => ({ status, headers: JSON_TYPE, body });
const failed = (step: string, reason: string) =>
	reply(401, { State: 'Failed', Step: step, Reason: reason });
const appKeyError = () => reply(401, { error: 'Application key is not defined or does not exist' });
const denied = () => reply(401, { Message: 'Authorization has been denied for this request.' });

function finalToken(srv: Srv, user: User): Reply {
	const record = srv.issue({ account: user.username, tokenType: 'Bearer', announce: 'none' });
	return reply(200, { State: 'Succeeded', Token: record.token });
}

/** The interim token of a login that waits for its next step (`meta` says which, and what it expects). */
const interimToken = (srv: Srv, user: User, meta: TokenRecord['meta']) =>
	srv.issue({
		account: user.username,
		tokenType: 'Bearer',
		interim: true,
		announce: 'none',
		lifetimeSeconds: srv.settings.interimLifetimeSeconds,
		meta,
	});

function askForCode(srv: Srv, user: User): Reply {
	const code = String(randomInt(1_000_000)).padStart(6, '0');
	const interim = interimToken(srv, user, { step: 'VerificationCode', code });
	srv.lastVerificationCode = code;
	return expectingCode(srv, interim);
}

const expectingCode = (srv: Srv, interim: TokenRecord) =>
	reply(202, {
		Step: 'VerificationCode',
		Reason: srv.settings.expectingReason ?? 'Expecting confirmation code',
		State: 'Expecting',
		Token: interim.token,
	});

function askForPin(srv: Srv, user: User): Reply {
	const interim = interimToken(srv, user, { step: 'SecutityPin' });
	return reply(202, {
		Step: srv.settings.pinStepName,
		Reason: 'Invalid pin',
		State: 'Expecting',
		Token: interim.token,
	});
}

/** After the PIN (if any) is settled. */
const afterPin = (srv: Srv, user: User) =>
	user.twoFactor ? askForCode(srv, user) : finalToken(srv, user);

function tokenHandler(headers: IncomingHttpHeaders, srv: Srv): Reply {
	const limit = srv.settings.rateLimitPerMinute;
	if (limit !== null) {
		const retryAfter = srv.takeRateLimitSlot(limit);
		if (retryAfter !== null) {
			return {
				...reply(429, { Message: `API calls quota exceeded! maximum admitted ${limit} per 1m.` }),
				headers: { ...JSON_TYPE, 'retry-after': String(retryAfter) },
			};
		}
	}
	if (nonEmptyHeader(headers, 'et-app-key') !== ACCOUNTS.appKey) return appKeyError();

	const username = nonEmptyHeader(headers, 'username');
	const password = nonEmptyHeader(headers, 'password');
	const pinCode = nonEmptyHeader(headers, 'pincode');
	const verificationCode = nonEmptyHeader(headers, 'verificationcode');
	const bearer = parseBearer(nonEmptyHeader(headers, 'authorization'));

	// Second 2FA step.
	if (verificationCode !== undefined) {
		const interim = srv.lookup(bearer, 'interim');
		if (!interim || interim.meta.step !== 'VerificationCode') {
			return failed('VerificationCode', 'Corrupted ticket');
		}
		const user = USERS.find((u) => u.username === interim.account);
		if (!user || username !== user.username || password !== user.password) {
			return failed('BaseAuthentication', 'Invalid credentials');
		}
		if (verificationCode === interim.meta.code) {
			srv.revoke(interim);
			return finalToken(srv, user);
		}
		switch (srv.settings.wrongVerificationCode) {
			case 'reprompt':
				return expectingCode(srv, interim);
			case 'invalidate':
				srv.revoke(interim);
				return failed('VerificationCode', 'Invalid verification code');
			default:
				return failed('VerificationCode', 'Invalid verification code');
		}
	}

	// First step (and the PIN step).
	const user = USERS.find((u) => u.username === username);
	if (!user || password !== user.password)
		return failed('BaseAuthentication', 'Invalid credentials');
	if (user.passwordExpired) {
		return failed('BaseAuthentication', 'Your Password has expired and must be changed');
	}
	if (user.pinNotInitialised)
		return reply(202, { State: 'Expecting', Reason: 'PIN code is not init' });
	if (user.pin !== undefined) {
		const pinTicket = srv.lookup(bearer, 'interim');
		const retrying =
			pinTicket !== undefined &&
			pinTicket.meta.step === 'SecutityPin' &&
			pinTicket.account === user.username;
		if (pinCode !== user.pin) {
			if (retrying && pinCode !== undefined) return failed(srv.settings.pinStepName, 'Invalid pin');
			return retrying ? askForPinAgain(srv, pinTicket) : askForPin(srv, user);
		}
		if (retrying) srv.revoke(pinTicket);
	}
	return afterPin(srv, user);
}

/** A PIN retry without a PinCode: the same ticket is still expecting it. */
function askForPinAgain(srv: Srv, ticket: TokenRecord): Reply {
	return reply(202, {
		Step: srv.settings.pinStepName,
		Reason: 'Invalid pin',
		State: 'Expecting',
		Token: ticket.token,
	});
}

function authenticate(headers: IncomingHttpHeaders, srv: Srv): EchoResult {
	const appKey = header(headers, 'et-app-key');
	if (appKey !== ACCOUNTS.appKey) return { ok: false, reply: appKeyError() };
	const authorization = header(headers, 'authorization');
	const record = srv.lookup(parseBearer(authorization), 'final');
	if (!record) return { ok: false, reply: denied() };
	return {
		ok: true,
		account: record.account,
		receivedHeaders: { authorization: authorization as string, 'et-app-key': appKey },
	};
}

export const autosharesDefinition: VendorDefinition<AutosharesSettings> = {
	vendor: 'autosharesTrader',
	basePath: '/api',
	defaultLifetimeSeconds: 86400,
	defaultSettings: DEFAULT_AUTOSHARES_SETTINGS,
	// Long standard base64, like "VGhpcyBpcyBleGFtcGxlIHRva2Vu...".
	mintToken: () => randomBytes(96).toString('base64'),
	tokenAnswer: {
		tokenField: 'Token',
		expiryField: null,
		badExpiryValue: '',
		defaultAccount: ACCOUNTS.plain.username,
		tokenType: () => 'Bearer',
		announce: () => 'none',
		body: (record) => ({ State: 'Succeeded', Token: record.token }),
	},
	errorReply: (status, message) => reply(status, { Message: message }),
	unauthorizedReply: () => failed('BaseAuthentication', 'Invalid credentials'),
	// The token endpoint's own failure shape (what a client reads there), not ASP.NET's {Message}.
	messageReply: (status, message) =>
		reply(status, { State: 'Failed', Step: 'BaseAuthentication', Reason: message }),
	echo: ({ headers, srv }) => authenticate(headers, srv),
	routes: [
		{
			method: 'POST',
			path: '/api/token',
			token: true,
			handle: ({ headers, srv }) => tokenHandler(headers, srv),
		},
		{
			method: 'GET',
			path: '/api/v1.0/users/@me/info',
			handle: ({ headers, srv }) => {
				const auth = authenticate(headers, srv);
				if (!auth.ok) return auth.reply;
				const user = USERS.find((u) => u.username === auth.account);
				return reply(200, { Id: user?.id ?? 0, Login: auth.account });
			},
		},
	],
};
