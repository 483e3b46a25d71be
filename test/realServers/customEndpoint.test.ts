/**
 * Custom Token Endpoint against real auth servers from npm that nobody here wrote
 * (scripts/authServers): oidc-provider's client credentials with a secret holding + / = % :
 * in HTTP Basic and in the body, node-oauth's password grant with client authentication and
 * refresh token rotation, json-server-auth's JSON login with a JWT. The credential's own code
 * path runs as n8n runs it (preAuthentication, authenticate, n8n's HTTP client); the real-n8n
 * suite (test/e2e/realServers.ts) proves the same inside n8n.
 */
import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import { describeToken } from '../../nodes/shared/tokenOutput';
import { customEndpoint } from '../../nodes/shared/providers';
import { tokenStore } from '../../nodes/shared/tokenStore';
import { startAuthServers, type AuthServers } from '../../scripts/authServers';
import { credentialTypes } from '../../scripts/sandbox/fixtures';
import { TestCredentialsHelper, testNewCredential, tokenStep } from '../helpers/n8n';
import { failure } from '../helpers/failure';
import { decrypted, preAuthenticate, TYPE, viaNode } from '../helpers/customEndpoint';

let servers: AuthServers;

beforeAll(async () => {
	servers = await startAuthServers();
}, 60_000);
afterAll(async () => await servers?.close());
beforeEach(async () => {
	tokenStore.clear();
	await servers.reset();
});

/** GET the server's protected route with the credential applied by its authenticate. */
async function resource(url: string, data: IDataObject, saved: IDataObject = {}): Promise<number> {
	const options = await new TestCredentialsHelper(credentialTypes).authenticate(
		{ ...decrypted(data), ...saved } as ICredentialDataDecryptedObject,
		TYPE,
		{
			url,
			method: 'GET',
			headers: {},
		},
	);
	const response = await fetch(url, { headers: options.headers as Record<string, string> });
	return response.status;
}

const oidcBasic = () => ({
	loginType: 'oauth2ClientCredentials',
	tokenUrl: servers.oidc.tokenUrl,
	clientId: servers.oidc.basicClient.clientId,
	clientSecret: servers.oidc.basicClient.clientSecret,
});
const nodeOauth = (over: IDataObject = {}) => ({
	loginType: 'oauth2Password',
	tokenUrl: servers.oauth2.tokenUrl,
	username: servers.oauth2.user.username,
	password: servers.oauth2.user.password,
	clientId: servers.oauth2.client.clientId,
	clientSecret: servers.oauth2.client.clientSecret,
	// node-oauth does not URL-decode Basic credentials; its client's secret needs no encoding.
	clientAuth: 'basicAsTyped',
	...over,
});
const jsonLogin = (over: IDataObject = {}) => ({
	loginType: 'jsonLogin',
	tokenUrl: servers.jsonServer.loginUrl,
	userField: 'email',
	username: servers.jsonServer.user.email,
	password: servers.jsonServer.user.password,
	...over,
});

describe('oidc-provider: OAuth 2.0 client credentials', () => {
	it('client_secret_basic with a secret holding + / = % : passes the Test, and 100 concurrent callers share one token call', async () => {
		expect(servers.oidc.basicClient.clientSecret).toMatch(/\+.*\/.*=.*%.*:/);
		const result = await testNewCredential(TYPE, {
			...oidcBasic(),
			testUrl: servers.oidc.resourceUrl,
		} as ICredentialDataDecryptedObject);
		expect(result).toEqual({ status: 'OK', message: 'Connection successful!' });
		tokenStore.clear();
		await servers.reset();
		const tokens = await Promise.all(
			Array.from({ length: 100 }, async () => (await viaNode(oidcBasic())).token.token),
		);
		expect(new Set(tokens).size).toBe(1);
		expect((await servers.oidc.stats()).tokenCalls).toBe(1);
		const saved = await preAuthenticate(oidcBasic());
		expect(await resource(servers.oidc.resourceUrl, oidcBasic(), saved)).toBe(200);
	});

	it('client_secret_post: the client in the body', async () => {
		const post = {
			...oidcBasic(),
			clientId: servers.oidc.postClient.clientId,
			clientSecret: servers.oidc.postClient.clientSecret,
			clientAuth: 'body',
		};
		const { token } = await viaNode(post);
		expect(token.expiresAt).not.toBeNull();
		expect(Math.round((Date.parse(token.expiresAt!) - Date.parse(token.obtainedAt)) / 1000)).toBe(
			servers.oidc.accessTokenTtl,
		);
	});

	it('a wrong secret: "the client was refused (invalid_client)" with the server\'s words, sent once for 100 callers and the ones after', async () => {
		const wrong = { ...oidcBasic(), clientSecret: 'not+the/secret=%:' };
		const results = await Promise.allSettled(
			Array.from({ length: 100 }, async () => await viaNode(wrong)),
		);
		expect(results.every((r) => r.status === 'rejected')).toBe(true);
		const error = await failure(viaNode(wrong));
		expect(error.message).toMatch(
			/^Custom Token Endpoint token request: the client was refused \(HTTP 401, invalid_client\)\. The same login is not sent again before/,
		);
		expect(error.description).toMatch(/The vendor said: "client authentication failed"$/);
		expect(await servers.oidc.stats()).toMatchObject({ tokenCalls: 1, failedTokenCalls: 1 });
	});

	it('a token revoked early (RFC 7009) is refused, and the next token step gets a new one', async () => {
		const saved = await preAuthenticate(oidcBasic());
		const basic = `Basic ${Buffer.from(`${encodeURIComponent(servers.oidc.basicClient.clientId)}:${encodeURIComponent(servers.oidc.basicClient.clientSecret)}`).toString('base64')}`;
		const revoked = await fetch(servers.oidc.revocationUrl, {
			method: 'POST',
			headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams({ token: String(saved.accessToken) }).toString(),
		});
		expect(revoked.status).toBe(200);
		expect(await resource(servers.oidc.resourceUrl, oidcBasic(), saved)).toBe(401);
		// n8n's retry after the 401: preAuthentication with the refused token.
		const renewed = await tokenStep(TYPE, {
			...decrypted(oidcBasic()),
			...saved,
		});
		expect(renewed.accessToken).not.toBe(saved.accessToken);
		expect(await resource(servers.oidc.resourceUrl, oidcBasic(), renewed)).toBe(200);
	});
});

