/**
 * The sandbox's TLS key and self-signed certificate (127.0.0.1, ::1, localhost), made once per
 * process with the `openssl` CLI rather than committed: no private key in the repository for
 * secret scanners to flag, and no certificate that expires under a future test run. Node
 * cannot create certificates itself, and OpenSSL is everywhere the tests run (Linux, macOS,
 * Git for Windows). A P-256 key takes a few milliseconds.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TlsPair {
	key: string;
	cert: string;
}

let cached: TlsPair | undefined;

export function sandboxTlsPair(): TlsPair {
	if (cached) return cached;
	const dir = mkdtempSync(join(tmpdir(), 'vendor-sandbox-tls-'));
	try {
		const keyPath = join(dir, 'key.pem');
		const certPath = join(dir, 'cert.pem');
		// `req -x509` makes a self-signed CA:TRUE certificate, which is what a client's `ca`
		// option can trust directly. 30 days: far beyond any test process.
		execFileSync(
			'openssl',
			[
				'req',
				'-x509',
				'-newkey',
				'ec',
				'-pkeyopt',
				'ec_paramgen_curve:prime256v1',
				'-nodes',
				'-keyout',
				keyPath,
				'-out',
				certPath,
				'-days',
				'30',
				'-subj',
				'/CN=vendor-sandbox',
				'-addext',
				'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost',
			],
			{ stdio: ['ignore', 'ignore', 'pipe'] },
		);
		cached = { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8') };
		return cached;
	} catch (error) {
		throw new Error(
			`vendor sandbox: TLS needs the openssl CLI on PATH (${error instanceof Error ? error.message : String(error)})`,
		);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}
