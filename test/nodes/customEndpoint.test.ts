/**
 * Custom Token Endpoint in workflows: Get Token, and requests through n8n's own helpers, against
 * the generic API that answers 403 (or another configured status) once a token has expired.
 *
 * The sandbox runs on a clock of its own, moved ahead to expire a token on the API's side while
 * the package still holds it as valid by its stated expiry (a revocation by time, a clock skew):
 * the case where only the "expired" answer can tell.
 */
import { Settings } from 'luxon';
import type {
	IDataObject,
	IExecuteFunctions,
	INode,
	INodeExecutionData,
	INodeType,
} from 'n8n-workflow';

import { GetToken } from '../../nodes/GetToken/GetToken.node';
import { customEndpoint } from '../../nodes/shared/providers';
import { tokenStore } from '../../nodes/shared/tokenStore';
import { genericSettings, getTokenNode, testNode } from '../../scripts/sandbox/fixtures';
import {
	helperWithCred,
	n8nRequestHelpers,
	nodeTypesOf,
	runWorkflow,
	TestCredentialsHelper,
	testNodeDescription,
} from '../helpers/n8n';
import { startSandbox, type Sandbox } from '../../scripts/sandbox';

const TYPE = 'customTokenEndpointApi';
const HOUR = 3600_000;

/**
 * A node that sends one request per item with the credential, all at once, the way n8n's HTTP
 * Request node (n8n-nodes-base HttpRequestV3, Authentication → Predefined Credential Type) does:
 * `requestWithAuthentication`. `helper: 'http'` uses the newer httpRequestWithAuthentication,
 * as declarative nodes and this package's Autoshares node do, with or without the credential's
 * expired statuses as preAuthenticationRetryStatusCode.
 */
class RequestLikeHttpNode implements INodeType {
	description = testNodeDescription('Request', 'request', TYPE, [
		{ displayName: 'URL', name: 'url', type: 'string', default: '' },
		{ displayName: 'Helper', name: 'helper', type: 'string', default: 'legacy' },
		{
			displayName: 'Retry On Expired Statuses',
			name: 'retryOnExpired',
			type: 'boolean',
			default: false,
		},
	]);

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const url = this.getNodeParameter('url', 0) as string;
		const helper = this.getNodeParameter('helper', 0) as string;
		const retryOnExpired = this.getNodeParameter('retryOnExpired', 0) as boolean;
		const fields = customEndpoint.readFields(await this.getCredentials(TYPE));
		const answers = await Promise.allSettled(
			items.map(async (_item, index) =>
				helper === 'legacy'
					? // eslint-disable-next-line @n8n/community-nodes/no-deprecated-workflow-functions -- n8n's HTTP Request node still calls it: that is what is under test
						((await this.helpers.requestWithAuthentication.call(
							this,
							TYPE,
							{ uri: url, json: true },
							undefined,
							index,
						)) as IDataObject)
					: ((await this.helpers.httpRequestWithAuthentication.call(
							this,
							TYPE,
							{ url, json: true },
							retryOnExpired
								? {
										preAuthenticationRetryStatusCode:
											customEndpoint.expiredTokenStatusCodes(fields),
									}
								: undefined,
						)) as IDataObject),
			),
		);
		return [
			answers.map((answer, index) => ({
				json:
					answer.status === 'fulfilled'
						? answer.value
						: { failed: String((answer.reason as Error).message) },
				pairedItem: { item: index },
			})),
		];
	}
}

const nodeTypes = nodeTypesOf({
	'n8n-nodes-token-auth.getToken': new GetToken(),
	'test.request': new RequestLikeHttpNode(),
});

let skew = 0;
/** When set, the API's clock stands still there (before the skew). */
let apiFrozenAt: number | undefined;
let sandbox: Sandbox;
let executions = 0;
beforeAll(async () => {
	sandbox = await startSandbox({ clock: () => (apiFrozenAt ?? Date.now()) + skew });
});
afterAll(async () => await sandbox.close());
beforeEach(() => {
	skew = 0;
	tokenStore.clear();
	sandbox.vendors.customEndpoint.reset();
	sandbox.vendors.customEndpoint.configure({
		expiryForm: 'jwt',
		expiredStatus: 403,
		loginAs: 'form',
	});
});

