/**
 * `npm run bench`: benchmark RATIOS (absolute values in parentheses), on loopback.
 * Not a test: nothing here asserts a time. A few minutes once n8n is in the e2e cache (the
 * queue-mode cluster of (b) takes most of it).
 *
 *   (a) token calls of n8n's HTTP Request node for 100 concurrent items with an empty token, in a
 *       real n8n 2.40.7: the Manis credential of this package vs a plain n8n-style credential
 *       (test/bench/plainPackage.ts, built in a temp folder only); 3 runs each with the sandbox's
 *       token endpoint as fast as loopback and 3 with it answering 200 ms later;
 *   (b) the same, for 10 concurrent executions × 100 items on a fresh credential: in the single
 *       n8n of (a), and in queue mode (Redis, main, 2 workers, a webhook process; the
 *       executions spread over both workers, each with its own token store), with how many
 *       executions each worker ran;
 *   (c) the Get Token node's time for 1,000 items over one raw token request (getToken.ts);
 *   (d) cold `require` of the package's dist/ over cold `require` of n8n-workflow alone;
 *   (e) the packed tarball: size, files, and packed size over the size of the sources;
 *   (f) in the single n8n of (a): the Custom Token Endpoint credential (the sandbox's generic API)
 *       through Get Token → HTTP Request with its headers, against what users build without
 *       this package: an HTTP Request to the login endpoint → Edit Fields → HTTP Request with a
 *       header expression; 10 sequential executions × 1,000 items each, wall time and token calls;
 *   (h) failed logins with a wrong secret, per execution: 100 items through n8n's HTTP Request node,
 *       H_EXECUTIONS executions one after the other, the Manis credential of this package (a refused
 *       login is remembered) vs the store-less plain credential of (a); one run;
 *   (g) quotable() on a 1 MiB hostile vendor answer, worst case over secret shapes
 *       (test/bench/redaction.ts; alone, without n8n: `npx tsx test/bench/redaction.ts`).
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { N8nClient } from '../../scripts/runtime/n8nClient';
import { ensureN8n } from '../../scripts/runtime/n8nInstall';
import {
	installPackageTarball,
	startN8n,
	type N8nInstance,
} from '../../scripts/runtime/n8nProcess';
import { packPackage, type PackResult } from '../../scripts/runtime/pack';
import {
	startQueueCluster,
	type LogMark,
	type QueueCluster,
} from '../../scripts/runtime/queueMode';
import {
	chain,
	echoWorkflow,
	getTokenNode,
	node,
	splitOutNode,
	webhookNode,
} from '../e2e/workflows';
import { genericSettings } from '../../scripts/sandbox/fixtures';
import {
	SANDBOX_ACCOUNTS,
	startSandbox,
	type Sandbox,
	type VendorServer,
} from '../../scripts/sandbox';
import { buildPlainPackage, PLAIN_CREDENTIAL, PLAIN_PACKAGE } from './plainPackage';

const ROOT = path.resolve(__dirname, '../..');
const N8N_VERSION = '2.40.7';
const ITEMS = 100;
const REQUIRE_ROUNDS = 9;

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'token-auth-bench-'));
let n8n: N8nInstance | undefined;
let cluster: QueueCluster | undefined;

function cleanUpNow(): void {
	const groups = [
		...(n8n ? [n8n.pid] : []),
		...(cluster ? [...cluster.processes().map((p) => p.pid), cluster.redis.pid] : []),
	];
	for (const pid of groups) {
		try {
			process.kill(-pid, 'SIGKILL');
		} catch {
			// already gone
		}
	}
	fs.rmSync(work, { recursive: true, force: true });
}

// Registered before n8n starts, so it runs before processGroup's own handler; process.exit then
// runs processGroup's exit handler too, which kills any process group (n8n, Redis) still alive.
for (const [signal, code] of [
	['SIGINT', 130],
	['SIGTERM', 143],
	['SIGHUP', 129],
] as const) {
	process.on(signal, () => {
		console.log(`\n${signal}: stopping n8n (and the queue-mode cluster) and removing ${work}`);
		cleanUpNow();
		process.exit(code);
	});
}

const log = (line: string) => console.log(`  ${line}`);
const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;
const ms = (value: number) => `${value < 10 ? value.toFixed(2) : value.toFixed(0)} ms`;
const times = (ratio: number) =>
	`${ratio < 1 ? ratio.toFixed(2) : ratio < 10 ? ratio.toFixed(1) : ratio.toFixed(0)}×`;

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)];
}

function packageJson(): { n8n: { credentials: string[]; nodes: string[] } } {
	return JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
		n8n: { credentials: string[]; nodes: string[] };
	};
}

function ensureBuilt(): void {
	const { n8n: block } = packageJson();
	const missing = [...block.credentials, ...block.nodes].filter(
		(file) => !fs.existsSync(path.join(ROOT, file)),
	);
	if (missing.length === 0) return;
	console.log(`dist/ is incomplete (${missing[0]} missing): npm run build`);
	execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
}

/** `npm pack` of the built package into the temp folder, as it would be published. */
function pack(): PackResult {
	const into = path.join(work, 'pack');
	fs.mkdirSync(into);
	return packPackage(into);
}

