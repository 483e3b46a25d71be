/**
 * Shared machinery of the sandbox: one HTTP(S) server per vendor, request recording, routing
 * (404 / 405), bounded bodies, the token store, fault injection on the token endpoint, the
 * `/__sandbox/*` routes, the redirect catcher and a clean `close()`. Vendor modules only
 * describe their contract as a `VendorDefinition`.
 */
import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';

import type { TlsPair } from './tls';
import type {
	CatcherServer,
	EchoFormat,
	Fault,
	IssuedToken,
	RecordedRequest,
	VendorId,
	VendorServer,
} from './types';

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
/** Past this many bytes the server stops draining a too-large body and drops the socket. */
const HARD_BODY_CAP = 64 * 1024 * 1024;
const DEFAULT_OVERSIZED_BYTES = 5 * 1024 * 1024;
// Streaming faults never end on their own, so each has a hard stop in case a client (or a test)
// never closes: the sandbox must not fill a disk or outlive a CI job.
const FLOOD_MAX_BYTES = 4 * 1024 ** 3;
const FLOOD_MAX_MS = 10 * 60_000;
const TRICKLE_MAX_MS = 30 * 60_000;
const FLOOD_CHUNK_BYTES = 64 * 1024;
const STREAM_HEAD = '{"padding":"';

/** Sent as a marker in the query of every redirect Location; must never show in a client's errors. */
export const REDIRECT_QUERY_MARKER = 'sandbox-redirect-secret';
export const REDIRECT_QUERY = `next=${REDIRECT_QUERY_MARKER}-next&sig=${REDIRECT_QUERY_MARKER}-sig`;
/** Tokens the catcher hands out start with this. */
export const CAUGHT_TOKEN_PREFIX = 'CAUGHT';

export interface Reply {
	status: number;
	headers?: Record<string, string | number>;
	/** `undefined`: empty body. A string is sent as is. Anything else is sent as JSON. */
	body?: string | object;
}

export interface TokenRecord extends IssuedToken {
	revoked: boolean;
	meta: Record<string, string>;
}

export interface IssueOptions {
	account: string;
	tokenType: string;
	interim?: boolean;
	lifetimeSeconds?: number;
	/** What the answer tells the client: the exact expiry, whole seconds (rounded down), or none. */
	announce?: 'exact' | 'seconds' | 'none';
	meta?: Record<string, string>;
}

export interface MintInput {
	account: string;
	issuedAtMs: number;
	validUntilMs: number;
	interim: boolean;
	meta: Record<string, string>;
}

export interface Ctx<S extends object> {
	method: string;
	/** Decoded path, no query. */
	path: string;
	query: URLSearchParams;
	headers: http.IncomingHttpHeaders;
	body: string;
	params: Record<string, string>;
	srv: VendorServerImpl<S>;
}

export interface Route<S extends object> {
	method: string;
	/** `/api/v1/things/:id` style, or a RegExp on the decoded path (named groups become params). */
	path: string | RegExp;
	/** This is the token endpoint: counted in tokenCalls, subject to injected faults. */
	token?: boolean;
	handle(ctx: Ctx<S>): Reply | Promise<Reply>;
}

export type EchoResult =
	| { ok: true; account: string; receivedHeaders: Record<string, string> }
	| { ok: false; reply: Reply };

export interface VendorDefinition<S extends object> {
	vendor: VendorId;
	/** '' or a prefix such as '/v1' or '/api': baseUrl = origin + basePath. */
	basePath: string;
	defaultLifetimeSeconds: number;
	defaultSettings: S;
	routes: Array<Route<S>>;
	mintToken(input: MintInput, srv: VendorServerImpl<S>): string;
	/** Describes the success answer of the token endpoint, for the generic faults. */
	tokenAnswer: {
		/** A key of the answer, or a dot path into it (`data.jwt`). */
		tokenField: string;
		/** A key or dot path; null when the answer carries no expiry field (Autoshares, a JWT's claim). */
		expiryField: string | null;
		badExpiryValue: string;
		/**
		 * The `badExpiry` fault's answer where the expiry is not a field (the generic API's JWT
		 * `exp` claim): a real, working token whose expiry cannot be read.
		 */
		badExpiry?(
			srv: VendorServerImpl<S>,
			value: string | number | undefined,
		): Record<string, unknown>;
		/** The account a fault answer pretends to be for. */
		defaultAccount: string;
		tokenType(srv: VendorServerImpl<S>): string;
		announce(srv: VendorServerImpl<S>): 'exact' | 'seconds' | 'none';
		body(record: TokenRecord, srv: VendorServerImpl<S>): Record<string, unknown>;
	};
	/** The vendor's generic error envelope (404, 405, 413, 429, 500 ...). */
	errorReply(status: number, message: string, srv: VendorServerImpl<S>): Reply;
	/** The documented 401 of the token endpoint (the `unauthorized` fault). */
	unauthorizedReply(srv: VendorServerImpl<S>): Reply;
	/** An error answer with `message` where the vendor puts its error text (`say`, `echoRequest`). */
	messageReply(status: number, message: string, srv: VendorServerImpl<S>): Reply;
	/** The vendor's later-call authentication, for `/__sandbox/echo`. */
	echo(ctx: Ctx<S>): EchoResult;
}

