import { createHash } from 'crypto';
import type { DateTime } from 'luxon';
import type { IDataObject, IHttpRequestOptions } from 'n8n-workflow';

import type { TokenAuthError } from './errors';
import type { VendorAnswer } from './http';
import { redactionFor, type Redaction } from './redact';
import type { IssuedToken } from './tokenStore';

/**
 * The vendor contract: what one provider module says about its vendor, and the few facts the
 * rest of the package reads off it (its store key, its secrets, its token header). Obtaining a
 * token is obtainToken.ts, the credential's part of n8n's lifecycle credentialLifecycle.ts,
 * the nodes' output tokenOutput.ts.
 */

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
	 * The one header of `headers` that carries the token (left out while there is no token);
	 * undefined when the token goes in the query (a Custom Token Endpoint setting).
	 */
	tokenHeaderName(fields: Fields): string | undefined;
	/** Query parameters that carry the token, where the vendor wants it there instead of a header. */
	queryParameters?(
		fields: Fields,
		token: Pick<IssuedToken, 'token' | 'tokenType'>,
	): Record<string, string> | undefined;
	/** The setting that holds the vendor's address, named in advice ("enter it as the base URL"). Default `base URL`. */
	addressSetting?: string;
	/**
	 * For vendors whose login can stop at a step (Autoshares' code or PIN): the error to give
	 * where nothing can wait for that step (a credential, the Get Token node).
	 */
	unfinishedLogin?(fields: Fields, next: NextStep): TokenAuthError;
	/**
	 * Statuses this vendor answers when a token has expired (a Custom Token Endpoint setting).
	 * n8n's httpRequestWithAuthentication retries 401 only unless a node passes these
	 * (preAuthenticationRetryStatusCode); Get Token's Refused Status is judged by them.
	 */
	expiredTokenStatusCodes(fields: Fields): number[];
	/** Text an expired-token answer's body contains, where the user configures it ('' or absent: any body). */
	expiredTokenText?(fields: Fields): string;
	/** Credential values that must never be shown: cut out of any vendor text we quote. */
	secrets(fields: Fields): string[];
	/** Headers of `headers`/`staticHeaders` that carry a credential secret rather than the token. */
	secretHeaderNames: readonly string[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyTokenProvider = TokenProvider<any>;

/** A provider as its module writes it: these three only where the vendor differs. */
export type ProviderSpec<Fields extends object> = Omit<
	TokenProvider<Fields>,
	'expiredTokenStatusCodes' | 'tokenHeaderName' | 'secretHeaderNames'
> &
	Partial<
		Pick<TokenProvider<Fields>, 'expiredTokenStatusCodes' | 'tokenHeaderName' | 'secretHeaderNames'>
	>;

/**
 * The provider of a vendor module: its spec over what most vendors do, an expired token
 * answered 401, the token in `Authorization`, no header that carries a secret besides it.
 */
export function defineProvider<Fields extends object>(
	spec: ProviderSpec<Fields>,
): TokenProvider<Fields> {
	return {
		...spec,
		expiredTokenStatusCodes: spec.expiredTokenStatusCodes ?? (() => [401]),
		tokenHeaderName: spec.tokenHeaderName ?? (() => 'Authorization'),
		secretHeaderNames: spec.secretHeaderNames ?? [],
	};
}

/**
 * Whether a refused request looks like this vendor's expired-token answer: its status is one of
 * the expired statuses and, where the user set a text, the answer contains it. Without a status
 * (the caller already decided the token was refused) it does.
 */
export function isExpiredTokenAnswer(
	provider: AnyTokenProvider,
	fields: object,
	status?: number,
	answer?: string,
): boolean {
	if (status === undefined) return true;
	if (!provider.expiredTokenStatusCodes(fields).includes(status)) return false;
	const text = provider.expiredTokenText?.(fields) ?? '';
	return text === '' || answer === undefined || answer === '' || answer.includes(text);
}

function stableJson(value: object): string {
	return JSON.stringify(
		Object.keys(value)
			.sort()
			.map((key) => [key, (value as IDataObject)[key]]),
	);
}

/** Store key: a digest of the vendor and every field, so no secret is kept in the clear. */
export function storeKey(provider: AnyTokenProvider, fields: object): string {
	return createHash('sha256')
		.update(provider.vendor)
		.update('\0')
		.update(stableJson(fields))
		.digest('hex');
}

/**
 * Everything that must never be shown for these fields: the provider's secrets, and the
 * HTTP Basic pair its token request sends (an echoed `Authorization: Basic …` is its base64).
 */
export function redactionOf(
	provider: AnyTokenProvider,
	fields: object,
	more: string[] = [],
): Redaction {
	const auth = provider.tokenRequest(fields).auth;
	return redactionFor(
		[...provider.secrets(fields), ...more],
		auth ? [[auth.username, auth.password]] : [],
	);
}

/** Every address a token step of these settings may send the credential's secrets to. */
export function tokenRequestUrls(provider: AnyTokenProvider, fields: object): string[] {
	if (provider.staticHeaders?.(fields)) return [];
	const refresh = provider.refreshRequest?.(fields, 'refresh-token')?.url;
	return [provider.tokenRequest(fields).url, ...(refresh === undefined ? [] : [refresh])].filter(
		(url): url is string => typeof url === 'string',
	);
}
