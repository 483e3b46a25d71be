/**
 * A look at the package in n8n's editor, as a person sees it: starts n8n the way `npm start`
 * does, drives Debian's Chromium with playwright-core and saves the README's screenshots. On the
 * way it runs every sample credential's Test (green but the banner's two red by design), saves a
 * Custom Token Endpoint credential typed from the banner alone, and pauses the two-factor example
 * twice (the second time with Log In's Force New Login). The walk's other screenshots go to
 * --out, else the temp folder. Exit 1, with `FAILED <step>: <what was seen>`, on any failure.
 *
 *   npm run test:browser                                   # n8n 2.40.7, writes docs/screenshots/*.png
 *   npm run test:browser -- --n8n 1.123.81 --out /tmp/shots  # another n8n, elsewhere
 *
 * Needs /usr/bin/chromium (installed here with apt-get when missing and running as root) and
 * playwright-core (a devDependency; it never downloads a browser of its own).
 *
 * Ctrl-C, a SIGINT or SIGTERM to npm's pid, or npm dying close Chromium and stop n8n and the
 * sandbox (scripts/runtime/lifetime.ts).
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { chromium, type Browser, type Page } from 'playwright-core';

import { providers, vendorIds } from '../../nodes/shared/providers';
import { needsTokenStep } from '../../scripts/sandbox/kits';
import {
	banner,
	DEFAULT_N8N_VERSION,
	startDemo,
	stopDemoOnSignals,
	TWO_FACTOR_CREDENTIAL,
	type Demo,
} from '../../scripts/start';

const ROOT = path.resolve(__dirname, '../..');
const outFlag = process.argv.indexOf('--out');
const OUT =
	outFlag !== -1 && process.argv[outFlag + 1]
		? path.resolve(process.argv[outFlag + 1])
		: path.join(ROOT, 'docs', 'screenshots');
/** Where the walk's other screenshots go (its steps, a failure): --out, else the temp folder, never docs/. */
const STEPS = outFlag !== -1 ? OUT : os.tmpdir();
const CHROMIUM = '/usr/bin/chromium';
const VIEWPORT = { width: 1280, height: 800 };

const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

function ensureChromium(): void {
	if (spawnSync('which', ['chromium']).status === 0 && fs.existsSync(CHROMIUM)) return;
	if (process.getuid?.() !== 0)
		throw new Error(
			`no ${CHROMIUM}: install Debian's chromium (sudo apt-get update && sudo apt-get install -y chromium)`,
		);
	log('installing Debian chromium (apt-get update, apt-get install -y chromium)');
	execFileSync('apt-get', ['update'], { stdio: 'inherit' });
	execFileSync('apt-get', ['install', '-y', 'chromium'], {
		stdio: 'inherit',
		env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
	});
}

async function shot(page: Page, name: string, dir = OUT): Promise<void> {
	const file = path.join(dir, name);
	await page.screenshot({ path: file });
	log(`saved ${path.relative(ROOT, file)} (${Math.round(fs.statSync(file).size / 1024)} kB)`);
}

async function signIn(page: Page, demo: Demo): Promise<void> {
	await page.goto(`${demo.editorUrl}/signin`);
	const email = page
		.locator('input[type="email"], input[name="emailOrLdapLoginId"], input[name="email"]')
		.first();
	await email.waitFor();
	await email.fill(demo.owner.email);
	await page.locator('input[type="password"]').first().fill(demo.owner.password);
	await page.keyboard.press('Enter');
	await page.waitForURL((url) => !url.pathname.startsWith('/signin'), { timeout: 30_000 });
	log(`signed in as ${demo.owner.email}`);
}

/** n8n sometimes greets a new owner with a modal or a callout: close what can be closed. */
async function dismissPopups(page: Page): Promise<void> {
	for (let i = 0; i < 3; i++) {
		const close = page
			.locator(
				'.el-dialog__headerbtn:visible, [data-test-id="close-button"]:visible, .el-message-box__headerbtn:visible',
			)
			.first();
		if (!(await close.isVisible().catch(() => false))) return;
		await close.click().catch(() => {});
		await page.waitForTimeout(300);
	}
}

