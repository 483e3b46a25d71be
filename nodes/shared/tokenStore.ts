import { createHash } from 'crypto';
import type { IDataObject } from 'n8n-workflow';

/** A token as the package keeps and outputs it, whatever the vendor called its fields. */
export interface IssuedToken {
	token: string;
	/** How the token is presented: `Bearer`, `bearer` (as Galileo sends it), `sodaToken`, `raw`, `apiKey`. */
	tokenType: string;
	/** UTC ISO 8601, or null where the vendor says nothing about expiry (Autoshares). */
	expiresAt: string | null;
	obtainedAt: string;
	/** Vendor extras worth passing on (Soda organizationId, Sirdata partnerId, …). */
	extras: IDataObject;
	/**
	 * A refresh token from the same answer (Custom Token Endpoint): a secret like a password,
	 * never output, used for the next token instead of a full login.
	 */
	refreshToken?: string;
}

/** Refresh this long before the stated expiry, so a token never dies mid-request… */
const MARGIN_SECONDS = 60;
/** …but never more than this share of a short lifetime. */
const MARGIN_SHARE = 0.1;
/**
 * A token without a stated expiry is not kept for ever: ETNA documents 24 hours for
 * Autoshares tokens, after which a new login is due anyway.
 */
export const NO_EXPIRY_CEILING_MS = 24 * 3600_000;
/** Tokens (and refused-token records) one process keeps at most; the oldest go first. */
export const MAX_STORED_TOKENS = 1000;
/**
 * How long the same refused login values wait before they are sent again: one minute, then
 * twice as long after each further refusal, up to 15 minutes. Providers lock an account after
 * a few failed logins; without this, every item and every execution would try again.
 */
export const REFUSAL_BACKOFF_MS = [60_000, 120_000, 240_000, 480_000, 900_000];

/** When the token stops being sendable: its stated expiry, or the ceiling for tokens without one. */
export function endOf(token: Pick<IssuedToken, 'expiresAt' | 'obtainedAt'>): number {
	if (token.expiresAt !== null) return Date.parse(token.expiresAt);
	const obtained = Date.parse(token.obtainedAt);
	// A token saved before obtainedAt was recorded: only a refusal ends it.
	return Number.isNaN(obtained) ? Infinity : obtained + NO_EXPIRY_CEILING_MS;
}

/** Fresh: worth reusing without a refresh (before its end, less the safety margin). */
export function isStillValid(
	token: Pick<IssuedToken, 'expiresAt' | 'obtainedAt'>,
	nowMs: number,
): boolean {
	const end = endOf(token);
	const lifetimeMs = end - Date.parse(token.obtainedAt);
	const marginMs = Math.min(MARGIN_SECONDS * 1000, Math.max(0, lifetimeMs) * MARGIN_SHARE);
	return nowMs < end - (Number.isNaN(marginMs) ? 0 : marginMs);
}

/** Usable: may still be sent (before its end), for instance while its refresh is on the way. */
export function isUsable(
	token: Pick<IssuedToken, 'expiresAt' | 'obtainedAt'>,
	nowMs: number,
): boolean {
	return nowMs < endOf(token);
}

/** Of several tokens for the same settings, the one issued last. */
export function newest<T extends Pick<IssuedToken, 'obtainedAt'>>(
	...tokens: Array<T | undefined>
): T | undefined {
	const time = (token: T) => {
		const at = Date.parse(token.obtainedAt);
		return Number.isNaN(at) ? 0 : at;
	};
	return tokens.reduce<T | undefined>(
		(best, token) => (token && (!best || time(token) > time(best)) ? token : best),
		undefined,
	);
}

export interface ObtainOptions {
	/** Fetch a new token even if a valid one is held. */
	force?: boolean;
	/**
	 * The token the caller sent and the vendor refused: it is marked refused and never handed
	 * out again by this process. A token issued after it (someone already refreshed) is used;
	 * one issued before it is not: when a vendor refuses a token it has usually dropped the
	 * older ones too (a revocation, a rotation, a restart).
	 */
	rejected?: Pick<IssuedToken, 'token' | 'obtainedAt'>;
	/**
	 * A token known from elsewhere for the same settings (the one n8n saved in the credential,
	 * possibly by another process): used, and kept, when it is newer than the store's.
	 */
	known?: IssuedToken;
	/**
	 * How a refused login is told apart and remembered: while its back-off runs, callers get
	 * `whileRefused(error, nextTryMs)` at once instead of a new token call with the same values.
	 * `tryAnyway` (a credential Test, which a person runs) sends the login regardless.
	 */
	refusals?: RefusalRules;
}

export interface RefusalRules {
	isRefusal(error: unknown): boolean;
	whileRefused(error: unknown, nextTryMs: number, nowMs: number): unknown;
	tryAnyway?: boolean;
}

