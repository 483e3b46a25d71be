import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { toNodeError } from '../shared/errors';
import { errorItems, outputOptions, plainRequester, withOutput } from '../shared/nodeHelpers';
import { assertDomainsAllowed } from '../shared/domains';
import { describeToken, tokenRequestUrls } from '../shared/provider';
import { autosharesTrader } from '../shared/providers/autosharesTrader';
import { getAccountInfo } from './accountInfo';
import { beginLogin, notifyWaiting } from './login';
import { customDataOf, readSealed, SEAL_ENDED, storeSealed } from './pausedLogin';
import { readLoginOptions } from './options';
import { handleResume, sealBinding } from './resume';
import { open, seal, sealName } from './sealedLogin';

/**
 * When a wrong code arrived, the resume call counted it in the seal and ran this node again
 * (resume.ts, pauseAgain): a live seal for this execution and node means the login is still
 * paused, so the node pauses again until the same wait limit, with no token call and no notify.
 */
async function pausedAgain(context: IExecuteFunctions, credentials: IDataObject): Promise<boolean> {
	const customData = customDataOf(context);
	const sealed = customData ? readSealed(customData, context.getNode().id) : undefined;
	if (sealed === undefined || sealed === SEAL_ENDED) return false;
	const node = context.getNode();
	const binding = sealBinding(context.getExecutionId(), node.id, autosharesTrader.readFields(credentials));
	const login = open(sealed, binding);
	if (!login || Date.now() >= login.waitUntil) return false;
	// Paused again: codes are taken from now on. If n8n did not keep the seal, the login ends
	// here with that reason, rather than wait for codes that could not be counted.
	if (login.counting === true && (!customData || !storeSealed(customData, node.id, seal({ ...login, counting: false }, binding)))) {
		throw new NodeOperationError(node, 'Autoshares Trader verification code: n8n could not keep the paused login with the execution after a wrong code.', {
			description: 'Run the workflow again to get a new code.',
		});
	}
	await context.putExecutionToWait(new Date(login.waitUntil));
	return true;
}