export interface ServerOptions<S extends object> {
	lifetimeSeconds?: number;
	settings?: Partial<S>;
	clock: () => number;
	maxBodyBytes: number;
	/** Serve over https with this pair. */
	tls?: TlsPair;
	/** Where `otherOrigin` / `plainHttp` redirects point. */
	catcher?: CatcherImpl;
}

interface CompiledRoute<S extends object> {
	route: Route<S>;
	regex: RegExp;
}

// ---------------------------------------------------------------------------------------------
// Small helpers shared by the vendor modules

/** The header's value as a string (first one if repeated), or undefined. */
export function header(headers: http.IncomingHttpHeaders, name: string): string | undefined {
	const value = headers[name.toLowerCase()];
	return Array.isArray(value) ? value[0] : value;
}

/** Like `header`, but an empty value counts as absent. */
export function nonEmptyHeader(
	headers: http.IncomingHttpHeaders,
	name: string,
): string | undefined {
	const value = header(headers, name);
	return value === undefined || value === '' ? undefined : value;
}

/** `Basic base64(user:pass)` → credentials; anything else → null. */
export function parseBasic(value: string | undefined): { user: string; pass: string } | null {
	if (!value) return null;
	const match = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(value.trim());
	if (!match) return null;
	const decoded = Buffer.from(match[1], 'base64').toString('utf8');
	const colon = decoded.indexOf(':');
	if (colon < 0) return null;
	return { user: decoded.slice(0, colon), pass: decoded.slice(colon + 1) };
}

/** Exactly `Bearer <token>` (scheme spelled as the vendors document it, one space) → token. */
export function parseBearer(value: string | undefined): string | null {
	if (!value || !value.startsWith('Bearer ')) return null;
	const token = value.slice('Bearer '.length);
	return token === '' || /\s/.test(token) ? null : token;
}

/** The object holding the last key of a dot path (`data.jwt` → body.data), and that key. */
function parentOf(
	body: Record<string, unknown>,
	path: string,
): [Record<string, unknown> | undefined, string] {
	const keys = path.split('.');
	let holder: unknown = body;
	for (const key of keys.slice(0, -1))
		holder =
			holder && typeof holder === 'object' ? (holder as Record<string, unknown>)[key] : undefined;
	return [
		holder && typeof holder === 'object' ? (holder as Record<string, unknown>) : undefined,
		keys[keys.length - 1],
	];
}

export function deletePath(body: Record<string, unknown>, path: string): void {
	const [holder, key] = parentOf(body, path);
	if (holder) delete holder[key];
}

export function setPath(body: Record<string, unknown>, path: string, value: unknown): void {
	const [holder, key] = parentOf(body, path);
	if (holder) holder[key] = value;
}

export function json(status: number, body: object, headers?: Record<string, string>): Reply {
	return { status, body, headers };
}

function compilePath(path: string | RegExp): RegExp {
	if (path instanceof RegExp) return path;
	const source = path
		.split('/')
		.map((segment) =>
			segment.startsWith(':')
				? `(?<${segment.slice(1)}>[^/]+)`
				: segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
		)
		.join('/');
	return new RegExp(`^${source}$`);
}

function contentTypeFor(body: string): string {
	try {
		JSON.parse(body);
		return 'application/json';
	} catch {
		return 'text/plain; charset=utf-8';
	}
}

function send(res: http.ServerResponse, reply: Reply): void {
	if (res.headersSent || res.destroyed) return;
	const headers: Record<string, string | number> = { ...(reply.headers ?? {}) };
	let payload: string;
	if (reply.body === undefined) payload = '';
	else if (typeof reply.body === 'string') payload = reply.body;
	else {
		payload = JSON.stringify(reply.body);
		if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) {
			headers['content-type'] = 'application/json';
		}
	}
	const buffer = Buffer.from(payload, 'utf8');
	headers['content-length'] = buffer.length;
	res.writeHead(reply.status, headers);
	res.end(buffer);
}

