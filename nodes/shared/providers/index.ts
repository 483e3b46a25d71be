import type { AnyTokenProvider, VendorId } from '../provider';
import { autosharesTrader } from './autosharesTrader';
import { galileo } from './galileo';
import { manis } from './manis';
import { sirdata } from './sirdata';
import { sodaCloud } from './sodaCloud';

/** Every vendor the package knows; a new vendor is one provider file added here. */
export const providers: Record<VendorId, AnyTokenProvider> = {
	sodaCloud,
	galileo,
	sirdata,
	autosharesTrader,
	manis,
};

export { autosharesTrader, galileo, manis, sirdata, sodaCloud };
