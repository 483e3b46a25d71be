/**
 * Property-based redaction. Vendors echo what they were sent, transformed: upper- or
 * lower-cased, URL- or form-encoded, JSON- or HTML-escaped, base64 (an `Authorization: Basic`
 * header is base64 of user:password), with whitespace collapsed or re-wrapped, one secret
 * inside another. Whatever the transformation, no form of a secret may survive into what the
 * package shows: error messages and descriptions (on the credential path the message is all
 * n8n shows), Continue On Fail items, the notify payload and the resume page.
 *
 * The leak detector here is independent of the redaction code: it looks for every encoded
 * form of the secret case-insensitively, compares with whitespace folded, and decodes every
 * base64 run it finds at every alignment.
 */
import { restoreConsole } from './consoleCapture';

import fc from 'fast-check';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IDataObject, INode } from 'n8n-workflow';

import { TokenAuthError } from '../../nodes/shared/errors';
import { providers, type VendorId } from '../../nodes/shared/providers';
import { MIN_QUOTABLE_SECRET_LENGTH, quotable, redactionFor } from '../../nodes/shared/redact';
import { tokenStore } from '../../nodes/shared/tokenStore';
import { fixtures, getTokenNode, logInNode, testNode } from '../../scripts/sandbox/fixtures';
import { kits } from '../../scripts/sandbox/kits';
import {
	decryptedAs,
	helperWithCred,
	openLogInPage,
	postToLogIn,
	preAuthHelper,
	runWorkflow,
	tokenStep,
} from '../helpers/n8n';
import { useSandbox } from '../helpers/sandbox';
import { packageNodeTypes } from '../helpers/nodeTypes';
import { SANDBOX_ACCOUNTS, type EchoFormat, type Sandbox } from '../../scripts/sandbox';

afterAll(() => restoreConsole());

// ------------------------------------------------------------------------------------------
// The detector.

function fold(text: string): string {
	return text.replace(/\s+/g, ' ').toLowerCase();
}

/** Every base64 run of a text, decoded at each of its four character alignments. */
function decodedRuns(text: string): string[] {
	const out: string[] = [];
	for (const run of text.match(/[A-Za-z0-9+/_-]{8,}={0,2}/g) ?? []) {
		const standard = run.replace(/-/g, '+').replace(/_/g, '/');
		for (let offset = 0; offset < 4; offset++)
			out.push(Buffer.from(standard.slice(offset), 'base64').toString('latin1'));
	}
	return out;
}

