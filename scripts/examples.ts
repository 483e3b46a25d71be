/**
 * The example workflows: each lives in a docs page, in a fenced ```json block under its
 * "## Example workflow" heading, so that the page a credential's Open docs link leads to shows
 * the workflow to paste, and a vendor's notes and example are one file. npm start imports them,
 * the tests read them from here.
 */
import * as fs from 'fs';
import * as path from 'path';

export const DOCS = path.resolve(__dirname, '..', 'docs');

export interface ExampleWorkflow {
	/** The docs page it is in, e.g. `soda-cloud.md`. */
	file: string;
	json: Record<string, unknown>;
}

const HEADING = '## Example workflow';

/** A vendor's docs page: `docs/<display name in kebab case>.md` (`Acme Cloud` → `acme-cloud.md`). */
export function docsPageOf(displayName: string): string {
	return `${displayName.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.md`;
}

/** The example workflow of one docs page's text, or undefined when it has none. */
export function exampleOf(page: string, text: string): ExampleWorkflow | undefined {
	// A checkout with CRLF line ends (Windows, autocrlf) reads the same.
	const lines = text.replace(/\r\n/g, '\n');
	const at = lines.indexOf(`\n${HEADING}\n`);
	if (at < 0) return undefined;
	// The section ends at the next heading of its level or above.
	const rest = lines.slice(at + HEADING.length + 2);
	const end = rest.search(/^#{1,2} /m);
	const section = end < 0 ? rest : rest.slice(0, end);
	const block = /^```json\n([\s\S]*?)\n```$/m.exec(section);
	if (!block) throw new Error(`docs/${page}: "${HEADING}" without a \`\`\`json block`);
	let json: unknown;
	try {
		json = JSON.parse(block[1]);
	} catch (error) {
		throw new Error(`docs/${page}: the example workflow is not JSON (${(error as Error).message})`);
	}
	if (
		typeof json !== 'object' ||
		json === null ||
		!Array.isArray((json as { nodes?: unknown }).nodes)
	)
		throw new Error(`docs/${page}: the example workflow has no "nodes" list`);
	return { file: page, json: json as Record<string, unknown> };
}

/** Every example workflow of docs/, by page name. */
export function loadExamples(): ExampleWorkflow[] {
	return fs
		.readdirSync(DOCS)
		.filter((file) => file.endsWith('.md'))
		.sort()
		.flatMap((file) => exampleOf(file, fs.readFileSync(path.join(DOCS, file), 'utf8')) ?? []);
}