interface BodyResult {
	body: string;
	tooLarge: boolean;
}

function readBody(req: http.IncomingMessage, limit: number): Promise<BodyResult | null> {
	return new Promise((resolve) => {
		const chunks: Buffer[] = [];
		let kept = 0;
		let total = 0;
		let tooLarge = false;
		req.on('data', (chunk: Buffer) => {
			total += chunk.length;
			if (total > HARD_BODY_CAP) {
				req.socket.destroy();
				resolve(null);
				return;
			}
			if (kept + chunk.length > limit) {
				tooLarge = true;
				const room = limit - kept;
				if (room > 0) chunks.push(chunk.subarray(0, room));
				kept = limit;
			} else {
				chunks.push(chunk);
				kept += chunk.length;
			}
		});
		req.on('end', () => resolve({ body: Buffer.concat(chunks).toString('utf8'), tooLarge }));
		req.on('error', () => resolve(null));
		req.on('close', () => {
			if (!req.complete) resolve(null);
		});
	});
}

const HTML_ERROR_PAGE = (status: number) => {
	const title =
		status === 200
			? 'Service temporarily unavailable'
			: `${status} ${http.STATUS_CODES[status] ?? 'Error'}`;
	return (
		'<!DOCTYPE html>\n<html>\n<head><title>' +
		title +
		'</title></head>\n<body>\n<center><h1>' +
		title +
		'</h1></center>\n<hr><center>nginx</center>\n</body>\n</html>\n'
	);
};

/**
 * The `say` / `echoRequest` page. The message is not escaped: the careless vendor this models
 * pastes it in as is, so a secret in it arrives byte for byte.
 */
const HTML_MESSAGE_PAGE = (status: number, message: string) => {
	const title = `${status} ${http.STATUS_CODES[status] ?? 'Error'}`;
	return (
		'<!DOCTYPE html>\n<html>\n<head><title>' +
		title +
		'</title></head>\n<body>\n<h1>' +
		title +
		'</h1>\n<pre>' +
		message +
		'</pre>\n</body>\n</html>\n'
	);
};

/** The request as it arrived: request line, header lines with the client's casing, body. */
function describeRequest(recorded: RecordedRequest, httpVersion: string): string {
	const lines = [`${recorded.method} ${recorded.path} HTTP/${httpVersion}`];
	for (let i = 0; i + 1 < recorded.rawHeaders.length; i += 2) {
		lines.push(`${recorded.rawHeaders[i]}: ${recorded.rawHeaders[i + 1]}`);
	}
	return lines.join('\n') + '\n\n' + recorded.body;
}

function recordRequest(
	req: http.IncomingMessage,
	body: string,
	clock: () => number,
): RecordedRequest {
	const headers: Record<string, string | string[]> = {};
	for (const [key, value] of Object.entries(req.headers)) {
		if (value !== undefined) headers[key] = Array.isArray(value) ? [...value] : value;
	}
	return {
		method: req.method ?? 'GET',
		path: req.url ?? '/',
		headers,
		rawHeaders: [...req.rawHeaders],
		body,
		at: new Date(clock()),
	};
}

// ---------------------------------------------------------------------------------------------
// One listening server (vendor or catcher): http or https, every socket tracked for close().

type AnyServer = http.Server | https.Server;

class Listener {
	readonly server: AnyServer;
	readonly secure: boolean;
	/** The TCP sockets (under TLS too): what close() and the `reset` fault act on. */
	private readonly sockets = new Set<Socket>();
	private originValue = '';
	private closing?: Promise<void>;

