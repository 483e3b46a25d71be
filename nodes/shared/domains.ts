import * as n8nWorkflow from 'n8n-workflow';
import type { IDataObject, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

/**
 * n8n 2.x lets an owner restrict a credential to domains (*Allowed HTTP Request Domains*, fields
 * n8n adds to every credential with an authenticate). n8n applies the list to a credential's own
 * token step (credentials-helper's restrictToCredentialDomains) and to its HTTP Request node;
 * this package's nodes send requests with a credential's secrets themselves (Get Token's token
 * call, Log In, the code, Get Account Info, the notify call), so they apply it too, exactly as
 * n8n does for a token step: only an explicit list restricts ("None" is for HTTP Request nodes),
 * and the host being requested never widens it (it comes from a field the user typed). n8n 1.x
 * has no such restriction: its n8n-workflow lacks these functions and nothing is checked.
 */
type OwnRequestDomains = (credentials: IDataObject) => string | undefined;
type AssertUrlAllowed = (options: { url: string; allowedDomains?: string; node?: INode }) => void;

const workflow = n8nWorkflow as unknown as { getCredentialOwnRequestAllowedDomains?: OwnRequestDomains; assertUrlAllowed?: AssertUrlAllowed };

/** The credential's allowed domains, or undefined when it is not restricted (or n8n cannot restrict). */
export function allowedDomainsOf(node: INode, credentials: IDataObject): string | undefined {
	if (typeof workflow.getCredentialOwnRequestAllowedDomains !== 'function') return undefined;
	try {
		return workflow.getCredentialOwnRequestAllowedDomains(credentials);
	} catch (error) {
		// "Specific Domains" with an empty list: n8n's own words, as a settings error of the node.
		throw new NodeOperationError(node, (error as Error).message);
	}
}

/**
 * Throws n8n's own "Domain not allowed" error (a NodeOperationError naming the host) before any
 * of `urls` is sent, when the credential is restricted to other domains.
 */
export function assertDomainsAllowed(node: INode, credentials: IDataObject, urls: string[]): void {
	const allowedDomains = allowedDomainsOf(node, credentials);
	if (allowedDomains === undefined || typeof workflow.assertUrlAllowed !== 'function') return;
	for (const url of urls) workflow.assertUrlAllowed({ url, allowedDomains, node });
}
