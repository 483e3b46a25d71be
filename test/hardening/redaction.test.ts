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
import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import { TokenAuthError } from '../../nodes/shared/errors';
import { providers, type VendorId } from '../../nodes/shared/providers';
import { MIN_QUOTABLE_SECRET_LENGTH, quotable, redactionFor } from '../../nodes/shared/redact';
import { tokenStore } from '../../nodes/shared/tokenStore';
import { credentialTypes, fixtures, getTokenNode, logInNode, sandboxVendor } from '../helpers/fixtures';
import { callResumeWebhook, preAuthHelper, runWorkflow, TestCredentialsHelper } from '../helpers/n8n';
import { packageNodeTypes } from '../helpers/nodeTypes';
import { SANDBOX_ACCOUNTS, startSandbox, type EchoFormat, type Sandbox } from '../sandbox';

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
		for (let offset = 0; offset < 4; offset++) out.push(Buffer.from(standard.slice(offset), 'base64').toString('latin1'));
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
		html: secret.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;'),
		base64: Buffer.from(secret).toString('base64').replace(/=+$/, ''),
	};
	for (const [name, form] of Object.entries(forms)) if (haystack.includes(fold(form))) found.push(name);
	// Latin-1 view of the UTF-8 bytes, as decodedRuns gives them.
	const bytes = Buffer.from(secret).toString('latin1');
	if (decodedRuns(text).some((decoded) => decoded.includes(bytes))) found.push('inside base64');
	return found;
}

// ------------------------------------------------------------------------------------------
// Secrets and transformations.

/** Distinctive secrets: letters, digits and punctuation, sometimes with runs of spaces or a newline. */
const secretChars = fc.constantFrom(...'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789!#%&*+,./:;=?@^_~-<>"\''.split(''));
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
	html: (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'),
	base64: (s) => Buffer.from(s).toString('base64'),
	base64url: (s) => Buffer.from(s).toString('base64url'),
	basicHeader: (s, { user }) => `Authorization: Basic ${Buffer.from(`${user}:${s}`).toString('base64')}`,
	base64Inside: (s) => Buffer.from(`prefix-${s}-suffix`).toString('base64'),
	collapsed: (s) => s.replace(/\s+/g, ' '),
	rewrapped: (s) => s.replace(/\s+/g, '\n  '),
	twice: (s) => `${s} and again ${s.toUpperCase()}`,
};
const transform = fc.constantFrom(...Object.keys(TRANSFORMS));
const surrounding = fc.tuple(fc.constantFrom('', 'Rejected: ', 'invalid value "', '<b>'), fc.constantFrom('', '"', '.', ' was refused'));

// ------------------------------------------------------------------------------------------
// 1. The redaction itself, on any text.

describe('quotable(): no form of any secret survives', () => {
	it('one secret, any transformation, any surrounding text', () => {
		fc.assert(
			fc.property(bodySecret, transform, surrounding, fc.string({ maxLength: 300 }), (secret, name, [before, after], filler) => {
				const echoed = `${filler.slice(0, 150)}${before}${TRANSFORMS[name](secret, { user: 'someone@example.com' })}${after}${filler.slice(150)}`;
				const quoted = quotable(echoed, redactionFor([secret], [['someone@example.com', secret]]));
				expect({ name, secret, quoted, leaks: leaks(quoted, secret) }).toEqual({ name, secret, quoted, leaks: [] });
			}),
			{ numRuns: 3_000 },
		);
	});

	it('a secret inside another secret, in either order', () => {
		fc.assert(
			fc.property(headerSecret, word, word, fc.boolean(), (inner, left, right, innerFirst) => {
				const outer = `${left}${inner}${right}`;
				const echoed = `sent ${outer}, also ${inner}`;
				const quoted = quotable(echoed, redactionFor(innerFirst ? [inner, outer] : [outer, inner]));
				expect({ quoted, outer: leaks(quoted, outer), inner: leaks(quoted, inner) }).toEqual({ quoted, outer: [], inner: [] });
			}),
			{ numRuns: 1_000 },
		);
	});

	it(`quotes nothing when a secret is shorter than ${MIN_QUOTABLE_SECRET_LENGTH} characters`, () => {
		fc.assert(
			fc.property(fc.string({ minLength: 1, maxLength: MIN_QUOTABLE_SECRET_LENGTH - 1 }), fc.string(), (secret, text) => {
				expect(quotable(`${text} ${secret}`, redactionFor([secret, 'a-long-secret-value']))).toBe('');
			}),
		);
	});

	it('shortens after cutting, to 200 characters', () => {
		const secret = 'S3cret-Value-123';
		const quoted = quotable(`${'x'.repeat(190)}${secret}${'y'.repeat(500)}`, redactionFor([secret]));
		expect(quoted.length).toBeLessThanOrEqual(200);
		expect(quoted).not.toContain(secret.slice(0, 4));
	});
});

