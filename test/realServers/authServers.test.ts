// The facts about three real auth servers (scripts/authServers) that the Custom Token Endpoint
// credential relies on, proved with plain fetch: no package code. If one of these fails after a
// version bump, the server changed, not the package.
import { createHmac } from 'crypto';

import { startAuthServers, type AuthServers } from '../../scripts/authServers';

let servers: AuthServers;

beforeAll(async () => {
	servers = await startAuthServers();
}, 30000);

afterAll(async () => {
	await servers?.close();
});

beforeEach(async () => {
	await servers.reset();
});

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const FORM_TYPE = { 'content-type': 'application/x-www-form-urlencoded' };
const basic = (id: string, secret: string) =>
	`Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
/** RFC 6749 §2.3.1: id and secret application/x-www-form-urlencoded before Basic. */
const basicEncoded = (id: string, secret: string) => basic(formEncode(id), formEncode(secret));
const formEncode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);

async function call(
	url: string,
	init: RequestInit = {},
): Promise<{ status: number; headers: Headers; body: unknown }> {
	const response = await fetch(url, { ...init, signal: AbortSignal.timeout(10000) });
	const text = await response.text();
	let body: unknown = text;
	try {
		body = text ? JSON.parse(text) : text;
	} catch {
		// not JSON
	}
	return { status: response.status, headers: response.headers, body };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** An OAuth 2.0 error answer (RFC 6749 §5.2): this status, and exactly this error and description. */
function expectOAuthError(
	answer: { status: number; body: unknown },
	status: number,
	error: string,
	description: string,
) {
	expect(answer.status).toBe(status);
	expect(answer.body).toEqual({ error, error_description: description });
}

describe('oidc-provider', () => {
	const clientCredentials = (authorization: string) =>
		call(servers.oidc.tokenUrl, {
			method: 'POST',
			headers: { ...FORM_TYPE, authorization },
			body: form({ grant_type: 'client_credentials' }),
		});

	it('has a client secret that needs encoding', () => {
		const secret = servers.oidc.basicClient.clientSecret;
		for (const char of ['+', '/', '=', '%', ':']) expect(secret).toContain(char);
	});

	it('accepts Basic with the form-encoded id and secret', async () => {
		const { clientId, clientSecret } = servers.oidc.basicClient;
		const answer = await clientCredentials(basicEncoded(clientId, clientSecret));
		expect(answer.status).toBe(200);
		expect(answer.body).toEqual({
			access_token: expect.any(String),
			expires_in: servers.oidc.accessTokenTtl,
			token_type: 'Bearer',
		});
		expect(await servers.oidc.stats()).toMatchObject({ tokenCalls: 1, failedTokenCalls: 0 });
	});

	it('refuses Basic with the raw secret: 400 invalid_request', async () => {
		const { clientId, clientSecret } = servers.oidc.basicClient;
		const answer = await clientCredentials(basic(clientId, clientSecret));
		expectOAuthError(
			answer,
			400,
			'invalid_request',
			'client_id and client_secret in the authorization header are not properly encoded',
		);
		expect(await servers.oidc.stats()).toMatchObject({ tokenCalls: 1, failedTokenCalls: 1 });
	});

	it('answers a wrong secret with 401 invalid_client and a Basic challenge', async () => {
		const answer = await clientCredentials(
			basicEncoded(servers.oidc.basicClient.clientId, 'wrong-secret'),
		);
		expectOAuthError(answer, 401, 'invalid_client', 'client authentication failed');
		expect(answer.headers.get('www-authenticate')).toMatch(
			/^Basic realm="http:\/\/127\.0\.0\.1:\d+", error="invalid_client"/,
		);
	});

	it('accepts client_secret_post, and refuses a wrong one with 401 invalid_client', async () => {
		const { clientId, clientSecret } = servers.oidc.postClient;
		const post = (secret: string) =>
			call(servers.oidc.tokenUrl, {
				method: 'POST',
				headers: FORM_TYPE,
				body: form({
					grant_type: 'client_credentials',
					client_id: clientId,
					client_secret: secret,
				}),
			});
		const good = await post(clientSecret);
		expect(good.status).toBe(200);
		expect(good.body).toMatchObject({ access_token: expect.any(String), token_type: 'Bearer' });
		const bad = await post('wrong-secret');
		expectOAuthError(bad, 401, 'invalid_client', 'client authentication failed');
		expect(await servers.oidc.stats()).toMatchObject({ tokenCalls: 2, failedTokenCalls: 1 });
	});

	it('serves /api/me for a valid token and 401 once it is revoked (RFC 7009)', async () => {
		const { clientId, clientSecret } = servers.oidc.basicClient;
		const issued = await clientCredentials(basicEncoded(clientId, clientSecret));
		const token = (issued.body as { access_token: string }).access_token;

		const before = await call(servers.oidc.resourceUrl, { headers: bearer(token) });
		expect(before.status).toBe(200);
		expect(before.body).toMatchObject({ clientId });

		const revoked = await call(servers.oidc.revocationUrl, {
			method: 'POST',
			headers: { ...FORM_TYPE, authorization: basicEncoded(clientId, clientSecret) },
			body: form({ token, token_type_hint: 'access_token' }),
		});
		expect(revoked.status).toBe(200);

		const after = await call(servers.oidc.resourceUrl, { headers: bearer(token) });
		expect(after.status).toBe(401);
		expect(after.headers.get('www-authenticate')).toContain('invalid_token');

		const introspected = await call(servers.oidc.introspectionUrl, {
			method: 'POST',
			headers: { ...FORM_TYPE, authorization: basicEncoded(clientId, clientSecret) },
			body: form({ token }),
		});
		expect(introspected.body).toEqual({ active: false });
	});

	it('refuses /api/me without a token or with an unknown one', async () => {
		expect((await call(servers.oidc.resourceUrl)).status).toBe(401);
		expect((await call(servers.oidc.resourceUrl, { headers: bearer('not-a-token') })).status).toBe(
			401,
		);
	});
});

describe('@node-oauth/oauth2-server', () => {
	const token = (fields: Record<string, string>, authorization?: string) =>
		call(servers.oauth2.tokenUrl, {
			method: 'POST',
			headers: authorization ? { ...FORM_TYPE, authorization } : FORM_TYPE,
			body: form(fields),
		});
	const passwordGrant = (
		password = servers.oauth2.user.password,
		secret = servers.oauth2.client.clientSecret,
	) =>
		token(
			{ grant_type: 'password', username: servers.oauth2.user.username, password },
			basic(servers.oauth2.client.clientId, secret),
		);

	it('issues an access and a refresh token for the password grant with Basic client auth', async () => {
		const answer = await passwordGrant();
		expect(answer.status).toBe(200);
		expect(answer.body).toEqual({
			access_token: expect.any(String),
			refresh_token: expect.any(String),
			token_type: 'Bearer',
			expires_in: expect.any(Number),
		});
		// The library rounds the seconds left down: expires_in may be one less than the lifetime.
		const expiresIn = (answer.body as { expires_in: number }).expires_in;
		expect(expiresIn).toBeGreaterThanOrEqual(servers.oauth2.accessTokenTtl - 1);
		expect(expiresIn).toBeLessThanOrEqual(servers.oauth2.accessTokenTtl);
	});

	it('also takes the client in the body', async () => {
		const { clientId, clientSecret } = servers.oauth2.client;
		const { username, password } = servers.oauth2.user;
		const answer = await token({
			grant_type: 'password',
			username,
			password,
			client_id: clientId,
			client_secret: clientSecret,
		});
		expect(answer.status).toBe(200);
	});

	it('answers a wrong password with 400 invalid_grant', async () => {
		const answer = await passwordGrant('wrong-password');
		expectOAuthError(answer, 400, 'invalid_grant', 'Invalid grant: user credentials are invalid');
		expect(await servers.oauth2.stats()).toMatchObject({ tokenCalls: 1, failedTokenCalls: 1 });
	});

	it('answers a wrong client secret with 401 invalid_client in Basic, 400 in the body', async () => {
		const inBasic = await passwordGrant(undefined, 'wrong-secret');
		expectOAuthError(inBasic, 401, 'invalid_client', 'Invalid client: client is invalid');
		expect(inBasic.headers.get('www-authenticate')).toBe('Basic realm="Service"');

		const { username, password } = servers.oauth2.user;
		const inBody = await token({
			grant_type: 'password',
			username,
			password,
			client_id: servers.oauth2.client.clientId,
			client_secret: 'x',
		});
		expectOAuthError(inBody, 400, 'invalid_client', 'Invalid client: client is invalid');
	});

	it('rotates refresh tokens: the old one is refused after use', async () => {
		const { clientId, clientSecret } = servers.oauth2.client;
		const first = (await passwordGrant()).body as { refresh_token: string };
		const refresh = (refreshToken: string) =>
			token(
				{ grant_type: 'refresh_token', refresh_token: refreshToken },
				basic(clientId, clientSecret),
			);

		const second = await refresh(first.refresh_token);
		expect(second.status).toBe(200);
		const rotated = second.body as { access_token: string; refresh_token: string };
		expect(rotated.refresh_token).toEqual(expect.any(String));
		expect(rotated.refresh_token).not.toBe(first.refresh_token);

		const reused = await refresh(first.refresh_token);
		expectOAuthError(reused, 400, 'invalid_grant', 'Invalid grant: refresh token is invalid');

		expect((await refresh(rotated.refresh_token)).status).toBe(200);
	});

	it('serves /api/me, and 401 invalid_token once access tokens are revoked early', async () => {
		const issued = (await passwordGrant()).body as { access_token: string; refresh_token: string };
		const before = await call(servers.oauth2.resourceUrl, { headers: bearer(issued.access_token) });
		expect(before.status).toBe(200);
		expect(before.body).toMatchObject({
			user: { username: servers.oauth2.user.username },
			clientId: servers.oauth2.client.clientId,
		});

		expect(await servers.oauth2.revokeAccessTokens()).toBeGreaterThan(0);
		const after = await call(servers.oauth2.resourceUrl, { headers: bearer(issued.access_token) });
		expectOAuthError(after, 401, 'invalid_token', 'Invalid token: access token is invalid');
		expect(after.headers.get('www-authenticate')).toBe(
			'Bearer realm="Service",error="invalid_token"',
		);

		// The refresh token still works.
		const { clientId, clientSecret } = servers.oauth2.client;
		const refreshed = await token(
			{ grant_type: 'refresh_token', refresh_token: issued.refresh_token },
			basic(clientId, clientSecret),
		);
		expect(refreshed.status).toBe(200);
	});

	it('does not URL-decode Basic credentials: only the raw secret works', async () => {
		const { clientId, clientSecret } = servers.oauth2.oddClient;
		const raw = await token({ grant_type: 'client_credentials' }, basic(clientId, clientSecret));
		expect(raw.status).toBe(200);
		expect(raw.body).toEqual({
			access_token: expect.any(String),
			token_type: 'Bearer',
			expires_in: expect.any(Number),
		});
		const encoded = await token(
			{ grant_type: 'client_credentials' },
			basicEncoded(clientId, clientSecret),
		);
		expect(encoded.status).toBe(401);
		expect(encoded.body).toMatchObject({ error: 'invalid_client' });
	});
});

describe('json-server-auth', () => {
	const login = (password: string) =>
		call(servers.jsonServer.loginUrl, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ email: servers.jsonServer.user.email, password }),
		});

	it('answers a wrong password with 400 "Incorrect password"', async () => {
		const answer = await login('wrong-password');
		expect(answer.status).toBe(400);
		expect(answer.body).toBe('Incorrect password');
		expect(await servers.jsonServer.stats()).toMatchObject({ tokenCalls: 1, failedTokenCalls: 1 });
	});

	it('logs in with a 1 h JWT that opens the guarded route', async () => {
		const before = Math.floor(Date.now() / 1000);
		const answer = await login(servers.jsonServer.user.password);
		expect(answer.status).toBe(200);
		const { accessToken, user } = answer.body as {
			accessToken: string;
			user: Record<string, unknown>;
		};
		expect(user).toEqual({
			id: servers.jsonServer.user.id,
			email: servers.jsonServer.user.email,
			name: 'Alice',
		});
		const claims = JSON.parse(
			Buffer.from(accessToken.split('.')[1], 'base64url').toString('utf8'),
		) as { iat: number; exp: number };
		expect(claims.exp - claims.iat).toBe(servers.jsonServer.accessTokenTtl);
		expect(claims.exp).toBeGreaterThanOrEqual(before + 3600);
		expect(claims.exp).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 3600);

		const guarded = await call(servers.jsonServer.resourceUrl, { headers: bearer(accessToken) });
		expect(guarded.status).toBe(200);
		expect(guarded.body).toMatchObject({ id: servers.jsonServer.user.id });
		expect((await call(servers.jsonServer.notesUrl, { headers: bearer(accessToken) })).status).toBe(
			200,
		);
		expect(await servers.jsonServer.stats()).toMatchObject({ tokenCalls: 1, failedTokenCalls: 0 });
	});

	it('refuses the guarded route without a token (401) and with an expired one (401 "jwt expired")', async () => {
		const missing = await call(servers.jsonServer.resourceUrl);
		expect(missing.status).toBe(401);
		expect(missing.body).toBe('Missing authorization header');

		const now = Math.floor(Date.now() / 1000);
		const { email, id } = servers.jsonServer.user;
		const expired = hs256({ email, sub: String(id), iat: now - 7200, exp: now - 3600 });
		const answer = await call(servers.jsonServer.resourceUrl, { headers: bearer(expired) });
		expect(answer.status).toBe(401);
		expect(answer.body).toBe('jwt expired');
	});
});

function hs256(payload: Record<string, unknown>): string {
	const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
	const unsigned = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(payload)}`;
	return `${unsigned}.${createHmac('sha256', servers.jsonServer.jwtSecret).update(unsigned).digest('base64url')}`;
}
