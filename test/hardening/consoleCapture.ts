/**
 * Captures all console output of a test file from the moment it is imported: every console
 * method and both output streams. Import it before anything from n8n: n8n's logger (winston)
 * binds console.log when it is created, and writes to console._stdout where jest has one, so a
 * spy installed later (in a beforeAll) would miss it.
 */
import { inspect } from 'node:util';

// Other test files silence n8n's logger (test/helpers/n8n.ts); here it speaks, into the capture,
// so that what it would print can be searched for secrets.
process.env.N8N_LOG_LEVEL = 'info';

export const consoleOutput: string[] = [];
const restorers: Array<() => void> = [];

const format = (args: unknown[]) =>
	args.map((arg) => (typeof arg === 'string' ? arg : inspect(arg, { depth: 12 }))).join(' ');

for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
	const original = console[method];
	console[method] = (...args: unknown[]) => {
		consoleOutput.push(format(args));
	};
	restorers.push(() => {
		console[method] = original;
	});
}

/** In jest workers the console's own streams (which winston writes to) are not the process's. */
const own = console as unknown as {
	_stdout?: NodeJS.WritableStream;
	_stderr?: NodeJS.WritableStream;
};
const streams = new Set<NodeJS.WritableStream>([process.stdout, process.stderr]);
if (own._stdout) streams.add(own._stdout);
if (own._stderr) streams.add(own._stderr);

for (const stream of streams) {
	const original = stream.write;
	stream.write = ((chunk: unknown, ...rest: unknown[]) => {
		consoleOutput.push(Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk));
		// Swallowed, except the process's stderr, which jest may use.
		return stream === process.stderr
			? (original as (...args: unknown[]) => boolean).call(stream, chunk, ...rest)
			: true;
	}) as typeof stream.write;
	restorers.push(() => {
		stream.write = original;
	});
}

export function restoreConsole(): void {
	for (const restore of restorers.reverse()) restore();
	restorers.length = 0;
}
