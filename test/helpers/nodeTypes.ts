import type { INodeTypes } from 'n8n-workflow';

import { AutosharesTrader } from '../../nodes/AutosharesTrader/AutosharesTrader.node';
import { GetToken } from '../../nodes/GetToken/GetToken.node';
import { nodeTypesOf } from './n8n';

/** Both of the package's nodes, under the types n8n gives a community package's nodes. */
export function packageNodeTypes(): INodeTypes {
	return nodeTypesOf({
		'n8n-nodes-token-auth.getToken': new GetToken(),
		'n8n-nodes-token-auth.autosharesTrader': new AutosharesTrader(),
	});
}
