import type { DateTime } from 'luxon';
import type { IDataObject } from 'n8n-workflow';

import { readJsonObject, requiredString, tokenAnswer, tryJsonObject } from '../answers';
import { TokenAuthError } from '../errors';
import type { VendorAnswer } from '../http';
import {
	normaliseBaseUrl,
	optionalText,
	requiredHeaderText,
	requiredPassword,
	sentInHeader,
} from '../inputs';
import { defineProvider, type TokenAnswer } from '../provider';

const NAME = 'Autoshares Trader';

export interface AutosharesTraderFields {
	baseUrl: string;
	appKey: string;
	username: string;
	password: string;
	pinCode: string;
}

/** The API's own spelling is "SecutityPin"; the corrected one is accepted too in case it is fixed. */
const PIN_STEPS = new Set(['secutitypin', 'securitypin']);

function text(body: IDataObject | undefined, field: string): string {
	const value = body?.[field];
	return typeof value === 'string' ? value.trim() : '';
}

function failed(
	step: 'token request' | 'verification code' | 'PIN',
	summary: string,
	description: string,
	httpCode: number,
	kind?: 'codeRefused' | 'loginRefused',
) {
	return new TokenAuthError(NAME, step, summary, { description, httpCode, kind });
}

/** 401/403 answers: the vendor's Step and Reason say exactly what went wrong. */
function refusal(answer: VendorAnswer): TokenAuthError {
	const body = tryJsonObject(answer);
	const status = answer.statusCode;
	if (/application key/i.test(text(body, 'error'))) {
		return failed(
			'token request',
			`the app key was refused (HTTP ${status}).`,
			'Check the Et-App-Key: the web API key from the back office "Companies" widget, WebApi tab.',
			status,
			'loginRefused',
		);
	}
	const step = text(body, 'Step').toLowerCase();
	const reason = text(body, 'Reason');
	if (/password has expired/i.test(reason)) {
		return failed(
			'token request',
			'the password has expired.',
			'Sign in to Autoshares Trader, change the password, then update the credential.',
			status,
			'loginRefused',
		);
	}
	if (/corrupted ticket/i.test(reason)) {
		return failed(
			'verification code',
			'the login session was lost before the code arrived ("Corrupted ticket").',
			'Run the login again and send the new code when asked.',
			status,
		);
	}
	if (step === 'verificationcode') {
		return failed(
			'verification code',
			'the verification code was refused.',
			'Send the latest code from the e-mail or SMS, exactly as received.',
			status,
			'codeRefused',
		);
	}
	if (PIN_STEPS.has(step)) {
		return failed(
			'PIN',
			'the PIN was refused.',
			"Check the account's PIN in the Autoshares Trader credential.",
			status,
			'codeRefused',
		);
	}
	if (step === 'baseauthentication' || /invalid credentials/i.test(reason)) {
		return failed(
			'token request',
			`the username or password was refused (HTTP ${status}).`,
			'Check the username and password of the Autoshares Trader account.',
			status,
			'loginRefused',
		);
	}
	return failed(
		'token request',
		`the login was refused (HTTP ${status}).`,
		'Check the base URL, the app key, the username and the password.',
		status,
		'loginRefused',
	);
}

export const autosharesTrader = defineProvider<AutosharesTraderFields>({
	vendor: 'autosharesTrader',
	displayName: NAME,
	credentialName: 'autosharesTraderApi',
	// An expired token answers 401 "Authorization has been denied for this request.": the common case.
	secretHeaderNames: ['Et-App-Key'],
	secrets: (fields) => [fields.appKey, fields.password, fields.pinCode],

	readFields(credentials) {
		return {
			baseUrl: normaliseBaseUrl(NAME, 'Base URL', credentials.baseUrl),
			// Every value travels in a header of its own.
			appKey: requiredHeaderText(NAME, 'App Key', credentials.webApiKey),
			username: requiredHeaderText(NAME, 'Username', credentials.username),
			password: sentInHeader(
				NAME,
				'Password',
				requiredPassword(NAME, 'Password', credentials.password),
			),
			pinCode: sentInHeader(NAME, 'PIN', optionalText(credentials.pinPassword)),
		};
	},

	// Everything travels in headers; the body is empty. The second step repeats them all and
	// adds the interim token and the code (or PIN).
	tokenRequest(fields, continuation) {
		const headers: IDataObject = {
			'Et-App-Key': fields.appKey,
			Username: fields.username,
			Password: fields.password,
			Accept: 'application/json',
		};
		const pinCode = continuation?.step === 'pin' ? continuation.value : fields.pinCode;
		if (pinCode !== '') headers.PinCode = pinCode;
		if (continuation) {
			headers.Authorization = `Bearer ${continuation.interimToken}`;
			if (continuation.step === 'verificationCode') headers.VerificationCode = continuation.value;
		}
		return { method: 'POST', url: `${fields.baseUrl}/token`, headers };
	},

	readTokenAnswer(answer, now: DateTime): TokenAnswer {
		if (answer.statusCode === 401 || answer.statusCode === 403) throw refusal(answer);
		if (answer.statusCode !== 200 && answer.statusCode !== 202) {
			throw failed(
				'token request',
				`unexpected answer (HTTP ${answer.statusCode}).`,
				'Check the base URL (it ends in /api on ETNA hosts).',
				answer.statusCode,
			);
		}
		const body = readJsonObject(NAME, answer);
		const state = text(body, 'State').toLowerCase();
		if (answer.statusCode === 200 && (state === 'succeeded' || state === '')) {
			const token = requiredString(NAME, body, 'Token');
			// No expiry in the answer: null, and the token is kept until the API refuses it.
			return tokenAnswer(now, { token, tokenType: 'Bearer', expiresAt: null, extras: {} });
		}
		const step = text(body, 'Step').toLowerCase();
		const reason = text(body, 'Reason');
		if (/pin code is not init/i.test(reason)) {
			throw failed(
				'PIN',
				'the account has no PIN yet.',
				'Sign in to Autoshares Trader and set a PIN first, then run again.',
				answer.statusCode,
			);
		}
		if (step === 'verificationcode' || PIN_STEPS.has(step)) {
			const interimToken = requiredString(NAME, body, 'Token');
			return {
				kind: 'nextStep',
				step: step === 'verificationcode' ? 'verificationCode' : 'pin',
				reason,
				interimToken,
			};
		}
		throw failed(
			'token request',
			`the login stopped at an unknown step (HTTP ${answer.statusCode}).`,
			'Check the account in Autoshares Trader; the login asks for something this package does not know.',
			answer.statusCode,
		);
	},

	unfinishedLogin(fields, next) {
		if (next.step === 'pin' && fields.pinCode !== '') {
			// A PIN step although a PIN was sent: Autoshares answers a wrong PIN this way.
			return failed(
				'PIN',
				'the PIN was refused.',
				"Check the account's PIN in the Autoshares Trader credential.",
				202,
			);
		}
		if (next.step === 'pin') {
			return failed(
				'PIN',
				'the login asks for a PIN.',
				`Enter the account's PIN in the ${NAME} credential, or log in with the ${NAME} node, which waits for it.`,
				202,
			);
		}
		return failed(
			'verification code',
			'the login asks for a verification code (two-factor authentication).',
			`Two-factor authentication is on for this account. Log in with the ${NAME} node's "Log In" operation: it pauses the workflow until the code arrives, and this credential then uses its token.`,
			202,
		);
	},

	// Every later request carries both the token and the app key.
	headers(fields, token) {
		return { Authorization: `Bearer ${token.token}`, 'Et-App-Key': fields.appKey };
	},
});
