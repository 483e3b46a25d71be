import type { ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

import { requiredSecret, requiredText } from '../nodes/shared/credentialFields';
import {
	authenticateFor,
	credentialTest,
	preAuthenticationFor,
} from '../nodes/shared/credentialLifecycle';
import { SODA_REGIONS, sodaCloud, sodaTestRefusal } from '../nodes/shared/providers/sodaCloud';
import { tokenFields } from '../nodes/shared/tokenFields';

/** Shown for one Authentication method only. */
const byApiKey = { show: { authMethod: ['apiKey'] } };
const byToken = { show: { authMethod: ['token'] } };

export class SodaCloudApi implements ICredentialType {
	name = 'sodaCloudApi';

	displayName = 'Soda Cloud API';

	icon: Icon = { light: 'file:../icons/sodaCloud.svg', dark: 'file:../icons/sodaCloud.dark.svg' };

	documentationUrl =
		'https://github.com/n8n-nodes-token-auth/n8n-nodes-token-auth/blob/main/docs/soda-cloud.md';

	properties: INodeProperties[] = [
		{
			displayName: 'Region',
			name: 'region',
			type: 'options',
			options: [
				{ name: 'EU (reporting.cloud.soda.io)', value: SODA_REGIONS.eu },
				{ name: 'US (reporting.cloud.us.soda.io)', value: SODA_REGIONS.us },
				{ name: 'Custom URL', value: 'custom' },
			],
			default: SODA_REGIONS.eu,
		},
		requiredText('Base URL', 'baseUrl', {
			placeholder: 'https://reporting.cloud.soda.io/v1',
			description: 'The Reporting API base URL, ending in /v1',
			displayOptions: { show: { region: ['custom'] } },
		}),
		{
			displayName: 'Authentication',
			name: 'authMethod',
			type: 'options',
			options: [
				{
					name: 'API Key (Recommended by Soda)',
					value: 'apiKey',
					description: 'An API key ID and secret sent on every request; works for SSO accounts',
				},
				{
					name: 'Email and Password (Token)',
					value: 'token',
					description: 'Gets a 30-minute token from /get_token and sends it as SODA_TOKEN',
				},
			],
			default: 'apiKey',
		},
		requiredText('API Key ID', 'apiKeyId', { displayOptions: byApiKey }),
		requiredSecret('API Key Secret', 'apiKeySecret', { displayOptions: byApiKey }),
		{
			displayName: 'Email',
			name: 'email',
			type: 'string',
			required: true,
			placeholder: 'name@email.com',
			default: '',
			displayOptions: byToken,
		},
		requiredSecret('Password', 'password', { displayOptions: byToken }),
		...tokenFields,
	];

	preAuthentication = preAuthenticationFor(sodaCloud);

	authenticate = authenticateFor(sodaCloud);

	test = credentialTest(
		{
			baseURL: `={{ ($credentials.region === 'custom' ? $credentials.baseUrl : $credentials.region).trim().replace(/\\/+$/, '') }}`,
			url: '/last_etl_refresh',
		},
		// The API key method has no token step, so a refused key pair reaches n8n only as this
		// request's status: without a rule n8n shows a bare "Unauthorized".
		[
			{ type: 'responseCode', properties: { value: 401, message: sodaTestRefusal(401) } },
			{ type: 'responseCode', properties: { value: 403, message: sodaTestRefusal(403) } },
		],
	);
}
