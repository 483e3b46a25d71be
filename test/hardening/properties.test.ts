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
import { providers, type VendorId } from '../../nodes/shared/providers';
import { SODA_REGIONS } from '../../nodes/shared/providers/sodaCloud';

const RUNS = { numRuns: 10_000 };
const VENDOR_IDS = Object.keys(providers) as VendorId[];

// ------------------------------------------------------------------------------------------
// Checks

/** Exactly what luxon's toISO() gives for a UTC instant in years 1970 to 9999. */
const UTC_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function assertUtcIso(value: unknown, what: string): void {
	if (typeof value !== 'string' || !UTC_ISO.test(value)) throw new Error(`${what} is not a UTC ISO string: ${String(value)}`);
	const parsed = Date.parse(value);
	if (!Number.isFinite(parsed) || new Date(parsed).toISOString() !== value) throw new Error(`${what} does not round-trip through Date.parse: ${value}`);
}

/** Runs `read`; a TokenAuthError naming the vendor is fine, any other exception fails the property. */
function expectResultOrTokenAuthError<T>(vendorName: string, read: () => T, check: (result: T) => void, step?: string): void {
	let result: T;
	try {
		result = read();
	} catch (error) {
		if (!(error instanceof TokenAuthError)) throw error;
		if (!error.message.startsWith(`${vendorName} `)) throw new Error(`TokenAuthError without the vendor's name: ${error.message}`);
		if (step !== undefined && error.step !== step) throw new Error(`TokenAuthError at step "${error.step}", expected "${step}": ${error.message}`);
		return;
	}
	check(result);
}

