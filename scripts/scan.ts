/**
 * `npm run scan`: n8n's verification scanner (`@n8n/scan-community-package`), run locally, and a
 * check of what `npm pack` would publish.
 *
 * Three targets, each with its findings and a summary line:
 * 1. the source tree (package.json, nodes/, credentials/), with the scanner's own source patterns;
 * 2. the packed tarball, unpacked, with the patterns the scanner uses for it (`**\/*.js`, package.json);
 * 3. the tarball's contents: only package.json, README.md, LICENSE and dist/; every credential and
 *    node package.json names is shipped, loads, and has its icons (and, for nodes, its codex).
 *
 * Only the scanner's `analyzePackage` is used: its command line downloads the published package
 * and its provenance from npm and GitHub, which a local check must not do. Exits 1 on any finding.
 * `dist/` is built only when missing (CI builds just before); run `npm run build` to refresh it.
 */
import { execFileSync, spawnSync } from 'child_process';
import {
	existsSync,
	mkdirSync,
	mkdtempSync,
	readFileSync,
	readdirSync,
	rmSync,
	symlinkSync,
} from 'fs';
import { createRequire } from 'module';
import { tmpdir } from 'os';
import path from 'path';
import { pathToFileURL } from 'url';
import { stripVTControlCharacters } from 'util';

import { packPackage } from './runtime/pack';

const ROOT = path.resolve(__dirname, '..');
const SCANNER_MODULE = '@n8n/scan-community-package/scanner/scanner.mjs';
/** What the scanner lints in a published package (see analyzePackageByName in scanner.mjs). */
const TARBALL_PATTERNS = ['**/*.js', 'package.json'];
/**
 * Outside dist/, only these ship. Source maps and .d.ts files in dist/ are fine: they hold no
 * code n8n runs and the scanner reads only .js (the maps point at .ts sources that stay out).
 */
const TOP_LEVEL_FILES = new Set(['package.json', 'README.md', 'LICENSE']);
const TEST_FILE = /(^|\/)(__tests__|tests?)\/|\.(test|spec)\.[cm]?[jt]s(\.map)?$/;
const DEPENDENCY_FIELDS = [
	'dependencies',
	'optionalDependencies',
	'bundleDependencies',
	'bundledDependencies',
];
/**
 * What an n8n install lends a community package at run time: its peer dependency n8n-workflow,
 * and luxon and lodash beside it (the only libraries the community rules allow importing).
 */
const RUNTIME_MODULES = ['n8n-workflow', 'luxon', 'lodash'];

interface ScanResult {
	passed: boolean;
	message?: string;
	/** ESLint's "stylish" report, when there are violations. */
	details?: string;
}

interface Scanner {
	analyzePackage(dir: string, patterns: string[]): Promise<ScanResult>;
	SOURCE_FILE_PATTERNS: string[];
}

interface Finding {
	file: string;
	line?: number;
	column?: number;
	severity: 'error' | 'warning';
	rule: string;
	message: string;
}

interface PackageJson {
	name: string;
	version: string;
	n8n?: { credentials?: string[]; nodes?: string[] };
	[field: string]: unknown;
}

interface Icons {
	light?: string;
	dark?: string;
}

// ─── scanner ─────────────────────────────────────────────────────────────────────────────────

async function loadScanner(): Promise<{ scanner: Scanner; version: string }> {
	const entry = require.resolve(SCANNER_MODULE);
	const scannerRequire = createRequire(entry);
	// Importing the scanner creates a temp dir (for its download mode); `tmp` removes it at exit
	// only when asked to.
	(scannerRequire('tmp') as { setGracefulCleanup(): void }).setGracefulCleanup();
	const { version } = scannerRequire('../package.json') as { version: string };
	const scanner = (await import(pathToFileURL(entry).href)) as Scanner;
	return { scanner, version };
}

const STYLISH_PROBLEM = /^\s+(\d+):(\d+)\s+(error|warning)\s+(.*?)(?:\s{2,}(\S+))?\s*$/;

/**
 * analyzePackage returns no structured results, only ESLint's stylish text: a line with a file's
 * absolute path, then one indented `line:column  severity  message  rule` line per problem.
 */
function parseStylish(details: string, dir: string): Finding[] {
	const findings: Finding[] = [];
	let file = '';
	for (const line of stripVTControlCharacters(details).split('\n')) {
		const problem = STYLISH_PROBLEM.exec(line);
		if (problem) {
			const [, row, column, severity, message, rule] = problem;
			findings.push({
				file,
				line: Number(row),
				column: Number(column),
				severity: severity as Finding['severity'],
				rule: rule ?? '(parser)',
				message,
			});
		} else if (path.isAbsolute(line.trim())) {
			file = path.relative(dir, line.trim());
		}
	}
	return findings;
}