async function openCanvas(page: Page, url: string): Promise<void> {
	await page.goto(url);
	await page
		.locator('.vue-flow, [data-test-id="canvas"], #canvas')
		.first()
		.waitFor({ timeout: 60_000 });
	await page.waitForTimeout(1500);
	await dismissPopups(page);
}

/** Click an empty spot of the canvas, press N and search the nodes panel. */
async function searchNodes(
	page: Page,
	demo: Demo,
	query: string,
	file: string,
	ndvFile?: string,
): Promise<void> {
	await openCanvas(page, `${demo.editorUrl}/workflow/new`);
	await page.mouse.click(900, 560);
	await page.keyboard.press('n');
	const creator = page.locator('[data-test-id="node-creator"]');
	if (!(await creator.isVisible({ timeout: 3000 }).catch(() => false))) {
		// n8n 1.x did not take the key here: its "+" button opens the same panel.
		await page.locator('[data-test-id="node-creator-plus-button"]').first().click();
	}
	await creator.waitFor({ timeout: 15_000 });
	await page.keyboard.type(query, { delay: 40 });
	await creator.getByText(query, { exact: false }).first().waitFor({ timeout: 15_000 });
	// Our nodes, not n8n's own: the package's results carry their display names.
	await page.waitForTimeout(800);
	await shot(page, file);
	if (!ndvFile) return;
	// Add it: the node's settings open.
	await creator.getByText(query, { exact: true }).first().click();
	// A community node first shows its details ("Installed", "Via npm") with an Add button.
	const add = page.getByRole('button', { name: /add to workflow/i });
	if (await add.isVisible({ timeout: 3000 }).catch(() => false)) await add.click();
	await page.getByText('Parameters', { exact: true }).first().waitFor({ timeout: 15_000 });
	await page.waitForTimeout(1200);
	const credentialSelect = page.locator('[data-test-id="node-credentials-select"]').first();
	// n8n preselects the most recent credential of the node's types: never the two-factor one
	// (npm start creates it first), whose login a plain Get Token cannot finish.
	const preselected = (
		(await credentialSelect
			.locator('input')
			.first()
			.inputValue()
			.catch(() => '')) || (await credentialSelect.innerText().catch(() => ''))
	).trim();
	log(`a new ${query} node preselects the credential "${preselected}"`);
	if (preselected.includes(TWO_FACTOR_CREDENTIAL))
		throw new Error(`a new ${query} node preselects "${preselected}"`);
	// Open the credential list: every credential of the five vendors' types is offered there.
	await credentialSelect.click();
	await page.getByText('Soda Cloud account').last().waitFor({ timeout: 10_000 });
	await page.waitForTimeout(600);
	await shot(page, ndvFile);
	await page.keyboard.press('Escape');
	await page.keyboard.press('Escape');
}

async function credentialForm(page: Page, demo: Demo): Promise<void> {
	const form = await newCredentialForm(page, demo, 'Soda Cloud', 'Soda Cloud API');
	await form.getByText('Region').first().waitFor({ timeout: 15_000 });
	await page.waitForTimeout(800);
	await shot(page, 'credential-soda-cloud.png');
	await page.keyboard.press('Escape');
}

/** The "Add new credential" type picker, a type chosen by its display name: the new credential's form. */
async function newCredentialForm(page: Page, demo: Demo, search: string, displayName: string) {
	// n8n routes /home/credentials/create to the "Add new credential" type picker.
	await page.goto(`${demo.editorUrl}/home/credentials/create`);
	const picker = page.locator('[data-test-id="credential-select-modal"], .el-dialog').first();
	await picker.waitFor({ timeout: 30_000 });
	await picker.locator('input').first().click();
	await page.keyboard.type(search, { delay: 40 });
	await page
		.locator('.el-select-dropdown__item:visible, [role="option"]:visible')
		.filter({ hasText: displayName })
		.first()
		.click();
	await picker.getByRole('button', { name: /continue/i }).click();
	const form = page
		.locator('[data-test-id="credential-edit-dialog"], [data-test-id="editCredential-modal"]')
		.first();
	await form.waitFor({ timeout: 15_000 });
	return form;
}

