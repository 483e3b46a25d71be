import type { DateTime } from 'luxon';
import type { IDataObject } from 'n8n-workflow';

import { loginRefused, TokenAuthError } from './errors';
import type { VendorAnswer } from './http';
import type { TokenAnswer } from './provider';
import type { IssuedToken } from './tokenStore';

const NOT_JSON = Symbol('not JSON');

function parseJson(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return NOT_JSON;
	}
}

/**
 * Reads a token answer's JSON object. HTML error pages (a proxy, a wrong base URL), cut-off
 * bodies and non-objects become the package's own error instead of a SyntaxError or a
 * TypeError further down.
 */
export function readJsonObject(
	vendor: string,
	answer: VendorAnswer,
	setting = 'base URL',
): IDataObject {
	const text = answer.body.trim();
	const wrongPlace = `Check that the ${setting} points at the ${vendor} API (not its web console or a proxy page).`;
	if (text.startsWith('<')) {
		throw new TokenAuthError(
			vendor,
			'token answer',
			`the server answered with a web page instead of JSON (HTTP ${answer.statusCode}).`,
			{
				description: wrongPlace,
				httpCode: answer.statusCode,
			},
		);
	}
	const parsed = parseJson(text);
	if (parsed === NOT_JSON) {
		throw new TokenAuthError(
			vendor,
			'token answer',
			`the answer is not valid JSON (HTTP ${answer.statusCode}); it may have been cut off.`,
			{
				description: `${wrongPlace} If it does, the vendor or a proxy cut the answer short: try again.`,
				httpCode: answer.statusCode,
			},
		);
	}
	if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
		throw new TokenAuthError(
			vendor,
			'token answer',
			`the answer is not a JSON object (HTTP ${answer.statusCode}).`,
			{
				description: wrongPlace,
				httpCode: answer.statusCode,
			},
		);
	}
	return parsed as IDataObject;
}

/** Like readJsonObject, but for error answers whose body may be empty or anything at all. */
export function tryJsonObject(answer: VendorAnswer): IDataObject | undefined {
	const parsed = parseJson(answer.body);
	return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
		? (parsed as IDataObject)
		: undefined;
}

/** A required non-empty string field of a token answer. */
export function requiredString(vendor: string, body: IDataObject, field: string): string {
	const value = body[field];
	if (typeof value !== 'string' || value.trim() === '') {
		throw new TokenAuthError(vendor, 'token answer', `the answer has no "${field}".`, {
			description: `${vendor} accepted the request but sent no usable token. Check the base URL; if it is right, the vendor's API may have changed: report it with the vendor's name and this message.`,
		});
	}
	return sendableToken(vendor, `"${field}"`, value);
}

/**
 * A token as it will travel: trimmed, and refused when it holds control characters or
 * non-Latin-1 text, which would be stripped or refused in a header, silently giving the
 * vendor a different token.
 */
export function sendableToken(
	vendor: string,
	label: string,
	value: string,
	setting = 'base URL',
): string {
	if (!/^[\x20-\x7e\xa0-\xff]+$/.test(value.trim())) {
		throw new TokenAuthError(
			vendor,
			'token answer',
			`the ${label} holds characters that cannot be sent in a header.`,
			{
				description: `${vendor} sent a token that cannot be used as sent. Check the ${setting}; if it is right, report it with the vendor's name and this message.`,
			},
		);
	}
	return value.trim();
}

function unreadableExpiry(vendor: string, field: string): TokenAuthError {
	return new TokenAuthError(
		vendor,
		'token answer',
		`the token's expiry ("${field}") cannot be read.`,
		{
			description: `${vendor} sent a token with an expiry in an unknown format, so it cannot be refreshed in time. Report it with the vendor's name and this message.`,
		},
	);
}

/**
 * A token whose stated expiry is not after the moment it arrived is a misread answer (a
 * lifetime sent where an instant belongs, such as Manis `expiresAt: 3600`, read as 1970) or a
 * wrong clock. Such a token would never be sent (every check judges it expired), so every
 * request would fetch a new one: it is refused with the reason, whatever the margin.
 */
export function pastExpiry(
	vendor: string,
	expiresAt: string | null,
	now: DateTime,
): TokenAuthError | undefined {
	if (expiresAt === null || Date.parse(expiresAt) > now.toMillis()) return undefined;
	return new TokenAuthError(
		vendor,
		'token answer',
		`the token's expiry (${expiresAt}) was already past when it arrived.`,
		{
			description: `Check the n8n server's clock (it reads ${now.toUTC().toISO() ?? 'unknown'}). If it is right, ${vendor} sent an expiry this package reads wrongly (a lifetime instead of an instant?): report it with the vendor's name and this message.`,
		},
	);
}

