/**
 * Runs package code the way n8n runs it, without an n8n server: n8n's own HTTP client, its
 * WorkflowExecute, RoutingNode and ExecuteContext from n8n-core, and a credentials helper that
 * mirrors packages/cli/src/credentials-helper.ts (which n8n does not publish). The real-n8n
 * suite (test/e2e) proves the same behaviour in a real n8n process.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// n8n-core's InstanceSettings writes <N8N_USER_FOLDER>/.n8n/config on first use: keep it out of $HOME.
process.env.N8N_USER_FOLDER ??= mkdtempSync(join(tmpdir(), 'n8n-token-auth-test-'));
process.env.N8N_ENCRYPTION_KEY ??= 'test-encryption-key';
// n8n's logger reports every node these tests fail on purpose: a green run stays quiet.
// N8N_LOG_LEVEL=info npx jest shows it (the secret-leak test captures and searches it).
process.env.N8N_LOG_LEVEL ??= 'silent';

import { OutboundHttp } from '@n8n/backend-network';
import { Container } from '@n8n/di';
import { ExecuteContext, ExecutionLifecycleHooks, RoutingNode, WorkflowExecute } from 'n8n-core';
import {
	createRunExecutionData,
	injectDomainRestrictionFields,
	NodeHelpers,
	Workflow,
	type ICredentialDataDecryptedObject,
	type ICredentialsHelper,
	type ICredentialType,
	type IDataObject,
	type IHttpRequestHelper,
	type IHttpRequestOptions,
	type INodeProperties,
	type INodeTypeDescription,
	type INode,
	type INodeExecutionData,
	type INodeCredentialsDetails,
	type INodeType,
	type INodeTypes,
	type IRun,
	type IRunExecutionData,
	type IAuthenticateRuleResponseCode,
	type IConnections,
	type IWorkflowExecuteAdditionalData,
	type WorkflowExecuteMode,
} from 'n8n-workflow';

import { credentialTypes, testNode } from '../../scripts/sandbox/fixtures';

/** n8n's own request helpers (the client behind this.helpers.httpRequest and .request). */
export function n8nRequestHelpers() {
	const client = () => Container.get(OutboundHttp).requests();
	return {
		httpRequest: async (options: IHttpRequestOptions) => await client().request(options),
		request: async (options: IDataObject) => await client().requestLegacy(options as never),
	};
}

/**
 * What n8n 2.x hands to preAuthentication: httpRequest alone (packages/cli credentials-helper
 * wraps the caller's helpers in restrictToCredentialDomains). `withLegacyRequest` adds the
 * older request helper, as a node context has it.
 */
export function preAuthHelper(withLegacyRequest = false): IHttpRequestHelper {
	const { httpRequest, request } = n8nRequestHelpers();
	return {
		helpers: withLegacyRequest ? { httpRequest, request } : { httpRequest },
	} as unknown as IHttpRequestHelper;
}

/**
 * A test node's description: version 1, one input and one output, and a credential of
 * `credentialType` that it requires.
 */
export function testNodeDescription(
	displayName: string,
	name: string,
	credentialType: string,
	properties: INodeProperties[],
): INodeTypeDescription {
	return {
		displayName,
		name,
		group: ['transform'],
		version: 1,
		description: '',
		defaults: { name: displayName },
		inputs: ['main'],
		outputs: ['main'],
		credentials: [{ name: credentialType, required: true }],
		properties,
	} as INodeTypeDescription;
}

export function nodeTypesOf(byName: Record<string, INodeType>): INodeTypes {
	return {
		getByName: (type) => byName[type],
		getByNameAndVersion: (type, version) => NodeHelpers.getVersionedNodeType(byName[type], version),
		getKnownTypes: () => ({}),
	};
}

export interface StoredCredential {
	type: string;
	data: ICredentialDataDecryptedObject;
}

/**
 * Mirrors n8n's CredentialsHelper: defaults applied on decrypt, preAuthentication only for a
 * credential with a hidden expirable field, called when that field is empty, when expired, or
 * on a credential test; its output merged and saved. Counts saves for the tests.
 */
export class TestCredentialsHelper {
	readonly saves: string[] = [];

