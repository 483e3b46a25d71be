import type { IDataObject } from 'n8n-workflow';

import { TokenAuthError } from '../shared/errors';
import type { HttpRequester } from '../shared/http';
import { requestToken, storeKey, type NextStep } from '../shared/provider';
import { autosharesTrader, type AutosharesTraderFields } from '../shared/providers/autosharesTrader';
import { tokenStore, type IssuedToken } from '../shared/tokenStore';

export type LoginOutcome =
	| { kind: 'token'; fields: AutosharesTraderFields; token: IssuedToken }
	| { kind: 'waiting'; fields: AutosharesTraderFields; next: NextStep };

/** Keeps the token for the credential: HTTP Request nodes of this n8n use it from now on. */
function loggedIn(fields: AutosharesTraderFields, token: IssuedToken): Extract<LoginOutcome, { kind: 'token' }> {
	tokenStore.put(storeKey(autosharesTrader, fields), token);
	return { kind: 'token', fields, token };
}

/** First call of the login: a token, or the step Autoshares is waiting for. */
export async function beginLogin(helpers: HttpRequester, credentials: IDataObject): Promise<LoginOutcome> {
	const fields = autosharesTrader.readFields(credentials);
	const answer = await requestToken(helpers, autosharesTrader, fields);
	if (answer.kind === 'token') return loggedIn(fields, answer.token);
	// A PIN step with a PIN configured means that PIN was refused: waiting would not help.
	if (answer.step === 'pin' && fields.pinCode !== '') throw autosharesTrader.unfinishedLogin!(fields, answer);
	return { kind: 'waiting', fields, next: answer };
}

export type ContinueOutcome = Extract<LoginOutcome, { kind: 'token' }> | { kind: 'refused'; interimToken: string };

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

/** Tells someone where to send the code. Only the resume URL and the vendor's step go out. */
export async function notifyWaiting(helpers: HttpRequester, url: string, payload: IDataObject): Promise<void> {
	await helpers.httpRequest({ method: 'POST', url, body: payload, json: true, timeout: 15_000 }).catch(() => {
		throw new TokenAuthError(autosharesTrader.displayName, 'verification code', 'the notify URL could not be reached, so nobody would learn where to send the code.', {
			description: 'Check the Notify URL option (it must accept a JSON POST), or clear it and read the resume URL from the execution.',
		});
	});
}