// ------------------------------------------------------------------------------------------
// 2. Echoes by a vendor, through every path the package shows text on.

const nodeTypes = packageNodeTypes();
let sandbox: Sandbox;
let executions = 0;
beforeAll(async () => {
	sandbox = await startSandbox();
});
afterAll(async () => await sandbox.close());
afterEach(() => tokenStore.clear());

function asJson(value: unknown): string {
	return JSON.stringify(value, (_key, inner: unknown) => (inner instanceof Error ? { message: inner.message, description: (inner as TokenAuthError).description } : inner)) ?? '';
}

/** What the credential path, the Get Token node (stopping, and with Continue On Fail) and Log In show. */
async function shownText(vendor: VendorId, data: IDataObject): Promise<string> {
	const type = providers[vendor].credentialName;
	const credentials = new TestCredentialsHelper(credentialTypes, { c: { type, data: data as ICredentialDataDecryptedObject } }).decrypt('c');
	const credentialError = await credentialTypes[type].preAuthentication!.call(preAuthHelper(vendor === 'sirdata'), credentials).then(
		() => undefined,
		(error: unknown) => error as TokenAuthError,
	);
	const runs = [];
	for (const onError of [undefined, 'continueRegularOutput'] as const) {
		tokenStore.clear();
		const node = getTokenNode(vendor, {}, onError ? { onError } : {});
		const helper = new TestCredentialsHelper(credentialTypes, { cred: { type, data: { ...data } as ICredentialDataDecryptedObject } });
		const { run } = await runWorkflow({ nodeTypes, nodes: [node], connections: {}, helper, executionId: `redaction-${++executions}` });
		runs.push({ error: run.data.resultData.error, items: run.data.resultData.runData['Get Token']?.[0]?.data?.main[0] });
	}
	if (vendor === 'autosharesTrader') {
		// And its node's Log In, which makes the same token call.
		tokenStore.clear();
		const helper = new TestCredentialsHelper(credentialTypes, { cred: { type, data: { ...data } as ICredentialDataDecryptedObject } });
		const { run } = await runWorkflow({ nodeTypes, nodes: [logInNode()], connections: {}, helper, executionId: `redaction-${++executions}` });
		runs.push({ error: run.data.resultData.error, items: run.data.resultData.runData['Log In']?.[0]?.data?.main[0] });
	}
	return asJson({ credentialError, message: credentialError?.message, description: credentialError?.description, runs });
}

/** The vendors and fields whose secret a vendor can echo, with the statuses whose text is quoted. */
const ECHOES: Array<{ vendor: VendorId; field: string; secret: fc.Arbitrary<string>; user?: string }> = [
	{ vendor: 'sodaCloud', field: 'password', secret: bodySecret, user: SANDBOX_ACCOUNTS.soda.user.email },
	{ vendor: 'galileo', field: 'apiKey', secret: headerSecret },
	{ vendor: 'manis', field: 'secret', secret: headerSecret },
	{ vendor: 'sirdata', field: 'password', secret: bodySecret },
	{ vendor: 'autosharesTrader', field: 'password', secret: headerSecret },
	// A form body, as the generic API takes it.
	{ vendor: 'customEndpoint', field: 'password', secret: bodySecret, user: SANDBOX_ACCOUNTS.generic.username },
];
// Not 5xx: those are retried with a backoff, and say the same.
const STATUSES = [400, 404, 409, 422];
const FORMATS: EchoFormat[] = ['json', 'text', 'html'];

