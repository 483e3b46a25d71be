/**
 * The real-n8n suite: packs this package, installs the tarball into a real n8n exactly as a
 * user does (<user folder>/.n8n/nodes), starts n8n against the vendor sandbox and drives it
 * through n8n's own HTTP API. One PASS/FAIL line per check and the closing line
 * `N passed, N failed`.
 *
 *   npm run test:e2e                      # n8n 2.40.7 and 1.123.81
 *   npm run test:e2e -- --n8n 2.40.7      # one version (or E2E_N8N_VERSIONS=2.40.7)
 *   E2E_ONLY=queue npm run test:e2e -- --n8n 2.40.7      # queue mode alone; E2E_ONLY=realServers: the real auth servers
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { providers, vendorIds, type VendorId } from '../../nodes/shared/providers';
import { fixtures, type VendorFixture } from '../../scripts/sandbox/fixtures';
import { needsTokenStep } from '../../scripts/sandbox/kits';
import {
	SANDBOX_ACCOUNTS,
	startSandbox,
	type Sandbox,
	type VendorServer,
} from '../../scripts/sandbox';
import {
	assert,
	check,
	closingLine,
	couldNotRun,
	log,
	versionsToRun,
} from '../../scripts/runtime/checks';
import { hasEnded, N8nClient } from '../../scripts/runtime/n8nClient';
import { installPackageTarball, startN8n } from '../../scripts/runtime/n8nProcess';
import { packPackage } from '../../scripts/runtime/pack';
import {
	arrival,
	callResumeUrl,
	notifyReceiver,
	postCode,
	type NotifyPayload,
} from '../../scripts/runtime/twoFactor';
import { domainRestrictionChecks } from './domainRestriction';
import { realServerChecks } from './realServers';
import { createTwoFactorWorkflow, echoWorkflow, getTokenWorkflow, tokenStep } from './workflows';

const ROOT = path.resolve(__dirname, '../..');
const DEFAULT_VERSIONS = ['2.40.7', '1.123.81'];
const SIRDATA_LIFETIME_SECONDS = 40;
const PACKAGE = 'n8n-nodes-token-auth';

/** `npm pack` of the built package (built first when dist/ is missing), as it would be published. */
function pack(into: string): string {
	if (!fs.existsSync(path.join(ROOT, 'dist')))
		execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
	return packPackage(into).tarball;
}

const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

/** The notify receiver, keeping every payload in arrival order. */
async function recordingNotifyReceiver() {
	const received: NotifyPayload[] = [];
	const receiver = await notifyReceiver((event) => received.push(event));
	return { ...receiver, received };
}

async function nextNotify(notify: { received: NotifyPayload[] }, seen: number) {
	const payload = await arrival(notify.received, seen, 30_000);
	assert(payload, 'no notify call arrived');
	return payload;
}

/** The last final token the sandbox issued (interim 2FA tickets excluded). */
function lastToken(server: VendorServer): string {
	const issued = server.issued.filter((t) => !t.interim);
	assert(issued.length > 0, 'the sandbox issued no token');
	return issued[issued.length - 1].token;
}

/** Headers exactly as the sandbox received them, with the casing n8n sent. */
function rawHeaders(server: VendorServer, pathPrefix: string): Record<string, string> {
	const request = [...server.requests].reverse().find((r) => r.path.startsWith(pathPrefix));
	assert(request, `no request to ${pathPrefix} reached the sandbox`);
	const headers: Record<string, string> = {};
	for (let i = 0; i < request.rawHeaders.length; i += 2)
		headers[request.rawHeaders[i]] = request.rawHeaders[i + 1];
	return headers;
}

