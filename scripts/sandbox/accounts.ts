/**
 * The sandbox's known accounts. Fixed values (not random) so demos, docs and tests can name
 * them; every other credential is refused the way the vendor refuses it.
 */
export const SANDBOX_ACCOUNTS = {
	sodaCloud: {
		/** HTTP Basic on `GET /v1/get_token`. */
		user: {
			email: 'ada@sandbox.example',
			password: 'soda-sandbox-password',
			organizationId: '6c1f3f3e-8d2b-4a7e-9c51-2f0d9a4b7e11',
		},
		/** `X-API-KEY-ID` + `X-API-KEY-SECRET` on every call, no token step (what SSO users use). */
		apiKey: {
			id: 'a3f1c2d4-5b6e-4f70-8a91-b2c3d4e5f607',
			secret: 'soda-sandbox-api-key-secret-5f1e9a',
			email: 'ada@sandbox.example',
		},
	},
	galileo: {
		/** `Galileo-API-Key` header, or HTTP Basic with username/password. */
		apiKey: 'glk_sandbox_7QmT2v9XrB4nL8cW1pZ6',
		user: {
			id: '0b6f8e2a-3c4d-4e5f-8a9b-1c2d3e4f5a6b',
			email: 'grace@sandbox.example',
			username: 'grace@sandbox.example',
			password: 'galileo-sandbox-password',
		},
		/** Optional scope on the token call: `?organization_id=` or `?organization_slug=`. */
		organization: {
			id: '9d8c7b6a-5f4e-4d3c-9b2a-1f0e9d8c7b6a',
			slug: 'acme',
		},
	},
	sirdata: {
		/** Path parameter of the token call (the vendor sends a number back). */
		partnerId: 12345,
		login: 'partner@sandbox.example',
		password: 'sirdata-sandbox-password',
	},
	autosharesTrader: {
		/** `Et-App-Key`: required on the token call and on every later call. */
		appKey: 'etna-sandbox-app-key-3b7e41c2',
		/** 200 on the first call. */
		plain: { username: 'plain.trader', password: 'Plain#Pass1' },
		/** 202 VerificationCode, then the code (see `lastVerificationCode`) with the interim Bearer. */
		twoFactor: { username: 'twofa.trader', password: 'TwoFa#Pass1' },
		/** 202 SecutityPin without (or with a wrong) `PinCode`; 200 with the right one. */
		pin: { username: 'pin.trader', password: 'Pin#Pass1', pin: '4821' },
		/** PIN, then 2FA. */
		pinTwoFactor: { username: 'pin2fa.trader', password: 'Pin2Fa#Pass1', pin: '7305' },
		/** 202 `{"State":"Expecting","Reason":"PIN code is not init"}`. */
		pinNotInitialised: { username: 'nopin.trader', password: 'NoPin#Pass1' },
		/** 401 `Your Password has expired and must be changed`. */
		expiredPassword: { username: 'expired.trader', password: 'Expired#Pass1' },
	},
	manis: {
		merchantId: 'MRC-SANDBOX-0001',
		secret: 'manis-sandbox-secret-8e2d',
	},
	/** The generic API's form login (`POST /api/auth/login`). */
	customEndpoint: {
		username: 'lin@sandbox.example',
		password: 'generic-sandbox-password-3c9d',
	},
} as const;

export type SandboxAccounts = typeof SANDBOX_ACCOUNTS;
