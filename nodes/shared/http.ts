import type { IDataObject, IHttpRequestOptions } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { TokenAuthError, type TokenStep } from './errors';

/**
 * The request helpers of a node, or of the object n8n hands to preAuthentication. Both go
 * through n8n's own HTTP client, so n8n's proxy and TLS settings apply.
 */
export interface HttpRequester {
	httpRequest(options: IHttpRequestOptions): Promise<unknown>;
	/**
	 * n8n's older request helper, deprecated by n8n, used here on purpose and for one request
	 * only. n8n's httpRequest drops the body of every GET, and Sirdata's token call is a GET with
	 * a JSON body: only this helper sends it. Nodes have it; n8n 2.x hands a credential's
	 * preAuthentication httpRequest alone, so there the GET body cannot be sent and the credential
	 * relies on a token a node put in the token store. n8n's lint rule against deprecated helpers
	 * looks for direct `helpers.request` calls and does not see this one: the exception is
	 * deliberate and stated in the README. Should n8n remove the helper, the Sirdata token call
	 * fails with the same clear message as in a 2.x credential (see sendVendorRequest), never
	 * with a TypeError; every other request uses httpRequest.
	 */
	request?: (options: IDataObject) => Promise<unknown>;
}

/** Picks the two helpers out of whatever helpers object n8n provides. */
export function requesterFrom(helpers: object): HttpRequester {
	const { httpRequest, request } = helpers as {
		httpRequest: HttpRequester['httpRequest'];
		request?: HttpRequester['request'];
	};
	return {
		httpRequest: async (options) => await httpRequest.call(helpers, options),
		request:
			typeof request === 'function'
				? async (options) => await request.call(helpers, options)
				: undefined,
	};
}

/** A vendor's answer as received: the body is raw text, read by the vendor's provider. */
export interface VendorAnswer {
	statusCode: number;
	headers: Record<string, string>;
	body: string;
}

/**
 * The whole request, from sending to the last byte of the answer, must fit in this (or in the
 * request's own `timeout`). n8n's client only has an idle timeout: a server that sends one byte
 * a second would otherwise hold the call, and every caller waiting on it, for ever.
 */
export const TOKEN_REQUEST_TIMEOUT_MS = 20_000;
/**
 * Token answers are a few hundred bytes; anything this large is not one. Reading stops here,
 * so an answer that never ends costs this much memory and no more.
 */
export const MAX_ANSWER_BYTES = 1_048_576;
const ATTEMPTS = 3;
/** The least time a retry is given (a quarter of a shorter deadline): less ends as a timeout. */
const MIN_ATTEMPT_MS = 2_000;
/**
 * The waits between attempts: 0.5 s, then 2 s, and one second per second of a Retry-After. An
 * object, not constants, so that tests of the retry rules can shorten the waits (the package
 * itself never changes it).
 */
export const retryTiming = { backoffMs: [500, 2_000], msPerRetryAfterSecond: 1000 };
/** A Retry-After longer than this is not waited out: the user is told instead. */
const MAX_RETRY_AFTER_SECONDS = 30;

/** Where the request went, for the advice of a redirect error. */
export interface RequestTarget {
	vendor: string;
	step: TokenStep;
	/** The setting that holds the address, named in the advice (`base URL`, `Notify URL`). */
	setting: string;
}

function needsGetBody(options: IHttpRequestOptions): boolean {
	return (options.method ?? 'GET').toUpperCase() === 'GET' && options.body !== undefined;
}

/** Why a request was stopped before its answer was complete. */
class Stopped extends Error {
	constructor(readonly why: 'deadline' | 'tooLarge') {
		super(why);
	}
}

interface ReadableBody {
	[Symbol.asyncIterator](): AsyncIterator<unknown>;
	destroy?(error?: Error): void;
}

function isReadable(body: unknown): body is ReadableBody {
	return typeof body === 'object' && body !== null && Symbol.asyncIterator in body;
}

function bytesOf(chunk: unknown): Uint8Array {
	if (chunk instanceof Uint8Array) return chunk;
	return new TextEncoder().encode(String(chunk));
}

