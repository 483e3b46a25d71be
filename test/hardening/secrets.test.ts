/**
 * The secret-leak test. Every failure path the package has (wrong secrets, every fault of the
 * fault matrix, vendors that echo what they were sent, settings errors, the Autoshares two-step
 * login with wrong, too many and lost codes) and its success paths are run the way n8n runs
 * them, and everything they produce is searched: error messages and descriptions, the error
 * objects (JSON, context, cause, errorResponse, stack, util.inspect), node outputs, run data,
 * resume-URL answers, the notify payload, and all console output.
 *
 * None of it may contain a password, API key, API key secret, app key, PIN, Manis secret,
 * interim token or verification code. The final token may appear only where a node outputs it
 * (`token`, `headers`); the app key and Soda's API key secret only in `headers`, and only with
 * the Include Secret Headers option.
 *
 * Wrong secrets are recognisable values (SECRET-…); paths that must get past the vendor use the
 * sandbox's fixed accounts, and those values are searched for too.
 */
// First: captures the console before n8n's logger binds it.
import { consoleOutput, restoreConsole } from './consoleCapture';

import { inspect } from 'node:util';

import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	INode,
	IRunExecutionData,
} from 'n8n-workflow';

import { providers, vendorIds, type VendorId } from '../../nodes/shared/providers';
import { tokenStore } from '../../nodes/shared/tokenStore';
import { fixtures, testNode } from '../../scripts/sandbox/fixtures';
import { kits, WRONG, type Forbidden } from '../../scripts/sandbox/kits';
import {
	callResumeWebhook,
	decryptedAs,
	helperWithCred,
	preAuthHelper,
	resumeExecution,
	runWorkflow,
	testNewCredential,
	tokenStep,
} from '../helpers/n8n';
import { packageNodeTypes } from '../helpers/nodeTypes';
import { useFastRetries } from '../helpers/retryTiming';
import { SANDBOX_ACCOUNTS, startSandbox, type Fault, type Sandbox } from '../../scripts/sandbox';

const S = WRONG;
const A = SANDBOX_ACCOUNTS;

// What is searched here is what the faults leave behind, not how long retries wait: the
// backoff is shortened as in faults.test.ts (the retry rules themselves are tested there).
useFastRetries();

/**
 * Every credential secret a test can use: the recognisable wrong ones and the sandbox's own,
 * each vendor's from its test kit.
 */
const STATIC_SECRETS: Forbidden[] = [
	{ name: 'password', value: S.password, kind: 'secret' },
	{ name: 'wrong verification code', value: S.code, kind: 'code' },
	{ name: 'second wrong verification code', value: S.code2, kind: 'code' },
	{ name: 'wrong PIN sent to the resume URL', value: S.pinCode, kind: 'code' },
	...vendorIds.flatMap((vendor) => kits[vendor].secrets.leakSearch),
];

// ------------------------------------------------------------------------------------------
// Sandboxes: every token any of them issued is known, so interim tokens, codes and final
// tokens can be searched for.

const sandboxes: Sandbox[] = [];

async function newSandbox(): Promise<Sandbox> {
	const sandbox = await startSandbox();
	sandboxes.push(sandbox);
	return sandbox;
}

async function withSandbox<T>(use: (sandbox: Sandbox) => Promise<T>): Promise<T> {
	const sandbox = await newSandbox();
	try {
		return await use(sandbox);
	} finally {
		await sandbox.close();
	}
}

function forbiddenValues(): Forbidden[] {
	const dynamic: Forbidden[] = [];
	for (const sandbox of sandboxes) {
		for (const server of Object.values(sandbox.vendors)) {
			for (const issued of server.issued) {
				dynamic.push({
					name: issued.interim ? 'interim token' : `final ${server.vendor} token`,
					value: issued.token,
					kind: issued.interim ? 'interim' : 'finalToken',
				});
				const code = (issued as unknown as { meta?: Record<string, string> }).meta?.code;
				if (code) dynamic.push({ name: 'verification code', value: code, kind: 'code' });
			}
		}
	}
	return [...STATIC_SECRETS, ...dynamic];
}

// ------------------------------------------------------------------------------------------
// What a run produced, and the search.

interface Artefact {
	where: string;
	value: unknown;
	/** Node output: the final token may be in `token` and `headers`. */
	output?: boolean;
	/** The run had Include Secret Headers on: the app key / key secret may be in `headers`. */
	secretHeaders?: boolean;
}

