import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import { SANDBOX_ACCOUNTS } from '../accounts';
import { genericDefinition } from '../generic';
import type { Sandbox } from '../types';
import { WRONG, type VendorKit } from './types';

const A = SANDBOX_ACCOUNTS.customEndpoint;

/** The Custom Token Endpoint settings for the sandbox's generic API (its made-up contract). */
export function genericSettings(sandbox: Sandbox, over: IDataObject = {}): ICredentialDataDecryptedObject {
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
			'wrong password, sent in headers': genericSettings(sandbox, { password: WRONG.password, loginValuesIn: 'headers', userField: 'X-User', passField: 'X-Secret' }),
			'wrong password, HTTP Basic': genericSettings(sandbox, { password: WRONG.password, loginValuesIn: 'basicAuth' }),
		}),
		sent: [WRONG.password],
		leakSearch: [{ name: 'sandbox generic API password', value: A.password, kind: 'secret' }],
		// Token Path may be empty (Auto); the login needs a password or a client secret.
		requiredFields: ['password'],
		// Secrets pasted into the wrong field: the settings error names the field, never the value.
		badSettings: (base) => [
			['Extra Fields that do not parse', { ...base, extraFields: `{"client_secret": "${WRONG.apiKey}"` }],
			['Extra Fields that are not an object', { ...base, extraFields: `["${WRONG.apiKey}"]` }],
			['a Header Value without {token}', { ...base, headerValue: `Bearer ${WRONG.apiKey}` }],
			['a status list that is not one', { ...base, expiredStatusCodes: WRONG.apiKey }],
			['a Token Path that is not one', { ...base, answerPath: `$.${WRONG.apiKey}` }],
			['a Test URL with a password in it', { ...base, testUrl: `https://admin:${WRONG.password}@api.example.com/me` }],
			['a GET with a form body', { ...base, method: 'GET' }],
		],
		// Custom Token Endpoint quotes refusals too (cut of the secrets): "Incorrect password" is
		// what tells a wrong password from a wrong URL there. It reads a bare JSON string, then
		// error.message, error_description, message, error, detail (a FastAPI list too), title.
		quotesVendor: () => true,
		secretHeaders: [],
	},
	check: { example: 'custom-token-endpoint.json', expect: (json) => (json.data as Record<string, unknown> | undefined)?.username === A.username },
};
