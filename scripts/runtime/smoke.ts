// Self-check of the runtime library against real n8n, independent of this package's own code:
// `npx tsx scripts/runtime/smoke.ts [version...]` (default 2.40.7 and 1.123.81).
// It packs a throw-away community package (one node, one credential whose `authenticate`
// adds a header), installs it as a user would, and drives n8n through the editor's REST API:
// credential test, Webhook -> Probe -> HTTP Request (predefined credential) -> local echo.
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { N8nClient } from './n8nClient';
import { npmFreeEnv } from './n8nInstall';
import { installPackageTarball, startN8n } from './n8nProcess';

const TOKEN = 'probe-secret-token';
const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

function check(condition: unknown, what: string): void {
	if (!condition) throw new Error(`FAILED: ${what}`);
	log(`ok: ${what}`);
}

function packProbe(dir: string): string {
	const write = (file: string, text: string) => {
		fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
		fs.writeFileSync(path.join(dir, file), text);
	};
	write(
		'package.json',
		JSON.stringify({
			name: 'n8n-nodes-probe',
			version: '0.1.0',
			keywords: ['n8n-community-node-package'],
			license: 'MIT',
			files: ['dist'],
			n8n: {
				n8nNodesApiVersion: 1,
				strict: true,
				credentials: ['dist/credentials/ProbeApi.credentials.js'],
				nodes: ['dist/nodes/Probe/Probe.node.js'],
			},
			peerDependencies: { 'n8n-workflow': '*' },
		}),
	);
	write(
		'dist/credentials/ProbeApi.credentials.js',
		`"use strict";
class ProbeApi {
	constructor() {
		this.name = 'probeApi';
		this.displayName = 'Probe API';
		this.documentationUrl = 'https://example.com/probe';
		this.properties = [
			{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: '' },
			{ displayName: 'Token', name: 'token', type: 'string', typeOptions: { password: true }, default: '' },
		];
		this.authenticate = { type: 'generic', properties: { headers: { 'X-Probe-Token': '={{$credentials.token}}' } } };
		this.test = { request: { baseURL: '={{$credentials.baseUrl}}', url: '/check' } };
	}
}
exports.ProbeApi = ProbeApi;
`,
	);
	write(
		'dist/nodes/Probe/Probe.node.js',
		`"use strict";
const { NodeOperationError } = require('n8n-workflow');
class Probe {
	constructor() {
		this.description = {
			displayName: 'Probe', name: 'probe', group: ['transform'], version: 1, subtitle: 'probe',
			description: 'Adds a probe field', defaults: { name: 'Probe' }, inputs: ['main'], outputs: ['main'],
			usableAsTool: true,
			properties: [{ displayName: 'Message', name: 'message', type: 'string', default: 'hello' }],
		};
	}
	async execute() {
		return [this.getInputData().map((item, i) => ({
			json: { ...item.json, probe: this.getNodeParameter('message', i), resolvedPeer: typeof NodeOperationError === 'function' },
			pairedItem: { item: i },
		}))];
	}
}
exports.Probe = Probe;
`,
	);
	const name = execFileSync('npm', ['pack', '--silent'], { cwd: dir, env: npmFreeEnv() })
		.toString()
		.trim()
		.split('\n')
		.pop()!;
	return path.join(dir, name);
}