	constructor(tls: TlsPair | undefined, handler: http.RequestListener) {
		this.secure = tls !== undefined;
		this.server = tls
			? https.createServer({ key: tls.key, cert: tls.cert }, handler)
			: http.createServer(handler);
		this.server.on('connection', (socket: Socket) => {
			this.sockets.add(socket);
			socket.on('close', () => this.sockets.delete(socket));
		});
		this.server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
			const status =
				err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'HPE_REQUEST_TIMEOUT' ? 408 : 400;
			if (socket.writable && err.code !== 'ECONNRESET') {
				socket.end(
					`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
				);
			} else {
				socket.destroy();
			}
		});
	}

	get origin(): string {
		return this.originValue;
	}

	/** The TCP socket under a request's socket: a TLS socket cannot send an RST itself. */
	tcpSocket(socket: Socket): Socket {
		if (!(socket instanceof TLSSocket)) return socket;
		for (const candidate of this.sockets) {
			if (
				candidate.remotePort === socket.remotePort &&
				candidate.remoteAddress === socket.remoteAddress
			) {
				return candidate;
			}
		}
		return socket;
	}

	listen(host: string, port: number): Promise<void> {
		return new Promise((resolve, reject) => {
			const onError = (err: Error) => reject(err);
			this.server.once('error', onError);
			this.server.listen(port, host, () => {
				this.server.off('error', onError);
				const address = this.server.address();
				if (address === null || typeof address === 'string') {
					reject(new Error('unexpected server address'));
					return;
				}
				const hostPart = address.address.includes(':') ? `[${address.address}]` : address.address;
				this.originValue = `${this.secure ? 'https' : 'http'}://${hostPart}:${address.port}`;
				resolve();
			});
		});
	}

	get closed(): boolean {
		return this.closing !== undefined;
	}

	close(): Promise<void> {
		if (!this.closing) {
			this.closing = new Promise((resolve) => {
				if (!this.server.listening) {
					resolve();
					return;
				}
				this.server.close(() => resolve());
				for (const socket of this.sockets) socket.destroy();
				this.server.closeAllConnections();
			});
		}
		return this.closing;
	}
}

// ---------------------------------------------------------------------------------------------
// The redirect catcher

type CaughtAnswer = (vendor: string) => Reply | undefined;

export class CatcherImpl implements CatcherServer {
	readonly requests: RecordedRequest[] = [];
	private readonly plain: Listener;
	private readonly tlsListener?: Listener;
	private waiters: Array<{ count: number; resolve: () => void }> = [];

	/** `answerFor(vendor)`: that vendor's success shape with a caught token, or undefined. */
	constructor(
		private readonly answerFor: CaughtAnswer,
		private readonly options: { tls?: TlsPair; clock: () => number; maxBodyBytes: number },
	) {
		const handler: http.RequestListener = (req, res) => {
			this.handle(req, res).catch(() => send(res, json(500, { message: 'catcher failed' })));
		};
		this.plain = new Listener(undefined, handler);
		if (options.tls) this.tlsListener = new Listener(options.tls, handler);
	}

	get origin(): string {
		return this.plain.origin;
	}

	get secureOrigin(): string | null {
		return this.tlsListener?.origin ?? null;
	}

	reset(): void {
		this.requests.length = 0;
	}

	waitForRequests(count: number): Promise<void> {
		if (this.requests.length >= count) return Promise.resolve();
		return new Promise((resolve) => this.waiters.push({ count, resolve }));
	}

	async listen(host: string): Promise<void> {
		await Promise.all([this.plain, this.tlsListener].map((l) => l?.listen(host, 0)));
	}

	async close(): Promise<void> {
		await Promise.all([this.plain, this.tlsListener].map((l) => l?.close()));
	}

	private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const read = await readBody(req, this.options.maxBodyBytes);
		if (read === null || this.plain.closed) return;
		this.requests.push(recordRequest(req, read.body, this.options.clock));
		const pending = this.waiters;
		this.waiters = [];
		for (const waiter of pending) {
			if (this.requests.length >= waiter.count) waiter.resolve();
			else this.waiters.push(waiter);
		}
		// Every answer is a "success", whatever the method: the point is what a client accepts.
		const vendor = /^\/catch\/([^/?]+)/.exec(req.url ?? '')?.[1] ?? '';
		send(
			res,
			this.answerFor(vendor) ??
				json(200, { token: `${CAUGHT_TOKEN_PREFIX}-${randomBytes(16).toString('hex')}` }),
		);
	}
}

// ---------------------------------------------------------------------------------------------

export class VendorServerImpl<S extends object> implements VendorServer<S> {
	readonly vendor: VendorId;
	readonly requests: RecordedRequest[] = [];
	readonly issued: TokenRecord[] = [];
	readonly clock: () => number;
	lastVerificationCode?: string;
	lastStreamBytes = 0;

	private tokenCallCount = 0;
	private lifetime: number;
	private currentSettings: S;
	private readonly tokens = new Map<string, TokenRecord>();
	private faults: Array<{ fault: Fault; remaining: number }> = [];
	private rateWindow: number[] = [];
	private waiters: Array<{ ready: () => boolean; resolve: () => void }> = [];
	private readonly routes: Array<CompiledRoute<S>>;
	private readonly listener: Listener;
	private readonly catcher?: CatcherImpl;
	private readonly timers = new Set<NodeJS.Timeout>();
	/** Running flood / trickle answers, each with the function that ends it. */
	private readonly streams = new Set<() => void>();
	private readonly maxBodyBytes: number;
	private closing?: Promise<void>;