const OUTPUT_TOKEN_PATH = /\.json(?:\.[^.]+)?\.(?:token|headers\.[^.]+)$/;
const SECRET_HEADER_PATH = /\.json(?:\.[^.]+)?\.headers\.(?:Et-App-Key|X-API-KEY-SECRET)$/;

function safeJson(value: unknown): string {
	const seen = new WeakSet<object>();
	try {
		return (
			JSON.stringify(value, (_key, inner: unknown) => {
				if (inner && typeof inner === 'object') {
					if (seen.has(inner)) return '[circular]';
					seen.add(inner);
				}
				return typeof inner === 'bigint' ? String(inner) : inner;
			}) ?? String(value)
		);
	} catch (error) {
		return `unserialisable: ${String(error)}`;
	}
}

/** Every string (and number) inside a value, with its path. Errors are opened up too. */
function strings(
	value: unknown,
	path: string,
	out: Array<[string, string]>,
	seen = new WeakSet<object>(),
): void {
	if (typeof value === 'string') out.push([path, value]);
	else if (typeof value === 'number' || typeof value === 'bigint') out.push([path, String(value)]);
	else if (value instanceof Date) out.push([path, String(value)]);
	else if (value && typeof value === 'object') {
		if (seen.has(value)) return;
		seen.add(value);
		if (value instanceof Error) {
			const error = value as Error & IDataObject;
			for (const key of ['message', 'stack', 'description', 'cause'])
				strings(error[key], `${path}.${key}`, out, seen);
		}
		for (const key of Object.keys(value))
			strings((value as IDataObject)[key], `${path}.${key}`, out, seen);
	}
}

/** All a caller or n8n can see of an error. */
function errorArtefacts(where: string, error: unknown): Artefact[] {
	if (error === undefined || error === null) return [];
	const e = error as Error & IDataObject;
	return [
		{ where: `${where}: error object`, value: e },
		{ where: `${where}: message`, value: e.message },
		{ where: `${where}: description`, value: e.description },
		{ where: `${where}: JSON.stringify(error)`, value: safeJson(e) },
		{ where: `${where}: JSON.stringify(context)`, value: safeJson(e.context) },
		{ where: `${where}: JSON.stringify(cause)`, value: safeJson(e.cause) },
		{ where: `${where}: JSON.stringify(errorResponse)`, value: safeJson(e.errorResponse) },
		{ where: `${where}: messages`, value: safeJson(e.messages) },
		{ where: `${where}: stack`, value: e.stack },
		{ where: `${where}: util.inspect`, value: inspect(e, { depth: 12, showHidden: false }) },
	];
}

function runArtefacts(where: string, data: IRunExecutionData, secretHeaders = false): Artefact[] {
	return [
		{ where: `${where}: run data`, value: data, output: true, secretHeaders },
		...errorArtefacts(`${where}: run error`, data.resultData.error),
	];
}

/** PINs and codes are short digit runs: they count only as a whole word, not inside a timestamp. */
function contains(text: string, value: string): boolean {
	if (value.length >= 8) return text.includes(value);
	const escaped = value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
	return new RegExp(`(?<![A-Za-z0-9])${escaped}(?![A-Za-z0-9])`).test(text);
}

function findLeaks(artefacts: Artefact[], forbidden: Forbidden[] = forbiddenValues()): string[] {
	const leaks: string[] = [];
	for (const artefact of artefacts) {
		const found: Array<[string, string]> = [];
		strings(artefact.value, '', found);
		for (const [path, text] of found) {
			for (const secret of forbidden) {
				if (!contains(text, secret.value)) continue;
				if (artefact.output && secret.kind === 'finalToken' && OUTPUT_TOKEN_PATH.test(path))
					continue;
				if (
					artefact.output &&
					artefact.secretHeaders &&
					(secret.kind === 'appKey' || secret.kind === 'keySecret') &&
					SECRET_HEADER_PATH.test(path)
				)
					continue;
				leaks.push(`${secret.name} in ${artefact.where}${path ? ` at ${path}` : ''}`);
			}
		}
	}
	return [...new Set(leaks)];
}

afterAll(async () => {
	restoreConsole();
	await Promise.all(sandboxes.map(async (sandbox) => await sandbox.close()));
});

// ------------------------------------------------------------------------------------------
// Running the package as n8n does.

const nodeTypes = packageNodeTypes();
let executions = 0;

function credentialTypeOf(vendor: VendorId): string {
	return providers[vendor].credentialName;
}

function decrypted(vendor: VendorId, data: IDataObject): ICredentialDataDecryptedObject {
	return decryptedAs(credentialTypeOf(vendor), data);
}