// ---- (a), (b) real n8n: token calls with an empty token ----

/**
 * n8n's HTTP Request node awaits a credential read per item and starts each item's request
 * without waiting for the previous one, so for a credential without a store the count depends
 * on how many items read the still-empty token before the first token is saved: on how fast the
 * token endpoint answers. Hence two scenarios: loopback as is, and the sandbox's token endpoint
 * held back by TOKEN_LATENCY_MS (a `slow` fault on every token call), closer to a real vendor.
 */
const TOKEN_LATENCY_MS = 200;
const REPETITIONS = 3;
/** (b): concurrent executions of the same workflow, ITEMS items each. */
const EXECUTIONS = 10;
const QUEUE_WORKERS = 2;

interface Counts {
	ours: number[];
	plain: number[];
	oursMs: number[];
	plainMs: number[];
	/** Queue mode: executions per worker, per run. */
	oursWorkers: Array<Record<string, number>>;
	plainWorkers: Array<Record<string, number>>;
}

interface Scenarios {
	loopback: Counts;
	slow: Counts;
}

/** Where a run's workflow is saved and activated, and where its production webhook is called. */
interface Target {
	rest: N8nClient;
	webhooks: N8nClient;
	/** Queue mode: the cluster whose workers' logs tell which worker ran which execution. */
	cluster?: QueueCluster;
}

interface RunResult {
	calls: number;
	elapsed: number;
	perWorker?: Record<string, number>;
}

const sleep = async (milliseconds: number) =>
	await new Promise((resolve) => setTimeout(resolve, milliseconds));
let runs = 0;

/**
 * Until the webhook process (or single n8n) knows the new production webhook: a CORS preflight
 * answers 204 then and runs nothing; before, an error status. So the concurrent calls start
 * together instead of some of them waiting in callWebhook's 404 retry. After 10 s it gives up
 * quietly: callWebhook's retry still applies.
 */
async function webhookKnown(baseUrl: string, webhookPath: string): Promise<void> {
	const deadline = Date.now() + 10_000;
	while (Date.now() < deadline) {
		const response = await fetch(`${baseUrl}/webhook/${webhookPath}`, {
			method: 'OPTIONS',
			headers: { origin: baseUrl, 'access-control-request-method': 'POST' },
			signal: AbortSignal.timeout(2000),
		}).catch(() => undefined);
		await response?.arrayBuffer();
		if (response?.status === 204) return;
		await sleep(100);
	}
}

/** Executions per worker among the jobs the workers logged since `mark` (they log as they start). */
async function executionsPerWorker(
	cluster: QueueCluster,
	mark: LogMark,
	executions: number,
): Promise<Record<string, number>> {
	const deadline = Date.now() + 10_000;
	let jobs = cluster.workerRuns(undefined, mark);
	while (jobs.length < executions && Date.now() < deadline) {
		await sleep(100);
		jobs = cluster.workerRuns(undefined, mark);
	}
	const perWorker = Object.fromEntries(cluster.workers.map((worker) => [worker.name, 0]));
	for (const job of jobs) perWorker[job.worker]++;
	return perWorker;
}

/**
 * A fresh Manis credential of `credentialType` with `secret` (its token field empty, nothing has
 * used it yet) and an active workflow Webhook → Split Out → HTTP Request to the sandbox's echo
 * with it, once the webhook process (or single n8n) knows its production webhook.
 */
async function echoWithFreshCredential(
	target: Target,
	manis: VendorServer,
	credentialType: string,
	secret: string,
	names: { credential: string; workflow: string; webhookPath: string },
) {
	const credential = await target.rest.createCredential(credentialType, names.credential, {
		baseUrl: manis.baseUrl,
		merchantId: SANDBOX_ACCOUNTS.manis.merchantId,
		secret,
	});
	const workflow = await target.rest.createWorkflow(
		echoWorkflow(
			names.workflow,
			names.webhookPath,
			{
				origin: manis.origin,
				credentialType,
				credential: { id: credential.id, name: credential.name },
			},
			{ items: true },
		),
	);
	await target.rest.activateWorkflow(workflow.id);
	await webhookKnown(target.webhooks.baseUrl, names.webhookPath);
	return workflow;
}

