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
export async function notifyReceiver(onEvent: (event: NotifyPayload) => void): Promise<{ url: string; close: () => Promise<void> }> {
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
	return { url, close: async () => await new Promise<void>((resolve) => server.close(() => resolve())) };
}

/**
 * A call to a resume URL. n8n sends the notify before it has saved the waiting state (README),
 * so a 409 is retried for up to 10 s, as the README tells callers to do.
 */
export async function callResumeUrl(url: string, init: RequestInit = {}): Promise<{ status: number; text: string }> {
	for (let i = 0; ; i++) {
		const response = await fetch(url, init);
		if (response.status !== 409 || i >= 40) return { status: response.status, text: await response.text() };
		await response.arrayBuffer();
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}
