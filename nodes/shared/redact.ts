/**
 * Cuts a credential's secrets out of text a vendor sent back, before any of it is quoted in an
 * error, a notify payload or a page. Vendors echo input in ways a literal search misses: with
 * the case changed, URL-, form- or query-encoded (with either case of percent hex), JSON- or
 * HTML-escaped, base64-encoded (an echoed `Authorization: Basic …` is base64 of
 * `user:password`), with whitespace collapsed, re-wrapped or inserted anywhere, or one secret
 * inside another. Every form of every secret is cut at once from the text as received.
 *
 * How, and what it costs. A vendor answer can be of any size and its text is attacker-chosen,
 * so no regular expression is built from a secret and nothing searches the whole answer:
 *   1. one pass over the answer, character by character, keeps its shown characters (dropping
 *      whitespace, control and format characters, and remembering where whitespace stood) and
 *      stops once it holds MAX_QUOTE_LENGTH characters plus the longest encoded form of a
 *      secret: only that window can reach the quote;
 *   2. the window is case-folded, and each form of each secret, with its own whitespace dropped
 *      the same way, is looked for in it with indexOf: a secret echoed with a line break or
 *      spaces inside is one match;
 *   3. the quote is written from the window: `***` for every character of a match, one space
 *      for every whitespace run outside one, then shortened. A match that could run past the
 *      end of the window starts after the last character quoted, so nothing of it shows.
 * Linear in the part of the answer read (all of it only when it is whitespace to the end), and
 * bounded by the quote for the searches.
 */

/**
 * Below this length a secret cannot be cut without mangling the text: nothing is quoted then.
 * Whitespace, control and format characters do not count: they are ignored when cutting.
 */
export const MIN_QUOTABLE_SECRET_LENGTH = 4;
/**
 * A base64 run shorter than this is not cut: it could be any word. A secret's own runs are
 * longer (a 4-character secret has runs of 4 or more at every alignment).
 */
const MIN_BASE64_CORE = 4;
/** Quotes are shortened to this many characters after the cut. */
export const MAX_QUOTE_LENGTH = 200;

const CUT = '***';
const ELLIPSIS = '...';

// ------------------------------------------------------------------------------------------
// Characters: which are ignored when cutting, and how case is folded.

/** Shown as is. */
const SHOWN = 0;
/** A control or format character (a zero-width space, a bidi mark): dropped. */
const DROPPED = 1;
/** Whitespace: a run of it is quoted as one space. */
const SPACE = 2;

const IS_SPACE = /^\s$/u;
const IS_DROPPED = /^[\p{Cc}\p{Cf}]$/u;

function classify(char: string): number {
	return IS_SPACE.test(char) ? SPACE : IS_DROPPED.test(char) ? DROPPED : SHOWN;
}

let bmpClasses: Uint8Array | undefined;
const astralClasses = new Map<number, number>();

/** The class of every UTF-16 code unit outside the surrogates, built once. */
function classes(): Uint8Array {
	if (bmpClasses === undefined) {
		bmpClasses = new Uint8Array(0x10000);
		for (let code = 0; code < 0x10000; code++) {
			if (code < 0xd800 || code > 0xdfff) bmpClasses[code] = classify(String.fromCharCode(code));
		}
	}
	return bmpClasses;
}

function astralClass(codePoint: number): number {
	let known = astralClasses.get(codePoint);
	if (known === undefined) {
		known = classify(String.fromCodePoint(codePoint));
		astralClasses.set(codePoint, known);
	}
	return known;
}

/**
 * Case folded one character at a time, keeping every character's length, so that positions in
 * the folded text are positions in the text, and a character folds the same wherever it stands
 * (`toLowerCase` of a whole string writes a final sigma depending on what follows).
 */