/**
 * What the editor marks as a problem inside one parameter of a form: n8n's issue markers (the
 * required-field highlight and its text, a node parameter's issue icon) and the JSON editor's
 * lint marks (CodeMirror's error range, gutter marker and diagnostic).
 */
const ISSUE_MARKERS = [
	'[data-test-id="parameter-issues"]',
	'[class*="_errors_"]',
	'[class*="errorHighlight"], [class*="error-highlight"], .has-issues',
	'.cm-lintRange-error, .cm-lint-marker-error, .cm-diagnostic-error',
];

async function issueMarkers(field: ReturnType<Page['locator']>): Promise<string[]> {
	const found: string[] = [];
	for (const selector of ISSUE_MARKERS) {
		const count = await field.locator(selector).count();
		if (count > 0) found.push(`${selector} (${count})`);
	}
	return found;
}

/**
 * A new Custom Token Endpoint credential: Extra Fields (JSON), optional, defaults to '{}', and
 * the form shows no issue marker on it. Cleared, the JSON editor marks the empty text (what the
 * old default '' looked like): that proves the check can see a marker at all.
 */
async function customTokenEndpointForm(page: Page, demo: Demo): Promise<void> {
	const form = await newCredentialForm(page, demo, 'Custom Token', 'Custom Token Endpoint API');
	const field = form.locator('[data-test-id="extraFields"]').first();
	await field.waitFor({ timeout: 15_000 });
	await field.scrollIntoViewIfNeeded();
	await page.waitForTimeout(1500); // CodeMirror lints after a pause
	const text = (
		await field
			.locator('.cm-content')
			.first()
			.innerText()
			.catch(() => '')
	).trim();
	log(`a new Custom Token Endpoint credential: Extra Fields holds ${JSON.stringify(text)}`);
	await shot(page, 'credential-custom-token-endpoint.png');
	const markers = await issueMarkers(field);
	if (text !== '{}') throw new Error(`Extra Fields starts as ${JSON.stringify(text)}, not {}`);
	if (markers.length > 0)
		throw new Error(`Extra Fields shows issue markers as it comes: ${markers.join(', ')}`);
	// The control: the same field emptied.
	await field.locator('.cm-content').first().click();
	await page.keyboard.press('Control+A');
	await page.keyboard.press('Delete');
	await page.waitForTimeout(1500);
	const cleared = await issueMarkers(field);
	await shot(page, 'credential-custom-token-endpoint-emptied.png', STEPS);
	log(`Extra Fields emptied by hand shows: ${cleared.join(', ') || 'no marker'}`);
	await page.keyboard.press('Escape');
	// n8n asks whether to close a form with unsaved changes.
	const discard = page.getByRole('button', { name: /close|discard|leave/i }).first();
	if (await discard.isVisible({ timeout: 2000 }).catch(() => false)) await discard.click();
}

async function openExample(page: Page, demo: Demo, file: string): Promise<void> {
	const workflow = demo.workflows.find((w) => w.file === file);
	if (!workflow) throw new Error(`the example of docs/${file} was not imported`);
	await openCanvas(page, workflow.url);
	await page.locator('.vue-flow__node').first().waitFor({ timeout: 15_000 });
	await page.waitForTimeout(1000);
}

async function executeWorkflow(page: Page): Promise<void> {
	const button = page.locator('[data-test-id="execute-workflow-button"]');
	if (await button.isVisible().catch(() => false)) await button.click();
	else await page.keyboard.press('Control+Enter'); // the editor's own shortcut
}

/** The node with this label on the canvas (canvas nodes only: a sticky note may mention the same name). */
function canvasNode(page: Page, label: string) {
	return page.locator('[data-test-id="canvas-node"]').filter({ hasText: label }).first();
}

/** Waits until the node with this label shows its success mark on the canvas. */
async function waitForNodeSuccess(page: Page, label: string, timeout = 30_000): Promise<void> {
	await canvasNode(page, label)
		.locator('[data-test-id="canvas-node-status-success"]')
		.first()
		.waitFor({ timeout });
}

