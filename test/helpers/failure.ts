import { TokenAuthError } from '../../nodes/shared/errors';

/** The TokenAuthError `run` fails with; anything else (a success, another error) fails the test. */
export async function failure(run: Promise<unknown>): Promise<TokenAuthError> {
	const error = await run.then(
		() => undefined,
		(e: unknown) => e,
	);
	if (!(error instanceof TokenAuthError))
		throw new Error(`expected a TokenAuthError, got ${String(error)}`);
	return error;
}
