/**
 * The redirect matrix: no request that carries a secret follows a redirect. Every vendor's token
 * endpoint answers 301, 302, 303, 307 and 308 pointing at its own origin, at another host (the
 * sandbox's catcher, which answers like the vendor would, with a token of its own), or from
 * https at plain http; then the Autoshares second step (interim token + code) and the notify
 * call (the signed resume URL). The other side must receive nothing carrying a secret, in
 * literal, URL-encoded or base64 form, and the user gets the redirect error naming the vendor,
 * the step, the status and the target's origin, never its query.
 *
 * Paths: a credential's preAuthentication (n8n's helpers) and the Get Token node run by
 * n8n-core. The https → http case runs on the credential path only: n8n-core's node helpers
 * take no certificate from a test, while the credential's helpers here are n8n's own client
 * told to accept the sandbox's self-signed certificate.
 */
import { restoreConsole } from './consoleCapture';

import type { IDataObject, IHttpRequestHelper, IHttpRequestOptions } from 'n8n-workflow';

import { providers, vendorIds, type VendorId } from '../../nodes/shared/providers';
import { tokenStore } from '../../nodes/shared/tokenStore';
import { fixtures, getTokenNode, logInNode } from '../../scripts/sandbox/fixtures';
import { kits } from '../../scripts/sandbox/kits';
import {
	decryptedAs,
	helperWithCred,
	n8nRequestHelpers,
	postToLogIn,
	runWorkflow,
	tokenStep,
} from '../helpers/n8n';
import { packageNodeTypes } from '../helpers/nodeTypes';
import {
	CAUGHT_TOKEN_PREFIX,
	REDIRECT_QUERY_MARKER,
	SANDBOX_ACCOUNTS,
	startSandbox,
	type RecordedRequest,
	type Sandbox,
} from '../../scripts/sandbox';

const nodeTypes = packageNodeTypes();

const STATUSES = [301, 302, 303, 307, 308] as const;
type Target = 'sameOrigin' | 'otherOrigin' | 'plainHttp';

afterEach(() => tokenStore.clear());
afterAll(() => restoreConsole());

/** Every form in which a secret could be read off a request: literal, URL-encoded, base64. */
function forms(secret: string): string[] {
	const base64 = Buffer.from(secret).toString('base64');
	return [
		secret,
		encodeURIComponent(secret),
		encodeURIComponent(secret).replace(/%20/g, '+'),
		base64,
		base64.replace(/=+$/, ''),
	];
}

function requestText(request: RecordedRequest): string {
	return [request.method, request.path, ...request.rawHeaders, request.body].join('\n');
}

/** What of `secrets` reached the other side, as `<form of secret> in <request line>`. */
function leaksTo(requests: RecordedRequest[], secrets: string[]): string[] {
	const found: string[] = [];
	for (const request of requests) {
		const text = requestText(request);
		// The basic-auth pair is a secret too: its base64 is what an Authorization header carries.
		for (const secret of secrets)
			for (const form of forms(secret))
				if (form.length >= 4 && text.includes(form))
					found.push(`${form} in ${request.method} ${request.path}`);
		if (/^authorization:/im.test(request.rawHeaders.join('\n').replace(/,/g, '\n')))
			found.push(`an Authorization header in ${request.method} ${request.path}`);
	}
	return found;
}

/** The credential values a vendor's token call carries, plus the user:password of Basic auth. */
function secretsOf(vendor: VendorId, data: IDataObject): string[] {
	const provider = providers[vendor];
	const fields = provider.readFields(data);
	const auth = provider.tokenRequest(fields).auth;
	return [
		...provider.secrets(fields),
		...(auth ? [`${auth.username}:${auth.password}`] : []),
	].filter((s) => s !== '');
}

