import { createHash } from 'crypto';
import { DateTime } from 'luxon';
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IHttpRequestHelper,
	IHttpRequestOptions,
} from 'n8n-workflow';

import { pastExpiry } from './answers';
import { assertDomainsAllowed } from './domains';
import { isLoginRefusal, TokenAuthError } from './errors';
import { secondsLeft } from './expiry';
import { requesterFrom, sendVendorRequest, type HttpRequester, type VendorAnswer } from './http';
import { quotable, redactionFor, type Redaction } from './redact';
import { isUsable, newest, tokenStore, type HeldRefreshToken, type IssuedToken, type ObtainOptions, type RefusalRules } from './tokenStore';

/** A login that is not finished yet: Autoshares asks for a verification code or a PIN. */
export interface NextStep {
	kind: 'nextStep';
	step: 'verificationCode' | 'pin';
	/** The vendor's own words (`Expecting confirmation code`, `Invalid pin`), cut of secrets and shortened. */
	reason: string;
	interimToken: string;
}

export type TokenAnswer = { kind: 'token'; token: IssuedToken } | NextStep;

/** What the second call of a two-step login carries. */
export interface Continuation {
	step: NextStep['step'];
	interimToken: string;
	value: string;
}

/**
 * Everything about one vendor: the rest of the package (credentials, Get Token, Autoshares
 * Trader) only calls these. Pure functions except where a request is sent through n8n.
 */
