// The progress line of a long npm install (scripts/runtime/n8nInstall.ts) moves every
// heartbeat even when npm's numbers do not, and says for how long nothing changed and what npm
// did last. No network: the unit tests feed npm's log lines by hand, and the run test starts a
// stand-in "node" that prints npm's lines, stalls like a large download, and grows the cache.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { activity, Heartbeat, npm, NpmProgress } from '../../scripts/runtime/n8nInstall';

const T0 = 1_000_000;

describe('Heartbeat: the line printed every 15 s', () => {
	it('moves with the elapsed time and, once nothing changed for a heartbeat, says for how long and what npm did last', () => {
		const progress = new NpmProgress(T0);
		const beat = new Heartbeat('n8n@2.40.7 install', progress, T0);
		expect(beat.line(T0 + 15_000)).toBe(
			'  n8n@2.40.7 install: 15 s, starting; no change for 15 s (npm has logged nothing yet)',
		);

		progress.see(
			'npm http fetch GET 200 https://registry.npmjs.org/@n8n%2fconfig 20ms (cache miss)',
			T0 + 16_000,
		);
		progress.see(
			'npm silly placeDep ROOT @n8n/config@2.1.0 OK for: n8n@2.40.7 want: 2.1.0',
			T0 + 17_000,
		);
		expect(beat.line(T0 + 30_000)).toBe(
			'  n8n@2.40.7 install: 30 s, resolving the dependency tree: 1 package manifests fetched, 1 packages placed',
		);

		progress.see('npm silly reify moves {}', T0 + 40_000);
		progress.see(
			'npm http cache big@https://registry.npmjs.org/big/-/big-1.0.0.tgz 0ms (cache hit)',
			T0 + 40_500,
		);
		progress.see(
			'npm silly tarball no local data for big@https://registry.npmjs.org/big/-/big-1.0.0.tgz. Extracting by manifest.',
			T0 + 41_000,
		);
		beat.sample({ writtenKb: 11 * 1024, cacheGrowthKb: 40 * 1024 }, T0 + 42_000);
		expect(beat.line(T0 + 45_000)).toBe(
			"  n8n@2.40.7 install: 45 s, unpacking: 0 of about 1 packages fetched or read from npm's cache, 11 MB written to node_modules so far, npm's cache grew by 40 MB",
		);
		// The same numbers 30 s later: the line still moves, and says why it may be quiet.
		beat.sample({ writtenKb: 11 * 1024, cacheGrowthKb: 40 * 1024 }, T0 + 70_000);
		expect(beat.line(T0 + 72_000)).toBe(
			"  n8n@2.40.7 install: 72 s, unpacking: 0 of about 1 packages fetched or read from npm's cache, 11 MB written to node_modules so far, npm's cache grew by 40 MB; " +
				"no change for 30 s (npm's last line, 31 s ago: asked the registry for big's tarball; npm logs a tarball only once its download has ended)",
		);
		// The cache growing while npm logs nothing (a large tarball streaming in) is a change.
		beat.sample({ cacheGrowthKb: 90 * 1024 }, T0 + 80_000);
		expect(beat.line(T0 + 87_000)).toMatch(/87 s, unpacking: .*npm's cache grew by 90 MB$/);
		expect(beat.line(T0 + 95_000)).toMatch(
			/npm's cache grew by 90 MB; no change for 15 s \(npm's last line, 54 s ago/,
		);
	});

	it('tells a compile that prints nothing from a hang', () => {
		const progress = new NpmProgress(T0);
		const beat = new Heartbeat('n8n@2.40.7 rebuild', progress, T0);
		progress.see(
			"npm info run isolated-vm@7.0.1 install node_modules/isolated-vm node-gyp-build 'node-gyp rebuild -j 4 --release -v'",
			T0 + 1000,
		);
		expect(beat.line(T0 + 45_000)).toBe(
			"  n8n@2.40.7 rebuild: 45 s, install scripts: building isolated-vm; no change for 44 s (npm's last line, 44 s ago: started isolated-vm@7.0.1's install script; a script says nothing until it ends)",
		);
	});

	it("shortens npm's lines to what npm did", () => {
		expect(
			activity(
				'npm http fetch GET 200 https://registry.npmjs.org/@n8n/config/-/config-2.1.0.tgz 812ms (cache miss)',
			),
		).toBe('downloaded config-2.1.0.tgz (200)');
		expect(
			activity(
				'npm http fetch GET 200 https://registry.npmjs.org/@ai-sdk%2fanthropic 153ms (cache miss)',
			),
		).toBe('fetched the manifest of @ai-sdk/anthropic (200)');
		expect(
			activity(
				'npm http cache uri-js@https://registry.npmjs.org/uri-js/-/uri-js-4.4.1.tgz 0ms (cache hit)',
			),
		).toBe("read uri-js from npm's cache");
		expect(activity('npm info run sqlite3@5.1.7 install { code: 0, signal: null }')).toBe(
			"sqlite3@5.1.7's install script ended (exit 0)",
		);
		expect(activity(`npm verbose ${'x'.repeat(200)}`)).toHaveLength(100);
	});
});

describe('npm(): a stalled install still prints a line every heartbeat', () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'install-progress-'));
	afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

	it('prints the stall, the cache growing under it, and the closing line', async () => {
		const cache = path.join(dir, 'npm-cache');
		fs.mkdirSync(path.join(cache, '_cacache', 'tmp'), { recursive: true });
		const work = path.join(dir, 'work');
		fs.mkdirSync(work);
		// A stand-in for Node 24 running npm-cli.js: it answers `config get cache`, then logs like
		// `npm install` with a cache miss, stalls on one "large tarball", which streams 3 MB into
		// the cache after a while, and ends as npm does.
		const fakeNode = path.join(dir, 'node');
		fs.writeFileSync(
			fakeNode,
			[
				'#!/bin/sh',
				`case " $* " in *" config get cache "*) echo "${cache}"; exit 0;; esac`,
				'echo "npm silly placeDep ROOT big@1.0.0 OK for:  want: 1.0.0"',
				'echo "npm silly reify moves {}"',
				'echo "npm http cache big@https://registry.npmjs.org/big/-/big-1.0.0.tgz 0ms (cache hit)"',
				'echo "npm silly tarball no local data for big@https://registry.npmjs.org/big/-/big-1.0.0.tgz. Extracting by manifest." >&2',
				'sleep 1.5',
				`head -c 3000000 /dev/zero > "${cache}/_cacache/tmp/big"`,
				'sleep 1.5',
				'echo "npm http fetch GET 200 https://registry.npmjs.org/big/-/big-1.0.0.tgz 3000ms (cache miss)" >&2',
				'echo "added 1 package in 3s"',
			].join('\n'),
			{ mode: 0o755 },
		);
		const lines: string[] = [];
		await npm(['install', 'big'], {
			cwd: work,
			log: (line) => lines.push(line),
			label: 'big install',
			nodeBin: fakeNode,
			heartbeatMs: 300,
		});
		const beats = lines.filter((line) => /^ {2}big install: \d+ s, /.test(line));
		// About ten heartbeats in 3 s; on a loaded machine fewer, never none.
		expect(beats.length).toBeGreaterThanOrEqual(4);
		expect(
			beats.some((line) =>
				/unpacking: 0 of about 1 packages.*; no change for \d+ s \(npm's last line, \d+ s ago: asked the registry for big's tarball; npm logs a tarball only once its download has ended\)$/.test(
					line,
				),
			),
		).toBe(true);
		expect(beats.some((line) => /npm's cache grew by 3 MB/.test(line))).toBe(true);
		expect(lines[lines.length - 1]).toMatch(
			/^ {2}big install: done after \d+ s: added 1 package in 3s; npm printed no warnings, see .*npm\.log$/,
		);
		expect(fs.readFileSync(path.join(work, 'npm.log'), 'utf8')).toContain(
			'tarball no local data for big@',
		);
	}, 30_000);
});
