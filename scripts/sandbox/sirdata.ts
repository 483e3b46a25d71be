/**
 * Sirdata partner API. baseUrl = origin (the real one is https://partner-api.sddan.com).
 *
 * - GET /api/v1/public/auth/partner/{partnerId}/token with a JSON body ON A GET
 *   {"login","password"} → 200 {"token":"-…","partner_id":<number>,"expiration_time":
 *   "2019-12-11T17:52:30.821624721+01:00"}; malformed body / missing fields / non-numeric id
 *   → 400 with an empty body; wrong login, password or partner id → 401 with an empty body.
 * - Later calls: raw `Authorization: <token>` (no scheme). `Bearer <token>` → 401, empty body.
 */
import { randomInt } from 'node:crypto';

import { SANDBOX_ACCOUNTS } from './accounts';
import type { Reply, VendorDefinition } from './server';
import { header, json } from './server';
import type { SirdataSettings } from './types';

const ACCOUNT = SANDBOX_ACCOUNTS.sirdata;

/** Sirdata's error answers have no body at all. */
const empty = (status: number): Reply => ({ status });

const pad = (value: number, width: number) => String(value).padStart(width, '0');

/**
 * RFC 3339 with nanoseconds and a fixed offset, as Go's time.RFC3339Nano prints a local time:
 * `2019-12-11T17:52:30.821624721+01:00`. The six digits under the millisecond are random
 * (sub-millisecond noise), so parsing to milliseconds gives back `ms` exactly.
 */
export function sirdataTime(ms: number, offsetMinutes: number): string {
	const local = new Date(ms + offsetMinutes * 60_000);
	const sign = offsetMinutes < 0 ? '-' : '+';
	const abs = Math.abs(offsetMinutes);
	return (
		`${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1, 2)}-${pad(local.getUTCDate(), 2)}` +
		`T${pad(local.getUTCHours(), 2)}:${pad(local.getUTCMinutes(), 2)}:${pad(local.getUTCSeconds(), 2)}` +
		`.${pad(local.getUTCMilliseconds(), 3)}${pad(randomInt(1_000_000), 6)}` +
		`${sign}${pad(Math.floor(abs / 60), 2)}:${pad(abs % 60, 2)}`
	);
}

export const sirdataDefinition: VendorDefinition<SirdataSettings> = {
	vendor: 'sirdata',
	basePath: '',
	defaultLifetimeSeconds: 3600,
	defaultSettings: { utcOffsetMinutes: 60 },
	// "-njtsdfsjookdbyekkcuzoldsrl": a dash and 26 lower-case letters (~122 bits).
	mintToken: () =>
		'-' + Array.from({ length: 26 }, () => String.fromCharCode(97 + randomInt(26))).join(''),
	tokenAnswer: {
		tokenField: 'token',
		expiryField: 'expiration_time',
		badExpiryValue: 'not-a-date',
		defaultAccount: ACCOUNT.login,
		tokenType: () => '',
		announce: () => 'exact',
		body: (record, srv) => ({
			token: record.token,
			partner_id: ACCOUNT.partnerId,
			expiration_time: sirdataTime(
				(record.expiresAt ?? record.validUntil).getTime(),
				srv.settings.utcOffsetMinutes,
			),
		}),
	},
	errorReply: (status) => empty(status),
	unauthorizedReply: () => empty(401),
	// Sirdata documents only empty error bodies; a text has to go somewhere: the common `message`.
	messageReply: (status, message) => json(status, { message }),
	echo: ({ headers, srv }) => {
		const authorization = header(headers, 'authorization');
		const record = srv.lookup(authorization, 'final');
		if (!record) return { ok: false, reply: empty(401) };
		return {
			ok: true,
			account: record.account,
			receivedHeaders: { authorization: authorization as string },
		};
	},
	routes: [
		{
			method: 'GET',
			path: '/api/v1/public/auth/partner/:partnerId/token',
			token: true,
			handle: ({ params, body, srv }) => {
				if (!/^\d+$/.test(params.partnerId)) return empty(400);
				let parsed: unknown;
				try {
					parsed = JSON.parse(body);
				} catch {
					return empty(400);
				}
				if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
					return empty(400);
				const { login, password } = parsed as Record<string, unknown>;
				if (
					typeof login !== 'string' ||
					typeof password !== 'string' ||
					login === '' ||
					password === ''
				) {
					return empty(400);
				}
				if (
					Number(params.partnerId) !== ACCOUNT.partnerId ||
					login !== ACCOUNT.login ||
					password !== ACCOUNT.password
				) {
					return empty(401);
				}
				const record = srv.issue({ account: login, tokenType: '' });
				return { status: 200, body: sirdataDefinition.tokenAnswer.body(record, srv) };
			},
		},
	],
};
