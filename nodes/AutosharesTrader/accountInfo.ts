import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { toNodeApiError } from '../shared/errors';
import { errorItem } from '../shared/nodeHelpers';
import { autosharesTrader } from '../shared/providers/autosharesTrader';

/**
 * "Get Account Info": GET /v1.0/users/@me/info with the credential. n8n adds the token (and
 * gets one first if needed); Autoshares' expired-token status triggers one refresh and retry.
 */
export async function getAccountInfo(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const credentials = await this.getCredentials('autosharesTraderApi');
	const output: INodeExecutionData[] = [];
	for (let index = 0; index < items.length; index++) {
		try {
			const { baseUrl } = autosharesTrader.readFields(credentials);
			const info = (await this.helpers.httpRequestWithAuthentication.call(
				this,
				'autosharesTraderApi',
				{ method: 'GET', url: `${baseUrl}/v1.0/users/@me/info`, json: true },
				{ preAuthenticationRetryStatusCode: autosharesTrader.expiredTokenStatusCodes },
			)) as IDataObject;
			output.push({ json: info, pairedItem: { item: index } });
		} catch (error) {
			const apiError = toNodeApiError(this.getNode(), error, autosharesTrader.displayName);
			if (!this.continueOnFail()) throw apiError;
			output.push(errorItem(apiError, index));
		}
	}
	return [output];
}