	constructor(
		private readonly def: VendorDefinition<S>,
		options: ServerOptions<S>,
	) {
		this.vendor = def.vendor;
		this.clock = options.clock;
		this.maxBodyBytes = options.maxBodyBytes;
		this.lifetime = options.lifetimeSeconds ?? def.defaultLifetimeSeconds;
		this.currentSettings = { ...def.defaultSettings, ...(options.settings ?? {}) };
		this.routes = def.routes.map((route) => ({ route, regex: compilePath(route.path) }));
		this.catcher = options.catcher;
		this.listener = new Listener(options.tls, (req, res) => {
			this.handle(req, res).catch(() => {
				send(res, this.def.errorReply(500, 'Internal Server Error', this));
			});
		});
	}

	// --- public API --------------------------------------------------------------------------

	get origin(): string {
		return this.listener.origin;
	}

	get baseUrl(): string {
		return this.listener.origin + this.def.basePath;
	}

	get secure(): boolean {
		return this.listener.secure;
	}

	get openStreams(): number {
		return this.streams.size;
	}

	get tokenCalls(): number {
		return this.tokenCallCount;
	}

	get lifetimeSeconds(): number {
		return this.lifetime;
	}

	get settings(): Readonly<S> {
		return this.currentSettings;
	}

	setLifetime(seconds: number): void {
		if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError(`bad lifetime ${seconds}`);
		this.lifetime = seconds;
	}

	configure(patch: Partial<S>): void {
		this.currentSettings = { ...this.currentSettings, ...patch };
	}

	expireAllTokens(): void {
		for (const record of this.tokens.values()) record.revoked = true;
	}

	revokeToken(token: string): boolean {
		const record = this.tokens.get(token);
		if (record) record.revoked = true;
		return record !== undefined;
	}

	injectFault(fault: Fault, times?: number): void {
		// Mistakes a test could not see otherwise (the fault would just answer something else).
		if (fault.kind === 'redirect') {
			if (fault.to === 'plainHttp' && !this.secure) {
				throw new Error(
					`${this.vendor}: a plainHttp redirect needs the vendor over TLS (startSandbox({ tls: true }))`,
				);
			}
			if (fault.to !== 'sameOrigin' && !this.catcher) {
				throw new Error(`${this.vendor}: no catcher to redirect to`);
			}
			if (fault.path !== undefined && !fault.path.startsWith('/')) {
				throw new Error(`${this.vendor}: a redirect path starts with "/", got ${fault.path}`);
			}
		}
		if (times !== undefined && !(times > 0)) return;
		this.faults.push({ fault, remaining: times ?? Infinity });
	}

	clearFaults(): void {
		this.faults = [];
	}

	reset(): void {
		this.tokenCallCount = 0;
		this.requests.length = 0;
		this.issued.length = 0;
		this.tokens.clear();
		this.faults = [];
		this.rateWindow = [];
		this.lastVerificationCode = undefined;
		// A flood left running by an earlier test would go on eating CPU into the next one.
		for (const end of [...this.streams]) end();
		this.lastStreamBytes = 0;
	}

	waitForTokenCalls(count: number): Promise<void> {
		return this.waitFor(() => this.tokenCallCount >= count);
	}

	waitForRequests(count: number): Promise<void> {
		return this.waitFor(() => this.requests.length >= count);
	}

	waitForStreamsClosed(): Promise<void> {
		return this.waitFor(() => this.streams.size === 0);
	}

	// --- for vendor modules ------------------------------------------------------------------

	/** Issue (and, unless `register` is false, remember) a token. */
	issue(options: IssueOptions, register = true): TokenRecord {
		const now = this.clock();
		const interim = options.interim ?? false;
		const meta = options.meta ?? {};
		const validUntilMs = now + (options.lifetimeSeconds ?? this.lifetime) * 1000;
		const announce = options.announce ?? 'exact';
		const expiresAt =
			announce === 'none'
				? null
				: new Date(announce === 'seconds' ? Math.floor(validUntilMs / 1000) * 1000 : validUntilMs);
		const token = this.def.mintToken(
			{ account: options.account, issuedAtMs: now, validUntilMs, interim, meta },
			this,
		);
		const record: TokenRecord = {
			token,
			tokenType: options.tokenType,
			expiresAt,
			validUntil: new Date(validUntilMs),
			interim,
			account: options.account,
			revoked: false,
			meta,
		};
		if (register) {
			this.tokens.set(token, record);
			this.issued.push(record);
		}
		return record;
	}

