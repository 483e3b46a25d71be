/**
 * The vendor sandbox against the documented contracts, over real loopback HTTP.
 * Time is a fake clock (no waiting, no timing assertions).
 */
import * as net from 'node:net';

import { Agent, request } from 'undici';

import type { Dispatcher } from 'undici';

import { vendorIds } from '../nodes/shared/providers';
import type { Fault, Sandbox, VendorId } from '../scripts/sandbox';
import { kits } from '../scripts/sandbox/kits';
import {
	CAUGHT_TOKEN_PREFIX,
	galileoTime,
	REDIRECT_QUERY,
	REDIRECT_QUERY_MARKER,
	SANDBOX_ACCOUNTS,
	startSandbox,
} from '../scripts/sandbox';

const A = SANDBOX_ACCOUNTS;
const START = Date.UTC(2024, 0, 15, 12, 0, 0, 123);

let now = START;
let sandbox: Sandbox;
const agent = new Agent();

interface Call {
	method?: string;
	headers?: Record<string, string>;
	body?: string;
}
interface Answer {
	status: number;
	headers: Record<string, string | string[] | undefined>;
	text: string;
	json: () => Record<string, unknown>;
}

async function call(
	url: string,
	options: Call = {},
	dispatcher: Dispatcher = agent,
): Promise<Answer> {
	const res = await request(url, {
		method: (options.method ?? 'GET') as 'GET',
		headers: options.headers,
		body: options.body,
		dispatcher,
	});
	const text = await res.body.text();
	return {
		status: res.statusCode,
		headers: res.headers,
		text,
		json: () => JSON.parse(text) as Record<string, unknown>,
	};
}

const basic = (user: string, pass: string) =>
	'Basic ' + Buffer.from(`${user}:${pass}`).toString('base64');

/** The documented, successful token call of each vendor (its kit's contract). */
const tokenCall = (sb: Sandbox, vendor: VendorId): { url: string } & Call =>
	kits[vendor].contract.tokenCall(sb.vendors[vendor]);

/** Where the token is in the answer: a key, or a dot path (the generic API's `data.jwt`). */
const TOKEN_FIELD = Object.fromEntries(
	vendorIds.map((vendor) => [vendor, kits[vendor].contract.tokenField]),
) as Record<VendorId, string>;
/** null: no expiry field (Autoshares states none; the generic API's is the JWT's claim). */
const EXPIRY_FIELD = Object.fromEntries(
	vendorIds.map((vendor) => [vendor, kits[vendor].contract.expiryField]),
) as Record<VendorId, string | null>;

/** The value at a dot path of a JSON answer. */
function at(body: unknown, path: string): unknown {
	return path
		.split('.')
		.reduce<unknown>(
			(value, key) =>
				value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined,
			body,
		);
}

/** The claims of a JWT, unverified. */
function claimsOf(jwt: string): Record<string, unknown> {
	return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8')) as Record<
		string,
		unknown
	>;
}

/** The documented later-call headers of each vendor (its kit's fixture). */
function authHeaders(vendor: VendorId, token: string): Record<string, string> {
	return kits[vendor].fixture(sandbox.vendors[vendor], sandbox).expectedHeaders(token);
}

async function getToken(sb: Sandbox, vendor: VendorId): Promise<string> {
	const { url, ...options } = tokenCall(sb, vendor);
	const res = await call(url, options);
	expect(res.status).toBe(200);
	return at(res.json(), TOKEN_FIELD[vendor]) as string;
}

const echo = (sb: Sandbox, vendor: VendorId, headers: Record<string, string>) =>
	call(`${sb.vendors[vendor].origin}/__sandbox/echo`, { headers });

/** Expected 401 body of an authenticated endpoint (Manis carries a timestamp: checked apart). */
function expectDenied(vendor: VendorId, res: Answer) {
	expect(res.status).toBe(401);
	kits[vendor].contract.checkDenied(res);
}

/** The error text of a `say` / `echoRequest` JSON answer, from where each vendor puts it. */
function messageOf(vendor: VendorId, res: Answer): string {
	return kits[vendor].contract.messageOf(res);
}

/** Reads a (never-ending) answer until `enough` bytes arrived, then closes the connection. */
async function readThenClose(
	url: string,
	options: Call,
	enough: number,
	dispatcher: Dispatcher = agent,
): Promise<Omit<Answer, 'text' | 'json'> & { received: Buffer }> {
	const res = await request(url, {
		method: (options.method ?? 'GET') as 'GET',
		headers: options.headers,
		body: options.body,
		dispatcher,
	});
	const chunks: Buffer[] = [];
	let size = 0;
	// Leaving the loop destroys the body, which makes undici drop the connection.
	for await (const chunk of res.body) {
		chunks.push(chunk as Buffer);
		size += (chunk as Buffer).length;
		if (size >= enough) break;
	}
	return { status: res.statusCode, headers: res.headers, received: Buffer.concat(chunks) };
}

/** Reads and discards an answer; resolves at its end, rejects if the connection breaks. */
function drain(body: NodeJS.ReadableStream): Promise<void> {
	return new Promise((resolve, reject) => {
		body.on('data', () => undefined);
		body.on('end', resolve);
		body.on('error', reject);
	});
}

beforeAll(async () => {
	sandbox = await startSandbox({ clock: () => now });
});

afterAll(async () => {
	await sandbox.close();
	await agent.close();
});

beforeEach(() => {
	now = START;
	for (const id of vendorIds) sandbox.vendors[id].reset();
	sandbox.catcher.reset();
	sandbox.vendors.autosharesTrader.configure({
		wrongVerificationCode: 'retry',
		rateLimitPerMinute: null,
		pinStepName: 'SecutityPin',
		expectingReason: undefined,
	});
	sandbox.vendors.manis.configure({ expiryFormat: 'seconds', tokenType: 'Bearer' });
	sandbox.vendors.sirdata.configure({ utcOffsetMinutes: 60 });
	sandbox.vendors.customEndpoint.configure({
		expiryForm: 'jwt',
		expiredStatus: 403,
		loginAs: 'form',
	});
	// Each server's own default lifetime (its contract), whatever a test set.
	for (const id of vendorIds)
		sandbox.vendors[id].setLifetime(kits[id].server.defaultLifetimeSeconds);
});

// =============================================================================================

