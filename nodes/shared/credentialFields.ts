import type { INodeProperties } from 'n8n-workflow';

/**
 * The fields a user must fill in on a credential, so that each credential lists only what is
 * its own (label, name, example). n8n's lint checks masking on literal fields alone, so these
 * check the names instead, by type, with the lint's own patterns: a name it takes for a secret
 * must go through requiredSecret, and requiredSecret takes any name holding a secret's word
 * (masking more is never wrong: `providerSecret` or `idToken` are secrets too).
 */

type Holds<N extends string, P extends string> =
	Lowercase<N> extends `${string}${P}${string}` ? true : false;
/** The words n8n's lint takes for a secret's name. */
type SecretWord =
	| 'password'
	| 'secret'
	| 'token'
	| 'cert'
	| 'passphrase'
	| 'apikey'
	| 'secretkey'
	| 'privatekey'
	| 'authkey';
/** n8n's credential-password-field: a secret's name, unless it names a URL, an ID or a public key. */
type LintTakesForSecret<N extends string> =
	Holds<N, 'url' | 'pub' | 'id'> extends true ? false : Holds<N, SecretWord>;
type PlainName<N extends string> = LintTakesForSecret<N> extends true ? never : N;
type SecretName<N extends string> = Holds<N, SecretWord> extends true ? N : never;

/** What a field adds after the builder's; a `default` replaces the empty one in its place. */
type More = Partial<
	Pick<INodeProperties, 'default' | 'placeholder' | 'description' | 'displayOptions'>
>;

/** A value the user must type that is no secret: an address, an ID, a login. */
export function requiredText<N extends string>(
	displayName: string,
	name: N & PlainName<N>,
	more: More = {},
): INodeProperties {
	return { displayName, name, type: 'string', required: true, default: '', ...more };
}

/** A secret the user must type: masked in the editor. */
export function requiredSecret<N extends string>(
	displayName: string,
	name: N & SecretName<N>,
	more: More = {},
): INodeProperties {
	return {
		displayName,
		name,
		type: 'string',
		required: true,
		typeOptions: { password: true },
		default: '',
		...more,
	};
}
