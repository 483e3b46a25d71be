/**
 * The provider registry is the one list of vendors (CONTRIBUTING.md): package.json's credential
 * list, the credential classes, Get Token, the icons, the docs, the examples and the test
 * fixtures must all agree with it. A vendor added in one place and forgotten in another fails
 * here, naming what is missing.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { basename, join } from 'node:path';

import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

import { GetToken } from '../nodes/GetToken/GetToken.node';
import { storeKey } from '../nodes/shared/provider';
import { providers, vendorIds, type VendorId } from '../nodes/shared/providers';
import { tokenStore } from '../nodes/shared/tokenStore';
import {
	credentialSource,
	credentialTypes,
	fixtures,
	PACKAGE_CREDENTIALS,
} from '../scripts/sandbox/fixtures';
import { decryptedAs } from './helpers/n8n';
import { useSandbox } from './helpers/sandbox';
import { type Sandbox } from '../scripts/sandbox';
import { KIT_PARTS, kits } from '../scripts/sandbox/kits';
import { DOCS, docsPageOf, exampleOf, loadExamples } from '../scripts/examples';

const ROOT = join(__dirname, '..');
const description = new GetToken().description;
/** A failure that says what is missing, for whom (not "Expected true, received false"). */
function need(present: boolean, what: string, vendor: string): void {
	if (!present) throw new Error(`${what} is missing for vendor ${vendor}`);
}
/** The credential class package.json loads for a vendor, or the line package.json lacks. */
function credentialOf(vendor: VendorId): ICredentialType {
	const name = providers[vendor].credentialName;
	const type = credentialTypes[name];
	const file = `dist/credentials/${name.charAt(0).toUpperCase()}${name.slice(1)}.credentials.js`;
	need(type !== undefined, `the line "${file}" in package.json's n8n.credentials`, vendor);
	return type;
}

let sandbox: Sandbox;
useSandbox((started) => (sandbox = started));

