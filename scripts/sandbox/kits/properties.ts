/**
 * Property-test generators and checks the vendors' kits share: values vendors answer and
 * credential fields can hold, typical ones and anything else (fast-check). Used by
 * test/hardening/properties.test.ts through each kit's `properties`.
 */
import fc from 'fast-check';
import type { IDataObject } from 'n8n-workflow';

import { providers } from '../../../nodes/shared/providers';
import { SODA_REGIONS } from '../../../nodes/shared/providers/sodaCloud';

export const junk: fc.Arbitrary<unknown> = fc.oneof(
	fc.constant(null),
	fc.boolean(),
	fc.integer(),
	fc.double(),
	fc.string(),
	fc.constantFrom(
		'',
		'   ',
		'\n',
		'0',
		'-1',
		'null',
		'undefined',
		'NaN',
		'Infinity',
		'1e400',
		'soon',
		'not-a-date',
	),
	fc.jsonValue({ maxDepth: 2 }),
	fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
);

const date = fc.date({ noInvalidDate: true });
const offset = fc
	.tuple(
		fc.constantFrom('+', '-'),
		fc.integer({ min: 0, max: 23 }),
		fc.integer({ min: 0, max: 59 }),
	)
	.map(([sign, h, m]) => `${sign}${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);

/** Instants as vendors write them, and near misses. */
export const instant: fc.Arbitrary<unknown> = fc.oneof(
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

export const secondsLeft: fc.Arbitrary<unknown> = fc.oneof(
	fc.integer({ min: -10, max: 100_000 }),
	fc.integer(),
	fc.double(),
	fc.double().map(String),
	fc.constantFrom(
		1800,
		'1800',
		' 1800 ',
		'0x10',
		'1e3',
		'1e308',
		'1e-9',
		1e308,
		Number.MAX_VALUE,
		Number.MIN_VALUE,
	),
	junk,
);

/** JWTs whose exp claim is anything a server might put there. */
export const jwt: fc.Arbitrary<string> = fc
	.tuple(fc.oneof(instant, secondsLeft, junk), fc.base64String({ minLength: 4, maxLength: 16 }))
	.map(([exp, signature]) =>
		[
			Buffer.from('{"alg":"HS256"}').toString('base64url'),
			Buffer.from(JSON.stringify({ sub: 'x', exp }) ?? '').toString('base64url'),
			signature.replace(/[+/=]/g, 'x'),
		].join('.'),
	);

export const tokenValue: fc.Arbitrary<unknown> = fc.oneof(
	{ arbitrary: fc.base64String({ minLength: 4, maxLength: 64 }), weight: 4 },
	{ arbitrary: fc.string({ minLength: 1 }), weight: 2 },
	{
		arbitrary: fc.constantFrom('', ' ', '\t\n', 0, 1, null, true, {}, [], { token: 'x' }),
		weight: 2,
	},
	{ arbitrary: junk, weight: 2 },
);

export const fastApiDetail: fc.Arbitrary<unknown> = fc.oneof(
	fc.string(),
	fc.array(
		fc.record(
			{
				loc: fc.array(fc.string(), { maxLength: 2 }),
				msg: fc.oneof(fc.string(), junk),
				type: fc.string(),
			},
			{ requiredKeys: [] },
		),
		{ maxLength: 3 },
	),
	junk,
);

export function checkBaseUrl(value: string): void {
	const url = new URL(value);
	const loopback =
		['localhost', '127.0.0.1', '[::1]'].includes(url.hostname) ||
		/^127(\.\d{1,3}){3}$/.test(url.hostname);
	if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback))
		throw new Error(`not HTTPS: ${value}`);
	if (url.username !== '' || url.password !== '') throw new Error(`user info kept: ${value}`);
	if (url.search !== '' || value.includes('#')) throw new Error(`query or fragment kept: ${value}`);
	if (value.endsWith('/')) throw new Error(`trailing slash kept: ${value}`);
}

/**
 * An arbitrary built on its first use. fast-check's first `webUrl` costs one to two seconds
 * (it builds its domain tables), and every suite that starts the sandbox loads this file
 * through the kits; only the property suite draws URLs.
 */
class Lazy<T> extends fc.Arbitrary<T> {
	private built: fc.Arbitrary<T> | undefined;
	constructor(private readonly build: () => fc.Arbitrary<T>) {
		super();
	}
	private get arbitrary(): fc.Arbitrary<T> {
		return (this.built ??= this.build());
	}
	generate(random: fc.Random, biasFactor: number | undefined): fc.Value<T> {
		return this.arbitrary.generate(random, biasFactor);
	}
	canShrinkWithoutContext(value: unknown): value is T {
		return this.arbitrary.canShrinkWithoutContext(value);
	}
	shrink(value: T, context: unknown): fc.Stream<fc.Value<T>> {
		return this.arbitrary.shrink(value, context);
	}
}

export const urlLike: fc.Arbitrary<unknown> = new Lazy(() =>
	fc.oneof(
		{ arbitrary: fc.webUrl({ withQueryParameters: true, withFragments: true }), weight: 3 },
		{ arbitrary: fc.webUrl({ validSchemes: ['https'] }).map((url) => `  ${url}///  `), weight: 2 },
		{ arbitrary: fc.webUrl({ validSchemes: ['http'] }), weight: 1 },
		{
			arbitrary: fc
				.tuple(
					fc.constantFrom(
						'http://localhost',
						'http://127.0.0.1',
						'http://127.8.9.10',
						'http://[::1]',
						'https://[::1]',
					),
					fc.nat({ max: 65_535 }),
					fc.webPath(),
				)
				.map(([host, port, path]) => `${host}:${port}${path}`),
			weight: 2,
		},
		{
			arbitrary: fc
				.tuple(
					fc.constantFrom(
						'https://',
						'http://',
						'https://user:pass@',
						'ftp://',
						'javascript:',
						'//',
						'https:/',
					),
					fc.string(),
				)
				.map(([a, b]) => a + b),
			weight: 2,
		},
		{
			arbitrary: fc.constantFrom(
				...Object.values(SODA_REGIONS),
				'eu',
				'us',
				'custom',
				'',
				' ',
				'https://',
				'https://x#',
				'https://x?',
				'https://@x',
				'https://:@x',
			),
			weight: 1,
		},
		{ arbitrary: fc.string(), weight: 1 },
		{ arbitrary: junk, weight: 1 },
	),
);

