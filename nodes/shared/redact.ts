/**
 * Cuts a credential's secrets out of text a vendor sent back, before any of it is quoted in an
 * error, a notify payload or a page. Vendors echo input in ways a literal search misses: with
 * the case changed, URL- or form-encoded, JSON- or HTML-escaped, base64-encoded (an echoed
 * `Authorization: Basic …` is base64 of `user:password`), with whitespace collapsed, or one
 * secret inside another. Every form of every secret is cut at once, longest first, from the
 * text exactly as received: nothing is normalised before the cut.
 */

/** Below this length a secret cannot be cut without mangling the text: nothing is quoted then. */
export const MIN_QUOTABLE_SECRET_LENGTH = 4;
/**
 * A base64 run shorter than this is not cut: it could be any word. A secret's own runs are
 * longer (a 4-character secret has runs of 4 or more at every alignment).
 */
const MIN_BASE64_CORE = 4;
/** Quotes are shortened to this many characters after the cut. */
export const MAX_QUOTE_LENGTH = 200;

const CUT = '***';

function escapeRegExp(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
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

function escapedForms(secret: string): string[] {
	const uri = encodeURIComponent(secret);
	const html = secret.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
	return [
		uri,
		uri.replace(/%20/g, '+'),
		// encodeURI leaves reserved characters alone, as many servers do when echoing a path.
		encodeURI(secret),
		JSON.stringify(secret).slice(1, -1),
		html,
	];
}

/** A literal form whose whitespace runs match any whitespace run: vendors collapse and re-wrap. */
function literalPattern(text: string): string {
	return text
		.split(/\s+/)
		.map(escapeRegExp)
		.join('\\s+');
}

export interface Redaction {
	/** The text with every form of every secret replaced by `***`. */
	cut(text: string): string;
	/** False when a secret is too short to cut safely: then no vendor text may be quoted. */
	readonly quotable: boolean;
}

/**
 * @param secrets the credential values that must never be shown (empty ones are ignored)
 * @param basicPairs user/password pairs sent as HTTP Basic: their base64 is a secret too
 */
export function redactionFor(secrets: string[], basicPairs: Array<[string, string]> = []): Redaction {
	const values = secrets.filter((secret) => secret !== '');
	const quotable = values.every((secret) => secret.length >= MIN_QUOTABLE_SECRET_LENGTH);
	const patterns = new Set<string>();
	const add = (form: string, pattern = escapeRegExp(form)) => {
		if (form.trim() !== '') patterns.add(pattern);
	};
	const encoder = new TextEncoder();
	for (const secret of values) {
		add(secret, literalPattern(secret));
		for (const form of escapedForms(secret)) add(form);
		for (const form of base64Forms(encoder.encode(secret))) add(form);
	}
	for (const [user, password] of basicPairs) {
		if (password === '') continue;
		for (const form of base64Forms(encoder.encode(`${user}:${password}`))) add(form);
	}
	// Longest first, so a secret that contains another is cut whole.
	const ordered = [...patterns].sort((a, b) => b.length - a.length);
	const matcher = ordered.length === 0 ? undefined : new RegExp(ordered.join('|'), 'gi');
	return {
		quotable,
		cut: (text) => (matcher === undefined ? text : text.replace(matcher, CUT)),
	};
}

/**
 * Vendor text made fit to quote: secrets cut from the text as received, then whitespace and
 * control characters folded and the result shortened. Empty when nothing may or can be quoted.
 */
export function quotable(text: unknown, redaction: Redaction): string {
	if (typeof text !== 'string' || !redaction.quotable) return '';
	// Cut, fold, cut again: folding can join the pieces of a secret split by an invisible
	// character or a line break the first cut did not see as one.
	const folded = redaction.cut(
		redaction
			.cut(text)
			.replace(/[\p{Cc}\p{Cf}]+/gu, (run) => (/\s/.test(run) ? ' ' : ''))
			.replace(/\s+/g, ' ')
			.trim(),
	);
	return folded.length > MAX_QUOTE_LENGTH ? `${folded.slice(0, MAX_QUOTE_LENGTH - 3)}...` : folded;
}