describe('package.json, the credential classes and the registry', () => {
	it('package.json lists exactly the credential files of credentials/', () => {
		const files = readdirSync(join(ROOT, 'credentials'))
			.filter((file) => file.endsWith('.credentials.ts'))
			.sort();
		const listed = PACKAGE_CREDENTIALS.map(
			(shipped) => `${basename(credentialSource(shipped))}.ts`,
		).sort();
		expect(listed).toEqual(files);
		for (const shipped of PACKAGE_CREDENTIALS)
			expect(shipped).toMatch(/^dist\/credentials\/[A-Za-z]+Api\.credentials\.js$/);
	});

	it('each registry entry is keyed by its vendor id and has exactly one credential class; each class has a provider', () => {
		for (const vendor of vendorIds)
			expect({ key: vendor, vendor: providers[vendor].vendor }).toEqual({ key: vendor, vendor });
		const fromRegistry = vendorIds.map((vendor) => providers[vendor].credentialName).sort();
		for (const name of Object.keys(credentialTypes))
			need(
				fromRegistry.includes(name),
				`the registry line of the provider of credential ${name} in nodes/shared/providers/index.ts`,
				name.replace(/Api$/, ''),
			);
		expect(Object.keys(credentialTypes).sort()).toEqual(fromRegistry);
		expect(new Set(fromRegistry).size).toBe(fromRegistry.length);
	});

	it('each credential class is named after its file and its type, and ends in API', () => {
		for (const shipped of PACKAGE_CREDENTIALS) {
			const className = basename(credentialSource(shipped)).replace(/\.credentials$/, '');
			const type = Object.values(credentialTypes).find(
				(candidate) => candidate.constructor.name === className,
			);
			expect({ shipped, type: type?.name }).toEqual({
				shipped,
				type: className.charAt(0).toLowerCase() + className.slice(1),
			});
			expect(type?.displayName).toMatch(/ API$/);
		}
	});

	it.each(vendorIds)(
		'%s: the credential class is wired to its provider (token step, headers, hidden token fields, test)',
		async (vendor) => {
			const provider = providers[vendor];
			const type = credentialOf(vendor);
			expect(typeof type.preAuthentication).toBe('function');
			expect(typeof type.authenticate).toBe('function');
			expect(type.test?.request.disableFollowRedirect).toBe(true);
			const expirable = type.properties.find(
				(property: INodeProperties) =>
					property.type === 'hidden' && property.typeOptions?.expirable === true,
			);
			expect(expirable?.name).toBe('accessToken');
			// A token this process holds for the fixture's settings is what the class's authenticate sends.
			const data = decryptedAs(provider.credentialName, fixtures(sandbox)[vendor].good);
			const fields = provider.readFields(data);
			const token = {
				token: 'registry-test-token',
				tokenType: 'Bearer',
				expiresAt: new Date(Date.now() + 3600_000).toISOString(),
				obtainedAt: new Date().toISOString(),
				extras: {},
			};
			tokenStore.put(storeKey(provider, fields), token);
			const options = (await (
				type.authenticate as (
					c: ICredentialDataDecryptedObject,
					o: IHttpRequestOptions,
				) => Promise<IHttpRequestOptions>
			)(data, { url: 'https://example.invalid/', headers: {} })) as IHttpRequestOptions;
			expect(options.headers).toEqual(provider.headers(fields, token));
		},
	);

	it.each(vendorIds)('%s: two icons, icons/<vendor>.svg and .dark.svg, that differ', (vendor) => {
		const icon = credentialOf(vendor).icon as {
			light: string;
			dark: string;
		};
		expect(icon).toEqual({
			light: `file:../icons/${vendor}.svg`,
			dark: `file:../icons/${vendor}.dark.svg`,
		});
		for (const file of [`icons/${vendor}.svg`, `icons/${vendor}.dark.svg`])
			need(existsSync(join(ROOT, file)), file, vendor);
		const light = readFileSync(join(ROOT, 'icons', `${vendor}.svg`), 'utf8');
		const dark = readFileSync(join(ROOT, 'icons', `${vendor}.dark.svg`), 'utf8');
		expect(light).toMatch(/^<svg /);
		expect(dark).not.toBe(light);
	});
});

describe('Get Token follows the registry', () => {
	it('offers every credential, each shown for its vendor', () => {
		expect(description.credentials).toEqual(
			vendorIds.map((vendor) => ({
				name: providers[vendor].credentialName,
				required: true,
				displayOptions: { show: { vendor: [vendor] } },
			})),
		);
	});

	it('offers every vendor, sorted by name, and keeps Soda Cloud as the default saved workflows rely on', () => {
		const vendor = description.properties.find((property) => property.name === 'vendor')!;
		const options = vendor.options as Array<{ name: string; value: string }>;
		expect(options.map((option) => option.value).sort()).toEqual([...vendorIds].sort());
		expect(options.map((option) => option.name)).toEqual(
			options.map((option) => option.name).sort((a, b) => a.localeCompare(b)),
		);
		expect(vendor.default).toBe('sodaCloud');
	});

	it('names every vendor in its subtitle and description', () => {
		const map = JSON.parse(
			/^=\{\{ (\{.*\})\[\$parameter\["vendor"\]\] \}\}$/.exec(String(description.subtitle))![1],
		) as Record<string, string>;
		expect(map).toEqual(
			Object.fromEntries(vendorIds.map((vendor) => [vendor, providers[vendor].displayName])),
		);
		for (const vendor of vendorIds)
			expect(description.description).toContain(providers[vendor].displayName);
	});
});