function nodeOf(vendor: VendorId, parameters: IDataObject, extra: Partial<INode> = {}): INode {
	const autoshares = parameters.operation !== undefined;
	return testNode(
		{
			id: 'node',
			name: autoshares ? 'Autoshares' : 'Get Token',
			type: autoshares ? 'n8n-nodes-token-auth.autosharesTrader' : 'n8n-nodes-token-auth.getToken',
			parameters,
			credential: credentialTypeOf(vendor),
		},
		extra,
	);
}

async function runNode(
	vendor: VendorId,
	data: IDataObject,
	parameters: IDataObject,
	extra: Partial<INode> = {},
	inputItems: IDataObject[] = [{ row: 1 }],
) {
	const helper = helperWithCred(credentialTypeOf(vendor), data);
	const node = nodeOf(vendor, parameters, extra);
	const { run } = await runWorkflow({
		nodeTypes,
		nodes: [node],
		helper,
		inputItems,
		executionId: `secrets-${++executions}`,
	});
	return { run, node, helper };
}

/**
 * Every path a credential reaches the vendor by: preAuthentication, the credential test, the
 * Get Token node (stopping, and with Continue On Fail), and for Autoshares its node's Log In and
 * Get Account Info. Returns all they produced.
 */
async function everyPath(vendor: VendorId, data: IDataObject): Promise<Artefact[]> {
	const artefacts: Artefact[] = [];
	// n8n 2.x gives a credential's token step httpRequest alone; a node context also has the
	// legacy request helper, the only one that sends Sirdata's GET body: both are run.
	const jobs: Array<Promise<void>> = [false, true].map(async (withLegacyRequest) => {
		try {
			await tokenStep(
				credentialTypeOf(vendor),
				decrypted(vendor, data),
				preAuthHelper(withLegacyRequest),
			);
		} catch (error) {
			artefacts.push(
				...errorArtefacts(
					`preAuthentication${withLegacyRequest ? ' with the legacy request helper' : ''}`,
					error,
				),
			);
		}
	});
	jobs.push(
		(async () => {
			const result = await testNewCredential(
				credentialTypeOf(vendor),
				data as ICredentialDataDecryptedObject,
			);
			artefacts.push({ where: 'credential test', value: result });
		})(),
		(async () => {
			const { run } = await runNode(vendor, data, { vendor, options: {} });
			artefacts.push(...runArtefacts('Get Token', run.data));
		})(),
		(async () => {
			const { run } = await runNode(
				vendor,
				data,
				{ vendor, options: { outputField: 'auth' } },
				{ onError: 'continueRegularOutput' },
				[{ row: 1 }, { row: 2 }],
			);
			artefacts.push(...runArtefacts('Get Token, Continue On Fail', run.data));
		})(),
	);
	for (const path of kits[vendor].secrets.ownNode?.runs ?? []) {
		jobs.push(
			(async () => {
				const { run } = await runNode(
					vendor,
					data,
					path.parameters,
					path.continueOnFail ? { onError: 'continueRegularOutput' } : {},
				);
				artefacts.push(...runArtefacts(path.name, run.data));
			})(),
		);
	}
	await Promise.all(jobs);
	return artefacts;
}

/** The errors must be there (so the search searched something) and must name the vendor. */
function expectNamedErrors(artefacts: Artefact[], vendor: VendorId): void {
	const messages = artefacts
		.filter((a) => a.where.endsWith(': message'))
		.map((a) => String(a.value));
	expect(messages.length).toBeGreaterThan(0);
	expect(messages.some((message) => message.includes(providers[vendor].displayName))).toBe(true);
}

// ------------------------------------------------------------------------------------------
// Credentials with recognisable secrets in every secret field.

function credentialsWithSecrets(sandbox: Sandbox, vendor: VendorId): Record<string, IDataObject> {
	return kits[vendor].secrets.credentials(sandbox.vendors[vendor], sandbox);
}

/** One credential per vendor with every secret field recognisable (faults come before any check). */
function faultCredentials(sandbox: Sandbox, vendor: VendorId): IDataObject {
	const all = credentialsWithSecrets(sandbox, vendor);
	const name = kits[vendor].secrets.faultCredential;
	return name === undefined ? Object.values(all)[0] : all[name];
}

