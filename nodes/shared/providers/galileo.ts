import type { IDataObject } from 'n8n-workflow';

import { fastApiDetail, jsonTokenAnswer } from '../answers';
import { TokenAuthError } from '../errors';
import { expiryFromInstant } from '../expiry';
import {
	normaliseBaseUrl,
	optionalText,
	requiredHeaderText,
	requiredPassword,
	requiredText,
} from '../inputs';
import { defineProvider } from '../provider';

const NAME = 'Galileo';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface GalileoFields {
	baseUrl: string;
	apiVersion: 'v1' | 'v2';
	authMethod: 'apiKey' | 'password';
	apiKey: string;
	username: string;
	password: string;
	organizationId: string;
	organizationSlug: string;
}

export const galileo = defineProvider<GalileoFields>({
	vendor: 'galileo',
	displayName: NAME,
	credentialName: 'galileoApi',
	secrets: (fields) => [fields.apiKey, fields.password],

	readFields(credentials) {
		const byPassword = credentials.authMethod === 'password';
		const organizationId = optionalText(credentials.organizationId);
		const organizationSlug = optionalText(credentials.organizationSlug);
		if (organizationId !== '' && !UUID.test(organizationId)) {
			throw new TokenAuthError(NAME, 'settings', 'Organization ID is not a UUID.', {
				description:
					'Copy the organization ID from Galileo (a UUID such as 3fa85f64-5717-4562-b3fc-2c963f66afa6), or leave it empty.',
			});
		}
		if (organizationId !== '' && organizationSlug !== '') {
			throw new TokenAuthError(
				NAME,
				'settings',
				'both Organization ID and Organization Slug are set.',
				{
					description: 'Galileo takes one or the other: clear one of the two fields.',
				},
			);
		}
		return {
			baseUrl: normaliseBaseUrl(NAME, 'API Base URL', credentials.baseUrl),
			// The credential's default: Galileo SaaS, the default host, documents /v2/token.
			apiVersion: credentials.apiVersion === 'v1' ? 'v1' : 'v2',
			authMethod: byPassword ? 'password' : 'apiKey',
			apiKey: byPassword ? '' : requiredHeaderText(NAME, 'API Key', credentials.apiKey),
			username: byPassword ? requiredText(NAME, 'Username', credentials.username) : '',
			password: byPassword ? requiredPassword(NAME, 'Password', credentials.password) : '',
			organizationId,
			organizationSlug,
		};
	},

	tokenRequest(fields) {
		const qs: IDataObject = {};
		if (fields.organizationId !== '') qs.organization_id = fields.organizationId;
		if (fields.organizationSlug !== '') qs.organization_slug = fields.organizationSlug;
		return {
			method: 'GET',
			url: `${fields.baseUrl}/${fields.apiVersion}/token`,
			qs,
			headers: {
				Accept: 'application/json',
				...(fields.authMethod === 'apiKey' ? { 'Galileo-API-Key': fields.apiKey } : {}),
			},
			...(fields.authMethod === 'password'
				? { auth: { username: fields.username, password: fields.password } }
				: {}),
		};
	},

	readTokenAnswer: jsonTokenAnswer(NAME, {
		refusals: {
			refused: [
				'the API key or username/password',
				`Check the API key (Galileo console → Settings → API Keys) or the username and password, and that the API Base URL is your deployment's API (the console URL with "console" replaced by "api").`,
			],
			invalid: [422, 'Check the organization ID or slug.'],
			vendorText: fastApiDetail,
		},
		token: 'access_token',
		expiry: ['expires_at', expiryFromInstant],
		// Kept as sent ("bearer"); the header is always "Bearer <token>".
		tokenType: ['token_type', 'bearer'],
	}),

	headers(_fields, token) {
		return { Authorization: `Bearer ${token.token}` };
	},
});
