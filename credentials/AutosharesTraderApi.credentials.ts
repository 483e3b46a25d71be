import type { ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

import { requiredSecret, requiredText } from '../nodes/shared/credentialFields';
import {
	authenticateFor,
	BASE_URL_EXPRESSION,
	credentialTest,
	preAuthenticationFor,
} from '../nodes/shared/credentialLifecycle';
import { autosharesTrader } from '../nodes/shared/providers/autosharesTrader';
import { tokenFields } from '../nodes/shared/tokenFields';

export class AutosharesTraderApi implements ICredentialType {
	name = 'autosharesTraderApi';

	displayName = 'Autoshares Trader API';

	icon: Icon = {
		light: 'file:../icons/autosharesTrader.svg',
		dark: 'file:../icons/autosharesTrader.dark.svg',
	};

	documentationUrl =
		'https://github.com/n8n-nodes-token-auth/n8n-nodes-token-auth/blob/main/docs/autoshares-trader.md';

	properties: INodeProperties[] = [
		requiredText('Base URL', 'baseUrl', {
			placeholder: 'https://pub-api-et-demo-prod.etnasoft.us/api',
			description: 'The API host you were given at onboarding, ending in /api',
		}),
		requiredSecret('App Key (Et-App-Key)', 'webApiKey', {
			description: 'The company web API key: back office, "Companies" widget, WebApi tab',
		}),
		requiredText('Username', 'username'),
		requiredSecret('Password', 'password'),
		{
			displayName: 'PIN',
			name: 'pinPassword',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Only if the account has a PIN. Accounts with two-factor authentication log in through the Autoshares Trader node.',
		},
		...tokenFields,
	];

	preAuthentication = preAuthenticationFor(autosharesTrader);

	authenticate = authenticateFor(autosharesTrader);

	test = credentialTest({
		baseURL: BASE_URL_EXPRESSION,
		url: '/v1.0/users/@me/info',
	});
}