async function echoServer(): Promise<{
	url: string;
	seen: http.IncomingHttpHeaders[];
	close(): void;
}> {
	const seen: http.IncomingHttpHeaders[] = [];
	const server = http.createServer((req, res) => {
		seen.push(req.headers);
		const authorised = req.headers['x-probe-token'] === TOKEN;
		res.writeHead(req.url === '/check' && !authorised ? 401 : 200, {
			'content-type': 'application/json',
		});
		res.end(JSON.stringify({ path: req.url, probeToken: req.headers['x-probe-token'] ?? null }));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as { port: number };
	return { url: `http://127.0.0.1:${port}`, seen, close: () => server.close() };
}

async function smoke(version: string): Promise<void> {
	const work = fs.mkdtempSync(path.join(os.tmpdir(), `n8n-smoke-${version}-`));
	const tarball = packProbe(path.join(work, 'probe'));
	const userFolder = path.join(work, 'user');
	await installPackageTarball(userFolder, tarball, log);
	const echo = await echoServer();
	const n8n = await startN8n({ version, userFolder, log });
	try {
		const client = new N8nClient(n8n.baseUrl);
		await client.setupOwner();
		await client.login();
		log(`n8n ${version}: major ${await client.majorVersion()}`);

		const types = await client.nodeTypes();
		const names = new Set(types.map((type) => type.name));
		check(names.has('n8n-nodes-probe.probe'), 'probe node loaded as n8n-nodes-probe.probe');
		check(!names.has('CUSTOM.probe'), 'not loaded as CUSTOM.probe');
		const versionsOf = (name: string) =>
			types.filter((type) => type.name === name).map((type) => type.version);
		log(`webhook versions: ${JSON.stringify(versionsOf('n8n-nodes-base.webhook'))}`);
		log(`httpRequest versions: ${JSON.stringify(versionsOf('n8n-nodes-base.httpRequest'))}`);
		check(
			(await client.credentialTypes()).some((type) => type.name === 'probeApi'),
			'probeApi credential type listed',
		);

		const credential = await client.createCredential('probeApi', 'Probe', {
			baseUrl: echo.url,
			token: TOKEN,
		});
		const stored = await client.getCredential(credential.id);
		log(`stored credential data as the editor sees it: ${JSON.stringify(stored.data)}`);
		const good = await client.testCredential(credential.id);
		check(good.status === 'OK', `credential test OK (${JSON.stringify(good)})`);
		const bad = await client.testCredential(credential.id, { token: 'wrong' });
		check(
			bad.status === 'Error',
			`credential test with a wrong token fails (${JSON.stringify(bad)})`,
		);

		const workflow = await client.createWorkflow({
			name: 'probe smoke',
			nodes: [
				{
					id: 'a1',
					name: 'Webhook',
					type: 'n8n-nodes-base.webhook',
					typeVersion: 2,
					position: [0, 0],
					webhookId: 'f3c7a0de-6a43-4c55-9d5e-0a9e1f2b3c4d',
					parameters: {
						httpMethod: 'POST',
						path: 'probe-smoke',
						responseMode: 'lastNode',
						options: {},
					},
				},
				{
					id: 'a2',
					name: 'Probe',
					type: 'n8n-nodes-probe.probe',
					typeVersion: 1,
					position: [200, 0],
					parameters: { message: 'hi' },
				},
				{
					id: 'a3',
					name: 'HTTP Request',
					type: 'n8n-nodes-base.httpRequest',
					typeVersion: 4.2,
					position: [400, 0],
					parameters: {
						url: `${echo.url}/echo`,
						authentication: 'predefinedCredentialType',
						nodeCredentialType: 'probeApi',
						options: {},
					},
					credentials: { probeApi: { id: credential.id, name: credential.name } },
				},
			],
			connections: {
				Webhook: { main: [[{ node: 'Probe', type: 'main', index: 0 }]] },
				Probe: { main: [[{ node: 'HTTP Request', type: 'main', index: 0 }]] },
			},
		});
		await client.activateWorkflow(workflow.id);
		check((await client.getWorkflow(workflow.id)).active, 'workflow active');

		const response = await client.callWebhook('probe-smoke', {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ hello: 'world' }),
		});
		const answer = (await response.json()) as { probeToken?: string };
		check(
			response.status === 200 && answer.probeToken === TOKEN,
			`webhook answered with the echo (${JSON.stringify(answer)})`,
		);
		check(
			echo.seen.some((headers) => headers['x-probe-token'] === TOKEN),
			'echo server saw X-Probe-Token',
		);

		const execution = await client.waitForExecution(
			(e) => e.status === 'success',
			30_000,
			workflow.id,
		);
		const runData = execution.data.resultData.runData;
		const probeOut = runData.Probe?.[0]?.data?.main[0]?.[0]?.json;
		check(
			probeOut?.probe === 'hi' && probeOut?.resolvedPeer === true,
			`Probe node ran (${JSON.stringify(probeOut)})`,
		);
		check(
			runData['HTTP Request']?.[0]?.data?.main[0]?.[0]?.json.probeToken === TOKEN,
			'execution run data holds the HTTP response',
		);
		log(`executions listed: ${(await client.listExecutions(workflow.id)).length}`);
	} finally {
		await n8n.stop();
		echo.close();
	}
	const left = spawnSync('pgrep', ['-g', String(n8n.pid)])
		.stdout.toString()
		.trim();
	check(left === '', `no process left in n8n's process group ${n8n.pid}`);
	fs.rmSync(work, { recursive: true, force: true });
}

async function main(): Promise<void> {
	const versions = process.argv.length > 2 ? process.argv.slice(2) : ['2.40.7', '1.123.81'];
	for (const version of versions) await smoke(version);
	log('smoke passed');
}

main().catch((error: unknown) => {
	console.error(error instanceof Error ? error.stack : error);
	process.exit(1);
});
