import {
	REFUSAL_BACKOFF_MS,
	TokenStore,
	isStillValid,
	type IssuedToken,
} from '../../nodes/shared/tokenStore';

function token(value: string, obtainedAt: number, lifetimeSeconds: number | null): IssuedToken {
	return {
		token: value,
		tokenType: 'Bearer',
		obtainedAt: new Date(obtainedAt).toISOString(),
		expiresAt:
			lifetimeSeconds === null ? null : new Date(obtainedAt + lifetimeSeconds * 1000).toISOString(),
		extras: {},
	};
}

/** Every test's store, on a clock the test moves by hand, from 2026-01-01. */
let clock: number;
let store: TokenStore;
beforeEach(() => {
	clock = Date.parse('2026-01-01T00:00:00Z');
	store = new TokenStore(() => clock);
});

describe('TokenStore', () => {
	it('shares one fetch between concurrent callers', async () => {
		let calls = 0;
		let release: (t: IssuedToken) => void = () => {};
		const fetch = async () => {
			calls++;
			return await new Promise<IssuedToken>((resolve) => (release = resolve));
		};
		const callers = Array.from({ length: 50 }, async () => await store.obtain('k', fetch));
		release(token('t1', clock, 3600));
		const results = await Promise.all(callers);
		expect(calls).toBe(1);
		expect(new Set(results.map((r) => r.token))).toEqual(new Set(['t1']));
	});

	it('reuses a valid token and refetches once it is inside the refresh margin', async () => {
		let n = 0;
		const fetch = async () => token(`t${++n}`, clock, 3600);
		expect((await store.obtain('k', fetch)).token).toBe('t1');
		clock += 3600_000 - 61_000;
		expect((await store.obtain('k', fetch)).token).toBe('t1');
		clock += 2_000; // 59 s left: inside the 60 s margin
		expect((await store.obtain('k', fetch)).token).toBe('t2');
	});

	it('scales the margin down for short lifetimes (10 %)', () => {
		const t = token('t', clock, 10);
		expect(isStillValid(t, clock + 8_900)).toBe(true);
		expect(isStillValid(t, clock + 9_000)).toBe(false);
	});

	it('drops the held token when a caller reports that very token as rejected', async () => {
		let n = 0;
		const fetch = async () => token(`t${++n}`, clock, 3600);
		const t1 = await store.obtain('k', fetch);
		clock += 1_000;
		expect((await store.obtain('k', fetch, { rejected: t1 })).token).toBe('t2');
		// A late caller still holding t1 gets t2 without another call.
		expect((await store.obtain('k', fetch, { rejected: t1 })).token).toBe('t2');
		expect(n).toBe(2);
	});

	it('keeps a token replaced by force until its replacement arrives', async () => {
		await store.obtain('k', async () => token('t1', clock, 3600));
		const down = async () => await Promise.reject(new Error('down'));
		await expect(store.obtain('k', down, { force: true })).rejects.toThrow('down');
		expect(store.held('k')?.token).toBe('t1');
		// The next successful fetch replaces it.
		expect(
			(await store.obtain('k', async () => token('t2', clock, 3600), { force: true })).token,
		).toBe('t2');
		expect(store.held('k')?.token).toBe('t2');
	});

	it('keeps a token being refreshed before its expiry usable until the replacement arrives', async () => {
		await store.obtain('k', async () => token('t1', clock, 3600));
		clock += 3600_000 - 30_000; // inside the 60 s margin: due for a refresh, not expired
		const down = async () => await Promise.reject(new Error('down'));
		await expect(store.obtain('k', down)).rejects.toThrow('down');
		expect(store.held('k')).toBeUndefined();
		expect(store.usable('k')?.token).toBe('t1');
		clock += 30_000;
		expect(store.usable('k')).toBeUndefined();
	});

	it('never hands out a refused token again, even when the refresh fails', async () => {
		const t1 = await store.obtain('k', async () => token('t1', clock, 3600));
		const down = async () => await Promise.reject(new Error('down'));
		await expect(store.obtain('k', down, { rejected: t1 })).rejects.toThrow('down');
		expect(store.held('k')).toBeUndefined();
		expect(store.usable('k')).toBeUndefined();
		expect(store.isRefused('t1')).toBe(true);
		// The next caller fetches instead of getting t1.
		expect((await store.obtain('k', async () => token('t2', clock, 3600))).token).toBe('t2');
	});

	it('never takes a refused token back from elsewhere (a saved credential)', async () => {
		store.refuse('k', 't1');
		let calls = 0;
		const fetched = await store.obtain('k', async () => token(`t${++calls + 1}`, clock, 3600), {
			known: token('t1', clock, 3600),
		});
		expect(fetched.token).toBe('t2');
		expect(calls).toBe(1);
	});

	it('after a refusal, uses a token issued later, never one issued before the refused one', async () => {
		// Queue mode: this process holds t-old; another saved t-saved in the credential later.
		await store.obtain('k', async () => token('t-old', clock, 3600));
		const saved = token('t-saved', clock + 5_000, 3600);
		clock += 10_000;
		let calls = 0;
		const fetch = async () => token(`t-new-${++calls}`, clock, 3600);
		// The vendor revoked everything; t-saved (the newest, so the one sent) is refused: t-old,
		// older still, is not offered in its place.
		expect((await store.obtain('k', fetch, { rejected: saved, known: saved })).token).toBe(
			't-new-1',
		);
		expect(calls).toBe(1);
		// A caller that sent t-saved a moment later gets t-new-1, issued after it.
		expect((await store.obtain('k', fetch, { rejected: saved, known: saved })).token).toBe(
			't-new-1',
		);
		expect(calls).toBe(1);
	});

	it('uses a newer token known from elsewhere instead of its own, with no token call', async () => {
		await store.obtain('k', async () => token('old', clock, 3600));
		clock += 10_000;
		const fail = async () => await Promise.reject(new Error('no token call expected'));
		expect((await store.obtain('k', fail, { known: token('newer', clock, 3600) })).token).toBe(
			'newer',
		);
		// Kept: the next caller gets it from the store.
		expect(store.held('k')?.token).toBe('newer');
		// An older known token does not replace a newer held one.
		expect(
			(await store.obtain('k', fail, { known: token('old', clock - 10_000, 3600) })).token,
		).toBe('newer');
	});

	it('keeps tokens without expiry for 24 hours at most, and honours force', async () => {
		let n = 0;
		const fetch = async () => token(`t${++n}`, clock, null);
		await store.obtain('k', fetch);
		clock += 23 * 3600_000;
		expect((await store.obtain('k', fetch)).token).toBe('t1');
		expect((await store.obtain('k', fetch, { force: true })).token).toBe('t2');
		clock += 24 * 3600_000;
		expect((await store.obtain('k', fetch)).token).toBe('t3');
	});

	it('is bounded: past the cap the oldest entries go, and expired ones are swept when storing', () => {
		const small = new TokenStore(() => clock, 3);
		for (const name of ['a', 'b', 'c', 'd']) small.put(name, token(name, clock, 3600));
		expect(small.usable('a')).toBeUndefined();
		expect(['b', 'c', 'd'].map((name) => small.usable(name)?.token)).toEqual(['b', 'c', 'd']);
		for (let i = 0; i < 5; i++) small.refuse('x', `refused-${i}`);
		expect(small.isRefused('refused-0')).toBe(false);
		expect(small.isRefused('refused-4')).toBe(true);
		clock += 2 * 3600_000;
		small.put('e', token('e', clock, 3600));
		// b, c, d expired an hour ago: swept, not merely hidden.
		expect((small as unknown as { tokens: Map<string, unknown> }).tokens.size).toBe(1);
	});

	it('keeps keys apart and forgets nothing when a fetch fails', async () => {
		await store.obtain('a', async () => token('a1', clock, 3600));
		await expect(store.obtain('b', async () => Promise.reject(new Error('down')))).rejects.toThrow(
			'down',
		);
		expect(store.held('a')?.token).toBe('a1');
		expect(store.held('b')).toBeUndefined();
		// The failed request is not cached: the next caller tries again.
		expect((await store.obtain('b', async () => token('b1', clock, 3600))).token).toBe('b1');
	});
});