function checkTokenAnswer(provider: AnyTokenProvider, result: TokenAnswer): void {
	if (result.kind === 'token') {
		const { token } = result;
		if (typeof token.token !== 'string' || token.token.trim() === '' || token.token !== token.token.trim()) {
			throw new Error(`token is not a non-empty trimmed string: ${JSON.stringify(token.token)}`);
		}
		if (provider.vendor === 'autosharesTrader') {
			if (token.expiresAt !== null) throw new Error('Autoshares states no expiry, yet expiresAt is set');
		} else {
			assertUtcIso(token.expiresAt, 'expiresAt');
		}
		assertUtcIso(token.obtainedAt, 'obtainedAt');
		if (typeof token.tokenType !== 'string' || token.tokenType === '') throw new Error('empty tokenType');
		if (!token.extras || typeof token.extras !== 'object') throw new Error('extras is not an object');
		return;
	}
	if (result.kind === 'nextStep') {
		if (provider.vendor !== 'autosharesTrader') throw new Error(`${provider.vendor} returned a next step`);
		if (result.step !== 'verificationCode' && result.step !== 'pin') throw new Error(`unknown step ${String(result.step)}`);
		if (typeof result.interimToken !== 'string' || result.interimToken.trim() === '') throw new Error('empty interim token');
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

const junk: fc.Arbitrary<unknown> = fc.oneof(
	fc.constant(null),
	fc.boolean(),
	fc.integer(),
	fc.double(),
	fc.string(),
	fc.constantFrom('', '   ', '\n', '0', '-1', 'null', 'undefined', 'NaN', 'Infinity', '1e400', 'soon', 'not-a-date'),
	fc.jsonValue({ maxDepth: 2 }),
	fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
);

const date = fc.date({ noInvalidDate: true });
const offset = fc.tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(
	([sign, h, m]) => `${sign}${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`,
);

/** Instants as vendors write them, and near misses. */
const instant: fc.Arbitrary<unknown> = fc.oneof(
	date.map((d) => d.toISOString()),
	date.map((d) => d.toISOString().replace(/\.\d{3}Z$/, 'Z')), // Galileo
	fc.tuple(date, fc.integer({ min: 0, max: 999_999_999 }), offset).map(
		([d, nanos, off]) => `${d.toISOString().slice(0, 19)}.${String(nanos).padStart(9, '0')}${off}`, // Sirdata
	),
	date.map((d) => Math.floor(d.getTime() / 1000)), // epoch seconds
	date.map((d) => d.getTime()), // epoch milliseconds
	date.map((d) => String(d.getTime())),
	fc.double(),
	fc.integer({ min: -1e15, max: 1e16 }),
	fc.string({ unit: fc.constantFrom(...'0123456789.:-+TZWe ') }),
	date.map((d) => d.toString()),
	date.map((d) => d.toUTCString()),
	junk,
);

const secondsLeft: fc.Arbitrary<unknown> = fc.oneof(
	fc.integer({ min: -10, max: 100_000 }),
	fc.integer(),
	fc.double(),
	fc.double().map(String),
	fc.constantFrom(1800, '1800', ' 1800 ', '0x10', '1e3', '1e308', '1e-9', 1e308, Number.MAX_VALUE, Number.MIN_VALUE),
	junk,
);

/** JWTs whose exp claim is anything a server might put there. */
const jwt: fc.Arbitrary<string> = fc
	.tuple(fc.oneof(instant, secondsLeft, junk), fc.base64String({ minLength: 4, maxLength: 16 }))
	.map(([exp, signature]) => [Buffer.from('{"alg":"HS256"}').toString('base64url'), Buffer.from(JSON.stringify({ sub: 'x', exp }) ?? '').toString('base64url'), signature.replace(/[+/=]/g, 'x')].join('.'));

const tokenValue: fc.Arbitrary<unknown> = fc.oneof(
	{ arbitrary: fc.base64String({ minLength: 4, maxLength: 64 }), weight: 4 },
	{ arbitrary: fc.string({ minLength: 1 }), weight: 2 },
	{ arbitrary: fc.constantFrom('', ' ', '\t\n', 0, 1, null, true, {}, [], { token: 'x' }), weight: 2 },
	{ arbitrary: junk, weight: 2 },
);

const fastApiDetail: fc.Arbitrary<unknown> = fc.oneof(
	fc.string(),
	fc.array(fc.record({ loc: fc.array(fc.string(), { maxLength: 2 }), msg: fc.oneof(fc.string(), junk), type: fc.string() }, { requiredKeys: [] }), { maxLength: 3 }),
	junk,
);

const shapedBodies: Record<VendorId, fc.Arbitrary<unknown>> = {
	sodaCloud: fc.record(
		{ user: fc.oneof(fc.emailAddress(), junk), token: tokenValue, organization_id: fc.oneof(fc.uuid(), junk), expires_in: secondsLeft, detail: fastApiDetail },
		{ requiredKeys: [] },
	),
	galileo: fc.record(
		{ access_token: tokenValue, token_type: fc.oneof(fc.constantFrom('bearer', 'Bearer', ''), junk), expires_at: instant, detail: fastApiDetail },
		{ requiredKeys: [] },
	),
	sirdata: fc.record({ token: tokenValue, partner_id: fc.oneof(fc.integer(), fc.string(), junk), expiration_time: instant }, { requiredKeys: [] }),
	autosharesTrader: fc.record(
		{
			State: fc.oneof(fc.constantFrom('Succeeded', 'succeeded', 'Expecting', 'Failed', ''), junk),
			Step: fc.oneof(fc.constantFrom('VerificationCode', 'verificationcode', 'SecutityPin', 'SecurityPin', 'BaseAuthentication', ''), junk),
			Reason: fc.oneof(
				fc.constantFrom('Expecting confirmation code', 'Invalid pin', 'PIN code is not init', 'Invalid credentials', 'Your Password has expired and must be changed', 'Corrupted ticket'),
				junk,
			),
			Token: tokenValue,
			error: fc.oneof(fc.constant('Application key is not defined or does not exist'), junk),
			Message: junk,
		},
		{ requiredKeys: [] },
	),
	manis: fc.record(
		{
			tokenType: fc.oneof(fc.constantFrom('Bearer', 'Token', '', ' '), junk),
			token: tokenValue,
			expiresAt: instant,
			detail: junk,
			message: junk,
			title: junk,
			timestamp: junk,
		},
		{ requiredKeys: [] },
	),
	// The generic API's shape, read with CUSTOM_SETTINGS (data.jwt, data.token_type, the JWT's exp).
	customEndpoint: fc.record(
		{
			status: fc.oneof(fc.constantFrom('ok', 'error'), junk),
			data: fc.oneof(
				fc.record({ jwt: fc.oneof(jwt, tokenValue), token_type: fc.oneof(fc.constantFrom('Bearer', 'JWT', '', ' '), junk), expires_in: secondsLeft }, { requiredKeys: [] }),
				junk,
			),
			error: fc.oneof(fc.record({ code: fc.string(), message: junk }, { requiredKeys: [] }), junk),
		},
		{ requiredKeys: [] },
	),
};

const status = fc.oneof(
	{ arbitrary: fc.constantFrom(200, 202, 400, 401, 403, 422, 429, 500), weight: 8 },
	{ arbitrary: fc.integer({ min: 100, max: 599 }), weight: 3 },
	{ arbitrary: fc.constantFrom(0, -1, 999, 1000, Number.NaN), weight: 1 },
);

const headers = fc.oneof(
	fc.dictionary(fc.string(), fc.string(), { maxKeys: 4 }),
	fc.record({ 'content-type': fc.constantFrom('application/json', 'text/html', 'text/plain', ''), 'retry-after': fc.oneof(fc.nat().map(String), fc.string()) }, { requiredKeys: [] }),
);

function bodyFor(vendor: VendorId): fc.Arbitrary<string> {
	const shaped = shapedBodies[vendor].map((value) => JSON.stringify(value));
	return fc.oneof(
		{ arbitrary: shaped, weight: 6 },
		{ arbitrary: fc.jsonValue().map((value) => JSON.stringify(value)), weight: 2 },
		{ arbitrary: fc.string(), weight: 1 },
		{ arbitrary: fc.string({ unit: 'binary' }), weight: 1 },
		// Cut short anywhere.
		{ arbitrary: shaped.chain((text) => fc.nat({ max: text.length }).map((cut) => text.slice(0, cut))), weight: 1 },
		{ arbitrary: fc.constantFrom('', ' ', 'null', '[]', '"token"', '{}', '<html><body>502 Bad Gateway</body></html>', '\uFEFF{}'), weight: 1 },
	);
}

function answerFor(vendor: VendorId): fc.Arbitrary<VendorAnswer> {
	return fc.record({ statusCode: status, headers, body: bodyFor(vendor) });
}

const now = fc
	.tuple(fc.date({ min: new Date('1971-01-01T00:00:00Z'), max: new Date('9000-01-01T00:00:00Z'), noInvalidDate: true }), fc.constantFrom('UTC', 'UTC+5', 'UTC-11', 'Europe/Paris'))
	.map(([d, zone]) => DateTime.fromJSDate(d, { zone }));

// ------------------------------------------------------------------------------------------

/** A JWT that expires in the year 2999. */
const SAMPLE_JWT = `eyJhbGciOiJIUzI1NiJ9.${Buffer.from('{"sub":"x","exp":32503680000}').toString('base64url')}.c2ln`;

/** Custom Token Endpoint settings for the generic API's shape; the five vendors' readers take no settings. */
const CUSTOM_SETTINGS = providers.customEndpoint.readFields({
	tokenUrl: 'https://api.example.com/auth/login',
	password: 'pw',
	answerPath: 'data.jwt',
	answerTypePath: 'data.token_type',
	expiryFormat: 'jwtExp',
	headerValue: '{tokenType} {token}',
});
const fieldsFor = (vendor: VendorId): object => (vendor === 'customEndpoint' ? CUSTOM_SETTINGS : {});

describe.each(VENDOR_IDS)('%s readTokenAnswer', (vendor) => {
	const provider = providers[vendor];

	it('returns a well-formed token (or next step) or throws TokenAuthError, for 10,000 answers', () => {
		fc.assert(
			fc.property(answerFor(vendor), now, (answer, at) => {
				expectResultOrTokenAuthError(provider.displayName, () => provider.readTokenAnswer(answer, at, fieldsFor(vendor)), (result) => checkTokenAnswer(provider, result));
			}),
			RUNS,
		);
	});

	it('reads the well-formed 200 answer the vendor documents (the generators reach the success path)', () => {
		const at = DateTime.utc();
		const body: Record<VendorId, IDataObject> = {
			sodaCloud: { user: 'a@b.c', token: 'tok', organization_id: 'org', expires_in: 1800 },
			galileo: { access_token: 'tok', token_type: 'bearer', expires_at: '2999-11-07T05:31:56Z' },
			sirdata: { token: 'tok', partner_id: 1, expiration_time: '2999-12-11T17:52:30.821624721+01:00' },
			autosharesTrader: { State: 'Succeeded', Token: 'tok' },
			manis: { tokenType: 'Bearer', token: 'tok', expiresAt: 32503680000 },
			customEndpoint: { status: 'ok', data: { jwt: SAMPLE_JWT, token_type: 'Bearer' } },
		};
		const result = provider.readTokenAnswer({ statusCode: 200, headers: {}, body: JSON.stringify(body[vendor]) }, at, fieldsFor(vendor));
		expect(result).toMatchObject({ kind: 'token', token: { token: vendor === 'customEndpoint' ? SAMPLE_JWT : 'tok' } });
		checkTokenAnswer(provider, result);
	});
});

describe('expiry parsers', () => {
	const anything = fc.oneof(
		{ arbitrary: instant, weight: 3 },
		{ arbitrary: secondsLeft, weight: 2 },
		{ arbitrary: fc.anything({ withBoxedValues: true, withBigInt: true, withDate: true, withMap: true, withSet: true, withNullPrototype: true, withSparseArray: true }), weight: 2 },
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
				if (Date.parse(result) < at.toMillis()) throw new Error(`expiry ${result} is before now ${at.toISO()}`);
			}),
			RUNS,
		);
	});

	it('the same instant written in the vendors’ formats gives the same expiry', () => {
		fc.assert(
			// Numbers up to 253402300799 (9999-12-31T23:59:59Z) are read as seconds, larger ones as
			// milliseconds: milliseconds from 1978-01-11 on, seconds up to the end of 9999.
			fc.property(fc.date({ min: new Date('1979-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }), (d) => {
				const ms = d.getTime();
				const seconds = Math.floor(ms / 1000);
				const exact = new Date(ms).toISOString();
				const whole = new Date(seconds * 1000).toISOString();
				expect(expiryFromInstant(exact)).toBe(exact);
				expect(expiryFromInstant(ms)).toBe(exact);
				expect(expiryFromInstant(String(ms))).toBe(exact);
				expect(expiryFromInstant(seconds)).toBe(whole);
				expect(expiryFromInstant(exact.replace(/\.\d{3}Z$/, 'Z'))).toBe(whole);
			}),
			{ numRuns: 2_000 },
		);
	});
});

