// Pre-warms the n8n cache: `npx tsx scripts/runtime/install-cli.ts [version...]`.
import { cacheRoot, ensureN8n } from './n8nInstall';

const DEFAULT_VERSIONS = ['2.40.7', '1.123.81'];

async function main(): Promise<void> {
	const versions = process.argv.length > 2 ? process.argv.slice(2) : DEFAULT_VERSIONS;
	const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
	log(`cache: ${cacheRoot()}`);
	// One after the other: two parallel installs of ~3 GB each only fight for 2 cores and disk.
	for (const version of versions) {
		const { nodeBin, n8nMain, dir } = await ensureN8n(version, log);
		log(`n8n@${version}: ${nodeBin} ${n8nMain} (${dir})`);
	}
}

main().catch((error: unknown) => {
	console.error(error instanceof Error ? error.message : error);
	process.exit(1);
});
