/**
 * What arrives from an imported workflow, the API, an expression or a vendor is checked by the
 * package itself, not only by the editor: node options, credential values that travel in
 * headers, token types, expiries already past, and n8n's own errors, which pass through as
 * they are. Every bad value fails before any request, with an error naming what to fix.
 */
import { restoreConsole } from './consoleCapture';

import type { ICredentialDataDecryptedObject, IDataObject, INode, INodeType } from 'n8n-workflow';

import { AutosharesTrader } from '../../nodes/AutosharesTrader/AutosharesTrader.node';
import { MAX_ATTEMPTS, WAIT_LIMIT } from '../../nodes/AutosharesTrader/actions/logIn.operation';
import { GetToken } from '../../nodes/GetToken/GetToken.node';
import { providers, vendorIds, type VendorId } from '../../nodes/shared/providers';
import { credentialTypes, fixtures } from '../../scripts/sandbox/fixtures';
import { kits } from '../../scripts/sandbox/kits';
import { decryptedAs, runWorkflow, TestCredentialsHelper, tokenStep } from '../helpers/n8n';
import { useSandbox } from '../helpers/sandbox';
import { packageNodeTypes } from '../helpers/nodeTypes';
import { SANDBOX_ACCOUNTS, type Sandbox } from '../../scripts/sandbox';

const nodeTypes = packageNodeTypes();

let sandbox: Sandbox;
let executions = 0;
useSandbox((started) => (sandbox = started), {
	beforeEach: (sandbox) => sandbox.vendors.manis.configure({ tokenType: 'Bearer' }),
});
afterAll(() => restoreConsole());

async function run(
	node: Partial<INode> & Pick<INode, 'type' | 'parameters'>,
	data?: IDataObject,
	type?: string,
) {
	const full: INode = { id: 'n', name: 'Node', typeVersion: 1, position: [0, 0], ...node };
	const store: Record<string, { type: string; data: ICredentialDataDecryptedObject }> =
		data && type ? { cred: { type, data: data as ICredentialDataDecryptedObject } } : {};
	const helper = new TestCredentialsHelper(credentialTypes, store);
	const { run: result } = await runWorkflow({
		nodeTypes,
		nodes: [full],
		helper,
		executionId: `inputs-${++executions}`,
	});
	return {
		error: result.data.resultData.error as (Error & { description?: string }) | undefined,
		result,
	};
}

function getToken(vendor: VendorId, data: IDataObject) {
	const type = providers[vendor].credentialName;
	return run(
		{
			type: 'n8n-nodes-token-auth.getToken',
			parameters: { vendor, options: {} },
			credentials: { [type]: { id: 'cred', name: 'cred' } },
		},
		data,
		type,
	);
}

