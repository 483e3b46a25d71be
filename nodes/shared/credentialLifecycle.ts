import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	IDataObject,
	IHttpRequestHelper,
	IHttpRequestOptions,
} from 'n8n-workflow';

import { assertDomainsAllowed } from './domains';
import { TokenAuthError } from './errors';
import { requesterFrom } from './http';
import { obtainToken } from './obtainToken';
import { storeKey, tokenRequestUrls, type AnyTokenProvider } from './provider';
import { savedToken, type StoredTokenFields } from './tokenFields';
import { isUsable, newest, tokenStore, type IssuedToken } from './tokenStore';

/**
 * A credential's part of n8n's lifecycle: preAuthentication (n8n calls it for a missing token,
 * after a refused request and for a Test) and authenticate (the vendor's headers on every
 * request), with the token saved in the credential's hidden fields.
 */

/** n8n's expression for the Base URL field as readFields reads it: trimmed, no trailing slash. */
export const BASE_URL_EXPRESSION = '={{ $credentials.baseUrl.trim().replace(/\\/+$/, "") }}';

/**
 * A credential's Test: its request carries the token or the secrets, so it never follows a
 * redirect to wherever one points, whatever the credential's own request says.
 */
export function credentialTest(
	request: ICredentialTestRequest['request'],
	rules?: ICredentialTestRequest['rules'],
): ICredentialTestRequest {
	return { request: { ...request, disableFollowRedirect: true }, ...(rules && { rules }) };
}

/**
 * A token a caller reports as refused (Get Token's Refused Token), with when it was issued if
 * this process knows it (its store's, or the one n8n saved): tokens issued before it are then
 * not handed out either. An unknown token is only marked refused.
 */
export function reportedToken(
	provider: AnyTokenProvider,
	credentials: IDataObject,
	token: string,
): Pick<IssuedToken, 'token' | 'obtainedAt'> {
	const key = storeKey(provider, provider.readFields(credentials));
	const known = [savedToken(credentials, key), tokenStore.usable(key)].find(
		(candidate) => candidate?.token === token,
	);
	return { token, obtainedAt: known?.obtainedAt ?? '' };
}

/**
 * The token a request with these credentials carries: the newest of the saved one and the
 * store's that may still be sent (not past its end, not refused here), or none.
 */
function sendableToken(credentials: IDataObject, key: string): IssuedToken | undefined {
	const now = Date.now();
	const saved = savedToken(credentials, key);
	const fromCredential =
		saved && isUsable(saved, now) && !tokenStore.isRefused(saved.token) ? saved : undefined;
	return newest(fromCredential, tokenStore.usable(key));
}

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
	const recorded = tokenStore.sentWith(credentials);
	const sent = recorded !== undefined ? recorded : sendableToken(credentials, key);
	// n8n calls this with a token saved and no request sent only for a credential Test, which a
	// person runs: it tries a refused login again at once. (n8n does not say which call is a
	// Test; a credential that never logged in looks like a workflow's first call, and waits.)
	const isTest = !firstCall && recorded === undefined;
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
		tokenStore.recordSent(credentials, token);
		headers = provider.headers(fields, token ?? { token: '', tokenType: '' });
		const tokenHeader = provider.tokenHeaderName(fields);
		if (!token && tokenHeader !== undefined) delete headers[tokenHeader];
		const query = token ? provider.queryParameters?.(fields, token) : undefined;
		if (query) requestOptions.qs = { ...(requestOptions.qs ?? {}), ...query };
	}
	requestOptions.headers = { ...(requestOptions.headers ?? {}), ...headers };
	return requestOptions;
}