export interface TokenProvider<Fields extends object = object> {
	/** The registry key (nodes/shared/providers/index.ts) and Get Token's Vendor value. */
	vendor: string;
	/** As users know the vendor; starts every error message. */
	displayName: string;
	/** The n8n credential type name. */
	credentialName: string;
	/** Credential data → checked, trimmed fields. Throws a settings error before any request. */
	readFields(credentials: IDataObject): Fields;
	/** Headers that need no token step (Soda's API key pair), or undefined. */
	staticHeaders?(fields: Fields): Record<string, string> | undefined;
	tokenRequest(fields: Fields, continuation?: Continuation): IHttpRequestOptions;
	/**
	 * The request that trades a refresh token for a new token (RFC 6749 §6, or the API's own
	 * shape), for vendors whose answers carry one; undefined where refresh is off. Its answer is
	 * read by readTokenAnswer like a login's.
	 */
	refreshRequest?(fields: Fields, refreshToken: string): IHttpRequestOptions | undefined;
	/**
	 * Reads any answer of the token endpoint; throws TokenAuthError for everything but a token or
	 * a next step. `fields` matter where the user says how the answer reads (Custom Token Endpoint).
	 */
	readTokenAnswer(answer: VendorAnswer, now: DateTime, fields: Fields): TokenAnswer;
	/** The headers of every later request, exactly as the vendor wants them. */
	headers(fields: Fields, token: Pick<IssuedToken, 'token' | 'tokenType'>): Record<string, string>;
	/**
	 * The one header of `headers` that carries the token (left out while there is no token), or a
	 * function of the fields where that is a setting; undefined when the token goes in the query.
	 */
	tokenHeaderName: string | ((fields: Fields) => string | undefined);
	/** Query parameters that carry the token, where the vendor wants it there instead of a header. */
	queryParameters?(fields: Fields, token: Pick<IssuedToken, 'token' | 'tokenType'>): Record<string, string> | undefined;
	/** The setting that holds the vendor's address, named in advice ("enter it as the base URL"). Default `base URL`. */
	addressSetting?: string;
	/**
	 * For vendors whose login can stop at a step (Autoshares' code or PIN): the error to give
	 * where nothing can wait for that step (a credential, the Get Token node).
	 */
	unfinishedLogin?(fields: Fields, next: NextStep): TokenAuthError;
	/**
	 * Statuses this vendor answers when a token has expired, or a function of the fields where the
	 * user configures them. n8n's httpRequestWithAuthentication retries 401 only unless a node
	 * passes these (preAuthenticationRetryStatusCode); Get Token's Refused Status is judged by them.
	 */
	expiredTokenStatusCodes: number[] | ((fields: Fields) => number[]);
	/** Text an expired-token answer's body contains, where the user configures it ('' or absent: any body). */
	expiredTokenText?(fields: Fields): string;
	/** Credential values that must never be shown: cut out of any vendor text we quote. */
	secrets(fields: Fields): string[];
	/** Headers of `headers`/`staticHeaders` that carry a credential secret rather than the token. */
	secretHeaderNames: string[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyTokenProvider = TokenProvider<any>;

/** The header that carries the token for these fields, or undefined when it travels in the query. */
export function tokenHeaderNameOf(provider: AnyTokenProvider, fields: object): string | undefined {
	return typeof provider.tokenHeaderName === 'function' ? provider.tokenHeaderName(fields) : provider.tokenHeaderName;
}

/** The statuses that mean "this token has expired" for these fields. */
export function expiredStatusCodesOf(provider: AnyTokenProvider, fields: object): number[] {
	return typeof provider.expiredTokenStatusCodes === 'function' ? provider.expiredTokenStatusCodes(fields) : provider.expiredTokenStatusCodes;
}

/**
 * Whether a refused request looks like this vendor's expired-token answer: its status is one of
 * the expired statuses and, where the user set a text, the answer contains it. Without a status
 * (the caller already decided the token was refused) it does.
 */
export function isExpiredTokenAnswer(provider: AnyTokenProvider, fields: object, status?: number, answer?: string): boolean {
	if (status === undefined) return true;
	if (!expiredStatusCodesOf(provider, fields).includes(status)) return false;
	const text = provider.expiredTokenText?.(fields) ?? '';
	return text === '' || answer === undefined || answer === '' || answer.includes(text);
}

function stableJson(value: object): string {
	return JSON.stringify(Object.keys(value).sort().map((key) => [key, (value as IDataObject)[key]]));
}

/** Store key: a digest of the vendor and every field, so no secret is kept in the clear. */
export function storeKey(provider: AnyTokenProvider, fields: object): string {
	return createHash('sha256').update(provider.vendor).update('\0').update(stableJson(fields)).digest('hex');
}

/**
 * Everything that must never be shown for these fields: the provider's secrets, and the
 * HTTP Basic pair its token request sends (an echoed `Authorization: Basic …` is its base64).
 */
export function redactionOf(provider: AnyTokenProvider, fields: object, more: string[] = []): Redaction {
	const auth = provider.tokenRequest(fields).auth;
	return redactionFor([...provider.secrets(fields), ...more], auth ? [[auth.username, auth.password]] : []);
}

export async function requestToken(
	helpers: HttpRequester,
	provider: AnyTokenProvider,
	fields: object,
	continuation?: Continuation,
	refreshToken?: string,
): Promise<TokenAnswer> {
	const step = continuation ? (continuation.step === 'pin' ? 'PIN' : 'verification code') : refreshToken ? 'token refresh' : 'token request';
	const redaction = redactionOf(provider, fields, refreshToken === undefined ? [] : [refreshToken]);
	const request = refreshToken === undefined ? provider.tokenRequest(fields, continuation) : provider.refreshRequest?.(fields, refreshToken);
	if (request === undefined) throw new TokenAuthError(provider.displayName, step, 'this credential does not refresh tokens.', { description: 'Log in again.' });
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
		// The reason travels on (to the notify URL): the interim token is as secret as the password.
		if (read.kind === 'nextStep') return { ...read, reason: quotable(read.reason, redactionOf(provider, fields, [read.interimToken])) };
		const past = pastExpiry(provider.displayName, read.token.expiresAt, now);
		if (past) throw past;
		return read;
	} catch (error) {
		throw error instanceof TokenAuthError ? error.redacted(redaction) : error;
	}
}

/**
 * A final token: with a refresh token where one is held (a refresh that is refused, rotated
 * away or answered unreadably falls back to the full login, which is what the refresh token
 * saved, and drops it; an outage fails as it is and keeps it), otherwise the full login. A
 * refresh answer without a new refresh token keeps the old.
 */
async function fetchFinalToken(
	helpers: HttpRequester,
	provider: AnyTokenProvider,
	fields: object,
	key: string,
	refresh?: HeldRefreshToken,
): Promise<IssuedToken> {
	if (refresh && provider.refreshRequest?.(fields, refresh.refreshToken)) {
		const refreshed = await requestToken(helpers, provider, fields, undefined, refresh.refreshToken).catch((error: unknown) => {
			// An outage (5xx, 429, a timeout, a reset) is not the refresh token's fault, and the
			// login behind it would meet the same server: reported as it is, the token kept.
			if (error instanceof TokenAuthError && error.transient) throw error;
			return undefined;
		});
		if (refreshed?.kind === 'token') {
			// A refresh answer rarely repeats what the login answer gave besides the token
			// (Salesforce's instance_url): what it lacks is kept from the login.
			const extras = mergedExtras(refresh.extras ?? {}, refreshed.token.extras);
			return { ...refreshed.token, extras, refreshToken: refreshed.token.refreshToken ?? refresh.refreshToken };
		}
		tokenStore.dropRefreshToken(key, refresh.refreshToken);
	}
	const answer = await requestToken(helpers, provider, fields);
	if (answer.kind === 'nextStep') {
		throw (
			provider.unfinishedLogin?.(fields, answer) ??
			new TokenAuthError(provider.displayName, 'token request', 'the login asks for another step.', {
				description: 'This vendor asked for a step the package cannot answer here.',
			})
		);
	}
	return answer.token;
}

/** `before` with `after` over it, one level into objects (`fromAnswer`): a value `after` lacks is kept. */
function mergedExtras(before: IDataObject, after: IDataObject): IDataObject {
	const merged: IDataObject = { ...before };
	for (const [name, value] of Object.entries(after)) {
		const old = merged[name];
		const isObject = (v: unknown): v is IDataObject => v !== null && typeof v === 'object' && !Array.isArray(v);
		merged[name] = isObject(old) && isObject(value) ? { ...old, ...value } : value;
	}
	return merged;
}

/** Every address a token step of these settings may send the credential's secrets to. */
export function tokenRequestUrls(provider: AnyTokenProvider, fields: object): string[] {
	if (provider.staticHeaders?.(fields)) return [];
	const refresh = provider.refreshRequest?.(fields, 'refresh-token')?.url;
	return [provider.tokenRequest(fields).url, ...(refresh === undefined ? [] : [refresh])].filter((url): url is string => typeof url === 'string');
}

/** How every token step tells a refused login and what callers get while it waits out its back-off. */
export function refusalRules(tryAnyway = false): RefusalRules {
	return {
		isRefusal: isLoginRefusal,
		whileRefused: (error, nextTryMs, nowMs) => (error instanceof TokenAuthError ? error.whileRefused(nextTryMs, nowMs) : error),
		tryAnyway,
	};
}

function staticToken(): IssuedToken {
	// Soda's key pair goes on every request; there is no token and no expiry.
	return { token: '', tokenType: 'apiKey', expiresAt: null, obtainedAt: DateTime.utc().toISO(), extras: {} };
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
	const token = await tokenStore.obtain(key, async (refresh) => await fetchFinalToken(helpers, provider, fields, key, refresh), {
		known: savedToken(credentials, key),
		refusals: refusalRules(tryRefusedLogin === true),
		...rest,
	});
	return { fields, token };
}

/** Hidden credential fields written by preAuthentication (declared in tokenFields.ts). */
export interface StoredTokenFields extends IDataObject {
	accessToken: string;
	accessTokenType: string;
	accessTokenExpiresAt: string;
	accessTokenObtainedAt: string;
	/** storeKey of the settings the token was issued for: an edited credential never sends it. */
	accessTokenFor: string;
	/** The refresh token of the same answer ('' for none): a secret, kept only where n8n encrypts. */
	accessRefreshToken: string;
	/** The token's extras as JSON (Soda's organizationId, values kept from a Custom Token Endpoint answer). */
	accessTokenExtras: string;
}

function parsedExtras(text: string): IDataObject {
	try {
		const value: unknown = JSON.parse(text);
		return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as IDataObject) : {};
	} catch {
		return {};
	}
}

