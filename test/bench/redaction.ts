/**
 * (g) What cutting secrets out of a 1 MiB hostile vendor answer costs: quotable() (and so every
 * vendor quote of an error, notify payload or resume page) runs on n8n's event loop. The worst
 * case over secret shapes and answer shapes, in milliseconds per call; the goal is under 50 ms.
 *
 * Standalone, without n8n: `npx tsx test/bench/redaction.ts`. `npm run bench` prints its line too.
 * Not a test: nothing here asserts a time.
 */
import { performance } from 'perf_hooks';

import { quotable, redactionFor } from '../../nodes/shared/redact';

const MIB = 1024 * 1024;
const ROUNDS = 7;
export const REDACTION_GOAL_MS = 50;

/** Leading/trailing whitespace, almost all spaces, long, short, unicode, regex metacharacters. */
const SECRETS: Record<string, string> = {
	'leading spaces': '   Summer 2024!',
	'trailing spaces': 'Summer 2024!   ',
	'spaces both ends': '\t  pass word \n ',
	'mostly spaces': '     a  b    c   d      ',
	long: 'L0ng-Secret-'.repeat(40),
	short: 'Ab1!',
	unicode: 'Grüße ✓ 密码 🔑',
	'regex metacharacters': '.*+?^${}()|[]\\/ (a+)+$',
};

function answers(secret: string): Record<string, string> {
	const spaces = ' '.repeat(MIB);
	const prefix = secret.slice(0, Math.max(1, secret.length - 1));
	return {
		'spaces after the secret': `${secret}${spaces}`,
		'spaces before the secret': `${spaces}${secret} refused`,
		'CRLF runs': `${secret}${'\r\n'.repeat(MIB / 2)}`,
		'mixed whitespace': `x ${' \t\n\u00a0\u3000'.repeat(MIB / 5)} ${secret}`,
		'almost the secret, repeated': `${`${prefix} `.repeat(Math.ceil(MIB / (prefix.length + 1)))}${secret}`,
		'the secret, repeated': `${secret} `.repeat(Math.ceil(MIB / (secret.length + 1))),
		letters: `${'a'.repeat(MIB)}${secret}`,
		'percent runs': `${'%2'.repeat(MIB / 2)}${secret}`,
		'base64 run': `${'QUFB'.repeat(MIB / 4)}${secret}`,
		'zero-width characters': `${'\u200b'.repeat(MIB)}${secret}`,
	};
}

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)];
}

export interface RedactionBench {
	worstMs: number;
	worstCase: string;
	cases: number;
	line: string;
}

export function benchRedaction(): RedactionBench {
	let worst = { ms: 0, what: '' };
	let cases = 0;
	for (const [shape, secret] of Object.entries(SECRETS)) {
		const redaction = redactionFor([secret, 'another-Secret-9'], [['someone@example.com', secret]]);
		for (const [kind, answer] of Object.entries(answers(secret))) {
			cases++;
			quotable(answer, redaction);
			const times: number[] = [];
			for (let round = 0; round < ROUNDS; round++) {
				const started = performance.now();
				quotable(answer, redaction);
				times.push(performance.now() - started);
			}
			const ms = median(times);
			if (ms > worst.ms) worst = { ms, what: `${shape} secret, ${kind}` };
		}
	}
	const figure = worst.ms < 10 ? worst.ms.toFixed(2) : worst.ms.toFixed(0);
	return {
		worstMs: worst.ms,
		worstCase: worst.what,
		cases,
		line:
			`(g) quotable() on a 1 MiB hostile vendor answer, worst of ${cases} cases (${Object.keys(SECRETS).length} secret shapes × ${cases / Object.keys(SECRETS).length} answers): ` +
			`${figure} ms per call (median of ${ROUNDS}; goal < ${REDACTION_GOAL_MS} ms; worst: ${worst.what})`,
	};
}

if (require.main === module) console.log(benchRedaction().line);