describe('the leak search itself', () => {
	it('finds a planted secret in a string, an object, an error and console-like text, and allows output tokens only where nodes put them', () => {
		const token: Forbidden = {
			name: 'final token',
			value: 'final-token-0123456789',
			kind: 'finalToken',
		};
		const appKey: Forbidden = { name: 'app key', value: S.appKey, kind: 'appKey' };
		const pin: Forbidden = { name: 'PIN', value: '4821', kind: 'secret' };
		const forbidden = [token, appKey, pin];
		expect(findLeaks([{ where: 'text', value: `x ${S.appKey} y` }], forbidden)).toEqual([
			'app key in text',
		]);
		expect(
			findLeaks(
				[
					{
						where: 'error',
						value: Object.assign(new Error('no'), { cause: new Error(`pin 4821`) }),
					},
				],
				forbidden,
			),
		).toContain('PIN in error at .cause.message');
		expect(findLeaks([{ where: 'stamp', value: 'at 1714821000123' }], forbidden)).toEqual([]);
		const output = {
			resultData: {
				runData: {
					n: [
						{
							data: {
								main: [
									[
										{
											json: {
												token: token.value,
												headers: { Authorization: `Bearer ${token.value}`, 'Et-App-Key': S.appKey },
												note: token.value,
											},
										},
									],
								],
							},
						},
					],
				},
			},
		};
		expect(findLeaks([{ where: 'run', value: output, output: true }], forbidden).sort()).toEqual([
			'app key in run at .resultData.runData.n.0.data.main.0.0.json.headers.Et-App-Key',
			'final token in run at .resultData.runData.n.0.data.main.0.0.json.note',
		]);
		expect(
			findLeaks([{ where: 'run', value: output, output: true, secretHeaders: true }], forbidden),
		).toEqual(['final token in run at .resultData.runData.n.0.data.main.0.0.json.note']);
	});
});

// ------------------------------------------------------------------------------------------

let sandbox: Sandbox;
beforeAll(async () => {
	sandbox = await newSandbox();
});
beforeEach(() => {
	for (const server of Object.values(sandbox.vendors)) server.reset();
	sandbox.vendors.autosharesTrader.configure({ wrongVerificationCode: 'retry' });
});

describe.each(vendorIds)('%s: wrong secrets', (vendor) => {
	it('no path shows a secret', async () => {
		for (const [name, data] of Object.entries(credentialsWithSecrets(sandbox, vendor))) {
			const artefacts = await everyPath(vendor, data);
			if (!kits[vendor].secrets.withoutError?.includes(name)) expectNamedErrors(artefacts, vendor);
			expect({ credential: name, leaks: findLeaks(artefacts) }).toEqual({
				credential: name,
				leaks: [],
			});
		}
	});
});

describe('settings errors', () => {
	const badBaseUrls = [
		'',
		'not a url',
		'http://api.example.com',
		`https://admin:${S.password}@api.example.com`,
		`https://api.example.com/?key=${S.apiKey}`,
		`https://api.example.com/#${S.appKey}`,
		`ftp://${S.manisSecret}.example.com`,
	];

	it.each(vendorIds)('%s: bad base URLs and empty fields show no secret', async (vendor) => {
		const base = Object.values(credentialsWithSecrets(sandbox, vendor))[0];
		const urlField = fixtures(sandbox)[vendor].urlField;
		const variants: Array<[string, IDataObject]> = badBaseUrls
			// A token URL may carry a query (some APIs want one): it is no error there.
			.filter((url) => !(urlField === 'tokenUrl' && url.includes('?')))
			.map((url) => [`${urlField} ${JSON.stringify(url)}`, { ...base, [urlField]: url }]);
		for (const field of kits[vendor].secrets.requiredFields)
			variants.push([`empty ${field}`, { ...base, [field]: '   ' }]);
		variants.push(...(kits[vendor].secrets.badSettings?.(base) ?? []));
		for (const [name, data] of variants) {
			if (kits[vendor].secrets.blankAddressMeansDefault && data[urlField] === '') continue; // empty means the default host
			const artefacts = await everyPath(vendor, data);
			expectNamedErrors(artefacts, vendor);
			expect({ variant: name, leaks: findLeaks(artefacts) }).toEqual({ variant: name, leaks: [] });
		}
		// Nothing reached a vendor: settings are checked before any request.
		expect(sandbox.vendors[vendor].tokenCalls).toBe(0);
	});
});