/**
 * The answer's body as text, read chunk by chunk and abandoned once it passes `limit` bytes or
 * the deadline fires: the rest is never read into memory. Older n8n versions may hand back a
 * string, bytes or parsed JSON instead of a stream; those are measured the same way.
 */
async function readBounded(body: unknown, limit: number, signal: AbortSignal): Promise<string> {
	if (!isReadable(body)) {
		const text = bodyText(body);
		if (new TextEncoder().encode(text).length > limit) throw new Stopped('tooLarge');
		return text;
	}
	const decoder = new TextDecoder();
	const stop = () => body.destroy?.(new Stopped('deadline'));
	signal.addEventListener('abort', stop, { once: true });
	let received = 0;
	let text = '';
	try {
		for await (const chunk of body) {
			if (signal.aborted) throw new Stopped('deadline');
			const bytes = bytesOf(chunk);
			received += bytes.length;
			if (received > limit) {
				body.destroy?.();
				throw new Stopped('tooLarge');
			}
			text += decoder.decode(bytes, { stream: true });
		}
	} finally {
		// An error after the abort is the deadline's: withDeadline reports it as such.
		signal.removeEventListener('abort', stop);
	}
	if (signal.aborted) throw new Stopped('deadline');
	return text + decoder.decode();
}

/**
 * Sends one request that carries a credential secret. It never follows a redirect: n8n's client
 * would re-send the auth, the custom headers and a 307 body to wherever `Location` points,
 * another host or plain http included. The answer is read as a stream with a byte limit.
 */
async function sendOnce(
	helpers: HttpRequester,
	options: IHttpRequestOptions,
	timeoutMs: number,
	signal: AbortSignal,
): Promise<VendorAnswer> {
	let raw: IDataObject;
	if (!needsGetBody(options)) {
		raw = (await helpers.httpRequest({
			...options,
			timeout: timeoutMs,
			encoding: 'stream',
			json: false,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			disableFollowRedirect: true,
			abortSignal: signal,
		})) as IDataObject;
	} else {
		// The legacy helper takes no abort signal: the deadline race in sendVendorRequest ends
		// the wait, and the stream is destroyed once its headers are in.
		raw = (await (helpers.request as NonNullable<HttpRequester['request']>)({
			method: 'GET',
			uri: options.url,
			qs: options.qs,
			headers: options.headers,
			body: options.body,
			auth: options.auth,
			json: false,
			resolveWithFullResponse: true,
			simple: false,
			followRedirect: false,
			followAllRedirects: false,
			useStream: true,
			timeout: timeoutMs,
		})) as IDataObject;
	}
	return {
		statusCode: Number(raw?.statusCode ?? 0),
		headers: headerMap(raw?.headers),
		body: await readBounded(raw?.body, MAX_ANSWER_BYTES, signal),
	};
}

/**
 * Runs `send` with a whole-request deadline. The abort signal stops n8n's client; the race
 * ends the wait even where a helper does not honour the signal (the legacy one).
 */
async function withDeadline<T>(
	timeoutMs: number,
	send: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
	const request = new AbortController();
	const timer = new AbortController();
	const deadline = sleep(timeoutMs, timer.signal).then(
		() => {
			request.abort();
			throw new Stopped('deadline');
		},
		// The timer was cancelled because the request ended first.
		() => new Promise<never>(() => {}),
	);
	try {
		return await Promise.race([send(request.signal), deadline]);
	} catch (error) {
		throw request.signal.aborted ? new Stopped('deadline') : error;
	} finally {
		timer.abort();
	}
}

function headerMap(raw: unknown): Record<string, string> {
	const headers: Record<string, string> = {};
	if (raw && typeof raw === 'object') {
		for (const [name, value] of Object.entries(raw as IDataObject)) {
			if (value === undefined || value === null) continue;
			headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
		}
	}
	return headers;
}

function bodyText(raw: unknown): string {
	if (typeof raw === 'string') return raw;
	if (raw === undefined || raw === null) return '';
	if (raw instanceof Uint8Array) return new TextDecoder().decode(raw);
	// Some n8n versions parse JSON even when text was asked for; give the reader text again.
	return JSON.stringify(raw);
}