/** n8n's own client, told to accept the sandbox's certificate (https vendors only). */
function trustingHelpers(withLegacyRequest: boolean): IHttpRequestHelper {
	const { httpRequest, request } = n8nRequestHelpers();
	const helpers = {
		httpRequest: async (options: IHttpRequestOptions) =>
			await httpRequest({ ...options, skipSslCertificateValidation: true }),
		...(withLegacyRequest
			? {
					request: async (options: IDataObject) =>
						await request({ ...options, rejectUnauthorized: false }),
				}
			: {}),
	};
	return { helpers } as unknown as IHttpRequestHelper;
}

async function viaCredential(
	vendor: VendorId,
	data: IDataObject,
): Promise<Error & { description?: string }> {
	const type = providers[vendor].credentialName;
	// Sirdata's token call needs the legacy helper (see test/credentials): as a node context has it.
	const error = await tokenStep(
		type,
		decryptedAs(type, data),
		trustingHelpers(kits[vendor].tokenStepNeedsLegacyRequest === true),
	).then(
		() => undefined,
		(failure: unknown) => failure as Error,
	);
	if (!error) throw new Error('preAuthentication succeeded: it followed the redirect');
	return error;
}

async function viaNode(
	vendor: VendorId,
	data: IDataObject,
): Promise<Error & { description?: string }> {
	const type = providers[vendor].credentialName;
	const node = getTokenNode(vendor);
	const helper = helperWithCred(type, data);
	const { run } = await runWorkflow({ nodeTypes, nodes: [node], helper });
	const output = run.data.resultData.runData['Get Token']?.[0]?.data?.main[0]?.[0]?.json;
	if (!run.data.resultData.error)
		throw new Error(`Get Token succeeded with ${JSON.stringify(output)}: it followed the redirect`);
	return run.data.resultData.error as Error & { description?: string };
}

interface Case {
	vendor: VendorId;
	status: (typeof STATUSES)[number];
	to: Target;
	path: 'credential' | 'node';
}

const CASES: Case[] = vendorIds.flatMap((vendor) =>
	STATUSES.flatMap((status) =>
		(['sameOrigin', 'otherOrigin', 'plainHttp'] as const).flatMap((to) =>
			(to === 'plainHttp' ? (['credential'] as const) : (['credential', 'node'] as const)).map(
				(path): Case => ({ vendor, status, to, path }),
			),
		),
	),
);

describe('token endpoints that redirect', () => {
	it.concurrent.each(
		CASES.map((c) => [`${c.vendor} ${c.status} to ${c.to}, through the ${c.path}`, c] as const),
	)('%s', async (_name, c) => {
		const sandbox = await startSandbox({ tls: c.to === 'plainHttp' });
		try {
			const server = sandbox.vendors[c.vendor];
			const data = fixtures(sandbox)[c.vendor].good;
			server.injectFault({ kind: 'redirect', status: c.status, to: c.to }, 1);
			const error =
				c.path === 'credential'
					? await viaCredential(c.vendor, data)
					: await viaNode(c.vendor, data);

			// Nothing was sent on: one token call, nothing at the other host.
			expect(server.tokenCalls).toBe(1);
			expect(sandbox.catcher.requests).toHaveLength(0);
			expect(
				leaksTo(
					[...server.requests.slice(1), ...sandbox.catcher.requests],
					secretsOf(c.vendor, data),
				),
			).toEqual([]);

			const name = providers[c.vendor].displayName;
			const target =
				c.to === 'sameOrigin'
					? server.origin
					: c.to === 'otherOrigin'
						? (sandbox.catcher.secureOrigin ?? sandbox.catcher.origin)
						: sandbox.catcher.origin;
			const shown = `${error.message} ${error.description ?? ''}`;
			expect(error.message).toMatch(
				new RegExp(
					`^${name} token request: the server answered with a redirect \\(HTTP ${c.status}\\) to ${target.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}; it was not followed\\.`,
				),
			);
			expect(shown).toContain(
				`enter it as the ${providers[c.vendor].addressSetting ?? 'base URL'}`,
			);
			expect(shown).not.toContain(REDIRECT_QUERY_MARKER);
			expect(shown).not.toContain(CAUGHT_TOKEN_PREFIX);
		} finally {
			await sandbox.close();
		}
	});
});

