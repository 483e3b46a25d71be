import { createCipheriv, createDecipheriv, createHash, randomBytes, scryptSync } from 'crypto';

import type { NextStep } from '../shared/provider';

/**
 * A paused two-factor login, as it crosses the wait. n8n resumes a waiting execution on
 * whichever process receives the resume call (the webhook process in queue mode, any process
 * after a restart), from what it saved in the database: so everything the second step needs
 * goes with the execution, and process memory holds nothing the seal does not.
 */
export interface PausedLogin {
	step: NextStep['step'];
	interimToken: string;
	/** Wrong codes already sent when the login was sealed. */
	attempts: number;
	maxAttempts: number;
	/** Epoch milliseconds: after this the login is over, whatever the seal says. */
	waitUntil: number;
	outputField: string;
	includeSecretHeaders: boolean;
	/**
	 * Set by the resume call that counted a wrong code, until Log In has paused again: a code
	 * that arrives in between would race that pause (its login could finish on a run n8n no
	 * longer continues), so it is asked to come again in a moment.
	 */
	counting?: boolean;
}

/** What a seal is bound to: it opens only for the same execution, node and credential. */
export interface SealBinding {
	executionId: string;
	nodeId: string;
	/**
	 * The credential's stable secrets and the address they go to. The key is derived from them,
	 * so an edited credential (another password, another host) cannot open the seal.
	 */
	secrets: string[];
}

const VERSION = 'v2';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * The key's work factor. Whoever can read a workflow's executions can read the seal; with the
 * app key and username known, each password guess costs one key derivation. HKDF (v1) let that
 * run ~40,000 guesses a second; scrypt at these settings costs 32 MiB and tens of milliseconds
 * a guess, on every core an attacker has. Salted with the execution id: no guess carries over.
 */
export const SEAL_KDF = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;
/** Keys derived in this process (a seal is opened and sealed again at each resume), by digest. */
const derived = new Map<string, Buffer>();
const MAX_DERIVED = 100;

export function sealKey(binding: SealBinding): Buffer {
	// Length-prefixed, so no two lists of secrets run together into the same input.
	const material = binding.secrets.map((secret) => `${secret.length}:${secret}`).join('\0');
	const salt = `n8n-nodes-token-auth/autoshares-paused-login/${VERSION}/execution:${binding.executionId}`;
	const id = createHash('sha256').update(material).update('\0').update(salt).digest('hex');
	const known = derived.get(id);
	if (known) return known;
	const key = scryptSync(material, salt, 32, SEAL_KDF);
	if (derived.size >= MAX_DERIVED) derived.delete(derived.keys().next().value as string);
	derived.set(id, key);
	return key;
}

function associatedData(binding: SealBinding): Buffer {
	return Buffer.from(`${VERSION}\0${binding.executionId}\0${binding.nodeId}`);
}

/**
 * AES-256-GCM under an scrypt key from the credential's secrets, salted with the execution id;
 * the execution and node ids are the associated data. The result is `v2.` + base64url of
 * IV, ciphertext and tag: about 4/3 of the JSON plus 40 characters.
 */
export function seal(login: PausedLogin, binding: SealBinding): string {
	const iv = randomBytes(IV_BYTES);
	const cipher = createCipheriv('aes-256-gcm', sealKey(binding), iv);
	cipher.setAAD(associatedData(binding));
	const body = Buffer.concat([cipher.update(JSON.stringify(login), 'utf8'), cipher.final()]);
	return `${VERSION}.${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
}

function isPausedLogin(value: unknown): value is PausedLogin {
	if (typeof value !== 'object' || value === null) return false;
	const v = value as Record<string, unknown>;
	return (
		(v.step === 'verificationCode' || v.step === 'pin') &&
		typeof v.interimToken === 'string' &&
		Number.isInteger(v.attempts) &&
		Number.isInteger(v.maxAttempts) &&
		typeof v.waitUntil === 'number' &&
		typeof v.outputField === 'string' &&
		typeof v.includeSecretHeaders === 'boolean' &&
		(v.counting === undefined || typeof v.counting === 'boolean')
	);
}

/** The login, or undefined when the seal does not open: another execution, node or credential, or tampering. */
export function open(sealed: string, binding: SealBinding): PausedLogin | undefined {
	if (!sealed.startsWith(`${VERSION}.`)) return undefined;
	const raw = Buffer.from(sealed.slice(VERSION.length + 1), 'base64url');
	if (raw.length <= IV_BYTES + TAG_BYTES) return undefined;
	try {
		const decipher = createDecipheriv('aes-256-gcm', sealKey(binding), raw.subarray(0, IV_BYTES));
		decipher.setAAD(associatedData(binding));
		decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
		const text = Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]).toString('utf8');
		const login: unknown = JSON.parse(text);
		return isPausedLogin(login) ? login : undefined;
	} catch {
		return undefined;
	}
}

/** A short name for the node in custom data keys, which allow only [A-Za-z0-9_]. */
export function sealName(nodeId: string): string {
	return `tokenAuth2fa_${createHash('sha256').update(nodeId).digest('hex').slice(0, 8)}`;
}
