/**
 * Answers that never end. A token endpoint that floods (an endless 200 body) or trickles (one
 * byte at a time, for ever) must end the call with a clear error naming the vendor and the
 * step, and must not cost the n8n process more than a bounded amount of memory: reading stops
 * at the 1 MiB cap, and the whole request has a deadline, not only an idle timeout.
 *
 * The calls run in a child process of its own (bounds/child.ts), whose peak memory above its
 * level before the first call must stay under 64 MB, with every vendor's calls in flight side
 * by side. The flood goes through the real token path (obtainToken, with its 20 s deadline: a
 * flood is over long before); the trickle through the same request helper with a 2 s deadline,
 * so the test does not wait out 20 s.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';

import { providers, vendorIds, type VendorId } from '../../nodes/shared/providers';
import { fixtures } from '../../scripts/sandbox/fixtures';
import { withSandbox } from '../helpers/sandbox';

const ROOT = join(__dirname, '..', '..');
const BOUND_BYTES = 64 * 1024 * 1024;

type Result = { message: string; growthBytes: number };

async function runChild(args: string[]): Promise<Record<VendorId, Result[]>> {
	return await new Promise((resolve, reject) => {
		execFile(
			process.execPath,
			['--import', 'tsx', join(__dirname, 'bounds', 'child.ts'), ...args],
			{ cwd: ROOT, timeout: 60_000 },
			(error, stdout, stderr) => {
				if (error) return reject(new Error(`child failed: ${error.message}\n${stderr}`));
				resolve(
					JSON.parse(stdout.trim().split('\n').at(-1) as string) as Record<VendorId, Result[]>,
				);
			},
		);
	});
}

/**
 * One child for every vendor: for each, a flood through the token path, then a trickle through
 * the request helper with a 2 s deadline (each vendor's server answers the first token call
 * with the flood, the second with the trickle). Loading n8n's HTTP client is most of a child's
 * time, so all the calls share one; the memory after the last bounds them all, together.
 */
let run: Promise<Record<VendorId, Result[]>> | undefined;
function floodThenTrickle(vendor: VendorId): Promise<Result[]> {
	run ??= withSandbox(async (sandbox) => {
		const servers = vendorIds.map((each) => sandbox.vendors[each]);
		for (const server of servers) {
			server.injectFault({ kind: 'flood' }, 1);
			server.injectFault({ kind: 'trickle', intervalMs: 50 }, 1);
		}
		const fx = fixtures(sandbox);
		const credentials = Object.fromEntries(vendorIds.map((each) => [each, fx[each].good]));
		const results = await runChild([JSON.stringify(credentials), 'token', 'request:2000']);
		// The connections were dropped: the sandbox is not left streaming.
		for (const server of servers) await server.waitForStreamsClosed();
		return results;
	});
	return run.then((results) => results[vendor]);
}

// The child loads tsx and n8n's HTTP client before its first call: on a loaded 2-core machine
// that alone can pass jest's 30 s (the child's own limit is 60 s).
const CHILD_TIMEOUT_MS = 90_000;

describe.each(vendorIds)('%s', (vendor) => {
	const name = providers[vendor].displayName;

	it.concurrent(
		'a flooding answer ends with the too-large error, and memory stays bounded',
		async () => {
			const [flood] = await floodThenTrickle(vendor);
			expect(flood.message).toMatch(
				new RegExp(`^${name} token answer: the answer is far too large to be a token`),
			);
			expect(flood.growthBytes).toBeLessThan(BOUND_BYTES);
		},
		CHILD_TIMEOUT_MS,
	);

	it.concurrent(
		'a trickling answer ends at the deadline with a clear error, and memory stays bounded',
		async () => {
			const [, trickle] = await floodThenTrickle(vendor);
			expect(trickle.message).toMatch(
				new RegExp(`^${name} token request: no complete answer within 2 seconds\\.$`),
			);
			expect(trickle.growthBytes).toBeLessThan(BOUND_BYTES);
		},
		CHILD_TIMEOUT_MS,
	);
});