/**
 * One run: a fresh credential (its token field empty, nothing has used it yet), a workflow
 * Webhook → Split Out → HTTP Request with that credential, `executions` concurrent calls of its
 * production webhook with ITEMS items each; the token calls the sandbox counted meanwhile.
 */
async function runOnce(
	target: Target,
	manis: VendorServer,
	credentialType: string,
	label: string,
	executions: number,
): Promise<RunResult> {
	const { rest, webhooks, cluster } = target;
	const run = ++runs;
	const webhookPath = `bench-${run}-${credentialType}`;
	const workflow = await echoWithFreshCredential(
		target,
		manis,
		credentialType,
		SANDBOX_ACCOUNTS.manis.secret,
		{ credential: `Manis (${label} ${run})`, workflow: `bench ${run} ${label}`, webhookPath },
	);
	const body = JSON.stringify({ items: Array.from({ length: ITEMS }, (_, i) => ({ i })) });
	const mark = cluster?.mark();
	const before = manis.tokenCalls;
	const started = process.hrtime.bigint();
	const answers = await Promise.all(
		Array.from({ length: executions }, async () => {
			const response = await webhooks.callWebhook(webhookPath, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body,
			});
			return { status: response.status, text: await response.text() };
		}),
	);
	const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
	const calls = manis.tokenCalls - before;
	await rest.deactivateWorkflow(workflow.id);
	// Only the count is the result; the answers are checked so that a failed run is not
	// reported as a number.
	for (const [index, { status, text }] of answers.entries()) {
		const parsed = (() => {
			try {
				return JSON.parse(text) as Array<{ ok?: boolean }>;
			} catch {
				return undefined;
			}
		})();
		const served = Array.isArray(parsed) ? parsed.filter((answer) => answer.ok === true).length : 0;
		if (status !== 200 || served !== ITEMS) {
			const which = executions > 1 ? ` (execution ${index + 1} of ${executions})` : '';
			throw new Error(
				`${label}${which}: the workflow answered ${status} with ${served} of ${ITEMS} echo answers: ${text.slice(0, 300)}`,
			);
		}
	}
	const perWorker =
		cluster && mark ? await executionsPerWorker(cluster, mark, executions) : undefined;
	return { calls, elapsed, perWorker };
}

const workersText = (perWorker: Record<string, number> | undefined) =>
	perWorker
		? ` [${Object.entries(perWorker)
				.map(([worker, count]) => `${worker} ${count}`)
				.join(', ')}]`
		: '';

/**
 * REPETITIONS runs of each credential, with the token endpoint as fast as loopback or `latencyMs`
 * slower. A fresh sandbox per repetition: new port, so new credential values, so this package's
 * token store (in every process) cannot reuse a token from an earlier run.
 */
async function scenario(
	target: Target,
	latencyMs: number,
	executions: number,
	what: string,
): Promise<Counts> {
	const counts: Counts = {
		ours: [],
		plain: [],
		oursMs: [],
		plainMs: [],
		oursWorkers: [],
		plainWorkers: [],
	};
	for (let i = 0; i < REPETITIONS; i++) {
		const sandbox = await startSandbox();
		try {
			const manis = sandbox.vendors.manis;
			if (latencyMs > 0) manis.injectFault({ kind: 'slow', delayMs: latencyMs });
			const ours = await runOnce(target, manis, 'manisApi', 'n8n-nodes-token-auth', executions);
			const plain = await runOnce(target, manis, PLAIN_CREDENTIAL, PLAIN_PACKAGE, executions);
			counts.ours.push(ours.calls);
			counts.plain.push(plain.calls);
			counts.oursMs.push(ours.elapsed);
			counts.plainMs.push(plain.elapsed);
			if (ours.perWorker) counts.oursWorkers.push(ours.perWorker);
			if (plain.perWorker) counts.plainWorkers.push(plain.perWorker);
			log(
				`${what}, token endpoint ${latencyMs > 0 ? `+${latencyMs} ms` : 'loopback'}, run ${i + 1}: ` +
					`n8n-nodes-token-auth ${ours.calls} token call(s) (${ms(ours.elapsed)})${workersText(ours.perWorker)}, ` +
					`${PLAIN_PACKAGE} ${plain.calls} (${ms(plain.elapsed)})${workersText(plain.perWorker)}`,
			);
		} finally {
			await sandbox.close();
		}
	}
	return counts;
}