/** A refresh token with when its answer arrived: of two for the same settings, the newer one is used. */
/** A refresh token with what its login answer gave besides the token (kept over a refresh whose answer lacks it). */
export type HeldRefreshToken = Pick<IssuedToken, 'obtainedAt'> &
	Partial<Pick<IssuedToken, 'extras'>> & { refreshToken: string };

interface Refusal {
	error: unknown;
	count: number;
	nextTryMs: number;
}

function digest(token: string): string {
	return createHash('sha256').update(token).digest('hex');
}

/**
 * One store per n8n process, shared by the credentials and the nodes (n8n loads both through
 * one require, so this module is one instance). n8n itself keeps no expiry, does not lock and
 * refreshes per execution; this store adds reuse until expiry, one token call for any number of
 * concurrent callers, and never hands out a token a caller reported as refused.
 * Keys are digests of the vendor and every credential field, so an edited credential never gets
 * the old token, and no secret is kept as a key. Both maps are bounded: expired entries are
 * swept whenever something is stored, and past the cap the oldest entry goes.
 */
export class TokenStore {
	private readonly tokens = new Map<string, IssuedToken>();
	private readonly pending = new Map<string, Promise<IssuedToken>>();
	/** Digests of refused tokens, with the time after which they could not be sent anyway. */
	private readonly refusedTokens = new Map<string, number>();
	/** Refused logins by key: the error callers get, and when the same values may be sent again. */
	private readonly refusals = new Map<string, Refusal>();
	/** The newest refresh token by key: kept past its access token's end, which is when it is needed. */
	private readonly refreshTokens = new Map<string, HeldRefreshToken>();
	/**
	 * The token authenticate put on a request, by the credential object it was given (null: it
	 * sent none). n8n hands the same object to preAuthentication when that request is refused, so
	 * the refused token is known exactly, even when concurrent requests have refreshed the store
	 * in between (without this, each of 25 items refused with the old token would report the new
	 * one as refused).
	 */
	private sent = new WeakMap<object, IssuedToken | null>();

	constructor(
		private readonly now: () => number = Date.now,
		private readonly cap = MAX_STORED_TOKENS,
	) {}

	isRefused(token: string): boolean {
		return this.refusedTokens.has(digest(token));
	}

	/** The token for `key` while it is fresh (reuse without refresh) and not refused. */
	held(key: string): IssuedToken | undefined {
		const token = this.tokens.get(key);
		return token && isStillValid(token, this.now()) ? token : undefined;
	}

	/** The token for `key` while it may still be sent, even inside the refresh margin. */
	usable(key: string): IssuedToken | undefined {
		const token = this.tokens.get(key);
		return token && isUsable(token, this.now()) ? token : undefined;
	}

	put(key: string, token: IssuedToken): void {
		this.sweep();
		this.tokens.delete(key);
		this.tokens.set(key, token);
		trim(this.tokens, this.cap);
		this.refusals.delete(key);
		if (token.refreshToken)
			this.keepRefreshToken(key, {
				refreshToken: token.refreshToken,
				obtainedAt: token.obtainedAt,
				extras: token.extras,
			});
	}

	/** The newest refresh token known for `key`: this store's, or `outside` (the credential's) when newer. */
	refreshTokenFor(key: string, outside?: HeldRefreshToken): HeldRefreshToken | undefined {
		const best = newest(this.refreshTokens.get(key), outside?.refreshToken ? outside : undefined);
		return best && !this.isRefused(best.refreshToken) ? best : undefined;
	}

	private keepRefreshToken(key: string, held: HeldRefreshToken): void {
		this.refreshTokens.delete(key);
		this.refreshTokens.set(key, held);
		trim(this.refreshTokens, this.cap);
	}

	/** The refused login recorded for `key`, while its back-off runs. */
	refusalOf(key: string): { error: unknown; nextTryMs: number } | undefined {
		const refusal = this.refusals.get(key);
		return refusal && this.now() < refusal.nextTryMs ? refusal : undefined;
	}

	private recordRefusal(key: string, error: unknown): unknown {
		const count = (this.refusals.get(key)?.count ?? 0) + 1;
		const wait = REFUSAL_BACKOFF_MS[Math.min(count, REFUSAL_BACKOFF_MS.length) - 1];
		this.refusals.delete(key);
		this.refusals.set(key, { error, count, nextTryMs: this.now() + wait });
		trim(this.refusals, this.cap);
		return error;
	}

	forget(key: string): void {
		this.tokens.delete(key);
	}

	/** Marks `token` refused: this process never hands it out again. */
	refuse(key: string, token: string, end = this.now() + NO_EXPIRY_CEILING_MS): void {
		const held = this.tokens.get(key);
		if (held?.token === token) this.tokens.delete(key);
		const id = digest(token);
		this.refusedTokens.delete(id);
		this.refusedTokens.set(id, Math.min(end, this.now() + NO_EXPIRY_CEILING_MS));
		trim(this.refusedTokens, this.cap);
	}

