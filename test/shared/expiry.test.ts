import { DateTime, Settings } from 'luxon';

import { expiryFromInstant, expiryFromSecondsLeft, secondsLeft } from '../../nodes/shared/expiry';

const now = DateTime.fromISO('2026-01-01T00:00:00.000Z', { zone: 'utc' });

describe('expiry parsing', () => {
	it('reads seconds left (Soda expires_in) as an absolute UTC instant', () => {
		expect(expiryFromSecondsLeft(1800, now)).toBe('2026-01-01T00:30:00.000Z');
		expect(expiryFromSecondsLeft('1800', now)).toBe('2026-01-01T00:30:00.000Z');
	});

	it.each([0, -5, Number.NaN, Infinity, 'soon', '', null, undefined, {}])(
		'refuses seconds left %p',
		(value) => {
			expect(expiryFromSecondsLeft(value, now)).toBeUndefined();
		},
	);

	it('reads Sirdata RFC 3339 with nanoseconds and an offset, converting to UTC', () => {
		expect(expiryFromInstant('2019-12-11T17:52:30.821624721+01:00')).toBe(
			'2019-12-11T16:52:30.821Z',
		);
	});

	// n8n sets luxon's default zone to the workflow's time zone (America/New_York by default).
	it("reads a time without an offset as UTC, whatever luxon's default zone", () => {
		const serverZone = Settings.defaultZone;
		Settings.defaultZone = 'America/New_York';
		try {
			expect(expiryFromInstant('2023-11-07T05:31:56')).toBe('2023-11-07T05:31:56.000Z');
			expect(expiryFromInstant('2023-11-07T05:31:56-05:00')).toBe('2023-11-07T10:31:56.000Z');
			// Early epoch values stay in 1970 UTC, though it is still 1969 in New York.
			expect(expiryFromInstant(3600)).toBe('1970-01-01T01:00:00.000Z');
		} finally {
			Settings.defaultZone = serverZone;
		}
	});

	it('reads Galileo ISO 8601 without milliseconds', () => {
		expect(expiryFromInstant('2023-11-07T05:31:56Z')).toBe('2023-11-07T05:31:56.000Z');
	});

	it('reads Manis epoch seconds and epoch milliseconds by magnitude', () => {
		expect(expiryFromInstant(1767225600)).toBe('2026-01-01T00:00:00.000Z');
		expect(expiryFromInstant(1767225600000)).toBe('2026-01-01T00:00:00.000Z');
		expect(expiryFromInstant('1767225600')).toBe('2026-01-01T00:00:00.000Z');
		// The last second of 9999 is the threshold: up to it seconds, above it milliseconds.
		expect(expiryFromInstant(99_999_999_999)).toBe(
			DateTime.fromSeconds(99_999_999_999).toUTC().toISO(),
		);
		expect(expiryFromInstant(253_402_300_800)).toBe(new Date(253_402_300_800).toISOString());
	});

	// "Never expires" as APIs write it: the last instant of the year 9999.
	it.each([
		[253402300799, '9999-12-31T23:59:59.000Z'],
		['253402300799', '9999-12-31T23:59:59.000Z'],
		['9999-12-31T23:59:59Z', '9999-12-31T23:59:59.000Z'],
		['9999-12-31T23:59:59.9999999Z', '9999-12-31T23:59:59.999Z'],
	])('reads the "never expires" instant %p', (value, expected) => {
		expect(expiryFromInstant(value)).toBe(expected);
	});

	it.each(['0x10', '1e3', '+12', '-12', '1_000', 'Infinity', '1 2'])(
		'reads seconds left only as decimal digits, not %p',
		(value) => {
			expect(expiryFromSecondsLeft(value, now)).toBeUndefined();
		},
	);

	it('reads seconds left written as decimal digits', () => {
		expect(expiryFromSecondsLeft('1800', now)).toBe('2026-01-01T00:30:00.000Z');
		expect(expiryFromSecondsLeft('1.5', now)).toBe('2026-01-01T00:00:01.500Z');
	});

	// As an epoch in digits is read (numberOrDigits): one reading of a number in an answer.
	it.each([' 1800', '1800 ', ' 1800\n'])('reads seconds left with spaces around, %p', (value) => {
		expect(expiryFromSecondsLeft(value, now)).toBe('2026-01-01T00:30:00.000Z');
		expect(expiryFromInstant(value.replace('1800', '1767226500'))).toBe('2026-01-01T00:15:00.000Z');
	});

	it.each([
		'soon',
		'not-a-date',
		'2026-13-45T00:00:00Z',
		'',
		-1,
		0,
		Number.NaN,
		true,
		{},
		[],
		null,
		1e20,
	])('refuses the unreadable instant %p', (value) => {
		expect(expiryFromInstant(value)).toBeUndefined();
	});

	it('gives seconds left, never negative, null without expiry', () => {
		expect(secondsLeft('2026-01-01T00:01:00.000Z', now)).toBe(60);
		expect(secondsLeft('2025-12-31T23:00:00.000Z', now)).toBe(0);
		expect(secondsLeft(null, now)).toBeNull();
	});
});
