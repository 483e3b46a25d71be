// A small client for the /rest API that n8n's own editor uses, with its session cookie.
// Shapes were read from n8n's compiled source of 2.40.7 and 1.123.81 (packages/cli controllers);
// where the two differ, the client asks /rest/settings for the version and branches.

export interface Owner {
	email: string;
	firstName: string;
	lastName: string;
	password: string;
}

export const DEFAULT_OWNER: Owner = {
	email: 'owner@example.com',
	firstName: 'E2E',
	lastName: 'Owner',
	password: 'E2e-Owner-Passw0rd',
};

export interface Credential {
	id: string;
	name: string;
	type: string;
	data?: Record<string, unknown>;
}

/** What the editor's credential "Test"/"Retry" gets back. */
export interface CredentialTestResult {
	status: 'OK' | 'Error';
	message: string;
}

export interface Workflow {
	id: string;
	name: string;
	active: boolean;
	versionId: string;
	nodes: unknown[];
	connections: Record<string, unknown>;
	[key: string]: unknown;
}

export type ExecutionStatus =
	| 'new'
	| 'running'
	| 'success'
	| 'error'
	| 'canceled'
	| 'crashed'
	| 'waiting'
	| 'unknown';

export interface ExecutionSummary {
	id: string;
	workflowId: string;
	status: ExecutionStatus;
	mode: string;
	finished: boolean;
	startedAt: string | null;
	stoppedAt: string | null;
	waitTill?: string | null;
	[key: string]: unknown;
}

export interface TaskData {
	startTime: number;
	executionTime: number;
	executionStatus?: string;
	data?: { main: Array<Array<{ json: Record<string, unknown> }> | null> };
	error?: { message: string; description?: string; [key: string]: unknown };
}

export interface ExecutionDetails extends ExecutionSummary {
	/** IRunExecutionData, parsed from the flatted string n8n sends. */
	data: {
		resultData: {
			runData: Record<string, TaskData[]>;
			lastNodeExecuted?: string;
			error?: { message: string; [key: string]: unknown };
		};
		[key: string]: unknown;
	};
}

/** An execution that has ended, well or not: neither new, nor running, nor waiting. */
export const hasEnded = (execution: { status: ExecutionStatus }): boolean =>
	!['new', 'running', 'waiting'].includes(execution.status);

/** `text` parsed as JSON, or `fallback` when it is not JSON. */
export function parseJson(text: string, fallback?: unknown): unknown {
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return fallback;
	}
}

export class N8nRestError extends Error {
	constructor(
		readonly method: string,
		readonly path: string,
		readonly status: number,
		readonly body: string,
	) {
		super(`${method} ${path} -> ${status}: ${body.slice(0, 500)}`);
	}
}

export class N8nClient {
	private cookie = '';
	private major: number | undefined;
	// The editor sends one per tab; a session issued with it is bound to it.
	private readonly browserId = 'n8n-nodes-token-auth-e2e';

	constructor(
		readonly baseUrl: string,
		readonly owner: Owner = DEFAULT_OWNER,
	) {}

	/** n8n's major version, from the public settings. */
	async majorVersion(): Promise<number> {
		if (this.major === undefined) {
			const settings = await this.rest<{ versionCli: string }>('GET', '/rest/settings');
			this.major = Number(settings.versionCli.split('.')[0]);
		}
		return this.major;
	}

	/** First start only; leaves the client signed in. */
	async setupOwner(): Promise<void> {
		await this.rest('POST', '/rest/owner/setup', this.owner);
	}

	async login(): Promise<void> {
		// 1.123 and 2.40 both take emailOrLdapLoginId (1.x before ~1.90 took `email`).
		await this.rest('POST', '/rest/login', {
			emailOrLdapLoginId: this.owner.email,
			password: this.owner.password,
		});
	}

	/** Every loaded node type, as the editor gets them; community nodes are `<package>.<node>`. */
	async nodeTypes(): Promise<
		Array<{ name: string; displayName: string; version: number | number[]; [key: string]: unknown }>
	> {
		return await this.raw('GET', '/types/nodes.json');
	}

	async credentialTypes(): Promise<
		Array<{ name: string; displayName: string; [key: string]: unknown }>
	> {
		return await this.raw('GET', '/types/credentials.json');
	}

	async createCredential(
		type: string,
		name: string,
		data: Record<string, unknown>,
	): Promise<Credential> {
		return await this.rest('POST', '/rest/credentials', { type, name, data });
	}

	/** With includeData, secrets come back redacted (2.x) the way the editor's form holds them. */
	async getCredential(id: string, includeData = true): Promise<Credential> {
		return await this.rest(
			'GET',
			`/rest/credentials/${id}${includeData ? '?includeData=true' : ''}`,
		);
	}

	async updateCredential(id: string, patch: Partial<Omit<Credential, 'id'>>): Promise<Credential> {
		return await this.rest('PATCH', `/rest/credentials/${id}`, patch);
	}

	/**
	 * The editor's credential test: it posts the credential as the form holds it (stored id,
	 * name, type, and the form's data, with secrets still redacted) and n8n merges the stored
	 * secrets back in before testing. `data` overrides the form's data, as unsaved edits would.
	 */
	async testCredential(id: string, data?: Record<string, unknown>): Promise<CredentialTestResult> {
		const stored = await this.getCredential(id, true);
		const credentials = {
			id: stored.id,
			name: stored.name,
			type: stored.type,
			data: { ...stored.data, ...data },
		};
		return await this.rest('POST', '/rest/credentials/test', { credentials });
	}

