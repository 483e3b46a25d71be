// n8n in queue mode on loopback: Redis, one `n8n start` (main: editor, API, triggers), N
// `n8n worker` processes that run the executions, and one `n8n webhook` process that takes the
// production webhook and resume calls (WEBHOOK_URL points at it, so resume URLs do too).
// Every process shares one N8N_USER_FOLDER (one SQLite database: accepted in queue mode, with
// a warning) and one encryption key, and has its own ports and its own log file in that folder.
//
//   const cluster = await startQueueCluster({ version: '2.40.7', userFolder, workers: 2, log });
//   cluster.main.baseUrl       // editor and /rest API
//   cluster.webhook.baseUrl    // /webhook/… and /webhook-waiting/…
//   cluster.workerRuns(executionId)   // which worker ran it (see below)
//   await cluster.restartAll(); await cluster.stop();
//
// Which worker ran an execution: every worker logs, at the default `info` level,
// "Worker started execution <id> (job <job id>)" and "Worker finished execution <id> (job …)"
// (n8n 2.40.7, scaling/job-processor.js). n8n stores nothing about the worker with the
// execution, so workerRuns() reads the workers' logs. A resumed execution is a new job with the
// same execution id: take mark() before the resume call and pass it to workerRuns() to see only
// the part that ran after. Text-format log lines carry no timestamp at `info`, so the order of
// runs across two workers is only known through such marks. Job ids live in Redis, which
// restartAll() empties: they start again at 1 after it. (main logs "Execution <id> (job <job
// id>) finished" for every job, without the worker.)
import * as fs from 'fs';
import * as path from 'path';
import type { Log } from './n8nInstall';
import { launchN8n, waitUntilMainReady, type LaunchedN8n, type N8nCommand } from './n8nProcess';
import { answers, freePorts, waitUntil } from './processGroup';
import { startRedis, type RedisServer } from './redis';

export interface QueueClusterOptions {
	version: string;
	/** Shared N8N_USER_FOLDER; install community packages into it before the start. */
	userFolder: string;
	/** Default 2. */
	workers?: number;
	log?: Log;
	/** Added to every n8n process's environment (e.g. N8N_LOG_LEVEL: 'debug'). */
	env?: Record<string, string>;
	/** Per process, default 180 s. */
	startTimeoutMs?: number;
}

export type QueueRole = 'main' | 'worker' | 'webhook';

export interface QueueProcess {
	/** 'main', 'worker-1' …, 'webhook' (also in the log file's name). */
	name: string;
	role: QueueRole;
	/** main and webhook: their HTTP server; a worker: its health-check server. */
	baseUrl: string;
	/** The port of baseUrl: N8N_PORT for main and webhook, QUEUE_HEALTH_CHECK_PORT for a worker. */
	port: number;
	/** N8N_PORT (a worker does not listen on it, but gets its own so that no two processes share one). */
	n8nPort: number;
	/** N8N_RUNNERS_BROKER_PORT. */
	brokerPort: number;
	logFile: string;
	/** The current pid, also its process group id; changes with restartAll(). */
	pid: number;
	/** How long its last start took until it was ready. */
	startMs: number;
}

/** One job a worker took: a run of an execution up to its end or its next wait. */
export interface WorkerRun {
	worker: string;
	executionId: string;
	jobId: string;
	/** Whether the worker also logged "Worker finished execution" for that job. */
	finished: boolean;
}

/** Byte offsets of the workers' logs at one moment. */
export type LogMark = Record<string, number>;

export interface QueueCluster {
	main: QueueProcess;
	workers: QueueProcess[];
	webhook: QueueProcess;
	redis: RedisServer;
	userFolder: string;
	/** Every process, in start order. */
	processes(): QueueProcess[];
	/** The workers' log positions now, for workerRuns(…, since). */
	mark(): LogMark;
	/** Jobs the workers logged (for one execution, or all), optionally only after a mark. */
	workerRuns(executionId?: string, since?: LogMark): WorkerRun[];
	/** Every n8n process, then Redis. */
	stop(): Promise<void>;
	/** Stops everything, then starts Redis (empty) and every n8n process again on the same ports and user folder. */
	restartAll(): Promise<void>;
}

const STARTED = /Worker started execution (\S+) \(job (\S+)\)/;
const FINISHED = /Worker finished execution (\S+) \(job (\S+)\)/;

