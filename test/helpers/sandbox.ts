/**
 * The vendor sandbox as a test file uses it: one for the whole file (`useSandbox`), or a fresh
 * one for a single test (`withSandbox`), always closed afterwards.
 */
import type { VendorId } from '../../nodes/shared/providers';
import { tokenStore } from '../../nodes/shared/tokenStore';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../scripts/sandbox';
import { fixtures, type VendorFixture } from '../../scripts/sandbox/fixtures';

interface UseSandboxOptions {
	/** Passed to startSandbox. */
	start?: SandboxOptions;
	/** Reset every server (faults, counters, tokens) before each test. Default true. */
	resetServers?: boolean;
	/** After the resets: the file's own settings for each test. */
	beforeEach?: (sandbox: Sandbox) => void;
}

/**
 * Starts one sandbox before the file's tests and closes it after them; before each test the
 * token store is cleared and (unless `resetServers: false`) every server reset. `started` gets
 * the sandbox and its fixtures once it is up:
 *
 *   let sandbox: Sandbox;
 *   useSandbox((started) => (sandbox = started));
 */
export function useSandbox(
	started: (sandbox: Sandbox, fx: Record<VendorId, VendorFixture>) => void,
	options: UseSandboxOptions = {},
): void {
	let sandbox: Sandbox | undefined;
	beforeAll(async () => {
		sandbox = await startSandbox(options.start);
		started(sandbox, fixtures(sandbox));
	});
	afterAll(async () => await sandbox?.close());
	beforeEach(() => {
		tokenStore.clear();
		if (options.resetServers !== false)
			for (const server of Object.values(sandbox!.vendors)) server.reset();
		options.beforeEach?.(sandbox!);
	});
}

/** A fresh sandbox for one run (concurrent tests never share counters, faults or ports), closed after it. */
export async function withSandbox<T>(
	use: (sandbox: Sandbox) => Promise<T>,
	options?: SandboxOptions,
): Promise<T> {
	const sandbox = await startSandbox(options);
	try {
		return await use(sandbox);
	} finally {
		await sandbox.close();
	}
}
