import fc from 'fast-check';
import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import { SANDBOX_ACCOUNTS } from '../accounts';
import { genericDefinition } from '../generic';
import type { Sandbox } from '../types';
import { checkCustomFields, field, junk, jwt, secondsLeft, tokenValue, url } from './properties';
import { refusedLoginAnswers, same, WRONG, type VendorKit } from './types';

const A = SANDBOX_ACCOUNTS.customEndpoint;

/** The Custom Token Endpoint settings for the sandbox's generic API (its made-up contract). */
export function genericSettings(
	sandbox: Sandbox,
	over: IDataObject = {},
): ICredentialDataDecryptedObject {
	const base = sandbox.vendors.customEndpoint.baseUrl;
	return {
		tokenUrl: `${base}/auth/login`,
		method: 'POST',
		loginValuesIn: 'formBody',
		userField: 'username',
		username: A.username,
		passField: 'password',
		password: A.password,
		extraFields: '{"grant_type": "password"}',
		answerPath: 'data.jwt',
		answerTypePath: 'data.token_type',
		expiryFormat: 'jwtExp',
		sendIn: 'header',
		headerName: 'Authorization',
		headerValue: 'Bearer {token}',
		expiredStatusCodes: '401, 403',
		expiredText: '',
		testUrl: `${base}/me`,
		...over,
	} as ICredentialDataDecryptedObject;
}

/** A JWT that expires in the year 2999. */
const SAMPLE_JWT = `eyJhbGciOiJIUzI1NiJ9.${Buffer.from('{"sub":"x","exp":32503680000}').toString('base64url')}.c2ln`;

/** Custom Token Endpoint settings for the generic API's shape (its token answer's reader needs them). */
const READER_SETTINGS = {
	tokenUrl: 'https://api.example.com/auth/login',
	password: 'pw',
	answerPath: 'data.jwt',
	answerTypePath: 'data.token_type',
	expiryFormat: 'jwtExp',
	headerValue: '{tokenType} {token}',
};

