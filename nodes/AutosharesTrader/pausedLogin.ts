/**
 * The paused login: Log In's two-factor pause, from the moment Autoshares asks for a code to the
 * moment the login ends, in the order it happens.
 *
 *   1. Pause (Log In's execute): the login is sealed into the execution and the run waits.
 *   2. Resume (the node's webhook, at the resume URL): the code goes to Autoshares.
 *   3. Pause again, after a wrong code: the attempt is counted into the seal and the run
 *      continues into Log In, which pauses again at once, until the same wait limit.
 *   4. The end: with the right code the token goes to the credential and the run continues,
 *      logged in; after too many wrong codes, or a failed login, it continues and fails here.
 *
 * Below the flow, what it stands on, in the order the flow first needs it: the seal, where n8n
 * keeps it, the resume call's request and answer, and what one process counts.
 *
 * n8n resumes a waiting execution on whichever process receives the resume call (the webhook
 * process in queue mode, any process after a restart), from what it saved in the database: so
 * everything the second step needs goes with the execution, and process memory holds nothing
 * the seal does not. n8n 2.x keeps the seal in the execution's custom data; n8n 1.x, which
 * offers nodes no custom data, in the node's context.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, scryptSync } from 'crypto';
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { assertDomainsAllowed } from '../shared/domains';
import { TokenAuthError, toNodeError } from '../shared/errors';
import { plainRequester, withOutput } from '../shared/nodeHelpers';
import type { NextStep } from '../shared/provider';
import { describeToken } from '../shared/tokenOutput';
import {
	autosharesTrader,
	type AutosharesTraderFields,
} from '../shared/providers/autosharesTrader';
import { renderPage, type PageContent } from './page';
import { sealKdf } from './sealKdf';
import {
	continueLogin,
	credentialUrls,
	notifyWaiting,
	requestAccountInfo,
	type ContinueOutcome,
} from './transport';

/** What crosses the wait, sealed (see "The seal" below for how). */
export interface PausedLogin {
	step: NextStep['step'];
	interimToken: string;
	/** Wrong codes already sent when the login was sealed. */
	attempts: number;
	maxAttempts: number;
	/** Epoch milliseconds: after this the login is over, whatever the seal says. */
	waitUntil: number;
	outputField: string;
	includeSecretHeaders: boolean;
	/**
	 * Set by the resume call that counted a wrong code, until Log In has paused again: a code
	 * that arrives in between would race that pause (its login could finish on a run n8n no
	 * longer continues), so it is asked to come again in a moment.
	 */
	counting?: boolean;
}

/** Log In's options that the pause uses (checked by Log In before any request). */
export interface PauseSettings {
	notifyUrl: string;
	waitLimitMinutes: number;
	/** The only defence against guessing codes through the resume URL. */
	maxAttempts: number;
	outputField: string;
	includeSecretHeaders: boolean;
}

// 1. Pause ------------------------------------------------------------------------------------

/**
 * Log In asked for a token and Autoshares asked for a code (or PIN) instead. Everything the
 * second step needs goes with the execution, sealed: the resume call may reach another process
 * (queue mode) or this one after a restart. Then someone is told where to send the code, when a
 * Notify URL is set, and the run waits until the wait limit.
 */
export async function pauseLogin(
	context: IExecuteFunctions,
	waiting: { fields: AutosharesTraderFields; next: NextStep },
	{ notifyUrl, waitLimitMinutes, maxAttempts, outputField, includeSecretHeaders }: PauseSettings,
): Promise<void> {
	const waitUntil = new Date(Date.now() + waitLimitMinutes * 60_000);
	const node = context.getNode();
	const sealed = seal(
		{
			step: waiting.next.step,
			interimToken: waiting.next.interimToken,
			attempts: 0,
			maxAttempts,
			waitUntil: waitUntil.getTime(),
			outputField,
			includeSecretHeaders,
		},
		sealBinding(context.getExecutionId(), node.id, waiting.fields),
	);
	// n8n 2.x: the execution's custom data, which the resume call can overwrite once the
	// login ends. n8n 1.x offers nodes no custom data: the node's context instead.
	const customData = customDataOf(context);
	if (!customData) context.getContext('node')[sealName(node.id)] = sealed;
	else if (!storeSealed(customData, node.id, sealed)) {
		throw new NodeOperationError(
			node,
			'Autoshares Trader verification code: n8n could not keep the paused login with the execution, so the login was not paused.',
			{
				description:
					"The execution's custom data is full (n8n keeps 10 values per execution, shared by every node and the Execution Data node) or too small for this login's token. Free some custom data keys in this workflow and run it again.",
			},
		);
	}
	if (notifyUrl !== '') {
		const resumeUrl = String(context.evaluateExpression('{{ $execution.resumeUrl }}', 0));
		await notifyWaiting(plainRequester(context.helpers), notifyUrl, {
			resumeUrl,
			step: waiting.next.step,
			reason: waiting.next.reason,
			waitUntil: waitUntil.toISOString(),
		});
	}
	await context.putExecutionToWait(waitUntil);
}

