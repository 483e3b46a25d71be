import type { INodeProperties } from 'n8n-workflow';

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
