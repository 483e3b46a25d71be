import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IHttpRequestOptions,
} from 'n8n-workflow';

import { requesterFrom } from '../../nodes/shared/http';
import { obtainToken } from '../../nodes/shared/obtainToken';
import { storeKey } from '../../nodes/shared/provider';
import { providers, vendorIds } from '../../nodes/shared/providers';
import { tokenStore } from '../../nodes/shared/tokenStore';
import { credentialTypes, fixtures, type VendorFixture } from '../../scripts/sandbox/fixtures';
import { kits } from '../../scripts/sandbox/kits';
import {
	decryptedAs,
	n8nRequestHelpers,
	preAuthHelper,
	testCredential,
	TestCredentialsHelper,
	testNewCredential,
	tokenStep,
} from '../helpers/n8n';
import { useSandbox } from '../helpers/sandbox';
import { SANDBOX_ACCOUNTS, type Sandbox } from '../../scripts/sandbox';

let sandbox: Sandbox;
let fx: ReturnType<typeof fixtures>;

useSandbox((started, fixtures) => ((sandbox = started), (fx = fixtures)));

function server(f: VendorFixture) {
	return sandbox.vendors[f.vendor];
}

/** n8n's defaults applied, as n8n decrypts a credential. */
function decrypted(f: VendorFixture, data: ICredentialDataDecryptedObject = f.good) {
	return decryptedAs(f.credentialType, data);
}

/**
 * The credential's preAuthentication as n8n 2.x calls it (httpRequest only). Sirdata's GET
 * body needs the older request helper, which only a node context has: its generic tests run
 * with it, and the 2.x behaviour has tests of its own below.
 */
async function preAuthenticate(
	f: VendorFixture,
	data: ICredentialDataDecryptedObject,
	withLegacyRequest = kits[f.vendor].tokenStepNeedsLegacyRequest === true,
) {
	return await tokenStep(f.credentialType, data, preAuthHelper(withLegacyRequest));
}

/** The header that carries the token for this fixture's settings. */
function tokenHeader(f: VendorFixture): string {
	return providers[f.vendor].tokenHeaderName(
		providers[f.vendor].readFields(decrypted(f)),
	) as string;
}

/** What a Get Token node run does for a credential: a token in the process's store. */
async function tokenFromNode(f: VendorFixture) {
	return await obtainToken(requesterFrom(n8nRequestHelpers()), providers[f.vendor], decrypted(f));
}

/** authenticate resolved as n8n resolves it, then the request sent with n8n's client to the sandbox. */
async function authenticatedEcho(f: VendorFixture, credentials: ICredentialDataDecryptedObject) {
	const helper = new TestCredentialsHelper(credentialTypes);
	const options = await helper.authenticate(credentials, f.credentialType, {
		url: `${server(f).origin}/__sandbox/echo`,
		method: 'GET',
		headers: { 'X-Other': 'kept' },
	} as IHttpRequestOptions);
	const answer = (await n8nRequestHelpers().httpRequest({
		...options,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
	})) as IDataObject;
	return { options, answer };
}

