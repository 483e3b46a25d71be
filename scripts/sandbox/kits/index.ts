/**
 * Every vendor's test kit, by the package's vendor id. A vendor of the registry without a kit
 * here is a compile error naming it; test/registry.test.ts names the missing part for jest.
 */
import type { VendorId } from '../../../nodes/shared/providers';
import { autosharesTrader } from './autosharesTrader';
import { customEndpoint } from './customEndpoint';
import { galileo } from './galileo';
import { manis } from './manis';
import { sirdata } from './sirdata';
import { sodaCloud } from './sodaCloud';
import type { VendorKit } from './types';

export const kits: { [V in VendorId]: VendorKit<V> } = {
	sodaCloud,
	galileo,
	sirdata,
	autosharesTrader,
	manis,
	customEndpoint,
};

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
