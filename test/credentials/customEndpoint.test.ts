/**
 * Custom Token Endpoint as a credential, against the sandbox: its generic API (the made-up
 * contract it was built for) and, configured by hand, four of the five vendors' token calls,
 * which it was not written for. Every login shape, every expiry form, both ways to send the
 * token, the credential test, concurrency, and every settings error before any request.
 */
import { Settings } from 'luxon';
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IHttpRequestOptions,
} from 'n8n-workflow';

import { requesterFrom } from '../../nodes/shared/http';
import { obtainToken } from '../../nodes/shared/obtainToken';
import { describeToken } from '../../nodes/shared/tokenOutput';
import { customEndpoint } from '../../nodes/shared/providers';
import { tokenStore } from '../../nodes/shared/tokenStore';
import { credentialTypes, genericSettings } from '../../scripts/sandbox/fixtures';
import { n8nRequestHelpers, testCredential, TestCredentialsHelper } from '../helpers/n8n';
import { failure } from '../helpers/failure';
import { useSandbox } from '../helpers/sandbox';
import { SANDBOX_ACCOUNTS, type Sandbox, type VendorServer } from '../../scripts/sandbox';
import { decrypted, preAuthenticate, TYPE, viaNode } from '../helpers/customEndpoint';

const A = SANDBOX_ACCOUNTS;

let sandbox: Sandbox;
useSandbox((started) => (sandbox = started), {
	beforeEach: (sandbox) => {
		sandbox.vendors.customEndpoint.configure({
			expiryForm: 'jwt',
			expiredStatus: 403,
			loginAs: 'form',
		});
		sandbox.vendors.manis.configure({ expiryFormat: 'seconds', tokenType: 'Bearer' });
	},
});

/** A moment a little ahead of the wall clock, so a token the sandbox issues now is not past then. */
const NOW = Math.floor(Date.now() / 1000) * 1000 + 60_000;

/** Runs `use` with the package's clock (luxon's, which stamps a token's times) standing at `at`. */
async function atPackageTime<T>(at: number, use: () => Promise<T>): Promise<T> {
	Settings.now = () => at;
	try {
		return await use();
	} finally {
		Settings.now = () => Date.now();
	}
}

/** The credential's headers (and query) on a request to the server's echo, sent with n8n's client. */
async function echo(server: VendorServer, data: IDataObject, credentials: IDataObject) {
	const options = await new TestCredentialsHelper(credentialTypes).authenticate(
		{ ...decrypted(data), ...credentials } as ICredentialDataDecryptedObject,
		TYPE,
		{
			url: `${server.origin}/__sandbox/echo`,
			method: 'GET',
			headers: {},
		} as IHttpRequestOptions,
	);
	const answer = (await n8nRequestHelpers().httpRequest({
		...options,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
	})) as IDataObject;
	return { options, status: answer.statusCode as number, body: answer.body as IDataObject };
}

const generic = () => sandbox.vendors.customEndpoint;
/**
 * The login request the token step sends with these generic settings, the last request the
 * server saw (the step fails: these settings do not match the server's answer).
 */
async function loginSentWith(settings: IDataObject) {
	await failure(preAuthenticate(genericSettings(sandbox, settings)));
	return generic().requests.at(-1)!;
}

const lastLogin = () =>
	generic()
		.requests.filter((r) => r.path.startsWith('/api/auth/login'))
		.at(-1)!;

