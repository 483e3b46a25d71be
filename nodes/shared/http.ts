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
		request: typeof request === 'function' ? async (options) => await request.call(helpers, options) : undefined,
	};
}

function needsGetBody(options: IHttpRequestOptions): boolean {
	return (options.method ?? 'GET').toUpperCase() === 'GET' && options.body !== undefined;
}

async function send(helpers: HttpRequester, options: IHttpRequestOptions): Promise<IDataObject> {
	if (!needsGetBody(options)) {
		return (await helpers.httpRequest({
			timeout: TOKEN_REQUEST_TIMEOUT_MS,
			...options,
			encoding: 'text',
			json: false,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
		})) as IDataObject;
	}
	return (await (helpers.request as NonNullable<HttpRequester['request']>)({
		method: 'GET',
		uri: options.url,
		qs: options.qs,
		headers: options.headers,
		body: options.body,
		auth: options.auth,
		json: false,
		resolveWithFullResponse: true,
		simple: false,
		timeout: options.timeout ?? TOKEN_REQUEST_TIMEOUT_MS,
	})) as IDataObject;
}

/** A vendor's answer as received: the body is raw text, read by the vendor's provider. */
export interface VendorAnswer {
	statusCode: number;
	headers: Record<string, string>;
	body: string;
}

export const TOKEN_REQUEST_TIMEOUT_MS = 20_000;
/** Token answers are a few hundred bytes; anything this large is not one. */
export const MAX_ANSWER_BYTES = 1_048_576;
const ATTEMPTS = 3;
const BACKOFF_MS = [500, 2_000];
/** A Retry-After longer than this is not waited out: the user is told instead. */
const MAX_RETRY_AFTER_SECONDS = 30;

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
function networkFailure(vendor: string, step: TokenStep, error: unknown): TokenAuthError {
	const code =
		error && typeof error === 'object' && 'code' in error ? String((error as IDataObject).code) : '';
	if (CERTIFICATE_CODES.test(code)) {
		return new TokenAuthError(vendor, step, `the server's TLS certificate was not accepted (${code}).`, {
			description:
				"Check the base URL's host name. A self-signed or private certificate must be trusted by n8n (NODE_EXTRA_CA_CERTS), not ignored.",
		});
	}
	const timedOut = code === 'ECONNABORTED' || code === 'ETIMEDOUT' || /timeout/i.test(String((error as Error)?.message));
	const summary = timedOut
		? `no answer within ${TOKEN_REQUEST_TIMEOUT_MS / 1000} seconds.`
		: code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN'
			? 'the server could not be reached.'
			: 'the connection failed before an answer arrived.';
	return new TokenAuthError(vendor, step, summary, {
		description:
			'Check the base URL and that the vendor can be reached from n8n (proxy, firewall). Try again later if the vendor is having trouble.',
		transient: code !== 'ENOTFOUND' && code !== 'ECONNREFUSED',
	});
}

function transientAnswer(vendor: string, step: TokenStep, answer: VendorAnswer): TokenAuthError | undefined {
	if (answer.statusCode === 429) {
		const wait = retryAfterSeconds(answer.headers['retry-after'], Date.now());
		return new TokenAuthError(vendor, step, 'too many requests (HTTP 429).', {
			description:
				wait === undefined
					? `${vendor} is rate limiting token requests. Wait a minute before running again, and avoid running many executions at once.`
					: `${vendor} is rate limiting token requests and asked to wait ${wait} seconds. Try again after that.`,
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
 * Sends one token-step request and returns the raw answer, whatever its status. Transient
 * failures (5xx, 429, reset, timeout) are retried a bounded number of times, honouring a short
 * Retry-After; the last one is thrown. Everything else is the provider's to read.
 */
export async function sendVendorRequest(
	helpers: HttpRequester,
	vendor: string,
	step: TokenStep,
	options: IHttpRequestOptions,
	attempts = ATTEMPTS,
): Promise<VendorAnswer> {
	if (needsGetBody(options) && !helpers.request) {
		throw new TokenAuthError(vendor, 'token request', "n8n's credential token step cannot send the JSON body of this GET request.", {
			description: `${vendor}'s token call is a GET with a JSON body, and n8n drops GET bodies in a credential's token step. Put a Get Token node (vendor ${vendor}, this credential) before the nodes that use the credential: it gets the token, and the credential uses that token until it expires.`,
		});
	}
	let lastFailure: TokenAuthError | undefined;
	for (let attempt = 0; attempt < attempts; attempt++) {
		if (lastFailure) {
			const wait = lastFailure.retryAfterSeconds;
			if (wait !== undefined && wait > MAX_RETRY_AFTER_SECONDS) break;
			await sleep(wait !== undefined ? wait * 1000 : BACKOFF_MS[attempt - 1]);
		}
		let raw: IDataObject;
		try {
			raw = await send(helpers, options);
		} catch (error) {
			lastFailure = networkFailure(vendor, step, error);
			if (!lastFailure.transient) break;
			continue;
		}
		const answer: VendorAnswer = {
			statusCode: Number(raw?.statusCode ?? 0),
			headers: headerMap(raw?.headers),
			body: bodyText(raw?.body),
		};
		if (answer.body.length > MAX_ANSWER_BYTES) {
			throw new TokenAuthError(vendor, 'token answer', 'the answer is far too large to be a token.', {
				description: `Check that the base URL points at the ${vendor} API and not at another site.`,
				httpCode: answer.statusCode,
			});
		}
		lastFailure = transientAnswer(vendor, step, answer);
		if (!lastFailure) return answer;
	}
	throw lastFailure as TokenAuthError;
}
