/**
 * n8n 2.x's credential domain restriction (*Allowed HTTP Request Domains* → Specific Domains)
 * holds for the requests this package's nodes send with a credential's secrets, as n8n holds it
 * for a credential's own token step: a credential restricted to example.com sent its secret to
 * the sandbox's host through Get Token before (an outside review found it in n8n 2.40.7).
 */
import type { ICredentialDataDecryptedObject, IDataObject, INode } from 'n8n-workflow';

import { AutosharesTrader } from '../../nodes/AutosharesTrader/AutosharesTrader.node';
import { GetToken } from '../../nodes/GetToken/GetToken.node';
import { vendorIds, type VendorId } from '../../nodes/shared/providers';
import { tokenStore } from '../../nodes/shared/tokenStore';
import { fixtures, getTokenNode, logInNode } from '../../scripts/sandbox/fixtures';
import { helperWithCred, nodeTypesOf, preAuthHelper, runWorkflow, tokenStep } from '../helpers/n8n';
import { kits } from '../../scripts/sandbox/kits';
import { useSandbox } from '../helpers/sandbox';
import { type Sandbox } from '../../scripts/sandbox';

let sandbox: Sandbox;
let fx: ReturnType<typeof fixtures>;
const nodeTypes = nodeTypesOf({
	'n8n-nodes-token-auth.getToken': new GetToken(),
	'n8n-nodes-token-auth.autosharesTrader': new AutosharesTrader(),
});

useSandbox((started, fixtures) => ((sandbox = started), (fx = fixtures)));

const restricted = (allowedDomains: string): IDataObject => ({
	allowedHttpRequestDomains: 'domains',
	allowedDomains,
});

async function getToken(vendor: VendorId, data: IDataObject) {
	const helper = helperWithCred(fx[vendor].credentialType, data);
	const { run } = await runWorkflow({
		nodeTypes,
		nodes: [getTokenNode(vendor)],
		helper,
		inputItems: [{}],
	});
	return {
		error: run.data.resultData.error,
		items: run.data.resultData.runData['Get Token']?.[0]?.data?.main[0] ?? [],
	};
}

describe.each(vendorIds)('%s', (vendor) => {
	it("Get Token with a credential restricted to other domains sends nothing and fails with n8n's error", async () => {
		const { error } = await getToken(vendor, {
			...fx[vendor].good,
			...restricted('example.com, *.example.org'),
		});
		expect(error?.message).toBe(
			'Domain not allowed: This credential is restricted from accessing ' +
				new URL(sandbox.vendors[vendor].origin).host +
				'. Only the following domains are allowed: example.com, *.example.org',
		);
		expect(sandbox.vendors[vendor].tokenCalls).toBe(0);
	});

	it("the credential's own token step (n8n 1.x does not restrict it) sends nothing to a host outside the list", async () => {
		const type = fx[vendor].credentialType;
		const data = {
			...fx[vendor].good,
			...restricted('example.com'),
		} as ICredentialDataDecryptedObject;
		const run = tokenStep(
			type,
			data,
			preAuthHelper(kits[vendor].tokenStepNeedsLegacyRequest === true),
		);
		// Every kit's good credential has a token step (Soda Cloud's uses authMethod token, not its API key pair).
		await expect(run).rejects.toThrow(
			/^Domain not allowed: This credential is restricted from accessing 127\.0\.0\.1:\d+\. Only the following domains are allowed: example\.com$/,
		);
		expect(sandbox.vendors[vendor].tokenCalls).toBe(0);
	});

	it('Get Token with the host in the list, or no restriction, gets its token', async () => {
		for (const data of [
			{ ...fx[vendor].good, ...restricted('example.com, 127.0.0.1') },
			{ ...fx[vendor].good, allowedHttpRequestDomains: 'none' },
			fx[vendor].good,
		]) {
			tokenStore.clear();
			const { error, items } = await getToken(vendor, data);
			expect(error).toBeUndefined();
			expect(typeof items[0].json.token === 'string' || items[0].json.token === null).toBe(true);
		}
	});
});

