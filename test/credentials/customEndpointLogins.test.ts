/**
 * Custom Token Endpoint against the login APIs users have: the OAuth 2.0 presets and their
 * client authentication (RFC 6749 §2.3.1), refusals read as refusals (400 invalid_grant, a bare
 * "Incorrect password"), a refused login remembered instead of repeated, answers read on the
 * first save (Auto), refresh tokens kept as secrets, and values kept from the answer. The
 * sandbox's generic API answers the logins; `reply` faults stand in for other servers' answers
 * (test/realServers proves the same against real servers from npm).
 */
import { DateTime } from 'luxon';
import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import { autoExpiry, readAutoExpiry } from '../../nodes/shared/autoDetect';
import { TokenAuthError } from '../../nodes/shared/errors';
import { requesterFrom, retryTiming } from '../../nodes/shared/http';
import { obtainToken } from '../../nodes/shared/obtainToken';
import { redactionOf, storeKey } from '../../nodes/shared/provider';
import { describeToken } from '../../nodes/shared/tokenOutput';
import { customEndpoint, providers, vendorIds } from '../../nodes/shared/providers';
import { quotable } from '../../nodes/shared/redact';
import { tokenStore } from '../../nodes/shared/tokenStore';
import { fixtures, genericSettings } from '../../scripts/sandbox/fixtures';
import { decryptedAs, n8nRequestHelpers, testNewCredential } from '../helpers/n8n';
import { failure } from '../helpers/failure';
import { useSandbox } from '../helpers/sandbox';
import { SANDBOX_ACCOUNTS, type Sandbox } from '../../scripts/sandbox';
import {
	decrypted,
	fieldsOf,
	preAuthenticate,
	tokenRequestOf,
	TYPE,
	viaNode,
} from '../helpers/customEndpoint';

const A = SANDBOX_ACCOUNTS;
const ODD_SECRET = 's3cr+t/with=odd%chars:ok';

let sandbox: Sandbox;
useSandbox((started) => (sandbox = started), {
	beforeEach: (sandbox) =>
		sandbox.vendors.customEndpoint.configure({
			expiryForm: 'jwt',
			expiredStatus: 403,
			loginAs: 'form',
		}),
});

const generic = () => sandbox.vendors.customEndpoint;

/** The token endpoint answers exactly this once (another server's answer). */
function answerOnce(status: number, body: unknown, contentType = 'application/json') {
	generic().injectFault(
		{
			kind: 'reply',
			status,
			contentType,
			body:
				typeof body === 'string' && contentType !== 'application/json'
					? body
					: JSON.stringify(body),
		},
		1,
	);
}

const oauthClient = (over: IDataObject = {}): IDataObject => ({
	loginType: 'oauth2ClientCredentials',
	tokenUrl: `${generic().baseUrl}/auth/login`,
	clientId: 'my:client',
	clientSecret: ODD_SECRET,
	...over,
});

