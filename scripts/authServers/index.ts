// Three real auth servers from the npm registry, written by others, for proving the Custom Token
// Endpoint credential against protocol code that is not ours. Each runs as a child process
// (`node scripts/authServers/<x>.mjs`: plain ESM, since oidc-provider is ESM only and jest and
// ts here are CommonJS) on 127.0.0.1 and an ephemeral port, and prints one JSON line
// {"ready":true,"port":…,…accounts} when it listens. Our code in the launchers only configures
// the libraries, supplies the in-memory storage a library demands, counts requests and adds a
// small protected resource route; every token, error and revocation answer is the library's.
//
// - oidc-provider 9.13.3 (panva; OpenID Certified, the reference server of many OAuth clients):
//   client-credentials tokens at POST /token. Client `n8n-client`, secret `s3cr+t/with=odd%chars:ok`
//   (client_secret_basic; the provider form-decodes Basic credentials per RFC 6749 §2.3.1, so
//   Basic base64(urlencode(id):urlencode(secret)) works and the raw form is refused 400
//   invalid_request), client `n8n-post-client` / `PostSecret123` (client_secret_post). Wrong
//   secret: 401 {"error":"invalid_client","error_description":"client authentication failed"}.
//   Revocation POST /token/revocation (RFC 7009), introspection POST /token/introspection,
//   protected resource GET /api/me (ours: looks the token up with provider.ClientCredentials.find).
//   Chosen for strict, certified client authentication, including the %-encoding of Basic.
// - @node-oauth/oauth2-server 5.3.0 (the maintained fork of oauth2-server) on node:http: password,
//   client_credentials and refresh_token grants at POST /token with refresh token rotation.
//   Client `pw-client` / `PwClientSecret2024` (Basic or body), user `alice@example.com` /
//   `Wonderland-42`; client `odd-client` / `s3cr+t/with=odd%chars:ok` shows that it does NOT
//   URL-decode Basic credentials (only the raw form works). GET /api/me is its authenticate().
//   Admin: POST /__admin/revoke-access-tokens. Chosen for the password grant, refresh token
//   rotation and its non-RFC Basic decoding (a server a client must also get along with).
// - json-server-auth 2.1.0 on json-server 0.17.4: POST /login {email,password} → {accessToken (JWT,
//   1 h, fixed), user}; wrong password 400 "Incorrect password" (a JSON string). User
//   `alice@example.com` / `Wonderland-42` (id 1), registered at start through its own /register.
//   Guarded GET /600/users/1 (= /users/1, owner only) and GET /660/notes. Chosen as the typical
//   "login step with a JSON body" API: no OAuth at all, a token in a custom field.
//
// Each server also has GET /__admin/stats ({requests, tokenCalls, failedTokenCalls (non-2xx token
// answers), byRoute, byStatus}) and POST /__admin/reset (ours, not counted).
//
// Start them by hand: `npx tsx scripts/authServers/index.ts` (prints the handles, Ctrl-C stops),
// or one alone: `node scripts/authServers/oidcProvider.mjs --cc-ttl 5`.
import { spawn, type ChildProcess } from 'child_process';
import * as path from 'path';

export interface ServerStats {
	requests: number;
	/** Calls of the token endpoint (POST /token; POST /login for json-server-auth). */
	tokenCalls: number;
	/** Token endpoint answers that were not 2xx. */
	failedTokenCalls: number;
	/** "METHOD /path" → count. */
	byRoute: Record<string, number>;
	/** HTTP status → count. */
	byStatus: Record<string, number>;
}

export interface ClientAccount {
	clientId: string;
	clientSecret: string;
}

export interface ServerHandle {
	name: string;
	port: number;
	pid: number;
	/** http://127.0.0.1:port, no trailing slash. */
	baseUrl: string;
	/** The URL a token is asked for. */
	tokenUrl: string;
	/** A route that answers 200 only with a valid token, 401 otherwise. */
	resourceUrl: string;
	stats(): Promise<ServerStats>;
	reset(): Promise<void>;
	/** What the process wrote on stderr so far. */
	stderr(): string;
}

export interface OidcProviderHandle extends ServerHandle {
	issuer: string;
	revocationUrl: string;
	introspectionUrl: string;
	/** Client credentials access token lifetime, seconds. */
	accessTokenTtl: number;
	/** client_secret_basic, secret `s3cr+t/with=odd%chars:ok`. */
	basicClient: ClientAccount;
	/** client_secret_post, a plain secret. */
	postClient: ClientAccount;
}

export interface OAuth2ServerHandle extends ServerHandle {
	accessTokenTtl: number;
	refreshTokenTtl: number;
	/** Basic or body; letters and digits only. */
	client: ClientAccount;
	/** Same grants, secret with `+ / = % :`, only accepted raw in Basic (no URL-decoding). */
	oddClient: ClientAccount;
	user: { username: string; password: string };
	/** Forgets every access token now (refresh tokens stay valid); resolves with how many. */
	revokeAccessTokens(): Promise<number>;
}

