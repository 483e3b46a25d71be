import fc from 'fast-check';
import { SANDBOX_ACCOUNTS } from '../accounts';
import { galileoDefinition } from '../galileo';
import { fastApiDetail, field, instant, junk, tokenValue, url, uuid } from './properties';
import { detailEnvelope, refusedLoginAnswers, WRONG, type VendorKit } from './types';

const A = SANDBOX_ACCOUNTS.galileo;

export const galileo: VendorKit<'galileo'> = {
	server: galileoDefinition,
	fixture: (server) => ({
		good: { baseUrl: server.baseUrl, apiVersion: 'v1', authMethod: 'apiKey', apiKey: A.apiKey },
		bad: {
			baseUrl: server.baseUrl,
			apiVersion: 'v1',
			authMethod: 'apiKey',
			apiKey: 'glk_wrong_key_000000',
		},
		expectedHeaders: (token) => ({ Authorization: `Bearer ${token}` }),
		urlField: 'baseUrl',
		exampleUrls: [['https://api.galileo.ai', server.baseUrl]],
	}),
	answerHasExpiry: true,
	pastExpiry: (past) => past.toISOString(),
	secrets: {
		credentials: ({ baseUrl }) => ({
			'wrong API key': {
				baseUrl,
				apiVersion: 'v1',
				authMethod: 'apiKey',
				apiKey: WRONG.apiKey,
				username: A.user.username,
				password: WRONG.password,
			},
			'wrong password': {
				baseUrl,
				apiVersion: 'v2',
				authMethod: 'password',
				apiKey: WRONG.apiKey,
				username: A.user.username,
				password: WRONG.password,
			},
		}),
		sent: [WRONG.apiKey],
		leakSearch: [
			{ name: 'Galileo API key', value: WRONG.apiKey, kind: 'secret' },
			{ name: 'sandbox Galileo API key', value: A.apiKey, kind: 'secret' },
			{ name: 'sandbox Galileo password', value: A.user.password, kind: 'secret' },
		],
		requiredFields: ['apiKey'],
		badSettings: (base) => [
			['organization ID not a UUID', { ...base, organizationId: WRONG.apiKey }],
		],
		quotesVendor: (status) => status !== 401 && status !== 403,
		secretHeaders: [],
	},
	contract: {
		tokenCall: (server) => ({
			url: `${server.baseUrl}/v1/token`,
			headers: { 'Galileo-API-Key': A.apiKey },
		}),
		tokenField: 'access_token',
		expiryField: 'expires_at',
		...detailEnvelope,
		checkRefusedLogin: refusedLoginAnswers('{"detail":"Invalid API key"}'),
	},
	properties: {
		answer: fc.record(
			{
				access_token: tokenValue,
				token_type: fc.oneof(fc.constantFrom('bearer', 'Bearer', ''), junk),
				expires_at: instant,
				detail: fastApiDetail,
			},
			{ requiredKeys: [] },
		),
		documentedAnswer: {
			access_token: 'tok',
			token_type: 'bearer',
			expires_at: '2999-11-07T05:31:56Z',
		},
		credentialFields: {
			baseUrl: url,
			apiVersion: field('v1', 'v2'),
			authMethod: field('apiKey', 'password'),
			apiKey: field('glk_x'),
			username: field('grace'),
			password: field('pw'),
			organizationId: field('', uuid, uuid.toUpperCase(), 'not-a-uuid'),
			organizationSlug: field('', 'acme'),
		},
	},
	check: { expect: (json) => json.email === A.user.email },
};
