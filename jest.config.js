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
	// The 2FA seal's work factor lowered for the suite (see the file).
	setupFiles: ['<rootDir>/test/helpers/fastSeal.ts'],
};
