import type { ICredentialDataDecryptedObject, ICredentialType, IDataObject, INode } from 'n8n-workflow';

import { AutosharesTraderApi } from '../../credentials/AutosharesTraderApi.credentials';
import { GalileoApi } from '../../credentials/GalileoApi.credentials';
import { ManisApi } from '../../credentials/ManisApi.credentials';
import { SirdataApi } from '../../credentials/SirdataApi.credentials';
import { SodaCloudApi } from '../../credentials/SodaCloudApi.credentials';
import type { VendorId } from '../../nodes/shared/provider';
import { providers } from '../../nodes/shared/providers';
import { SANDBOX_ACCOUNTS, type Sandbox } from '../sandbox';

export const credentialTypes: Record<string, ICredentialType> = {
	sodaCloudApi: new SodaCloudApi(),
	galileoApi: new GalileoApi(),
	sirdataApi: new SirdataApi(),
	autosharesTraderApi: new AutosharesTraderApi(),
	manisApi: new ManisApi(),
};

/** Package vendor id → sandbox vendor id. */
export const sandboxVendor = {
	sodaCloud: 'soda',
	galileo: 'galileo',
	sirdata: 'sirdata',
	autosharesTrader: 'autoshares',
	manis: 'manis',
} as const satisfies Record<VendorId, keyof Sandbox['vendors']>;

export interface VendorFixture {
	vendor: VendorId;
	credentialType: string;
	good: ICredentialDataDecryptedObject;
	/** Same credential with a wrong secret. */
	bad: ICredentialDataDecryptedObject;
	/** The headers a later request must carry for the token the sandbox issued. */
	expectedHeaders(token: string): Record<string, string>;
}

const A = SANDBOX_ACCOUNTS;

export function fixtures(sandbox: Sandbox): Record<VendorId, VendorFixture> {
	const v = sandbox.vendors;
	return {
		sodaCloud: {
			vendor: 'sodaCloud',
			credentialType: 'sodaCloudApi',
			good: { region: 'custom', baseUrl: v.soda.baseUrl, authMethod: 'token', email: A.soda.user.email, password: A.soda.user.password },
			bad: { region: 'custom', baseUrl: v.soda.baseUrl, authMethod: 'token', email: A.soda.user.email, password: 'wrong-password' },
			expectedHeaders: (token) => ({ SODA_TOKEN: token }),
		},
		galileo: {
			vendor: 'galileo',
			credentialType: 'galileoApi',
			good: { baseUrl: v.galileo.baseUrl, apiVersion: 'v1', authMethod: 'apiKey', apiKey: A.galileo.apiKey },
			bad: { baseUrl: v.galileo.baseUrl, apiVersion: 'v1', authMethod: 'apiKey', apiKey: 'glk_wrong_key_000000' },
			expectedHeaders: (token) => ({ Authorization: `Bearer ${token}` }),
		},
		sirdata: {
			vendor: 'sirdata',
			credentialType: 'sirdataApi',
			good: { baseUrl: v.sirdata.baseUrl, partnerId: String(A.sirdata.partnerId), login: A.sirdata.login, password: A.sirdata.password },
			bad: { baseUrl: v.sirdata.baseUrl, partnerId: String(A.sirdata.partnerId), login: A.sirdata.login, password: 'wrong-password' },
			expectedHeaders: (token) => ({ Authorization: token }),
		},
		autosharesTrader: {
			vendor: 'autosharesTrader',
			credentialType: 'autosharesTraderApi',
			good: { baseUrl: v.autoshares.baseUrl, webApiKey: A.autoshares.appKey, username: A.autoshares.plain.username, password: A.autoshares.plain.password },
			bad: { baseUrl: v.autoshares.baseUrl, webApiKey: A.autoshares.appKey, username: A.autoshares.plain.username, password: 'Wrong#Pass' },
			expectedHeaders: (token) => ({ Authorization: `Bearer ${token}`, 'Et-App-Key': A.autoshares.appKey }),
		},
		manis: {
			vendor: 'manis',
			credentialType: 'manisApi',
			good: { baseUrl: v.manis.baseUrl, merchantId: A.manis.merchantId, secret: A.manis.secret },
			bad: { baseUrl: v.manis.baseUrl, merchantId: A.manis.merchantId, secret: 'wrong-secret' },
			expectedHeaders: (token) => ({ Authorization: `Bearer ${token}` }),
		},
	};
}

export const VENDORS: VendorId[] = ['sodaCloud', 'galileo', 'sirdata', 'autosharesTrader', 'manis'];

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
