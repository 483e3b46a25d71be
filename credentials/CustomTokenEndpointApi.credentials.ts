import type { ICredentialTestRequest, ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

import { authenticateFor, preAuthenticationFor } from '../nodes/shared/provider';
import { customEndpoint } from '../nodes/shared/providers/customEndpoint';
import { tokenFields } from '../nodes/shared/tokenFields';

const inBody = { show: { loginValuesIn: ['jsonBody', 'formBody', 'query', 'headers'] } };
const atPath = { show: { expiryFormat: ['secondsLeft', 'epochSeconds', 'epochMilliseconds', 'iso8601'] } };

export class CustomTokenEndpointApi implements ICredentialType {
	name = 'customTokenEndpointApi';

	displayName = 'Custom Token Endpoint API';

	icon: Icon = { light: 'file:../icons/customEndpoint.svg', dark: 'file:../icons/customEndpoint.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-token-auth/n8n-nodes-token-auth/blob/main/docs/custom-token-endpoint.md';

	properties: INodeProperties[] = [
		{
			displayName: 'Token URL',
			name: 'tokenUrl',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'https://api.example.com/auth/login',
			description: 'The login or token endpoint, e.g. https://api.example.com/oauth/token. HTTPS (plain http only for localhost); a query string is kept.',
		},
		{
			displayName: 'Method',
			name: 'method',
			type: 'options',
			options: [
				{ name: 'GET', value: 'GET' },
				{ name: 'POST', value: 'POST' },
				{ name: 'PUT', value: 'PUT' },
			],
			default: 'POST',
			description: 'The HTTP method of the token request. A GET carries no body: send the login values as query parameters, headers or HTTP Basic then.',
		},
		{
			displayName: 'Send Login Values As',
			name: 'loginValuesIn',
			type: 'options',
			options: [
				{ name: 'Form Body', value: 'formBody', description: 'application/x-www-form-urlencoded, e.g. username=…&password=…' },
				{ name: 'Headers', value: 'headers', description: 'One header each, named by the field names below' },
				{ name: 'HTTP Basic Auth', value: 'basicAuth', description: 'Authorization: Basic base64(username:password); extra fields go as a form body (a query on GET)' },
				{ name: 'JSON Body', value: 'jsonBody', description: 'E.g. {"username": "…", "password": "…"}' },
				{ name: 'Query Parameters', value: 'query', description: 'E.g. ?username=…&password=…' },
			],
			default: 'jsonBody',
			description: 'How the username and password reach the token endpoint',
		},
		{
			displayName: 'Username Field Name',
			name: 'userField',
			type: 'string',
			default: 'username',
			placeholder: 'client_id',
			description: 'The key, query parameter or header the username goes in, e.g. username, email, client_id, or X-Username for headers',
			displayOptions: inBody,
		},
		{
			displayName: 'Username',
			name: 'username',
			type: 'string',
			default: '',
			placeholder: 'me@example.com',
			description: 'The username, e-mail or client ID. Leave empty when the API takes the secret alone.',
		},
		{
			displayName: 'Password Field Name',
			name: 'passField',
			type: 'string',
			default: 'password',
			placeholder: 'client_secret',
			description: 'The key, query parameter or header the password goes in, e.g. password, client_secret, or X-Api-Secret for headers',
			displayOptions: inBody,
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description: 'The password, client secret or API key. Sent as typed (spaces included) and never shown in errors.',
		},
		{
			displayName: 'Extra Fields (JSON)',
			name: 'extraFields',
			type: 'json',
			default: '',
			placeholder: '{"grant_type": "client_credentials", "scope": "read"}',
			description: 'Optional: other values the token request sends with the login values (scope, audience, grant_type…), as a JSON object. They are settings, not secrets: a secret belongs in Password.',
		},
		{
			displayName: 'Token Path',
			name: 'answerPath',
			type: 'string',
			required: true,
			default: 'access_token',
			placeholder: 'data.access_token',
			description: 'Where the answer holds the token, as a dot path: access_token for {"access_token": "…"}, data.jwt for {"data": {"jwt": "…"}}, items.0.token in a list',
		},
		{
			displayName: 'Token Type Path',
			name: 'answerTypePath',
			type: 'string',
			default: '',
			placeholder: 'token_type',
			description: 'Optional: where the answer states the token type (e.g. token_type), used for {tokenType} in the header value',
		},
		{
			displayName: 'Expiry',
			name: 'expiryFormat',
			type: 'options',
			options: [
				{ name: 'Epoch Milliseconds at a Path', value: 'epochMilliseconds', description: 'E.g. {"expires_at": 1767225600000}' },
				{ name: 'Epoch Seconds at a Path', value: 'epochSeconds', description: 'E.g. {"expires_at": 1767225600}' },
				{ name: 'Fixed Lifetime', value: 'fixedLifetime', description: 'The API states no expiry: keep each token this many seconds' },
				{ name: 'ISO 8601 Date at a Path', value: 'iso8601', description: 'E.g. {"expires_at": "2026-01-01T00:00:00Z"}' },
				{ name: 'JWT Exp Claim of the Token', value: 'jwtExp', description: 'The token is a JWT: its "exp" claim (not its signature) says when it expires' },
				{ name: 'Seconds Left at a Path', value: 'secondsLeft', description: 'E.g. {"expires_in": 3600} or "3600"' },
			],
			default: 'secondsLeft',
			description: 'How the answer states when the token expires. The token is refreshed shortly before (60 seconds, or a tenth of a short lifetime).',
		},
		{
			displayName: 'Expiry Path',
			name: 'expiryPath',
			type: 'string',
			default: 'expires_in',
			placeholder: 'data.expires_in',
			description: 'Where the answer states the expiry, as a dot path, e.g. expires_in or data.expiresAt',
			displayOptions: atPath,
		},
		{
			displayName: 'Fixed Lifetime (Seconds)',
			name: 'fixedLifetime',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 3600,
			description: 'How long a token stays valid, e.g. 3600 for an hour, as the API documents it',
			displayOptions: { show: { expiryFormat: ['fixedLifetime'] } },
		},
		{
			displayName: 'Send Token In',
			name: 'sendIn',
			type: 'options',
			options: [
				{ name: 'Header', value: 'header' },
				{ name: 'Query Parameter', value: 'query' },
			],
			default: 'header',
			description: 'How later requests carry the token',
		},
		{
			displayName: 'Header Name',
			name: 'headerName',
			type: 'string',
			default: 'Authorization',
			placeholder: 'X-Auth-Token',
			description: 'The header that carries the token, e.g. Authorization or X-Auth-Token',
			displayOptions: { show: { sendIn: ['header'] } },
		},
		{
			displayName: 'Header Value',
			name: 'headerValue',
			type: 'string',
			default: 'Bearer {token}',
			placeholder: 'Bearer {token}',
			description: 'The header value, with {token} where the token goes: Bearer {token}, {token} alone, or {tokenType} {token} with a Token Type Path',
			displayOptions: { show: { sendIn: ['header'] } },
		},
		{
			displayName: 'Query Parameter Name',
			name: 'queryParameterName',
			type: 'string',
			default: 'access_token',
			description: 'The query parameter that carries the token, e.g. access_token or api_token',
			displayOptions: { show: { sendIn: ['query'] } },
		},
		{
			displayName: 'Expired Token Status Codes',
			name: 'expiredStatusCodes',
			type: 'string',
			default: '401',
			placeholder: '401, 403, 419',
			description: "The statuses the API answers a request whose token has expired, separated by commas, e.g. 401, 403, 419. This package's nodes refresh on them; see the docs for n8n's HTTP Request node.",
		},
		{
			displayName: 'Expired Token Text',
			name: 'expiredText',
			type: 'string',
			default: '',
			placeholder: 'token_expired',
			description: 'Optional: only an answer containing this text counts as an expired token, e.g. token_expired, for APIs that answer 403 for other refusals too',
		},
		{
			displayName: 'Test URL',
			name: 'testUrl',
			type: 'string',
			default: '',
			placeholder: 'https://api.example.com/me',
			description: "Optional: an address the credential's Test calls (GET) with the token, e.g. https://api.example.com/me. Empty: the token request itself is the test.",
		},
		...tokenFields,
	];

	preAuthentication = preAuthenticationFor(customEndpoint);

	authenticate = authenticateFor(customEndpoint);

	// n8n runs the token request (preAuthentication) before this on every test: wrong values fail
	// there. Without a Test URL, this request goes to the Token URL and any status passes.
	test: ICredentialTestRequest = {
		request: {
			// It carries the token: never to wherever a redirect points.
			disableFollowRedirect: true,
			method: 'GET',
			url: '={{ String($credentials.testUrl || $credentials.tokenUrl).trim() }}',
			// An expression: n8n resolves every value of the test request, booleans included.
			ignoreHttpStatusErrors: '={{ !String($credentials.testUrl || "").trim() }}' as unknown as boolean,
		},
	};
}
