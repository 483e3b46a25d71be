/**
 * Public types of the vendor sandbox. Everything here is re-exported by `./index`.
 */

import type { VendorId } from '../../nodes/shared/providers';

/** The sandbox serves every vendor of the package's registry, under the same id. */
export type { VendorId };

/** One request as the server saw it. */
export interface RecordedRequest {
	method: string;
	/** Path with the query string, exactly as on the request line (not decoded). */
	path: string;
	/** Lower-case keys, as Node parsed them (duplicates joined by Node's rules). */
	headers: Record<string, string | string[]>;
	/** Alternating name/value pairs with the casing the client sent (e.g. `SODA_TOKEN`). */
	rawHeaders: string[];
	/** Raw body as UTF-8; cut at the server's body limit. */
	body: string;
	at: Date;
}

/** One token the server handed out (final or interim). */
export interface IssuedToken {
	token: string;
	/**
	 * How later calls present it: `SODA_TOKEN` (Soda's header name), `bearer` (Galileo's
	 * `token_type`), `` (Sirdata: raw Authorization, no scheme), `Bearer` (Autoshares), or
	 * the `tokenType` Manis answered.
	 */
	tokenType: string;
	/** The expiry the answer announced to the client; null when the answer announced none. */
	expiresAt: Date | null;
	/** When the server itself stops accepting the token. */
	validUntil: Date;
	/** Autoshares 2FA / PIN interim ticket: never valid on authenticated endpoints. */
	interim: boolean;
	/** Soda e-mail, Galileo e-mail, Sirdata login, Autoshares username, Manis merchant id, generic username. */
	account: string;
}

export type Fault =
	| { kind: 'status'; status: number; body?: string }
	| { kind: 'rateLimit'; retryAfterSeconds: number }
	| { kind: 'slow'; delayMs: number }
	| { kind: 'hang' }
	| { kind: 'reset' }
	/** text/html error page; status 200 unless given (e.g. 502). */
	| { kind: 'html'; status?: number }
	/**
	 * 200 application/json with the body cut mid-way. By default the HTTP message is complete
	 * (Content-Length matches the cut body, so the JSON is what is broken); with
	 * `abortConnection` the full length is announced and the socket is closed mid-body.
	 */
	| { kind: 'truncated'; abortConnection?: boolean }
	| { kind: 'missingToken' }
	/** 200 with a real token and an expiry that cannot be read (or `value`, e.g. a lifetime where an instant belongs). */
	| { kind: 'badExpiry'; value?: string | number }
	| { kind: 'oversized'; bytes?: number }
	| { kind: 'unauthorized' }
	/**
	 * An answer with `Location` (absolute) and no body. `sameOrigin`: this server's token path;
	 * `otherOrigin`: the catcher, same scheme as this server; `plainHttp`: the catcher over
	 * http (only on a TLS server, i.e. a downgrade). `path` replaces the token path in the
	 * Location. The query is always `REDIRECT_QUERY`, so a test can check that a client never
	 * shows it.
	 */
	| {
			kind: 'redirect';
			status: 301 | 302 | 303 | 307 | 308;
			to: 'sameOrigin' | 'otherOrigin' | 'plainHttp';
			path?: string;
	  }
	/**
	 * 200 application/json, chunked, then `{"padding":"xxx…` as fast as the socket drains until
	 * the client closes (bounded: 4 GiB or 10 minutes, then the socket is dropped).
	 */
	| { kind: 'flood' }
	/**
	 * 200 application/json, headers at once, then one byte of `{"padding":"xxx…` every
	 * `intervalMs` (default 1000) until the client closes (bounded: 30 minutes).
	 */
	| { kind: 'trickle'; intervalMs?: number }
	/** An error answer carrying `message` where the vendor puts its error text (see README). */
	| { kind: 'say'; status: number; format: EchoFormat; message: string }
	/** Exactly this answer, as another server would send it (an OAuth error, a bare JSON string). */
	| { kind: 'reply'; status: number; contentType: string; body: string }
	/**
	 * Like `say`, with the whole request as the message: request line (path with query), every
	 * header line as sent (Authorization included), a blank line, the body.
	 */
	| { kind: 'echoRequest'; status: number; format: EchoFormat };

