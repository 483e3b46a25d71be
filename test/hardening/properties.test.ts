/**
 * Property-based tests: whatever a vendor answers and whatever a credential holds, the pure
 * readers of the package either return a well-formed result or throw the package's own
 * TokenAuthError naming the vendor. Never a TypeError, a SyntaxError or a luxon error.
 */
import fc from 'fast-check';
import { DateTime } from 'luxon';
import type { IDataObject } from 'n8n-workflow';

import { TokenAuthError } from '../../nodes/shared/errors';
import { expiryFromInstant, expiryFromSecondsLeft } from '../../nodes/shared/expiry';
import type { VendorAnswer } from '../../nodes/shared/http';
import { normaliseBaseUrl } from '../../nodes/shared/inputs';
import type { AnyTokenProvider, TokenAnswer } from '../../nodes/shared/provider';
import { providers, vendorIds, type VendorId } from '../../nodes/shared/providers';
import { kits } from '../../scripts/sandbox/kits';
import {
	checkBaseUrl,
	checkVendorFields,
	instant,
	secondsLeft,
	urlLike,
} from '../../scripts/sandbox/kits/properties';

const RUNS = { numRuns: 10_000 };

// ------------------------------------------------------------------------------------------
// Checks

/** Exactly what luxon's toISO() gives for a UTC instant in years 1970 to 9999. */
const UTC_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function assertUtcIso(value: unknown, what: string): void {
	if (typeof value !== 'string' || !UTC_ISO.test(value))
		throw new Error(`${what} is not a UTC ISO string: ${String(value)}`);
	const parsed = Date.parse(value);
	if (!Number.isFinite(parsed) || new Date(parsed).toISOString() !== value)
		throw new Error(`${what} does not round-trip through Date.parse: ${value}`);
}

/** Runs `read`; a TokenAuthError naming the vendor is fine, any other exception fails the property. */
function expectResultOrTokenAuthError<T>(
	vendorName: string,
	read: () => T,
	check: (result: T) => void,
	step?: string,
): void {
	let result: T;
	try {
		result = read();
	} catch (error) {
		if (!(error instanceof TokenAuthError)) throw error;
		if (!error.message.startsWith(`${vendorName} `))
			throw new Error(`TokenAuthError without the vendor's name: ${error.message}`);
		if (step !== undefined && error.step !== step)
			throw new Error(
				`TokenAuthError at step "${error.step}", expected "${step}": ${error.message}`,
			);
		return;
	}
	check(result);
}

function checkTokenAnswer(provider: AnyTokenProvider, result: TokenAnswer): void {
	if (result.kind === 'token') {
		const { token } = result;
		if (
			typeof token.token !== 'string' ||
			token.token.trim() === '' ||
			token.token !== token.token.trim()
		) {
			throw new Error(`token is not a non-empty trimmed string: ${JSON.stringify(token.token)}`);
		}
		if (!kits[provider.vendor as VendorId].answerHasExpiry) {
			if (token.expiresAt !== null)
				throw new Error(`${provider.displayName} states no expiry, yet expiresAt is set`);
		} else {
			assertUtcIso(token.expiresAt, 'expiresAt');
		}
		assertUtcIso(token.obtainedAt, 'obtainedAt');
		if (typeof token.tokenType !== 'string' || token.tokenType === '')
			throw new Error('empty tokenType');
		if (!token.extras || typeof token.extras !== 'object')
			throw new Error('extras is not an object');
		return;
	}
	if (result.kind === 'nextStep') {
		// Only a provider with a second login step (unfinishedLogin) may answer one.
		if (provider.unfinishedLogin === undefined)
			throw new Error(`${provider.vendor} returned a next step`);
		if (result.step !== 'verificationCode' && result.step !== 'pin')
			throw new Error(`unknown step ${String(result.step)}`);
		if (typeof result.interimToken !== 'string' || result.interimToken.trim() === '')
			throw new Error('empty interim token');
		if (typeof result.reason !== 'string') throw new Error('reason is not a string');
		return;
	}
	throw new Error(`unknown result ${JSON.stringify(result)}`);
}

/** A finite seconds-left value whose milliseconds overflow to Infinity (above about 1.8e305). */
function overflowsMilliseconds(seconds: unknown): boolean {
	const value = typeof seconds === 'string' && seconds.trim() !== '' ? Number(seconds) : seconds;
	return typeof value === 'number' && Number.isFinite(value) && !Number.isFinite(value * 1000);
}

// ------------------------------------------------------------------------------------------
// Generators

