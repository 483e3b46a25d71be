/**
 * The fault matrix: every vendor × every way a token endpoint can let us down, injected on the
 * sandbox and run through both ways n8n reaches the token step: a credential's
 * preAuthentication, and the Get Token node inside a workflow run by n8n-core.
 *
 * Runtime: the backoff between attempts is shortened for these tests (retryTiming: 5 and 20 ms
 * for 0.5 and 2 s), and the tests are `it.concurrent` (jest runs 5 at a time), each with its own
 * sandboxes; both paths of a case run side by side. No test asserts how long anything took.
 *
 * The timeout fault (`hang`) is not run end to end: the call's one deadline
 * (TOKEN_REQUEST_TIMEOUT_MS, 20 s, retries included) is a constant no credential or node option
 * can change, and a hang costs all of it. It is covered here with the request helper
 * the package uses (sendVendorRequest, n8n's own HTTP client, a short timeout passed in) and end
 * to end with a `slow` answer that arrives within the timeout.
 */
// First: n8n's logger prints every failed node; a hundred expected failures are only noise here.
import { restoreConsole } from './consoleCapture';

import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { GetToken } from '../../nodes/GetToken/GetToken.node';
import { TokenAuthError, type TokenStep } from '../../nodes/shared/errors';
import { requesterFrom, sendVendorRequest } from '../../nodes/shared/http';
import { storeKey } from '../../nodes/shared/provider';
import { providers, vendorIds, type VendorId } from '../../nodes/shared/providers';
import { tokenStore } from '../../nodes/shared/tokenStore';
import { fixtures, getTokenNode, type VendorFixture } from '../../scripts/sandbox/fixtures';
import { kits } from '../../scripts/sandbox/kits';
import {
	decryptedAs,
	helperWithCred,
	n8nRequestHelpers,
	nodeTypesOf,
	preAuthHelper,
	runWorkflow,
	tokenStep,
} from '../helpers/n8n';
import { withSandbox } from '../helpers/sandbox';
import { useFastRetries } from '../helpers/retryTiming';
import { type Fault, type Sandbox, type VendorServer } from '../../scripts/sandbox';

const nodeTypes = nodeTypesOf({ 'n8n-nodes-token-auth.getToken': new GetToken() });

// The retry rules, not the length of their waits, are under test: 0.5 s and 2 s become 5 and 20
// ms, a Retry-After second 10 ms. Which attempts happen, and when one is not waited out, stay.
useFastRetries();

type Path = 'credential' | 'node';
const PATHS: Path[] = ['credential', 'node'];

interface FaultCase {
	name: string;
	fault: Fault;
	/** How many token calls the fault answers; undefined: every call. */
	times?: number;
	/** Token calls the package must make. */
	calls: number;
	/** 'token': the run must end with the token the sandbox issued. Otherwise the error expected. */
	outcome: 'token' | { step: TokenStep; message: RegExp; advice?: RegExp };
	/** Vendors the case does not apply to. */
	skip?: VendorId[];
}

const TRANSIENT: FaultCase[] = [
	...[500, 502, 503].flatMap((status): FaultCase[] => [
		{
			name: `HTTP ${status}, persistent`,
			fault: { kind: 'status', status },
			calls: 3,
			outcome: { step: 'token request', message: new RegExp(`HTTP ${status}`) },
		},
		{
			name: `HTTP ${status} once, then a token`,
			fault: { kind: 'status', status },
			times: 1,
			calls: 2,
			outcome: 'token',
		},
	]),
	// A proxy's HTML error page with a 5xx status is still a 5xx: retried like one.
	{
		name: 'HTML 502 page, persistent',
		fault: { kind: 'html', status: 502 },
		calls: 3,
		outcome: { step: 'token request', message: /HTTP 502/ },
	},
	{
		name: '429 Retry-After: 1, persistent',
		fault: { kind: 'rateLimit', retryAfterSeconds: 1 },
		calls: 3,
		outcome: {
			step: 'token request',
			message: /too many requests \(HTTP 429\)/,
			advice: /rate limiting/,
		},
	},
	{
		name: '429 Retry-After: 1 once, then a token',
		fault: { kind: 'rateLimit', retryAfterSeconds: 1 },
		times: 1,
		calls: 2,
		outcome: 'token',
	},
	// Not waited out: one call, and the user is told how long to wait.
	{
		name: '429 Retry-After: 120',
		fault: { kind: 'rateLimit', retryAfterSeconds: 120 },
		calls: 1,
		outcome: { step: 'token request', message: /HTTP 429/, advice: /wait 120 seconds/ },
	},
	{
		name: 'connection reset, persistent',
		fault: { kind: 'reset' },
		calls: 3,
		outcome: { step: 'token request', message: /connection failed before an answer arrived/ },
	},
	{
		name: 'connection reset once, then a token',
		fault: { kind: 'reset' },
		times: 1,
		calls: 2,
		outcome: 'token',
	},
	{
		name: 'slow answer (400 ms), within the timeout',
		fault: { kind: 'slow', delayMs: 400 },
		times: 1,
		calls: 1,
		outcome: 'token',
	},
];

