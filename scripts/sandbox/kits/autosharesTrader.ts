import fc from 'fast-check';
import { SANDBOX_ACCOUNTS } from '../accounts';
import { autosharesDefinition } from '../autoshares';
import { field, junk, tokenValue, url } from './properties';
import { refusedLoginAnswers, same, WRONG, type Forbidden, type VendorKit } from './types';

const A = SANDBOX_ACCOUNTS.autosharesTrader;

export const autosharesTrader: VendorKit<'autosharesTrader'> = {
	server: autosharesDefinition,
	fixture: (server) => ({
		good: {
			baseUrl: server.baseUrl,
			webApiKey: A.appKey,
			username: A.plain.username,
			password: A.plain.password,
		},
		bad: {
			baseUrl: server.baseUrl,
			webApiKey: A.appKey,
			username: A.plain.username,
			password: 'Wrong#Pass',
		},
		expectedHeaders: (token) => ({ Authorization: `Bearer ${token}`, 'Et-App-Key': A.appKey }),
		urlField: 'baseUrl',
		exampleUrls: [['https://pub-api-et-demo-prod.etnasoft.us/api', server.baseUrl]],
	}),
	// The answer has no expiry field.
	answerHasExpiry: false,
	secrets: {
		credentials: ({ baseUrl }) => ({
			'wrong password': {
				baseUrl,
				webApiKey: A.appKey,
				username: A.plain.username,
				password: WRONG.password,
				pinPassword: WRONG.pin,
			},
			'wrong app key': {
				baseUrl,
				webApiKey: WRONG.appKey,
				username: A.plain.username,
				password: WRONG.password,
				pinPassword: WRONG.pin,
			},
			'wrong PIN': {
				baseUrl,
				webApiKey: A.appKey,
				username: A.pin.username,
				password: A.pin.password,
				pinPassword: WRONG.pin,
			},
		}),
		faultCredential: 'wrong app key',
		sent: [WRONG.appKey, WRONG.password, WRONG.pin],
		leakSearch: [
			{ name: 'Autoshares app key', value: WRONG.appKey, kind: 'appKey' },
			{ name: 'Autoshares PIN', value: WRONG.pin, kind: 'secret' },
			{ name: 'sandbox Autoshares app key', value: A.appKey, kind: 'appKey' },
			...(
				[
					'plain',
					'twoFactor',
					'pin',
					'pinTwoFactor',
					'pinNotInitialised',
					'expiredPassword',
				] as const
			).map(
				(user): Forbidden => ({
					name: `sandbox Autoshares ${user} password`,
					value: A[user].password,
					kind: 'secret',
				}),
			),
			{ name: 'sandbox Autoshares PIN', value: A.pin.pin, kind: 'secret' },
			{ name: 'sandbox Autoshares PIN (PIN + 2FA)', value: A.pinTwoFactor.pin, kind: 'secret' },
		],
		requiredFields: ['webApiKey', 'username', 'password'],
		quotesVendor: () => false,
		ownNode: {
			name: 'Autoshares',
			type: 'n8n-nodes-token-auth.autosharesTrader',
			runs: [
				{ name: 'Autoshares Log In', parameters: { operation: 'logIn', options: {} } },
				{
					name: 'Autoshares Get Account Info',
					parameters: { operation: 'getAccountInfo' },
					continueOnFail: true,
				},
			],
		},
		passwordInHeader: true,
		secretHeaders: ['Et-App-Key'],
	},
	contract: {
		tokenCall: (server) => ({
			url: `${server.baseUrl}/token`,
			method: 'POST',
			headers: { 'Et-App-Key': A.appKey, Username: A.plain.username, Password: A.plain.password },
		}),
		tokenField: 'Token',
		expiryField: null,
		checkDenied: (answer) =>
			same('401 body', answer.json(), {
				Message: 'Authorization has been denied for this request.',
			}),
		checkRefusedLogin: refusedLoginAnswers(
			'{"State":"Failed","Step":"BaseAuthentication","Reason":"Invalid credentials"}',
		),
		messageOf: (answer) => {
			const body = answer.json();
			same(
				'error body',
				[Object.keys(body), body.State, body.Step],
				[['State', 'Step', 'Reason'], 'Failed', 'BaseAuthentication'],
			);
			return body.Reason as string;
		},
	},
	properties: {
		answer: fc.record(
			{
				State: fc.oneof(fc.constantFrom('Succeeded', 'succeeded', 'Expecting', 'Failed', ''), junk),
				Step: fc.oneof(
					fc.constantFrom(
						'VerificationCode',
						'verificationcode',
						'SecutityPin',
						'SecurityPin',
						'BaseAuthentication',
						'',
					),
					junk,
				),
				Reason: fc.oneof(
					fc.constantFrom(
						'Expecting confirmation code',
						'Invalid pin',
						'PIN code is not init',
						'Invalid credentials',
						'Your Password has expired and must be changed',
						'Corrupted ticket',
					),
					junk,
				),
				Token: tokenValue,
				error: fc.oneof(fc.constant('Application key is not defined or does not exist'), junk),
				Message: junk,
			},
			{ requiredKeys: [] },
		),
		documentedAnswer: { State: 'Succeeded', Token: 'tok' },
		credentialFields: {
			baseUrl: url,
			webApiKey: field('app-key'),
			username: field('trader'),
			password: field('pw'),
			pinPassword: field('', '4821', 4821),
		},
	},
	check: { expect: (json) => json.Login === A.plain.username },
};
