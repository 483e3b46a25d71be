import type {
	IDataObject,
	IExecuteFunctions,
	INode,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { toNodeError } from '../shared/errors';
import { errorItems, outputOptions, plainRequester, withOutput } from '../shared/nodeHelpers';
import { assertDomainsAllowed } from '../shared/domains';
import { reportedToken } from '../shared/credentialLifecycle';
import { obtainToken } from '../shared/obtainToken';
import { isExpiredTokenAnswer, tokenRequestUrls, type AnyTokenProvider } from '../shared/provider';
import { describeToken } from '../shared/tokenOutput';
import { providerFor, providers } from '../shared/providers';

// Everything vendor-specific below comes from the provider registry: a new provider appears in
// the credential list, the Vendor options and the subtitle without an edit here.
const ALL = Object.values(providers);
const NAMES = ALL.map((provider) => provider.displayName);
const NAME_LIST = `${NAMES.slice(0, -1).join(', ')} or ${NAMES[NAMES.length - 1]}`;

/**
 * Get Token's Refused Token options: the token to report refused, when the failed answer they
 * describe is this credential's expired-token answer (its statuses, its text); else undefined.
 */
function refusalOf(
	provider: AnyTokenProvider,
	credentials: IDataObject,
	options: IDataObject,
	node: INode,
) {
	const token = typeof options.refusedToken === 'string' ? options.refusedToken.trim() : '';
	if (token === '') return undefined;
	const raw = options.refusedStatus ?? 0;
	const status = typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : raw;
	if (
		!(
			status === 0 ||
			(typeof status === 'number' && Number.isInteger(status) && status >= 100 && status <= 599)
		)
	) {
		throw new NodeOperationError(
			node,
			'Get Token settings: "Refused Status" must be an HTTP status from 100 to 599, or 0.',
			{
				description:
					"Give the status of the failed request (an HTTP Request node's error output has it as error.status), or 0 to count the token as refused whatever the status.",
			},
		);
	}
	const answer = typeof options.refusedAnswer === 'string' ? options.refusedAnswer : undefined;
	const fields = provider.readFields(credentials);
	if (
		!isExpiredTokenAnswer(provider, fields, status === 0 ? undefined : (status as number), answer)
	)
		return undefined;
	return reportedToken(provider, credentials, token);
}

export class GetToken implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Get Token',
		name: 'getToken',
		icon: { light: 'file:../../icons/tokenAuth.svg', dark: 'file:../../icons/tokenAuth.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: `={{ ${JSON.stringify(Object.fromEntries(ALL.map((provider) => [provider.vendor, provider.displayName])))}[$parameter["vendor"]] }}`,
		description: `Get the current API token of a ${NAME_LIST} credential`,
		defaults: { name: 'Get Token' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		// Not an AI tool: its output is a live token (and, on request, an app key) that the model
		// and its provider would see; an agent calls the API through n8n's HTTP Request tool with
		// the credential instead, and never sees it (README, "Security notes").
		// n8n's type lists only `true`; n8n makes a tool variant for any truthy value.
		usableAsTool: false as unknown as true,
		credentials: ALL.map((provider) => ({
			name: provider.credentialName,
			required: true,
			displayOptions: { show: { vendor: [provider.vendor] } },
		})),
		properties: [
			{
				displayName: 'Vendor',
				name: 'vendor',
				type: 'options',
				noDataExpression: true,
				options: ALL.map((provider) => ({
					name: provider.displayName,
					value: provider.vendor,
				})).sort((a, b) => a.name.localeCompare(b.name)),
				// Never change: n8n leaves a parameter at its default out of a saved workflow, so
				// every Get Token saved with Soda Cloud would switch vendor.
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
						description:
							'Whether to get a new token even if a valid one is held (one token call per execution, whatever the number of items)',
					},
					{
						displayName: 'Refused Token',
						name: 'refusedToken',
						type: 'string',
						typeOptions: { password: true },
						default: '',
						description:
							"After a request with a token from Get Token failed: that token (an expression that picks it from Get Token's output). When the failure is the credential's expired-token answer (see Refused Status), the token is never output again and a new one is got, with one token call however many executions report it.",
					},
					{
						displayName: 'Refused Status',
						name: 'refusedStatus',
						type: 'number',
						default: 0,
						description:
							"The HTTP status of that failed request (on an HTTP Request node's error output: error.status). The token counts as refused only for the credential's expired-token statuses (Custom Token Endpoint: its Expired Token Status Codes). 0: whatever the status.",
					},
					{
						displayName: 'Refused Answer',
						name: 'refusedAnswer',
						type: 'string',
						default: '',
						description:
							"Optional: the text of that failed answer (on an HTTP Request node's error output: error.message). Where the credential names an expired-token text (Custom Token Endpoint), the token counts as refused only when the answer contains it.",
					},
					...outputOptions,
				],
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const vendor = this.getNodeParameter('vendor', 0) as unknown;
		const provider = providerFor(vendor);
		if (!provider) {
			throw new NodeOperationError(this.getNode(), `Unknown vendor "${String(vendor)}"`, {
				description: `Choose one of: ${NAMES.join(', ')}.`,
			});
		}
		const firstOptions = this.getNodeParameter('options', 0, {}) as IDataObject;

		// One token for all items: the credential and vendor are the node's, not the item's.
		let described: IDataObject;
		try {
			const credentials = await this.getCredentials(provider.credentialName);
			// The credential's domain restriction (n8n 1.x and 2.x) holds for this token call too.
			assertDomainsAllowed(
				this.getNode(),
				credentials,
				tokenRequestUrls(provider, provider.readFields(credentials)),
			);
			const { fields, token } = await obtainToken(
				plainRequester(this.helpers),
				provider,
				credentials,
				{
					force: firstOptions.forceRefresh === true,
					rejected: refusalOf(provider, credentials, firstOptions, this.getNode()),
				},
			);
			described = describeToken(
				provider,
				fields,
				token,
				firstOptions.includeSecretHeaders === true,
			);
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