describe('docs, examples and fixtures cover every vendor', () => {
	const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
	const examples = loadExamples().map((example) => example.json as unknown as Example);
	interface Example {
		nodes: Array<{
			type: string;
			parameters: { vendor?: string };
			credentials?: Record<string, unknown>;
		}>;
	}

	it.each(vendorIds)(
		'%s: a docs page named after the vendor, linked from the README credential and example tables',
		(vendor) => {
			const page = `docs/${docsPageOf(providers[vendor].displayName)}`;
			need(existsSync(join(ROOT, page)), page, vendor);
			need(
				readme.includes(`| ${providers[vendor].displayName} |`),
				`README.md's credential table row "| ${providers[vendor].displayName} |"`,
				vendor,
			);
			need(readme.includes(`](${page})`), `README.md's link to ${page}`, vendor);
			const file = page.slice('docs/'.length);
			need(
				readme.includes(`[${file}](${page})`),
				`README.md's example table row linking [${file}](${page})`,
				vendor,
			);
		},
	);

	it.each(vendorIds)(
		'%s: an example workflow on its docs page, with a Get Token node for it',
		(vendor) => {
			const page = docsPageOf(providers[vendor].displayName);
			const example = existsSync(join(DOCS, page))
				? exampleOf(page, readFileSync(join(DOCS, page), 'utf8'))
				: undefined;
			need(
				example !== undefined,
				`the example workflow of docs/${page} (a "## Example workflow" heading, then a \`\`\`json block; npm start --check runs it)`,
				vendor,
			);
			const nodes = (example!.json as unknown as Example).nodes;
			need(
				nodes.some(
					(node) =>
						node.type === 'n8n-nodes-token-auth.getToken' &&
						node.parameters.vendor === vendor &&
						node.credentials?.[providers[vendor].credentialName] !== undefined,
				),
				`a Get Token node (vendor ${vendor}, credential ${providers[vendor].credentialName}) in the example workflow of docs/${page}`,
				vendor,
			);
		},
	);

	it.each(vendorIds)('%s: a test kit with every part', (vendor) => {
		const file = `scripts/sandbox/kits/${vendor}.ts`;
		const kit = (kits as unknown as Partial<Record<string, Record<string, unknown>>>)[vendor];
		need(kit !== undefined, `the test kit ${file}`, vendor);
		for (const part of KIT_PARTS)
			need(kit![part] !== undefined, `${part} in the test kit ${file}`, vendor);
		const secrets = kit!.secrets as Record<string, unknown>;
		for (const part of [
			'credentials',
			'sent',
			'leakSearch',
			'requiredFields',
			'quotesVendor',
			'secretHeaders',
		])
			need(secrets[part] !== undefined, `secrets.${part} in the test kit ${file}`, vendor);
		// The leak search must know this vendor's own secrets: at least its sandbox account's.
		need(
			(secrets.leakSearch as unknown[]).length > 0,
			`secrets.leakSearch (the secrets the leak search looks for) in the test kit ${file}`,
			vendor,
		);
		need(
			Object.keys(
				(secrets.credentials as (server: unknown, s: Sandbox) => object)(
					sandbox.vendors[vendor],
					sandbox,
				),
			).length > 0,
			`secrets.credentials (credentials with recognisable secrets) in the test kit ${file}`,
			vendor,
		);
		// Every secret of the sandbox credential, as the provider names them, is one the leak search looks for.
		const provider = providers[vendor];
		const good = decryptedAs(provider.credentialName, fixtures(sandbox)[vendor].good);
		const searched = (secrets.leakSearch as Array<{ value: string }>).map((entry) => entry.value);
		for (const secret of provider
			.secrets(provider.readFields(good))
			.filter((value) => value !== '')) {
			need(
				searched.includes(secret),
				`the sandbox secret "${secret}" in secrets.leakSearch of the test kit ${file}`,
				vendor,
			);
		}
	});

	it('every credential an example uses is one of the package', () => {
		for (const example of examples) {
			for (const node of example.nodes)
				for (const type of Object.keys(node.credentials ?? {}))
					expect(Object.keys(credentialTypes)).toContain(type);
		}
	});

	it('every vendor has a sandbox server and a fixture', () => {
		expect(Object.keys(fixtures(sandbox)).sort()).toEqual([...vendorIds].sort());
		for (const vendor of vendorIds) expect(sandbox.vendors[vendor]).toBeDefined();
	});
});
