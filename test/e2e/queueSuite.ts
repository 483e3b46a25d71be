/**
 * The real-n8n suite in queue mode: Redis, `n8n start`, two `n8n worker` and one `n8n webhook`
 * process sharing one user folder (runtime/queueMode.ts), with the packed package installed
 * once in that folder, as a self-hosted queue-mode n8n would have it. Called by run.ts after
 * the single-process suite, for one n8n version; every check is named
 * `n8n <version> queue mode: …`.
 *
 * What queue mode changes for this package: executions run on whichever worker takes the job,
 * each worker has its own in-memory token store, and the credential's saved token is shared
 * through the database. So the checks spread executions over both workers (several concurrent
 * executions; workerRuns() tells which worker ran which) and count the token calls each time.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { providers, type VendorId } from '../../nodes/shared/providers';
import { fixtures, sandboxVendor, VENDORS } from '../helpers/fixtures';
import { startSandbox, type Sandbox, type VendorServer } from '../sandbox';
import { N8nClient } from './runtime/n8nClient';
import { installPackageTarball } from './runtime/n8nProcess';
import { startQueueCluster, type LogMark, type QueueCluster } from './runtime/queueMode';
import { chain, httpRequestNode, node, splitOutNode, webhookNode } from './workflows';

const PACKAGE = 'n8n-nodes-token-auth';
const SIRDATA_LIFETIME_SECONDS = 40;
/** Concurrent executions per batch, and items per execution: 4 × 25 = 100 items. */
const EXECUTIONS_PER_BATCH = 4;
const ITEMS_PER_EXECUTION = 25;
/** Batches tried at most until both workers have run at least one execution. */
const MAX_BATCHES = 4;
const DISPLAY = Object.fromEntries(Object.values(providers).map((provider) => [provider.vendor, provider.displayName])) as Record<VendorId, string>;

type Check = (name: string, run: () => Promise<void>) => Promise<void>;

function assert(condition: unknown, message: string): asserts condition {
	if (!condition) throw new Error(message);
}

const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