// Regression: luxon threw "Invalid unit value Infinity" for these before expiry.ts capped them.
describe('a seconds-left value too large for milliseconds', () => {
	it.each([1e308, '1e308', 1.8e305, Number.MAX_VALUE])('expiryFromSecondsLeft(%p) returns undefined instead of throwing', (value) => {
		expect(overflowsMilliseconds(value)).toBe(true);
		expect(expiryFromSecondsLeft(value, DateTime.utc())).toBeUndefined();
	});

	it('Soda answer {"token":"t","expires_in":1e308}: readTokenAnswer throws TokenAuthError, not a luxon error', () => {
		const answer: VendorAnswer = { statusCode: 200, headers: {}, body: '{"token":"t","expires_in":1e308}' };
		expect(() => providers.sodaCloud.readTokenAnswer(answer, DateTime.utc(), {})).toThrow(TokenAuthError);
	});
});

// ------------------------------------------------------------------------------------------
// Credentials

function checkBaseUrl(value: string): void {
	const url = new URL(value);
	const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname) || /^127(\.\d{1,3}){3}$/.test(url.hostname);
	if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) throw new Error(`not HTTPS: ${value}`);
	if (url.username !== '' || url.password !== '') throw new Error(`user info kept: ${value}`);
	if (url.search !== '' || value.includes('#')) throw new Error(`query or fragment kept: ${value}`);
	if (value.endsWith('/')) throw new Error(`trailing slash kept: ${value}`);
}

