/**
 * The real-n8n suite in queue mode: Redis, `n8n start`, two `n8n worker` and one `n8n webhook`
 * process sharing one user folder (scripts/runtime/queueMode.ts), with the packed package installed
 * once in that folder, as a self-hosted queue-mode n8n would have it. Called by run.ts after
 * the single-process suite, for one n8n version; every check is named
 * `n8n <version> queue mode: …`.
 *
 * What queue mode changes for this package: executions run on whichever worker takes the job,
 * each worker has its own in-memory token store, and the credential's saved token is shared
 * through the database. So the checks spread executions over both workers (several concurrent
 * executions; workerRuns() tells which worker ran which) and count the token calls each time
 * (printed as `token calls: …` lines).
 *
 * The Autoshares two-factor login crosses processes: execute() pauses on a worker, the code
 * arrives at the resume URL on the webhook process (WEBHOOK_URL points there), which finishes
 * the login from the seal kept in the execution's custom data, and the rest runs as a new job
 * on a worker. The checks follow it through every process, read the shared SQLite files while
 * it waits, and restart every process and Redis in the middle of it.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { providers, vendorIds, type VendorId } from '../../nodes/shared/providers';
import { fixtures } from '../../scripts/sandbox/fixtures';
import { needsTokenStep } from '../../scripts/sandbox/kits';
import { SANDBOX_ACCOUNTS, startSandbox, type Sandbox } from '../../scripts/sandbox';
import { assert, type Check } from '../../scripts/runtime/checks';
import {
	hasEnded,
	N8nClient,
	parseJson,
	type ExecutionDetails,
} from '../../scripts/runtime/n8nClient';
import { installPackageTarball } from '../../scripts/runtime/n8nProcess';
import {
	startQueueCluster,
	type LogMark,
	type QueueCluster,
} from '../../scripts/runtime/queueMode';
import {
	arrival,
	notifyReceiver,
	postCode as sendCode,
	type NotifyPayload,
} from '../../scripts/runtime/twoFactor';
import { realServerChecks } from './realServers';
import { createTwoFactorWorkflow, echoWorkflow, getTokenWorkflow, tokenStep } from './workflows';

const PACKAGE = 'n8n-nodes-token-auth';
const SIRDATA_LIFETIME_SECONDS = 40;
/** Concurrent executions per batch, and items per execution: 4 × 25 = 100 items. */
const EXECUTIONS_PER_BATCH = 4;
const ITEMS_PER_EXECUTION = 25;
/** Batches tried at most until both workers have run at least one execution. */
const MAX_BATCHES = 4;
/** What the Log In node keeps in the execution's custom data while it waits (pausedLogin.ts). */
const SEAL_KEY = /^tokenAuth2fa_[0-9a-f]{8}$/;
const SEAL_VALUE = /^\d:v2\.[A-Za-z0-9_-]+$/;