const server = () => sandbox.vendors.customEndpoint;

/** The API's clock moves two hours on: every token issued so far is expired there, not here. */
function expireOnTheApi(): void {
	skew += 2 * HOUR;
}

async function getToken(
	data: IDataObject,
	options: IDataObject = {},
	helper = helperWithCred(TYPE, data),
) {
	const { run } = await runWorkflow({
		nodeTypes,
		nodes: [getTokenNode('customEndpoint', options)],
		helper,
		executionId: `custom-${++executions}`,
	});
	const error = run.data.resultData.error;
	return { error, output: run.data.resultData.runData['Get Token']?.[0]?.data?.main[0]?.[0]?.json };
}

/** What a downstream HTTP Request with Get Token's headers gets. */
async function callWith(headers: unknown): Promise<{ status: number; body: IDataObject }> {
	const answer = (await n8nRequestHelpers().httpRequest({
		url: `${server().baseUrl}/me`,
		headers: headers as IDataObject,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		json: true,
	})) as IDataObject;
	return { status: answer.statusCode as number, body: answer.body as IDataObject };
}

describe('Get Token with Custom Token Endpoint', () => {
	it.each([401, 403, 419])(
		'a request refused with %i, a configured expired status, is followed by exactly one refresh',
		async (status) => {
			server().configure({ expiredStatus: status });
			const data = genericSettings(sandbox, { expiredStatusCodes: '401, 403, 419' });
			const first = await getToken(data);
			expect(first.error).toBeUndefined();
			expect((await callWith(first.output!.headers)).status).toBe(200);
			expireOnTheApi();
			const refused = await callWith(first.output!.headers);
			expect(refused.status).toBe(status);
			// The workflow reports the refusal: the token, the status, the answer's text.
			const report = {
				refusedToken: first.output!.token,
				refusedStatus: refused.status,
				refusedAnswer: JSON.stringify(refused.body),
			};
			const second = await getToken(data, report);
			expect(second.output!.token).not.toBe(first.output!.token);
			expect(server().tokenCalls).toBe(2);
			expect((await callWith(second.output!.headers)).status).toBe(200);
			// Other executions reporting the same refused token share that refresh.
			const later = await Promise.all([
				getToken(data, report),
				getToken(data, report),
				getToken(data),
			]);
			expect(later.map((run) => run.output!.token)).toEqual(Array(3).fill(second.output!.token));
			expect(server().tokenCalls).toBe(2);
		},
	);

	it('a status that is not a configured expired status does not refresh; Refused Status 0 always does', async () => {
		const data = genericSettings(sandbox, { expiredStatusCodes: '401' });
		const first = await getToken(data);
		expireOnTheApi();
		const refused = await callWith(first.output!.headers);
		expect(refused.status).toBe(403);
		const same = await getToken(data, { refusedToken: first.output!.token, refusedStatus: 403 });
		expect(same.output!.token).toBe(first.output!.token);
		expect(server().tokenCalls).toBe(1);
		const forced = await getToken(data, { refusedToken: first.output!.token, refusedStatus: 0 });
		expect(forced.output!.token).not.toBe(first.output!.token);
		expect(server().tokenCalls).toBe(2);
	});

	it('with an Expired Token Text, only an answer that contains it refreshes', async () => {
		const data = genericSettings(sandbox, {
			expiredStatusCodes: '401, 403',
			expiredText: 'token_expired',
		});
		const first = await getToken(data);
		const report = (answer: string) => ({
			refusedToken: first.output!.token,
			refusedStatus: 403,
			refusedAnswer: answer,
		});
		expect(
			(
				await getToken(
					data,
					report('{"error":{"code":"forbidden","message":"Missing permission"}}'),
				)
			).output!.token,
		).toBe(first.output!.token);
		expect(server().tokenCalls).toBe(1);
		expireOnTheApi();
		const refused = await callWith(first.output!.headers);
		const second = await getToken(data, report(JSON.stringify(refused.body)));
		expect(second.output!.token).not.toBe(first.output!.token);
		expect(server().tokenCalls).toBe(2);
	});

	it('a Refused Status that is no HTTP status is a settings error before any request', async () => {
		for (const refusedStatus of [99, 600, 2.5, 'abc']) {
			const { error } = await getToken(genericSettings(sandbox), {
				refusedToken: 'x',
				refusedStatus,
			});
			expect({ refusedStatus, name: error?.name, message: error?.message }).toEqual({
				refusedStatus,
				name: 'NodeOperationError',
				message:
					'Get Token settings: "Refused Status" must be an HTTP status from 100 to 599, or 0.',
			});
		}
		expect(server().tokenCalls).toBe(0);
	});

	it('Get Token refreshes shortly before the stated expiry, so a downstream request never meets the 403', async () => {
		// A controlled clock, no waiting. The API's clock stands still at t0 and its token lives
		// 30 s; the package's clock (luxon's, which stamps obtainedAt) says the token was got an
		// hour before t0. By the package's reckoning the token is then inside its refresh margin
		// (a tenth of its life, at most 60 s) at any moment from t0 on, while the API still takes it.
		const t0 = Date.now();
		apiFrozenAt = t0;
		Settings.now = () => t0 - HOUR;
		server().setLifetime(30);
		try {
			const data = genericSettings(sandbox);
			const first = await getToken(data);
			expect(first.error).toBeUndefined();
			// Still valid, but inside the margin: a new token before the API would answer 403.
			expect((await callWith(first.output!.headers)).status).toBe(200);
			const second = await getToken(data);
			expect(second.output!.token).not.toBe(first.output!.token);
			expect(server().tokenCalls).toBe(2);
			expect((await callWith(second.output!.headers)).status).toBe(200);
		} finally {
			Settings.now = () => Date.now();
			apiFrozenAt = undefined;
			server().setLifetime(3600);
		}
	});
});

