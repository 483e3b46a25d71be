/**
 * The credential Test with the credential's `test.rules` applied, as
 * packages/cli/src/services/credentials-tester.service.ts applies them: when the test request
 * fails with an HTTP answer, the first `responseCode` rule whose value is that status gives the
 * message; otherwise n8n's own message stands (test/helpers/n8n.ts testCredential, which does
 * not read rules). `responseSuccessBody` rules are not used by this package.
 */
import { RoutingNode } from 'n8n-core';
import type { ICredentialDataDecryptedObject, IAuthenticateRuleResponseCode } from 'n8n-workflow';

import { testCredential, type TestCredentialsHelper } from '../helpers/n8n';

export async function testCredentialWithRules(
	helper: TestCredentialsHelper,
	typeName: string,
	data: ICredentialDataDecryptedObject,
): Promise<{ status: 'OK' | 'Error'; message: string }> {
	// testCredential keeps the failed request's status to itself: it is read on the way out.
	const runNode = RoutingNode.prototype.runNode;
	let failedStatus: number | undefined;
	const spy = jest.spyOn(RoutingNode.prototype, 'runNode').mockImplementation(async function (this: RoutingNode, ...args) {
		try {
			return await runNode.apply(this, args);
		} catch (error) {
			failedStatus = (error as { cause?: { response?: { status?: number } } }).cause?.response?.status;
			throw error;
		}
	});
	try {
		const result = await testCredential(helper, typeName, data);
		const rules = (helper.types[typeName].test?.rules ?? []) as IAuthenticateRuleResponseCode[];
		const rule = rules.find((r) => r.type === 'responseCode' && failedStatus !== undefined && r.properties.value === failedStatus);
		return rule ? { status: 'Error', message: rule.properties.message } : result;
	} finally {
		spy.mockRestore();
	}
}
