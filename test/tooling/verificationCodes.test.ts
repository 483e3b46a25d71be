// npm start's line for a verification code the sandbox "sent" says whether a Log In waits for it
// (its notify arrived, before or after the code was seen) or nothing does (a credential Test).
import { sentCodeLines, type TwoFactorEvent } from '../../scripts/start';
import { VerificationCodes } from '../../scripts/runtime/twoFactor';

const notify = (code: string): TwoFactorEvent => ({
	resumeUrl: 'http://127.0.0.1:5678/webhook-waiting/7?signature=abc',
	step: 'verificationCode',
	code,
});

/** Codes paired with a 5 s grace period, and what they reported: each code with its notify, if any. */
function watchedCodes() {
	const seen: Array<[string, TwoFactorEvent | undefined]> = [];
	const codes = new VerificationCodes<TwoFactorEvent>(
		(code, event) => seen.push([code, event]),
		5000,
	);
	return { codes, seen };
}

describe('VerificationCodes: which code belongs to a waiting Log In', () => {
	beforeEach(() => jest.useFakeTimers());
	afterEach(() => jest.useRealTimers());

	it('pairs a code with the notify that came after it, at once', () => {
		const { codes, seen } = watchedCodes();
		codes.sent('111111');
		jest.advanceTimersByTime(300);
		codes.notified('111111', notify('111111'));
		expect(seen).toEqual([['111111', notify('111111')]]);
		jest.advanceTimersByTime(10_000);
		expect(seen).toHaveLength(1);
	});

	it('pairs a code with the notify that came before it (the sandbox is polled every second)', () => {
		const { codes, seen } = watchedCodes();
		codes.notified('222222', notify('222222'));
		expect(seen).toEqual([]);
		codes.sent('222222');
		expect(seen).toEqual([['222222', notify('222222')]]);
	});

	it('reports a code nobody notified for once the grace period is over (a credential Test)', () => {
		const { codes, seen } = watchedCodes();
		codes.sent('333333');
		jest.advanceTimersByTime(4900);
		expect(seen).toEqual([]);
		jest.advanceTimersByTime(200);
		expect(seen).toEqual([['333333', undefined]]);
		// A notify for another code does not claim this one.
		codes.sent('444444');
		codes.notified('555555', notify('555555'));
		jest.advanceTimersByTime(5000);
		expect(seen).toEqual([
			['333333', undefined],
			['444444', undefined],
		]);
		codes.close();
	});
});

describe("sentCodeLines: npm start's words for a code", () => {
	it('points at the Log In waiting above when it notified', () => {
		expect(sentCodeLines({ code: '054903', notify: notify('054903') })).toEqual([
			'[2FA] the sandbox "sent" Autoshares verification code 054903: for the Log In waiting above (its resume URL is printed there).',
		]);
	});

	it('says that a code of a credential Test has nothing waiting for it and must not be typed', () => {
		const text = sentCodeLines({ code: '123456' }).join('\n');
		expect(text).toContain(
			'verification code 123456 for a login nothing waits for: a credential Test',
		);
		expect(text).toContain('"Autoshares Trader 2FA account" Test, red by design');
		expect(text).toContain('Do not type this code anywhere.');
		expect(text).not.toMatch(/webhook-waiting/);
	});

	it('names a waiting execution that notified nobody (a Log In without a Notify URL)', () => {
		const text = sentCodeLines(
			{ code: '654321', waitingExecution: { id: '12', workflowId: 'abc' } },
			'http://127.0.0.1:5678',
		).join('\n');
		expect(text).toContain(
			'execution 12 (http://127.0.0.1:5678/workflow/abc/executions/12) is waiting',
		);
		expect(text).toContain('a Log In without a Notify URL');
	});
});
