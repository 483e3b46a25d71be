import type { IDataObject, INode } from 'n8n-workflow';

import { GetToken } from '../../nodes/GetToken/GetToken.node';
import { providers, vendorIds, type VendorId } from '../../nodes/shared/providers';
import { fixtures, getTokenNode } from '../../scripts/sandbox/fixtures';
import { kits } from '../../scripts/sandbox/kits';
import { helperWithCred, nodeTypesOf, type RunOptions, runWorkflow } from '../helpers/n8n';
import { useSandbox } from '../helpers/sandbox';
import { SANDBOX_ACCOUNTS, type Sandbox } from '../../scripts/sandbox';

let sandbox: Sandbox;
let fx: ReturnType<typeof fixtures>;
const nodeTypes = nodeTypesOf({ 'n8n-nodes-token-auth.getToken': new GetToken() });

useSandbox((started, fixtures) => ((sandbox = started), (fx = fixtures)));

async function run(
	vendor: VendorId,
	data: IDataObject,
	options: IDataObject = {},
	inputItems: IDataObject[] = [{}],
	extra: Partial<INode> = {},
	inputBinary?: RunOptions['inputBinary'],
) {
	const helper = helperWithCred(fx[vendor].credentialType, data);
	const { run: result } = await runWorkflow({
		nodeTypes,
		nodes: [getTokenNode(vendor, options, extra)],
		helper,
		inputItems,
		inputBinary,
	});
	const task = result.data.resultData.runData['Get Token'][0];
	return { task, items: task.data?.main[0] ?? [], error: result.data.resultData.error };
}

describe.each(vendorIds)('Get Token node, %s', (vendor) => {
	it('outputs the normalised token the sandbox issued', async () => {
		const before = Date.now();
		const { items, error } = await run(vendor, fx[vendor].good);
		const after = Date.now();
		expect(error).toBeUndefined();
		const server = sandbox.vendors[vendor];
		const issued = server.issued[0];
		const output = items[0].json;
		expect(output.provider).toBe(vendor);
		expect(output.token).toBe(issued.token);
		const expectedHeaders = fx[vendor].expectedHeaders(issued.token);
		const secretHeaders = kits[vendor].secrets.secretHeaders;
		for (const name of secretHeaders) delete expectedHeaders[name];
		expect(output.headers).toEqual(expectedHeaders);
		expect(output.credentialHeaders).toEqual(secretHeaders);
		if (issued.expiresAt === null) {
			expect(output.expiresAt).toBeNull();
			expect(output.expiresIn).toBeNull();
		} else {
			const expiresAt = Date.parse(String(output.expiresAt));
			if (fx[vendor].relativeExpiry) {
				// Soda states seconds left: the lifetime from some moment during the run.
				expect(expiresAt).toBeGreaterThanOrEqual(before + server.lifetimeSeconds * 1000);
				expect(expiresAt).toBeLessThanOrEqual(after + server.lifetimeSeconds * 1000);
			} else {
				expect(expiresAt).toBe(issued.expiresAt.getTime());
			}
			// Whole seconds from the output's expiry to some moment during the run.
			expect(output.expiresIn).toBeGreaterThanOrEqual(Math.floor((expiresAt - after) / 1000));
			expect(output.expiresIn).toBeLessThanOrEqual(Math.floor((expiresAt - before) / 1000));
		}
		expect(Date.parse(String(output.obtainedAt))).not.toBeNaN();
		expect(items[0].pairedItem).toEqual({ item: 0 });
	});

	it('makes one token call for many items, and Force Refresh makes exactly one more', async () => {
		const server = sandbox.vendors[vendor];
		const inputs = Array.from({ length: 25 }, (_, i) => ({ row: i }));
		const first = await run(vendor, fx[vendor].good, {}, inputs);
		expect(first.items).toHaveLength(25);
		expect(first.items.map((item) => item.pairedItem)).toEqual(inputs.map((_, i) => ({ item: i })));
		expect(server.tokenCalls).toBe(1);
		const again = await run(vendor, fx[vendor].good, {}, inputs);
		expect(server.tokenCalls).toBe(1);
		expect(again.items[0].json.token).toBe(first.items[0].json.token);
		const forced = await run(vendor, fx[vendor].good, { forceRefresh: true }, inputs);
		expect(server.tokenCalls).toBe(2);
		expect(forced.items[0].json.token).not.toBe(first.items[0].json.token);
		expect(new Set(forced.items.map((item) => item.json.token)).size).toBe(1);
	});

	it('fails with a NodeApiError naming the vendor, or puts the error on each item with Continue On Fail', async () => {
		const { error } = await run(vendor, fx[vendor].bad);
		expect(error?.name).toBe('NodeApiError');
		expect(error?.message).toContain(providers[vendor].displayName);
		const onFail = await run(vendor, fx[vendor].bad, {}, [{ a: 1 }, { a: 2 }], {
			onError: 'continueRegularOutput',
		});
		expect(onFail.error).toBeUndefined();
		expect(onFail.items).toHaveLength(2);
		expect(onFail.items[1].json.error).toMatch(/refused/);
		expect(onFail.items[1].pairedItem).toEqual({ item: 1 });
	});
});

