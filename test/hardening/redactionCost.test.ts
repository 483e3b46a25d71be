/**
 * What cutting secrets out of a vendor answer costs. A vendor answer is attacker-sized text (a
 * misbehaving or hostile API can send a megabyte of spaces), and quotable() runs on the event
 * loop of n8n: a search whose cost grows faster than the text, or that runs over all of it,
 * freezes every workflow. Only MAX_QUOTE_LENGTH characters are ever shown, so the searches must
 * see a window of the text bounded by that plus the longest encoded secret, whatever the size
 * of the answer.
 *
 * Nothing here measures time (no timing assertions in tests). Every regular expression and
 * substring search made during quotable() is recorded instead (RegExp.prototype.exec is what
 * replace, match, split and test call once it is wrapped), with the length of the text it was
 * handed; a search over more than the bound aborts the call at once, so that a quadratic
 * search never gets to run here.
 */
import { MAX_QUOTE_LENGTH, quotable, redactionFor } from '../../nodes/shared/redact';

/** 200 shown characters and the longest encoded form of the secrets below (well under 1 KiB). */
const SEARCH_BOUND = 4096;
const MIB = 1024 * 1024;

interface Searches {
	/** The longest text any one search was handed. */
	longest: number;
	/** Characters handed to searches, in all. */
	total: number;
	calls: number;
}

class SearchTooLong extends Error {}

/** Runs `run` with every regular expression and substring search recorded. */
function searched<T>(run: () => T): { result: T; searches: Searches } {
	const searches: Searches = { longest: 0, total: 0, calls: 0 };
	const record = (subject: unknown) => {
		const length = typeof subject === 'string' ? subject.length : String(subject).length;
		searches.calls++;
		searches.total += length;
		searches.longest = Math.max(searches.longest, length);
		if (length > SEARCH_BOUND)
			throw new SearchTooLong(
				`a search was handed ${length.toLocaleString('en-US')} characters (bound ${SEARCH_BOUND})`,
			);
	};
	const regExp = RegExp.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
	const string = String.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
	const wrapped: Array<
		[Record<string, (...args: unknown[]) => unknown>, string, (...args: unknown[]) => unknown]
	> = [];
	const wrap = (
		target: Record<string, (...args: unknown[]) => unknown>,
		name: string,
		subject: (self: unknown, args: unknown[]) => unknown,
	) => {
		const original = target[name];
		wrapped.push([target, name, original]);
		target[name] = function (this: unknown, ...args: unknown[]) {
			record(subject(this, args));
			return original.apply(this, args);
		};
	};
	wrap(regExp, 'exec', (_self, args) => args[0]);
	for (const name of [
		'indexOf',
		'lastIndexOf',
		'includes',
		'startsWith',
		'endsWith',
		'search',
		'match',
		'matchAll',
		'replace',
		'replaceAll',
		'split',
	]) {
		wrap(string, name, (self) => self);
	}
	try {
		return { result: run(), searches };
	} finally {
		for (const [target, name, original] of wrapped.reverse()) target[name] = original;
	}
}

/** Secret shapes: leading and trailing whitespace, mostly spaces, long, short, unicode, regex metacharacters. */
const SECRETS: Record<string, string> = {
	leadingSpaces: '   Summer 2024!',
	trailingSpaces: 'Summer 2024!   ',
	bothEnds: '\t  pass word \n ',
	mostlySpaces: '     a  b    c   d      ',
	long: 'L0ng-Secret-'.repeat(12),
	short: 'Ab1!',
	unicode: 'Grüße ✓ 密码 🔑',
	metacharacters: '.*+?^${}()|[]\\/ (a+)+$',
};

/** Answers built to hurt a backtracking or unbounded cut, with the secret where it shows. */
function hostileAnswers(secret: string, size: number): Record<string, string> {
	const spaces = ' '.repeat(size);
	return {
		spaces: `${secret}${spaces}`,
		spacesFirst: `${spaces}${secret} refused`,
		newlines: `${secret}${'\r\n'.repeat(size / 2)}`,
		secretPrefixes: `${secret} ${`${secret.slice(0, Math.max(1, secret.length - 1))} `.repeat(Math.ceil(size / secret.length))}`,
		letters: `${secret} ${'a'.repeat(size)}`,
		percent: `${secret} ${'%2'.repeat(size / 2)}`,
		base64: `${secret} ${'QUFB'.repeat(size / 4)}`,
	};
}

describe('quotable(): the cost of cutting is bounded by what is shown, not by the answer', () => {
	describe.each(Object.entries(SECRETS))('a secret with %s', (_shape, secret) => {
		const redaction = redactionFor([secret, 'another-Secret-9'], [['someone@example.com', secret]]);

		it.each(Object.keys(hostileAnswers(secret, 8)))(
			`a 1 MiB %s answer: no search sees more than ${SEARCH_BOUND} characters of it`,
			(kind) => {
				const answer = hostileAnswers(secret, MIB)[kind];
				const big = searched(() => quotable(answer, redaction));
				expect(big.searches.longest).toBeLessThanOrEqual(SEARCH_BOUND);
				expect(big.result.length).toBeLessThanOrEqual(MAX_QUOTE_LENGTH);
				// The secret, first in every answer, is cut where it stands, however much follows.
				expect(big.result.startsWith('***')).toBe(true);
				expect(big.result.replace(/\s+/g, '')).not.toContain(secret.replace(/\s+/g, ''));
				// The same searches for 64 KiB and 1 MiB: the work does not grow with the answer.
				const small = searched(() => quotable(hostileAnswers(secret, 64 * 1024)[kind], redaction));
				expect(big.searches).toEqual(small.searches);
				expect(big.result).toBe(small.result);
			},
		);
	});

	it('quotes the text after a megabyte of whitespace, with the secret cut', () => {
		const secret = SECRETS.leadingSpaces;
		const answer = `${' \n\t'.repeat(MIB / 3)}Rejected:${secret}, try again${' '.repeat(MIB)}`;
		const { result, searches } = searched(() => quotable(answer, redactionFor([secret])));
		expect(result).toBe('Rejected: ***, try again');
		expect(searches.longest).toBeLessThanOrEqual(SEARCH_BOUND);
	});

	it('keeps no part of a secret that straddles the end of the searched window', () => {
		// Cuts shorten the text, so the characters after the window could move into the quote:
		// a secret whose echo begins inside the window and ends after it must not show at all.
		for (const secret of [SECRETS.long, SECRETS.unicode, SECRETS.short, 'Summer2024!']) {
			const redaction = redactionFor([secret]);
			for (let repeats = 0; repeats < 80; repeats++) {
				for (let pad = 0; pad < 8; pad++) {
					const answer = `${`${secret} `.repeat(repeats)}${'x'.repeat(pad)}${secret}${'y'.repeat(MIB / 64)}`;
					const quoted = quotable(answer, redaction);
					expect({
						repeats,
						pad,
						quoted: quoted.replace(/\s+/g, '').includes(secret.replace(/\s+/g, '').slice(0, 4)),
					}).toEqual({ repeats, pad, quoted: false });
				}
			}
		}
	});
});