async function bothScenarios(target: Target, executions: number, what: string): Promise<Scenarios> {
	const loopback = await scenario(target, 0, executions, what);
	const slow = await scenario(target, TOKEN_LATENCY_MS, executions, what);
	return { loopback, slow };
}

async function checkRegistered(client: N8nClient): Promise<void> {
	const registered = new Set((await client.credentialTypes()).map((type) => type.name));
	for (const type of ['manisApi', PLAIN_CREDENTIAL]) {
		if (!registered.has(type)) throw new Error(`n8n did not register the credential type ${type}`);
	}
}

/** Both packages into a user folder, as a user would install them (npm, from the tarballs). */
async function installBoth(
	userFolder: string,
	tarball: string,
	plainTarball: string,
): Promise<void> {
	await installPackageTarball(userFolder, tarball, log);
	await installPackageTarball(userFolder, plainTarball, log);
}

const H_EXECUTIONS = 3;

/**
 * (h): a fresh credential with a wrong secret, Webhook → Split Out → HTTP Request with ITEMS
 * items, H_EXECUTIONS executions one after the other; the token calls (all refused) of each.
 */
async function wrongSecretLogins(
	client: N8nClient,
	manis: VendorServer,
	credentialType: string,
	label: string,
): Promise<number[]> {
	const webhookPath = `bench-wrong-${++runs}-${credentialType}`;
	const workflow = await echoWithFreshCredential(
		{ rest: client, webhooks: client },
		manis,
		credentialType,
		'not-the-merchant-secret',
		{
			credential: `Manis wrong secret (${label})`,
			workflow: `bench wrong secret ${label}`,
			webhookPath,
		},
	);
	const body = JSON.stringify({ items: Array.from({ length: ITEMS }, (_, i) => ({ i })) });
	const perExecution: number[] = [];
	for (let i = 0; i < H_EXECUTIONS; i++) {
		const before = manis.tokenCalls;
		const response = await client.callWebhook(webhookPath, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body,
		});
		const text = await response.text();
		// A wrong secret must fail the execution; anything else is not this measurement.
		if (response.status === 200 && !/refused|error/i.test(text))
			throw new Error(`${label}: a wrong secret answered 200: ${text.slice(0, 200)}`);
		perExecution.push(manis.tokenCalls - before);
	}
	await client.deactivateWorkflow(workflow.id);
	return perExecution;
}

async function benchWrongSecret(client: N8nClient): Promise<{ ours: number[]; plain: number[] }> {
	const sandbox = await startSandbox();
	try {
		const ours = await wrongSecretLogins(
			client,
			sandbox.vendors.manis,
			'manisApi',
			'n8n-nodes-token-auth',
		);
		const plain = await wrongSecretLogins(
			client,
			sandbox.vendors.manis,
			PLAIN_CREDENTIAL,
			PLAIN_PACKAGE,
		);
		log(
			`(h) failed logins per execution with a wrong secret: n8n-nodes-token-auth ${ours.join(', ')}; ${PLAIN_PACKAGE} ${plain.join(', ')}`,
		);
		return { ours, plain };
	} finally {
		await sandbox.close();
	}
}

/** (a) and the single-process half of (b), in one `n8n start`. */
async function benchSingleProcess(
	tarball: string,
	plainTarball: string,
): Promise<{
	a: Scenarios;
	b: Scenarios;
	f: ChainComparison;
	h: { ours: number[]; plain: number[] };
}> {
	const userFolder = path.join(work, 'n8n-user');
	await installBoth(userFolder, tarball, plainTarball);
	n8n = await startN8n({ version: N8N_VERSION, userFolder, log });
	try {
		const client = new N8nClient(n8n.baseUrl);
		await client.setupOwner();
		await checkRegistered(client);
		const target = { rest: client, webhooks: client };
		const a = await bothScenarios(target, 1, `(a) ${ITEMS} items`);
		const b = await bothScenarios(
			target,
			EXECUTIONS,
			`(b) single process, ${EXECUTIONS} × ${ITEMS}`,
		);
		log(
			`(f) Custom Token Endpoint, ${F_EXECUTIONS} sequential executions × ${F_ITEMS.toLocaleString('en-US')} items: Get Token → HTTP Request, then login HTTP Request → Edit Fields → HTTP Request`,
		);
		const f = await benchCustomEndpoint(client);
		log(
			`(h) a wrong secret, ${H_EXECUTIONS} executions × ${ITEMS} items through the HTTP Request node`,
		);
		const h = await benchWrongSecret(client);
		return { a, b, f, h };
	} finally {
		await n8n.stop();
		n8n = undefined;
	}
}

