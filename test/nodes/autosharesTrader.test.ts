import {
	createRunExecutionData,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type INode,
	type IRunExecutionData,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { AutosharesTrader } from '../../nodes/AutosharesTrader/AutosharesTrader.node';
import { storeKey } from '../../nodes/shared/provider';
import { autosharesTrader } from '../../nodes/shared/providers/autosharesTrader';
import { tokenStore } from '../../nodes/shared/tokenStore';
import { loginProgress as loginProgressForTests } from '../../nodes/AutosharesTrader/pausedLogin';
import { logInNode, testNode } from '../../scripts/sandbox/fixtures';
import {
	callResumeWebhook,
	helperWithCred,
	nodeTypesOf,
	openLogInPage,
	postToLogIn,
	resumeExecution,
	type RunOptions,
	runWorkflow,
} from '../helpers/n8n';
import { useSandbox } from '../helpers/sandbox';
import { SANDBOX_ACCOUNTS, type Sandbox } from '../../scripts/sandbox';

const { appKey, plain, twoFactor, pin, pinTwoFactor, pinNotInitialised } =
	SANDBOX_ACCOUNTS.autosharesTrader;

let sandbox: Sandbox;
const nodeTypes = nodeTypesOf({ 'n8n-nodes-token-auth.autosharesTrader': new AutosharesTrader() });
let executionCounter = 0;

useSandbox((started) => (sandbox = started), {
	beforeEach: (sandbox) =>
		sandbox.vendors.autosharesTrader.configure({
			wrongVerificationCode: 'retry',
			pinStepName: 'SecutityPin',
		}),
});

function credentials(account: IDataObject): ICredentialDataDecryptedObject {
	return {
		baseUrl: sandbox.vendors.autosharesTrader.baseUrl,
		webApiKey: appKey,
		...account,
	} as ICredentialDataDecryptedObject;
}

function setup(account: IDataObject, options: IDataObject = {}, nodeExtra: Partial<INode> = {}) {
	const node = logInNode(options, nodeExtra);
	const helper = helperWithCred('autosharesTraderApi', credentials(account));
	const executionId = `execution-${++executionCounter}`;
	const base = { nodeTypes, nodes: [node], helper, executionId };
	const flow = {
		base,
		start: async (
			inputItems: IDataObject[] = [{ trigger: 1 }],
			inputBinary?: RunOptions['inputBinary'],
		) => await runWorkflow({ ...base, inputItems, inputBinary }),
		post: async (
			stored: IRunExecutionData,
			body: unknown,
			headers: IDataObject = { 'content-type': 'application/json' },
		) => await postToLogIn(base, stored, body, headers),
		get: async (stored: IRunExecutionData, query: IDataObject = {}) =>
			await openLogInPage(base, stored, query),
		/** A wrong code at the resume URL: refused with a 422, the login still waiting. */
		wrongCode: async (stored: IRunExecutionData) => {
			const answer = await flow.post(stored, { code: '000000' });
			expect(answer.response.status).toBe(422);
			return answer;
		},
		/** As n8n goes on after the resume URL's answer: the run continues with what Log In returned. */
		resume: async (answer: Awaited<ReturnType<typeof callResumeWebhook>>) =>
			await resumeExecution({
				...base,
				stored: answer.stored,
				workflowData: answer.result!.workflowData,
			}),
		/** After a wrong code, as n8n does: the run goes on into Log In, which pauses again. */
		pausedAgain: async (answer: Awaited<ReturnType<typeof callResumeWebhook>>) => {
			const { run } = await flow.resume(answer);
			expect(run.status).toBe('waiting');
			return run.data;
		},
	};
	return flow;
}

function infoFlow(
	account: IDataObject,
	nodeExtra: Partial<INode> = {},
	data: ICredentialDataDecryptedObject = credentials(account),
) {
	const node = testNode(
		{
			id: 'info',
			name: 'Info',
			type: 'n8n-nodes-token-auth.autosharesTrader',
			parameters: { operation: 'getAccountInfo' },
			credential: 'autosharesTraderApi',
		},
		nodeExtra,
	);
	const helper = helperWithCred('autosharesTraderApi', data);
	return {
		helper,
		run: async () =>
			await runWorkflow({
				nodeTypes,
				nodes: [node],
				helper,
				inputItems: [{}, {}],
			}),
	};
}

function outputOf(result: IWebhookResponseData | undefined): IDataObject[] {
	return (result?.workflowData?.[0] ?? []).map((item) => item.json);
}

describe('Autoshares Trader node: Log In', () => {
	it('direct 200: outputs the token, and the credential reuses it', async () => {
		const flow = setup(plain);
		const { run } = await flow.start();
		expect(run.status).toBe('success');
		const output = run.data.resultData.runData['Log In'][0].data!.main[0]![0].json;
		const issued = sandbox.vendors.autosharesTrader.issued[0];
		expect(output).toMatchObject({
			loggedIn: true,
			provider: 'autosharesTrader',
			token: issued.token,
			tokenType: 'Bearer',
			expiresAt: null,
			expiresIn: null,
			headers: { Authorization: `Bearer ${issued.token}` },
			credentialHeaders: ['Et-App-Key'],
		});
		expect(
			tokenStore.held(storeKey(autosharesTrader, autosharesTrader.readFields(credentials(plain))))
				?.token,
		).toBe(issued.token);
	});

	it('202 VerificationCode: waits; the right code finishes the login and resumes the workflow', async () => {
		const flow = setup(twoFactor, { outputField: 'auth' });
		const { run } = await flow.start([{ order: 1 }, { order: 2 }]);
		expect(run.status).toBe('waiting');
		expect(run.waitTill).toBeInstanceOf(Date);
		const server = sandbox.vendors.autosharesTrader;
		expect(server.tokenCalls).toBe(1);

		const page = await flow.get(run.data);
		expect(page.result).toEqual({ noWebhookResponse: true });
		expect(page.response.status).toBe(200);
		expect(String(page.response.body)).toContain('<form method="POST"');
		const interim = server.issued.find((t) => t.interim)!.token;
		expect(String(page.response.body)).not.toContain(interim);

		const done = await flow.post(run.data, { code: server.lastVerificationCode });
		expect(done.error).toBeUndefined();
		expect(done.response.status).toBe(200);
		const final = server.issued.find((t) => !t.interim)!;
		const outputs = outputOf(done.result);
		expect(outputs).toHaveLength(2);
		expect(outputs[1]).toMatchObject({ order: 2, auth: { loggedIn: true, token: final.token } });
		expect(done.result?.workflowData?.[0][1].pairedItem).toEqual({ item: 1 });
		// The second call carried the interim token and the code with the same headers.
		const second = server.requests.filter((r) => r.path === '/api/token')[1];
		expect(second.headers).toMatchObject({
			authorization: `Bearer ${interim}`,
			verificationcode: server.lastVerificationCode,
			'et-app-key': appKey,
			username: twoFactor.username,
		});
		// The credential of this process now uses the node's token.
		expect(
			tokenStore.held(
				storeKey(autosharesTrader, autosharesTrader.readFields(credentials(twoFactor))),
			)?.token,
		).toBe(final.token);

		const resumed = await flow.resume(done);
		expect(resumed.run.status).toBe('success');
		expect(
			resumed.run.data.resultData.runData['Log In'].at(-1)!.data!.main[0]![0].json,
		).toMatchObject({ auth: { loggedIn: true } });

		// The seal was overwritten when the login ended: a call that still reaches webhook()
		// finds nothing waiting and makes no token call.
		const late = await flow.post(done.stored, { code: server.lastVerificationCode });
		expect(late.response.status).toBe(410);
		expect(server.tokenCalls).toBe(2);
	});

	it('a second Log In reuses the 2FA token; Force New Login logs in again and waits for a new code', async () => {
		const flow = setup(twoFactor);
		const { run } = await flow.start();
		const server = sandbox.vendors.autosharesTrader;
		await flow.post(run.data, { code: server.lastVerificationCode });
		const calls = server.tokenCalls;
		const again = await flow.start();
		expect(again.run.status).toBe('success');
		expect(server.tokenCalls).toBe(calls);
		const forced = setup(twoFactor, { forceNewLogin: true });
		const fresh = await forced.start();
		expect(fresh.run.status).toBe('waiting');
		expect(server.tokenCalls).toBe(calls + 1);
	});

	it('saves the two-factor token in the credential, where every n8n process reads it', async () => {
		const flow = setup(twoFactor);
		const { run } = await flow.start();
		const done = await flow.post(run.data, {
			code: sandbox.vendors.autosharesTrader.lastVerificationCode,
		});
		const final = sandbox.vendors.autosharesTrader.issued.find((t) => !t.interim)!;
		expect(outputOf(done.result)[0]).toMatchObject({ loggedIn: true, token: final.token });
		// n8n saved what the credential's token step returned: the login's token, no new login.
		expect(flow.base.helper.saves).toContain('cred');
		expect(flow.base.helper.store.cred.data).toMatchObject({ accessToken: final.token });
		expect(sandbox.vendors.autosharesTrader.tokenCalls).toBe(2);
		// Another process, with an empty store, sends it from the credential.
		tokenStore.clear();
		const info = await infoFlow(twoFactor, {}, flow.base.helper.store.cred.data).run();
		expect(info.run.status).toBe('success');
		expect(sandbox.vendors.autosharesTrader.tokenCalls).toBe(2);
	});

	it('a credential edited while the login waits: the seal does not open, the node fails with the reason', async () => {
		const flow = setup(twoFactor);
		const { run } = await flow.start();
		flow.base.helper.store.cred.data = {
			...flow.base.helper.store.cred.data,
			password: 'Changed#1',
		};
		const answer = await flow.post(run.data, {
			code: sandbox.vendors.autosharesTrader.lastVerificationCode,
		});
		expect(answer.response.status).toBe(403);
		const resumed = await flow.resume(answer);
		expect(resumed.run.status).toBe('error');
		expect(resumed.run.data.resultData.error?.message).toMatch(
			/^Autoshares Trader verification code: the paused login can no longer be opened\./,
		);
		expect(sandbox.vendors.autosharesTrader.tokenCalls).toBe(1);
	});

	it("fails before pausing when the execution's custom data has no room for the login", async () => {
		const flow = setup(twoFactor);
		// Other nodes (an Execution Data node, say) already use the 10 keys n8n keeps.
		const runExecutionData = createRunExecutionData({
			resultData: {
				runData: {},
				metadata: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`other${i}`, 'x'])),
			},
			executionData: {
				nodeExecutionStack: [
					{ node: flow.base.nodes[0], data: { main: [[{ json: { row: 1 } }]] }, source: null },
				],
			},
		});
		const { run } = await runWorkflow({ ...flow.base, runExecutionData });
		expect(run.waitTill).toBeUndefined();
		expect(run.data.resultData.error?.name).toBe('NodeOperationError');
		expect(run.data.resultData.error?.message).toMatch(
			/could not keep the paused login with the execution, so the login was not paused/,
		);
	});

	it('accepts the code as form data and as a query parameter', async () => {
		for (const send of ['form', 'query'] as const) {
			tokenStore.clear();
			const flow = setup(twoFactor);
			const { run } = await flow.start();
			const code = sandbox.vendors.autosharesTrader.lastVerificationCode;
			const done =
				send === 'form'
					? await flow.post(
							run.data,
							{ code },
							{ 'content-type': 'application/x-www-form-urlencoded' },
						)
					: await callResumeWebhook({
							...flow.base,
							stored: run.data,
							nodeName: 'Log In',
							method: 'GET',
							query: { code },
						});
			expect(outputOf(done.result)[0]).toMatchObject({ loggedIn: true });
			if (send === 'form') expect(String(done.response.body)).toContain('Logged in');
		}
	});

	it('wrong code then right code: keeps waiting with a clear 422, then logs in', async () => {
		const flow = setup(twoFactor);
		const { run } = await flow.start();
		const wrong = await flow.wrongCode(run.data);
		expect(wrong.response.body).toMatchObject({ status: 'wrongCode', attemptsLeft: 2 });
		// The attempt is counted in the seal: the run goes on into Log In, which pauses again at
		// once, with no token call, and the same resume URL takes the next code.
		const calls = sandbox.vendors.autosharesTrader.tokenCalls;
		const again = await flow.resume(wrong);
		expect(again.run.status).toBe('waiting');
		expect(sandbox.vendors.autosharesTrader.tokenCalls).toBe(calls);
		const right = await flow.post(again.run.data, {
			code: sandbox.vendors.autosharesTrader.lastVerificationCode,
		});
		expect(outputOf(right.result)[0]).toMatchObject({ loggedIn: true });
	});

	it('a code that arrives while the last wrong one is still being counted is asked to come again, and sent nowhere', async () => {
		const flow = setup(twoFactor);
		const { run } = await flow.start();
		const wrong = await flow.wrongCode(run.data);
		const calls = sandbox.vendors.autosharesTrader.tokenCalls;
		const code = sandbox.vendors.autosharesTrader.lastVerificationCode;
		// Before n8n has saved the continuation (the data as it was), on this process:
		const early = await flow.post(run.data, { code });
		expect(early.response.status).toBe(409);
		// After it saved the continuation but before Log In paused again (another process too):
		loginProgressForTests.clear();
		const between = await flow.post(wrong.stored, { code });
		expect(between.response.status).toBe(409);
		expect(sandbox.vendors.autosharesTrader.tokenCalls).toBe(calls);
		// Once paused again, the code is taken.
		const done = await flow.post(await flow.pausedAgain(wrong), { code });
		expect(outputOf(done.result)[0]).toMatchObject({ loggedIn: true });
	});

	it('the attempt limit holds when the next code reaches a process that never saw the earlier ones (a restart, another webhook process)', async () => {
		const flow = setup(twoFactor, { maxAttempts: 2 });
		const { run } = await flow.start();
		const first = await flow.wrongCode(run.data);
		const again = await flow.resume(first);
		// Nothing of this process's memory is needed: the count went with the execution.
		loginProgressForTests.clear();
		tokenStore.clear();
		const second = await flow.post(again.run.data, { code: '111111' });
		expect(second.response.status).toBe(403);
		const failed = await flow.resume(second);
		expect(failed.run.data.resultData.error?.message).toMatch(/2 wrong codes/);
	});

	it('handles a vendor that asks again (202) after a wrong code', async () => {
		sandbox.vendors.autosharesTrader.configure({ wrongVerificationCode: 'reprompt' });
		const flow = setup(twoFactor);
		const { run } = await flow.start();
		const wrong = await flow.wrongCode(run.data);
		const again = await flow.pausedAgain(wrong);
		expect(
			outputOf(
				(await flow.post(again, { code: sandbox.vendors.autosharesTrader.lastVerificationCode }))
					.result,
			)[0],
		).toMatchObject({ loggedIn: true });
	});

	it('too many wrong codes fail the execution with a clear error', async () => {
		const flow = setup(twoFactor, { maxAttempts: 2 });
		const { run } = await flow.start();
		const first = await flow.wrongCode(run.data);
		const again = await flow.resume(first);
		const last = await flow.post(again.run.data, { code: '111111' });
		expect(last.response.status).toBe(403);
		// The run resumes with the failure attached: the node fails with it.
		const resumed = await flow.resume(last);
		expect(resumed.run.status).toBe('error');
		expect(resumed.run.data.resultData.error?.name).toBe('NodeApiError');
		expect(resumed.run.data.resultData.error?.message).toMatch(/2 wrong codes/);
		expect(resumed.run.data.resultData.runData['Log In'].at(-1)?.error?.message).toMatch(
			/2 wrong codes/,
		);
		// Where n8n cannot attach it (1.x), the items say it.
		expect(outputOf(last.result)[0]).toMatchObject({
			loggedIn: false,
			error: expect.stringMatching(/2 wrong codes/),
		});
		// The login is over: even the right code is not sent any more.
		const calls = sandbox.vendors.autosharesTrader.tokenCalls;
		expect(
			(
				await flow.post(last.stored, {
					code: sandbox.vendors.autosharesTrader.lastVerificationCode,
				})
			).response.status,
		).toBe(410);
		expect(sandbox.vendors.autosharesTrader.tokenCalls).toBe(calls);
	});

	it('a code of the wrong shape is refused without calling Autoshares', async () => {
		const flow = setup(twoFactor);
		const { run } = await flow.start();
		for (const code of ['12', 'x'.repeat(40), '12 34', '<script>', { nested: 1 }]) {
			const answer = await flow.post(run.data, { code });
			expect(answer.response.status).toBe(400);
		}
		expect(sandbox.vendors.autosharesTrader.tokenCalls).toBe(1);
	});

	// The documented spelling, and the corrected one scripts/sandbox/CONTRACTS.md says to accept as well.
	it.each(['SecutityPin', 'SecurityPin'] as const)(
		'PIN step (%s) without a configured PIN: waits for the PIN like a code',
		async (pinStepName) => {
			sandbox.vendors.autosharesTrader.configure({ pinStepName });
			const flow = setup({ username: pin.username, password: pin.password });
			const { run } = await flow.start();
			expect(run.status).toBe('waiting');
			const page = await flow.get(run.data);
			expect(String(page.response.body)).toContain('PIN');
			const done = await flow.post(run.data, { code: pin.pin });
			expect(outputOf(done.result)[0]).toMatchObject({ loggedIn: true });
			const second = sandbox.vendors.autosharesTrader.requests.filter(
				(r) => r.path === '/api/token',
			)[1];
			expect(second.headers.pincode).toBe(pin.pin);
		},
	);

	it('PIN configured, then 2FA: waits for the code only', async () => {
		const flow = setup({
			username: pinTwoFactor.username,
			password: pinTwoFactor.password,
			pinPassword: pinTwoFactor.pin,
		});
		const { run } = await flow.start();
		expect(run.status).toBe('waiting');
		const done = await flow.post(run.data, {
			code: sandbox.vendors.autosharesTrader.lastVerificationCode,
		});
		expect(outputOf(done.result)[0]).toMatchObject({ loggedIn: true });
	});

	it('missing interim token ("Corrupted ticket") fails the execution', async () => {
		sandbox.vendors.autosharesTrader.configure({ wrongVerificationCode: 'invalidate' });
		const flow = setup(twoFactor);
		const { run } = await flow.start();
		// The first wrong code burns the interim token; the next call gets Corrupted ticket.
		const wrong = await flow.wrongCode(run.data);
		const lost = await flow.post(await flow.pausedAgain(wrong), {
			code: sandbox.vendors.autosharesTrader.lastVerificationCode,
		});
		expect(lost.response.status).toBe(403);
		const resumed = await flow.resume(lost);
		expect(resumed.run.status).toBe('error');
		expect(resumed.run.data.resultData.error?.message).toMatch(/Corrupted ticket/);
	});

	it("keeps the input items' binary data through the pause (Put Output in Field)", async () => {
		const binary = { data: { data: 'aGVsbG8=', mimeType: 'text/plain', fileName: 'order.txt' } };
		const flow = setup(twoFactor, { outputField: 'auth' });
		const { run } = await flow.start([{ order: 1 }], [binary]);
		expect(run.status).toBe('waiting');
		const done = await flow.post(run.data, {
			code: sandbox.vendors.autosharesTrader.lastVerificationCode,
		});
		const item = done.result?.workflowData?.[0]?.[0];
		expect(item?.json).toMatchObject({ order: 1, auth: { loggedIn: true } });
		expect(item?.binary).toEqual(binary);
	});

	it('with Continue On Fail a failed login is an error on every item', async () => {
		const flow = setup(
			{ ...plain, webApiKey: 'wrong-key' },
			{},
			{ onError: 'continueRegularOutput' },
		);
		const { run } = await flow.start([{ a: 1 }, { a: 2 }]);
		expect(run.status).toBe('success');
		const items = run.data.resultData.runData['Log In'][0].data!.main[0]!;
		expect(items).toHaveLength(2);
		expect(items[1].json.error).toMatch(/app key was refused/);
		expect(items[1].pairedItem).toEqual({ item: 1 });
		expect(JSON.stringify(items)).not.toContain('wrong-key');
	});

	it('bad app key and an uninitialised PIN fail at once, without waiting', async () => {
		const badKey = setup({ ...plain, webApiKey: 'wrong-key' });
		const failed = await badKey.start();
		expect(failed.run.status).toBe('error');
		expect(failed.run.data.resultData.error?.message).toMatch(/app key was refused/);
		expect(JSON.stringify(failed.run.data)).not.toContain('wrong-key');
		const noPin = await setup(pinNotInitialised).start();
		expect(noPin.run.data.resultData.error?.message).toMatch(/no PIN yet/);
	});

	it('timeout: n8n passes the input items through, without "loggedIn"', async () => {
		const flow = setup(twoFactor, { waitLimitMinutes: 1 });
		const before = Date.now();
		const { run } = await flow.start([{ trigger: 'input' }]);
		const after = Date.now();
		// The wait limit is one minute from when Log In ran, bracketed by the clock around the run.
		expect(run.waitTill!.getTime()).toBeGreaterThanOrEqual(before + 60_000);
		expect(run.waitTill!.getTime()).toBeLessThanOrEqual(after + 60_000);
		const timedOut = await resumeExecution({ ...flow.base, stored: run.data });
		const output = timedOut.run.data.resultData.runData['Log In'].at(-1)!.data!.main[0]![0].json;
		expect(output).toEqual({ trigger: 'input' });
		expect(output.loggedIn).toBeUndefined();
	});

	it('notifies the notify URL with the resume URL before waiting', async () => {
		const received: IDataObject[] = [];
		const http = await import('node:http');
		const listener = http.createServer((req, res) => {
			let body = '';
			req.on('data', (chunk) => (body += chunk));
			req.on('end', () => {
				received.push(JSON.parse(body) as IDataObject);
				res.end('{}');
			});
		});
		await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
		try {
			const port = (listener.address() as { port: number }).port;
			const flow = setup(twoFactor, { notifyUrl: `http://127.0.0.1:${port}/notify` });
			const { run } = await flow.start();
			expect(run.status).toBe('waiting');
			expect(received).toHaveLength(1);
			expect(received[0]).toMatchObject({
				step: 'verificationCode',
				reason: 'Expecting confirmation code',
			});
			expect(String(received[0].resumeUrl)).toMatch(/\/webhook-waiting\/execution-\d+\?signature=/);
			expect(new Date(String(received[0].waitUntil)).getTime()).toBe(run.waitTill!.getTime());
			expect(JSON.stringify(received)).not.toContain(
				sandbox.vendors.autosharesTrader.issued[0].token,
			);
		} finally {
			listener.close();
		}
	});

	it('only one of several concurrent resume calls logs in', async () => {
		const flow = setup(twoFactor);
		const { run } = await flow.start();
		const code = sandbox.vendors.autosharesTrader.lastVerificationCode;
		const answers = await Promise.all(
			Array.from({ length: 5 }, async () => await flow.post(run.data, { code })),
		);
		expect(answers.filter((a) => a.result?.workflowData)).toHaveLength(1);
		expect(sandbox.vendors.autosharesTrader.tokenCalls).toBe(2);
		expect(answers.map((a) => a.response.status).sort()).toEqual([200, 409, 409, 409, 409]);
	});
});

