/**
 * A credential's domain restriction in a real n8n: a credential restricted to example.com whose
 * token host is the sandbox on 127.0.0.1. n8n's HTTP Request node refuses it (n8n 2.x checks
 * the token step itself; on n8n 1.x, which checks only the request after it, the credential's
 * token step does); Get Token and Log In must refuse it too, with n8n's error and no token call.
 * On both major versions.
 */
import type { N8nClient } from '../../scripts/runtime/n8nClient';
import type { VendorFixture } from '../../scripts/sandbox/fixtures';
import type { VendorServer } from '../../scripts/sandbox';
import { chain, httpRequestNode, node, webhookNode } from './workflows';

const PACKAGE = 'n8n-nodes-token-auth';

type Check = (name: string, run: () => Promise<void>) => Promise<void>;

export interface DomainRestrictionContext {
	at: string;
	version: string;
	client: N8nClient;
	check: Check;
	log: (line: string) => void;
	manis: { fixture: VendorFixture; server: VendorServer };
	autoshares: { fixture: VendorFixture; server: VendorServer };
}

function assert(condition: unknown, message: string): asserts condition {
	if (!condition) throw new Error(message);
}

const RESTRICTED = { allowedHttpRequestDomains: 'domains', allowedDomains: 'example.com' };

/** Runs a one-node-after-webhook workflow and returns its failed execution's error text. */
async function failingRun(
	client: N8nClient,
	name: string,
	webhookPath: string,
	last: Record<string, unknown>,
): Promise<string> {
	const workflow = await client.createWorkflow(chain(name, [webhookNode(webhookPath), last]));
	await client.activateWorkflow(workflow.id);
	const response = await client.callWebhook(webhookPath, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: '{}',
	});
	await response.text();
	const execution = await client.waitForExecution((e) => e.status === 'error', 15_000, workflow.id);
	return JSON.stringify(execution.data.resultData.error ?? '');
}

export async function domainRestrictionChecks(ctx: DomainRestrictionContext): Promise<void> {
	const { at, client, check, log } = ctx;
	await check(
		`${at} domain restriction: a Manis credential restricted to example.com sends nothing from HTTP Request (n8n) or Get Token (this package)`,
		async () => {
			const { fixture, server } = ctx.manis;
			const created = await client.createCredential(
				fixture.credentialType,
				'Manis (restricted to example.com)',
				{ ...fixture.good, ...RESTRICTED },
			);
			const ref = { id: created.id, name: created.name };
			const before = server.tokenCalls;
			const viaHttp = await failingRun(
				client,
				'restricted http',
				'restricted-http',
				httpRequestNode(
					'HTTP Request',
					`${server.origin}/__sandbox/echo`,
					fixture.credentialType,
					ref,
				),
			);
			const viaGetToken = await failingRun(
				client,
				'restricted get token',
				'restricted-get-token',
				node(
					'Get Token',
					`${PACKAGE}.getToken`,
					1,
					{ vendor: 'manis', options: {} },
					{ credentials: { [fixture.credentialType]: ref } },
				),
			);
			log(`Get Token's error: ${viaGetToken.slice(0, 200)}`);
			assert(
				server.tokenCalls === before,
				`${server.tokenCalls - before} token call(s) reached the host that is not allowed`,
			);
			assert(
				/Domain not allowed/.test(viaGetToken),
				`Get Token did not fail with n8n's domain error: ${viaGetToken.slice(0, 300)}`,
			);
			assert(viaHttp !== '', 'the HTTP Request node did not fail');
			assert(!viaGetToken.includes(String(fixture.good.secret)), 'the secret is in the error');
		},
	);

	await check(
		`${at} domain restriction: Log In with a restricted Autoshares credential sends neither the login nor a notify call`,
		async () => {
			const { fixture, server } = ctx.autoshares;
			const created = await client.createCredential(
				fixture.credentialType,
				'Autoshares (restricted to example.com)',
				{ ...fixture.good, ...RESTRICTED },
			);
			const before = server.tokenCalls;
			const error = await failingRun(
				client,
				'restricted log in',
				'restricted-log-in',
				node(
					'Log In',
					`${PACKAGE}.autosharesTrader`,
					1,
					{ operation: 'logIn', options: {} },
					{ credentials: { [fixture.credentialType]: { id: created.id, name: created.name } } },
				),
			);
			assert(
				server.tokenCalls === before,
				`${server.tokenCalls - before} token call(s) reached the host that is not allowed`,
			);
			assert(
				/Domain not allowed/.test(error),
				`Log In did not fail with n8n's domain error: ${error.slice(0, 300)}`,
			);
		},
	);
}