describe.each(vendorIds)('%s credential against the sandbox', (vendor) => {
	it('preAuthentication stores the token the vendor issued, with its expiry', async () => {
		const f = fx[vendor];
		const before = Date.now();
		const output = await preAuthenticate(f, decrypted(f));
		const after = Date.now();
		const issued = server(f).issued.filter((t) => !t.interim);
		expect(server(f).tokenCalls).toBe(1);
		expect(issued).toHaveLength(1);
		expect(output.accessToken).toBe(issued[0].token);
		if (issued[0].expiresAt === null) {
			expect(output.accessTokenExpiresAt).toBe('');
		} else {
			const expiresAt = Date.parse(String(output.accessTokenExpiresAt));
			if (f.relativeExpiry) {
				// Soda states seconds left, so the instant is computed on our side of the wire:
				// the lifetime from some moment during the call.
				const lifetime = server(f).lifetimeSeconds * 1000;
				expect(expiresAt).toBeGreaterThanOrEqual(before + lifetime);
				expect(expiresAt).toBeLessThanOrEqual(after + lifetime);
			} else {
				expect(expiresAt).toBe(issued[0].expiresAt.getTime());
			}
		}
	});

	it('authenticate sends exactly the vendor header, and the vendor accepts it', async () => {
		const f = fx[vendor];
		const credentials = { ...decrypted(f), ...(await preAuthenticate(f, decrypted(f))) };
		const { options, answer } = await authenticatedEcho(f, credentials);
		expect(options.headers).toEqual({
			'X-Other': 'kept',
			...f.expectedHeaders(String(credentials.accessToken)),
		});
		expect(answer.statusCode).toBe(200);
	});

	it("the credential test passes with good values and fails with the vendor's reason on bad ones", async () => {
		const f = fx[vendor];
		const helper = new TestCredentialsHelper(credentialTypes);
		// n8n 2.x tests a credential with httpRequest alone: a GET with a body (Sirdata) needs a token from a node.
		if (kits[vendor].tokenStepNeedsLegacyRequest) await tokenFromNode(f);
		expect(await testCredential(helper, f.credentialType, f.good)).toEqual({
			status: 'OK',
			message: 'Connection successful!',
		});
		const failed = await testCredential(helper, f.credentialType, f.bad);
		expect(failed.status).toBe('Error');
		expect(failed.message).toContain(providers[vendor].displayName);
		expect(failed.message).toMatch(
			kits[vendor].tokenStepNeedsLegacyRequest
				? new RegExp(`cannot check a ${providers[vendor].displayName} login.*Get Token node`)
				: /refused/,
		);
	});

	it('50 concurrent preAuthentication calls make exactly 1 token call', async () => {
		const f = fx[vendor];
		const outputs = await Promise.all(
			Array.from({ length: 50 }, async () => await preAuthenticate(f, decrypted(f))),
		);
		expect(server(f).tokenCalls).toBe(1);
		expect(new Set(outputs.map((o) => o.accessToken)).size).toBe(1);
	});

	it('a refresh carrying the held token gets a new one; a valid held token is reused', async () => {
		const f = fx[vendor];
		const first = await preAuthenticate(f, decrypted(f));
		// Empty field again (another credential copy, a second worker item): reused, no call.
		expect((await preAuthenticate(f, decrypted(f))).accessToken).toBe(first.accessToken);
		expect(server(f).tokenCalls).toBe(1);
		// n8n after a 401: the stored token comes back as the one that failed.
		const refreshed = await preAuthenticate(f, { ...decrypted(f), ...first });
		expect(refreshed.accessToken).not.toBe(first.accessToken);
		expect(server(f).tokenCalls).toBe(2);
	});

	it('an edited credential never gets the old token', async () => {
		const f = fx[vendor];
		await preAuthenticate(f, decrypted(f));
		// A base URL loses its trailing slash; a token URL is kept as typed, only trimmed.
		const url = String(f.good[f.urlField]);
		const edited = decrypted(f, {
			...f.good,
			[f.urlField]: f.urlField === 'baseUrl' ? `${url}/` : ` ${url} `,
		});
		// Same URL once normalised: same key. A different value: a different key.
		expect(storeKey(providers[vendor], providers[vendor].readFields(edited))).toBe(
			storeKey(providers[vendor], providers[vendor].readFields(decrypted(f))),
		);
		await expect(preAuthenticate(f, decrypted(f, f.bad))).rejects.toThrow(/refused/);
		expect(server(f).tokenCalls).toBe(2);
	});

	it('after an edit the saved token is not sent; the 401 refresh gets one for the new settings', async () => {
		const f = fx[vendor];
		const saved = await preAuthenticate(f, decrypted(f));
		// n8n keeps the hidden token fields when a user edits the credential: here the host changes.
		const moved = {
			...f.good,
			[f.urlField]: String(f.good[f.urlField]).replace('127.0.0.1', 'localhost'),
		};
		const edited = { ...decrypted(f, moved), ...saved };
		const { options, answer } = await authenticatedEcho(f, edited);
		// Every header but the one carrying the token (Autoshares' Et-App-Key stays).
		const { [tokenHeader(f)]: sentToken, ...others } = f.expectedHeaders(String(saved.accessToken));
		expect(sentToken).toContain(String(saved.accessToken));
		expect(options.headers).toEqual({ 'X-Other': 'kept', ...others });
		expect(answer.statusCode).toBe(401);
		// What n8n does on that 401: preAuthentication, then the request again.
		const refreshed = { ...edited, ...(await preAuthenticate(f, edited)) };
		expect(refreshed.accessToken).not.toBe(saved.accessToken);
		expect(server(f).tokenCalls).toBe(2);
		const again = await authenticatedEcho(f, refreshed);
		expect(again.options.headers).toEqual({
			'X-Other': 'kept',
			...f.expectedHeaders(String(refreshed.accessToken)),
		});
		expect(again.answer.statusCode).toBe(200);
	});

	it('a saved token past its expiry is not sent, unless this process holds it as still valid', async () => {
		const f = fx[vendor];
		const saved = await preAuthenticate(f, decrypted(f));
		const expired = { ...decrypted(f), ...saved, accessTokenExpiresAt: '2000-01-01T00:00:00.000Z' };
		// This process fetched it and holds it with the vendor's own expiry: sent.
		expect((await authenticatedEcho(f, expired)).options.headers).toEqual({
			'X-Other': 'kept',
			...f.expectedHeaders(String(saved.accessToken)),
		});
		tokenStore.clear();
		const { options, answer } = await authenticatedEcho(f, expired);
		expect(options.headers).not.toHaveProperty(tokenHeader(f));
		expect(answer.statusCode).toBe(401);
	});

	it('a token a node obtained in this process is sent before n8n has saved one', async () => {
		const f = fx[vendor];
		const { token } = await tokenFromNode(f);
		const { options, answer } = await authenticatedEcho(f, decrypted(f));
		expect(options.headers).toEqual({ 'X-Other': 'kept', ...f.expectedHeaders(token.token) });
		expect(answer.statusCode).toBe(200);
		expect(server(f).tokenCalls).toBe(1);
	});
});

