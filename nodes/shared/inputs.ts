import { TokenAuthError } from './errors';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

function isLoopback(hostname: string): boolean {
	return LOOPBACK_HOSTS.has(hostname) || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/**
 * Checks an address a user typed for requests that carry secrets. Plain HTTP is refused except
 * on loopback (local test servers), and so are URLs carrying a user name, password or fragment.
 */
function secretCarryingUrl(
	vendor: string,
	fieldName: string,
	value: unknown,
): { url: URL; text: string } {
	const text = typeof value === 'string' ? value.trim() : '';
	const problem = (summary: string, description: string) =>
		new TokenAuthError(vendor, 'settings', summary, { description });
	if (text === '') {
		throw problem(`${fieldName} is empty.`, `Enter the ${fieldName} in the ${vendor} credential.`);
	}
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		throw problem(
			`${fieldName} is not a URL.`,
			`Enter a full URL starting with https://, for example https://api.example.com.`,
		);
	}
	if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
		throw problem(
			`${fieldName} must use HTTPS.`,
			'Tokens and passwords are sent to this address: use an https:// URL (plain http:// is accepted only for localhost).',
		);
	}
	if (url.username !== '' || url.password !== '') {
		throw problem(
			`${fieldName} must not contain a user name or password.`,
			`Remove the "user:password@" part of the URL and put the values in their own fields.`,
		);
	}
	if (url.hash !== '' || text.includes('#')) {
		throw problem(`${fieldName} must not contain a fragment.`, 'Remove the "#…" part of the URL.');
	}
	return { url, text };
}