describe('client authentication (RFC 6749 §2.3.1)', () => {
	it('HTTP Basic form-encodes the client id and secret before base64, so + / = % : arrive intact', () => {
		const request = tokenRequestOf(oauthClient());
		const expected = `Basic ${Buffer.from('my%3Aclient:s3cr%2Bt%2Fwith%3Dodd%25chars%3Aok').toString('base64')}`;
		expect((request.headers as IDataObject).Authorization).toBe(expected);
		expect(request.body).toBe('grant_type=client_credentials');
		expect(request.auth).toBeUndefined();
	});

	it('"as typed" sends the pair raw, "in the body" as client_id and client_secret; a scope goes with the grant', () => {
		const typed = tokenRequestOf(oauthClient({ clientId: 'plain', clientAuth: 'basicAsTyped' }));
		expect((typed.headers as IDataObject).Authorization).toBe(
			`Basic ${Buffer.from(`plain:${ODD_SECRET}`).toString('base64')}`,
		);
		const post = tokenRequestOf(oauthClient({ clientAuth: 'body', scope: 'read write' }));
		expect((post.headers as IDataObject).Authorization).toBeUndefined();
		expect(Object.fromEntries(new URLSearchParams(String(post.body)))).toEqual({
			grant_type: 'client_credentials',
			scope: 'read write',
			client_id: 'my:client',
			client_secret: ODD_SECRET,
		});
	});

	it('the password grant carries the user beside the client, and a public client sends its id alone', () => {
		const data = {
			loginType: 'oauth2Password',
			tokenUrl: 'https://id.example.com/token',
			username: 'ana@example.com',
			password: 'Summer 2024!',
			clientId: 'app',
			clientSecret: 'app-secret',
		};
		const request = tokenRequestOf(data);
		expect(Object.fromEntries(new URLSearchParams(String(request.body)))).toEqual({
			grant_type: 'password',
			username: 'ana@example.com',
			password: 'Summer 2024!',
		});
		expect((request.headers as IDataObject).Authorization).toBe(
			`Basic ${Buffer.from('app:app-secret').toString('base64')}`,
		);
		const publicClient = tokenRequestOf({ ...data, clientSecret: '' });
		expect(new URLSearchParams(String(publicClient.body)).get('client_id')).toBe('app');
		expect((publicClient.headers as IDataObject).Authorization).toBeUndefined();
	});

	it('beside login values in HTTP Basic, a client in the body and a public client id still travel (in the form, or the query of a GET)', () => {
		const basicLogin = {
			tokenUrl: 'https://id.example.com/token',
			loginValuesIn: 'basicAuth',
			username: 'ana',
			password: 'pw',
			extraFields: '{"grant_type": "client_credentials"}',
		};
		const body = tokenRequestOf({
			...basicLogin,
			clientId: 'app',
			clientSecret: 'app-secret',
			clientAuth: 'body',
		});
		expect(body.auth).toEqual({ username: 'ana', password: 'pw' });
		expect(Object.fromEntries(new URLSearchParams(String(body.body)))).toEqual({
			grant_type: 'client_credentials',
			client_id: 'app',
			client_secret: 'app-secret',
		});
		const publicClient = tokenRequestOf({ ...basicLogin, extraFields: '', clientId: 'app' });
		expect(Object.fromEntries(new URLSearchParams(String(publicClient.body)))).toEqual({
			client_id: 'app',
		});
		const get = tokenRequestOf({ ...basicLogin, method: 'GET', extraFields: '', clientId: 'app' });
		expect(get.qs).toEqual({ client_id: 'app' });
		expect(get.body).toBeUndefined();
	});

	it('the client secret and its Basic header are cut from anything quoted', () => {
		const fields = fieldsOf(oauthClient());
		const header = String(
			(customEndpoint.tokenRequest(fields).headers as IDataObject).Authorization,
		);
		const quoted = quotable(
			`bad client ${ODD_SECRET} sent ${header}`,
			redactionOf(customEndpoint, fields),
		);
		expect(quoted).not.toContain(ODD_SECRET);
		expect(quoted).not.toContain(header.slice(6));
	});

	it("a value under a secret's name in Extra Fields (an app key beside the password) is cut from quotes; other extras are not", () => {
		const fields = fieldsOf({
			tokenUrl: 'https://api.example.com/login',
			username: 'ana',
			password: 'pw-1234',
			extraFields:
				'{"appKey": "AK-998877", "nested": {"x_api_key": 12345678}, "secret_value": "SV-554433", "Authorization": "Key KV-112233", "token_type_hint": "access_token", "sort_key": "name", "audience": "https://api.example.com"}',
		});
		const quoted = quotable(
			'echo appKey=AK-998877 key=12345678 v=SV-554433 a=Key KV-112233 hint=access_token sort=name audience=https://api.example.com',
			redactionOf(customEndpoint, fields),
		);
		expect(quoted).not.toContain('AK-998877');
		expect(quoted).not.toContain('12345678');
		expect(quoted).not.toContain('SV-554433');
		expect(quoted).not.toContain('KV-112233');
		expect(quoted).toContain('hint=access_token');
		expect(quoted).toContain('sort=name');
		expect(quoted).toContain('audience=https://api.example.com');
	});

	it('settings errors: a client credentials login without the secret, Basic twice, a colon as typed', () => {
		const settingsError = (data: IDataObject) => {
			try {
				fieldsOf(data);
			} catch (error) {
				return (error as TokenAuthError).message;
			}
			return 'no error';
		};
		expect(settingsError(oauthClient({ clientSecret: '' }))).toBe(
			'Custom Token Endpoint settings: Client Secret is empty.',
		);
		expect(settingsError(oauthClient({ clientId: '' }))).toBe(
			'Custom Token Endpoint settings: Client ID is empty.',
		);
		expect(
			settingsError({
				...genericSettings(sandbox),
				loginValuesIn: 'basicAuth',
				clientId: 'c',
				clientSecret: 's',
			}),
		).toMatch(/both use HTTP Basic/);
		expect(settingsError(oauthClient({ clientAuth: 'basicAsTyped' }))).toMatch(
			/Client ID holds a colon/,
		);
		expect(
			settingsError({
				...genericSettings(sandbox),
				loginValuesIn: 'basicAuth',
				method: 'GET',
				clientId: 'c',
				clientSecret: 's',
				clientAuth: 'body',
			}),
		).toMatch(/GET token request cannot carry the client secret/);
		expect(
			settingsError({
				...genericSettings(sandbox),
				extraFields: '{"client_secret": "x"}',
				clientId: 'c',
				clientAuth: 'body',
				clientSecret: 's',
			}),
		).toMatch(/repeats "client_secret"/);
	});
});

