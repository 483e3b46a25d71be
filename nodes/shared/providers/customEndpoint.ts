import type { DateTime } from 'luxon';
import type { IDataObject, IHttpRequestOptions } from 'n8n-workflow';

import {
	checkedScheme,
	detailText,
	isAuthScheme,
	kindOf,
	readJsonObject,
	sendableToken,
	tokenAnswer,
	valueAt,
	valuePaths,
} from '../answers';
import {
	autoExpiry,
	besideToken,
	expiryFromIsoDuration,
	expiryFromMillisecondsLeft,
	findFirst,
	isNonEmptyText,
	REFRESH_TOKEN_NAMES,
	setAtPath,
	TOKEN_NAMES,
	TOKEN_TYPE_NAMES,
} from '../autoDetect';
import { loginRefused, TokenAuthError } from '../errors';
import {
	expiryFromEpochMilliseconds,
	expiryFromEpochSeconds,
	expiryFromIsoText,
	expiryFromJwt,
	expiryFromSecondsLeft,
} from '../expiry';
import type { VendorAnswer } from '../http';
import {
	dotPath,
	headerName,
	optionalText,
	requiredPassword,
	requiredText,
	secretAddress,
	sentInHeader,
	statusCodes,
} from '../inputs';
import { defineProvider } from '../provider';

/**
 * Any API with a login step, described by the user instead of by this package: where the token
 * request goes and how the login values and the client travel, where the answer holds the token,
 * its expiry and a refresh token (found automatically by default), how later requests carry the
 * token, and what a refused login and an expired token look like. Presets (OAuth 2.0 client
 * credentials and password grant, a JSON login) fill the request's shape. Everything is checked
 * in readFields, before any request; the answer is read by those settings.
 */

const NAME = 'Custom Token Endpoint';
const URL_SETTING = 'Token URL';

export const LOGIN_TYPES = [
	'custom',
	'jsonLogin',
	'oauth2ClientCredentials',
	'oauth2Password',
] as const;
export const METHODS = ['POST', 'GET', 'PUT'] as const;
export const LOGIN_VALUES_IN = ['jsonBody', 'formBody', 'query', 'headers', 'basicAuth'] as const;
/** RFC 6749 §2.3.1: HTTP Basic of the form-encoded id and secret; Basic as typed; or in the body. */
export const CLIENT_AUTH = ['basic', 'basicAsTyped', 'body'] as const;
/** The Expiry forms read at the Expiry Path (the credential shows the path for these only). */
export const EXPIRY_AT_PATH = [
	'secondsLeft',
	'millisecondsLeft',
	'iso8601Duration',
	'epochSeconds',
	'epochMilliseconds',
	'iso8601',
] as const;
export const EXPIRY_FORMATS = ['auto', ...EXPIRY_AT_PATH, 'jwtExp', 'fixedLifetime'] as const;
export const REFRESH_MODES = ['oauth2', 'jsonBody', 'never'] as const;

export type LoginType = (typeof LOGIN_TYPES)[number];
export type LoginValuesIn = (typeof LOGIN_VALUES_IN)[number];
export type ClientAuth = (typeof CLIENT_AUTH)[number];
export type ExpiryFormat = (typeof EXPIRY_FORMATS)[number];
export type RefreshMode = (typeof REFRESH_MODES)[number];

/** A fixed lifetime longer than this (ten years) is a typo, not a token. */
const MAX_FIXED_LIFETIME_SECONDS = 10 * 365 * 24 * 3600;
const PLACEHOLDER = /\{[^{}]*\}/g;
/** What most login APIs answer a wrong password or secret with (RFC 6749 §5.2 uses 400 and 401). */
export const DEFAULT_REFUSED_STATUS_CODES = [400, 401, 403, 422];
/** Values kept from the answer for Get Token's output: a few, not a copy of the answer. */
const MAX_KEPT_VALUES = 10;
const MAX_KEPT_TEXT = 2000;
/** Path segments that would reach an object's prototype instead of a key of the answer. */
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'prototype', 'constructor']);

export interface CustomEndpointFields {
	loginType: LoginType;
	tokenUrl: string;
	method: (typeof METHODS)[number];
	loginValuesIn: LoginValuesIn;
	/** Where the username travels (a body key, query parameter or header name); '' with HTTP Basic. */
	userField: string;
	/** '' when the API needs no user (client credentials, a secret alone). */
	username: string;
	passField: string;
	/** '' when the client secret is the only secret (client credentials). */
	password: string;
	/** '' for no client. */
	clientId: string;
	/** '' for a public client (its id travels in the body). */
	clientSecret: string;
	clientAuth: ClientAuth;
	scope: string;
	extraFields: IDataObject;
	/** '' for Auto. */
	tokenPath: string;
	/** '' for Auto. */
	tokenTypePath: string;
	expiryFormat: ExpiryFormat;
	expiryPath: string;
	fixedLifetimeSeconds: number;
	refresh: RefreshMode;
	/** Where refresh requests go: the Token URL unless set. */
	refreshUrl: string;
	/** '' for Auto. */
	refreshTokenPath: string;
	/** The key a JSON refresh body carries the refresh token in. */
	refreshTokenField: string;
	/** Dot paths of answer values passed on with the token (Get Token's `fromAnswer`). */
	keepFromAnswer: string[];
	refusedStatusCodes: number[];
	sendIn: 'header' | 'query';
	headerName: string;
	/** `Bearer {token}`, `{token}`, `{tokenType} {token}`; '' when the token goes in the query. */
	headerValue: string;
	queryParameterName: string;
	expiredStatusCodes: number[];
	expiredText: string;
	testUrl: string;
}