describe('success paths show secrets only where asked', () => {
	const good = (vendor: VendorId): IDataObject => fixtures(sandbox)[vendor].good;

	it.each(vendorIds)(
		'%s: Get Token outputs the token, and no credential secret',
		async (vendor) => {
			tokenStore.clear();
			for (const includeSecretHeaders of [false, true]) {
				const { run } = await runNode(vendor, good(vendor), {
					vendor,
					options: { includeSecretHeaders, forceRefresh: true },
				});
				const output = run.data.resultData.runData['Get Token'][0].data!.main[0]![0].json;
				expect(output.token).toBe(sandbox.vendors[vendor].issued.at(-1)?.token);
				expect(findLeaks(runArtefacts('Get Token', run.data, includeSecretHeaders))).toEqual([]);
				const sent = fixtures(sandbox)[vendor].expectedHeaders(String(output.token));
				for (const name of kits[vendor].secrets.secretHeaders)
					expect((output.headers as IDataObject)[name]).toBe(
						includeSecretHeaders ? sent[name] : undefined,
					);
			}
		},
	);

	it('Soda API key mode: the key secret is in headers only with Include Secret Headers', async () => {
		const data = {
			region: 'custom',
			baseUrl: sandbox.vendors.sodaCloud.baseUrl,
			authMethod: 'apiKey',
			apiKeyId: A.sodaCloud.apiKey.id,
			apiKeySecret: A.sodaCloud.apiKey.secret,
		};
		for (const includeSecretHeaders of [false, true]) {
			const { run } = await runNode('sodaCloud', data, {
				vendor: 'sodaCloud',
				options: { includeSecretHeaders },
			});
			const output = run.data.resultData.runData['Get Token'][0].data!.main[0]![0].json;
			expect((output.headers as IDataObject)['X-API-KEY-SECRET']).toBe(
				includeSecretHeaders ? A.sodaCloud.apiKey.secret : undefined,
			);
			expect(findLeaks(runArtefacts('Get Token', run.data, includeSecretHeaders))).toEqual([]);
		}
	});

	it('Autoshares Get Account Info outputs the account, and no token or secret', async () => {
		tokenStore.clear();
		const { run } = await runNode('autosharesTrader', good('autosharesTrader'), {
			operation: 'getAccountInfo',
		});
		expect(run.data.resultData.runData.Autoshares[0].data!.main[0]![0].json).toMatchObject({
			Login: A.autosharesTrader.plain.username,
		});
		// Not a token output: the final token may not appear anywhere in it.
		expect(findLeaks([{ where: 'Get Account Info run data', value: run.data }])).toEqual([]);
	});
});

// ------------------------------------------------------------------------------------------
// The Autoshares two-step login, through the node and its resume URL.

