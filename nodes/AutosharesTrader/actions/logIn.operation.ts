import type {
	IDataObject,
	IExecuteFunctions,
	INode,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { assertDomainsAllowed } from '../../shared/domains';
import { toNodeError } from '../../shared/errors';
import { errorItems, outputOptions, plainRequester, withOutput } from '../../shared/nodeHelpers';
import { tokenRequestUrls } from '../../shared/provider';
import { describeToken } from '../../shared/tokenOutput';
import { autosharesTrader } from '../../shared/providers/autosharesTrader';
import { pauseAgain, pauseLogin, type PauseSettings } from '../pausedLogin';
import { beginLogin } from '../transport';

/** "Log In": a token, or a pause until the verification code (or PIN) arrives at the resume URL. */
export const description: INodeProperties[] = [
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
];

/**
 * Log In's options, checked: the editor's min/max do not bind imported workflows, the API or
 * expressions. The pause takes them as they are (its settings are all of them but one).
 */
interface LoginOptions extends PauseSettings {
	/** Log in again even while a valid token is known (a fresh session; the 2FA demo pauses again). */
	forceNewLogin: boolean;
}

export const WAIT_LIMIT = { displayName: 'Wait Limit (Minutes)', min: 1, max: 1440, default: 10 };
export const MAX_ATTEMPTS = { displayName: 'Max Code Attempts', min: 1, max: 10, default: 3 };

function wholeNumber(node: INode, value: unknown, option: typeof WAIT_LIMIT): number {
	if (value === undefined || value === null || value === '') return option.default;
	const number =
		typeof value === 'number'
			? value
			: typeof value === 'string' && /^\s*\d+\s*$/.test(value)
				? Number(value)
				: NaN;
	if (!Number.isInteger(number) || number < option.min || number > option.max) {
		const shown = String(value).slice(0, 40);
		throw new NodeOperationError(
			node,
			`"${option.displayName}" must be a whole number from ${option.min} to ${option.max}, not "${shown}".`,
			{
				description: `Set the "${option.displayName}" option of this node to a whole number between ${option.min} and ${option.max} (an expression must give one too).`,
			},
		);
	}
	return number;
}

function readLoginOptions(node: INode, options: IDataObject): LoginOptions {
	return {
		notifyUrl: typeof options.notifyUrl === 'string' ? options.notifyUrl.trim() : '',
		waitLimitMinutes: wholeNumber(node, options.waitLimitMinutes, WAIT_LIMIT),
		maxAttempts: wholeNumber(node, options.maxAttempts, MAX_ATTEMPTS),
		outputField: typeof options.outputField === 'string' ? options.outputField : '',
		includeSecretHeaders: options.includeSecretHeaders === true,
		forceNewLogin: options.forceNewLogin === true,
	};
}

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	// Checked before any request: a bad value must not reach Autoshares or the wait.
	const options = readLoginOptions(
		this.getNode(),
		this.getNodeParameter('options', 0, {}) as IDataObject,
	);
	const { notifyUrl, outputField, includeSecretHeaders } = options;
	const credentials = await this.getCredentials('autosharesTraderApi');

	try {
		// The credential's domain restriction (n8n 1.x and 2.x): the token calls and the notify call.
		const loginFields = autosharesTrader.readFields(credentials);
		assertDomainsAllowed(this.getNode(), credentials, [
			...tokenRequestUrls(autosharesTrader, loginFields),
			...(notifyUrl === '' ? [] : [notifyUrl]),
		]);
		// Back in this node after a wrong code (pausedLogin.ts, step 3): the login is still paused.
		const again = await pauseAgain(this, credentials);
		if (again) return [items];
		const outcome = await beginLogin(
			plainRequester(this.helpers),
			credentials,
			options.forceNewLogin,
		);
		if (outcome.kind === 'token') {
			const described = {
				loggedIn: true,
				...describeToken(autosharesTrader, outcome.fields, outcome.token, includeSecretHeaders),
			};
			return [items.map((item, index) => withOutput(item, index, described, outputField))];
		}

		await pauseLogin(this, outcome, options);
		// While waiting these are not output: on resume the webhook's items are, and on
		// timeout n8n passes the input items through (without "loggedIn").
		return [items];
	} catch (error) {
		const apiError = toNodeError(this.getNode(), error, autosharesTrader.displayName);
		if (!this.continueOnFail()) throw apiError;
		return [errorItems(items, apiError)];
	}
}