const urlLike: fc.Arbitrary<unknown> = fc.oneof(
	{ arbitrary: fc.webUrl({ withQueryParameters: true, withFragments: true }), weight: 3 },
	{ arbitrary: fc.webUrl({ validSchemes: ['https'] }).map((url) => `  ${url}///  `), weight: 2 },
	{ arbitrary: fc.webUrl({ validSchemes: ['http'] }), weight: 1 },
	{ arbitrary: fc.tuple(fc.constantFrom('http://localhost', 'http://127.0.0.1', 'http://127.8.9.10', 'http://[::1]', 'https://[::1]'), fc.nat({ max: 65_535 }), fc.webPath()).map(([host, port, path]) => `${host}:${port}${path}`), weight: 2 },
	{ arbitrary: fc.tuple(fc.constantFrom('https://', 'http://', 'https://user:pass@', 'ftp://', 'javascript:', '//', 'https:/'), fc.string()).map(([a, b]) => a + b), weight: 2 },
	{ arbitrary: fc.constantFrom(...Object.values(SODA_REGIONS), 'eu', 'us', 'custom', '', ' ', 'https://', 'https://x#', 'https://x?', 'https://@x', 'https://:@x'), weight: 1 },
	{ arbitrary: fc.string(), weight: 1 },
	{ arbitrary: junk, weight: 1 },
);

