import { jsonTokenAnswer } from '../answers';
import { expiryFromInstant } from '../expiry';
import { normaliseBaseUrl, requiredPassword, requiredText } from '../inputs';
import { defineProvider } from '../provider';

const NAME = 'Sirdata';
export const SIRDATA_DEFAULT_BASE_URL = 'https://partner-api.sddan.com';

export interface SirdataFields {
	baseUrl: string;
	partnerId: string;
	login: string;
	password: string;
}

export const sirdata = defineProvider<SirdataFields>({
	vendor: 'sirdata',
	displayName: NAME,
	credentialName: 'sirdataApi',
	expiredTokenStatusCodes: () => [401, 403],
	secrets: (fields) => [fields.password],

	readFields(credentials) {
		return {
			baseUrl: normaliseBaseUrl(NAME, 'Base URL', credentials.baseUrl || SIRDATA_DEFAULT_BASE_URL),
			partnerId: requiredText(NAME, 'Partner ID', credentials.partnerId),
			login: requiredText(NAME, 'Login', credentials.login),
			password: requiredPassword(NAME, 'Password', credentials.password),
		};
	},

	// Sirdata's token call is a GET that carries a JSON body: most clients drop a GET body, so
	// it is set explicitly here and proven against the sandbox.
	tokenRequest(fields) {
		return {
			method: 'GET',
			url: `${fields.baseUrl}/api/v1/public/auth/partner/${encodeURIComponent(fields.partnerId)}/token`,
			headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
			body: JSON.stringify({ login: fields.login, password: fields.password }),
		};
	},

	// 400 and 401 come with empty bodies: the status is all there is to go on.
	readTokenAnswer: jsonTokenAnswer(NAME, {
		refusals: {
			refused: [
				'the partner ID, login or password',
				'Check the partner ID (given by your Sirdata technical account manager), the login and the password. API access also needs the legal and sales agreements to be signed.',
			],
			invalid: [
				400,
				'Check the partner ID (digits only, as Sirdata gave it), the login and the password.',
			],
		},
		token: 'token',
		// RFC 3339 with nanoseconds and a local offset, e.g. 2019-12-11T17:52:30.821624721+01:00.
		expiry: ['expiration_time', expiryFromInstant],
		tokenType: 'raw',
		extras: (body) =>
			typeof body.partner_id === 'number' || typeof body.partner_id === 'string'
				? { partnerId: body.partner_id }
				: {},
	}),

	// The raw token, no scheme: Sirdata's docs and its own client send it this way.
	headers(_fields, token) {
		return { Authorization: token.token };
	},
});