// 2. Resume -----------------------------------------------------------------------------------

/**
 * The node's webhook(): serves the code form, takes the code, finishes the login. Returning
 * workflowData resumes the workflow with it; returning none leaves the execution waiting, so
 * the same resume URL takes the next try. Everything comes from the execution (the sealed
 * login in its custom data, the input items) and the credential: any process can serve it.
 */
export async function resumeLogin(context: IWebhookFunctions): Promise<IWebhookResponseData> {
	const node = context.getNode();
	const executionId = context.getExecutionId();
	const customData = customDataOf(context);
	const sealed = customData ? readSealed(customData, node.id) : sealFromNodeContext(context);
	const code = readCode(context);
	const waiting = { noWebhookResponse: true };
	const notPending: PageContent = {
		title: 'This login is no longer waiting',
		message:
			'No login is waiting here: it finished, failed or timed out. Run the workflow again to get a new code.',
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
		return failAtNode(
			context,
			error,
			loginFailed(
				'The credential could not be read. The workflow has failed; see the execution for what to fix.',
			),
			customData,
		);
	}
	const login = open(sealed, sealBinding(executionId, node.id, fields));
	if (!login) {
		return failAtNode(
			context,
			new TokenAuthError(
				autosharesTrader.displayName,
				'verification code',
				'the paused login can no longer be opened.',
				{
					description:
						'The credential was edited (another password, app key, user or base URL) since the login began, or the execution data was changed. Run the workflow again.',
				},
			),
			loginFailed(
				'This login can no longer be finished. The workflow has failed; run it again to get a new code.',
			),
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
		reply(context, 'form', {
			title: 'Autoshares Trader login',
			message: `The workflow is waiting for your ${what(login.step)}.`,
			form: { label },
		});
		return waiting;
	}
	if (code === undefined || !CODE_SHAPE.test(code)) {
		reply(context, 'badCode', {
			title: 'That does not look like a code',
			message: `A ${what(login.step)} is 3 to 16 letters or digits. Nothing was sent to Autoshares.`,
			form: { label },
		});
		return waiting;
	}
	const progress = loginProgress.get(progressKey(executionId, node.id), login.waitUntil);
	if (progress.busy) {
		reply(context, 'busy', {
			title: 'Already checking a code',
			message: 'Another code for this login is being checked right now. Wait a moment and reload.',
		});
		return waiting;
	}
	if (login.counting === true || login.attempts < progress.countedTo) {
		// The last wrong code is still being counted (Log In is pausing again): this code
		// would race that pause.
		reply(context, 'busy', {
			title: 'Still counting the last code',
			message: 'The last code is still being counted. Send this code again in a moment.',
			form: { label },
		});
		return waiting;
	}

	progress.busy = true;
	let outcome: ContinueOutcome;
	try {
		// The code goes with the interim token to the credential's host: its domain restriction holds.
		assertDomainsAllowed(context.getNode(), credentials, credentialUrls(fields));
		outcome = await continueLogin(
			plainRequester(context.helpers),
			credentials,
			{ step: login.step, interimToken: progress.interimToken ?? login.interimToken },
			code,
		);
	} catch (error) {
		return failAtNode(
			context,
			error,
			loginFailed(
				'Autoshares did not accept the login. The workflow has failed; see the execution for what to fix.',
			),
			customData,
		);
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
				new TokenAuthError(
					autosharesTrader.displayName,
					'verification code',
					`${used} wrong codes: the login was stopped.`,
					{
						description:
							'Run the workflow again to get a new code, and send the latest code exactly as received.',
					},
				),
				{
					title: 'Too many wrong codes',
					message:
						'The login was stopped and the workflow has failed. Run it again to get a new code.',
				},
				customData,
			);
		}
		reply(
			context,
			'wrongCode',
			{
				title: 'Wrong code',
				message: `Autoshares refused that ${what(login.step)}. ${left} ${left === 1 ? 'try' : 'tries'} left.`,
				form: { label },
			},
			{ attemptsLeft: left },
		);
		const next = {
			...login,
			attempts: used,
			interimToken: progress.interimToken ?? login.interimToken,
			counting: true,
		};
		if (runLogInAgain(context, customData, next, fields)) {
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
	const described = {
		loggedIn: true,
		...describeToken(autosharesTrader, outcome.fields, outcome.token, login.includeSecretHeaders),
	};
	const items = inputItems(context).map((item, index) =>
		withOutput(item, index, described, login.outputField),
	);
	reply(context, 'loggedIn', {
		title: 'Logged in',
		message: 'Autoshares accepted the code. The workflow continues; you can close this page.',
	});
	return { ...waiting, workflowData: [items] };
}

// 3. Pause again, after a wrong code ----------------------------------------------------------

/**
 * The resume call's half. The attempt must be counted where every process and a restart see
 * it: only a run that continues saves what webhook() changed. So the run continues into this
 * node again (n8n disabled it for the resume; it is enabled once more), with the seal updated
 * in the custom data: Log In finds the seal and pauses again at once (pauseAgain, next), with
 * no token call and no notify. The resume URL stays the same. False where that cannot be done
 * (no custom data: 1.x).
 */
function runLogInAgain(
	context: IWebhookFunctions,
	customData: CustomData | undefined,
	next: PausedLogin,
	fields: AutosharesTraderFields,
): boolean {
	const entry = resumedEntry(context);
	if (!customData || !entry?.node) return false;
	const node = context.getNode();
	if (
		!storeSealed(
			customData,
			node.id,
			seal(next, sealBinding(context.getExecutionId(), node.id, fields)),
		)
	)
		return false;
	entry.node.disabled = false;
	return true;
}

/**
 * Log In's half, run before any token call: a live seal for this execution and node means the
 * login is still paused, so the node pauses again until the same wait limit, with no token call
 * and no notify. False when no login is paused here: Log In logs in.
 */
export async function pauseAgain(
	context: IExecuteFunctions,
	credentials: IDataObject,
): Promise<boolean> {
	const customData = customDataOf(context);
	const sealed = customData ? readSealed(customData, context.getNode().id) : undefined;
	if (sealed === undefined || sealed === SEAL_ENDED) return false;
	const node = context.getNode();
	const binding = sealBinding(
		context.getExecutionId(),
		node.id,
		autosharesTrader.readFields(credentials),
	);
	const login = open(sealed, binding);
	if (!login || Date.now() >= login.waitUntil) return false;
	// Paused again: codes are taken from now on. If n8n did not keep the seal, the login ends
	// here with that reason, rather than wait for codes that could not be counted.
	if (
		login.counting === true &&
		(!customData || !storeSealed(customData, node.id, seal({ ...login, counting: false }, binding)))
	) {
		throw new NodeOperationError(
			node,
			'Autoshares Trader verification code: n8n could not keep the paused login with the execution after a wrong code.',
			{
				description: 'Run the workflow again to get a new code.',
			},
		);
	}
	await context.putExecutionToWait(new Date(login.waitUntil));
	return true;
}

// 4. The end of a login: logged in, or failed -------------------------------------------------

/**
 * Puts the token of a finished two-factor login where every n8n process reads it: the
 * credential's saved token. n8n saves what the credential's token step returns, and runs that
 * step for a request whose saved token is empty; the step then hands out the token this login
 * just put in the store, with no token call. Best effort: without it, this process still has
 * the token, and another process's request fails asking for a code.
 */
async function saveToCredential(
	context: IWebhookFunctions,
	credentials: IDataObject,
	fields: AutosharesTraderFields,
): Promise<void> {
	const details = context.getNode().credentials?.autosharesTraderApi;
	if (!details?.id) return;
	await requestAccountInfo(context, fields, {
		id: details.id,
		name: details.name,
		type: autosharesTrader.credentialName,
		data: { ...credentials, accessToken: '' } as ICredentialDataDecryptedObject,
	}).catch(() => {
		// The login itself succeeded; the token stays in this process's store.
		context.logger.warn(
			'Autoshares Trader: the two-factor token could not be saved in the credential; other n8n processes will ask for a new login.',
		);
	});
}

/** The page of a login that failed: what went wrong, in the user's words. */
function loginFailed(message: string): PageContent {
	return { title: 'The login failed', message };
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
function failAtNode(
	context: IWebhookFunctions,
	error: unknown,
	page: PageContent,
	customData: CustomData | undefined,
): IWebhookResponseData {
	const node = context.getNode();
	if (customData) endSealed(customData, node.id);
	loginProgress.end(progressKey(context.getExecutionId(), node.id));
	reply(context, 'failed', page);
	const failure = toNodeError(node, error, autosharesTrader.displayName);
	const entry = resumedEntry(context);
	if (entry)
		entry.metadata = { ...(entry.metadata ?? {}), resumeError: failure as unknown as IDataObject };
	const items = inputItems(context).map((_item, index) => ({
		json: { loggedIn: false, error: failure.message, description: failure.description ?? null },
		pairedItem: { item: index },
	}));
	return { noWebhookResponse: true, workflowData: [items] };
}

// The seal ------------------------------------------------------------------------------------

/** What a seal is bound to: it opens only for the same execution, node and credential. */
export interface SealBinding {
	executionId: string;
	nodeId: string;
	/**
	 * The credential's stable secrets and the address they go to. The key is derived from them,
	 * so an edited credential (another password, another host) cannot open the seal.
	 */
	secrets: string[];
}

/** What the seal is bound to: this execution, this node, the credential's stable secrets. */
function sealBinding(
	executionId: string,
	nodeId: string,
	fields: AutosharesTraderFields,
): SealBinding {
	return {
		executionId,
		nodeId,
		secrets: [fields.baseUrl, fields.appKey, fields.username, fields.password, fields.pinCode],
	};
}

const VERSION = 'v2';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Keys derived in this process (a seal is opened and sealed again at each resume), by digest. */
const derived = new Map<string, Buffer>();
const MAX_DERIVED = 100;

export function sealKey(binding: SealBinding): Buffer {
	// Length-prefixed, so no two lists of secrets run together into the same input.
	const material = binding.secrets.map((secret) => `${secret.length}:${secret}`).join('\0');
	const salt = `n8n-nodes-token-auth/autoshares-paused-login/${VERSION}/execution:${binding.executionId}`;
	const id = createHash('sha256')
		.update(material)
		.update('\0')
		.update(salt)
		.update('\0')
		.update(JSON.stringify(sealKdf))
		.digest('hex');
	const known = derived.get(id);
	if (known) return known;
	const key = scryptSync(material, salt, 32, sealKdf);
	if (derived.size >= MAX_DERIVED) derived.delete(derived.keys().next().value as string);
	derived.set(id, key);
	return key;
}

function associatedData(binding: SealBinding): Buffer {
	return Buffer.from(`${VERSION}\0${binding.executionId}\0${binding.nodeId}`);
}

/**
 * AES-256-GCM under an scrypt key from the credential's secrets, salted with the execution id;
 * the execution and node ids are the associated data. The result is `v2.` + base64url of
 * IV, ciphertext and tag: about 4/3 of the JSON plus 40 characters.
 */
export function seal(login: PausedLogin, binding: SealBinding): string {
	const iv = randomBytes(IV_BYTES);
	const cipher = createCipheriv('aes-256-gcm', sealKey(binding), iv);
	cipher.setAAD(associatedData(binding));
	const body = Buffer.concat([cipher.update(JSON.stringify(login), 'utf8'), cipher.final()]);
	return `${VERSION}.${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
}

function isPausedLogin(value: unknown): value is PausedLogin {
	if (typeof value !== 'object' || value === null) return false;
	const v = value as Record<string, unknown>;
	return (
		(v.step === 'verificationCode' || v.step === 'pin') &&
		typeof v.interimToken === 'string' &&
		Number.isInteger(v.attempts) &&
		Number.isInteger(v.maxAttempts) &&
		typeof v.waitUntil === 'number' &&
		typeof v.outputField === 'string' &&
		typeof v.includeSecretHeaders === 'boolean' &&
		(v.counting === undefined || typeof v.counting === 'boolean')
	);
}

/** The login, or undefined when the seal does not open: another execution, node or credential, or tampering. */
export function open(sealed: string, binding: SealBinding): PausedLogin | undefined {
	if (!sealed.startsWith(`${VERSION}.`)) return undefined;
	const raw = Buffer.from(sealed.slice(VERSION.length + 1), 'base64url');
	if (raw.length <= IV_BYTES + TAG_BYTES) return undefined;
	try {
		const decipher = createDecipheriv('aes-256-gcm', sealKey(binding), raw.subarray(0, IV_BYTES));
		decipher.setAAD(associatedData(binding));
		decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
		const text = Buffer.concat([
			decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)),
			decipher.final(),
		]).toString('utf8');
		const login: unknown = JSON.parse(text);
		return isPausedLogin(login) ? login : undefined;
	} catch {
		return undefined;
	}
}

/** A short name for the node in custom data keys, which allow only [A-Za-z0-9_]. */
export function sealName(nodeId: string): string {
	return `tokenAuth2fa_${createHash('sha256').update(nodeId).digest('hex').slice(0, 8)}`;
}

// Where n8n keeps the seal --------------------------------------------------------------------

/**
 * Where a sealed paused login is kept: the execution's custom data. n8n saves it with the
 * execution, `webhook()` reads it on any process and after a restart, and a change made in
 * `webhook()` is saved when the run continues. Its limits are silent in production: at most 10
 * keys per execution (shared with every other node), keys of `[A-Za-z0-9_]`, values cut to 512
 * characters. So a seal is split over as few keys as it needs and read back at once.
 */
export interface CustomData {
	set(key: string, value: string): void;
	get(key: string): unknown;
}

/** n8n cuts values at 512 characters; the first chunk also carries the count. */
const CHUNK = 500;
/** A seal this long would be a token of several kilobytes: refuse rather than crowd out other nodes. */
const MAX_CHUNKS = 4;
/** What the first key holds once the login has ended. */
export const SEAL_ENDED = 'ended';

function keyOf(name: string, index: number): string {
	return index === 0 ? name : `${name}_${index}`;
}

/** Stores `sealed` and reads it back; false if n8n did not keep it whole (no room, a cut value). */
export function storeSealed(customData: CustomData, nodeId: string, sealed: string): boolean {
	const name = sealName(nodeId);
	const chunks: string[] = [];
	for (let at = 0; at < sealed.length; at += CHUNK) chunks.push(sealed.slice(at, at + CHUNK));
	if (chunks.length > MAX_CHUNKS) return false;
	const values = chunks.map((chunk, index) => (index === 0 ? `${chunks.length}:${chunk}` : chunk));
	try {
		values.forEach((value, index) => customData.set(keyOf(name, index), value));
	} catch {
		// A manual run throws where production drops silently: both are "not stored".
		return false;
	}
	return readSealed(customData, nodeId) === sealed;
}

/** The sealed login, 'ended' once the login has ended, or undefined when there is none. */
export function readSealed(customData: CustomData, nodeId: string): string | undefined {
	const name = sealName(nodeId);
	const first = customData.get(name);
	if (first === SEAL_ENDED) return SEAL_ENDED;
	const match = typeof first === 'string' ? /^(\d):(.*)$/s.exec(first) : null;
	if (!match) return undefined;
	const count = Number(match[1]);
	const parts = [match[2]];
	for (let index = 1; index < count; index++) {
		const part = customData.get(keyOf(name, index));
		if (typeof part !== 'string') return undefined;
		parts.push(part);
	}
	return parts.join('');
}

/** Overwrites the seal once the login has ended (saved by n8n when the run continues). */
export function endSealed(customData: CustomData, nodeId: string): void {
	const name = sealName(nodeId);
	const first = customData.get(name);
	const count = typeof first === 'string' ? Number(/^(\d):/.exec(first)?.[1] ?? 1) : 1;
	customData.set(name, SEAL_ENDED);
	for (let index = 1; index < count; index++) customData.set(keyOf(name, index), '');
}

/** The custom data of the execution a webhook() call belongs to, where n8n offers it. */
export function customDataOf(context: object): CustomData | undefined {
	try {
		const data = (context as { customData?: CustomData }).customData;
		return data && typeof data.get === 'function' && typeof data.set === 'function'
			? data
			: undefined;
	} catch {
		return undefined;
	}
}

/**
 * n8n 1.x keeps the seal in the node's context (it has no custom data for nodes), which a
 * webhook() reads through an expression on any process and after a restart.
 */
function sealFromNodeContext(context: IWebhookFunctions): string | undefined {
	const node = context.getNode();
	const value = context.evaluateExpression(
		`{{ $(${JSON.stringify(node.name)}).context[${JSON.stringify(sealName(node.id))}] }}`,
		0,
	) as unknown;
	return typeof value === 'string' && value !== '' ? value : undefined;
}

// The resume call's request and answer --------------------------------------------------------

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
function reply(
	context: IWebhookFunctions,
	status: Status,
	content: PageContent,
	extra: IDataObject = {},
): void {
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
 * The node's input items as they went in (JSON and binary), read back from the execution:
 * `webhook()` runs on whichever process got the resume call, with nothing of `execute()`'s
 * memory.
 */
function inputItems(context: IWebhookFunctions): INodeExecutionData[] {
	const items = context.evaluateExpression('{{ $input.all() }}', 0) as unknown;
	if (!Array.isArray(items) || items.length === 0) return [{ json: {} }];
	return items.map((item: INodeExecutionData) => ({
		json: item.json ?? {},
		...(item.binary ? { binary: item.binary } : {}),
	}));
}

interface ResumeStackEntry {
	node?: { name?: string; disabled?: boolean };
	metadata?: IDataObject;
}

/** The execution-stack entry n8n resumes with, when it is this node's (n8n internals, 2.x and 1.x). */
function resumedEntry(context: IWebhookFunctions): ResumeStackEntry | undefined {
	const stack = (
		context as unknown as {
			runExecutionData?: { executionData?: { nodeExecutionStack?: ResumeStackEntry[] } };
		}
	).runExecutionData?.executionData?.nodeExecutionStack?.[0];
	return stack?.node?.name === context.getNode().name ? stack : undefined;
}

// What one process counts ---------------------------------------------------------------------

/**
 * What one process knows of a paused login beyond its seal: the wrong codes it sent, whether
 * a code is being checked right now (so that two resume calls on this process never both send
 * one), and a newer interim token if Autoshares issued one with a wrong-code answer. Nothing
 * here can finish a login without the seal. Entries are dropped after the login's wait limit
 * and the map is capped, so it cannot grow without bound.
 */
interface LoginProgress {
	wrongCodes: number;
	busy: boolean;
	interimToken?: string;
	/** The attempts this process wrote into the seal: a seal read with fewer is not saved yet. */
	countedTo: number;
	until: number;
}

const MAX_TRACKED = 1000;

class LoginProgressMap {
	private readonly entries = new Map<string, LoginProgress>();

	constructor(private readonly now: () => number = Date.now) {}

	get(key: string, until: number): LoginProgress {
		const now = this.now();
		for (const [other, entry] of this.entries) if (entry.until < now) this.entries.delete(other);
		let entry = this.entries.get(key);
		if (!entry) {
			entry = { wrongCodes: 0, busy: false, countedTo: 0, until };
			this.entries.set(key, entry);
			for (const oldest of this.entries.keys()) {
				if (this.entries.size <= MAX_TRACKED) break;
				this.entries.delete(oldest);
			}
		}
		return entry;
	}

	end(key: string): void {
		this.entries.delete(key);
	}

	get size(): number {
		return this.entries.size;
	}

	clear(): void {
		this.entries.clear();
	}
}

export const loginProgress = new LoginProgressMap();

function progressKey(executionId: string, nodeId: string): string {
	return `${executionId}\0${nodeId}`;
}