export async function queueSuite(version: string, tarball: string, check: Check, log: (line: string) => void): Promise<void> {
	const work = fs.mkdtempSync(path.join(os.tmpdir(), `token-auth-e2e-queue-${version}-`));
	const at = `n8n ${version} queue mode:`;
	let sandbox: Sandbox | undefined;
	let cluster: QueueCluster | undefined;
	try {
		// Sirdata's token expires naturally in the refresh check (see run.ts): keep it short.
		sandbox = await startSandbox({ tokenLifetimeSeconds: { sirdata: SIRDATA_LIFETIME_SECONDS } });
		const sb = sandbox;
		const fx = fixtures(sb);
		const userFolder = path.join(work, 'user');
		// Once, in the shared user folder: every process loads it from there.
		await installPackageTarball(userFolder, tarball, log);
		const started = Date.now();
		cluster = await startQueueCluster({ version, userFolder, workers: 2, log });
		const qc = cluster;
		log(`queue mode up in ${Math.round((Date.now() - started) / 1000)} s: ${qc.processes().map((p) => `${p.name} ${(p.startMs / 1000).toFixed(1)} s`).join(', ')}`);
		const client = new N8nClient(qc.main.baseUrl);
		await client.setupOwner();
		// Production webhooks go to the webhook process, as WEBHOOK_URL tells users to send them.
		const webhooks = new N8nClient(qc.webhook.baseUrl);

		const credentials = {} as Record<VendorId, { id: string; name: string }>;
		for (const vendor of VENDORS) {
			const created = await client.createCredential(fx[vendor].credentialType, `${DISPLAY[vendor]} (sandbox, queue mode)`, fx[vendor].good);
			credentials[vendor] = { id: created.id, name: created.name };
		}
		const server = (vendor: VendorId): VendorServer => sb.vendors[sandboxVendor[vendor]];
		// As in run.ts: n8n 2.x cannot send Sirdata's GET body from the credential's token step.
		const n8nSendsLegacyHelper = Number(version.split('.')[0]) < 2;
		const tokenStep = (vendor: VendorId) =>
			vendor === 'sirdata' && !n8nSendsLegacyHelper
				? [node('Get Token', `${PACKAGE}.getToken`, 1, { vendor, options: { outputField: 'auth' } }, { credentials: { [fx[vendor].credentialType]: credentials[vendor] } })]
				: [];

		const known = new Set<string>();
		/** Executions of the workflow not seen before, once each has ended. */
		const newExecutions = async (workflowId: string, count: number) => {
			const deadline = Date.now() + 30_000;
			for (;;) {
				const fresh = (await client.listExecutions(workflowId)).filter((e) => !known.has(e.id));
				const ended = fresh.filter((e) => !['new', 'running', 'waiting'].includes(e.status));
				if (ended.length >= count || Date.now() > deadline) {
					for (const e of fresh) known.add(e.id);
					return ended;
				}
				await sleep(250);
			}
		};
		const workersOf = (executionIds: string[], since?: LogMark) =>
			new Set(executionIds.flatMap((id) => qc.workerRuns(id, since).map((run) => run.worker)));

		/** Where and why an execution failed: its worker and the first node error. */
		const whyFailed = async (id: string) => {
			const execution = await client.getExecution(id);
			const runData = execution.data.resultData.runData;
			const nodeError = Object.entries(runData).flatMap(([name, runs]) => runs.filter((r) => r.error).map((r) => `${name}: ${r.error!.description ?? r.error!.message}`))[0];
			return `execution ${id} ${execution.status} on ${qc.workerRuns(id).map((r) => r.worker).join('+') || '?'} (${nodeError ?? execution.data.resultData.error?.message ?? 'no error recorded'})`;
		};

		/**
		 * `count` concurrent calls of a workflow's webhook; each must answer 200 with `items`
		 * items and its execution end `success`. A failure names the executions, their workers
		 * and errors, and the token calls counted by `tokenCalls` so far.
		 */
		const batch = async (workflowId: string, webhookPath: string, count: number, items: number, tokenCalls: () => number) => {
			const answers = await Promise.all(
				Array.from({ length: count }, async () => {
					const response = await webhooks.callWebhook(webhookPath, {
						method: 'POST',
						headers: { 'content-type': 'application/json' },
						body: JSON.stringify({ items: Array.from({ length: items }, (_, i) => ({ i })) }),
					});
					const text = await response.text();
					const json = (() => {
						try {
							return JSON.parse(text) as unknown;
						} catch {
							return undefined;
						}
					})();
					return { ok: response.status === 200 && Array.isArray(json) && json.length === items, status: response.status, text };
				}),
			);
			const executions = await newExecutions(workflowId, count);
			const failedExecutions = executions.filter((e) => e.status !== 'success');
			const badAnswers = answers.filter((a) => !a.ok);
			if (badAnswers.length > 0 || failedExecutions.length > 0 || executions.length !== count) {
				const reasons = await Promise.all(failedExecutions.map(async (e) => await whyFailed(e.id)));
				throw new Error(
					`${badAnswers.length} of ${count} calls did not answer ${items} items (${badAnswers.map((a) => `${a.status} ${a.text.slice(0, 100)}`).join('; ')}); ` +
						`${executions.length} executions, failed: ${reasons.join('; ') || 'none'}; ${tokenCalls()} token call(s)`,
				);
			}
			return executions.map((e) => e.id);
		};

		/** Batches until both workers have run one of them; returns the workers and the items sent. */
		const spread = async (workflowId: string, webhookPath: string, since: LogMark, tokenCalls: () => number) => {
			const ids: string[] = [];
			for (let round = 0; round < MAX_BATCHES; round++) {
				ids.push(...(await batch(workflowId, webhookPath, EXECUTIONS_PER_BATCH, ITEMS_PER_EXECUTION, tokenCalls)));
				if (workersOf(ids, since).size === qc.workers.length) break;
			}
			return { workers: workersOf(ids, since), executions: ids.length, items: ids.length * ITEMS_PER_EXECUTION };
		};

		await check(`${at} the package loads on main and the five credential types are registered`, async () => {
			const nodeNames = new Set((await client.nodeTypes()).map((t) => t.name));
			for (const name of ['getToken', 'autosharesTrader']) assert(nodeNames.has(`${PACKAGE}.${name}`), `${PACKAGE}.${name} not loaded`);
			const credentialNames = new Set((await client.credentialTypes()).map((t) => t.name));
			for (const vendor of VENDORS) assert(credentialNames.has(fx[vendor].credentialType), `${fx[vendor].credentialType} not registered`);
		});

		for (const vendor of VENDORS) {
			const f = fx[vendor];
			const s = server(vendor);
			const webhookPath = `queue-items-${vendor}`;
			let workflowId: string | undefined;

			await check(`${at} ${vendor}: HTTP Request, ${EXECUTIONS_PER_BATCH} concurrent executions of ${ITEMS_PER_EXECUTION} items on both workers, empty token`, async () => {
				const workflow = await client.createWorkflow(
					chain(`queue items ${vendor}`, [webhookNode(webhookPath), ...tokenStep(vendor), splitOutNode('body.items'), httpRequestNode('HTTP Request', `${s.origin}/__sandbox/echo`, f.credentialType, credentials[vendor])]),
				);
				await client.activateWorkflow(workflow.id);
				workflowId = workflow.id;
				const before = s.tokenCalls;
				const result = await spread(workflow.id, webhookPath, qc.mark(), () => s.tokenCalls - before);
				const calls = s.tokenCalls - before;
				log(`${vendor}: ${calls} token call(s) for ${result.items} items in ${result.executions} executions on ${[...result.workers].sort().join(' + ')}`);
				assert(result.workers.size === qc.workers.length, `only ${[...result.workers].join(', ')} ran executions`);
				// Each worker keeps its own store and n8n has no lock across processes: at most one
				// login per worker while the saved token is still empty.
				assert(calls >= 1 && calls <= qc.workers.length, `expected 1 to ${qc.workers.length} token calls, got ${calls}`);
			});

			// Before the expiry below: a worker's store may hold a token the expiry then revokes.
			await check(`${at} ${vendor}: Get Token node on a worker outputs what the sandbox issued`, async () => {
				const getTokenPath = `queue-get-token-${vendor}`;
				const workflow = await client.createWorkflow(
					chain(`queue get token ${vendor}`, [
						webhookNode(getTokenPath),
						node('Get Token', `${PACKAGE}.getToken`, 1, { vendor, options: {} }, { credentials: { [f.credentialType]: credentials[vendor] } }),
					]),
				);
				await client.activateWorkflow(workflow.id);
				const mark = qc.mark();
				const response = await webhooks.callWebhook(getTokenPath, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
				const text = await response.text();
				assert(response.status === 200, `workflow answered ${response.status}: ${text.slice(0, 300)}`);
				const output = (JSON.parse(text) as Array<Record<string, unknown>>)[0];
				// Not necessarily the last token issued: the other worker may have logged in since,
				// and this worker's store may still hold its own, valid one. It must be a token the
				// sandbox issued and still accepts.
				const token = String(output.token);
				assert(output.provider === vendor && s.issued.some((t) => !t.interim && t.token === token), `token ${token} was not issued by the sandbox`);
				const echo = await fetch(`${s.origin}/__sandbox/echo`, { headers: f.expectedHeaders(token) });
				await echo.arrayBuffer();
				assert(echo.status === 200, `the sandbox refuses the token the node output (${echo.status})`);
				log(`${vendor}: Get Token output ${token === s.issued.filter((t) => !t.interim).at(-1)!.token ? 'the last issued token' : 'an earlier, still valid token'}`);
				const [execution] = await newExecutions(workflow.id, 1);
				assert(execution?.status === 'success', `execution ${execution?.id} ${execution?.status}`);
				const ranOn = [...workersOf([execution.id], mark)];
				log(`${vendor}: Get Token ran on ${ranOn.join(', ') || 'no worker'}`);
				assert(ranOn.length === 1, `expected the execution on one worker, the worker logs say ${JSON.stringify(ranOn)}`);
			});

			await check(`${at} ${vendor}: after the token expires one worker refreshes once and both workers then use the new token`, async () => {
				assert(workflowId, 'the workflow was not created');
				const stepped = tokenStep(vendor).length > 0;
				if (stepped) {
					// As in run.ts: the Get Token node refreshes a token about to expire; it expires naturally.
					const last = s.issued.filter((t) => !t.interim).at(-1)!;
					await sleep(Math.max(0, last.validUntil.getTime() - Date.now()) + 1000);
				} else {
					s.expireAllTokens();
				}
				const before = s.tokenCalls;
				const mark = qc.mark();
				// One item, as in run.ts: the refresh itself, not concurrent 401s within one run.
				const [first] = await batch(workflowId, webhookPath, 1, 1, () => s.tokenCalls - before);
				const refreshes = s.tokenCalls - before;
				const refresher = [...workersOf([first], mark)].join(', ');
				log(`${vendor}: ${refreshes} token call(s) on ${refresher} after the expiry`);
				assert(refreshes === 1, `expected exactly 1 refresh, got ${refreshes} token calls`);
				const result = await spread(workflowId, webhookPath, mark, () => s.tokenCalls - before);
				const later = s.tokenCalls - before - refreshes;
				log(`${vendor}: then ${later} token call(s) for ${result.items} items in ${result.executions} executions on ${[...result.workers].sort().join(' + ')}`);
				assert(result.workers.size === qc.workers.length, `only ${[...result.workers].join(', ')} ran executions`);
				// The refreshed token is saved with the credential, so the other worker sends it as
				// is. With the Get Token node (Sirdata on 2.x) each worker's own store renews its copy.
				const allowed = stepped ? qc.workers.length - 1 : 0;
				assert(later <= allowed, `expected at most ${allowed} more token calls, got ${later}`);
			});
		}
	} finally {
		try {
			await cluster?.stop();
		} finally {
			await sandbox?.close();
			fs.rmSync(work, { recursive: true, force: true });
		}
	}
}
