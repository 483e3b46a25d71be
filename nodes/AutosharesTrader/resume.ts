import type { ICredentialDataDecryptedObject, IDataObject, INodeExecutionData, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { TokenAuthError, toNodeError } from '../shared/errors';
import { plainRequester, withOutput } from '../shared/nodeHelpers';
import { assertDomainsAllowed } from '../shared/domains';
import { describeToken, expiredStatusCodesOf, tokenRequestUrls } from '../shared/provider';
import { autosharesTrader, type AutosharesTraderFields } from '../shared/providers/autosharesTrader';
import { continueLogin, type ContinueOutcome } from './transport';
import { renderPage, type PageContent } from './page';
import { customDataOf, endSealed, loginProgress, progressKey, readSealed, SEAL_ENDED, storeSealed, type CustomData } from './pausedLogin';
import { open, seal, sealName, type PausedLogin, type SealBinding } from './sealedLogin';

/** Verification codes and PINs are short runs of digits or letters; anything else is refused unread. */
const CODE_SHAPE = /^[A-Za-z0-9]{3,16}$/;

type Status = 'form' | 'loggedIn' | 'wrongCode' | 'badCode' | 'busy' | 'notPending' | 'failed';

const STATUS_CODES: Record<Status, number> = {
	form: 200,
	loggedIn: 200,
	wrongCode: 422,
	badCode: 400,
	busy: 409,
	notPending: 410,
	failed: 403,
};

function what(step: PausedLogin['step'] | undefined): string {
	return step === 'pin' ? 'PIN' : 'verification code';
}

function firstValue(value: unknown): string | undefined {
	const single = Array.isArray(value) ? value[0] : value;
	if (typeof single === 'number') return String(single);
	return typeof single === 'string' ? single.trim() : undefined;
}

/** The code as JSON {"code"}, form data (code=…) or ?code=…; undefined when none was sent. */
function readCode(context: IWebhookFunctions): string | undefined {
	const body = context.getBodyData() as IDataObject | undefined;
	const query = context.getQueryData() as IDataObject | undefined;
	return firstValue(body?.code) ?? firstValue(query?.code);
}

function wantsHtml(context: IWebhookFunctions): boolean {
	const headers = context.getHeaderData() as IDataObject;
	const accept = String(headers.accept ?? '');
	const type = String(headers['content-type'] ?? '');
	return accept.includes('text/html') || type.includes('application/x-www-form-urlencoded');
}

/** Answers the caller ourselves: a page for a person, JSON for a program. */
function reply(context: IWebhookFunctions, status: Status, content: PageContent, extra: IDataObject = {}): void {
	const res = context.getResponseObject();
	res.status(STATUS_CODES[status]);
	res.setHeader('Cache-Control', 'no-store');
	if (wantsHtml(context) || (status === 'form' && context.getRequestObject().method === 'GET')) {
		res.setHeader('Content-Type', 'text/html; charset=utf-8');
		res.send(renderPage(content));
	} else {
		res.json({ status, message: content.message, ...extra });
	}
}

/**
 * n8n 1.x keeps the seal in the node's context (it has no custom data for nodes), which a
 * webhook() reads through an expression on any process and after a restart.
 */
function sealFromNodeContext(context: IWebhookFunctions): string | undefined {
	const node = context.getNode();
	const value = context.evaluateExpression(`{{ $(${JSON.stringify(node.name)}).context[${JSON.stringify(sealName(node.id))}] }}`, 0) as unknown;
	return typeof value === 'string' && value !== '' ? value : undefined;
}

/** What the seal is bound to: this execution, this node, the credential's stable secrets. */
export function sealBinding(executionId: string, nodeId: string, fields: AutosharesTraderFields): SealBinding {
	return { executionId, nodeId, secrets: [fields.baseUrl, fields.appKey, fields.username, fields.password, fields.pinCode] };
}

/**
 * The node's input items as they went in (JSON and binary), read back from the execution:
 * `webhook()` runs on whichever process got the resume call, with nothing of `execute()`'s
 * memory.
 */
function inputItems(context: IWebhookFunctions): INodeExecutionData[] {
	const items = context.evaluateExpression('{{ $input.all() }}', 0) as unknown;
	if (!Array.isArray(items) || items.length === 0) return [{ json: {} }];
	return items.map((item: INodeExecutionData) => ({ json: item.json ?? {}, ...(item.binary ? { binary: item.binary } : {}) }));
}

interface ResumeStackEntry {
	node?: { name?: string; disabled?: boolean };
	metadata?: IDataObject;
}

/** The execution-stack entry n8n resumes with, when it is this node's (n8n internals, 2.x and 1.x). */
function resumedEntry(context: IWebhookFunctions): ResumeStackEntry | undefined {
	const stack = (context as unknown as { runExecutionData?: { executionData?: { nodeExecutionStack?: ResumeStackEntry[] } } }).runExecutionData?.executionData
		?.nodeExecutionStack?.[0];
	return stack?.node?.name === context.getNode().name ? stack : undefined;
}

/**
 * After a wrong code, the attempt must be counted where every process and a restart see it:
 * only a run that continues saves what webhook() changed. So the run continues into this node
 * again (n8n disabled it for the resume; it is enabled once more), with the seal updated in the
 * custom data: execute() finds the seal and pauses again at once, with no token call and no
 * notify. The resume URL stays the same. False where that cannot be done (no custom data: 1.x).
 */
function pauseAgain(context: IWebhookFunctions, customData: CustomData | undefined, next: PausedLogin, fields: AutosharesTraderFields): boolean {
	const entry = resumedEntry(context);
	if (!customData || !entry?.node) return false;
	const node = context.getNode();
	if (!storeSealed(customData, node.id, seal(next, sealBinding(context.getExecutionId(), node.id, fields)))) return false;
	entry.node.disabled = false;
	return true;
}

/**
 * A login that fails at the resume must fail the execution at this node, on every process.
 * Throwing from webhook() does not do it: n8n 2.40 then wipes the earlier run data and runs the
 * next nodes with an empty item. So the run is resumed with the failure attached the way n8n
 * attaches a failed sub-workflow to a waiting node (`metadata.resumeError` of the resumed
 * stack entry, n8n 2.x): the node then fails with this error, or, with Continue On Fail, puts
 * it on its output. Where n8n has no such mechanism (1.x), the resumed items say it:
 * `loggedIn: false` with the error and its description, never a login that looks fine.
 */
function failAtNode(context: IWebhookFunctions, error: unknown, page: PageContent, customData: CustomData | undefined): IWebhookResponseData {
	const node = context.getNode();
	if (customData) endSealed(customData, node.id);
	loginProgress.end(progressKey(context.getExecutionId(), node.id));
	reply(context, 'failed', page);
	const failure = toNodeError(node, error, autosharesTrader.displayName);
	const entry = resumedEntry(context);
	if (entry) entry.metadata = { ...(entry.metadata ?? {}), resumeError: failure as unknown as IDataObject };
	const items = inputItems(context).map((_item, index) => ({
		json: { loggedIn: false, error: failure.message, description: failure.description ?? null },
		pairedItem: { item: index },
	}));
	return { noWebhookResponse: true, workflowData: [items] };
}

/**
 * Puts the token of a finished two-factor login where every n8n process reads it: the
 * credential's saved token. n8n saves what the credential's token step returns, and runs that
 * step for a request whose saved token is empty; the step then hands out the token this login
 * just put in the store, with no token call. Best effort: without it, this process still has
 * the token, and another process's request fails asking for a code.
 */
async function saveToCredential(context: IWebhookFunctions, credentials: IDataObject, fields: AutosharesTraderFields): Promise<void> {
	const details = context.getNode().credentials?.autosharesTraderApi;
	if (!details?.id) return;
	await context.helpers
		.httpRequestWithAuthentication.call(
			context,
			'autosharesTraderApi',
			{ method: 'GET', url: `${fields.baseUrl}/v1.0/users/@me/info`, json: true, disableFollowRedirect: true },
			{
				credentialsDecrypted: { id: details.id, name: details.name, type: 'autosharesTraderApi', data: { ...credentials, accessToken: '' } as ICredentialDataDecryptedObject },
				preAuthenticationRetryStatusCode: expiredStatusCodesOf(autosharesTrader, fields),
			},
		)
		.catch(() => {
			// The login itself succeeded; the token stays in this process's store.
			context.logger.warn('Autoshares Trader: the two-factor token could not be saved in the credential; other n8n processes will ask for a new login.');
		});
}

/**
 * The node's webhook(): serves the code form, takes the code, finishes the login. Returning
 * workflowData resumes the workflow with it; returning none leaves the execution waiting, so
 * the same resume URL takes the next try. Everything comes from the execution (the sealed
 * login in its custom data, the input items) and the credential: any process can serve it.
 */
export async function handleResume(context: IWebhookFunctions): Promise<IWebhookResponseData> {
	const node = context.getNode();
	const executionId = context.getExecutionId();
	const customData = customDataOf(context);
	const sealed = customData ? readSealed(customData, node.id) : sealFromNodeContext(context);
	const code = readCode(context);
	const waiting = { noWebhookResponse: true };
	const notPending: PageContent = {
		title: 'This login is no longer waiting',
		message: 'No login is waiting here: it finished, failed or timed out. Run the workflow again to get a new code.',
	};

	if (sealed === undefined || sealed === SEAL_ENDED) {
		reply(context, 'notPending', notPending);
		return waiting;
	}

	let credentials: IDataObject;
	let fields: AutosharesTraderFields;
	try {
		credentials = await context.getCredentials('autosharesTraderApi');
		fields = autosharesTrader.readFields(credentials);
	} catch (error) {
		return failAtNode(context, error, { title: 'The login failed', message: 'The credential could not be read. The workflow has failed; see the execution for what to fix.' }, customData);
	}
	const login = open(sealed, sealBinding(executionId, node.id, fields));
	if (!login) {
		return failAtNode(
			context,
			new TokenAuthError(autosharesTrader.displayName, 'verification code', 'the paused login can no longer be opened.', {
				description: 'The credential was edited (another password, app key, user or base URL) since the login began, or the execution data was changed. Run the workflow again.',
			}),
			{ title: 'The login failed', message: 'This login can no longer be finished. The workflow has failed; run it again to get a new code.' },
			customData,
		);
	}
	if (Date.now() > login.waitUntil) {
		// n8n resumes timed-out waits itself, with the input items (README).
		reply(context, 'notPending', notPending);
		return waiting;
	}

	const label = `Enter the ${what(login.step)} Autoshares sent you`;
	if (code === undefined && context.getRequestObject().method === 'GET') {
		reply(context, 'form', { title: 'Autoshares Trader login', message: `The workflow is waiting for your ${what(login.step)}.`, form: { label } });
		return waiting;
	}
	if (code === undefined || !CODE_SHAPE.test(code)) {
		reply(context, 'badCode', { title: 'That does not look like a code', message: `A ${what(login.step)} is 3 to 16 letters or digits. Nothing was sent to Autoshares.`, form: { label } });
		return waiting;
	}
	const progress = loginProgress.get(progressKey(executionId, node.id), login.waitUntil);
	if (progress.busy) {
		reply(context, 'busy', { title: 'Already checking a code', message: 'Another code for this login is being checked right now. Wait a moment and reload.' });
		return waiting;
	}
	if (login.counting === true || login.attempts < progress.countedTo) {
		// The last wrong code is still being counted (Log In is pausing again): this code
		// would race that pause.
		reply(context, 'busy', { title: 'Still counting the last code', message: 'The last code is still being counted. Send this code again in a moment.', form: { label } });
		return waiting;
	}

	progress.busy = true;
	let outcome: ContinueOutcome;
	try {
		// The code goes with the interim token to the credential's host: its domain restriction holds.
		const fields = autosharesTrader.readFields(credentials);
		assertDomainsAllowed(context.getNode(), credentials, [...tokenRequestUrls(autosharesTrader, fields), `${fields.baseUrl}/v1.0/users/@me/info`]);
		outcome = await continueLogin(plainRequester(context.helpers), credentials, { step: login.step, interimToken: progress.interimToken ?? login.interimToken }, code);
	} catch (error) {
		return failAtNode(context, error, { title: 'The login failed', message: 'Autoshares did not accept the login. The workflow has failed; see the execution for what to fix.' }, customData);
	} finally {
		progress.busy = false;
	}

	if (outcome.kind === 'refused') {
		progress.wrongCodes++;
		if (outcome.interimToken !== login.interimToken) progress.interimToken = outcome.interimToken;
		const used = login.attempts + progress.wrongCodes;
		const left = login.maxAttempts - used;
		if (left <= 0) {
			return failAtNode(
				context,
				new TokenAuthError(autosharesTrader.displayName, 'verification code', `${used} wrong codes: the login was stopped.`, {
					description: 'Run the workflow again to get a new code, and send the latest code exactly as received.',
				}),
				{ title: 'Too many wrong codes', message: 'The login was stopped and the workflow has failed. Run it again to get a new code.' },
				customData,
			);
		}
		reply(context, 'wrongCode', { title: 'Wrong code', message: `Autoshares refused that ${what(login.step)}. ${left} ${left === 1 ? 'try' : 'tries'} left.`, form: { label } }, { attemptsLeft: left });
		const next = { ...login, attempts: used, interimToken: progress.interimToken ?? login.interimToken, counting: true };
		if (pauseAgain(context, customData, next, fields)) {
			// The count now lives in the seal: this process's own count starts again from it.
			progress.wrongCodes = 0;
			progress.countedTo = used;
			return { ...waiting, workflowData: [inputItems(context)] };
		}
		return waiting;
	}

	await saveToCredential(context, credentials, fields);
	if (customData) endSealed(customData, node.id);
	loginProgress.end(progressKey(executionId, node.id));
	const described = { loggedIn: true, ...describeToken(autosharesTrader, outcome.fields, outcome.token, login.includeSecretHeaders) };
	const items = inputItems(context).map((item, index) => withOutput(item, index, described, login.outputField));
	reply(context, 'loggedIn', { title: 'Logged in', message: 'Autoshares accepted the code. The workflow continues; you can close this page.' });
	return { ...waiting, workflowData: [items] };
}
