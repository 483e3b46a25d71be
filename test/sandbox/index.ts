/**
 * Vendor sandbox: one real HTTP server per vendor on loopback, following the documented token
 * contracts (see README.md beside this file and /work/shared/VENDORS.md).
 *
 *   const sandbox = await startSandbox();
 *   sandbox.vendors.soda.baseUrl        // http://127.0.0.1:PORT/v1
 *   sandbox.vendors.manis.configure({ expiryFormat: 'milliseconds' });
 *   await sandbox.close();
 */
import { autosharesDefinition } from './autoshares';
import { galileoDefinition } from './galileo';
import { manisDefinition } from './manis';
import type { VendorDefinition } from './server';
import { DEFAULT_MAX_BODY_BYTES, VendorServerImpl } from './server';
import { sirdataDefinition } from './sirdata';
import { sodaDefinition } from './soda';
import type { Sandbox, SandboxOptions, SandboxVendors, VendorId, VendorServer } from './types';
import { VENDOR_IDS } from './types';

export { SANDBOX_ACCOUNTS } from './accounts';
export type { SandboxAccounts } from './accounts';
export { DEFAULT_AUTOSHARES_SETTINGS } from './autoshares';
export { galileoTime } from './galileo';
export { sirdataTime } from './sirdata';
export { VENDOR_IDS } from './types';
export type {
	AutosharesSettings,
	AutosharesWrongCodeMode,
	Fault,
	IssuedToken,
	ManisExpiryFormat,
	ManisSettings,
	NoSettings,
	RecordedRequest,
	Sandbox,
	SandboxOptions,
	SandboxVendors,
	SirdataSettings,
	SodaSettings,
	VendorId,
	VendorServer,
	VendorSettings,
} from './types';

const DEFINITIONS: { [V in VendorId]: VendorDefinition<SandboxVendors[V]['settings']> } = {
	soda: sodaDefinition,
	galileo: galileoDefinition,
	sirdata: sirdataDefinition,
	autoshares: autosharesDefinition,
	manis: manisDefinition,
};

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
	const host = options.host ?? '127.0.0.1';
	const clock = options.clock ?? Date.now;
	const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;

	function create<V extends VendorId>(vendor: V): VendorServerImpl<SandboxVendors[V]['settings']> {
		return new VendorServerImpl(DEFINITIONS[vendor], {
			lifetimeSeconds: options.tokenLifetimeSeconds?.[vendor],
			settings: options.settings?.[vendor] as Partial<SandboxVendors[V]['settings']> | undefined,
			clock,
			maxBodyBytes,
		});
	}

	const vendors: SandboxVendors = {
		soda: create('soda'),
		galileo: create('galileo'),
		sirdata: create('sirdata'),
		autoshares: create('autoshares'),
		manis: create('manis'),
	};
	const servers = VENDOR_IDS.map((id) => vendors[id] as VendorServerImpl<object>);
	const closeAll = async () => {
		await Promise.all(servers.map((server) => server.close()));
	};

	// Wait for every listen to settle before cleaning up after a failure (e.g. a port in use).
	const listening = await Promise.allSettled(
		VENDOR_IDS.map((id, i) => servers[i].listen(host, options.ports?.[id] ?? 0)),
	);
	const failure = listening.find((result) => result.status === 'rejected');
	if (failure) {
		await closeAll();
		throw new Error(`vendor sandbox could not start: ${String(failure.reason)}`);
	}
	return { vendors, close: closeAll };
}

/** Every vendor server as a list (handy for loops). */
export function allVendors(sandbox: Sandbox): VendorServer[] {
	return VENDOR_IDS.map((id) => sandbox.vendors[id]);
}
