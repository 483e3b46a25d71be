// json-server 0.17 with json-server-auth, on 127.0.0.1, with its database in a temporary folder.
//
//   node scripts/authServers/jsonServerAuth.mjs [--port 0]
//
// POST /login {email, password} → {accessToken, user} and the guarded routes (GET /600/users/1 =
// GET /users/1 for the owner, GET /660/notes = GET /notes for anyone logged in; Bearer JWT) are
// json-server-auth's own. Ours: the database file (an empty users collection and
// one note), the user, registered at start through json-server-auth's own POST /register (so the
// password is hashed its way), the request counters and the ADMIN routes (GET /__admin/stats,
// POST /__admin/reset). json-server-auth's JWTs last 1 h (its JWT_EXPIRES_IN constant, not
// configurable) and are signed with its constant secret 'json-server-auth-123456'.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import jsonServer from 'json-server';
import auth from 'json-server-auth';

import { adminRoute, createStats, fail, listen, ready } from './common.mjs';

export const USER = { email: 'alice@example.com', password: 'Wonderland-42' };

async function main() {
	const dir = mkdtempSync(join(tmpdir(), 'json-server-auth-'));
	process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
	const dbFile = join(dir, 'db.json');
	writeFileSync(
		dbFile,
		JSON.stringify(
			{ users: [], notes: [{ id: 1, userId: 1, text: 'only for logged-in users' }] },
			null,
			2,
		),
	);

	const app = jsonServer.create();
	const router = jsonServer.router(dbFile);
	// json-server-auth reads the database from app.db (json-server's CLI does this; its module API does not).
	app.db = router.db;
	app.use(jsonServer.defaults({ logger: false, static: dir }));
	// json-server-auth's own rewriter: /users… is /600/users… (owner only), /notes… is /660/notes…
	// (any logged-in user). Without it json-server serves /users, password hashes included, to anyone.
	app.use(auth.rewriter({ users: 600, notes: 660 }));
	app.use(auth);
	app.use(router);

	const stats = createStats(
		(req, path) => req.method === 'POST' && (path === '/login' || path === '/signin'),
	);
	const server = createServer((req, res) => {
		if (adminRoute(req, res, stats)) return;
		stats.track(req, res);
		app(req, res);
	});
	const port = await listen(server);

	const registered = await fetch(`http://127.0.0.1:${port}/register`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ ...USER, name: 'Alice' }),
	});
	const answer = await registered.json();
	if (registered.status !== 201)
		throw new Error(`registering ${USER.email}: ${registered.status} ${JSON.stringify(answer)}`);
	stats.reset();

	ready(server, { port, user: { ...USER, id: answer.user.id }, dbFile });
}

main().catch(fail);
