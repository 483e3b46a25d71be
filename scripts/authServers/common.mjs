// Shared by the three auth server launchers (oidcProvider.mjs, oauth2Server.mjs, jsonServerAuth.mjs):
// argument parsing, the request counters behind GET /__admin/stats and POST /__admin/reset, and the
// one JSON line on stdout that tells scripts/authServers/index.ts the server is ready.
// None of this is protocol logic: each server's answers are its library's own.

/** `--name value` or `--name=value` from process.argv, else `fallback`. */
export function flag(name, fallback) {
	const args = process.argv.slice(2);
	for (let i = 0; i < args.length; i++) {
		if (args[i] === `--${name}` && i + 1 < args.length) return args[i + 1];
		if (args[i].startsWith(`--${name}=`)) return args[i].slice(name.length + 3);
	}
	return fallback;
}

/** A positive integer flag. */
export function intFlag(name, fallback) {
	const value = Number(flag(name, String(fallback)));
	if (!Number.isInteger(value) || value <= 0)
		throw new Error(`--${name} must be a positive integer`);
	return value;
}

/**
 * Counts requests by "METHOD /path" and status, and separately the token endpoint's calls and
 * non-2xx answers. `isTokenCall(req)` says which requests are token calls.
 */
export function createStats(isTokenCall) {
	let stats = fresh();
	function fresh() {
		return { requests: 0, tokenCalls: 0, failedTokenCalls: 0, byRoute: {}, byStatus: {} };
	}
	return {
		/** Call at the start of every request that is not an admin route. */
		track(req, res) {
			const path = (req.url ?? '/').split('?')[0];
			const route = `${req.method} ${path}`;
			const token = isTokenCall(req, path);
			res.on('finish', () => {
				stats.requests++;
				stats.byRoute[route] = (stats.byRoute[route] ?? 0) + 1;
				stats.byStatus[res.statusCode] = (stats.byStatus[res.statusCode] ?? 0) + 1;
				if (token) {
					stats.tokenCalls++;
					if (res.statusCode < 200 || res.statusCode > 299) stats.failedTokenCalls++;
				}
			});
		},
		snapshot: () => structuredClone(stats),
		reset: () => {
			stats = fresh();
		},
	};
}

export function sendJson(res, status, body, headers = {}) {
	const text = JSON.stringify(body);
	res.writeHead(status, {
		'content-type': 'application/json; charset=utf-8',
		'cache-control': 'no-store',
		...headers,
	});
	res.end(text);
}

/**
 * ADMIN ROUTES (ours, not the library's): GET /__admin/stats, POST /__admin/reset, plus `extra`
 * ({ 'POST /__admin/x': (req, res) => … }). Returns true when it answered the request.
 */
export function adminRoute(req, res, stats, extra = {}) {
	const path = (req.url ?? '/').split('?')[0];
	if (!path.startsWith('/__admin/')) return false;
	const key = `${req.method} ${path}`;
	if (key === 'GET /__admin/stats') sendJson(res, 200, stats.snapshot());
	else if (key === 'POST /__admin/reset') {
		stats.reset();
		sendJson(res, 200, { reset: true });
	} else if (extra[key]) {
		Promise.resolve(extra[key](req, res)).catch((error) =>
			sendJson(res, 500, { error: String(error) }),
		);
	} else sendJson(res, 404, { error: 'unknown admin route' });
	return true;
}

export function readBody(req) {
	return new Promise((resolve, reject) => {
		const chunks = [];
		req.on('data', (chunk) => chunks.push(chunk));
		req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		req.on('error', reject);
	});
}

/** Listens on 127.0.0.1 (only), port from --port (default 0 = ephemeral); resolves with the real port. */
export function listen(server) {
	const port = intFlagOrZero('port');
	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, '127.0.0.1', () => resolve(server.address().port));
	});
}

function intFlagOrZero(name) {
	const value = Number(flag(name, '0'));
	if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a port number`);
	return value;
}

/**
 * The server is ready: from now on it ends with its parent (exitWithParent), and the one line
 * index.ts waits for goes out.
 */
export function ready(server, details) {
	exitWithParent(server);
	process.stdout.write(`${JSON.stringify({ ready: true, ...details })}\n`);
}

/**
 * Ends on SIGTERM/SIGINT and, with --exit-with-stdin (index.ts passes it), when stdin (a pipe
 * from the parent) closes: a parent that dies without close() does not leave the server behind.
 */
function exitWithParent(server) {
	const stop = () => {
		server.close();
		process.exit(0);
	};
	process.on('SIGTERM', stop);
	process.on('SIGINT', stop);
	if (process.argv.includes('--exit-with-stdin')) {
		process.stdin.on('end', stop);
		process.stdin.on('close', stop);
		process.stdin.resume();
	}
}

export function fail(error) {
	process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
	process.exit(1);
}