describe.each(vendorIds)('%s: a token the vendor refused before its stated expiry', (vendor) => {
	// expireAllTokens: the vendor revoked every token (rotation, restart) long before expiry.
	it('is never sent again, even when the refresh fails, and Get Token then fetches a new one', async () => {
		const f = fx[vendor];
		const saved = { ...decrypted(f), ...(await preAuthenticate(f, decrypted(f))) };
		server(f).expireAllTokens();
		expect((await authenticatedEcho(f, saved)).answer.statusCode).toBe(401);
		// n8n's 401 path reports the saved token; the refresh fails (404: not a refused login,
		// which would hold the same values back for a minute).
		server(f).injectFault({ kind: 'status', status: 404 });
		await expect(preAuthenticate(f, saved)).rejects.toThrow();
		server(f).clearFaults();
		// Another request with the credential as n8n still has it: the refused token stays home.
		const { options } = await authenticatedEcho(f, saved);
		expect(options.headers).not.toHaveProperty(tokenHeader(f));
		const calls = server(f).tokenCalls;
		const { token } = await obtainToken(
			requesterFrom(n8nRequestHelpers()),
			providers[vendor],
			saved,
		);
		expect(token.token).not.toBe(saved.accessToken);
		expect(server(f).tokenCalls).toBe(calls + 1);
		expect((await authenticatedEcho(f, saved)).answer.statusCode).toBe(200);
	});

	it('25 requests refused with the revoked token make one token call between them, however their refreshes interleave', async () => {
		const f = fx[vendor];
		const saved = await preAuthenticate(f, decrypted(f));
		server(f).expireAllTokens();
		const before = server(f).tokenCalls;
		// As n8n's authenticated request does: one credential object per request, authenticated,
		// and on a 401 handed to preAuthentication, merged with its output, authenticated again.
		const requests = await Promise.all(
			Array.from({ length: 25 }, async () => {
				const credentials = { ...decrypted(f), ...saved };
				return { credentials, first: (await authenticatedEcho(f, credentials)).answer.statusCode };
			}),
		);
		expect(requests.map((r) => r.first)).toEqual(Array(25).fill(401));
		// The first refusal is handled before the others arrive: by then the store holds the new
		// token, which none of those 24 requests carried.
		const retry = async ({ credentials }: (typeof requests)[number]) => {
			Object.assign(credentials, await preAuthenticate(f, credentials));
			return (await authenticatedEcho(f, credentials)).answer.statusCode;
		};
		const statuses = [
			await retry(requests[0]),
			...(await Promise.all(requests.slice(1).map(retry))),
		];
		expect(statuses).toEqual(Array(25).fill(200));
		expect(server(f).tokenCalls - before).toBe(1);
	});

	it('a token the Get Token node handed out, refused downstream, is replaced on the next run with one token call', async () => {
		const f = fx[vendor];
		const first = await tokenFromNode(f);
		// The credential's first use: n8n saves the store's token, no token call.
		const saved = { ...decrypted(f), ...(await preAuthenticate(f, decrypted(f))) };
		expect(saved.accessToken).toBe(first.token.token);
		expect(server(f).tokenCalls).toBe(1);
		server(f).expireAllTokens();
		// n8n's 401 path: on n8n 2.x Sirdata's step cannot fetch (no GET body), the others can.
		const refreshed = await preAuthenticate(f, saved, false).then(
			(output) => output,
			() => undefined,
		);
		expect(refreshed === undefined).toBe(kits[vendor].tokenStepNeedsLegacyRequest === true);
		const calls = server(f).tokenCalls;
		const next = await tokenFromNode(f);
		expect(next.token.token).not.toBe(first.token.token);
		expect(server(f).tokenCalls).toBe(refreshed === undefined ? calls + 1 : calls);
	});
});

