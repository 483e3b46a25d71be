import type { IDataObject, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

/** Log In's options, checked: the editor's min/max do not bind imported workflows, the API or expressions. */
export interface LoginOptions {
	notifyUrl: string;
	waitLimitMinutes: number;
	/** The only defence against guessing codes through the resume URL. */
	maxAttempts: number;
	outputField: string;
	includeSecretHeaders: boolean;
	/** Log in again even while a valid token is known (a fresh session; the 2FA demo pauses again). */
	forceNewLogin: boolean;
}

export const WAIT_LIMIT = { displayName: 'Wait Limit (Minutes)', min: 1, max: 1440, default: 10 };
export const MAX_ATTEMPTS = { displayName: 'Max Code Attempts', min: 1, max: 10, default: 3 };

function wholeNumber(node: INode, value: unknown, option: typeof WAIT_LIMIT): number {
	if (value === undefined || value === null || value === '') return option.default;
	const number = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
	if (!Number.isInteger(number) || number < option.min || number > option.max) {
		const shown = String(value).slice(0, 40);
		throw new NodeOperationError(node, `"${option.displayName}" must be a whole number from ${option.min} to ${option.max}, not "${shown}".`, {
			description: `Set the "${option.displayName}" option of this node to a whole number between ${option.min} and ${option.max} (an expression must give one too).`,
		});
	}
	return number;
}

export function readLoginOptions(node: INode, options: IDataObject): LoginOptions {
	return {
		notifyUrl: typeof options.notifyUrl === 'string' ? options.notifyUrl.trim() : '',
		waitLimitMinutes: wholeNumber(node, options.waitLimitMinutes, WAIT_LIMIT),
		maxAttempts: wholeNumber(node, options.maxAttempts, MAX_ATTEMPTS),
		outputField: typeof options.outputField === 'string' ? options.outputField : '',
		includeSecretHeaders: options.includeSecretHeaders === true,
		forceNewLogin: options.forceNewLogin === true,
	};
}