/** The forms of `secret` found in `text`; empty when none is. */
function leaks(text: string, secret: string): string[] {
	const found: string[] = [];
	const haystack = fold(text);
	const forms = {
		literal: secret,
		url: encodeURIComponent(secret),
		form: encodeURIComponent(secret).replace(/%20/g, '+'),
		json: JSON.stringify(secret).slice(1, -1),
		html: secret
			.replace(/&/g, '&amp;')
			.replace(/</g, '&lt;')
			.replace(/>/g, '&gt;')
			.replace(/"/g, '&quot;')
			.replace(/'/g, '&#39;'),
		base64: Buffer.from(secret).toString('base64').replace(/=+$/, ''),
	};
	for (const [name, form] of Object.entries(forms))
		if (haystack.includes(fold(form))) found.push(name);
	// Latin-1 view of the UTF-8 bytes, as decodedRuns gives them.
	const bytes = Buffer.from(secret).toString('latin1');
	if (decodedRuns(text).some((decoded) => decoded.includes(bytes))) found.push('inside base64');
	return found;
}

// ------------------------------------------------------------------------------------------
// Secrets and transformations.

/** Distinctive secrets: letters, digits and punctuation, sometimes with runs of spaces or a newline. */
const secretChars = fc.constantFrom(
	...'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789!#%&*+,./:;=?@^_~-<>"\''.split(''),
);
const word = fc.array(secretChars, { minLength: 3, maxLength: 10 }).map((chars) => chars.join(''));
const headerSecret = fc.array(word, { minLength: 2, maxLength: 3 }).map((words) => words.join(''));
const bodySecret = fc
	.tuple(fc.array(word, { minLength: 2, maxLength: 3 }), fc.constantFrom(' ', '  ', '\n', '\t', ''))
	.map(([words, gap]) => words.join(gap));

type Transform = (secret: string, context: { user: string }) => string;
const TRANSFORMS: Record<string, Transform> = {
	literal: (s) => s,
	upper: (s) => s.toUpperCase(),
	lower: (s) => s.toLowerCase(),
	url: (s) => encodeURIComponent(s),
	urlUpper: (s) => encodeURIComponent(s).toUpperCase(),
	form: (s) => encodeURIComponent(s).replace(/%20/g, '+'),
	json: (s) => JSON.stringify(s),
	html: (s) =>
		s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'),
	base64: (s) => Buffer.from(s).toString('base64'),
	base64url: (s) => Buffer.from(s).toString('base64url'),
	basicHeader: (s, { user }) =>
		`Authorization: Basic ${Buffer.from(`${user}:${s}`).toString('base64')}`,
	base64Inside: (s) => Buffer.from(`prefix-${s}-suffix`).toString('base64'),
	collapsed: (s) => s.replace(/\s+/g, ' '),
	rewrapped: (s) => s.replace(/\s+/g, '\n  '),
	twice: (s) => `${s} and again ${s.toUpperCase()}`,
};
const transform = fc.constantFrom(...Object.keys(TRANSFORMS));
const surrounding = fc.tuple(
	fc.constantFrom('', 'Rejected: ', 'invalid value "', '<b>'),
	fc.constantFrom('', '"', '.', ' was refused'),
);

// ------------------------------------------------------------------------------------------
// 1. The redaction itself, on any text.

describe('quotable(): no form of any secret survives', () => {
	it('one secret, any transformation, any surrounding text', () => {
		fc.assert(
			fc.property(
				bodySecret,
				transform,
				surrounding,
				fc.string({ maxLength: 300 }),
				(secret, name, [before, after], filler) => {
					const echoed = `${filler.slice(0, 150)}${before}${TRANSFORMS[name](secret, { user: 'someone@example.com' })}${after}${filler.slice(150)}`;
					const quoted = quotable(
						echoed,
						redactionFor([secret], [['someone@example.com', secret]]),
					);
					expect({ name, secret, quoted, leaks: leaks(quoted, secret) }).toEqual({
						name,
						secret,
						quoted,
						leaks: [],
					});
				},
			),
			{ numRuns: 3_000 },
		);
	});

	it('a secret inside another secret, in either order', () => {
		fc.assert(
			fc.property(headerSecret, word, word, fc.boolean(), (inner, left, right, innerFirst) => {
				const outer = `${left}${inner}${right}`;
				const echoed = `sent ${outer}, also ${inner}`;
				const quoted = quotable(echoed, redactionFor(innerFirst ? [inner, outer] : [outer, inner]));
				expect({ quoted, outer: leaks(quoted, outer), inner: leaks(quoted, inner) }).toEqual({
					quoted,
					outer: [],
					inner: [],
				});
			}),
			{ numRuns: 1_000 },
		);
	});

	it(`quotes nothing when a secret is shorter than ${MIN_QUOTABLE_SECRET_LENGTH} characters`, () => {
		fc.assert(
			fc.property(
				fc.string({ minLength: 1, maxLength: MIN_QUOTABLE_SECRET_LENGTH - 1 }),
				fc.string(),
				(secret, text) => {
					expect(quotable(`${text} ${secret}`, redactionFor([secret, 'a-long-secret-value']))).toBe(
						'',
					);
				},
			),
		);
	});

	it('shortens after cutting, to 200 characters', () => {
		const secret = 'S3cret-Value-123';
		const quoted = quotable(
			`${'x'.repeat(190)}${secret}${'y'.repeat(500)}`,
			redactionFor([secret]),
		);
		expect(quoted.length).toBeLessThanOrEqual(200);
		expect(quoted).not.toContain(secret.slice(0, 4));
	});
});

// ------------------------------------------------------------------------------------------
// 1b. Every encoding the package itself sends a secret in, and echoes broken by whitespace.

const hex = (c: string) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
/** application/x-www-form-urlencoded as URLSearchParams writes it: `!'()~` encoded, `*` not, space as `+`. */
const formEncode = (s: string) => new URLSearchParams([['', s]]).toString().slice(1);
/** The `qs` module (n8n's query serializer), default RFC 3986 format: `!'()*` encoded, `~` not (checked against qs 6.15). */
const qsEncode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, hex);
/** `qs` with format RFC1738: as RFC 3986 but `(` `)` kept and space as `+`. */
const qs1738Encode = (s: string) =>
	encodeURIComponent(s).replace(/[!'*]/g, hex).replace(/%20/g, '+');
const lowerHex = (s: string) => s.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
const jsonAscii = (s: string) =>
	JSON.stringify(s)
		.slice(1, -1)
		.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** How a vendor may echo a value the package sent; each gives the echoed text. */
const ENCODINGS: Record<string, (secret: string, user: string) => string> = {
	urlSearchParams: (s) => `password=${formEncode(s)}`,
	urlSearchParamsLowerHex: (s) => `password=${lowerHex(formEncode(s))}`,
	qs: (s) => `?password=${qsEncode(s)}`,
	qsLowerHex: (s) => `?password=${lowerHex(qsEncode(s))}`,
	qsRfc1738: (s) => `?password=${qs1738Encode(s)}`,
	uriComponentLowerHex: (s) => lowerHex(encodeURIComponent(s)),
	uriComponentPlus: (s) => encodeURIComponent(s).replace(/%20/g, '+'),
	jsonAscii: (s) => `{"password":"${jsonAscii(s)}"}`,
	jsonEscapedSlash: (s) => `{"password":"${jsonAscii(s).replace(/\//g, '\\/')}"}`,
	jsonHtmlSafe: (s) =>
		`{"password":"${JSON.stringify(s).slice(1, -1).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026')}"}`,
	htmlHexApos: (s) =>
		s
			.replace(/&/g, '&amp;')
			.replace(/</g, '&lt;')
			.replace(/>/g, '&gt;')
			.replace(/"/g, '&quot;')
			.replace(/'/g, '&#x27;'),
	htmlNumeric: (s) =>
		s
			.replace(/&/g, '&amp;')
			.replace(/</g, '&lt;')
			.replace(/>/g, '&gt;')
			.replace(/"/g, '&#34;')
			.replace(/'/g, '&#39;'),
	base64Form: (s) => Buffer.from(`password=${formEncode(s)}`).toString('base64'),
	basic: (s, user) => `Authorization: Basic ${Buffer.from(`${user}:${s}`).toString('base64')}`,
	// RFC 6749 §2.3.1: client_id and client_secret are form-encoded before the Basic header is built.
	basicRfc6749: (s, user) =>
		`Authorization: Basic ${Buffer.from(`${formEncode(user)}:${formEncode(s)}`).toString('base64')}`,
};

const compact = (text: string) => text.replace(/[\s\p{Cc}\p{Cf}]+/gu, '').toLowerCase();

/** Every form of `secret` an ENCODINGS echo can carry, found in `quoted` (whitespace ignored), or in a base64 run of it. */
function encodedLeaks(quoted: string, secret: string): string[] {
	const found = leaks(quoted, secret);
	const haystack = compact(quoted);
	const forms: Record<string, string> = {
		literal: secret,
		form: formEncode(secret),
		qs: qsEncode(secret),
		qs1738: qs1738Encode(secret),
		uri: encodeURIComponent(secret),
		jsonAscii: jsonAscii(secret),
	};
	for (const [name, form] of Object.entries(forms))
		if (compact(form) !== '' && haystack.includes(compact(form)))
			found.push(`${name} (whitespace ignored)`);
	const decoded = decodedRuns(quoted.replace(/\s+/g, ''));
	for (const bytes of [secret, formEncode(secret)].map((form) =>
		Buffer.from(form).toString('latin1'),
	)) {
		if (decoded.some((run) => run.includes(bytes))) found.push('inside base64 (form-encoded)');
	}
	// The longest run of letters and digits: a partial cut still shows it.
	const core = (secret.match(/[A-Za-z0-9]+/g) ?? []).sort((a, b) => b.length - a.length)[0] ?? '';
	if (core.length >= 6 && haystack.includes(core.toLowerCase())) found.push(`core ${core}`);
	return [...new Set(found)];
}

const ENCODED_SECRETS = [
	'Summer2024!',
	"it's (a) *secret* ~ok~",
	'pass word/+=?&',
	'Grüße ✓ 密码 🔑 Secret9',
	'  Spaced Out  ',
];
const CLIENT_ID = 'client id:1/é';

describe('quotable(): every encoding the package sends is cut', () => {
	it.each(Object.keys(ENCODINGS))('%s', (name) => {
		const results = ENCODED_SECRETS.map((secret) => {
			const echoed = `Rejected: ${ENCODINGS[name](secret, CLIENT_ID)} (invalid)`;
			const quoted = quotable(echoed, redactionFor([secret], [[CLIENT_ID, secret]]));
			return { secret, quoted, leaks: encodedLeaks(quoted, secret) };
		});
		expect(results.filter((result) => result.leaks.length > 0)).toEqual([]);
	});

	it('the form-encoded echo of the review: password=Summer2024%21', () => {
		expect(quotable('invalid login: password=Summer2024%21', redactionFor(['Summer2024!']))).toBe(
			'invalid login: password=***',
		);
	});

	it('any secret, any of these encodings, with or without a line break inside', () => {
		const anyChar = fc.constantFrom(...'abcXYZ0123 !\'()*~-._%+/=&<>"\\é✓'.split(''));
		fc.assert(
			fc.property(
				fc.array(anyChar, { minLength: 6, maxLength: 16 }).map((chars) => `Key${chars.join('')}`),
				fc.constantFrom(...Object.keys(ENCODINGS)),
				fc.nat(),
				fc.constantFrom('', '\n', '\r\n', ' ', '\t', '\n    '),
				(secret, name, at, gap) => {
					const echo = ENCODINGS[name](secret, CLIENT_ID);
					const cut = at % (echo.length + 1);
					const quoted = quotable(
						`Rejected: ${echo.slice(0, cut)}${gap}${echo.slice(cut)}.`,
						redactionFor([secret], [[CLIENT_ID, secret]]),
					);
					expect({ name, secret, quoted, leaks: encodedLeaks(quoted, secret) }).toEqual({
						name,
						secret,
						quoted,
						leaks: [],
					});
				},
			),
			{ numRuns: 3_000 },
		);
	});
});

describe('quotable(): text without a secret is quoted as it always was', () => {
	/** The folding quotable() has always done: control and format characters dropped, whitespace runs as one space. */
	const folded = (text: string) => {
		const out = text
			.replace(/[\p{Cc}\p{Cf}]+/gu, (run) => (/\s/.test(run) ? ' ' : ''))
			.replace(/\s+/g, ' ')
			.trim();
		return out.length > 200 ? `${out.slice(0, 197)}...` : out;
	};
	const redaction = redactionFor(['Zq9#Kx7$Wv-never-in-these-texts']);

	it('folded and shortened, whatever the characters (astral, zero-width, line breaks)', () => {
		const piece = fc.oneof(
			fc.string({ unit: 'binary', maxLength: 40 }),
			fc.constantFrom(' ', '\r\n', '\t\u200b', '\u00a0', '🔑', 'é', '\ufeff', '\u0085', 'word'),
		);
		fc.assert(
			fc.property(
				fc.array(piece, { maxLength: 30 }).map((pieces) => pieces.join('')),
				(text) => {
					expect(quotable(text, redaction)).toBe(folded(text));
				},
			),
			{ numRuns: 2_000 },
		);
	});

	it('keeps characters outside the BMP whole', () => {
		expect(quotable('Rejected:\n🔑 emoji  ✓ 𝒳', redaction)).toBe('Rejected: 🔑 emoji ✓ 𝒳');
	});
});

describe('quotable(): whitespace inserted inside an echoed secret', () => {
	const secret = 'Summer2024!Xy';
	it.each(['\n', '\r\n', ' ', '\t', '\n\t', '\u2028', '\u00a0', '\u200b'])(
		'%j anywhere inside the secret',
		(gap) => {
			const shown = [];
			for (let at = 1; at < secret.length; at++) {
				const quoted = quotable(
					`Rejected: ${secret.slice(0, at)}${gap}${secret.slice(at)}!`,
					redactionFor([secret]),
				);
				if (compact(quoted).includes('summer') || compact(quoted).includes('2024'))
					shown.push(quoted);
			}
			expect(shown).toEqual([]);
		},
	);

	it('base64 of user:password wrapped at every column (MIME, PEM)', () => {
		const header = Buffer.from(`someone@example.com:${secret}`).toString('base64');
		const shown = [];
		for (let width = 4; width < header.length; width += 1) {
			const wrapped = header.replace(new RegExp(`(.{${width}})`, 'g'), '$1\r\n');
			const quoted = quotable(
				`Basic ${wrapped}`,
				redactionFor([secret], [['someone@example.com', secret]]),
			);
			if (encodedLeaks(quoted, secret).length > 0) shown.push(quoted);
		}
		expect(shown).toEqual([]);
	});

	it('a line break inside the percent-encoding of a character', () => {
		const quoted = quotable('password=Summer2024%2\n1Xy', redactionFor([secret]));
		expect(quoted).toBe('password=***');
	});
});

// ------------------------------------------------------------------------------------------
// 2. Echoes by a vendor, through every path the package shows text on.

const nodeTypes = packageNodeTypes();
let sandbox: Sandbox;
let executions = 0;
useSandbox((started) => (sandbox = started), { resetServers: false });

function asJson(value: unknown): string {
	return (
		JSON.stringify(value, (_key, inner: unknown) =>
			inner instanceof Error
				? { message: inner.message, description: (inner as TokenAuthError).description }
				: inner,
		) ?? ''
	);
}

/** What the credential path, the Get Token node (stopping, and with Continue On Fail) and Log In show. */
async function shownText(vendor: VendorId, data: IDataObject): Promise<string> {
	const type = providers[vendor].credentialName;
	const credentialError = await tokenStep(
		type,
		decryptedAs(type, data),
		preAuthHelper(kits[vendor].tokenStepNeedsLegacyRequest),
	).then(
		() => undefined,
		(error: unknown) => error as TokenAuthError,
	);
	/** A run of `node` alone, from an empty token store, and what it showed. */
	const shownBy = async (node: INode) => {
		tokenStore.clear();
		const { run } = await runWorkflow({
			nodeTypes,
			nodes: [node],
			helper: helperWithCred(type, data),
			executionId: `redaction-${++executions}`,
		});
		return {
			error: run.data.resultData.error,
			items: run.data.resultData.runData[node.name]?.[0]?.data?.main[0],
		};
	};
	const runs = [];
	for (const onError of [undefined, 'continueRegularOutput'] as const)
		runs.push(await shownBy(getTokenNode(vendor, {}, onError ? { onError } : {})));
	// And the vendor's own node's first run (Autoshares' Log In), which makes the same token call.
	const own = kits[vendor].secrets.ownNode;
	if (own)
		runs.push(
			await shownBy(
				testNode({
					id: 'own',
					name: own.name,
					type: own.type,
					parameters: own.runs[0].parameters,
					credential: type,
				}),
			),
		);
	return asJson({
		credentialError,
		message: credentialError?.message,
		description: credentialError?.description,
		runs,
	});
}

/** The vendors and fields whose secret a vendor can echo, with the statuses whose text is quoted. */
const ECHOES: Array<{
	vendor: VendorId;
	field: string;
	secret: fc.Arbitrary<string>;
	user?: string;
}> = [
	{
		vendor: 'sodaCloud',
		field: 'password',
		secret: bodySecret,
		user: SANDBOX_ACCOUNTS.sodaCloud.user.email,
	},
	{ vendor: 'galileo', field: 'apiKey', secret: headerSecret },
	{ vendor: 'manis', field: 'secret', secret: headerSecret },
	{ vendor: 'sirdata', field: 'password', secret: bodySecret },
	{ vendor: 'autosharesTrader', field: 'password', secret: headerSecret },
	// A form body, as the generic API takes it.
	{
		vendor: 'customEndpoint',
		field: 'password',
		secret: bodySecret,
		user: SANDBOX_ACCOUNTS.customEndpoint.username,
	},
];
// Not 5xx: those are retried with a backoff, and say the same.
const STATUSES = [400, 404, 409, 422];
const FORMATS: EchoFormat[] = ['json', 'text', 'html'];

describe.each(ECHOES)('$vendor echoing its $field', ({ vendor, field, secret, user }) => {
	it('in JSON, plain text or HTML, on any error status: zero leaks', async () => {
		await fc.assert(
			fc.asyncProperty(
				secret,
				transform,
				surrounding,
				fc.constantFrom(...STATUSES),
				fc.constantFrom(...FORMATS),
				async (value, name, [before, after], status, format) => {
					const server = sandbox.vendors[vendor];
					server.clearFaults();
					// 500 is retried: answer every attempt the same way.
					server.injectFault({
						kind: 'say',
						status,
						format,
						message: `${before}${TRANSFORMS[name](value, { user: user ?? '' })}${after}`,
					});
					const shown = await shownText(vendor, {
						...fixtures(sandbox)[vendor].good,
						[field]: value,
					});
					server.clearFaults();
					expect({ name, value, status, format, leaks: leaks(shown, value) }).toEqual({
						name,
						value,
						status,
						format,
						leaks: [],
					});
				},
			),
			{ numRuns: 40 },
		);
	});

	it.each(FORMATS)(
		'echoing the whole request in %s (headers, Basic auth, body): zero leaks',
		async (format) => {
			const server = sandbox.vendors[vendor];
			server.clearFaults();
			server.injectFault({ kind: 'echoRequest', status: 400, format });
			const value = 'Echo-Me-Please 77';
			const data = {
				...fixtures(sandbox)[vendor].good,
				[field]:
					field === 'password' && !kits[vendor].secrets.passwordInHeader
						? value
						: value.replace(' ', '-'),
			};
			const shown = await shownText(vendor, data);
			server.clearFaults();
			expect(leaks(shown, String(data[field]))).toEqual([]);
		},
	);
});

describe('Autoshares: the vendor reason forwarded to the notify call and the resume page', () => {
	it('carries no form of the password or app key, whatever the vendor puts in its Reason', async () => {
		const received: string[] = [];
		const listener = createServer((req, res) => {
			let body = '';
			req.on('data', (chunk: Buffer) => (body += chunk.toString()));
			req.on('end', () => {
				received.push(body);
				res.writeHead(200).end();
			});
		});
		await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
		const notifyUrl = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/notify`;
		try {
			await fc.assert(
				fc.asyncProperty(
					transform,
					surrounding,
					fc.constantFrom('password', 'webApiKey'),
					async (name, [before, after], field) => {
						const autoshares = sandbox.vendors.autosharesTrader;
						const account = SANDBOX_ACCOUNTS.autosharesTrader.twoFactor;
						const data = { ...fixtures(sandbox).autosharesTrader.good, ...account };
						const secret = String(data[field as keyof typeof data]);
						autoshares.configure({
							expectingReason: `${before}${TRANSFORMS[name](secret, { user: account.username })}${after}`,
						});
						const node = logInNode({ notifyUrl });
						const helper = helperWithCred('autosharesTraderApi', data);
						const base = {
							nodeTypes,
							nodes: [node],
							helper,
							executionId: `redaction-${++executions}`,
						};
						const seen = received.length;
						const { run } = await runWorkflow({ ...base, inputItems: [{ row: 1 }] });
						const page = await openLogInPage(base, run.data);
						const wrong = await postToLogIn(base, run.data, { code: '000000' });
						autoshares.configure({ expectingReason: undefined });
						const shown = asJson({
							notify: received.slice(seen),
							run: run.data.resultData,
							page: page.response,
							wrong: wrong.response,
							error: wrong.error,
						});
						expect({
							notified: received.length - seen,
							error: run.data.resultData.error?.message,
						}).toEqual({ notified: 1, error: undefined });
						expect(JSON.parse(received[seen]).reason.length).toBeLessThanOrEqual(200);
						expect({ name, field, leaks: leaks(shown, secret) }).toEqual({
							name,
							field,
							leaks: [],
						});
					},
				),
				{ numRuns: 40 },
			);
		} finally {
			listener.close();
		}
	});
});
