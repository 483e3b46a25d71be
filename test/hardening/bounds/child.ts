/**
 * Run by bounds.test.ts in a child process of its own, so that its memory can be measured
 * alone: token calls against sandbox answers that flood or trickle, through n8n's own HTTP
 * client (the legacy helper for Sirdata's GET-with-body, as a node has it). Prints one JSON
 * line: for each call, the error's message and how far the process's peak memory had risen
 * above what it used before the first call.
 *
 *   node --import tsx test/hardening/bounds/child.ts <vendor> <credential data as JSON> token request:2000
 */
import { requesterFrom, sendVendorRequest } from '../../../nodes/shared/http';
import { obtainToken } from '../../../nodes/shared/obtainToken';
import { providers, type VendorId } from '../../../nodes/shared/providers';
import { n8nRequestHelpers } from '../../helpers/n8n';

async function main(): Promise<void> {
	const [vendor, data, ...calls] = process.argv.slice(2) as [VendorId, string, ...string[]];
	const provider = providers[vendor];
	const credentials = JSON.parse(data) as Record<string, string>;
	const helpers = requesterFrom(n8nRequestHelpers());
	const before = process.memoryUsage().rss;
	const results: Array<{ message: string; growthBytes: number }> = [];
	// One call after the other, each `token` (the token path) or `request:<timeout ms>` (the helper alone).
	for (const call of calls) {
		const timeout = call.startsWith('request:') ? Number(call.slice('request:'.length)) : undefined;
		const sent =
			timeout === undefined
				? obtainToken(helpers, provider, credentials)
				: sendVendorRequest(
						helpers,
						{ vendor: provider.displayName, step: 'token request', setting: 'base URL' },
						{ ...provider.tokenRequest(provider.readFields(credentials)), timeout },
						1,
					);
		const message = await sent.then(
			() => 'no error',
			(error: unknown) => (error as Error).message,
		);
		// The peak so far: after the second call it bounds both.
		results.push({
			message,
			growthBytes: Math.max(0, process.resourceUsage().maxRSS * 1024 - before),
		});
	}
	console.log(JSON.stringify(results));
}

main().then(
	() => process.exit(0),
	(error: unknown) => {
		console.error(error);
		process.exit(1);
	},
);
