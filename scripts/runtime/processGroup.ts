// Long-running helper processes (n8n, its workers, Redis) started in their own process groups,
// with their output in a log file, and made sure never to outlive the runner that started them.
// Shared by n8nProcess.ts, redis.ts and queueMode.ts.
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';

export interface GroupProcess {
	/** The process's pid, also its process group id (n8n's task runners are in that group). */
	pid: number;
	/** Whether the process itself has exited (its group may still be alive). */
	exited(): boolean;
	/** SIGTERM to the whole group, SIGKILL after `graceMs`; resolves once the group is gone. */
	stop(graceMs?: number): Promise<void>;
}

export interface SpawnOptions {
	cwd: string;
	env: Record<string, string>;
	/** stdout and stderr are appended to this file. */
	logFile: string;
	/** For error messages, e.g. "n8n worker" or "redis-server". */
	what: string;
}

const live = new Set<number>();
let handlersRegistered = false;

export function spawnGroup(command: string, args: string[], options: SpawnOptions): GroupProcess {
	const out = fs.openSync(options.logFile, 'a');
	// Own process group: stop() and the exit handlers kill the process together with its children.
	const child = spawn(command, args, {
		cwd: options.cwd,
		env: options.env,
		detached: true,
		stdio: ['ignore', out, out],
	});
	fs.closeSync(out);
	// Unref'd: a runner that forgets stop() still exits, and its exit handler kills the group.
	child.unref();
	const pgid = child.pid;
	if (pgid === undefined)
		throw new Error(`could not start ${options.what}: ${command} ${args.join(' ')}`);
	const reaper = startReaper(pgid);
	live.add(pgid);
	registerExitHandlers();
	let exited = false;
	child.on('exit', () => (exited = true));

	let stopping: Promise<void> | undefined;
	const stop = (graceMs?: number) => {
		stopping ??= killGroup(pgid, options.what, graceMs).finally(() => {
			live.delete(pgid);
			reaper.stdin?.end();
		});
		return stopping;
	};
	return { pid: pgid, exited: () => exited, stop };
}

/**
 * Polls `probe` every `intervalMs` (default 500) until it returns true. Fails early when the process exits, and
 * after `timeoutMs` with the end of its log in the message.
 */
export async function waitUntil(
	what: string,
	probe: () => Promise<boolean>,
	options: {
		timeoutMs: number;
		process: GroupProcess;
		logFile: string;
		deadline?: number;
		intervalMs?: number;
	},
): Promise<void> {
	const deadline = options.deadline ?? Date.now() + options.timeoutMs;
	for (;;) {
		if (options.process.exited())
			throw new Error(`${what}: the process exited during start-up:\n${tail(options.logFile)}`);
		if (Date.now() > deadline)
			throw new Error(
				`${what}: not ready after ${options.timeoutMs} ms:\n${tail(options.logFile)}`,
			);
		try {
			if (await probe()) return;
		} catch {
			// not listening yet
		}
		await sleep(options.intervalMs ?? 500);
	}
}

/** Whether `url` answers with a status `accept` likes (default: 2xx) within 5 s. */
export async function answers(
	url: string,
	accept: (status: number) => boolean = (status) => status >= 200 && status < 300,
): Promise<boolean> {
	const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
	await response.arrayBuffer();
	return accept(response.status);
}

export function tail(file: string, lines = 40): string {
	try {
		return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
	} catch {
		return '(no log)';
	}
}

/**
 * `count` distinct free loopback ports (all held open at once, then released), `first` given
 * is used as is for the first one.
 */
export async function freePorts(count: number, first?: number): Promise<number[]> {
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

export function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---- killing ----

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

async function killGroup(pgid: number, what: string, graceMs = 15_000): Promise<void> {
	killGroupNow(pgid, 'SIGTERM');
	const deadline = Date.now() + graceMs;
	while (groupAlive(pgid) && Date.now() < deadline) await sleep(200);
	if (!groupAlive(pgid)) return;
	killGroupNow(pgid, 'SIGKILL');
	const hardDeadline = Date.now() + 10_000;
	while (groupAlive(pgid) && Date.now() < hardDeadline) await sleep(100);
	if (groupAlive(pgid)) throw new Error(`${what} process group ${pgid} survived SIGKILL`);
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
// the pipe closes and the reaper kills the group.
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
	const reaper = spawn(process.execPath, ['-e', script], {
		detached: true,
		stdio: ['pipe', 'ignore', 'ignore'],
	});
	reaper.unref();
	(reaper.stdin as unknown as { unref(): void }).unref();
	return reaper;
}
