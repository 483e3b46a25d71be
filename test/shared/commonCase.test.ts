/**
 * A provider module states only where its vendor differs from the common case (provider.ts
 * defineProvider): a 401 on expiry, the token in Authorization, no secret header. And a
 * credential Test request never follows a redirect (credentialLifecycle.ts credentialTest).
 */
import {
	defineProvider,
	isExpiredTokenAnswer,
	type ProviderSpec,
} from '../../nodes/shared/provider';
import { credentialTest } from '../../nodes/shared/credentialLifecycle';
import { providers } from '../../nodes/shared/providers';

const spec: ProviderSpec<{ host: string }> = {
	vendor: 'plain',
	displayName: 'Plain',
	credentialName: 'plainApi',
	secrets: () => [],
	readFields: () => ({ host: 'h' }),
	tokenRequest: () => ({ url: 'https://h/token' }),
	readTokenAnswer: () => {
		throw new Error('not called');
	},
	headers: (_fields, token) => ({ Authorization: `Bearer ${token.token}` }),
};

describe('defineProvider', () => {
	it('fills in the common case where the spec says nothing', () => {
		const provider = defineProvider(spec);
		expect(provider.expiredTokenStatusCodes({ host: 'h' })).toEqual([401]);
		expect(provider.tokenHeaderName({ host: 'h' })).toBe('Authorization');
		expect(provider.secretHeaderNames).toEqual([]);
		expect(isExpiredTokenAnswer(provider, { host: 'h' }, 403)).toBe(false);
	});

	it('a member the spec leaves undefined gets the common case too', () => {
		const provider = defineProvider({ ...spec, expiredTokenStatusCodes: undefined });
		expect(provider.expiredTokenStatusCodes({ host: 'h' })).toEqual([401]);
	});

	it('keeps what the spec says over the common case', () => {
		const provider = defineProvider({
			...spec,
			expiredTokenStatusCodes: () => [401, 403],
			tokenHeaderName: () => 'X-Token',
			secretHeaderNames: ['X-Key'],
		});
		expect(provider.expiredTokenStatusCodes({ host: 'h' })).toEqual([401, 403]);
		expect(provider.tokenHeaderName({ host: 'h' })).toBe('X-Token');
		expect(provider.secretHeaderNames).toEqual(['X-Key']);
	});

	it('the vendors that differ keep their own: Sirdata 403, Soda Cloud SODA_TOKEN, Autoshares Et-App-Key', () => {
		expect(providers.sirdata.expiredTokenStatusCodes({})).toEqual([401, 403]);
		expect(providers.sodaCloud.tokenHeaderName({})).toBe('SODA_TOKEN');
		expect(providers.sodaCloud.secretHeaderNames).toEqual(['X-API-KEY-SECRET']);
		expect(providers.autosharesTrader.secretHeaderNames).toEqual(['Et-App-Key']);
		expect(providers.galileo.tokenHeaderName({})).toBe('Authorization');
	});
});

describe('credentialTest', () => {
	it('never lets a Test request follow a redirect, whatever the credential writes', () => {
		const test = credentialTest({
			url: 'https://api.example.com/me',
			disableFollowRedirect: false,
		});
		expect(test).toEqual({
			request: { url: 'https://api.example.com/me', disableFollowRedirect: true },
		});
		expect(credentialTest({ url: '/me' }, [])).toEqual({
			request: { url: '/me', disableFollowRedirect: true },
			rules: [],
		});
	});
});
