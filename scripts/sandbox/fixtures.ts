import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { ICredentialDataDecryptedObject, ICredentialType, IDataObject, INode } from 'n8n-workflow';

import { providers, vendorIds, type VendorId } from '../../nodes/shared/providers';
import { SANDBOX_ACCOUNTS, type Sandbox } from './index';

const ROOT = join(__dirname, '..', '..');

/** The credential files package.json ships (`dist/credentials/X.credentials.js`). */
export const PACKAGE_CREDENTIALS: string[] = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { n8n: { credentials: string[] } }).n8n.credentials;

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
		const exported = require(credentialSource(shipped)) as Record<string, new () => ICredentialType>;
		const classes = Object.values(exported).filter((value) => typeof value === 'function');
		if (classes.length !== 1) throw new Error(`${shipped}: expected one credential class, found ${classes.length}`);
		const type = new classes[0]();
		return [type.name, type];
	}),
);

/** Every vendor of the provider registry, in its order. */
export const VENDORS: VendorId[] = vendorIds;

export interface VendorFixture {
	vendor: VendorId;
	credentialType: string;
	good: ICredentialDataDecryptedObject;
	/** Same credential with a wrong secret. */
	bad: ICredentialDataDecryptedObject;
	/** The headers a later request must carry for the token the sandbox issued. */
	expectedHeaders(token: string): Record<string, string>;
	/** The credential field that holds the vendor's address (edited by the "moved host" tests). */
	urlField: string;
	/** Whether the expiry is stated as seconds left (computed on our side of the wire), not as an instant. */
	relativeExpiry: boolean;
	/** Where the examples/ workflows point (placeholder or real host) → where npm start points them. */
	exampleUrls: Array<[string, string]>;
}

const A = SANDBOX_ACCOUNTS;

/** The Custom Token Endpoint settings for the sandbox's generic API (its made-up contract). */
export function genericSettings(sandbox: Sandbox, over: IDataObject = {}): ICredentialDataDecryptedObject {
	const base = sandbox.vendors.customEndpoint.baseUrl;
	return {
		tokenUrl: `${base}/auth/login`,
		method: 'POST',
		loginValuesIn: 'formBody',
		userField: 'username',
		username: A.customEndpoint.username,
		passField: 'password',
		password: A.customEndpoint.password,
		extraFields: '{"grant_type": "password"}',
		answerPath: 'data.jwt',
		answerTypePath: 'data.token_type',
		expiryFormat: 'jwtExp',
		sendIn: 'header',
		headerName: 'Authorization',
		headerValue: 'Bearer {token}',
		expiredStatusCodes: '401, 403',
		expiredText: '',
		testUrl: `${base}/me`,
		...over,
	} as ICredentialDataDecryptedObject;
}

