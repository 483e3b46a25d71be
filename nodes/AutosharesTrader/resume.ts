import type { IDataObject, INodeExecutionData, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { TokenAuthError, toNodeApiError } from '../shared/errors';
import { plainRequester, withOutput } from '../shared/nodeHelpers';
import { describeToken } from '../shared/provider';
import { autosharesTrader } from '../shared/providers/autosharesTrader';
import { continueLogin, type ContinueOutcome } from './login';
import { renderPage, type PageContent } from './page';
import { pendingKey, pendingLogins, type PendingLogin } from './pendingLogins';

/** Verification codes and PINs are short runs of digits or letters; anything else is refused unread. */
const CODE_SHAPE = /^[A-Za-z0-9]{3,16}$/;

type Status = 'form' | 'loggedIn' | 'wrongCode' | 'badCode' | 'busy' | 'notPending' | 'failed';

const STATUS_CODES: Record<Status, number> = {
	form: 200,
	loggedIn: 200,
	wrongCode: 422,
	badCode: 400,
	busy: 409,
	notPending: 410,
	failed: 403,
};

function what(step: PendingLogin['step'] | undefined): string {
	return step === 'pin' ? 'PIN' : 'verification code';
}

function firstValue(value: unknown): string | undefined {
	const single = Array.isArray(value) ? value[0] : value;
	if (typeof single === 'number') return String(single);
	return typeof single === 'string' ? single.trim() : undefined;
}

/** The code as JSON {"code"}, form data (code=…) or ?code=…; undefined when none was sent. */
function readCode(context: IWebhookFunctions): string | undefined {
	const body = context.getBodyData() as IDataObject | undefined;
	const query = context.getQueryData() as IDataObject | undefined;
	return firstValue(body?.code) ?? firstValue(query?.code);
}

function wantsHtml(context: IWebhookFunctions): boolean {
	const headers = context.getHeaderData() as IDataObject;
	const accept = String(headers.accept ?? '');
	const type = String(headers['content-type'] ?? '');
	return accept.includes('text/html') || type.includes('application/x-www-form-urlencoded');
}

/** Answers the caller ourselves: a page for a person, JSON for a program. */
function reply(context: IWebhookFunctions, status: Status, content: PageContent, extra: IDataObject = {}): void {
	const res = context.getResponseObject();
	res.status(STATUS_CODES[status]);
	res.setHeader('Cache-Control', 'no-store');
	if (wantsHtml(context) || (status === 'form' && context.getRequestObject().method === 'GET')) {
		res.setHeader('Content-Type', 'text/html; charset=utf-8');
		res.send(renderPage(content));
	} else {
		res.json({ status, message: content.message, ...extra });
	}
}

function fail(context: IWebhookFunctions, error: unknown, page: PageContent): never {
	reply(context, 'failed', page);
	throw toNodeApiError(context.getNode(), error, autosharesTrader.displayName);
}

/**
 * The node's webhook(): serves the code form, takes the code, finishes the login. Returning
 * workflowData resumes the workflow with it; returning none leaves the execution waiting, so
 * the same resume URL takes the next try.
 */
export async function handleResume(context: IWebhookFunctions): Promise<IWebhookResponseData> {
	const key = pendingKey(context.getExecutionId(), context.getNode().name);
	const login = pendingLogins.get(key);
	const code = readCode(context);
	const waiting = { noWebhookResponse: true };

	if (!login || login.ended || Date.now() > login.waitUntil) {
		const page = {
			title: 'This login is no longer waiting',
			message:
				'This n8n has no login waiting here: it finished, timed out, or n8n restarted since it began. Run the workflow again to get a new code.',
		};
		if (!login && code !== undefined && context.getRequestObject().method === 'POST') {
			// A code for a login this process never saw (n8n restarted): fail rather than hang.
			fail(context, new TokenAuthError(autosharesTrader.displayName, 'verification code', 'the login was lost before the code arrived (n8n restarted).', {
				description: 'Run the workflow again and send the new code.',
			}), page);
		}
		reply(context, 'notPending', page);
		return waiting;
	}

	const label = `Enter the ${what(login.step)} Autoshares sent you`;
	if (code === undefined && context.getRequestObject().method === 'GET') {
		reply(context, 'form', {
			title: 'Autoshares Trader login',
			message: `The workflow is waiting for your ${what(login.step)}.`,
			form: { label },
		});
		return waiting;
	}
	if (code === undefined || !CODE_SHAPE.test(code)) {
		reply(context, 'badCode', { title: 'That does not look like a code', message: `A ${what(login.step)} is 3 to 16 letters or digits. Nothing was sent to Autoshares.`, form: { label } });
		return waiting;
	}
	if (login.busy) {
		reply(context, 'busy', { title: 'Already checking a code', message: 'Another code for this login is being checked right now. Wait a moment and reload.' });
		return waiting;
	}

	login.busy = true;
	let outcome: ContinueOutcome;
	try {
		const credentials = await context.getCredentials('autosharesTraderApi');
		outcome = await continueLogin(plainRequester(context.helpers), credentials, login, code);
	} catch (error) {
		pendingLogins.end(key);
		fail(context, error, {
			title: 'The login failed',
			message: 'Autoshares did not accept the login. The workflow has failed; see the execution for what to fix.',
		});
	} finally {
		login.busy = false;
	}

	if (outcome.kind === 'refused') {
		login.attempts++;
		login.interimToken = outcome.interimToken;
		const left = login.maxAttempts - login.attempts;
		if (left <= 0) {
			pendingLogins.end(key);
			fail(
				context,
				new TokenAuthError(autosharesTrader.displayName, 'verification code', `${login.attempts} wrong codes: the login was stopped.`, {
					description: 'Run the workflow again to get a new code, and send the latest code exactly as received.',
				}),
				{ title: 'Too many wrong codes', message: 'The login was stopped and the workflow has failed. Run it again to get a new code.' },
			);
		}
		reply(
			context,
			'wrongCode',
			{ title: 'Wrong code', message: `Autoshares refused that ${what(login.step)}. ${left} ${left === 1 ? 'try' : 'tries'} left.`, form: { label } },
			{ attemptsLeft: left },
		);
		return waiting;
	}

	const described = { loggedIn: true, ...describeToken(autosharesTrader, outcome.fields, outcome.token, login.includeSecretHeaders) };
	const items: INodeExecutionData[] = login.inputs.map((item, index) => withOutput(item, index, described, login.outputField));
	pendingLogins.end(key);
	reply(context, 'loggedIn', { title: 'Logged in', message: 'Autoshares accepted the code. The workflow continues; you can close this page.' });
	return { ...waiting, workflowData: [items] };
}
