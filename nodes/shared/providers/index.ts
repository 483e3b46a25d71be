import type { AnyTokenProvider } from '../provider';
import { autosharesTrader } from './autosharesTrader';
import { customEndpoint } from './customEndpoint';
import { galileo } from './galileo';
import { manis } from './manis';
import { sirdata } from './sirdata';
import { sodaCloud } from './sodaCloud';

/**
 * Every vendor the package knows, keyed by its vendor id: the one list that Get Token's
 * credentials, Vendor options and subtitle, the test suites and `npm start` read. A new vendor
 * is one provider file and one line here (CONTRIBUTING.md); test/registry.test.ts fails when
 * this list, package.json and the credential classes disagree.
 */
const registry = {
	sodaCloud,
	galileo,
	sirdata,
	autosharesTrader,
	manis,
	customEndpoint,
};

export type VendorId = keyof typeof registry;

export const providers: Record<VendorId, AnyTokenProvider> = registry;

/** The vendor ids in registry order. */
export const vendorIds = Object.keys(providers) as VendorId[];

/** The provider for a vendor value from a workflow, or undefined when there is none. */
export function providerFor(vendor: unknown): AnyTokenProvider | undefined {
	return typeof vendor === 'string' && Object.prototype.hasOwnProperty.call(providers, vendor)
		? providers[vendor as VendorId]
		: undefined;
}

export { autosharesTrader, customEndpoint, galileo, manis, sirdata, sodaCloud };
