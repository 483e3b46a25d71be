import { Duration, type DateTime } from 'luxon';
import type { IDataObject } from 'n8n-workflow';

import { expiryFromInstant, expiryFromJwt, expiryFromSecondsLeft, numberOrDigits } from './expiry';

/**
 * Where login answers keep their token, its type, its expiry and a refresh token, for Custom
 * Token Endpoint's *Auto* settings: the common names at the top of the answer or one level
 * down (`data.*`, `result.*`, then any other object), in the order below. Pure functions of
 * the answer; the provider turns "nothing found" into an error that lists what was seen.
 */

/** Checked in this order: an OpenID answer carries both access_token and id_token; the first is for APIs. */
export const TOKEN_NAMES = [
	'access_token',
	'accessToken',
	'token',
	'jwt',
	'id_token',
	'idToken',
	'auth_token',
	'authToken',
];
export const TOKEN_TYPE_NAMES = ['token_type', 'tokenType'];
export const EXPIRY_NAMES = [
	'expires_in',
	'expiresIn',
	'expires_at',
	'expiresAt',
	'expires',
	'exp',
	'expiry',
	'expires_on',
	'expiresOn',
];
export const REFRESH_TOKEN_NAMES = ['refresh_token', 'refreshToken'];
/** Containers looked into first, one level down; then any other object of the answer. */
const PREFERRED_CONTAINERS = ['data', 'result'];

export interface Found {
	path: string;
	value: unknown;
}