/**
 * The 401/403 prologue every vendor's token answer starts with: a refused login (remembered by
 * the token store, so the same values are not sent again at once), naming what was refused. The
 * vendor's text is not quoted: what a vendor says about a refused secret may repeat it.
 */
function refusedLogin(
	vendor: string,
	answer: VendorAnswer,
	what: string,
	description: string,
): TokenAuthError | undefined {
	if (answer.statusCode !== 401 && answer.statusCode !== 403) return undefined;
	return loginRefused(
		vendor,
		`${what} was refused (HTTP ${answer.statusCode}).`,
		description,
		answer.statusCode,
	);
}

function unexpectedStatus(
	vendor: string,
	answer: VendorAnswer,
	vendorText?: unknown,
): TokenAuthError {
	return new TokenAuthError(
		vendor,
		'token request',
		`unexpected answer (HTTP ${answer.statusCode}).`,
		{
			description: "Check the base URL and the credential's values.",
			httpCode: answer.statusCode,
			vendorText,
		},
	);
}

/** How a vendor's token endpoint says no, for tokenAnswerBody. */
export interface Refusals {
	/** What a 401 or 403 refused (`the merchant ID or secret`), and what to check. */
	refused: [what: string, description: string];
	/** The status the vendor answers a malformed request with (400, 422), and what to check. */
	invalid?: [status: number, description: string];
	/** The vendor's error text in an answer, quoted (cut of secrets) with an invalid or unexpected one. */
	vendorText?: (answer: VendorAnswer) => unknown;
}

/**
 * The JSON object of a token answer with status 200. Any other status throws what it means: a
 * refused login (401, 403), a request the vendor found malformed, or an unexpected answer.
 */
function tokenAnswerBody(vendor: string, answer: VendorAnswer, refusals: Refusals): IDataObject {
	const refused = refusedLogin(vendor, answer, ...refusals.refused);
	if (refused) throw refused;
	if (refusals.invalid && answer.statusCode === refusals.invalid[0]) {
		throw new TokenAuthError(
			vendor,
			'token request',
			`the request was refused as invalid (HTTP ${answer.statusCode}).`,
			{
				description: refusals.invalid[1],
				httpCode: answer.statusCode,
				vendorText: refusals.vendorText?.(answer),
			},
		);
	}
	if (answer.statusCode !== 200) {
		throw unexpectedStatus(vendor, answer, refusals.vendorText?.(answer));
	}
	return readJsonObject(vendor, answer);
}

/** The expiry a token answer must state in `field`, as `read` reads it; unreadable is an error. */
function requiredExpiry(
	vendor: string,
	body: IDataObject,
	field: string,
	read: (value: unknown) => string | undefined,
): string {
	const expiresAt = read(body[field]);
	if (expiresAt === undefined) throw unreadableExpiry(vendor, field);
	return expiresAt;
}

/** A token read from an answer, as the token step hands it on: stamped with when it arrived. */
export function tokenAnswer(
	now: DateTime,
	{ token, tokenType, expiresAt, extras, ...more }: Omit<IssuedToken, 'obtainedAt'>,
): TokenAnswer {
	return {
		kind: 'token',
		token: {
			token,
			tokenType,
			expiresAt,
			obtainedAt: now.toUTC().toISO() as string,
			extras,
			...more,
		},
	};
}

/** Where a vendor's JSON token answer holds what the token step hands on, for jsonTokenAnswer. */
export interface JsonTokenShape {
	/** How the token endpoint says no (tokenAnswerBody). */
	refusals: Refusals;
	/** The field of the token, a non-empty string. */
	token: string;
	/** The field of the expiry, and how it reads (an `expiry.ts` reader; `now` for seconds left). */
	expiry: [field: string, read: (value: unknown, now: DateTime) => string | undefined];
	/** The token type: fixed (`raw`, `Bearer`), or `[field, fallback]` where the answer states it. */
	tokenType: string | [field: string, fallback: string];
	/** Values of the answer that Get Token outputs besides the token (never a secret). */
	extras?(body: IDataObject): IDataObject;
}

/**
 * A provider's readTokenAnswer for a JSON answer with the token and its expiry in named
 * fields: the statuses first, then the JSON, the token, the expiry and the type, each an error
 * naming its field when it is missing or unreadable.
 */