/**
 * The token n8n saved in the credential, if it was issued for exactly these settings (`key`,
 * their storeKey: n8n keeps the hidden token when a user edits the base URL or the account, and
 * it must not go to another host or act as another user). Whether it is still fresh, usable or
 * refused is the caller's to judge.
 */
export function savedToken(credentials: IDataObject, key: string): IssuedToken | undefined {
	const text = (name: string) => (typeof credentials[name] === 'string' ? (credentials[name] as string) : '');
	if (text('accessToken') === '' || credentials.accessTokenFor !== key) return undefined;
	return {
		token: text('accessToken'),
		tokenType: text('accessTokenType'),
		expiresAt: text('accessTokenExpiresAt') === '' ? null : text('accessTokenExpiresAt'),
		obtainedAt: text('accessTokenObtainedAt'),
		extras: text('accessTokenExtras') === '' ? {} : parsedExtras(text('accessTokenExtras')),
		...(text('accessRefreshToken') === '' ? {} : { refreshToken: text('accessRefreshToken') }),
	};
}

/**
 * A token a caller reports as refused (Get Token's Refused Token), with when it was issued if
 * this process knows it (its store's, or the one n8n saved): tokens issued before it are then
 * not handed out either. An unknown token is only marked refused.
 */
export function reportedToken(provider: AnyTokenProvider, credentials: IDataObject, token: string): Pick<IssuedToken, 'token' | 'obtainedAt'> {
	const key = storeKey(provider, provider.readFields(credentials));
	const known = [savedToken(credentials, key), tokenStore.usable(key)].find((candidate) => candidate?.token === token);
	return { token, obtainedAt: known?.obtainedAt ?? '' };
}

