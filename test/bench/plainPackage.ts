/**
 * The benchmark's anchor for (a): a throw-away community package `n8n-nodes-bench-plain` with one
 * credential, `plainManisApi`, written the way n8n's own Metabase credential works
 * (packages/nodes-base/credentials/MetabaseApi.credentials.ts in n8n-io/n8n): a hidden expirable
 * token field, a preAuthentication that makes the token call with `this.helpers.httpRequest` and
 * returns the token, and a generic `authenticate` that adds the header. No token store, no
 * de-duplication: what n8n does on its own.
 *
 * Built only into a temporary folder by the benchmark; never part of the shipped package.
 * No node: n8n's package loader (n8n-core PackageDirectoryLoader.loadAll, 2.40.7) loads the
 * `credentials` list of a package that has no `nodes` at all.
 */
import * as fs from 'fs';
import * as path from 'path';

import { packFolder } from '../../scripts/runtime/pack';

export const PLAIN_PACKAGE = 'n8n-nodes-bench-plain';
export const PLAIN_CREDENTIAL = 'plainManisApi';

const CREDENTIAL_JS = `'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
exports.PlainManisApi = void 0;

// Manis, the way n8n's Metabase credential does a session token.
class PlainManisApi {
	constructor() {
		this.name = 'plainManisApi';
		this.displayName = 'Plain Manis API (benchmark anchor)';
		this.documentationUrl = 'https://github.com/n8n-io/n8n';
		this.properties = [
			{
				displayName: 'Session Token',
				name: 'sessionToken',
				type: 'hidden',
				typeOptions: { expirable: true },
				default: '',
			},
			{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: '' },
			{ displayName: 'Merchant ID', name: 'merchantId', type: 'string', default: '' },
			{ displayName: 'Secret', name: 'secret', type: 'string', typeOptions: { password: true }, default: '' },
		];
		this.authenticate = {
			type: 'generic',
			properties: { headers: { Authorization: '=Bearer {{$credentials.sessionToken}}' } },
		};
		this.test = {
			request: {
				method: 'POST',
				baseURL: '={{$credentials.baseUrl}}',
				url: '/api/v1/auth/token',
				headers: { 'x-merchant-id': '={{$credentials.merchantId}}', 'x-secret': '={{$credentials.secret}}' },
			},
		};
	}

	// Called by n8n only when "sessionToken" (the expirable property) is empty or expired.
	async preAuthentication(credentials) {
		const url = String(credentials.baseUrl);
		const { token } = await this.helpers.httpRequest({
			method: 'POST',
			url: \`\${url.endsWith('/') ? url.slice(0, -1) : url}/api/v1/auth/token\`,
			headers: { 'x-merchant-id': credentials.merchantId, 'x-secret': credentials.secret },
		});
		return { sessionToken: token };
	}
}
exports.PlainManisApi = PlainManisApi;
`;

/** Writes the package into `dir` and packs it there; returns the tarball's path. */
export function buildPlainPackage(dir: string): string {
	const source = path.join(dir, 'package');
	fs.mkdirSync(path.join(source, 'dist', 'credentials'), { recursive: true });
	fs.writeFileSync(
		path.join(source, 'dist', 'credentials', 'PlainManisApi.credentials.js'),
		CREDENTIAL_JS,
	);
	const manifest = {
		name: PLAIN_PACKAGE,
		version: '0.0.0',
		description:
			'Benchmark anchor: a Manis credential the way n8n builds its own, without a token store.',
		keywords: ['n8n-community-node-package'],
		license: 'MIT',
		files: ['dist'],
		n8n: { n8nNodesApiVersion: 1, credentials: ['dist/credentials/PlainManisApi.credentials.js'] },
		peerDependencies: { 'n8n-workflow': '*' },
	};
	fs.writeFileSync(path.join(source, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
	return packFolder(source, dir).tarball;
}
