// Starts a real n8n on a free loopback port with its own user folder, and makes sure that no
// n8n process outlives the runner that started it.
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { ensureN8n, npmFreeEnv, type Log } from './n8nInstall';

export interface StartOptions {
	version: string;
	/** N8N_USER_FOLDER; n8n keeps its SQLite DB and config in <userFolder>/.n8n. */
	userFolder: string;
	port?: number;
	env?: Record<string, string>;
	log?: Log;
	/** How long to wait for n8n's REST API, default 180 s. */
	startTimeoutMs?: number;
}

export interface N8nInstance {
	baseUrl: string;
	port: number;
	userFolder: string;
	logFile: string;
	/** n8n's pid, also its process group id (its task runners are in that group). */
	pid: number;
	stop(): Promise<void>;
}

export const ENCRYPTION_KEY = 'n8n-nodes-token-auth-e2e-encryption-key';

export async function startN8n(options: StartOptions): Promise<N8nInstance> {
	const log = options.log ?? (() => {});
	const { nodeBin, n8nMain } = await ensureN8n(options.version, log);
	const userFolder = path.resolve(options.userFolder);
	fs.mkdirSync(path.join(userFolder, '.n8n'), { recursive: true });
	const [port, brokerPort] = await freePorts(2, options.port);
	const baseUrl = `http://127.0.0.1:${port}`;
	const logFile = path.join(userFolder, 'n8n.log');
	const env: Record<string, string> = {
		...inheritedEnv(),
		// n8n starts its task runner as plain `node` from PATH: that must be Node 24 too.
		PATH: `${path.dirname(nodeBin)}${path.delimiter}${process.env.PATH ?? ''}`,
		N8N_USER_FOLDER: userFolder,
		N8N_PORT: String(port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PROTOCOL: 'http',
		N8N_EDITOR_BASE_URL: `${baseUrl}/`,
		WEBHOOK_URL: `${baseUrl}/`,
		// Same name in 1.123 and 2.40 (@n8n/config TaskRunnersConfig); the default 5679 would
		// clash between two instances.
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		DB_TYPE: 'sqlite',
		N8N_ENCRYPTION_KEY: ENCRYPTION_KEY,
		N8N_SECURE_COOKIE: 'false',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_LOG_LEVEL: 'info',
		N8N_LOG_OUTPUT: 'console',
		...options.env,
	};
	const out = fs.openSync(logFile, 'a');
	log(`starting n8n@${options.version} at ${baseUrl} (log: ${logFile})`);
	// Own process group: stop() and the exit handlers kill n8n together with its task runners.
	const child = spawn(nodeBin, [n8nMain, 'start'], {
		cwd: userFolder,
		env,
		detached: true,
		stdio: ['ignore', out, out],
	});
	fs.closeSync(out);
	// Unref'd: a runner that forgets stop() still exits, and its exit handler kills n8n.
	child.unref();
	const pgid = child.pid;
	if (pgid === undefined) throw new Error(`could not start n8n: ${nodeBin} ${n8nMain}`);
	const reaper = startReaper(pgid);
	live.add(pgid);
	registerExitHandlers();
	let exited = false;
	child.on('exit', () => (exited = true));

	let stopping: Promise<void> | undefined;
	const stop = () => {
		stopping ??= killGroup(pgid).finally(() => {
			live.delete(pgid);
			reaper.stdin?.end();
		});
		return stopping;
	};
	try {
		await waitUntilReady(baseUrl, options.startTimeoutMs ?? 180_000, () => exited, logFile);
	} catch (error) {
		await stop();
		throw error;
	}
	log(`n8n@${options.version} ready at ${baseUrl}`);
	return { baseUrl, port, userFolder, logFile, pid: pgid, stop };
}

// Installs a packed community package the way a user does on a self-hosted n8n: into
// <userFolder>/.n8n/nodes, which n8n scans at start and loads as <package name>.<node>.
export async function installPackageTarball(userFolder: string, tarballPath: string, log: Log = () => {}): Promise<void> {
	const nodesDir = path.join(path.resolve(userFolder), '.n8n', 'nodes');
	fs.mkdirSync(nodesDir, { recursive: true });
	const manifest = path.join(nodesDir, 'package.json');
	if (!fs.existsSync(manifest)) {
		fs.writeFileSync(manifest, JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} }, null, 2) + '\n');
	}
	// No peer install: the package must use the n8n-workflow of the n8n that loads it (one
	// instance, so its NodeApiError etc. are n8n's own), as n8n's own community install does.
	// No scripts: community packages may not have any, and offline they could not run anyway.
	await run('npm', ['install', path.resolve(tarballPath), '--omit=peer', '--legacy-peer-deps', '--ignore-scripts',
		'--no-audit', '--no-fund', '--no-package-lock'], nodesDir, log);
}

// ---- readiness ----