/** Custom Token Endpoint, against the sandbox's generic API (a made-up contract, CONTRACTS.md). */
export const customEndpoint: VendorKit<'customEndpoint'> = {
	server: genericDefinition,
	fixture: (server, sandbox) => ({
		good: genericSettings(sandbox),
		bad: genericSettings(sandbox, { password: 'wrong-password' }),
		expectedHeaders: (token) => ({ Authorization: `Bearer ${token}` }),
		urlField: 'tokenUrl',
		exampleUrls: [['https://api.example.com/api', server.baseUrl]],
	}),
	answerHasExpiry: true,
	// The generic API's JWT states epoch seconds.
	pastExpiry: (past) => Math.floor(past.getTime() / 1000),
	secrets: {
		// The form login the generic API takes, and two shapes it refuses (415), quoting its reason.
		credentials: (_server, sandbox) => ({
			'wrong password': genericSettings(sandbox, { password: WRONG.password }),
			'wrong password, sent in headers': genericSettings(sandbox, {
				password: WRONG.password,
				loginValuesIn: 'headers',
				userField: 'X-User',
				passField: 'X-Secret',
			}),
			'wrong password, HTTP Basic': genericSettings(sandbox, {
				password: WRONG.password,
				loginValuesIn: 'basicAuth',
			}),
		}),
		sent: [WRONG.password],
		leakSearch: [{ name: 'sandbox generic API password', value: A.password, kind: 'secret' }],
		// Token Path may be empty (Auto); the login needs a password or a client secret.
		requiredFields: ['password'],
		// Secrets pasted into the wrong field: the settings error names the field, never the value.
		badSettings: (base) => [
			[
				'Extra Fields that do not parse',
				{ ...base, extraFields: `{"client_secret": "${WRONG.apiKey}"` },
			],
			['Extra Fields that are not an object', { ...base, extraFields: `["${WRONG.apiKey}"]` }],
			['a Header Value without {token}', { ...base, headerValue: `Bearer ${WRONG.apiKey}` }],
			['a status list that is not one', { ...base, expiredStatusCodes: WRONG.apiKey }],
			['a Token Path that is not one', { ...base, answerPath: `$.${WRONG.apiKey}` }],
			[
				'a Test URL with a password in it',
				{ ...base, testUrl: `https://admin:${WRONG.password}@api.example.com/me` },
			],
			['a GET with a form body', { ...base, method: 'GET' }],
		],
		// Custom Token Endpoint quotes refusals too (cut of the secrets): "Incorrect password" is
		// what tells a wrong password from a wrong URL there. It reads a bare JSON string, then
		// error.message, error_description, message, error, detail (a FastAPI list too), title.
		quotesVendor: () => true,
		secretHeaders: [],
	},
	contract: {
		tokenCall: (server) => ({
			url: `${server.baseUrl}/auth/login`,
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams({ username: A.username, password: A.password }).toString(),
		}),
		// The token is a JWT whose exp claim is the expiry.
		tokenField: 'data.jwt',
		expiryField: null,
		checkDenied: (answer) => {
			const body = answer.json() as { status?: unknown; error?: { code?: unknown } };
			same('401 body status', body.status, 'error');
			if (!/^(unauthenticated|invalid_token)$/.test(String(body.error?.code)))
				throw new Error(`401 error code: ${String(body.error?.code)}`);
		},
		checkRefusedLogin: refusedLoginAnswers(
			'{"status":"error","error":{"code":"invalid_credentials","message":"Invalid username or password"}}',
		),
		messageOf: (answer) => {
			const body = answer.json();
			same('error body keys', Object.keys(body), ['status', 'error']);
			return (body.error as Record<string, unknown>).message as string;
		},
	},
	properties: {
		// The generic API's shape, read with READER_SETTINGS (data.jwt, data.token_type, the JWT's exp).
		answer: fc.record(
			{
				status: fc.oneof(fc.constantFrom('ok', 'error'), junk),
				data: fc.oneof(
					fc.record(
						{
							jwt: fc.oneof(jwt, tokenValue),
							token_type: fc.oneof(fc.constantFrom('Bearer', 'JWT', '', ' '), junk),
							expires_in: secondsLeft,
						},
						{ requiredKeys: [] },
					),
					junk,
				),
				error: fc.oneof(
					fc.record({ code: fc.string(), message: junk }, { requiredKeys: [] }),
					junk,
				),
			},
			{ requiredKeys: [] },
		),
		documentedAnswer: { status: 'ok', data: { jwt: SAMPLE_JWT, token_type: 'Bearer' } },
		documentedToken: SAMPLE_JWT,
		readerSettings: READER_SETTINGS,
		checkFields: checkCustomFields,
		credentialFields: {
			tokenUrl: url,
			method: field('POST', 'GET', 'PUT', 'DELETE'),
			loginValuesIn: field('jsonBody', 'formBody', 'query', 'headers', 'basicAuth'),
			userField: field('username', 'client_id', 'X-User', 'bad name'),
			username: field('me', 'a:b', 'line\nbreak'),
			passField: field('password', 'username', 'X-Secret'),
			password: field('pw', ' pw with spaces '),
			extraFields: field(
				'',
				'{}',
				'{"grant_type":"password"}',
				'{"scope":["a"]}',
				'{"password":"x"}',
				'not json',
				'[1]',
				'{"X-Api-Key":"k"}',
			),
			answerPath: field(
				'access_token',
				'data.jwt',
				'items.0.token',
				'',
				'data..jwt',
				'$.token',
				'.x',
			),
			answerTypePath: field('', 'token_type', 'a b'),
			expiryFormat: field(
				'secondsLeft',
				'epochSeconds',
				'epochMilliseconds',
				'iso8601',
				'jwtExp',
				'fixedLifetime',
				'never',
			),
			expiryPath: field('expires_in', 'data.expires_in', ''),
			fixedLifetime: field(3600, '3600', 0, -1, 1.5, 1e12),
			sendIn: field('header', 'query', 'cookie'),
			headerName: field('Authorization', 'X-Auth-Token', 'Bad Header', ''),
			headerValue: field(
				'Bearer {token}',
				'{token}',
				'{tokenType} {token}',
				'Bearer',
				'{tok}',
				'Bearer {token}\r\nX: 1',
			),
			queryParameterName: field('access_token', ''),
			expiredStatusCodes: field('401', '401, 403, 419', '', '200', 'abc', '4011', 401),
			expiredText: field('', 'token_expired'),
			testUrl: fc.oneof(url, fc.constantFrom('', undefined)),
		},
	},
	check: {
		expect: (json) => (json.data as Record<string, unknown> | undefined)?.username === A.username,
	},
};
