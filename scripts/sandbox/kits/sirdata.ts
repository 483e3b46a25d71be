import fc from 'fast-check';
import { SANDBOX_ACCOUNTS } from '../accounts';
import { sirdataDefinition } from '../sirdata';
import { field, instant, junk, tokenValue, url } from './properties';
import { refusedLoginAnswers, same, WRONG, type VendorKit } from './types';

const A = SANDBOX_ACCOUNTS.sirdata;

export const sirdata: VendorKit<'sirdata'> = {
	server: sirdataDefinition,
	fixture: (server) => ({
		good: {
			baseUrl: server.baseUrl,
			partnerId: String(A.partnerId),
			login: A.login,
			password: A.password,
		},
		bad: {
			baseUrl: server.baseUrl,
			partnerId: String(A.partnerId),
			login: A.login,
			password: 'wrong-password',
		},
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
			'wrong password': {
				baseUrl,
				partnerId: String(A.partnerId),
				login: A.login,
				password: WRONG.password,
			},
		}),
		sent: [WRONG.password],
		leakSearch: [{ name: 'sandbox Sirdata password', value: A.password, kind: 'secret' }],
		requiredFields: ['partnerId', 'login', 'password'],
		blankAddressMeansDefault: true,
		quotesVendor: () => false,
		secretHeaders: [],
	},
	contract: {
		tokenCall: (server) => ({
			url: `${server.baseUrl}/api/v1/public/auth/partner/${A.partnerId}/token`,
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ login: A.login, password: A.password }),
		}),
		tokenField: 'token',
		expiryField: 'expiration_time',
		checkDenied: (answer) => same('401 body', answer.text, ''),
		checkRefusedLogin: refusedLoginAnswers(''),
		messageOf: (answer) => {
			same('error body keys', Object.keys(answer.json()), ['message']);
			return answer.json().message as string;
		},
	},
	properties: {
		answer: fc.record(
			{
				token: tokenValue,
				partner_id: fc.oneof(fc.integer(), fc.string(), junk),
				expiration_time: instant,
			},
			{ requiredKeys: [] },
		),
		documentedAnswer: {
			token: 'tok',
			partner_id: 1,
			expiration_time: '2999-12-11T17:52:30.821624721+01:00',
		},
		credentialFields: {
			baseUrl: fc.oneof(url, fc.constantFrom('', undefined)),
			partnerId: field('12345', 12345),
			login: field('me'),
			password: field('pw'),
		},
	},
	check: {
		expect: (json) => json.ok === true && json.vendor === 'sirdata',
	},
};
