/**
 * The PASS/FAIL lines of the real-n8n suite (test/e2e/run.ts) and of the install check
 * (scripts/installCheck.ts): one line per check, a failure's message indented under it, and
 * the counts for their closing line `N passed, N failed`.
 */

/** `check` as the suites' parts take it (test/e2e: realServers.ts, queueSuite.ts …). */
export type Check = (name: string, run: () => Promise<void>) => Promise<unknown>;

export const tally = { passed: 0, failed: 0 };

export function log(line: string): void {
	console.log(`  ${line}`);
}

export function assert(condition: unknown, message: string): asserts condition {
	if (!condition) throw new Error(message);
}

/** Runs a check; the check's own result text (if any) is added to its PASS line. */
export async function check(name: string, run: () => Promise<string | void>): Promise<boolean> {
	try {
		const detail = await run();
		tally.passed++;
		console.log(`PASS ${name}${detail ? `: ${detail}` : ''}`);
		return true;
	} catch (error) {
		tally.failed++;
		console.log(`FAIL ${name}\n     ${(error as Error).message.split('\n').join('\n     ')}`);
		return false;
	}
}

/** `--n8n 2.40.7,1.123.81` on the command line, else `fromEnv` (comma-separated), else `defaults`. */
export function versionsToRun(defaults: string[], fromEnv?: string): string[] {
	const flag = process.argv.indexOf('--n8n');
	if (flag !== -1 && process.argv[flag + 1]) return process.argv[flag + 1].split(',');
	if (fromEnv) return fromEnv.split(',');
	return defaults;
}
