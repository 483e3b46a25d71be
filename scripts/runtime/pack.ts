import { execFileSync } from 'child_process';
import * as path from 'path';

import { npmFreeEnv } from './n8nInstall';

const ROOT = path.resolve(__dirname, '../..');

/** What `npm pack --json` says of the tarball, with its full path. */
export interface PackResult {
	tarball: string;
	size: number;
	unpackedSize: number;
	entryCount: number;
	files: Array<{ path: string; size: number }>;
}

/**
 * `npm pack` of the built package into `into`, as it would be published. Shared by the
 * real-n8n suite, `npm start`, the benchmarks and the scanner script.
 */
export function packPackage(into: string): PackResult {
	return packFolder(ROOT, into);
}

/**
 * `npm pack` of the package in `folder` into `into` (also the benchmark's throw-away package).
 * Run outside npm's own environment so an `npm run` around it cannot change what is packed.
 */
export function packFolder(folder: string, into: string): PackResult {
	const output = execFileSync(
		'npm',
		['pack', '--json', '--ignore-scripts', '--pack-destination', into],
		{
			cwd: folder,
			env: npmFreeEnv(),
			encoding: 'utf8',
			stdio: ['ignore', 'pipe', 'pipe'],
		},
	);
	const [result] = JSON.parse(output) as Array<Omit<PackResult, 'tarball'> & { filename: string }>;
	return { ...result, tarball: path.join(into, path.basename(result.filename)) };
}