describe('Autoshares Trader two-step login', () => {
	// Log In reuses a valid token: every test here starts a login of its own.
	beforeEach(() => tokenStore.clear());

	function flow(account: IDataObject, options: IDataObject = {}) {
		const node = nodeOf('autosharesTrader', { operation: 'logIn', options });
		const data = {
			baseUrl: sandbox.vendors.autosharesTrader.baseUrl,
			webApiKey: A.autosharesTrader.appKey,
			...account,
		} as ICredentialDataDecryptedObject;
		const helper = helperWithCred('autosharesTraderApi', data);
		const executionId = `secrets-${++executions}`;
		const base = { nodeTypes, nodes: [node], helper, executionId };
		const artefacts: Artefact[] = [];
		const webhook = async (
			stored: IRunExecutionData,
			method: 'GET' | 'POST',
			body: unknown,
			headers: IDataObject,
			query: IDataObject = {},
		) => {
			const answer = await callResumeWebhook({
				...base,
				stored,
				nodeName: node.name,
				method,
				body,
				query,
				headers,
			});
			const label = `resume URL ${method} ${safeJson(body)} ${safeJson(query)}`;
			artefacts.push({
				where: `${label}: answer`,
				value: {
					status: answer.response.status,
					headers: answer.response.headers,
					body: answer.response.body,
				},
			});
			artefacts.push({
				where: `${label}: workflow data`,
				value: answer.result ?? null,
				output: true,
				secretHeaders: options.includeSecretHeaders === true,
			});
			artefacts.push(...errorArtefacts(`${label}: error`, answer.error));
			return answer;
		};
		return {
			base,
			artefacts,
			start: async () => {
				const { run } = await runWorkflow({ ...base, inputItems: [{ order: 1 }, { order: 2 }] });
				artefacts.push(...runArtefacts('waiting run', run.data));
				return run;
			},
			post: async (stored: IRunExecutionData, body: unknown, json = true) =>
				await webhook(
					stored,
					'POST',
					body,
					json
						? { 'content-type': 'application/json' }
						: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
				),
			get: async (stored: IRunExecutionData, query: IDataObject = {}) =>
				await webhook(stored, 'GET', {}, { accept: 'text/html' }, query),
			/** After a wrong code, as n8n does: the run goes on into Log In, which pauses again. */
			pausedAgain: async (answer: Awaited<ReturnType<typeof webhook>>) => {
				const { run } = await resumeExecution({
					...base,
					stored: answer.stored,
					workflowData: answer.result!.workflowData,
				});
				artefacts.push(...runArtefacts('paused again', run.data));
				expect(run.status).toBe('waiting');
				return run.data;
			},
		};
	}

	function interimTokens(): string[] {
		return sandbox.vendors.autosharesTrader.issued.filter((t) => t.interim).map((t) => t.token);
	}

	it('wrong codes, then the right one: no code, interim token or secret anywhere', async () => {
		const login = flow(A.autosharesTrader.twoFactor, { outputField: 'auth' });
		const run = await login.start();
		expect(run.status).toBe('waiting');
		expect(interimTokens()).toHaveLength(1);
		const code = sandbox.vendors.autosharesTrader.lastVerificationCode!;
		expect((await login.get(run.data)).response.status).toBe(200);
		const first = await login.post(run.data, { code: S.code });
		expect(first.response.status).toBe(422);
		const again = await login.pausedAgain(first);
		const second = await login.post(again, { code: S.code2 }, false);
		expect(second.response.status).toBe(422);
		const third = await login.pausedAgain(second);
		const done = await login.post(third, { code });
		expect(done.result?.workflowData?.[0][0].json).toMatchObject({ auth: { loggedIn: true } });
		const resumed = await resumeExecution({
			...login.base,
			stored: done.stored,
			workflowData: done.result!.workflowData,
		});
		login.artefacts.push(...runArtefacts('resumed run', resumed.run.data));
		expect(resumed.run.status).toBe('success');
		expect(findLeaks(login.artefacts)).toEqual([]);
	});

	it('too many wrong codes', async () => {
		const login = flow(A.autosharesTrader.twoFactor, { maxAttempts: 2 });
		const run = await login.start();
		const first = await login.post(run.data, { code: S.code });
		expect(first.response.status).toBe(422);
		const last = await login.post(await login.pausedAgain(first), { code: S.code2 });
		expect(last.response.status).toBe(403);
		const resumed = await resumeExecution({
			...login.base,
			stored: last.stored,
			workflowData: last.result!.workflowData,
		});
		login.artefacts.push(...runArtefacts('failed run', resumed.run.data));
		expect(resumed.run.data.resultData.error?.message).toMatch(
			/Autoshares Trader verification code: 2 wrong codes/,
		);
		expect(
			(
				await login.post(last.stored, {
					code: sandbox.vendors.autosharesTrader.lastVerificationCode,
				})
			).response.status,
		).toBe(410);
		expect(findLeaks(login.artefacts)).toEqual([]);
	});

	it('corrupted ticket (the vendor burnt the interim token)', async () => {
		sandbox.vendors.autosharesTrader.configure({ wrongVerificationCode: 'invalidate' });
		const login = flow(A.autosharesTrader.twoFactor);
		const run = await login.start();
		const wrong = await login.post(run.data, { code: S.code });
		const lost = await login.post(await login.pausedAgain(wrong), {
			code: sandbox.vendors.autosharesTrader.lastVerificationCode,
		});
		const resumed = await resumeExecution({
			...login.base,
			stored: lost.stored,
			workflowData: lost.result!.workflowData,
		});
		login.artefacts.push(...runArtefacts('failed run', resumed.run.data));
		expect(resumed.run.data.resultData.error?.message).toMatch(/Corrupted ticket/);
		expect(findLeaks(login.artefacts)).toEqual([]);
	});

	it('codes of the wrong shape (secrets pasted by mistake) are not echoed', async () => {
		const login = flow(A.autosharesTrader.twoFactor);
		const run = await login.start();
		for (const code of [S.password, S.appKey, `${S.pin} `, `<b>${S.apiKey}</b>`]) {
			expect((await login.post(run.data, { code })).response.status).toBe(400);
			expect((await login.post(run.data, { code }, false)).response.status).toBe(400);
		}
		expect((await login.get(run.data, { code: S.manisSecret })).response.status).toBe(400);
		expect(sandbox.vendors.autosharesTrader.tokenCalls).toBe(1);
		expect(findLeaks(login.artefacts)).toEqual([]);
	});

	it('the PIN step: a wrong PIN, then the right one', async () => {
		const login = flow(
			{ username: A.autosharesTrader.pin.username, password: A.autosharesTrader.pin.password },
			{ includeSecretHeaders: true },
		);
		const run = await login.start();
		expect(run.status).toBe('waiting');
		const wrong = await login.post(run.data, { code: S.pinCode });
		expect(wrong.response.status).toBe(422);
		const done = await login.post(await login.pausedAgain(wrong), {
			code: A.autosharesTrader.pin.pin,
		});
		expect(done.result?.workflowData?.[0][0].json).toMatchObject({
			loggedIn: true,
			headers: { 'Et-App-Key': A.autosharesTrader.appKey },
		});
		expect(findLeaks(login.artefacts)).toEqual([]);
	});

	it('the sealed login in the execution data holds no secret; a process that never saw the login finishes it', async () => {
		const login = flow(A.autosharesTrader.twoFactor);
		const run = await login.start();
		// All that crosses the wait is in the stored execution: search all of it.
		expect(findLeaks([{ where: 'stored waiting execution', value: run.data }])).toEqual([]);
		expect(JSON.stringify(run.data.resultData.metadata)).toMatch(/v2\./);
		// Another process (a restart, the webhook process in queue mode): nothing in memory.
		tokenStore.clear();
		const answer = await login.post(run.data, {
			code: sandbox.vendors.autosharesTrader.lastVerificationCode,
		});
		expect(answer.result?.workflowData?.[0][0].json).toMatchObject({ loggedIn: true });
		expect(findLeaks(login.artefacts)).toEqual([]);
	});

	it('the notify URL gets the resume URL and the step, nothing secret; an unreachable one fails cleanly', async () => {
		const http = await import('node:http');
		const received: string[] = [];
		const listener = http.createServer((req, res) => {
			let body = '';
			req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
			req.on('end', () => {
				received.push(JSON.stringify({ headers: req.headers, body }));
				res.end('{}');
			});
		});
		await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
		try {
			const port = (listener.address() as { port: number }).port;
			const login = flow(A.autosharesTrader.twoFactor, {
				notifyUrl: `http://127.0.0.1:${port}/notify`,
			});
			expect((await login.start()).status).toBe('waiting');
			expect(received).toHaveLength(1);
			const unreachable = flow(A.autosharesTrader.twoFactor, {
				notifyUrl: 'http://127.0.0.1:1/notify',
			});
			const failed = await unreachable.start();
			expect(failed.data.resultData.error?.message).toMatch(
				/^Autoshares Trader notify: the server could not be reached/,
			);
			expect(
				findLeaks([
					{ where: 'notify payload', value: received },
					...login.artefacts,
					...unreachable.artefacts,
				]),
			).toEqual([]);
		} finally {
			listener.close();
		}
	});

	it.each([
		['2FA account', A.autosharesTrader.twoFactor],
		[
			'PIN + 2FA account with its PIN',
			{
				username: A.autosharesTrader.pinTwoFactor.username,
				password: A.autosharesTrader.pinTwoFactor.password,
				pinPassword: A.autosharesTrader.pinTwoFactor.pin,
			},
		],
		[
			'PIN account without a PIN',
			{ username: A.autosharesTrader.pin.username, password: A.autosharesTrader.pin.password },
		],
		['PIN not initialised', A.autosharesTrader.pinNotInitialised],
		['expired password', A.autosharesTrader.expiredPassword],
	])(
		'%s through the credential, the credential test, Get Token and Get Account Info: no interim token',
		async (_name, account) => {
			tokenStore.clear();
			const artefacts = await everyPath('autosharesTrader', {
				baseUrl: sandbox.vendors.autosharesTrader.baseUrl,
				webApiKey: A.autosharesTrader.appKey,
				...account,
			});
			expectNamedErrors(artefacts, 'autosharesTrader');
			expect(findLeaks(artefacts)).toEqual([]);
		},
	);
});