describe('Get Token node options', () => {
	it('puts the object under a field of the input item, keeping its binary data', async () => {
		const binary = { data: { data: 'aGVsbG8=', mimeType: 'text/plain', fileName: 'order.txt' } };
		const { items } = await run(
			'manis',
			fx.manis.good,
			{ outputField: 'auth' },
			[{ orderId: 7 }],
			{},
			[binary],
		);
		expect(items[0].json.orderId).toBe(7);
		expect((items[0].json.auth as IDataObject).provider).toBe('manis');
		expect(items[0].binary).toEqual(binary);
		// Without a field the token object replaces the item, binary data included.
		const replaced = await run('manis', fx.manis.good, {}, [{ orderId: 7 }], {}, [binary]);
		expect(replaced.items[0].binary).toBeUndefined();
	});

	it('an unknown vendor value is a NodeOperationError, not a TypeError', async () => {
		const { error } = await run('manis', fx.manis.good, {}, [{}], {
			parameters: { vendor: 'nope', options: {} },
		});
		expect(error?.name).toBe('NodeOperationError');
		expect(error?.message).toBe('Unknown vendor "nope"');
	});

	it('includes secret headers only when asked', async () => {
		const { items } = await run('autosharesTrader', fx.autosharesTrader.good, {
			includeSecretHeaders: true,
		});
		expect((items[0].json.headers as IDataObject)['Et-App-Key']).toBe(
			SANDBOX_ACCOUNTS.autosharesTrader.appKey,
		);
		expect(items[0].json.credentialHeaders).toEqual([]);
	});

	it('Soda API key mode outputs the key headers with tokenType apiKey and no expiry', async () => {
		const { items } = await run('sodaCloud', {
			region: 'custom',
			baseUrl: sandbox.vendors.sodaCloud.baseUrl,
			authMethod: 'apiKey',
			apiKeyId: SANDBOX_ACCOUNTS.sodaCloud.apiKey.id,
			apiKeySecret: SANDBOX_ACCOUNTS.sodaCloud.apiKey.secret,
		});
		expect(items[0].json).toMatchObject({
			tokenType: 'apiKey',
			token: null,
			expiresAt: null,
			expiresIn: null,
			headers: { 'X-API-KEY-ID': SANDBOX_ACCOUNTS.sodaCloud.apiKey.id },
			credentialHeaders: ['X-API-KEY-SECRET'],
		});
		expect(sandbox.vendors.sodaCloud.tokenCalls).toBe(0);
	});

	it('passes on vendor extras', async () => {
		const soda = await run('sodaCloud', fx.sodaCloud.good);
		expect(soda.items[0].json).toMatchObject({
			organizationId: SANDBOX_ACCOUNTS.sodaCloud.user.organizationId,
			user: SANDBOX_ACCOUNTS.sodaCloud.user.email,
			tokenType: 'sodaToken',
		});
		const sirdata = await run('sirdata', fx.sirdata.good);
		expect(sirdata.items[0].json).toMatchObject({
			partnerId: SANDBOX_ACCOUNTS.sirdata.partnerId,
			tokenType: 'raw',
		});
		const galileo = await run('galileo', fx.galileo.good);
		expect(galileo.items[0].json.tokenType).toBe('bearer');
	});

	it('points 2FA accounts to the Autoshares Trader node', async () => {
		const { error } = await run('autosharesTrader', {
			...fx.autosharesTrader.good,
			...SANDBOX_ACCOUNTS.autosharesTrader.twoFactor,
		});
		expect(error?.message).toMatch(/verification code/);
		expect(String((error as { description?: string }).description)).toMatch(
			/Autoshares Trader node/,
		);
	});
});
