// Starts a real n8n on a free loopback port with its own user folder, and makes sure that no
// n8n process outlives the runner that started it (processGroup.ts). launchN8n is the part
// shared with the queue-mode cluster (queueMode.ts).
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ensureN8n, npmFreeEnv, type Log } from './n8nInstall';
import { answers, freePorts, spawnGroup, waitUntil, type GroupProcess } from './processGroup';

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
	/** n8n's task broker (N8N_RUNNERS_BROKER_PORT): its task runners connect to it, on loopback. */
	brokerPort: number;
	/** n8n's pid, also its process group id (its task runners are in that group). */
	pid: number;
	stop(): Promise<void>;
}

export const ENCRYPTION_KEY = 'n8n-nodes-token-auth-e2e-encryption-key';

export async function startN8n(options: StartOptions): Promise<N8nInstance> {
	const log = options.log ?? (() => {});
	const userFolder = path.resolve(options.userFolder);
	const [port, brokerPort] = await freePorts(2, options.port);
	const logFile = path.join(userFolder, 'n8n.log');
	const n8n = await launchN8n({
		version: options.version,
		command: 'start',
		userFolder,
		port,
		brokerPort,
		env: options.env,
		logFile,
		log,
	});
	try {
		await waitUntilMainReady(n8n, options.startTimeoutMs ?? 180_000);
	} catch (error) {
		await n8n.stop();
		throw error;
	}
	log(`n8n@${options.version} ready at ${n8n.baseUrl}`);
	return {
		baseUrl: n8n.baseUrl,
		port,
		userFolder,
		logFile,
		brokerPort,
		pid: n8n.pid,
		stop: async () => await n8n.stop(),
	};
}

/** `n8n start` runs the editor and API; `worker` and `webhook` exist only in queue mode. */
export type N8nCommand = 'start' | 'worker' | 'webhook';

export interface LaunchOptions {
	version: string;
	command: N8nCommand;
	/** N8N_USER_FOLDER, resolved; queue-mode processes share one. */
	userFolder: string;
	/** N8N_PORT: the HTTP port of `start` and `webhook` (a worker does not listen on it). */
	port: number;
	/** N8N_RUNNERS_BROKER_PORT: every process runs its own task broker. */
	brokerPort: number;
	/** WEBHOOK_URL, the base of webhook and resume URLs; defaults to the process's own URL. */
	webhookUrl?: string;
	/** Added last: these win over the defaults. */
	env?: Record<string, string>;
	logFile: string;
	log: Log;
}

export interface LaunchedN8n extends GroupProcess {
	/** http://127.0.0.1:<port> */
	baseUrl: string;
	logFile: string;
}

/** Spawns one n8n process (not waiting for it): the shared part of every kind of start. */
export async function launchN8n(options: LaunchOptions): Promise<LaunchedN8n> {
	const { nodeBin, n8nMain } = await ensureN8n(options.version, options.log);
	fs.mkdirSync(path.join(options.userFolder, '.n8n'), { recursive: true });
	const baseUrl = `http://127.0.0.1:${options.port}`;
	const env: Record<string, string> = {
		...inheritedEnv(),
		// n8n starts its task runner as plain `node` from PATH: that must be Node 24 too.
		PATH: `${path.dirname(nodeBin)}${path.delimiter}${process.env.PATH ?? ''}`,
		N8N_USER_FOLDER: options.userFolder,
		N8N_PORT: String(options.port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PROTOCOL: 'http',
		N8N_EDITOR_BASE_URL: `${baseUrl}/`,
		WEBHOOK_URL: options.webhookUrl ?? `${baseUrl}/`,
		// Same name in 1.123 and 2.40 (@n8n/config TaskRunnersConfig); the default 5679 would
		// clash between two instances.
		N8N_RUNNERS_BROKER_PORT: String(options.brokerPort),
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
	const what = options.command === 'start' ? 'n8n' : `n8n ${options.command}`;
	// A worker listens only on its health-check port (QUEUE_HEALTH_CHECK_PORT), not on N8N_PORT.
	const where =
		options.command === 'worker' ? `with task broker port ${options.brokerPort}` : `at ${baseUrl}`;
	options.log(`starting ${what}@${options.version} ${where} (log: ${options.logFile})`);
	const child = spawnGroup(nodeBin, [n8nMain, options.command], {
		cwd: options.userFolder,
		env,
		logFile: options.logFile,
		what,
	});
	return { ...child, baseUrl, logFile: options.logFile };
}

/**
 * `n8n start` is ready when /healthz/readiness says so (the migrations have run) and, a few
 * seconds later, the REST routes answer too.
 */
export async function waitUntilMainReady(n8n: LaunchedN8n, timeoutMs: number): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	for (const url of [`${n8n.baseUrl}/healthz/readiness`, `${n8n.baseUrl}/rest/settings`]) {
		await waitUntil(`n8n at ${url}`, async () => await answers(url), {
			timeoutMs,
			deadline,
			process: n8n,
			logFile: n8n.logFile,
		});
	}
}

// Installs a packed community package the way a user does on a self-hosted n8n: into
// <userFolder>/.n8n/nodes, which n8n scans at start and loads as <package name>.<node>.
export async function installPackageTarball(
	userFolder: string,
	tarballPath: string,
	log: Log = () => {},
): Promise<void> {
	const nodesDir = path.join(path.resolve(userFolder), '.n8n', 'nodes');
	fs.mkdirSync(nodesDir, { recursive: true });
	const manifest = path.join(nodesDir, 'package.json');
	if (!fs.existsSync(manifest)) {
		fs.writeFileSync(
			manifest,
			JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} }, null, 2) + '\n',
		);
	}
	// No peer install: the package must use the n8n-workflow of the n8n that loads it (one
	// instance, so its NodeApiError etc. are n8n's own), as n8n's own community install does.
	// No scripts: community packages may not have any, and offline they could not run anyway.
	await run(
		'npm',
		[
			'install',
			path.resolve(tarballPath),
			'--omit=peer',
			'--legacy-peer-deps',
			'--ignore-scripts',
			'--no-audit',
			'--no-fund',
			'--no-package-lock',
		],
		nodesDir,
		log,
	);
}

// ---- helpers ----

function inheritedEnv(): Record<string, string> {
	const env: Record<string, string> = {};
	for (const [key, value] of Object.entries(process.env)) {
		// The runner's own npm/n8n settings must not leak into the instance under test.
		if (
			value === undefined ||
			key.startsWith('npm_') ||
			key.startsWith('N8N_') ||
			key === 'NODE_OPTIONS'
		)
			continue;
		env[key] = value;
	}
	return env;
}

function run(command: string, args: string[], cwd: string, log: Log): Promise<void> {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, {
			cwd,
			env: npmFreeEnv(),
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let output = '';
		const collect = (chunk: Buffer) => (output += chunk.toString());
		child.stdout.on('data', collect);
		child.stderr.on('data', collect);
		child.on('error', reject);
		child.on('close', (code) => {
			for (const line of output.split('\n')) {
				if (line.trim() && !/^npm warn Unknown (user|env) config/.test(line))
					log(`  ${line.trim()}`);
			}
			if (code === 0) resolve();
			else
				reject(
					new Error(`${command} ${args.join(' ')} failed (exit ${code}) in ${cwd}:\n${output}`),
				);
		});
	});
}
