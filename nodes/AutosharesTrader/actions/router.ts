import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import * as getAccountInfo from './getAccountInfo.operation';
import * as logIn from './logIn.operation';

/** `execute()`: one file per operation. Any other value is Log In, as it always was. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operation = this.getNodeParameter('operation', 0);
	switch (operation) {
		case 'getAccountInfo':
			return await getAccountInfo.execute.call(this);
		default:
			return await logIn.execute.call(this);
	}
}
