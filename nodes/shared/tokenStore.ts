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

export function isStillValid(token: IssuedToken, nowMs: number): boolean {
	if (token.expiresAt === null) return true; // no stated expiry: kept until the vendor refuses it
	const expires = Date.parse(token.expiresAt);
	const lifetimeMs = expires - Date.parse(token.obtainedAt);
	const marginMs = Math.min(MARGIN_SECONDS * 1000, Math.max(0, lifetimeMs) * MARGIN_SHARE);
	return nowMs < expires - marginMs;
}

export interface ObtainOptions {
	/** Fetch a new token even if a valid one is held. */
	force?: boolean;
	/**
	 * The token the caller was using when it asked again: if the store holds it, a new one is
	 * fetched and replaces it (another token held means someone already refreshed: it is used).
	 */
	rejectedToken?: string;
}

/**
 * One store per n8n process, shared by the credentials and the nodes (n8n loads both through
 * one require, so this module is one instance). n8n itself keeps no expiry, does not lock and
 * refreshes per execution; this store adds reuse until expiry, one token call for any number of
 * concurrent callers, and invalidation when a caller reports the held token as rejected.
 * Keys are digests of the vendor and every credential field, so an edited credential never gets
 * the old token, and no secret is kept as a key.
 */
export class TokenStore {
	private readonly tokens = new Map<string, IssuedToken>();
	private readonly pending = new Map<string, Promise<IssuedToken>>();

	constructor(private readonly now: () => number = Date.now) {}

	held(key: string): IssuedToken | undefined {
		const token = this.tokens.get(key);
		if (token && isStillValid(token, this.now())) return token;
		if (token) this.tokens.delete(key);
		return undefined;
	}

	put(key: string, token: IssuedToken): void {
		this.tokens.set(key, token);
	}

	forget(key: string): void {
		this.tokens.delete(key);
	}

	/**
	 * The held token, or one fetch shared by every concurrent caller. A token being replaced
	 * (force, or reported as rejected) stays held until its replacement arrives: when the fetch
	 * fails (a vendor outage, a 2FA login that cannot finish here, a helper that cannot send the
	 * request) the token that was good a moment ago is not lost with it.
	 */
	async obtain(key: string, fetch: () => Promise<IssuedToken>, options: ObtainOptions = {}): Promise<IssuedToken> {
		const inFlight = this.pending.get(key);
		if (inFlight) return await inFlight;
		const held = this.held(key);
		const replacing = options.force === true || (held !== undefined && held.token === options.rejectedToken);
		if (held && !replacing) return held;
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
	}
}

export const tokenStore = new TokenStore();
