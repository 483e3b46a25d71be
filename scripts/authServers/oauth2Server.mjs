// @node-oauth/oauth2-server behind plain node:http, on 127.0.0.1.
//
//   node scripts/authServers/oauth2Server.mjs [--port 0] [--access-ttl 3600] [--refresh-ttl 1209600]
//
// POST /token (password, client_credentials, refresh_token grants; client auth by Basic or body)
// and GET /api/me (the library's authenticate) are the library's own handlers. Ours: the in-memory
// model it demands (clients, a user, tokens), the bridge between node:http and its
// Request/Response classes, the request counters and the ADMIN routes:
//   POST /__admin/revoke-access-tokens  forget every access token now (refresh tokens stay)
//   GET  /__admin/stats (with byGrant / failedByGrant: token calls by grant_type), POST /__admin/reset
import { createServer } from 'node:http';

import OAuth2Server from '@node-oauth/oauth2-server';

import {
	adminRoute,
	createStats,
	fail,
	intFlag,
	listen,
	readBody,
	ready,
	sendJson,
} from './common.mjs';

const { Request, Response, OAuthError } = OAuth2Server;

export const PW_CLIENT = { clientId: 'pw-client', clientSecret: 'PwClientSecret2024' };
/** Same grants, a secret with `+ / = % :`: shows whether Basic credentials are URL-decoded. */
export const ODD_CLIENT = { clientId: 'odd-client', clientSecret: 's3cr+t/with=odd%chars:ok' };
export const USER = { username: 'alice@example.com', password: 'Wonderland-42' };

function createModel() {
	const grants = ['password', 'client_credentials', 'refresh_token'];
	const clients = [PW_CLIENT, ODD_CLIENT].map((c) => ({
		id: c.clientId,
		secret: c.clientSecret,
		grants,
	}));
	const users = [{ id: 'alice', username: USER.username, password: USER.password }];
	/** accessToken → token, refreshToken → token */
	const accessTokens = new Map();
	const refreshTokens = new Map();
	const publicClient = (client) => ({ id: client.id, grants: client.grants });
	return {
		accessTokens,
		async getClient(clientId, clientSecret) {
			const client = clients.find((c) => c.id === clientId);
			if (!client) return undefined;
			if (clientSecret !== null && clientSecret !== undefined && clientSecret !== client.secret)
				return undefined;
			return publicClient(client);
		},
		async getUser(username, password) {
			const user = users.find((u) => u.username === username && u.password === password);
			return user ? { id: user.id, username: user.username } : undefined;
		},
		async getUserFromClient(client) {
			return { id: `client:${client.id}` };
		},
		async saveToken(token, client, user) {
			const saved = { ...token, client: { id: client.id }, user };
			if (saved.accessToken) accessTokens.set(saved.accessToken, saved);
			if (saved.refreshToken) refreshTokens.set(saved.refreshToken, saved);
			return saved;
		},
		async getAccessToken(accessToken) {
			return accessTokens.get(accessToken);
		},
		async getRefreshToken(refreshToken) {
			return refreshTokens.get(refreshToken);
		},
		async revokeToken(token) {
			return refreshTokens.delete(token.refreshToken);
		},
	};
}

async function toLibraryRequest(req) {
	const url = new URL(req.url ?? '/', 'http://127.0.0.1');
	const text = await readBody(req);
	const type = String(req.headers['content-type'] ?? '');
	let body = {};
	if (type.startsWith('application/x-www-form-urlencoded'))
		body = Object.fromEntries(new URLSearchParams(text));
	else if (type.startsWith('application/json') && text) {
		try {
			body = JSON.parse(text);
		} catch {
			body = {};
		}
	}
	return new Request({
		headers: req.headers,
		method: req.method,
		query: Object.fromEntries(url.searchParams),
		body,
	});
}

/** Writes the library's Response, or an OAuthError it threw before filling one. */
function answer(res, response, error) {
	if (error && !(error instanceof OAuthError)) {
		sendJson(res, 500, { error: 'server_error', error_description: String(error) });
		return;
	}
	const headers = { ...response.headers };
	let status = response.status;
	let body = response.body;
	if (error && !(body && body.error)) {
		status = error.code;
		body = { error: error.name, error_description: error.message };
	} else if (error) status = error.code;
	if (status === 204 || body === undefined) {
		res.writeHead(status, headers);
		res.end();
	} else sendJson(res, status, body, headers);
}

async function main() {
	const accessTtl = intFlag('access-ttl', 3600);
	const refreshTtl = intFlag('refresh-ttl', 1209600);
	const model = createModel();
	const oauth = new OAuth2Server({
		model,
		accessTokenLifetime: accessTtl,
		refreshTokenLifetime: refreshTtl,
		alwaysIssueNewRefreshToken: true,
	});
	const counted = createStats((req, path) => req.method === 'POST' && path === '/token');
	// Token calls by grant_type (ours, additive): GET /__admin/stats also answers byGrant and
	// failedByGrant (non-2xx), e.g. {"password": 1, "refresh_token": 2}.
	let grants = { byGrant: {}, failedByGrant: {} };
	const stats = {
		...counted,
		snapshot: () => ({ ...counted.snapshot(), ...structuredClone(grants) }),
		reset: () => {
			counted.reset();
			grants = { byGrant: {}, failedByGrant: {} };
		},
	};
	const countGrant = (res, grant) =>
		res.on('finish', () => {
			const key = typeof grant === 'string' && grant !== '' ? grant : '(none)';
			grants.byGrant[key] = (grants.byGrant[key] ?? 0) + 1;
			if (res.statusCode < 200 || res.statusCode > 299)
				grants.failedByGrant[key] = (grants.failedByGrant[key] ?? 0) + 1;
		});
	const admin = {
		'POST /__admin/revoke-access-tokens': (_req, res) => {
			const revoked = model.accessTokens.size;
			model.accessTokens.clear();
			sendJson(res, 200, { revoked });
		},
	};

	const server = createServer((req, res) => {
		if (adminRoute(req, res, stats, admin)) return;
		stats.track(req, res);
		const path = (req.url ?? '/').split('?')[0];
		void (async () => {
			const response = new Response({ headers: {} });
			try {
				if (path === '/token') {
					const request = await toLibraryRequest(req);
					if (req.method === 'POST') countGrant(res, request.body.grant_type);
					await oauth.token(request, response);
					answer(res, response);
				} else if (path === '/api/me') {
					const request = await toLibraryRequest(req);
					const token = await oauth.authenticate(request, response);
					sendJson(res, 200, {
						user: token.user,
						clientId: token.client.id,
						accessTokenExpiresAt: token.accessTokenExpiresAt.toISOString(),
					});
				} else sendJson(res, 404, { error: 'not_found' });
			} catch (error) {
				answer(res, response, error);
			}
		})();
	});
	const port = await listen(server);
	ready(server, {
		port,
		accessTtl,
		refreshTtl,
		client: PW_CLIENT,
		oddClient: ODD_CLIENT,
		user: USER,
	});
}

main().catch(fail);