	constructor(
		readonly types: Record<string, ICredentialType>,
		readonly store: Record<string, StoredCredential> = {},
	) {}

	decrypt(id: string): ICredentialDataDecryptedObject {
		const stored = this.store[id];
		const type = this.types[stored.type];
		// n8n knows a credential type only from package.json's list, as this helper does.
		if (type === undefined)
			throw new Error(
				`credential type ${stored.type} is not loaded: package.json's n8n.credentials has no line for its class`,
			);
		// n8n 2.x adds its domain-restriction fields to every credential with an authenticate.
		const properties = injectDomainRestrictionFields(type);
		return NodeHelpers.getNodeParameters(
			properties,
			{ ...stored.data } as never,
			true,
			false,
			null,
			null,
		) as ICredentialDataDecryptedObject;
	}

	asN8n(): ICredentialsHelper {
		return {
			getParentTypes: () => [],
			isCredentialUsableByNode: () => true,
			getCredentialsProperties: (type: string) => this.types[type].properties,
			getDecrypted: async (_additionalData: unknown, nodeCredentials: INodeCredentialsDetails) =>
				this.decrypt(nodeCredentials.id!),
			getCredentials: async () => {
				throw new Error('not used');
			},
			updateCredentials: async (
				nodeCredentials: INodeCredentialsDetails,
				_type: string,
				data: ICredentialDataDecryptedObject,
			) => {
				this.saves.push(nodeCredentials.id!);
				this.store[nodeCredentials.id!].data = { ...data };
			},
			updateCredentialsOauthTokenData: async () => {},
			authenticate: async (
				credentials: ICredentialDataDecryptedObject,
				typeName: string,
				requestOptions: IHttpRequestOptions,
			) => await this.authenticate(credentials, typeName, requestOptions),
			preAuthentication: async (
				helpers: IHttpRequestHelper,
				credentials: ICredentialDataDecryptedObject,
				typeName: string,
				node: INode,
				credentialsExpired: boolean,
			) => await this.preAuthentication(helpers, credentials, typeName, node, credentialsExpired),
			runPreAuthentication: async () => undefined,
		} as unknown as ICredentialsHelper;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions,
	) {
		const type = this.types[typeName];
		if (typeof type.authenticate === 'function')
			return await type.authenticate(credentials, requestOptions);
		throw new Error('this package only uses function authenticate');
	}

	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		node: INode,
		credentialsExpired: boolean,
	) {
		const type = this.types[typeName];
		const expirable = type.properties.find(
			(p) => p.type === 'hidden' && p.typeOptions?.expirable === true,
		);
		if (expirable === undefined || typeof type.preAuthentication !== 'function') return undefined;
		const testing = node?.parameters?.temp === '' && node?.type === 'n8n-nodes-base.noOp';
		if (credentials[expirable.name] !== '' && !credentialsExpired && !testing) return undefined;
		// As n8n 2.x does: the credential's token step gets httpRequest and nothing else.
		const restricted = {
			helpers: { httpRequest: helpers.helpers.httpRequest },
		} as IHttpRequestHelper;
		const output = await type.preAuthentication.call(restricted, credentials);
		if (output[expirable.name] === undefined) return undefined;
		const details = node.credentials?.[typeName];
		if (details?.id)
			await this.asN8n().updateCredentials(details, typeName, {
				...credentials,
				...output,
			} as ICredentialDataDecryptedObject);
		return output;
	}
}

/**
 * A credential's token step (its preAuthentication) on `data` as given (decryptedAs applies
 * n8n's defaults first), with the helpers n8n 2.x gives it unless others are given.
 */
export async function tokenStep(
	type: string,
	data: IDataObject,
	helpers: IHttpRequestHelper = preAuthHelper(),
): Promise<ICredentialDataDecryptedObject> {
	return (await credentialTypes[type].preAuthentication!.call(
		helpers,
		data as ICredentialDataDecryptedObject,
	)) as ICredentialDataDecryptedObject;
}

/** A credentials helper whose one saved credential, `cred` (the one testNode's nodes use), holds `data`. */
export function helperWithCred(type: string, data: IDataObject): TestCredentialsHelper {
	return new TestCredentialsHelper(credentialTypes, {
		cred: { type, data: { ...data } as ICredentialDataDecryptedObject },
	});
}

