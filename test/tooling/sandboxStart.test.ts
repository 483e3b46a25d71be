/**
 * startSandbox closes what it opened when it throws: a kit without its server, or a
 * port in use, is an error that says so, and no server is left listening (jest would never exit).
 */
import * as net from 'node:net';

import type * as SandboxModule from '../../scripts/sandbox';
import type * as KitsModule from '../../scripts/sandbox/kits';

/** Every server startSandbox asks to listen, whatever it does afterwards, and when that listen settles. */
const started: net.Server[] = [];
const settled: Array<Promise<void>> = [];
const realListen = net.Server.prototype.listen;
beforeEach(() => {
	started.length = 0;
	settled.length = 0;
	jest.spyOn(net.Server.prototype, 'listen').mockImplementation(function (
		this: net.Server,
		...args: unknown[]
	) {
		started.push(this);
		settled.push(
			new Promise<void>(
				(resolve) => (this.once('listening', () => resolve()), this.once('error', () => resolve())),
			),
		);
		return (realListen as (...a: unknown[]) => net.Server).apply(this, args);
	});
});
afterEach(async () => {
	jest.restoreAllMocks();
	// Whatever a failing startSandbox left behind is closed here, so the run still ends.
	await stillListening();
	await Promise.all(
		started.map(
			(server) =>
				new Promise((resolve) => (server.listening ? server.close(resolve) : resolve(undefined))),
		),
	);
});

/** Once every listen the sandbox started has settled: the servers still listening. */
async function stillListening(): Promise<number> {
	await Promise.all(settled);
	return started.filter((server) => server.listening).length;
}

it('a kit without its server fails naming the vendor and the file, and leaves nothing listening', async () => {
	let sandbox!: typeof SandboxModule;
	jest.isolateModules(() => {
		jest.doMock('../../scripts/sandbox/kits', () => {
			const actual = jest.requireActual<typeof KitsModule>('../../scripts/sandbox/kits');
			return {
				...actual,
				kits: { ...actual.kits, manis: { ...actual.kits.manis, server: undefined } },
			};
		});
		sandbox = jest.requireActual<typeof SandboxModule>('../../scripts/sandbox');
	});
	jest.dontMock('../../scripts/sandbox/kits');
	const failure = await sandbox.startSandbox().then(
		() => 'started',
		(error: unknown) => String(error),
	);
	expect(await stillListening()).toBe(0);
	expect(failure).toMatch(
		/no server for vendor manis: give it a test kit with its server in scripts\/sandbox\/kits\/manis\.ts/,
	);
});

it('a port in use fails and leaves nothing listening', async () => {
	let startSandbox!: typeof SandboxModule.startSandbox;
	jest.isolateModules(
		() => ({ startSandbox } = jest.requireActual<typeof SandboxModule>('../../scripts/sandbox')),
	);
	const blocker = net.createServer();
	await new Promise<void>((resolve) =>
		(realListen as (...a: unknown[]) => net.Server).call(blocker, 0, '127.0.0.1', resolve),
	);
	const port = (blocker.address() as net.AddressInfo).port;
	try {
		await expect(startSandbox({ ports: { manis: port } })).rejects.toThrow(/could not start/);
		expect(await stillListening()).toBe(0);
	} finally {
		await new Promise((resolve) => blocker.close(resolve));
	}
});