describe('sodaCloud', () => {
	const soda = () => sandbox.vendors.sodaCloud;

	it('base URL ends in /v1; get_token with Basic answers the documented body', async () => {
		expect(soda().baseUrl).toBe(`${soda().origin}/v1`);
		const res = await call(`${soda().baseUrl}/get_token`, {
			headers: { authorization: basic(A.sodaCloud.user.email, A.sodaCloud.user.password) },
		});
		expect(res.status).toBe(200);
		expect(res.headers['content-type']).toBe('application/json');
		const body = res.json();
		expect(Object.keys(body)).toEqual(['user', 'token', 'organization_id', 'expires_in']);
		expect(body.user).toBe(A.sodaCloud.user.email);
		expect(body.organization_id).toMatch(
			/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
		);
		expect(body.expires_in).toBe(1800);
		expect(Number.isInteger(body.expires_in)).toBe(true);
		expect(soda().tokenCalls).toBe(1);
		expect(soda().issued).toHaveLength(1);
		expect(soda().issued[0]).toMatchObject({
			token: body.token,
			tokenType: 'SODA_TOKEN',
			interim: false,
			account: A.sodaCloud.user.email,
			expiresAt: new Date(START + 1800_000),
		});
	});

	it('bad or missing Basic → 401 {"detail":"Invalid credentials"}', async () => {
		const attempts: Array<Record<string, string>> = [
			{ authorization: basic(A.sodaCloud.user.email, 'wrong') },
			{ authorization: basic('nobody@x', A.sodaCloud.user.password) },
			{ authorization: 'Bearer x' },
			{},
		];
		for (const headers of attempts) {
			const res = await call(`${soda().baseUrl}/get_token`, { headers });
			expect(res.status).toBe(401);
			expect(res.text).toBe('{"detail":"Invalid credentials"}');
		}
		expect(soda().tokenCalls).toBe(4);
		expect(soda().issued).toHaveLength(0);
	});

	it('last_etl_refresh takes SODA_TOKEN (underscore header arrives as soda_token)', async () => {
		const token = await getToken(sandbox, 'sodaCloud');
		const res = await call(`${soda().baseUrl}/last_etl_refresh`, {
			headers: { SODA_TOKEN: token },
		});
		expect(res.status).toBe(200);
		expect(Object.keys(res.json())).toEqual(['last_etl_refresh']);
		expect(Number.isNaN(Date.parse(res.json().last_etl_refresh as string))).toBe(false);
		const recorded = soda().requests.at(-1)!;
		expect(recorded.headers.soda_token).toBe(token);
		expect(recorded.rawHeaders).toContain('SODA_TOKEN');

		// A hyphenated variant is a different header: refused.
		const wrong = await call(`${soda().baseUrl}/last_etl_refresh`, {
			headers: { 'SODA-TOKEN': token },
		});
		expect(wrong.status).toBe(401);
		expect(wrong.json()).toEqual({ detail: 'Not authenticated' });
	});

	it('last_etl_refresh: "no data" is a 202 with no body, still only for an authenticated call', async () => {
		soda().configure({ lastEtlRefresh: 'noData' });
		try {
			const token = await getToken(sandbox, 'sodaCloud');
			const res = await call(`${soda().baseUrl}/last_etl_refresh`, {
				headers: { SODA_TOKEN: token },
			});
			expect(res.status).toBe(202);
			expect(res.text).toBe('');
			expect((await call(`${soda().baseUrl}/last_etl_refresh`)).status).toBe(401);
		} finally {
			soda().configure({ lastEtlRefresh: 'data' });
		}
	});

	it('last_etl_refresh takes the API key pair; wrong pair or nothing → 401 detail', async () => {
		const ok = await call(`${soda().baseUrl}/last_etl_refresh`, {
			headers: {
				'X-API-KEY-ID': A.sodaCloud.apiKey.id,
				'X-API-KEY-SECRET': A.sodaCloud.apiKey.secret,
			},
		});
		expect(ok.status).toBe(200);
		const bad = await call(`${soda().baseUrl}/last_etl_refresh`, {
			headers: { 'X-API-KEY-ID': A.sodaCloud.apiKey.id, 'X-API-KEY-SECRET': 'nope' },
		});
		expect(bad.status).toBe(401);
		expect(bad.json()).toEqual({ detail: 'Invalid API key' });
		const none = await call(`${soda().baseUrl}/last_etl_refresh`);
		expect(none.status).toBe(401);
		expect(Object.keys(none.json())).toEqual(['detail']);
		expect(soda().tokenCalls).toBe(0);
	});

	it('ping needs no auth', async () => {
		expect((await call(`${soda().baseUrl}/ping`)).status).toBe(200);
	});

	it('tokens expire after expires_in seconds; setLifetime changes expires_in', async () => {
		const token = await getToken(sandbox, 'sodaCloud');
		now = START + 1799_000;
		expect(
			(await call(`${soda().baseUrl}/last_etl_refresh`, { headers: { SODA_TOKEN: token } })).status,
		).toBe(200);
		now = START + 1800_000;
		const expired = await call(`${soda().baseUrl}/last_etl_refresh`, {
			headers: { SODA_TOKEN: token },
		});
		expect(expired.status).toBe(401);
		expect(expired.json()).toEqual({ detail: 'Invalid or expired token' });

		soda().setLifetime(60);
		const res = await call(`${soda().baseUrl}/get_token`, {
			headers: { authorization: basic(A.sodaCloud.user.email, A.sodaCloud.user.password) },
		});
		expect(res.json().expires_in).toBe(60);
	});

	it('unknown route 404 and wrong method 405 in FastAPI style', async () => {
		const missing = await call(`${soda().baseUrl}/nope`);
		expect(missing.status).toBe(404);
		expect(missing.json()).toEqual({ detail: 'Not Found' });
		const wrong = await call(`${soda().baseUrl}/get_token`, { method: 'POST' });
		expect(wrong.status).toBe(405);
		expect(wrong.headers.allow).toBe('GET');
		expect(wrong.json()).toEqual({ detail: 'Method Not Allowed' });
		expect(soda().tokenCalls).toBe(1); // it reached the token endpoint
	});
});

// =============================================================================================

describe('galileo', () => {
	const galileo = () => sandbox.vendors.galileo;
	const apiKey = { 'Galileo-API-Key': A.galileo.apiKey };

	it.each(['v1', 'v2'])(
		'GET /%s/token with the API key answers access_token / bearer / expires_at',
		async (version) => {
			expect(galileo().baseUrl).toBe(galileo().origin);
			const res = await call(`${galileo().baseUrl}/${version}/token`, { headers: apiKey });
			expect(res.status).toBe(200);
			const body = res.json();
			expect(Object.keys(body)).toEqual(['access_token', 'token_type', 'expires_at']);
			expect(body.token_type).toBe('bearer');
			expect(body.expires_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
			expect(body.expires_at).toBe(
				galileoTime(new Date(Math.floor((START + 86400_000) / 1000) * 1000)),
			);
			expect(body.expires_at).toBe('2024-01-16T12:00:00Z');
			const parts = (body.access_token as string).split('.');
			expect(parts).toHaveLength(3);
			const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString()) as Record<
				string,
				unknown
			>;
			expect(payload.exp).toBe(Math.floor((START + 86400_000) / 1000));
			expect(payload.email).toBe(A.galileo.user.email);
			expect(galileo().issued[0].expiresAt).toEqual(new Date('2024-01-16T12:00:00Z'));
		},
	);

	it('HTTP Basic works; bad key / bad password / nothing → 401 {"detail": string}', async () => {
		const ok = await call(`${galileo().baseUrl}/v2/token`, {
			headers: { authorization: basic(A.galileo.user.username, A.galileo.user.password) },
		});
		expect(ok.status).toBe(200);
		const badKey = await call(`${galileo().baseUrl}/v1/token`, {
			headers: { 'Galileo-API-Key': 'nope' },
		});
		expect(badKey.status).toBe(401);
		expect(badKey.text).toBe('{"detail":"Invalid API key"}');
		const badPass = await call(`${galileo().baseUrl}/v1/token`, {
			headers: { authorization: basic(A.galileo.user.username, 'nope') },
		});
		expect(badPass.status).toBe(401);
		expect(badPass.text).toBe('{"detail":"Invalid username or password"}');
		const none = await call(`${galileo().baseUrl}/v1/token`);
		expect(none.status).toBe(401);
		expect(galileo().tokenCalls).toBe(4);
	});

	it('organization_id must be a uuid (FastAPI 422); id and slug scope the token', async () => {
		const bad = await call(`${galileo().baseUrl}/v1/token?organization_id=not-a-uuid`, {
			headers: apiKey,
		});
		expect(bad.status).toBe(422);
		const detail = bad.json().detail as Array<Record<string, unknown>>;
		expect(detail).toHaveLength(1);
		expect(detail[0].loc).toEqual(['query', 'organization_id']);
		expect(detail[0].type).toBe('uuid_parsing');
		expect(typeof detail[0].msg).toBe('string');

		const byId = await call(
			`${galileo().baseUrl}/v1/token?organization_id=${A.galileo.organization.id}`,
			{
				headers: apiKey,
			},
		);
		expect(byId.status).toBe(200);
		const bySlug = await call(
			`${galileo().baseUrl}/v1/token?organization_slug=${A.galileo.organization.slug}`,
			{
				headers: apiKey,
			},
		);
		expect(bySlug.status).toBe(200);
		const unknown = await call(`${galileo().baseUrl}/v1/token?organization_slug=other`, {
			headers: apiKey,
		});
		expect(unknown.status).toBe(404);
		expect(unknown.json()).toEqual({ detail: 'Organization not found' });
	});

	it('current_user takes Authorization: Bearer; healthcheck needs nothing', async () => {
		const token = await getToken(sandbox, 'galileo');
		for (const version of ['v1', 'v2']) {
			const res = await call(`${galileo().baseUrl}/${version}/current_user`, {
				headers: { Authorization: `Bearer ${token}` },
			});
			expect(res.status).toBe(200);
			expect(res.json()).toEqual({ id: A.galileo.user.id, email: A.galileo.user.email });
		}
		const wrong = await call(`${galileo().baseUrl}/v1/current_user`, {
			headers: { Authorization: token },
		});
		await expectDenied('galileo', wrong);
		expect((await call(`${galileo().baseUrl}/v1/healthcheck`)).status).toBe(200);
	});

	it('the access token stops working at expires_at', async () => {
		const token = await getToken(sandbox, 'galileo');
		now = START + 86400_000;
		await expectDenied('galileo', await echo(sandbox, 'galileo', authHeaders('galileo', token)));
	});
});

