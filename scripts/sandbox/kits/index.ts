/**
 * Every vendor's test kit, by the package's vendor id. A kit is the file
 * `scripts/sandbox/kits/<vendorId>.ts` exporting a `VendorKit<'<vendorId>'>` under the vendor id
 * (`export const manis: VendorKit<'manis'>`); it is found by that name, so a new vendor's kit
 * needs no line here. A vendor of the registry without one stops every suite at load with the
 * file to write; test/registry.test.ts names any part a kit leaves out.
 */
import { vendorIds, type VendorId } from '../../../nodes/shared/providers';
import type { VendorKit } from './types';

function kitOf<V extends VendorId>(vendor: V): VendorKit<V> {
	const file = `scripts/sandbox/kits/${vendor}.ts`;
	let loaded: Partial<Record<V, VendorKit<V>>>;
	try {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		loaded = require(`./${vendor}`) as Partial<Record<V, VendorKit<V>>>;
	} catch (error) {
		const missing =
			(error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' &&
			(error as Error).message.includes(`'./${vendor}'`);
		if (!missing) throw error;
		throw new Error(
			`${file} is missing: vendor ${vendor} of the provider registry has no test kit (CONTRIBUTING.md, step 5).`,
		);
	}
	const kit = loaded[vendor];
	if (kit === undefined)
		throw new Error(
			`${file} exports no kit named ${vendor}: write \`export const ${vendor}: VendorKit<'${vendor}'> = { … }\`.`,
		);
	return kit;
}

export const kits = Object.fromEntries(vendorIds.map((vendor) => [vendor, kitOf(vendor)])) as {
	[V in VendorId]: VendorKit<V>;
};

/**
 * Whether a credential of this vendor cannot get its own token on this n8n version, so that a
 * Get Token node must come first (README): its token call needs n8n's legacy request helper
 * (Sirdata's GET with a body), which n8n 2.x no longer hands a credential's token step.
 */
export function needsTokenStep(version: string, vendor: VendorId): boolean {
	// A tag (`latest`, `next`) is no 1.x: only a major below 2 still has the legacy helper.
	return kits[vendor].tokenStepNeedsLegacyRequest === true && !(Number(version.split('.')[0]) < 2);
}

/** The parts every kit has (test/registry.test.ts checks each kit for them). */
export const KIT_PARTS = [
	'server',
	'fixture',
	'answerHasExpiry',
	'secrets',
	'contract',
	'properties',
	'check',
] as const satisfies ReadonlyArray<keyof VendorKit>;

export { genericSettings } from './customEndpoint';
export * from './types';
