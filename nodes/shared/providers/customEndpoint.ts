import type { DateTime } from 'luxon';
import type { IDataObject, IHttpRequestOptions } from 'n8n-workflow';

import { checkedScheme, isAuthScheme, kindOf, readJsonObject, sendableToken, tryJsonObject, valueAt, valuePaths } from '../answers';
import { TokenAuthError } from '../errors';
import { expiryFromEpochMilliseconds, expiryFromEpochSeconds, expiryFromIsoText, expiryFromJwt, expiryFromSecondsLeft } from '../expiry';
import type { VendorAnswer } from '../http';
import { dotPath, headerName, optionalText, requiredPassword, secretAddress, sentInHeader, statusCodes } from '../inputs';
import type { TokenProvider } from '../provider';

/**
 * Any API with a login step, described by the user instead of by this package: where the token
 * request goes and how the login values travel, where the answer holds the token and its
 * expiry, how later requests carry it, and what an expired token looks like. Everything is
 * checked in readFields, before any request; the answer is read by those settings.
 */

const NAME = 'Custom Token Endpoint';
const URL_SETTING = 'Token URL';

export const METHODS = ['POST', 'GET', 'PUT'] as const;
export const LOGIN_VALUES_IN = ['jsonBody', 'formBody', 'query', 'headers', 'basicAuth'] as const;
export const EXPIRY_FORMATS = ['secondsLeft', 'epochSeconds', 'epochMilliseconds', 'iso8601', 'jwtExp', 'fixedLifetime'] as const;

export type LoginValuesIn = (typeof LOGIN_VALUES_IN)[number];
export type ExpiryFormat = (typeof EXPIRY_FORMATS)[number];

/** A fixed lifetime longer than this (ten years) is a typo, not a token. */
const MAX_FIXED_LIFETIME_SECONDS = 10 * 365 * 24 * 3600;
const PLACEHOLDER = /\{[^{}]*\}/g;

export interface CustomEndpointFields {
	tokenUrl: string;
	method: (typeof METHODS)[number];
	loginValuesIn: LoginValuesIn;
	/** Where the username travels (a body key, query parameter or header name); '' with HTTP Basic. */
	userField: string;
	/** '' when the API needs only the secret. */
	username: string;
	passField: string;
	password: string;
	extraFields: IDataObject;
	tokenPath: string;
	tokenTypePath: string;
	expiryFormat: ExpiryFormat;
	expiryPath: string;
	fixedLifetimeSeconds: number;
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

function choice<T extends string>(field: string, value: unknown, allowed: readonly T[], fallback: T): T {
	if (value === undefined || value === null || value === '') return fallback;
	if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
	throw settings(`${field} is not one of the offered choices.`, `Choose ${field} again in the ${NAME} credential.`);
}

/** Where the values are text on the wire (a form, a query, headers), a JSON value must be a scalar. */
function scalarText(key: string, value: unknown, where: string): string {
	if (typeof value === 'string') return value;
	if (typeof value === 'number' || typeof value === 'boolean') return String(value);
	throw settings(`Extra Fields: "${key.slice(0, 40)}" is ${kindOf(value)}, which cannot be sent ${where}.`, 'Give text, a number or true/false; only a JSON body carries objects and lists.');
}

function readExtraFields(value: unknown): IDataObject {
	if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return {};
	let parsed: unknown = value;
	if (typeof value === 'string') {
		try {
			parsed = JSON.parse(value);
		} catch {
			throw settings('Extra Fields is not valid JSON.', 'Write a JSON object, for example {"grant_type": "client_credentials", "scope": "read"}, or leave the field empty.');
		}
	}
	if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
		throw settings('Extra Fields is not a JSON object.', 'Write a JSON object, for example {"grant_type": "client_credentials", "scope": "read"}, or leave the field empty.');
	}
	return parsed as IDataObject;
}

const WHERE: Record<LoginValuesIn, string> = {
	jsonBody: 'in a JSON body',
	formBody: 'in a form body',
	query: 'as a query parameter',
	headers: 'as a header',
	basicAuth: 'beside HTTP Basic',
};

