/**
 * The paused two-factor login as it crosses the wait: sealed (AES-256-GCM, scrypt key from the
 * credential's secrets, salted with the execution id, bound to execution and node), kept in
 * the execution's custom data within n8n's silent limits, and read back by any process.
 */
import { createCipheriv, hkdfSync, scryptSync } from 'crypto';

import {
	endSealed,
	loginProgress,
	open,
	readSealed,
	seal,
	SEAL_ENDED,
	sealKey,
	sealName,
	storeSealed,
	type CustomData,
	type PausedLogin,
	type SealBinding,
} from '../../nodes/AutosharesTrader/pausedLogin';
import { SEAL_KDF, sealKdf } from '../../nodes/AutosharesTrader/sealKdf';

const LOGIN: PausedLogin = {
	step: 'verificationCode',
	interimToken: 'INTERIM-TOKEN-0123456789abcdef',
	attempts: 0,
	maxAttempts: 3,
	waitUntil: Date.parse('2030-01-01T00:00:00Z'),
	outputField: 'auth',
	includeSecretHeaders: false,
};
const BINDING: SealBinding = {
	executionId: '41',
	nodeId: 'node-a',
	secrets: ['https://api.example.com/api', 'APPKEY-9f2c', 'trader', 'Passw0rd!', ''],
};

/** n8n's custom data as production has it: 10 keys, values cut to 512 characters, silently. */
function productionCustomData(taken = 0): CustomData & { values: Map<string, string> } {
	const values = new Map<string, string>();
	for (let i = 0; i < taken; i++) values.set(`other_${i}`, 'x');
	return {
		values,
		set(key, value) {
			if (!/^[A-Za-z0-9_]+$/.test(key)) return;
			if (!values.has(key) && values.size >= 10) return;
			values.set(key, String(value).slice(0, 512));
		},
		get: (key) => values.get(key),
	};
}

describe('seal / open', () => {
	it('opens for the same execution, node and credential', () => {
		expect(open(seal(LOGIN, BINDING), BINDING)).toEqual(LOGIN);
	});

	it('holds neither the interim token nor any secret in readable form', () => {
		const sealed = seal(LOGIN, BINDING);
		for (const secret of [LOGIN.interimToken, ...BINDING.secrets.filter(Boolean)]) {
			expect(sealed).not.toContain(secret);
			expect(sealed).not.toContain(Buffer.from(secret).toString('base64url').slice(4, 16));
		}
	});

	it.each([
		['another execution', { ...BINDING, executionId: '42' }],
		['another node', { ...BINDING, nodeId: 'node-b' }],
		[
			'an edited password',
			{
				...BINDING,
				secrets: ['https://api.example.com/api', 'APPKEY-9f2c', 'trader', 'Passw0rd?', ''],
			},
		],
		[
			'another base URL',
			{
				...BINDING,
				secrets: ['https://evil.example.com/api', 'APPKEY-9f2c', 'trader', 'Passw0rd!', ''],
			},
		],
	])('does not open for %s', (_what, other) => {
		expect(open(seal(LOGIN, BINDING), other)).toBeUndefined();
	});

	it('does not open when tampered with, cut short or not a seal', () => {
		const sealed = seal(LOGIN, BINDING);
		const flipped = `${sealed.slice(0, 20)}${sealed[20] === 'A' ? 'B' : 'A'}${sealed.slice(21)}`;
		for (const bad of [flipped, sealed.slice(0, -4), 'v1.', 'plain text', ''])
			expect(open(bad, BINDING)).toBeUndefined();
	});

	it('keeps secrets apart: no two lists of secrets give the same key', () => {
		const joined = { ...BINDING, secrets: ['ab', 'c'] };
		expect(open(seal(LOGIN, joined), { ...BINDING, secrets: ['a', 'bc'] })).toBeUndefined();
	});
});