/** `data` as n8n decrypts a credential of `type`: with the defaults of the fields it leaves out. */
export function decryptedAs(type: string, data: IDataObject): ICredentialDataDecryptedObject {
	return helperWithCred(type, data).decrypt('cred');
}

export function additionalDataFor(
	helper: TestCredentialsHelper,
	hooks: ExecutionLifecycleHooks,
	executionId: string,
	extra: IDataObject = {},
) {
	return {
		credentialsHelper: helper.asN8n(),
		hooks,
		executionId,
		currentNodeExecutionIndex: 0,
		restApiUrl: 'http://localhost:5678/rest',
		instanceBaseUrl: 'http://localhost:5678/',
		formWaitingBaseUrl: 'http://localhost:5678/form-waiting',
		webhookBaseUrl: 'http://localhost:5678/webhook',
		webhookWaitingBaseUrl: 'http://localhost:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://localhost:5678/webhook-test',
		variables: {},
		setExecutionStatus: () => {},
		...extra,
	} as unknown as IWorkflowExecuteAdditionalData;
}

/**
 * The editor's "Test" button, as packages/cli/src/services/credentials-tester.service.ts does
 * it: a temporary noOp node whose routing request is the credential's test request, run by
 * RoutingNode, with preAuthentication first, and the credential's responseCode rules applied to a
 * failed answer, as n8n applies them. Returns n8n's {status, message}.
 */
export async function testCredential(
	helper: TestCredentialsHelper,
	typeName: string,
	data: ICredentialDataDecryptedObject,
): Promise<{ status: 'OK' | 'Error'; message: string }> {
	const type = helper.types[typeName];
	const id = `test-${typeName}`;
	helper.store[id] = { type: typeName, data: { ...data } };
	const node = testNode({
		id: 'temp',
		name: 'Temp-Node',
		type: 'n8n-nodes-base.noOp',
		parameters: { temp: '' },
		credentials: { [typeName]: { id, name: typeName } },
	});
	const nodeType: INodeType = {
		description: testNodeDescription('No Operation', 'n8n-nodes-base.noOp', typeName, [
			{
				displayName: 'Temp',
				name: 'temp',
				type: 'string',
				routing: { request: type.test!.request },
				default: '',
			},
		]),
	};
	const workflow = new Workflow({
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: nodeTypesOf({ 'n8n-nodes-base.noOp': nodeType }),
	});
	const hooks = new ExecutionLifecycleHooks('internal', 'credential-test', {
		id: 'wf',
		name: 'test',
		nodes: [node],
		connections: {},
	} as never);
	const runExecutionData: IRunExecutionData = createRunExecutionData({});
	const context = new ExecuteContext(
		workflow,
		node,
		additionalDataFor(helper, hooks, 'credential-test'),
		'internal',
		runExecutionData,
		0,
		[],
		{ main: [[{ json: {} }]] },
		{ node, data: {}, source: null },
		[],
	);
	const decrypted = { id, name: typeName, type: typeName, data: helper.decrypt(id) };
	try {
		await new RoutingNode(context, nodeType, decrypted).runNode();
	} catch (error) {
		const cause = (
			error as { cause?: { response?: { status: number; statusText?: string }; code?: string } }
		).cause;
		if (cause?.response) {
			const status = cause.response.status;
			// The credential's responseCode rules give the message for their status.
			const rule = (type.test?.rules ?? []).find(
				(r) =>
					r.type === 'responseCode' &&
					(r as IAuthenticateRuleResponseCode).properties.value === status,
			) as IAuthenticateRuleResponseCode | undefined;
			if (rule) return { status: 'Error', message: rule.properties.message };
			if (status < 199 || status > 299)
				return {
					status: 'Error',
					message: cause.response.statusText || `Received HTTP status code: ${status}`,
				};
		} else if (cause?.code) {
			return { status: 'Error', message: cause.code };
		}
		return { status: 'Error', message: String((error as Error).message) };
	}
	return { status: 'OK', message: 'Connection successful!' };
}