	/** The live (not expired, not revoked) token record of that kind, or undefined. */
	lookup(token: string | null | undefined, kind: 'final' | 'interim'): TokenRecord | undefined {
		if (!token) return undefined;
		const record = this.tokens.get(token);
		if (!record || record.revoked || record.interim !== (kind === 'interim')) return undefined;
		if (this.clock() >= record.validUntil.getTime()) return undefined;
		return record;
	}

	/** The record of a token this server issued, live or not (expired, revoked); undefined otherwise. */
	recordOf(token: string | null | undefined): TokenRecord | undefined {
		return token ? this.tokens.get(token) : undefined;
	}

	revoke(record: TokenRecord): void {
		record.revoked = true;
	}

	/** Rolling one-minute window: null if the call may go on, else the Retry-After seconds. */
	takeRateLimitSlot(perMinute: number): number | null {
		const now = this.clock();
		this.rateWindow = this.rateWindow.filter((t) => t > now - 60_000);
		if (this.rateWindow.length >= perMinute) {
			return Math.max(1, Math.ceil((this.rateWindow[0] + 60_000 - now) / 1000));
		}
		this.rateWindow.push(now);
		return null;
	}

	errorReply(status: number, message: string): Reply {
		return this.def.errorReply(status, message, this);
	}

	/** What the catcher answers for this vendor: its success shape, with a token it never issued. */
	caughtAnswer(): Reply {
		const answer = this.def.tokenAnswer;
		const record = this.issue(
			{
				account: answer.defaultAccount,
				tokenType: answer.tokenType(this),
				announce: answer.announce(this),
			},
			false,
		);
		record.token = `${CAUGHT_TOKEN_PREFIX}-${randomBytes(16).toString('hex')}`;
		return json(200, answer.body(record, this));
	}

	// --- lifecycle ---------------------------------------------------------------------------

	listen(host: string, port: number): Promise<void> {
		return this.listener.listen(host, port);
	}

	close(): Promise<void> {
		if (!this.closing) {
			for (const timer of this.timers) clearTimeout(timer);
			this.timers.clear();
			for (const end of [...this.streams]) end();
			this.closing = this.listener.close();
		}
		return this.closing;
	}

	// --- internals ---------------------------------------------------------------------------

	private waitFor(ready: () => boolean): Promise<void> {
		if (ready()) return Promise.resolve();
		return new Promise((resolve) => this.waiters.push({ ready, resolve }));
	}

	private notify(): void {
		const pending = this.waiters;
		this.waiters = [];
		for (const waiter of pending) {
			if (waiter.ready()) waiter.resolve();
			else this.waiters.push(waiter);
		}
	}

	private delay(ms: number): Promise<void> {
		return new Promise((resolve) => {
			const timer = setTimeout(() => {
				this.timers.delete(timer);
				resolve();
			}, ms);
			this.timers.add(timer);
		});
	}

	private takeFault(): Fault | undefined {
		const entry = this.faults[0];
		if (!entry) return undefined;
		entry.remaining -= 1;
		if (entry.remaining <= 0) this.faults.shift();
		return entry.fault;
	}

	private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const method = req.method ?? 'GET';
		const rawUrl = req.url ?? '/';
		const read = await readBody(req, this.maxBodyBytes);
		if (read === null || this.closing) return;

		const queryAt = rawUrl.indexOf('?');
		const rawPath = queryAt >= 0 ? rawUrl.slice(0, queryAt) : rawUrl;
		const query = new URLSearchParams(queryAt >= 0 ? rawUrl.slice(queryAt + 1) : '');

		if (rawPath === '/__sandbox/stats' && method === 'GET') {
			send(res, json(200, this.stats()));
			return;
		}

		const recorded = recordRequest(req, read.body, this.clock);
		this.requests.push(recorded);
		this.notify();

		let path: string;
		try {
			path = decodeURIComponent(rawPath);
		} catch {
			send(res, this.errorReply(400, 'Bad Request'));
			return;
		}

		const base = { method, path, query, headers: req.headers, body: read.body, srv: this };

		if (path === '/__sandbox/echo') {
			if (read.tooLarge) {
				send(res, this.errorReply(413, 'Request Entity Too Large'));
				return;
			}
			const result = this.def.echo({ ...base, params: {} });
			send(
				res,
				result.ok
					? json(200, {
							ok: true,
							vendor: this.vendor,
							account: result.account,
							receivedHeaders: result.receivedHeaders,
						})
					: result.reply,
			);
			return;
		}