/**
 * The token a request with these credentials carries: the newest of the saved one and the
 * store's that may still be sent (not past its end, not refused here), or none.
 */
function sendableToken(credentials: IDataObject, key: string): IssuedToken | undefined {
	const now = Date.now();
	const saved = savedToken(credentials, key);
	const fromCredential = saved && isUsable(saved, now) && !tokenStore.isRefused(saved.token) ? saved : undefined;
	return newest(fromCredential, tokenStore.usable(key));
}

/**
 * The token authenticate put on a request, by the credential object it was given. n8n hands
 * the same object to preAuthentication when that request is refused, so the refused token is
 * known exactly, even when concurrent requests have refreshed the store in between (without
 * this, each of 25 items refused with the old token would report the new one as refused).
 */
const sentTokens = new WeakMap<object, IssuedToken | null>();

/**
 * Body of every credential's preAuthentication. n8n calls it when the saved token is empty
 * (before the first request: nothing was refused), after a refused request (credentialsExpired)
 * and on every credential test. In the last two cases the token authenticate sent is the one
 * that failed: it is reported to the store as refused, so no caller gets it again.
 */
export async function preAuthenticate(
	helper: IHttpRequestHelper,
	provider: AnyTokenProvider,
	credentials: ICredentialDataDecryptedObject,
): Promise<Partial<StoredTokenFields>> {
	const fields = provider.readFields(credentials);
	// No token step: return nothing, so n8n saves nothing and authenticate sends the key pair.
	if (provider.staticHeaders?.(fields)) return {};
	// n8n 2.x applies a credential's domain restriction to this step itself; n8n 1.x does not.
	assertDomainsAllowed(undefined, credentials, tokenRequestUrls(provider, fields));
	const key = storeKey(provider, fields);
	const firstCall = typeof credentials.accessToken !== 'string' || credentials.accessToken === '';
	// A credential test calls this without a request before it: what it would send is refused.
	const sent = sentTokens.has(credentials) ? sentTokens.get(credentials) : sendableToken(credentials, key);
	// n8n calls this with a token saved and no request sent only for a credential Test, which a
	// person runs: it tries a refused login again at once. (n8n does not say which call is a
	// Test; a credential that never logged in looks like a workflow's first call, and waits.)
	const isTest = !firstCall && !sentTokens.has(credentials);
	// n8n shows only the message of a credential-path error (credential test, HTTP Request
	// node): the advice goes into it.
	const { token } = await obtainToken(requesterFrom(helper.helpers), provider, credentials, {
		rejected: firstCall ? undefined : (sent ?? undefined),
		tryRefusedLogin: isTest,
	}).catch((error: unknown) => {
		throw error instanceof TokenAuthError ? error.withAdviceInMessage() : error;
	});
	return {
		accessToken: token.token,
		accessTokenType: token.tokenType,
		accessTokenExpiresAt: token.expiresAt ?? '',
		accessTokenObtainedAt: token.obtainedAt,
		accessTokenFor: key,
		accessRefreshToken: token.refreshToken ?? '',
		accessTokenExtras: Object.keys(token.extras).length === 0 ? '' : JSON.stringify(token.extras),
	};
}

