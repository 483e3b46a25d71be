import { config } from '@n8n/node-cli/eslint';

// n8n's own community config, unchanged, for everything that ships (nodes/, credentials/,
// package.json). Tests and tooling run in Node, not in n8n: they may use the file system,
// processes, timers and the console, and throw plain errors, which the shipped code must not.
export default [
	...config,
	{ ignores: ['dist/**', 'coverage/**', 'node_modules/**', '.tmp/**', '.e2e/**', '*.js', '*.mjs'] },
	{
		files: ['test/**/*.ts', 'scripts/**/*.ts'],
		rules: {
			'@n8n/community-nodes/no-restricted-globals': 'off',
			'@n8n/community-nodes/no-restricted-imports': 'off',
			'@n8n/community-nodes/no-dangerous-functions': 'off',
			'@n8n/community-nodes/require-node-api-error': 'off',
			'no-console': 'off',
			// Test fixtures are made-up sandbox values, not secrets.
			'@n8n/community-nodes/no-hardcoded-secrets': 'off',
			'import-x/no-unresolved': 'off',
		},
	},
];
