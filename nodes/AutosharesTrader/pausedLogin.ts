import { sealName } from './sealedLogin';

/**
 * Where a sealed paused login is kept: the execution's custom data. n8n saves it with the
 * execution, `webhook()` reads it on any process and after a restart, and a change made in
 * `webhook()` is saved when the run continues. Its limits are silent in production: at most 10
 * keys per execution (shared with every other node), keys of `[A-Za-z0-9_]`, values cut to 512
 * characters. So a seal is split over as few keys as it needs and read back at once.
 */
export interface CustomData {
	set(key: string, value: string): void;
	get(key: string): unknown;
}

/** n8n cuts values at 512 characters; the first chunk also carries the count. */
const CHUNK = 500;
/** A seal this long would be a token of several kilobytes: refuse rather than crowd out other nodes. */
const MAX_CHUNKS = 4;
/** What the first key holds once the login has ended. */
export const SEAL_ENDED = 'ended';

function keyOf(name: string, index: number): string {
	return index === 0 ? name : `${name}_${index}`;
}

/** Stores `sealed` and reads it back; false if n8n did not keep it whole (no room, a cut value). */
export function storeSealed(customData: CustomData, nodeId: string, sealed: string): boolean {
	const name = sealName(nodeId);
	const chunks: string[] = [];
	for (let at = 0; at < sealed.length; at += CHUNK) chunks.push(sealed.slice(at, at + CHUNK));
	if (chunks.length > MAX_CHUNKS) return false;
	const values = chunks.map((chunk, index) => (index === 0 ? `${chunks.length}:${chunk}` : chunk));
	try {
		values.forEach((value, index) => customData.set(keyOf(name, index), value));
	} catch {
		// A manual run throws where production drops silently: both are "not stored".
		return false;
	}
	return readSealed(customData, nodeId) === sealed;
}

/** The sealed login, 'ended' once the login has ended, or undefined when there is none. */
export function readSealed(customData: CustomData, nodeId: string): string | undefined {
	const name = sealName(nodeId);
	const first = customData.get(name);
	if (first === SEAL_ENDED) return SEAL_ENDED;
	const match = typeof first === 'string' ? /^(\d):(.*)$/s.exec(first) : null;
	if (!match) return undefined;
	const count = Number(match[1]);
	const parts = [match[2]];
	for (let index = 1; index < count; index++) {
		const part = customData.get(keyOf(name, index));
		if (typeof part !== 'string') return undefined;
		parts.push(part);
	}
	return parts.join('');
}

/** Overwrites the seal once the login has ended (saved by n8n when the run continues). */
export function endSealed(customData: CustomData, nodeId: string): void {
	const name = sealName(nodeId);
	const first = customData.get(name);
	const count = typeof first === 'string' ? Number(/^(\d):/.exec(first)?.[1] ?? 1) : 1;
	customData.set(name, SEAL_ENDED);
	for (let index = 1; index < count; index++) customData.set(keyOf(name, index), '');
}

/**
 * What one process knows of a paused login beyond its seal: the wrong codes it sent, whether
 * a code is being checked right now (so that two resume calls on this process never both send
 * one), and a newer interim token if Autoshares issued one with a wrong-code answer. Nothing
 * here can finish a login without the seal. Entries are dropped after the login's wait limit
 * and the map is capped, so it cannot grow without bound.
 */
interface LoginProgress {
	wrongCodes: number;
	busy: boolean;
	interimToken?: string;
	/** The attempts this process wrote into the seal: a seal read with fewer is not saved yet. */
	countedTo: number;
	until: number;
}

const MAX_TRACKED = 1000;

class LoginProgressMap {
	private readonly entries = new Map<string, LoginProgress>();

	constructor(private readonly now: () => number = Date.now) {}

	get(key: string, until: number): LoginProgress {
		const now = this.now();
		for (const [other, entry] of this.entries) if (entry.until < now) this.entries.delete(other);
		let entry = this.entries.get(key);
		if (!entry) {
			entry = { wrongCodes: 0, busy: false, countedTo: 0, until };
			this.entries.set(key, entry);
			for (const oldest of this.entries.keys()) {
				if (this.entries.size <= MAX_TRACKED) break;
				this.entries.delete(oldest);
			}
		}
		return entry;
	}

	end(key: string): void {
		this.entries.delete(key);
	}

	get size(): number {
		return this.entries.size;
	}

	clear(): void {
		this.entries.clear();
	}
}

export const loginProgress = new LoginProgressMap();

export function progressKey(executionId: string, nodeId: string): string {
	return `${executionId}\0${nodeId}`;
}

/** The custom data of the execution a webhook() call belongs to, where n8n offers it. */
export function customDataOf(context: object): CustomData | undefined {
	try {
		const data = (context as { customData?: CustomData }).customData;
		return data && typeof data.get === 'function' && typeof data.set === 'function' ? data : undefined;
	} catch {
		return undefined;
	}
}
