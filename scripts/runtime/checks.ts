/**
 * The PASS/FAIL lines of the real-n8n suite (test/e2e/run.ts) and of the install check
 * (scripts/installCheck.ts): one line per check, a failure's message indented under it, and
 * the counts for their closing line `N passed, N failed`.
 */

/** `check` as the suites' parts take it (test/e2e: realServers.ts, queueSuite.ts …). */
export type Check = (name: string, run: () => Promise<void>) => Promise<unknown>;

/** How many checks passed and failed. */
export interface Counts {
	passed: number;
	failed: number;
}

/**
 * A `check` that counts into `counts` and prints its PASS or FAIL line through `print`, a
 * failure's message indented by `indent`. The check's own result text (if any) is added to its
 * PASS line.
 */
export function checker(
	counts: Counts,
	print: (line: string) => void,
	indent = '     ',
): (name: string, run: () => Promise<string | void>) => Promise<boolean> {
	return async (name, run) => {
		try {
			const detail = await run();
			counts.passed++;
			print(`PASS ${name}${detail ? `: ${detail}` : ''}`);
			return true;
		} catch (error) {
			counts.failed++;
			print(`FAIL ${name}\n${indent}${(error as Error).message.split('\n').join(`\n${indent}`)}`);
			return false;
		}
	};
}

export const tally: Counts = { passed: 0, failed: 0 };

export function log(line: string): void {
	console.log(`  ${line}`);
}

export function assert(condition: unknown, message: string): asserts condition {
	if (!condition) throw new Error(message);
}

/** Runs a check, counted in `tally`, its line on standard output. */
export const check = checker(tally, (line) => console.log(line));

/** A part of a suite that could not run at all: one failure, with its stack. */
export function couldNotRun(what: string, error: unknown): void {
	tally.failed++;
	console.log(`FAIL ${what} could not run\n     ${(error as Error).stack ?? String(error)}`);
}

/** The closing line `N passed, N failed`; the exit code for it (1 when any failed). */
export function closingLine(): number {
	console.log(`\n${tally.passed} passed, ${tally.failed} failed`);
	return tally.failed === 0 ? 0 : 1;
}

/** `--n8n 2.40.7,1.123.81` on the command line, else `fromEnv` (comma-separated), else `defaults`. */
export function versionsToRun(defaults: string[], fromEnv?: string): string[] {
	const flag = process.argv.indexOf('--n8n');
	if (flag !== -1 && process.argv[flag + 1]) return process.argv[flag + 1].split(',');
	if (fromEnv) return fromEnv.split(',');
	return defaults;
}
