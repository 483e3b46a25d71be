import { DateTime } from 'luxon';

/**
 * Vendors state expiry three ways: seconds from now (Soda), an ISO 8601 / RFC 3339 instant
 * (Galileo, Sirdata with nanoseconds and an offset, Manis sometimes), or a Unix timestamp whose
 * unit nobody documents (Manis). Everything is normalised to a UTC ISO 8601 instant.
 * `undefined` means the value could not be read; callers turn that into an error.
 */

/**
 * Up to this a Unix timestamp is read as seconds: 253402300799 is 9999-12-31T23:59:59Z, the
 * "never expires" value some APIs send. Above it, milliseconds (a value that large in seconds
 * would be past the year 9999; in milliseconds anything below it is before 1978).
 */
const LAST_EPOCH_SECOND = 253402300799;
/** The last instant ISO 8601 can write with a four-digit year, fractions included. */
const LATEST = DateTime.fromISO('9999-12-31T23:59:59.999Z');

/**
 * Everything here is read and judged in UTC: n8n sets luxon's default zone to the workflow's
 * time zone (America/New_York unless configured), which must not change what an expiry means.
 */
function toUtcIso(value: DateTime): string | undefined {
	const utc = value.toUTC();
	if (!utc.isValid || utc > LATEST || utc.year < 1970) return undefined;
	return utc.toISO({ suppressMilliseconds: false }) ?? undefined;
}

/** More seconds than this (about 3,000 years) is no lifetime a token has; it is a bad answer. */
const MAX_SECONDS_LEFT = 1e11;

/** A number as decimal digits: `Number()` would also read `0x10`, `1e3`, `+12`, or an empty string as 0. */
const DECIMAL = /^\d+(\.\d+)?$/;

/** A number as it is, or decimal digits (spaces around them allowed) read as one; else undefined. */
export function numberOrDigits(value: unknown): number | undefined {
	if (typeof value === 'number') return value;
	return typeof value === 'string' && DECIMAL.test(value.trim()) ? Number(value.trim()) : undefined;
}

/** Whether `value` is a finite number above zero and at most `max`. */
function positiveUpTo(value: unknown, max: number): value is number {
	return typeof value === 'number' && Number.isFinite(value) && value > 0 && value <= max;
}

export function expiryFromSecondsLeft(seconds: unknown, now: DateTime): string | undefined {
	const value = numberOrDigits(seconds);
	if (!positiveUpTo(value, MAX_SECONDS_LEFT)) return undefined;
	return toUtcIso(now.plus({ milliseconds: Math.round(value * 1000) }));
}

export function expiryFromInstant(value: unknown): string | undefined {
	const number = numberOrDigits(value);
	if (number !== undefined) {
		if (!Number.isFinite(number) || number <= 0) return undefined;
		return toUtcIso(
			number <= LAST_EPOCH_SECOND
				? DateTime.fromSeconds(number, { zone: 'utc' })
				: DateTime.fromMillis(number, { zone: 'utc' }),
		);
	}
	if (typeof value !== 'string') return undefined;
	const text = value.trim();
	// setZone keeps the vendor's offset while parsing; toUtcIso converts. A time without an
	// offset is UTC (APIs mean UTC; n8n's workflow zone would shift it by hours). Luxon
	// reads any number of fractional digits (Sirdata sends nanoseconds) and keeps milliseconds.
	return toUtcIso(DateTime.fromISO(text, { zone: 'utc', setZone: true }));
}

/** Epoch seconds, as a number or decimal digits, whatever their size (the user said the unit). */
export function expiryFromEpochSeconds(value: unknown): string | undefined {
	const seconds = numberOrDigits(value);
	if (!positiveUpTo(seconds, LAST_EPOCH_SECOND)) return undefined;
	return toUtcIso(DateTime.fromMillis(Math.round(seconds * 1000), { zone: 'utc' }));
}

/** Epoch milliseconds, as a number or decimal digits. */
export function expiryFromEpochMilliseconds(value: unknown): string | undefined {
	const ms = numberOrDigits(value);
	if (!positiveUpTo(ms, LAST_EPOCH_SECOND * 1000 + 999)) return undefined;
	return toUtcIso(DateTime.fromMillis(Math.round(ms), { zone: 'utc' }));
}

/** An ISO 8601 / RFC 3339 instant as text; numbers are not guessed at here. */
export function expiryFromIsoText(value: unknown): string | undefined {
	if (typeof value !== 'string' || numberOrDigits(value) !== undefined) return undefined;
	return expiryFromInstant(value);
}

/**
 * The `exp` claim of a JWT (JWS compact form: three base64url parts), in epoch seconds. The
 * signature is not checked: the API does that; the claim only says when to refresh. An
 * encrypted JWT (five parts) or a token that is no JWT gives undefined.
 */
export function expiryFromJwt(token: string): string | undefined {
	const parts = token.split('.');
	if (parts.length !== 3 || !/^[A-Za-z0-9_-]+$/.test(parts[1])) return undefined;
	let claims: unknown;
	try {
		claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
	} catch {
		return undefined;
	}
	if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) return undefined;
	const exp = (claims as Record<string, unknown>).exp;
	// RFC 7519: a NumericDate is a JSON number; text in its place is not one.
	return typeof exp === 'number' ? expiryFromEpochSeconds(exp) : undefined;
}

/** Seconds from `now` until `expiresAt`, never negative; null when the vendor gives no expiry. */
export function secondsLeft(expiresAt: string | null, now: DateTime): number | null {
	if (expiresAt === null) return null;
	const left = DateTime.fromISO(expiresAt).diff(now, 'seconds').seconds;
	return Math.max(0, Math.floor(left));
}