describe.each(ECHOES)('$vendor echoing its $field', ({ vendor, field, secret, user }) => {
	it('in JSON, plain text or HTML, on any error status: zero leaks', async () => {
		await fc.assert(
			fc.asyncProperty(secret, transform, surrounding, fc.constantFrom(...STATUSES), fc.constantFrom(...FORMATS), async (value, name, [before, after], status, format) => {
				const server = sandbox.vendors[sandboxVendor[vendor]];
				server.clearFaults();
				// 500 is retried: answer every attempt the same way.
				server.injectFault({ kind: 'say', status, format, message: `${before}${TRANSFORMS[name](value, { user: user ?? '' })}${after}` });
				const shown = await shownText(vendor, { ...fixtures(sandbox)[vendor].good, [field]: value });
				server.clearFaults();
				expect({ name, value, status, format, leaks: leaks(shown, value) }).toEqual({ name, value, status, format, leaks: [] });
			}),
			{ numRuns: 40 },
		);
	});

	it.each(FORMATS)('echoing the whole request in %s (headers, Basic auth, body): zero leaks', async (format) => {
		const server = sandbox.vendors[sandboxVendor[vendor]];
		server.clearFaults();
		server.injectFault({ kind: 'echoRequest', status: 400, format });
		const value = 'Echo-Me-Please 77';
		const data = { ...fixtures(sandbox)[vendor].good, [field]: field === 'password' && vendor !== 'autosharesTrader' ? value : value.replace(' ', '-') };
		const shown = await shownText(vendor, data);
		server.clearFaults();
		expect(leaks(shown, String(data[field]))).toEqual([]);
	});
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
				fc.asyncProperty(transform, surrounding, fc.constantFrom('password', 'webApiKey'), async (name, [before, after], field) => {
					const autoshares = sandbox.vendors.autoshares;
					const account = SANDBOX_ACCOUNTS.autoshares.twoFactor;
					const data = { ...fixtures(sandbox).autosharesTrader.good, ...account };
					const secret = String(data[field as keyof typeof data]);
					autoshares.configure({ expectingReason: `${before}${TRANSFORMS[name](secret, { user: account.username })}${after}` });
					const node = logInNode({ notifyUrl });
					const helper = new TestCredentialsHelper(credentialTypes, { cred: { type: 'autosharesTraderApi', data: data as ICredentialDataDecryptedObject } });
					const base = { nodeTypes, nodes: [node], connections: {}, helper, executionId: `redaction-${++executions}` };
					const seen = received.length;
					const { run } = await runWorkflow({ ...base, inputItems: [{ row: 1 }] });
					const page = await callResumeWebhook({ ...base, stored: run.data, nodeName: 'Log In', method: 'GET', headers: { accept: 'text/html' } });
					const wrong = await callResumeWebhook({ ...base, stored: run.data, nodeName: 'Log In', method: 'POST', body: { code: '000000' }, headers: { 'content-type': 'application/json' } });
					autoshares.configure({ expectingReason: undefined });
					const shown = asJson({ notify: received.slice(seen), run: run.data.resultData, page: page.response, wrong: wrong.response, error: wrong.error });
					expect({ notified: received.length - seen, error: run.data.resultData.error?.message }).toEqual({ notified: 1, error: undefined });
					expect(JSON.parse(received[seen]).reason.length).toBeLessThanOrEqual(200);
					expect({ name, field, leaks: leaks(shown, secret) }).toEqual({ name, field, leaks: [] });
				}),
				{ numRuns: 40 },
			);
		} finally {
			listener.close();
		}
	});
});
