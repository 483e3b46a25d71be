import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { toNodeError } from '../shared/errors';
import { errorItems, outputOptions, plainRequester, withOutput } from '../shared/nodeHelpers';
import { describeToken, obtainToken, type VendorId } from '../shared/provider';
import { providers } from '../shared/providers';

export class GetToken implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Get Token',
		name: 'getToken',
		icon: { light: 'file:../../icons/tokenAuth.svg', dark: 'file:../../icons/tokenAuth.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ {"sodaCloud": "Soda Cloud", "galileo": "Galileo", "sirdata": "Sirdata", "autosharesTrader": "Autoshares Trader", "manis": "Manis"}[$parameter["vendor"]] }}',
		description: 'Get the current API token of a Soda Cloud, Galileo, Sirdata, Autoshares Trader or Manis credential',
		defaults: { name: 'Get Token' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		// Not an AI tool: its output is a live token (and, on request, an app key) that the model
		// and its provider would see; an agent calls the API through n8n's HTTP Request tool with
		// the credential instead, and never sees it (README, "Security notes").
		// n8n's type lists only `true`; n8n makes a tool variant for any truthy value.
		usableAsTool: false as unknown as true,
		credentials: [
			{ name: 'sodaCloudApi', required: true, displayOptions: { show: { vendor: ['sodaCloud'] } } },
			{ name: 'galileoApi', required: true, displayOptions: { show: { vendor: ['galileo'] } } },
			{ name: 'sirdataApi', required: true, displayOptions: { show: { vendor: ['sirdata'] } } },
			{ name: 'autosharesTraderApi', required: true, displayOptions: { show: { vendor: ['autosharesTrader'] } } },
			{ name: 'manisApi', required: true, displayOptions: { show: { vendor: ['manis'] } } },
		],
		properties: [
			{
				displayName: 'Vendor',
				name: 'vendor',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Autoshares Trader', value: 'autosharesTrader' },
					{ name: 'Galileo', value: 'galileo' },
					{ name: 'Manis', value: 'manis' },
					{ name: 'Sirdata', value: 'sirdata' },
					{ name: 'Soda Cloud', value: 'sodaCloud' },
				],
				default: 'sodaCloud',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Force Refresh',
						name: 'forceRefresh',
						type: 'boolean',
						default: false,
						description: 'Whether to get a new token even if a valid one is held (one token call per execution, whatever the number of items)',
					},
					...outputOptions,
				],
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const vendor = this.getNodeParameter('vendor', 0) as VendorId;
		const provider = Object.prototype.hasOwnProperty.call(providers, vendor) ? providers[vendor] : undefined;
		if (!provider) {
			throw new NodeOperationError(this.getNode(), `Unknown vendor "${String(vendor)}"`, {
				description: `Choose one of: ${Object.values(providers).map((p) => p.displayName).join(', ')}.`,
			});
		}
		const firstOptions = this.getNodeParameter('options', 0, {}) as IDataObject;

		// One token for all items: the credential and vendor are the node's, not the item's.
		let described: IDataObject;
		try {
			const credentials = await this.getCredentials(provider.credentialName);
			const { fields, token } = await obtainToken(plainRequester(this.helpers), provider, credentials, {
				force: firstOptions.forceRefresh === true,
			});
			described = describeToken(provider, fields, token, firstOptions.includeSecretHeaders === true);
		} catch (error) {
			const apiError = toNodeError(this.getNode(), error, provider.displayName);
			if (!this.continueOnFail()) throw apiError;
			return [errorItems(items, apiError)];
		}

		return [
			items.map((item, index) => {
				const options = this.getNodeParameter('options', index, {}) as IDataObject;
				return withOutput(item, index, described, String(options.outputField ?? ''));
			}),
		];
	}
}
