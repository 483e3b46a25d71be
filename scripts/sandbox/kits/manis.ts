import fc from 'fast-check';
import { SANDBOX_ACCOUNTS } from '../accounts';
import { manisDefinition } from '../manis';
import { field, instant, junk, tokenValue, url } from './properties';
import { same, WRONG, type VendorKit } from './types';

const A = SANDBOX_ACCOUNTS.manis;

export const manis: VendorKit<'manis'> = {
	server: manisDefinition,
	fixture: (server) => ({
		good: { baseUrl: server.baseUrl, merchantId: A.merchantId, secret: A.secret },
		bad: { baseUrl: server.baseUrl, merchantId: A.merchantId, secret: 'wrong-secret' },
		expectedHeaders: (token) => ({ Authorization: `Bearer ${token}` }),
		urlField: 'baseUrl',
		exampleUrls: [
			['https://YOUR-MANIS-API-HOST/api/v1/YOUR-ENDPOINT', `${server.origin}/__sandbox/echo`],
			['https://YOUR-MANIS-API-HOST', server.baseUrl],
		],
	}),
	answerHasExpiry: true,
	// Manis states epoch seconds.
	pastExpiry: (past) => Math.floor(past.getTime() / 1000),
	secrets: {
		credentials: ({ baseUrl }) => ({
			'wrong secret': { baseUrl, merchantId: A.merchantId, secret: WRONG.manisSecret },
		}),
		sent: [WRONG.manisSecret],
		leakSearch: [
			{ name: 'Manis secret', value: WRONG.manisSecret, kind: 'secret' },
			{ name: 'sandbox Manis secret', value: A.secret, kind: 'secret' },
		],
		requiredFields: ['merchantId', 'secret'],
		// Manis reads detail, message, title as text: a FastAPI list of details is not quoted.
		quotesVendor: (status, fastApiShape) => status !== 401 && status !== 403 && !fastApiShape,
		secretHeaders: [],
	},
	contract: {
		tokenCall: (server) => ({
			url: `${server.baseUrl}/api/v1/auth/token`,
			method: 'POST',
			headers: { 'x-merchant-id': A.merchantId, 'x-secret': A.secret },
		}),
		tokenField: 'token',
		expiryField: 'expiresAt',
		// Its 401 carries a timestamp: the test checks it apart.
		checkDenied: (answer) =>
			same('401 body keys', Object.keys(answer.json()), ['message', 'timestamp']),
		checkRefusedLogin: (answer) =>
			same('refused login message', answer.json().message, 'Invalid merchant credentials'),
		messageOf: (answer) => {
			same('error body keys', Object.keys(answer.json()), ['message', 'timestamp']);
			return answer.json().message as string;
		},
	},
	properties: {
		answer: fc.record(
			{
				tokenType: fc.oneof(fc.constantFrom('Bearer', 'Token', '', ' '), junk),
				token: tokenValue,
				expiresAt: instant,
				detail: junk,
				message: junk,
				title: junk,
				timestamp: junk,
			},
			{ requiredKeys: [] },
		),
		documentedAnswer: { tokenType: 'Bearer', token: 'tok', expiresAt: 32503680000 },
		credentialFields: { baseUrl: url, merchantId: field('MRC-1'), secret: field('secret') },
	},
	check: { expect: (json) => json.ok === true && json.vendor === 'manis' },
};