/**
 * The queue-mode half of (b): Redis, main, QUEUE_WORKERS workers and a webhook process sharing
 * one user folder with both packages in it. The workflow is saved and activated on main, its
 * production webhook is called on the webhook process (where WEBHOOK_URL points), and the
 * executions run on whichever worker takes each job; every worker has its own token store.
 */
async function benchQueueMode(tarball: string, plainTarball: string): Promise<Scenarios> {
	const userFolder = path.join(work, 'n8n-queue-user');
	await installBoth(userFolder, tarball, plainTarball);
	cluster = await startQueueCluster({
		version: N8N_VERSION,
		userFolder,
		workers: QUEUE_WORKERS,
		log,
	});
	try {
		const qc = cluster;
		const client = new N8nClient(qc.main.baseUrl);
		await client.setupOwner();
		await checkRegistered(client);
		return await bothScenarios(
			{ rest: client, webhooks: new N8nClient(qc.webhook.baseUrl), cluster: qc },
			EXECUTIONS,
			`(b) queue mode, ${EXECUTIONS} × ${ITEMS}`,
		);
	} finally {
		await cluster.stop();
		cluster = undefined;
	}
}

const range = (values: number[]) =>
	Math.min(...values) === Math.max(...values)
		? `${values[0]}`
		: `${Math.min(...values)}–${Math.max(...values)}`;

function describeCounts(counts: Counts): string {
	const ours = median(counts.ours);
	const plain = median(counts.plain);
	const fewer = ours > 0 ? `${times(plain / ours)} fewer` : 'no token call at all';
	return `n8n-nodes-token-auth ${ours}, plain n8n credential ${plain} → ${fewer} (${REPETITIONS} runs: ${range(counts.ours)} vs ${range(counts.plain)}; median run ${ms(median(counts.oursMs))} vs ${ms(median(counts.plainMs))})`;
}

/** (b): "this package N, store-less credential M (ratio M/N)", medians, then the runs. */
function describeShape(counts: Counts): string {
	const ours = median(counts.ours);
	const plain = median(counts.plain);
	const ratio = ours > 0 ? `ratio ${times(plain / ours)}` : 'this package made no token call';
	let text = `this package ${ours}, store-less credential ${plain} (${ratio}; ${REPETITIONS} runs: ${range(counts.ours)} vs ${range(counts.plain)}; median run ${ms(median(counts.oursMs))} vs ${ms(median(counts.plainMs))})`;
	if (counts.oursWorkers.length > 0) {
		const perRun = (list: Array<Record<string, number>>) =>
			list.map((perWorker) => Object.values(perWorker).join('+')).join(', ');
		const names = Object.keys(counts.oursWorkers[0]).join('+');
		text += `; executions per worker (${names}) per run: this package ${perRun(counts.oursWorkers)}, store-less ${perRun(counts.plainWorkers)}`;
	}
	return text;
}

// ---- (f) Custom Token Endpoint: Get Token vs the login chain users build ----

const F_ITEMS = 1_000;
const F_EXECUTIONS = 10;
const F_CREDENTIAL = 'customTokenEndpointApi';

interface ChainResult {
	elapsed: number;
	calls: number;
}

interface ChainComparison {
	getToken: ChainResult;
	login: ChainResult;
}

/** The echo answers of one execution's last node, checked: F_ITEMS of them, all served. */
function checkEchoAnswers(label: string, index: number, status: number, text: string): void {
	const parsed = (() => {
		try {
			return JSON.parse(text) as Array<{ ok?: boolean; vendor?: string }>;
		} catch {
			return undefined;
		}
	})();
	const served = Array.isArray(parsed)
		? parsed.filter((answer) => answer.ok === true && answer.vendor === 'customEndpoint').length
		: 0;
	if (status !== 200 || served !== F_ITEMS || parsed?.length !== F_ITEMS) {
		throw new Error(
			`(f) ${label} (execution ${index + 1} of ${F_EXECUTIONS}): the workflow answered ${status} with ${served} of ${F_ITEMS} echo answers: ${text.slice(0, 300)}`,
		);
	}
}

