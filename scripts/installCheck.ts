/**
 * `npm run test:install`: the README's Install commands, run exactly as written, and what each
 * install leaves behind, loaded by a real n8n.
 *
 * Three routes, each into a fresh home folder (`~` of the commands, so also a fresh, empty npm
 * cache and no ~/.npmrc):
 * - the README's manual install on the Node this runs on (Node 20 on these machines and CI);
 * - the same on Node 24 (what n8n 2.x runs on);
 * - n8n's own editor install (Settings → Community Nodes), simulated: the tarball unpacked into
 *   ~/.n8n/nodes/node_modules/<name>, its package.json without devDependencies,
 *   peerDependencies and optionalDependencies, then npm install with n8n's flags inside it.
 * Each must install this package alone: `added 1 package`, no n8n-workflow and no isolated-vm in
 * node_modules, no package tarball downloaded. Then n8n 2.40.7 and 1.123.81 (both on Node 24,
 * scripts/runtime) start on a fresh copy of that install, get their owner, and must list
 * `n8n-nodes-token-auth.getToken` and `.autosharesTrader` among their node types.
 *
 * One PASS/FAIL line per check and the closing line `N passed, N failed`; exit 1 on a failure.
 *
 *   npm run test:install                    # n8n 2.40.7 and 1.123.81
 *   npm run test:install -- --n8n 2.40.7    # one version
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import {
	assert,
	check,
	closingLine,
	couldNotRun,
	log,
	tally,
	versionsToRun,
} from './runtime/checks';
import { spawnTied } from './runtime/lifetime';
import { N8nClient } from './runtime/n8nClient';
import { ensureNode24, npmFreeEnv } from './runtime/n8nInstall';
import { startN8n } from './runtime/n8nProcess';
import { packPackage } from './runtime/pack';

const ROOT = path.resolve(__dirname, '..');
const MANIFEST = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
	name: string;
	version: string;
};
const PACKAGE = MANIFEST.name;
const DEFAULT_VERSIONS = ['2.40.7', '1.123.81'];
const NODE_TYPES = ['getToken', 'autosharesTrader'];
/** What the package must not bring along: the host's n8n-workflow is the one it uses. */
const MUST_NOT_INSTALL = ['n8n-workflow', 'isolated-vm'];
const INSTALL_TIMEOUT_MS = 5 * 60_000;

/**
 * README.md's Install section quotes these lines verbatim (the first check compares). They run
 * with `bash -e` in the folder where `npm pack` wrote the tarball, with HOME a fresh folder.
 */
export const INSTALL_COMMANDS = [
	`TARBALL="$PWD/${PACKAGE}-${MANIFEST.version}.tgz"`,
	'mkdir -p ~/.n8n/nodes && cd ~/.n8n/nodes',
	'[ -f package.json ] || npm init -y >/dev/null',
	'npm install "$TARBALL"',
];

/** What n8n's community-packages service passes to `npm install` (2.40.7 and 1.123.81 alike). */
const EDITOR_INSTALL_ARGS = [
	'install',
	'--audit=false',
	'--fund=false',
	'--bin-links=false',
	'--install-strategy=shallow',
	'--ignore-scripts=true',
	'--package-lock=false',
];

interface Route {
	name: string;
	/** The Node that runs npm (first on PATH). */
	nodeBin: string;
	/** Installs the tarball into <home>/.n8n/nodes; returns npm's output. */
	install(home: string, tarball: string, nodeBin: string): Promise<string>;
}

/** The environment of a user whose home is `home`, running npm on `nodeBin`. */
function userEnv(home: string, nodeBin: string): Record<string, string> {
	// No npm_config_* from an `npm run` around this (the project's .npmrc says ignore-scripts),
	// none of the project's node_modules/.bin: a user's shell in their own home.
	const env = npmFreeEnv();
	const pathDirs = (process.env.PATH ?? '')
		.split(path.delimiter)
		.filter((dir) => dir && !dir.includes(`${path.sep}node_modules${path.sep}`));
	return { ...env, HOME: home, PATH: [path.dirname(nodeBin), ...pathDirs].join(path.delimiter) };
}

function run(
	command: string,
	args: string[],
	cwd: string,
	env: Record<string, string>,
	label = `${command} ${args.join(' ')}`,
): Promise<string> {
	return new Promise((resolve, reject) => {
		const child = spawnTied(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
		let output = '';
		child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
		child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
		const timer = setTimeout(() => child.kill('SIGKILL'), INSTALL_TIMEOUT_MS);
		child.on('error', (error) => {
			clearTimeout(timer);
			reject(error);
		});
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			if (code === 0) return resolve(output);
			const lines = output.split('\n').filter((line) => line.trim());
			const shown =
				lines.length > 12
					? [...lines.slice(0, 8), `… ${lines.length - 10} more lines …`, ...lines.slice(-2)]
					: lines;
			reject(
				new Error(`${label} failed (${signal ?? `exit ${code}`}) in ${cwd}:\n${shown.join('\n')}`),
			);
		});
	});
}

