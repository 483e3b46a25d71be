import type { DateTime } from 'luxon';

import {
	authScheme,
	requiredExpiry,
	requiredString,
	tokenAnswer,
	tokenAnswerBody,
	tryJsonObject,
} from '../answers';
import { expiryFromInstant } from '../expiry';
import type { VendorAnswer } from '../http';
import { normaliseBaseUrl, requiredHeaderText } from '../inputs';
import type { TokenProvider } from '../provider';

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

export const manis: TokenProvider<ManisFields> = {
	vendor: 'manis',
	displayName: NAME,
	credentialName: 'manisApi',
	expiredTokenStatusCodes: () => [401],
	tokenHeaderName: () => 'Authorization',
	secretHeaderNames: [],
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

	readTokenAnswer(answer, now: DateTime) {
		const body = tokenAnswerBody(NAME, answer, {
			refused: [
				'the merchant ID or secret',
				'Check the merchant ID and secret that Manis gave you, and the base URL.',
			],
			invalid: [400, 'Check the merchant ID and secret.'],
			vendorText: manisMessage,
		});
		const token = requiredString(NAME, body, 'token');
		// "integer" in the schema, "timestamp" in the table, units undocumented: epoch seconds
		// or milliseconds by magnitude, or an ISO string.
		const expiresAt = requiredExpiry(NAME, body, 'expiresAt', expiryFromInstant);
		const tokenType = authScheme(NAME, body, 'tokenType', 'Bearer');
		return tokenAnswer(now, { token, tokenType, expiresAt, extras: {} });
	},

	// Inferred (undocumented): the token type the vendor sends, Bearer when it sends none.
	headers(_fields, token) {
		return { Authorization: `${token.tokenType.trim() || 'Bearer'} ${token.token}` };
	},
};
