/**
 * `npm run bench`: benchmark RATIOS (absolute values in parentheses), on loopback.
 * Not a test: nothing here asserts a time. About 40 s once n8n is in the e2e cache.
 *
 *   (a) token calls of n8n's HTTP Request node for 100 concurrent items with an empty token, in a
 *       real n8n 2.40.7: the Manis credential of this package vs a plain n8n-style credential
 *       (test/bench/plainPackage.ts, built in a temp folder only); 3 runs each with the sandbox's
 *       token endpoint as fast as loopback and 3 with it answering 200 ms later;
 *   (b) the Get Token node's time for 1,000 items over one raw token request (getToken.ts);
 *   (c) cold `require` of the package's dist/ over cold `require` of n8n-workflow alone;
 *   (d) the packed tarball: size, files, and packed size over the size of the sources.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { N8nClient } from '../e2e/runtime/n8nClient';
import { ensureN8n } from '../e2e/runtime/n8nInstall';
import { installPackageTarball, startN8n, type N8nInstance } from '../e2e/runtime/n8nProcess';
import { packPackage, type PackResult } from '../e2e/runtime/pack';
import { chain, httpRequestNode, splitOutNode, webhookNode } from '../e2e/workflows';
import { SANDBOX_ACCOUNTS, startSandbox, type VendorServer } from '../sandbox';
import { buildPlainPackage, PLAIN_CREDENTIAL, PLAIN_PACKAGE } from './plainPackage';

const ROOT = path.resolve(__dirname, '../..');
const N8N_VERSION = '2.40.7';
const ITEMS = 100;
const REQUIRE_ROUNDS = 9;

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'token-auth-bench-'));
let n8n: N8nInstance | undefined;

function cleanUpNow(): void {
	if (n8n) {
		try {
			process.kill(-n8n.pid, 'SIGKILL');
		} catch {
			// already gone
		}
	}
	fs.rmSync(work, { recursive: true, force: true });
}

// Registered before n8n starts, so it runs before n8nProcess's own handler; process.exit then
// runs n8nProcess's exit handler too, which kills any n8n process group still alive.
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
	process.on(signal, () => {
		console.log(`\n${signal}: stopping n8n and removing ${work}`);
		cleanUpNow();
		process.exit(code);
	});
}

const log = (line: string) => console.log(`  ${line}`);
const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;
const ms = (value: number) => `${value < 10 ? value.toFixed(2) : value.toFixed(0)} ms`;
const times = (ratio: number) => `${ratio < 1 ? ratio.toFixed(2) : ratio < 10 ? ratio.toFixed(1) : ratio.toFixed(0)}×`;

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)];
}

function packageJson(): { n8n: { credentials: string[]; nodes: string[] } } {
	return JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { n8n: { credentials: string[]; nodes: string[] } };
}

function ensureBuilt(): void {
	const { n8n: block } = packageJson();
	const missing = [...block.credentials, ...block.nodes].filter((file) => !fs.existsSync(path.join(ROOT, file)));
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

// ---- (a) real n8n: token calls for 100 concurrent items with an empty token ----

/**
 * n8n's HTTP Request node awaits a credential read per item and starts each item's request
 * without waiting for the previous one, so for a credential without a store the count depends
 * on how many items read the still-empty token before the first token is saved: on how fast the
 * token endpoint answers. Hence two scenarios: loopback as is, and the sandbox's token endpoint
 * held back by TOKEN_LATENCY_MS (a `slow` fault on every token call), closer to a real vendor.
 */
const TOKEN_LATENCY_MS = 200;
const REPETITIONS = 3;

interface Counts {
	ours: number[];
	plain: number[];
	oursMs: number[];
	plainMs: number[];
}

