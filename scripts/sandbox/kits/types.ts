/**
 * One test kit per vendor, keyed by the package's own vendor id (`Record<VendorId, VendorKit>`,
 * `./index`): everything the tests, the benchmarks and `npm start` need to know about a vendor
 * beyond its provider. A kit without one of its parts is a compile error naming the vendor's
 * kit file, and test/registry.test.ts names the part for jest, which does not type-check.
 */
import type fc from 'fast-check';
import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import type { VendorId } from '../../../nodes/shared/providers';
import type { VendorDefinition } from '../server';
import type { Sandbox, SandboxVendors, VendorServer } from '../types';

/** Recognisable wrong secrets: whatever shows one of these leaked it. */
export const WRONG = {
	password: 'SECRET-PASSWORD-7f3a',
	apiKey: 'SECRET-APIKEY-2d8e',
	apiKeySecret: 'SECRET-KEYSECRET-5c19',
	appKey: 'SECRET-APPKEY-91bc',
	pin: 'SECRET-PIN-4d2c',
	manisSecret: 'SECRET-MANIS-6a0f',
	/** Sent to the resume URL, which takes 3 to 16 letters or digits. */
	code: 'SECRETCODE7f3a',
	code2: 'SECRETCODE2b7d',
	pinCode: 'SECRETPIN91bc',
} as const;

/**
 * What the leak search looks for. `secret` may never be shown; `appKey` and `keySecret` only
 * in a node's `headers` with Include Secret Headers; `finalToken` only where a node outputs it.
 */
export type SecretKind = 'secret' | 'appKey' | 'keySecret' | 'interim' | 'code' | 'finalToken';
export interface Forbidden {
	name: string;
	value: string;
	kind: SecretKind;
}

/** A vendor's credential values against a running sandbox. */
export interface KitFixture {
	good: ICredentialDataDecryptedObject;
	/** Same credential with a wrong secret. */
	bad: ICredentialDataDecryptedObject;
	/** The headers a later request must carry for the token the sandbox issued. */
	expectedHeaders(token: string): Record<string, string>;
	/** The credential field that holds the vendor's address (edited by the "moved host" tests). */
	urlField: string;
	/** Whether the expiry is stated as seconds left (computed on our side of the wire), not as an instant. Default no. */
	relativeExpiry?: boolean;
	/** Where the example workflows (docs pages) point (placeholder or real host) → where npm start points them. */
	exampleUrls: Array<[string, string]>;
}

export interface KitSecrets {
	/** Credentials with a recognisable wrong secret (`WRONG`) in every secret field, by name. */
	credentials(server: VendorServer, sandbox: Sandbox): Record<string, IDataObject>;
	/** The one the fault matrix uses (faults come before any check); default the first. */
	faultCredential?: string;
	/** Credentials that reach no error at all (no token step), so no error names the vendor. */
	withoutError?: string[];
	/** What a vendor quoting back the fault credential's request would quote. */
	sent: string[];
	/** Every secret of this vendor the leak search looks for: the wrong ones and the sandbox's. */
	leakSearch: Forbidden[];
	/** The fields a settings error must name when they are blank. */
	requiredFields: string[];
	/** A blank address field means the vendor's default host (no settings error). */
	blankAddressMeansDefault?: boolean;
	/** More settings errors of this vendor's own fields, from the first credential. */
	badSettings?(base: IDataObject): Array<[string, IDataObject]>;
	/** Whether an error quotes the vendor's own text for this status (refusals never do). */
	quotesVendor(status: number, fastApiShape: boolean): boolean;
	/** The vendor's own node (beyond Get Token), run on every path the leak search covers. */
	ownNode?: {
		name: string;
		type: string;
		runs: Array<{ name: string; parameters: IDataObject; continueOnFail?: boolean }>;
	};
	/** The password travels in a header of the token call (a test value for it has no space). */
	passwordInHeader?: boolean;
	/** The secret-bearing headers a token from the good credential carries (shown only on request). */
	secretHeaders: string[];
}