function settings(summary: string, description: string): TokenAuthError {
	return new TokenAuthError(NAME, 'settings', summary, { description });
}

function choice<T extends string>(
	field: string,
	value: unknown,
	allowed: readonly T[],
	fallback: T,
): T {
	if (value === undefined || value === null || value === '') return fallback;
	if (typeof value === 'string' && (allowed as readonly string[]).includes(value))
		return value as T;
	throw settings(
		`${field} is not one of the offered choices.`,
		`Choose ${field} again in the ${NAME} credential.`,
	);
}

/** Where the values are text on the wire (a form, a query, headers), a JSON value must be a scalar. */
function scalarText(key: string, value: unknown, where: string): string {
	if (typeof value === 'string') return value;
	if (typeof value === 'number' || typeof value === 'boolean') return String(value);
	throw settings(
		`Extra Fields: "${key.slice(0, 40)}" is ${kindOf(value)}, which cannot be sent ${where}.`,
		'Give text, a number or true/false; only a JSON body carries objects and lists.',
	);
}

/**
 * Names that say a value is a secret (apiKey, x_api_key, secret_value, client_assertion,
 * code_verifier, Authorization, totp): such Extra Fields values are cut from messages.
 */
const SECRET_WORD =
	/password|passwd|passphrase|secret|apikey|appkey|privatekey|credential|signature|assertion|authorization|cookie|verifier|hmac/;
const SECRET_ENDING = /(key|token|pin|otp|auth)$/;
const isSecretName = (name: string) => {
	const plain = name.toLowerCase().replace(/[^a-z0-9]/g, '');
	return SECRET_WORD.test(plain) || SECRET_ENDING.test(plain);
};

/** Text and numbers under a secret's name anywhere in Extra Fields (6 characters or more). */
function secretLookingExtras(extras: IDataObject): string[] {
	const found: string[] = [];
	const visit = (value: unknown, secretName: boolean, depth: number) => {
		if (
			(typeof value === 'string' || typeof value === 'number') &&
			secretName &&
			String(value).length >= 6
		)
			found.push(String(value));
		else if (value !== null && typeof value === 'object' && depth < 20) {
			for (const [key, inner] of Object.entries(value))
				visit(inner, secretName || isSecretName(key), depth + 1);
		}
	};
	visit(extras, false, 0);
	return found;
}

const EXTRA_FIELDS_EXAMPLE =
	'Write a JSON object, for example {"audience": "https://api.example.com"}, or leave the field empty.';

function readExtraFields(value: unknown): IDataObject {
	if (value === undefined || value === null || (typeof value === 'string' && value.trim() === ''))
		return {};
	let parsed: unknown = value;
	if (typeof value === 'string') {
		try {
			parsed = JSON.parse(value);
		} catch {
			throw settings('Extra Fields is not valid JSON.', EXTRA_FIELDS_EXAMPLE);
		}
	}
	if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
		throw settings('Extra Fields is not a JSON object.', EXTRA_FIELDS_EXAMPLE);
	return parsed as IDataObject;
}

const WHERE: Record<LoginValuesIn, string> = {
	jsonBody: 'in a JSON body',
	formBody: 'in a form body',
	query: 'as a query parameter',
	headers: 'as a header',
	basicAuth: 'beside HTTP Basic',
};

/** The names the login values and the client travel under: Extra Fields may not repeat them. */
function reservedNames(
	fields: Pick<
		CustomEndpointFields,
		'userField' | 'passField' | 'clientId' | 'clientAuth' | 'clientSecret'
	>,
): string[] {
	const names = [fields.userField, fields.passField];
	if (fields.clientId !== '' && (fields.clientAuth === 'body' || fields.clientSecret === ''))
		names.push('client_id', 'client_secret');
	return names.filter((name) => name !== '');
}

/** The extra fields, checked for where they travel (with the login values; beside HTTP Basic: as a form or a query). */
function checkedExtras(
	fields: Pick<
		CustomEndpointFields,
		'loginValuesIn' | 'userField' | 'passField' | 'clientId' | 'clientAuth' | 'clientSecret'
	>,
	extras: IDataObject,
): IDataObject {
	const loginNames = reservedNames(fields);
	const sameName = (a: string, b: string) =>
		fields.loginValuesIn === 'headers' ? a.toLowerCase() === b.toLowerCase() : a === b;
	for (const [key, value] of Object.entries(extras)) {
		if (key.trim() === '')
			throw settings('Extra Fields has an empty key.', 'Give every extra field a name.');
		if (loginNames.some((name) => sameName(name, key))) {
			throw settings(
				`Extra Fields repeats "${key.slice(0, 40)}", the name of a login value.`,
				'Remove it from Extra Fields: the Username, Password, Client ID and Client Secret fields fill it (a secret never belongs in Extra Fields).',
			);
		}
		if (fields.loginValuesIn === 'jsonBody') continue;
		const text = scalarText(key, value, WHERE[fields.loginValuesIn]);
		if (fields.loginValuesIn === 'headers') {
			headerName(NAME, `Extra Fields key "${key.slice(0, 40)}"`, key);
			sentInHeader(NAME, `Extra Fields value of "${key.slice(0, 40)}"`, text);
		}
	}
	return extras;
}