describe('the generic API: form login, data.jwt, the JWT exp claim', () => {
	it('gets the token, reads its expiry from the JWT, and sends it as Authorization: Bearer', async () => {
		const output = await preAuthenticate(genericSettings(sandbox));
		const issued = generic().issued[0];
		expect(output).toMatchObject({
			accessToken: issued.token,
			accessTokenType: 'Bearer',
			accessTokenExpiresAt: issued.expiresAt!.toISOString(),
		});
		const login = lastLogin();
		expect(login.method).toBe('POST');
		expect(login.headers['content-type']).toBe('application/x-www-form-urlencoded');
		expect(Object.fromEntries(new URLSearchParams(login.body))).toEqual({
			grant_type: 'password',
			username: A.customEndpoint.username,
			password: A.customEndpoint.password,
		});
		const { options, status, body } = await echo(generic(), genericSettings(sandbox), output);
		expect(options.headers).toEqual({ Authorization: `Bearer ${issued.token}` });
		expect(status).toBe(200);
		expect(body).toMatchObject({ account: A.customEndpoint.username });
	});

	it.each([
		[
			'X-Auth-Token with the token alone',
			{ headerName: 'X-Auth-Token', headerValue: '{token}' },
			(t: string) => ({ 'X-Auth-Token': t }),
		],
		[
			'the type the answer states, {tokenType} {token}',
			{ headerValue: '{tokenType} {token}' },
			(t: string) => ({ Authorization: `Bearer ${t}` }),
		],
	])('header: %s', async (_name, over, expected) => {
		const data = genericSettings(sandbox, over);
		const output = await preAuthenticate(data);
		const { options, status } = await echo(generic(), data, output);
		expect(options.headers).toEqual(expected(String(output.accessToken)));
		expect(status).toBe(200);
	});

	it('the token in a query parameter, no header; Get Token outputs the parameter', async () => {
		const data = genericSettings(sandbox, { sendIn: 'query', queryParameterName: 'access_token' });
		const output = await preAuthenticate(data);
		const { options, status } = await echo(generic(), data, output);
		expect(options.headers).toEqual({});
		expect(options.qs).toEqual({ access_token: output.accessToken });
		expect(status).toBe(200);
		const { fields, token } = await obtainToken(
			requesterFrom(n8nRequestHelpers()),
			customEndpoint,
			decrypted(data),
		);
		expect(describeToken(customEndpoint, fields, token)).toMatchObject({
			headers: {},
			query: { access_token: output.accessToken },
			tokenType: 'Bearer',
		});
	});

	it('expires_in as a string of seconds (expiryForm secondsString)', async () => {
		generic().configure({ expiryForm: 'secondsString' });
		// The package's clock stands still: seconds left count from exactly then.
		const output = await atPackageTime(NOW, () =>
			preAuthenticate(
				genericSettings(sandbox, { expiryFormat: 'secondsLeft', expiryPath: 'data.expires_in' }),
			),
		);
		expect(output.accessTokenExpiresAt).toBe(new Date(NOW + 3600_000).toISOString());
		// The same answer read as a JWT claim: that JWT has none.
		tokenStore.clear();
		const error = await failure(preAuthenticate(genericSettings(sandbox)));
		expect(error.message).toMatch(
			/^Custom Token Endpoint token answer: the token's expiry \("exp"\) cannot be read: the token is not a JWT with a numeric exp claim\./,
		);
	});

	it('a fixed lifetime when the API states none', async () => {
		generic().configure({ expiryForm: 'secondsString' });
		const output = await atPackageTime(NOW, () =>
			preAuthenticate(
				genericSettings(sandbox, { expiryFormat: 'fixedLifetime', fixedLifetime: 120 }),
			),
		);
		expect(output.accessTokenExpiresAt).toBe(new Date(NOW + 120_000).toISOString());
	});

	it.each([
		[
			'JSON body',
			'json',
			{ loginValuesIn: 'jsonBody', extraFields: '{"grant_type": "password", "device": {"id": 7}}' },
		],
		['query parameters', 'query', { loginValuesIn: 'query' }],
	] as const)(
		'the login as a %s (sandbox loginAs %s) gets a token',
		async (_name, loginAs, over) => {
			generic().configure({ loginAs });
			const output = await preAuthenticate(genericSettings(sandbox, over));
			expect(output.accessToken).toBe(generic().issued[0].token);
			const login = lastLogin();
			if (loginAs === 'json') {
				expect(login.headers['content-type']).toBe('application/json');
				expect(JSON.parse(login.body)).toEqual({
					grant_type: 'password',
					device: { id: 7 },
					username: A.customEndpoint.username,
					password: A.customEndpoint.password,
				});
			} else {
				expect(login.body).toBe('');
				expect(Object.fromEntries(new URL(login.path, 'http://x').searchParams)).toEqual({
					grant_type: 'password',
					username: A.customEndpoint.username,
					password: A.customEndpoint.password,
				});
			}
		},
	);

	it('HTTP Basic: the pair in Authorization, the extra fields as a form (a query on GET)', async () => {
		const post = await loginSentWith({
			loginValuesIn: 'basicAuth',
			extraFields: '{"grant_type": "client_credentials"}',
		});
		expect(post.headers.authorization).toBe(
			`Basic ${Buffer.from(`${A.customEndpoint.username}:${A.customEndpoint.password}`).toString('base64')}`,
		);
		expect(post.body).toBe('grant_type=client_credentials');
		expect(post.headers['content-type']).toBe('application/x-www-form-urlencoded');
		const get = await loginSentWith({
			loginValuesIn: 'basicAuth',
			method: 'GET',
			extraFields: '{"grant_type": "client_credentials"}',
		});
		expect(get.method).toBe('GET');
		expect(get.path).toBe('/api/auth/login?grant_type=client_credentials');
		expect(get.body).toBe('');
	});

	it('headers: one per login value and extra field, named as configured', async () => {
		const login = await loginSentWith({
			loginValuesIn: 'headers',
			userField: 'X-User',
			passField: 'X-Secret',
			extraFields: '{"X-Tenant": "acme", "X-Version": 2}',
		});
		expect(login.headers).toMatchObject({
			'x-user': A.customEndpoint.username,
			'x-secret': A.customEndpoint.password,
			'x-tenant': 'acme',
			'x-version': '2',
		});
		expect(login.body).toBe('');
	});

	it('PUT, and a query kept on the token URL', async () => {
		const login = await loginSentWith({
			method: 'PUT',
			tokenUrl: `${generic().baseUrl}/auth/login?client=n8n`,
		});
		expect(login.method).toBe('PUT');
		expect(login.path).toBe('/api/auth/login?client=n8n');
		expect(generic().tokenCalls).toBe(1);
	});

	it('50 concurrent token steps make one token call; a valid token is reused', async () => {
		const outputs = await Promise.all(
			Array.from({ length: 50 }, async () => await preAuthenticate(genericSettings(sandbox))),
		);
		expect(new Set(outputs.map((output) => output.accessToken)).size).toBe(1);
		expect(await preAuthenticate(genericSettings(sandbox))).toMatchObject({
			accessToken: outputs[0].accessToken,
		});
		expect(generic().tokenCalls).toBe(1);
	});

	it('a refusal says the login was refused and quotes the server; another status is unexpected; secrets cut from both', async () => {
		const refused = await failure(
			viaNode(genericSettings(sandbox, { password: 'wrong-password-1234' })),
		);
		expect(refused.message).toBe(
			'Custom Token Endpoint token request: the login was refused (HTTP 401).',
		);
		expect(refused.kind).toBe('loginRefused');
		expect(refused.description).toMatch(/The vendor said: "Invalid username or password"$/);
		tokenStore.clear();
		generic().injectFault(
			{
				kind: 'say',
				status: 400,
				format: 'json',
				message: `bad password ${A.customEndpoint.password}`,
			},
			1,
		);
		const quoted = await failure(viaNode(genericSettings(sandbox)));
		expect(quoted.message).toBe(
			'Custom Token Endpoint token request: the login was refused (HTTP 400).',
		);
		expect(quoted.description).toMatch(/The vendor said: "bad password \*\*\*"$/);
		tokenStore.clear();
		generic().injectFault(
			{
				kind: 'say',
				status: 409,
				format: 'json',
				message: `conflict ${A.customEndpoint.password}`,
			},
			1,
		);
		const unexpected = await failure(viaNode(genericSettings(sandbox)));
		expect(unexpected.message).toBe(
			'Custom Token Endpoint token request: unexpected answer (HTTP 409) from the Token URL.',
		);
		expect(unexpected.kind).toBeUndefined();
		expect(unexpected.description).toMatch(/The vendor said: "conflict \*\*\*"$/);
	});

	it('a Token Path that finds no text says where the answer has some', async () => {
		const error = await failure(viaNode(genericSettings(sandbox, { answerPath: 'data' })));
		expect(error.message).toBe(
			'Custom Token Endpoint token answer: Token Path "data" leads to an object, not to the token.',
		);
		expect(error.description).toMatch(
			/The answer holds text or numbers at: "status, data\.jwt, data\.token_type"$/,
		);
		const nothing = await failure(
			viaNode(genericSettings(sandbox, { answerPath: 'access_token' })),
		);
		expect(nothing.message).toBe(
			'Custom Token Endpoint token answer: the answer has nothing at Token Path "access_token".',
		);
		const noExpiry = await failure(
			viaNode(
				genericSettings(sandbox, { expiryFormat: 'secondsLeft', expiryPath: 'data.expires_in' }),
			),
		);
		expect(noExpiry.message).toBe(
			'Custom Token Endpoint token answer: the answer has nothing at Expiry Path "data.expires_in".',
		);
		expect(noExpiry.description).toMatch(/Fixed Lifetime/);
	});

	it('the credential test: the Test URL with the token, or the token request alone', async () => {
		const helper = new TestCredentialsHelper(credentialTypes);
		expect(await testCredential(helper, TYPE, genericSettings(sandbox))).toEqual({
			status: 'OK',
			message: 'Connection successful!',
		});
		expect(generic().requests.at(-1)!.path).toBe('/api/me');
		// No Test URL: the token request is the test; the follow-up GET to the token URL may get any status.
		expect(await testCredential(helper, TYPE, genericSettings(sandbox, { testUrl: '' }))).toEqual({
			status: 'OK',
			message: 'Connection successful!',
		});
		expect(generic().requests.at(-1)!).toMatchObject({ method: 'GET', path: '/api/auth/login' });
		const bad = await testCredential(
			helper,
			TYPE,
			genericSettings(sandbox, { testUrl: '', password: 'wrong-password' }),
		);
		expect(bad).toEqual({
			status: 'Error',
			message: expect.stringMatching(
				/^Custom Token Endpoint token request: the login was refused \(HTTP 401\)\. Check the login values/,
			),
		});
		// A Test URL that refuses the token fails the test, and says it was the Test URL.
		const refused = await testCredential(
			helper,
			TYPE,
			genericSettings(sandbox, {
				testUrl: `${generic().baseUrl}/me?access_token=x`,
				headerName: 'X-Other',
			}),
		);
		expect(refused).toEqual({
			status: 'Error',
			message: expect.stringMatching(
				/^Custom Token Endpoint test: the login worked, but the Test URL refused the token \(HTTP 401\)/,
			),
		});
		const missing = await testCredential(
			helper,
			TYPE,
			genericSettings(sandbox, { testUrl: `${generic().baseUrl}/no-such-page` }),
		);
		expect(missing).toEqual({
			status: 'Error',
			message: expect.stringMatching(
				/^Custom Token Endpoint test: the login worked, but the Test URL answered HTTP 404/,
			),
		});
	});
});