/** Soda example run against the sandbox, then the Get Token node's output. */
async function sodaRun(page: Page, demo: Demo): Promise<void> {
	await openExample(page, demo, 'soda-cloud.md');
	await executeWorkflow(page);
	await waitForNodeSuccess(page, 'Last ETL Refresh');
	await page.waitForTimeout(800);
	await shot(page, 'workflow-soda-cloud-run.png');
	await canvasNode(page, 'Get Token').dblclick();
	const output = page
		.locator('[data-test-id="ndv-output-panel"], [data-test-id="output-panel"]')
		.first();
	await output.waitFor({ timeout: 15_000 });
	const json = output.getByText('JSON', { exact: true }).first();
	if (await json.isVisible().catch(() => false)) await json.click();
	await output.getByText('expiresAt').first().waitFor({ timeout: 15_000 });
	await page.waitForTimeout(800);
	await shot(page, 'get-token-output.png');
	await page.keyboard.press('Escape');
}

type Form = ReturnType<Page['locator']>;

/** A step's failure: what the step did and what the page showed. */
class StepError extends Error {}

/** The result a credential form shows after a test: green (and its text), red (and its text), or none yet. */
async function testResult(form: Form): Promise<{ green: boolean; text: string } | undefined> {
	const success = form
		.locator('[data-test-id="credentials-config-container-test-success"]')
		.first();
	if (await success.isVisible().catch(() => false))
		return { green: true, text: (await success.innerText()).replace(/\s+/g, ' ').trim() };
	const failure = form.getByText(/couldn.t connect with these settings/i).first();
	if (!(await failure.isVisible().catch(() => false))) return undefined;
	// The red banner folds n8n's details (the test's message) under "More details".
	const more = form.getByText(/more details/i).first();
	if (await more.isVisible().catch(() => false)) {
		await more.click().catch(() => {});
		await form.page().waitForTimeout(300);
	}
	const all = (await form.innerText()).replace(/\s+/g, ' ');
	const at = all.search(/couldn.t connect with these settings/i);
	return { green: false, text: all.slice(at, at + 700).trim() };
}

/** Waits for a test's result, past n8n's "Retrying"/"Testing" state. */
async function awaitTestResult(
	form: Form,
	timeout: number,
): Promise<{ green: boolean; text: string } | undefined> {
	const page = form.page();
	const deadline = Date.now() + timeout;
	while (Date.now() < deadline) {
		const busy = await form
			.getByText(/^(retrying|testing)/i)
			.first()
			.isVisible()
			.catch(() => false);
		if (!busy) {
			const result = await testResult(form);
			if (result) return result;
		}
		await page.waitForTimeout(250);
	}
	return undefined;
}

/** Presses the form's Retry (on a shown result) or, with none shown, Save: either runs the credential's test. */
async function pressTest(form: Form): Promise<string> {
	const retry = form.getByRole('button', { name: /^retry/i }).first();
	if (await retry.isVisible().catch(() => false)) {
		await retry.click();
		await form.page().waitForTimeout(500);
		return 'Retry';
	}
	const save = form.locator('[data-test-id="credential-save-button"]').first();
	await save.click();
	await form.page().waitForTimeout(500);
	return 'Save';
}

/** What a sample credential's test must show: green, or for the two red by design their own message. */
function expectedTest(
	demo: Demo,
	name: string,
	type: string,
): { green: true } | { green: false; says: RegExp; why: string } {
	if (name === TWO_FACTOR_CREDENTIAL)
		return {
			green: false,
			says: /asks for a verification code/i,
			why: 'its login waits for a code (the banner says so)',
		};
	const vendor = vendorIds.find((id) => providers[id].credentialName === type);
	if (vendor && needsTokenStep(demo.version, vendor)) {
		return {
			green: false,
			says: new RegExp(
				`on n8n 2\\.x the credential Test cannot check a ${providers[vendor].displayName} login`,
				'i',
			),
			why: 'n8n 2.x drops the GET body of its token call (the banner says so)',
		};
	}
	return { green: true };
}

/**
 * Every sample credential npm start created, opened from its URL as a person opens it from the
 * Credentials list, then its test run with the form's own button: all green but the banner's two
 * red ones, which must say what they were designed to say. Before the two-factor example runs:
 * after it, the 2FA credential holds a token and its Test passes.
 */
