import type { INodeExecutionData } from 'n8n-workflow';

import type { NextStep } from '../shared/provider';

/** A login paused at Autoshares' second step, waiting for the code to arrive at the resume URL. */
export interface PendingLogin {
	step: NextStep['step'];
	reason: string;
	interimToken: string;
	attempts: number;
	maxAttempts: number;
	waitUntil: number;
	/** The input items (JSON and binary), so the resumed output keeps one item per input item. */
	inputs: INodeExecutionData[];
	outputField: string;
	includeSecretHeaders: boolean;
	/** A code is being checked right now: concurrent resume calls must not log in twice. */
	busy: boolean;
	/** The login finished or failed; kept a while so late callers get "no longer waiting". */
	ended?: boolean;
}

/** Entries are kept a little past the wait limit so a late caller gets a clear answer. */
const GRACE_MS = 5 * 60_000;

/**
 * The interim token lives only in this process's memory, never in execution data, the
 * database or an output. n8n resumes a waiting execution in the process that serves its
 * webhooks, which is the one that paused it unless n8n runs in queue mode (see README).
 * Entries leave when the login ends, fails, or is long past its wait limit.
 */
class PendingLogins {
	private readonly entries = new Map<string, PendingLogin>();

	constructor(private readonly now: () => number = Date.now) {}

	private sweep(): void {
		const now = this.now();
		for (const [key, entry] of this.entries) {
			if (now > entry.waitUntil + GRACE_MS) this.entries.delete(key);
		}
	}

	start(key: string, login: PendingLogin): void {
		this.sweep();
		this.entries.set(key, login);
	}

	get(key: string): PendingLogin | undefined {
		this.sweep();
		return this.entries.get(key);
	}

	end(key: string): void {
		const entry = this.entries.get(key);
		if (!entry) return;
		entry.ended = true;
		entry.interimToken = '';
		entry.inputs = [];
	}
}

export const pendingLogins = new PendingLogins();

export function pendingKey(executionId: string, nodeName: string): string {
	return `${executionId}\0${nodeName}`;
}
