import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as logIn from './actions/logIn.operation';
import { router } from './actions/router';
import { resumeLogin } from './pausedLogin';

export class AutosharesTrader implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Autoshares Trader',
		name: 'autosharesTrader',
		icon: {
			light: 'file:../../icons/autosharesTrader.svg',
			dark: 'file:../../icons/autosharesTrader.dark.svg',
		},
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] === "getAccountInfo" ? "Get Account Info" : "Log In" }}',
		description:
			'Log in to Autoshares Trader, pausing the workflow for the two-factor code when asked',
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
			{
				name: 'default',
				httpMethod: 'GET',
				responseMode: 'onReceived',
				path: '',
				restartWebhook: true,
			},
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				path: '',
				restartWebhook: true,
			},
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
						description:
							'Get a token; wait for the verification code if two-factor authentication asks for one',
					},
					{
						name: 'Get Account Info',
						value: 'getAccountInfo',
						action: 'Get account info',
						description:
							'Get the logged-in user (GET /v1.0/users/@me/info), refreshing the token if it expired',
					},
				],
				default: 'logIn',
			},
			...logIn.description,
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
		return await router.call(this);
	}

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await resumeLogin(this);
	}
}
