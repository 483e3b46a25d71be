/**
 * `npm start`: a real n8n with this package installed the way a user installs it, one credential
 * per provider of the registry pointing at the vendor sandbox (scripts/sandbox: loopback stand-ins
 * for the five APIs and a generic one), and the example workflow of every docs page imported.
 * Ctrl-C stops everything, and so does a SIGINT, SIGTERM or SIGHUP to npm's pid, or npm dying
 * (scripts/runtime/lifetime.ts).
 *
 *   npm start                           # n8n 2.40.7
 *   npm start -- --n8n 1.123.81         # another n8n (or START_N8N_VERSION=1.123.81)
 *   npm start -- --port 5680            # n8n's port (default 5678 when free, else a free one)
 *   npm start -- --check                # start, check, stop, exit 0 (or START_CHECK=1)
 *
 * The first run for a version downloads n8n (about 2,400 packages, 2.8 GB unpacked) into
 * ~/.cache/n8n-nodes-token-auth (N8N_E2E_CACHE moves it) and rebuilds two native modules: 4 to 15
 * minutes, the network and the CPU deciding, with a progress line every 15 s that moves even when
 * npm's numbers do not (npm's own output: <cache>/n8n-<version>/npm.log).
 * Later runs reuse it.
 * Each start wipes and recreates its own n8n user folder, <cache>/demo-<version>. n8n runs as
 * in production (NODE_ENV=production): its error answers carry no stack traces or local paths.
 */
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';

import { providers, vendorIds, type VendorId } from '../nodes/shared/providers';
import { defaultCredentialName, fixtures } from './sandbox/fixtures';
import { assert, checker, type Counts } from './runtime/checks';
import { hasEnded, N8nClient, type Owner } from './runtime/n8nClient';
import { spawnTied, stopOnSignals, type StopOptions } from './runtime/lifetime';
import { cacheRoot, ensureN8n, processAlive, type Log } from './runtime/n8nInstall';
import { installPackageTarball, startN8n, type N8nInstance } from './runtime/n8nProcess';
import { packPackage } from './runtime/pack';
import {
	arrival,
	notifyReceiver,
	postCode,
	VerificationCodes,
	type NotifyPayload,
} from './runtime/twoFactor';
import { SANDBOX_ACCOUNTS, startSandbox, type Sandbox } from './sandbox';
import { kits, needsTokenStep } from './sandbox/kits';
import { docsPageOf, loadExamples, type ExampleWorkflow } from './examples';

const ROOT = path.resolve(__dirname, '..');
const PACKAGE = 'n8n-nodes-token-auth';
export const DEFAULT_N8N_VERSION = '2.40.7';
const DEFAULT_PORT = 5678;
/** One port per sandbox server from 5701 on, fixed when free, so URLs stay the same between runs. */
const SANDBOX_PORTS = Object.fromEntries(
	vendorIds.map((id, index) => [id, 5701 + index]),
) as Record<VendorId, number>;

export const DEMO_OWNER: Owner = {
	email: 'demo@example.com',
	firstName: 'Demo',
	lastName: 'User',
	password: 'Demo-Passw0rd',
};

/**
 * The credentials npm start creates (one per provider of the registry, with the fixtures' values)
 * are named as the examples name them: n8n's own default name for a new credential ("<type name
 * without API> account"), so that an example imported by hand into another n8n finds a
 * credential created there with the default name.
 */
export const TWO_FACTOR_CREDENTIAL = 'Autoshares Trader 2FA account';

/**
 * The environment n8n runs with here. NODE_ENV unset is development to n8n
 * (@n8n/backend-common's inDevelopment): its error answers, e.g. a finished execution's resume
 * URL opened again, then carry the stack trace with the local paths of the install.
 */
export const DEMO_N8N_ENV: Record<string, string> = { NODE_ENV: 'production' };

/**
 * Where the examples point (the vendors' real hosts, or a clearly named placeholder where the
 * vendor documents no public endpoint) and where npm start points them instead, from each
 * vendor's fixture. The longest match wins.
 */
function sandboxUrls(sandbox: Sandbox): Array<[string, string]> {
	const fx = fixtures(sandbox);
	return vendorIds
		.flatMap((vendor) => fx[vendor].exampleUrls)
		.sort(([a], [b]) => b.length - a.length);
}

type Json = Record<string, unknown>;

export interface ImportedWorkflow {
	id: string;
	name: string;
	file: string;
	url: string;
}

/** What the Autoshares Trader node's Notify URL receives, with the code the sandbox "sent by SMS". */
export interface TwoFactorEvent extends NotifyPayload {
	code?: string;
}

