/**
 * `{{ secrets.NAME }}` or `{{ secrets['NAME'] }}` in an http system's header values. References are replaced
 * textually, not through the template engine, so a secret's value is never itself read as a template.
 */
const SECRET_REF = /\{\{\s*secrets(?:\.([A-Za-z_][\w-]*)|\[\s*(['"])(.+?)\2\s*\])\s*\}\}/g;

/** The secret names a header template refers to, each once, in order of appearance. */
export function secretNamesIn(template: string): string[] {
  const names = new Set<string>();
  for (const match of template.matchAll(SECRET_REF)) names.add(match[1] ?? match[3] ?? '');
  return [...names];
}

/** The template with each reference replaced by its value (every name must be in `values`). */
export function substituteSecrets(template: string, values: ReadonlyMap<string, string>): string {
  return template.replace(SECRET_REF, (_ref, dotted: string | undefined, _quote, quoted: string | undefined) =>
    String(values.get(dotted ?? quoted ?? '')),
  );
}
