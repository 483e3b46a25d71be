/**
 * Galileo (FastAPI). baseUrl = origin (a user types https://api.<x>.rungalileo.io).
 *
 * - GET /v1/token and /v2/token: `Galileo-API-Key: <key>` or HTTP Basic (or a live Bearer
 *   access token: OAuth2PasswordBearer is in the OpenAPI security list); optional query
 *   `organization_id` (uuid, else 422 uuid_parsing) or `organization_slug` →
 *   200 {"access_token","token_type":"bearer","expires_at":"YYYY-MM-DDTHH:MM:SSZ"}
 * - GET /v1|v2/current_user: `Authorization: Bearer <access_token>` (or the API key header)
 *   → 200 {"id","email"}
 * - GET /v1|v2/healthcheck: no auth → 200
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

import { SANDBOX_ACCOUNTS } from './accounts';
import type { Ctx, EchoResult, Reply, VendorDefinition, VendorServerImpl } from './server';
import { header, json, parseBasic, parseBearer } from './server';
import type { NoSettings } from './types';

const ACCOUNT = SANDBOX_ACCOUNTS.galileo;
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

const detail = (status: number, message: string): Reply => json(status, { detail: message });

const b64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Whole seconds, UTC, no millis: 2023-11-07T05:31:56Z */
export function galileoTime(date: Date): string {
	return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Later-call check (current_user and /__sandbox/echo). */
function authenticate(headers: IncomingHttpHeaders, srv: VendorServerImpl<NoSettings>): EchoResult {
	const authorization = header(headers, 'authorization');
	if (authorization !== undefined) {
		const record = srv.lookup(parseBearer(authorization), 'final');
		if (record) {
			return { ok: true, account: record.account, receivedHeaders: { authorization } };
		}
	}
	const apiKey = header(headers, 'galileo-api-key');
	if (apiKey !== undefined) {
		if (apiKey === ACCOUNT.apiKey) {
			return {
				ok: true,
				account: ACCOUNT.user.email,
				receivedHeaders: { 'galileo-api-key': apiKey },
			};
		}
		return { ok: false, reply: detail(401, 'Invalid API key') };
	}
	if (authorization !== undefined) {
		return {
			ok: false,
			reply: {
				...detail(401, 'Could not validate credentials'),
				headers: { 'www-authenticate': 'Bearer' },
			},
		};
	}
	return { ok: false, reply: detail(401, 'Not authenticated') };
}

function tokenHandler(ctx: Ctx<NoSettings>): Reply {
	const { headers, query, srv } = ctx;
	// Who is asking (FastAPI resolves the security dependency before reporting query errors).
	const apiKey = header(headers, 'galileo-api-key');
	const authorization = header(headers, 'authorization');
	if (apiKey !== undefined) {
		if (apiKey !== ACCOUNT.apiKey) return detail(401, 'Invalid API key');
	} else if (authorization !== undefined && /^Basic /i.test(authorization)) {
		const basic = parseBasic(authorization);
		if (!basic || basic.user !== ACCOUNT.user.username || basic.pass !== ACCOUNT.user.password) {
			return detail(401, 'Invalid username or password');
		}
	} else if (authorization !== undefined) {
		if (!srv.lookup(parseBearer(authorization), 'final')) {
			return {
				...detail(401, 'Could not validate credentials'),
				headers: { 'www-authenticate': 'Bearer' },
			};
		}
	} else {
		return detail(401, 'Not authenticated');
	}

	const organizationId = query.get('organization_id');
	const organizationSlug = query.get('organization_slug');
	if (organizationId !== null && !UUID.test(organizationId)) {
		return json(422, {
			detail: [
				// The documented ValidationError: loc, msg, type (nothing else).
				{
					loc: ['query', 'organization_id'],
					msg: 'Input should be a valid UUID, unable to parse string as a UUID',
					type: 'uuid_parsing',
				},
			],
		});
	}
	if (
		(organizationId !== null &&
			organizationId.replace(/-/g, '').toLowerCase() !==
				ACCOUNT.organization.id.replace(/-/g, '')) ||
		(organizationId === null &&
			organizationSlug !== null &&
			organizationSlug !== ACCOUNT.organization.slug)
	) {
		return detail(404, 'Organization not found');
	}
	const record = srv.issue({
		account: ACCOUNT.user.email,
		tokenType: 'bearer',
		announce: 'seconds',
		meta: { organization_id: ACCOUNT.organization.id },
	});
	return json(200, galileoDefinition.tokenAnswer.body(record, srv));
}

export const galileoDefinition: VendorDefinition<NoSettings> = {
	vendor: 'galileo',
	basePath: '',
	defaultLifetimeSeconds: 86400,
	defaultSettings: {},
	mintToken: (input) =>
		[
			b64url({ alg: 'HS256', typ: 'JWT' }),
			b64url({
				sub: ACCOUNT.user.id,
				email: input.account,
				organization_id: input.meta.organization_id ?? ACCOUNT.organization.id,
				iat: Math.floor(input.issuedAtMs / 1000),
				exp: Math.floor(input.validUntilMs / 1000),
				jti: randomUUID(),
			}),
			randomBytes(32).toString('base64url'),
		].join('.'),
	tokenAnswer: {
		tokenField: 'access_token',
		expiryField: 'expires_at',
		badExpiryValue: 'not-a-date',
		defaultAccount: ACCOUNT.user.email,
		tokenType: () => 'bearer',
		announce: () => 'seconds',
		body: (record) => ({
			access_token: record.token,
			token_type: 'bearer',
			expires_at: galileoTime(record.expiresAt ?? record.validUntil),
		}),
	},
	errorReply: (status, message) => detail(status, message),
	unauthorizedReply: () => detail(401, 'Invalid API key'),
	messageReply: (status, message) => detail(status, message),
	echo: (ctx) => authenticate(ctx.headers, ctx.srv),
	routes: [
		...['v1', 'v2'].flatMap((version) => [
			{ method: 'GET', path: `/${version}/token`, token: true, handle: tokenHandler },
			{
				method: 'GET',
				path: `/${version}/current_user`,
				handle: ({ headers, srv }: Ctx<NoSettings>) => {
					const auth = authenticate(headers, srv);
					if (!auth.ok) return auth.reply;
					return json(200, { id: ACCOUNT.user.id, email: auth.account });
				},
			},
			{
				method: 'GET',
				path: `/${version}/healthcheck`,
				handle: () => json(200, { api_version: version, message: 'ok' }),
			},
		]),
	],
};
