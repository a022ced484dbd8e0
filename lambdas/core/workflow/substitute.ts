/**
 * `${Name}` placeholders in an Amazon States Language document, the same syntax CloudFormation's
 * `DefinitionSubstitutions` (and CDK's `definitionSubstitutions`) fill in. Pure text work so the local
 * driver, the CDK stack and the tests can share one definition file.
 */

const PLACEHOLDER = /\$\{([A-Za-z0-9_]+)\}/g;

/** Every distinct placeholder name in the text, in order of first appearance. */
export function listPlaceholders(text: string): string[] {
  return [...new Set(Array.from(text.matchAll(PLACEHOLDER), (match) => match[1] as string))];
}

/**
 * Replaces every `${Name}` with `values[Name]`. Values go in verbatim, as CloudFormation does, so they must
 * not contain characters that need escaping in the surrounding JSON string (ARNs and queue URLs never do).
 * Throws naming every placeholder without a value, because a half-substituted definition would only fail
 * later, at run time, with an unrelated-looking ARN or URL error.
 */
export function substitutePlaceholders(text: string, values: Readonly<Record<string, string>>): string {
  const missing = listPlaceholders(text).filter((name) => !Object.hasOwn(values, name));
  if (missing.length > 0) {
    const names = missing.map((name) => '${' + name + '}').join(', ');
    throw new Error(`No value given for ${names}; pass one for every placeholder in the definition.`);
  }
  return text.replace(PLACEHOLDER, (_match, name: string) => values[name] as string);
}
