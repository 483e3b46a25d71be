// oidc-provider (panva, OpenID Certified) as a client-credentials token server, on 127.0.0.1.
//
//   node scripts/authServers/oidcProvider.mjs [--port 0] [--cc-ttl 600]
//
// Everything the token, revocation and introspection endpoints answer is oidc-provider's own
// (its built-in in-memory adapter stores the tokens). Ours: the configuration, the request
// counters, the admin routes, and GET /api/me, a protected resource that looks the bearer token
// up through the provider's own model (provider.ClientCredentials.find: unknown, expired and
// revoked tokens are not found).
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

import { adminRoute, createStats, fail, intFlag, listen, ready, sendJson } from './common.mjs';

export const BASIC_CLIENT = { clientId: 'n8n-client', clientSecret: 's3cr+t/with=odd%chars:ok' };
export const POST_CLIENT = { clientId: 'n8n-post-client', clientSecret: 'PostSecret123' };

async function main() {
	const ccTtl = intFlag('cc-ttl', 600);
	let provider;
	let handler;
	const stats = createStats((req, path) => req.method === 'POST' && path === '/token');

	const server = createServer((req, res) => {
		if (adminRoute(req, res, stats)) return;
		stats.track(req, res);
		if (!handler) return sendJson(res, 503, { error: 'starting' });
		const path = (req.url ?? '/').split('?')[0];
		if (path === '/api/me') {
			protectedResource(provider, req, res).catch((error) =>
				sendJson(res, 500, { error: String(error) }),
			);
			return undefined;
		}
		return handler(req, res);
	});
	const port = await listen(server);
	const issuer = `http://127.0.0.1:${port}`;

	const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
	const jwk = {
		...privateKey.export({ format: 'jwk' }),
		kid: 'auth-servers-dev',
		use: 'sig',
		alg: 'RS256',
	};

	provider = new Provider(issuer, {
		clients: [
			{
				client_id: BASIC_CLIENT.clientId,
				client_secret: BASIC_CLIENT.clientSecret,
				token_endpoint_auth_method: 'client_secret_basic',
				grant_types: ['client_credentials'],
				response_types: [],
				redirect_uris: [],
				scope: 'api:read',
			},
			{
				client_id: POST_CLIENT.clientId,
				client_secret: POST_CLIENT.clientSecret,
				token_endpoint_auth_method: 'client_secret_post',
				grant_types: ['client_credentials'],
				response_types: [],
				redirect_uris: [],
				scope: 'api:read',
			},
		],
		jwks: { keys: [jwk] },
		cookies: { keys: ['auth-servers-dev-cookie-key'] },
		scopes: ['api:read'],
		features: {
			devInteractions: { enabled: false },
			clientCredentials: { enabled: true },
			introspection: { enabled: true },
			revocation: { enabled: true },
			// Left on (the default) with no default resource: a client-credentials request without
			// `resource` gets an opaque token kept by the provider, which /api/me can look up.
			resourceIndicators: { enabled: true },
		},
		ttl: {
			ClientCredentials: ccTtl,
			AccessToken: ccTtl,
		},
	});
	provider.proxy = false;
	handler = provider.callback();

	ready(server, { port, issuer, ccTtl, basicClient: BASIC_CLIENT, postClient: POST_CLIENT });
}

async function protectedResource(provider, req, res) {
	const challenge = { 'www-authenticate': 'Bearer realm="api", error="invalid_token"' };
	if (req.method !== 'GET') return sendJson(res, 405, { error: 'method_not_allowed' });
	const match = /^Bearer ([^\s]+)$/i.exec(req.headers.authorization ?? '');
	if (!match)
		return sendJson(
			res,
			401,
			{ error: 'invalid_token', error_description: 'no bearer token' },
			challenge,
		);
	const token = await provider.ClientCredentials.find(match[1]);
	if (!token || token.isExpired) {
		return sendJson(
			res,
			401,
			{ error: 'invalid_token', error_description: 'token unknown, expired or revoked' },
			challenge,
		);
	}
	return sendJson(res, 200, {
		clientId: token.clientId,
		scope: token.scope ?? null,
		exp: token.exp,
	});
}

main().catch(fail);
