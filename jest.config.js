/** Unit and sandbox tests. The real-n8n suite is `npm run test:e2e`, not jest. */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	testPathIgnorePatterns: ['/node_modules/', '/test/e2e/'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/test/tsconfig.json' }],
	},
	testTimeout: 30000,
	// Every core: most suites wait on loopback servers and child processes (jest's default,
	// one worker less than the cores, leaves a 2-core machine running them one by one).
	maxWorkers: '100%',
	// The 2FA seal's work factor lowered for the suite (see the file).
	setupFiles: ['<rootDir>/test/helpers/fastSeal.ts'],
};
