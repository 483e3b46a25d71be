/**
 * Workflow JSON for the real-n8n suite. Node versions that both n8n 1.123 and 2.40 load:
 * Webhook 2, HTTP Request 4.2, Split Out 1.
 */
import { randomUUID } from 'crypto';

type Json = Record<string, unknown>;
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
	credential: { id: string; name: string },
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
	credential: { id: string; name: string },
	accountUrl: string,
): Json {
	return chain(name, [
		webhookNode(webhookPath, 'onReceived'),
		node(
			'Log In',
			'n8n-nodes-token-auth.autosharesTrader',
			1,
			{ operation: 'logIn', options },
			{ credentials: { autosharesTraderApi: credential } },
		),
		httpRequestNode('Account', accountUrl, 'autosharesTraderApi', credential),
	]);
}
