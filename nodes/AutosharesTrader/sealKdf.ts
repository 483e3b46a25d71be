import type { ScryptOptions } from 'crypto';

// A module of its own, with no runtime imports, so that the test suite can lower the work factor in its
// setup without loading the node and n8n-workflow into every suite.

/**
 * The key's work factor. Whoever can read a workflow's executions can read the seal; with the
 * app key and username known, each password guess costs one key derivation. HKDF (v1) let that
 * run ~40,000 guesses a second; scrypt at these settings costs 32 MiB and tens of milliseconds
 * a guess, on every core an attacker has. Salted with the execution id: no guess carries over.
 */
export const SEAL_KDF: Readonly<ScryptOptions> = Object.freeze({
	N: 2 ** 15,
	r: 8,
	p: 1,
	maxmem: 64 * 1024 * 1024,
});
/**
 * The work factor sealKey uses: SEAL_KDF. An object, not the constant, so that tests which seal
 * hundreds of logins can lower it for themselves (the package itself never changes it).
 */
export const sealKdf: ScryptOptions = { ...SEAL_KDF };