/** A verification code the sandbox "sent", and who, if anyone, waits for it. */
export interface SentCode {
	code: string;
	/** The notify of the Log In that waits for this code, with its resume URL. */
	notify?: TwoFactorEvent;
	/**
	 * Without a notify: a workflow execution that started shortly before the code and is
	 * waiting now (a Log In without a Notify URL, which tells nobody its resume URL).
	 */
	waitingExecution?: { id: string; workflowId: string };
}

export interface DemoOptions {
	version: string;
	/** n8n's port; default 5678 when free, else a free one. */
	port?: number;
	/** Folder under cacheRoot() used as n8n's user folder, wiped at each start; default demo-<version>. */
	folderName?: string;
	/** Run `npm run build` first (default true). */
	build?: boolean;
	log?: Log;
	/** Called for every notify of a paused Autoshares login (the demo's own receiver). */
	onTwoFactor?: (event: TwoFactorEvent) => void;
	/**
	 * Called for every new verification code of the sandbox (polled every second) once it is
	 * known whether a Log In waits for it: at once when its notify arrives, else after 5 s.
	 */
	onVerificationCode?: (sent: SentCode) => void;
	/**
	 * Called at once with the function that undoes what startDemo has done so far, so that a
	 * signal during the start stops it too; the Demo's stop() is the same function.
	 */
	onStop?: (stop: () => Promise<void>) => void;
}

export interface Demo {
	version: string;
	n8n: N8nInstance;
	editorUrl: string;
	owner: Owner;
	/** Signed in as the owner. */
	client: N8nClient;
	sandbox: Sandbox;
	credentials: Array<{ id: string; name: string; type: string }>;
	workflows: ImportedWorkflow[];
	/** The URL the 2FA example's Log In node notifies; every event it received. */
	notifyUrl: string;
	twoFactorEvents: TwoFactorEvent[];
	/** Every verification code the sandbox "sent", with who waits for it (onVerificationCode's). */
	sentCodes: SentCode[];
	userFolder: string;
	stop(): Promise<void>;
}

const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

function timestamped(line: string): void {
	console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
}

async function portIsFree(port: number): Promise<boolean> {
	return await new Promise((resolve) => {
		const server = net.createServer();
		server.once('error', () => resolve(false));
		server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
	});
}

function runInherited(command: string, args: string[]): Promise<void> {
	return new Promise((resolve, reject) => {
		// Tied: a signal that stops npm start during the build stops the build too.
		const child = spawnTied(command, args, { cwd: ROOT, stdio: 'inherit' });
		child.on('error', reject);
		child.on('close', (code) =>
			code === 0
				? resolve()
				: reject(new Error(`${command} ${args.join(' ')} failed (exit ${code})`)),
		);
	});
}

function rewriteUrl(value: string, urls: Array<[string, string]>): string {
	const expression = value.startsWith('=');
	const text = expression ? value.slice(1) : value;
	for (const [from, to] of urls) {
		if (text === from || text.startsWith(`${from}/`) || text.startsWith(`${from}?`)) {
			return `${expression ? '=' : ''}${to}${text.slice(from.length)}`;
		}
	}
	return value;
}

function rewriteStrings(value: unknown, urls: Array<[string, string]>): unknown {
	if (typeof value === 'string') return rewriteUrl(value, urls);
	if (Array.isArray(value)) return value.map((entry) => rewriteStrings(entry, urls));
	if (value && typeof value === 'object') {
		return Object.fromEntries(
			Object.entries(value).map(([key, entry]) => [key, rewriteStrings(entry, urls)]),
		);
	}
	return value;
}

/**
 * An example as npm start imports it: credentials by name replaced by the ones created here
 * (by type when no name matches), vendor URLs pointed at the sandbox, and the 2FA Log In's empty
 * Notify URL pointed at the demo's receiver so the resume URL can be printed.
 */
