import { TokenAuthError } from './errors';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

function isLoopback(hostname: string): boolean {
	return LOOPBACK_HOSTS.has(hostname) || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/**
 * Checks an address a user typed for requests that carry secrets. Plain HTTP is refused except
 * on loopback (local test servers), and so are URLs carrying a user name, password or fragment.
 */
function secretCarryingUrl(vendor: string, fieldName: string, value: unknown): { url: URL; text: string } {
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
	return secretCarryingUrl(vendor, 'Notify URL', value).url.href;
}

/** A required text field, trimmed: a trailing space pasted with a key is the commonest mistake. */
export function requiredText(vendor: string, fieldName: string, value: unknown): string {
	const text = typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
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
		throw new TokenAuthError(vendor, 'settings', `${fieldName} holds characters that cannot be sent in an HTTP header.`, {
			description: `${vendor} receives the ${fieldName} in a request header, which cannot carry line breaks, control characters or characters beyond Latin-1. Re-enter the ${fieldName} exactly as ${vendor} gave it to you.`,
		});
	}
	return value;
}