/** A credential's preAuthentication for this provider (n8n calls it with its helpers as `this`). */
export function preAuthenticationFor(provider: AnyTokenProvider) {
	return async function (this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		return await preAuthenticate(this, provider, credentials);
	};
}

/** A credential's authenticate for this provider. */
export function authenticateFor(provider: AnyTokenProvider) {
	return async (credentials: ICredentialDataDecryptedObject, requestOptions: IHttpRequestOptions) =>
		await authenticateRequest(provider, credentials, requestOptions);
}

/**
 * Body of every credential's authenticate: the vendor's headers on the outgoing request. The
 * token is the newest of the saved one and this process's that fits these settings, has not
 * expired and was not refused; with none, the token header is left out, the vendor answers 401
 * and n8n runs preAuthentication.
 */
export async function authenticateRequest(
	provider: AnyTokenProvider,
	credentials: ICredentialDataDecryptedObject,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const fields = provider.readFields(credentials);
	let headers = provider.staticHeaders?.(fields);
	if (!headers) {
		const token = sendableToken(credentials, storeKey(provider, fields));
		sentTokens.set(credentials, token ?? null);
		headers = provider.headers(fields, token ?? { token: '', tokenType: '' });
		const tokenHeader = tokenHeaderNameOf(provider, fields);
		if (!token && tokenHeader !== undefined) delete headers[tokenHeader];
		const query = token ? provider.queryParameters?.(fields, token) : undefined;
		if (query) requestOptions.qs = { ...(requestOptions.qs ?? {}), ...query };
	}
	requestOptions.headers = { ...(requestOptions.headers ?? {}), ...headers };
	return requestOptions;
}

/**
 * The normalised token object both nodes output. Headers that carry a credential secret (an
 * app key, an API key secret) are left out unless the user asks for them: they are named in
 * `credentialHeaders` instead, for a downstream node that uses the credential itself.
 */
export function describeToken(
	provider: AnyTokenProvider,
	fields: object,
	token: IssuedToken,
	includeSecretHeaders = false,
): IDataObject {
	const now = DateTime.utc();
	const all = provider.staticHeaders?.(fields) ?? provider.headers(fields, token);
	const query = token.token === '' ? undefined : provider.queryParameters?.(fields, token);
	const headers: Record<string, string> = {};
	const credentialHeaders: string[] = [];
	for (const [name, value] of Object.entries(all)) {
		if (includeSecretHeaders || !provider.secretHeaderNames.includes(name)) headers[name] = value;
		else credentialHeaders.push(name);
	}
	return {
		provider: provider.vendor,
		token: token.token === '' ? null : token.token,
		tokenType: token.tokenType,
		headers,
		credentialHeaders,
		// Only where the token travels in the query: the parameters to add to the URL.
		...(query ? { query } : {}),
		expiresAt: token.expiresAt,
		expiresIn: secondsLeft(token.expiresAt, now),
		obtainedAt: token.obtainedAt,
		...token.extras,
	};
}