function foldCase(text: string): string {
	let out = '';
	for (let i = 0; i < text.length; i++) {
		const code = text.charCodeAt(i);
		if (code < 0x80) {
			out += code >= 65 && code <= 90 ? String.fromCharCode(code + 32) : text[i];
			continue;
		}
		const pair =
			code >= 0xd800 &&
			code <= 0xdbff &&
			i + 1 < text.length &&
			(text.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
		const char = pair ? text.slice(i, i + 2) : text[i];
		if (pair) i++;
		const upper = char.toUpperCase();
		const lower = (upper.length === char.length ? upper : char).toLowerCase();
		out += lower.length === char.length ? lower : char;
	}
	return out;
}

/** The shown characters of a (short) text, case-folded: what a form of a secret is searched as. */
function shownPart(text: string): string {
	const table = classes();
	for (let i = 0; i < text.length; i++) {
		const code = text.charCodeAt(i);
		if (code >= 0xd800 || table[code] !== SHOWN) return foldCase(window(text, Infinity).shown);
	}
	return foldCase(text);
}

// ------------------------------------------------------------------------------------------
// The window: the shown characters of the answer, up to a bound.

interface Window {
	/** The shown characters, in order. */
	shown: string;
	/** For each of them, whether whitespace stood before it (since the previous shown one). */
	spaceBefore: Uint8Array;
	/** Where each of them stands in the text. */
	at: Uint32Array;
	/** Where the character after each of them stands in the text. */
	end: Uint32Array;
	/** False when the text has shown characters past the window. */
	complete: boolean;
}

/** One pass over `text`, stopping after `limit` shown characters (code units, pairs kept whole). */
function window(text: string, limit: number): Window {
	const table = classes();
	const size = Math.min(text.length, limit);
	const spaceBefore = new Uint8Array(size);
	const at = new Uint32Array(size);
	const end = new Uint32Array(size);
	let shown = '';
	let count = 0;
	let space = false;
	let runStart = -1;
	let i = 0;
	let complete = true;
	while (i < text.length) {
		const code = text.charCodeAt(i);
		// The common case first: an ASCII space, tab or line break.
		if (code === 32 || (code >= 9 && code <= 13)) {
			if (runStart >= 0) shown += text.slice(runStart, i);
			runStart = -1;
			space = true;
			i++;
			continue;
		}
		let width = 1;
		let kind = SHOWN;
		if (code < 0xd800 || code > 0xdfff) kind = table[code];
		else if (
			code <= 0xdbff &&
			i + 1 < text.length &&
			(text.charCodeAt(i + 1) & 0xfc00) === 0xdc00
		) {
			width = 2;
			kind = astralClass(((code - 0xd800) << 10) + (text.charCodeAt(i + 1) - 0xdc00) + 0x10000);
		}
		if (kind !== SHOWN) {
			if (runStart >= 0) shown += text.slice(runStart, i);
			runStart = -1;
			if (kind === SPACE) space = true;
			i += width;
			continue;
		}
		if (count + width > limit) {
			complete = false;
			break;
		}
		if (runStart < 0) runStart = i;
		for (let unit = 0; unit < width; unit++) {
			spaceBefore[count] = space && unit === 0 ? 1 : 0;
			at[count] = i + unit;
			end[count] = i + width;
			count++;
		}
		space = false;
		i += width;
	}
	if (runStart >= 0) shown += text.slice(runStart, i);
	return {
		shown,
		spaceBefore: spaceBefore.subarray(0, count),
		at: at.subarray(0, count),
		end: end.subarray(0, count),
		complete,
	};
}

/** Which characters of the window belong to a form of a secret: 1 where a cut starts, 2 inside. */
function cutMarks(folded: string, forms: readonly string[]): Uint8Array {
	const depth = new Int32Array(folded.length + 1);
	for (const form of forms) {
		for (let found = folded.indexOf(form); found >= 0; found = folded.indexOf(form, found + 1)) {
			depth[found]++;
			depth[found + form.length]--;
		}
	}
	const marks = new Uint8Array(folded.length);
	let open = 0;
	for (let i = 0; i < folded.length; i++) {
		const before = open;
		open += depth[i];
		if (open > 0) marks[i] = before > 0 ? 2 : 1;
	}
	return marks;
}

// ------------------------------------------------------------------------------------------
// The forms of a secret.

/** Lone surrogates as U+FFFD, as TextEncoder and URLSearchParams write them. */
function wellFormed(text: string): string {
	let out = '';
	for (let i = 0; i < text.length; i++) {
		const code = text.charCodeAt(i);
		if (
			code >= 0xd800 &&
			code <= 0xdbff &&
			i + 1 < text.length &&
			(text.charCodeAt(i + 1) & 0xfc00) === 0xdc00
		) {
			out += text.slice(i, i + 2);
			i++;
		} else out += code >= 0xd800 && code <= 0xdfff ? '\ufffd' : text[i];
	}
	return out;
}

const encoder = new TextEncoder();

function hexByte(byte: number): string {
	return `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
}

function isAlphanumeric(code: number): boolean {
	return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/** Percent-encoding of everything but ASCII letters, digits and `keep`; a space as `+` or `%20`. */
function percentEncode(text: string, keep: string, spaceAsPlus: boolean): string {
	let out = '';
	for (const char of wellFormed(text)) {
		const code = char.charCodeAt(0);
		if (char.length === 1 && (isAlphanumeric(code) || keep.includes(char))) out += char;
		else if (char === ' ' && spaceAsPlus) out += '+';
		else for (const byte of encoder.encode(char)) out += hexByte(byte);
	}
	return out;
}

/**
 * What each URL encoder leaves as is besides letters and digits. encodeURIComponent; the
 * application/x-www-form-urlencoded serializer (URLSearchParams, RFC 6749's client
 * authentication) encodes `!'()~`; `qs`, n8n's query serializer, encodes `!'()*` (and keeps
 * `()` in its RFC 1738 format); some servers encode every punctuation mark; encodeURI, as many
 * servers do when echoing a path, leaves reserved characters alone. Each with a space as `%20`
 * and as `+`; percent hex in either case is the same form once case is folded.
 */
const URL_KEEPS = ["-_.!~*'()", '*-._', '-_.~', '-_.~()', '', "-_.!~*'();,/?:@&=+$#"];

function urlForms(secret: string): string[] {
	return URL_KEEPS.flatMap((keep) => [
		percentEncode(secret, keep, false),
		percentEncode(secret, keep, true),
	]);
}

/** The URL-encoded form RFC 6749 §2.3.1 applies to a client id and secret before HTTP Basic. */
function formUrlEncode(text: string): string {
	return percentEncode(text, '*-._', true);
}

/**
 * JSON string contents as serializers write them: JavaScript's; with non-ASCII as `\uXXXX`
 * (Python's default, and PHP's); with `/` as `\/` (PHP); with `<>&` as `\u003c…` (Go).
 */
function jsonForms(secret: string): string[] {
	const plain = JSON.stringify(secret).slice(1, -1);
	const ascii = (text: string) =>
		text.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
	const htmlSafe = (text: string) =>
		text.replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
	const slash = (text: string) => text.replace(/\//g, '\\/');
	return [
		plain,
		ascii(plain),
		slash(plain),
		slash(ascii(plain)),
		htmlSafe(plain),
		htmlSafe(ascii(plain)),
	];
}

/** HTML-escaped, with each spelling of the quotes (or none) that escapers use. */
function htmlForms(secret: string): string[] {
	const base = secret.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
	const forms: string[] = [];
	for (const quote of ['&quot;', '&#34;', '&#x22;', '"']) {
		for (const apostrophe of ['&#39;', '&#x27;', '&apos;', "'"])
			forms.push(base.replace(/"/g, quote).replace(/'/g, apostrophe));
	}
	return forms;
}

function base64(bytes: Uint8Array): string {
	return Buffer.from(bytes).toString('base64');
}

function urlSafe(text: string): string {
	return text.replace(/\+/g, '-').replace(/\//g, '_');
}

/**
 * The runs of base64 text that encode `bytes` wherever they stand in a longer encoded string.
 * Base64 turns every 6 bits into a character, so the secret's bits start at one of three
 * alignments; the characters whose 6 bits all come from the secret encode the same way
 * whatever surrounds it (an `Authorization: Basic` header holds base64 of `user:password`).
 */
function base64Forms(bytes: Uint8Array): string[] {
	const forms: string[] = [];
	const whole = base64(bytes);
	forms.push(whole, whole.replace(/=+$/, ''));
	for (let offset = 0; offset < 3; offset++) {
		const padded = new Uint8Array(offset + bytes.length);
		padded.set(bytes, offset);
		const first = Math.ceil((8 * offset) / 6);
		const end = Math.floor((8 * (offset + bytes.length)) / 6);
		const core = base64(padded).slice(first, end);
		if (core.length >= MIN_BASE64_CORE) forms.push(core);
	}
	return [...forms, ...forms.map(urlSafe)];
}

// ------------------------------------------------------------------------------------------
// Redaction.

export interface Redaction {
	/** The text with every form of every secret replaced by `***` (whitespace outside them kept). */
	cut(text: string): string;
	/** False when a secret is too short to cut safely: then no vendor text may be quoted. */
	readonly quotable: boolean;
}

/** The searchable forms behind each Redaction this module made. */
const formsOf = new WeakMap<Redaction, { forms: readonly string[]; longest: number }>();

/**
 * @param secrets the credential values that must never be shown (empty ones are ignored)
 * @param basicPairs user/password pairs sent as HTTP Basic: their base64 is a secret too, both
 *   of the pair as is and of the pair form-encoded first (RFC 6749 §2.3.1 client authentication)
 */
export function redactionFor(
	secrets: string[],
	basicPairs: Array<[string, string]> = [],
): Redaction {
	const values = secrets.filter((secret) => secret !== '');
	const quotable = values.every((secret) => shownPart(secret).length >= MIN_QUOTABLE_SECRET_LENGTH);
	const texts = new Set<string>();
	const bytes = new Map<string, Uint8Array>();
	const addBase64 = (text: string) => bytes.set(text, encoder.encode(text));
	for (const secret of values) {
		const urls = urlForms(secret);
		for (const form of [secret, ...urls, ...jsonForms(secret), ...htmlForms(secret)])
			texts.add(form);
		for (const form of [secret, ...urls]) addBase64(form);
	}
	for (const [user, password] of basicPairs) {
		if (password === '') continue;
		addBase64(`${user}:${password}`);
		addBase64(`${formUrlEncode(user)}:${formUrlEncode(password)}`);
		addBase64(
			`${encodeURIComponent(wellFormed(user))}:${encodeURIComponent(wellFormed(password))}`,
		);
	}
	for (const encoded of bytes.values()) for (const form of base64Forms(encoded)) texts.add(form);
	const forms = [...new Set([...texts].map(shownPart))].filter((form) => form !== '');
	const longest = forms.reduce((max, form) => Math.max(max, form.length), 0);
	const redaction: Redaction = {
		quotable,
		cut: (text) => {
			const seen = window(text, Infinity);
			const marks = cutMarks(foldCase(seen.shown), forms);
			let out = '';
			let from = 0;
			for (let i = 0; i < marks.length; i++) {
				if (marks[i] === 0) continue;
				let last = i;
				while (last + 1 < marks.length && marks[last + 1] === 2) last++;
				out += text.slice(from, seen.at[i]) + CUT;
				from = seen.end[last];
				i = last;
			}
			return out + text.slice(from);
		},
	};
	formsOf.set(redaction, { forms, longest });
	return redaction;
}

/**
 * Vendor text made fit to quote: secrets cut, whitespace and control characters folded, the
 * result shortened to MAX_QUOTE_LENGTH. Empty when nothing may or can be quoted (also for a
 * Redaction not made by redactionFor). Only the first MAX_QUOTE_LENGTH shown characters of the
 * text and the longest form of a secret after them are ever searched.
 */
export function quotable(text: unknown, redaction: Redaction): string {
	const known = formsOf.get(redaction);
	if (typeof text !== 'string' || !redaction.quotable || known === undefined) return '';
	const seen = window(text, MAX_QUOTE_LENGTH + known.longest);
	const marks = cutMarks(foldCase(seen.shown), known.forms);
	// A form found nowhere may still start in the window and end past it: quote only the
	// characters before any such start.
	let quoted = seen.shown.length;
	if (!seen.complete) {
		quoted = Math.max(0, seen.shown.length - known.longest + 1);
		const code = seen.shown.charCodeAt(quoted - 1);
		if (quoted > 0 && code >= 0xd800 && code <= 0xdbff) quoted--;
	}
	let out = '';
	for (let i = 0; i < quoted && out.length <= MAX_QUOTE_LENGTH; i++) {
		if (marks[i] === 2) continue;
		if (seen.spaceBefore[i] === 1 && out !== '') out += ' ';
		out += marks[i] === 1 ? CUT : seen.shown[i];
	}
	const shortened = !seen.complete || out.length > MAX_QUOTE_LENGTH;
	return shortened ? `${out.slice(0, MAX_QUOTE_LENGTH - ELLIPSIS.length)}${ELLIPSIS}` : out;
}