// =============================================================================================

describe('sirdata', () => {
	const sirdata = () => sandbox.vendors.sirdata;
	const tokenUrl = (id: string | number = A.sirdata.partnerId) =>
		`${sirdata().baseUrl}/api/v1/public/auth/partner/${id}/token`;
	const creds = JSON.stringify({ login: A.sirdata.login, password: A.sirdata.password });

	it('GET with a JSON body answers token / numeric partner_id / RFC 3339 nanosecond expiry at +01:00', async () => {
		expect(sirdata().baseUrl).toBe(sirdata().origin);
		const res = await call(tokenUrl(), {
			method: 'GET',
			body: creds,
			headers: { 'content-type': 'application/json' },
		});
		expect(res.status).toBe(200);
		const body = res.json();
		expect(Object.keys(body)).toEqual(['token', 'partner_id', 'expiration_time']);
		expect(body.token).toMatch(/^-[a-z]{26}$/);
		expect(body.partner_id).toBe(12345);
		expect(typeof body.partner_id).toBe('number');
		const exp = body.expiration_time as string;
		expect(exp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}\+01:00$/);
		// START is 12:00:00.123Z; +3600 s at +01:00 is 14:00:00.123xxxxxx+01:00
		expect(exp.startsWith('2024-01-15T14:00:00.123')).toBe(true);
		expect(Date.parse(exp)).toBe(START + 3600_000);
		expect(sirdata().requests.at(-1)!.method).toBe('GET');
		expect(sirdata().requests.at(-1)!.body).toBe(creds);
	});

	it('the offset is configurable', async () => {
		sirdata().configure({ utcOffsetMinutes: 120 });
		const res = await call(tokenUrl(), { body: creds });
		const exp = res.json().expiration_time as string;
		expect(exp).toMatch(/^2024-01-15T15:00:00\.123\d{6}\+02:00$/);
		expect(Date.parse(exp)).toBe(START + 3600_000);
	});

	it('malformed / missing body or fields → 400 with an empty body', async () => {
		const bodies: Array<string | undefined> = [
			undefined,
			'',
			'{"login":',
			'[]',
			'"text"',
			JSON.stringify({ login: A.sirdata.login }),
			JSON.stringify({ password: A.sirdata.password }),
			JSON.stringify({ login: 1, password: 2 }),
		];
		for (const body of bodies) {
			const res = await call(tokenUrl(), { body });
			expect(res.status).toBe(400);
			expect(res.text).toBe('');
		}
		const notNumeric = await call(tokenUrl('abc'), { body: creds });
		expect(notNumeric.status).toBe(400);
		expect(notNumeric.text).toBe('');
	});

	it('wrong login / password / partner id → 401 with an empty body', async () => {
		for (const [id, body] of [
			[A.sirdata.partnerId, JSON.stringify({ login: A.sirdata.login, password: 'nope' })],
			[A.sirdata.partnerId, JSON.stringify({ login: 'other', password: A.sirdata.password })],
			[99999, creds],
		] as const) {
			const res = await call(tokenUrl(id), { body });
			expect(res.status).toBe(401);
			expect(res.text).toBe('');
		}
		expect(sirdata().issued).toHaveLength(0);
	});

	it('later calls take the raw token; "Bearer <token>" is refused with an empty 401', async () => {
		const token = await getToken(sandbox, 'sirdata');
		const ok = await echo(sandbox, 'sirdata', { Authorization: token });
		expect(ok.status).toBe(200);
		expect(ok.json().receivedHeaders).toEqual({ authorization: token });
		const bearer = await echo(sandbox, 'sirdata', { Authorization: `Bearer ${token}` });
		expect(bearer.status).toBe(401);
		expect(bearer.text).toBe('');
	});

	it('POST on the token path → 405, empty body', async () => {
		const res = await call(tokenUrl(), { method: 'POST', body: creds });
		expect(res.status).toBe(405);
		expect(res.text).toBe('');
	});
});

// =============================================================================================