export async function startQueueCluster(options: QueueClusterOptions): Promise<QueueCluster> {
	const log = options.log ?? (() => {});
	const userFolder = path.resolve(options.userFolder);
	fs.mkdirSync(path.join(userFolder, '.n8n'), { recursive: true });
	const workerCount = options.workers ?? 2;
	const timeoutMs = options.startTimeoutMs ?? 180_000;
	// All at once, so that they are distinct: Redis; N8N_PORT and broker port per process; a
	// health-check port per worker.
	const ports = await freePorts(1 + 2 * (workerCount + 2) + workerCount);
	const take = () => ports.shift()!;
	const redisPort = take();
	const make = (name: string, role: QueueRole): QueueProcess => {
		const n8nPort = take();
		const brokerPort = take();
		const port = role === 'worker' ? take() : n8nPort;
		return {
			name,
			role,
			port,
			n8nPort,
			brokerPort,
			baseUrl: `http://127.0.0.1:${port}`,
			logFile: path.join(userFolder, `n8n-${name}.log`),
			pid: 0,
			startMs: 0,
		};
	};
	const main = make('main', 'main');
	const workers = Array.from({ length: workerCount }, (_, i) => make(`worker-${i + 1}`, 'worker'));
	const webhook = make('webhook', 'webhook');
	const all = [main, ...workers, webhook];
	const running = new Map<QueueProcess, LaunchedN8n>();
	let redis: RedisServer | undefined;

	const env = (proc: QueueProcess): Record<string, string> => ({
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(redisPort),
		// Links in logs and e-mails point at the editor whichever process writes them.
		N8N_EDITOR_BASE_URL: `${main.baseUrl}/`,
		...(proc.role === 'worker'
			? {
					QUEUE_HEALTH_CHECK_ACTIVE: 'true',
					QUEUE_HEALTH_CHECK_PORT: String(proc.port),
					N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
				}
			: {}),
		...options.env,
	});

	const launch = async (
		proc: QueueProcess,
		command: N8nCommand,
		ready: (n8n: LaunchedN8n) => Promise<void>,
	) => {
		const started = Date.now();
		const n8n = await launchN8n({
			version: options.version,
			command,
			userFolder,
			port: proc.n8nPort,
			brokerPort: proc.brokerPort,
			webhookUrl: `${webhook.baseUrl}/`,
			env: env(proc),
			logFile: proc.logFile,
			log,
		});
		running.set(proc, n8n);
		proc.pid = n8n.pid;
		await ready(n8n);
		proc.startMs = Date.now() - started;
		log(
			`${proc.name} ready at ${proc.baseUrl} after ${(proc.startMs / 1000).toFixed(1)} s (pid ${proc.pid})`,
		);
	};

	const wait = async (
		proc: QueueProcess,
		n8n: LaunchedN8n,
		url: string,
		accept?: (status: number) => boolean,
	) =>
		await waitUntil(`${proc.name} at ${url}`, async () => await answers(url, accept), {
			timeoutMs,
			process: n8n,
			logFile: proc.logFile,
		});

	const stopAll = async () => {
		const stopping = [...running.values()].map(async (n8n) => await n8n.stop());
		running.clear();
		const results = await Promise.allSettled(stopping);
		await redis?.stop();
		const failure = results.find((result) => result.status === 'rejected');
		if (failure) throw failure.reason;
	};

	const startAll = async (first: boolean) => {
		const started = Date.now();
		if (first)
			redis = await startRedis({
				port: redisPort,
				logFile: path.join(userFolder, 'redis.log'),
				log,
			});
		else await redis!.restart();
		// main first: it runs the database migrations the others expect.
		await launch(main, 'start', async (n8n) => await waitUntilMainReady(n8n, timeoutMs));
		// /healthz answers as soon as the worker server listens; /healthz/readiness once the
		// database and Redis are connected and the worker takes jobs.
		await Promise.all(
			workers.map(
				async (worker) =>
					await launch(worker, 'worker', async (n8n) => {
						await wait(worker, n8n, `${worker.baseUrl}/healthz`);
						await wait(worker, n8n, `${worker.baseUrl}/healthz/readiness`);
					}),
			),
		);
		// The webhook process has no REST API: ready, then its waiting-webhook route answers
		// an unknown execution with n8n's 404 (not the "starting up" page).
		await launch(webhook, 'webhook', async (n8n) => {
			await wait(webhook, n8n, `${webhook.baseUrl}/healthz/readiness`);
			await wait(webhook, n8n, `${webhook.baseUrl}/webhook-waiting/0`, (status) => status === 404);
		});
		// `queue mode (2 workers) ready after 52.0 s: main 20.1 s, worker-1 14.0 s, …`
		const each = [main, ...workers, webhook]
			.map((proc) => `${proc.name} ${(proc.startMs / 1000).toFixed(1)} s`)
			.join(', ');
		log(
			`queue mode (${workerCount} workers) ready after ${((Date.now() - started) / 1000).toFixed(1)} s: ${each}`,
		);
	};

	try {
		await startAll(true);
	} catch (error) {
		await stopAll().catch(() => {});
		throw error;
	}

	const readWorkerLog = (worker: QueueProcess, from = 0): string => {
		try {
			return fs.readFileSync(worker.logFile).subarray(from).toString('utf8');
		} catch {
			return '';
		}
	};

	return {
		main,
		workers,
		webhook,
		redis: redis!,
		userFolder,
		processes: () => [...all],
		mark: () =>
			Object.fromEntries(workers.map((worker) => [worker.name, fileSize(worker.logFile)])),
		workerRuns: (executionId, since) => {
			const runs: WorkerRun[] = [];
			for (const worker of workers) {
				const text = readWorkerLog(worker, since?.[worker.name] ?? 0);
				const finished = new Set<string>();
				for (const line of text.split('\n')) {
					const match = FINISHED.exec(line);
					if (match) finished.add(`${match[1]}/${match[2]}`);
				}
				for (const line of text.split('\n')) {
					const match = STARTED.exec(line);
					if (!match || (executionId !== undefined && match[1] !== executionId)) continue;
					runs.push({
						worker: worker.name,
						executionId: match[1],
						jobId: match[2],
						finished: finished.has(`${match[1]}/${match[2]}`),
					});
				}
			}
			return runs;
		},
		stop: stopAll,
		restartAll: async () => {
			log('restarting every n8n process and Redis');
			await stopAll();
			try {
				await startAll(false);
			} catch (error) {
				await stopAll().catch(() => {});
				throw error;
			}
		},
	};
}

function fileSize(file: string): number {
	try {
		return fs.statSync(file).size;
	} catch {
		return 0;
	}
}