/** JSON objects that String() cannot convert: credential data is decrypted JSON, so it can hold them. */
export const unprintable: fc.Arbitrary<unknown> = fc
	.constantFrom('{"toString":1}', '{"toString":"x","valueOf":null}', '{"valueOf":{},"toString":[]}')
	.map((text) => JSON.parse(text) as unknown);

/** Values a credential field can hold: typical ones, and anything JSON can carry. */
export function field(...typical: unknown[]): fc.Arbitrary<unknown> {
	return fc.oneof(
		{ arbitrary: fc.constantFrom(...typical), weight: 4 },
		{ arbitrary: fc.string(), weight: 2 },
		{ arbitrary: fc.jsonValue({ maxDepth: 2 }), weight: 1 },
		{ arbitrary: fc.constantFrom(undefined, null, 0, 42, true, '', '  '), weight: 1 },
		{ arbitrary: unprintable, weight: 1 },
	);
}

export const url = fc.oneof(
	urlLike,
	unprintable,
	fc.constantFrom('https://api.example.com', 'http://127.0.0.1:5678/api'),
);
export const uuid = '3fa85f64-5717-4562-b3fc-2c963f66afa6';

/** The five vendors: a clean base URL, every field a string. */
export function checkVendorFields(fields: IDataObject): void {
	checkBaseUrl(String(fields.baseUrl));
	for (const [name, value] of Object.entries(fields)) {
		if (typeof value !== 'string')
			throw new Error(`field ${name} is not a string: ${String(value)}`);
	}
}

/** Custom Token Endpoint: full addresses (a query may stay), parsed values of the right kinds. */
export function checkCustomFields(fields: IDataObject): void {
	for (const name of ['tokenUrl', ...(fields.testUrl === '' ? [] : ['testUrl'])]) {
		const address = new URL(String(fields[name]));
		checkBaseUrl(`${address.origin}${address.pathname}`.replace(/\/+$/, '') || address.origin);
		if (address.hash !== '') throw new Error(`fragment kept: ${address.href}`);
	}
	if (fields.method === 'GET' && ['jsonBody', 'formBody'].includes(String(fields.loginValuesIn)))
		throw new Error('a GET with a body was accepted');
	const codes = fields.expiredStatusCodes as number[];
	if (
		!Array.isArray(codes) ||
		codes.length === 0 ||
		codes.some((code) => !(code >= 400 && code <= 599))
	)
		throw new Error(`bad status list ${String(codes)}`);
	if (fields.sendIn === 'header' && !String(fields.headerValue).includes('{token}'))
		throw new Error('a header value without {token}');
	if (
		typeof fields.extraFields !== 'object' ||
		fields.extraFields === null ||
		Array.isArray(fields.extraFields)
	)
		throw new Error('extra fields are not an object');
	// '' is Auto; a path has no empty segment.
	if (String(fields.tokenPath) !== '' && String(fields.tokenPath).split('.').includes(''))
		throw new Error(`bad token path ${String(fields.tokenPath)}`);
	// What the token request is built from is usable as it is.
	providers.customEndpoint.tokenRequest(fields);
}
