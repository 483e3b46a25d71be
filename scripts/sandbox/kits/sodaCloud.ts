import { SANDBOX_ACCOUNTS } from '../accounts';
import { sodaDefinition } from '../soda';
import { WRONG, type VendorKit } from './types';

const A = SANDBOX_ACCOUNTS.sodaCloud;

export const sodaCloud: VendorKit<'sodaCloud'> = {
	server: sodaDefinition,
	fixture: (server) => ({
		good: { region: 'custom', baseUrl: server.baseUrl, authMethod: 'token', email: A.user.email, password: A.user.password },
		bad: { region: 'custom', baseUrl: server.baseUrl, authMethod: 'token', email: A.user.email, password: 'wrong-password' },
		expectedHeaders: (token) => ({ SODA_TOKEN: token }),
		urlField: 'baseUrl',
		relativeExpiry: true,
		exampleUrls: [
			['https://reporting.cloud.soda.io/v1', server.baseUrl],
			['https://reporting.cloud.us.soda.io/v1', server.baseUrl],
		],
	}),
	answerHasExpiry: true,
	secrets: {
		credentials: ({ baseUrl }) => ({
			'wrong password': { region: 'custom', baseUrl, authMethod: 'token', email: A.user.email, password: WRONG.password, apiKeyId: A.apiKey.id, apiKeySecret: WRONG.apiKeySecret },
			'wrong API key secret': { region: 'custom', baseUrl, authMethod: 'apiKey', email: A.user.email, password: WRONG.password, apiKeyId: A.apiKey.id, apiKeySecret: WRONG.apiKeySecret },
		}),
		// API keys go on every call, with no token step: nothing fails, nothing names the vendor.
		withoutError: ['wrong API key secret'],
		sent: [WRONG.password],
		leakSearch: [
			{ name: 'Soda API key secret', value: WRONG.apiKeySecret, kind: 'keySecret' },
			{ name: 'sandbox Soda password', value: A.user.password, kind: 'secret' },
			{ name: 'sandbox Soda API key secret', value: A.apiKey.secret, kind: 'keySecret' },
		],
		requiredFields: ['email', 'password'],
		quotesVendor: (status) => status !== 401 && status !== 403,
		secretHeaders: [],
	},
	check: { example: 'soda-cloud.json', expect: (json) => typeof json.last_etl_refresh === 'string' },
};
