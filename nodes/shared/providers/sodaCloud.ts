import type { IDataObject } from 'n8n-workflow';

import { fastApiDetail, jsonTokenAnswer } from '../answers';
import { TokenAuthError } from '../errors';
import { expiryFromSecondsLeft } from '../expiry';
import { normaliseBaseUrl, requiredHeaderText, requiredPassword, requiredText } from '../inputs';
import { defineProvider } from '../provider';

const NAME = 'Soda Cloud';

/** The region option's values are the base URLs themselves, so the credential test can use them. */
export const SODA_REGIONS = {
	eu: 'https://reporting.cloud.soda.io/v1',
	us: 'https://reporting.cloud.us.soda.io/v1',
};

export interface SodaCloudFields {
	baseUrl: string;
	authMethod: 'token' | 'apiKey';
	email: string;
	password: string;
	apiKeyId: string;
	apiKeySecret: string;
}

export const sodaCloud = defineProvider<SodaCloudFields>({
	vendor: 'sodaCloud',
	displayName: NAME,
	credentialName: 'sodaCloudApi',
	tokenHeaderName: () => 'SODA_TOKEN',
	secretHeaderNames: ['X-API-KEY-SECRET'],
	secrets: (fields) => [fields.password, fields.apiKeySecret],

	readFields(credentials) {
		const region = credentials.region ?? SODA_REGIONS.eu;
		if (typeof region !== 'string') {
			throw new TokenAuthError(NAME, 'settings', 'Region is not valid.', {
				description: 'Choose EU, US or Custom URL as the region.',
			});
		}
		const baseUrl =
			region === 'custom'
				? normaliseBaseUrl(NAME, 'Base URL', credentials.baseUrl)
				: normaliseBaseUrl(
						NAME,
						'Region',
						SODA_REGIONS[region as keyof typeof SODA_REGIONS] ?? region,
					);
		// Every Reporting API path, /get_token included, is under /v1: without it each call is a
		// bare 404 that says nothing about the base URL.
		if (!new URL(baseUrl).pathname.endsWith('/v1')) {
			// The credential Test shows a settings error's summary alone: the example goes in it.
			throw new TokenAuthError(
				NAME,
				'settings',
				`${region === 'custom' ? 'Base URL' : 'Region'} must end in /v1, as ${SODA_REGIONS.eu} does.`,
				{
					description: `Soda Cloud's Reporting API is under /v1: enter the base URL with it (EU ${SODA_REGIONS.eu}, US ${SODA_REGIONS.us}), or choose the EU or US region.`,
				},
			);
		}
		if (credentials.authMethod === 'apiKey') {
			return {
				baseUrl,
				authMethod: 'apiKey',
				email: '',
				password: '',
				apiKeyId: requiredHeaderText(NAME, 'API Key ID', credentials.apiKeyId),
				apiKeySecret: requiredHeaderText(NAME, 'API Key Secret', credentials.apiKeySecret),
			};
		}
		return {
			baseUrl,
			authMethod: 'token',
			email: requiredText(NAME, 'Email', credentials.email),
			password: requiredPassword(NAME, 'Password', credentials.password),
			apiKeyId: '',
			apiKeySecret: '',
		};
	},

	// Soda recommends the key pair, sent on every call with no token step (SSO users have no password).
	staticHeaders(fields) {
		if (fields.authMethod !== 'apiKey') return undefined;
		return { 'X-API-KEY-ID': fields.apiKeyId, 'X-API-KEY-SECRET': fields.apiKeySecret };
	},

	tokenRequest(fields) {
		return {
			method: 'GET',
			url: `${fields.baseUrl}/get_token`,
			auth: { username: fields.email, password: fields.password },
			headers: { Accept: 'application/json' },
		};
	},

	readTokenAnswer: jsonTokenAnswer(NAME, {
		refusals: {
			refused: [
				'the email or password',
				'Check the email and password of your Soda Cloud account. Accounts that sign in with SSO have no password: choose the API key method and create a key pair in Soda Cloud (profile → API Keys).',
			],
			vendorText: fastApiDetail,
		},
		token: 'token',
		expiry: ['expires_in', expiryFromSecondsLeft],
		tokenType: 'sodaToken',
		extras: (body) => {
			const extras: IDataObject = {};
			if (typeof body.organization_id === 'string') extras.organizationId = body.organization_id;
			if (typeof body.user === 'string') extras.user = body.user;
			return extras;
		},
	}),

	// Soda's own header, not Bearer. Its underscore makes some proxies (nginx by default) drop it.
	headers(_fields, token) {
		return { SODA_TOKEN: token.token };
	},
});

/**
 * The credential Test's message when Soda refuses its request (n8n shows a test rule's message
 * as it is, so the advice is in it). With the API key method that request carries the key
 * pair; with email and password it carries the token Soda had just issued, which Soda refuses
 * only when the header did not reach it.
 */
export function sodaTestRefusal(status: 401 | 403): string {
	return new TokenAuthError(
		NAME,
		'authenticated request',
		`the API key ID or secret was refused (HTTP ${status}).`,
		{
			description:
				'Check the API key ID and secret, and that the region is the one of your Soda Cloud account, or create a new key pair in Soda Cloud (profile → API Keys). With the email and password method, Soda refused the token it had just issued: a proxy between n8n and Soda may be dropping the SODA_TOKEN header.',
		},
	).withAdviceInMessage().message;
}
