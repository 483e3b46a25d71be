import { jsonTokenAnswer, tryJsonObject } from '../answers';
import { expiryFromInstant } from '../expiry';
import type { VendorAnswer } from '../http';
import { normaliseBaseUrl, requiredHeaderText } from '../inputs';
import { defineProvider } from '../provider';

const NAME = 'Manis';

export interface ManisFields {
	baseUrl: string;
	merchantId: string;
	secret: string;
}

/** The docs show two error shapes: problem-details (`detail`, `title`) and `{message}`. */
function manisMessage(answer: VendorAnswer): unknown {
	const body = tryJsonObject(answer);
	return body?.detail ?? body?.message ?? body?.title;
}

export const manis = defineProvider<ManisFields>({
	vendor: 'manis',
	displayName: NAME,
	credentialName: 'manisApi',
	secrets: (fields) => [fields.secret],

	// The vendor's docs lost their host (https://https/api/...): the base URL is required.
	readFields(credentials) {
		return {
			baseUrl: normaliseBaseUrl(NAME, 'Base URL', credentials.baseUrl),
			merchantId: requiredHeaderText(NAME, 'Merchant ID', credentials.merchantId),
			secret: requiredHeaderText(NAME, 'Secret', credentials.secret),
		};
	},

	tokenRequest(fields) {
		return {
			method: 'POST',
			url: `${fields.baseUrl}/api/v1/auth/token`,
			headers: {
				'x-merchant-id': fields.merchantId,
				'x-secret': fields.secret,
				Accept: 'application/json',
			},
		};
	},

	readTokenAnswer: jsonTokenAnswer(NAME, {
		refusals: {
			refused: [
				'the merchant ID or secret',
				'Check the merchant ID and secret that Manis gave you, and the base URL.',
			],
			invalid: [400, 'Check the merchant ID and secret.'],
			vendorText: manisMessage,
		},
		token: 'token',
		// "integer" in the schema, "timestamp" in the table, units undocumented: epoch seconds
		// or milliseconds by magnitude, or an ISO string.
		expiry: ['expiresAt', expiryFromInstant],
		tokenType: ['tokenType', 'Bearer'],
	}),

	// Inferred (undocumented): the token type the vendor sends, Bearer when it sends none.
	headers(_fields, token) {
		return { Authorization: `${token.tokenType.trim() || 'Bearer'} ${token.token}` };
	},
});