	private sweep(): void {
		const now = this.now();
		for (const [key, token] of this.tokens) if (!isUsable(token, now)) this.tokens.delete(key);
		for (const [id, end] of this.refusedTokens) if (end <= now) this.refusedTokens.delete(id);
	}

	/**
	 * The freshest valid token known without a token call: the store's, or `known` (kept from
	 * then on) when it is newer; never a refused one, nor one issued before `rejected`.
	 */
	current(
		key: string,
		known?: IssuedToken,
		rejected?: Pick<IssuedToken, 'obtainedAt'>,
	): IssuedToken | undefined {
		const refusedAt = rejected ? Date.parse(rejected.obtainedAt) : NaN;
		const candidate = (token: IssuedToken | undefined) =>
			token &&
			!this.isRefused(token.token) &&
			isStillValid(token, this.now()) &&
			!(Date.parse(token.obtainedAt) <= refusedAt)
				? token
				: undefined;
		const outside = candidate(known);
		const best = newest(candidate(this.tokens.get(key)), outside);
		if (best && best === outside && this.tokens.get(key)?.token !== outside.token)
			this.put(key, outside);
		return best;
	}

	/**
	 * The freshest valid token known (the store's, or `known` when it is newer), or one fetch
	 * shared by every concurrent caller. A token being replaced by force or by a refresh before
	 * its expiry stays usable until its replacement arrives: when the fetch fails (a vendor
	 * outage, a 2FA login that cannot finish here, a helper that cannot send the request) the
	 * token that was good a moment ago is not lost with it. A refused token is dropped at once.
	 */
	async obtain(
		key: string,
		fetch: (refresh?: HeldRefreshToken) => Promise<IssuedToken>,
		options: ObtainOptions = {},
	): Promise<IssuedToken> {
		const rejected = options.rejected?.token ? options.rejected : undefined;
		if (rejected) {
			const held = this.tokens.get(key);
			this.refuse(key, rejected.token, held?.token === rejected.token ? endOf(held) : undefined);
		}
		const inFlight = this.pending.get(key);
		if (inFlight) return await inFlight;
		const best = options.force === true ? undefined : this.current(key, options.known, rejected);
		if (best) return best;
		const known = options.known?.refreshToken
			? {
					refreshToken: options.known.refreshToken,
					obtainedAt: options.known.obtainedAt,
					extras: options.known.extras,
				}
			: undefined;
		const request = this.guarded(
			key,
			options.refusals,
			async () => await fetch(this.refreshTokenFor(key, known)),
		)
			.then((token) => {
				this.put(key, token);
				return token;
			})
			.finally(() => this.pending.delete(key));
		this.pending.set(key, request);
		return await request;
	}

	/**
	 * Runs a login for `key` unless the same values were refused a moment ago: then every
	 * caller in the back-off gets that refusal at once (a Test, run by a person, still tries).
	 * A refusal is remembered; anything the login returns clears it.
	 */
	async guarded<T>(
		key: string,
		rules: RefusalRules | undefined,
		login: () => Promise<T>,
	): Promise<T> {
		const refusal = this.refusalOf(key);
		if (rules && refusal && rules.tryAnyway !== true)
			throw rules.whileRefused(refusal.error, refusal.nextTryMs, this.now());
		try {
			const result = await login();
			this.refusals.delete(key);
			return result;
		} catch (error) {
			throw rules?.isRefusal(error) ? this.recordRefusal(key, error) : error;
		}
	}

	/** What authenticate put on a request with this credential object: undefined when it sent nothing with it. */
	sentWith(credentials: object): IssuedToken | null | undefined {
		return this.sent.get(credentials);
	}

	recordSent(credentials: object, token: IssuedToken | undefined): void {
		this.sent.set(credentials, token ?? null);
	}

	/** A refresh token the server refused (rotated away, revoked): not offered again. */
	dropRefreshToken(key: string, refreshToken: string): void {
		if (this.refreshTokens.get(key)?.refreshToken === refreshToken) this.refreshTokens.delete(key);
		this.refuse(key, refreshToken);
	}

	clear(): void {
		this.tokens.clear();
		this.pending.clear();
		this.refusedTokens.clear();
		this.refusals.clear();
		this.refreshTokens.clear();
		this.sent = new WeakMap();
	}
}

/** Drops the oldest entries (Maps keep insertion order) until `map` is within `cap`. */
function trim<K, V>(map: Map<K, V>, cap: number): void {
	for (const key of map.keys()) {
		if (map.size <= cap) return;
		map.delete(key);
	}
}

export const tokenStore = new TokenStore();
