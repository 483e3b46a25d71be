/**
 * Run by bounds.test.ts in a child process of its own, so that its memory can be measured
 * alone: token calls against sandbox answers that flood or trickle, through n8n's own HTTP
 * client (the legacy helper for Sirdata's GET-with-body, as a node has it). The vendors run side
 * by side, each its calls one after the other. Prints one JSON line: for each vendor, for each
 * call, the error's message and how far the process's peak memory had risen above what it used
 * before the first call (the peak of all vendors together, so it bounds them all at once).
 *
 *   node --import tsx test/hardening/bounds/child.ts '<{"<vendor>": <credential data>, …}>' token request:2000
 */
import { requesterFrom, sendVendorRequest } from '../../../nodes/shared/http';
import { obtainToken } from '../../../nodes/shared/obtainToken';
import { providers, type VendorId } from '../../../nodes/shared/providers';
import { n8nRequestHelpers } from '../../helpers/n8n';

async function main(): Promise<void> {
	const [data, ...calls] = process.argv.slice(2) as [string, ...string[]];
	const credentialsByVendor = JSON.parse(data) as Record<VendorId, Record<string, string>>;
	const helpers = requesterFrom(n8nRequestHelpers());
	const before = process.memoryUsage().rss;
	const peakGrowth = () => Math.max(0, process.resourceUsage().maxRSS * 1024 - before);

	// One vendor's calls, one after the other: `token` (the token path) or `request:<timeout ms>`
	// (the helper alone).
	/** Each call's error message ('no error' when it succeeded). */
	async function runVendor(vendor: VendorId): Promise<string[]> {
		const provider = providers[vendor];
		const credentials = credentialsByVendor[vendor];
		const messages: string[] = [];
		for (const call of calls) {
			const timeout = call.startsWith('request:')
				? Number(call.slice('request:'.length))
				: undefined;
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
			messages.push(message);
		}
		return messages;
	}

	const vendors = Object.keys(credentialsByVendor) as VendorId[];
	const messages = await Promise.all(vendors.map(runVendor));
	// The peak once every call is over bounds every call.
	const growthBytes = peakGrowth();
	console.log(
		JSON.stringify(
			Object.fromEntries(
				vendors.map((vendor, i) => [
					vendor,
					messages[i].map((message) => ({ message, growthBytes })),
				]),
			),
		),
	);
}

main().then(
	() => process.exit(0),
	(error: unknown) => {
		console.error(error);
		process.exit(1);
	},
);