const status = fc.oneof(
	{ arbitrary: fc.constantFrom(200, 202, 400, 401, 403, 422, 429, 500), weight: 8 },
	{ arbitrary: fc.integer({ min: 100, max: 599 }), weight: 3 },
	{ arbitrary: fc.constantFrom(0, -1, 999, 1000, Number.NaN), weight: 1 },
);

const headers = fc.oneof(
	fc.dictionary(fc.string(), fc.string(), { maxKeys: 4 }),
	fc.record(
		{
			'content-type': fc.constantFrom('application/json', 'text/html', 'text/plain', ''),
			'retry-after': fc.oneof(fc.nat().map(String), fc.string()),
		},
		{ requiredKeys: [] },
	),
);

function bodyFor(vendor: VendorId): fc.Arbitrary<string> {
	const shaped = kits[vendor].properties.answer.map((value) => JSON.stringify(value));
	return fc.oneof(
		{ arbitrary: shaped, weight: 6 },
		{ arbitrary: fc.jsonValue().map((value) => JSON.stringify(value)), weight: 2 },
		{ arbitrary: fc.string(), weight: 1 },
		{ arbitrary: fc.string({ unit: 'binary' }), weight: 1 },
		// Cut short anywhere.
		{
			arbitrary: shaped.chain((text) =>
				fc.nat({ max: text.length }).map((cut) => text.slice(0, cut)),
			),
			weight: 1,
		},
		{
			arbitrary: fc.constantFrom(
				'',
				' ',
				'null',
				'[]',
				'"token"',
				'{}',
				'<html><body>502 Bad Gateway</body></html>',
				'\uFEFF{}',
			),
			weight: 1,
		},
	);
}

function answerFor(vendor: VendorId): fc.Arbitrary<VendorAnswer> {
	return fc.record({ statusCode: status, headers, body: bodyFor(vendor) });
}

const now = fc
	.tuple(
		fc.date({
			min: new Date('1971-01-01T00:00:00Z'),
			max: new Date('9000-01-01T00:00:00Z'),
			noInvalidDate: true,
		}),
		fc.constantFrom('UTC', 'UTC+5', 'UTC-11', 'Europe/Paris'),
	)
	.map(([d, zone]) => DateTime.fromJSDate(d, { zone }));

// ------------------------------------------------------------------------------------------

/** The settings a provider's token answer reader needs (its kit's; the vendors' take none). */
const fieldsFor = (vendor: VendorId): object => {
	const settings = kits[vendor].properties.readerSettings;
	return settings === undefined ? {} : providers[vendor].readFields(settings);
};

describe.each(vendorIds)('%s readTokenAnswer', (vendor) => {
	const provider = providers[vendor];

	it('returns a well-formed token (or next step) or throws TokenAuthError, for 10,000 answers', () => {
		fc.assert(
			fc.property(answerFor(vendor), now, (answer, at) => {
				expectResultOrTokenAuthError(
					provider.displayName,
					() => provider.readTokenAnswer(answer, at, fieldsFor(vendor)),
					(result) => checkTokenAnswer(provider, result),
				);
			}),
			RUNS,
		);
	});

	it('reads the well-formed 200 answer the vendor documents (the generators reach the success path)', () => {
		const at = DateTime.utc();
		const { documentedAnswer, documentedToken = 'tok' } = kits[vendor].properties;
		const result = provider.readTokenAnswer(
			{ statusCode: 200, headers: {}, body: JSON.stringify(documentedAnswer) },
			at,
			fieldsFor(vendor),
		);
		expect(result).toMatchObject({ kind: 'token', token: { token: documentedToken } });
		checkTokenAnswer(provider, result);
	});
});

