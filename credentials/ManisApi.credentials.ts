import type { ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

import { requiredSecret, requiredText } from '../nodes/shared/credentialFields';
import {
	authenticateFor,
	BASE_URL_EXPRESSION,
	credentialTest,
	preAuthenticationFor,
} from '../nodes/shared/credentialLifecycle';
import { manis } from '../nodes/shared/providers/manis';
import { tokenFields } from '../nodes/shared/tokenFields';

export class ManisApi implements ICredentialType {
	name = 'manisApi';

	displayName = 'Manis API';

	icon: Icon = { light: 'file:../icons/manis.svg', dark: 'file:../icons/manis.dark.svg' };

	documentationUrl =
		'https://github.com/n8n-nodes-token-auth/n8n-nodes-token-auth/blob/main/docs/manis.md';

	properties: INodeProperties[] = [
		requiredText('Base URL', 'baseUrl', {
			placeholder: 'https://api.example-manis-host.com',
			description: 'The Manis documentation does not name its host: ask Manis for the API host.',
		}),
		requiredText('Merchant ID', 'merchantId'),
		requiredSecret('Secret', 'secret'),
		...tokenFields,
	];

	preAuthentication = preAuthenticationFor(manis);

	authenticate = authenticateFor(manis);

	// Manis publishes no other endpoint: the token call itself is the proof.
	test = credentialTest({
		method: 'POST',
		baseURL: BASE_URL_EXPRESSION,
		url: '/api/v1/auth/token',
		headers: {
			'x-merchant-id': '={{ String($credentials.merchantId).trim() }}',
			'x-secret': '={{ String($credentials.secret).trim() }}',
		},
	});
}