describe("four of the five vendors' token calls, configured by hand", () => {
	it('Manis: headers login, epoch seconds, milliseconds or ISO 8601 at a path, {tokenType} {token}', async () => {
		const manis = sandbox.vendors.manis;
		const settings = (expiryFormat: string) => ({
			tokenUrl: `${manis.baseUrl}/api/v1/auth/token`,
			loginValuesIn: 'headers',
			userField: 'x-merchant-id',
			username: A.manis.merchantId,
			passField: 'x-secret',
			password: A.manis.secret,
			answerPath: 'token',
			answerTypePath: 'tokenType',
			expiryFormat,
			expiryPath: 'expiresAt',
			headerValue: '{tokenType} {token}',
		});
		for (const [format, expiryFormat, precision] of [
			['seconds', 'epochSeconds', 1000],
			['milliseconds', 'epochMilliseconds', 0],
			['iso', 'iso8601', 0],
		] as const) {
			tokenStore.clear();
			manis.configure({ expiryFormat: format });
			const output = await preAuthenticate(settings(expiryFormat));
			const issued = manis.issued.at(-1)!;
			expect({ format, token: output.accessToken }).toEqual({ format, token: issued.token });
			expect(
				Math.abs(Date.parse(String(output.accessTokenExpiresAt)) - issued.expiresAt!.getTime()),
			).toBeLessThan(precision + 1);
			expect((await echo(manis, settings(expiryFormat), output)).status).toBe(200);
		}
		// Epoch seconds read as milliseconds is 1970: refused as already past, not stored.
		manis.configure({ expiryFormat: 'seconds' });
		tokenStore.clear();
		expect((await failure(preAuthenticate(settings('epochMilliseconds')))).message).toMatch(
			/was already past when it arrived/,
		);
	});

	it('Soda Cloud: GET with HTTP Basic, seconds left, the SODA_TOKEN header', async () => {
		const soda = sandbox.vendors.sodaCloud;
		const data = {
			tokenUrl: `${soda.baseUrl}/get_token`,
			method: 'GET',
			loginValuesIn: 'basicAuth',
			username: A.sodaCloud.user.email,
			password: A.sodaCloud.user.password,
			answerPath: 'token',
			expiryFormat: 'secondsLeft',
			expiryPath: 'expires_in',
			headerName: 'SODA_TOKEN',
			headerValue: '{token}',
		};
		const output = await preAuthenticate(data);
		const { options, status } = await echo(soda, data, output);
		expect(options.headers).toEqual({ SODA_TOKEN: output.accessToken });
		expect(status).toBe(200);
	});

	it('Galileo: GET with the key in a header and no username, ISO 8601 at a path', async () => {
		const galileo = sandbox.vendors.galileo;
		const data = {
			tokenUrl: `${galileo.baseUrl}/v2/token`,
			method: 'GET',
			loginValuesIn: 'headers',
			passField: 'Galileo-API-Key',
			password: A.galileo.apiKey,
			answerPath: 'access_token',
			answerTypePath: 'token_type',
			expiryFormat: 'iso8601',
			expiryPath: 'expires_at',
		};
		const output = await preAuthenticate(data);
		expect(output.accessTokenType).toBe('bearer');
		expect(galileo.requests[0].headers).not.toHaveProperty('username');
		expect((await echo(galileo, data, output)).status).toBe(200);
	});

	it("Sirdata's GET with a JSON body is refused before any request", async () => {
		const error = await failure(
			preAuthenticate({
				tokenUrl: `${sandbox.vendors.sirdata.baseUrl}/api/v1/public/auth/partner/12345/token`,
				method: 'GET',
				loginValuesIn: 'jsonBody',
				userField: 'login',
				username: A.sirdata.login,
				password: A.sirdata.password,
				answerPath: 'token',
			}),
		);
		expect(error).toMatchObject({
			step: 'settings',
			message: 'Custom Token Endpoint settings: a GET token request cannot carry a body.',
		});
		expect(sandbox.vendors.sirdata.tokenCalls).toBe(0);
	});
});