async function suite(version: string, tarball: string): Promise<void> {
	const work = fs.mkdtempSync(path.join(os.tmpdir(), `token-auth-e2e-${version}-`));
	// Sirdata's token expires naturally in this suite (see the refresh check): keep it short.
	const sandbox: Sandbox = await startSandbox({
		tokenLifetimeSeconds: { sirdata: SIRDATA_LIFETIME_SECONDS },
	});
	const notify = await recordingNotifyReceiver();
	const fx = fixtures(sandbox);
	const userFolder = path.join(work, 'user');
	const at = `n8n ${version}:`;
	await installPackageTarball(userFolder, tarball, log);
	let n8n = await startN8n({ version, userFolder, log });
	try {
		const client = new N8nClient(n8n.baseUrl);
		await client.setupOwner();

		await check(
			`${at} nodes load as ${PACKAGE}.* and the five credential types are registered`,
			async () => {
				const nodeNames = new Set((await client.nodeTypes()).map((t) => t.name));
				for (const name of ['getToken', 'autosharesTrader'])
					assert(nodeNames.has(`${PACKAGE}.${name}`), `${PACKAGE}.${name} not loaded`);
				// Neither node is offered to AI agents (usableAsTool: false): n8n would list `<name>Tool`.
				const tools = [...nodeNames].filter(
					(name) => name.startsWith(`${PACKAGE}.`) && name.endsWith('Tool'),
				);
				assert(tools.length === 0, `tool variants offered: ${tools.join(', ')}`);
				const credentialNames = new Set((await client.credentialTypes()).map((t) => t.name));
				for (const vendor of vendorIds)
					assert(
						credentialNames.has(fx[vendor].credentialType),
						`${fx[vendor].credentialType} not registered`,
					);
			},
		);

		// Custom Token Endpoint against real auth servers from npm (realServers.ts).
		await realServerChecks({ at, client, check, log, version });
		// E2E_ONLY=realServers: only those (and the load check above), for iterating on them.
		if (process.env.E2E_ONLY === 'realServers') return;

		// A credential's domain restriction holds for its token step, Get Token and Log In (domainRestriction.ts).
		await domainRestrictionChecks({
			at,
			version,
			client,
			check,
			log,
			manis: { fixture: fx.manis, server: sandbox.vendors.manis },
			autoshares: { fixture: fx.autosharesTrader, server: sandbox.vendors.autosharesTrader },
		});

		const credentials = {} as Record<VendorId, { id: string; name: string }>;
		for (const vendor of vendorIds) {
			const created = await client.createCredential(
				fx[vendor].credentialType,
				`${providers[vendor].displayName} (sandbox)`,
				fx[vendor].good,
			);
			credentials[vendor] = { id: created.id, name: created.name };
		}
		// Sirdata on n8n 2.x: a Get Token node before the HTTP Request (workflows.ts).
		const stepFor = (vendor: VendorId) =>
			tokenStep(version, vendor, fx[vendor].credentialType, credentials[vendor]);
		/** The sandbox's echo of the vendor, with the vendor's credential. */
		const echoOf = (vendor: VendorId) => ({
			origin: sandbox.vendors[vendor].origin,
			credentialType: fx[vendor].credentialType,
			credential: credentials[vendor],
		});

		// First, while every credential's token is still empty: 100 items in one HTTP Request run.
		for (const vendor of vendorIds) {
			await check(`${at} ${vendor}: HTTP Request with 100 items and an empty token`, async () => {
				const workflowPath = `items-${vendor}`;
				const workflow = await client.createWorkflow(
					echoWorkflow(`100 items ${vendor}`, workflowPath, echoOf(vendor), {
						before: stepFor(vendor),
						items: true,
					}),
				);
				await client.activateWorkflow(workflow.id);
				const before = sandbox.vendors[vendor].tokenCalls;
				const answer = await client.postJson(workflowPath, {
					items: Array.from({ length: 100 }, (_, i) => ({ i })),
				});
				const calls = sandbox.vendors[vendor].tokenCalls - before;
				log(`${vendor}: ${calls} token call(s) for 100 concurrent items`);
				assert(
					answer.status === 200 && Array.isArray(answer.json) && answer.json.length === 100,
					`expected 100 answers, got ${answer.status} ${answer.text.slice(0, 300)}`,
				);
				assert(calls === 1, `expected exactly 1 token call, got ${calls}`);
			});
		}

		for (const vendor of vendorIds) {
			const f: VendorFixture = fx[vendor];
			await check(
				`${at} ${vendor}: credential test passes with good values, fails with a readable reason on bad ones`,
				async () => {
					const good = await client.testCredential(credentials[vendor].id);
					assert(good.status === 'OK', `good values: ${JSON.stringify(good)}`);
					const bad = await client.createCredential(
						f.credentialType,
						`${providers[vendor].displayName} (wrong)`,
						f.bad,
					);
					const result = await client.testCredential(bad.id);
					assert(result.status === 'Error', `bad values passed: ${JSON.stringify(result)}`);
					// On n8n 2.x the Sirdata token step cannot run from a credential (see the README):
					// wrong values then fail with that explanation instead of Sirdata's refusal.
					const reason = needsTokenStep(version, vendor)
						? /cannot check a Sirdata login.*Get Token node/
						: /refused/;
					assert(
						result.message.includes(providers[vendor].displayName) && reason.test(result.message),
						`unreadable reason: ${result.message}`,
					);
					log(`${vendor} bad credential: ${result.message}`);
				},
			);

			const workflowPath = `echo-${vendor}`;
			let workflowReady = false;
			await check(
				`${at} ${vendor}: HTTP Request node (predefined credential type) sends the vendor's header exactly`,
				async () => {
					const workflow = await client.createWorkflow(
						echoWorkflow(`echo ${vendor}`, workflowPath, echoOf(vendor), {
							before: stepFor(vendor),
						}),
					);
					await client.activateWorkflow(workflow.id);
					workflowReady = true;
					const answer = await client.postJson(workflowPath, {});
					assert(
						answer.status === 200,
						`workflow answered ${answer.status}: ${answer.text.slice(0, 300)}`,
					);
					const sent = rawHeaders(sandbox.vendors[vendor], '/__sandbox/echo');
					// Some credential tests call the token endpoint themselves (Manis): match the token
					// that was sent against every token the sandbox issued.
					const matches = (token: string) =>
						Object.entries(f.expectedHeaders(token)).every(([name, value]) => sent[name] === value);
					const token = sandbox.vendors[vendor].issued.find((t) => !t.interim && matches(t.token));
					assert(
						token,
						`sent headers ${JSON.stringify(sent)} are not ${JSON.stringify(f.expectedHeaders('<an issued token>'))}`,
					);
				},
			);

			await check(
				`${at} ${vendor}: after the token expires n8n refreshes it once and the run succeeds`,
				async () => {
					assert(workflowReady, 'the echo workflow was not created');
					if (needsTokenStep(version, vendor)) {
						// The Get Token node refreshes a token that is about to expire, the credential's
						// stored token then gets a 401 and n8n's refresh takes the node's new token.
						const last = sandbox.vendors[vendor].issued.filter((t) => !t.interim).at(-1)!;
						await sleep(Math.max(0, last.validUntil.getTime() - Date.now()) + 1000);
					} else {
						sandbox.vendors[vendor].expireAllTokens();
					}
					const before = sandbox.vendors[vendor].tokenCalls;
					const answer = await client.postJson(workflowPath, {});
					assert(
						answer.status === 200,
						`workflow answered ${answer.status}: ${answer.text.slice(0, 300)}`,
					);
					const calls = sandbox.vendors[vendor].tokenCalls - before;
					assert(calls === 1, `expected exactly 1 refresh, got ${calls} token calls`);
				},
			);

			await check(`${at} ${vendor}: Get Token node outputs what the sandbox issued`, async () => {
				const getTokenPath = `get-token-${vendor}`;
				const workflow = await client.createWorkflow(
					getTokenWorkflow(
						`get token ${vendor}`,
						getTokenPath,
						vendor,
						f.credentialType,
						credentials[vendor],
					),
				);
				await client.activateWorkflow(workflow.id);
				const answer = await client.postJson(getTokenPath, {});
				assert(
					answer.status === 200 && Array.isArray(answer.json),
					`workflow answered ${answer.status}: ${answer.text.slice(0, 300)}`,
				);
				const output = (answer.json as Array<Record<string, unknown>>)[0];
				const token = lastToken(sandbox.vendors[vendor]);
				assert(
					output.provider === vendor && output.token === token,
					`token ${String(output.token)} is not the last one the sandbox issued`,
				);
				const expected = f.expectedHeaders(token);
				delete expected['Et-App-Key'];
				assert(
					JSON.stringify(output.headers) === JSON.stringify(expected),
					`headers ${JSON.stringify(output.headers)}`,
				);
				const issued = sandbox.vendors[vendor].issued.find((t) => t.token === token)!;
				if (issued.expiresAt === null)
					assert(
						output.expiresAt === null,
						`expiresAt ${String(output.expiresAt)} for a token without expiry`,
					);
				else
					assert(
						Math.abs(Date.parse(String(output.expiresAt)) - issued.expiresAt.getTime()) <= 2000,
						`expiresAt ${String(output.expiresAt)} vs ${issued.expiresAt.toISOString()}`,
					);
			});
		}

		// A token endpoint that redirects elsewhere: nothing secret may reach the other host,
		// through n8n's HTTP Request node (the credential's token step) and through Get Token.
		const redirecting = await startSandbox();
		try {
			const rfx = fixtures(redirecting);
			for (const vendor of vendorIds) {
				await check(
					`${at} ${vendor}: a token endpoint that redirects to another host gets nothing secret, via HTTP Request and Get Token`,
					async () => {
						const target = redirecting.vendors[vendor];
						target.injectFault({ kind: 'redirect', status: 307, to: 'otherOrigin' });
						const created = await client.createCredential(
							rfx[vendor].credentialType,
							`${providers[vendor].displayName} (redirecting)`,
							rfx[vendor].good,
						);
						const ref = { id: created.id, name: created.name };
						const credentialType = rfx[vendor].credentialType;
						const viaHttp = await client.createWorkflow(
							echoWorkflow(`redirect http ${vendor}`, `redirect-http-${vendor}`, {
								origin: target.origin,
								credentialType,
								credential: ref,
							}),
						);
						const viaNode = await client.createWorkflow(
							getTokenWorkflow(
								`redirect get token ${vendor}`,
								`redirect-node-${vendor}`,
								vendor,
								credentialType,
								ref,
							),
						);
						for (const workflow of [viaHttp, viaNode]) await client.activateWorkflow(workflow.id);
						const http = await client.postJson(`redirect-http-${vendor}`, {});
						const got = await client.postJson(`redirect-node-${vendor}`, {});
						target.clearFaults();
						assert(
							http.status >= 400 && got.status >= 400,
							`a redirected token call succeeded: ${http.status} ${got.status}`,
						);
						const caught = redirecting.catcher.requests;
						assert(
							caught.length === 0,
							`${caught.length} request(s) reached the other host: ${caught.map((r) => `${r.method} ${r.path}`).join(', ')}`,
						);
						const failure = await client.waitForExecution(
							(e) => e.status === 'error',
							10_000,
							viaNode.id,
						);
						const message = JSON.stringify(failure.data.resultData.error ?? '');
						assert(
							/redirect \(HTTP 307\)/.test(message) && !message.includes('sandbox-redirect-secret'),
							`Get Token error: ${message.slice(0, 300)}`,
						);
					},
				);
			}
		} finally {
			await redirecting.close();
		}

		// The vendor revokes every token long before its stated expiry.
		for (const vendor of vendorIds) {
			await check(
				`${at} ${vendor}: after the vendor revokes the token, the next execution succeeds with exactly one token call`,
				async () => {
					const s = sandbox.vendors[vendor];
					if (needsTokenStep(version, vendor)) {
						// A token fetched just now, so that its own (short) expiry cannot pass before the
						// first run below: Get Token would then fetch a new one there, rightly.
						s.expireAllTokens();
						await client.postJson(`echo-${vendor}`, {});
						await client.postJson(`echo-${vendor}`, {});
					}
					s.expireAllTokens();
					const before = s.tokenCalls;
					let answer = await client.postJson(`echo-${vendor}`, {});
					// Sirdata on 2.x: the credential cannot fetch (no GET body), so this execution
					// fails and reports the token refused; the next one's Get Token fetches a new one.
					if (needsTokenStep(version, vendor)) {
						assert(
							answer.status !== 200 && s.tokenCalls === before,
							`the first run after the revocation answered ${answer.status} with ${s.tokenCalls - before} token calls`,
						);
						answer = await client.postJson(`echo-${vendor}`, {});
					}
					assert(
						answer.status === 200,
						`workflow answered ${answer.status}: ${answer.text.slice(0, 300)}`,
					);
					assert(
						s.tokenCalls - before === 1,
						`expected exactly 1 token call, got ${s.tokenCalls - before}`,
					);
					const again = await client.postJson(`echo-${vendor}`, {});
					assert(
						again.status === 200 && s.tokenCalls - before === 1,
						`the run after that answered ${again.status} with ${s.tokenCalls - before} token calls in all`,
					);
				},
			);

			if (needsTokenStep(version, vendor)) continue;
			await check(
				`${at} ${vendor}: after a revocation, 100 concurrent items refused with the old token share one refresh`,
				async () => {
					const s = sandbox.vendors[vendor];
					s.expireAllTokens();
					const before = s.tokenCalls;
					const answer = await client.postJson(`items-${vendor}`, {
						items: Array.from({ length: 100 }, (_, i) => ({ i })),
					});
					const calls = s.tokenCalls - before;
					log(`${vendor}: ${calls} token call(s) for 100 concurrent items after the revocation`);
					assert(
						answer.status === 200 && Array.isArray(answer.json) && answer.json.length === 100,
						`expected 100 answers, got ${answer.status} ${answer.text.slice(0, 300)}`,
					);
					assert(calls === 1, `expected exactly 1 token call, got ${calls}`);
				},
			);
		}

		await check(
			`${at} autosharesTrader: after the base URL is edited in the credential, the old token is not sent and n8n gets a new one there`,
			async () => {
				// n8n keeps the hidden token when a user edits a credential: a token issued for the
				// old host or account must not go out with the new settings.
				const f = fx.autosharesTrader;
				const s = sandbox.vendors.autosharesTrader;
				const oldAuthorization = rawHeaders(s, '/__sandbox/echo').Authorization;
				assert(
					oldAuthorization?.startsWith('Bearer '),
					`no earlier echo with a token: ${String(oldAuthorization)}`,
				);
				const stored = await client.getCredential(credentials.autosharesTrader.id, true);
				const moved = String(f.good.baseUrl).replace('127.0.0.1', 'localhost');
				// As the editor saves it: the form's data (secrets redacted) with the one field changed.
				await client.updateCredential(stored.id, {
					name: stored.name,
					type: stored.type,
					data: { ...stored.data, baseUrl: moved },
				});
				const seen = s.requests.length;
				const before = s.tokenCalls;
				const answer = await client.postJson('echo-autosharesTrader', {});
				assert(
					answer.status === 200,
					`workflow answered ${answer.status}: ${answer.text.slice(0, 300)}`,
				);
				const after = s.requests.slice(seen);
				const echoes = after.filter((r) => r.path.startsWith('/__sandbox/echo'));
				assert(echoes.length > 0, 'no echo request');
				assert(
					!echoes.some((r) => r.headers.authorization === oldAuthorization),
					'the token issued for the old base URL was sent after the edit',
				);
				const tokenRequests = after.filter((r) => r.path === '/api/token');
				assert(
					s.tokenCalls - before === 1 && tokenRequests.length === 1,
					`expected 1 token call, got ${s.tokenCalls - before}`,
				);
				assert(
					String(tokenRequests[0].headers.host).startsWith('localhost:'),
					`the new token was asked from ${String(tokenRequests[0].headers.host)}`,
				);
				assert(
					echoes.at(-1)!.headers.authorization === `Bearer ${lastToken(s)}`,
					'the last echo did not carry the new token',
				);
			},
		);

		/**
		 * An Autoshares credential (the good values with `data` over them) and an active Log In
		 * workflow with it (workflows.ts), saved through `rest`; Log In notifies the receiver and
		 * waits 5 minutes, with `options` besides.
		 */
		const twoFactorWorkflow = async (
			rest: N8nClient,
			names: { credential: string; workflow: string; webhookPath: string },
			data: Record<string, unknown>,
			options: Record<string, unknown> = {},
		) =>
			await createTwoFactorWorkflow(
				client,
				rest,
				names,
				{
					values: { ...fx.autosharesTrader.good, ...data },
					notifyUrl: notify.url,
					baseUrl: sandbox.vendors.autosharesTrader.baseUrl,
				},
				options,
			);

		await check(
			`${at} autoshares 2FA: waits, refuses a wrong code, finishes with the right one, and HTTP Request uses the token`,
			async () => {
				const autoshares = sandbox.vendors.autosharesTrader;
				const workflow = await twoFactorWorkflow(
					client,
					{
						credential: 'Autoshares Trader (2FA)',
						workflow: 'autoshares 2fa',
						webhookPath: 'autoshares-2fa',
					},
					SANDBOX_ACCOUNTS.autosharesTrader.twoFactor,
				);
				const started = await client.postJson('autoshares-2fa', {});
				assert(started.status === 200, `trigger answered ${started.status}`);
				const { resumeUrl, step } = await nextNotify(notify, 0);
				// n8n signs resume URLs from 2.x on (about 2.16); 1.x URLs carry no signature.
				const signed = Number(version.split('.')[0]) >= 2;
				const shape = signed ? /\/webhook-waiting\/\d+\?signature=/ : /\/webhook-waiting\/\d+$/;
				assert(
					step === 'verificationCode' && shape.test(resumeUrl),
					`notify payload ${JSON.stringify(notify.received[0])}`,
				);

				if (signed) {
					const unsigned = await callResumeUrl(resumeUrl.split('?')[0]);
					assert(
						unsigned.status === 401,
						`resume URL without its signature answered ${unsigned.status}`,
					);
				}
				const page = await callResumeUrl(resumeUrl, { headers: { accept: 'text/html' } });
				assert(page.status === 200 && page.text.includes('<form'), `code page: ${page.status}`);
				const wrong = await postCode(resumeUrl, '000000');
				assert(wrong.status === 422, `wrong code answered ${wrong.status}: ${wrong.text}`);
				// The wrong code is counted in the seal: the run goes on into Log In, which pauses again.
				const execution = await client.waitForExecution(() => true, 10_000, workflow.id);
				let waiting = await client.getExecution(execution.id);
				for (
					const until = Date.now() + 10_000;
					waiting.status !== 'waiting' && Date.now() < until;

				) {
					await sleep(250);
					waiting = await client.getExecution(execution.id);
				}
				assert(
					waiting.status === 'waiting',
					`after a wrong code the execution is ${waiting.status}`,
				);
				const right = await postCode(resumeUrl, autoshares.lastVerificationCode!);
				assert(right.status === 200, `right code answered ${right.status}: ${right.text}`);
				const done = await client.waitForExecution(hasEnded, 30_000, workflow.id);
				assert(done.status === 'success', `execution ended ${done.status}`);
				const account = done.data.resultData.runData.Account?.[0]?.data?.main[0]?.[0]?.json;
				assert(
					account?.Login === SANDBOX_ACCOUNTS.autosharesTrader.twoFactor.username,
					`HTTP Request after login got ${JSON.stringify(account)}`,
				);
				const login = done.data.resultData.runData['Log In']?.at(-1)?.data?.main[0]?.[0]?.json;
				assert(
					login?.loggedIn === true && login.token === lastToken(autoshares),
					`Log In output ${JSON.stringify(login)}`,
				);
				const runText = JSON.stringify(done.data);
				const interim = autoshares.issued.find((t) => t.interim)!.token;
				assert(
					!runText.includes(interim) && !runText.includes(SANDBOX_ACCOUNTS.autosharesTrader.appKey),
					'the interim token or the app key is in the execution data',
				);
			},
		);

		await check(
			`${at} autoshares 2FA: after an n8n restart while the login waits, the code finishes the login`,
			async () => {
				// The paused login is sealed in the execution (README): a restart loses nothing.
				const autoshares = sandbox.vendors.autosharesTrader;
				// Another host name for the same sandbox: the same account's token from the check
				// above would be reused (Log In uses a valid token it knows) and nothing would pause.
				const elsewhere = String(fx.autosharesTrader.good.baseUrl).replace(
					'127.0.0.1',
					'localhost',
				);
				const workflow = await twoFactorWorkflow(
					client,
					{
						credential: 'Autoshares Trader (2FA, restart)',
						workflow: 'autoshares 2fa restart',
						webhookPath: 'autoshares-2fa-restart',
					},
					{ baseUrl: elsewhere, ...SANDBOX_ACCOUNTS.autosharesTrader.twoFactor },
				);
				const seen = notify.received.length;
				assert(
					(await client.postJson('autoshares-2fa-restart', {})).status === 200,
					'trigger failed',
				);
				const { resumeUrl } = await nextNotify(notify, seen);
				const page = await callResumeUrl(resumeUrl, { headers: { accept: 'text/html' } });
				assert(page.status === 200, `before the restart the resume URL answered ${page.status}`);

				// Same user folder, same port: the resume URL stays valid; process memory does not.
				const port = n8n.port;
				await n8n.stop();
				n8n = await startN8n({ version, userFolder, log, port });
				const restarted = new N8nClient(n8n.baseUrl);
				await restarted.login();
				const right = await postCode(resumeUrl, autoshares.lastVerificationCode!);
				assert(
					right.status === 200,
					`after the restart the code answered ${right.status}: ${right.text}`,
				);
				const done = await restarted.waitForExecution(hasEnded, 30_000, workflow.id);
				assert(
					done.status === 'success',
					`execution ended ${done.status}: ${JSON.stringify(done.data.resultData.error ?? '').slice(0, 300)}`,
				);
				const login = done.data.resultData.runData['Log In']?.at(-1)?.data?.main[0]?.[0]?.json;
				assert(
					login?.loggedIn === true && login.token === lastToken(autoshares),
					`Log In output ${JSON.stringify(login)}`,
				);
				const account = done.data.resultData.runData.Account?.[0]?.data?.main[0]?.[0]?.json;
				assert(
					account?.Login === SANDBOX_ACCOUNTS.autosharesTrader.twoFactor.username,
					`HTTP Request after login got ${JSON.stringify(account)}`,
				);
			},
		);

		await check(
			`${at} autoshares 2FA: too many wrong codes fail the execution at Log In, and nothing after it runs`,
			async () => {
				// A 2FA account of its own: no token of an earlier check is reused.
				const { username, password, pin } = SANDBOX_ACCOUNTS.autosharesTrader.pinTwoFactor;
				const current = new N8nClient(n8n.baseUrl);
				await current.login();
				const workflow = await twoFactorWorkflow(
					current,
					{
						credential: 'Autoshares Trader (2FA, wrong codes)',
						workflow: 'autoshares 2fa wrong codes',
						webhookPath: 'autoshares-2fa-wrong',
					},
					{ username, password, pinPassword: pin },
					{ maxAttempts: 2 },
				);
				const seen = notify.received.length;
				assert(
					(await current.postJson('autoshares-2fa-wrong', {})).status === 200,
					'trigger failed',
				);
				const { resumeUrl } = await nextNotify(notify, seen);
				const first = await postCode(resumeUrl, '000000');
				assert(first.status === 422, `first wrong code answered ${first.status}: ${first.text}`);
				const second = await postCode(resumeUrl, '111111');
				assert(
					second.status === 403,
					`second wrong code answered ${second.status}: ${second.text}`,
				);
				const done = await current.waitForExecution(hasEnded, 30_000, workflow.id);
				const error = JSON.stringify(done.data.resultData.error ?? '');
				const runData = done.data.resultData.runData;
				if (Number(version.split('.')[0]) >= 2) {
					assert(
						done.status === 'error' && /2 wrong codes/.test(error),
						`execution ended ${done.status}: ${error.slice(0, 300)}`,
					);
					assert(runData.Account === undefined, 'the HTTP Request after Log In ran');
				} else {
					// n8n 1.x cannot fail a resumed node: the items say it (README).
					const login = runData['Log In']?.at(-1)?.data?.main[0]?.[0]?.json;
					assert(
						login?.loggedIn === false && /2 wrong codes/.test(String(login.error)),
						`Log In output ${JSON.stringify(login)}`,
					);
				}
			},
		);
	} finally {
		await n8n.stop();
		await notify.close();
		await sandbox.close();
		fs.rmSync(work, { recursive: true, force: true });
	}
}

async function main(): Promise<void> {
	const packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'token-auth-pack-'));
	try {
		const tarball = pack(packDir);
		for (const version of versionsToRun(DEFAULT_VERSIONS, process.env.E2E_N8N_VERSIONS)) {
			console.log(`\n== real n8n ${version}`);
			try {
				// E2E_ONLY=queue: the queue-mode suite alone, for iterating on it.
				if (process.env.E2E_ONLY !== 'queue') await suite(version, tarball);
			} catch (error) {
				couldNotRun(`n8n ${version}: the suite`, error);
			}
			// Queue mode (Redis, main, two workers, a webhook process) for one version only.
			if (version === '2.40.7') {
				console.log(`\n== real n8n ${version}, queue mode`);
				try {
					const { queueSuite } = await import('./queueSuite');
					await queueSuite(version, tarball, check, log);
				} catch (error) {
					couldNotRun(`n8n ${version} queue mode: the suite`, error);
				}
			}
		}
	} finally {
		fs.rmSync(packDir, { recursive: true, force: true });
	}
	process.exitCode = closingLine();
}

void main();