it('Log In with a restricted credential sends neither the login nor the notify call', async () => {
	const helper = helperWithCred('autosharesTraderApi', {
		...fx.autosharesTrader.good,
		...restricted('example.com'),
	});
	const { run } = await runWorkflow({
		nodeTypes,
		nodes: [logInNode()],
		helper,
		inputItems: [{}],
	});
	expect(run.data.resultData.error?.message).toMatch(
		/^Domain not allowed: This credential is restricted from accessing 127\.0\.0\.1:\d+\./,
	);
	expect(sandbox.vendors.autosharesTrader.tokenCalls).toBe(0);
});

describe('on n8n 1.x, whose n8n-workflow has no getCredentialOwnRequestAllowedDomains nor assertUrlAllowed', () => {
	type Domains = typeof import('../../nodes/shared/domains');
	const node = { name: 'Get Token' } as INode;
	let v1: Domains;
	let v2: Domains;
	beforeAll(() => {
		jest.isolateModules(() => {
			jest.doMock('n8n-workflow', () => ({
				...jest.requireActual('n8n-workflow'),
				getCredentialOwnRequestAllowedDomains: undefined,
				assertUrlAllowed: undefined,
			}));
			v1 = jest.requireActual<Domains>('../../nodes/shared/domains');
			// The module under test really saw a 1.x n8n-workflow (else the comparison proves nothing).
			expect(
				jest.requireMock<{ assertUrlAllowed?: unknown }>('n8n-workflow').assertUrlAllowed,
			).toBeUndefined();
		});
		jest.dontMock('n8n-workflow');
		v2 = jest.requireActual('../../nodes/shared/domains');
	});

	const message = (domains: Domains, data: IDataObject, url: string, at?: INode) => {
		try {
			domains.assertDomainsAllowed(at, data, [url]);
			return 'allowed';
		} catch (error) {
			return (error as Error).message;
		}
	};

	it('applies the same list with the same words as n8n 2.x', () => {
		const cases: Array<[IDataObject, string]> = [
			[restricted('example.com'), 'http://127.0.0.1:5701/token'],
			[restricted('example.com'), 'https://EXAMPLE.com./token'],
			[restricted('*.example.org'), 'https://api.example.org/token'],
			[restricted('*.example.org'), 'https://example.org/token'],
			[restricted('*.example.org'), 'https://evilexample.org/token'],
			[restricted(' '), 'https://example.com/token'],
			[{ allowedHttpRequestDomains: 'none' }, 'https://example.com/token'],
			[{ allowedHttpRequestDomains: 'all' }, 'https://example.com/token'],
			[{}, 'https://example.com/token'],
		];
		const seen = cases.map(([data, url]) => message(v1, data, url, node));
		expect(seen).toEqual(cases.map(([data, url]) => message(v2, data, url, node)));
		expect(seen).toEqual([
			'Domain not allowed: This credential is restricted from accessing 127.0.0.1:5701. Only the following domains are allowed: example.com',
			'allowed',
			'allowed',
			'Domain not allowed: This credential is restricted from accessing example.org. Only the following domains are allowed: *.example.org',
			'Domain not allowed: This credential is restricted from accessing evilexample.org. Only the following domains are allowed: *.example.org',
			'No allowed domains specified. Configure allowed domains or change restriction setting.',
			'allowed',
			'allowed',
			'allowed',
		]);
	});

	it('an address that is not a URL is named without its query or user:password@', () => {
		expect(
			message(v1, restricted('example.com'), 'ana:S3cret@evil.example/token?key=K3y', node),
		).toBe(
			'Domain not allowed: This credential is restricted from accessing evil.example/token. Only the following domains are allowed: example.com',
		);
	});

	it("a node gets n8n's NodeOperationError, a credential's token step a plain error", () => {
		expect(() =>
			v1.assertDomainsAllowed(node, restricted('example.com'), ['http://127.0.0.1/']),
		).toThrow(expect.objectContaining({ name: 'NodeOperationError' }));
		expect(() =>
			v1.assertDomainsAllowed(undefined, restricted('example.com'), ['http://127.0.0.1/']),
		).toThrow(/^Domain not allowed/);
	});
});
