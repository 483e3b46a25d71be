/**
 * Two small leaks an outside review found after hardening II: the reason of a two-factor step
 * (forwarded to the Notify URL) was cut of the password and app key but not of the interim
 * token the same answer carries; and a connection reset on Get Account Info read "HTTP NaN".
 * And an error of the second step cuts what that step sent: the interim token and the code.
 */
import { NodeApiError, type INode } from 'n8n-workflow';

import { TokenAuthError } from '../../nodes/shared/errors';
import { requestToken } from '../../nodes/shared/obtainToken';
import type { AnyTokenProvider } from '../../nodes/shared/provider';
import { failure } from '../helpers/failure';
import { accountInfoFailure } from '../../nodes/AutosharesTrader/actions/getAccountInfo.operation';
import { autosharesTrader } from '../../nodes/shared/providers';

const INTERIM = 'interim-ticket-7c1e9b2a4d';
const CODE = '482913';
const fields = autosharesTrader.readFields({
	baseUrl: 'https://etna.example.com/api',
	webApiKey: 'app-key-123456',
	username: 'ana',
	password: 'Secret#Pass1',
});

/** n8n's request helper answering every call with this status and body. */
function answering(statusCode: number, body: string | object) {
	const json = typeof body !== 'string';
	return {
		httpRequest: async () => ({
			statusCode,
			headers: { 'content-type': json ? 'application/json' : 'text/plain' },
			body: json ? JSON.stringify(body) : body,
		}),
	};
}

it("the 2FA step's reason, sent on to the Notify URL, never holds the interim token", async () => {
	const helpers = answering(202, {
		State: 'Pending',
		Step: 'VerificationCode',
		Reason: `Expecting confirmation code for ticket ${INTERIM}`,
		Token: INTERIM,
	});
	const answer = await requestToken(helpers, autosharesTrader, fields);
	expect(answer.kind).toBe('nextStep');
	if (answer.kind !== 'nextStep') return;
	expect(answer.interimToken).toBe(INTERIM);
	expect(answer.reason).not.toContain(INTERIM);
	expect(answer.reason).toMatch(/^Expecting confirmation code for ticket /);
});

it('Get Account Info: a reset (no status) is a connection failure, not "HTTP NaN"', () => {
	const node = {
		id: 'n',
		name: 'Account',
		type: 'n8n-nodes-token-auth.autosharesTrader',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	} as INode;
	const reset = new NodeApiError(
		node,
		{ message: 'socket hang up', code: 'ECONNRESET' },
		{ httpCode: 'ECONNRESET' },
	);
	const read = accountInfoFailure(reset) as Error;
	expect(read.message).toBe(
		'Autoshares Trader authenticated request: the connection failed before an answer arrived.',
	);
	expect(read.message).not.toMatch(/NaN/);
});

it("a second step's error never quotes the interim token or the code it carried, even where a provider quotes the vendor", async () => {
	// Autoshares quotes nothing on a refused code; a provider that quotes its vendor's words
	// (vendorText) on a second step must still not show what that step sent.
	const quoting: AnyTokenProvider = {
		...autosharesTrader,
		readTokenAnswer: (answer) => {
			throw new TokenAuthError('Autoshares Trader', 'verification code', 'refused.', {
				description: 'Send the latest code.',
				vendorText: answer.body,
			});
		},
	};
	const helpers = answering(400, `ticket ${INTERIM} does not accept code ${CODE}`);
	const error = await failure(
		requestToken(helpers, quoting, fields, {
			step: 'verificationCode',
			interimToken: INTERIM,
			value: CODE,
		}),
	);
	const shown = `${error.message} ${error.description}`;
	expect(shown).toMatch(/The vendor said: "ticket .* does not accept code/);
	expect(shown).not.toContain(INTERIM);
	expect(shown).not.toContain(CODE);
});

it('the reason of a step after a code (now the PIN) never holds the code or the interim token that step sent', async () => {
	const NEXT = 'interim-ticket-second-5f0a';
	const helpers = answering(202, {
		State: 'Pending',
		Step: 'SecurityPin',
		Reason: `Code ${CODE} accepted for ticket ${INTERIM}; expecting PIN`,
		Token: NEXT,
	});
	const answer = await requestToken(helpers, autosharesTrader, fields, {
		step: 'verificationCode',
		interimToken: INTERIM,
		value: CODE,
	});
	expect(answer.kind).toBe('nextStep');
	if (answer.kind !== 'nextStep') return;
	expect(answer.reason).toMatch(/expecting PIN$/);
	expect(answer.reason).not.toContain(CODE);
	expect(answer.reason).not.toContain(INTERIM);
});
