/**
 * Workflow JSON for the real-n8n suite. Node versions that both n8n 1.123 and 2.40 load:
 * Webhook 2, HTTP Request 4.2, Split Out 1.
 */
import { randomUUID } from 'crypto';

import type { VendorId } from '../../nodes/shared/providers';
import type { N8nClient } from '../../scripts/runtime/n8nClient';
import { needsTokenStep } from '../../scripts/sandbox/kits';

type Json = Record<string, unknown>;
type Ref = { id: string; name: string };
const PACKAGE = 'n8n-nodes-token-auth';
let position = 0;

export function node(
	name: string,
	type: string,
	typeVersion: number,
	parameters: Json,
	extra: Json = {},
): Json {
	position += 220;
	return {
		id: randomUUID(),
		name,
		type,
		typeVersion,
		position: [position, 0],
		parameters,
		...extra,
	};
}

export function webhookNode(
	path: string,
	responseMode: 'lastNode' | 'onReceived' = 'lastNode',
): Json {
	return node(
		'Webhook',
		'n8n-nodes-base.webhook',
		2,
		{ httpMethod: 'POST', path, responseMode, responseData: 'allEntries', options: {} },
		{ webhookId: randomUUID() },
	);
}

export function httpRequestNode(
	name: string,
	url: string,
	credentialType: string,
	credential: Ref,
): Json {
	return node(
		name,
		'n8n-nodes-base.httpRequest',
		4.2,
		{
			method: 'GET',
			url,
			authentication: 'predefinedCredentialType',
			nodeCredentialType: credentialType,
			options: {},
		},
		{ credentials: { [credentialType]: credential } },
	);
}

export function splitOutNode(field: string): Json {
	return node('Split Out', 'n8n-nodes-base.splitOut', 1, { fieldToSplitOut: field, options: {} });
}

/** The package's Get Token node for `vendor`, with the credential `credential` of `credentialType`. */
export function getTokenNode(
	vendor: VendorId,
	credentialType: string,
	credential: Ref,
	options: Json = {},
): Json {
	return node(
		'Get Token',
		`${PACKAGE}.getToken`,
		1,
		{ vendor, options },
		{ credentials: { [credentialType]: credential } },
	);
}

/** Webhook → Get Token: the node's output is the webhook's answer. */
export function getTokenWorkflow(
	name: string,
	webhookPath: string,
	vendor: VendorId,
	credentialType: string,
	credential: Ref,
): Json {
	return chain(name, [webhookNode(webhookPath), getTokenNode(vendor, credentialType, credential)]);
}

/** The package's Autoshares Trader node, operation Log In, with `options` (a Notify URL…). */
export function logInNode(credential: Ref, options: Json = {}): Json {
	return node(
		'Log In',
		`${PACKAGE}.autosharesTrader`,
		1,
		{ operation: 'logIn', options },
		{ credentials: { autosharesTraderApi: credential } },
	);
}

/**
 * The nodes to put before an HTTP Request with the vendor's credential on this n8n version:
 * n8n 2.x cannot send Sirdata's GET body from a credential's token step, so (as the README
 * says) a Get Token node before it gets the token the credential then uses; otherwise none.
 */
export function tokenStep(
	version: string,
	vendor: VendorId,
	credentialType: string,
	credential: Ref,
): Json[] {
	return needsTokenStep(version, vendor)
		? [getTokenNode(vendor, credentialType, credential, { outputField: 'auth' })]
		: [];
}

/**
 * Webhook → `before` → (with `items`: Split Out of the body's `items`, one request per item) →
 * an HTTP Request to the sandbox's echo at `origin` with the credential.
 */
export function echoWorkflow(
	name: string,
	webhookPath: string,
	echo: { origin: string; credentialType: string; credential: Ref },
	{ before = [], items = false }: { before?: Json[]; items?: boolean } = {},
): Json {
	return chain(name, [
		webhookNode(webhookPath),
		...before,
		...(items ? [splitOutNode('body.items')] : []),
		httpRequestNode(
			'HTTP Request',
			`${echo.origin}/__sandbox/echo`,
			echo.credentialType,
			echo.credential,
		),
	]);
}

export function chain(name: string, nodes: Json[]): Json {
	const connections: Record<string, unknown> = {};
	for (let i = 0; i < nodes.length - 1; i++) {
		connections[String(nodes[i].name)] = {
			main: [[{ node: nodes[i + 1].name, type: 'main', index: 0 }]],
		};
	}
	return { name, nodes, connections };
}

/**
 * Webhook → the package's Log In with `options` (a Notify URL, a wait limit…) → an HTTP Request
 * to `accountUrl` with the same Autoshares credential: the two-factor workflow of the suites.
 */
export function logInThenAccount(
	name: string,
	webhookPath: string,
	options: Json,
	credential: Ref,
	accountUrl: string,
): Json {
	return chain(name, [
		webhookNode(webhookPath, 'onReceived'),
		logInNode(credential, options),
		httpRequestNode('Account', accountUrl, 'autosharesTraderApi', credential),
	]);
}

/**
 * An Autoshares credential with `values`, and an active logInThenAccount workflow with it: Log
 * In notifies `notifyUrl` and waits 5 minutes, with `options` besides. The credential is made
 * through `client`, the workflow through `rest` (a member's client, say).
 */
export async function createTwoFactorWorkflow(
	client: N8nClient,
	rest: N8nClient,
	names: { credential: string; workflow: string; webhookPath: string },
	at: { values: Json; notifyUrl: string; baseUrl: string },
	options: Json = {},
): Promise<{ id: string }> {
	const created = await client.createCredential('autosharesTraderApi', names.credential, at.values);
	const workflow = await rest.createWorkflow(
		logInThenAccount(
			names.workflow,
			names.webhookPath,
			{ notifyUrl: at.notifyUrl, waitLimitMinutes: 5, ...options },
			{ id: created.id, name: created.name },
			`${at.baseUrl}/v1.0/users/@me/info`,
		),
	);
	await rest.activateWorkflow(workflow.id);
	return workflow;
}
