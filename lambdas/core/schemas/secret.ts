import * as z from 'zod';

/**
 * A project secret's name as templates write it (`{{ secrets.NAME }}`): letters, digits, `_` and `-`,
 * starting with a letter or `_`. Names are case-sensitive and travel in URL paths and Secrets Manager names.
 */
export const SecretName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_-]{0,127}$/, 'must be 1–128 letters, digits, "_" or "-", starting with a letter or "_"')
  .meta({ description: 'Name a system config uses: {{ secrets.NAME }} in http headers, or apiKeySecret' });

/** Tab is allowed in a header value; other control characters (CR and LF above all) are not. */
function isHeaderSafe(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09) || code === 0x7f) return false;
  }
  return true;
}

export const PutProjectSecret = z
  .object({
    value: z
      .string()
      .min(1, 'must not be empty')
      .max(16_384)
      // Secrets are sent as HTTP header values (a bearer token, an API key), where line breaks are not allowed.
      .refine(isHeaderSafe, 'must not contain line breaks or control characters')
      .meta({ description: 'The secret; stored encrypted and never returned' }),
  })
  .meta({ id: 'PutProjectSecret' });
export type PutProjectSecret = z.infer<typeof PutProjectSecret>;

export const ProjectSecret = z
  .object({ name: z.string(), createdAt: z.string(), updatedAt: z.string() })
  .meta({ id: 'ProjectSecret', description: 'A secret registered to a project: its name and dates, never its value' });
export type ProjectSecret = z.infer<typeof ProjectSecret>;
