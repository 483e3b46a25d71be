import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { TokenAuthError, toNodeError } from '../../shared/errors';
import { errorItem } from '../../shared/nodeHelpers';
import { assertDomainsAllowed } from '../../shared/domains';
import { autosharesTrader } from '../../shared/providers/autosharesTrader';
import { credentialUrls, requestAccountInfo } from '../transport';

/**
 * n8n's error for a failed authenticated request quotes the answer, which may echo the app key
 * the request carried: only its status is kept, with a fixed sentence.
 */
export function accountInfoFailure(error: unknown): unknown {
	if (!(error instanceof NodeApiError) || error.httpCode === null) return error;
	const status = Number(error.httpCode);
	const vendor = autosharesTrader.displayName;
	// A reset or a timeout has no status (n8n's httpCode is then a code or empty, not a number).
	if (!Number.isInteger(status) || status < 100 || status > 599) {
		return new TokenAuthError(
			vendor,
			'authenticated request',
			'the connection failed before an answer arrived.',
			{
				description:
					"Check the credential's base URL and that Autoshares Trader is reachable from n8n, then try again.",
			},
		);
	}
	if (status >= 300 && status <= 399) {
		return new TokenAuthError(
			vendor,
			'authenticated request',
			`the server answered with a redirect (HTTP ${status}); it was not followed.`,
			{
				description:
					"Requests that carry the token and app key never follow redirects. Check the credential's base URL.",
				httpCode: status,
			},
		);
	}
	if (status === 401 || status === 403) {
		return new TokenAuthError(
			vendor,
			'authenticated request',
			`the token or app key was refused (HTTP ${status}).`,
			{
				description:
					'Check the app key, and log in again with the Log In operation if the account uses two-factor authentication.',
				httpCode: status,
			},
		);
	}
	return new TokenAuthError(
		vendor,
		'authenticated request',
		`unexpected answer (HTTP ${status}).`,
		{
			description: "Check the credential's base URL (it ends in /api on ETNA hosts).",
			httpCode: status,
		},
	);
}

/**
 * "Get Account Info": GET /v1.0/users/@me/info with the credential. n8n adds the token (and
 * gets one first if needed); Autoshares' expired-token status triggers one refresh and retry.
 * The request carries the token and the app key, so it follows no redirect.
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const credentials = await this.getCredentials('autosharesTraderApi');
	const output: INodeExecutionData[] = [];
	for (let index = 0; index < items.length; index++) {
		try {
			const fields = autosharesTrader.readFields(credentials);
			assertDomainsAllowed(this.getNode(), credentials, credentialUrls(fields));
			const info = await requestAccountInfo(this, fields);
			output.push({ json: info, pairedItem: { item: index } });
		} catch (error) {
			const apiError = toNodeError(
				this.getNode(),
				accountInfoFailure(error),
				autosharesTrader.displayName,
			);
			if (!this.continueOnFail()) throw apiError;
			output.push(errorItem(apiError, index));
		}
	}
	return [output];
}