describe('node-oauth: OAuth 2.0 password grant with client authentication, refresh token rotation', () => {
	it.each(['basicAsTyped', 'body'])(
		'the user and the client (%s) log in; the refresh token is kept, never output',
		async (clientAuth) => {
			const { fields, token } = await viaNode(nodeOauth({ clientAuth }));
			expect(token.refreshToken).toMatch(/\w{10}/);
			expect(JSON.stringify(describeToken(customEndpoint, fields, token))).not.toContain(
				token.refreshToken!,
			);
			const saved = await preAuthenticate(nodeOauth({ clientAuth }));
			expect(await resource(servers.oauth2.resourceUrl, nodeOauth({ clientAuth }), saved)).toBe(
				200,
			);
		},
	);

	it('the next tokens come from the refresh grant, each with the rotated refresh token; a reused one falls back to the login', async () => {
		const first = (await viaNode(nodeOauth())).token;
		const second = (await viaNode(nodeOauth(), { force: true })).token;
		const third = (await viaNode(nodeOauth(), { force: true })).token;
		expect(new Set([first.refreshToken, second.refreshToken, third.refreshToken]).size).toBe(3);
		const stats = await servers.oauth2.stats();
		expect(stats).toMatchObject({ tokenCalls: 3, failedTokenCalls: 0 });
		// Another process still holds the first refresh token (rotated away): its refresh is
		// refused, and the full login gives it a working token.
		tokenStore.clear();
		const other = await viaNode({
			...nodeOauth(),
			accessToken: 'expired',
			accessTokenObtainedAt: first.obtainedAt,
			accessRefreshToken: first.refreshToken,
			accessTokenExpiresAt: '2000-01-01T00:00:00Z',
			accessTokenFor: '',
		});
		expect(await servers.oauth2.stats()).toMatchObject({ tokenCalls: 4 });
		const saved = {
			accessToken: other.token.token,
			accessTokenType: 'Bearer',
			accessTokenExpiresAt: other.token.expiresAt,
			accessTokenObtainedAt: other.token.obtainedAt,
		};
		expect(
			await resource(servers.oauth2.resourceUrl, nodeOauth(), {
				...saved,
				accessTokenFor: (await preAuthenticate(nodeOauth())).accessTokenFor,
			}),
		).toBe(200);
	});

	it("a wrong password: the user's login was refused, in the server's words", async () => {
		const error = await failure(viaNode(nodeOauth({ password: 'Wonderland-43' })));
		expect(error.message).toBe(
			"Custom Token Endpoint token request: the user's login was refused (HTTP 400, invalid_grant).",
		);
		expect(error.description).toMatch(
			/The vendor said: "Invalid grant: user credentials are invalid"$/,
		);
	});
});

describe('json-server-auth: a JSON login answering a JWT', () => {
	it('the Test passes on the first save with the URL, the e-mail field and the values alone; the expiry is the JWT exp', async () => {
		const result = await testNewCredential(
			TYPE,
			jsonLogin({ testUrl: servers.jsonServer.notesUrl }) as ICredentialDataDecryptedObject,
		);
		expect(result).toEqual({ status: 'OK', message: 'Connection successful!' });
		const { token } = await viaNode(jsonLogin());
		const exp = (
			JSON.parse(Buffer.from(token.token.split('.')[1], 'base64url').toString()) as { exp: number }
		).exp;
		expect(Date.parse(token.expiresAt!)).toBe(exp * 1000);
	});

	it('a wrong password: refused (400), "Incorrect password" quoted, not sent again at once', async () => {
		const wrong = jsonLogin({ password: 'Wonderland-43' });
		const error = await failure(viaNode(wrong));
		expect(error.message).toBe(
			'Custom Token Endpoint token request: the login was refused (HTTP 400).',
		);
		expect(error.description).toMatch(/The vendor said: "Incorrect password"$/);
		await failure(viaNode(wrong));
		expect(await servers.jsonServer.stats()).toMatchObject({ tokenCalls: 1, failedTokenCalls: 1 });
	});
});