async function waitUntilReady(baseUrl: string, timeoutMs: number, exited: () => boolean, logFile: string): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	// /healthz/readiness answers before the REST routes are registered: wait for both.
	for (const url of [`${baseUrl}/healthz/readiness`, `${baseUrl}/rest/settings`]) {
		for (;;) {
			if (exited()) throw new Error(`n8n exited during start-up:\n${tail(logFile)}`);
			if (Date.now() > deadline) throw new Error(`n8n not ready after ${timeoutMs} ms (${url}):\n${tail(logFile)}`);
			try {
				const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
				await response.arrayBuffer();
				if (response.ok) break;
			} catch {
				// not listening yet
			}
			await sleep(500);
		}
	}
}

function tail(file: string, lines = 40): string {
	try {
		return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
	} catch {
		return '(no log)';
	}
}

// ---- processes ----

const live = new Set<number>();
let handlersRegistered = false;

function killGroupNow(pgid: number, signal: NodeJS.Signals): boolean {
	try {
		process.kill(-pgid, signal);
		return true;
	} catch {
		return false; // ESRCH: the group is gone
	}
}

function groupAlive(pgid: number): boolean {
	return killGroupNow(pgid, 0 as unknown as NodeJS.Signals);
}

async function killGroup(pgid: number, graceMs = 15_000): Promise<void> {
	killGroupNow(pgid, 'SIGTERM');
	const deadline = Date.now() + graceMs;
	while (groupAlive(pgid) && Date.now() < deadline) await sleep(200);
	if (!groupAlive(pgid)) return;
	killGroupNow(pgid, 'SIGKILL');
	const hardDeadline = Date.now() + 10_000;
	while (groupAlive(pgid) && Date.now() < hardDeadline) await sleep(100);
	if (groupAlive(pgid)) throw new Error(`n8n process group ${pgid} survived SIGKILL`);
}

// Exit handlers cover a normal exit, an uncaught exception and Ctrl-C/kill; the reaper below
// covers the one case no handler sees: the runner itself dying by SIGKILL.
function registerExitHandlers(): void {
	if (handlersRegistered) return;
	handlersRegistered = true;
	process.on('exit', () => {
		for (const pgid of live) killGroupNow(pgid, 'SIGKILL');
	});
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
		const handler = () => {
			for (const pgid of live) killGroupNow(pgid, 'SIGKILL');
			live.clear();
			process.removeListener(signal, handler);
			// Only ours: die of the signal as the runner would have without us.
			if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
		};
		process.on(signal, handler);
	}
}

// A tiny detached process that holds a pipe from the runner: when the runner dies in any way,
// the pipe closes and the reaper kills the n8n group.
function startReaper(pgid: number): ChildProcess {
	const script = `
		const pgid = ${pgid};
		const alive = () => { try { process.kill(-pgid, 0); return true; } catch { return false; } };
		const kill = (signal) => { try { process.kill(-pgid, signal); } catch {} };
		process.stdin.on('close', () => {
			if (!alive()) process.exit(0);
			kill('SIGTERM');
			const since = Date.now();
			setInterval(() => {
				if (!alive()) process.exit(0);
				if (Date.now() - since > 10000) { kill('SIGKILL'); process.exit(0); }
			}, 200);
		});
		process.stdin.resume();`;
	const reaper = spawn(process.execPath, ['-e', script], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
	reaper.unref();
	(reaper.stdin as unknown as { unref(): void }).unref();
	return reaper;
}

function inheritedEnv(): Record<string, string> {
	const env: Record<string, string> = {};
	for (const [key, value] of Object.entries(process.env)) {
		// The runner's own npm/n8n settings must not leak into the instance under test.
		if (value === undefined || key.startsWith('npm_') || key.startsWith('N8N_') || key === 'NODE_OPTIONS') continue;
		env[key] = value;
	}
	return env;
}

async function freePorts(count: number, first?: number): Promise<number[]> {
	const servers: net.Server[] = [];
	try {
		const ports: number[] = [];
		if (first !== undefined) ports.push(first);
		while (ports.length < count) {
			const server = net.createServer();
			servers.push(server);
			await new Promise<void>((resolve, reject) => {
				server.once('error', reject);
				server.listen(0, '127.0.0.1', () => resolve());
			});
			ports.push((server.address() as net.AddressInfo).port);
		}
		return ports;
	} finally {
		await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
	}
}

function run(command: string, args: string[], cwd: string, log: Log): Promise<void> {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, { cwd, env: npmFreeEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
		let output = '';
		const collect = (chunk: Buffer) => (output += chunk.toString());
		child.stdout.on('data', collect);
		child.stderr.on('data', collect);
		child.on('error', reject);
		child.on('close', (code) => {
			for (const line of output.split('\n')) {
				if (line.trim() && !/^npm warn Unknown (user|env) config/.test(line)) log(`  ${line.trim()}`);
			}
			if (code === 0) resolve();
			else reject(new Error(`${command} ${args.join(' ')} failed (exit ${code}) in ${cwd}:\n${output}`));
		});
	});
}

function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}