export interface JsonServerAuthHandle extends ServerHandle {
	/** POST {email, password} → {accessToken, user}. Same as tokenUrl. */
	loginUrl: string;
	/** GET, any logged-in user: the notes collection. */
	notesUrl: string;
	user: { email: string; password: string; id: number };
	/** json-server-auth's JWT lifetime (its constant JWT_EXPIRES_IN, '1h'). */
	accessTokenTtl: number;
	/** json-server-auth's constant HS256 secret: lets a test make an expired JWT it accepts as signed. */
	jwtSecret: string;
}

export interface AuthServers {
	oidc: OidcProviderHandle;
	oauth2: OAuth2ServerHandle;
	jsonServer: JsonServerAuthHandle;
	/** The counters of all three. */
	requests(): Promise<{ oidc: ServerStats; oauth2: ServerStats; jsonServer: ServerStats }>;
	/** Zeroes all three counters. */
	reset(): Promise<void>;
	/** Stops the three processes (SIGTERM, SIGKILL after 3 s). */
	close(): Promise<void>;
}

export interface AuthServerOptions {
	/** oidc-provider's client credentials token lifetime in seconds (default 600). */
	oidcAccessTokenTtl?: number;
	/** @node-oauth/oauth2-server's access token lifetime in seconds (default 3600). */
	oauth2AccessTokenTtl?: number;
	/** @node-oauth/oauth2-server's refresh token lifetime in seconds (default 1209600, 14 days). */
	oauth2RefreshTokenTtl?: number;
	/** How long each server may take to print its ready line (default 20000 ms). */
	startTimeoutMs?: number;
}

interface Child {
	process: ChildProcess;
	ready: Record<string, unknown>;
	stderr(): string;
	stop(): Promise<void>;
}

const ROOT = path.join(__dirname, '..', '..');

/** Starts the three servers; if one fails to start, stops the others and throws with its stderr. */
export async function startAuthServers(options: AuthServerOptions = {}): Promise<AuthServers> {
	const timeoutMs = options.startTimeoutMs ?? 20000;
	const started = await Promise.allSettled([
		startChild(
			'oidc-provider',
			'oidcProvider.mjs',
			['--cc-ttl', String(options.oidcAccessTokenTtl ?? 600)],
			timeoutMs,
		),
		startChild(
			'@node-oauth/oauth2-server',
			'oauth2Server.mjs',
			[
				'--access-ttl',
				String(options.oauth2AccessTokenTtl ?? 3600),
				'--refresh-ttl',
				String(options.oauth2RefreshTokenTtl ?? 1209600),
			],
			timeoutMs,
		),
		startChild('json-server-auth', 'jsonServerAuth.mjs', [], timeoutMs),
	]);
	const children = started.flatMap((result) =>
		result.status === 'fulfilled' ? [result.value] : [],
	);
	const failures = started.flatMap((result) =>
		result.status === 'rejected' ? [result.reason as unknown] : [],
	);
	if (failures.length > 0) {
		await Promise.all(children.map((child) => child.stop()));
		throw new Error(
			failures
				.map((error) => (error instanceof Error ? error.message : String(error)))
				.join('\n\n'),
		);
	}
	const [oidcChild, oauth2Child, jsonChild] = children;

	const oidc: OidcProviderHandle = {
		...commonHandle('oidc-provider', oidcChild, '/token', '/api/me'),
		issuer: String(oidcChild.ready.issuer),
		revocationUrl: `${baseUrlOf(oidcChild)}/token/revocation`,
		introspectionUrl: `${baseUrlOf(oidcChild)}/token/introspection`,
		accessTokenTtl: Number(oidcChild.ready.ccTtl),
		basicClient: clientAccount(oidcChild.ready.basicClient),
		postClient: clientAccount(oidcChild.ready.postClient),
	};
	const oauth2User = oauth2Child.ready.user as { username: string; password: string };
	const oauth2: OAuth2ServerHandle = {
		...commonHandle('@node-oauth/oauth2-server', oauth2Child, '/token', '/api/me'),
		accessTokenTtl: Number(oauth2Child.ready.accessTtl),
		refreshTokenTtl: Number(oauth2Child.ready.refreshTtl),
		client: clientAccount(oauth2Child.ready.client),
		oddClient: clientAccount(oauth2Child.ready.oddClient),
		user: { username: oauth2User.username, password: oauth2User.password },
		async revokeAccessTokens() {
			const answer = await adminCall<{ revoked: number }>(
				baseUrlOf(oauth2Child),
				'POST',
				'/__admin/revoke-access-tokens',
			);
			return answer.revoked;
		},
	};
	const jsonUser = jsonChild.ready.user as { email: string; password: string; id: number };
	const jsonServer: JsonServerAuthHandle = {
		...commonHandle('json-server-auth', jsonChild, '/login', `/600/users/${jsonUser.id}`),
		loginUrl: `${baseUrlOf(jsonChild)}/login`,
		notesUrl: `${baseUrlOf(jsonChild)}/660/notes`,
		user: { email: jsonUser.email, password: jsonUser.password, id: jsonUser.id },
		accessTokenTtl: 3600,
		jwtSecret: 'json-server-auth-123456',
	};

	return {
		oidc,
		oauth2,
		jsonServer,
		async requests() {
			const [a, b, c] = await Promise.all([oidc.stats(), oauth2.stats(), jsonServer.stats()]);
			return { oidc: a, oauth2: b, jsonServer: c };
		},
		async reset() {
			await Promise.all([oidc.reset(), oauth2.reset(), jsonServer.reset()]);
		},
		async close() {
			await Promise.all(children.map((child) => child.stop()));
		},
	};
}