export class AutosharesTrader implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Autoshares Trader',
		name: 'autosharesTrader',
		icon: { light: 'file:../../icons/autosharesTrader.svg', dark: 'file:../../icons/autosharesTrader.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] === "getAccountInfo" ? "Get Account Info" : "Log In" }}',
		description: 'Log in to Autoshares Trader, pausing the workflow for the two-factor code when asked',
		defaults: { name: 'Autoshares Trader' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		// Not an AI tool: Log In would pause an agent's run for a code, and its output is a live
		// token the model and its provider would see (README, "Security notes").
		// n8n's type lists only `true`; n8n makes a tool variant for any truthy value.
		usableAsTool: false as unknown as true,
		credentials: [{ name: 'autosharesTraderApi', required: true }],
		// The resume URL ($execution.resumeUrl) serves a code form on GET and takes the code on POST.
		webhooks: [
			{ name: 'default', httpMethod: 'GET', responseMode: 'onReceived', path: '', restartWebhook: true },
			{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: '', restartWebhook: true },
		],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Log In',
						value: 'logIn',
						action: 'Log in',
						description: 'Get a token; wait for the verification code if two-factor authentication asks for one',
					},
					{
						name: 'Get Account Info',
						value: 'getAccountInfo',
						action: 'Get account info',
						description: 'Get the logged-in user (GET /v1.0/users/@me/info), refreshing the token if it expired',
					},
				],
				default: 'logIn',
			},
			{
				displayName:
					'If Autoshares asks for a verification code, the workflow pauses. Send the code to the resume URL ({{ $execution.resumeUrl }}) as JSON {"code": "123456"}, as form data, as ?code=, or open it in a browser and type it.',
				name: 'notice',
				type: 'notice',
				default: '',
				displayOptions: { show: { operation: ['logIn'] } },
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				displayOptions: { show: { operation: ['logIn'] } },
				options: [
					{
						displayName: 'Force New Login',
						name: 'forceNewLogin',
						type: 'boolean',
						default: false,
						description:
							'Whether to log in again even while a valid token is known (a new session, with a new code when the account uses two-factor authentication). Off: a token from an earlier login is reused for up to 24 hours.',
					},
					{
						displayName: 'Notify URL',
						name: 'notifyUrl',
						type: 'string',
						default: '',
						placeholder: 'https://hooks.example.com/2fa',
						description:
							'Before pausing, POST {resumeUrl, step, reason, waitUntil} here (a chat webhook, another workflow) so someone learns where to send the code',
					},
					{
						displayName: 'Wait Limit (Minutes)',
						name: 'waitLimitMinutes',
						type: 'number',
						typeOptions: { minValue: 1, maxValue: 1440 },
						default: 10,
						description:
							'How long to wait for the code. When it passes, n8n continues with the input items unchanged: they have no "loggedIn" field.',
					},
					{
						displayName: 'Max Code Attempts',
						name: 'maxAttempts',
						type: 'number',
						typeOptions: { minValue: 1, maxValue: 10 },
						default: 3,
						description: 'Wrong codes accepted before the execution fails',
					},
					...outputOptions,
				],
			},
		],
	};

	webhookMethods = {
		// Restart webhooks are served by n8n's waiting-webhook route: there is nothing to register
		// with Autoshares, and n8n does not call these for them.
		default: {
			async checkExists(): Promise<boolean> {
				return true;
			},
			async create(): Promise<boolean> {
				return true;
			},
			async delete(): Promise<boolean> {
				return true;
			},
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		if (this.getNodeParameter('operation', 0) === 'getAccountInfo') return await getAccountInfo.call(this);
		const items = this.getInputData();
		// Checked before any request: a bad value must not reach Autoshares or the wait.
		const { notifyUrl, waitLimitMinutes, maxAttempts, outputField, includeSecretHeaders, forceNewLogin } = readLoginOptions(
			this.getNode(),
			this.getNodeParameter('options', 0, {}) as IDataObject,
		);
		const credentials = await this.getCredentials('autosharesTraderApi');

		try {
			// Back in this node after a wrong code (see resume.ts): the login is still paused.
			// n8n 2.x's domain restriction of the credential: the token calls and the notify call.
			const loginFields = autosharesTrader.readFields(credentials);
			assertDomainsAllowed(this.getNode(), credentials, [...tokenRequestUrls(autosharesTrader, loginFields), ...(notifyUrl === '' ? [] : [notifyUrl])]);
			const again = await pausedAgain(this, credentials);
			if (again) return [items];
			const outcome = await beginLogin(plainRequester(this.helpers), credentials, forceNewLogin);
			if (outcome.kind === 'token') {
				const described = { loggedIn: true, ...describeToken(autosharesTrader, outcome.fields, outcome.token, includeSecretHeaders) };
				return [items.map((item, index) => withOutput(item, index, described, outputField))];
			}

			const waitUntil = new Date(Date.now() + waitLimitMinutes * 60_000);
			// Everything the second step needs goes with the execution, sealed: the resume call
			// may reach another process (queue mode) or this one after a restart.
			const node = this.getNode();
			const sealed = seal(
				{ step: outcome.next.step, interimToken: outcome.next.interimToken, attempts: 0, maxAttempts, waitUntil: waitUntil.getTime(), outputField, includeSecretHeaders },
				sealBinding(this.getExecutionId(), node.id, outcome.fields),
			);
			// n8n 2.x: the execution's custom data, which the resume call can overwrite once the
			// login ends. n8n 1.x offers nodes no custom data: the node's context instead.
			const customData = customDataOf(this);
			if (!customData) this.getContext('node')[sealName(node.id)] = sealed;
			else if (!storeSealed(customData, node.id, sealed)) {
				throw new NodeOperationError(node, 'Autoshares Trader verification code: n8n could not keep the paused login with the execution, so the login was not paused.', {
					description:
						"The execution's custom data is full (n8n keeps 10 values per execution, shared by every node and the Execution Data node) or too small for this login's token. Free some custom data keys in this workflow and run it again.",
				});
			}
			if (notifyUrl !== '') {
				const resumeUrl = String(this.evaluateExpression('{{ $execution.resumeUrl }}', 0));
				await notifyWaiting(plainRequester(this.helpers), notifyUrl, {
					resumeUrl,
					step: outcome.next.step,
					reason: outcome.next.reason,
					waitUntil: waitUntil.toISOString(),
				});
			}
			await this.putExecutionToWait(waitUntil);
			// While waiting these are not output: on resume the webhook's items are, and on
			// timeout n8n passes the input items through (without "loggedIn").
			return [items];
		} catch (error) {
			const apiError = toNodeError(this.getNode(), error, autosharesTrader.displayName);
			if (!this.continueOnFail()) throw apiError;
			return [errorItems(items, apiError)];
		}
	}

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await handleResume(this);
	}
}