async function benchTokenCalls(tarball: string): Promise<{ loopback: Counts; slow: Counts }> {
	const userFolder = path.join(work, 'n8n-user');
	await installPackageTarball(userFolder, tarball, log);
	await installPackageTarball(userFolder, buildPlainPackage(path.join(work, 'plain')), log);
	n8n = await startN8n({ version: N8N_VERSION, userFolder, log });
	try {
		const client = new N8nClient(n8n.baseUrl);
		await client.setupOwner();
		const registered = new Set((await client.credentialTypes()).map((type) => type.name));
		for (const type of ['manisApi', PLAIN_CREDENTIAL]) {
			if (!registered.has(type)) throw new Error(`n8n did not register the credential type ${type}`);
		}
		const items = Array.from({ length: ITEMS }, (_, i) => ({ i }));
		let runs = 0;

		const run = async (manis: VendorServer, credentialType: string, label: string) => {
			// A fresh credential: its token field is empty, and nothing has used it yet.
			const data = { baseUrl: manis.baseUrl, merchantId: SANDBOX_ACCOUNTS.manis.merchantId, secret: SANDBOX_ACCOUNTS.manis.secret };
			const credential = await client.createCredential(credentialType, `Manis (${label} ${++runs})`, data);
			const webhookPath = `bench-${runs}-${credentialType}`;
			const workflow = await client.createWorkflow(
				chain(`bench ${runs} ${label}`, [
					webhookNode(webhookPath),
					splitOutNode('body.items'),
					httpRequestNode('HTTP Request', `${manis.origin}/__sandbox/echo`, credentialType, { id: credential.id, name: credential.name }),
				]),
			);
			await client.activateWorkflow(workflow.id);
			const before = manis.tokenCalls;
			const started = process.hrtime.bigint();
			const response = await client.callWebhook(webhookPath, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ items }),
			});
			const text = await response.text();
			const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
			const calls = manis.tokenCalls - before;
			await client.deactivateWorkflow(workflow.id);
			// Only the count is the result; the answers are checked so that a failed run is not
			// reported as a number.
			const answers = (() => {
				try {
					return JSON.parse(text) as Array<{ ok?: boolean }>;
				} catch {
					return undefined;
				}
			})();
			const served = Array.isArray(answers) ? answers.filter((answer) => answer.ok === true).length : 0;
			if (response.status !== 200 || served !== ITEMS) {
				throw new Error(`${label}: the workflow answered ${response.status} with ${served} of ${ITEMS} echo answers: ${text.slice(0, 300)}`);
			}
			return { calls, elapsed };
		};

		const scenario = async (latencyMs: number): Promise<Counts> => {
			const counts: Counts = { ours: [], plain: [], oursMs: [], plainMs: [] };
			for (let i = 0; i < REPETITIONS; i++) {
				// A fresh sandbox per repetition: new port, so new credential values, so this
				// package's token store cannot reuse a token from an earlier run.
				const sandbox = await startSandbox();
				try {
					const manis = sandbox.vendors.manis;
					if (latencyMs > 0) manis.injectFault({ kind: 'slow', delayMs: latencyMs });
					const ours = await run(manis, 'manisApi', 'n8n-nodes-token-auth');
					const plain = await run(manis, PLAIN_CREDENTIAL, PLAIN_PACKAGE);
					counts.ours.push(ours.calls);
					counts.plain.push(plain.calls);
					counts.oursMs.push(ours.elapsed);
					counts.plainMs.push(plain.elapsed);
					log(`token endpoint ${latencyMs > 0 ? `+${latencyMs} ms` : 'loopback'}, run ${i + 1}: n8n-nodes-token-auth ${ours.calls} token call(s) (${ms(ours.elapsed)}), ${PLAIN_PACKAGE} ${plain.calls} (${ms(plain.elapsed)})`);
				} finally {
					await sandbox.close();
				}
			}
			return counts;
		};
		const loopback = await scenario(0);
		const slow = await scenario(TOKEN_LATENCY_MS);
		return { loopback, slow };
	} finally {
		await n8n.stop();
		n8n = undefined;
	}
}

function describeCounts(counts: Counts): string {
	const ours = median(counts.ours);
	const plain = median(counts.plain);
	const range = (values: number[]) => (Math.min(...values) === Math.max(...values) ? `${values[0]}` : `${Math.min(...values)}–${Math.max(...values)}`);
	const fewer = ours > 0 ? `${times(plain / ours)} fewer` : 'no token call at all';
	return `n8n-nodes-token-auth ${ours}, plain n8n credential ${plain} → ${fewer} (${REPETITIONS} runs: ${range(counts.ours)} vs ${range(counts.plain)}; median run ${ms(median(counts.oursMs))} vs ${ms(median(counts.plainMs))})`;
}

// ---- (c) cold require ----

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
	const allJs = (fs.readdirSync(dist, { recursive: true }) as string[]).filter((file) => file.endsWith('.js')).map((file) => path.join(dist, file));
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
	const rounds: Array<{ workflowMs: number; packageMs: number; loadedByEntries: number; nodeVersion: string }> = [];
	for (let i = 0; i < REQUIRE_ROUNDS; i++) {
		const child = spawnSync(nodeBin, ['-e', script, JSON.stringify([workflowPath, entries, allJs])], { cwd: ROOT, encoding: 'utf8' });
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

// ---- (d) tarball ----

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
	const parts = kinds.map(([name, match]) => `${name} ${kB(files.filter((f) => match(f.path)).reduce((sum, f) => sum + f.size, 0))}`);
	const rest = files.filter((f) => !kinds.some(([, match]) => match(f.path))).reduce((sum, f) => sum + f.size, 0);
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

	console.log(`(a) real n8n ${N8N_VERSION}: HTTP Request node, ${ITEMS} concurrent items, empty token`);
	const a = await benchTokenCalls(packed.tarball);

	console.log('(b) Get Token node, 1,000 items (in-process, n8n-core WorkflowExecute)');
	const { benchGetToken } = await import('./getToken');
	const b = await benchGetToken();

	console.log(`(c) cold require, ${REQUIRE_ROUNDS} fresh processes`);
	const c = benchRequire(nodeBin);

	console.log('(d) npm pack');
	const tarballBytes = fs.statSync(packed.tarball).size;
	const sources = sourceBytes();

	const lines = [
		`(a) token calls for ${ITEMS} concurrent items, empty token (n8n ${N8N_VERSION}, HTTP Request node): loopback: ${describeCounts(a.loopback)}; token endpoint +${TOKEN_LATENCY_MS} ms: ${describeCounts(a.slow)}`,
		`(b) Get Token node, 1,000 items, Force Refresh: ${times(b.ratio)} the time of one raw token request, ${b.tokenCalls} token call per execution (median ${ms(b.nodeMs)} vs ${ms(b.rawMs)})`,
		`(c) cold require of all ${c.files} dist/*.js (${c.loadedByEntries} pulled in by the package.json n8n entries), n8n-workflow already loaded: ${times(c.packageMs / c.workflowMs)} of n8n-workflow's cold require (median ${ms(c.packageMs)} vs ${ms(c.workflowMs)}, Node ${c.nodeVersion})`,
		`(d) packed tarball ${kB(tarballBytes)}, ${packed.entryCount} files, unpacked ${kB(packed.unpackedSize)} (${byKind(packed.files)}): packed ${times(tarballBytes / sources.bytes)} the size of its sources (nodes+credentials+icons, ${sources.files} files, ${kB(sources.bytes)})`,
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
		fs.rmSync(work, { recursive: true, force: true });
	});