describe('custom data storage', () => {
	it('keeps a seal in one value, read back whole', () => {
		const data = productionCustomData();
		const sealed = seal(LOGIN, BINDING);
		expect(storeSealed(data, BINDING.nodeId, sealed)).toBe(true);
		expect(readSealed(data, BINDING.nodeId)).toBe(sealed);
		expect([...data.values.keys()]).toEqual([sealName(BINDING.nodeId)]);
	});

	it('splits a seal larger than one value (a long token) over several keys, never past 512 characters', () => {
		const data = productionCustomData();
		const sealed = seal({ ...LOGIN, interimToken: 'T'.repeat(900) }, BINDING);
		expect(sealed.length).toBeGreaterThan(1000);
		expect(storeSealed(data, BINDING.nodeId, sealed)).toBe(true);
		expect(readSealed(data, BINDING.nodeId)).toBe(sealed);
		expect(data.values.size).toBeGreaterThan(1);
		for (const value of data.values.values()) expect(value.length).toBeLessThanOrEqual(512);
	});

	it('says so when n8n silently did not keep it (other nodes used the 10 keys)', () => {
		const data = productionCustomData(10);
		expect(storeSealed(data, BINDING.nodeId, seal(LOGIN, BINDING))).toBe(false);
		const tight = productionCustomData(9);
		expect(
			storeSealed(
				tight,
				BINDING.nodeId,
				seal({ ...LOGIN, interimToken: 'T'.repeat(900) }, BINDING),
			),
		).toBe(false);
	});

	it('says so when a manual run throws instead', () => {
		const throwing: CustomData = {
			set: () => {
				throw new Error('Custom data key limit reached');
			},
			get: () => undefined,
		};
		expect(storeSealed(throwing, BINDING.nodeId, seal(LOGIN, BINDING))).toBe(false);
	});

	it('is overwritten once the login ends: nothing of the seal remains', () => {
		const data = productionCustomData();
		const sealed = seal({ ...LOGIN, interimToken: 'T'.repeat(900) }, BINDING);
		storeSealed(data, BINDING.nodeId, sealed);
		endSealed(data, BINDING.nodeId);
		expect(readSealed(data, BINDING.nodeId)).toBe(SEAL_ENDED);
		expect([...data.values.values()].join('')).not.toContain(sealed.slice(10, 40));
	});
});

describe('what a process remembers of paused logins', () => {
	it('is bounded: entries past their wait limit are swept, and at most 1,000 are kept', () => {
		loginProgress.clear();
		loginProgress.get('expired', Date.now() - 1);
		expect(loginProgress.size).toBe(1);
		// The expired one goes as soon as another is looked up.
		loginProgress.get('live', Date.now() + 60_000);
		expect(loginProgress.size).toBe(1);
		for (let i = 0; i < 1_200; i++) loginProgress.get(`login-${i}`, Date.now() + 60_000);
		expect(loginProgress.size).toBe(1_000);
		loginProgress.clear();
	});
});

describe('the seal is no cheap password oracle', () => {
	it('its key is scrypt (2^15, 8, 1) of the secrets, salted with the execution: one guess costs that', () => {
		// The suite lowers the work factor for speed (test/helpers/fastSeal.ts); a fresh load of
		// the work factor's module, as n8n loads it with the node, starts at the package's own.
		let shipped: typeof sealKdf | undefined;
		jest.isolateModules(() => {
			shipped = (
				jest.requireActual('../../nodes/AutosharesTrader/sealKdf') as {
					sealKdf: typeof sealKdf;
				}
			).sealKdf;
		});
		expect(shipped).not.toBe(sealKdf);
		expect(shipped).toEqual({ N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
		expect(SEAL_KDF).toEqual(shipped);
		const lowered = { ...sealKdf };
		Object.assign(sealKdf, SEAL_KDF);
		const material = BINDING.secrets.map((secret) => `${secret.length}:${secret}`).join('\0');
		const salt = `n8n-nodes-token-auth/autoshares-paused-login/v2/execution:${BINDING.executionId}`;
		expect(sealKey(BINDING).equals(scryptSync(material, salt, 32, SEAL_KDF))).toBe(true);
		// Another execution: another salt, so a guess checked against one seal says nothing of another.
		expect(sealKey({ ...BINDING, executionId: 'other' }).equals(sealKey(BINDING))).toBe(false);
		Object.assign(sealKdf, lowered);
	});

	it('a seal made with the old HKDF key (v1) does not open', () => {
		const material = BINDING.secrets.map((secret) => `${secret.length}:${secret}`).join('\0');
		const key = Buffer.from(
			hkdfSync(
				'sha256',
				material,
				`execution:${BINDING.executionId}`,
				'n8n-nodes-token-auth/autoshares-paused-login/v1',
				32,
			),
		);
		const iv = Buffer.alloc(12, 1);
		const cipher = createCipheriv('aes-256-gcm', key, iv);
		cipher.setAAD(Buffer.from(`v1\0${BINDING.executionId}\0${BINDING.nodeId}`));
		const body = Buffer.concat([cipher.update(JSON.stringify(LOGIN), 'utf8'), cipher.final()]);
		const v1 = `v1.${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
		expect(open(v1, BINDING)).toBeUndefined();
		expect(open(seal(LOGIN, BINDING), BINDING)).toEqual(LOGIN);
	});
});