describe('a refused login reads as one', () => {
	it('a 400 with a bare JSON string is a refused login, the server quoted (not "check the URL")', async () => {
		answerOnce(400, 'Incorrect password');
		const error = await failure(viaNode(genericSettings(sandbox)));
		expect(error.message).toBe(
			'Custom Token Endpoint token request: the login was refused (HTTP 400).',
		);
		expect(error.kind).toBe('loginRefused');
		expect(error.description).toMatch(
			/^Check the login values.*The vendor said: "Incorrect password"$/,
		);
	});

	it.each([
		[
			401,
			{ error: 'invalid_client', error_description: 'client authentication failed' },
			'the client was refused (HTTP 401, invalid_client).',
			/Client Secret/,
		],
		[
			400,
			{ error: 'invalid_grant', error_description: 'Invalid grant: user credentials are invalid' },
			"the user's login was refused (HTTP 400, invalid_grant).",
			/Username and Password/,
		],
		[
			400,
			{ error: 'unauthorized_client' },
			'the client may not log in this way (HTTP 400, unauthorized_client).',
			/grant/,
		],
	])('OAuth %s %j says who was refused', async (status, body, summary, advice) => {
		answerOnce(status, body);
		const error = await failure(
			viaNode({
				...genericSettings(sandbox),
				loginType: 'oauth2Password',
				clientId: 'c',
				clientSecret: 'client-secret-1',
			}),
		);
		expect(error.message).toBe(`Custom Token Endpoint token request: ${summary}`);
		expect(error.description).toMatch(advice);
		expect(error.kind).toBe('loginRefused');
	});

	it('an OAuth error that is not a refusal (invalid_scope) is a rejected request, not remembered', async () => {
		answerOnce(400, { error: 'invalid_scope', error_description: 'scope "admin" is not allowed' });
		const error = await failure(viaNode(genericSettings(sandbox)));
		expect(error.message).toBe(
			'Custom Token Endpoint token request: the token request was rejected (HTTP 400, invalid_scope).',
		);
		expect(error.kind).toBeUndefined();
		expect((await viaNode(genericSettings(sandbox))).token.token).toMatch(/^ey/);
	});
});

