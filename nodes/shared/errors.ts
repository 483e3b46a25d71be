import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { quotable, type Redaction } from './redact';

/** What the package was doing when a vendor or a setting let it down. */
export type TokenStep =
	| 'settings'
	| 'token request'
	| 'token refresh'
	| 'verification code'
	| 'PIN'
	| 'token answer'
	| 'authenticated request'
	| 'notify';

export interface TokenAuthErrorOptions {
	/** What the user should do about it. A fixed sentence: never a vendor body or a credential. */
	description: string;
	httpCode?: number;
	/** Worth trying again (5xx, 429, reset, timeout): the request helper retries these. */
	transient?: boolean;
	/** From a 429's Retry-After, in seconds. */
	retryAfterSeconds?: number;
	/**
	 * Machine-readable cause where a caller acts on it: a wrong code is retried, not fatal; a
	 * refused login is remembered, so the same values are not sent again for a while (the
	 * token store's back-off: providers lock accounts after a few failed logins).
	 */
	kind?: 'codeRefused' | 'loginRefused';
	/**
	 * The vendor's own error text, as received. It is never shown as it is: `redacted()` cuts
	 * the credential's secrets out of it and quotes what is left after the description. An
	 * error that is never redacted shows no vendor text at all.
	 */
	vendorText?: unknown;
	/** What introduces the quote of `vendorText` (default `The vendor said`). */
	quoteIntro?: string;
}

/**
 * The one error type of the package. Messages are built from fixed sentences and the vendor's
 * name, never from a password, secret, app key, interim token or verification code, so they are
 * safe to show anywhere n8n shows errors.
 */
export class TokenAuthError extends Error {
	readonly description: string;
	readonly vendorStatus?: number;
	readonly transient: boolean;
	readonly retryAfterSeconds?: number;
	readonly kind?: TokenAuthErrorOptions['kind'];
	private readonly vendorText?: unknown;
	private readonly quoteIntro: string;

	constructor(
		readonly vendor: string,
		readonly step: TokenStep,
		summary: string,
		options: TokenAuthErrorOptions,
	) {
		super(`${vendor} ${step}: ${summary}`);
		this.name = 'TokenAuthError';
		this.description = options.description;
		this.vendorStatus = options.httpCode;
		this.transient = options.transient ?? false;
		this.retryAfterSeconds = options.retryAfterSeconds;
		this.kind = options.kind;
		this.vendorText = options.vendorText;
		this.quoteIntro = options.quoteIntro ?? 'The vendor said';
	}

	private copy(summary: string, description: string): TokenAuthError {
		return new TokenAuthError(this.vendor, this.step, summary, {
			description,
			httpCode: this.vendorStatus,
			transient: this.transient,
			retryAfterSeconds: this.retryAfterSeconds,
			kind: this.kind,
		});
	}

	/**
	 * This refused login, as told to a caller while the same values wait out their back-off:
	 * when the next try is, and that corrected values try at once. The quote stays as redacted.
	 */
	whileRefused(nextTryMs: number, nowMs: number): TokenAuthError {
		const at = new Date(nextTryMs).toISOString().slice(11, 19);
		const seconds = Math.max(1, Math.ceil((nextTryMs - nowMs) / 1000));
		return this.copy(
			`${this.summary} The same login is not sent again before ${at} UTC (in ${seconds} s), so that repeated failed logins do not lock the account; saving the credential with corrected values tries at once.`,
			this.description,
		);
	}

	/** One self-contained message, for where n8n shows only the message. */
	withAdviceInMessage(): TokenAuthError {
		return this.copy(`${this.summary} ${this.description}`, '');
	}

	private get summary(): string {
		return this.message.slice(`${this.vendor} ${this.step}: `.length);
	}

	/** The same error with the vendor's text, cut of every form of the secrets, quoted after the advice. */
	redacted(redaction: Redaction): TokenAuthError {
		const quote = quotable(this.vendorText, redaction);
		return this.copy(
			this.summary,
			quote === '' ? this.description : `${this.description} ${this.quoteIntro}: "${quote}"`,
		);
	}
}

/**
 * A login the vendor refused (wrong password, secret, key or client): remembered by the token
 * store, so the same values are not sent again at once. `vendorText` is quoted after redaction.
 */
export function loginRefused(
	vendor: string,
	summary: string,
	description: string,
	httpCode: number,
	vendorText?: unknown,
	quoteIntro?: string,
): TokenAuthError {
	return new TokenAuthError(vendor, 'token request', summary, {
		description,
		httpCode,
		kind: 'loginRefused',
		vendorText,
		quoteIntro,
	});
}

export function isLoginRefusal(error: unknown): error is TokenAuthError {
	return error instanceof TokenAuthError && error.kind === 'loginRefused';
}

/** Turns whatever a token step threw into the error a node should raise. */
export function toNodeError(
	node: INode,
	error: unknown,
	vendor: string,
): NodeApiError | NodeOperationError {
	// n8n's own errors (no credential selected, a deleted credential, an expression that
	// failed) already say what to fix.
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	const known =
		error instanceof TokenAuthError
			? error
			: new TokenAuthError(vendor, 'token request', 'the request failed unexpectedly.', {
					description:
						'Check the base URL and that the vendor is reachable from n8n, then try again.',
				});
	if (known.step === 'settings') {
		return new NodeOperationError(node, known.message, { description: known.description });
	}
	// Only these fixed fields reach NodeApiError: it keeps its first argument on the error,
	// and n8n shows and stores that object.
	const response: JsonObject = { vendor: known.vendor, step: known.step };
	if (known.vendorStatus !== undefined) response.httpCode = known.vendorStatus;
	return new NodeApiError(node, response, {
		message: known.message,
		description: known.description,
		...(known.vendorStatus === undefined ? {} : { httpCode: String(known.vendorStatus) }),
	});
}