export function fixtures(sandbox: Sandbox): Record<VendorId, VendorFixture> {
	const v = sandbox.vendors;
	const all: { [V in VendorId]: Omit<VendorFixture, 'vendor' | 'credentialType'> } = {
		sodaCloud: {
			good: { region: 'custom', baseUrl: v.sodaCloud.baseUrl, authMethod: 'token', email: A.sodaCloud.user.email, password: A.sodaCloud.user.password },
			bad: { region: 'custom', baseUrl: v.sodaCloud.baseUrl, authMethod: 'token', email: A.sodaCloud.user.email, password: 'wrong-password' },
			expectedHeaders: (token) => ({ SODA_TOKEN: token }),
			urlField: 'baseUrl',
			relativeExpiry: true,
			exampleUrls: [
				['https://reporting.cloud.soda.io/v1', v.sodaCloud.baseUrl],
				['https://reporting.cloud.us.soda.io/v1', v.sodaCloud.baseUrl],
			],
		},
		galileo: {
			good: { baseUrl: v.galileo.baseUrl, apiVersion: 'v1', authMethod: 'apiKey', apiKey: A.galileo.apiKey },
			bad: { baseUrl: v.galileo.baseUrl, apiVersion: 'v1', authMethod: 'apiKey', apiKey: 'glk_wrong_key_000000' },
			expectedHeaders: (token) => ({ Authorization: `Bearer ${token}` }),
			urlField: 'baseUrl',
			relativeExpiry: false,
			exampleUrls: [['https://api.galileo.ai', v.galileo.baseUrl]],
		},
		sirdata: {
			good: { baseUrl: v.sirdata.baseUrl, partnerId: String(A.sirdata.partnerId), login: A.sirdata.login, password: A.sirdata.password },
			bad: { baseUrl: v.sirdata.baseUrl, partnerId: String(A.sirdata.partnerId), login: A.sirdata.login, password: 'wrong-password' },
			expectedHeaders: (token) => ({ Authorization: token }),
			urlField: 'baseUrl',
			relativeExpiry: false,
			// The placeholder first: the sandbox's echo checks the vendor's header exactly and answers 200.
			exampleUrls: [
				['https://partner-api.sddan.com/api/v1/YOUR-ENDPOINT', `${v.sirdata.origin}/__sandbox/echo`],
				['https://partner-api.sddan.com', v.sirdata.baseUrl],
			],
		},
		autosharesTrader: {
			good: { baseUrl: v.autosharesTrader.baseUrl, webApiKey: A.autosharesTrader.appKey, username: A.autosharesTrader.plain.username, password: A.autosharesTrader.plain.password },
			bad: { baseUrl: v.autosharesTrader.baseUrl, webApiKey: A.autosharesTrader.appKey, username: A.autosharesTrader.plain.username, password: 'Wrong#Pass' },
			expectedHeaders: (token) => ({ Authorization: `Bearer ${token}`, 'Et-App-Key': A.autosharesTrader.appKey }),
			urlField: 'baseUrl',
			relativeExpiry: false,
			exampleUrls: [['https://pub-api-et-demo-prod.etnasoft.us/api', v.autosharesTrader.baseUrl]],
		},
		manis: {
			good: { baseUrl: v.manis.baseUrl, merchantId: A.manis.merchantId, secret: A.manis.secret },
			bad: { baseUrl: v.manis.baseUrl, merchantId: A.manis.merchantId, secret: 'wrong-secret' },
			expectedHeaders: (token) => ({ Authorization: `Bearer ${token}` }),
			urlField: 'baseUrl',
			relativeExpiry: false,
			exampleUrls: [
				['https://YOUR-MANIS-API-HOST/api/v1/YOUR-ENDPOINT', `${v.manis.origin}/__sandbox/echo`],
				['https://YOUR-MANIS-API-HOST', v.manis.baseUrl],
			],
		},
		customEndpoint: {
			good: genericSettings(sandbox),
			bad: genericSettings(sandbox, { password: 'wrong-password' }),
			expectedHeaders: (token) => ({ Authorization: `Bearer ${token}` }),
			urlField: 'tokenUrl',
			relativeExpiry: false,
			exampleUrls: [['https://api.example.com/api', v.customEndpoint.baseUrl]],
		},
	};
	return Object.fromEntries(
		VENDORS.map((vendor) => [vendor, { vendor, credentialType: providers[vendor].credentialName, ...all[vendor] }]),
	) as Record<VendorId, VendorFixture>;
}

/** n8n's default name of a new credential: its type's name without " API", then " account". */
export function defaultCredentialName(credentialType: string): string {
	return `${credentialTypes[credentialType].displayName.replace(/ API$/, '')} account`;
}

/** The Get Token node of a test workflow, with the vendor's credential `cred`. */
export function getTokenNode(vendor: VendorId, options: IDataObject = {}, extra: Partial<INode> = {}): INode {
	return {
		id: 'get-token',
		name: 'Get Token',
		type: 'n8n-nodes-token-auth.getToken',
		typeVersion: 1,
		position: [0, 0],
		parameters: { vendor, options } as INode['parameters'],
		credentials: { [providers[vendor].credentialName]: { id: 'cred', name: 'cred' } },
		...extra,
	};
}

/** The Autoshares Trader node's Log In of a test workflow, with the credential `cred`. */
export function logInNode(options: IDataObject = {}, extra: Partial<INode> = {}): INode {
	return {
		id: 'login',
		name: 'Log In',
		type: 'n8n-nodes-token-auth.autosharesTrader',
		typeVersion: 1,
		position: [0, 0],
		parameters: { operation: 'logIn', options } as INode['parameters'],
		credentials: { autosharesTraderApi: { id: 'cred', name: 'cred' } },
		...extra,
	};
}
