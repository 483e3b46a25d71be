import type { ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

import {
	authenticateFor,
	credentialTest,
	preAuthenticationFor,
} from '../nodes/shared/credentialLifecycle';
import { customEndpoint, EXPIRY_AT_PATH } from '../nodes/shared/providers/customEndpoint';
import { tokenFields } from '../nodes/shared/tokenFields';

/** Shown for these Login Types only. */
const forTypes = (...loginType: string[]) => ({ show: { loginType } });
const custom = forTypes('custom');
const atPath = { show: { expiryFormat: [...EXPIRY_AT_PATH] } };
/** Shown where the login values go under names the user chooses. */
const underNames = {
	show: {
		loginType: ['custom', 'jsonLogin'],
		loginValuesIn: ['jsonBody', 'formBody', 'query', 'headers'],
	},
};

export class CustomTokenEndpointApi implements ICredentialType {
	name = 'customTokenEndpointApi';

	displayName = 'Custom Token Endpoint API';

	icon: Icon = {
		light: 'file:../icons/customEndpoint.svg',
		dark: 'file:../icons/customEndpoint.dark.svg',
	};

	documentationUrl =
		'https://github.com/n8n-nodes-token-auth/n8n-nodes-token-auth/blob/main/docs/custom-token-endpoint.md';

	properties: INodeProperties[] = [
		{
			displayName: 'Login Type',
			name: 'loginType',
			type: 'options',
			options: [
				{
					name: 'Custom',
					value: 'custom',
					description:
						'Any login request: method, how the values travel and their names are yours to set',
				},
				{
					name: 'JSON Login',
					value: 'jsonLogin',
					description:
						'POST {"username": "…", "password": "…"} as JSON, e.g. an API that answers with a JWT',
				},
				{
					name: 'OAuth 2.0 Client Credentials',
					value: 'oauth2ClientCredentials',
					description: 'grant_type=client_credentials with a client ID and secret (RFC 6749 §4.4)',
				},
				{
					name: 'OAuth 2.0 Password Grant',
					value: 'oauth2Password',
					description:
						'grant_type=password with a username and password, and the client when the server asks for it (RFC 6749 §4.3)',
				},
			],
			default: 'custom',
			description:
				'The shape of the token request. The answer is read automatically unless the settings below say otherwise.',
		},
		{
			displayName: 'Token URL',
			name: 'tokenUrl',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'https://api.example.com/auth/login',
			description:
				'The login or token endpoint, e.g. https://api.example.com/oauth/token. HTTPS (plain http only for localhost); a query string is kept.',
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
			description:
				'The HTTP method of the token request. A GET carries no body: send the login values as query parameters, headers or HTTP Basic then.',
			displayOptions: custom,
		},
		{
			displayName: 'Send Login Values As',
			name: 'loginValuesIn',
			type: 'options',
			options: [
				{
					name: 'Form Body',
					value: 'formBody',
					description: 'application/x-www-form-urlencoded, e.g. username=…&password=…',
				},
				{
					name: 'Headers',
					value: 'headers',
					description: 'One header each, named by the field names below',
				},
				{
					name: 'HTTP Basic Auth',
					value: 'basicAuth',
					description:
						'Authorization: Basic base64(username:password); extra fields go as a form body (a query on GET)',
				},
				{
					name: 'JSON Body',
					value: 'jsonBody',
					description: 'E.g. {"username": "…", "password": "…"}',
				},
				{ name: 'Query Parameters', value: 'query', description: 'E.g. ?username=…&password=…' },
			],
			default: 'jsonBody',
			description: 'How the username and password reach the token endpoint',
			displayOptions: custom,
		},
		{
			displayName: 'Username Field Name',
			name: 'userField',
			type: 'string',
			default: 'username',
			placeholder: 'email',
			description:
				'The key, query parameter or header the username goes in, e.g. username, email, or X-Username for headers',
			displayOptions: underNames,
		},
		{
			displayName: 'Username',
			name: 'username',
			type: 'string',
			default: '',
			placeholder: 'me@example.com',
			description:
				'The username or e-mail. Leave empty when the API takes the password (or key) alone.',
			displayOptions: forTypes('custom', 'jsonLogin', 'oauth2Password'),
		},
		{
			displayName: 'Password Field Name',
			name: 'passField',
			type: 'string',
			default: 'password',
			placeholder: 'secret',
			description:
				'The key, query parameter or header the password goes in, e.g. password, or X-Api-Secret for headers',
			displayOptions: underNames,
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'The password or API key (required unless a Client Secret is given). Sent as typed (spaces included) and never shown in errors.',
			displayOptions: forTypes('custom', 'jsonLogin', 'oauth2Password'),
		},
		{
			displayName: 'Client ID',
			name: 'clientId',
			type: 'string',
			default: '',
			placeholder: 'my-client',
			description:
				'The OAuth client ID. Optional for the password grant and Custom: leave empty when the server asks for no client.',
			displayOptions: forTypes('custom', 'oauth2ClientCredentials', 'oauth2Password'),
		},
		{
			displayName: 'Client Secret',
			name: 'clientSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'The OAuth client secret. Empty for a public client: its ID then travels in the body. Never shown in errors.',
			displayOptions: forTypes('custom', 'oauth2ClientCredentials', 'oauth2Password'),
		},
		{
			displayName: 'Client Authentication',
			name: 'clientAuth',
			type: 'options',
			options: [
				{
					name: 'HTTP Basic (RFC 6749, Form-Encoded)',
					value: 'basic',
					description:
						'client_secret_basic: ID and secret form-encoded, then Basic. What the OAuth standard says.',
				},
				{
					name: 'HTTP Basic (As Typed)',
					value: 'basicAsTyped',
					description:
						'For servers that do not decode the values: only for IDs and secrets of letters and digits',
				},
				{
					name: 'In the Body',
					value: 'body',
					description: 'client_secret_post: client_id and client_secret with the other values',
				},
			],
			default: 'basic',
			description: 'How the client ID and secret reach the token endpoint',
			displayOptions: forTypes('custom', 'oauth2ClientCredentials', 'oauth2Password'),
		},
		{
			displayName: 'Scope',
			name: 'scope',
			type: 'string',
			default: '',
			placeholder: 'read write',
			description: 'Optional: the scopes to ask for, separated by spaces',
			displayOptions: forTypes('oauth2ClientCredentials', 'oauth2Password'),
		},
		{
			displayName: 'Extra Fields (JSON)',
			name: 'extraFields',
			type: 'json',
			default: '{}',
			placeholder: '{"audience": "https://api.example.com"}',
			description:
				'Optional: other values the token request sends with the login values (audience, grant_type…), as a JSON object. They are settings, not secrets: secrets have their own fields above (a value under a name ending in key, secret, token or password is still cut from messages).',
		},
		{
			displayName: 'Token Path',
			name: 'answerPath',
			type: 'string',
			default: '',
			placeholder: 'Auto (access_token, token, jwt, data.…)',
			description:
				'Where the answer holds the token, as a dot path (data.jwt, items.0.token). Empty: Auto finds access_token, accessToken, token, jwt, id_token… at the top or one level down.',
		},
		{
			displayName: 'Token Type Path',
			name: 'answerTypePath',
			type: 'string',
			default: '',
			placeholder: 'Auto (token_type beside the token)',
			description:
				'Where the answer states the token type, for {tokenType} in the header value. Empty: Auto reads token_type or tokenType beside the token.',
		},
		{
			displayName: 'Expiry',
			name: 'expiryFormat',
			type: 'options',
			options: [
				{
					name: 'Auto',
					value: 'auto',
					description:
						'The JWT exp claim, else expires_in, expiresIn, expires_at, expires, exp… beside the token; none: kept until refused',
				},
				{
					name: 'Epoch Milliseconds at a Path',
					value: 'epochMilliseconds',
					description: 'E.g. {"expires_at": 1767225600000}',
				},
				{
					name: 'Epoch Seconds at a Path',
					value: 'epochSeconds',
					description: 'E.g. {"expires_at": 1767225600}',
				},
				{
					name: 'Fixed Lifetime',
					value: 'fixedLifetime',
					description: 'The API states no expiry: keep each token this many seconds',
				},
				{
					name: 'ISO 8601 Date at a Path',
					value: 'iso8601',
					description: 'E.g. {"expires_at": "2026-01-01T00:00:00Z"}',
				},
				{
					name: 'ISO 8601 Duration at a Path',
					value: 'iso8601Duration',
					description: 'E.g. {"expires_in": "PT1H"}',
				},
				{
					name: 'JWT Exp Claim of the Token',
					value: 'jwtExp',
					description:
						'The token is a JWT: its "exp" claim (not its signature) says when it expires',
				},
				{
					name: 'Milliseconds Left at a Path',
					value: 'millisecondsLeft',
					description: 'E.g. {"expires": 900000}',
				},
				{
					name: 'Seconds Left at a Path',
					value: 'secondsLeft',
					description: 'E.g. {"expires_in": 3600} or "3600"',
				},
			],
			default: 'auto',
			description:
				'How the answer states when the token expires. The token is refreshed shortly before (60 seconds, or a tenth of a short lifetime).',
		},
		{
			displayName: 'Expiry Path',
			name: 'expiryPath',
			type: 'string',
			default: 'expires_in',
			placeholder: 'data.expires_in',
			description:
				'Where the answer states the expiry, as a dot path, e.g. expires_in or data.expiresAt',
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
			displayName: 'Refresh With',
			name: 'refresh',
			type: 'options',
			options: [
				{
					name: 'OAuth 2.0 Refresh Grant',
					value: 'oauth2',
					description: 'grant_type=refresh_token as a form, with the client (RFC 6749 §6)',
				},
				{
					name: 'JSON Body',
					value: 'jsonBody',
					description: 'POST {"refresh_token": "…"} as JSON',
				},
				{
					name: 'Never',
					value: 'never',
					description: 'Log in again each time; ignore refresh tokens',
				},
			],
			default: 'oauth2',
			description:
				'When the answer holds a refresh token, the next token is asked for with it before a full login. A refused refresh falls back to the login.',
		},
		{
			displayName: 'Refresh URL',
			name: 'refreshUrl',
			type: 'string',
			default: '',
			placeholder: 'https://api.example.com/auth/refresh',
			description: 'Optional: where refresh requests go. Empty: the Token URL.',
			displayOptions: { show: { refresh: ['oauth2', 'jsonBody'] } },
		},
		{
			displayName: 'Refresh Token Path',
			name: 'refreshAnswerPath',
			type: 'string',
			default: '',
			placeholder: 'Auto (refresh_token beside the token)',
			description:
				'Where the answer holds the refresh token, as a dot path. Empty: Auto reads refresh_token or refreshToken beside the token.',
			displayOptions: { show: { refresh: ['oauth2', 'jsonBody'] } },
		},
		{
			displayName: 'Refresh Token Field Name',
			name: 'refreshFieldName',
			type: 'string',
			default: 'refresh_token',
			description:
				'The JSON key the refresh request carries the refresh token in, e.g. refresh_token or refreshToken',
			displayOptions: { show: { refresh: ['jsonBody'] } },
		},
		{
			displayName: 'Keep From Answer',
			name: 'keepFromAnswer',
			type: 'string',
			default: '',
			placeholder: 'instance_url, user.id',
			description:
				"Optional: dot paths of other values of the answer that Get Token outputs as fromAnswer (e.g. Salesforce's instance_url), separated by commas",
		},
		{
			displayName: 'Refused Login Status Codes',
			name: 'refusedStatusCodes',
			type: 'string',
			default: '400, 401, 403, 422',
			description:
				"Statuses of the token endpoint that mean wrong login values (OAuth's invalid_client and invalid_grant count whatever the status). A refused login is not sent again for 1 minute, then longer, so the account is not locked.",
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
			description:
				'The header value, with {token} where the token goes: Bearer {token}, {token} alone, or {tokenType} {token} with a Token Type Path',
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
			description:
				"The statuses the API answers a request whose token has expired, separated by commas, e.g. 401, 403, 419. This package's nodes refresh on them; see the docs for n8n's HTTP Request node.",
		},
		{
			displayName: 'Expired Token Text',
			name: 'expiredText',
			type: 'string',
			default: '',
			placeholder: 'token_expired',
			description:
				'Optional: only an answer containing this text counts as an expired token, e.g. token_expired, for APIs that answer 403 for other refusals too',
		},
		{
			displayName: 'Test URL',
			name: 'testUrl',
			type: 'string',
			default: '',
			placeholder: 'https://api.example.com/me',
			description:
				"Optional: an address the credential's Test calls (GET) with the token, e.g. https://api.example.com/me. Empty: the token request itself is the test.",
		},
		...tokenFields,
	];

	preAuthentication = preAuthenticationFor(customEndpoint);

	authenticate = authenticateFor(customEndpoint);

	// n8n runs the token request (preAuthentication) before this on every test: wrong values fail
	// there. Without a Test URL, this request goes to the Token URL and any status passes.
	test = credentialTest(
		{
			method: 'GET',
			url: '={{ String($credentials.testUrl || $credentials.tokenUrl).trim() }}',
			// An expression: n8n resolves every value of the test request, booleans included.
			ignoreHttpStatusErrors:
				'={{ !String($credentials.testUrl || "").trim() }}' as unknown as boolean,
		},
		// n8n would say only "Not Found" or "Unauthorized": say which request answered so.
		[404, 401, 403].map((value) => ({
			type: 'responseCode' as const,
			properties: {
				value,
				message:
					value === 404
						? 'Custom Token Endpoint test: the login worked, but the Test URL answered HTTP 404 (Not Found). Check the Test URL, or clear it to test the login alone.'
						: `Custom Token Endpoint test: the login worked, but the Test URL refused the token (HTTP ${value}). Check how the token is sent (Send Token In, Header Name, Header Value) and the Test URL.`,
			},
		})),
	);
}
