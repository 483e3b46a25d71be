import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

/** What the package was doing when a vendor or a setting let it down. */
export type TokenStep =
	| 'settings'
	| 'token request'
	| 'verification code'
	| 'PIN'
	| 'token answer'
	| 'authenticated request';

export interface TokenAuthErrorOptions {
	/** What the user should do about it. A fixed sentence: never a vendor body or a credential. */
	description: string;
	httpCode?: number;
	/** Worth trying again (5xx, 429, reset, timeout): the request helper retries these. */
	transient?: boolean;
	/** From a 429's Retry-After, in seconds. */
	retryAfterSeconds?: number;
	/** Machine-readable cause where a caller acts on it (a wrong code is retried, not fatal). */
	kind?: 'codeRefused';
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
	}

	/** One self-contained message, for where n8n shows only the message. */
	withAdviceInMessage(): TokenAuthError {
		const copy = new TokenAuthError(this.vendor, this.step, `${this.summary} ${this.description}`, {
			description: '',
			httpCode: this.vendorStatus,
			transient: this.transient,
			retryAfterSeconds: this.retryAfterSeconds,
			kind: this.kind,
		});
		return copy;
	}

	private get summary(): string {
		return this.message.slice(`${this.vendor} ${this.step}: `.length);
	}

	/**
	 * The same error with every given value cut out of its texts (vendor quotes can echo
	 * input), and the vendor's quote shortened after that, so no part of a secret survives.
	 */
	without(secrets: string[]): TokenAuthError {
		const cut = (text: string) =>
			secrets.reduce((result, secret) => (secret.length >= 3 ? result.split(secret).join('***') : result), text);
		const shortQuote = (text: string) =>
			text.replace(/(The vendor said: ")(.*)"$/s, (_all, lead: string, quote: string) =>
				`${lead}${quote.length > 200 ? `${quote.slice(0, 197)}...` : quote}"`,
			);
		const copy = new TokenAuthError(this.vendor, this.step, cut(this.summary), {
			description: shortQuote(cut(this.description)),
			httpCode: this.vendorStatus,
			transient: this.transient,
			retryAfterSeconds: this.retryAfterSeconds,
			kind: this.kind,
		});
		return copy;
	}
}

/** Turns whatever a token step threw into the NodeApiError a node should raise. */
export function toNodeApiError(node: INode, error: unknown, vendor: string): NodeApiError {
	if (error instanceof NodeApiError) return error;
	const known =
		error instanceof TokenAuthError
			? error
			: new TokenAuthError(vendor, 'token request', 'the request failed unexpectedly.', {
					description:
						'Check the base URL and that the vendor is reachable from n8n, then try again.',
				});
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
