import type { ICredentialTestRequest, ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

import { authenticateFor, preAuthenticationFor } from '../nodes/shared/provider';
import { galileo } from '../nodes/shared/providers/galileo';
import { tokenFields } from '../nodes/shared/tokenFields';

export class GalileoApi implements ICredentialType {
	name = 'galileoApi';

	displayName = 'Galileo API';

	icon: Icon = { light: 'file:../icons/galileo.svg', dark: 'file:../icons/galileo.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-token-auth/n8n-nodes-token-auth#galileo';

	properties: INodeProperties[] = [
		{
			displayName: 'API Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.galileo.ai',
			placeholder: 'https://api.acme.rungalileo.io',
			description: 'Your deployment\'s API: the console URL with "console" replaced by "api"',
		},
		{
			displayName: 'API Version',
			name: 'apiVersion',
			type: 'options',
			options: [
				{ name: 'V1', value: 'v1' },
				{ name: 'V2', value: 'v2' },
			],
			default: 'v1',
			description: 'Path of the token endpoint: /v1/token, or /v2/token on current Galileo SaaS',
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
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { authMethod: ['apiKey'] } },
		},
		{
			displayName: 'Username',
			name: 'username',
			type: 'string',
			default: '',
			displayOptions: { show: { authMethod: ['password'] } },
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { authMethod: ['password'] } },
		},
		{
			displayName: 'Organization ID',
			name: 'organizationId',
			type: 'string',
			default: '',
			description: 'Optional: get a token for this organization (a UUID). Leave empty for your default organization.',
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

	test: ICredentialTestRequest = {
		request: {
			// It carries the token or the secrets: never to wherever a redirect points.
			disableFollowRedirect: true,
			baseURL: '={{ $credentials.baseUrl.trim().replace(/\\/+$/, "") + "/" + $credentials.apiVersion }}',
			url: '/current_user',
		},
	};
}