describe('a refused login is not repeated: accounts are not locked', () => {
	it('100 concurrent callers and 20 later ones with a wrong password make one token call; the error says when the next try is', async () => {
		const bad = genericSettings(sandbox, { password: 'wrong-password' });
		const first = await Promise.allSettled(
			Array.from({ length: 100 }, async () => await viaNode(bad)),
		);
		expect(first.every((r) => r.status === 'rejected')).toBe(true);
		for (let i = 0; i < 20; i++) {
			const again = await failure(viaNode(bad));
			expect(again.message).toMatch(
				/^Custom Token Endpoint token request: the login was refused \(HTTP 401\)\. The same login is not sent again before \d\d:\d\d:\d\d UTC \(in \d+ s\), so that repeated failed logins do not lock the account; saving the credential with corrected values tries at once\.$/,
			);
			expect(again.description).toMatch(/The vendor said: "Invalid username or password"$/);
		}
		expect(generic().tokenCalls).toBe(1);
		// Corrected values are other settings: they go out at once.
		expect((await viaNode(genericSettings(sandbox))).token.token).toMatch(/^ey/);
		expect(generic().tokenCalls).toBe(2);
	});

	it("through the credential: n8n's token step for 100 items is one failed login, and a Test of a credential that has a token tries again", async () => {
		const bad = genericSettings(sandbox, { password: 'wrong-password' });
		const results = await Promise.allSettled(
			Array.from({ length: 100 }, async () => await preAuthenticate({ ...bad, accessToken: '' })),
		);
		expect(results.every((r) => r.status === 'rejected')).toBe(true);
		await expect(preAuthenticate({ ...bad, accessToken: '' })).rejects.toThrow(
			/not sent again before/,
		);
		expect(generic().tokenCalls).toBe(1);
		// A Test: n8n calls preAuthentication with the saved token and no request sent before.
		await expect(preAuthenticate({ ...bad, accessToken: 'a-token-saved-earlier' })).rejects.toThrow(
			/^Custom Token Endpoint token request: the login was refused \(HTTP 401\)\. Check/,
		);
		expect(generic().tokenCalls).toBe(2);
	});

	it('an outage is not a refusal: the next caller tries again', async () => {
		generic().injectFault({ kind: 'status', status: 404 }, 1);
		await failure(viaNode(genericSettings(sandbox)));
		expect((await viaNode(genericSettings(sandbox))).token.token).toMatch(/^ey/);
	});

	it.each(vendorIds)(
		'%s: a wrong secret is sent once; the next callers get the refusal at once',
		async (vendor) => {
			const f = fixtures(sandbox)[vendor];
			const server = Object.values(sandbox.vendors).find(
				(s) => s.baseUrl === f.good[f.urlField] || String(f.good[f.urlField]).startsWith(s.origin),
			)!;
			const data = decryptedAs(f.credentialType, f.bad);
			const attempt = async () =>
				await failure(obtainToken(requesterFrom(n8nRequestHelpers()), providers[vendor], data));
			const first = await attempt();
			expect(first.kind).toBe('loginRefused');
			const second = await attempt();
			expect(second.message).toMatch(/The same login is not sent again before/);
			expect(server.tokenCalls).toBe(1);
		},
	);
});