describe('autosharesTrader', () => {
	const as = () => sandbox.vendors.autosharesTrader;
	type User = { username: string; password: string };
	const tokenUrl = () => `${as().baseUrl}/token`;
	const creds = (user: User, extra: Record<string, string> = {}) => ({
		'Et-App-Key': A.autosharesTrader.appKey,
		Username: user.username,
		Password: user.password,
		...extra,
	});
	const post = (headers: Record<string, string>) => call(tokenUrl(), { method: 'POST', headers });
	/** The answer to a second step whose interim token is missing, unknown or used up. */
	const CORRUPTED_TICKET =
		'{"State":"Failed","Step":"VerificationCode","Reason":"Corrupted ticket"}';
	/** The second step: `code` sent with the login and the interim token of the first. */
	const postCode = (user: User, interim: string, code: string) =>
		post(creds(user, { Authorization: `Bearer ${interim}`, VerificationCode: code }));
	const info = (headers: Record<string, string>) =>
		call(`${as().baseUrl}/v1.0/users/@me/info`, { headers });

	it('plain user: 200 {"State":"Succeeded","Token"}, then users/@me/info with Bearer + Et-App-Key', async () => {
		expect(as().baseUrl).toBe(`${as().origin}/api`);
		const res = await post(creds(A.autosharesTrader.plain));
		expect(res.status).toBe(200);
		const body = res.json();
		expect(Object.keys(body)).toEqual(['State', 'Token']);
		expect(body.State).toBe('Succeeded');
		expect(body.Token).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
		expect(as().issued[0]).toMatchObject({ expiresAt: null, interim: false, tokenType: 'Bearer' });
		expect(as().issued[0].validUntil).toEqual(new Date(START + 86400_000));

		const me = await info({
			Authorization: `Bearer ${body.Token as string}`,
			'Et-App-Key': A.autosharesTrader.appKey,
		});
		expect(me.status).toBe(200);
		expect(me.json()).toMatchObject({ Login: A.autosharesTrader.plain.username });
		expect(Object.keys(me.json())).toEqual(['Id', 'Login']);

		const noKey = await info({ Authorization: `Bearer ${body.Token as string}` });
		expect(noKey.status).toBe(401);
		expect(noKey.json()).toEqual({ error: 'Application key is not defined or does not exist' });
		const noBearer = await info({
			Authorization: body.Token as string,
			'Et-App-Key': A.autosharesTrader.appKey,
		});
		await expectDenied('autosharesTrader', noBearer);
	});

	it('2FA user: 202 VerificationCode + interim, wrong code 401 (interim kept), right code 200', async () => {
		const user = A.autosharesTrader.twoFactor;
		const first = await post(creds(user));
		expect(first.status).toBe(202);
		const body = first.json();
		expect(Object.keys(body)).toEqual(['Step', 'Reason', 'State', 'Token']);
		expect(body).toMatchObject({
			Step: 'VerificationCode',
			Reason: 'Expecting confirmation code',
			State: 'Expecting',
		});
		const interim = body.Token as string;
		const code = as().lastVerificationCode!;
		expect(code).toMatch(/^\d{6}$/);
		expect(as().issued[0]).toMatchObject({ token: interim, interim: true });

		// The interim token is no key to authenticated endpoints.
		await expectDenied(
			'autosharesTrader',
			await info({ Authorization: `Bearer ${interim}`, 'Et-App-Key': A.autosharesTrader.appKey }),
		);

		const wrongCode = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
		const wrong = await postCode(user, interim, wrongCode);
		expect(wrong.status).toBe(401);
		expect(wrong.text).toBe(
			'{"State":"Failed","Step":"VerificationCode","Reason":"Invalid verification code"}',
		);

		const second = await postCode(user, interim, code);
		expect(second.status).toBe(200);
		expect(second.json().State).toBe('Succeeded');
		const final = second.json().Token as string;
		expect(final).not.toBe(interim);
		expect(
			(await info({ Authorization: `Bearer ${final}`, 'Et-App-Key': A.autosharesTrader.appKey }))
				.status,
		).toBe(200);

		// The interim ticket is used up.
		const replay = await postCode(user, interim, code);
		expect(replay.status).toBe(401);
		expect(replay.text).toBe(CORRUPTED_TICKET);
		expect(as().tokenCalls).toBe(4);
	});

	it('VerificationCode without (or with a bogus) interim Bearer → Corrupted ticket', async () => {
		await post(creds(A.autosharesTrader.twoFactor));
		const code = as().lastVerificationCode!;
		const extras: Array<Record<string, string>> = [
			{},
			{ Authorization: 'Bearer bogus' },
			{ Authorization: 'bogus' },
		];
		for (const extra of extras) {
			const res = await post(
				creds(A.autosharesTrader.twoFactor, { VerificationCode: code, ...extra }),
			);
			expect(res.status).toBe(401);
			expect(res.text).toBe(CORRUPTED_TICKET);
		}
	});

	it('wrong-code behaviour is configurable: invalidate / reprompt', async () => {
		const user = A.autosharesTrader.twoFactor;
		as().configure({ wrongVerificationCode: 'invalidate' });
		let interim = (await post(creds(user))).json().Token as string;
		let code = as().lastVerificationCode!;
		const bad = code === '000000' ? '000001' : '000000';
		expect((await postCode(user, interim, bad)).status).toBe(401);
		const burnt = await postCode(user, interim, code);
		expect(burnt.json().Reason).toBe('Corrupted ticket');

		as().configure({ wrongVerificationCode: 'reprompt' });
		interim = (await post(creds(user))).json().Token as string;
		code = as().lastVerificationCode!;
		const again = await postCode(user, interim, bad);
		expect(again.status).toBe(202);
		expect(again.json()).toEqual({
			Step: 'VerificationCode',
			Reason: 'Expecting confirmation code',
			State: 'Expecting',
			Token: interim,
		});
		expect((await postCode(user, interim, code)).status).toBe(200);
	});

	it('PIN user: no / wrong PinCode → 202 SecutityPin (sic); interim + right PinCode → 200', async () => {
		const user = A.autosharesTrader.pin;
		const extras: Array<Record<string, string>> = [{}, { PinCode: '' }, { PinCode: '0000' }];
		for (const extra of extras) {
			const res = await post(creds(user, extra));
			expect(res.status).toBe(202);
			expect(Object.keys(res.json())).toEqual(['Step', 'Reason', 'State', 'Token']);
			expect(res.json()).toMatchObject({
				Step: 'SecutityPin',
				Reason: 'Invalid pin',
				State: 'Expecting',
			});
		}
		const interim = as().issued.at(-1)!.token;
		// Wrong PIN on the retry: the vendor's documented 401, ticket kept.
		const wrong = await post(creds(user, { Authorization: `Bearer ${interim}`, PinCode: '0000' }));
		expect(wrong.status).toBe(401);
		expect(wrong.text).toBe('{"State":"Failed","Step":"SecutityPin","Reason":"Invalid pin"}');
		const ok = await post(creds(user, { Authorization: `Bearer ${interim}`, PinCode: user.pin }));
		expect(ok.status).toBe(200);
		expect(ok.json().State).toBe('Succeeded');
		// The right PIN on the first call goes straight through.
		expect((await post(creds(user, { PinCode: user.pin }))).status).toBe(200);
	});

	it('PIN + 2FA user: PIN step, then code step, then 200', async () => {
		const user = A.autosharesTrader.pinTwoFactor;
		const first = await post(creds(user));
		expect(first.json().Step).toBe('SecutityPin');
		const second = await post(
			creds(user, { Authorization: `Bearer ${first.json().Token as string}`, PinCode: user.pin }),
		);
		expect(second.status).toBe(202);
		expect(second.json().Step).toBe('VerificationCode');
		const third = await post(
			creds(user, {
				Authorization: `Bearer ${second.json().Token as string}`,
				VerificationCode: as().lastVerificationCode!,
			}),
		);
		expect(third.status).toBe(200);
	});

	it('the corrected PIN step spelling can be switched on', async () => {
		as().configure({ pinStepName: 'SecurityPin' });
		expect((await post(creds(A.autosharesTrader.pin))).json().Step).toBe('SecurityPin');
	});

	it('PIN not initialised → 202 {"State":"Expecting","Reason":"PIN code is not init"} (no Step, no Token)', async () => {
		const res = await post(creds(A.autosharesTrader.pinNotInitialised));
		expect(res.status).toBe(202);
		expect(res.text).toBe('{"State":"Expecting","Reason":"PIN code is not init"}');
	});

	it('expired password, wrong credentials, wrong / missing Et-App-Key → 401 bodies', async () => {
		const expired = await post(creds(A.autosharesTrader.expiredPassword));
		expect(expired.status).toBe(401);
		expect(expired.text).toBe(
			'{"State":"Failed","Step":"BaseAuthentication","Reason":"Your Password has expired and must be changed"}',
		);
		const wrong = await post(
			creds({ username: A.autosharesTrader.plain.username, password: 'nope' }),
		);
		expect(wrong.status).toBe(401);
		expect(wrong.text).toBe(
			'{"State":"Failed","Step":"BaseAuthentication","Reason":"Invalid credentials"}',
		);
		for (const key of ['nope', '']) {
			const res = await post(creds(A.autosharesTrader.plain, { 'Et-App-Key': key }));
			expect(res.status).toBe(401);
			expect(res.text).toBe('{"error":"Application key is not defined or does not exist"}');
		}
		expect(as().issued).toHaveLength(0);
	});

	it('the final token expires after the lifetime although the answer carries no expiry', async () => {
		const token = await getToken(sandbox, 'autosharesTrader');
		now = START + 86400_000;
		await expectDenied('autosharesTrader', await info(authHeaders('autosharesTrader', token)));
	});

	it('optional /token rate limit → 429 with Retry-After; the window rolls', async () => {
		as().configure({ rateLimitPerMinute: 3 });
		for (let i = 0; i < 3; i++)
			expect((await post(creds(A.autosharesTrader.plain))).status).toBe(200);
		const limited = await post(creds(A.autosharesTrader.plain));
		expect(limited.status).toBe(429);
		expect(limited.headers['retry-after']).toBe('60');
		now = START + 60_001;
		expect((await post(creds(A.autosharesTrader.plain))).status).toBe(200);
		expect(as().tokenCalls).toBe(5);
	});

	it('expectingReason replaces the Reason of the 202 VerificationCode answer (reprompt too)', async () => {
		as().configure({
			expectingReason: 'Code sent to +1 555 0100',
			wrongVerificationCode: 'reprompt',
		});
		const user = A.autosharesTrader.twoFactor;
		const first = await post(creds(user));
		expect(first.json()).toMatchObject({
			Step: 'VerificationCode',
			Reason: 'Code sent to +1 555 0100',
		});
		const again = await post(
			creds(user, {
				VerificationCode: 'wrong',
				Authorization: `Bearer ${first.json().Token as string}`,
			}),
		);
		expect(again.status).toBe(202);
		expect(again.json().Reason).toBe('Code sent to +1 555 0100');
	});

	it('GET on /token → 405, unknown → 404, ASP.NET style', async () => {
		const res = await call(tokenUrl());
		expect(res.status).toBe(405);
		expect(res.json()).toEqual({ Message: 'Method Not Allowed' });
		expect((await call(`${as().baseUrl}/v1.0/nothing`)).status).toBe(404);
	});
});