function isObject(value: unknown): value is IDataObject {
	return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function own(object: IDataObject, key: string): boolean {
	return Object.prototype.hasOwnProperty.call(object, key);
}

/** The containers in the order they are searched: '' (the answer itself), data, result, the rest. */
export function containersOf(body: IDataObject): string[] {
	const rest = Object.keys(body).filter(
		(key) => !PREFERRED_CONTAINERS.includes(key) && isObject(body[key]),
	);
	return [
		'',
		...PREFERRED_CONTAINERS.filter((key) => own(body, key) && isObject(body[key])),
		...rest,
	];
}

function at(body: IDataObject, container: string): IDataObject {
	return container === '' ? body : (body[container] as IDataObject);
}

/**
 * The first of `names` present in the given containers (in that order), with its dot path. A
 * value that `accept` rejects (an empty token, say) is passed over.
 */
export function findFirst(
	body: IDataObject,
	names: string[],
	containers: string[] = containersOf(body),
	accept: (value: unknown) => boolean = (value) => value !== undefined && value !== null,
): Found | undefined {
	for (const container of containers) {
		const object = at(body, container);
		for (const name of names) {
			if (own(object, name) && accept(object[name]))
				return { path: container === '' ? name : `${container}.${name}`, value: object[name] };
		}
	}
	return undefined;
}

/** The container of a found path ('' for the top), searched first for the values that go with it. */
export function containerOf(path: string): string {
	const dot = path.indexOf('.');
	return dot === -1 ? '' : path.slice(0, dot);
}

/** The containers with the token's own first: its type, expiry and refresh token sit beside it. */
export function besideToken(body: IDataObject, tokenPath: string): string[] {
	const first = containerOf(tokenPath);
	return [first, ...containersOf(body).filter((container) => container !== first)];
}

export const isNonEmptyText = (value: unknown): boolean =>
	typeof value === 'string' && value.trim() !== '';

/** An automatic expiry further away than this (ten years) is read as none. */
const MAX_AUTO_LIFETIME_MS = 10 * 365 * 24 * 3600_000;
/** Below this a number is a lifetime in seconds (31.7 years); from it on, an instant. */
const FIRST_INSTANT_SECONDS = 1e9;

/** An ISO 8601 duration (`PT1H`, `P1D`) from now, or undefined. */
export function expiryFromIsoDuration(value: unknown, now: DateTime): string | undefined {
	if (typeof value !== 'string' || !/^P/i.test(value.trim())) return undefined;
	const duration = Duration.fromISO(value.trim().toUpperCase());
	if (!duration.isValid) return undefined;
	const ms = duration.toMillis();
	return ms > 0 ? expiryFromSecondsLeft(ms / 1000, now) : undefined;
}

/** Milliseconds left (Directus's `expires`), as a number or decimal digits. */
export function expiryFromMillisecondsLeft(value: unknown, now: DateTime): string | undefined {
	const ms = numberOrDigits(value);
	return ms === undefined ? undefined : expiryFromSecondsLeft(ms / 1000, now);
}

/**
 * An expiry value found under one of EXPIRY_NAMES, read by its size whatever its name (an
 * instant sent as expires_in is still an instant): a number below 1,000,000,000 is seconds left
 * (RFC 6749's expires_in; 31 years), a larger one an instant in epoch seconds, or in
 * milliseconds past the year 9999 in seconds (expiry.ts); text is an ISO 8601 instant or
 * duration (`PT1H`), or digits read as the numbers are. Undefined when it cannot be read.
 * Milliseconds left (Directus) cannot be told from seconds by size: that is an explicit form.
 */
export function readAutoExpiry(value: unknown, now: DateTime): string | undefined {
	const duration = expiryFromIsoDuration(value, now);
	if (duration !== undefined) return duration;
	const number = numberOrDigits(value);
	if (number !== undefined)
		return number < FIRST_INSTANT_SECONDS
			? expiryFromSecondsLeft(number, now)
			: expiryFromInstant(number);
	return typeof value === 'string' ? expiryFromInstant(value) : undefined;
}

export type AutoExpiry =
	| { kind: 'found'; expiresAt: string; from: string }
	| { kind: 'none' }
	| { kind: 'unreadable'; path: string; value: unknown };

/**
 * The expiry of a token, automatically: a JWT's own `exp` claim first (the API wrote it into
 * the token it checks), then the first expiry name beside the token or elsewhere in the answer.
 * `none` when neither exists: the token is kept until it is refused (and a day at most).
 */
export function autoExpiry(
	body: IDataObject,
	token: string,
	tokenPath: string,
	now: DateTime,
): AutoExpiry {
	// Far ahead is a sentinel ("never", 9999-12-31), not a lifetime: kept a day at most, as none.
	const plausible = (expiresAt: string, from: string): AutoExpiry =>
		Date.parse(expiresAt) - now.toMillis() > MAX_AUTO_LIFETIME_MS
			? { kind: 'none' }
			: { kind: 'found', expiresAt, from };
	const fromJwt = expiryFromJwt(token);
	if (fromJwt !== undefined) return plausible(fromJwt, 'the JWT exp claim');
	// Beside the token, at the top, or in data/result: never another object's (a subscription's) expiry.
	const places = [...new Set([containerOf(tokenPath), '', ...PREFERRED_CONTAINERS])].filter(
		(place) => place === '' || (own(body, place) && isObject(body[place])),
	);
	const found = findFirst(body, EXPIRY_NAMES, places);
	// expires_in 0: "does not expire" where APIs use it (Keycloak's offline tokens).
	if (!found || found.value === 0 || found.value === '0') return { kind: 'none' };
	const expiresAt = readAutoExpiry(found.value, now);
	return expiresAt === undefined
		? { kind: 'unreadable', path: found.path, value: found.value }
		: plausible(expiresAt, found.path);
}

/** Sets `value` at a dot path inside `target`, creating objects on the way (`user.id` → {user: {id}}). */
export function setAtPath(target: IDataObject, path: string, value: unknown): void {
	const segments = path.split('.');
	let object = target;
	for (const segment of segments.slice(0, -1)) {
		if (!isObject(object[segment]) || !own(object, segment)) object[segment] = {};
		object = object[segment] as IDataObject;
	}
	object[segments[segments.length - 1]] = value as IDataObject[string];
}
