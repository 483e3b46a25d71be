// How the long-running commands (npm start, test:e2e, test:browser, bench) end together with
// the npm that started them, whatever stops it.
//
// `npm run X` runs `sh -c "tsx …"`, tsx runs node with the script. npm 11 forwards SIGINT and
// SIGTERM to its child only, which is that sh, and dash (Debian's sh) passes neither on: a
// SIGTERM kills sh alone (npm then re-raises it on itself and dies, the script runs on with
// n8n), a SIGINT is held by sh until its child exits (so nothing happens at all). Only a
// terminal's Ctrl-C, sent to the whole foreground process group, reached the script. So:
//
// - stopOnSignals(): SIGINT, SIGTERM and SIGHUP stop everything and exit;
// - watchLauncher(): a watchdog polls the chain of processes that launched this one (tsx, sh,
//   npm) and, once one of them is gone, sends this process SIGTERM, as if npm had forwarded it;
// - spawnTied(): helper processes (npm install, npm run build) in their own process group,
//   killed with it when this process exits.
//
// A SIGINT to npm's pid reaches the script only when no sh is in between, that is when the
// package.json script says `exec …`. And no tsx launcher either: package.json runs
// `exec node --import tsx <script>`, so npm's child is the script's own node. tsx's launcher
// relays a signal and SIGKILLs its child when the child has not acknowledged it within 30 ms,
// which a busy event loop (npm start while n8n starts on a loaded machine) easily misses: the
// stop never ran, n8n's group and the pid file were left to chance (test/tooling/lifetime.test.ts).
import { spawn, type ChildProcess, type SpawnOptions } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';

export type StopSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';
export const STOP_SIGNALS: readonly StopSignal[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

type Log = (line: string) => void;

const defaultLog: Log = (line) => {
	try {
		process.stderr.write(`${line}\n`);
	} catch {
		// nobody reads it any more
	}
};

// ---- the launcher chain ----

interface ProcStat {
	comm: string;
	ppid: number;
	/** Clock ticks since boot: tells a pid reused by another process apart. */
	startTime: string;
}

function readStat(pid: number): ProcStat | undefined {
	try {
		const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		// "pid (comm) state ppid … starttime": comm may hold spaces and parentheses.
		const close = text.lastIndexOf(')');
		const fields = text.slice(close + 2).split(' ');
		return {
			comm: text.slice(text.indexOf('(') + 1, close),
			ppid: Number(fields[1]),
			startTime: fields[19],
		};
	} catch {
		return undefined;
	}
}

function readArgv(pid: number): string[] {
	try {
		return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
	} catch {
		return [];
	}
}

const base = (file: string | undefined) => (file ?? '').split('/').pop() ?? '';

/** npm itself: its process title is "npm start", "npm run test:e2e", "npm exec tsx …". */
function isNpm(stat: ProcStat, argv: string[]): boolean {
	return (
		/^npm( |$)/.test(stat.comm) ||
		/^npm( |$)/.test(argv[0] ?? '') ||
		argv.slice(0, 2).some((arg) => /\/(npm|npx)(-cli\.js)?$/.test(arg))
	);
}

/** What runs between npm and the script: `sh -c …` and tsx's own node. */
function isRelay(argv: string[]): boolean {
	if (/^(sh|dash|bash|zsh)$/.test(base(argv[0])) && argv[1] === '-c') return true;
	return (
		/^(node|nodejs)$/.test(base(argv[0])) && /(\/tsx|tsx\/dist\/cli\.m?js)$/.test(argv[1] ?? '')
	);
}

export interface Launcher {
	pid: number;
	/** Its parent when the watch started; undefined for the last one watched. */
	ppid?: number;
	startTime?: string;
	what: string;
}

/**
 * The processes this one depends on: its parent always, then up through the relays (tsx,
 * `sh -c`) to the npm that ran the script, if there is one. Not beyond npm, and not a shell
 * the user types into: those may end without this process having to.
 */
export function launcherChain(): Launcher[] {
	const chain: Launcher[] = [];
	let pid = process.ppid;
	for (let depth = 0; depth < 6 && pid > 1; depth++) {
		const stat = readStat(pid);
		if (!stat) {
			// No /proc (not Linux): the parent alone, watched through process.ppid.
			if (depth === 0) chain.push({ pid, what: `parent (pid ${pid})` });
			break;
		}
		const argv = readArgv(pid);
		const npm = isNpm(stat, argv);
		if (depth > 0 && !npm && !isRelay(argv)) break;
		const name = npm
			? stat.comm
			: isRelay(argv) && argv[1] !== undefined && /tsx/.test(argv[1])
				? 'tsx'
				: base(argv[0]) || stat.comm;
		chain.push({ pid, ppid: stat.ppid, startTime: stat.startTime, what: `${name} (pid ${pid})` });
		if (npm) break;
		pid = stat.ppid;
	}
	// The top one's own parent may change (a shell that exits after `npm start &`).
	if (chain.length > 0) delete chain[chain.length - 1].ppid;
	return chain;
}

/** The first process of the chain that is gone (or whose pid another process now has); undefined while all are there. */
export function brokenLink(chain: Launcher[]): Launcher | undefined {
	if (chain.length > 0 && process.ppid !== chain[0].pid) return chain[0];
	for (const [i, link] of chain.entries()) {
		if (link.startTime === undefined) {
			try {
				process.kill(link.pid, 0);
				continue;
			} catch {
				return link;
			}
		}
		const stat = readStat(link.pid);
		if (!stat || stat.startTime !== link.startTime) return link;
		// Its parent died and it was handed to init: the parent is the one gone.
		if (link.ppid !== undefined && stat.ppid !== link.ppid) return chain[i + 1] ?? link;
	}
	return undefined;
}

let watchdog: NodeJS.Timeout | undefined;

/**
 * Starts (once per process) the watchdog: every `intervalMs` it checks the launcher chain, and
 * when npm, sh or tsx is gone it sends this process SIGTERM, so that the script's own handlers
 * (or processGroup's, or tsx's) stop what it started; an exit after `forceAfterMs` if they do
 * not. Does not keep the process alive.
 */
export function watchLauncher(
	options: { intervalMs?: number; forceAfterMs?: number; log?: Log } = {},
): void {
	if (watchdog) return;
	const chain = launcherChain();
	if (chain.length === 0) return;
	const log = options.log ?? defaultLog;
	watchdog = setInterval(() => {
		const gone = brokenLink(chain);
		if (!gone) return;
		clearInterval(watchdog);
		const top = chain[chain.length - 1];
		log(
			`${gone.what} is gone${gone === top ? '' : ` (between this process and ${top.what})`}: stopping what this process started`,
		);
		const force = setTimeout(() => process.exit(143), options.forceAfterMs ?? 60_000);
		force.unref();
		// With no handler of our own, SIGTERM would end the process without its 'exit' handlers.
		if (process.listenerCount('SIGTERM') > 0) process.kill(process.pid, 'SIGTERM');
		else process.exit(143);
	}, options.intervalMs ?? 1000);
	watchdog.unref();
}

// ---- signals ----

export interface StopOptions {
	log?: Log;
	/** The exit code after a signal; default 128 + the signal's number (130 for SIGINT). */
	exitCode?: (signal: StopSignal) => number;
	/** How long stop() may take before the process exits anyway; default 60 s. */
	timeoutMs?: number;
}

let stopHandlersInstalled = false;

/**
 * On the first SIGINT, SIGTERM or SIGHUP: `stop(signal)`, then exit. A second signal more than
 * 2 s later exits at once (exit handlers still kill the process groups); one within 2 s is the
 * same Ctrl-C arriving twice (from the terminal and relayed by npm or tsx) and is ignored.
 * Also starts the watchdog, whose SIGTERM lands here.
 */
export function stopOnSignals(
	stop: (signal: StopSignal) => Promise<void> | void,
	options: StopOptions = {},
): void {
	if (stopHandlersInstalled) throw new Error('stopOnSignals() is already installed');
	stopHandlersInstalled = true;
	const log = options.log ?? defaultLog;
	const exitCode = options.exitCode ?? ((signal: StopSignal) => 128 + os.constants.signals[signal]);
	let first: { signal: StopSignal; at: number } | undefined;
	for (const signal of STOP_SIGNALS) {
		process.on(signal, () => {
			if (first) {
				if (Date.now() - first.at > 2000) {
					log(`${signal} again: leaving now`);
					process.exit(exitCode(first.signal));
				}
				return;
			}
			first = { signal, at: Date.now() };
			// The terminal or the pipe this wrote to may be gone with npm: writing must not throw.
			for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});
			const timer = setTimeout(() => {
				log(
					`still stopping after ${Math.round((options.timeoutMs ?? 60_000) / 1000)} s: leaving now`,
				);
				process.exit(exitCode(signal));
			}, options.timeoutMs ?? 60_000);
			timer.unref();
			void (async () => {
				try {
					await stop(signal);
				} catch (error) {
					log(`while stopping: ${(error as Error).message}`);
				}
				process.exit(exitCode(signal));
			})();
		});
	}
	watchLauncher({ log });
}

