/**
 * What the editor shows of each credential and node: required markers that match what the
 * provider refuses, the Galileo default, and documentation links n8n can open.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import {
	NodeHelpers,
	type ICredentialDataDecryptedObject,
	type INodeProperties,
} from 'n8n-workflow';

import { TokenAuthError } from '../../nodes/shared/errors';
import { providers } from '../../nodes/shared/providers';
import { credentialTypes } from '../../scripts/sandbox/fixtures';

const ROOT = join(__dirname, '..', '..');

/** n8n's defaults applied, as n8n decrypts a credential. */
function withDefaults(
	typeName: string,
	data: ICredentialDataDecryptedObject,
): ICredentialDataDecryptedObject {
	return NodeHelpers.getNodeParameters(
		credentialTypes[typeName].properties,
		{ ...data } as never,
		true,
		false,
		null,
		null,
	) as ICredentialDataDecryptedObject;
}

function providerOf(typeName: string) {
	return Object.values(providers).find((p) => p.credentialName === typeName)!;
}

/** One complete credential per combination of displayOptions, so every field is shown in one of them. */
const COMPLETE: Record<string, ICredentialDataDecryptedObject[]> = {
	sodaCloudApi: [
		{
			region: 'custom',
			baseUrl: 'https://reporting.cloud.soda.io/v1',
			authMethod: 'apiKey',
			apiKeyId: 'key-id',
			apiKeySecret: 'key-secret',
		},
		{
			region: 'custom',
			baseUrl: 'https://reporting.cloud.soda.io/v1',
			authMethod: 'token',
			email: 'a@example.com',
			password: 'pw',
		},
	],
	galileoApi: [
		{
			authMethod: 'apiKey',
			apiKey: 'glk_x',
			organizationId: '3fa85f64-5717-4562-b3fc-2c963f66afa6',
		},
		{ authMethod: 'password', username: 'grace', password: 'pw', organizationSlug: 'acme' },
	],
	sirdataApi: [{ partnerId: '12345', login: 'me', password: 'pw' }],
	autosharesTraderApi: [
		{
			baseUrl: 'https://api.example.com/api',
			webApiKey: 'app-key',
			username: 'trader',
			password: 'pw',
			pinPassword: '4821',
		},
	],
	manisApi: [{ baseUrl: 'https://api.example.com', merchantId: 'MRC-1', secret: 'secret' }],
};

/** Fields a user types (options always hold a value; hidden fields are the token's). */
function typedFields(typeName: string): INodeProperties[] {
	return credentialTypes[typeName].properties.filter(
		(p) => p.type !== 'hidden' && p.type !== 'options' && p.type !== 'boolean',
	);
}

describe.each(Object.keys(COMPLETE))('%s form', (typeName) => {
	it('marks a field required exactly when the credential cannot be used with it empty', () => {
		const provider = providerOf(typeName);
		const seen = new Set<string>();
		const mismatches: string[] = [];
		for (const sample of COMPLETE[typeName]) {
			const data = withDefaults(typeName, sample);
			expect(() => provider.readFields(data)).not.toThrow();
			for (const property of typedFields(typeName)) {
				if (!NodeHelpers.displayParameter(data, property, null, null)) continue;
				seen.add(property.name);
				let refusedEmpty = false;
				try {
					provider.readFields({ ...data, [property.name]: '' });
				} catch (error) {
					if (!(error instanceof TokenAuthError) || error.step !== 'settings') throw error;
					refusedEmpty = true;
				}
				if (Boolean(property.required) !== refusedEmpty) {
					mismatches.push(
						`${property.name}: required ${String(Boolean(property.required))}, refused when empty ${String(refusedEmpty)}`,
					);
				}
			}
		}
		expect(mismatches).toEqual([]);
		// Every typed field was shown by one of the samples, so none escaped the check.
		expect([...seen].sort()).toEqual(
			typedFields(typeName)
				.map((p) => p.name)
				.sort(),
		);
	});
});

describe('Galileo API version', () => {
	const property = credentialTypes.galileoApi.properties.find((p) => p.name === 'apiVersion')!;

	it('defaults to the token path Galileo documents for its default host (SaaS, /v2/token)', () => {
		const data = withDefaults('galileoApi', { authMethod: 'apiKey', apiKey: 'glk_x' });
		expect(data.baseUrl).toBe('https://api.galileo.ai');
		expect(providers.galileo.tokenRequest(providers.galileo.readFields(data)).url).toBe(
			'https://api.galileo.ai/v2/token',
		);
	});

	it('a credential saved without an API version gets the default one', () => {
		const fields = providers.galileo.readFields({
			baseUrl: 'https://api.galileo.ai',
			authMethod: 'apiKey',
			apiKey: 'glk_x',
		});
		expect(fields.apiVersion).toBe(property.default);
	});

	it('each option says when to pick it', () => {
		for (const option of property.options as Array<{ value: string; description?: string }>) {
			expect({ option: option.value, description: option.description ?? '' }).toEqual({
				option: option.value,
				description: expect.stringMatching(new RegExp(`/${option.value}/token`)),
			});
		}
	});
});

describe('documentation links', () => {
	/**
	 * n8n's editor appends its `?utm_…` query to a documentation URL, after any `#anchor`, so an
	 * anchor never lands on its section: every link must be a page of its own.
	 */
	const codexFiles = readdirSync(join(ROOT, 'nodes'), { withFileTypes: true })
		.filter((entry) => entry.isDirectory())
		.flatMap((entry) =>
			readdirSync(join(ROOT, 'nodes', entry.name))
				.filter((name) => name.endsWith('.node.json'))
				.map((name) => join('nodes', entry.name, name)),
		);

	const links: Array<[string, string]> = [
		...Object.values(credentialTypes).map((type): [string, string] => [
			`credential ${type.name}`,
			String(type.documentationUrl),
		]),
		...codexFiles.flatMap((file) => {
			const codex = JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as {
				resources?: { primaryDocumentation?: Array<{ url: string }> };
			};
			return (codex.resources?.primaryDocumentation ?? []).map((doc): [string, string] => [
				file,
				doc.url,
			]);
		}),
	];

	it('covers both nodes and every credential of package.json', () => {
		expect(codexFiles.sort()).toEqual([
			'nodes/AutosharesTrader/AutosharesTrader.node.json',
			'nodes/GetToken/GetToken.node.json',
		]);
		const credentials = (
			JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as {
				n8n: { credentials: string[] };
			}
		).n8n.credentials;
		expect(links).toHaveLength(2 + credentials.length);
	});

	it.each(links)('%s: %s has no #anchor and is a full https URL', (_where, url) => {
		expect(url).not.toContain('#');
		expect(new URL(url).protocol).toBe('https:');
	});
});
