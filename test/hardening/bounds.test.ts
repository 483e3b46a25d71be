/**
 * Answers that never end. A token endpoint that floods (an endless 200 body) or trickles (one
 * byte at a time, for ever) must end the call with a clear error naming the vendor and the
 * step, and must not cost the n8n process more than a bounded amount of memory: reading stops
 * at the 1 MiB cap, and the whole request has a deadline, not only an idle timeout.
 *
 * Each call runs in a child process of its own (bounds/child.ts), whose peak memory above its
 * level before the call must stay under 64 MB. The flood goes through the real token path
 * (obtainToken, with its 20 s deadline: a flood is over long before); the trickle through the
 * same request helper with a 2 s deadline, so the test does not wait out 20 s. The tests run
 * side by side (it.concurrent, each with its own sandbox): most of their time is a child's start.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';

import { providers } from '../../nodes/shared/providers';
import { fixtures, VENDORS } from '../../scripts/sandbox/fixtures';
import { withSandbox } from '../helpers/sandbox';

const ROOT = join(__dirname, '..', '..');
const BOUND_BYTES = 64 * 1024 * 1024;

async function runChild(args: string[]): Promise<{ message: string; growthBytes: number }> {
	const tsx = join(ROOT, 'node_modules', '.bin', 'tsx');
	return await new Promise((resolve, reject) => {
		execFile(tsx, [join(__dirname, 'bounds', 'child.ts'), ...args], { cwd: ROOT, timeout: 60_000 }, (error, stdout, stderr) => {
			if (error) return reject(new Error(`child failed: ${error.message}\n${stderr}`));
			resolve(JSON.parse(stdout.trim().split('\n').at(-1) as string) as { message: string; growthBytes: number });
		});
	});
}

describe.each(VENDORS)('%s', (vendor) => {
	const name = providers[vendor].displayName;

	it.concurrent('a flooding answer ends with the too-large error, and memory stays bounded', async () => {
		await withSandbox(async (sandbox) => {
			const server = sandbox.vendors[vendor];
			server.injectFault({ kind: 'flood' }, 1);
			const result = await runChild([vendor, JSON.stringify(fixtures(sandbox)[vendor].good)]);
			expect(result.message).toMatch(new RegExp(`^${name} token answer: the answer is far too large to be a token`));
			expect(result.growthBytes).toBeLessThan(BOUND_BYTES);
			await server.waitForStreamsClosed();
		});
	});

	it.concurrent('a trickling answer ends at the deadline with a clear error, and memory stays bounded', async () => {
		await withSandbox(async (sandbox) => {
			const server = sandbox.vendors[vendor];
			server.injectFault({ kind: 'trickle', intervalMs: 50 }, 1);
			const result = await runChild([vendor, JSON.stringify(fixtures(sandbox)[vendor].good), '2000']);
			expect(result.message).toMatch(new RegExp(`^${name} token request: no complete answer within 2 seconds\\.$`));
			expect(result.growthBytes).toBeLessThan(BOUND_BYTES);
			// The connection was dropped: the sandbox is not left streaming.
			await server.waitForStreamsClosed();
		});
	});
});