/** F_EXECUTIONS sequential calls of an activated workflow's webhook, F_ITEMS items each: wall time from the first call to the last answer, token calls at the sandbox. */
async function runChain(
	client: N8nClient,
	generic: VendorServer,
	label: string,
	workflow: Record<string, unknown>,
	webhookPath: string,
): Promise<ChainResult> {
	const saved = await client.createWorkflow(workflow);
	await client.activateWorkflow(saved.id);
	await webhookKnown(client.baseUrl, webhookPath);
	const body = JSON.stringify({ items: Array.from({ length: F_ITEMS }, (_, i) => ({ i })) });
	const before = generic.tokenCalls;
	const started = process.hrtime.bigint();
	const answers: Array<{ status: number; text: string }> = [];
	for (let i = 0; i < F_EXECUTIONS; i++) {
		const response = await client.callWebhook(webhookPath, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body,
		});
		answers.push({ status: response.status, text: await response.text() });
	}
	const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
	const calls = generic.tokenCalls - before;
	await client.deactivateWorkflow(saved.id);
	for (const [index, { status, text }] of answers.entries())
		checkEchoAnswers(label, index, status, text);
	log(
		`(f) ${label}: ${(elapsed / 1000).toFixed(1)} s for ${F_EXECUTIONS} executions, ${calls} token call(s), every execution ${F_ITEMS} echo answers`,
	);
	return { elapsed, calls };
}

/**
 * Both workflows against one fresh sandbox (a new port: no token of an earlier run in this
 * package's store). Get Token's workflow runs first, so any warm-up of n8n favours the other.
 */
async function benchCustomEndpoint(client: N8nClient): Promise<ChainComparison> {
	const registered = new Set((await client.credentialTypes()).map((type) => type.name));
	if (!registered.has(F_CREDENTIAL))
		throw new Error(`n8n did not register the credential type ${F_CREDENTIAL}`);
	const sandbox: Sandbox = await startSandbox();
	try {
		const generic = sandbox.vendors.customEndpoint;
		const echoUrl = `${generic.origin}/__sandbox/echo`;
		const credential = await client.createCredential(
			F_CREDENTIAL,
			'Custom Token Endpoint (bench f)',
			genericSettings(sandbox) as Record<string, unknown>,
		);

		const getTokenPath = 'bench-f-get-token';
		const getToken = await runChain(
			client,
			generic,
			'Get Token → HTTP Request',
			chain('bench (f) Get Token → HTTP Request', [
				webhookNode(getTokenPath),
				splitOutNode('body.items'),
				getTokenNode(
					'customEndpoint',
					F_CREDENTIAL,
					{ id: credential.id, name: credential.name },
					{ outputField: 'auth' },
				),
				node('HTTP Request', 'n8n-nodes-base.httpRequest', 4.2, {
					method: 'GET',
					url: echoUrl,
					sendHeaders: true,
					specifyHeaders: 'json',
					jsonHeaders: '={{ JSON.stringify($json.auth.headers) }}',
					options: {},
				}),
			]),
			getTokenPath,
		);

		const loginPath = 'bench-f-login-chain';
		const account = SANDBOX_ACCOUNTS.customEndpoint;
		const login = await runChain(
			client,
			generic,
			'login HTTP Request → Edit Fields → HTTP Request',
			chain('bench (f) login HTTP Request → Edit Fields → HTTP Request', [
				webhookNode(loginPath),
				splitOutNode('body.items'),
				node('Log In', 'n8n-nodes-base.httpRequest', 4.2, {
					method: 'POST',
					url: `${generic.baseUrl}/auth/login`,
					sendBody: true,
					contentType: 'form-urlencoded',
					bodyParameters: {
						parameters: [
							{ name: 'username', value: account.username },
							{ name: 'password', value: account.password },
							{ name: 'grant_type', value: 'password' },
						],
					},
					options: {},
				}),
				node('Edit Fields', 'n8n-nodes-base.set', 3.4, {
					mode: 'manual',
					assignments: {
						assignments: [
							{ id: 'token', name: 'token', value: '={{ $json.data.jwt }}', type: 'string' },
						],
					},
					options: {},
				}),
				node('HTTP Request', 'n8n-nodes-base.httpRequest', 4.2, {
					method: 'GET',
					url: echoUrl,
					sendHeaders: true,
					headerParameters: {
						parameters: [{ name: 'Authorization', value: '=Bearer {{ $json.token }}' }],
					},
					options: {},
				}),
			]),
			loginPath,
		);
		return { getToken, login };
	} finally {
		await sandbox.close();
	}
}

const seconds = (milliseconds: number) => `${(milliseconds / 1000).toFixed(1)} s`;
const count = (value: number, what: string) =>
	`${value.toLocaleString('en-US')} ${what}${value === 1 ? '' : 's'}`;

// ---- (d) cold require ----

