/**
 * A generic API with a login step, for the Custom Token Endpoint credential: the sandbox's own
 * made-up contract (CONTRACTS.md), shaped unlike the five vendors on purpose. baseUrl = origin + '/api'.
 *
 * - POST /api/auth/login, form-encoded `username`, `password` (optional `grant_type=password`,
 *   `scope`; setting loginAs `json` or `query` moves them to a JSON body or the query) → 200 {"status":"ok","data":{"jwt","token_type":"Bearer"[,"expires_in":"3600"]}}.
 *   The token is a JWT; its expiry is its `exp` claim (setting expiryForm `jwt`, the default) or
 *   the string of seconds `data.expires_in` (`secondsString`, and the JWT has no `exp`).
 *   Not a form → 415; a missing value → 400; wrong values → 401; other grant types → 400.
 *   Errors: {"status":"error","error":{"code","message"}}.
 * - GET /api/me: `Authorization: Bearer <jwt>`, `X-Auth-Token: <jwt>` or `?access_token=<jwt>`
 *   → 200 {"data":{"username"}}; no token → 401 `unauthenticated`; a token it never issued or
 *   revoked → 401 `invalid_token`; a token past its lifetime → **403** `token_expired`
 *   (setting expiredStatus).
 */
import { randomBytes, randomUUID } from 'node:crypto';

import { SANDBOX_ACCOUNTS } from './accounts';
import type {
	Ctx,
	EchoResult,
	MintInput,
	Reply,
	TokenRecord,
	VendorDefinition,
	VendorServerImpl,
} from './server';
import { header, json, parseBearer } from './server';
import type { GenericSettings } from './types';

const ACCOUNT = SANDBOX_ACCOUNTS.customEndpoint;

type Srv = VendorServerImpl<GenericSettings>;

const failure = (status: number, code: string, message: string): Reply =>
	json(status, { status: 'error', error: { code, message } });

const b64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

function mint(input: MintInput, srv: Srv): string {
	const claims: Record<string, unknown> = {
		sub: input.account,
		iat: Math.floor(input.issuedAtMs / 1000),
		jti: randomUUID(),
	};
	// The badExpiry fault's token carries an exp that is not a NumericDate.
	if (input.meta.exp !== undefined)
		claims.exp = /^\d+$/.test(input.meta.exp) ? Number(input.meta.exp) : input.meta.exp;
	else if (srv.settings.expiryForm === 'jwt') claims.exp = Math.floor(input.validUntilMs / 1000);
	return [
		b64url({ alg: 'HS256', typ: 'JWT' }),
		b64url(claims),
		randomBytes(32).toString('base64url'),
	].join('.');
}

function body(record: TokenRecord, srv: Srv): Record<string, unknown> {
	const data: Record<string, unknown> = { jwt: record.token, token_type: 'Bearer' };
	// A string of digits, as some APIs send it: `Number()` is not enough to read it safely.
	if (srv.settings.expiryForm === 'secondsString') data.expires_in = String(srv.lifetimeSeconds);
	return { status: 'ok', data };
}

const announce = (srv: Srv) => (srv.settings.expiryForm === 'jwt' ? 'seconds' : 'exact');

/** The later-call check shared by /api/me and /__sandbox/echo. */
function authenticate(ctx: Ctx<GenericSettings>): EchoResult {
	const { headers, query, srv } = ctx;
	const authorization = header(headers, 'authorization');
	const sent: Array<[string, string | null | undefined]> = [
		['authorization', authorization === undefined ? undefined : parseBearer(authorization)],
		['x-auth-token', header(headers, 'x-auth-token')],
		['access_token', query.get('access_token')],
	];
	const found = sent.find(([, token]) => token !== undefined && token !== null);
	if (!found) {
		// A malformed Authorization (not "Bearer <jwt>") is no token at all.
		return { ok: false, reply: failure(401, 'unauthenticated', 'Authentication required') };
	}
	const [where, token] = found as [string, string];
	const record = srv.recordOf(token);
	if (!record || record.revoked || record.interim)
		return { ok: false, reply: failure(401, 'invalid_token', 'Invalid token') };
	if (srv.clock() >= record.validUntil.getTime()) {
		return {
			ok: false,
			reply: failure(srv.settings.expiredStatus, 'token_expired', 'Token has expired'),
		};
	}
	const received = where === 'authorization' ? (authorization as string) : token;
	return { ok: true, account: record.account, receivedHeaders: { [where]: received } };
}