describe("n8n's request helpers with the Custom Token Endpoint credential", () => {
	function requestNode(parameters: IDataObject): INode {
		return testNode({
			id: 'request',
			name: 'Request',
			type: 'test.request',
			parameters: { url: `${server().baseUrl}/me`, ...parameters },
			credential: TYPE,
		});
	}

	async function run(helper: TestCredentialsHelper, parameters: IDataObject, items = 1) {
		const { run: result } = await runWorkflow({
			nodeTypes,
			nodes: [requestNode(parameters)],
			helper,
			inputItems: Array.from({ length: items }, (_, i) => ({ i })),
			executionId: `custom-${++executions}`,
		});
		expect(result.data.resultData.error).toBeUndefined();
		return (result.data.resultData.runData.Request[0].data!.main[0] ?? []).map((item) => item.json);
	}

	it("the HTTP Request node's helper (requestWithAuthentication) refreshes after a 403 and retries: 100 items, one token call each time", async () => {
		const helper = helperWithCred(TYPE, genericSettings(sandbox));
		const first = await run(helper, { helper: 'legacy' }, 100);
		expect(
			first.every((json) => (json.data as IDataObject | undefined)?.username !== undefined),
		).toBe(true);
		expect(server().tokenCalls).toBe(1);
		expireOnTheApi();
		const second = await run(helper, { helper: 'legacy' }, 100);
		expect(second.filter((json) => json.failed !== undefined)).toEqual([]);
		expect(server().tokenCalls).toBe(2);
		// Every item was refused once with the old token, then sent the new one.
		expect(server().requests.filter((r) => r.path === '/api/me').length).toBe(300);
	});

	it('httpRequestWithAuthentication retries on 401 only, unless the node passes the expired statuses', async () => {
		const helper = helperWithCred(
			TYPE,
			genericSettings(sandbox, { expiredStatusCodes: '401, 403' }),
		);
		await run(helper, { helper: 'http' });
		expireOnTheApi();
		const plain = await run(helper, { helper: 'http' });
		expect(String(plain[0].failed)).toMatch(/403|Forbidden/);
		expect(server().tokenCalls).toBe(1);
		const retried = await run(helper, { helper: 'http', retryOnExpired: true });
		expect(retried[0]).toEqual({ data: { username: expect.any(String) } });
		expect(server().tokenCalls).toBe(2);
	});
});
