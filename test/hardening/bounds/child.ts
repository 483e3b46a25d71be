/**
 * Run by bounds.test.ts in a child process of its own, so that its memory can be measured
 * alone: one token call against a sandbox answer that floods or trickles, through n8n's own
 * HTTP client (the legacy helper for Sirdata's GET-with-body, as a node has it). Prints one
 * JSON line: the error's message and how far the process's peak memory rose above what it
 * used before the call.
 *
 *   tsx test/hardening/bounds/child.ts <vendor> <credential data as JSON> [timeout ms]
 */
import { requesterFrom, sendVendorRequest } from '../../../nodes/shared/http';
import { obtainToken } from '../../../nodes/shared/obtainToken';
import { providers, type VendorId } from '../../../nodes/shared/providers';
import { n8nRequestHelpers } from '../../helpers/n8n';

async function main(): Promise<void> {
	const [vendor, data, timeout] = process.argv.slice(2) as [VendorId, string, string | undefined];
	const provider = providers[vendor];
	const credentials = JSON.parse(data) as Record<string, string>;
	const helpers = requesterFrom(n8nRequestHelpers());
	const before = process.memoryUsage().rss;
	const call =
		timeout === undefined
			? obtainToken(helpers, provider, credentials)
			: sendVendorRequest(helpers, { vendor: provider.displayName, step: 'token request', setting: 'base URL' }, { ...provider.tokenRequest(provider.readFields(credentials)), timeout: Number(timeout) }, 1);
	const message = await call.then(
		() => 'no error',
		(error: unknown) => (error as Error).message,
	);
	const peak = process.resourceUsage().maxRSS * 1024;
	console.log(JSON.stringify({ message, growthBytes: Math.max(0, peak - before), beforeBytes: before }));
}

main().then(
	() => process.exit(0),
	(error: unknown) => {
		console.error(error);
		process.exit(1);
	},
);
