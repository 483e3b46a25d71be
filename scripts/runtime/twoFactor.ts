import * as http from 'http';
import type { AddressInfo } from 'net';

/** What the Autoshares Trader node's Notify URL receives before it pauses for a code. */
export interface NotifyPayload {
	resumeUrl: string;
	step: string;
	reason?: string;
	waitUntil?: string;
}

/**
 * A stand-in for a chat webhook on loopback: every JSON body the Autoshares Trader node's
 * notify sends is handed to `onEvent` (anything else is answered 400). Shared by the real-n8n
 * suite and `npm start`.
 */
export async function notifyReceiver(
	onEvent: (event: NotifyPayload) => void,
): Promise<{ url: string; close: () => Promise<void> }> {
	const server = http.createServer((req, res) => {
		let body = '';
		req.on('data', (chunk: Buffer) => (body += chunk.toString()));
		req.on('end', () => {
			try {
				onEvent(JSON.parse(body) as NotifyPayload);
				res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
			} catch {
				res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"expected JSON"}');
			}
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/notify`;
	return {
		url,
		close: async () => await new Promise<void>((resolve) => server.close(() => resolve())),
	};
}

/**
 * A call to a resume URL. n8n sends the notify before it has saved the waiting state (README),
 * so a 409 is retried for up to 10 s, as the README tells callers to do.
 */
export async function callResumeUrl(
	url: string,
	init: RequestInit = {},
): Promise<{ status: number; text: string }> {
	for (let i = 0; ; i++) {
		const response = await fetch(url, init);
		if (response.status !== 409 || i >= 40)
			return { status: response.status, text: await response.text() };
		await response.arrayBuffer();
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

/** A verification code to a resume URL as JSON, as the code page's form sends it (409 retried). */
export async function postCode(
	url: string,
	code: string,
): Promise<{ status: number; text: string }> {
	return await callResumeUrl(url, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ code }),
	});
}

/**
 * The entry at `index` of a list that a receiver appends to (notify calls, code lines), once
 * it has arrived; undefined when it has not within `timeoutMs`.
 */
export async function arrival<T>(
	list: T[],
	index: number,
	timeoutMs: number,
): Promise<T | undefined> {
	const deadline = Date.now() + timeoutMs;
	while (list.length <= index && Date.now() < deadline)
		await new Promise((resolve) => setTimeout(resolve, 200));
	return list[index];
}

/**
 * Pairs each verification code the Autoshares sandbox "sends" with the notify of the Log In that
 * waits for it. A Log In notifies within a moment of the code (it notifies before it pauses); a
 * credential Test, Get Token or an HTTP Request with a two-factor credential also makes the
 * sandbox send a code, and nothing notifies: after `graceMs` without a notify, `onCode` gets the
 * code alone. The notify may come before the code is seen (npm start polls the sandbox every
 * second) or after it; both pair.
 */
export class VerificationCodes<E extends NotifyPayload = NotifyPayload> {
	private readonly pending = new Map<string, ReturnType<typeof setTimeout>>();
	private readonly early = new Map<string, E>();

	constructor(
		private readonly onCode: (code: string, waiting: E | undefined) => void,
		private readonly graceMs = 5000,
	) {}

	/** A code the sandbox issued. */
	sent(code: string): void {
		const event = this.early.get(code);
		if (event) {
			this.early.delete(code);
			this.onCode(code, event);
			return;
		}
		if (this.pending.has(code)) return;
		this.pending.set(
			code,
			setTimeout(() => {
				this.pending.delete(code);
				this.onCode(code, undefined);
			}, this.graceMs),
		);
	}

	/** A Log In's notify, with the code the sandbox issued last when it arrived. */
	notified(code: string | undefined, event: E): void {
		if (!code) return;
		const timer = this.pending.get(code);
		if (timer === undefined) {
			this.early.set(code, event);
			// Codes the poll never saw (two in one second) leave their notify here: keep a few.
			for (const key of this.early.keys()) if (this.early.size > 20) this.early.delete(key);
			return;
		}
		clearTimeout(timer);
		this.pending.delete(code);
		this.onCode(code, event);
	}

	close(): void {
		for (const timer of this.pending.values()) clearTimeout(timer);
		this.pending.clear();
		this.early.clear();
	}
}
