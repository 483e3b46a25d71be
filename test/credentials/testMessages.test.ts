/**
 * What the editor's credential Test (and a request's credential token step) tells the user when
 * it cannot pass: the Sirdata login that n8n 2.x cannot send, a refused Soda key pair, a Soda
 * base URL without /v1.
 */
import type {
	ICredentialDataDecryptedObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
} from 'n8n-workflow';

import { requesterFrom } from '../../nodes/shared/http';
import { obtainToken } from '../../nodes/shared/obtainToken';
import { providers, type VendorId } from '../../nodes/shared/providers';
import { testNode, type VendorFixture } from '../../scripts/sandbox/fixtures';
import {
	decryptedAs,
	helperWithCred,
	n8nRequestHelpers,
	nodeTypesOf,
	runWorkflow,
	testNewCredential,
	testNodeDescription,
} from '../helpers/n8n';
import { useSandbox } from '../helpers/sandbox';
import { SANDBOX_ACCOUNTS, type Sandbox } from '../../scripts/sandbox';

let sandbox: Sandbox;
let fx: Record<VendorId, VendorFixture>;

useSandbox((started, fixtures) => ((sandbox = started), (fx = fixtures)));

/** The message up to the end of its first sentence (a period followed by a space and a capital). */
function firstSentence(message: string): string {
	const end = message.search(/\.\)? [A-Z(]/);
	return end === -1 ? message : message.slice(0, end + 1);
}

/**
 * A node that calls a URL with a credential through n8n-core's httpRequestWithAuthentication:
 * the credential token step every node request (the HTTP Request node's included) goes through.
 */
function authenticatedRequestNode(credentialType: string): INodeType {
	return {
		description: testNodeDescription(
			'Authenticated Request',
			'authenticatedRequest',
			credentialType,
			[{ displayName: 'URL', name: 'url', type: 'string', default: '' }],
		),
		async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
			const url = this.getNodeParameter('url', 0) as string;
			const json = await this.helpers.httpRequestWithAuthentication.call(this, credentialType, {
				url,
				method: 'GET',
				json: true,
			});
			return [[{ json }]];
		},
	} as INodeType;
}

async function requestThroughCredential(
	credentialType: string,
	data: ICredentialDataDecryptedObject,
	url: string,
) {
	const helper = helperWithCred(credentialType, data);
	const node = testNode({
		id: 'request',
		name: 'Request',
		type: 'test.authenticatedRequest',
		parameters: { url },
		credential: credentialType,
	});
	const { run } = await runWorkflow({
		nodeTypes: nodeTypesOf({
			'test.authenticatedRequest': authenticatedRequestNode(credentialType),
		}),
		nodes: [node],
		helper,
	});
	return run.data.resultData.error;
}

describe('Sirdata on n8n 2.x: the credential token step cannot send the login', () => {
	it('the Test says first that it cannot check the login and the password was not checked, then what to do; right and wrong passwords read the same', async () => {
		const f = fx.sirdata;
		const right = await testNewCredential('sirdataApi', f.good);
		const wrong = await testNewCredential('sirdataApi', f.bad);
		expect(right.status).toBe('Error');
		expect(wrong).toEqual(right);

		const first = firstSentence(right.message);
		expect(first).toMatch(/^Sirdata token request: /);
		expect(first).toMatch(/Test cannot check a Sirdata login/);
		expect(first).toMatch(/n8n 2\.x/);
		expect(first).toMatch(/password was not checked/);
		// Nothing in it reads as a verdict on the values.
		expect(right.message).not.toMatch(/refused|invalid|incorrect/i);
		// Then what to do: a Get Token node with this credential, after which the Test passes.
		const rest = right.message.slice(first.length);
		expect(rest).toMatch(/Get Token node.*this credential/);
		expect(rest).toMatch(/the Test passes/);
		expect(sandbox.vendors.sirdata.tokenCalls).toBe(0);
	});

	it('a node request with the credential (the HTTP Request path) gets the same text, right for it too', async () => {
		const f = fx.sirdata;
		const test = await testNewCredential('sirdataApi', f.good);
		const error = await requestThroughCredential(
			'sirdataApi',
			f.good,
			`${sandbox.vendors.sirdata.origin}/__sandbox/echo`,
		);
		expect(error?.message).toBe(test.message);
		// It does not speak of "this test" where no test runs.
		expect(test.message).not.toMatch(/this test/i);
		expect(test.message).toMatch(/HTTP Request node/);
		expect(sandbox.vendors.sirdata.tokenCalls).toBe(0);
	});

	it('after the advice is followed (a Get Token node ran) the Test passes and the node request works', async () => {
		const f = fx.sirdata;
		await obtainToken(
			requesterFrom(n8nRequestHelpers()),
			providers.sirdata,
			decryptedAs('sirdataApi', f.good),
		);
		expect(await testNewCredential('sirdataApi', f.good)).toEqual({
			status: 'OK',
			message: 'Connection successful!',
		});
		expect(
			await requestThroughCredential(
				'sirdataApi',
				f.good,
				`${sandbox.vendors.sirdata.origin}/__sandbox/echo`,
			),
		).toBeUndefined();
	});
});

