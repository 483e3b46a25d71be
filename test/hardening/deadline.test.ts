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

/** A server that answers every request `status` after `delayMs`, counting them. */
async function slowFailingServer(delayMs: number, status: number) {
	let requests = 0;
	const server = http.createServer((_req, res) => {
		requests++;
		setTimeout(() => res.writeHead(status, { 'content-type': 'text/plain' }).end('busy'), delayMs);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`,
		requests: () => requests,
		close: async () => await new Promise<void>((resolve) => server.close(() => resolve())),
	};
}

const target = { vendor: 'Manis', step: 'token request' as const, setting: 'base URL' };

it('a retry whose backoff would pass the deadline is not sent: one attempt, the 503 reported', async () => {
	// 503 after 700 ms, deadline 1 s: a second attempt (after a 500 ms backoff) cannot finish in time.
	const server = await slowFailingServer(700, 503);
	try {
		const error = await sendVendorRequest(requesterFrom(n8nRequestHelpers()), target, {
			method: 'POST',
			url: server.url,
			timeout: 1000,
		}).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(TokenAuthError);
		expect((error as TokenAuthError).message).toBe(
			'Manis token request: the server failed (HTTP 503).',
		);
		expect(server.requests()).toBe(1);
	} finally {
		await server.close();
	}
});

it('with time left, a transient failure is still retried, within the one deadline', async () => {
	const server = await slowFailingServer(50, 503);
	try {
		await expect(
			sendVendorRequest(requesterFrom(n8nRequestHelpers()), target, {
				method: 'POST',
				url: server.url,
				timeout: 10_000,
			}),
		).rejects.toThrow(/HTTP 503/);
		expect(server.requests()).toBe(3);
	} finally {
		await server.close();
	}
});

it('a retry that would start with almost no time left is not sent: the failure before it is reported, not a timeout', async () => {
	// 503 after 1.8 s, deadline 3 s: after the 500 ms backoff a second attempt would have ~700 ms,
	// less than a quarter of the deadline. (1.2 s of slack for a loaded machine.)
	const server = await slowFailingServer(1800, 503);
	try {
		const error = await sendVendorRequest(requesterFrom(n8nRequestHelpers()), target, {
			method: 'POST',
			url: server.url,
			timeout: 3000,
		}).catch((e: unknown) => e);
		expect((error as TokenAuthError).message).toBe(
			'Manis token request: the server failed (HTTP 503).',
		);
		expect(server.requests()).toBe(1);
	} finally {
		await server.close();
	}
});