export function retryAfterSeconds(value: string | undefined, nowMs: number): number | undefined {
	if (value === undefined || value.trim() === '') return undefined;
	if (/^\d+$/.test(value.trim())) return Number(value.trim());
	const date = Date.parse(value);
	return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - nowMs) / 1000));
}

/** TLS failures: retrying cannot fix a certificate. */
const CERTIFICATE_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/;

/** Network failures carry axios/Node codes; none of their fields is copied into our error. */
function networkFailure(target: RequestTarget, timeoutMs: number, error: unknown): TokenAuthError {
	const { vendor, step } = target;
	if (error instanceof Stopped && error.why === 'tooLarge') {
		return new TokenAuthError(
			vendor,
			'token answer',
			`the answer is far too large to be a token (over ${MAX_ANSWER_BYTES / 1_048_576} MiB); reading stopped there.`,
			{
				description: `Check that the ${target.setting} points at the ${vendor} API and not at another site.`,
			},
		);
	}
	const code =
		error && typeof error === 'object' && 'code' in error
			? String((error as IDataObject).code)
			: '';
	if (CERTIFICATE_CODES.test(code)) {
		return new TokenAuthError(
			vendor,
			step,
			`the server's TLS certificate was not accepted (${code}).`,
			{
				description: `Check the ${target.setting}'s host name. A self-signed or private certificate must be trusted by n8n (NODE_EXTRA_CA_CERTS), not ignored.`,
			},
		);
	}
	// n8n's idle timeout and the whole-request deadline say the same thing to the user.
	const timedOut =
		error instanceof Stopped ||
		code === 'ECONNABORTED' ||
		code === 'ETIMEDOUT' ||
		/timeout/i.test(String((error as Error)?.message));
	if (timedOut) {
		return new TokenAuthError(
			vendor,
			step,
			`no complete answer within ${timeoutMs / 1000} seconds.`,
			{
				description: `The server did not answer in time, or sent its answer too slowly, so the request was stopped. Check the ${target.setting} and that ${vendor} can be reached from n8n (proxy, firewall); try again later if ${vendor} is having trouble.`,
				transient: true,
			},
		);
	}
	const unreachable = code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN';
	return new TokenAuthError(
		vendor,
		step,
		unreachable
			? 'the server could not be reached.'
			: 'the connection failed before an answer arrived.',
		{
			description: `Check the ${target.setting} and that ${vendor} can be reached from n8n (proxy, firewall). Try again later if ${vendor} is having trouble.`,
			transient: code !== 'ENOTFOUND' && code !== 'ECONNREFUSED',
		},
	);
}

/** The redirect's target as `scheme://host[:port]`: its path and query may carry anything. */
function locationOrigin(
	location: string | undefined,
	requestUrl: string | undefined,
): string | undefined {
	if (location === undefined || location.trim() === '') return undefined;
	try {
		const url = new URL(location.trim(), requestUrl);
		return `${url.protocol}//${url.host}`;
	} catch {
		return undefined;
	}
}

/**
 * A 3xx is never followed (sendOnce): the request carried a secret. The user learns where it
 * pointed (origin only) and what to do if that is the vendor's real address.
 */
function redirectAnswer(
	target: RequestTarget,
	answer: VendorAnswer,
	requestUrl: string | undefined,
): TokenAuthError | undefined {
	if (answer.statusCode < 300 || answer.statusCode > 399 || answer.statusCode === 304)
		return undefined;
	const origin = locationOrigin(answer.headers.location, requestUrl);
	const where = origin === undefined ? '' : ` to ${origin}`;
	return new TokenAuthError(
		target.vendor,
		target.step,
		`the server answered with a redirect (HTTP ${answer.statusCode})${where}; it was not followed.`,
		{
			description: `Requests that carry the credential's secrets never follow redirects, so nothing was sent${where === '' ? ' elsewhere' : ` to ${origin}`}. If that address is the ${target.vendor} API, enter it as the ${target.setting}; otherwise check the ${target.setting}.`,
			httpCode: answer.statusCode,
		},
	);
}