	async createWorkflow(json: Record<string, unknown>): Promise<Workflow> {
		const body = { active: false, settings: { executionOrder: 'v1' }, connections: {}, ...json };
		return await this.rest('POST', '/rest/workflows', body);
	}

	async getWorkflow(id: string): Promise<Workflow> {
		return await this.rest('GET', `/rest/workflows/${id}`);
	}

	/** 2.x publishes a version (POST …/activate {versionId}); 1.x PATCHes `active: true`. */
	async activateWorkflow(id: string): Promise<Workflow> {
		const { versionId } = await this.getWorkflow(id);
		if ((await this.majorVersion()) >= 2) {
			return await this.rest('POST', `/rest/workflows/${id}/activate`, { versionId });
		}
		return await this.rest('PATCH', `/rest/workflows/${id}`, { active: true, versionId });
	}

	async deactivateWorkflow(id: string): Promise<Workflow> {
		if ((await this.majorVersion()) >= 2)
			return await this.rest('POST', `/rest/workflows/${id}/deactivate`, {});
		const { versionId } = await this.getWorkflow(id);
		return await this.rest('PATCH', `/rest/workflows/${id}`, { active: false, versionId });
	}

	/**
	 * Calls a production webhook, /webhook/<path>. Right after activation n8n may still answer
	 * 404 for a moment, so a 404 is retried for up to `notFoundRetryMs`.
	 */
	async callWebhook(
		path: string,
		init: RequestInit = {},
		notFoundRetryMs = 10_000,
	): Promise<Response> {
		const url = `${this.baseUrl}/webhook/${path.replace(/^\/+/, '')}`;
		const deadline = Date.now() + notFoundRetryMs;
		for (;;) {
			const response = await fetch(url, init);
			if (response.status !== 404 || Date.now() > deadline) return response;
			await response.arrayBuffer();
			await sleep(250);
		}
	}

	/**
	 * A production webhook called with `body` as JSON: its status, its text and that text parsed
	 * (undefined when it is not JSON).
	 */
	async postJson(
		path: string,
		body: unknown,
	): Promise<{ status: number; text: string; json: unknown }> {
		const response = await this.callWebhook(path, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(body),
		});
		const text = await response.text();
		return { status: response.status, text, json: parseJson(text) };
	}

	/** Newest first; at most `limit` (n8n caps it at 100). */
	async listExecutions(workflowId?: string, limit = 100): Promise<ExecutionSummary[]> {
		const query = new URLSearchParams({ limit: String(limit) });
		if (workflowId) query.set('filter', JSON.stringify({ workflowId }));
		const page = await this.rest<{ results: ExecutionSummary[] }>(
			'GET',
			`/rest/executions?${query}`,
		);
		return page.results;
	}

	/** The execution with its full run data (both versions send it as a flatted string). */
	async getExecution(id: string): Promise<ExecutionDetails> {
		const execution = await this.rest<ExecutionSummary & { data: string }>(
			'GET',
			`/rest/executions/${id}`,
		);
		return { ...execution, data: parseFlatted(execution.data) as ExecutionDetails['data'] };
	}

	/** Polls the execution list until one matches, then returns it with its run data. */
	async waitForExecution(
		predicate: (execution: ExecutionSummary) => boolean,
		timeoutMs = 30_000,
		workflowId?: string,
	): Promise<ExecutionDetails> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const match = (await this.listExecutions(workflowId)).find(predicate);
			if (match) return await this.getExecution(match.id);
			if (Date.now() > deadline) throw new Error(`no matching execution within ${timeoutMs} ms`);
			await sleep(250);
		}
	}

	/** A /rest call: JSON in, the `data` of n8n's `{ data }` envelope out. */
	async rest<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
		const parsed = await this.raw<{ data: T }>(method, path, body);
		return parsed.data;
	}

	async raw<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
		const headers: Record<string, string> = {
			accept: 'application/json',
			'browser-id': this.browserId,
		};
		if (this.cookie) headers.cookie = this.cookie;
		if (body !== undefined) headers['content-type'] = 'application/json';
		const response = await fetch(`${this.baseUrl}${path}`, {
			method,
			headers,
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		// n8n re-issues the cookie when it nears expiry; keep whichever is newest.
		for (const line of response.headers.getSetCookie()) {
			const [pair] = line.split(';');
			if (pair.startsWith('n8n-auth=')) this.cookie = pair;
		}
		const text = await response.text();
		if (!response.ok) throw new N8nRestError(method, path, response.status, text);
		return (text ? JSON.parse(text) : undefined) as T;
	}
}

/**
 * `flatted`'s parse (n8n stores and sends run data with flatted.stringify): every string in
 * the top-level array is a value, every string inside an object or array is the index of one.
 */
export function parseFlatted(text: string): unknown {
	const input: unknown[] = JSON.parse(text, (_key, value) =>
		typeof value === 'string' ? new String(value) : value,
	);
	const values = input.map((value) => (value instanceof String ? String(value) : value));
	const revived = new Set<unknown>();
	const revive = (output: Record<string, unknown>): unknown => {
		if (revived.has(output)) return output;
		revived.add(output);
		for (const key of Object.keys(output)) {
			const value = output[key];
			if (value instanceof String) {
				const target = values[Number(value)];
				output[key] =
					typeof target === 'object' && target !== null
						? revive(target as Record<string, unknown>)
						: target;
			}
		}
		return output;
	};
	const root = values[0];
	return typeof root === 'object' && root !== null ? revive(root as Record<string, unknown>) : root;
}

function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}
