/**
 * A credential's domain restriction in a real n8n: a credential restricted to example.com whose
 * token host is the sandbox on 127.0.0.1. n8n's HTTP Request node refuses it (n8n 2.x checks
 * the token step itself; on n8n 1.x, which checks only the request after it, the credential's
 * token step does); Get Token and Log In must refuse it too, with n8n's error and no token call.
 * On both major versions.
 */
import { assert, type Check } from '../../scripts/runtime/checks';
import type { N8nClient } from '../../scripts/runtime/n8nClient';
import type { VendorFixture } from '../../scripts/sandbox/fixtures';
import type { VendorServer } from '../../scripts/sandbox';
import { chain, getTokenNode, httpRequestNode, logInNode, webhookNode } from './workflows';

export interface DomainRestrictionContext {
	at: string;
	version: string;
	client: N8nClient;
	check: Check;
	log: (line: string) => void;
	manis: { fixture: VendorFixture; server: VendorServer };
	autoshares: { fixture: VendorFixture; server: VendorServer };
}

const RESTRICTED = { allowedHttpRequestDomains: 'domains', allowedDomains: 'example.com' };

/**
 * Runs a one-node-after-webhook workflow (`restricted <label>`, at the webhook path
 * `restricted-<label>`) and returns its failed execution's error text.
 */
async function failingRun(
	client: N8nClient,
	label: string,
	last: Record<string, unknown>,
): Promise<string> {
	const webhookPath = `restricted-${label.replace(/ /g, '-')}`;
	const workflow = await client.createWorkflow(
		chain(`restricted ${label}`, [webhookNode(webhookPath), last]),
	);
	await client.activateWorkflow(workflow.id);
	await client.postJson(webhookPath, {});
	const execution = await client.waitForExecution((e) => e.status === 'error', 15_000, workflow.id);
	return JSON.stringify(execution.data.resultData.error ?? '');
}

/** No token call reached the sandbox since `before`, and `what` failed with n8n's domain error. */
function refusedForTheDomain(what: string, error: string, server: VendorServer, before: number) {
	assert(
		server.tokenCalls === before,
		`${server.tokenCalls - before} token call(s) reached the host that is not allowed`,
	);
	assert(
		/Domain not allowed/.test(error),
		`${what} did not fail with n8n's domain error: ${error.slice(0, 300)}`,
	);
}

export async function domainRestrictionChecks(ctx: DomainRestrictionContext): Promise<void> {
	const { at, client, check, log } = ctx;
	/** The fixture's good values, restricted to example.com. */
	const restricted = async (fixture: VendorFixture, name: string) => {
		const created = await client.createCredential(fixture.credentialType, name, {
			...fixture.good,
			...RESTRICTED,
		});
		return { id: created.id, name: created.name };
	};
	await check(
		`${at} domain restriction: a Manis credential restricted to example.com sends nothing from HTTP Request (n8n) or Get Token (this package)`,
		async () => {
			const { fixture, server } = ctx.manis;
			const ref = await restricted(fixture, 'Manis (restricted to example.com)');
			const before = server.tokenCalls;
			const viaHttp = await failingRun(
				client,
				'http',
				httpRequestNode(
					'HTTP Request',
					`${server.origin}/__sandbox/echo`,
					fixture.credentialType,
					ref,
				),
			);
			const viaGetToken = await failingRun(
				client,
				'get token',
				getTokenNode('manis', fixture.credentialType, ref),
			);
			log(`Get Token's error: ${viaGetToken.slice(0, 200)}`);
			refusedForTheDomain('Get Token', viaGetToken, server, before);
			assert(viaHttp !== '', 'the HTTP Request node did not fail');
			assert(!viaGetToken.includes(String(fixture.good.secret)), 'the secret is in the error');
		},
	);

	await check(
		`${at} domain restriction: Log In with a restricted Autoshares credential sends neither the login nor a notify call`,
		async () => {
			const { fixture, server } = ctx.autoshares;
			const ref = await restricted(fixture, 'Autoshares (restricted to example.com)');
			const before = server.tokenCalls;
			const error = await failingRun(client, 'log in', logInNode(ref));
			refusedForTheDomain('Log In', error, server, before);
		},
	);
}