export function prepareExample(
	example: ExampleWorkflow,
	credentials: Array<{ id: string; name: string; type: string }>,
	urls: Array<[string, string]>,
	notifyUrl: string,
	log: Log = () => {},
): Json {
	const nodes = (example.json.nodes as Json[]).map((original) => {
		const node: Json = { ...original, parameters: rewriteStrings(original.parameters ?? {}, urls) };
		if (original.credentials) {
			const replaced: Record<string, { id: string; name: string }> = {};
			for (const [type, reference] of Object.entries(
				original.credentials as Record<string, { name?: string }>,
			)) {
				const match =
					credentials.find((c) => c.type === type && c.name === reference.name) ??
					credentials.find((c) => c.type === type);
				if (!match)
					throw new Error(
						`docs/${example.file}, example workflow: node "${String(original.name)}" uses a ${type} credential, and npm start creates none`,
					);
				if (match.name !== reference.name)
					log(
						`docs/${example.file}, example workflow: "${String(original.name)}" gets "${match.name}" (no credential named "${String(reference.name)}")`,
					);
				replaced[type] = { id: match.id, name: match.name };
			}
			node.credentials = replaced;
		}
		if (node.type === `${PACKAGE}.autosharesTrader`) {
			const parameters = node.parameters as Json;
			const options = (parameters.options ?? {}) as Json;
			if ((parameters.operation ?? 'logIn') === 'logIn' && !options.notifyUrl) {
				parameters.options = { ...options, notifyUrl };
			}
		}
		return node;
	});
	return {
		name: example.json.name,
		nodes,
		connections: example.json.connections,
		settings: example.json.settings ?? { executionOrder: 'v1' },
	};
}

/**
 * The demo's part in stopping on a signal (SIGINT, SIGTERM, SIGHUP, or the npm that started it
 * gone): `first` (a browser, say), then whatever startDemo has started so far (n8n's process
 * group, the sandbox, the receiver, the pid file), then exit. Hand `onStop` to startDemo;
 * `stopping()` says a signal came, so a start it cut short is not reported as a failure.
 */
export function stopDemoOnSignals(
	log: Log,
	options: StopOptions & { what?: string; first?: () => Promise<void> } = {},
): { onStop: (stop: () => Promise<void>) => void; stopping: () => boolean } {
	let stopDemo: (() => Promise<void>) | undefined;
	let stopping = false;
	stopOnSignals(
		async (signal) => {
			stopping = true;
			log(`${signal}: stopping ${options.what ?? 'n8n and the sandbox'}`);
			await options.first?.();
			await stopDemo?.();
			log('stopped');
		},
		{ log, ...options },
	);
	return { onStop: (stop) => (stopDemo = stop), stopping: () => stopping };
}

/**
 * Builds and packs the package, gets n8n, starts the sandbox and n8n with the package installed,
 * sets up the owner, the credentials and the example workflows. `stop()` undoes all of it.
 */