function headerTemplate(value: unknown): string {
	const template =
		typeof value === 'string' && value.trim() !== '' ? value.trim() : 'Bearer {token}';
	if (!template.includes('{token}')) {
		throw settings(
			'Header Value has no {token}.',
			'Write where the token goes, for example Bearer {token}, or {token} for the token alone.',
		);
	}
	for (const placeholder of template.match(PLACEHOLDER) ?? []) {
		if (placeholder !== '{token}' && placeholder !== '{tokenType}') {
			throw settings(
				`Header Value has the unknown placeholder ${placeholder.slice(0, 30)}.`,
				'Only {token} and {tokenType} are replaced, for example Bearer {token}.',
			);
		}
	}
	// The template goes out in a header: the same rules as a typed value that does.
	return sentInHeader(NAME, 'Header Value', template);
}

function fixedLifetime(value: unknown): number {
	const seconds =
		typeof value === 'number'
			? value
			: typeof value === 'string' && /^\d+$/.test(value.trim())
				? Number(value.trim())
				: NaN;
	if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_FIXED_LIFETIME_SECONDS) {
		throw settings(
			'Fixed Lifetime (Seconds) must be a whole number of seconds from 1 to 315360000 (ten years).',
			'Enter how long the API keeps a token valid, for example 3600 for an hour.',
		);
	}
	return seconds;
}

function keptPaths(value: unknown): string[] {
	const text = optionalText(value);
	if (text === '') return [];
	const paths = text.split(',').map((part) => dotPath(NAME, 'Keep From Answer', part, true));
	if (paths.length > MAX_KEPT_VALUES)
		throw settings(
			`Keep From Answer names more than ${MAX_KEPT_VALUES} values.`,
			'Keep the few values a later node needs, for example instance_url, user.id.',
		);
	if (paths.some((path) => path.split('.').some((segment) => FORBIDDEN_SEGMENTS.has(segment)))) {
		throw settings(
			'Keep From Answer names __proto__, prototype or constructor.',
			'Name keys of the answer, for example instance_url, user.id.',
		);
	}
	return paths;
}

/** The word before `{token}` in `Bearer {token}`: the token type when the answer states none. */
function schemeOfTemplate(template: string): string | undefined {
	const match = /^(\S+) \{token\}$/.exec(template);
	return match && isAuthScheme(match[1]) ? match[1] : undefined;
}

/** RFC 6749 Appendix B: application/x-www-form-urlencoded, as a form body encodes it. */
function formEncoded(value: string): string {
	return new URLSearchParams([['', value]]).toString().slice(1);
}