const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The forms a secret could take in a file: as is, and inside base64 or base64url text at each
 * of the three byte alignments (only the characters that depend on the secret's bytes alone).
 */
function encodings(secret: string): string[] {
	const bytes = Buffer.from(secret, 'utf8');
	const forms = new Set([secret]);
	for (let shift = 0; shift < 3; shift++) {
		const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString('base64');
		const core = encoded.slice(
			Math.ceil((shift * 8) / 6),
			Math.floor(((shift + bytes.length) * 8) / 6),
		);
		forms.add(core);
		forms.add(core.replace(/\+/g, '-').replace(/\//g, '_'));
	}
	return [...forms];
}

interface DbFile {
	name: string;
	bytes: Buffer;
}

/** The shared SQLite database as the files hold it right now: the main file, its WAL and any journal. */
function readDatabase(userFolder: string): DbFile[] {
	const dir = path.join(userFolder, '.n8n');
	return ['database.sqlite', 'database.sqlite-wal', 'database.sqlite-journal']
		.filter((name) => fs.existsSync(path.join(dir, name)))
		.map((name) => ({ name, bytes: fs.readFileSync(path.join(dir, name)) }));
}

/** Where (file and form) any of these strings occurs in the files. */
function occurrences(files: DbFile[], forms: string[]): string[] {
	return files.flatMap((file) =>
		forms
			.filter((form) => file.bytes.includes(form))
			.map((form) => `${file.name}: ${form.slice(0, 24)}…`),
	);
}

/** The execution's custom data as n8n's API shows it (execution_metadata). */
function customDataOf(execution: ExecutionDetails): Record<string, unknown> {
	const data = (execution as { customData?: unknown }).customData;
	return typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
}

/** The Log In node's seal in the execution's custom data: [key, value], or undefined. */
function sealIn(customData: Record<string, unknown>): [string, string] | undefined {
	const entry = Object.entries(customData).find(([key]) => SEAL_KEY.test(key));
	return entry ? [entry[0], String(entry[1])] : undefined;
}

export async function queueSuite(
	version: string,
	tarball: string,
	check: Check,
	log: (line: string) => void,
): Promise<void> {
	const work = fs.mkdtempSync(path.join(os.tmpdir(), `token-auth-e2e-queue-${version}-`));
	const at = `n8n ${version} queue mode:`;
	let sandbox: Sandbox | undefined;
	let cluster: QueueCluster | undefined;
	let notify: { url: string; close: () => Promise<void> } | undefined;
	try {
		// Sirdata's token expires naturally in the refresh check (see run.ts): keep it short.
		sandbox = await startSandbox({ tokenLifetimeSeconds: { sirdata: SIRDATA_LIFETIME_SECONDS } });
		const sb = sandbox;
		const fx = fixtures(sb);
		const userFolder = path.join(work, 'user');
		// Once, in the shared user folder: every process loads it from there.
		await installPackageTarball(userFolder, tarball, log);
		cluster = await startQueueCluster({ version, userFolder, workers: 2, log });
		const qc = cluster;
		const client = new N8nClient(qc.main.baseUrl);
		await client.setupOwner();
		// Production webhooks go to the webhook process, as WEBHOOK_URL tells users to send them.
		const webhooks = new N8nClient(qc.webhook.baseUrl);

		const credentials = {} as Record<VendorId, { id: string; name: string }>;
		for (const vendor of vendorIds) {
			const created = await client.createCredential(
				fx[vendor].credentialType,
				`${providers[vendor].displayName} (sandbox, queue mode)`,
				fx[vendor].good,
			);
			credentials[vendor] = { id: created.id, name: created.name };
		}
		// As in run.ts: Sirdata on n8n 2.x gets a Get Token node before the HTTP Request (workflows.ts).
		const stepFor = (vendor: VendorId) =>
			tokenStep(version, vendor, fx[vendor].credentialType, credentials[vendor]);

		const known = new Set<string>();
		/** Executions of the workflow not seen before, once each has ended. */
		const newExecutions = async (workflowId: string, count: number) => {
			const deadline = Date.now() + 30_000;
			for (;;) {
				const fresh = (await client.listExecutions(workflowId)).filter((e) => !known.has(e.id));
				const ended = fresh.filter(hasEnded);
				if (ended.length >= count || Date.now() > deadline) {
					for (const e of fresh) known.add(e.id);
					return ended;
				}
				await sleep(250);
			}
		};
		const workersOf = (executionIds: string[], since?: LogMark) =>
			new Set(executionIds.flatMap((id) => qc.workerRuns(id, since).map((run) => run.worker)));

		/** Where and why an execution failed: its worker and the first node error. */
		const whyFailed = async (id: string) => {
			const execution = await client.getExecution(id);
			const runData = execution.data.resultData.runData;
			const nodeError = Object.entries(runData).flatMap(([name, runs]) =>
				runs
					.filter((r) => r.error)
					.map((r) => `${name}: ${r.error!.description ?? r.error!.message}`),
			)[0];
			return `execution ${id} ${execution.status} on ${
				qc
					.workerRuns(id)
					.map((r) => r.worker)
					.join('+') || '?'
			} (${nodeError ?? execution.data.resultData.error?.message ?? 'no error recorded'})`;
		};

		/**
		 * `count` concurrent calls of a workflow's webhook; each must answer 200 with `items`
		 * items and its execution end `success`. A failure names the executions, their workers
		 * and errors, and the token calls counted by `tokenCalls` so far.
		 */
		const batch = async (
			workflowId: string,
			webhookPath: string,
			count: number,
			items: number,
			tokenCalls: () => number,
		) => {
			const answers = await Promise.all(
				Array.from({ length: count }, async () => {
					const { status, text, json } = await webhooks.postJson(webhookPath, {
						items: Array.from({ length: items }, (_, i) => ({ i })),
					});
					return {
						ok: status === 200 && Array.isArray(json) && json.length === items,
						status,
						text,
					};
				}),
			);
			const executions = await newExecutions(workflowId, count);
			const failedExecutions = executions.filter((e) => e.status !== 'success');
			const badAnswers = answers.filter((a) => !a.ok);
			if (badAnswers.length > 0 || failedExecutions.length > 0 || executions.length !== count) {
				const reasons = await Promise.all(failedExecutions.map(async (e) => await whyFailed(e.id)));
				throw new Error(
					`${badAnswers.length} of ${count} calls did not answer ${items} items (${badAnswers.map((a) => `${a.status} ${a.text.slice(0, 100)}`).join('; ')}); ` +
						`${executions.length} executions, failed: ${reasons.join('; ') || 'none'}; ${tokenCalls()} token call(s)`,
				);
			}
			return executions.map((e) => e.id);
		};

		/**
		 * Batches until both workers have run one of them; returns the executions, their workers
		 * and the items sent. `answered`: the items each call answers (a workflow without Split
		 * Out answers one).
		 */
		const spread = async (
			workflowId: string,
			webhookPath: string,
			since: LogMark,
			tokenCalls: () => number,
			answered = ITEMS_PER_EXECUTION,
		) => {
			const ids: string[] = [];
			for (let round = 0; round < MAX_BATCHES; round++) {
				ids.push(
					...(await batch(workflowId, webhookPath, EXECUTIONS_PER_BATCH, answered, tokenCalls)),
				);
				if (workersOf(ids, since).size === qc.workers.length) break;
			}
			return {
				ids,
				workers: workersOf(ids, since),
				executions: ids.length,
				items: ids.length * ITEMS_PER_EXECUTION,
			};
		};

		await check(
			`${at} the package loads on main and the five credential types are registered`,
			async () => {
				const nodeNames = new Set((await client.nodeTypes()).map((t) => t.name));
				for (const name of ['getToken', 'autosharesTrader'])
					assert(nodeNames.has(`${PACKAGE}.${name}`), `${PACKAGE}.${name} not loaded`);
				const credentialNames = new Set((await client.credentialTypes()).map((t) => t.name));
				for (const vendor of vendorIds)
					assert(
						credentialNames.has(fx[vendor].credentialType),
						`${fx[vendor].credentialType} not registered`,
					);
			},
		);

		// Custom Token Endpoint against real auth servers from npm, spread over both workers (realServers.ts).
		await realServerChecks({ at, client, check, log, version, queue: { webhooks, cluster: qc } });
		// E2E_ONLY=realServers: only those, for iterating on them.
		if (process.env.E2E_ONLY === 'realServers') return;

		// Autoshares two-factor login across processes. Every check uses a fresh credential: a
		// credential that holds a valid token logs in without a code. Before the vendor checks:
		// the sandbox's echo answers repeat the app key, so their run data would put it in the
		// database the secrets check reads. The restart check comes last.
		const autoshares = sb.vendors.autosharesTrader;
		const twoFactorUser = SANDBOX_ACCOUNTS.autosharesTrader.twoFactor;
		const appKey = SANDBOX_ACCOUNTS.autosharesTrader.appKey;
		const notifications: NotifyPayload[] = [];
		notify = await notifyReceiver((event) => notifications.push(event));
		const notifyUrl = notify.url;
		const webhookOrigin = new URL(qc.webhook.baseUrl).origin;

		/** Webhook (answers at once) → Log In → HTTP Request "Account" with the same credential. */
		const twoFactorWorkflow = async (label: string, loginOptions: Record<string, unknown> = {}) => {
			const webhookPath = `queue-2fa-${label}`;
			const workflow = await createTwoFactorWorkflow(
				client,
				client,
				{
					credential: `Autoshares Trader (2FA, queue mode, ${label})`,
					workflow: `queue 2fa ${label}`,
					webhookPath,
				},
				{
					values: { ...fx.autosharesTrader.good, ...twoFactorUser },
					notifyUrl,
					baseUrl: autoshares.baseUrl,
				},
				loginOptions,
			);
			return { workflowId: workflow.id, webhookPath };
		};

		/**
		 * Starts the workflow through the webhook process and waits for the notify. Returns the
		 * resume URL, its execution, the interim token and the code the sandbox "sent".
		 */
		const startLogin = async (webhookPath: string) => {
			const seen = notifications.length;
			const issued = autoshares.issued.length;
			const trigger = await webhooks.postJson(webhookPath, {});
			assert(
				trigger.status === 200,
				`the trigger answered ${trigger.status}: ${trigger.text.slice(0, 300)}`,
			);
			const payload = await arrival(notifications, seen, 30_000);
			assert(payload, 'no notify call arrived within 30 s');
			const executionId = /\/webhook-waiting\/(\d+)/.exec(payload.resumeUrl)?.[1];
			assert(executionId, `no execution id in the resume URL ${payload.resumeUrl}`);
			const interim = autoshares.issued.slice(issued).find((t) => t.interim);
			assert(interim, 'the sandbox issued no interim token');
			const code = autoshares.lastVerificationCode;
			assert(code, 'the sandbox sent no verification code');
			return {
				payload,
				resumeUrl: payload.resumeUrl,
				executionId,
				interimToken: interim.token,
				code,
				wrongCode: code === '000000' ? '111111' : '000000',
			};
		};

		/**
		 * The execution once it passes `accept` (polled through main's API); `what` says what was
		 * expected, from the execution as last read.
		 */
		const executionWhen = async (
			id: string,
			accept: (execution: ExecutionDetails) => boolean,
			what: string | ((execution: ExecutionDetails) => string),
			timeoutMs = 30_000,
		) => {
			const deadline = Date.now() + timeoutMs;
			for (;;) {
				const execution = await client.getExecution(id);
				if (accept(execution)) return execution;
				if (Date.now() > deadline)
					throw new Error(
						`execution ${id} is still ${execution.status} after ${timeoutMs / 1000} s, expected ${typeof what === 'string' ? what : what(execution)}`,
					);
				await sleep(250);
			}
		};
		const waitingFor = async (id: string) =>
			await executionWhen(id, (execution) => execution.status === 'waiting', 'waiting');
		const ended = async (id: string) => await executionWhen(id, hasEnded, 'it to end');
		/** When a node's last saved run started (0 when none is saved). */
		const lastRunStart = (execution: ExecutionDetails, node: string) =>
			execution.data?.resultData?.runData?.[node]?.at(-1)?.startTime ?? 0;
		/**
		 * Waiting, and the waiting node's run saved too, from a run that started after `after`
		 * (the start of the pause before it): a worker sets the status before it has written the
		 * run data, and a process stopped in between leaves the node's run list empty in the
		 * database, which n8n's resume cannot read (it answers 500 for good). After a wrong code
		 * the old pause still reads "waiting" until a worker picks the resume up, so the status
		 * and a saved run alone do not say that the new pause is saved.
		 */
		const pauseSaved = async (id: string, after = 0, node = 'Log In') =>
			await executionWhen(
				id,
				(execution) => execution.status === 'waiting' && lastRunStart(execution, node) > after,
				(execution) =>
					`waiting with a saved run of ${node} started after ${after} (${execution.data?.resultData?.runData?.[node]?.length ?? 0} saved run(s), the last started at ${lastRunStart(execution, node)})`,
			);

		/**
		 * A code, as JSON, to the resume URL. 409 is retried while n8n saves the wait (callResumeUrl),
		 * and so is a 500 for a few seconds: right after a wrong code, while Log In pauses again, a
		 * queue-mode n8n can answer one before it reaches the node (it reads the waiting node's run
		 * data while the worker has not saved it yet); nothing is sent to Autoshares then (README).
		 */
		const postCode = async (resumeUrl: string, code: string) => {
			let answer = await sendCode(resumeUrl, code);
			for (const until = Date.now() + 10_000; answer.status === 500 && Date.now() < until; ) {
				await sleep(250);
				answer = await sendCode(resumeUrl, code);
			}
			const json = parseJson(answer.text, {}) as Record<string, unknown>;
			return { ...answer, json };
		};

		const output = (execution: ExecutionDetails, nodeName: string) =>
			execution.data.resultData.runData[nodeName]?.at(-1)?.data?.main[0]?.[0]?.json;
		const runsOf = (id: string, since?: LogMark) =>
			qc
				.workerRuns(id, since)
				.map((run) => `${run.worker} (job ${run.jobId}${run.finished ? '' : ', not finished'})`)
				.join(', ') || 'no worker';
		const accountRequests = () =>
			autoshares.requests.filter((r) => r.path.startsWith('/api/v1.0/users/@me/info'));

		await check(
			`${at} autoshares 2FA: paused on a worker, a wrong code (422) keeps it waiting, the right code on the webhook process finishes it, the rest runs on a worker and an HTTP Request there carries the 2FA token`,
			async () => {
				const { workflowId, webhookPath } = await twoFactorWorkflow('cross');
				const login = await startLogin(webhookPath);
				const { payload, resumeUrl, executionId } = login;
				// The resume URL as n8n gives it: on the webhook process (WEBHOOK_URL), signed.
				const url = new URL(resumeUrl);
				assert(
					url.origin === webhookOrigin &&
						/^\/webhook-waiting\/\d+$/.test(url.pathname) &&
						url.searchParams.has('signature'),
					`resume URL ${resumeUrl} is not a signed /webhook-waiting URL on the webhook process (${webhookOrigin})`,
				);
				const waitUntil = Date.parse(String(payload.waitUntil));
				assert(
					payload.step === 'verificationCode' &&
						Math.abs(waitUntil - (Date.now() + 5 * 60_000)) < 60_000,
					`notify payload ${JSON.stringify(payload)}`,
				);
				// At once, as a person would: while the worker still saves the pause, the webhook
				// process answers 409, which callResumeUrl retries.
				await waitingFor(executionId);
				const paused = qc.workerRuns(executionId);
				assert(
					paused.length === 1,
					`expected execute() on one worker, the worker logs say: ${runsOf(executionId)}`,
				);
				const wrongStarted = Date.now();
				const wrong = await postCode(resumeUrl, login.wrongCode);
				const wrongMs = Date.now() - wrongStarted;
				assert(
					wrong.status === 422 &&
						wrong.json.status === 'wrongCode' &&
						wrong.json.attemptsLeft === 2,
					`wrong code answered ${wrong.status}: ${wrong.text.slice(0, 300)}`,
				);
				// The count goes into the seal: the run continues into Log In on a worker, which
				// pauses again at once (README): the execution is waiting again.
				const still = await waitingFor(executionId);
				assert(
					still.workflowId === workflowId,
					`execution ${executionId} belongs to workflow ${still.workflowId}`,
				);
				log(
					`2FA: execution ${executionId}: trigger on the webhook process, execute() and the pause on ${runsOf(executionId)}, notify with ${url.origin}${url.pathname}?signature=…`,
				);
				log(
					`2FA: wrong code posted right after the notify: ${wrong.status} ${JSON.stringify(wrong.json)} from the webhook process after ${wrongMs} ms; execution still ${still.status}`,
				);

				const mark = qc.mark();
				const seenAccount = accountRequests().length;
				const right = await postCode(resumeUrl, login.code);
				assert(
					right.status === 200 && right.json.status === 'loggedIn',
					`right code answered ${right.status}: ${right.text.slice(0, 300)}`,
				);
				const done = await ended(executionId);
				const after = qc.workerRuns(executionId, mark);
				log(
					`2FA: right code: ${right.status} from the webhook process (the login finished there); the rest ran on ${runsOf(executionId, mark)}; execution ${done.status}`,
				);
				assert(
					done.status === 'success',
					`the execution ended ${done.status}: ${JSON.stringify(done.data.resultData.error ?? '').slice(0, 300)}`,
				);
				assert(after.length >= 1, 'no worker logged the part after the resume');

				const loggedIn = output(done, 'Log In');
				const finalToken = String(loggedIn?.token);
				assert(
					loggedIn?.loggedIn === true,
					`Log In output ${JSON.stringify(loggedIn)?.slice(0, 300)}`,
				);
				assert(
					autoshares.issued.some(
						(t) => !t.interim && t.token === finalToken && t.account === twoFactorUser.username,
					),
					'the Log In token is not a final token the sandbox issued for the 2FA user',
				);
				const account = output(done, 'Account');
				assert(
					account?.Login === twoFactorUser.username,
					`the HTTP Request after the login got ${JSON.stringify(account)}`,
				);
				// Since the code: the login saving its token in the credential (on the webhook
				// process), then the HTTP Request on the worker: both with this login's token.
				const sent = accountRequests().slice(seenAccount);
				assert(
					sent.length >= 1 && sent.every((r) => r.headers.authorization === `Bearer ${finalToken}`),
					`account requests since the code: ${sent.map((r) => String(r.headers.authorization).slice(0, 20)).join(', ') || 'none'}`,
				);
				log(
					`2FA: ${sent.length} account request(s) since the code, all with the 2FA token; Account output Login ${String(account.Login)}`,
				);
				const runText = JSON.stringify(done.data) + JSON.stringify(customDataOf(done));
				assert(!runText.includes(login.interimToken), 'the interim token is in the execution data');
				assert(!runText.includes(appKey), 'the app key is in the execution data');
			},
		);

		await check(
			`${at} autoshares 2FA: the sealed login in the database holds neither the interim token nor a secret, and is overwritten when the login ends`,
			async () => {
				const { webhookPath } = await twoFactorWorkflow('database');
				const login = await startLogin(webhookPath);
				const waiting = await waitingFor(login.executionId);
				const seal = sealIn(customDataOf(waiting));
				assert(
					seal,
					`no ${SEAL_KEY.source} key in the custom data: ${JSON.stringify(customDataOf(waiting)).slice(0, 300)}`,
				);
				const [key, value] = seal;
				assert(
					SEAL_VALUE.test(value) && value.startsWith('1:v2.'),
					`custom data ${key} = ${value.slice(0, 40)}…`,
				);
				// The files the processes share: the seal is there (execution_metadata, in the WAL or
				// the main file), and no secret is, in any form.
				let files = readDatabase(qc.userFolder);
				for (let i = 0; i < 40 && occurrences(files, [value]).length === 0; i++) {
					await sleep(250);
					files = readDatabase(qc.userFolder);
				}
				log(
					`2FA database: ${files.map((file) => `${file.name} ${file.bytes.length} bytes`).join(', ')}; seal ${key} = ${value.slice(0, 12)}… (${value.length} characters)`,
				);
				assert(
					occurrences(files, [value]).length > 0 && occurrences(files, [key]).length > 0,
					'the seal is not in the database files',
				);
				const secrets = {
					'interim token': login.interimToken,
					'account password': twoFactorUser.password,
					'app key': appKey,
				};
				for (const [what, secret] of Object.entries(secrets)) {
					const found = occurrences(files, encodings(secret));
					assert(found.length === 0, `the ${what} is in the database files: ${found.join(', ')}`);
				}
				// The same through n8n's own reading of the execution (rows split over overflow pages
				// would escape a search of the raw files).
				const apiText = JSON.stringify(waiting);
				for (const [what, secret] of Object.entries(secrets))
					assert(
						!encodings(secret).some((form) => apiText.includes(form)),
						`the ${what} is in the execution as n8n's API returns it`,
					);

				const right = await postCode(login.resumeUrl, login.code);
				assert(
					right.status === 200,
					`right code answered ${right.status}: ${right.text.slice(0, 300)}`,
				);
				const done = await ended(login.executionId);
				assert(done.status === 'success', `the execution ended ${done.status}`);
				// n8n saves the custom data just after the execution's status: give it a moment, and
				// SQLite a moment to checkpoint.
				let lingering = occurrences(readDatabase(qc.userFolder), [value]);
				let customData = customDataOf(done);
				const endedAt = Date.now();
				let endedAfterMs = customData[key] === 'ended' ? 0 : -1;
				for (let i = 0; i < 20 && (customData[key] !== 'ended' || lingering.length > 0); i++) {
					await sleep(250);
					lingering = occurrences(readDatabase(qc.userFolder), [value]);
					if (customData[key] !== 'ended') {
						customData = customDataOf(await client.getExecution(login.executionId));
						if (customData[key] === 'ended') endedAfterMs = Date.now() - endedAt;
					}
				}
				assert(
					customData[key] === 'ended',
					`after the login the custom data ${key} = ${String(customData[key]).slice(0, 40)}…`,
				);
				const final = await client.getExecution(login.executionId);
				assert(
					!JSON.stringify(final).includes(value.slice(2)),
					'the seal is still in the execution as n8n returns it',
				);
				if (lingering.length === 0) {
					log(
						`2FA database: after the login the seal is gone from the database files; ${key} = "ended" (${endedAfterMs} ms after the status said success)`,
					);
				} else {
					// SQLite overwrote the row, but keeps the old page images (WAL frames, free pages)
					// until they are reused: checked through n8n's API instead.
					log(
						`2FA database: after the login the seal's old bytes linger in ${lingering.map((where) => where.split(':')[0]).join(', ')} (old SQLite pages); n8n's API shows ${key} = "ended" (${endedAfterMs} ms after the status said success) and no seal in the execution`,
					);
				}
			},
		);

		await check(
			`${at} autoshares 2FA: too many wrong codes fail the execution at the Log In node, and nothing after it runs`,
			async () => {
				const { webhookPath } = await twoFactorWorkflow('attempts', { maxAttempts: 2 });
				const login = await startLogin(webhookPath);
				await waitingFor(login.executionId);
				const seenAccount = accountRequests().length;
				const first = await postCode(login.resumeUrl, login.wrongCode);
				assert(
					first.status === 422 && first.json.attemptsLeft === 1,
					`first wrong code answered ${first.status}: ${first.text.slice(0, 300)}`,
				);
				const mark = qc.mark();
				const second = await postCode(login.resumeUrl, login.wrongCode);
				assert(
					second.status === 403,
					`second wrong code answered ${second.status}: ${second.text.slice(0, 300)}`,
				);
				const done = await ended(login.executionId);
				const runData = done.data.resultData.runData;
				const loginRun = runData['Log In']?.at(-1);
				const message = `${JSON.stringify(done.data.resultData.error ?? '')} ${JSON.stringify(loginRun?.error ?? '')}`;
				log(
					`2FA attempts: 422 then 403 from the webhook process; the failing run on ${runsOf(login.executionId, mark)}; execution ${done.status} at ${done.data.resultData.lastNodeExecuted ?? '?'}: ${(done.data.resultData.error?.message ?? '').slice(0, 120)}`,
				);
				assert(done.status === 'error', `the execution ended ${done.status}`);
				assert(
					/2 wrong codes/.test(message),
					`the error does not name the wrong codes: ${message.slice(0, 300)}`,
				);
				assert(
					done.data.resultData.lastNodeExecuted === 'Log In' && loginRun?.error,
					`the execution did not fail at Log In (last node ${done.data.resultData.lastNodeExecuted})`,
				);
				assert(
					runData.Account === undefined,
					`the HTTP Request after Log In ran: ${String(JSON.stringify(runData.Account)).slice(0, 200)}`,
				);
				assert(
					accountRequests().length === seenAccount,
					'a request reached the Autoshares account endpoint',
				);
			},
		);

		await check(
			`${at} autoshares 2FA: two wrong codes posted at the same moment to two processes reach Autoshares at most once each (the documented bound)`,
			async () => {
				// n8n holds no lock while webhook() runs: the webhook process and main both serve the
				// resume URL (its signature is in the query, not the host). With Max Code Attempts 1,
				// the bound is one code per process that receives one at the very same moment.
				const { webhookPath } = await twoFactorWorkflow('race', { maxAttempts: 1 });
				const login = await startLogin(webhookPath);
				await waitingFor(login.executionId);
				const codesSent = () =>
					autoshares.requests.filter(
						(r) => r.path === '/api/token' && r.headers.verificationcode !== undefined,
					).length;
				const before = codesSent();
				const onMain = login.resumeUrl.replace(webhookOrigin, new URL(qc.main.baseUrl).origin);
				const answers = await Promise.all([
					postCode(login.resumeUrl, login.wrongCode),
					postCode(onMain, login.wrongCode === '000000' ? '222222' : '000000'),
				]);
				const reached = codesSent() - before;
				const done = await ended(login.executionId);
				log(
					`2FA race: answers ${answers.map((a) => a.status).join(' and ')} (webhook process, main); ${reached} code(s) reached Autoshares; execution ${done.status}`,
				);
				assert(
					reached <= 2,
					`${reached} codes reached Autoshares for one login with Max Code Attempts 1 on two processes`,
				);
				// Whatever the race, the login is over: a third code reaches nobody.
				const third = await postCode(login.resumeUrl, login.code);
				assert(third.status !== 200, `a code after the limit was accepted: ${third.status}`);
				assert(codesSent() - before === reached, 'a code after the limit reached Autoshares');
				assert(done.status === 'error', `the execution ended ${done.status}`);
			},
		);

		const on = (workers: Set<string>) => [...workers].sort().join(' + ') || 'no worker';

		for (const vendor of vendorIds) {
			const f = fx[vendor];
			const s = sb.vendors[vendor];
			const webhookPath = `queue-items-${vendor}`;
			// Sirdata on 2.x: the Get Token node in the workflow keeps each worker's own copy, and
			// renews it in the last tenth of its 40 s life: up to one call per worker at any time.
			const stepped = needsTokenStep(version, vendor);
			let workflowId: string | undefined;

			await check(
				`${at} ${vendor}: HTTP Request, ${EXECUTIONS_PER_BATCH} concurrent executions of ${ITEMS_PER_EXECUTION} items on both workers, empty token`,
				async () => {
					const workflow = await client.createWorkflow(
						echoWorkflow(
							`queue items ${vendor}`,
							webhookPath,
							{
								origin: s.origin,
								credentialType: f.credentialType,
								credential: credentials[vendor],
							},
							{ before: stepFor(vendor), items: true },
						),
					);
					await client.activateWorkflow(workflow.id);
					workflowId = workflow.id;
					const before = s.tokenCalls;
					const result = await spread(
						workflow.id,
						webhookPath,
						qc.mark(),
						() => s.tokenCalls - before,
					);
					const calls = s.tokenCalls - before;
					log(
						`token calls: ${vendor}, fresh credential: ${calls} for ${result.items} items in ${result.executions} concurrent executions on ${on(result.workers)}`,
					);
					assert(
						result.workers.size === qc.workers.length,
						`only ${[...result.workers].join(', ')} ran executions`,
					);
					// Each worker keeps its own store and n8n has no lock across processes: at most one
					// login per worker while the saved token is still empty.
					assert(
						calls >= 1 && calls <= qc.workers.length,
						`expected 1 to ${qc.workers.length} token calls, got ${calls}`,
					);
				},
			);

			await check(
				`${at} ${vendor}: while the token is valid, later executions on both workers make no token call`,
				async () => {
					assert(workflowId, 'the workflow was not created');
					const before = s.tokenCalls;
					const result = await spread(
						workflowId,
						webhookPath,
						qc.mark(),
						() => s.tokenCalls - before,
					);
					const calls = s.tokenCalls - before;
					log(
						`token calls: ${vendor}, later executions: ${calls} for ${result.items} items in ${result.executions} executions on ${on(result.workers)}`,
					);
					assert(
						result.workers.size === qc.workers.length,
						`only ${[...result.workers].join(', ')} ran executions`,
					);
					// Every worker reads the token n8n saved in the credential (or its own, still valid).
					const allowed = stepped ? qc.workers.length : 0;
					assert(calls <= allowed, `expected at most ${allowed} token calls, got ${calls}`);
				},
			);

			// Before the expiry below: a worker's store may hold a token the expiry then revokes.
			await check(
				`${at} ${vendor}: Get Token node on both workers outputs what the sandbox issued, with no token call while the token is valid`,
				async () => {
					const getTokenPath = `queue-get-token-${vendor}`;
					const workflow = await client.createWorkflow(
						getTokenWorkflow(
							`queue get token ${vendor}`,
							getTokenPath,
							vendor,
							f.credentialType,
							credentials[vendor],
						),
					);
					await client.activateWorkflow(workflow.id);
					const before = s.tokenCalls;
					const mark = qc.mark();
					// Concurrent batches until both workers ran one (one item each: the webhook's body).
					const result = await spread(
						workflow.id,
						getTokenPath,
						mark,
						() => s.tokenCalls - before,
						1,
					);
					const calls = s.tokenCalls - before;
					log(
						`token calls: ${vendor}, Get Token: ${calls} in ${result.executions} executions on ${on(result.workers)}`,
					);
					assert(
						result.workers.size === qc.workers.length,
						`only ${[...result.workers].join(', ')} ran executions`,
					);
					// Not necessarily the last token issued: the two workers may hold different ones.
					// Each must be a token the sandbox issued and still accepts.
					const outputs = new Map<string, Set<string>>();
					for (const id of result.ids) {
						const execution = await client.getExecution(id);
						const output =
							execution.data.resultData.runData['Get Token']?.[0]?.data?.main[0]?.[0]?.json;
						assert(
							output?.provider === vendor,
							`execution ${id}: Get Token output ${JSON.stringify(output)?.slice(0, 200)}`,
						);
						const token = String(output.token);
						outputs.set(token, new Set([...(outputs.get(token) ?? []), ...workersOf([id], mark)]));
					}
					const last = s.issued.filter((t) => !t.interim).at(-1)!.token;
					for (const [token, workers] of outputs) {
						const worker = on(workers);
						assert(
							s.issued.some((t) => !t.interim && t.token === token),
							`${worker}: token ${token.slice(0, 12)}… was not issued by the sandbox`,
						);
						const echo = await fetch(`${s.origin}/__sandbox/echo`, {
							headers: f.expectedHeaders(token),
						});
						await echo.arrayBuffer();
						assert(
							echo.status === 200,
							`the sandbox refuses the token Get Token output on ${worker} (${echo.status})`,
						);
					}
					log(
						`${vendor}: Get Token output ${outputs.size} distinct token(s): ${[...outputs].map(([token, workers]) => `${on(workers)} ${token === last ? 'the last issued' : 'an earlier, still valid one'}`).join('; ')}`,
					);
					const allowed = stepped ? qc.workers.length : 0;
					assert(
						calls <= allowed,
						`expected at most ${allowed} token calls while the token is valid, got ${calls}`,
					);
				},
			);

			await check(
				`${at} ${vendor}: after the token expires one worker refreshes once and both workers then use the new token`,
				async () => {
					assert(workflowId, 'the workflow was not created');
					if (stepped) {
						// As in run.ts: the Get Token node refreshes a token about to expire; it expires naturally.
						const last = s.issued.filter((t) => !t.interim).at(-1)!;
						await sleep(Math.max(0, last.validUntil.getTime() - Date.now()) + 1000);
					} else {
						s.expireAllTokens();
					}
					const before = s.tokenCalls;
					const mark = qc.mark();
					// One item, as in run.ts: the refresh itself, not concurrent 401s within one run.
					const [first] = await batch(workflowId, webhookPath, 1, 1, () => s.tokenCalls - before);
					const refreshes = s.tokenCalls - before;
					const refresher = on(workersOf([first], mark));
					const result = await spread(workflowId, webhookPath, mark, () => s.tokenCalls - before);
					const later = s.tokenCalls - before - refreshes;
					log(
						`token calls: ${vendor}, after ${stepped ? 'the token expired' : 'expireAllTokens()'}: ${refreshes} refresh on ${refresher}, ` +
							`then ${later} for ${result.items} items in ${result.executions} executions on ${on(result.workers)} (${refreshes + later} in all)`,
					);
					assert(refreshes === 1, `expected exactly 1 refresh, got ${refreshes} token calls`);
					assert(
						result.workers.size === qc.workers.length,
						`only ${[...result.workers].join(', ')} ran executions`,
					);
					// The refreshed token is saved with the credential, so the other worker sends it as
					// is. With the Get Token node (Sirdata on 2.x) each worker's own store renews its copy.
					const allowed = stepped ? qc.workers.length - 1 : 0;
					assert(later <= allowed, `expected at most ${allowed} more token calls, got ${later}`);
				},
			);
		}

		// Last: it restarts everything (Redis empties, the workers' token stores too).
		await check(
			`${at} autoshares 2FA: a full restart of every n8n process and Redis while the login waits, then the code finishes the login, and a wrong code sent before it still counts`,
			async () => {
				const { webhookPath } = await twoFactorWorkflow('restart');
				const login = await startLogin(webhookPath);
				// The pause saved, so that the restart meets a waiting execution, not one a worker
				// is still putting to wait.
				const firstPause = await pauseSaved(login.executionId);
				const before = await postCode(login.resumeUrl, login.wrongCode);
				assert(
					before.status === 422 && before.json.attemptsLeft === 2,
					`the wrong code before the restart answered ${before.status}: ${before.text.slice(0, 300)}`,
				);
				// Before the restart, the pause after the wrong code is saved, not only its status.
				await pauseSaved(login.executionId, lastRunStart(firstPause, 'Log In'));
				const pausedOn = runsOf(login.executionId);
				const restartStarted = Date.now();
				await qc.restartAll();
				log(
					`2FA restart: every n8n process and Redis restarted in ${((Date.now() - restartStarted) / 1000).toFixed(1)} s (execute() had run on ${pausedOn})`,
				);
				await client.login();
				// Right after the restart: retry what a starting n8n answers (409, 503, no connection).
				const deadline = Date.now() + 30_000;
				let right: Awaited<ReturnType<typeof postCode>> | undefined;
				const retried: string[] = [];
				const mark = qc.mark();
				// The attempt limit holds across the restart: the wrong code above is in the seal.
				let wrong: Awaited<ReturnType<typeof postCode>> | undefined;
				for (;;) {
					try {
						wrong = await postCode(login.resumeUrl, login.wrongCode);
						if (![409, 503].includes(wrong.status) || Date.now() > deadline) break;
					} catch (error) {
						if (Date.now() > deadline) throw error;
					}
					await sleep(500);
				}
				assert(
					wrong.status === 422 && wrong.json.attemptsLeft === 1,
					`the wrong code after the restart answered ${wrong.status}: ${wrong.text.slice(0, 300)} (1 try left expected: the one before the restart counts)`,
				);
				await waitingFor(login.executionId);
				for (;;) {
					try {
						right = await postCode(login.resumeUrl, login.code);
						if (![409, 503].includes(right.status) || Date.now() > deadline) break;
						retried.push(String(right.status));
					} catch (error) {
						if (Date.now() > deadline) throw error;
						retried.push((error as Error).message);
					}
					await sleep(500);
				}
				log(
					`2FA restart: the code answered ${right.status}${retried.length > 0 ? ` after ${retried.length} retries (${[...new Set(retried)].join(', ')})` : ''}`,
				);
				assert(
					right.status === 200,
					`after the restart the code answered ${right.status}: ${right.text.slice(0, 300)}`,
				);
				const done = await ended(login.executionId);
				log(
					`2FA restart: the rest ran on ${runsOf(login.executionId, mark)}; execution ${done.status}`,
				);
				assert(
					done.status === 'success',
					`the execution ended ${done.status}: ${JSON.stringify(done.data.resultData.error ?? '').slice(0, 300)}`,
				);
				const loggedIn = output(done, 'Log In');
				assert(
					loggedIn?.loggedIn === true,
					`Log In output ${JSON.stringify(loggedIn)?.slice(0, 300)}`,
				);
				const account = output(done, 'Account');
				assert(
					account?.Login === twoFactorUser.username,
					`the HTTP Request after the login got ${JSON.stringify(account)}`,
				);
			},
		);
	} finally {
		try {
			await cluster?.stop();
		} finally {
			await notify?.close();
			await sandbox?.close();
			fs.rmSync(work, { recursive: true, force: true });
		}
	}
}