describe('works on the first save (Auto)', () => {
	it('a new credential for the generic API with only the URL, the login values and Form passes its Test', async () => {
		const result = await testNewCredential(TYPE, {
			tokenUrl: `${generic().baseUrl}/auth/login`,
			loginValuesIn: 'formBody',
			username: A.customEndpoint.username,
			password: A.customEndpoint.password,
		} as ICredentialDataDecryptedObject);
		expect(result).toEqual({ status: 'OK', message: 'Connection successful!' });
		const { token } = await viaNode({
			tokenUrl: `${generic().baseUrl}/auth/login`,
			loginValuesIn: 'formBody',
			username: A.customEndpoint.username,
			password: A.customEndpoint.password,
		});
		// data.jwt, its type from data.token_type, its expiry from the JWT's exp claim.
		expect(token.tokenType).toBe('Bearer');
		expect(Date.parse(token.expiresAt!)).toBe(
			generic().issued.at(-1)!.validUntil.getTime() -
				(generic().issued.at(-1)!.validUntil.getTime() % 1000),
		);
	});

	const now = DateTime.fromISO('2026-06-01T00:00:00Z', { zone: 'utc' });
	const jwt = (claims: object) =>
		`eyJhbGciOiJIUzI1NiJ9.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.c2ln`;

	it.each([
		[
			{ access_token: 'a', id_token: 'i', expires_in: 3600 },
			'access_token',
			'2026-06-01T01:00:00.000Z',
		],
		[{ accessToken: 'a', expiresIn: '120' }, 'accessToken', '2026-06-01T00:02:00.000Z'],
		[
			{ data: { token: 't', expires_at: '2026-06-02T00:00:00Z' } },
			'data.token',
			'2026-06-02T00:00:00.000Z',
		],
		[{ result: { jwt: 't', expires: 1780358400 } }, 'result.jwt', '2026-06-02T00:00:00.000Z'],
		[
			{ session: { auth_token: 't', exp: 1780358400000 } },
			'session.auth_token',
			'2026-06-02T00:00:00.000Z',
		],
		[{ token: 't', expires_in: 'PT1H' }, 'token', '2026-06-01T01:00:00.000Z'],
		[{ token: jwt({ exp: 1780358400 }), expires_in: 60 }, 'token', '2026-06-02T00:00:00.000Z'],
		[{ token: 't' }, 'token', null],
	])('Auto reads %j: the token at %s, expiring %s', (body, path, expiresAt) => {
		const fields = fieldsOf({ tokenUrl: 'https://api.example.com/login', password: 'p' });
		const read = customEndpoint.readTokenAnswer(
			{ statusCode: 200, headers: {}, body: JSON.stringify(body) },
			now,
			fields,
		);
		expect(read.kind === 'token' && read.token.expiresAt).toBe(expiresAt);
		const token = path
			.split('.')
			.reduce<unknown>((value, key) => (value as IDataObject)[key], body);
		expect(read.kind === 'token' && read.token.token).toBe(token);
	});

	it('Auto names what it looked for and what the answer holds; an unreadable expiry names its path', () => {
		const fields = fieldsOf({ tokenUrl: 'https://api.example.com/login', password: 'p' });
		const read = (body: object) => () =>
			customEndpoint.readTokenAnswer(
				{ statusCode: 200, headers: {}, body: JSON.stringify(body) },
				now,
				fields,
			);
		expect(read({ session: { key: 'k' } })).toThrow(
			/no token where Token Path Auto looks \(access_token, accessToken, token, jwt, id_token/,
		);
		expect(read({ token: 't', expires_in: 'soon' })).toThrow(
			'the expiry at "expires_in" (text) cannot be read (Expiry: Auto).',
		);
		// A number is read by its size: an instant in an expires_in is still an instant.
		expect(readAutoExpiry(1_780_358_400, now)).toBe('2026-06-02T00:00:00.000Z');
		expect(readAutoExpiry('900', now)).toBe('2026-06-01T00:15:00.000Z');
		expect(autoExpiry({ token: 't' }, 't', 'token', now)).toEqual({ kind: 'none' });
	});
});

describe('Auto expiry: only beside the token, and no absurd lifetimes', () => {
	const now = DateTime.fromISO('2026-06-01T00:00:00Z', { zone: 'utc' });

	it("an expiry of another object of the answer (a subscription, a user) is not the token's", () => {
		expect(
			autoExpiry(
				{ access_token: 'a', subscription: { expires_at: '2030-01-01T00:00:00Z' } },
				'a',
				'access_token',
				now,
			),
		).toEqual({ kind: 'none' });
		expect(
			autoExpiry({ data: { token: 't' }, user: { expires: 60 } }, 't', 'data.token', now),
		).toEqual({ kind: 'none' });
		// Beside the token, at the top beside a token one level down, and in data/result beside a top-level token.
		expect(
			autoExpiry({ data: { token: 't', expires_in: 60 } }, 't', 'data.token', now),
		).toMatchObject({ kind: 'found', from: 'data.expires_in' });
		expect(
			autoExpiry({ session: { token: 't' }, expires_in: 60 }, 't', 'session.token', now),
		).toMatchObject({ kind: 'found', from: 'expires_in' });
		expect(autoExpiry({ token: 't', data: { expires_in: 60 } }, 't', 'token', now)).toMatchObject({
			kind: 'found',
			from: 'data.expires_in',
		});
	});

	it('expires_in 0 and an expiry more than ten years away mean no stated expiry (a day at most), not a token for ever', () => {
		expect(autoExpiry({ access_token: 'a', expires_in: 0 }, 'a', 'access_token', now)).toEqual({
			kind: 'none',
		});
		expect(
			autoExpiry(
				{ access_token: 'a', expires_at: '9999-12-31T23:59:59Z' },
				'a',
				'access_token',
				now,
			),
		).toEqual({ kind: 'none' });
		expect(autoExpiry({ access_token: 'a', expires_in: 4e8 }, 'a', 'access_token', now)).toEqual({
			kind: 'none',
		});
		expect(
			autoExpiry({ access_token: 'a', expires_in: 9 * 365 * 24 * 3600 }, 'a', 'access_token', now),
		).toMatchObject({ kind: 'found' });
	});
});

describe('refresh tokens and values kept from the answer', () => {
	const withRefresh = {
		access_token: 'at-1',
		token_type: 'bearer',
		expires_in: 3600,
		refresh_token: 'rt-secret-1',
		instance_url: 'https://eu1.example.com',
		user: { id: 42 },
	};

	/** The generic API read by Auto (token, type, expiry and refresh token found by their names). */
	const autoSettings = (over: IDataObject = {}): IDataObject => ({
		...genericSettings(sandbox),
		answerPath: '',
		answerTypePath: '',
		expiryFormat: 'auto',
		...over,
	});

	/** Get Token's Force Refresh: the next token now, as after an expiry or a refused token. */
	const nextToken = async (settings: IDataObject) =>
		await obtainToken(requesterFrom(n8nRequestHelpers()), customEndpoint, decrypted(settings), {
			force: true,
		});

	it('a refresh token is kept as a secret: saved in the credential, never output; Keep From Answer values are output', async () => {
		answerOnce(200, withRefresh);
		const settings = autoSettings({ keepFromAnswer: 'instance_url, user.id' });
		const saved = await preAuthenticate({ ...settings, accessToken: '' });
		expect(saved).toMatchObject({
			accessToken: 'at-1',
			accessRefreshToken: 'rt-secret-1',
			accessTokenExtras: JSON.stringify({
				fromAnswer: { instance_url: 'https://eu1.example.com', user: { id: 42 } },
			}),
		});
		tokenStore.clear();
		const { fields, token } = await viaNode({ ...settings, ...saved });
		const output = describeToken(customEndpoint, fields, token);
		expect(output.fromAnswer).toEqual({
			instance_url: 'https://eu1.example.com',
			user: { id: 42 },
		});
		expect(JSON.stringify(output)).not.toContain('rt-secret-1');
		expect(output.tokenType).toBe('bearer');
	});

	it('the next token is asked for with the refresh token (RFC 6749 §6, with the client); a rotated one replaces it', async () => {
		answerOnce(200, withRefresh);
		const settings = autoSettings({
			loginType: 'oauth2Password',
			clientId: 'app',
			clientSecret: 'app-secret',
		});
		const key = storeKey(customEndpoint, fieldsOf(settings));
		await viaNode(settings);
		answerOnce(200, { ...withRefresh, access_token: 'at-2', refresh_token: 'rt-secret-2' });
		const forced = await nextToken(settings);
		expect(forced.token.token).toBe('at-2');
		const refresh = generic().requests.at(-1)!;
		expect(Object.fromEntries(new URLSearchParams(refresh.body))).toEqual({
			grant_type: 'refresh_token',
			refresh_token: 'rt-secret-1',
		});
		expect(refresh.headers.authorization).toBe(
			`Basic ${Buffer.from('app:app-secret').toString('base64')}`,
		);
		expect(tokenStore.refreshTokenFor(key)?.refreshToken).toBe('rt-secret-2');
	});

	it('a refused refresh falls back to the full login, and the refused refresh token is dropped', async () => {
		answerOnce(200, withRefresh);
		const settings = autoSettings();
		await viaNode(settings);
		generic().injectFault(
			{
				kind: 'reply',
				status: 400,
				contentType: 'application/json',
				body: '{"error":"invalid_grant"}',
			},
			1,
		);
		const { token } = await nextToken(settings);
		expect(token.token).toMatch(/^ey/);
		expect(generic().tokenCalls).toBe(3);
		expect(
			tokenStore.refreshTokenFor(storeKey(customEndpoint, fieldsOf(settings))),
		).toBeUndefined();
	});

	it('a refresh that meets an outage (HTTP 503) falls back to the login and keeps the refresh token for the next try', async () => {
		answerOnce(200, withRefresh);
		const settings = autoSettings();
		const key = storeKey(customEndpoint, fieldsOf(settings));
		await viaNode(settings);
		// The refresh's three attempts meet the outage; the login behind it gets through.
		generic().injectFault(
			{
				kind: 'reply',
				status: 503,
				contentType: 'application/json',
				body: '{"error":"temporarily_unavailable"}',
			},
			3,
		);
		answerOnce(200, { ...withRefresh, access_token: 'at-login', refresh_token: undefined });
		const saved = [...retryTiming.backoffMs];
		retryTiming.backoffMs.splice(0, saved.length, 1, 1);
		const { token } = await nextToken(settings).finally(() =>
			retryTiming.backoffMs.splice(0, saved.length, ...saved),
		);
		expect(token.token).toBe('at-login');
		expect(tokenStore.refreshTokenFor(key)?.refreshToken).toBe('rt-secret-1');
		answerOnce(200, { ...withRefresh, access_token: 'at-2' });
		const next = await nextToken(settings);
		expect(next.token.token).toBe('at-2');
		expect(Object.fromEntries(new URLSearchParams(generic().requests.at(-1)!.body))).toMatchObject({
			grant_type: 'refresh_token',
			refresh_token: 'rt-secret-1',
		});
	});

	it('values kept from the login answer stay after a refresh whose answer lacks them', async () => {
		answerOnce(200, withRefresh);
		const settings = autoSettings({ keepFromAnswer: 'instance_url, user.id' });
		await viaNode(settings);
		answerOnce(200, {
			access_token: 'at-2',
			token_type: 'bearer',
			expires_in: 3600,
			user: { id: 43 },
		});
		const { fields, token } = await nextToken(settings);
		expect(token.token).toBe('at-2');
		expect(describeToken(customEndpoint, fields, token).fromAnswer).toEqual({
			instance_url: 'https://eu1.example.com',
			user: { id: 43 },
		});
	});

	it('Keep From Answer never outputs a refresh token, also with Refresh With: Never and inside a kept object', () => {
		const read = (data: IDataObject, answer: unknown) => {
			const fields = fieldsOf({
				tokenUrl: 'https://api.example.com/login',
				password: 'p',
				...data,
			});
			return () =>
				customEndpoint.readTokenAnswer(
					{ statusCode: 200, headers: {}, body: JSON.stringify(answer) },
					DateTime.utc(),
					fields,
				);
		};
		expect(read({ refresh: 'never', keepFromAnswer: 'refresh_token' }, withRefresh)).toThrow(
			/holds the token or the refresh token/,
		);
		expect(
			read(
				{ keepFromAnswer: 'session' },
				{ access_token: 'at-1', session: { id: 's1', refreshToken: 'rt-inner' } },
			),
		).toThrow(/holds the token or the refresh token/);
		expect(
			read(
				{ refresh: 'never', keepFromAnswer: 'session' },
				{ access_token: 'at-1', session: { id: 's1', refresh_token: 'rt-inner' } },
			),
		).toThrow(/holds the token or the refresh token/);
		expect(
			read(
				{ keepFromAnswer: 'session' },
				{ access_token: 'at-1', session: { id: 's1', refresh_token: '' } },
			)(),
		).toHaveProperty('token.extras', { fromAnswer: { session: { id: 's1', refresh_token: '' } } });
	});

	it('Keep From Answer may not name the token or the refresh token', () => {
		const fields = fieldsOf({
			tokenUrl: 'https://api.example.com/login',
			password: 'p',
			keepFromAnswer: 'refresh_token',
		});
		expect(() =>
			customEndpoint.readTokenAnswer(
				{ statusCode: 200, headers: {}, body: JSON.stringify(withRefresh) },
				DateTime.utc(),
				fields,
			),
		).toThrow(/holds the token or the refresh token/);
		expect(() =>
			fieldsOf({
				tokenUrl: 'https://api.example.com/login',
				password: 'p',
				keepFromAnswer: '__proto__.x',
			}),
		).toThrow(/__proto__/);
	});
});
