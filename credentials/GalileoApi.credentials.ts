import type { ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

import { requiredSecret, requiredText } from '../nodes/shared/credentialFields';
import {
	authenticateFor,
	credentialTest,
	preAuthenticationFor,
} from '../nodes/shared/credentialLifecycle';
import { galileo } from '../nodes/shared/providers/galileo';
import { tokenFields } from '../nodes/shared/tokenFields';

/** Shown for one Authentication method only. */
const byApiKey = { show: { authMethod: ['apiKey'] } };
const byPassword = { show: { authMethod: ['password'] } };

export class GalileoApi implements ICredentialType {
	name = 'galileoApi';

	displayName = 'Galileo API';

	icon: Icon = { light: 'file:../icons/galileo.svg', dark: 'file:../icons/galileo.dark.svg' };

	documentationUrl =
		'https://github.com/n8n-nodes-token-auth/n8n-nodes-token-auth/blob/main/docs/galileo.md';

	properties: INodeProperties[] = [
		requiredText('API Base URL', 'baseUrl', {
			default: 'https://api.galileo.ai',
			placeholder: 'https://api.acme.rungalileo.io',
			description: 'Your deployment\'s API: the console URL with "console" replaced by "api"',
		}),
		{
			displayName: 'API Version',
			name: 'apiVersion',
			type: 'options',
			options: [
				{
					name: 'V1',
					value: 'v1',
					description:
						'GET /v1/token: for a deployment whose API reference shows /v1/token (such as api.acme.rungalileo.io), or when /v2/token is not found',
				},
				{
					name: 'V2',
					value: 'v2',
					description:
						"GET /v2/token: Galileo SaaS (https://api.galileo.ai), as Galileo's current docs show it",
				},
			],
			default: 'v2',
			description:
				"Path of the token endpoint (and of the Test's /current_user): V2 for Galileo SaaS, V1 for a deployment whose API reference shows /v1/token",
		},
		{
			displayName: 'Authentication',
			name: 'authMethod',
			type: 'options',
			options: [
				{ name: 'API Key', value: 'apiKey' },
				{ name: 'Username and Password', value: 'password' },
			],
			default: 'apiKey',
		},
		requiredSecret('API Key', 'apiKey', { displayOptions: byApiKey }),
		requiredText('Username', 'username', { displayOptions: byPassword }),
		requiredSecret('Password', 'password', { displayOptions: byPassword }),
		{
			displayName: 'Organization ID',
			name: 'organizationId',
			type: 'string',
			default: '',
			description:
				'Optional: get a token for this organization (a UUID). Leave empty for your default organization.',
		},
		{
			displayName: 'Organization Slug',
			name: 'organizationSlug',
			type: 'string',
			default: '',
			description: 'Optional, instead of the organization ID',
		},
		...tokenFields,
	];

	preAuthentication = preAuthenticationFor(galileo);

	authenticate = authenticateFor(galileo);

	test = credentialTest({
		baseURL:
			'={{ $credentials.baseUrl.trim().replace(/\\/+$/, "") + "/" + $credentials.apiVersion }}',
		url: '/current_user',
	});
}