function baseUrlOf(child: Child): string {
	return `http://127.0.0.1:${Number(child.ready.port)}`;
}

function clientAccount(value: unknown): ClientAccount {
	const { clientId, clientSecret } = value as ClientAccount;
	if (typeof clientId !== 'string' || typeof clientSecret !== 'string')
		throw new Error(`not a client account: ${JSON.stringify(value)}`);
	return { clientId, clientSecret };
}

function commonHandle(
	name: string,
	child: Child,
	tokenPath: string,
	resourcePath: string,
): ServerHandle {
	const baseUrl = baseUrlOf(child);
	return {
		name,
		port: Number(child.ready.port),
		pid: child.process.pid ?? -1,
		baseUrl,
		tokenUrl: `${baseUrl}${tokenPath}`,
		resourceUrl: `${baseUrl}${resourcePath}`,
		stats: () => adminCall<ServerStats>(baseUrl, 'GET', '/__admin/stats'),
		reset: async () => {
			await adminCall(baseUrl, 'POST', '/__admin/reset');
		},
		stderr: child.stderr,
	};
}

async function adminCall<T>(baseUrl: string, method: string, route: string): Promise<T> {
	const response = await fetch(`${baseUrl}${route}`, { method, signal: AbortSignal.timeout(5000) });
	const text = await response.text();
	if (!response.ok) throw new Error(`${method} ${baseUrl}${route}: ${response.status} ${text}`);
	return JSON.parse(text) as T;
}

function startChild(
	name: string,
	script: string,
	args: string[],
	timeoutMs: number,
): Promise<Child> {
	const child = spawn(
		process.execPath,
		[path.join(__dirname, script), '--exit-with-stdin', ...args],
		{
			cwd: ROOT,
			env: { ...process.env, NODE_ENV: 'development' },
			stdio: ['pipe', 'pipe', 'pipe'],
		},
	);
	let stderr = '';
	let stdout = '';
	child.stderr?.setEncoding('utf8');
	child.stderr?.on('data', (chunk: string) => (stderr += chunk));
	let exited = false;
	const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	child.once('exit', () => (exited = true));

	const stop = async () => {
		if (exited) return;
		child.stdin?.end();
		child.kill('SIGTERM');
		const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
		await exit;
		clearTimeout(timer);
	};

	return new Promise<Child>((resolve, reject) => {
		const failStart = (why: string) => {
			clearTimeout(timer);
			void stop().then(() =>
				reject(
					new Error(
						`${name} (${script}) did not start: ${why}\n--- stdout:\n${stdout}--- stderr:\n${stderr}`,
					),
				),
			);
		};
		const timer = setTimeout(() => failStart(`no ready line after ${timeoutMs} ms`), timeoutMs);
		const onError = (error: Error) => failStart(error.message);
		const onEarlyExit = (code: number | null, signal: NodeJS.Signals | null) =>
			failStart(`exited (${signal ?? code}) before it was ready`);
		child.once('error', onError);
		child.once('exit', onEarlyExit);
		child.stdout?.setEncoding('utf8');
		child.stdout?.on('data', function onData(chunk: string) {
			stdout += chunk;
			for (const line of stdout.split('\n').slice(0, -1)) {
				let parsed: unknown;
				try {
					parsed = JSON.parse(line);
				} catch {
					continue;
				}
				if (
					parsed &&
					typeof parsed === 'object' &&
					(parsed as { ready?: unknown }).ready === true
				) {
					clearTimeout(timer);
					child.off('error', onError);
					child.off('exit', onEarlyExit);
					child.stdout?.off('data', onData);
					child.stdout?.resume();
					resolve({
						process: child,
						ready: parsed as Record<string, unknown>,
						stderr: () => stderr,
						stop,
					});
					return;
				}
			}
		});
	});
}

if (require.main === module) {
	startAuthServers()
		.then((servers) => {
			const { oidc, oauth2, jsonServer } = servers;
			// JSON leaves the functions (stats, reset, …) out.
			console.log(JSON.stringify({ oidc, oauth2, jsonServer }, null, 2));
			const stop = () => void servers.close().then(() => process.exit(0));
			process.on('SIGINT', stop);
			process.on('SIGTERM', stop);
		})
		.catch((error: unknown) => {
			console.error(error instanceof Error ? error.message : error);
			process.exit(1);
		});
}
