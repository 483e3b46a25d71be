/**
 * Get Token benchmark (not a test): the node's time for 1,000 input items over the time of one
 * raw token request to the same sandbox endpoint, and how many token calls the node made.
 * Ratios, not absolute times: run `npm run bench`.
 */
import { request } from 'undici';

// The built package, as n8n loads it (run `npm run build` first). tsx would also resolve
// the extensionless source path to the codex GetToken.node.json before GetToken.node.ts.
import { GetToken } from '../../dist/nodes/GetToken/GetToken.node.js';
import { tokenStore } from '../../dist/nodes/shared/tokenStore.js';
import { credentialTypes, fixtures, getTokenNode } from '../../scripts/sandbox/fixtures';
import { nodeTypesOf, runWorkflow, TestCredentialsHelper } from '../helpers/n8n';
import { SANDBOX_ACCOUNTS, startSandbox } from '../../scripts/sandbox';

const ITEMS = 1_000;
const ROUNDS = 15;

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)];
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
	const start = process.hrtime.bigint();
	await fn();
	return Number(process.hrtime.bigint() - start) / 1e6;
}

export async function benchGetToken(): Promise<{
	ratio: number;
	tokenCalls: number;
	nodeMs: number;
	rawMs: number;
}> {
	const sandbox = await startSandbox();
	try {
		const manis = sandbox.vendors.manis;
		const fx = fixtures(sandbox).manis;
		const inputItems = Array.from({ length: ITEMS }, (_, row) => ({ row }));
		const nodeTypes = nodeTypesOf({ 'n8n-nodes-token-auth.getToken': new GetToken() });
		const node = getTokenNode('manis', { forceRefresh: true });
		const raw = async () =>
			await request(`${manis.baseUrl}/api/v1/auth/token`, {
				method: 'POST',
				headers: {
					'x-merchant-id': SANDBOX_ACCOUNTS.manis.merchantId,
					'x-secret': SANDBOX_ACCOUNTS.manis.secret,
				},
			}).then(async (answer) => await answer.body.json());
		const runNode = async () => {
			const helper = new TestCredentialsHelper(credentialTypes, {
				cred: { type: 'manisApi', data: fx.good },
			});
			const { run } = await runWorkflow({
				nodeTypes,
				nodes: [node],
				connections: {},
				helper,
				inputItems,
			});
			if (run.data.resultData.runData['Get Token'][0].data?.main[0]?.length !== ITEMS)
				throw new Error('the node did not output every item');
		};
		// Warm up both paths (JIT, sockets) before measuring.
		for (let i = 0; i < 3; i++) {
			await raw();
			await runNode();
		}
		tokenStore.clear();
		manis.reset();
		const rawTimes: number[] = [];
		const nodeTimes: number[] = [];
		let nodeTokenCalls = 0;
		for (let i = 0; i < ROUNDS; i++) {
			rawTimes.push(await timed(raw));
			const before = manis.tokenCalls;
			nodeTimes.push(await timed(runNode));
			nodeTokenCalls += manis.tokenCalls - before;
		}
		const rawMs = median(rawTimes);
		const nodeMs = median(nodeTimes);
		return { ratio: nodeMs / rawMs, tokenCalls: nodeTokenCalls / ROUNDS, nodeMs, rawMs };
	} finally {
		await sandbox.close();
	}
}

if (require.main === module) {
	void benchGetToken().then((result) => {
		console.log(
			`Get Token, ${ITEMS} items (Force Refresh): ${result.ratio.toFixed(1)}× one raw token request; ${result.tokenCalls} token call(s) per execution of ${ITEMS} items`,
		);
	});
}