async function sampleCredentialTests(page: Page, demo: Demo): Promise<void> {
	const wrong: string[] = [];
	for (const credential of demo.credentials) {
		await page.goto(`${demo.editorUrl}/home/credentials/${credential.id}`);
		const form = page.locator('[data-test-id="credential-edit-dialog"]').first();
		await form.waitFor({ timeout: 30_000 }).catch(() => {
			throw new StepError(
				`"${credential.name}": ${demo.editorUrl}/home/credentials/${credential.id} opened no credential form`,
			);
		});
		// n8n may test an existing credential as it opens it: let that finish first.
		await awaitTestResult(form, 8_000);
		const pressed = await pressTest(form);
		const result = await awaitTestResult(form, 45_000);
		const expected = expectedTest(demo, credential.name, credential.type);
		const seen = result
			? `${result.green ? 'green' : 'red'}: ${result.text.slice(0, 300)}`
			: 'no test result within 45 s';
		log(`credential "${credential.name}" (${credential.type}), ${pressed}: ${seen}`);
		await shot(
			page,
			`test-${credential.type}${credential.name === TWO_FACTOR_CREDENTIAL ? '-2fa' : ''}.png`,
			STEPS,
		);
		if (!result) wrong.push(`"${credential.name}": ${pressed} showed no test result`);
		else if (expected.green && !result.green)
			wrong.push(`"${credential.name}" is red: ${result.text.slice(0, 300)}`);
		else if (!expected.green && result.green)
			wrong.push(`"${credential.name}" is green, but is red by design (${expected.why})`);
		else if (!expected.green && !expected.says.test(result.text))
			wrong.push(
				`"${credential.name}" is red, but not with its designed message ${expected.says}: ${result.text.slice(0, 300)}`,
			);
		await page.keyboard.press('Escape');
		await page.waitForTimeout(300);
	}
	if (wrong.length > 0) throw new StepError(wrong.join('; '));
}

/** The values the banner gives for a Custom Token Endpoint credential from scratch, read off its text. */
function bannerCustomTokenValues(text: string): {
	tokenUrl: string;
	sendAs: string;
	username: string;
	password: string;
} {
	const tokenUrl = /from scratch: Token URL\s+(\S+?),/.exec(text)?.[1];
	const sendAs = /Send Login Values As: ([^,]+),/.exec(text)?.[1];
	const account = /generic API\s+(\S+) \/ (\S+)/.exec(text);
	if (!tokenUrl || !sendAs || !account)
		throw new StepError(
			`the banner does not give a Token URL, Send Login Values As and the generic account:\n${text}`,
		);
	return { tokenUrl, sendAs, username: account[1], password: account[2] };
}

/** A credential form's text parameter, by its name. */
async function fillParameter(form: Form, name: string, value: string): Promise<void> {
	const input = form.locator(`[data-test-id="${name}"] input`).first();
	await input.waitFor({ timeout: 15_000 }).catch(() => {
		throw new StepError(`the form has no field ${name}`);
	});
	await input.click();
	await input.fill(value);
}

/**
 * A new Custom Token Endpoint credential typed from what npm start printed and nothing else
 * (Token URL, Send Login Values As, the generic account): its first Save tests it, green.
 */
async function customTokenEndpointFromBanner(page: Page, demo: Demo): Promise<void> {
	const values = bannerCustomTokenValues(banner(demo, 0));
	log(
		`from the banner: Token URL ${values.tokenUrl}, Send Login Values As ${values.sendAs}, ${values.username} / ${values.password}`,
	);
	const form = await newCredentialForm(page, demo, 'Custom Token', 'Custom Token Endpoint API');
	await fillParameter(form, 'tokenUrl', values.tokenUrl);
	await form.locator('[data-test-id="loginValuesIn"] input').first().click();
	await page
		.locator('.el-select-dropdown__item:visible, [role="option"]:visible')
		.filter({ hasText: values.sendAs })
		.first()
		.click();
	await fillParameter(form, 'username', values.username);
	await fillParameter(form, 'password', values.password);
	const chosen = await form.locator('[data-test-id="loginValuesIn"] input').first().inputValue();
	if (chosen !== values.sendAs)
		throw new StepError(`Send Login Values As shows "${chosen}" after choosing "${values.sendAs}"`);
	await shot(page, 'custom-token-endpoint-from-banner.png', STEPS);
	await form.locator('[data-test-id="credential-save-button"]').first().click();
	const result = await awaitTestResult(form, 45_000);
	log(
		`the new Custom Token Endpoint credential, first Save: ${result ? `${result.green ? 'green' : 'red'}: ${result.text.slice(0, 300)}` : 'no test result'}`,
	);
	await shot(page, 'custom-token-endpoint-from-banner-saved.png', STEPS);
	if (!result?.green)
		throw new StepError(
			`the first Save of a Custom Token Endpoint credential typed from the banner is not green: ${result?.text ?? 'no test result within 45 s'}`,
		);
	await page.keyboard.press('Escape');
}