it('normaliseBaseUrl returns a clean HTTPS (or loopback) URL or throws TokenAuthError (10,000 inputs)', () => {
	fc.assert(
		fc.property(urlLike, (value) => {
			expectResultOrTokenAuthError('Vendor', () => normaliseBaseUrl('Vendor', 'Base URL', value), checkBaseUrl, 'settings');
		}),
		RUNS,
	);
});

/** JSON objects that String() cannot convert: credential data is decrypted JSON, so it can hold them. */
const unprintable: fc.Arbitrary<unknown> = fc.constantFrom('{"toString":1}', '{"toString":"x","valueOf":null}', '{"valueOf":{},"toString":[]}').map((text) => JSON.parse(text) as unknown);

/** Values a credential field can hold: typical ones, and anything JSON can carry. */
function field(...typical: unknown[]): fc.Arbitrary<unknown> {
	return fc.oneof(
		{ arbitrary: fc.constantFrom(...typical), weight: 4 },
		{ arbitrary: fc.string(), weight: 2 },
		{ arbitrary: fc.jsonValue({ maxDepth: 2 }), weight: 1 },
		{ arbitrary: fc.constantFrom(undefined, null, 0, 42, true, '', '  '), weight: 1 },
		{ arbitrary: unprintable, weight: 1 },
	);
}

const url = fc.oneof(urlLike, unprintable, fc.constantFrom('https://api.example.com', 'http://127.0.0.1:5678/api'));
const uuid = '3fa85f64-5717-4562-b3fc-2c963f66afa6';

const credentialFields: Record<VendorId, Record<string, fc.Arbitrary<unknown>>> = {
	sodaCloud: {
		region: fc.oneof(fc.constantFrom(SODA_REGIONS.eu, SODA_REGIONS.us, 'custom', 'eu', 'us'), urlLike, fc.jsonValue({ maxDepth: 2 }), unprintable),
		baseUrl: url,
		authMethod: field('token', 'apiKey'),
		apiKeyId: field('key-id'),
		apiKeySecret: field('key-secret'),
		email: field('a@b.c'),
		password: field('pw', ' pw with spaces '),
	},
	galileo: {
		baseUrl: url,
		apiVersion: field('v1', 'v2'),
		authMethod: field('apiKey', 'password'),
		apiKey: field('glk_x'),
		username: field('grace'),
		password: field('pw'),
		organizationId: field('', uuid, uuid.toUpperCase(), 'not-a-uuid'),
		organizationSlug: field('', 'acme'),
	},
	sirdata: { baseUrl: fc.oneof(url, fc.constantFrom('', undefined)), partnerId: field('12345', 12345), login: field('me'), password: field('pw') },
	autosharesTrader: { baseUrl: url, webApiKey: field('app-key'), username: field('trader'), password: field('pw'), pinPassword: field('', '4821', 4821) },
	manis: { baseUrl: url, merchantId: field('MRC-1'), secret: field('secret') },
	customEndpoint: {
		tokenUrl: url,
		method: field('POST', 'GET', 'PUT', 'DELETE'),
		loginValuesIn: field('jsonBody', 'formBody', 'query', 'headers', 'basicAuth'),
		userField: field('username', 'client_id', 'X-User', 'bad name'),
		username: field('me', 'a:b', 'line\nbreak'),
		passField: field('password', 'username', 'X-Secret'),
		password: field('pw', ' pw with spaces '),
		extraFields: field('', '{}', '{"grant_type":"password"}', '{"scope":["a"]}', '{"password":"x"}', 'not json', '[1]', '{"X-Api-Key":"k"}'),
		answerPath: field('access_token', 'data.jwt', 'items.0.token', '', 'data..jwt', '$.token', '.x'),
		answerTypePath: field('', 'token_type', 'a b'),
		expiryFormat: field('secondsLeft', 'epochSeconds', 'epochMilliseconds', 'iso8601', 'jwtExp', 'fixedLifetime', 'never'),
		expiryPath: field('expires_in', 'data.expires_in', ''),
		fixedLifetime: field(3600, '3600', 0, -1, 1.5, 1e12),
		sendIn: field('header', 'query', 'cookie'),
		headerName: field('Authorization', 'X-Auth-Token', 'Bad Header', ''),
		headerValue: field('Bearer {token}', '{token}', '{tokenType} {token}', 'Bearer', '{tok}', 'Bearer {token}\r\nX: 1'),
		queryParameterName: field('access_token', ''),
		expiredStatusCodes: field('401', '401, 403, 419', '', '200', 'abc', '4011', 401),
		expiredText: field('', 'token_expired'),
		testUrl: fc.oneof(url, fc.constantFrom('', undefined)),
	},
};