/** The login values where the setting loginAs expects them, or the answer that refuses the shape. */
function loginValues(ctx: Ctx<GenericSettings>): Map<string, string> | Reply {
	const { headers, srv } = ctx;
	const type = (header(headers, 'content-type') ?? '').split(';')[0].trim().toLowerCase();
	if (srv.settings.loginAs === 'query') return new Map(ctx.query);
	if (srv.settings.loginAs === 'json') {
		if (type !== 'application/json')
			return failure(415, 'unsupported_media_type', 'Send the login as JSON (application/json)');
		let parsed: unknown;
		try {
			parsed = JSON.parse(ctx.body);
		} catch {
			return failure(400, 'invalid_request', 'The body is not JSON');
		}
		if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
			return failure(400, 'invalid_request', 'The body is not a JSON object');
		return new Map(
			Object.entries(parsed).filter(
				(entry): entry is [string, string] => typeof entry[1] === 'string',
			),
		);
	}
	if (type !== 'application/x-www-form-urlencoded') {
		return failure(
			415,
			'unsupported_media_type',
			'Send the login as a form (application/x-www-form-urlencoded)',
		);
	}
	return new Map(new URLSearchParams(ctx.body));
}

function login(ctx: Ctx<GenericSettings>): Reply {
	const { srv } = ctx;
	const form = loginValues(ctx);
	if (!(form instanceof Map)) return form;
	const username = form.get('username') ?? '';
	const password = form.get('password') ?? '';
	if (username === '') return failure(400, 'invalid_request', 'username is required');
	if (password === '') return failure(400, 'invalid_request', 'password is required');
	const grantType = form.get('grant_type');
	if (grantType !== undefined && grantType !== 'password')
		return failure(400, 'unsupported_grant_type', 'Only grant_type=password is supported');
	if (username !== ACCOUNT.username || password !== ACCOUNT.password)
		return failure(401, 'invalid_credentials', 'Invalid username or password');
	const record = srv.issue({ account: username, tokenType: 'Bearer', announce: announce(srv) });
	return json(200, body(record, srv));
}

export const genericDefinition: VendorDefinition<GenericSettings> = {
	vendor: 'customEndpoint',
	basePath: '/api',
	defaultLifetimeSeconds: 3600,
	defaultSettings: { expiryForm: 'jwt', expiredStatus: 403, loginAs: 'form' },
	mintToken: mint,
	tokenAnswer: {
		tokenField: 'data.jwt',
		// In the default form the expiry is the JWT's claim, not a field: badExpiry below.
		expiryField: null,
		badExpiryValue: 'soon',
		defaultAccount: ACCOUNT.username,
		tokenType: () => 'Bearer',
		announce,
		body,
		badExpiry: (srv, value) => {
			const bad = value ?? 'soon';
			if (srv.settings.expiryForm === 'jwt') {
				const record = srv.issue({
					account: ACCOUNT.username,
					tokenType: 'Bearer',
					announce: 'none',
					meta: { exp: String(bad) },
				});
				return body(record, srv);
			}
			const record = srv.issue({
				account: ACCOUNT.username,
				tokenType: 'Bearer',
				announce: 'none',
			});
			const answer = body(record, srv);
			(answer.data as Record<string, unknown>).expires_in = bad;
			return answer;
		},
	},
	errorReply: (status, message) =>
		failure(status, message.toLowerCase().replace(/[^a-z0-9]+/g, '_'), message),
	unauthorizedReply: () => failure(401, 'invalid_credentials', 'Invalid username or password'),
	messageReply: (status, message) => failure(status, 'error', message),
	echo: authenticate,
	routes: [
		{ method: 'POST', path: '/api/auth/login', token: true, handle: login },
		{
			method: 'GET',
			path: '/api/me',
			handle: (ctx) => {
				const auth = authenticate(ctx);
				if (!auth.ok) return auth.reply;
				return json(200, { data: { username: auth.account } });
			},
		},
	],
};