describe('TokenStore: a refused login is remembered', () => {
	const refusedError = new Error('refused');
	const rules = (tryAnyway = false) => ({
		isRefusal: (error: unknown) => error === refusedError,
		whileRefused: (_error: unknown, nextTryMs: number) => new Error(`wait until ${nextTryMs}`),
		tryAnyway,
	});

	it('sends refused values once, answers every caller in the back-off at once, and backs off 1, 2, 4, 8, then 15 minutes', async () => {
		let calls = 0;
		const refuse = async (): Promise<IssuedToken> => {
			calls++;
			throw refusedError;
		};
		const first = await Promise.allSettled(
			Array.from(
				{ length: 25 },
				async () => await store.obtain('k', refuse, { refusals: rules() }),
			),
		);
		expect(calls).toBe(1);
		expect(first.every((r) => r.status === 'rejected' && r.reason === refusedError)).toBe(true);
		const waits: number[] = [];
		for (const expected of REFUSAL_BACKOFF_MS.concat(REFUSAL_BACKOFF_MS.at(-1)!)) {
			const before = calls;
			await expect(store.obtain('k', refuse, { refusals: rules() })).rejects.toThrow(
				`wait until ${clock + expected}`,
			);
			expect(calls).toBe(before);
			clock += expected - 1;
			await expect(store.obtain('k', refuse, { refusals: rules() })).rejects.toThrow(/wait until/);
			clock += 1;
			await expect(store.obtain('k', refuse, { refusals: rules() })).rejects.toBe(refusedError);
			expect(calls).toBe(before + 1);
			waits.push(expected);
		}
		expect(waits.map((ms) => ms / 60_000)).toEqual([1, 2, 4, 8, 15, 15]);
	});

	it('other failures (an outage, a timeout) are not remembered; other settings are not held back', async () => {
		let calls = 0;
		const outage = async (): Promise<IssuedToken> => {
			calls++;
			throw new Error('HTTP 503');
		};
		await expect(store.obtain('k', outage, { refusals: rules() })).rejects.toThrow('HTTP 503');
		await expect(store.obtain('k', outage, { refusals: rules() })).rejects.toThrow('HTTP 503');
		expect(calls).toBe(2);
		await expect(
			store.obtain('k', async () => await Promise.reject(refusedError), { refusals: rules() }),
		).rejects.toBe(refusedError);
		expect(
			(await store.obtain('other', async () => token('t', clock, 3600), { refusals: rules() }))
				.token,
		).toBe('t');
	});

	it('a Test tries at once, and a login that succeeds ends the back-off', async () => {
		await expect(
			store.obtain('k', async () => await Promise.reject(refusedError), { refusals: rules() }),
		).rejects.toBe(refusedError);
		expect(
			(await store.obtain('k', async () => token('t1', clock, 3600), { refusals: rules(true) }))
				.token,
		).toBe('t1');
		expect(store.refusalOf('k')).toBeUndefined();
		await expect(
			store.guarded('k', rules(), async () => await Promise.reject(refusedError)),
		).rejects.toBe(refusedError);
		await expect(store.guarded('k', rules(), async () => 'second try')).rejects.toThrow(
			/wait until/,
		);
	});
});

describe('TokenStore: refresh tokens', () => {
	it('hands the newest refresh token to the next fetch, after its access token has expired, and never a refused one', async () => {
		const seen: Array<string | undefined> = [];
		let n = 0;
		const fetch = async (refresh?: { refreshToken: string }) => {
			seen.push(refresh?.refreshToken);
			n++;
			return { ...token(`t${n}`, clock, 600), refreshToken: `r${n}` };
		};
		await store.obtain('k', fetch);
		clock += 3 * 3600_000;
		await store.obtain('k', fetch);
		// The credential holds a newer one (another process rotated it): that one is used.
		clock += 3 * 3600_000;
		const saved = { ...token('t-saved', clock - 7200_000, 600), refreshToken: 'r-saved' };
		await store.obtain('k', fetch, { known: saved });
		store.dropRefreshToken('k', 'r3');
		clock += 3 * 3600_000;
		await store.obtain('k', fetch, { known: { ...saved, refreshToken: 'r3' } });
		expect(seen).toEqual([undefined, 'r1', 'r-saved', undefined]);
	});
});