describe('Soda Cloud, API key method', () => {
	const keyPair = (secret: string) => ({
		region: 'custom',
		baseUrl: sandbox.vendors.sodaCloud.baseUrl,
		authMethod: 'apiKey',
		apiKeyId: SANDBOX_ACCOUNTS.sodaCloud.apiKey.id,
		apiKeySecret: secret,
	});

	it('a refused key pair: the Test names the vendor, what was refused and where to create a key pair', async () => {
		const result = await testNewCredential('sodaCloudApi', keyPair('wrong-secret'));
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(
			/^Soda Cloud [a-z ]+: the API key ID or secret was refused \(HTTP 401\)\./,
		);
		expect(result.message).toMatch(/create a (new )?key pair in Soda Cloud \(profile → API Keys\)/);
		expect(result.message).not.toContain('wrong-secret');
		// The right pair still passes.
		expect(
			await testNewCredential('sodaCloudApi', keyPair(SANDBOX_ACCOUNTS.sodaCloud.apiKey.secret)),
		).toEqual({ status: 'OK', message: 'Connection successful!' });
	});

	it('the refusal message has the quality of the email/password one', async () => {
		const byPassword = await testNewCredential('sodaCloudApi', fx.sodaCloud.bad);
		const byKey = await testNewCredential('sodaCloudApi', keyPair('wrong-secret'));
		expect(byPassword.message).toMatch(
			/^Soda Cloud token request: the email or password was refused \(HTTP 401\)\. Check /,
		);
		expect(byKey.message).toMatch(
			/^Soda Cloud [a-z ]+: the API key ID or secret was refused \(HTTP 401\)\. Check /,
		);
	});
});

describe('Soda Cloud, custom base URL without /v1', () => {
	it.each([
		['API key', { authMethod: 'apiKey', apiKeyId: 'key-id', apiKeySecret: 'key-secret' }],
		['email and password', { authMethod: 'token', email: 'a@example.com', password: 'pw' }],
	])(
		'%s: the Test says the base URL must end in /v1, before any request',
		async (_method, auth) => {
			for (const baseUrl of [
				sandbox.vendors.sodaCloud.origin,
				`${sandbox.vendors.sodaCloud.origin}/`,
				`${sandbox.vendors.sodaCloud.origin}/api`,
			]) {
				const result = await testNewCredential('sodaCloudApi', {
					region: 'custom',
					baseUrl,
					...auth,
				});
				expect({ baseUrl, ...result }).toEqual({
					baseUrl,
					status: 'Error',
					message: expect.stringMatching(
						/^Soda Cloud settings: Base URL must end in \/v1\b.*https:\/\/reporting\.cloud\.soda\.io\/v1/,
					),
				});
			}
			expect(sandbox.vendors.sodaCloud.requests).toHaveLength(0);
		},
	);

	it('a base URL ending in /v1 (with or without a trailing slash) is accepted', async () => {
		for (const baseUrl of [
			sandbox.vendors.sodaCloud.baseUrl,
			`${sandbox.vendors.sodaCloud.baseUrl}/`,
		]) {
			expect(
				await testNewCredential('sodaCloudApi', {
					...fx.sodaCloud.good,
					baseUrl,
				}),
			).toMatchObject({ status: 'OK' });
		}
	});
});