/** Permanent faults: exactly one token call, no retry. */
const PERMANENT: FaultCase[] = [
	{
		name: "401 with the vendor's body",
		fault: { kind: 'unauthorized' },
		calls: 1,
		outcome: { step: 'token request', message: /refused \(HTTP 401\)/ },
	},
	{
		name: "400 with the vendor's error envelope",
		fault: { kind: 'status', status: 400 },
		calls: 1,
		outcome: { step: 'token request', message: /HTTP 400/ },
	},
	{
		name: 'HTML error page (200)',
		fault: { kind: 'html' },
		calls: 1,
		outcome: { step: 'token answer', message: /web page instead of JSON/ },
	},
	{
		name: 'truncated JSON',
		fault: { kind: 'truncated' },
		calls: 1,
		outcome: { step: 'token answer', message: /not valid JSON/ },
	},
	// Custom Token Endpoint names the setting that says where the token is.
	{
		name: '200 without a token',
		fault: { kind: 'missingToken' },
		calls: 1,
		outcome: {
			step: 'token answer',
			message: /has no "\w+"|has nothing at Token Path "data\.jwt"/,
		},
	},
	// A vendor whose answer has no expiry field (its kit says so): the sandbox fault is a normal success there.
	{
		name: 'unreadable expiry',
		fault: { kind: 'badExpiry' },
		calls: 1,
		outcome: { step: 'token answer', message: /expiry \("\w+"\) cannot be read/ },
		skip: vendorIds.filter((vendor) => !kits[vendor].answerHasExpiry),
	},
	{
		name: 'oversized body (5 MiB)',
		fault: { kind: 'oversized' },
		calls: 1,
		outcome: { step: 'token answer', message: /far too large/ },
	},
];

const CASES = [...TRANSIENT, ...PERMANENT];

/** What a run produced, in one comparable object (so a failure shows the path it came from). */
interface Observed {
	path: Path;
	tokenCalls: number;
	/** Token the run ended with, or null. */
	token: string | null;
	/** The last final token the sandbox issued, or null. */
	issued: string | null;
	errorName: string | null;
	message: string;
	/** Message and description: all n8n shows of the error. */
	shown: string;
}

function serverOf(sandbox: Sandbox, vendor: VendorId): VendorServer {
	return sandbox.vendors[vendor];
}

function decrypted(f: VendorFixture): ICredentialDataDecryptedObject {
	return decryptedAs(f.credentialType, f.good);
}

/** Keeps a token a successful case stored from leaking into a later sandbox on the same port. */
function forgetToken(f: VendorFixture): void {
	const provider = providers[f.vendor];
	tokenStore.forget(storeKey(provider, provider.readFields(decrypted(f))));
}

/**
 * n8n 2.x hands a credential's token step httpRequest alone, which cannot send Sirdata's GET
 * body (that credential then fails before any call and relies on a Get Token node's token,
 * see test/credentials). Sirdata's credential step is run here with the legacy helper too, as
 * a node context has it, so its faults reach the same code.
 */
async function viaCredential(
	f: VendorFixture,
): Promise<{ token: string | null; error?: Error & { description?: string } }> {
	try {
		const output = await tokenStep(
			f.credentialType,
			decrypted(f),
			preAuthHelper(kits[f.vendor].tokenStepNeedsLegacyRequest),
		);
		return { token: String(output.accessToken) };
	} catch (error) {
		return { token: null, error: error as Error };
	}
}

async function viaNode(
	f: VendorFixture,
): Promise<{ token: string | null; error?: Error & { description?: string } }> {
	const node = getTokenNode(f.vendor);
	const helper = helperWithCred(f.credentialType, f.good);
	const { run } = await runWorkflow({ nodeTypes, nodes: [node], helper });
	const error = run.data.resultData.error as (Error & { description?: string }) | undefined;
	const items = run.data.resultData.runData['Get Token']?.[0]?.data?.main[0] ?? [];
	return { token: error ? null : ((items[0]?.json.token as string | undefined) ?? null), error };
}

async function observe(
	path: Path,
	vendor: VendorId,
	fault: Fault,
	times?: number,
): Promise<Observed> {
	return await withSandbox(async (sandbox) => {
		const f = fixtures(sandbox)[vendor];
		const server = serverOf(sandbox, vendor);
		server.injectFault(fault, times);
		try {
			const { token, error } = path === 'credential' ? await viaCredential(f) : await viaNode(f);
			const issued = server.issued.filter((t) => !t.interim).at(-1)?.token ?? null;
			return {
				path,
				tokenCalls: server.tokenCalls,
				token,
				issued,
				errorName: error?.name ?? null,
				message: error?.message ?? '',
				shown: error ? `${error.message} ${error.description ?? ''}` : '',
			};
		} finally {
			forgetToken(f);
		}
	});
}