/** The editor's Test of values typed into a new credential of `typeName`, nothing saved yet. */
export async function testNewCredential(typeName: string, data: ICredentialDataDecryptedObject) {
	return await testCredential(new TestCredentialsHelper(credentialTypes), typeName, data);
}

export interface RunOptions {
	nodeTypes: INodeTypes;
	nodes: INode[];
	/** Default none: a one-node workflow. */
	connections?: IConnections;
	helper: TestCredentialsHelper;
	mode?: WorkflowExecuteMode;
	executionId?: string;
	runExecutionData?: IRunExecutionData;
	inputItems?: IDataObject[];
	/** Binary data per input item (same index as inputItems). */
	inputBinary?: Array<INodeExecutionData['binary']>;
}

/** Runs a workflow through n8n-core's WorkflowExecute, from nodes[0] with the given items. */
export async function runWorkflow(
	options: RunOptions,
): Promise<{ run: IRun; workflow: Workflow; additionalData: IWorkflowExecuteAdditionalData }> {
	const mode = options.mode ?? 'manual';
	const executionId = options.executionId ?? 'execution-1';
	const workflow = new Workflow({
		id: 'workflow-1',
		name: 'test',
		nodes: options.nodes,
		connections: options.connections ?? {},
		active: false,
		nodeTypes: options.nodeTypes,
	});
	const hooks = new ExecutionLifecycleHooks(mode, executionId, {
		id: 'workflow-1',
		name: 'test',
		nodes: options.nodes,
		connections: options.connections ?? {},
	} as never);
	const additionalData = additionalDataFor(options.helper, hooks, executionId);
	const items: INodeExecutionData[] = (options.inputItems ?? [{}]).map((json, index) => {
		const binary = options.inputBinary?.[index];
		return binary ? { json, binary } : { json };
	});
	const runExecutionData =
		options.runExecutionData ??
		createRunExecutionData({
			executionData: {
				nodeExecutionStack: [{ node: options.nodes[0], data: { main: [items] }, source: null }],
			},
		});
	const run = await new WorkflowExecute(
		additionalData,
		mode,
		runExecutionData,
	).processRunExecutionData(workflow);
	return { run, workflow, additionalData };
}

export interface RecordedResponse {
	status: number;
	headers: Record<string, string>;
	body?: unknown;
}

/** Express-like request and response objects, as n8n hands them to a node's webhook(). */
export function fakeRequestResponse(
	method: string,
	body: unknown,
	query: IDataObject = {},
	headers: IDataObject = {},
) {
	const out: RecordedResponse = { status: 200, headers: {} };
	const res = {
		status(code: number) {
			out.status = code;
			return res;
		},
		setHeader(name: string, value: string) {
			out.headers[name.toLowerCase()] = value;
			return res;
		},
		send(value: unknown) {
			out.body = value;
			return res;
		},
		json(value: unknown) {
			out.headers['content-type'] ??= 'application/json';
			out.body = value;
			return res;
		},
		end(value?: unknown) {
			if (value !== undefined) out.body = value;
			return res;
		},
	};
	const req = { method, body, query, headers: { ...headers }, params: {} };
	return { req, res, out };
}

/**
 * A call to the resume URL of a waiting execution, as packages/cli/src/webhooks/
 * waiting-webhooks.ts makes it: the stored execution data, a WebhookContext for the waiting
 * node, the node's webhook(). Returns what the node returned and what it answered.
 */