/** Checks a base URL a user typed and returns it without trailing slashes or a query. */
export function normaliseBaseUrl(vendor: string, fieldName: string, value: unknown): string {
	const { url } = secretCarryingUrl(vendor, fieldName, value);
	if (url.search !== '') {
		throw new TokenAuthError(vendor, 'settings', `${fieldName} must not contain a query string.`, {
			description: 'Remove the "?…" part of the URL.',
		});
	}
	return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

/**
 * Checks the address a notify call goes to: it carries the signed resume URL, so it follows the
 * base-URL rules, but a query (a chat webhook's key) may be part of it.
 */
export function notifyAddress(vendor: string, value: unknown): string {
	return secretAddress(vendor, 'Notify URL', value);
}

/**
 * A full address a request with secrets goes to (a token URL, a test URL): the base-URL rules,
 * but the path is kept as typed and a query may be part of it.
 */
export function secretAddress(vendor: string, fieldName: string, value: unknown): string {
	return secretCarryingUrl(vendor, fieldName, value).url.href;
}

function settingsError(vendor: string, summary: string, description: string): TokenAuthError {
	return new TokenAuthError(vendor, 'settings', summary, { description });
}

/** RFC 9110 token: what a header name may be made of. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** A header name a user typed, trimmed; `fallback` when empty. */
export function headerName(
	vendor: string,
	fieldName: string,
	value: unknown,
	fallback?: string,
): string {
	const text = optionalText(value) || (fallback ?? '');
	if (text === '')
		throw settingsError(
			vendor,
			`${fieldName} is empty.`,
			`Enter the ${fieldName} in the ${vendor} credential.`,
		);
	if (!HEADER_NAME.test(text)) {
		throw settingsError(
			vendor,
			`${fieldName} is not a header name.`,
			'A header name is one word of letters, digits and - _ . (for example Authorization or X-Api-Key), without spaces or a colon.',
		);
	}
	return text;
}

/**
 * A list of HTTP statuses a user typed ("401, 403, 419"); `fallback` when empty. Each must be
 * a client or server error (400 to 599), as an expired token is answered.
 */
export function statusCodes(
	vendor: string,
	fieldName: string,
	value: unknown,
	fallback: number[],
): number[] {
	const text =
		typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
	if (
		value !== undefined &&
		value !== null &&
		typeof value !== 'number' &&
		typeof value !== 'string'
	) {
		throw settingsError(
			vendor,
			`${fieldName} is not a list of status codes.`,
			'Enter the statuses separated by commas, for example 401, 403, 419.',
		);
	}
	if (text === '') return fallback;
	const codes: number[] = [];
	for (const part of text.split(/[\s,;]+/).filter((entry) => entry !== '')) {
		const code = /^\d{3}$/.test(part) ? Number(part) : NaN;
		if (!(code >= 400 && code <= 599)) {
			// Digits are quoted; anything else is not (a secret pasted into the wrong field).
			const what = /^\d{1,6}$/.test(part) ? `"${part}", which is not` : 'something that is not';
			throw settingsError(
				vendor,
				`${fieldName} holds ${what} a status code from 400 to 599.`,
				'Enter the statuses separated by commas, for example 401, 403, 419.',
			);
		}
		if (!codes.includes(code)) codes.push(code);
	}
	return codes;
}

/**
 * A dot path into a JSON answer (`access_token`, `data.jwt`, `items.0.token`), trimmed; ''
 * when empty and not required. Keys that contain a dot cannot be reached this way.
 */
export function dotPath(
	vendor: string,
	fieldName: string,
	value: unknown,
	required: boolean,
): string {
	const text = optionalText(value);
	if (text === '') {
		if (required)
			throw settingsError(
				vendor,
				`${fieldName} is empty.`,
				`Enter the ${fieldName}: the dot path of the value in the answer, for example access_token or data.jwt.`,
			);
		return '';
	}
	const advice =
		'Write the keys from the top of the answer joined by dots, for example data.access_token, and a number for a place in a list (items.0.token). No $, brackets or spaces.';
	if (/^\$|[[\]\s]/.test(text) || text.split('.').some((segment) => segment === '')) {
		throw settingsError(vendor, `${fieldName} is not a dot path.`, advice);
	}
	return text;
}

/** A required text field, trimmed: a trailing space pasted with a key is the commonest mistake. */
export function requiredText(vendor: string, fieldName: string, value: unknown): string {
	const text =
		typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
	if (text === '') {
		throw new TokenAuthError(vendor, 'settings', `${fieldName} is empty.`, {
			description: `Enter the ${fieldName} in the ${vendor} credential.`,
		});
	}
	return text;
}

export function optionalText(value: unknown): string {
	return typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
}

/** Passwords are sent as typed: unlike keys and ids, a space in one can be real. */
export function requiredPassword(vendor: string, fieldName: string, value: unknown): string {
	const text = typeof value === 'string' ? value : '';
	if (text.trim() === '') {
		throw new TokenAuthError(vendor, 'settings', `${fieldName} is empty.`, {
			description: `Enter the ${fieldName} in the ${vendor} credential.`,
		});
	}
	return text;
}

/**
 * A value sent as an HTTP header must be one: n8n's client silently strips CR, LF and NUL and
 * cannot send characters above U+00FF, so the vendor would get another value than the one
 * typed and the user would be told the password was wrong.
 */
export function sentInHeader(vendor: string, fieldName: string, value: string): string {
	// eslint-disable-next-line no-control-regex
	if (/[\x00-\x08\x0a-\x1f\x7f]|[^\x00-\xff]/.test(value)) {
		throw new TokenAuthError(
			vendor,
			'settings',
			`${fieldName} holds characters that cannot be sent in an HTTP header.`,
			{
				description: `${vendor} receives the ${fieldName} in a request header, which cannot carry line breaks, control characters or characters beyond Latin-1. Re-enter the ${fieldName} exactly as ${vendor} gave it to you.`,
			},
		);
	}
	return value;
}

/** A required text field that travels in a header: requiredText, then sentInHeader, under one label. */
export function requiredHeaderText(vendor: string, fieldName: string, value: unknown): string {
	return sentInHeader(vendor, fieldName, requiredText(vendor, fieldName, value));
}