interface RequireResult {
	packageMs: number;
	workflowMs: number;
	files: number;
	loadedByEntries: number;
	nodeVersion: string;
}

function benchRequire(nodeBin: string): RequireResult {
	const { n8n: block } = packageJson();
	const entries = [...block.credentials, ...block.nodes].map((file) => path.join(ROOT, file));
	const dist = path.join(ROOT, 'dist');
	const allJs = (fs.readdirSync(dist, { recursive: true }) as string[])
		.filter((file) => file.endsWith('.js'))
		.map((file) => path.join(dist, file));
	const workflowPath = require.resolve('n8n-workflow', { paths: [ROOT] });
	// One fresh process per round. n8n-workflow is timed first, cold; then the package, with
	// n8n-workflow already loaded, as it is in n8n: the package's entries first (what n8n
	// requires), then whatever .js under dist/ they did not pull in.
	const script = `
		const ms = (from) => Number(process.hrtime.bigint() - from) / 1e6;
		const [workflowPath, entries, allJs] = JSON.parse(process.argv[1]);
		let t = process.hrtime.bigint();
		require(workflowPath);
		const workflowMs = ms(t);
		t = process.hrtime.bigint();
		for (const file of entries) require(file);
		const loadedByEntries = allJs.filter((file) => require.cache[file]).length;
		for (const file of allJs) require(file);
		const packageMs = ms(t);
		const missing = allJs.filter((file) => !require.cache[file]);
		if (missing.length) throw new Error('not loaded: ' + missing.join(', '));
		console.log(JSON.stringify({ workflowMs, packageMs, loadedByEntries, nodeVersion: process.version }));`;
	const rounds: Array<{
		workflowMs: number;
		packageMs: number;
		loadedByEntries: number;
		nodeVersion: string;
	}> = [];
	for (let i = 0; i < REQUIRE_ROUNDS; i++) {
		const child = spawnSync(
			nodeBin,
			['-e', script, JSON.stringify([workflowPath, entries, allJs])],
			{ cwd: ROOT, encoding: 'utf8' },
		);
		if (child.status !== 0) throw new Error(`require round failed: ${child.stderr}`);
		rounds.push(JSON.parse(child.stdout.trim().split('\n').at(-1)!) as (typeof rounds)[number]);
	}
	return {
		packageMs: median(rounds.map((r) => r.packageMs)),
		workflowMs: median(rounds.map((r) => r.workflowMs)),
		files: allJs.length,
		loadedByEntries: rounds[0].loadedByEntries,
		nodeVersion: rounds[0].nodeVersion,
	};
}

// ---- (e) tarball ----

function sourceBytes(): { bytes: number; files: number } {
	let bytes = 0;
	let files = 0;
	for (const dir of ['nodes', 'credentials', 'icons']) {
		for (const file of fs.readdirSync(path.join(ROOT, dir), { recursive: true }) as string[]) {
			const stat = fs.statSync(path.join(ROOT, dir, file));
			if (!stat.isFile()) continue;
			bytes += stat.size;
			files++;
		}
	}
	return { bytes, files };
}

function byKind(files: PackResult['files']): string {
	const kinds: Array<[string, (file: string) => boolean]> = [
		['.js', (file) => file.endsWith('.js')],
		['.js.map', (file) => file.endsWith('.js.map')],
		['.d.ts', (file) => file.endsWith('.d.ts')],
		['.svg', (file) => file.endsWith('.svg')],
	];
	const parts = kinds.map(
		([name, match]) =>
			`${name} ${kB(files.filter((f) => match(f.path)).reduce((sum, f) => sum + f.size, 0))}`,
	);
	const rest = files
		.filter((f) => !kinds.some(([, match]) => match(f.path)))
		.reduce((sum, f) => sum + f.size, 0);
	return `${parts.join(', ')}, other ${kB(rest)}`;
}

// ---- main ----