/** Log In's Options → Add Option → Force New Login, switched on, in the node's settings. */
async function forceNewLogin(page: Page): Promise<void> {
	await canvasNode(page, 'Log In').dblclick();
	await page.getByText('Parameters', { exact: true }).first().waitFor({ timeout: 15_000 });
	await page
		.locator(
			'[data-test-id="collection-parameter-add-dropdown"], [data-test-id="collection-parameter-add"]',
		)
		.filter({ visible: true })
		.first()
		.click();
	await page
		.locator(
			'.el-select-dropdown__item:visible, [role="option"]:visible, [data-test-id="collection-parameter-option"]:visible',
		)
		.filter({ hasText: 'Force New Login' })
		.first()
		.click();
	const row = page
		.locator('[data-test-id="forceNewLogin"], [data-test-id="parameter-input-forceNewLogin"]')
		.first();
	await row.waitFor({ timeout: 10_000 }).catch(() => {
		throw new StepError('Options → Force New Login did not add the option to Log In');
	});
	const toggle = row.locator('.el-switch').first();
	if (!(await toggle.evaluate((el) => el.classList.contains('is-checked')))) await toggle.click();
	if (!(await toggle.evaluate((el) => el.classList.contains('is-checked'))))
		throw new StepError('Force New Login does not switch on');
	await page.waitForTimeout(500);
	await shot(page, 'autoshares-2fa-force-new-login.png', STEPS);
	await page.keyboard.press('Escape');
	await page.waitForTimeout(500);
}

/**
 * The 2FA example: Log In pauses, the code page, then the run going on with the code. The first
 * run takes the README's screenshots; the second, with Log In's Force New Login on (the way the
 * README and the banner give to see the pause again: without it the token of the first login is
 * reused and nothing pauses), must pause again.
 */
async function twoFactorRun(page: Page, demo: Demo, again = false): Promise<void> {
	await openExample(page, demo, 'autoshares-trader-node.md');
	if (again) await forceNewLogin(page);
	else await shot(page, 'workflow-autoshares-2fa.png');
	const before = demo.twoFactorEvents.length;
	await executeWorkflow(page);
	const deadline = Date.now() + 30_000;
	while (demo.twoFactorEvents.length === before && Date.now() < deadline)
		await page.waitForTimeout(200);
	const event = demo.twoFactorEvents[before];
	if (!event?.code) {
		const finished = await canvasNode(page, 'Account Info')
			.locator('[data-test-id="canvas-node-status-success"]')
			.count();
		throw new StepError(
			`Log In did not pause (no notify within 30 s)${finished ? ': the run went straight on to Account Info' : ''}`,
		);
	}
	log(`Log In paused${again ? ' again' : ''}: code ${event.code}, resume URL ${event.resumeUrl}`);
	// n8n notifies before it has saved the waiting state: give it a moment before opening the page.
	await page.waitForTimeout(1500);
	const codePage = await page.context().newPage();
	try {
		await codePage.goto(event.resumeUrl);
		const input = codePage.locator('input[name="code"], input').first();
		await input.waitFor({ timeout: 15_000 });
		await input.fill(event.code);
		if (again) await shot(codePage, 'autoshares-2fa-code-page-again.png', STEPS);
		else await shot(codePage, 'autoshares-2fa-code-page.png');
		await Promise.all([
			codePage.waitForNavigation({ timeout: 15_000 }),
			codePage.keyboard.press('Enter'),
		]);
		await codePage.waitForTimeout(500);
		log(
			`the code page answered: ${(await codePage.locator('body').innerText()).replace(/\s+/g, ' ').slice(0, 200)}`,
		);
	} finally {
		await codePage.close();
	}
	await waitForNodeSuccess(page, 'Account Info').catch(() => {
		throw new StepError('after the code, Account Info shows no success within 30 s');
	});
	await page.waitForTimeout(800);
	if (again) await shot(page, 'workflow-autoshares-2fa-run-again.png', STEPS);
	else await shot(page, 'workflow-autoshares-2fa-run.png');
}

