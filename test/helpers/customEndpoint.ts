/**
 * The Custom Token Endpoint credential as its tests call it (test/credentials against the
 * sandbox, test/realServers against real servers): its settings as n8n decrypts them, its token
 * step as n8n 2.x and as the Get Token node call it.
 */
import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import { requesterFrom } from '../../nodes/shared/http';
import { obtainToken } from '../../nodes/shared/obtainToken';
import { customEndpoint } from '../../nodes/shared/providers';
import { decryptedAs, n8nRequestHelpers, tokenStep } from './n8n';

export const TYPE = 'customTokenEndpointApi';

/** n8n's defaults applied, as n8n decrypts a credential (new fields get their defaults). */
export function decrypted(data: IDataObject): ICredentialDataDecryptedObject {
	return decryptedAs(TYPE, data);
}

/** The credential's preAuthentication as n8n 2.x calls it (httpRequest only). */
export async function preAuthenticate(data: IDataObject): Promise<ICredentialDataDecryptedObject> {
	return await tokenStep(TYPE, decrypted(data));
}

/** What Get Token does: the token step with the error's message and advice apart. */
export async function viaNode(data: IDataObject, options: { force?: boolean } = {}) {
	return await obtainToken(
		requesterFrom(n8nRequestHelpers()),
		customEndpoint,
		decrypted(data),
		options,
	);
}

/** The credential's fields, as its token step reads them from these settings. */
export function fieldsOf(data: IDataObject) {
	return customEndpoint.readFields(decrypted(data));
}

/** The token request these settings make. */
export function tokenRequestOf(data: IDataObject) {
	return customEndpoint.tokenRequest(fieldsOf(data));
}