// =============================================================================================

describe('manis', () => {
	const manis = () => sandbox.vendors.manis;
	const tokenUrl = () => `${manis().baseUrl}/api/v1/auth/token`;
	const good = { 'x-merchant-id': A.manis.merchantId, 'x-secret': A.manis.secret };
	const post = (headers: Record<string, string>) => call(tokenUrl(), { method: 'POST', headers });

	it('200 {"tokenType":"Bearer","token","expiresAt"} with expiresAt in epoch seconds by default', async () => {
		expect(manis().baseUrl).toBe(manis().origin);
		const res = await post(good);
		expect(res.status).toBe(200);
		const body = res.json();
		expect(Object.keys(body)).toEqual(['tokenType', 'token', 'expiresAt']);
		expect(body.tokenType).toBe('Bearer');
		expect(body.expiresAt).toBe(Math.floor((START + 3600_000) / 1000));
		expect(body.expiresAt as number).toBeLessThan(1e11);
	});

	it.each([
		['milliseconds', START + 3600_000],
		['iso', new Date(START + 3600_000).toISOString()],
	] as const)('expiresAt format %s', async (format, expected) => {
		manis().configure({ expiryFormat: format });
		expect((await post(good)).json().expiresAt).toBe(expected);
	});

	it('missing headers → 400 problem body; wrong → 401 {"message","timestamp"}', async () => {
		const noId = await post({ 'x-secret': A.manis.secret });
		expect(noId.status).toBe(400);
		const body = noId.json();
		expect(Object.keys(body)).toEqual([
			'timestamp',
			'title',
			'type',
			'status',
			'soaCode',
			'detail',
		]);
		expect(body).toMatchObject({
			title: 'Bad Request',
			type: 'about:blank',
			status: 400,
			soaCode: 'AUTH-400',
			detail: 'x-merchant-id header is required',
		});
		expect(body.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
		const noSecret = await post({ 'x-merchant-id': A.manis.merchantId });
		expect(noSecret.json().detail).toBe('x-secret header is required');

		const wrong = await post({ ...good, 'x-secret': 'nope' });
		expect(wrong.status).toBe(401);
		expect(Object.keys(wrong.json())).toEqual(['message', 'timestamp']);
		expect(wrong.json().message).toBe('Invalid merchant credentials');
	});

	it('later calls: Authorization: <tokenType> <token>', async () => {
		const token = await getToken(sandbox, 'manis');
		const ok = await echo(sandbox, 'manis', { Authorization: `Bearer ${token}` });
		expect(ok.status).toBe(200);
		expect(ok.json().receivedHeaders).toEqual({ authorization: `Bearer ${token}` });
		await expectDenied('manis', await echo(sandbox, 'manis', { Authorization: token }));
		await expectDenied('manis', await echo(sandbox, 'manis', { Authorization: `bearer ${token}` }));

		manis().configure({ tokenType: 'MAC' });
		const mac = (await post(good)).json();
		expect(mac.tokenType).toBe('MAC');
		expect(
			(await echo(sandbox, 'manis', { Authorization: `MAC ${mac.token as string}` })).status,
		).toBe(200);
		await expectDenied(
			'manis',
			await echo(sandbox, 'manis', { Authorization: `Bearer ${mac.token as string}` }),
		);

		manis().configure({ tokenType: '' });
		const empty = (await post(good)).json();
		expect(
			(await echo(sandbox, 'manis', { Authorization: `Bearer ${empty.token as string}` })).status,
		).toBe(200);
	});

	it('GET on the token path → 405', async () => {
		expect((await call(tokenUrl())).status).toBe(405);
	});
});

// =============================================================================================

describe("generic (the sandbox's own contract, for Custom Token Endpoint)", () => {
	const generic = () => sandbox.vendors.customEndpoint;
	const loginUrl = () => `${generic().baseUrl}/auth/login`;
	const form = (values: Record<string, string>) => ({
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams(values).toString(),
	});
	const good = { username: A.customEndpoint.username, password: A.customEndpoint.password };
	const me = (headers: Record<string, string> = {}, query = '') =>
		call(`${generic().baseUrl}/me${query}`, { headers });

	it('a form login answers {"status":"ok","data":{"jwt","token_type"}}, the expiry in the JWT\'s exp', async () => {
		expect(generic().baseUrl).toBe(`${generic().origin}/api`);
		const res = await call(loginUrl(), form({ ...good, grant_type: 'password', scope: 'read' }));
		expect(res.status).toBe(200);
		const body = res.json();
		expect(Object.keys(body)).toEqual(['status', 'data']);
		const data = body.data as Record<string, unknown>;
		expect(Object.keys(data)).toEqual(['jwt', 'token_type']);
		expect(data.token_type).toBe('Bearer');
		const claims = claimsOf(data.jwt as string);
		expect(claims).toMatchObject({
			sub: A.customEndpoint.username,
			iat: Math.floor(START / 1000),
			exp: Math.floor((START + 3600_000) / 1000),
		});
		expect(generic().issued[0].expiresAt?.getTime()).toBe((claims.exp as number) * 1000);
	});

	it('expiryForm secondsString: "expires_in" as a string of seconds, and a JWT without exp', async () => {
		generic().configure({ expiryForm: 'secondsString' });
		const data = (await call(loginUrl(), form(good))).json().data as Record<string, unknown>;
		expect(data.expires_in).toBe('3600');
		expect(claimsOf(data.jwt as string)).not.toHaveProperty('exp');
	});

	it('JSON, a wrong content type, missing or wrong values and other grant types are refused', async () => {
		const json = await call(loginUrl(), {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(good),
		});
		expect(json.status).toBe(415);
		expect(json.json()).toMatchObject({
			status: 'error',
			error: { code: 'unsupported_media_type' },
		});
		expect(
			(await call(loginUrl(), form({ username: A.customEndpoint.username }))).json(),
		).toMatchObject({ error: { code: 'invalid_request', message: 'password is required' } });
		const wrong = await call(loginUrl(), form({ ...good, password: 'nope' }));
		expect(wrong.status).toBe(401);
		expect(wrong.json()).toMatchObject({ error: { code: 'invalid_credentials' } });
		const grant = await call(loginUrl(), form({ ...good, grant_type: 'client_credentials' }));
		expect(grant.status).toBe(400);
		expect(grant.json()).toMatchObject({ error: { code: 'unsupported_grant_type' } });
		expect(generic().issued).toHaveLength(0);
	});

	it('loginAs json or query takes the values there instead', async () => {
		generic().configure({ loginAs: 'json' });
		expect(
			(
				await call(loginUrl(), {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify(good),
				})
			).status,
		).toBe(200);
		expect((await call(loginUrl(), form(good))).status).toBe(415);
		generic().configure({ loginAs: 'query' });
		expect(
			(await call(`${loginUrl()}?${new URLSearchParams(good).toString()}`, { method: 'POST' }))
				.status,
		).toBe(200);
	});

	it('later calls: Bearer, X-Auth-Token or ?access_token; none → 401; past its lifetime → 403 (expiredStatus)', async () => {
		const token = await getToken(sandbox, 'customEndpoint');
		expect((await me({ Authorization: `Bearer ${token}` })).json()).toEqual({
			data: { username: A.customEndpoint.username },
		});
		expect((await me({ 'X-Auth-Token': token })).status).toBe(200);
		expect((await me({}, `?access_token=${token}`)).status).toBe(200);
		expect(
			(await echo(sandbox, 'customEndpoint', { 'X-Auth-Token': token })).json().receivedHeaders,
		).toEqual({ 'x-auth-token': token });
		expect((await me()).json()).toMatchObject({ error: { code: 'unauthenticated' } });
		await expectDenied('customEndpoint', await me({ Authorization: token }));
		now = START + 3600_000;
		const expired = await me({ Authorization: `Bearer ${token}` });
		expect(expired.status).toBe(403);
		expect(expired.json()).toEqual({
			status: 'error',
			error: { code: 'token_expired', message: 'Token has expired' },
		});
		generic().configure({ expiredStatus: 419 });
		expect((await me({ 'X-Auth-Token': token })).status).toBe(419);
		// A revoked token is not an expired one: 401, as expireAllTokens says everywhere.
		const fresh = await getToken(sandbox, 'customEndpoint');
		generic().revokeToken(fresh);
		await expectDenied('customEndpoint', await me({ Authorization: `Bearer ${fresh}` }));
	});
});

// =============================================================================================

describe.each(vendorIds)('%s: shared machinery', (vendor) => {
	const server = () => sandbox.vendors[vendor];
	const fetchToken = () => {
		const { url, ...options } = tokenCall(sandbox, vendor);
		return call(url, options);
	};

	it('echo checks the later-call auth; expireAllTokens → 401; stats counts', async () => {
		const token = await getToken(sandbox, vendor);
		const ok = await echo(sandbox, vendor, authHeaders(vendor, token));
		expect(ok.status).toBe(200);
		expect(ok.json()).toMatchObject({ ok: true });
		const received = ok.json().receivedHeaders as Record<string, string>;
		for (const [name, value] of Object.entries(authHeaders(vendor, token))) {
			expect(received[name.toLowerCase()]).toBe(value);
		}
		expect((await echo(sandbox, vendor, {})).status).toBe(401); // Autoshares: the app-key error
		await expectDenied(vendor, await echo(sandbox, vendor, authHeaders(vendor, 'unknown-token')));

		server().expireAllTokens();
		await expectDenied(vendor, await echo(sandbox, vendor, authHeaders(vendor, token)));
		// New tokens work again.
		const fresh = await getToken(sandbox, vendor);
		expect((await echo(sandbox, vendor, authHeaders(vendor, fresh))).status).toBe(200);

		const stats = await call(`${server().origin}/__sandbox/stats`);
		expect(stats.json()).toEqual({ vendor, tokenCalls: 2, issued: 2, requests: 7 });
		expect(server().requests).toHaveLength(7); // stats calls are not recorded

		server().reset();
		expect(server().tokenCalls).toBe(0);
		expect(server().requests).toHaveLength(0);
		expect(server().issued).toHaveLength(0);
		await expectDenied(vendor, await echo(sandbox, vendor, authHeaders(vendor, fresh)));
	});

	it('fault: status, for N calls, FIFO, then normal', async () => {
		server().injectFault({ kind: 'status', status: 503 }, 2);
		server().injectFault({ kind: 'status', status: 500, body: 'boom' }, 1);
		expect((await fetchToken()).status).toBe(503);
		expect((await fetchToken()).status).toBe(503);
		const custom = await fetchToken();
		expect(custom.status).toBe(500);
		expect(custom.text).toBe('boom');
		expect((await fetchToken()).status).toBe(200);
		expect(server().tokenCalls).toBe(4);
		expect(server().issued).toHaveLength(1);
	});

	it('fault: until clearFaults', async () => {
		server().injectFault({ kind: 'status', status: 502 });
		for (let i = 0; i < 3; i++) expect((await fetchToken()).status).toBe(502);
		server().clearFaults();
		expect((await fetchToken()).status).toBe(200);
	});

	it('fault: rateLimit → 429 + Retry-After', async () => {
		server().injectFault({ kind: 'rateLimit', retryAfterSeconds: 7 }, 1);
		const res = await fetchToken();
		expect(res.status).toBe(429);
		expect(res.headers['retry-after']).toBe('7');
	});

	it('fault: slow still answers normally', async () => {
		server().injectFault({ kind: 'slow', delayMs: 20 }, 1);
		const res = await fetchToken();
		expect(res.status).toBe(200);
		expect(typeof at(res.json(), TOKEN_FIELD[vendor])).toBe('string');
	});

	it('fault: reset destroys the connection without an answer', async () => {
		server().injectFault({ kind: 'reset' }, 1);
		await expect(fetchToken()).rejects.toThrow();
		expect(server().tokenCalls).toBe(1);
		expect((await fetchToken()).status).toBe(200);
	});

	it.each([200, 502])('fault: html page with status %d', async (status) => {
		server().injectFault(status === 200 ? { kind: 'html' } : { kind: 'html', status }, 1);
		const res = await fetchToken();
		expect(res.status).toBe(status);
		expect(res.headers['content-type']).toMatch(/^text\/html/);
		expect(res.text.startsWith('<!DOCTYPE html>')).toBe(true);
	});

	it('fault: truncated JSON (complete HTTP message, broken JSON)', async () => {
		server().injectFault({ kind: 'truncated' }, 1);
		const res = await fetchToken();
		expect(res.status).toBe(200);
		expect(res.headers['content-type']).toBe('application/json');
		expect(res.text.startsWith('{')).toBe(true);
		expect(() => res.json()).toThrow();
	});

	it('fault: truncated with the connection aborted mid-body', async () => {
		server().injectFault({ kind: 'truncated', abortConnection: true }, 1);
		await expect(fetchToken()).rejects.toThrow();
	});

	it('fault: missingToken → 200 JSON without the token field', async () => {
		server().injectFault({ kind: 'missingToken' }, 1);
		const res = await fetchToken();
		expect(res.status).toBe(200);
		const body = res.json();
		expect(body).not.toHaveProperty(TOKEN_FIELD[vendor]);
		expect(Object.keys(body).length).toBeGreaterThan(0);
		expect(server().issued).toHaveLength(0);
	});

	it('fault: badExpiry → 200 with an unreadable expiry (token itself is real)', async () => {
		server().injectFault({ kind: 'badExpiry' }, 1);
		const res = await fetchToken();
		expect(res.status).toBe(200);
		const body = res.json();
		const field = EXPIRY_FIELD[vendor];
		if (field) {
			expect(['soon', 'not-a-date']).toContain(body[field]);
			expect(Number.isNaN(Date.parse(body[field] as string))).toBe(true);
		}
		const token = at(body, TOKEN_FIELD[vendor]) as string;
		// An expiry but no expiry field (the generic API): it is the JWT's claim, what cannot be read.
		if (field === null && kits[vendor].answerHasExpiry) expect(claimsOf(token).exp).toBe('soon');
		expect((await echo(sandbox, vendor, authHeaders(vendor, token))).status).toBe(200);
	});

	it('fault: oversized → ~5 MB of 200 JSON', async () => {
		server().injectFault({ kind: 'oversized' }, 1);
		const res = await fetchToken();
		expect(res.status).toBe(200);
		expect(Buffer.byteLength(res.text)).toBeGreaterThanOrEqual(5 * 1024 * 1024);
		expect(Object.keys(res.json())[0]).toBe('padding');
		server().injectFault({ kind: 'oversized', bytes: 1000 }, 1);
		expect(Buffer.byteLength((await fetchToken()).text)).toBeLessThan(2000);
	});

	it("fault: unauthorized → 401 with the vendor's documented body", async () => {
		server().injectFault({ kind: 'unauthorized' }, 1);
		const res = await fetchToken();
		expect(res.status).toBe(401);
		kits[vendor].contract.checkRefusedLogin(res);
	});

	it('revokeToken ends one token before its stated expiry; the others live on', async () => {
		const first = await getToken(sandbox, vendor);
		const second = await getToken(sandbox, vendor);
		expect(server().revokeToken(first)).toBe(true);
		expect(server().revokeToken('never-issued')).toBe(false);
		await expectDenied(vendor, await echo(sandbox, vendor, authHeaders(vendor, first)));
		expect((await echo(sandbox, vendor, authHeaders(vendor, second))).status).toBe(200);
	});

	it.each([301, 302, 303, 307, 308] as const)(
		'fault: redirect %d to the same origin, query marked; following it gets a token',
		async (status) => {
			server().injectFault({ kind: 'redirect', status, to: 'sameOrigin' }, 1);
			const { url, ...options } = tokenCall(sandbox, vendor);
			const res = await call(url, options);
			expect(res.status).toBe(status);
			expect(res.text).toBe('');
			const location = new URL(res.headers.location as string);
			expect(location.origin).toBe(server().origin);
			expect(location.pathname).toBe(new URL(url).pathname);
			expect(location.search).toBe(`?${REDIRECT_QUERY}`);
			expect(location.search).toContain(REDIRECT_QUERY_MARKER);
			// The queue held one redirect: the followed call is a normal token call.
			const followed = await call(location.href, options);
			expect(followed.status).toBe(200);
			expect(server().tokenCalls).toBe(2);
			expect(sandbox.catcher.requests).toHaveLength(0);
		},
	);

	it('fault: redirect to another origin: the catcher records the call and answers a fake success', async () => {
		server().injectFault({ kind: 'redirect', status: 307, to: 'otherOrigin' }, 1);
		const { url, ...options } = tokenCall(sandbox, vendor);
		const res = await call(url, options);
		expect(res.status).toBe(307);
		const location = new URL(res.headers.location as string);
		expect(location.origin).toBe(sandbox.catcher.origin);
		expect(location.origin).not.toBe(server().origin);
		expect(location.pathname).toBe(`/catch/${vendor}${new URL(url).pathname}`);
		expect(location.search).toBe(`?${REDIRECT_QUERY}`);

		// What a client that follows a 307 does: the same method, headers and body, over there.
		const caught = await call(location.href, options);
		expect(caught.status).toBe(200);
		const real = (await fetchToken()).json();
		expect(Object.keys(caught.json())).toEqual(Object.keys(real));
		const token = at(caught.json(), TOKEN_FIELD[vendor]) as string;
		expect(token.startsWith(`${CAUGHT_TOKEN_PREFIX}-`)).toBe(true);
		await expectDenied(vendor, await echo(sandbox, vendor, authHeaders(vendor, token)));

		expect(sandbox.catcher.requests).toHaveLength(1);
		const [recorded] = sandbox.catcher.requests;
		expect(recorded).toMatchObject({
			method: options.method ?? 'GET',
			path: location.pathname + location.search,
			body: options.body ?? '',
		});
		for (const [name, value] of Object.entries(options.headers ?? {})) {
			expect(recorded.headers[name.toLowerCase()]).toBe(value);
		}
		expect(server().tokenCalls).toBe(2);

		server().injectFault({ kind: 'redirect', status: 302, to: 'otherOrigin', path: '/login' }, 1);
		const moved = new URL((await fetchToken()).headers.location as string);
		expect(moved.pathname).toBe(`/catch/${vendor}/login`);
		// A downgrade needs an https vendor to start from.
		expect(() => server().injectFault({ kind: 'redirect', status: 302, to: 'plainHttp' })).toThrow(
			/TLS/,
		);
	});

	it.each(['json', 'text', 'html'] as const)(
		'fault: say (%s) puts the message where the vendor puts its error text',
		async (format) => {
			const message = 'secret=s3cr3t <b>&amp</b>';
			server().injectFault({ kind: 'say', status: 400, format, message }, 1);
			const res = await fetchToken();
			expect(res.status).toBe(400);
			switch (format) {
				case 'json':
					expect(res.headers['content-type']).toMatch(/^application\/json/);
					expect(messageOf(vendor, res)).toBe(message);
					break;
				case 'text':
					expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
					expect(res.text).toBe(message);
					break;
				case 'html':
					expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
					expect(res.text.startsWith('<!DOCTYPE html>')).toBe(true);
					expect(res.text).toContain(`<pre>${message}</pre>`);
					break;
			}
			expect(server().tokenCalls).toBe(1);
			expect(server().issued).toHaveLength(0);
			expect((await fetchToken()).status).toBe(200);
		},
	);

	it.each(['json', 'text', 'html'] as const)(
		'fault: echoRequest (%s) answers with everything the request carried',
		async (format) => {
			server().injectFault({ kind: 'echoRequest', status: 500, format }, 1);
			const { url, ...options } = tokenCall(sandbox, vendor);
			const res = await call(`${url}?probe=${REDIRECT_QUERY_MARKER}`, options);
			expect(res.status).toBe(500);
			const message = format === 'json' ? messageOf(vendor, res) : res.text;
			const requestLine = `${options.method ?? 'GET'} ${new URL(url).pathname}?probe=${REDIRECT_QUERY_MARKER} HTTP/1.1\n`;
			expect(message.startsWith(format === 'html' ? '<!DOCTYPE html>' : requestLine)).toBe(true);
			expect(message).toContain(requestLine);
			expect(message).toMatch(/\nhost: 127\.0\.0\.1:\d+\n/);
			// Every header as the client spelled it, secrets (Authorization, keys) included.
			for (const [name, value] of Object.entries(options.headers ?? {})) {
				expect(message).toContain(`\n${name}: ${value}\n`);
			}
			if (options.body) expect(message).toContain(`\n\n${options.body}`);
			if (format === 'text') expect(message.endsWith(`\n\n${options.body ?? ''}`)).toBe(true);
			expect(server().tokenCalls).toBe(1);
		},
	);

	it('fault: flood streams chunked JSON-looking bytes until the client closes', async () => {
		server().injectFault({ kind: 'flood' }, 1);
		const { url, ...options } = tokenCall(sandbox, vendor);
		const got = await readThenClose(url, options, 1024 * 1024);
		expect(got.status).toBe(200);
		expect(got.headers['content-type']).toBe('application/json');
		expect(got.headers['content-length']).toBeUndefined();
		expect(got.headers['transfer-encoding']).toBe('chunked');
		expect(got.received.subarray(0, 16).toString()).toBe('{"padding":"xxxx');
		await server().waitForStreamsClosed();
		expect(server().openStreams).toBe(0);
		expect(server().lastStreamBytes).toBeGreaterThanOrEqual(got.received.length);
		expect(server().tokenCalls).toBe(1);
		expect(server().issued).toHaveLength(0);
		expect((await fetchToken()).status).toBe(200);
	});

	it('fault: trickle sends the headers at once, then one byte per interval until the client closes', async () => {
		const { url, ...options } = tokenCall(sandbox, vendor);
		// Default interval (1 s): the headers are there before any byte of the body.
		server().injectFault({ kind: 'trickle' }, 1);
		const res = await request(url, {
			method: (options.method ?? 'GET') as 'GET',
			headers: options.headers,
			body: options.body,
			dispatcher: agent,
		});
		expect(res.statusCode).toBe(200);
		expect(res.headers['content-type']).toBe('application/json');
		expect(res.headers['content-length']).toBeUndefined();
		expect(server().openStreams).toBe(1);
		expect(server().lastStreamBytes).toBe(0);
		res.body.destroy();
		await server().waitForStreamsClosed();

		server().injectFault({ kind: 'trickle', intervalMs: 1 }, 1);
		const got = await readThenClose(url, options, 14);
		expect(got.received.subarray(0, 14).toString()).toBe('{"padding":"xx');
		await server().waitForStreamsClosed();
		expect(server().lastStreamBytes).toBeGreaterThanOrEqual(14);
		expect(server().tokenCalls).toBe(2);
	});

	it('unknown route → 404; body over the limit → 413; garbage bytes → 400 and the server lives', async () => {
		expect((await call(`${server().origin}/nowhere`)).status).toBe(404);
		const { url, ...options } = tokenCall(sandbox, vendor);
		const big = await call(url, { ...options, body: 'x'.repeat(100 * 1024) });
		expect(big.status).toBe(413);

		const raw = await new Promise<string>((resolve, reject) => {
			const socket = net.connect(Number(new URL(server().origin).port), '127.0.0.1');
			let data = '';
			socket.on('data', (chunk) => (data += chunk.toString()));
			socket.on('close', () => resolve(data));
			socket.on('error', reject);
			socket.write('\x00\x01GARBAGE \xff\r\n\r\n');
		});
		expect(raw.startsWith('HTTP/1.1 400')).toBe(true);
		expect((await fetchToken()).status).toBe(200);
	});
});

// =============================================================================================

describe('lifecycle', () => {
	it('hang never answers; close() ends hanging requests and every socket', async () => {
		const own = await startSandbox();
		const ownAgent = new Agent();
		const pending: Array<Promise<unknown>> = [];
		const settled: boolean[] = [];
		for (const vendor of vendorIds) {
			own.vendors[vendor].injectFault({ kind: 'hang' } satisfies Fault);
			const { url, ...options } = tokenCall(own, vendor);
			const index = pending.length;
			settled.push(false);
			pending.push(
				call(url, options, ownAgent).then(
					() => (settled[index] = true),
					(error: unknown) => {
						settled[index] = true;
						throw error;
					},
				),
			);
		}
		await Promise.all(vendorIds.map((vendor) => own.vendors[vendor].waitForTokenCalls(1)));
		// The servers still answer other requests meanwhile.
		for (const vendor of vendorIds) {
			const stats = await call(`${own.vendors[vendor].origin}/__sandbox/stats`, {}, ownAgent);
			expect(stats.json()).toMatchObject({ vendor, tokenCalls: 1 });
		}
		expect(settled.every((s) => !s)).toBe(true);

		await own.close();
		const outcomes = await Promise.allSettled(pending);
		expect(outcomes.every((o) => o.status === 'rejected')).toBe(true);
		await own.close(); // idempotent
		await ownAgent.close();
	});

	it('close() ends flood and trickle answers at once', async () => {
		const own = await startSandbox();
		const ownAgent = new Agent();
		own.vendors.sodaCloud.injectFault({ kind: 'flood' });
		own.vendors.manis.injectFault({ kind: 'trickle', intervalMs: 60_000 });
		const answers = [];
		for (const vendor of ['sodaCloud', 'manis'] as const) {
			const { url, ...options } = tokenCall(own, vendor);
			const res = await request(url, {
				method: (options.method ?? 'GET') as 'GET',
				headers: options.headers,
				dispatcher: ownAgent,
			});
			expect(res.statusCode).toBe(200);
			answers.push(drain(res.body));
		}
		expect(own.vendors.sodaCloud.openStreams).toBe(1);
		expect(own.vendors.manis.openStreams).toBe(1);
		await own.close();
		const outcomes = await Promise.allSettled(answers);
		expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
		expect(own.vendors.sodaCloud.openStreams).toBe(0);
		expect(own.vendors.manis.openStreams).toBe(0);
		await ownAgent.close();
	});

	it('reset() ends a running flood too', async () => {
		const own = await startSandbox();
		const ownAgent = new Agent();
		try {
			own.vendors.sodaCloud.injectFault({ kind: 'flood' }, 1);
			const { url, ...options } = tokenCall(own, 'sodaCloud');
			const res = await request(url, { headers: options.headers, dispatcher: ownAgent });
			const done = drain(res.body);
			own.vendors.sodaCloud.reset();
			await expect(done).rejects.toThrow();
			expect(own.vendors.sodaCloud.openStreams).toBe(0);
			expect(own.vendors.sodaCloud.lastStreamBytes).toBe(0);
		} finally {
			await own.close();
			await ownAgent.close();
		}
	});

	it('fixed ports and lifetimes from the options', async () => {
		const probe = await startSandbox();
		const port = Number(new URL(probe.vendors.manis.origin).port);
		await probe.close();
		const own = await startSandbox({ ports: { manis: port }, tokenLifetimeSeconds: { manis: 42 } });
		try {
			expect(own.vendors.manis.origin).toBe(`http://127.0.0.1:${port}`);
			expect(own.vendors.manis.lifetimeSeconds).toBe(42);
			expect(own.vendors.sodaCloud.lifetimeSeconds).toBe(1800);
		} finally {
			await own.close();
		}
	});
});

// =============================================================================================

describe('tls', () => {
	let secure: Sandbox;
	let trusting: Agent;

	beforeAll(async () => {
		secure = await startSandbox({ tls: true });
		trusting = new Agent({ connect: { ca: secure.certificate ?? undefined } });
	});

	afterAll(async () => {
		await secure.close();
		await trusting.close();
	});

	beforeEach(() => {
		for (const id of vendorIds) secure.vendors[id].reset();
		secure.catcher.reset();
	});

	it('every vendor answers over https with the exported self-signed certificate', async () => {
		expect(secure.certificate).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
		for (const vendor of vendorIds) {
			const server = secure.vendors[vendor];
			expect(server.origin).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
			expect(server.baseUrl.startsWith(server.origin)).toBe(true);
			const { url, ...options } = tokenCall(secure, vendor);
			const res = await call(url, options, trusting);
			expect(res.status).toBe(200);
			const token = at(res.json(), TOKEN_FIELD[vendor]) as string;
			const echoed = await call(
				`${server.origin}/__sandbox/echo`,
				{ headers: authHeaders(vendor, token) },
				trusting,
			);
			expect(echoed.status).toBe(200);
		}
		// Without the certificate a client cannot connect.
		await expect(call(`${secure.vendors.sodaCloud.baseUrl}/ping`)).rejects.toThrow();
	});

	it('redirects: otherOrigin stays https (the catcher has a TLS side), plainHttp downgrades', async () => {
		const soda = secure.vendors.sodaCloud;
		expect(secure.catcher.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
		expect(secure.catcher.secureOrigin).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
		const { url, ...options } = tokenCall(secure, 'sodaCloud');

		soda.injectFault({ kind: 'redirect', status: 308, to: 'otherOrigin' }, 1);
		soda.injectFault({ kind: 'redirect', status: 301, to: 'plainHttp' }, 1);
		const other = new URL((await call(url, options, trusting)).headers.location as string);
		const plain = new URL((await call(url, options, trusting)).headers.location as string);
		expect(other.origin).toBe(secure.catcher.secureOrigin);
		expect(plain.origin).toBe(secure.catcher.origin);
		expect(plain.href).toBe(
			`${secure.catcher.origin}/catch/sodaCloud/v1/get_token?${REDIRECT_QUERY}`,
		);

		for (const target of [other, plain]) {
			const caught = await call(target.href, options, trusting);
			expect(caught.status).toBe(200);
			expect((caught.json().token as string).startsWith(CAUGHT_TOKEN_PREFIX)).toBe(true);
		}
		expect(secure.catcher.requests.map((r) => r.headers.authorization)).toEqual([
			options.headers?.authorization,
			options.headers?.authorization,
		]);
		expect(soda.tokenCalls).toBe(2);
	});

	it('reset and truncated faults work over TLS too', async () => {
		const galileo = secure.vendors.galileo;
		const { url, ...options } = tokenCall(secure, 'galileo');
		galileo.injectFault({ kind: 'reset' }, 1);
		await expect(call(url, options, trusting)).rejects.toThrow();
		galileo.injectFault({ kind: 'truncated', abortConnection: true }, 1);
		await expect(call(url, options, trusting)).rejects.toThrow();
		expect((await call(url, options, trusting)).status).toBe(200);
	});

	it('tls for some vendors only; a plain sandbox has no certificate and no TLS catcher', async () => {
		const mixed = await startSandbox({ tls: { manis: true } });
		try {
			expect(mixed.vendors.manis.origin.startsWith('https://')).toBe(true);
			expect(mixed.vendors.sodaCloud.origin.startsWith('http://')).toBe(true);
			expect(mixed.certificate).toBe(secure.certificate); // one pair per process
			expect(mixed.catcher.secureOrigin).not.toBeNull();
			expect(() =>
				mixed.vendors.sodaCloud.injectFault({ kind: 'redirect', status: 302, to: 'plainHttp' }),
			).toThrow(/TLS/);
			mixed.vendors.manis.injectFault({ kind: 'redirect', status: 302, to: 'plainHttp' }, 1);
		} finally {
			await mixed.close();
		}
		expect(sandbox.certificate).toBeNull();
		expect(sandbox.catcher.secureOrigin).toBeNull();
	});
});
