/**
 * Manis Unified API. baseUrl = origin (the vendor docs lost their host).
 *
 * - POST /api/v1/auth/token, no body, headers `x-merchant-id` + `x-secret` →
 *   200 {"tokenType":"Bearer","token","expiresAt"} where expiresAt is epoch seconds (default),
 *   epoch milliseconds or an ISO string: `settings.expiryFormat`;
 *   missing header → 400 {"timestamp","title","type","status","soaCode","detail"};
 *   wrong id/secret → 401 {"message":"Invalid merchant credentials","timestamp"}.
 * - Later calls: `Authorization: <tokenType> <token>` (`Bearer` when tokenType is empty).
 */
import { randomBytes } from 'node:crypto';

import { SANDBOX_ACCOUNTS } from './accounts';
import type { Reply, TokenRecord, VendorDefinition, VendorServerImpl } from './server';
import { header, json, nonEmptyHeader } from './server';
import type { ManisSettings } from './types';

const ACCOUNT = SANDBOX_ACCOUNTS.manis;

type Srv = VendorServerImpl<ManisSettings>;

const timestamp = (srv: Srv) => new Date(srv.clock()).toISOString(); // yyyy-MM-dd'T'HH:mm:ss.SSS'Z'
const message = (srv: Srv, status: number, text: string): Reply =>
	json(status, { message: text, timestamp: timestamp(srv) });

function badRequest(srv: Srv, detail: string): Reply {
	return json(400, {
		timestamp: timestamp(srv),
		title: 'Bad Request',
		type: 'about:blank',
		status: 400,
		soaCode: 'AUTH-400',
		detail,
	});
}

function expiresAt(record: TokenRecord, srv: Srv): number | string {
	const ms = (record.expiresAt ?? record.validUntil).getTime();
	switch (srv.settings.expiryFormat) {
		case 'milliseconds':
			return ms;
		case 'iso':
			return new Date(ms).toISOString();
		default:
			return Math.floor(ms / 1000);
	}
}

const announce = (srv: Srv) => (srv.settings.expiryFormat === 'seconds' ? 'seconds' : 'exact');

export const manisDefinition: VendorDefinition<ManisSettings> = {
	vendor: 'manis',
	basePath: '',
	defaultLifetimeSeconds: 3600,
	defaultSettings: { expiryFormat: 'seconds', tokenType: 'Bearer' },
	mintToken: () => randomBytes(36).toString('base64url'),
	tokenAnswer: {
		tokenField: 'token',
		expiryField: 'expiresAt',
		badExpiryValue: 'soon',
		defaultAccount: ACCOUNT.merchantId,
		tokenType: (srv) => srv.settings.tokenType,
		announce,
		body: (record, srv) => ({
			tokenType: record.tokenType,
			token: record.token,
			expiresAt: expiresAt(record, srv),
		}),
	},
	errorReply: (status, text, srv) => message(srv, status, text),
	unauthorizedReply: (srv) => message(srv, 401, 'Invalid merchant credentials'),
	messageReply: (status, text, srv) => message(srv, status, text),
	echo: ({ headers, srv }) => {
		const authorization = header(headers, 'authorization');
		const space = authorization?.indexOf(' ') ?? -1;
		if (authorization !== undefined && space > 0) {
			const record = srv.lookup(authorization.slice(space + 1), 'final');
			if (record && authorization.slice(0, space) === (record.tokenType || 'Bearer')) {
				return { ok: true, account: record.account, receivedHeaders: { authorization } };
			}
		}
		return { ok: false, reply: message(srv, 401, 'Unauthorized') };
	},
	routes: [
		{
			method: 'POST',
			path: '/api/v1/auth/token',
			token: true,
			handle: ({ headers, srv }) => {
				const merchantId = nonEmptyHeader(headers, 'x-merchant-id');
				const secret = nonEmptyHeader(headers, 'x-secret');
				if (merchantId === undefined) return badRequest(srv, 'x-merchant-id header is required');
				if (secret === undefined) return badRequest(srv, 'x-secret header is required');
				if (merchantId !== ACCOUNT.merchantId || secret !== ACCOUNT.secret) {
					return message(srv, 401, 'Invalid merchant credentials');
				}
				const record = srv.issue({
					account: merchantId,
					tokenType: srv.settings.tokenType,
					announce: announce(srv),
				});
				return json(200, manisDefinition.tokenAnswer.body(record, srv));
			},
		},
	],
};
