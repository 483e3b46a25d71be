import type { ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

import { requiredSecret, requiredText } from '../nodes/shared/credentialFields';
import {
	authenticateFor,
	credentialTest,
	preAuthenticationFor,
} from '../nodes/shared/credentialLifecycle';
import { SIRDATA_DEFAULT_BASE_URL, sirdata } from '../nodes/shared/providers/sirdata';
import { tokenFields } from '../nodes/shared/tokenFields';

export class SirdataApi implements ICredentialType {
	name = 'sirdataApi';

	displayName = 'Sirdata API';

	icon: Icon = { light: 'file:../icons/sirdata.svg', dark: 'file:../icons/sirdata.dark.svg' };

	documentationUrl =
		'https://github.com/n8n-nodes-token-auth/n8n-nodes-token-auth/blob/main/docs/sirdata.md';

	properties: INodeProperties[] = [
		requiredText('Partner ID', 'partnerId', {
			placeholder: '12345',
			description: 'Given by your Sirdata technical account manager once API access is granted',
		}),
		requiredText('Login', 'login'),
		requiredSecret('Password', 'password'),
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: SIRDATA_DEFAULT_BASE_URL,
			description: 'Sirdata partner API; change it only for a test server',
		},
		...tokenFields,
	];

	preAuthentication = preAuthenticationFor(sirdata);

	authenticate = authenticateFor(sirdata);

	// Sirdata has no endpoint every partner may call, so the proof is the token call that n8n
	// runs (preAuthentication) before this request on every test: wrong values fail the test
	// there, with Sirdata's reason. On n8n 2.x that step cannot send the login (a GET body), so
	// the test passes only with a token a Get Token node obtained, and otherwise says the login
	// was not checked. This request only checks that the host answers; n8n sends no body on a
	// GET here, so Sirdata's 400 to it is expected and ignored.
	test = credentialTest({
		method: 'GET',
		baseURL:
			'={{ ($credentials.baseUrl || "https://partner-api.sddan.com").trim().replace(/\\/+$/, "") }}',
		url: '=/api/v1/public/auth/partner/{{ encodeURIComponent(String($credentials.partnerId).trim()) }}/token',
		ignoreHttpStatusErrors: true,
	});
}