// ------------------------------------------------------------------------------------------
// Faults and echoing vendors: every fault kind of the fault matrix, persistent. Transient ones
// cost the real backoff, so these run concurrently, each on its own sandbox.

const FAULTS: ReadonlyArray<[string, Fault]> = [
	['HTTP 500', { kind: 'status', status: 500 }],
	['HTTP 502', { kind: 'status', status: 502 }],
	['HTTP 503', { kind: 'status', status: 503 }],
	['HTML 502 page', { kind: 'html', status: 502 }],
	['429 Retry-After: 1', { kind: 'rateLimit', retryAfterSeconds: 1 }],
	['429 Retry-After: 120', { kind: 'rateLimit', retryAfterSeconds: 120 }],
	['connection reset', { kind: 'reset' }],
	['connection closed mid-body', { kind: 'truncated', abortConnection: true }],
	["401 with the vendor's body", { kind: 'unauthorized' }],
	['HTTP 400', { kind: 'status', status: 400 }],
	['HTML page', { kind: 'html' }],
	['truncated JSON', { kind: 'truncated' }],
	['200 without a token', { kind: 'missingToken' }],
	['unreadable expiry', { kind: 'badExpiry' }],
	['oversized body', { kind: 'oversized' }],
];

/**
 * A vendor that quotes back the secrets it was sent, in every error field any vendor uses (the
 * credentials of faultCredentials send these).
 */
