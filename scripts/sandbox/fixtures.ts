import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { ICredentialType, IDataObject, INode } from 'n8n-workflow';

import { providers, vendorIds, type VendorId } from '../../nodes/shared/providers';
import type { Sandbox } from './index';
import { genericSettings, kits, type KitFixture } from './kits';

const ROOT = join(__dirname, '..', '..');

/** The credential files package.json ships (`dist/credentials/X.credentials.js`). */
export const PACKAGE_CREDENTIALS: string[] = (
	JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { n8n: { credentials: string[] } }
).n8n.credentials;

/** The source of a shipped credential file: `credentials/X.credentials.ts` without the extension. */
export function credentialSource(shipped: string): string {
	return join(ROOT, shipped.replace(/^dist\//, '').replace(/\.js$/, ''));
}

/**
 * One instance of every credential class package.json lists, by its n8n type name: the tests
 * use exactly what n8n loads (test/registry.test.ts checks that it matches the registry).
 */
export const credentialTypes: Record<string, ICredentialType> = Object.fromEntries(
	PACKAGE_CREDENTIALS.map((shipped) => {
		// jest's and tsx's require load the TypeScript source, in the same module registry as the tests.
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const exported = require(credentialSource(shipped)) as Record<
			string,
			new () => ICredentialType
		>;
		const classes = Object.values(exported).filter((value) => typeof value === 'function');
		if (classes.length !== 1)
			throw new Error(`${shipped}: expected one credential class, found ${classes.length}`);
		const type = new classes[0]();
		return [type.name, type];
	}),
);

/** A vendor's kit fixture, with the vendor and its credential type. */
export interface VendorFixture extends KitFixture {
	vendor: VendorId;
	credentialType: string;
}

export { genericSettings };

/** Every vendor's credential values against this sandbox, from its kit (./kits). */
export function fixtures(sandbox: Sandbox): Record<VendorId, VendorFixture> {
	return Object.fromEntries(
		vendorIds.map((vendor) => [
			vendor,
			{
				vendor,
				credentialType: providers[vendor].credentialName,
				...kits[vendor].fixture(sandbox.vendors[vendor], sandbox),
			},
		]),
	) as Record<VendorId, VendorFixture>;
}

/** n8n's default name of a new credential: its type's name without " API", then " account". */
export function defaultCredentialName(credentialType: string): string {
	return `${credentialTypes[credentialType].displayName.replace(/ API$/, '')} account`;
}

/**
 * A node of a test workflow: version 1 at the origin, with the credential of type `credential`
 * saved as `cred`; `extra` last, over all of it.
 */
export function testNode(
	node: Pick<INode, 'id' | 'name' | 'type' | 'credentials'> & {
		parameters: IDataObject;
		credential?: string;
	},
	extra: Partial<INode> = {},
): INode {
	const { credential, parameters, ...rest } = node;
	return {
		typeVersion: 1,
		position: [0, 0],
		parameters: parameters as INode['parameters'],
		...(credential !== undefined && {
			credentials: { [credential]: { id: 'cred', name: 'cred' } },
		}),
		...rest,
		...extra,
	};
}

/** The Get Token node of a test workflow, with the vendor's credential `cred`. */
export function getTokenNode(
	vendor: VendorId,
	options: IDataObject = {},
	extra: Partial<INode> = {},
): INode {
	return testNode(
		{
			id: 'get-token',
			name: 'Get Token',
			type: 'n8n-nodes-token-auth.getToken',
			parameters: { vendor, options },
			credential: providers[vendor].credentialName,
		},
		extra,
	);
}

/** The Autoshares Trader node's Log In of a test workflow, with the credential `cred`. */
export function logInNode(options: IDataObject = {}, extra: Partial<INode> = {}): INode {
	return testNode(
		{
			id: 'login',
			name: 'Log In',
			type: 'n8n-nodes-token-auth.autosharesTrader',
			parameters: { operation: 'logIn', options },
			credential: 'autosharesTraderApi',
		},
		extra,
	);
}