afterAll(() => restoreConsole());

describe.each(vendorIds)('%s: faults on the token endpoint', (vendor) => {
	const name = providers[vendor].displayName;
	const cases = CASES.filter((c) => !c.skip?.includes(vendor));

	it.concurrent.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
		const observed = await Promise.all(
			PATHS.map(async (path) => await observe(path, vendor, c.fault, c.times)),
		);
		for (const run of observed) {
			if (c.outcome === 'token') {
				expect(run).toMatchObject({
					path: run.path,
					tokenCalls: c.calls,
					errorName: null,
					token: run.issued,
				});
				expect(run.token).toEqual(expect.any(String));
				continue;
			}
			const expectedName = run.path === 'node' ? 'NodeApiError' : TokenAuthError.name;
			expect(run).toMatchObject({
				path: run.path,
				tokenCalls: c.calls,
				token: null,
				errorName: expectedName,
				// The vendor's name and the step start every message.
				message: expect.stringMatching(new RegExp(`^${name} ${c.outcome.step}: `)),
			});
			expect({ path: run.path, message: run.message }).toEqual({
				path: run.path,
				message: expect.stringMatching(c.outcome.message),
			});
			expect(run.shown).not.toMatch(
				/TypeError|SyntaxError|Unexpected token|is not a function|Cannot read propert|undefined/,
			);
			if (c.outcome.advice) {
				expect({ path: run.path, shown: run.shown }).toEqual({
					path: run.path,
					shown: expect.stringMatching(c.outcome.advice),
				});
				// The credential path shows only the message (credential test, HTTP Request node): the advice must be in it.
				if (run.path === 'credential') expect(run.message).toMatch(c.outcome.advice);
			}
		}
	});
});

describe('Autoshares Trader: the unreadable-expiry fault is a normal success (no expiry field)', () => {
	it.concurrent.each(PATHS)('through the %s', async (path) => {
		const run = await observe(path, 'autosharesTrader', { kind: 'badExpiry' });
		expect(run).toMatchObject({ tokenCalls: 1, errorName: null, token: run.issued });
	});
});

describe('a connection closed in the middle of the body', () => {
	// Both of n8n's helpers stream the answer (the legacy one carries Sirdata's GET-with-body):
	// a body cut short by the socket closing is a network failure, retried, then a clean,
	// named error.
	it.concurrent.each(vendorIds)('%s', async (vendor) => {
		const observed = await Promise.all(
			PATHS.map(
				async (path) => await observe(path, vendor, { kind: 'truncated', abortConnection: true }),
			),
		);
		const name = providers[vendor].displayName;
		for (const run of observed) {
			expect(run.errorName).toBe(run.path === 'node' ? 'NodeApiError' : 'TokenAuthError');
			expect(run.message).toMatch(
				new RegExp(`^${name} token request: the connection failed before an answer arrived`),
			);
			expect(run.tokenCalls).toBe(3);
		}
	});
});

describe('request timeout (hang), through the request helper with a short timeout', () => {
	async function sendWithTimeout(sandbox: Sandbox, vendor: VendorId) {
		const provider = providers[vendor];
		const fields = provider.readFields(decrypted(fixtures(sandbox)[vendor]));
		return await sendVendorRequest(
			requesterFrom(n8nRequestHelpers()),
			{ vendor: provider.displayName, step: 'token request', setting: 'base URL' },
			{
				...provider.tokenRequest(fields),
				timeout: 300,
			},
		).then(
			(answer) => ({ answer, error: undefined }),
			(error: unknown) => ({ answer: undefined, error: error as TokenAuthError }),
		);
	}

	it.concurrent.each(vendorIds)(
		'%s: a hang uses the whole deadline of the call: no retry, a named timeout error',
		async (vendor) => {
			await withSandbox(async (sandbox) => {
				serverOf(sandbox, vendor).injectFault({ kind: 'hang' });
				const { error } = await sendWithTimeout(sandbox, vendor);
				expect(error).toBeInstanceOf(TokenAuthError);
				expect(error?.message).toMatch(
					new RegExp(
						`^${providers[vendor].displayName} token request: no complete answer within [\\d.]+ seconds\\.$`,
					),
				);
				expect(error?.transient).toBe(true);
				expect(serverOf(sandbox, vendor).tokenCalls).toBe(1);
			});
		},
	);

	it.concurrent.each(vendorIds)(
		'%s: one hang, then the next call gets the answer',
		async (vendor) => {
			await withSandbox(async (sandbox) => {
				serverOf(sandbox, vendor).injectFault({ kind: 'hang' }, 1);
				expect((await sendWithTimeout(sandbox, vendor)).error).toBeInstanceOf(TokenAuthError);
				const { answer, error } = await sendWithTimeout(sandbox, vendor);
				expect(error).toBeUndefined();
				expect(answer?.statusCode).toBe(200);
				expect(serverOf(sandbox, vendor).tokenCalls).toBe(2);
			});
		},
	);
});
