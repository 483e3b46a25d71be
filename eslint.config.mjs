import { config } from '@n8n/node-cli/eslint';

// n8n's own community config, unchanged, for everything that ships (nodes/, credentials/,
// package.json). Tests and tooling run in Node, not in n8n: they may use the file system,
// process and timers, which the shipped code must not.
export default [
	...config,
	{ ignores: ['dist/**', 'coverage/**', 'node_modules/**', '*.js', '*.mjs'] },
	{
		files: ['test/**/*.ts', 'scripts/**/*.ts'],
		rules: {
			'@n8n/community-nodes/no-restricted-globals': 'off',
			'@n8n/community-nodes/no-restricted-imports': 'off',
			// Test fixtures are made-up sandbox values, not secrets.
			'@n8n/community-nodes/no-hardcoded-secrets': 'off',
			'import-x/no-unresolved': 'off',
		},
	},
];
