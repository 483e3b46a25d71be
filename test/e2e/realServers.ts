/**
 * The Custom Token Endpoint credential against three real auth servers from npm
 * (scripts/authServers: oidc-provider, @node-oauth/oauth2-server, json-server-auth), through a
 * real n8n: credentials made with n8n's REST API, HTTP Request nodes (predefined credential type)
 * and the Get Token node in webhook workflows. Called by run.ts inside the per-version suite and
 * by queueSuite.ts in queue mode (there: the 100 items spread over both workers, and two workers
 * refreshing with one rotated refresh token). Each check names its server; the token calls the
 * servers counted are printed as `token calls: …` lines.
 *
 * Two sets of servers run: one with the default lifetimes, and one with short ones
 * (SHORT_TTL_SECONDS for oidc-provider's client credentials and node-oauth's access tokens) so
 * that expiry is exercised in seconds. node-oauth's token URL is reached through a small
 * recording proxy in the refresh checks: it tells which refresh token each refresh sent and
 * which one the answer rotated in, and gives the refresh tokens to search the executions for.
 *
 * Only these checks (after the load check; queue mode too for 2.40.7), for iterating on them:
 *   npm run build && E2E_ONLY=realServers npm run test:e2e -- --n8n 2.40.7
 */
import { createServer, type IncomingMessage, type Server } from 'http';
import type { AddressInfo } from 'net';

import {
	startAuthServers,
	type AuthServers,
	type ClientAccount,
	type OAuth2ServerHandle,
	type ServerHandle,
	type ServerStats,
} from '../../scripts/authServers';
import { assert, type Check } from '../../scripts/runtime/checks';
import { hasEnded, type ExecutionDetails, type N8nClient } from '../../scripts/runtime/n8nClient';
import type { LogMark, QueueCluster } from '../../scripts/runtime/queueMode';
import { chain, getTokenNode, httpRequestNode, splitOutNode, webhookNode } from './workflows';

type Json = Record<string, unknown>;
type Ref = { id: string; name: string };

export interface RealServerOptions {
	/** `n8n <version>:` or `n8n <version> queue mode:`. */
	at: string;
	/** Signed in to main (REST). */
	client: N8nClient;
	check: Check;
	log: (line: string) => void;
	version: string;
	/** Queue mode: production webhooks go to the webhook process; workers tell who ran what. */
	queue?: { webhooks: N8nClient; cluster: QueueCluster };
}

const TYPE = 'customTokenEndpointApi';
const SHORT_TTL_SECONDS = 8;
/** Queue mode: concurrent executions per batch × items each = 100 items, as queueSuite.ts does. */
const EXECUTIONS_PER_BATCH = 4;
const ITEMS_PER_EXECUTION = 25;
const MAX_BATCHES = 4;

/** node-oauth's stats with the grant counters its launcher adds. */
type GrantStats = ServerStats & {
	byGrant?: Record<string, number>;
	failedByGrant?: Record<string, number>;
};

interface Delta {
	calls: number;
	failed: number;
	byGrant: Record<string, number>;
	failedByGrant: Record<string, number>;
}

const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