/** The README's commands, verbatim, in the tarball's folder. */
async function readmeInstall(home: string, tarball: string, nodeBin: string): Promise<string> {
	return await run(
		'bash',
		['-e', '-c', INSTALL_COMMANDS.join('\n')],
		path.dirname(tarball),
		userEnv(home, nodeBin),
		"the README's install commands",
	);
}

/** n8n's editor install (CommunityPackagesService.downloadPackage), after its `npm pack`. */
async function editorInstall(home: string, tarball: string, nodeBin: string): Promise<string> {
	const nodesDir = path.join(home, '.n8n', 'nodes');
	const packageDir = path.join(nodesDir, 'node_modules', PACKAGE);
	fs.mkdirSync(packageDir, { recursive: true });
	fs.writeFileSync(
		path.join(nodesDir, 'package.json'),
		JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} }, null, 2),
	);
	execFileSync('tar', ['-xzf', tarball, '-C', packageDir, '--strip-components=1']);
	const manifestPath = path.join(packageDir, 'package.json');
	const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as Record<string, unknown>;
	for (const key of ['devDependencies', 'peerDependencies', 'optionalDependencies'])
		delete manifest[key];
	fs.writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
	const output = await run('npm', EDITOR_INSTALL_ARGS, packageDir, userEnv(home, nodeBin));
	const nodesManifest = JSON.parse(
		fs.readFileSync(path.join(nodesDir, 'package.json'), 'utf8'),
	) as { dependencies: Record<string, string> };
	nodesManifest.dependencies[PACKAGE] = MANIFEST.version;
	fs.writeFileSync(path.join(nodesDir, 'package.json'), JSON.stringify(nodesManifest, null, 2));
	return output;
}

/** Every package folder under a node_modules tree (scoped ones as @scope/name). */
function packagesUnder(nodeModules: string): string[] {
	const found: string[] = [];
	const walk = (dir: string) => {
		if (!fs.existsSync(dir)) return;
		for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
			if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
			const scoped = entry.name.startsWith('@');
			const names = scoped
				? fs.readdirSync(path.join(dir, entry.name)).map((name) => `${entry.name}/${name}`)
				: [entry.name];
			for (const name of names) {
				found.push(name);
				walk(path.join(dir, name, 'node_modules'));
			}
		}
	};
	walk(nodeModules);
	return found;
}

function sizeOf(dir: string): number {
	let total = 0;
	for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) total += sizeOf(full);
		else if (entry.isFile()) total += fs.statSync(full).size;
	}
	return total;
}

/** The registry requests npm's cache (under the fresh home) holds: metadata and tarballs. */
function registryFetches(home: string): { metadata: string[]; tarballs: string[] } {
	const index = path.join(home, '.npm', '_cacache', 'index-v5');
	const keys: string[] = [];
	const walk = (dir: string) => {
		if (!fs.existsSync(dir)) return;
		for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
			const full = path.join(dir, entry.name);
			if (entry.isDirectory()) walk(full);
			else
				for (const line of fs.readFileSync(full, 'utf8').split('\n')) {
					const json = line.slice(line.indexOf('\t') + 1);
					try {
						keys.push((JSON.parse(json) as { key: string }).key);
					} catch {
						// a torn line
					}
				}
		}
	};
	walk(index);
	const requests = keys
		.filter((key) => key.startsWith('make-fetch-happen:request-cache:'))
		.map((key) => key.slice('make-fetch-happen:request-cache:'.length));
	return {
		tarballs: requests.filter((url) => /\.tgz(\?|$)/.test(url)),
		metadata: requests
			.filter((url) => !/\.tgz(\?|$)/.test(url))
			.map((url) => decodeURIComponent(url.split('/').pop() ?? url)),
	};
}

/** What the install left: this package alone. Returns the PASS detail. */
function assertInstalledAlone(home: string, output: string): string {
	const nodesDir = path.join(home, '.n8n', 'nodes');
	const nodeModules = path.join(nodesDir, 'node_modules');
	const added = output
		.split('\n')
		.map((line) => line.trim())
		.find((line) => /^(added|up to date|changed)\b/.test(line));
	const packages = packagesUnder(nodeModules);
	const unwanted = packages.filter((name) => MUST_NOT_INSTALL.includes(name));
	assert(
		unwanted.length === 0,
		`installed ${unwanted.join(' and ')} too (npm said: ${added ?? 'nothing'}); all packages: ${packages.length}`,
	);
	assert(
		packages.length === 1 && packages[0] === PACKAGE,
		`node_modules holds ${packages.length} packages, not ${PACKAGE} alone: ${packages.slice(0, 10).join(', ')}`,
	);
	assert(
		fs.existsSync(path.join(nodeModules, PACKAGE, 'dist', 'nodes', 'GetToken', 'GetToken.node.js')),
		`${PACKAGE}'s dist/ is not there`,
	);
	const dependencies =
		(
			JSON.parse(fs.readFileSync(path.join(nodesDir, 'package.json'), 'utf8')) as {
				dependencies?: Record<string, string>;
			}
		).dependencies ?? {};
	assert(
		PACKAGE in dependencies,
		`${nodesDir}/package.json does not list ${PACKAGE}: ${JSON.stringify(dependencies)}`,
	);
	const { metadata, tarballs } = registryFetches(home);
	assert(tarballs.length === 0, `npm downloaded package tarballs: ${tarballs.join(', ')}`);
	const size = sizeOf(nodeModules);
	const meta =
		metadata.length > 0
			? `, registry metadata only (${metadata.join(', ')})`
			: ', nothing from the registry';
	return `${added ?? 'npm said nothing'}; node_modules ${Math.round(size / 1024)} KB, ${PACKAGE} alone (no ${MUST_NOT_INSTALL.join(', no ')}); no tarball downloaded${meta}`;
}