/** Property-test generators for the provider's pure readers (test/hardening/properties.test.ts). */
export interface KitProperties {
	/** Token answers shaped like the vendor's, with anything in every field (./properties has the pieces). */
	answer: fc.Arbitrary<unknown>;
	/** The well-formed 200 answer the vendor documents: it must read as a token. */
	documentedAnswer: IDataObject;
	/** The token in documentedAnswer; default 'tok'. */
	documentedToken?: string;
	/** Settings readTokenAnswer needs (Custom Token Endpoint's); the vendors' readers take none. */
	readerSettings?: IDataObject;
	/** Every credential field, typical values and anything JSON can carry. */
	credentialFields: Record<string, fc.Arbitrary<unknown>>;
	/** What readFields must return when it does not throw; default checkVendorFields. */
	checkFields?(fields: IDataObject): void;
}

/** A request as a test sends it. */
export interface KitCall {
	url: string;
	method?: string;
	headers?: Record<string, string>;
	body?: string;
}

/** An answer as a test received it. */
export interface KitAnswer {
	status: number;
	text: string;
	json: () => Record<string, unknown>;
}

/** The vendor's documented contract, as test/sandbox.test.ts checks the sandbox server against it. */
export interface KitContract {
	/** The documented, successful token call with the sandbox account. */
	tokenCall(server: VendorServer): KitCall;
	/** Where the token is in the answer: a key, or a dot path. */
	tokenField: string;
	/** Where the expiry is; null when the answer has no expiry field. */
	expiryField: string | null;
	/** Throws unless this is the vendor's 401 on an authenticated endpoint. */
	checkDenied(answer: KitAnswer): void;
	/** Throws unless this is the vendor's documented answer to a refused login (the `unauthorized` fault). */
	checkRefusedLogin(answer: KitAnswer): void;
	/** The error text of a JSON error answer, from where the vendor puts it; throws on another shape. */
	messageOf(answer: KitAnswer): string;
}

/** Throws unless `actual` is `expected` (JSON-equal): a kit's contract check, outside jest. */
export function same(what: string, actual: unknown, expected: unknown): void {
	if (JSON.stringify(actual) !== JSON.stringify(expected))
		throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

/** checkRefusedLogin for a vendor whose refused login answers exactly `text`. */
export const refusedLoginAnswers =
	(text: string) =>
	(answer: KitAnswer): void =>
		same('refused login', answer.text, text);

/** FastAPI's error envelope, `{"detail": "…"}` (Soda Cloud and Galileo): its 401 and where its text is. */
export const detailEnvelope: Pick<KitContract, 'checkDenied' | 'messageOf'> = {
	checkDenied: (answer) =>
		same(
			'401 body keys and detail type',
			[Object.keys(answer.json()), typeof answer.json().detail],
			[['detail'], 'string'],
		),
	messageOf: (answer) => {
		same('error body keys', Object.keys(answer.json()), ['detail']);
		return answer.json().detail as string;
	},
};

export interface VendorKit<V extends VendorId = VendorId> {
	/** The sandbox server: the vendor's contract (scripts/sandbox/<vendor>.ts, CONTRACTS.md). */
	server: VendorDefinition<SandboxVendors[V]['settings']>;
	/** Its credential values against its sandbox server. */
	fixture(server: VendorServer, sandbox: Sandbox): KitFixture;
	/**
	 * The token call is a GET with a body, which only n8n's legacy request helper sends: n8n 2.x
	 * hands a credential's token step httpRequest alone, so the credential needs a node's token.
	 * Default no.
	 */
	tokenStepNeedsLegacyRequest?: boolean;
	/** Whether the token answer states an expiry at all (the unreadable-expiry fault is a success without one). */
	answerHasExpiry: boolean;
	/** An expiry already in the past as the vendor states it; undefined when it states seconds left or none. */
	pastExpiry?(past: Date): string | number;
	secrets: KitSecrets;
	contract: KitContract;
	properties: KitProperties;
	/**
	 * `npm start --check`: what the last node of the example workflow on the vendor's docs page
	 * (`docs/<display name in kebab case>.md`) outputs against the sandbox.
	 */
	check: { expect(json: Record<string, unknown>): boolean };
}