export async function startDemo(options: DemoOptions): Promise<Demo> {
	const log = options.log ?? timestamped;
	const { version } = options;
	const root = cacheRoot();
	const userFolder = path.join(root, options.folderName ?? `demo-${version}`);
	const pidFile = `${userFolder}.pid`;
	const cleanups: Array<() => Promise<void> | void> = [];
	let stopped: Promise<void> | undefined;
	const stop = () =>
		(stopped ??= (async () => {
			for (const cleanup of cleanups.reverse()) {
				try {
					await cleanup();
				} catch (error) {
					log(`while stopping: ${(error as Error).message}`);
				}
			}
		})());
	options.onStop?.(stop);

	try {
		fs.mkdirSync(root, { recursive: true });
		const other = fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, 'utf8')) : 0;
		if (other && other !== process.pid && processAlive(other)) {
			throw new Error(
				`another npm start uses ${userFolder} (pid ${other}): stop it first (Ctrl-C in its terminal, or kill ${other})`,
			);
		}
		fs.writeFileSync(pidFile, String(process.pid));
		cleanups.push(() => fs.rmSync(pidFile, { force: true }));

		if (options.build !== false) {
			log('building the package (npm run build)');
			await runInherited('npm', ['run', 'build']);
		}
		fs.rmSync(userFolder, { recursive: true, force: true });
		fs.mkdirSync(userFolder, { recursive: true });
		const tarball = packPackage(userFolder).tarball;
		log(`packed ${path.basename(tarball)}`);

		const install = path.join(root, `n8n-${version}`);
		// ensureN8n's own marker of a finished install (scripts/runtime/n8nInstall.ts).
		if (!fs.existsSync(path.join(install, '.install-complete.json'))) {
			log(
				`n8n ${version} is not in ${root} yet: downloading it (about 2,400 packages, 2.8 GB unpacked) and`,
			);
			log(
				'compiling two native modules for Node 24 takes 4 to 15 minutes (network and CPU decide), once;',
			);
			log(
				'later starts reuse it. A progress line follows every 15 s, also while a large download or the compile shows no numbers.',
			);
		}
		await ensureN8n(version, log);

		const ports: Partial<Record<VendorId, number>> = {};
		for (const id of vendorIds)
			ports[id] = (await portIsFree(SANDBOX_PORTS[id])) ? SANDBOX_PORTS[id] : 0;
		const sandbox = await startSandbox({ ports });
		cleanups.push(() => sandbox.close());
		log(
			`vendor sandbox up: ${vendorIds.map((id) => `${id} ${sandbox.vendors[id].origin}`).join(', ')}`,
		);

		// Set once n8n is up: a code nobody notified for is looked up among the waiting executions.
		const signedIn: { client?: N8nClient } = {};
		const sentCodes: SentCode[] = [];
		const codes = new VerificationCodes<TwoFactorEvent>((code, notify) => {
			const report = (sent: SentCode) => {
				sentCodes.push(sent);
				options.onVerificationCode?.(sent);
			};
			if (notify) report({ code, notify });
			else
				void waitingExecution(signedIn.client).then((waitingExecution) =>
					report({ code, waitingExecution }),
				);
		});
		cleanups.push(() => codes.close());
		const twoFactorEvents: TwoFactorEvent[] = [];
		const notify = await notifyReceiver((event) => {
			const withCode = { ...event, code: sandbox.vendors.autosharesTrader.lastVerificationCode };
			twoFactorEvents.push(withCode);
			options.onTwoFactor?.(withCode);
			codes.notified(withCode.code, withCode);
		});
		cleanups.push(() => notify.close());
		let lastCode = sandbox.vendors.autosharesTrader.lastVerificationCode;
		const poll = setInterval(() => {
			const code = sandbox.vendors.autosharesTrader.lastVerificationCode;
			if (code && code !== lastCode) codes.sent(code);
			lastCode = code;
		}, 1000);
		cleanups.push(() => clearInterval(poll));

		log(`installing ${path.basename(tarball)} into ${path.join(userFolder, '.n8n', 'nodes')}`);
		await installPackageTarball(userFolder, tarball, log);
		const port = options.port ?? ((await portIsFree(DEFAULT_PORT)) ? DEFAULT_PORT : undefined);
		if (port === undefined) log(`port ${DEFAULT_PORT} is taken: n8n gets a free port`);
		const n8n = await startN8n({ version, userFolder, port, log, env: DEMO_N8N_ENV });
		cleanups.push(() => n8n.stop());

		const client = new N8nClient(n8n.baseUrl, DEMO_OWNER);
		await client.setupOwner();
		signedIn.client = client;
		const fx = fixtures(sandbox);
		// A new node's credential list preselects the most recently updated credential of the
		// types it shows (n8n's NodeCredentials.vue), and the Get Token node shows all of them, its
		// Vendor following the credential. So the two-factor one is created first, never to be
		// the preselected one, and Soda Cloud's last: a new Get Token node opens on its default
		// vendor, Soda Cloud, with the Soda Cloud credential.
		const twoFactor = await client.createCredential('autosharesTraderApi', TWO_FACTOR_CREDENTIAL, {
			...fx.autosharesTrader.good,
			...SANDBOX_ACCOUNTS.autosharesTrader.twoFactor,
		});
		const created: Partial<Record<(typeof vendorIds)[number], { id: string; name: string }>> = {};
		for (const vendor of [...vendorIds].reverse()) {
			await sleep(20); // a distinct updatedAt for each, whatever the clock's resolution
			created[vendor] = await client.createCredential(
				fx[vendor].credentialType,
				defaultCredentialName(fx[vendor].credentialType),
				fx[vendor].good,
			);
		}
		// Listed (and matched by type, in prepareExample) in the usual order, the plain ones first.
		const credentials: Demo['credentials'] = vendorIds.map((vendor) => ({
			id: created[vendor]!.id,
			name: created[vendor]!.name,
			type: fx[vendor].credentialType,
		}));
		credentials.push({ id: twoFactor.id, name: twoFactor.name, type: 'autosharesTraderApi' });
		log(`created ${credentials.length} credentials`);

		const urls = sandboxUrls(sandbox);
		const workflows: ImportedWorkflow[] = [];
		for (const example of loadExamples()) {
			const created = await client.createWorkflow(
				prepareExample(example, credentials, urls, notify.url, log),
			);
			workflows.push({
				id: created.id,
				name: created.name,
				file: example.file,
				url: `${n8n.baseUrl}/workflow/${created.id}`,
			});
		}
		log(`imported ${workflows.length} example workflows from the docs pages`);

		return {
			version,
			n8n,
			editorUrl: n8n.baseUrl,
			owner: DEMO_OWNER,
			client,
			sandbox,
			credentials,
			workflows,
			notifyUrl: notify.url,
			twoFactorEvents,
			sentCodes,
			userFolder,
			stop,
		};
	} catch (error) {
		await stop();
		throw error;
	}
}

/**
 * A workflow execution that started within the last minute and is waiting: what a Log In
 * without a Notify URL leaves behind. Undefined when there is none, or n8n cannot be asked.
 */
