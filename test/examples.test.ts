/**
 * The example workflows live in the docs pages (scripts/examples.ts): what npm start imports is
 * read from there, and a broken block names its page instead of failing somewhere later.
 */
import { providers, vendorIds } from '../nodes/shared/providers';
import { docsPageOf, exampleOf, loadExamples } from '../scripts/examples';

const page = (block: string) =>
	`# A credential\n\nNotes.\n\n## Example workflow\n\nPaste it.\n\n${block}\n---\n`;

describe('example workflows in the docs pages', () => {
	it('reads the json block under "## Example workflow"', () => {
		const example = exampleOf('a.md', page('```json\n{"name": "A", "nodes": []}\n```\n'));
		expect(example).toEqual({ file: 'a.md', json: { name: 'A', nodes: [] } });
	});

	it('reads a page with CRLF line ends the same', () => {
		const text = page('```json\n{"name": "A", "nodes": []}\n```\n').replace(/\n/g, '\r\n');
		expect(exampleOf('a.md', text)).toEqual({ file: 'a.md', json: { name: 'A', nodes: [] } });
	});

	it('takes the block of its own section, not one under a later heading', () => {
		const text = page('No block here.\n\n## Another section\n\n```json\n{"nodes": []}\n```\n');
		expect(() => exampleOf('a.md', text)).toThrow('without a ```json block');
	});

	it('a page without the heading has no example', () => {
		expect(exampleOf('a.md', '# A\n\n```json\n{"nodes": []}\n```\n')).toBeUndefined();
	});

	it.each([
		[
			'no json block',
			page('Nothing here.\n'),
			'docs/a.md: "## Example workflow" without a ```json block',
		],
		[
			'a block that is not JSON',
			page('```json\n{"nodes": [}\n```\n'),
			'docs/a.md: the example workflow is not JSON',
		],
		[
			'JSON without nodes',
			page('```json\n{"name": "A"}\n```\n'),
			'docs/a.md: the example workflow has no "nodes" list',
		],
	])('%s is an error naming the page', (_case, text, message) => {
		expect(() => exampleOf('a.md', text)).toThrow(message);
	});

	it("finds every vendor's example and the two-factor node's, one per page", () => {
		const pages = loadExamples().map((example) => example.file);
		expect(new Set(pages).size).toBe(pages.length);
		expect(pages.sort()).toEqual(
			[
				...vendorIds.map((vendor) => docsPageOf(providers[vendor].displayName)),
				'autoshares-trader-node.md',
			].sort(),
		);
	});
});