/** RFC 6749 Appendix B form encoding, as a client_secret_basic client sends id and secret. */
const formEncode = (value: string) => new URLSearchParams([['', value]]).toString().slice(1);
const basic = (id: string, secret: string) =>
	`Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

/** The forms a client secret could leak in: as is, form-encoded, and inside either Basic header. */
function secretForms(clientId: string, secret: string): string[] {
	const forms = [
		secret,
		formEncode(secret),
		basic(clientId, secret).slice(6),
		basic(formEncode(clientId), formEncode(secret)).slice(6),
	];
	return [...new Set(forms.filter((form) => form.length >= 6))];
}

function diff(
	before: Record<string, number> = {},
	after: Record<string, number> = {},
): Record<string, number> {
	const out: Record<string, number> = {};
	for (const key of Object.keys(after))
		if ((after[key] ?? 0) - (before[key] ?? 0) !== 0) out[key] = after[key] - (before[key] ?? 0);
	return out;
}

/** Counts a server's token calls from now on. */
async function counter(server: ServerHandle): Promise<() => Promise<Delta>> {
	const before = (await server.stats()) as GrantStats;
	return async () => {
		const after = (await server.stats()) as GrantStats;
		return {
			calls: after.tokenCalls - before.tokenCalls,
			failed: after.failedTokenCalls - before.failedTokenCalls,
			byGrant: diff(before.byGrant, after.byGrant),
			failedByGrant: diff(before.failedByGrant, after.failedByGrant),
		};
	};
}

const grantsText = (delta: Delta) =>
	Object.keys(delta.byGrant).length === 0
		? ''
		: ` (${Object.entries(delta.byGrant)
				.map(
					([grant, count]) =>
						`${grant} ${count}${delta.failedByGrant[grant] ? `, ${delta.failedByGrant[grant]} failed` : ''}`,
				)
				.join('; ')})`;
const callsText = (delta: Delta) =>
	`${delta.calls} token call(s), ${delta.failed} failed${grantsText(delta)}`;

interface TokenExchange {
	grant: string;
	/** The refresh token a refresh_token grant sent. */
	sentRefreshToken?: string;
	status: number;
	/** The refresh token the answer carried. */
	issuedRefreshToken?: string;
	accessToken?: string;
}

/** A pass-through proxy in front of a token server that records each token call and its answer. */
async function recordingProxy(
	target: string,
): Promise<{ url: string; exchanges: TokenExchange[]; close: () => Promise<void> }> {
	const exchanges: TokenExchange[] = [];
	const read = async (req: IncomingMessage) => {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		return Buffer.concat(chunks).toString('utf8');
	};
	const server: Server = createServer((req, res) => {
		void (async () => {
			const body = await read(req);
			const headers: Record<string, string> = {};
			for (const [name, value] of Object.entries(req.headers)) {
				if (typeof value === 'string' && !['host', 'content-length', 'connection'].includes(name))
					headers[name] = value;
			}
			try {
				const method = req.method ?? 'GET';
				const answer = await fetch(`${target}${req.url ?? '/'}`, {
					method,
					headers,
					body: ['GET', 'HEAD'].includes(method) ? undefined : body,
					redirect: 'manual',
				});
				const text = await answer.text();
				if (method === 'POST') {
					const sent = new URLSearchParams(headers['content-type']?.includes('json') ? '' : body);
					const json = (() => {
						try {
							return JSON.parse(text) as Json;
						} catch {
							return {};
						}
					})();
					exchanges.push({
						grant: sent.get('grant_type') ?? '(none)',
						sentRefreshToken: sent.get('refresh_token') ?? undefined,
						status: answer.status,
						issuedRefreshToken:
							typeof json.refresh_token === 'string' ? json.refresh_token : undefined,
						accessToken: typeof json.access_token === 'string' ? json.access_token : undefined,
					});
				}
				const out: Record<string, string> = {
					'content-type': answer.headers.get('content-type') ?? 'application/json',
				};
				const challenge = answer.headers.get('www-authenticate');
				if (challenge) out['www-authenticate'] = challenge;
				res.writeHead(answer.status, out);
				res.end(text);
			} catch (error) {
				res.writeHead(502, { 'content-type': 'text/plain' });
				res.end(String(error));
			}
		})();
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		exchanges,
		close: async () => await new Promise<void>((resolve) => server.close(() => resolve())),
	};
}

/** The credential's fields for a client credentials grant with `account` at `tokenUrl`. */
const clientCredentialsLogin = (
	tokenUrl: string,
	account: ClientAccount,
	clientAuth: 'basic' | 'body',
): Json => ({
	loginType: 'oauth2ClientCredentials',
	tokenUrl,
	clientId: account.clientId,
	clientSecret: account.clientSecret,
	clientAuth,
});

/** The credential's fields for a password grant of `user` with the client `account`. */
const passwordLogin = (
	tokenUrl: string,
	user: { username: string; password: string },
	account: ClientAccount,
	clientAuth: string,
): Json => ({
	loginType: 'oauth2Password',
	tokenUrl,
	username: user.username,
	password: user.password,
	clientId: account.clientId,
	clientSecret: account.clientSecret,
	clientAuth,
});

/** The error texts of an execution: the workflow's and every node run's. */
function errorText(execution: ExecutionDetails): string {
	const runs = Object.values(execution.data.resultData.runData).flatMap((taskRuns) =>
		taskRuns.map((run) => run.error ?? ''),
	);
	return JSON.stringify([execution.data.resultData.error ?? '', ...runs]);
}

function firstError(execution: ExecutionDetails): string {
	const run = Object.values(execution.data.resultData.runData)
		.flat()
		.find((taskRun) => taskRun.error);
	const error = run?.error ?? execution.data.resultData.error;
	if (!error) return 'no error recorded';
	const description = (error as { description?: unknown }).description;
	const more =
		typeof description === 'string' && description !== '' && !error.message.includes(description)
			? ` | ${description}`
			: '';
	return `${error.message}${more}`;
}

export async function realServerChecks(options: RealServerOptions): Promise<void> {
	const { at, client, check, log, queue } = options;
	const webhooks = queue?.webhooks ?? client;
	const scope = queue ? 'rsq' : 'rs';
	let servers: AuthServers | undefined;
	let short: AuthServers | undefined;
	const proxies: Array<{ close: () => Promise<void> }> = [];
	try {
		const started = await Promise.allSettled([
			startAuthServers(),
			startAuthServers({
				oidcAccessTokenTtl: SHORT_TTL_SECONDS,
				oauth2AccessTokenTtl: SHORT_TTL_SECONDS,
			}),
		]);
		servers = started[0].status === 'fulfilled' ? started[0].value : undefined;
		short = started[1].status === 'fulfilled' ? started[1].value : undefined;
		const failure = started.find((result) => result.status === 'rejected');
		if (failure) {
			await check(
				`${at} real auth servers start (oidc-provider, @node-oauth/oauth2-server, json-server-auth)`,
				async () => {
					throw failure.reason instanceof Error
						? failure.reason
						: new Error(String(failure.reason));
				},
			);
			return;
		}
		if (!servers || !short) return;
		const { oidc, oauth2, jsonServer } = servers;
		const shortServers = short;

		const credential = async (name: string, data: Json): Promise<Ref> => {
			const created = await client.createCredential(
				TYPE,
				`${name} (${queue ? 'queue mode' : 'real server'})`,
				data,
			);
			return { id: created.id, name: created.name };
		};
		const activated = async (label: string, nodes: Json[]) => {
			const webhookPath = `${scope}-${label}`;
			const workflow = await client.createWorkflow(
				chain(`${scope} ${label}`, [webhookNode(webhookPath), ...nodes]),
			);
			await client.activateWorkflow(workflow.id);
			return { id: workflow.id, path: webhookPath };
		};
		/** Webhook → Split Out → HTTP Request (predefined credential type) to `url`: one request per item. */
		const itemsWorkflow = async (label: string, url: string, ref: Ref) =>
			await activated(label, [
				splitOutNode('body.items'),
				httpRequestNode('HTTP Request', url, TYPE, ref),
			]);
		/** Webhook → HTTP Request to `url` → Get Token (its output under `auth`, beside the answer). */
		const meWorkflow = async (label: string, url: string, ref: Ref) =>
			await activated(label, [
				httpRequestNode('HTTP Request', url, TYPE, ref),
				getTokenNode('customEndpoint', TYPE, ref, { outputField: 'auth' }),
			]);
		/**
		 * node-oauth (`s`) behind a recording proxy, a password-grant credential whose token URL is
		 * the proxy, and a meWorkflow with it: the refresh rotation checks.
		 */
		const behindProxy = async (s: OAuth2ServerHandle) => {
			const proxy = await recordingProxy(s.baseUrl);
			proxies.push(proxy);
			const ref = await credential(
				'node-oauth refresh rotation',
				passwordLogin(`${proxy.url}/token`, s.user, s.client, 'basicAsTyped'),
			);
			const workflow = await meWorkflow('oauth2-refresh', s.resourceUrl, ref);
			return { proxy, workflow };
		};

		const post = async (webhookPath: string, items?: number) => {
			const body =
				items === undefined ? {} : { items: Array.from({ length: items }, (_, i) => ({ i })) };
			const answer = await webhooks.postJson(webhookPath, body);
			return { ...answer, list: Array.isArray(answer.json) ? (answer.json as Json[]) : [] };
		};
		/** A webhook call, and the token calls `server` counted meanwhile. */
		const counted = async (server: ServerHandle, webhookPath: string, items?: number) => {
			const count = await counter(server);
			const answer = await post(webhookPath, items);
			return { answer, delta: await count() };
		};
		const seen = new Set<string>();
		/** The executions of the workflow not returned before, once `count` of them have ended (newest first). */
		const newExecutions = async (workflowId: string, count = 1): Promise<ExecutionDetails[]> => {
			const deadline = Date.now() + 30_000;
			for (;;) {
				const ended = (await client.listExecutions(workflowId)).filter(
					(e) => !seen.has(e.id) && hasEnded(e),
				);
				if (ended.length >= count || Date.now() > deadline) {
					for (const e of ended) seen.add(e.id);
					return await Promise.all(ended.map(async (e) => await client.getExecution(e.id)));
				}
				await sleep(250);
			}
		};
		const lastExecution = async (workflowId: string) => {
			const [execution] = await newExecutions(workflowId, 1);
			assert(execution, `no new execution of workflow ${workflowId} within 30 s`);
			return execution;
		};
		const ok100 = (answer: Awaited<ReturnType<typeof post>>, items: number) =>
			`expected ${items} answers, got ${answer.status} ${answer.text.slice(0, 300)}`;
		/** Get Token's output (`auth`) and the HTTP Request's answer of a meWorkflow run. */
		const meOutput = (answer: Awaited<ReturnType<typeof post>>) => {
			assert(
				answer.status === 200 && answer.list.length === 1,
				`workflow answered ${answer.status}: ${answer.text.slice(0, 300)}`,
			);
			const item = answer.list[0];
			const auth = item.auth as Json | undefined;
			assert(
				auth && typeof auth.token === 'string',
				`no Get Token output: ${answer.text.slice(0, 300)}`,
			);
			return { item, auth, token: auth.token };
		};
		const nearly = (a: number, b: number, ms: number) => Math.abs(a - b) <= ms;
		/** `items` answers of oidc-provider's /api/me, each for `account`, after exactly 1 token call. */
		const servedOnce = (
			answer: Awaited<ReturnType<typeof post>>,
			delta: Delta,
			items: number,
			account: ClientAccount,
		) => {
			assert(answer.status === 200 && answer.list.length === items, ok100(answer, items));
			assert(
				answer.list.every((item) => item.clientId === account.clientId),
				`/api/me answered ${JSON.stringify(answer.list[0])}`,
			);
			assert(
				delta.calls === 1 && delta.failed === 0,
				`expected exactly 1 token call, got ${callsText(delta)}`,
			);
		};
		/** A run expected to fail: the answer, the token calls, the execution and its error texts. */
		const failingRun = async (server: ServerHandle, workflow: { id: string; path: string }) => {
			const { answer, delta } = await counted(server, workflow.path, 100);
			const execution = await lastExecution(workflow.id);
			return { answer, delta, execution, text: errorText(execution) };
		};

		if (queue) {
			await queueChecks();
			return;
		}

		// 1. oidc-provider, client credentials, client_secret_basic with a secret holding + / = % :
		const basicRef = await credential('oidc-provider client_secret_basic', {
			...clientCredentialsLogin(oidc.tokenUrl, oidc.basicClient, 'basic'),
			testUrl: oidc.resourceUrl,
		});
		await check(
			`${at} oidc-provider: client credentials, client_secret_basic with a ` +
				`secret holding + / = % :, 100 items make 1 token call and Test passes`,
			async () => {
				const workflow = await itemsWorkflow('oidc-basic-items', oidc.resourceUrl, basicRef);
				const { answer, delta } = await counted(oidc, workflow.path, 100);
				log(
					`token calls: oidc-provider client_secret_basic, 100 items, empty token: ${callsText(delta)}`,
				);
				servedOnce(answer, delta, 100, oidc.basicClient);
				const testCount = await counter(oidc);
				const test = await client.testCredential(basicRef.id);
				log(
					`oidc-provider client_secret_basic: Test ${test.status} with ${callsText(await testCount())}`,
				);
				assert(test.status === 'OK', `Test: ${JSON.stringify(test)}`);
			},
		);

		// 2. client_secret_post.
		await check(
			`${at} oidc-provider: client credentials, client_secret_post (Client Authentication: In the Body), HTTP Request works`,
			async () => {
				const ref = await credential(
					'oidc-provider client_secret_post',
					clientCredentialsLogin(oidc.tokenUrl, oidc.postClient, 'body'),
				);
				const workflow = await itemsWorkflow('oidc-post-items', oidc.resourceUrl, ref);
				const { answer, delta } = await counted(oidc, workflow.path, 10);
				log(`token calls: oidc-provider client_secret_post, 10 items: ${callsText(delta)}`);
				servedOnce(answer, delta, 10, oidc.postClient);
			},
		);

		// 3. Early revocation (RFC 7009) of the token n8n uses.
		await check(
			`${at} oidc-provider: after the token n8n uses is revoked at the revocation ` +
				`endpoint (RFC 7009), the next execution succeeds with exactly 1 token call`,
			async () => {
				const workflow = await meWorkflow('oidc-revoke', oidc.resourceUrl, basicRef);
				const first = meOutput(await post(workflow.path));
				const used = first.token;
				const revoked = await fetch(oidc.revocationUrl, {
					method: 'POST',
					headers: {
						'content-type': 'application/x-www-form-urlencoded',
						authorization: basic(
							formEncode(oidc.basicClient.clientId),
							formEncode(oidc.basicClient.clientSecret),
						),
					},
					body: new URLSearchParams({ token: used, token_type_hint: 'access_token' }).toString(),
				});
				await revoked.arrayBuffer();
				assert(revoked.status === 200, `revocation answered ${revoked.status}`);
				const probe = await fetch(oidc.resourceUrl, {
					headers: { authorization: `Bearer ${used}` },
				});
				await probe.arrayBuffer();
				assert(probe.status === 401, `the revoked token still opens /api/me (${probe.status})`);
				const { answer: secondAnswer, delta } = await counted(oidc, workflow.path);
				const second = meOutput(secondAnswer);
				const { answer: thirdAnswer, delta: later } = await counted(oidc, workflow.path);
				const third = meOutput(thirdAnswer);
				log(
					`token calls: oidc-provider after the RFC 7009 revocation: ${callsText(delta)}; the run after that: ${callsText(later)}`,
				);
				assert(
					second.item.clientId === oidc.basicClient.clientId,
					`/api/me answered ${JSON.stringify(second.item)}`,
				);
				assert(second.token !== used, 'Get Token still outputs the revoked token');
				assert(
					delta.calls === 1 && delta.failed === 0,
					`expected exactly 1 token call, got ${callsText(delta)}`,
				);
				assert(
					third.token === second.token && later.calls === 0,
					`the run after that: ${callsText(later)}, token ${third.token === second.token ? 'same' : 'changed'}`,
				);
			},
		);

		// 4. Expiry: oidc-provider with a short client-credentials lifetime.
		await check(
			`${at} oidc-provider (${SHORT_TTL_SECONDS} s tokens): Get Token's expiresAt matches ` +
				`expires_in, and after expiry the next execution gets a new token with 1 token call`,
			async () => {
				const s = shortServers.oidc;
				const ref = await credential(
					'oidc-provider short-lived',
					clientCredentialsLogin(s.tokenUrl, s.basicClient, 'basic'),
				);
				const workflow = await meWorkflow('oidc-expiry', s.resourceUrl, ref);
				const runOnce = async (what: string) => {
					const { answer, delta } = await counted(s, workflow.path);
					const out = meOutput(answer);
					const expiresAt = Date.parse(String(out.auth.expiresAt));
					const obtainedAt = Date.parse(String(out.auth.obtainedAt));
					const exp = Number(out.item.exp) * 1000;
					log(
						`token calls: oidc-provider ${what}: ${callsText(delta)}; expiresAt ${String(out.auth.expiresAt)}, obtainedAt + ` +
							`expires_in ${new Date(obtainedAt + s.accessTokenTtl * 1000).toISOString()}, server exp ${new Date(exp).toISOString()}`,
					);
					assert(
						delta.calls === 1 && delta.failed === 0,
						`${what}: expected exactly 1 token call, got ${callsText(delta)}`,
					);
					assert(
						nearly(expiresAt, obtainedAt + s.accessTokenTtl * 1000, 2000),
						`${what}: expiresAt ${String(out.auth.expiresAt)} is not obtainedAt ${String(out.auth.obtainedAt)} + ${s.accessTokenTtl} s`,
					);
					assert(
						nearly(expiresAt, exp, 2000),
						`${what}: expiresAt ${String(out.auth.expiresAt)} vs the server's exp ${new Date(exp).toISOString()}`,
					);
					return { ...out, expiresAt };
				};
				const first = await runOnce('short-lived, first run');
				await sleep(Math.max(0, first.expiresAt - Date.now()) + 1500);
				const second = await runOnce('short-lived, after expiry');
				assert(second.token !== first.token, 'the expired token was output again');
			},
		);

		// 5. A wrong client secret: refused once, then not sent again during the back-off.
		await check(
			`${at} oidc-provider: a wrong client secret fails the execution (invalid_client, no secret in ` +
				`the error) with at most 2 failed token calls for 100 items, at most 1 in the next execution`,
			async () => {
				const wrong = { ...oidc.basicClient, clientSecret: 'wr0ng+s3cr/t=%x:y' };
				const ref = await credential(
					'oidc-provider wrong secret',
					clientCredentialsLogin(oidc.tokenUrl, wrong, 'basic'),
				);
				const workflow = await itemsWorkflow('oidc-wrong-secret', oidc.resourceUrl, ref);
				const secrets = [
					...secretForms(wrong.clientId, wrong.clientSecret),
					...secretForms(oidc.basicClient.clientId, oidc.basicClient.clientSecret),
				];
				const first = await failingRun(oidc, workflow);
				const second = await failingRun(oidc, workflow);
				log(
					`token calls: oidc-provider wrong secret, 100 items: ${callsText(first.delta)}; ` +
						`next execution within the back-off: ${callsText(second.delta)}`,
				);
				log(
					`oidc-provider wrong secret: execution ${first.execution.status}: ${firstError(first.execution).slice(0, 400)}`,
				);
				log(
					`oidc-provider wrong secret, next execution: ${firstError(second.execution).slice(0, 300)}`,
				);
				for (const [what, run] of [
					['first', first],
					['second', second],
				] as const) {
					assert(
						run.answer.status !== 200 && run.execution.status === 'error',
						`${what} execution: webhook ${run.answer.status}, execution ${run.execution.status}`,
					);
					const leaked = secrets.filter(
						(form) =>
							run.text.includes(form) ||
							run.answer.text.includes(form) ||
							JSON.stringify(run.execution.data).includes(form),
					);
					assert(
						leaked.length === 0,
						`${what} execution: a form of the client secret is in the execution or ` +
							`the answer: ${leaked.map((form) => `${form.slice(0, 6)}…`).join(', ')}`,
					);
					assert(
						/invalid_client/.test(run.text) && /client was refused/.test(run.text),
						`${what} execution's error does not name the client refusal: ${run.text.slice(0, 400)}`,
					);
				}
				assert(
					first.delta.failed >= 1 && first.delta.failed <= 2,
					`expected 1 to 2 failed token calls for 100 items, got ${callsText(first.delta)}`,
				);
				assert(
					second.delta.failed <= 1,
					`expected at most 1 failed token call in the next execution, got ${callsText(second.delta)}`,
				);
				assert(
					/not sent again before/.test(second.text) || second.delta.failed === 1,
					`the second execution neither waited out the back-off nor tried once: ${second.text.slice(0, 300)}`,
				);
			},
		);

		// 6. node-oauth: password grant with client authentication.
		await check(
			`${at} @node-oauth/oauth2-server: password grant with the client in Basic ` +
				`as typed (secret with + / = % :) and in the body, HTTP Request works`,
			async () => {
				const variants = [
					{ label: 'basic-as-typed', clientAuth: 'basicAsTyped', account: oauth2.oddClient },
					{ label: 'body', clientAuth: 'body', account: oauth2.client },
				];
				for (const variant of variants) {
					const ref = await credential(
						`node-oauth password grant, client ${variant.label}`,
						passwordLogin(oauth2.tokenUrl, oauth2.user, variant.account, variant.clientAuth),
					);
					const workflow = await itemsWorkflow(
						`oauth2-password-${variant.label}`,
						oauth2.resourceUrl,
						ref,
					);
					const { answer, delta } = await counted(oauth2, workflow.path, 10);
					log(
						`token calls: node-oauth password grant, client ${variant.label} (${variant.account.clientId}), 10 items: ${callsText(delta)}`,
					);
					assert(
						answer.status === 200 && answer.list.length === 10,
						`${variant.label}: ${ok100(answer, 10)}`,
					);
					const me = answer.list[0] as { user?: { username?: string }; clientId?: string };
					assert(
						me.user?.username === oauth2.user.username && me.clientId === variant.account.clientId,
						`${variant.label}: /api/me answered ${JSON.stringify(me)}`,
					);
					assert(
						delta.calls === 1 && delta.byGrant.password === 1 && delta.failed === 0,
						`${variant.label}: expected 1 password grant, got ${callsText(delta)}`,
					);
				}
			},
		);

		await check(
			`${at} @node-oauth/oauth2-server: a wrong password fails the execution quoting "Invalid ` +
				`grant: user credentials are invalid", at most 2 failed token calls for 100 items`,
			async () => {
				const wrongPassword = 'Wonderland-41';
				const ref = await credential(
					'node-oauth wrong password',
					passwordLogin(
						oauth2.tokenUrl,
						{ ...oauth2.user, password: wrongPassword },
						oauth2.client,
						'basicAsTyped',
					),
				);
				const workflow = await itemsWorkflow('oauth2-wrong-password', oauth2.resourceUrl, ref);
				const { answer, delta, execution, text } = await failingRun(oauth2, workflow);
				log(`token calls: node-oauth wrong password, 100 items: ${callsText(delta)}`);
				log(
					`node-oauth wrong password: execution ${execution.status}: ${firstError(execution).slice(0, 400)}`,
				);
				assert(
					answer.status !== 200 && execution.status === 'error',
					`webhook ${answer.status}, execution ${execution.status}`,
				);
				assert(
					/user's login was refused/.test(text) &&
						text.includes('Invalid grant: user credentials are invalid'),
					`the error does not quote the refusal: ${text.slice(0, 400)}`,
				);
				const data = JSON.stringify(execution.data);
				assert(
					![wrongPassword, oauth2.client.clientSecret].some((secret) => data.includes(secret)),
					'the password or the client secret is in the execution',
				);
				assert(
					delta.failed >= 1 && delta.failed <= 2,
					`expected 1 to 2 failed token calls, got ${callsText(delta)}`,
				);
			},
		);

		// 7. node-oauth refresh tokens with rotation (short-lived access tokens, through the recording proxy).
		await check(
			`${at} @node-oauth/oauth2-server (${SHORT_TTL_SECONDS} s tokens): after expiry, then after revokeAccessTokens(), ` +
				`each next execution makes 1 refresh_token grant with the rotated refresh token; no refresh token in any output`,
			async () => {
				const s = shortServers.oauth2;
				const { proxy, workflow } = await behindProxy(s);
				const texts: string[] = [];
				const runOnce = async (what: string) => {
					const count = await counter(s);
					const exchanged = proxy.exchanges.length;
					const answer = await post(workflow.path);
					const delta = await count();
					const execution = await lastExecution(workflow.id);
					texts.push(answer.text, JSON.stringify(execution.data));
					const exchanges = proxy.exchanges.slice(exchanged);
					log(`token calls: node-oauth ${what}: ${callsText(delta)}`);
					const out = meOutput(answer);
					assert(
						(out.item.user as Json | undefined)?.username === s.user.username,
						`${what}: /api/me answered ${JSON.stringify(out.item)}`,
					);
					return { delta, exchanges, out };
				};
				const first = await runOnce('first run');
				assert(
					first.delta.calls === 1 && first.delta.byGrant.password === 1,
					`first run: expected 1 password grant, got ${callsText(first.delta)}`,
				);
				const r1 = first.exchanges[0]?.issuedRefreshToken;
				assert(r1, 'the password grant answered no refresh token');

				await sleep(Math.max(0, Date.parse(String(first.out.auth.expiresAt)) - Date.now()) + 1500);
				const second = await runOnce('after the access token expired');
				assert(
					second.delta.calls === 1 &&
						second.delta.byGrant.refresh_token === 1 &&
						second.delta.failed === 0,
					`after expiry: expected 1 refresh_token grant, got ${callsText(second.delta)}`,
				);
				const refresh1 = second.exchanges[0];
				assert(
					refresh1.sentRefreshToken === r1 &&
						refresh1.status === 200 &&
						refresh1.issuedRefreshToken &&
						refresh1.issuedRefreshToken !== r1,
					'the refresh did not send the first refresh token, or was not rotated',
				);
				assert(second.out.token !== first.out.token, 'Get Token output the expired token');

				const revoked = await s.revokeAccessTokens();
				const third = await runOnce(`after revokeAccessTokens() (${revoked} revoked)`);
				assert(
					third.delta.calls === 1 &&
						third.delta.byGrant.refresh_token === 1 &&
						third.delta.failed === 0,
					`after the revocation: expected 1 refresh_token grant, got ${callsText(third.delta)}`,
				);
				const refresh2 = third.exchanges[0];
				assert(
					refresh2.sentRefreshToken === refresh1.issuedRefreshToken && refresh2.status === 200,
					'the second refresh did not send the rotated refresh token',
				);
				log(
					`node-oauth refresh rotation: refresh 1 sent R1 and got R2, refresh 2 sent R2 (${refresh2.status}) and got R3`,
				);

				const refreshTokens = proxy.exchanges
					.map((e) => e.issuedRefreshToken)
					.filter((token): token is string => typeof token === 'string');
				const leaked = refreshTokens.filter((token) => texts.some((text) => text.includes(token)));
				assert(
					leaked.length === 0,
					`${leaked.length} refresh token(s) in an execution or a webhook answer (Get Token output)`,
				);
				const output = JSON.stringify(third.out.auth);
				assert(
					!/refresh/i.test(output),
					`Get Token's output names a refresh token: ${output.slice(0, 300)}`,
				);
			},
		);

		// 8. json-server-auth: a JSON login answering a JWT.
		await check(
			`${at} json-server-auth: JSON login (email, password, the rest Auto): Test passes ` +
				`on the first save, HTTP Request works, Get Token's expiresAt is the JWT's exp`,
			async () => {
				const ref = await credential('json-server-auth login', {
					loginType: 'jsonLogin',
					tokenUrl: jsonServer.loginUrl,
					userField: 'email',
					username: jsonServer.user.email,
					password: jsonServer.user.password,
				});
				const testCount = await counter(jsonServer);
				const test = await client.testCredential(ref.id);
				const testDelta = await testCount();
				log(
					`json-server-auth: Test on the first save: ` +
						`${test.status}${test.message ? ` (${test.message.slice(0, 200)})` : ''}, ${callsText(testDelta)}`,
				);
				assert(test.status === 'OK', `Test: ${JSON.stringify(test)}`);
				const workflow = await meWorkflow('json-login', jsonServer.resourceUrl, ref);
				const { answer, delta } = await counted(jsonServer, workflow.path);
				const out = meOutput(answer);
				log(`token calls: json-server-auth, the run after the Test: ${callsText(delta)}`);
				assert(
					out.item.id === jsonServer.user.id && out.item.email === jsonServer.user.email,
					`the guarded route answered ${JSON.stringify(out.item)}`,
				);
				const claims = JSON.parse(
					Buffer.from(out.token.split('.')[1] ?? '', 'base64url').toString('utf8'),
				) as { exp?: number };
				assert(typeof claims.exp === 'number', 'the token is not a JWT with exp');
				assert(
					Date.parse(String(out.auth.expiresAt)) === claims.exp * 1000,
					`expiresAt ${String(out.auth.expiresAt)} is not the JWT's exp ${new Date(claims.exp * 1000).toISOString()}`,
				);
				assert(delta.calls <= 1, `expected at most 1 login, got ${callsText(delta)}`);
			},
		);

		await check(
			`${at} json-server-auth: a wrong password fails the execution quoting "Incorrect password" (400), at most 2 failed logins for 100 items`,
			async () => {
				const wrongPassword = 'Wonderland-41';
				const ref = await credential('json-server-auth wrong password', {
					loginType: 'jsonLogin',
					tokenUrl: jsonServer.loginUrl,
					userField: 'email',
					username: jsonServer.user.email,
					password: wrongPassword,
				});
				const workflow = await itemsWorkflow('json-wrong-password', jsonServer.resourceUrl, ref);
				const { answer, delta, execution, text } = await failingRun(jsonServer, workflow);
				log(`token calls: json-server-auth wrong password, 100 items: ${callsText(delta)}`);
				log(
					`json-server-auth wrong password: execution ${execution.status}: ${firstError(execution).slice(0, 400)}`,
				);
				assert(
					answer.status !== 200 && execution.status === 'error',
					`webhook ${answer.status}, execution ${execution.status}`,
				);
				assert(
					text.includes('Incorrect password') && /HTTP 400/.test(text),
					`the error does not quote the refusal: ${text.slice(0, 400)}`,
				);
				assert(
					!JSON.stringify(execution.data).includes(wrongPassword),
					'the password is in the execution',
				);
				assert(
					delta.failed >= 1 && delta.failed <= 2,
					`expected 1 to 2 failed logins, got ${callsText(delta)}`,
				);
			},
		);

		async function queueChecks(): Promise<void> {
			const qc = queue!.cluster;
			const workersOf = (ids: string[], since: LogMark) =>
				new Set(ids.flatMap((id) => qc.workerRuns(id, since).map((run) => run.worker)));
			const on = (workers: Set<string>) => [...workers].sort().join(' + ') || 'no worker';
			/** `count` concurrent webhook calls; every answer must carry `items` items and every execution succeed. */
			const batch = async (
				workflowId: string,
				webhookPath: string,
				count: number,
				items?: number,
			) => {
				const answers = await Promise.all(
					Array.from({ length: count }, async () => await post(webhookPath, items)),
				);
				const executions = await newExecutions(workflowId, count);
				const bad = answers.filter(
					(answer) => answer.status !== 200 || answer.list.length !== (items ?? 1),
				);
				const failed = executions.filter((e) => e.status !== 'success');
				assert(
					bad.length === 0 && failed.length === 0 && executions.length === count,
					`${bad.length} of ${count} calls failed (${bad.map((a) => `${a.status} ${a.text.slice(0, 100)}`).join('; ')}); ` +
						`${executions.length} executions, failed: ` +
						`${failed.map((e) => `${e.id} on ${on(workersOf([e.id], {}))}: ${firstError(e).slice(0, 200)}`).join('; ') || 'none'}`,
				);
				return { answers, executions };
			};

			// 1 in queue mode: 4 × 25 items on both workers, a fresh credential.
			await check(
				`${at} oidc-provider: client_secret_basic, ${EXECUTIONS_PER_BATCH} concurrent executions ` +
					`of ${ITEMS_PER_EXECUTION} items on both workers make at most 1 token call per worker`,
				async () => {
					const ref = await credential(
						'oidc-provider client_secret_basic',
						clientCredentialsLogin(oidc.tokenUrl, oidc.basicClient, 'basic'),
					);
					const workflow = await itemsWorkflow('oidc-basic-items', oidc.resourceUrl, ref);
					const mark = qc.mark();
					const count = await counter(oidc);
					const ids: string[] = [];
					const perBatch: string[] = [];
					for (let round = 0; round < MAX_BATCHES; round++) {
						const before = await counter(oidc);
						const { answers, executions } = await batch(
							workflow.id,
							workflow.path,
							EXECUTIONS_PER_BATCH,
							ITEMS_PER_EXECUTION,
						);
						assert(
							answers.every((answer) =>
								answer.list.every((item) => item.clientId === oidc.basicClient.clientId),
							),
							'/api/me did not answer the client',
						);
						ids.push(...executions.map((e) => e.id));
						perBatch.push(
							`batch ${round + 1}: ${(await before()).calls} on ${on(
								workersOf(
									executions.map((e) => e.id),
									mark,
								),
							)}`,
						);
						if (workersOf(ids, mark).size === qc.workers.length) break;
					}
					const delta = await count();
					const workers = workersOf(ids, mark);
					log(
						`token calls: oidc-provider client_secret_basic, queue mode: ${callsText(delta)} for ` +
							`${ids.length * ITEMS_PER_EXECUTION} items in ${ids.length} executions on ${on(workers)} (${perBatch.join('; ')})`,
					);
					assert(workers.size === qc.workers.length, `only ${on(workers)} ran executions`);
					assert(
						delta.calls >= 1 && delta.calls <= qc.workers.length && delta.failed === 0,
						`expected 1 to ${qc.workers.length} token calls, got ${callsText(delta)}`,
					);
				},
			);

			// 7 in queue mode: both workers refresh with the one refresh token the credential holds.
			await check(
				`${at} @node-oauth/oauth2-server: after revokeAccessTokens(), concurrent executions on both ` +
					`workers refreshing with one rotated refresh token all succeed and end with a working token`,
				async () => {
					const { proxy, workflow } = await behindProxy(oauth2);
					const texts: string[] = [];
					const round = async (what: string) => {
						const mark = qc.mark();
						const count = await counter(oauth2);
						const ids: string[] = [];
						let outputs: Array<ReturnType<typeof meOutput>> = [];
						for (let i = 0; i < MAX_BATCHES; i++) {
							const { answers, executions } = await batch(
								workflow.id,
								workflow.path,
								EXECUTIONS_PER_BATCH,
							);
							outputs = answers.map((answer) => meOutput(answer));
							texts.push(
								...answers.map((answer) => answer.text),
								...executions.map((e) => JSON.stringify(e.data)),
							);
							ids.push(...executions.map((e) => e.id));
							if (workersOf(ids, mark).size === qc.workers.length) break;
						}
						const delta = await count();
						log(
							`token calls: node-oauth queue mode, ${what}: ${callsText(delta)} in ${ids.length} executions on ${on(workersOf(ids, mark))}`,
						);
						return { delta, outputs, workers: workersOf(ids, mark) };
					};
					const warm = await round('fresh credential');
					assert(
						warm.workers.size === qc.workers.length,
						`only ${on(warm.workers)} ran executions`,
					);
					assert(
						(warm.delta.byGrant.password ?? 0) <= qc.workers.length,
						`expected at most 1 login per worker, got ${callsText(warm.delta)}`,
					);
					for (const attempt of [1, 2]) {
						const exchanged = proxy.exchanges.length;
						await oauth2.revokeAccessTokens();
						const after = await round(`after revokeAccessTokens() #${attempt}`);
						const refreshes = proxy.exchanges
							.slice(exchanged)
							.filter((e) => e.grant === 'refresh_token');
						const sentOnce = new Set(refreshes.map((e) => e.sentRefreshToken)).size;
						log(
							`node-oauth queue mode, revocation #${attempt}: ${refreshes.length} refresh(es) with ${sentOnce} ` +
								`distinct refresh token(s), answers ${refreshes.map((e) => e.status).join(', ') || 'none'}; ` +
								`${after.delta.byGrant.password ?? 0} password login(s) after a refused refresh`,
						);
						assert(
							after.workers.size === qc.workers.length,
							`only ${on(after.workers)} ran executions`,
						);
						assert(
							(after.delta.byGrant.refresh_token ?? 0) >= 1,
							`no refresh_token grant after the revocation: ${callsText(after.delta)}`,
						);
						assert(
							after.delta.calls <= 2 * qc.workers.length,
							`expected at most ${2 * qc.workers.length} token calls, got ${callsText(after.delta)}`,
						);
						assert(
							(after.delta.failedByGrant.password ?? 0) === 0,
							`a password login failed: ${callsText(after.delta)}`,
						);
						for (const token of new Set(after.outputs.map((out) => out.token))) {
							const probe = await fetch(oauth2.resourceUrl, {
								headers: { authorization: `Bearer ${token}` },
							});
							await probe.arrayBuffer();
							assert(
								probe.status === 200,
								`a token Get Token output after the refresh is refused (${probe.status})`,
							);
						}
					}
					const refreshTokens = proxy.exchanges
						.map((e) => e.issuedRefreshToken)
						.filter((token): token is string => typeof token === 'string');
					const leaked = refreshTokens.filter((token) =>
						texts.some((text) => text.includes(token)),
					);
					assert(
						leaked.length === 0,
						`${leaked.length} refresh token(s) in an execution or a webhook answer`,
					);
				},
			);
		}
	} finally {
		for (const proxy of proxies) await proxy.close();
		await Promise.all([servers?.close(), short?.close()]);
	}
}