async function waitingExecution(
	client: N8nClient | undefined,
): Promise<SentCode['waitingExecution']> {
	if (!client) return undefined;
	try {
		const since = Date.now() - 60_000;
		const found = (await client.listExecutions(undefined, 20)).find(
			(e) => e.status === 'waiting' && e.startedAt !== null && Date.parse(e.startedAt) >= since,
		);
		return found ? { id: String(found.id), workflowId: String(found.workflowId) } : undefined;
	} catch {
		return undefined;
	}
}

// ---- what npm start prints ----

/** Every sandbox account, one line each, as the credentials of the demo use them. */
function sampleAccounts(sandbox: Demo['sandbox']): string[] {
	const a = SANDBOX_ACCOUNTS;
	return [
		`Soda Cloud         ${a.sodaCloud.user.email} / ${a.sodaCloud.user.password}`,
		`Galileo            API key ${a.galileo.apiKey}`,
		`Sirdata            partner ${a.sirdata.partnerId}, ${a.sirdata.login} / ${a.sirdata.password}`,
		`Autoshares Trader  app key ${a.autosharesTrader.appKey}; ${a.autosharesTrader.plain.username} / ${a.autosharesTrader.plain.password} (no 2FA)`,
		`Manis              merchant ${a.manis.merchantId}, secret ${a.manis.secret}`,
		`generic API        ${a.customEndpoint.username} / ${a.customEndpoint.password} (${sandbox.vendors.customEndpoint.baseUrl})`,
	];
}

/** A run of consecutive ports as "5701–5706", anything else one by one. */
function portList(ports: number[]): string {
	const sorted = [...ports].sort((a, b) => a - b);
	const consecutive = sorted.every((port, i) => i === 0 || port === sorted[i - 1] + 1);
	return consecutive && sorted.length > 2
		? `${sorted[0]}–${sorted[sorted.length - 1]}`
		: sorted.join(', ');
}

/** Every port npm start listens on (all on 127.0.0.1), and what listens there. */
export function listeningPorts(demo: Pick<Demo, 'n8n' | 'sandbox' | 'notifyUrl'>): string[] {
	const port = (url: string) => Number(new URL(url).port);
	const sandboxPorts = vendorIds.map((id) => port(demo.sandbox.vendors[id].origin));
	return [
		`${demo.n8n.port}  n8n: the editor, its REST API, webhooks and resume URLs`,
		`${portList(sandboxPorts)}  the vendor sandbox, one server per API (${vendorIds.join(', ')})`,
		`${demo.n8n.brokerPort}  n8n's task broker: n8n's own task runners (Code node) connect to it`,
		`${port(demo.sandbox.catcher.origin)}  the sandbox's redirect catcher: the "other host" its redirect faults point at (npm start injects none, so it stays idle)`,
		`${port(demo.notifyUrl)}  the 2FA notify receiver: the Notify URL of the two-factor example's Log In, which prints the resume URL here`,
	];
}

export function banner(demo: Demo, seconds: number): string {
	const { sandbox } = demo;
	const width = Math.max(...demo.workflows.map((w) => w.name.length));
	const lines = [
		'',
		`n8n ${demo.version} with ${PACKAGE} is running (ready after ${seconds} s)`,
		'',
		`  Editor       ${demo.editorUrl}`,
		`  Log in       ${demo.owner.email}  /  ${demo.owner.password}`,
		'',
		'  Example workflows (from the docs pages, pointed at the sandbox):',
		...demo.workflows.map((w) => `    ${w.name.padEnd(width)}  ${w.url}`),
		'',
		`  Credentials: ${demo.credentials.map((c) => c.name).join(', ')}`,
		'  Tests that fail by design:',
		`    "${TWO_FACTOR_CREDENTIAL}": that login waits for a code no credential test can type`,
		'    (once the two-factor example has logged in, the credential holds a token and its Test passes).',
		...vendorIds
			.filter((vendor) => needsTokenStep(demo.version, vendor))
			.map(
				(vendor) =>
					`    ${providers[vendor].displayName}: on n8n 2.x a credential cannot send its GET-with-body token call; a Get Token node can (docs/${docsPageOf(providers[vendor].displayName)}).`,
			),
		'',
		'  Vendor sandbox (local stand-ins for the five APIs, same token contracts, and a generic one):',
		...vendorIds.map(
			(vendor) =>
				`    ${providers[vendor].displayName.padEnd(22)} ${sandbox.vendors[vendor].baseUrl}`,
		),
		'  Sample accounts (the credentials above already use them):',
		...sampleAccounts(sandbox).map((line) => `    ${line}`),
		'  A Custom Token Endpoint credential from scratch: Token URL',
		`    ${sandbox.vendors.customEndpoint.baseUrl}/auth/login, Send Login Values As: Form Body, the generic`,
		'    username and password above; everything else as it comes (Auto finds the token and its expiry).',
		'',
		`  The demo's n8n folder is wiped and recreated at every npm start: credentials and workflows`,
		`  you add there are gone next time (${demo.userFolder}).`,
		'',
		'  Two-factor login: open "Autoshares Trader: two-factor login" and click Execute workflow.',
		'  Log In pauses; the verification code the sandbox "sends" and the page to type it into',
		`  are printed here. A Test of "${TWO_FACTOR_CREDENTIAL}" makes the sandbox send a code too:`,
		'  its line says that nothing waits for it. A second Execute does not pause: the token of the first',
		'  login is reused for up to 24 hours. To see the pause again, open Log In, Add Option, Force New Login,',
		'  switch it on and execute again.',
		'',
		'  Listening, on 127.0.0.1 only:',
		...listeningPorts(demo).map((line) => `    ${line}`),
		'',
		"  The editor's docs links (a credential's \"Open docs\", a node's Docs) go to the GitHub repository",
		'  the package is to be published from; until then they answer 404. The same pages are in',
		`  ${path.join(ROOT, 'docs')}.`,
		'',
		`  n8n's log: ${demo.n8n.logFile}`,
		"  Ctrl-C, or a SIGINT or SIGTERM to npm's pid, stops n8n and the sandbox.",
		'',
	];
	return lines.join('\n');
}