describe('Autoshares Trader node: Get Account Info', () => {
	it('gets a token once, saves it to the credential, and refreshes once after it expires', async () => {
		const flow = infoFlow(plain);
		const first = await flow.run();
		expect(first.run.status).toBe('success');
		const items = first.run.data.resultData.runData.Info[0].data!.main[0]!;
		expect(items).toHaveLength(2);
		expect(items[1]).toMatchObject({ json: { Login: plain.username }, pairedItem: { item: 1 } });
		expect(sandbox.vendors.autosharesTrader.tokenCalls).toBe(1);
		expect(flow.helper.saves).toEqual(['cred']);

		sandbox.vendors.autosharesTrader.expireAllTokens();
		const second = await flow.run();
		expect(second.run.status).toBe('success');
		expect(sandbox.vendors.autosharesTrader.tokenCalls).toBe(2);
		const infoCalls = sandbox.vendors.autosharesTrader.requests.filter(
			(r) => r.path === '/api/v1.0/users/@me/info',
		);
		// 2 items, then 1 refused + 1 retried + 1 more item.
		expect(infoCalls.map((r) => r.headers['et-app-key'])).toEqual(Array(5).fill(appKey));
	});

	it('a settings error is a NodeOperationError, or an error on every item with Continue On Fail', async () => {
		const insecure = { ...plain, baseUrl: 'http://autoshares.example.com/api' };
		const failed = await infoFlow(insecure).run();
		// Bad settings are the user's to fix, not a failed vendor call.
		expect(failed.run.data.resultData.error?.name).toBe('NodeOperationError');
		expect(failed.run.data.resultData.error?.message).toMatch(/Autoshares Trader/);
		const onFail = await infoFlow(insecure, { onError: 'continueRegularOutput' }).run();
		expect(onFail.run.status).toBe('success');
		const items = onFail.run.data.resultData.runData.Info[0].data!.main[0]!;
		expect(items).toHaveLength(2);
		expect(items[1].json.error).toMatch(/HTTPS/);
		expect(items[1].pairedItem).toEqual({ item: 1 });
		expect(sandbox.vendors.autosharesTrader.requests).toHaveLength(0);
	});

	it("uses the Log In node's 2FA token in the same process", async () => {
		const login = setup(twoFactor);
		const { run } = await login.start();
		await login.post(run.data, { code: sandbox.vendors.autosharesTrader.lastVerificationCode });
		const info = await infoFlow(twoFactor).run();
		expect(info.run.status).toBe('success');
		expect(sandbox.vendors.autosharesTrader.tokenCalls).toBe(2);
	});
});
