import { DateTime } from 'luxon';
import type { IDataObject } from 'n8n-workflow';

import { secondsLeft } from './expiry';
import type { AnyTokenProvider } from './provider';
import type { IssuedToken } from './tokenStore';

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