async function main(): Promise<void> {
	const started = Date.now();
	ensureBuilt();
	// n8n-core (used by the Get Token benchmark) writes <N8N_USER_FOLDER>/.n8n/config: keep it
	// in the temp folder, which is removed at the end. startN8n does not pass N8N_* on to n8n.
	process.env.N8N_USER_FOLDER = path.join(work, 'n8n-core-user');
	fs.mkdirSync(process.env.N8N_USER_FOLDER);

	console.log(`packing ${path.basename(ROOT)}`);
	const packed = pack();
	const { nodeBin } = await ensureN8n(N8N_VERSION, log);

	const plainTarball = buildPlainPackage(path.join(work, 'plain'));

	console.log(
		`(a), (b) real n8n ${N8N_VERSION}, one process: HTTP Request node, ${ITEMS} concurrent items, then ${EXECUTIONS} concurrent executions × ${ITEMS} items, empty token`,
	);
	const single = await benchSingleProcess(packed.tarball, plainTarball);
	console.log(
		`(b) real n8n ${N8N_VERSION}, queue mode (main + ${QUEUE_WORKERS} workers + webhook process): ${EXECUTIONS} concurrent executions × ${ITEMS} items, empty token`,
	);
	const queue = await benchQueueMode(packed.tarball, plainTarball);

	console.log('(c) Get Token node, 1,000 items (in-process, n8n-core WorkflowExecute)');
	const { benchGetToken } = await import('./getToken');
	const c = await benchGetToken();

	console.log(`(d) cold require, ${REQUIRE_ROUNDS} fresh processes`);
	const d = benchRequire(nodeBin);

	console.log('(e) npm pack');
	const tarballBytes = fs.statSync(packed.tarball).size;
	const sources = sourceBytes();

	console.log('(g) quotable() on 1 MiB hostile answers');
	const { benchRedaction } = await import('./redaction');
	const g = benchRedaction();

	const lines = [
		`(a) token calls for ${ITEMS} concurrent items, empty token (n8n ${N8N_VERSION}, HTTP Request node): loopback: ${describeCounts(single.a.loopback)}; token endpoint +${TOKEN_LATENCY_MS} ms: ${describeCounts(single.a.slow)}`,
		...(['loopback', 'slow'] as const).flatMap((key) => {
			const endpoint =
				key === 'loopback'
					? 'token endpoint on loopback'
					: `token endpoint +${TOKEN_LATENCY_MS} ms`;
			const shape = `(b) token calls, ${EXECUTIONS} executions × ${ITEMS} items, fresh credential, ${endpoint}`;
			return [
				`${shape}, single process: ${describeShape(single.b[key])}`,
				`${shape}, queue mode (main + ${QUEUE_WORKERS} workers): ${describeShape(queue[key])}`,
			];
		}),
		`(c) Get Token node, 1,000 items, Force Refresh: ${times(c.ratio)} the time of one raw token request, ${c.tokenCalls} token call per execution (median ${ms(c.nodeMs)} vs ${ms(c.rawMs)})`,
		`(d) cold require of all ${d.files} dist/*.js (${d.loadedByEntries} pulled in by the package.json n8n entries), n8n-workflow already loaded: ${times(d.packageMs / d.workflowMs)} of n8n-workflow's cold require (median ${ms(d.packageMs)} vs ${ms(d.workflowMs)}, Node ${d.nodeVersion})`,
		`(e) packed tarball ${kB(tarballBytes)}, ${packed.entryCount} files, unpacked ${kB(packed.unpackedSize)} (${byKind(packed.files)}): packed ${times(tarballBytes / sources.bytes)} the size of its sources (nodes+credentials+icons, ${sources.files} files, ${kB(sources.bytes)})`,
		`(f) Custom Token Endpoint, ${F_EXECUTIONS} sequential executions × ${F_ITEMS.toLocaleString('en-US')} items (n8n ${N8N_VERSION}, one process): ` +
			`Get Token → HTTP Request ${seconds(single.f.getToken.elapsed)}, ${count(single.f.getToken.calls, 'token call')}; ` +
			`login HTTP Request → Edit Fields → HTTP Request ${seconds(single.f.login.elapsed)}, ${count(single.f.login.calls, 'token call')}; ` +
			`ratio ${times(single.f.login.elapsed / single.f.getToken.elapsed)}`,
		`(h) failed logins per execution with a wrong secret, ${ITEMS} items through the HTTP Request node, ${H_EXECUTIONS} executions in a row (n8n ${N8N_VERSION}, one process): ` +
			`n8n-nodes-token-auth ${single.h.ours.join(', ')}; store-less credential (${PLAIN_PACKAGE}) ${single.h.plain.join(', ')}`,
		g.line,
	];
	console.log(`\n== benchmark (${Math.round((Date.now() - started) / 1000)} s)`);
	for (const line of lines) console.log(line);
}

main()
	.catch((error: unknown) => {
		console.error(`benchmark failed: ${(error as Error).stack ?? String(error)}`);
		process.exitCode = 1;
	})
	.finally(async () => {
		if (n8n) await n8n.stop().catch(() => undefined);
		if (cluster) await cluster.stop().catch(() => undefined);
		fs.rmSync(work, { recursive: true, force: true });
	});