/** The Authorization header of HTTP Basic client authentication, or undefined when the client goes elsewhere. */
export function clientBasicHeader(
	fields: Pick<CustomEndpointFields, 'clientId' | 'clientSecret' | 'clientAuth'>,
): string | undefined {
	if (fields.clientId === '' || fields.clientSecret === '' || fields.clientAuth === 'body')
		return undefined;
	// RFC 6749 §2.3.1 form-encodes both before joining them: a secret with + / = % : arrives intact.
	const pair =
		fields.clientAuth === 'basic'
			? `${formEncoded(fields.clientId)}:${formEncoded(fields.clientSecret)}`
			: `${fields.clientId}:${fields.clientSecret}`;
	return `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
}

/** The client's values where they travel with the login values (in the body, or a public client's id). */
function clientValues(
	fields: Pick<CustomEndpointFields, 'clientId' | 'clientSecret' | 'clientAuth'>,
): Record<string, string> {
	if (fields.clientId === '') return {};
	if (fields.clientSecret === '') return { client_id: fields.clientId };
	return fields.clientAuth === 'body'
		? { client_id: fields.clientId, client_secret: fields.clientSecret }
		: {};
}

function answerError(summary: string, description: string, body?: unknown): TokenAuthError {
	const paths = body === undefined ? [] : valuePaths(body);
	return new TokenAuthError(NAME, 'token answer', summary, {
		description,
		// Keys, not values, but still the vendor's text: cut of the secrets like any quote.
		vendorText: paths.length > 0 ? paths.join(', ') : undefined,
		quoteIntro: 'The answer holds text or numbers at',
	});
}

const AUTO_TOKEN_PLACES = `${TOKEN_NAMES.join(', ')}, at the top of the answer or one level down (data.…, result.…)`;

function tokenOf(fields: CustomEndpointFields, body: IDataObject): { path: string; token: string } {
	if (fields.tokenPath === '') {
		const found = findFirst(body, TOKEN_NAMES, undefined, isNonEmptyText);
		if (!found) {
			throw answerError(
				`the answer has no token where Token Path Auto looks (${AUTO_TOKEN_PLACES}).`,
				'Set Token Path to where the answer holds the token (for example data.session.key). If the answer below holds no token, the API sent none: check the API.',
				body,
			);
		}
		return {
			path: found.path,
			token: sendableToken(NAME, `value at "${found.path}"`, found.value as string, URL_SETTING),
		};
	}
	const value = valueAt(body, fields.tokenPath);
	if (typeof value !== 'string' || value.trim() === '') {
		throw answerError(
			value === undefined
				? `the answer has nothing at Token Path "${fields.tokenPath}".`
				: `Token Path "${fields.tokenPath}" leads to ${kindOf(value)}, not to the token.`,
			'Set Token Path to where the answer holds the token (for example access_token or data.jwt), or clear it for Auto. If it is right, the API sent no token this time: try again, or check the API.',
			body,
		);
	}
	return {
		path: fields.tokenPath,
		token: sendableToken(NAME, `value at Token Path "${fields.tokenPath}"`, value, URL_SETTING),
	};
}

function tokenTypeOf(fields: CustomEndpointFields, body: IDataObject, tokenPath: string): string {
	const fallback =
		fields.sendIn === 'header'
			? (schemeOfTemplate(fields.headerValue) ??
				(fields.headerValue.includes('{tokenType}') ? 'Bearer' : 'raw'))
			: 'raw';
	if (fields.tokenTypePath !== '') {
		return checkedScheme(
			NAME,
			`value at Token Type Path "${fields.tokenTypePath}"`,
			valueAt(body, fields.tokenTypePath),
			fallback,
			URL_SETTING,
		);
	}
	const found = findFirst(body, TOKEN_TYPE_NAMES, besideToken(body, tokenPath), isNonEmptyText);
	return found
		? checkedScheme(NAME, `value at "${found.path}"`, found.value, fallback, URL_SETTING)
		: fallback;
}

const EXPIRY_ADVICE =
	'Choose the Expiry the API uses (seconds left, a date at a path of the answer, the JWT exp claim), or Fixed Lifetime when it states none.';

function expiryOf(
	fields: CustomEndpointFields,
	body: IDataObject,
	token: string,
	tokenPath: string,
	now: DateTime,
): string | null {
	if (fields.expiryFormat === 'fixedLifetime')
		return expiryFromSecondsLeft(fields.fixedLifetimeSeconds, now) as string;
	if (fields.expiryFormat === 'auto') {
		const auto = autoExpiry(body, token, tokenPath, now);
		if (auto.kind === 'found') return auto.expiresAt;
		if (auto.kind === 'none') return null;
		throw answerError(
			`the expiry at "${auto.path}" (${kindOf(auto.value)}) cannot be read (Expiry: Auto).`,
			EXPIRY_ADVICE,
			body,
		);
	}
	if (fields.expiryFormat === 'jwtExp') {
		const expiresAt = expiryFromJwt(token);
		if (expiresAt === undefined)
			throw answerError(
				'the token\'s expiry ("exp") cannot be read: the token is not a JWT with a numeric exp claim.',
				EXPIRY_ADVICE,
				body,
			);
		return expiresAt;
	}
	const value = valueAt(body, fields.expiryPath);
	if (value === undefined) {
		throw answerError(
			`the answer has nothing at Expiry Path "${fields.expiryPath}".`,
			'Set Expiry Path to where the answer states the expiry, or choose Expiry: Auto, or Fixed Lifetime when it states none.',
			body,
		);
	}
	const readers: Record<
		Exclude<ExpiryFormat, 'auto' | 'jwtExp' | 'fixedLifetime'>,
		[string, () => string | undefined]
	> = {
		secondsLeft: ['seconds left', () => expiryFromSecondsLeft(value, now)],
		millisecondsLeft: ['milliseconds left', () => expiryFromMillisecondsLeft(value, now)],
		iso8601Duration: ['an ISO 8601 duration', () => expiryFromIsoDuration(value, now)],
		epochSeconds: ['epoch seconds', () => expiryFromEpochSeconds(value)],
		epochMilliseconds: ['epoch milliseconds', () => expiryFromEpochMilliseconds(value)],
		iso8601: ['an ISO 8601 date', () => expiryFromIsoText(value)],
	};
	const [as, read] = readers[fields.expiryFormat];
	const expiresAt = read();
	if (expiresAt === undefined) {
		throw answerError(
			`the expiry at Expiry Path "${fields.expiryPath}" (${kindOf(value)}) cannot be read as ${as}.`,
			'Choose the Expiry format the answer uses, or Auto, or check the Expiry Path.',
			body,
		);
	}
	return expiresAt;
}

function refreshTokenOf(
	fields: CustomEndpointFields,
	body: IDataObject,
	token: string,
	tokenPath: string,
): string | undefined {
	if (fields.refresh === 'never') return undefined;
	const value =
		fields.refreshTokenPath !== ''
			? valueAt(body, fields.refreshTokenPath)
			: findFirst(body, REFRESH_TOKEN_NAMES, besideToken(body, tokenPath), isNonEmptyText)?.value;
	if (typeof value !== 'string' || value.trim() === '' || value.trim() === token) return undefined;
	// It travels in a form or JSON body, never in a header: any text is fine.
	return value.trim();
}

/** Whether `value` is, or holds under a refresh token's name, a refresh token (whatever Refresh With says). */
function holdsRefreshToken(name: string, value: unknown, depth = 0): boolean {
	if (REFRESH_TOKEN_NAMES.includes(name) && isNonEmptyText(value)) return true;
	if (value === null || typeof value !== 'object' || depth > 20) return false;
	return Object.entries(value).some(([key, inner]) => holdsRefreshToken(key, inner, depth + 1));
}

/** The values of Keep From Answer, nested as their paths (`user.id` → {user: {id}}); never a secret. */
function keptValues(
	fields: CustomEndpointFields,
	body: IDataObject,
	secretsOfAnswer: string[],
): IDataObject {
	const kept: IDataObject = {};
	for (const path of fields.keepFromAnswer) {
		const value = valueAt(body, path);
		if (value === undefined) continue;
		const text = typeof value === 'string' ? value : JSON.stringify(value);
		if (
			holdsRefreshToken(path.split('.').pop() as string, value) ||
			secretsOfAnswer.some((secret) => secret !== '' && text.includes(secret))
		) {
			throw settings(
				`Keep From Answer names "${path}", which holds the token or the refresh token.`,
				'The token is in the output already and a refresh token never is: remove the path from Keep From Answer.',
			);
		}
		if (text.length > MAX_KEPT_TEXT) {
			throw answerError(
				`the value at Keep From Answer "${path}" is longer than ${MAX_KEPT_TEXT} characters.`,
				'Keep single values (an id, a URL), not whole parts of the answer.',
			);
		}
		setAtPath(kept, path, value);
	}
	return kept;
}

/** OAuth 2.0 error codes (RFC 6749 §5.2) that mean the client or the user was refused. */
const REFUSAL_CODES = new Set([
	'invalid_client',
	'invalid_grant',
	'unauthorized_client',
	'access_denied',
]);

/** The `error` code of an OAuth-style error answer, if any. */
function oauthCode(body: unknown): string | undefined {
	if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
	const error = (body as IDataObject).error;
	return typeof error === 'string' && /^[a-z_]{3,60}$/.test(error) ? error : undefined;
}

function parsed(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}

/** The text an error answer carries, wherever common APIs put it: a JSON string, error_description, message… */
function errorText(answer: VendorAnswer): unknown {
	const text = answer.body.trim();
	const body = parsed(text);
	// A bare JSON string ("Incorrect password") or a short plain-text answer is the server's words.
	if (typeof body === 'string') return body;
	if (body === undefined) return text !== '' && !text.startsWith('<') ? text : undefined;
	if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
	const object = body as IDataObject;
	const error = object.error;
	const candidates: unknown[] = [
		error !== null && typeof error === 'object' && !Array.isArray(error)
			? (error as IDataObject).message
			: undefined,
		object.error_description,
		object.message,
		typeof error === 'string' ? error : undefined,
		detailText(object.detail),
		object.title,
	];
	return candidates.find((candidate) => typeof candidate === 'string' && candidate.trim() !== '');
}

const CLIENT_ADVICE =
	'Check the Client ID and Client Secret, and Client Authentication: most servers take HTTP Basic (form-encoded, RFC 6749), some want the values as typed or in the body.';

/** Any answer that is not a token: a refused login (remembered), a rejected request, or an unexpected status. */
function failedLogin(fields: CustomEndpointFields, answer: VendorAnswer): TokenAuthError {
	const status = answer.statusCode;
	const code = status >= 400 && status < 500 ? oauthCode(parsed(answer.body)) : undefined;
	const words = errorText(answer);
	const refused = (summary: string, description: string) =>
		loginRefused(NAME, summary, description, status, words);
	if (code === 'invalid_client')
		return refused(`the client was refused (HTTP ${status}, invalid_client).`, CLIENT_ADVICE);
	if (code === 'unauthorized_client') {
		return refused(
			`the client may not log in this way (HTTP ${status}, unauthorized_client).`,
			'Allow this grant for the client at the server, or choose the Login Type the client is registered for.',
		);
	}
	if (code !== undefined && REFUSAL_CODES.has(code)) {
		const who = fields.loginType === 'oauth2ClientCredentials' ? 'the login' : "the user's login";
		return refused(
			`${who} was refused (HTTP ${status}, ${code}).`,
			fields.loginType === 'oauth2ClientCredentials'
				? CLIENT_ADVICE
				: 'Check the Username and Password.',
		);
	}
	if (code !== undefined) {
		const advice: Record<string, string> = {
			invalid_scope:
				'Check the Scope (and any scope in Extra Fields): the server does not grant it to this client.',
			unsupported_grant_type:
				'The server does not offer this grant: choose the Login Type it supports, or set grant_type in Extra Fields.',
		};
		return new TokenAuthError(
			NAME,
			'token request',
			`the token request was rejected (HTTP ${status}, ${code}).`,
			{
				description:
					advice[code] ??
					'Check the Token URL, the Login Type and the values the API expects (its documentation of the token call says which).',
				httpCode: status,
				vendorText: words,
			},
		);
	}
	if (fields.refusedStatusCodes.includes(status)) {
		return refused(
			`the login was refused (HTTP ${status}).`,
			fields.loginType === 'custom'
				? 'Check the login values, then how they are sent (Send Login Values As and the field names) and the Token URL.'
				: 'Check the login values (Username, Password, Client ID and Secret) and the Token URL.',
		);
	}
	return new TokenAuthError(
		NAME,
		'token request',
		`unexpected answer (HTTP ${status}) from the Token URL.`,
		{
			description:
				"Check the Token URL, the Method and how the login values are sent (the API's documentation of its login or token call says which).",
			httpCode: status,
			vendorText: words,
		},
	);
}

/** The request shape each Login Type stands for; Custom is the user's own. */
interface Shape {
	method: CustomEndpointFields['method'];
	loginValuesIn: LoginValuesIn;
	userField: string;
	passField: string;
	/** Sent first, before Extra Fields (which may override them, e.g. Zoom's grant_type). */
	preset: IDataObject;
}

/** An OAuth 2.0 grant (RFC 6749 §4.3, §4.4): a form POST, the values under these names. */
function formGrant(grantType: string, userField: string, passField: string): Shape {
	return {
		method: 'POST',
		loginValuesIn: 'formBody',
		userField,
		passField,
		preset: { grant_type: grantType },
	};
}

function shapeOf(loginType: LoginType, credentials: IDataObject): Shape | undefined {
	switch (loginType) {
		case 'oauth2ClientCredentials':
			return formGrant('client_credentials', '', '');
		case 'oauth2Password':
			return formGrant('password', 'username', 'password');
		case 'jsonLogin':
			return {
				method: 'POST',
				loginValuesIn: 'jsonBody',
				userField: optionalText(credentials.userField) || 'username',
				passField: optionalText(credentials.passField) || 'password',
				preset: {},
			};
		case 'custom':
			return undefined;
	}
}

export const customEndpoint = defineProvider<CustomEndpointFields>({
	vendor: 'customEndpoint',
	displayName: NAME,
	credentialName: 'customTokenEndpointApi',
	addressSetting: URL_SETTING,
	expiredTokenStatusCodes: (fields) => fields.expiredStatusCodes,
	expiredTokenText: (fields) => fields.expiredText,
	tokenHeaderName: (fields) => (fields.sendIn === 'header' ? fields.headerName : undefined),
	// The username and client id (an e-mail, an id) are not treated as secrets, as the other
	// credentials treat theirs; HTTP Basic's base64 of the pair is (an echoed Authorization
	// header shows nothing else). Extra Fields are settings, not secrets (secrets have fields),
	// but a value under a secret's name there (an app key beside the password) is cut too.
	secrets: (fields) =>
		[
			fields.password,
			fields.clientSecret,
			clientBasicHeader(fields)?.slice('Basic '.length) ?? '',
			...secretLookingExtras(fields.extraFields),
		].filter((secret) => secret !== ''),

	readFields(credentials) {
		const loginType = choice('Login Type', credentials.loginType, LOGIN_TYPES, 'custom');
		const shape = shapeOf(loginType, credentials);
		const method = shape?.method ?? choice('Method', credentials.method, METHODS, 'POST');
		const loginValuesIn =
			shape?.loginValuesIn ??
			choice('Send Login Values As', credentials.loginValuesIn, LOGIN_VALUES_IN, 'jsonBody');
		// n8n's HTTP client drops the body of a GET in a credential's token step (Sirdata needs
		// the legacy helper for it, which n8n 2.x does not hand a credential): refused here.
		if (method === 'GET' && (loginValuesIn === 'jsonBody' || loginValuesIn === 'formBody')) {
			throw settings(
				'a GET token request cannot carry a body.',
				"n8n's HTTP client drops the body of a GET, so the API would receive no login values. Choose POST or PUT, or send the login values as query parameters, headers or HTTP Basic.",
			);
		}
		const basic = loginValuesIn === 'basicAuth';
		const inHeaders = loginValuesIn === 'headers';
		const nameOf = (field: string, value: unknown, fallback: string) =>
			basic
				? ''
				: inHeaders
					? headerName(NAME, field, value, fallback)
					: optionalText(value) || fallback;
		const userField = shape
			? shape.userField
			: nameOf('Username Field Name', credentials.userField, 'username');
		const passField = shape
			? shape.passField
			: nameOf('Password Field Name', credentials.passField, 'password');
		if (
			!basic &&
			userField !== '' &&
			(inHeaders ? userField.toLowerCase() === passField.toLowerCase() : userField === passField)
		) {
			throw settings(
				'Username Field Name and Password Field Name are the same.',
				'Give the two login values different names, for example username and password.',
			);
		}
		const usesClient = loginType !== 'jsonLogin';
		const clientId = usesClient ? optionalText(credentials.clientId) : '';
		const clientSecret =
			usesClient &&
			clientId !== '' &&
			typeof credentials.clientSecret === 'string' &&
			credentials.clientSecret.trim() !== ''
				? credentials.clientSecret
				: '';
		const clientAuth = choice(
			'Client Authentication',
			credentials.clientAuth,
			CLIENT_AUTH,
			'basic',
		);
		const usesUser = loginType !== 'oauth2ClientCredentials';
		let username = usesUser ? optionalText(credentials.username) : '';
		let password =
			usesUser && typeof credentials.password === 'string' && credentials.password.trim() !== ''
				? credentials.password
				: '';
		if (loginType === 'oauth2ClientCredentials') {
			requiredText(NAME, 'Client ID', credentials.clientId);
			requiredPassword(NAME, 'Client Secret', credentials.clientSecret);
		} else if (loginType === 'oauth2Password') {
			username = requiredText(NAME, 'Username', credentials.username);
			password = requiredPassword(NAME, 'Password', credentials.password);
		} else if (clientSecret.trim() === '') {
			// A plain login needs its password; a custom request may carry the client secret alone.
			password = requiredPassword(NAME, 'Password', credentials.password);
		}
		if (inHeaders) {
			username = sentInHeader(NAME, 'Username', username);
			password = sentInHeader(NAME, 'Password', password);
		}
		if (basic && username.includes(':')) {
			throw settings(
				'Username holds a colon, which HTTP Basic cannot carry.',
				'HTTP Basic joins username and password with a colon (RFC 7617): choose another way to send the login values.',
			);
		}
		const clientFields = { clientId, clientSecret, clientAuth };
		if (clientBasicHeader(clientFields) !== undefined && basic) {
			throw settings(
				'the client and the login values both use HTTP Basic.',
				'A request has one Authorization header: send the client in the body (Client Authentication), or the login values another way.',
			);
		}
		if (clientAuth === 'basicAsTyped' && clientSecret !== '' && clientId.includes(':')) {
			throw settings(
				'Client ID holds a colon, which HTTP Basic as typed cannot carry.',
				'Choose Client Authentication: HTTP Basic (form-encoded, RFC 6749), which carries it.',
			);
		}
		if (clientValues(clientFields).client_secret !== undefined && basic && method === 'GET') {
			// Beside HTTP Basic login values a GET has no body: the secret would go in the URL,
			// which RFC 6749 §2.3.1 forbids (proxies and server logs keep URLs).
			throw settings(
				'a GET token request cannot carry the client secret in the body.',
				'Choose POST, or send the login values another way so the client can use HTTP Basic.',
			);
		}
		if (clientValues(clientFields).client_id !== undefined && inHeaders) {
			throw settings(
				'the client cannot travel in the body when the login values are headers.',
				'Choose Client Authentication: HTTP Basic, or send the login values as a form or JSON body.',
			);
		}
		const expiryFormat = choice('Expiry', credentials.expiryFormat, EXPIRY_FORMATS, 'auto');
		const statedAtPath = (EXPIRY_AT_PATH as readonly string[]).includes(expiryFormat);
		const sendIn = choice(
			'Send Token In',
			credentials.sendIn,
			['header', 'query'] as const,
			'header',
		);
		const refresh = choice('Refresh With', credentials.refresh, REFRESH_MODES, 'oauth2');
		const refreshUrl = optionalText(credentials.refreshUrl);
		const testUrl = optionalText(credentials.testUrl);
		const scope =
			loginType === 'oauth2ClientCredentials' || loginType === 'oauth2Password'
				? optionalText(credentials.scope)
				: '';
		const extraFields: IDataObject = {
			...(shape?.preset ?? {}),
			...(scope === '' ? {} : { scope }),
			...readExtraFields(credentials.extraFields),
		};
		return {
			loginType,
			tokenUrl: secretAddress(NAME, URL_SETTING, credentials.tokenUrl),
			method,
			loginValuesIn,
			userField,
			username,
			passField,
			password,
			clientId,
			clientSecret,
			clientAuth,
			scope,
			extraFields: checkedExtras(
				{ loginValuesIn, userField, passField, ...clientFields },
				extraFields,
			),
			tokenPath: dotPath(NAME, 'Token Path', credentials.answerPath, false),
			tokenTypePath: dotPath(NAME, 'Token Type Path', credentials.answerTypePath, false),
			expiryFormat,
			expiryPath: statedAtPath
				? dotPath(NAME, 'Expiry Path', credentials.expiryPath || 'expires_in', true)
				: '',
			fixedLifetimeSeconds:
				expiryFormat === 'fixedLifetime' ? fixedLifetime(credentials.fixedLifetime) : 0,
			refresh,
			refreshUrl:
				refresh === 'never' || refreshUrl === ''
					? ''
					: secretAddress(NAME, 'Refresh URL', refreshUrl),
			refreshTokenPath:
				refresh === 'never'
					? ''
					: dotPath(NAME, 'Refresh Token Path', credentials.refreshAnswerPath, false),
			refreshTokenField:
				refresh === 'jsonBody' ? optionalText(credentials.refreshFieldName) || 'refresh_token' : '',
			keepFromAnswer: keptPaths(credentials.keepFromAnswer),
			refusedStatusCodes: statusCodes(
				NAME,
				'Refused Login Status Codes',
				credentials.refusedStatusCodes,
				DEFAULT_REFUSED_STATUS_CODES,
			),
			sendIn,
			headerName:
				sendIn === 'header'
					? headerName(NAME, 'Header Name', credentials.headerName, 'Authorization')
					: '',
			headerValue: sendIn === 'header' ? headerTemplate(credentials.headerValue) : '',
			queryParameterName:
				sendIn === 'query' ? optionalText(credentials.queryParameterName) || 'access_token' : '',
			expiredStatusCodes: statusCodes(
				NAME,
				'Expired Token Status Codes',
				credentials.expiredStatusCodes,
				[401],
			),
			expiredText: optionalText(credentials.expiredText),
			testUrl: testUrl === '' ? '' : secretAddress(NAME, 'Test URL', testUrl),
		};
	},

	// The login values, the client and the extra fields travel the way the settings say. Beside
	// HTTP Basic login values the extra fields go as a form body, or as a query on a GET.
	tokenRequest(fields) {
		const login: Record<string, string> = {};
		if (fields.loginValuesIn !== 'basicAuth') {
			if (fields.username !== '' && fields.userField !== '')
				login[fields.userField] = fields.username;
			if (fields.password !== '' && fields.passField !== '')
				login[fields.passField] = fields.password;
		}
		Object.assign(login, clientValues(fields));
		const text = (values: IDataObject) =>
			Object.fromEntries(
				Object.entries(values).map(([key, value]) => [
					key,
					scalarText(key, value, WHERE[fields.loginValuesIn]),
				]),
			);
		const form = (values: Record<string, string>) => new URLSearchParams(values).toString();
		const request: IHttpRequestOptions = {
			method: fields.method,
			url: fields.tokenUrl,
			headers: { Accept: 'application/json' },
		};
		const headers = request.headers as IDataObject;
		const clientBasic = clientBasicHeader(fields);
		if (clientBasic) headers.Authorization = clientBasic;
		switch (fields.loginValuesIn) {
			case 'jsonBody':
				headers['Content-Type'] = 'application/json';
				request.body = JSON.stringify({ ...fields.extraFields, ...login });
				break;
			case 'formBody':
				headers['Content-Type'] = 'application/x-www-form-urlencoded';
				request.body = form({ ...text(fields.extraFields), ...login });
				break;
			case 'query':
				request.qs = { ...text(fields.extraFields), ...login };
				break;
			case 'headers':
				Object.assign(headers, text(fields.extraFields), login);
				break;
			case 'basicAuth': {
				request.auth = { username: fields.username, password: fields.password };
				// The client (in the body, or a public client's id) travels beside Basic with the extra fields.
				const beside = { ...text(fields.extraFields), ...clientValues(fields) };
				if (Object.keys(beside).length === 0) break;
				if (fields.method === 'GET') request.qs = beside;
				else {
					headers['Content-Type'] = 'application/x-www-form-urlencoded';
					request.body = form(beside);
				}
				break;
			}
		}
		return request;
	},

	// RFC 6749 §6 (a form with grant_type=refresh_token and the client as in the login), or a
	// JSON body with the refresh token alone, POSTed to the Refresh URL or the Token URL.
	refreshRequest(fields, refreshToken) {
		if (fields.refresh === 'never') return undefined;
		const url = fields.refreshUrl || fields.tokenUrl;
		const headers: IDataObject = { Accept: 'application/json' };
		const clientBasic = clientBasicHeader(fields);
		if (clientBasic) headers.Authorization = clientBasic;
		if (fields.refresh === 'jsonBody') {
			headers['Content-Type'] = 'application/json';
			return {
				method: 'POST',
				url,
				headers,
				body: JSON.stringify({ [fields.refreshTokenField]: refreshToken, ...clientValues(fields) }),
			};
		}
		headers['Content-Type'] = 'application/x-www-form-urlencoded';
		const body = new URLSearchParams({
			grant_type: 'refresh_token',
			refresh_token: refreshToken,
			...clientValues(fields),
		}).toString();
		return { method: 'POST', url, headers, body };
	},

	readTokenAnswer(answer, now: DateTime, fields) {
		if (answer.statusCode < 200 || answer.statusCode > 299) throw failedLogin(fields, answer);
		const body = readJsonObject(NAME, answer, URL_SETTING);
		const { path, token } = tokenOf(fields, body);
		const tokenType = tokenTypeOf(fields, body, path);
		const expiresAt = expiryOf(fields, body, token, path, now);
		const refreshToken = refreshTokenOf(fields, body, token, path);
		// Auto's refresh token is a secret also where it is not used (Refresh With: Never).
		const unusedRefreshToken =
			refreshToken ?? refreshTokenOf({ ...fields, refresh: 'oauth2' }, body, token, path);
		const fromAnswer = keptValues(fields, body, [token, unusedRefreshToken ?? '']);
		return tokenAnswer(now, {
			token,
			tokenType,
			expiresAt,
			extras: Object.keys(fromAnswer).length === 0 ? {} : { fromAnswer },
			...(refreshToken === undefined ? {} : { refreshToken }),
		});
	},

	headers(fields, token) {
		if (fields.sendIn !== 'header') return {};
		// One pass with a function: a token holding "$&" or "{tokenType}" is put in as it is.
		const value = fields.headerValue.replace(/\{token\}|\{tokenType\}/g, (placeholder) =>
			placeholder === '{token}' ? token.token : token.tokenType,
		);
		return { [fields.headerName]: value };
	},

	queryParameters(fields, token) {
		return fields.sendIn === 'query' ? { [fields.queryParameterName]: token.token } : undefined;
	},
});
