/**
 * The node's own calls to Autoshares (and to the Notify URL): the two steps of a login, the
 * account info and the notify call. What the node does with their answers is in the operations
 * and the paused login.
 */
import type {
	ICredentialsDecrypted,
	IDataObject,
	IExecuteFunctions,
	IWebhookFunctions,
} from 'n8n-workflow';

import { TokenAuthError } from '../shared/errors';
import { sendVendorRequest, type HttpRequester } from '../shared/http';
import { notifyAddress } from '../shared/inputs';
import { refusalRules, requestToken } from '../shared/obtainToken';
import { storeKey, tokenRequestUrls, type NextStep } from '../shared/provider';
import { savedToken } from '../shared/tokenFields';
import {
	autosharesTrader,
	type AutosharesTraderFields,
} from '../shared/providers/autosharesTrader';
import { tokenStore, type IssuedToken } from '../shared/tokenStore';

const NOTIFY_TIMEOUT_MS = 15_000;

/** The node's one authenticated call: the logged-in user. */
function accountInfoUrl(fields: AutosharesTraderFields): string {
	return `${fields.baseUrl}/v1.0/users/@me/info`;
}

/**
 * Every address the node sends the credential's secrets or token to: n8n's domain restriction
 * must allow them all (n8n's authenticated helper does not apply it to a node's request).
 */
export function credentialUrls(fields: AutosharesTraderFields): string[] {
	return [...tokenRequestUrls(autosharesTrader, fields), accountInfoUrl(fields)];
}

/**
 * GET the account info through n8n's authenticated helper: n8n adds the token (running the
 * credential's token step first if it has none) and retries once after Autoshares' expired
 * status. It carries the token and the app key, so it follows no redirect. `credentials`
 * replaces the saved ones (the two-factor login hands its own, with the saved token blanked).
 */
export async function requestAccountInfo(
	context: IExecuteFunctions | IWebhookFunctions,
	fields: AutosharesTraderFields,
	credentials?: ICredentialsDecrypted,
): Promise<IDataObject> {
	return (await context.helpers.httpRequestWithAuthentication.call(
		context,
		autosharesTrader.credentialName,
		{ method: 'GET', url: accountInfoUrl(fields), json: true, disableFollowRedirect: true },
		{
			...(credentials && { credentialsDecrypted: credentials }),
			preAuthenticationRetryStatusCode: autosharesTrader.expiredTokenStatusCodes(fields),
		},
	)) as IDataObject;
}

export type LoginOutcome =
	| { kind: 'token'; fields: AutosharesTraderFields; token: IssuedToken }
	| { kind: 'waiting'; fields: AutosharesTraderFields; next: NextStep };

/** Keeps the token for the credential: HTTP Request nodes of this n8n use it from now on. */
function loggedIn(
	fields: AutosharesTraderFields,
	token: IssuedToken,
): Extract<LoginOutcome, { kind: 'token' }> {
	tokenStore.put(storeKey(autosharesTrader, fields), token);
	return { kind: 'token', fields, token };
}

/**
 * First call of the login: a token, or the step Autoshares is waiting for. While a valid token
 * is known for these settings (this process's, or the one n8n saved in the credential, which
 * may come from a two-factor login finished on another process) it is used: no token call,
 * no new code; unless the node's Force New Login asks for a new session.
 */
export async function beginLogin(
	helpers: HttpRequester,
	credentials: IDataObject,
	forceNewLogin = false,
): Promise<LoginOutcome> {
	const fields = autosharesTrader.readFields(credentials);
	const key = storeKey(autosharesTrader, fields);
	const known = forceNewLogin ? undefined : tokenStore.current(key, savedToken(credentials, key));
	if (known) return { kind: 'token', fields, token: known };
	// A refused app key or password is not sent again at once (every item, every execution).
	const answer = await tokenStore.guarded(
		key,
		refusalRules(),
		async () => await requestToken(helpers, autosharesTrader, fields),
	);
	if (answer.kind === 'token') return loggedIn(fields, answer.token);
	// A PIN step with a PIN configured means that PIN was refused: waiting would not help.
	if (answer.step === 'pin' && fields.pinCode !== '')
		throw autosharesTrader.unfinishedLogin!(fields, answer);
	return { kind: 'waiting', fields, next: answer };
}

export type ContinueOutcome =
	| Extract<LoginOutcome, { kind: 'token' }>
	| { kind: 'refused'; interimToken: string };

/**
 * Second call: the interim token and the code (or PIN) that arrived at the resume URL. A
 * refused code is an outcome, not an error: the caller counts attempts and keeps waiting.
 */
export async function continueLogin(
	helpers: HttpRequester,
	credentials: IDataObject,
	waiting: Pick<NextStep, 'step' | 'interimToken'>,
	code: string,
): Promise<ContinueOutcome> {
	const fields = autosharesTrader.readFields(credentials);
	const answer = await requestToken(helpers, autosharesTrader, fields, {
		step: waiting.step,
		interimToken: waiting.interimToken,
		value: code,
	}).catch((error: unknown) => {
		if (error instanceof TokenAuthError && error.kind === 'codeRefused') return undefined;
		throw error;
	});
	if (answer === undefined) return { kind: 'refused', interimToken: waiting.interimToken };
	if (answer.kind === 'token') return loggedIn(fields, answer.token);
	// Asked again for the same step: the code was wrong. Another step is not ours to answer.
	if (answer.step !== waiting.step) throw autosharesTrader.unfinishedLogin!(fields, answer);
	return { kind: 'refused', interimToken: answer.interimToken };
}

/**
 * Tells someone where to send the code. Only the resume URL, the step, the vendor's reason (cut
 * of secrets and shortened when it was read) and the wait limit go out. The resume URL is
 * what lets anyone finish the login, so the call follows the base-URL rules: HTTPS unless
 * loopback, no redirect followed, a bounded answer and a deadline.
 */
export async function notifyWaiting(
	helpers: HttpRequester,
	url: string,
	payload: IDataObject,
): Promise<void> {
	const vendor = autosharesTrader.displayName;
	const address = notifyAddress(vendor, url);
	const answer = await sendVendorRequest(
		helpers,
		{ vendor, step: 'notify', setting: 'Notify URL' },
		{
			method: 'POST',
			url: address,
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify(payload),
			timeout: NOTIFY_TIMEOUT_MS,
		},
	);
	if (answer.statusCode < 200 || answer.statusCode > 299) {
		throw new TokenAuthError(
			vendor,
			'notify',
			`the Notify URL answered HTTP ${answer.statusCode}, so nobody would learn where to send the code.`,
			{
				description:
					'Check the Notify URL option (it must accept a JSON POST), or clear it and read the resume URL from the execution.',
				httpCode: answer.statusCode,
			},
		);
	}
}