function printTwoFactor(event: TwoFactorEvent): void {
	const code = event.code ?? '(see the code line above)';
	console.log(
		[
			'',
			`[2FA] Log In is waiting for the ${event.step === 'pin' ? 'PIN' : 'verification code'} ${code}. Type it on this page:`,
			`        ${event.resumeUrl}`,
			`      or: curl -X POST -H 'content-type: application/json' -d '{"code":"${code}"}' '${event.resumeUrl}'`,
			'',
		].join('\n'),
	);
}

/**
 * npm start's lines for a code the sandbox "sent": for the Log In printed above, or for nobody
 * (a credential Test, Get Token or an HTTP Request with the two-factor credential asked for it).
 */
export function sentCodeLines(sent: SentCode, editorUrl?: string): string[] {
	const head = `[2FA] the sandbox "sent" Autoshares verification code ${sent.code}`;
	if (sent.notify)
		return [`${head}: for the Log In waiting above (its resume URL is printed there).`];
	if (sent.waitingExecution) {
		const { id, workflowId } = sent.waitingExecution;
		const where = editorUrl ? ` (${editorUrl}/workflow/${workflowId}/executions/${id})` : '';
		return [
			`${head}. No Log In notified a resume URL for it, but execution ${id}${where} is waiting:`,
			'      most likely a Log In without a Notify URL. Its resume URL is told only to a Notify URL;',
			"      the examples' Log In has one.",
		];
	}
	return [
		`${head} for a login nothing waits for: a credential Test`,
		`      (the "${TWO_FACTOR_CREDENTIAL}" Test, red by design), or Get Token or an HTTP Request with a`,
		'      two-factor credential, asked for it and cannot take a code. Do not type this code anywhere.',
	];
}

// ---- --check ----

/** What the last node of each vendor's example must output against the sandbox (its test kit's check). */
const EXPECTED: Record<string, (json: Json) => boolean> = Object.fromEntries(
	vendorIds.map((vendor) => [docsPageOf(providers[vendor].displayName), kits[vendor].check.expect]),
);

/** The imported workflow with its Manual Trigger swapped for a Webhook, so a check can run it. */
function withWebhookTrigger(
	workflow: Json,
	webhookPath: string,
	responseMode: 'lastNode' | 'onReceived',
): Json {
	const nodes = (workflow.nodes as Json[]).map((node) =>
		node.type === 'n8n-nodes-base.manualTrigger'
			? {
					...node,
					type: 'n8n-nodes-base.webhook',
					typeVersion: 2,
					parameters: {
						httpMethod: 'POST',
						path: webhookPath,
						responseMode,
						responseData: 'allEntries',
						options: {},
					},
					webhookId: randomUUID(),
				}
			: node,
	);
	return {
		name: `${String(workflow.name)} [check]`,
		nodes,
		connections: workflow.connections,
		settings: workflow.settings,
	};
}