describe('expiry parsers', () => {
	const anything = fc.oneof(
		{ arbitrary: instant, weight: 3 },
		{ arbitrary: secondsLeft, weight: 2 },
		{
			arbitrary: fc.anything({
				withBoxedValues: true,
				withBigInt: true,
				withDate: true,
				withMap: true,
				withSet: true,
				withNullPrototype: true,
				withSparseArray: true,
			}),
			weight: 2,
		},
	);

	it('expiryFromInstant returns undefined or a UTC ISO string ending in Z, never throws (10,000 inputs)', () => {
		fc.assert(
			fc.property(anything, (value) => {
				const result = expiryFromInstant(value);
				if (result !== undefined) assertUtcIso(result, 'expiryFromInstant');
			}),
			RUNS,
		);
	});

	it('expiryFromSecondsLeft returns undefined or a UTC ISO string not before now, never throws (10,000 inputs)', () => {
		fc.assert(
			fc.property(anything, now, (value, at) => {
				const result = expiryFromSecondsLeft(value, at);
				if (result === undefined) return;
				assertUtcIso(result, 'expiryFromSecondsLeft');
				if (Date.parse(result) < at.toMillis())
					throw new Error(`expiry ${result} is before now ${at.toISO()}`);
			}),
			RUNS,
		);
	});

	it('the same instant written in the vendors’ formats gives the same expiry', () => {
		fc.assert(
			// Numbers up to 253402300799 (9999-12-31T23:59:59Z) are read as seconds, larger ones as
			// milliseconds: milliseconds from 1978-01-11 on, seconds up to the end of 9999.
			fc.property(
				fc.date({
					min: new Date('1979-01-01T00:00:00Z'),
					max: new Date('9999-12-31T23:59:59Z'),
					noInvalidDate: true,
				}),
				(d) => {
					const ms = d.getTime();
					const seconds = Math.floor(ms / 1000);
					const exact = new Date(ms).toISOString();
					const whole = new Date(seconds * 1000).toISOString();
					expect(expiryFromInstant(exact)).toBe(exact);
					expect(expiryFromInstant(ms)).toBe(exact);
					expect(expiryFromInstant(String(ms))).toBe(exact);
					expect(expiryFromInstant(seconds)).toBe(whole);
					expect(expiryFromInstant(exact.replace(/\.\d{3}Z$/, 'Z'))).toBe(whole);
				},
			),
			{ numRuns: 2_000 },
		);
	});
});

// Regression: luxon threw "Invalid unit value Infinity" for these before expiry.ts capped them.
describe('a seconds-left value too large for milliseconds', () => {
	it.each([1e308, '1e308', 1.8e305, Number.MAX_VALUE])(
		'expiryFromSecondsLeft(%p) returns undefined instead of throwing',
		(value) => {
			expect(overflowsMilliseconds(value)).toBe(true);
			expect(expiryFromSecondsLeft(value, DateTime.utc())).toBeUndefined();
		},
	);

	it('Soda answer {"token":"t","expires_in":1e308}: readTokenAnswer throws TokenAuthError, not a luxon error', () => {
		const answer: VendorAnswer = {
			statusCode: 200,
			headers: {},
			body: '{"token":"t","expires_in":1e308}',
		};
		expect(() => providers.sodaCloud.readTokenAnswer(answer, DateTime.utc(), {})).toThrow(
			TokenAuthError,
		);
	});
});

// ------------------------------------------------------------------------------------------
// Credentials

it('normaliseBaseUrl returns a clean HTTPS (or loopback) URL or throws TokenAuthError (10,000 inputs)', () => {
	fc.assert(
		fc.property(urlLike, (value) => {
			expectResultOrTokenAuthError(
				'Vendor',
				() => normaliseBaseUrl('Vendor', 'Base URL', value),
				checkBaseUrl,
				'settings',
			);
		}),
		RUNS,
	);
});

function credentialsFor(vendor: VendorId): fc.Arbitrary<IDataObject> {
	return fc
		.tuple(
			fc.record(kits[vendor].properties.credentialFields, { requiredKeys: [] }),
			fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
		)
		.map(([known, extra]) => ({ ...extra, ...known }) as IDataObject);
}

describe.each(vendorIds)('%s readFields', (vendor) => {
	const provider = providers[vendor];

	it('returns checked fields or throws a settings TokenAuthError, for 10,000 credential objects', () => {
		fc.assert(
			fc.property(credentialsFor(vendor), (credentials) => {
				expectResultOrTokenAuthError(
					provider.displayName,
					() => provider.readFields(credentials) as IDataObject,
					(fields) => (kits[vendor].properties.checkFields ?? checkVendorFields)(fields),
					'settings',
				);
			}),
			RUNS,
		);
	});
});

describe('Soda Cloud region that String() cannot convert', () => {
	// Regression: readFields used String(credentials.region), a TypeError for these objects.
	it.each(['{"toString":1}', '{"toString":"x","valueOf":null}'])(
		'region %s gives a settings TokenAuthError',
		(json) => {
			const credentials = {
				region: JSON.parse(json) as unknown,
				authMethod: 'apiKey',
				apiKeyId: 'id',
				apiKeySecret: 'secret',
			} as IDataObject;
			expect(() => providers.sodaCloud.readFields(credentials)).toThrow(TokenAuthError);
		},
	);
});