export function jsonTokenAnswer(
	vendor: string,
	shape: JsonTokenShape,
): (answer: VendorAnswer, now: DateTime) => TokenAnswer {
	return (answer, now) => {
		const body = tokenAnswerBody(vendor, answer, shape.refusals);
		const token = requiredString(vendor, body, shape.token);
		const [field, read] = shape.expiry;
		const expiresAt = requiredExpiry(vendor, body, field, (value) => read(value, now));
		const tokenType =
			typeof shape.tokenType === 'string'
				? shape.tokenType
				: authScheme(vendor, body, ...shape.tokenType);
		return tokenAnswer(now, { token, tokenType, expiresAt, extras: shape.extras?.(body) ?? {} });
	};
}

/** FastAPI: `{"detail": "text"}` or `{"detail": [{"msg": "..."}]}` (422). */
export function fastApiDetail(answer: VendorAnswer): unknown {
	return detailText(tryJsonObject(answer)?.detail);
}

/** A FastAPI `detail` as text: a list of details gives its messages, joined; anything else as it is. */
export function detailText(detail: unknown): unknown {
	if (Array.isArray(detail)) {
		return detail
			.map((entry) => (entry && typeof entry === 'object' ? (entry as IDataObject).msg : undefined))
			.filter((msg) => typeof msg === 'string')
			.join('; ');
	}
	return detail;
}

/** RFC 9110 token: what an auth scheme (`Bearer`) may be made of. */
const AUTH_SCHEME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * An optional token type from the answer (`tokenType`, `token_type`), or `fallback` when it is
 * missing or empty. It may end up in front of the token in an Authorization header, so anything
 * that is not an auth-scheme word (a line break followed by another header, say) is refused.
 */
function authScheme(vendor: string, body: IDataObject, field: string, fallback: string): string {
	return checkedScheme(vendor, `"${field}"`, body[field], fallback);
}

/** authScheme for a value already picked out of the answer; `label` names where it was. */
export function checkedScheme(
	vendor: string,
	label: string,
	value: unknown,
	fallback: string,
	setting = 'base URL',
): string {
	if (value === undefined || value === null || (typeof value === 'string' && value.trim() === ''))
		return fallback;
	if (typeof value !== 'string' || !AUTH_SCHEME.test(value.trim())) {
		throw new TokenAuthError(vendor, 'token answer', `the ${label} is not a valid token type.`, {
			description: `${vendor} sent a token type that cannot be used in an Authorization header. Check the ${setting}; if it is right, report it with the vendor's name and this message.`,
		});
	}
	return value.trim();
}

/** Whether `value` is an auth-scheme word (`Bearer`, `JWT`, `Token`). */
export function isAuthScheme(value: string): boolean {
	return AUTH_SCHEME.test(value);
}

/**
 * The value at a dot path (`data.access_token`, `items.0.token`: a number picks from a list),
 * or undefined when the path leads nowhere. Only own keys are followed.
 */
export function valueAt(body: unknown, path: string): unknown {
	let value = body;
	for (const segment of path.split('.')) {
		if (Array.isArray(value) && /^\d+$/.test(segment)) value = value[Number(segment)];
		else if (
			value !== null &&
			typeof value === 'object' &&
			!Array.isArray(value) &&
			Object.prototype.hasOwnProperty.call(value, segment)
		) {
			value = (value as IDataObject)[segment];
		} else return undefined;
	}
	return value;
}

/** What a value is, in the words of an error message ("an object", "a number"…). */
export function kindOf(value: unknown): string {
	if (value === undefined) return 'nothing';
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'a list';
	if (typeof value === 'object') return 'an object';
	if (typeof value === 'string') return value.trim() === '' ? 'empty text' : 'text';
	if (typeof value === 'boolean') return 'true/false';
	return `a ${typeof value}`;
}

/**
 * The dot paths of an answer's text and number values (a few levels deep, at most `limit`):
 * what a Token Path or Expiry Path could be, for an error that says the configured one is not.
 */
export function valuePaths(body: unknown, limit = 12, depth = 4): string[] {
	const paths: string[] = [];
	const walk = (value: unknown, prefix: string, level: number) => {
		if (paths.length >= limit) return;
		if (typeof value === 'string' || typeof value === 'number') {
			if (prefix !== '') paths.push(prefix);
			return;
		}
		if (value === null || typeof value !== 'object' || level >= depth) return;
		const entries = Array.isArray(value)
			? value.slice(0, 3).map((item, index) => [String(index), item] as const)
			: Object.entries(value as IDataObject);
		for (const [key, inner] of entries)
			walk(inner, prefix === '' ? key : `${prefix}.${key}`, level + 1);
	};
	walk(body, '', 0);
	return paths;
}