export async function checkDemo(demo: Demo, log: Log = timestamped): Promise<Counts> {
	const result: Counts = { passed: 0, failed: 0 };
	const check = checker(result, log, '       ');
	await check('the editor answers', async () => {
		for (const page of ['/', '/signin']) {
			const response = await fetch(`${demo.editorUrl}${page}`);
			const text = await response.text();
			assert(
				response.status === 200 && /text\/html/.test(response.headers.get('content-type') ?? ''),
				`${page}: ${response.status}`,
			);
			assert(text.includes('id="app"'), `${page} is not n8n's editor page`);
		}
	});

	const client = new N8nClient(demo.editorUrl, demo.owner);
	await check(`the printed login works (${demo.owner.email})`, async () => await client.login());

	await check('both nodes of the package are loaded', async () => {
		const names = new Set((await client.nodeTypes()).map((t) => t.name));
		for (const name of ['getToken', 'autosharesTrader'])
			assert(names.has(`${PACKAGE}.${name}`), `${PACKAGE}.${name} is not loaded`);
	});

	await check('the credentials are listed', async () => {
		const listed = new Set(
			(await client.rest<Array<{ name: string }>>('GET', '/rest/credentials')).map((c) => c.name),
		);
		for (const c of demo.credentials) assert(listed.has(c.name), `${c.name} is not listed`);
	});

	await check(`the ${demo.workflows.length} example workflows are listed`, async () => {
		const examples = loadExamples();
		assert(
			demo.workflows.length === examples.length && examples.length > 0,
			`${demo.workflows.length} imported of ${examples.length}`,
		);
		const listed = new Set(
			(await client.rest<Array<{ name: string }>>('GET', '/rest/workflows')).map((w) => w.name),
		);
		for (const w of demo.workflows) assert(listed.has(w.name), `"${w.name}" is not listed`);
	});

	for (const workflow of demo.workflows) {
		const expected = EXPECTED[workflow.file];
		if (!expected) continue;
		await check(`the example of docs/${workflow.file} runs against the sandbox`, async () => {
			const stored = await client.getWorkflow(workflow.id);
			const webhookPath = `check-${workflow.file.replace(/\.md$/, '')}`;
			const clone = await client.createWorkflow(
				withWebhookTrigger(stored, webhookPath, 'lastNode'),
			);
			await client.activateWorkflow(clone.id);
			const { status, text, json } = await client.postJson(webhookPath, {});
			assert(status === 200, `answered ${status}: ${text.slice(0, 300)}`);
			assert(
				Array.isArray(json) && json.length === 1 && expected(json[0] as Json),
				`unexpected output ${text.slice(0, 300)}`,
			);
		});
	}

	const twoFactorCredential = demo.credentials.find((c) => c.name === TWO_FACTOR_CREDENTIAL);
	// Before the two-factor example: once a Log In has finished, the credential holds a token and
	// its Test passes.
	if (twoFactorCredential) {
		await check(
			`a Test of "${TWO_FACTOR_CREDENTIAL}" fails, and its code is printed as one nothing waits for`,
			async () => {
				const before = demo.sentCodes.length;
				const result = await client.testCredential(twoFactorCredential.id);
				assert(result.status === 'Error', `the Test answered ${JSON.stringify(result)}`);
				const sent = await arrival(demo.sentCodes, before, 15_000);
				assert(sent, 'no code line after the Test');
				assert(
					sent.code === demo.sandbox.vendors.autosharesTrader.lastVerificationCode &&
						!sent.notify &&
						!sent.waitingExecution,
					`code line for ${JSON.stringify(sent)}`,
				);
				assert(
					sentCodeLines(sent).join(' ').includes('Do not type this code anywhere'),
					'the line does not say to leave the code alone',
				);
			},
		);
	}
	const twoFactor = demo.workflows.find((w) => w.file === 'autoshares-trader-node.md');
	let finishedResumeUrl: string | undefined;
	if (twoFactor) {
		await check(
			'the two-factor example (docs/autoshares-trader-node.md) pauses, prints the code and resume URL, and goes on with the code',
			async () => {
				const stored = await client.getWorkflow(twoFactor.id);
				const clone = await client.createWorkflow(
					withWebhookTrigger(stored, 'check-autoshares-2fa', 'onReceived'),
				);
				await client.activateWorkflow(clone.id);
				const before = demo.twoFactorEvents.length;
				const started = await client.postJson('check-autoshares-2fa', {});
				assert(started.status === 200, `the trigger answered ${started.status}`);
				const event = await arrival(demo.twoFactorEvents, before, 30_000);
				assert(event, 'no notify arrived from Log In');
				assert(
					event.code === demo.sandbox.vendors.autosharesTrader.lastVerificationCode &&
						/\/webhook-waiting\//.test(event.resumeUrl),
					`notify ${JSON.stringify(event)}`,
				);
				const { status, text } = await postCode(event.resumeUrl, event.code!);
				assert(status === 200, `the resume URL answered ${status}: ${text.slice(0, 300)}`);
				const done = await client.waitForExecution(hasEnded, 30_000, clone.id);
				assert(done.status === 'success', `the execution ended ${done.status}`);
				const account = done.data.resultData.runData['Account Info']?.[0]?.data?.main[0]?.[0]?.json;
				assert(
					account?.Login === SANDBOX_ACCOUNTS.autosharesTrader.twoFactor.username,
					`Account Info got ${JSON.stringify(account)}`,
				);
				assert(!done.data.resultData.runData['No code arrived'], 'the false branch ran');
				finishedResumeUrl = event.resumeUrl;
			},
		);
	}
	if (finishedResumeUrl) {
		const url = finishedResumeUrl;
		await check(
			"a finished execution's resume URL, opened again, shows no stack trace or local path (n8n runs as production)",
			async () => {
				const response = await fetch(url, { headers: { accept: 'application/json' } });
				const text = await response.text();
				assert(response.status >= 400, `answered ${response.status}: ${text.slice(0, 300)}`);
				const leak = /stack|node_modules|\.js:\d+/i.test(text) || text.includes(cacheRoot());
				assert(!leak, `answered ${response.status} with ${text.slice(0, 300)}`);
			},
		);
	}
	return result;
}

