// A throw-away Redis for n8n's queue mode: Debian's redis-server on a free loopback port, with
// no persistence (a restart empties it, as a crashed Redis without AOF would), in its own
// process group so that it never outlives the runner (processGroup.ts).
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import type { Log } from './n8nInstall';
import { freePorts, spawnGroup, waitUntil, type GroupProcess } from './processGroup';

/** redis-server from PATH, else Debian's place for it; undefined when it is not installed. */
export function findRedisServer(): string | undefined {
	const dirs = [
		...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean),
		'/usr/bin',
		'/usr/sbin',
	];
	return dirs.map((dir) => path.join(dir, 'redis-server')).find((file) => fs.existsSync(file));
}

export interface RedisOptions {
	/** Default: a free loopback port. */
	port?: number;
	/** Where redis-server's output goes; default a file in a new temp folder. */
	logFile?: string;
	log?: Log;
	/** How long to wait for PONG, default 20 s. */
	startTimeoutMs?: number;
}

export interface RedisServer {
	host: '127.0.0.1';
	port: number;
	logFile: string;
	/** The current redis-server's pid (a new one after restart()). */
	readonly pid: number;
	stop(): Promise<void>;
	/** Stops it and starts an empty one on the same port. */
	restart(): Promise<void>;
}

export async function startRedis(options: RedisOptions = {}): Promise<RedisServer> {
	const redisServer = findRedisServer();
	if (!redisServer) {
		throw new Error(
			'redis-server is not installed: queue mode needs Redis (as root on Debian: apt-get install -y redis-server)',
		);
	}
	const log = options.log ?? (() => {});
	const [port] = await freePorts(1, options.port);
	const logFile =
		options.logFile ?? path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'redis-')), 'redis.log');
	const timeoutMs = options.startTimeoutMs ?? 20_000;
	let current: GroupProcess;

	const launch = async () => {
		const started = Date.now();
		log(`starting redis-server on 127.0.0.1:${port} (log: ${logFile})`);
		// --save '' and --appendonly no: nothing on disk; --dir keeps any stray file out of cwd.
		const args = [
			'--port',
			String(port),
			'--bind',
			'127.0.0.1',
			'--save',
			'',
			'--appendonly',
			'no',
			'--dir',
			path.dirname(logFile),
		];
		current = spawnGroup(redisServer, args, {
			cwd: path.dirname(logFile),
			env: plainEnv(),
			logFile,
			what: 'redis-server',
		});
		try {
			await waitUntil(`redis-server on port ${port}`, async () => await ping(port), {
				timeoutMs,
				process: current,
				logFile,
				intervalMs: 100,
			});
		} catch (error) {
			await current.stop();
			throw error;
		}
		log(`redis-server ready on port ${port} after ${Date.now() - started} ms`);
	};
	await launch();

	return {
		host: '127.0.0.1',
		port,
		logFile,
		get pid() {
			return current.pid;
		},
		stop: async () => await current.stop(5000),
		restart: async () => {
			await current.stop(5000);
			await launch();
		},
	};
}

/** RESP by hand: `PING\r\n` (an inline command) must come back as `+PONG`. */
export async function ping(port: number, timeoutMs = 2000): Promise<boolean> {
	return await new Promise<boolean>((resolve) => {
		const socket = net.connect({ host: '127.0.0.1', port });
		let reply = '';
		const done = (ok: boolean) => {
			socket.destroy();
			resolve(ok);
		};
		socket.setTimeout(timeoutMs, () => done(false));
		socket.on('error', () => done(false));
		socket.on('connect', () => socket.write('PING\r\n'));
		socket.on('data', (chunk: Buffer) => {
			reply += chunk.toString();
			// Until the first line: -LOADING or -ERR while it starts means "not yet".
			if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
		});
	});
}

function plainEnv(): Record<string, string> {
	const env: Record<string, string> = {};
	for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
	return env;
}
