import type { IDataObject, INodeProperties } from 'n8n-workflow';

import type { IssuedToken } from './tokenStore';

/**
 * The hidden fields every credential declares for its token. n8n calls preAuthentication only
 * for a credential with a hidden `expirable` field, saves what it returns, and drops returned
 * keys that are not declared properties on the next decrypt: so all of them are declared.
 */
export const tokenFields: INodeProperties[] = [
	{
		displayName: 'Access Token',
		name: 'accessToken',
		type: 'hidden',
		typeOptions: { expirable: true, password: true },
		default: '',
	},
	{
		displayName: 'Access Token Type',
		name: 'accessTokenType',
		type: 'hidden',
		default: '',
	},
	{
		displayName: 'Access Token Expires At',
		name: 'accessTokenExpiresAt',
		type: 'hidden',
		default: '',
	},
	{
		// When the token was issued: of two tokens for the same settings (one saved here by
		// another n8n process, one in this process's store) the newer one is sent.
		displayName: 'Access Token Obtained At',
		name: 'accessTokenObtainedAt',
		type: 'hidden',
		default: '',
	},
	{
		// A digest of the settings the token was issued for (they include the password, so the
		// digest is kept out of the editor like a password).
		displayName: 'Access Token Issued For',
		name: 'accessTokenFor',
		type: 'hidden',
		typeOptions: { password: true },
		default: '',
	},
	{
		// A refresh token from the same answer (Custom Token Endpoint): a secret like a password.
		displayName: 'Refresh Token',
		name: 'accessRefreshToken',
		type: 'hidden',
		typeOptions: { password: true },
		default: '',
	},
	{
		// Values passed on with the token (JSON): an organisation id, values kept from the answer.
		displayName: 'Access Token Extras',
		name: 'accessTokenExtras',
		type: 'hidden',
		typeOptions: { password: true },
		default: '',
	},
];

/** The hidden fields above, as preAuthentication writes them. */
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
		return value !== null && typeof value === 'object' && !Array.isArray(value)
			? (value as IDataObject)
			: {};
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
	const text = (name: string) =>
		typeof credentials[name] === 'string' ? (credentials[name] as string) : '';
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
