/**
 * Vendor sandbox: one real HTTP server per vendor on loopback, following the documented token
 * contracts, and one generic API with a made-up contract for the Custom Token Endpoint
 * credential (README.md and CONTRACTS.md beside this file).
 *
 *   const sandbox = await startSandbox();
 *   sandbox.vendors.sodaCloud.baseUrl        // http://127.0.0.1:PORT/v1
 *   sandbox.vendors.manis.configure({ expiryFormat: 'milliseconds' });
 *   sandbox.vendors.sodaCloud.injectFault({ kind: 'redirect', status: 307, to: 'otherOrigin' }, 1);
 *   sandbox.catcher.requests             // what a client sent where the redirect pointed
 *   await sandbox.close();
 */
import { vendorIds } from '../../nodes/shared/providers';
import { kits } from './kits';
import type { VendorDefinition } from './server';
import { CatcherImpl, DEFAULT_MAX_BODY_BYTES, VendorServerImpl } from './server';
import { sandboxTlsPair } from './tls';
import type { Sandbox, SandboxOptions, SandboxVendors, VendorId, VendorServer } from './types';

export { SANDBOX_ACCOUNTS } from './accounts';
export type { SandboxAccounts } from './accounts';
export { DEFAULT_AUTOSHARES_SETTINGS } from './autoshares';
export { galileoTime } from './galileo';
export { CAUGHT_TOKEN_PREFIX, REDIRECT_QUERY, REDIRECT_QUERY_MARKER } from './server';
export { sirdataTime } from './sirdata';
export type {
	AutosharesSettings,
	AutosharesWrongCodeMode,
	CatcherServer,
	EchoFormat,
	Fault,
	GenericSettings,
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

/** Each vendor's server, from its test kit (./kits). */
const DEFINITIONS = Object.fromEntries(
	vendorIds.map((vendor) => [vendor, kits[vendor]?.server]),
) as {
	[V in VendorId]: VendorDefinition<SandboxVendors[V]['settings']> | undefined;
};

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
	const host = options.host ?? '127.0.0.1';
	const clock = options.clock ?? Date.now;
	const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
	const tlsFor = (vendor: VendorId) =>
		typeof options.tls === 'boolean' ? options.tls : (options.tls?.[vendor] ?? false);
	const tls = vendorIds.some(tlsFor) ? sandboxTlsPair() : undefined;

	// Answers in the shape of whichever vendor redirected there (the vendor id is in the path).
	const catcher = new CatcherImpl(
		(vendor) =>
			(vendorIds as readonly string[]).includes(vendor)
				? vendors[vendor as VendorId].caughtAnswer()
				: undefined,
		{ tls, clock, maxBodyBytes },
	);

	function create<V extends VendorId>(vendor: V): VendorServerImpl<SandboxVendors[V]['settings']> {
		const definition = DEFINITIONS[vendor];
		if (!definition) {
			throw new Error(
				`vendor sandbox: no server for vendor ${vendor}: give it a test kit with its server in scripts/sandbox/kits/${vendor}.ts`,
			);
		}
		return new VendorServerImpl(definition, {
			lifetimeSeconds: options.tokenLifetimeSeconds?.[vendor],
			settings: options.settings?.[vendor] as Partial<SandboxVendors[V]['settings']> | undefined,
			clock,
			maxBodyBytes,
			tls: tlsFor(vendor) ? tls : undefined,
			catcher,
		});
	}

	// Every server is built before any listens: a vendor that cannot be built opens nothing.
	const vendors = Object.fromEntries(vendorIds.map((id) => [id, create(id)])) as {
		[V in VendorId]: VendorServerImpl<SandboxVendors[V]['settings']>;
	};
	const servers = vendorIds.map((id) => vendors[id] as VendorServerImpl<object>);
	const closeAll = async () => {
		await Promise.all([...servers.map((server) => server.close()), catcher.close()]);
	};

	// Wait for every listen to settle before cleaning up after a failure (e.g. a port in use):
	// a server closed while its listen is under way would start listening afterwards.
	const listening = await Promise.allSettled([
		...vendorIds.map(async (id, i) => await servers[i].listen(host, options.ports?.[id] ?? 0)),
		catcher.listen(host),
	]);
	const failure = listening.find((result) => result.status === 'rejected');
	if (failure) {
		await closeAll();
		throw new Error(`vendor sandbox could not start: ${String(failure.reason)}`);
	}
	return { vendors, catcher, certificate: tls?.cert ?? null, close: closeAll };
}

/** Every vendor server as a list (handy for loops). */
export function allVendors(sandbox: Sandbox): VendorServer[] {
	return vendorIds.map((id) => sandbox.vendors[id]);
}
