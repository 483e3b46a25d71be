import * as n8nWorkflow from 'n8n-workflow';
import type { IDataObject, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

/**
 * An owner can restrict a credential to domains (*Allowed HTTP Request Domains* → *Specific
 * Domains*, fields n8n adds to every credential with an authenticate, in 1.x and 2.x). n8n 2.x
 * applies the list to a credential's own token step (credentials-helper's
 * restrictToCredentialDomains) and to its HTTP Request node; n8n 1.x (checked in 1.123.81)
 * applies it to the HTTP Request node's request only, not to the token step before it. This
 * package's nodes send requests with a credential's secrets themselves (Get Token's token call,
 * Log In, the code, Get Account Info, the notify call), and its credentials' token step runs on
 * 1.x unrestricted: both apply the list, exactly as n8n 2.x does for a token step. Only an
 * explicit list restricts ("None" is for HTTP Request nodes), and the host being requested never
 * widens it (it comes from a field the user typed). Where n8n-workflow has 2.x's functions they
 * decide; on 1.x the same rule is applied here.
 */
type OwnRequestDomains = (credentials: IDataObject) => string | undefined;
type AssertUrlAllowed = (options: { url: string; allowedDomains?: string; node?: INode }) => void;

const workflow = n8nWorkflow as unknown as {
	getCredentialOwnRequestAllowedDomains?: OwnRequestDomains;
	assertUrlAllowed?: AssertUrlAllowed;
};

/** n8n's own words (n8n-workflow 2.x, and 1.x's routing node) for a restriction without a list. */
const NO_DOMAINS =
	'No allowed domains specified. Configure allowed domains or change restriction setting.';

/** n8n 1.x: the list of a credential set to Specific Domains, as 2.x reads it. */
function listOf(credentials: IDataObject): string | undefined {
	if (credentials.allowedHttpRequestDomains !== 'domains') return undefined;
	const list =
		typeof credentials.allowedDomains === 'string' ? credentials.allowedDomains.trim() : '';
	if (list === '') throw new Error(NO_DOMAINS);
	return list;
}

/** n8n's rule: the host exactly, or `*.example.com` for its subdomains (not example.com itself). */
function hostAllowed(url: string, allowedDomains: string): boolean {
	let host: string;
	try {
		host = new URL(url).hostname.toLowerCase().replace(/\.$/, '');
	} catch {
		return false;
	}
	if (host === '') return false;
	return allowedDomains
		.split(',')
		.map((domain) => domain.trim().toLowerCase().replace(/\.$/, ''))
		.filter((domain) => domain !== '')
		.some((domain) =>
			domain.startsWith('*.')
				? domain.length > 2 && host.endsWith(domain.slice(1))
				: host === domain,
		);
}

function displayHost(url: string): string {
	try {
		const host = new URL(url).host;
		if (host !== '') return host;
	} catch {
		// not a URL: shown as typed, cut below
	}
	// Neither a query nor user:password@ of an address without a host is shown.
	return url
		.split(/[?#]/)[0]
		.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^/@]*@/i, '$1')
		.slice(0, 100);
}

/** The credential's allowed domains, or undefined when it is not restricted. */
export function allowedDomainsOf(
	node: INode | undefined,
	credentials: IDataObject,
): string | undefined {
	try {
		return typeof workflow.getCredentialOwnRequestAllowedDomains === 'function'
			? workflow.getCredentialOwnRequestAllowedDomains(credentials)
			: listOf(credentials);
	} catch (error) {
		// "Specific Domains" with an empty list: n8n's own words, as a settings error of the node.
		throw node ? new NodeOperationError(node, (error as Error).message) : error;
	}
}

/**
 * Throws n8n's own "Domain not allowed" error (a NodeOperationError naming the host when a node
 * sends; a plain error in a credential's token step, as n8n 2.x throws there) before any of
 * `urls` is sent, when the credential is restricted to other domains.
 */
export function assertDomainsAllowed(
	node: INode | undefined,
	credentials: IDataObject,
	urls: string[],
): void {
	const allowedDomains = allowedDomainsOf(node, credentials);
	if (allowedDomains === undefined) return;
	for (const url of urls) {
		if (typeof workflow.assertUrlAllowed === 'function') {
			workflow.assertUrlAllowed({ url, allowedDomains, node });
			continue;
		}
		if (hostAllowed(url, allowedDomains)) continue;
		const message = `Domain not allowed: This credential is restricted from accessing ${displayHost(url)}. Only the following domains are allowed: ${allowedDomains}`;
		throw node ? new NodeOperationError(node, message) : new Error(message);
	}
}