describe('bad settings: a settings error naming the field, before any request', () => {
	it.each([
		['Token URL', { tokenUrl: '' }, /^Token URL is empty\./],
		['Token URL', { tokenUrl: 'http://api.example.com/login' }, /^Token URL must use HTTPS\./],
		[
			'Token URL',
			{ tokenUrl: 'https://user:pw@api.example.com/login' },
			/^Token URL must not contain a user name or password\./,
		],
		['Method', { method: 'DELETE' }, /^Method is not one of the offered choices\./],
		[
			'Send Login Values As',
			{ loginValuesIn: 'cookie' },
			/^Send Login Values As is not one of the offered choices\./,
		],
		[
			'GET with a body',
			{ method: 'GET', loginValuesIn: 'formBody' },
			/^a GET token request cannot carry a body\./,
		],
		['Password', { password: '  ' }, /^Password is empty\./],
		[
			'field names',
			{ userField: 'password' },
			/^Username Field Name and Password Field Name are the same\./,
		],
		[
			'header field name',
			{ loginValuesIn: 'headers', userField: 'X User' },
			/^Username Field Name is not a header name\./,
		],
		[
			'header value',
			{ loginValuesIn: 'headers', userField: 'X-User', passField: 'X-Pass', password: 'pa\nss' },
			/^Password holds characters that cannot be sent in an HTTP header/,
		],
		['Basic username', { loginValuesIn: 'basicAuth', username: 'a:b' }, /^Username holds a colon/],
		['Extra Fields', { extraFields: '{"scope": "read"' }, /^Extra Fields is not valid JSON\./],
		['Extra Fields', { extraFields: '["scope"]' }, /^Extra Fields is not a JSON object\./],
		[
			'Extra Fields',
			{ extraFields: '{"scope": ["a", "b"]}' },
			/^Extra Fields: "scope" is a list, which cannot be sent in a form body\./,
		],
		[
			'Extra Fields',
			{ extraFields: '{"password": "x"}' },
			/^Extra Fields repeats "password", the name of a login value\./,
		],
		['Token Path', { answerPath: 'data..jwt' }, /^Token Path is not a dot path\./],
		['Token Path', { answerPath: '$.data.jwt' }, /^Token Path is not a dot path\./],
		['Token Type Path', { answerTypePath: 'data[0]' }, /^Token Type Path is not a dot path\./],
		[
			'Expiry Path',
			{ expiryFormat: 'iso8601', expiryPath: '.' },
			/^Expiry Path is not a dot path\./,
		],
		[
			'Fixed Lifetime',
			{ expiryFormat: 'fixedLifetime', fixedLifetime: 0 },
			/^Fixed Lifetime \(Seconds\) must be a whole number/,
		],
		['Header Name', { headerName: 'Auth: x' }, /^Header Name is not a header name\./],
		['Header Value', { headerValue: 'Bearer' }, /^Header Value has no \{token\}\./],
		['Header Value', { headerValue: 'Bearer {access_token}' }, /^Header Value has no \{token\}\./],
		[
			'Header Value',
			{ headerValue: 'Bearer {token} {scope}' },
			/^Header Value has the unknown placeholder \{scope\}\./,
		],
		[
			'Header Value',
			{ headerValue: 'Bearer {token}\r\nX-Evil: 1' },
			/^Header Value holds characters that cannot be sent/,
		],
		[
			'Expired Token Status Codes',
			{ expiredStatusCodes: '401, 403, abc' },
			/^Expired Token Status Codes holds something that is not a status code from 400 to 599\./,
		],
		[
			'Expired Token Status Codes',
			{ expiredStatusCodes: '200' },
			/^Expired Token Status Codes holds "200", which is not a status code/,
		],
		['Test URL', { testUrl: 'ftp://api.example.com/me' }, /^Test URL must use HTTPS\./],
	])('%s: %j', async (_field, over, expected) => {
		const error = await failure(preAuthenticate(genericSettings(sandbox, over)));
		expect(error.step).toBe('settings');
		expect(error.message.replace(/^Custom Token Endpoint settings: /, '')).toMatch(expected);
		expect(generic().requests).toHaveLength(0);
	});

	it('the status list takes commas, spaces and repeats; empty means 401', () => {
		const read = (expiredStatusCodes: string | number | undefined) =>
			customEndpoint.readFields({ ...genericSettings(sandbox), expiredStatusCodes })
				.expiredStatusCodes;
		expect(read(' 401,403  419 ;403')).toEqual([401, 403, 419]);
		expect(read('')).toEqual([401]);
		expect(read(undefined)).toEqual([401]);
		expect(read(419)).toEqual([419]);
	});
});