function checkVendorFields(fields: IDataObject): void {
	checkBaseUrl(String(fields.baseUrl));
	for (const [name, value] of Object.entries(fields)) {
		if (typeof value !== 'string') throw new Error(`field ${name} is not a string: ${String(value)}`);
	}
}

/** Custom Token Endpoint: full addresses (a query may stay), parsed values of the right kinds. */
function checkCustomFields(fields: IDataObject): void {
	for (const name of ['tokenUrl', ...(fields.testUrl === '' ? [] : ['testUrl'])]) {
		const address = new URL(String(fields[name]));
		checkBaseUrl(`${address.origin}${address.pathname}`.replace(/\/+$/, '') || address.origin);
		if (address.hash !== '') throw new Error(`fragment kept: ${address.href}`);
	}
	if (fields.method === 'GET' && ['jsonBody', 'formBody'].includes(String(fields.loginValuesIn))) throw new Error('a GET with a body was accepted');
	const codes = fields.expiredStatusCodes as number[];
	if (!Array.isArray(codes) || codes.length === 0 || codes.some((code) => !(code >= 400 && code <= 599))) throw new Error(`bad status list ${String(codes)}`);
	if (fields.sendIn === 'header' && !String(fields.headerValue).includes('{token}')) throw new Error('a header value without {token}');
	if (typeof fields.extraFields !== 'object' || fields.extraFields === null || Array.isArray(fields.extraFields)) throw new Error('extra fields are not an object');
	// '' is Auto; a path has no empty segment.
	if (String(fields.tokenPath) !== '' && String(fields.tokenPath).split('.').includes('')) throw new Error(`bad token path ${String(fields.tokenPath)}`);
	// What the token request is built from is usable as it is.
	providers.customEndpoint.tokenRequest(fields);
}

function credentialsFor(vendor: VendorId): fc.Arbitrary<IDataObject> {
	return fc
		.tuple(fc.record(credentialFields[vendor], { requiredKeys: [] }), fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }))
		.map(([known, extra]) => ({ ...extra, ...known }) as IDataObject);
}

describe.each(VENDOR_IDS)('%s readFields', (vendor) => {
	const provider = providers[vendor];

	it('returns checked fields or throws a settings TokenAuthError, for 10,000 credential objects', () => {
		fc.assert(
			fc.property(credentialsFor(vendor), (credentials) => {
				expectResultOrTokenAuthError(
					provider.displayName,
					() => provider.readFields(credentials) as IDataObject,
					(fields) => (vendor === 'customEndpoint' ? checkCustomFields(fields) : checkVendorFields(fields)),
					'settings',
				);
			}),
			RUNS,
		);
	});
});

describe('Soda Cloud region that String() cannot convert', () => {
	// Regression: readFields used String(credentials.region), a TypeError for these objects.
	it.each(['{"toString":1}', '{"toString":"x","valueOf":null}'])('region %s gives a settings TokenAuthError', (json) => {
		const credentials = { region: JSON.parse(json) as unknown, authMethod: 'apiKey', apiKeyId: 'id', apiKeySecret: 'secret' } as IDataObject;
		expect(() => providers.sodaCloud.readFields(credentials)).toThrow(TokenAuthError);
	});
});
