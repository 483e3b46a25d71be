import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'crypto';
import type { IDataObject } from 'n8n-workflow';

import type { AutosharesTraderFields } from '../shared/providers/autosharesTrader';
import type { PendingLogin } from './pendingLogins';

/**
 * A paused login must survive what process memory does not: an n8n restart, and queue mode,
 * where a worker pauses the execution and the main or webhook process serves its resume URL.
 * So the node also keeps the login in its own pre-wait output, sealed with AES-256-GCM under a
 * key derived from the credential's secrets (app key, password) and the execution id: readable
 * only by whoever holds that credential, for that execution. The database and the execution
 * view only ever see ciphertext. n8n does not pass these items on (on resume the webhook's
 * items are the output, on timeout the input items are).
 */
export const SEALED_FIELD = 'autosharesPendingLogin';

type SealedState = Pick<PendingLogin, 'step' | 'reason' | 'interimToken' | 'maxAttempts' | 'waitUntil' | 'outputField' | 'includeSecretHeaders'>;

function keyFor(fields: AutosharesTraderFields, executionId: string): Buffer {
	const material = [fields.appKey, fields.username, fields.password, fields.baseUrl].join('\0');
	return Buffer.from(hkdfSync('sha256', material, executionId, 'n8n-nodes-token-auth autoshares pending login v1', 32));
}

export function sealLogin(login: SealedState, fields: AutosharesTraderFields, executionId: string): string {
	const iv = randomBytes(12);
	const cipher = createCipheriv('aes-256-gcm', keyFor(fields, executionId), iv);
	const sealed = Buffer.concat([cipher.update(JSON.stringify(login), 'utf8'), cipher.final()]);
	return `v1.${iv.toString('base64url')}.${sealed.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}`;
}

/** The sealed login, or undefined when it is missing, tampered with, or the credential changed. */
export function openLogin(sealed: unknown, fields: AutosharesTraderFields, executionId: string): SealedState | undefined {
	if (typeof sealed !== 'string') return undefined;
	const [version, iv, data, tag] = sealed.split('.');
	if (version !== 'v1' || !iv || !data || !tag) return undefined;
	try {
		const decipher = createDecipheriv('aes-256-gcm', keyFor(fields, executionId), Buffer.from(iv, 'base64url'));
		decipher.setAuthTag(Buffer.from(tag, 'base64url'));
		const text = Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
		return JSON.parse(text) as SealedState;
	} catch {
		return undefined;
	}
}

/** The pre-wait output: the input items, the first one carrying the sealed login. */
export function withSealedLogin(inputs: IDataObject[], sealed: string): IDataObject[] {
	return inputs.map((json, index) => (index === 0 ? { ...json, [SEALED_FIELD]: sealed } : json));
}

/** The input items and the sealed login back from the pre-wait output. */
export function splitSealedLogin(items: IDataObject[]): { inputs: IDataObject[]; sealed: unknown } {
	const sealed = items[0]?.[SEALED_FIELD];
	const inputs = items.map((json, index) => {
		if (index !== 0) return json;
		const rest = { ...json };
		delete rest[SEALED_FIELD];
		return rest;
	});
	return { inputs, sealed };
}
