import fc from 'fast-check';
import { SODA_REGIONS } from '../../../nodes/shared/providers/sodaCloud';
import { SANDBOX_ACCOUNTS } from '../accounts';
import { sodaDefinition } from '../soda';
import {
	fastApiDetail,
	field,
	junk,
	secondsLeft,
	tokenValue,
	unprintable,
	url,
	urlLike,
} from './properties';
import { detailEnvelope, refusedLoginAnswers, WRONG, type VendorKit } from './types';

const A = SANDBOX_ACCOUNTS.sodaCloud;

const basic = (user: string, pass: string) =>
	'Basic ' + Buffer.from(`${user}:${pass}`).toString('base64');

export const sodaCloud: VendorKit<'sodaCloud'> = {
	server: sodaDefinition,
	fixture: (server) => ({
		good: {
			region: 'custom',
			baseUrl: server.baseUrl,
			authMethod: 'token',
			email: A.user.email,
			password: A.user.password,
		},
		bad: {
			region: 'custom',
			baseUrl: server.baseUrl,
			authMethod: 'token',
			email: A.user.email,
			password: 'wrong-password',
		},
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
			'wrong password': {
				region: 'custom',
				baseUrl,
				authMethod: 'token',
				email: A.user.email,
				password: WRONG.password,
				apiKeyId: A.apiKey.id,
				apiKeySecret: WRONG.apiKeySecret,
			},
			'wrong API key secret': {
				region: 'custom',
				baseUrl,
				authMethod: 'apiKey',
				email: A.user.email,
				password: WRONG.password,
				apiKeyId: A.apiKey.id,
				apiKeySecret: WRONG.apiKeySecret,
			},
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
	contract: {
		tokenCall: (server) => ({
			url: `${server.baseUrl}/get_token`,
			headers: { authorization: basic(A.user.email, A.user.password) },
		}),
		tokenField: 'token',
		expiryField: 'expires_in',
		...detailEnvelope,
		checkRefusedLogin: refusedLoginAnswers('{"detail":"Invalid credentials"}'),
	},
	properties: {
		answer: fc.record(
			{
				user: fc.oneof(fc.emailAddress(), junk),
				token: tokenValue,
				organization_id: fc.oneof(fc.uuid(), junk),
				expires_in: secondsLeft,
				detail: fastApiDetail,
			},
			{ requiredKeys: [] },
		),
		documentedAnswer: { user: 'a@b.c', token: 'tok', organization_id: 'org', expires_in: 1800 },
		credentialFields: {
			region: fc.oneof(
				fc.constantFrom(SODA_REGIONS.eu, SODA_REGIONS.us, 'custom', 'eu', 'us'),
				urlLike,
				fc.jsonValue({ maxDepth: 2 }),
				unprintable,
			),
			baseUrl: url,
			authMethod: field('token', 'apiKey'),
			apiKeyId: field('key-id'),
			apiKeySecret: field('key-secret'),
			email: field('a@b.c'),
			password: field('pw', ' pw with spaces '),
		},
	},
	check: {
		expect: (json) => typeof json.last_etl_refresh === 'string',
	},
};