function transientAnswer(target: RequestTarget, answer: VendorAnswer): TokenAuthError | undefined {
	const { vendor, step } = target;
	if (answer.statusCode === 429) {
		const wait = retryAfterSeconds(answer.headers['retry-after'], Date.now());
		return new TokenAuthError(vendor, step, 'too many requests (HTTP 429).', {
			description:
				wait === undefined
					? `${vendor} is rate limiting requests. Wait a minute before running again, and avoid running many executions at once.`
					: `${vendor} is rate limiting requests and asked to wait ${wait} seconds. Try again after that.`,
			httpCode: 429,
			transient: true,
			retryAfterSeconds: wait,
		});
	}
	if (answer.statusCode >= 500) {
		return new TokenAuthError(vendor, step, `the server failed (HTTP ${answer.statusCode}).`, {
			description: `${vendor} had a problem answering. This is usually temporary: try again in a few minutes.`,
			httpCode: answer.statusCode,
			transient: true,
		});
	}
	return undefined;
}

/**
 * Sends one request that carries a credential secret (a token-step request, a notify call) and
 * returns the raw answer, whatever its status. No redirect is followed, the answer is bounded
 * in size and the whole request in time. Transient failures (5xx, 429, reset, timeout) are
 * retried a bounded number of times, honouring a short Retry-After; the last one is thrown.
 * Everything else is the caller's to read.
 */
export async function sendVendorRequest(
	helpers: HttpRequester,
	target: RequestTarget,
	options: IHttpRequestOptions,
	attempts = ATTEMPTS,
): Promise<VendorAnswer> {
	const { vendor } = target;
	if (needsGetBody(options) && !helpers.request) {
		// The credential Test and an HTTP Request node's token step both end here, and a right and
		// a wrong password end here alike: the message must not read like a verdict.
		throw new TokenAuthError(
			vendor,
			'token request',
			`on n8n 2.x the credential Test cannot check a ${vendor} login, nor can an HTTP Request node that uses this credential: the password was not checked (nothing was sent to ${vendor}).`,
			{
				description: `Run a Get Token node with this credential (vendor ${vendor}) first, before the nodes that use the credential: it logs in, and a wrong password fails there with ${vendor}'s answer. The credential then uses that token until it expires, and the Test passes. (${vendor}'s token call is a GET with a JSON body, and n8n 2.x drops the body in a credential's own token step.)`,
			},
		);
	}
	// One deadline for the whole call, retries and their waits included: "within 20 seconds"
	// holds for the caller, not for each attempt.
	const timeoutMs = options.timeout ?? TOKEN_REQUEST_TIMEOUT_MS;
	const endMs = Date.now() + timeoutMs;
	let lastFailure: TokenAuthError | undefined;
	for (let attempt = 0; attempt < attempts; attempt++) {
		if (lastFailure) {
			const wait = lastFailure.retryAfterSeconds;
			const waitMs =
				wait !== undefined
					? wait * retryTiming.msPerRetryAfterSecond
					: retryTiming.backoffMs[attempt - 1];
			// A retry needs time to be worth sending; with less, the failure before it is the answer.
			const minAttemptMs = Math.min(MIN_ATTEMPT_MS, timeoutMs / 4);
			if (
				(wait !== undefined && wait > MAX_RETRY_AFTER_SECONDS) ||
				Date.now() + waitMs + minAttemptMs >= endMs
			)
				break;
			await sleep(waitMs);
		}
		const leftMs = Math.max(1, endMs - Date.now());
		let answer: VendorAnswer;
		try {
			answer = await withDeadline(
				leftMs,
				async (signal) => await sendOnce(helpers, options, leftMs, signal),
			);
		} catch (error) {
			lastFailure = networkFailure(target, timeoutMs, error);
			if (!lastFailure.transient) throw lastFailure;
			continue;
		}
		const redirect = redirectAnswer(target, answer, options.url);
		if (redirect) throw redirect;
		lastFailure = transientAnswer(target, answer);
		if (!lastFailure) return answer;
	}
	throw lastFailure as TokenAuthError;
}
