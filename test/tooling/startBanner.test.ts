// npm start's banner names every port it listens on, and what listens there.
import { vendorIds } from '../../nodes/shared/providers';
import { listeningPorts } from '../../scripts/start';

/** The sandbox's ports from 5701 on, one per vendor of the registry. */
const LAST = 5700 + vendorIds.length;

describe('listeningPorts: what the banner says listens where', () => {
	it('names n8n, the sandbox range, the task broker, the redirect catcher and the notify receiver', () => {
		const vendors = Object.fromEntries(
			vendorIds.map((id, i) => [id, { origin: `http://127.0.0.1:${5701 + i}` }]),
		);
		const demo = {
			n8n: { port: 5678, brokerPort: 37451 },
			sandbox: { vendors, catcher: { origin: 'http://127.0.0.1:46553' } },
			notifyUrl: 'http://127.0.0.1:36543/notify',
		} as unknown as Parameters<typeof listeningPorts>[0];
		const lines = listeningPorts(demo);
		expect(lines.map((line) => line.split('  ')[0])).toEqual([
			'5678',
			`5701–${LAST}`,
			'37451',
			'46553',
			'36543',
		]);
		expect(lines[2]).toContain("n8n's task broker");
		expect(lines[3]).toContain('redirect catcher');
		expect(lines[4]).toContain('notify receiver');
	});

	it('lists sandbox ports one by one when some were taken (a free port instead)', () => {
		const vendors = Object.fromEntries(
			vendorIds.map((id, i) => [id, { origin: `http://127.0.0.1:${i === 2 ? 40000 : 5701 + i}` }]),
		);
		const demo = {
			n8n: { port: 5678, brokerPort: 1 },
			sandbox: { vendors, catcher: { origin: 'http://127.0.0.1:2' } },
			notifyUrl: 'http://127.0.0.1:3/notify',
		} as unknown as Parameters<typeof listeningPorts>[0];
		const others = vendorIds.map((_, i) => 5701 + i).filter((port) => port !== 5703);
		expect(listeningPorts(demo)[1].split('  ')[0]).toBe([...others, 40000].join(', '));
	});
});