export async function callResumeWebhook(options: {
	nodeTypes: INodeTypes;
	nodes: INode[];
	connections?: IConnections;
	helper: TestCredentialsHelper;
	stored: IRunExecutionData;
	nodeName: string;
	executionId: string;
	method: 'GET' | 'POST';
	body?: unknown;
	query?: IDataObject;
	headers?: IDataObject;
}) {
	const { WebhookContext } = await import('n8n-core');
	// waiting-webhooks.ts disables the waiting node before it runs its webhook(), so that the
	// resumed run does not wait again.
	const nodes = options.nodes.map((n) =>
		n.name === options.nodeName ? { ...n, disabled: true } : n,
	);
	const workflow = new Workflow({
		id: 'workflow-1',
		name: 'test',
		nodes,
		connections: options.connections ?? {},
		active: false,
		nodeTypes: options.nodeTypes,
	});
	const node = workflow.getNode(options.nodeName)!;
	const nodeType = options.nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
	const { req, res, out } = fakeRequestResponse(
		options.method,
		options.body ?? {},
		options.query,
		options.headers,
	);
	const hooks = new ExecutionLifecycleHooks('manual', options.executionId, {
		id: 'workflow-1',
		name: 'test',
		nodes: options.nodes,
		connections: options.connections ?? {},
	} as never);
	const additionalData = additionalDataFor(options.helper, hooks, options.executionId, {
		httpRequest: req,
		httpResponse: res,
	} as IDataObject);
	const webhookData = {
		httpMethod: options.method,
		node: options.nodeName,
		path: '',
		webhookDescription: nodeType.description.webhooks!.find(
			(w) => w.httpMethod === options.method,
		)!,
		workflowId: 'workflow-1',
	};
	// ...and drops the waiting node's own pre-wait run first: webhook() never sees that output.
	const stored = JSON.parse(JSON.stringify(options.stored)) as IRunExecutionData;
	stored.resultData.runData[options.nodeName]?.pop();
	// The resumed stack entry's node is what n8n disables (disableNode in waiting-webhooks.ts).
	const resuming = stored.executionData?.nodeExecutionStack[0];
	if (resuming?.node.name === options.nodeName) resuming.node.disabled = true;
	const context = new WebhookContext(
		workflow,
		node,
		additionalData,
		'manual',
		webhookData as never,
		[],
		stored,
	);
	// `stored` afterwards is what n8n continues from (and saves) when workflowData comes back:
	// custom data the webhook changed, metadata on the resumed stack entry. Without
	// workflowData n8n saves nothing, and the next call starts from the same stored data.
	try {
		const result = await nodeType.webhook!.call(context);
		return { result, response: out, error: undefined, stored };
	} catch (error) {
		return {
			result: undefined,
			response: out,
			error: error as Error & { description?: string },
			stored,
		};
	}
}

/** A workflow whose Log In waits: what callResumeWebhook needs besides the call itself. */
type LogInWorkflow = Pick<
	Parameters<typeof callResumeWebhook>[0],
	'nodeTypes' | 'nodes' | 'connections' | 'helper' | 'executionId'
>;

/** The waiting Log In's resume URL opened in a browser (the page that asks for the code). */
export async function openLogInPage(
	workflow: LogInWorkflow,
	stored: IRunExecutionData,
	query: IDataObject = {},
) {
	return await callResumeWebhook({
		...workflow,
		stored,
		nodeName: 'Log In',
		method: 'GET',
		query,
		headers: { accept: 'text/html' },
	});
}

/** A POST to the waiting Log In's resume URL: `body` as JSON, unless other headers say otherwise. */
export async function postToLogIn(
	workflow: LogInWorkflow,
	stored: IRunExecutionData,
	body: unknown,
	headers: IDataObject = { 'content-type': 'application/json' },
) {
	return await callResumeWebhook({
		...workflow,
		stored,
		nodeName: 'Log In',
		method: 'POST',
		body,
		headers,
	});
}

/** Resumes a waiting execution with the webhook's data, as webhook-helpers.prepareExecutionData does. */
export async function resumeExecution(
	options: RunOptions & { stored: IRunExecutionData; workflowData?: unknown },
) {
	const data = JSON.parse(JSON.stringify(options.stored)) as IRunExecutionData;
	const resuming = data.executionData!.nodeExecutionStack[0];
	if (options.workflowData !== undefined) {
		// The waiting node stays as callResumeWebhook left it: disabled, as n8n disables it so its
		// wait does not start over (its output is the webhook's), unless webhook() enabled it again.
		if (resuming.node.disabled === undefined) resuming.node.disabled = true;
		resuming.data.main = options.workflowData as never;
		resuming.metadata = { ...resuming.metadata, forwardAllOutputs: true } as never;
		data.waitTill = undefined;
	}
	// Without workflowData this is the wait limit passing: n8n restarts the stored run as it is.
	return await runWorkflow({ ...options, runExecutionData: data });
}
