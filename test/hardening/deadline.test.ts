/**
 * One deadline for a whole token call, its retries and their waits included: the README's
 * "within 20 seconds" is what the caller waits, not what each attempt may take. Counted in
 * attempts that reach the server, never in elapsed time. The waits between attempts are set per
 * test (retryTiming), long where a retry must not fit and short where it must, so that a loaded
 * machine's slow request cannot change the outcome and no test waits out a real backoff.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

import { TokenAuthError } from '../../nodes/shared/errors';
import { requesterFrom, retryTiming, sendVendorRequest } from '../../nodes/shared/http';
import { n8nRequestHelpers } from '../helpers/n8n';

/** Runs `use` against a server that answers every request `status` after `delayMs`, counting them. */
async function withSlowFailingServer(
	delayMs: number,
	status: number,
	use: (server: { url: string; requests: () => number }) => Promise<void>,
) {
	let requests = 0;
	const server = http.createServer((_req, res) => {
		requests++;
		setTimeout(() => res.writeHead(status, { 'content-type': 'text/plain' }).end('busy'), delayMs);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	try {
		await use({
			url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`,
			requests: () => requests,
		});
	} finally {
		await new Promise<void>((resolve) => server.close(() => resolve()));
	}
}

const target = { vendor: 'Manis', step: 'token request' as const, setting: 'base URL' };

const PACKAGE_BACKOFF = [...retryTiming.backoffMs];
afterEach(() => retryTiming.backoffMs.splice(0, retryTiming.backoffMs.length, ...PACKAGE_BACKOFF));
const backoff = (...ms: number[]) =>
	retryTiming.backoffMs.splice(0, retryTiming.backoffMs.length, ...ms);

/** A token request to `url` with n8n's client, given `timeout` ms in all. */
const tokenRequest = (url: string, timeout: number) =>
	sendVendorRequest(requesterFrom(n8nRequestHelpers()), target, { method: 'POST', url, timeout });

it('a retry whose backoff would pass the deadline is not sent: one attempt, the 503 reported', async () => {
	// Deadline 10 s, backoff 20 s: a second attempt cannot even start in time.
	backoff(20_000, 20_000);
	await withSlowFailingServer(50, 503, async (server) => {
		const error = await tokenRequest(server.url, 10_000).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(TokenAuthError);
		expect((error as TokenAuthError).message).toBe(
			'Manis token request: the server failed (HTTP 503).',
		);
		expect(server.requests()).toBe(1);
	});
});

it('with time left, a transient failure is still retried, within the one deadline', async () => {
	backoff(50, 50);
	await withSlowFailingServer(50, 503, async (server) => {
		await expect(tokenRequest(server.url, 10_000)).rejects.toThrow(/HTTP 503/);
		expect(server.requests()).toBe(3);
	});
});

it('a retry that would start with almost no time left is not sent: the failure before it is reported, not a timeout', async () => {
	// Deadline 8 s, backoff 6.5 s: the second attempt could start (if the first took under 1.5 s)
	// but would have less than min(2 s, a quarter of the deadline) left.
	backoff(6_500, 6_500);
	await withSlowFailingServer(50, 503, async (server) => {
		const error = await tokenRequest(server.url, 8_000).catch((e: unknown) => e);
		expect((error as TokenAuthError).message).toBe(
			'Manis token request: the server failed (HTTP 503).',
		);
		expect(server.requests()).toBe(1);
	});
});