/**
 * How `say` / `echoRequest` answer: `json` the vendor's error envelope, `text` text/plain with
 * the message as the body, `html` a small error page with the message in it (not escaped).
 */
export type EchoFormat = 'json' | 'text' | 'html';

export type ManisExpiryFormat = 'seconds' | 'milliseconds' | 'iso';

export interface ManisSettings {
	/** Unit of `expiresAt` in the token answer. Default `'seconds'`. */
	expiryFormat: ManisExpiryFormat;
	/** `tokenType` in the answer; later calls must send `Authorization: <tokenType> <token>`
	 * (`Bearer` when empty). Default `'Bearer'`. */
	tokenType: string;
}

/**
 * What a wrong `VerificationCode` does (undocumented by ETNA; sandbox choice):
 * - `retry` (default): 401 `{"State":"Failed","Step":"VerificationCode","Reason":"Invalid verification code"}`,
 *   the interim token stays valid for more tries;
 * - `invalidate`: the same 401, and the interim token is burnt (the next try gets `Corrupted ticket`);
 * - `reprompt`: 202 `Expecting` / `VerificationCode` again, same interim token, same code.
 */
export type AutosharesWrongCodeMode = 'retry' | 'invalidate' | 'reprompt';

export interface AutosharesSettings {
	wrongVerificationCode: AutosharesWrongCodeMode;
	/** `null` (default) = no limit; a number = that many `/token` calls per rolling minute, then 429. */
	rateLimitPerMinute: number | null;
	/** The `Step` value of the PIN prompt. Default the API's own misspelling `SecutityPin`. */
	pinStepName: 'SecutityPin' | 'SecurityPin';
	/** Lifetime of interim (2FA / PIN) tickets. Default 300 s. */
	interimLifetimeSeconds: number;
	/**
	 * `Reason` of the 202 VerificationCode answer instead of the vendor's
	 * `Expecting confirmation code` (to test what a client forwards of it).
	 */
	expectingReason?: string;
}

export interface SirdataSettings {
	/** Offset used in `expiration_time`. Default +60 (`+01:00`, as in the vendor example). */
	utcOffsetMinutes: number;
}

export interface SodaSettings {
	/**
	 * What `/v1/last_etl_refresh` answers an authenticated call: `data` (default, 200 with the
	 * instant) or `noData` (202 and no body: Soda's "no data yet", which is a success).
	 */
	lastEtlRefresh: 'data' | 'noData';
}

/** The generic API (the Custom Token Endpoint's stand-in; a made-up contract, CONTRACTS.md). */
export interface GenericSettings {
	/**
	 * How the login answer states the expiry: `jwt` (default), the token's `exp` claim and no
	 * field; `secondsString`, `data.expires_in` as a string of seconds and a JWT without `exp`.
	 */
	expiryForm: 'jwt' | 'secondsString';
	/** What a request with a token past its lifetime gets. Default 403. */
	expiredStatus: number;
	/** Where the login takes `username` and `password`: `form` (default, the contract), `json` body or `query`. */
	loginAs: 'form' | 'json' | 'query';
}

/** Galileo has nothing to configure beyond the common knobs. */
export type NoSettings = Record<string, never>;

/** The servers with knobs of their own; every other vendor's server has none (NoSettings). */
interface KnownSettings {
	sodaCloud: SodaSettings;
	sirdata: SirdataSettings;
	autosharesTrader: AutosharesSettings;
	manis: ManisSettings;
	customEndpoint: GenericSettings;
}

export type VendorSettings = {
	[V in VendorId]: V extends keyof KnownSettings ? KnownSettings[V] : NoSettings;
};

