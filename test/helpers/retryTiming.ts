import { retryTiming } from '../../nodes/shared/http';

/**
 * Shortens the package's retry back-off for the tests of this file (5 and 20 ms, and 10 ms per
 * Retry-After second), so that fault tests take milliseconds; the package's own comes back after.
 */
export function useFastRetries(): void {
	const shipped = { ...retryTiming, backoffMs: [...retryTiming.backoffMs] };
	beforeAll(() => Object.assign(retryTiming, { backoffMs: [5, 20], msPerRetryAfterSecond: 10 }));
	afterAll(() => Object.assign(retryTiming, shipped));
}