describe('Log In options arriving from outside the editor', () => {
	const twoFactor = () => ({
		...fixtures(sandbox).autosharesTrader.good,
		...SANDBOX_ACCOUNTS.autosharesTrader.twoFactor,
	});
	const logIn = (options: IDataObject) =>
		run(
			{
				type: 'n8n-nodes-token-auth.autosharesTrader',
				parameters: { operation: 'logIn', options } as INode['parameters'],
				credentials: { autosharesTraderApi: { id: 'cred', name: 'cred' } },
			},
			twoFactor(),
			'autosharesTraderApi',
		);

	it.each([
		['maxAttempts', 'Max Code Attempts', 'three'],
		['maxAttempts', 'Max Code Attempts', 1_000_000],
		['maxAttempts', 'Max Code Attempts', 0],
		['maxAttempts', 'Max Code Attempts', 2.5],
		['maxAttempts', 'Max Code Attempts', -5],
		['waitLimitMinutes', 'Wait Limit (Minutes)', 'ten'],
		['waitLimitMinutes', 'Wait Limit (Minutes)', 1e12],
		['waitLimitMinutes', 'Wait Limit (Minutes)', -5],
		['waitLimitMinutes', 'Wait Limit (Minutes)', 1441],
		['waitLimitMinutes', 'Wait Limit (Minutes)', '5 minutes'],
	])('%s = %p is refused, naming "%s", before any request', async (option, displayName, value) => {
		const { error, result } = await logIn({ [option]: value });
		expect(error?.name).toBe('NodeOperationError');
		expect(error?.message).toContain(`"${displayName}" must be a whole number`);
		expect(result.waitTill).toBeUndefined();
		expect(sandbox.vendors.autosharesTrader.tokenCalls).toBe(0);
	});

	it('accepts whole numbers in range, also as digit strings from an expression', async () => {
		const { error, result } = await logIn({ maxAttempts: '5', waitLimitMinutes: 1440 });
		expect(error).toBeUndefined();
		expect(result.waitTill?.getTime()).toBeGreaterThan(Date.now() + 1439 * 60_000);
	});

	it("the editor's limits are the ones checked", () => {
		const options = new AutosharesTrader().description.properties.find((p) => p.name === 'options')!
			.options as Array<{ name: string; default: unknown; typeOptions?: IDataObject }>;
		for (const [name, limits] of [
			['waitLimitMinutes', WAIT_LIMIT],
			['maxAttempts', MAX_ATTEMPTS],
		] as const) {
			const field = options.find((o) => o.name === name)!;
			expect({
				name,
				min: field.typeOptions?.minValue,
				max: field.typeOptions?.maxValue,
				default: field.default,
			}).toEqual({ name, min: limits.min, max: limits.max, default: limits.default });
		}
	});

	it.each([
		'http://hooks.example.com/2fa',
		'ftp://hooks.example.com/',
		'https://user:pw@hooks.example.com/',
		'not a url',
	])('a Notify URL %p is refused before the login pauses', async (notifyUrl) => {
		const { error, result } = await logIn({ notifyUrl });
		expect(error?.message).toMatch(/^Autoshares Trader settings: Notify URL /);
		expect(result.waitTill).toBeUndefined();
	});
});

/** The credential fields each vendor sends in a header of its own. */
const HEADER_FIELDS: Array<[VendorId, string, string, IDataObject?]> = [
	['autosharesTrader', 'webApiKey', 'App Key'],
	['autosharesTrader', 'username', 'Username'],
	['autosharesTrader', 'password', 'Password'],
	['autosharesTrader', 'pinPassword', 'PIN'],
	['manis', 'merchantId', 'Merchant ID'],
	['manis', 'secret', 'Secret'],
	['galileo', 'apiKey', 'API Key'],
	[
		'sodaCloud',
		'apiKeySecret',
		'API Key Secret',
		{ authMethod: 'apiKey', apiKeyId: SANDBOX_ACCOUNTS.sodaCloud.apiKey.id },
	],
	[
		'sodaCloud',
		'apiKeyId',
		'API Key ID',
		{ authMethod: 'apiKey', apiKeySecret: SANDBOX_ACCOUNTS.sodaCloud.apiKey.secret },
	],
	[
		'customEndpoint',
		'username',
		'Username',
		{ loginValuesIn: 'headers', userField: 'X-User', passField: 'X-Secret' },
	],
	[
		'customEndpoint',
		'password',
		'Password',
		{ loginValuesIn: 'headers', userField: 'X-User', passField: 'X-Secret' },
	],
];

describe.each(HEADER_FIELDS)('%s %s, sent in a header', (vendor, field, label, extra = {}) => {
	it.each([
		['a line feed', 'abc\ndef'],
		['a carriage return', 'abc\rX-Evil: 1'],
		['a NUL', 'abc\0def'],
		['a character above U+00FF', 'pass€word'],
	])('with %s is a settings error naming the field, before any request', async (_what, value) => {
		const data = { ...fixtures(sandbox)[vendor].good, ...extra, [field]: value };
		const type = providers[vendor].credentialName;
		const failure = await tokenStep(type, decryptedAs(type, data)).then(
			() => undefined,
			(error: unknown) => error as Error,
		);
		expect(failure?.message).toMatch(
			new RegExp(
				`^${providers[vendor].displayName} settings: ${label.replace(/[()]/g, '\\$&')} holds characters that cannot be sent in an HTTP header`,
			),
		);
		const { error } = await getToken(vendor, data);
		expect(error?.name).toBe('NodeOperationError');
		expect(error?.message).toContain(label);
		expect(sandbox.vendors[vendor].tokenCalls).toBe(0);
	});
});

