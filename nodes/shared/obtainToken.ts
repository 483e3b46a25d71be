import { DateTime } from 'luxon';
import type { IDataObject } from 'n8n-workflow';

import { pastExpiry } from './answers';
import { isLoginRefusal, TokenAuthError } from './errors';
import { sendVendorRequest, type HttpRequester } from './http';
import {
	redactionOf,
	storeKey,
	type AnyTokenProvider,
	type Continuation,
	type TokenAnswer,
} from './provider';
import { quotable } from './redact';
import { savedToken } from './tokenFields';
import {
	tokenStore,
	type HeldRefreshToken,
	type IssuedToken,
	type ObtainOptions,
	type RefusalRules,
} from './tokenStore';

/**
 * The token step every caller shares (a credential's preAuthentication, Get Token, Log In): one
 * request to the vendor, its answer read, a refresh token tried first, a refused login
 * remembered, and one token call for every concurrent caller.
 */

export async function requestToken(
	helpers: HttpRequester,
	provider: AnyTokenProvider,
	fields: object,
	continuation?: Continuation,
	refreshToken?: string,
): Promise<TokenAnswer> {
	const step = continuation
		? continuation.step === 'pin'
			? 'PIN'
			: 'verification code'
		: refreshToken
			? 'token refresh'
			: 'token request';
	const request =
		refreshToken === undefined
			? provider.tokenRequest(fields, continuation)
			: provider.refreshRequest?.(fields, refreshToken);
	if (request === undefined)
		throw new TokenAuthError(
			provider.displayName,
			step,
			'this credential does not refresh tokens.',
			{ description: 'Log in again.' },
		);
	// Besides the credential's secrets, what this step sends is cut from anything quoted: a second
	// step's interim token and code, a refresh token.
	const sent = continuation
		? [continuation.interimToken, continuation.value]
		: refreshToken === undefined
			? []
			: [refreshToken];
	try {
		// A second step is sent once: the vendor may have accepted a code whose answer was lost,
		// and sending it again would burn the interim token ("Corrupted ticket").
		const answer = await sendVendorRequest(
			helpers,
			{ vendor: provider.displayName, step, setting: provider.addressSetting ?? 'base URL' },
			request,
			continuation ? 1 : undefined,
		);
		const now = DateTime.utc();
		const read = provider.readTokenAnswer(answer, now, fields);
		// The reason travels on (to the notify URL): the interim tokens and the code are as secret
		// as the password.
		if (read.kind === 'nextStep')
			return {
				...read,
				reason: quotable(read.reason, redactionOf(provider, fields, [read.interimToken, ...sent])),
			};
		const past = pastExpiry(provider.displayName, read.token.expiresAt, now);
		if (past) throw past;
		return read;
	} catch (error) {
		throw error instanceof TokenAuthError
			? error.redacted(redactionOf(provider, fields, sent))
			: error;
	}
}

/**
 * A final token: with a refresh token where one is held, otherwise the full login. A refresh
 * that fails falls back to the full login, which is what the refresh token saved; a refused,
 * rotated-away or unreadable refresh drops the refresh token, an outage keeps it for the next
 * try. A refresh answer without a new refresh token keeps the old.
 */
async function fetchFinalToken(
	helpers: HttpRequester,
	provider: AnyTokenProvider,
	fields: object,
	key: string,
	refresh?: HeldRefreshToken,
): Promise<IssuedToken> {
	if (refresh && provider.refreshRequest?.(fields, refresh.refreshToken)) {
		const refreshed = await requestToken(
			helpers,
			provider,
			fields,
			undefined,
			refresh.refreshToken,
		).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
		if (!(refreshed instanceof Error) && refreshed.kind === 'token') {
			// A refresh answer rarely repeats what the login answer gave besides the token
			// (Salesforce's instance_url): what it lacks is kept from the login.
			const extras = mergedExtras(refresh.extras ?? {}, refreshed.token.extras);
			return {
				...refreshed.token,
				extras,
				refreshToken: refreshed.token.refreshToken ?? refresh.refreshToken,
			};
		}
		// An outage (5xx, 429, a timeout, a reset) is not the refresh token's fault: it is kept
		// for the next try. Anything else (refused, rotated away, unreadable) drops it. Either
		// way the full login follows: a refresh URL that keeps failing never blocks the login.
		if (!(refreshed instanceof TokenAuthError && refreshed.transient))
			tokenStore.dropRefreshToken(key, refresh.refreshToken);
	}
	const answer = await requestToken(helpers, provider, fields);
	if (answer.kind === 'nextStep') {
		throw (
			provider.unfinishedLogin?.(fields, answer) ??
			new TokenAuthError(
				provider.displayName,
				'token request',
				'the login asks for another step.',
				{
					description: 'This vendor asked for a step the package cannot answer here.',
				},
			)
		);
	}
	return answer.token;
}

/** `before` with `after` over it, one level into objects (`fromAnswer`): a value `after` lacks is kept. */
function mergedExtras(before: IDataObject, after: IDataObject): IDataObject {
	const merged: IDataObject = { ...before };
	for (const [name, value] of Object.entries(after)) {
		const old = merged[name];
		const isObject = (v: unknown): v is IDataObject =>
			v !== null && typeof v === 'object' && !Array.isArray(v);
		merged[name] = isObject(old) && isObject(value) ? { ...old, ...value } : value;
	}
	return merged;
}

/** How every token step tells a refused login and what callers get while it waits out its back-off. */
export function refusalRules(tryAnyway = false): RefusalRules {
	return {
		isRefusal: isLoginRefusal,
		whileRefused: (error, nextTryMs, nowMs) =>
			error instanceof TokenAuthError ? error.whileRefused(nextTryMs, nowMs) : error,
		tryAnyway,
	};
}

function staticToken(): IssuedToken {
	// Soda's key pair goes on every request; there is no token and no expiry.
	return {
		token: '',
		tokenType: 'apiKey',
		expiresAt: null,
		obtainedAt: DateTime.utc().toISO(),
		extras: {},
	};
}

/**
 * The current token for these credentials: the freshest valid one known (the store's, or the
 * one n8n saved in the credential, which another process may have fetched), otherwise one new
 * token call shared by every concurrent caller.
 */
export async function obtainToken(
	helpers: HttpRequester,
	provider: AnyTokenProvider,
	credentials: IDataObject,
	options: ObtainOptions & { tryRefusedLogin?: boolean } = {},
): Promise<{ fields: object; token: IssuedToken }> {
	const fields = provider.readFields(credentials);
	const fixed = provider.staticHeaders?.(fields);
	if (fixed) return { fields, token: staticToken() };
	const key = storeKey(provider, fields);
	const { tryRefusedLogin, ...rest } = options;
	const token = await tokenStore.obtain(
		key,
		async (refresh) => await fetchFinalToken(helpers, provider, fields, key, refresh),
		{
			known: savedToken(credentials, key),
			refusals: refusalRules(tryRefusedLogin === true),
			...rest,
		},
	);
	return { fields, token };
}