async function scan(scanner: Scanner, dir: string, patterns: string[]): Promise<Finding[]> {
	const result = await scanner.analyzePackage(dir, patterns);
	if (result.passed && result.message === 'No files found to analyze') {
		return [problem('.', 'scanner/no-files', `no file matches ${patterns.join(', ')}`)];
	}
	if (result.passed) return [];
	const findings = parseStylish(result.details ?? '', dir);
	if (findings.length > 0) return findings;
	// Not a lint report (the analysis itself failed): pass on what the scanner said.
	return [problem('.', 'scanner', [result.message, result.details].filter(Boolean).join('\n'))];
}

// ─── packing ─────────────────────────────────────────────────────────────────────────────────

function run(command: string, args: string[], cwd: string): string {
	const result = spawnSync(command, args, { cwd, encoding: 'utf8' });
	if (result.status !== 0) {
		throw new Error(
			`${command} ${args.join(' ')} failed (exit ${result.status}):\n${result.stderr}${result.stdout}`,
		);
	}
	return result.stdout;
}

function ensureBuilt(): void {
	if (existsSync(path.join(ROOT, 'dist'))) {
		console.log('dist/ exists: packing it as it is (`npm run build` refreshes it).');
		return;
	}
	console.log('dist/ is missing: running `npm run build`.');
	execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
}

/** `npm pack` into `work`, unpacked into `work/package`; returns the tarball's name. */
function packAndUnpack(work: string, packageDir: string): string {
	const { tarball } = packPackage(work);
	mkdirSync(packageDir);
	run('tar', ['-xzf', tarball, '-C', packageDir, '--strip-components=1'], work);
	return path.basename(tarball);
}

/**
 * Lays out `work/node_modules` as an n8n install would around the package, so the unpacked
 * package can be loaded with nothing but what n8n provides.
 */
function provideRuntimeModules(work: string): void {
	const modules = path.join(work, 'node_modules');
	mkdirSync(modules);
	for (const name of RUNTIME_MODULES) {
		const installed = path.join(ROOT, 'node_modules', name);
		if (existsSync(installed)) symlinkSync(installed, path.join(modules, name), 'dir');
	}
}

// ─── tarball contents ────────────────────────────────────────────────────────────────────────

function problem(file: string, rule: string, message: string): Finding {
	return { file, severity: 'error', rule, message };
}

/** Every file under `dir`, as a relative POSIX path. */
function listFiles(dir: string, prefix = ''): string[] {
	return readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
		const relative = path.posix.join(prefix, entry.name);
		return entry.isDirectory() ? listFiles(dir, relative) : [relative];
	});
}

function checkFileList(files: string[]): Finding[] {
	const findings: Finding[] = [];
	for (const file of files) {
		if (!file.startsWith('dist/') && !TOP_LEVEL_FILES.has(file)) {
			findings.push(
				problem(
					file,
					'pack/only-dist',
					'ships, but only package.json, README.md, LICENSE and dist/ should',
				),
			);
		}
		if (TEST_FILE.test(file)) {
			findings.push(problem(file, 'pack/no-test-files', 'a test file ships in the package'));
		}
	}
	return findings;
}

function checkDependencies(pkg: PackageJson): Finding[] {
	return DEPENDENCY_FIELDS.filter((field) => {
		const value = pkg[field];
		return (
			value !== undefined &&
			!(typeof value === 'object' && value && Object.keys(value).length === 0)
		);
	}).map((field) =>
		problem(
			'package.json',
			'pack/no-dependencies',
			`has "${field}": n8n installs community packages with none`,
		),
	);
}

function checkIcons(entry: string, icon: unknown, files: Set<string>): Finding[] {
	if (typeof icon === 'string') {
		return [
			problem(entry, 'pack/icons', `one icon (${icon}) for both themes: give { light, dark }`),
		];
	}
	const { light, dark } = (icon ?? {}) as Icons;
	const findings: Finding[] = [];
	const resolved: string[] = [];
	for (const [theme, value] of [
		['light', light],
		['dark', dark],
	] as const) {
		if (typeof value !== 'string' || !value.startsWith('file:')) {
			findings.push(problem(entry, 'pack/icons', `no ${theme} icon file (file:…)`));
			continue;
		}
		const file = path.posix.normalize(
			path.posix.join(path.posix.dirname(entry), value.slice('file:'.length)),
		);
		resolved.push(file);
		if (!files.has(file))
			findings.push(problem(entry, 'pack/icons', `${theme} icon ${file} is not in the package`));
	}
	if (resolved.length === 2 && resolved[0] === resolved[1]) {
		findings.push(
			problem(entry, 'pack/icons', `light and dark icons are the same file (${resolved[0]})`),
		);
	}
	return findings;
}

function checkCodex(
	entry: string,
	nodeName: unknown,
	pkg: PackageJson,
	packageDir: string,
	files: Set<string>,
): Finding[] {
	const codex = entry.replace(/\.js$/, '.json');
	if (!files.has(codex))
		return [problem(entry, 'pack/codex', `its codex ${codex} is not in the package`)];
	const expected = `${pkg.name}.${String(nodeName)}`;
	const { node } = JSON.parse(readFileSync(path.join(packageDir, codex), 'utf8')) as {
		node?: unknown;
	};
	return node === expected
		? []
		: [problem(codex, 'pack/codex', `"node" is ${JSON.stringify(node)}, expected "${expected}"`)];
}

