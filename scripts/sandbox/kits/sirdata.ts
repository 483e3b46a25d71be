import { SANDBOX_ACCOUNTS } from '../accounts';
import { sirdataDefinition } from '../sirdata';
import { WRONG, type VendorKit } from './types';

const A = SANDBOX_ACCOUNTS.sirdata;

export const sirdata: VendorKit<'sirdata'> = {
	server: sirdataDefinition,
	fixture: (server) => ({
		good: { baseUrl: server.baseUrl, partnerId: String(A.partnerId), login: A.login, password: A.password },
		bad: { baseUrl: server.baseUrl, partnerId: String(A.partnerId), login: A.login, password: 'wrong-password' },
		expectedHeaders: (token) => ({ Authorization: token }),
		urlField: 'baseUrl',
		// The placeholder first: the sandbox's echo checks the vendor's header exactly and answers 200.
		exampleUrls: [
			['https://partner-api.sddan.com/api/v1/YOUR-ENDPOINT', `${server.origin}/__sandbox/echo`],
			['https://partner-api.sddan.com', server.baseUrl],
		],
	}),
	tokenStepNeedsLegacyRequest: true,
	answerHasExpiry: true,
	pastExpiry: (past) => past.toISOString(),
	secrets: {
		credentials: ({ baseUrl }) => ({
			'wrong password': { baseUrl, partnerId: String(A.partnerId), login: A.login, password: WRONG.password },
		}),
		sent: [WRONG.password],
		leakSearch: [{ name: 'sandbox Sirdata password', value: A.password, kind: 'secret' }],
		requiredFields: ['partnerId', 'login', 'password'],
		blankAddressMeansDefault: true,
		quotesVendor: () => false,
		secretHeaders: [],
	},
	check: { example: 'sirdata.json', expect: (json) => json.ok === true && json.vendor === 'sirdata' },
};
