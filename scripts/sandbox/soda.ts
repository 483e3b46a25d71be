/**
 * Soda Cloud Reporting API (FastAPI). baseUrl = origin + '/v1'.
 *
 * - GET /v1/get_token, HTTP Basic e-mail:password →
 *   200 {"user","token","organization_id","expires_in"} | 401 {"detail":"Invalid credentials"}
 * - GET /v1/last_etl_refresh, header `SODA_TOKEN: <token>` or `X-API-KEY-ID` + `X-API-KEY-SECRET`
 *   → 200 {"last_etl_refresh": iso} | 202, no body ("no data", setting lastEtlRefresh) | 401 {"detail": ...}
 * - GET /v1/ping, no auth → 200
 */
import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

import { SANDBOX_ACCOUNTS } from './accounts';
import type { EchoResult, Reply, VendorDefinition, VendorServerImpl } from './server';
import { header, json, parseBasic } from './server';
import type { SodaSettings } from './types';

const ACCOUNT = SANDBOX_ACCOUNTS.sodaCloud;

const detail = (status: number, message: string): Reply => json(status, { detail: message });
const invalidCredentials = (): Reply => ({
	...detail(401, 'Invalid credentials'),
	headers: { 'www-authenticate': 'Basic' },
});

/** The later-call check shared by /v1/last_etl_refresh and /__sandbox/echo. */
function authenticate(
	headers: IncomingHttpHeaders,
	srv: VendorServerImpl<SodaSettings>,
): EchoResult {
	const token = header(headers, 'soda_token');
	if (token !== undefined) {
		const record = srv.lookup(token, 'final');
		if (record)
			return { ok: true, account: record.account, receivedHeaders: { soda_token: token } };
	}
	const keyId = header(headers, 'x-api-key-id');
	const keySecret = header(headers, 'x-api-key-secret');
	if (keyId !== undefined || keySecret !== undefined) {
		if (keyId === ACCOUNT.apiKey.id && keySecret === ACCOUNT.apiKey.secret) {
			return {
				ok: true,
				account: ACCOUNT.apiKey.email,
				receivedHeaders: { 'x-api-key-id': keyId, 'x-api-key-secret': keySecret },
			};
		}
		return { ok: false, reply: detail(401, 'Invalid API key') };
	}
	if (token !== undefined) return { ok: false, reply: detail(401, 'Invalid or expired token') };
	return { ok: false, reply: detail(401, 'Not authenticated') };
}

export const sodaDefinition: VendorDefinition<SodaSettings> = {
	vendor: 'sodaCloud',
	basePath: '/v1',
	defaultLifetimeSeconds: 1800,
	defaultSettings: { lastEtlRefresh: 'data' },
	mintToken: () => randomBytes(32).toString('base64url'),
	tokenAnswer: {
		tokenField: 'token',
		expiryField: 'expires_in',
		badExpiryValue: 'soon',
		defaultAccount: ACCOUNT.user.email,
		tokenType: () => 'SODA_TOKEN',
		announce: () => 'exact',
		body: (record, srv) => ({
			user: record.account,
			token: record.token,
			organization_id: ACCOUNT.user.organizationId,
			expires_in: srv.lifetimeSeconds,
		}),
	},
	errorReply: (status, message) => detail(status, message),
	unauthorizedReply: invalidCredentials,
	messageReply: (status, message) => detail(status, message),
	echo: (ctx) => authenticate(ctx.headers, ctx.srv),
	routes: [
		{
			method: 'GET',
			path: '/v1/get_token',
			token: true,
			handle: ({ headers, srv }) => {
				const basic = parseBasic(header(headers, 'authorization'));
				if (!basic || basic.user !== ACCOUNT.user.email || basic.pass !== ACCOUNT.user.password) {
					return invalidCredentials();
				}
				const record = srv.issue({ account: basic.user, tokenType: 'SODA_TOKEN' });
				return json(200, sodaDefinition.tokenAnswer.body(record, srv));
			},
		},
		{
			method: 'GET',
			path: '/v1/last_etl_refresh',
			handle: ({ headers, srv }) => {
				const auth = authenticate(headers, srv);
				if (!auth.ok) return auth.reply;
				if (srv.settings.lastEtlRefresh === 'noData') return { status: 202 };
				return json(200, { last_etl_refresh: new Date(srv.clock() - 3_600_000).toISOString() });
			},
		},
		{
			method: 'GET',
			path: '/v1/ping',
			handle: () => json(200, { status: 'ok' }),
		},
	],
};