/** The extra fields, checked for where they travel (with the login values; beside HTTP Basic: as a form or a query). */
function checkedExtras(fields: Pick<CustomEndpointFields, 'loginValuesIn' | 'userField' | 'passField'>, extras: IDataObject): IDataObject {
	const loginNames = [fields.userField, fields.passField].filter((name) => name !== '');
	const sameName = (a: string, b: string) => (fields.loginValuesIn === 'headers' ? a.toLowerCase() === b.toLowerCase() : a === b);
	for (const [key, value] of Object.entries(extras)) {
		if (key.trim() === '') throw settings('Extra Fields has an empty key.', 'Give every extra field a name.');
		if (loginNames.some((name) => sameName(name, key))) {
			throw settings(`Extra Fields repeats "${key.slice(0, 40)}", the name of a login value.`, 'Remove it from Extra Fields: the Username and Password fields fill it.');
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

function headerTemplate(fields: Pick<CustomEndpointFields, 'tokenTypePath'>, value: unknown): string {
	const template = typeof value === 'string' && value.trim() !== '' ? value.trim() : 'Bearer {token}';
	if (!template.includes('{token}')) {
		throw settings('Header Value has no {token}.', 'Write where the token goes, for example Bearer {token}, or {token} for the token alone.');
	}
	for (const placeholder of template.match(PLACEHOLDER) ?? []) {
		if (placeholder !== '{token}' && placeholder !== '{tokenType}') {
			throw settings(`Header Value has the unknown placeholder ${placeholder.slice(0, 30)}.`, 'Only {token} and {tokenType} are replaced, for example Bearer {token}.');
		}
	}
	if (template.includes('{tokenType}') && fields.tokenTypePath === '') {
		throw settings('Header Value uses {tokenType}, but Token Type Path is empty.', 'Set Token Type Path to where the answer states the type (for example token_type), or write the type in the Header Value (Bearer {token}).');
	}
	// The template goes out in a header: the same rules as a typed value that does.
	return sentInHeader(NAME, 'Header Value', template);
}

function fixedLifetime(value: unknown): number {
	const seconds = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
	if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_FIXED_LIFETIME_SECONDS) {
		throw settings('Fixed Lifetime (Seconds) must be a whole number of seconds from 1 to 315360000 (ten years).', 'Enter how long the API keeps a token valid, for example 3600 for an hour.');
	}
	return seconds;
}

/** The word before `{token}` in `Bearer {token}`: the token type when the answer states none. */
function schemeOfTemplate(template: string): string | undefined {
	const match = /^(\S+) \{token\}$/.exec(template);
	return match && isAuthScheme(match[1]) ? match[1] : undefined;
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

function expiryOf(fields: CustomEndpointFields, body: IDataObject, token: string, now: DateTime): string {
	if (fields.expiryFormat === 'fixedLifetime') return expiryFromSecondsLeft(fields.fixedLifetimeSeconds, now) as string;
	if (fields.expiryFormat === 'jwtExp') {
		const expiresAt = expiryFromJwt(token);
		if (expiresAt === undefined) {
			throw answerError('the token\'s expiry ("exp") cannot be read: the token is not a JWT with a numeric exp claim.', 'Choose the Expiry the API uses (seconds left or a date at a path of the answer), or Fixed Lifetime when it states none.');
		}
		return expiresAt;
	}
	const value = valueAt(body, fields.expiryPath);
	if (value === undefined) {
		throw answerError(`the answer has nothing at Expiry Path "${fields.expiryPath}".`, 'Set Expiry Path to where the answer states the expiry, or choose Fixed Lifetime when it states none.', body);
	}
	const read = {
		secondsLeft: () => expiryFromSecondsLeft(value, now),
		epochSeconds: () => expiryFromEpochSeconds(value),
		epochMilliseconds: () => expiryFromEpochMilliseconds(value),
		iso8601: () => expiryFromIsoText(value),
	}[fields.expiryFormat]();
	if (read === undefined) {
		const as = { secondsLeft: 'seconds left', epochSeconds: 'epoch seconds', epochMilliseconds: 'epoch milliseconds', iso8601: 'an ISO 8601 date' }[fields.expiryFormat];
		throw answerError(`the expiry at Expiry Path "${fields.expiryPath}" (${kindOf(value)}) cannot be read as ${as}.`, 'Choose the Expiry format the answer uses, or check the Expiry Path.');
	}
	return read;
}

/** The text an error answer carries, wherever common APIs put it. */
function errorText(answer: VendorAnswer): unknown {
	const body = tryJsonObject(answer);
	if (!body) return undefined;
	const error = body.error;
	const detail = body.detail;
	const candidates: unknown[] = [
		error !== null && typeof error === 'object' && !Array.isArray(error) ? (error as IDataObject).message : undefined,
		body.error_description,
		body.message,
		typeof error === 'string' ? error : undefined,
		Array.isArray(detail)
			? detail.map((entry) => (entry && typeof entry === 'object' ? (entry as IDataObject).msg : undefined)).filter((msg) => typeof msg === 'string').join('; ')
			: detail,
		body.title,
	];
	return candidates.find((candidate) => typeof candidate === 'string' && candidate.trim() !== '');
}

export const customEndpoint: TokenProvider<CustomEndpointFields> = {
	vendor: 'customEndpoint',
	displayName: NAME,
	credentialName: 'customTokenEndpointApi',
	addressSetting: URL_SETTING,
	expiredTokenStatusCodes: (fields) => fields.expiredStatusCodes,
	expiredTokenText: (fields) => fields.expiredText,
	tokenHeaderName: (fields) => (fields.sendIn === 'header' ? fields.headerName : undefined),
	secretHeaderNames: [],
	// The username (a client id, an e-mail) is not treated as a secret, as the other credentials
	// treat theirs; with HTTP Basic its base64 with the password is cut too (redactionOf).
	// Extra fields are settings, not secrets: a second secret belongs in Password.
	secrets: (fields) => [fields.password],

	readFields(credentials) {
		const method = choice('Method', credentials.method, METHODS, 'POST');
		const loginValuesIn = choice('Send Login Values As', credentials.loginValuesIn, LOGIN_VALUES_IN, 'jsonBody');
		// n8n's HTTP client drops the body of a GET in a credential's token step (Sirdata needs
		// the legacy helper for it, which n8n 2.x does not hand a credential): refused here.
		if (method === 'GET' && (loginValuesIn === 'jsonBody' || loginValuesIn === 'formBody')) {
			throw settings('a GET token request cannot carry a body.', "n8n's HTTP client drops the body of a GET, so the API would receive no login values. Choose POST or PUT, or send the login values as query parameters, headers or HTTP Basic.");
		}
		const basic = loginValuesIn === 'basicAuth';
		const inHeaders = loginValuesIn === 'headers';
		const nameOf = (field: string, value: unknown, fallback: string) =>
			basic ? '' : inHeaders ? headerName(NAME, field, value, fallback) : optionalText(value) || fallback;
		const userField = nameOf('Username Field Name', credentials.userField, 'username');
		const passField = nameOf('Password Field Name', credentials.passField, 'password');
		if (!basic && (inHeaders ? userField.toLowerCase() === passField.toLowerCase() : userField === passField)) {
			throw settings('Username Field Name and Password Field Name are the same.', 'Give the two login values different names, for example username and password.');
		}
		let username = optionalText(credentials.username);
		let password = requiredPassword(NAME, 'Password', credentials.password);
		if (inHeaders) {
			username = sentInHeader(NAME, 'Username', username);
			password = sentInHeader(NAME, 'Password', password);
		}
		if (basic && username.includes(':')) {
			throw settings('Username holds a colon, which HTTP Basic cannot carry.', 'HTTP Basic joins username and password with a colon (RFC 7617): choose another way to send the login values.');
		}
		const tokenTypePath = dotPath(NAME, 'Token Type Path', credentials.answerTypePath, false);
		const expiryFormat = choice('Expiry', credentials.expiryFormat, EXPIRY_FORMATS, 'secondsLeft');
		const statedAtPath = expiryFormat !== 'jwtExp' && expiryFormat !== 'fixedLifetime';
		const sendIn = choice('Send Token In', credentials.sendIn, ['header', 'query'] as const, 'header');
		const testUrl = optionalText(credentials.testUrl);
		return {
			tokenUrl: secretAddress(NAME, URL_SETTING, credentials.tokenUrl),
			method,
			loginValuesIn,
			userField,
			username,
			passField,
			password,
			extraFields: checkedExtras({ loginValuesIn, userField, passField }, readExtraFields(credentials.extraFields)),
			tokenPath: dotPath(NAME, 'Token Path', credentials.answerPath, true),
			tokenTypePath,
			expiryFormat,
			expiryPath: statedAtPath ? dotPath(NAME, 'Expiry Path', credentials.expiryPath || 'expires_in', true) : '',
			fixedLifetimeSeconds: expiryFormat === 'fixedLifetime' ? fixedLifetime(credentials.fixedLifetime) : 0,
			sendIn,
			headerName: sendIn === 'header' ? headerName(NAME, 'Header Name', credentials.headerName, 'Authorization') : '',
			headerValue: sendIn === 'header' ? headerTemplate({ tokenTypePath }, credentials.headerValue) : '',
			queryParameterName: sendIn === 'query' ? optionalText(credentials.queryParameterName) || 'access_token' : '',
			expiredStatusCodes: statusCodes(NAME, 'Expired Token Status Codes', credentials.expiredStatusCodes, [401]),
			expiredText: optionalText(credentials.expiredText),
			testUrl: testUrl === '' ? '' : secretAddress(NAME, 'Test URL', testUrl),
		};
	},

	// The login values (and the extra fields) travel the way the user chose. Beside HTTP Basic
	// the extra fields go as a form body, or as a query on a GET: OAuth 2.0's client-credentials
	// shape (RFC 6749 §4.4, `grant_type=client_credentials` with the client's Basic auth).
	tokenRequest(fields) {
		const login: Record<string, string> = {};
		if (fields.loginValuesIn !== 'basicAuth') {
			if (fields.username !== '') login[fields.userField] = fields.username;
			login[fields.passField] = fields.password;
		}
		const text = (values: IDataObject) =>
			Object.fromEntries(Object.entries(values).map(([key, value]) => [key, scalarText(key, value, WHERE[fields.loginValuesIn])]));
		const form = (values: Record<string, string>) => new URLSearchParams(values).toString();
		const request: IHttpRequestOptions = { method: fields.method, url: fields.tokenUrl, headers: { Accept: 'application/json' } };
		const headers = request.headers as IDataObject;
		const hasExtras = Object.keys(fields.extraFields).length > 0;
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
			case 'basicAuth':
				request.auth = { username: fields.username, password: fields.password };
				if (hasExtras && fields.method === 'GET') request.qs = text(fields.extraFields);
				else if (hasExtras) {
					headers['Content-Type'] = 'application/x-www-form-urlencoded';
					request.body = form(text(fields.extraFields));
				}
				break;
		}
		return request;
	},

	readTokenAnswer(answer, now: DateTime, fields) {
		// A refusal is not quoted: what an API says about a refused secret may repeat it.
		if (answer.statusCode === 401 || answer.statusCode === 403) {
			throw new TokenAuthError(NAME, 'token request', `the login values were refused (HTTP ${answer.statusCode}).`, {
				description: 'Check the username and password, the Token URL, and how the login values are sent (Send Login Values As and the field names).',
				httpCode: answer.statusCode,
			});
		}
		if (answer.statusCode < 200 || answer.statusCode > 299) {
			throw new TokenAuthError(NAME, 'token request', `unexpected answer (HTTP ${answer.statusCode}).`, {
				description: "Check the Token URL, the Method and how the login values are sent (the API's documentation of its login or token call says which).",
				httpCode: answer.statusCode,
				vendorText: errorText(answer),
			});
		}
		const body = readJsonObject(NAME, answer, URL_SETTING);
		const value = valueAt(body, fields.tokenPath);
		if (typeof value !== 'string' || value.trim() === '') {
			throw answerError(
				value === undefined ? `the answer has nothing at Token Path "${fields.tokenPath}".` : `Token Path "${fields.tokenPath}" leads to ${kindOf(value)}, not to the token.`,
				'Set Token Path to where the answer holds the token (for example access_token or data.jwt). If it is right, the API sent no token this time: try again, or check the API.',
				body,
			);
		}
		const token = sendableToken(NAME, `value at Token Path "${fields.tokenPath}"`, value, URL_SETTING);
		const fallbackType = fields.sendIn === 'header' ? (schemeOfTemplate(fields.headerValue) ?? 'raw') : 'raw';
		const tokenType =
			fields.tokenTypePath === ''
				? fallbackType
				: checkedScheme(NAME, `value at Token Type Path "${fields.tokenTypePath}"`, valueAt(body, fields.tokenTypePath), 'Bearer', URL_SETTING);
		const expiresAt = expiryOf(fields, body, token, now);
		return { kind: 'token', token: { token, tokenType, expiresAt, obtainedAt: now.toUTC().toISO() as string, extras: {} } };
	},

	headers(fields, token) {
		if (fields.sendIn !== 'header') return {};
		// One pass with a function: a token holding "$&" or "{tokenType}" is put in as it is.
		const value = fields.headerValue.replace(/\{token\}|\{tokenType\}/g, (placeholder) => (placeholder === '{token}' ? token.token : token.tokenType));
		return { [fields.headerName]: value };
	},

	queryParameters(fields, token) {
		return fields.sendIn === 'query' ? { [fields.queryParameterName]: token.token } : undefined;
	},
};