describe('the Autoshares two-step login and its notify call', () => {
	let sandbox: Sandbox;
	beforeAll(async () => {
		sandbox = await startSandbox();
	});
	afterAll(async () => await sandbox.close());
	beforeEach(() => {
		sandbox.vendors.autosharesTrader.reset();
		sandbox.catcher.reset();
	});

	function login(options: IDataObject) {
		const node = logInNode(options);
		const data = {
			baseUrl: sandbox.vendors.autosharesTrader.baseUrl,
			webApiKey: SANDBOX_ACCOUNTS.autosharesTrader.appKey,
			...SANDBOX_ACCOUNTS.autosharesTrader.twoFactor,
		};
		const helper = helperWithCred('autosharesTraderApi', data);
		const base = {
			nodeTypes,
			nodes: [node],
			helper,
			executionId: `redirect-${Math.random()}`,
		};
		return { base, data };
	}

	it.each(STATUSES)(
		'a %s on the second step (interim token + code) is not followed',
		async (status) => {
			const { base, data } = login({});
			const { run } = await runWorkflow({ ...base, inputItems: [{ row: 1 }] });
			expect(run.waitTill).toBeDefined();
			const autoshares = sandbox.vendors.autosharesTrader;
			const code = autoshares.lastVerificationCode!;
			autoshares.injectFault({ kind: 'redirect', status, to: 'otherOrigin' }, 1);
			const resumed = await postToLogIn(base, run.data, { code });
			expect(sandbox.catcher.requests).toHaveLength(0);
			const interim = autoshares.issued.find((t) => t.interim)!.token;
			expect(
				leaksTo(sandbox.catcher.requests, [...secretsOf('autosharesTrader', data), interim, code]),
			).toEqual([]);
			// The login fails at the resume with the redirect named, whatever way it is reported.
			const reported = JSON.stringify({
				error: resumed.error?.message,
				description: resumed.error?.description,
				output: resumed.result?.workflowData,
			});
			expect(reported).toMatch(
				new RegExp(
					`redirect \\(HTTP ${status}\\) to ${sandbox.catcher.origin.replace(/[.]/g, '\\.')}`,
				),
			);
			expect(reported).not.toContain(REDIRECT_QUERY_MARKER);
			expect(resumed.result?.workflowData?.[0]?.[0]?.json.loggedIn).not.toBe(true);
		},
	);

	it.each(STATUSES)(
		'a %s from the notify URL is not followed, and the login does not pause',
		async (status) => {
			// A second sandbox's Manis token path stands in for a chat webhook that redirects.
			const redirecting = await startSandbox();
			try {
				redirecting.vendors.manis.injectFault({ kind: 'redirect', status, to: 'otherOrigin' });
				const { base } = login({
					notifyUrl: `${redirecting.vendors.manis.baseUrl}/api/v1/auth/token`,
				});
				const { run } = await runWorkflow({ ...base, inputItems: [{ row: 1 }] });
				expect(redirecting.vendors.manis.tokenCalls).toBe(1);
				expect(redirecting.catcher.requests).toHaveLength(0);
				expect(run.waitTill).toBeUndefined();
				const error = run.data.resultData.error as (Error & { description?: string }) | undefined;
				expect(error?.message).toMatch(
					new RegExp(
						`^Autoshares Trader notify: the server answered with a redirect \\(HTTP ${status}\\)`,
					),
				);
				expect(`${error?.message} ${error?.description}`).not.toContain(REDIRECT_QUERY_MARKER);
				expect(`${error?.message} ${error?.description}`).toMatch(/Notify URL/);
			} finally {
				await redirecting.close();
			}
		},
	);
});