describe('Sirdata in a credential token step that has httpRequest alone (n8n 2.x)', () => {
	it('fails before any network call, saying the login was not checked and pointing to the Get Token node', async () => {
		const f = fx.sirdata;
		const error = await preAuthenticate(f, decrypted(f), false).then(
			() => undefined,
			(e: unknown) => e as Error,
		);
		expect(error?.message).toMatch(
			/^Sirdata token request: on n8n 2\.x the credential Test cannot check a Sirdata login.*the password was not checked/,
		);
		expect(error?.message).toMatch(/Get Token node/);
		expect(sandbox.vendors.sirdata.tokenCalls).toBe(0);
	});

	it("uses the token a Get Token node obtained, and the editor's Test passes", async () => {
		const f = fx.sirdata;
		const { token } = await tokenFromNode(f);
		expect(await preAuthenticate(f, decrypted(f), false)).toMatchObject({
			accessToken: token.token,
		});
		expect(await testNewCredential('sirdataApi', f.good)).toMatchObject({ status: 'OK' });
		// One token issued; the Test request's own bodiless GET is refused and ignored.
		expect(sandbox.vendors.sirdata.issued).toHaveLength(1);
	});
});

describe('vendor specifics', () => {
	it('Soda API key mode: no token step, the key pair on every request', async () => {
		const f = fx.sodaCloud;
		const data = decrypted(f, {
			region: 'custom',
			baseUrl: sandbox.vendors.sodaCloud.baseUrl,
			authMethod: 'apiKey',
			apiKeyId: ` ${SANDBOX_ACCOUNTS.sodaCloud.apiKey.id} `,
			apiKeySecret: SANDBOX_ACCOUNTS.sodaCloud.apiKey.secret,
		});
		expect(await preAuthenticate(f, data)).toEqual({});
		const { options, answer } = await authenticatedEcho(f, data);
		expect(options.headers).toEqual({
			'X-Other': 'kept',
			'X-API-KEY-ID': SANDBOX_ACCOUNTS.sodaCloud.apiKey.id,
			'X-API-KEY-SECRET': SANDBOX_ACCOUNTS.sodaCloud.apiKey.secret,
		});
		expect(answer.statusCode).toBe(200);
		expect(await testNewCredential('sodaCloudApi', data)).toMatchObject({ status: 'OK' });
		expect(sandbox.vendors.sodaCloud.tokenCalls).toBe(0);
	});

	it('Soda: the credential test passes when Soda answers 202 "no data"', async () => {
		sandbox.vendors.sodaCloud.configure({ lastEtlRefresh: 'noData' });
		try {
			expect(await testNewCredential('sodaCloudApi', fx.sodaCloud.good)).toMatchObject({
				status: 'OK',
			});
			const test = sandbox.vendors.sodaCloud.requests.find(
				(r) => r.path === '/v1/last_etl_refresh',
			);
			expect(test?.headers.soda_token).toBe(sandbox.vendors.sodaCloud.issued[0].token);
		} finally {
			sandbox.vendors.sodaCloud.configure({ lastEtlRefresh: 'data' });
		}
	});

	it('Galileo: username/password, v2 path and organization scope reach the token call', async () => {
		const f = fx.galileo;
		const { user, organization } = SANDBOX_ACCOUNTS.galileo;
		const data = decrypted(f, {
			baseUrl: sandbox.vendors.galileo.baseUrl,
			apiVersion: 'v2',
			authMethod: 'password',
			username: user.username,
			password: user.password,
			organizationSlug: organization.slug,
		});
		await preAuthenticate(f, data);
		const call = sandbox.vendors.galileo.requests.find((r) => r.path.startsWith('/v2/token'));
		expect(call?.path).toBe('/v2/token?organization_slug=acme');
		expect(String(call?.headers.authorization)).toMatch(/^Basic /);
		expect(await testNewCredential('galileoApi', data)).toMatchObject({ status: 'OK' });
	});

	it('Galileo: an organization ID scopes the token call; an unknown one is refused with advice', async () => {
		const f = fx.galileo;
		const { apiKey, organization } = SANDBOX_ACCOUNTS.galileo;
		const data = (organizationId: string) =>
			decrypted(f, {
				baseUrl: sandbox.vendors.galileo.baseUrl,
				apiVersion: 'v2',
				authMethod: 'apiKey',
				apiKey,
				organizationId,
			});
		await preAuthenticate(f, data(organization.id));
		const call = sandbox.vendors.galileo.requests.find((r) => r.path.startsWith('/v2/token'));
		expect(call?.path).toBe(`/v2/token?organization_id=${organization.id}`);
		expect(sandbox.vendors.galileo.issued).toHaveLength(1);

		const error = await preAuthenticate(f, data('00000000-0000-4000-8000-000000000000')).then(
			() => undefined,
			(e: unknown) => e as Error,
		);
		expect(error?.message).toMatch(/^Galileo token request: .*HTTP 404/);
		expect(error?.message).toMatch(/Organization not found/);
		expect(error?.message).toMatch(/Check the base URL and the credential's values/);
		expect(sandbox.vendors.galileo.issued).toHaveLength(1);
	});

	it('Sirdata: the token call is a GET with the JSON body, and the nanosecond expiry is read to the millisecond', async () => {
		const f = fx.sirdata;
		const output = await preAuthenticate(f, decrypted(f));
		const call = sandbox.vendors.sirdata.requests.find((r) => r.path.endsWith('/token'));
		expect(call?.method).toBe('GET');
		expect(JSON.parse(call!.body)).toEqual({
			login: SANDBOX_ACCOUNTS.sirdata.login,
			password: SANDBOX_ACCOUNTS.sirdata.password,
		});
		const answer = sandbox.vendors.sirdata.issued[0];
		expect(output.accessTokenExpiresAt).toBe(answer.expiresAt!.toISOString());
	});

	it.each(['seconds', 'milliseconds', 'iso'] as const)(
		'Manis: expiresAt in %s gives the same instant',
		async (format) => {
			sandbox.vendors.manis.configure({ expiryFormat: format });
			try {
				const output = await preAuthenticate(fx.manis, decrypted(fx.manis));
				const issued = sandbox.vendors.manis.issued[0].expiresAt!;
				const precision = format === 'seconds' ? 1000 : 0;
				expect(
					Math.abs(Date.parse(String(output.accessTokenExpiresAt)) - issued.getTime()),
				).toBeLessThan(precision + 1);
			} finally {
				sandbox.vendors.manis.configure({ expiryFormat: 'seconds' });
			}
		},
	);

	it('Manis: an expiry already past on arrival (a lifetime read as an instant, a wrong clock) is refused with the reason', async () => {
		// `expiresAt: 3600`: a lifetime where Manis documents an instant, read as 1970-01-01T01:00:00Z.
		sandbox.vendors.manis.injectFault({ kind: 'badExpiry', value: 3600 }, 1);
		const error = await preAuthenticate(fx.manis, decrypted(fx.manis)).then(
			() => undefined,
			(e: unknown) => e as Error,
		);
		expect(error?.message).toMatch(
			/^Manis token answer: the token's expiry \(1970-01-01T01:00:00.000Z\) was already past when it arrived\..*Check the n8n server's clock/s,
		);
		expect(error?.message).not.toContain(SANDBOX_ACCOUNTS.manis.secret);
		// Nothing is kept: the next call fetches again.
		expect((await preAuthenticate(fx.manis, decrypted(fx.manis))).accessToken).toBe(
			sandbox.vendors.manis.issued[1].token,
		);
	});

	it.each([
		['the token type the vendor sends is the scheme', 'Token', 'Token'],
		['an empty token type means Bearer', '', 'Bearer'],
	])('Manis: %s', async (_name, tokenType, scheme) => {
		sandbox.vendors.manis.configure({ tokenType });
		try {
			const credentials = {
				...decrypted(fx.manis),
				...(await preAuthenticate(fx.manis, decrypted(fx.manis))),
			};
			const { options, answer } = await authenticatedEcho(fx.manis, credentials);
			expect((options.headers as IDataObject).Authorization).toBe(
				`${scheme} ${String(credentials.accessToken)}`,
			);
			expect(answer.statusCode).toBe(200);
		} finally {
			sandbox.vendors.manis.configure({ tokenType: 'Bearer' });
		}
	});
});

describe('Autoshares Trader steps through the credential', () => {
	const { appKey, plain, twoFactor, pin, pinNotInitialised, expiredPassword } =
		SANDBOX_ACCOUNTS.autosharesTrader;
	const data = (over: IDataObject) =>
		decrypted(fx.autosharesTrader, {
			baseUrl: sandbox.vendors.autosharesTrader.baseUrl,
			webApiKey: appKey,
			...over,
		});

	it('sends everything in headers, with an empty body', async () => {
		await preAuthenticate(fx.autosharesTrader, data({ ...plain }));
		const call = sandbox.vendors.autosharesTrader.requests[0];
		expect(call.method).toBe('POST');
		expect(call.body).toBe('');
		expect(call.headers).toMatchObject({
			'et-app-key': appKey,
			username: plain.username,
			password: plain.password,
		});
	});

	/** The PIN step's cases: the same under either spelling of the step. */
	const pinCases: Array<[string, IDataObject, RegExp | null]> = [
		[
			'PIN needed and not configured',
			{ username: pin.username, password: pin.password },
			/asks for a PIN/,
		],
		[
			'PIN configured and right',
			{ username: pin.username, password: pin.password, pinPassword: pin.pin },
			null,
		],
		[
			'PIN wrong',
			{ username: pin.username, password: pin.password, pinPassword: '0000' },
			/PIN was refused/,
		],
	];

	it.each([
		['2FA on', { ...twoFactor }, /verification code.*Autoshares Trader node/s],
		...pinCases,
		['PIN not initialised', { ...pinNotInitialised }, /no PIN yet/],
		['password expired', { ...expiredPassword }, /password has expired/],
		[
			'wrong password',
			{ username: plain.username, password: 'nope' },
			/username or password was refused/,
		],
		['wrong app key', { ...plain, webApiKey: 'not-the-key' }, /app key was refused/],
	])('%s', async (_name, over, expected) => {
		const run = preAuthenticate(fx.autosharesTrader, data(over as IDataObject));
		if (expected === null) {
			await expect(run).resolves.toMatchObject({ accessTokenType: 'Bearer' });
		} else {
			const error = await run.then(
				() => undefined,
				(e: unknown) => e as Error & { description?: string },
			);
			expect(`${error?.message} ${error?.description}`).toMatch(expected);
			expect(`${error?.message} ${error?.description}`).not.toContain(appKey);
		}
	});

	// scripts/sandbox/CONTRACTS.md: accept the corrected spelling of the PIN step too.
	it.each(pinCases)('step spelled SecurityPin: %s', async (_name, over, expected) => {
		sandbox.vendors.autosharesTrader.configure({ pinStepName: 'SecurityPin' });
		try {
			const run = preAuthenticate(fx.autosharesTrader, data(over as IDataObject));
			if (expected === null)
				await expect(run).resolves.toMatchObject({ accessTokenType: 'Bearer' });
			else await expect(run).rejects.toThrow(expected);
		} finally {
			sandbox.vendors.autosharesTrader.configure({ pinStepName: 'SecutityPin' });
		}
	});

	it('uses a token the Autoshares Trader node put in the store, without a token call', async () => {
		const credentials = data({ ...twoFactor });
		const fields = providers.autosharesTrader.readFields(credentials);
		tokenStore.put(storeKey(providers.autosharesTrader, fields), {
			token: 'from-the-node',
			tokenType: 'Bearer',
			expiresAt: null,
			obtainedAt: new Date().toISOString(),
			extras: {},
		});
		expect(await preAuthenticate(fx.autosharesTrader, credentials)).toMatchObject({
			accessToken: 'from-the-node',
		});
		expect(sandbox.vendors.autosharesTrader.tokenCalls).toBe(0);
	});
});