describe('token types from the answer', () => {
	it.each(['Bearer\r\nX-Evil: 1', 'Bearer X', 'Bear"er'])(
		'Manis tokenType %p is refused, never put in a header',
		async (tokenType) => {
			sandbox.vendors.manis.configure({ tokenType });
			const { error, result } = await getToken('manis', fixtures(sandbox).manis.good);
			expect(error?.message).toMatch(
				/^Manis token answer: the "tokenType" is not a valid token type\./,
			);
			expect(JSON.stringify(result.data.resultData.runData)).not.toMatch(/X-Evil/);
			expect(result.data.resultData.runData.Node[0].data).toBeUndefined();
		},
	);

	it('an empty Manis tokenType means Bearer', async () => {
		sandbox.vendors.manis.configure({ tokenType: '' });
		const { error, result } = await getToken('manis', fixtures(sandbox).manis.good);
		expect(error).toBeUndefined();
		const output = result.data.resultData.runData.Node[0].data!.main[0]![0].json;
		expect((output.headers as IDataObject).Authorization).toMatch(/^Bearer /);
	});
});

describe('an expiry already past when the token arrives', () => {
	// One minute in the past: within the five minutes of "clock skew" once accepted, after which
	// the token was stored and never sent (every request a silent 401).
	// Every vendor that states an expiry as an instant, in its own form (its kit's pastExpiry).
	it.each(vendorIds.filter((v) => kits[v].pastExpiry !== undefined))(
		'%s: refused with the reason, on every path',
		async (vendor) => {
			const server = sandbox.vendors[vendor];
			const past = new Date(Date.now() - 60_000);
			server.injectFault({ kind: 'badExpiry', value: kits[vendor].pastExpiry!(past) });
			const { error } = await getToken(vendor, fixtures(sandbox)[vendor].good);
			expect(error?.message).toMatch(
				new RegExp(
					`^${providers[vendor].displayName} token answer: the token's expiry \\(.+\\) was already past when it arrived\\.`,
				),
			);
		},
	);
});

describe("n8n's own errors pass through as they are", () => {
	it.each(vendorIds)('%s: Get Token with no credential selected', async (vendor) => {
		const { error } = await run({
			type: 'n8n-nodes-token-auth.getToken',
			parameters: { vendor, options: {} },
		});
		expect(error?.name).toBe('NodeOperationError');
		expect(error?.message).not.toMatch(/request failed unexpectedly|Check the base URL/);
		expect(error?.message).toMatch(/credential/i);
	});

	it('Log In with a credential that was deleted', async () => {
		const { error } = await run(
			{
				type: 'n8n-nodes-token-auth.autosharesTrader',
				parameters: { operation: 'logIn', options: {} },
				credentials: { autosharesTraderApi: { id: 'gone', name: 'gone' } },
			},
			{},
			'autosharesTraderApi',
		);
		expect(error?.message).not.toMatch(/request failed unexpectedly|Check the base URL/);
	});
});

describe('AI tools', () => {
	// n8n makes a `<name>Tool` variant of every node whose usableAsTool is truthy. Get Token as a
	// tool would hand a live token to the model; Log In would pause an agent's run for a code.
	it.each([
		['Get Token', new GetToken()],
		['Autoshares Trader', new AutosharesTrader()],
	] as Array<[string, INodeType]>)('%s is not offered as a tool', (_name, node) => {
		expect(node.description.usableAsTool).toBeFalsy();
		expect(Object.prototype.hasOwnProperty.call(node.description, 'usableAsTool')).toBe(true);
	});
});
