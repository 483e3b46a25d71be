/**
 * The dev tools (scripts/: npm start, the vendor sandbox, the install check) are what the tests
 * and benchmarks build on, never the other way round: nothing in scripts/ imports test/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = join(__dirname, '..', '..');

function sources(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
		const path = join(dir, entry.name);
		if (entry.isDirectory()) return sources(path);
		return /\.(ts|mjs|js)$/.test(entry.name) ? [path] : [];
	});
}

it('nothing in scripts/ imports test/', () => {
	const upward: string[] = [];
	for (const file of sources(join(ROOT, 'scripts'))) {
		const text = readFileSync(file, 'utf8');
		for (const match of text.matchAll(/(?:from\s+|require\(|import\()\s*'(\.[^']*)'/g)) {
			const target = relative(ROOT, resolve(dirname(file), match[1]));
			if (target === 'test' || target.startsWith('test/'))
				upward.push(`${relative(ROOT, file)} imports ${target}`);
		}
	}
	expect(upward).toEqual([]);
});