		const matches: Array<{ route: Route<S>; params: Record<string, string> }> = [];
		for (const { route, regex } of this.routes) {
			const match = regex.exec(path);
			if (match) matches.push({ route, params: { ...(match.groups ?? {}) } });
		}
		if (matches.length === 0) {
			send(res, this.errorReply(404, 'Not Found'));
			return;
		}
		const isTokenPath = matches.some((m) => m.route.token);
		if (isTokenPath) {
			this.tokenCallCount += 1;
			this.notify();
		}
		const chosen = matches.find((m) => m.route.method === method);
		if (!chosen) {
			const allow = [...new Set(matches.map((m) => m.route.method))].join(', ');
			const reply = this.errorReply(405, 'Method Not Allowed');
			send(res, { ...reply, headers: { ...(reply.headers ?? {}), allow } });
			return;
		}
		if (read.tooLarge) {
			send(res, this.errorReply(413, 'Request Entity Too Large'));
			return;
		}
		const ctx: Ctx<S> = { ...base, params: chosen.params };

		if (chosen.route.token) {
			const fault = this.takeFault();
			if (fault) {
				const handled = await this.applyFault(fault, req, res, recorded);
				if (handled) return;
			}
		}
		send(res, await chosen.route.handle(ctx));
	}

	/** Apply a fault; false means "now answer normally" (slow). */
	private async applyFault(
		fault: Fault,
		req: http.IncomingMessage,
		res: http.ServerResponse,
		recorded: RecordedRequest,
	): Promise<boolean> {
		const answer = this.def.tokenAnswer;
		const sample = () =>
			answer.body(
				this.issue(
					{
						account: answer.defaultAccount,
						tokenType: answer.tokenType(this),
						announce: answer.announce(this),
					},
					false,
				),
				this,
			);
		switch (fault.kind) {
			case 'status': {
				if (fault.body === undefined) {
					send(res, this.errorReply(fault.status, http.STATUS_CODES[fault.status] ?? 'Error'));
				} else {
					send(res, {
						status: fault.status,
						headers: { 'content-type': contentTypeFor(fault.body) },
						body: fault.body,
					});
				}
				return true;
			}
			case 'rateLimit': {
				const reply = this.errorReply(429, 'Too Many Requests');
				send(res, {
					...reply,
					headers: { ...(reply.headers ?? {}), 'retry-after': String(fault.retryAfterSeconds) },
				});
				return true;
			}
			case 'slow':
				await this.delay(fault.delayMs);
				return this.closing !== undefined;
			case 'hang':
				return true;
			case 'reset':
				this.listener.tcpSocket(req.socket).resetAndDestroy();
				return true;
			case 'html': {
				const status = fault.status ?? 200;
				send(res, {
					status,
					headers: { 'content-type': 'text/html; charset=utf-8' },
					body: HTML_ERROR_PAGE(status),
				});
				return true;
			}
			case 'truncated': {
				const full = Buffer.from(JSON.stringify(sample()), 'utf8');
				const cut = full.subarray(0, Math.floor(full.length / 2));
				if (fault.abortConnection) {
					res.writeHead(200, { 'content-type': 'application/json', 'content-length': full.length });
					res.write(cut, () => req.socket.destroy());
				} else {
					res.writeHead(200, { 'content-type': 'application/json', 'content-length': cut.length });
					res.end(cut);
				}
				return true;
			}
			case 'missingToken': {
				const body = sample();
				deletePath(body, answer.tokenField);
				send(res, json(200, body));
				return true;
			}
			case 'badExpiry': {
				if (answer.badExpiry) {
					send(res, json(200, answer.badExpiry(this, fault.value)));
					return true;
				}
				// A real token (so a client that tolerates the bad expiry can go on), unreadable expiry.
				const record = this.issue({
					account: answer.defaultAccount,
					tokenType: answer.tokenType(this),
					announce: 'none',
				});
				const body = answer.body(record, this);
				if (answer.expiryField)
					setPath(body, answer.expiryField, fault.value ?? answer.badExpiryValue);
				send(res, json(200, body));
				return true;
			}
			case 'oversized': {
				const target = fault.bytes ?? DEFAULT_OVERSIZED_BYTES;
				const rest = JSON.stringify(sample()).slice(1); // `"token":...}` after the padding
				const head = '{"padding":"';
				const tail = '",' + rest;
				const padding = 'x'.repeat(Math.max(0, target - head.length - tail.length));
				send(res, {
					status: 200,
					headers: { 'content-type': 'application/json' },
					body: head + padding + tail,
				});
				return true;
			}
			case 'unauthorized':
				send(res, this.def.unauthorizedReply(this));
				return true;
			case 'redirect':
				send(res, {
					status: fault.status,
					headers: { location: this.redirectTarget(fault, recorded) },
				});
				return true;
			case 'flood':
				this.flood(res);
				return true;
			case 'trickle':
				this.trickle(res, fault.intervalMs ?? 1000);
				return true;
			case 'say':
				send(res, this.messageReply(fault.status, fault.format, fault.message));
				return true;
			case 'reply':
				send(res, {
					status: fault.status,
					headers: { 'content-type': fault.contentType },
					body: fault.body,
				});
				return true;
			case 'echoRequest':
				send(
					res,
					this.messageReply(fault.status, fault.format, describeRequest(recorded, req.httpVersion)),
				);
				return true;
		}
	}

	private messageReply(status: number, format: EchoFormat, message: string): Reply {
		switch (format) {
			case 'json':
				return this.def.messageReply(status, message, this);
			case 'text':
				return { status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: message };
			case 'html':
				return {
					status,
					headers: { 'content-type': 'text/html; charset=utf-8' },
					body: HTML_MESSAGE_PAGE(status, message),
				};
		}
	}

	/** Absolute Location of a `redirect` fault; its path defaults to the token path just called. */
	private redirectTarget(
		fault: Extract<Fault, { kind: 'redirect' }>,
		recorded: RecordedRequest,
	): string {
		const path = fault.path ?? recorded.path.split('?')[0];
		let target: string;
		if (fault.to === 'sameOrigin' || !this.catcher) target = this.origin + path;
		else {
			// otherOrigin keeps the scheme (an origin change only); plainHttp is a downgrade.
			const origin =
				fault.to === 'otherOrigin' && this.secure
					? (this.catcher.secureOrigin ?? this.catcher.origin)
					: this.catcher.origin;
			target = `${origin}/catch/${this.vendor}${path}`;
		}
		return `${target}?${REDIRECT_QUERY}`;
	}

	/** Registers a running stream answer; the returned `end` drops its socket (idempotent). */
	private openStream(res: http.ServerResponse, maxMs: number, stop: () => void): () => void {
		let ended = false;
		const bound = setTimeout(() => end(), maxMs);
		bound.unref(); // the bound must not keep a test process alive by itself
		const end = () => {
			if (ended) return;
			ended = true;
			clearTimeout(bound);
			stop();
			this.streams.delete(end);
			res.destroy();
			this.notify();
		};
		this.streams.add(end);
		// The client closed (or the socket broke): stop writing at once.
		res.on('close', end);
		return end;
	}

	/** 200 JSON-looking bytes as fast as the socket drains, until the client closes or the bound. */
	private flood(res: http.ServerResponse): void {
		// No content-length: Node sends it chunked, so nothing tells the client when it ends.
		res.writeHead(200, { 'content-type': 'application/json' });
		this.lastStreamBytes = 0;
		let sent = 0;
		const chunk = Buffer.alloc(FLOOD_CHUNK_BYTES, 'x');
		const first = Buffer.concat([Buffer.from(STREAM_HEAD), chunk.subarray(STREAM_HEAD.length)]);
		const pump = (): void => {
			for (;;) {
				if (res.destroyed) return;
				if (sent >= FLOOD_MAX_BYTES) {
					end();
					return;
				}
				const piece = sent === 0 ? first : chunk;
				sent += piece.length;
				this.lastStreamBytes = sent;
				if (!res.write(piece)) {
					res.once('drain', pump);
					return;
				}
			}
		};
		const end = this.openStream(res, FLOOD_MAX_MS, () => res.off('drain', pump));
		pump();
	}

	/** 200 with headers at once, then one byte every intervalMs, until the client closes or the bound. */
	private trickle(res: http.ServerResponse, intervalMs: number): void {
		res.writeHead(200, { 'content-type': 'application/json' });
		res.flushHeaders();
		this.lastStreamBytes = 0;
		let sent = 0;
		const tick = setInterval(
			() => {
				if (res.destroyed) return;
				res.write(sent < STREAM_HEAD.length ? STREAM_HEAD[sent] : 'x');
				sent += 1;
				this.lastStreamBytes = sent;
			},
			Math.max(1, intervalMs),
		);
		this.openStream(res, TRICKLE_MAX_MS, () => clearInterval(tick));
	}

	private stats() {
		return {
			vendor: this.vendor,
			tokenCalls: this.tokenCallCount,
			issued: this.issued.length,
			requests: this.requests.length,
		};
	}
}
