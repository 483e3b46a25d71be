/**
 * One deadline for a whole token call, its retries and their waits included: the README's
 * "within 20 seconds" is what the caller waits, not what each attempt may take. Counted in
 * attempts that reach the server, never in elapsed time.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

import { TokenAuthError } from '../../nodes/shared/errors';
import { requesterFrom, sendVendorRequest } from '../../nodes/shared/http';
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

/** A token request to `url` with n8n's client, given `timeout` ms in all. */
const tokenRequest = (url: string, timeout: number) =>
	sendVendorRequest(requesterFrom(n8nRequestHelpers()), target, { method: 'POST', url, timeout });

it('a retry whose backoff would pass the deadline is not sent: one attempt, the 503 reported', async () => {
	// 503 after 700 ms, deadline 1 s: a second attempt (after a 500 ms backoff) cannot finish in time.
	await withSlowFailingServer(700, 503, async (server) => {
		const error = await tokenRequest(server.url, 1000).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(TokenAuthError);
		expect((error as TokenAuthError).message).toBe(
			'Manis token request: the server failed (HTTP 503).',
		);
		expect(server.requests()).toBe(1);
	});
});

it('with time left, a transient failure is still retried, within the one deadline', async () => {
	await withSlowFailingServer(50, 503, async (server) => {
		await expect(tokenRequest(server.url, 10_000)).rejects.toThrow(/HTTP 503/);
		expect(server.requests()).toBe(3);
	});
});

it('a retry that would start with almost no time left is not sent: the failure before it is reported, not a timeout', async () => {
	// 503 after 1.8 s, deadline 3 s: after the 500 ms backoff a second attempt would have ~700 ms,
	// less than a quarter of the deadline. (1.2 s of slack for a loaded machine.)
	await withSlowFailingServer(1800, 503, async (server) => {
		const error = await tokenRequest(server.url, 3000).catch((e: unknown) => e);
		expect((error as TokenAuthError).message).toBe(
			'Manis token request: the server failed (HTTP 503).',
		);
		expect(server.requests()).toBe(1);
	});
});
