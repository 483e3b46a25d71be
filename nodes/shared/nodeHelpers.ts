import type {
	IDataObject,
	INodeExecutionData,
	INodeProperties,
	RequestHelperFunctions,
} from 'n8n-workflow';

import { requesterFrom, type HttpRequester } from './http';

/**
 * The token exchange goes through n8n's plain request helpers (they honour n8n's proxy and TLS
 * settings): the token endpoint *is* the authentication, so there is nothing to authenticate
 * it with. Kept apart from the functions that read credentials, as n8n's lint asks.
 */
export function plainRequester(
	helpers: Pick<RequestHelperFunctions, 'httpRequest'>,
): HttpRequester {
	return requesterFrom(helpers);
}

/** The options both nodes share for shaping their output. */
export const outputOptions: INodeProperties[] = [
	{
		displayName: 'Put Output in Field',
		name: 'outputField',
		type: 'string',
		default: '',
		placeholder: 'auth',
		description:
			'Name of a field to put the token object in, keeping the input item. Leave empty to output the token object alone.',
	},
	{
		displayName: 'Include Secret Headers',
		name: 'includeSecretHeaders',
		type: 'boolean',
		default: false,
		description:
			'Whether to include headers that carry a credential secret (Autoshares Et-App-Key, Soda API key secret) in "headers". Off: they are listed in "credentialHeaders" and stay out of execution data.',
	},
];

/** Replaces the item with the token object, or puts it under `field` of the item, keeping its binary data. */
export function withOutput(
	item: INodeExecutionData,
	index: number,
	value: IDataObject,
	field: string,
): INodeExecutionData {
	const name = field.trim();
	if (name === '') return { json: value, pairedItem: { item: index } };
	return {
		json: { ...item.json, [name]: value },
		...(item.binary ? { binary: item.binary } : {}),
		pairedItem: { item: index },
	};
}

type ItemError = { message: string; description?: string | null };

/** With Continue On Fail: the error in place of item `index`, in the shape both nodes use. */
export function errorItem(error: ItemError, index: number): INodeExecutionData {
	return {
		json: { error: error.message, description: error.description ?? null },
		pairedItem: { item: index },
	};
}

/** With Continue On Fail: the error on every item. */
export function errorItems(items: INodeExecutionData[], error: ItemError): INodeExecutionData[] {
	return items.map((_item, index) => errorItem(error, index));
}