/** Loads an entry as n8n does: the export named after the file, instantiated. */
function instantiate(packageDir: string, entry: string, suffix: string): Record<string, unknown> {
	const className = path.posix.basename(entry, suffix);
	const exported = createRequire(path.join(packageDir, 'package.json'))(
		path.join(packageDir, entry),
	) as Record<string, unknown>;
	const Class = exported[className];
	if (typeof Class !== 'function') throw new Error(`exports no class named ${className}`);
	return new (Class as new () => Record<string, unknown>)();
}

function checkEntries(pkg: PackageJson, packageDir: string, files: Set<string>): Finding[] {
	const kinds = [
		{ entries: pkg.n8n?.credentials ?? [], suffix: '.credentials.js' },
		{ entries: pkg.n8n?.nodes ?? [], suffix: '.node.js' },
	];
	const findings: Finding[] = [];
	for (const { entries, suffix } of kinds) {
		for (const entry of entries) {
			if (!files.has(entry)) {
				findings.push(
					problem(entry, 'pack/n8n-entries', 'listed in package.json "n8n" but not in the package'),
				);
				continue;
			}
			let instance: Record<string, unknown>;
			try {
				instance = instantiate(packageDir, entry, suffix);
			} catch (error) {
				findings.push(
					problem(entry, 'pack/loads', `does not load: ${(error as Error).message.split('\n')[0]}`),
				);
				continue;
			}
			if (suffix === '.credentials.js') {
				findings.push(...checkIcons(entry, instance.icon, files));
			} else {
				const description = (instance.description ?? {}) as { icon?: unknown; name?: unknown };
				findings.push(...checkIcons(entry, description.icon, files));
				findings.push(...checkCodex(entry, description.name, pkg, packageDir, files));
			}
		}
	}
	return findings;
}

function checkContents(packageDir: string): { files: number; findings: Finding[] } {
	const list = listFiles(packageDir);
	const files = new Set(list);
	const pkg = JSON.parse(
		readFileSync(path.join(packageDir, 'package.json'), 'utf8'),
	) as PackageJson;
	const findings = [
		...checkFileList(list),
		...checkDependencies(pkg),
		...checkEntries(pkg, packageDir, files),
	];
	return { files: list.length, findings };
}

// ─── output ──────────────────────────────────────────────────────────────────────────────────

function formatFinding({ file, line, column, severity, rule, message }: Finding): string {
	const where = line === undefined ? file : `${file}:${line}:${column}`;
	return `  ${where}  ${severity}  ${rule}\n      ${message.split('\n').join('\n      ')}`;
}

/** Prints a target's findings and its summary line; returns whether it passed. */
function report(target: string, findings: Finding[]): boolean {
	findings.forEach((finding) => console.log(formatFinding(finding)));
	const errors = findings.filter((finding) => finding.severity === 'error').length;
	const warnings = findings.length - errors;
	const summary =
		findings.length === 0
			? 'passed, no findings'
			: `FAILED, ${errors} error(s), ${warnings} warning(s)`;
	console.log(`${findings.length === 0 ? '✔' : '✖'} ${target}: ${summary}\n`);
	return findings.length === 0;
}

// ─── main ────────────────────────────────────────────────────────────────────────────────────

async function main(): Promise<boolean> {
	const { scanner, version } = await loadScanner();
	console.log(
		`n8n verification scanner @n8n/scan-community-package ${version}, local analysis (no network)\n`,
	);

	const results: boolean[] = [];
	console.log(`▸ source tree: ${scanner.SOURCE_FILE_PATTERNS.join(', ')}`);
	results.push(report('source tree', await scan(scanner, ROOT, scanner.SOURCE_FILE_PATTERNS)));

	ensureBuilt();
	const work = mkdtempSync(path.join(tmpdir(), 'n8n-scan-'));
	try {
		const packageDir = path.join(work, 'package');
		const tarball = packAndUnpack(work, packageDir);
		console.log(`▸ tarball ${tarball}: ${TARBALL_PATTERNS.join(', ')}`);
		results.push(report('tarball', await scan(scanner, packageDir, TARBALL_PATTERNS)));

		provideRuntimeModules(work);
		const contents = checkContents(packageDir);
		console.log(`▸ tarball contents: ${contents.files} files`);
		results.push(report('tarball contents', contents.findings));
	} finally {
		rmSync(work, { recursive: true, force: true });
	}
	return results.every(Boolean);
}

main().then(
	(passed) => {
		console.log(passed ? 'Scan passed.' : 'Scan failed.');
		process.exitCode = passed ? 0 : 1;
	},
	(error: unknown) => {
		console.error(error);
		process.exitCode = 1;
	},
);
