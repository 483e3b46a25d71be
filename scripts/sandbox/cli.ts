/**
 * Start the vendor sandbox by hand:
 *
 *   npx tsx scripts/sandbox/cli.ts [--lifetime N] [--host H] [--port-base P] [--tls]
 *
 * --lifetime N   token lifetime in seconds for every vendor (default: each vendor's own)
 * --host H       listen address (default 127.0.0.1)
 * --port-base P  fixed ports P..P+5 (sodaCloud, galileo, sirdata, autosharesTrader, manis, customEndpoint); default free ports
 * --tls          serve the vendors over https; the certificate is written to a temp file
 *                (for `curl --cacert` or NODE_EXTRA_CA_CERTS)
 *
 * Prints each vendor's base URL and the sandbox accounts, then stays up until SIGINT/SIGTERM.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { vendorIds } from '../../nodes/shared/providers';
import { SANDBOX_ACCOUNTS, startSandbox } from './index';
import type { VendorId } from './index';

interface Args {
	lifetime?: number;
	host?: string;
	portBase?: number;
	tls?: boolean;
}

function parseArgs(argv: string[]): Args {
	const result: Args = {};
	for (let i = 0; i < argv.length; i++) {
		const [flag, inline] = argv[i].split('=', 2);
		const value = () => inline ?? argv[++i];
		const number = (name: string) => {
			const raw = value();
			const parsed = Number(raw);
			if (raw === undefined || !Number.isInteger(parsed) || parsed < 0) {
				throw new Error(`${name} needs a non-negative integer, got ${String(raw)}`);
			}
			return parsed;
		};
		switch (flag) {
			case '--lifetime':
				result.lifetime = number('--lifetime');
				break;
			case '--host':
				result.host = value();
				break;
			case '--port-base':
				result.portBase = number('--port-base');
				break;
			case '--tls':
				result.tls = true;
				break;
			case '--help':
			case '-h':
				process.stdout.write(
					'usage: tsx scripts/sandbox/cli.ts [--lifetime N] [--host H] [--port-base P] [--tls]\n',
				);
				process.exit(0);
				break;
			default:
				throw new Error(`unknown argument ${argv[i]}`);
		}
	}
	return result;
}

async function main(): Promise<void> {
	const args = parseArgs(process.argv.slice(2));
	const perVendor = <T>(make: (id: VendorId, index: number) => T) =>
		Object.fromEntries(vendorIds.map((id, index) => [id, make(id, index)])) as Record<VendorId, T>;

	const sandbox = await startSandbox({
		host: args.host,
		tokenLifetimeSeconds:
			args.lifetime === undefined ? undefined : perVendor(() => args.lifetime as number),
		ports:
			args.portBase === undefined ? undefined : perVendor((_, i) => (args.portBase as number) + i),
		tls: args.tls,
	});

	const lines = ['Vendor sandbox is up.', ''];
	for (const id of vendorIds) {
		const server = sandbox.vendors[id];
		lines.push(
			`${id.padEnd(17)} base URL ${server.baseUrl}   (lifetime ${server.lifetimeSeconds} s, stats ${server.origin}/__sandbox/stats, echo ${server.origin}/__sandbox/echo)`,
		);
	}
	const catcher = sandbox.catcher;
	lines.push(
		`${'catcher'.padEnd(17)} ${catcher.origin}${catcher.secureOrigin ? ` and ${catcher.secureOrigin}` : ''}   (where redirect faults point)`,
	);
	if (sandbox.certificate) {
		const certificatePath = join(tmpdir(), `vendor-sandbox-${process.pid}.pem`);
		writeFileSync(certificatePath, sandbox.certificate);
		lines.push(`certificate ${certificatePath}`);
	}
	lines.push('', 'Accounts:', JSON.stringify(SANDBOX_ACCOUNTS, null, 2), '', 'Ctrl-C to stop.', '');
	process.stdout.write(lines.join('\n'));

	let stopping = false;
	const stop = (signal: string) => {
		if (stopping) return;
		stopping = true;
		process.stdout.write(`\n${signal}: closing the sandbox\n`);
		sandbox.close().then(
			() => process.exit(0),
			() => process.exit(1),
		);
	};
	process.on('SIGINT', () => stop('SIGINT'));
	process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
	process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
	process.exit(1);
});