const sentSecrets = (vendor: VendorId): string[] => kits[vendor].secrets.sent;

function echoFaults(vendor: VendorId): Array<[string, Fault]> {
	const text = `Rejected: ${sentSecrets(vendor).join(' / ')}`;
	const body = JSON.stringify({
		detail: text,
		message: text,
		title: text,
		error: text,
		Message: text,
		Reason: text,
		Step: 'BaseAuthentication',
	});
	const faults: Array<[string, Fault]> = [400, 401, 403, 404, 422].map((status) => [
		`HTTP ${status} echoing the secrets`,
		{ kind: 'status', status, body },
	]);
	faults.push([
		'HTTP 422 echoing the secrets, FastAPI style',
		{
			kind: 'status',
			status: 422,
			body: JSON.stringify({
				detail: [{ loc: ['header'], msg: text, type: 'value_error', input: text }],
			}),
		},
	]);
	return faults;
}

describe.each(vendorIds)('%s: every fault, every path', (vendor) => {
	const faults = [...FAULTS, ...echoFaults(vendor)].filter(
		([name]) => kits[vendor].answerHasExpiry || name !== 'unreadable expiry',
	);
	it.concurrent.each(faults)('%s', async (name, fault) => {
		await withSandbox(async (own) => {
			own.vendors[vendor].injectFault(fault);
			const artefacts = await everyPath(vendor, faultCredentials(own, vendor));
			expectNamedErrors(artefacts, vendor);
			expect(findLeaks(artefacts)).toEqual([]);
			const quoted = artefacts.some(
				(a) =>
					a.where.endsWith(': description') &&
					String(a.value).includes('The vendor said: "Rejected: ***'),
			);
			// The echo did reach the vendor quote, with the secrets cut out; refusals quote nothing.
			if (fault.kind === 'status' && fault.body !== undefined)
				expect(quoted).toBe(
					kits[vendor].secrets.quotesVendor(fault.status, name.includes('FastAPI')),
				);
		});
	});
});

describe('a long vendor quote', () => {
	// Regression: vendor text used to be cut to 200 characters before the secrets were cut out,
	// so a secret straddling the cut kept its first characters. TokenAuthError.redacted now
	// removes secrets first and shortens the quote after. (422 and 400: refusals quote nothing.)
	it.each([
		[
			'galileo',
			422,
			{ baseUrl: '', apiVersion: 'v1', authMethod: 'apiKey', apiKey: S.apiKey },
			S.apiKey,
		],
		[
			'manis',
			400,
			{ baseUrl: '', merchantId: A.manis.merchantId, secret: S.manisSecret },
			S.manisSecret,
		],
	] as Array<[VendorId, number, IDataObject, string]>)(
		'%s: keeps no part of a secret echoed across the 200-character cut',
		async (vendor, status, data, secret) => {
			await withSandbox(async (own) => {
				const server = own.vendors[vendor];
				// 185 characters of text, then the secret: the cut falls 12 characters into it.
				const text = `${'The credentials you sent were not accepted by this API. '.repeat(4).slice(0, 185)}${secret}`;
				server.injectFault({
					kind: 'status',
					status,
					body: JSON.stringify({ detail: text, message: text }),
				});
				const artefacts = await everyPath(vendor, { ...data, baseUrl: server.baseUrl });
				const shown = artefacts
					.filter((a) => a.where.endsWith(': description') || a.where.endsWith(': message'))
					.map((a) => String(a.value));
				expect(shown.some((line) => line.includes('The vendor said'))).toBe(true);
				// Half the secret is already most of it.
				expect(
					shown.filter((line) => line.includes(secret.slice(0, Math.ceil(secret.length / 2)))),
				).toEqual([]);
			});
		},
	);
});

// Last: by now every test above has finished (jest awaits concurrent tests in order).
describe('console output', () => {
	it('holds no secret, interim token, code or token, across every run of this file', () => {
		const text = consoleOutput.join('\n');
		// n8n logs failed nodes: proof the capture saw the runs above.
		expect(text).toMatch(/Autoshares Trader/);
		expect(findLeaks([{ where: 'console output', value: text }])).toEqual([]);
	});
});