/** Starts n8n on a copy of `home` (a fresh database each time) and checks the node types. */
async function checkLoads(home: string, version: string, work: string): Promise<string> {
	const userFolder = fs.mkdtempSync(path.join(work, `n8n-${version}-`));
	fs.cpSync(path.join(home, '.n8n', 'nodes'), path.join(userFolder, '.n8n', 'nodes'), {
		recursive: true,
	});
	const n8n = await startN8n({ version, userFolder, log });
	try {
		const client = new N8nClient(n8n.baseUrl);
		await client.setupOwner();
		const names = new Set((await client.nodeTypes()).map((type) => type.name));
		const expected = NODE_TYPES.map((name) => `${PACKAGE}.${name}`);
		const missing = expected.filter((name) => !names.has(name));
		assert(missing.length === 0, `not loaded: ${missing.join(', ')} (n8n's log: ${n8n.logFile})`);
		return `${expected.join(' and ')} loaded`;
	} finally {
		await n8n.stop();
	}
}

/** README.md's Install section holds INSTALL_COMMANDS as consecutive lines of one code block. */
function readmeQuotesCommands(): string {
	const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
	const begin = readme.indexOf('\n## Install\n');
	assert(begin !== -1, 'README.md has no "## Install" section');
	const end = readme.indexOf('\n## ', begin + 1);
	const section = readme.slice(begin, end === -1 ? undefined : end);
	const lines = section.split('\n').map((line) => line.replace(/\s+#.*$/, '').trimEnd());
	const start = lines.indexOf(INSTALL_COMMANDS[0]);
	assert(start !== -1, `README's Install section has no line \`${INSTALL_COMMANDS[0]}\``);
	const quoted = lines.slice(start, start + INSTALL_COMMANDS.length);
	assert(
		JSON.stringify(quoted) === JSON.stringify(INSTALL_COMMANDS),
		`README's Install section says\n${quoted.join('\n')}\nbut the check runs\n${INSTALL_COMMANDS.join('\n')}`,
	);
	return `${INSTALL_COMMANDS.length} lines`;
}

async function main(): Promise<void> {
	const versions = versionsToRun(DEFAULT_VERSIONS);
	const work = fs.mkdtempSync(path.join(os.tmpdir(), 'token-auth-install-'));
	try {
		await check("README.md's Install section quotes the commands this check runs", async () =>
			readmeQuotesCommands(),
		);

		if (!fs.existsSync(path.join(ROOT, 'dist')))
			execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
		const packDir = path.join(work, 'pack');
		fs.mkdirSync(packDir);
		const { tarball, size } = packPackage(packDir);
		log(`packed ${path.basename(tarball)} (${Math.round(size / 1024)} KB)`);

		const node24 = (await ensureNode24(log)).nodeBin;
		const current = process.execPath;
		const routes: Route[] = [
			{
				name: `README install, npm on Node ${process.version}`,
				nodeBin: current,
				install: readmeInstall,
			},
			{ name: 'README install, npm on Node 24', nodeBin: node24, install: readmeInstall },
			{
				name: "n8n's editor install (simulated), npm on Node 24",
				nodeBin: node24,
				install: editorInstall,
			},
		];
		for (const route of routes) {
			console.log(`\n== ${route.name}`);
			const home = path.join(work, route.name.replace(/\W+/g, '-').toLowerCase());
			fs.mkdirSync(home);
			const installed = await check(`${route.name}: installs ${PACKAGE} alone`, async () => {
				const nodeVersion = execFileSync(route.nodeBin, ['--version'], { encoding: 'utf8' }).trim();
				log(`npm on Node ${nodeVersion}, HOME=${home}`);
				const output = await route.install(home, tarball, route.nodeBin);
				return assertInstalledAlone(home, output);
			});
			if (!installed) continue;
			for (const version of versions) {
				await check(
					`${route.name}: n8n ${version} loads the nodes`,
					async () => await checkLoads(home, version, work),
				);
			}
		}
	} finally {
		// Kept after a failure: n8n's logs and the installed folders are in it.
		if (tally.failed === 0) fs.rmSync(work, { recursive: true, force: true });
		else log(`kept for a look: ${work}`);
	}
}

main()
	.catch((error: unknown) => couldNotRun('the install check', error))
	.finally(() => process.exit(closingLine()));