async function main(): Promise<void> {
	const flag = process.argv.indexOf('--n8n');
	const version =
		flag !== -1 && process.argv[flag + 1] ? process.argv[flag + 1] : DEFAULT_N8N_VERSION;
	let browser: Browser | undefined;
	// Ours, not playwright's: its SIGINT handler would exit before n8n is stopped.
	const signals = stopDemoOnSignals(log, {
		what: 'Chromium, n8n and the sandbox',
		first: async () => await browser?.close().catch(() => {}),
	});
	ensureChromium();
	fs.mkdirSync(OUT, { recursive: true });

	// Its own user folder, so a running `npm start` of the same version is left alone.
	const demo = await startDemo({
		version,
		folderName: `screenshots-${version}`,
		log,
		onStop: signals.onStop,
	}).catch(async (error: unknown) => {
		if (signals.stopping()) await new Promise(() => {}); // the signal handler exits
		throw error;
	});
	let failed = false;
	try {
		browser = await chromium.launch({
			executablePath: CHROMIUM,
			headless: true,
			handleSIGINT: false,
			handleSIGTERM: false,
			handleSIGHUP: false,
			args: [
				'--no-sandbox',
				'--disable-gpu',
				'--disable-background-networking',
				'--disable-component-update',
				'--disable-sync',
				'--no-first-run',
			],
		});
		const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1 });
		const page = await context.newPage();
		page.setDefaultTimeout(30_000);
		await signIn(page, demo);
		const steps: Array<[string, () => Promise<void>]> = [
			[
				'nodes panel: Get Token',
				async () =>
					await searchNodes(
						page,
						demo,
						'Get Token',
						'nodes-panel-get-token.png',
						'get-token-node.png',
					),
			],
			[
				'nodes panel: Autoshares',
				async () => await searchNodes(page, demo, 'Autoshares', 'nodes-panel-autoshares.png'),
			],
			['credential form: Soda Cloud API', async () => await credentialForm(page, demo)],
			[
				'credential form: Custom Token Endpoint, Extra Fields as it comes',
				async () => await customTokenEndpointForm(page, demo),
			],
			[
				'example workflow: Soda Cloud run and Get Token output',
				async () => await sodaRun(page, demo),
			],
			['every sample credential: its Test', async () => await sampleCredentialTests(page, demo)],
			[
				'a Custom Token Endpoint credential from the banner: first Save',
				async () => await customTokenEndpointFromBanner(page, demo),
			],
			['example workflow: two-factor login', async () => await twoFactorRun(page, demo)],
			[
				'example workflow: two-factor login again, Force New Login',
				async () => await twoFactorRun(page, demo, true),
			],
		];
		for (const [name, step] of steps) {
			if (signals.stopping()) break;
			try {
				await step();
			} catch (error) {
				if (signals.stopping()) break; // the browser was closed under it
				failed = true;
				log(`FAILED ${name}: ${(error as Error).message.split('\n')[0]}`);
				await shot(page, `failed-${name.replace(/\W+/g, '-')}.png`, STEPS).catch(() => {});
			}
		}
	} finally {
		if (!signals.stopping()) {
			await browser?.close();
			await demo.stop();
		}
	}
	if (signals.stopping()) await new Promise(() => {}); // the signal handler logs and exits
	log(
		failed
			? `FAILED: see the lines above and ${STEPS}/failed-*.png`
			: `PASS every step; screenshots in ${path.relative(ROOT, OUT) || OUT}/`,
	);
	process.exit(failed ? 1 : 0);
}

main().catch((error: unknown) => {
	console.error((error as Error).stack ?? String(error));
	process.exit(1);
});