export interface VendorServer<S extends object = object> {
	readonly vendor: VendorId;
	/** `http://127.0.0.1:PORT` (`https://` when served over TLS). */
	readonly origin: string;
	/** What a user types as the credential's base URL. */
	readonly baseUrl: string;
	/** Every request that reached a token endpoint path (any method, any outcome, faults included). */
	readonly tokenCalls: number;
	/** Every request except `GET /__sandbox/stats`. */
	readonly requests: RecordedRequest[];
	/** Every token handed out, interim ones included. */
	readonly issued: IssuedToken[];
	/** Lifetime given to tokens issued from now on. */
	readonly lifetimeSeconds: number;
	readonly settings: Readonly<S>;
	/** Autoshares: the code "sent by SMS" with the last 202 VerificationCode. */
	readonly lastVerificationCode?: string;
	/** Body bytes handed to the socket by the latest `flood` / `trickle` answer (grows while it runs). */
	readonly lastStreamBytes: number;
	/** `flood` / `trickle` answers still running (0 once the client has closed them). */
	readonly openStreams: number;
	setLifetime(seconds: number): void;
	/**
	 * Every token issued so far now answers 401 on authenticated endpoints (interim ones too):
	 * how a test models "the vendor revoked the token before its stated expiry". (The generic
	 * API answers 403 only for a token past its lifetime: move the sandbox clock for that.)
	 */
	expireAllTokens(): void;
	/** That one token now answers 401 (false if this server never issued it). */
	revokeToken(token: string): boolean;
	/** Queue a fault for the token endpoint, for `times` calls (default: until clearFaults). FIFO. */
	injectFault(fault: Fault, times?: number): void;
	clearFaults(): void;
	/** Counters, records, faults, issued tokens, rate-limit window, last code. Keeps lifetime and settings. */
	reset(): void;
	/** Change vendor-specific settings (see `VendorSettings`). */
	configure(patch: Partial<S>): void;
	/** Resolves once `tokenCalls >= count` (no timers involved). */
	waitForTokenCalls(count: number): Promise<void>;
	/** Resolves once `requests.length >= count`. */
	waitForRequests(count: number): Promise<void>;
	/** Resolves once `openStreams` is 0 (the client closed every flood / trickle answer). */
	waitForStreamsClosed(): Promise<void>;
}

/**
 * Where `redirect` faults to another origin point: a loopback server that records every request
 * and answers each one 200 with a token answer shaped like the redirecting vendor's success, the
 * token starting with `CAUGHT_TOKEN_PREFIX`. A client that follows the redirect "succeeds" with
 * an attacker's token, and whatever it sent along (credentials) is in `requests`.
 */
export interface CatcherServer {
	/** `http://127.0.0.1:PORT` */
	readonly origin: string;
	/** `https://127.0.0.1:PORT` when a vendor runs over TLS, else null. Same `requests`. */
	readonly secureOrigin: string | null;
	readonly requests: RecordedRequest[];
	reset(): void;
	/** Resolves once `requests.length >= count`. */
	waitForRequests(count: number): Promise<void>;
}

/** One server per vendor of the registry, with its settings. */
export type SandboxVendors = { [V in VendorId]: VendorServer<VendorSettings[V]> };

export interface Sandbox {
	vendors: SandboxVendors;
	catcher: CatcherServer;
	/** PEM of the self-signed certificate (127.0.0.1, ::1, localhost) when TLS is on, else null. */
	certificate: string | null;
	/** Closes every server and ends running answers (hang, flood, trickle) at once. */
	close(): Promise<void>;
}

export interface SandboxOptions {
	/** Defaults: sodaCloud 1800, galileo 86400, sirdata 3600, autosharesTrader 86400, manis 3600, customEndpoint 3600. */
	tokenLifetimeSeconds?: Partial<Record<VendorId, number>>;
	/** Default `127.0.0.1`. */
	host?: string;
	/** Default 0 (a free port) for each vendor. */
	ports?: Partial<Record<VendorId, number>>;
	/** Vendor-specific settings at start (can be changed later with `configure`). */
	settings?: { [V in VendorId]?: Partial<VendorSettings[V]> };
	/** Milliseconds since the epoch; default `Date.now`. Lets tests move time without waiting. */
	clock?: () => number;
	/** Request body limit; bigger bodies get 413. Default 64 KiB. */
	maxBodyBytes?: number;
	/** Serve over https with `certificate`: every vendor (`true`) or the ones named. Default off. */
	tls?: boolean | Partial<Record<VendorId, boolean>>;
}
