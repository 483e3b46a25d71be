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

/** When the token stops being sendable: its stated expiry, or the ceiling for tokens without one. */
export function endOf(token: Pick<IssuedToken, 'expiresAt' | 'obtainedAt'>): number {
	if (token.expiresAt !== null) return Date.parse(token.expiresAt);
	const obtained = Date.parse(token.obtainedAt);
	// A token saved before obtainedAt was recorded: only a refusal ends it.
	return Number.isNaN(obtained) ? Infinity : obtained + NO_EXPIRY_CEILING_MS;
}

/** Fresh: worth reusing without a refresh (before its end, less the safety margin). */
export function isStillValid(token: Pick<IssuedToken, 'expiresAt' | 'obtainedAt'>, nowMs: number): boolean {
	const end = endOf(token);
	const lifetimeMs = end - Date.parse(token.obtainedAt);
	const marginMs = Math.min(MARGIN_SECONDS * 1000, Math.max(0, lifetimeMs) * MARGIN_SHARE);
	return nowMs < end - (Number.isNaN(marginMs) ? 0 : marginMs);
}

/** Usable: may still be sent (before its end), for instance while its refresh is on the way. */
export function isUsable(token: Pick<IssuedToken, 'expiresAt' | 'obtainedAt'>, nowMs: number): boolean {
	return nowMs < endOf(token);
}

/** Of several tokens for the same settings, the one issued last. */
export function newest<T extends Pick<IssuedToken, 'obtainedAt'>>(...tokens: Array<T | undefined>): T | undefined {
	const time = (token: T) => {
		const at = Date.parse(token.obtainedAt);
		return Number.isNaN(at) ? 0 : at;
	};
	return tokens.reduce<T | undefined>((best, token) => (token && (!best || time(token) > time(best)) ? token : best), undefined);
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
	current(key: string, known?: IssuedToken, rejected?: Pick<IssuedToken, 'obtainedAt'>): IssuedToken | undefined {
		const refusedAt = rejected ? Date.parse(rejected.obtainedAt) : NaN;
		const candidate = (token: IssuedToken | undefined) =>
			token && !this.isRefused(token.token) && isStillValid(token, this.now()) && !(Date.parse(token.obtainedAt) <= refusedAt) ? token : undefined;
		const outside = candidate(known);
		const best = newest(candidate(this.tokens.get(key)), outside);
		if (best && best === outside && this.tokens.get(key)?.token !== outside.token) this.put(key, outside);
		return best;
	}

	/**
	 * The freshest valid token known (the store's, or `known` when it is newer), or one fetch
	 * shared by every concurrent caller. A token being replaced by force or by a refresh before
	 * its expiry stays usable until its replacement arrives: when the fetch fails (a vendor
	 * outage, a 2FA login that cannot finish here, a helper that cannot send the request) the
	 * token that was good a moment ago is not lost with it. A refused token is dropped at once.
	 */
	async obtain(key: string, fetch: () => Promise<IssuedToken>, options: ObtainOptions = {}): Promise<IssuedToken> {
		const rejected = options.rejected?.token ? options.rejected : undefined;
		if (rejected) {
			const held = this.tokens.get(key);
			this.refuse(key, rejected.token, held?.token === rejected.token ? endOf(held) : undefined);
		}
		const inFlight = this.pending.get(key);
		if (inFlight) return await inFlight;
		const best = options.force === true ? undefined : this.current(key, options.known, rejected);
		if (best) return best;
		const request = fetch()
			.then((token) => {
				this.put(key, token);
				return token;
			})
			.finally(() => this.pending.delete(key));
		this.pending.set(key, request);
		return await request;
	}

	clear(): void {
		this.tokens.clear();
		this.pending.clear();
		this.refusedTokens.clear();
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