// ---- command line ----

interface Args {
	version: string;
	port?: number;
	check: boolean;
}

export function parseArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): Args {
	const truthy = (value: string | undefined) =>
		value !== undefined && !['', '0', 'false', 'no'].includes(value.toLowerCase());
	const args: Args = {
		version: env.START_N8N_VERSION || DEFAULT_N8N_VERSION,
		check: truthy(env.START_CHECK) || truthy(env.npm_config_check),
	};
	for (let i = 0; i < argv.length; i++) {
		const [flag, inline] = argv[i].split('=', 2);
		const value = () => {
			const v = inline ?? argv[++i];
			if (v === undefined) throw new Error(`${flag} needs a value`);
			return v;
		};
		if (flag === '--check') args.check = true;
		else if (flag === '--n8n') args.version = value();
		else if (flag === '--port') args.port = Number(value());
		else if (/^\d+\.\d+\.\d+$/.test(flag))
			args.version = flag; // `npm start --n8n 1.123.81` leaves only the version here
		else if (flag === '--help' || flag === '-h') {
			console.log('usage: npm start -- [--n8n VERSION] [--port PORT] [--check]');
			process.exit(0);
		} else
			throw new Error(
				`unknown argument ${argv[i]} (usage: npm start -- [--n8n VERSION] [--port PORT] [--check])`,
			);
	}
	if (
		args.port !== undefined &&
		!(Number.isInteger(args.port) && args.port > 0 && args.port < 65536)
	)
		throw new Error('--port needs a port number');
	return args;
}

async function main(): Promise<void> {
	const started = Date.now();
	let args: Args;
	try {
		args = parseArgs(process.argv.slice(2));
	} catch (error) {
		console.error((error as Error).message);
		process.exit(2);
	}
	let demo: Demo | undefined;
	const signals = stopDemoOnSignals(timestamped, { exitCode: () => 0 });

	timestamped(`npm start: n8n ${args.version} with ${PACKAGE}${args.check ? ' (--check)' : ''}`);
	try {
		demo = await startDemo({
			version: args.version,
			port: args.port,
			onTwoFactor: printTwoFactor,
			onVerificationCode: (sent) => timestamped(sentCodeLines(sent, demo?.editorUrl).join('\n')),
			onStop: signals.onStop,
		});
	} catch (error) {
		if (signals.stopping()) return; // stopped while starting: the signal handler exits
		console.error(`\nnpm start failed: ${(error as Error).message}`);
		process.exit(1);
	}
	if (signals.stopping()) return;
	const readyAfter = Math.round((Date.now() - started) / 1000);
	console.log(banner(demo, readyAfter));
	if (!args.check) return; // runs until Ctrl-C

	const result = await checkDemo(demo);
	const pid = demo.n8n.pid;
	await demo.stop();
	const leftover = processAlive(-pid); // n8n's process group
	console.log(
		`${leftover ? 'FAIL n8n is still running' : 'PASS n8n, the sandbox and the receiver are stopped'}`,
	);
	if (leftover) result.failed++;
	else result.passed++;
	console.log(
		`\nnpm start --check (n8n ${args.version}): ${Math.round((Date.now() - started) / 1000)} s`,
	);
	console.log(`${result.passed} passed, ${result.failed} failed`);
	process.exit(result.failed === 0 ? 0 : 1);
}

if (require.main === module) void main();