// ---- helper processes ----

const tied = new Set<number>();
let exitHandlerInstalled = false;

function killGroup(pgid: number, signal: NodeJS.Signals): void {
	try {
		process.kill(-pgid, signal);
	} catch {
		// gone already
	}
}

/**
 * spawn() in a process group of its own (npm install, npm run build and what they run),
 * SIGKILLed as a group when this process exits: a signal that ends the script ends them too,
 * instead of leaving an npm install running on its own. Ctrl-C in a terminal no longer reaches
 * the group directly; the script's exit does.
 */
export function spawnTied(
	command: string,
	args: string[],
	options: SpawnOptions = {},
): ChildProcess {
	const child = spawn(command, args, { ...options, detached: true });
	const pgid = child.pid;
	if (pgid === undefined) return child; // 'error' follows
	tied.add(pgid);
	if (!exitHandlerInstalled) {
		exitHandlerInstalled = true;
		process.on('exit', () => {
			for (const group of tied) killGroup(group, 'SIGKILL');
		});
	}
	child.on('exit', () => {
		// What the command left running in its group goes with it.
		killGroup(pgid, 'SIGKILL');
		tied.delete(pgid);
	});
	return child;
}

const removals = new Set<string>();

/**
 * Removes `dir` (a runner's temp folder: n8n's user folder, its SQLite DB) when this process
 * exits, however it exits short of SIGKILL, if it is still there. For the folders a runner's
 * `finally` removes on a normal end, which a signal skips.
 */
export function removeOnExit(dir: string): void {
	if (removals.size === 0) {
		process.on('exit', () => {
			for (const entry of removals) {
				try {
					fs.rmSync(entry, { recursive: true, force: true });
				} catch {
					// a process of the group still writing there: what is left stays
				}
			}
		});
	}
	removals.add(dir);
}
