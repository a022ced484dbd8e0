import * as z from 'zod';
import { Description, Id, Name, StoredNumber } from './common.js';

const Message = z.object({
  role: z.enum(['system', 'user', 'assistant', 'developer']),
  content: z.string().max(200_000).meta({ description: 'Jinja (nunjucks) template over inputs' }),
});

export const OpenAIChatConfig = z.object({
  type: z.literal('openai_chat'),
  model: z.string().min(1),
  messages: z.array(Message).min(1),
  temperature: StoredNumber.min(0).max(2).optional(),
  maxTokens: z.number().int().positive().optional(),
  baseURL: z.url().optional(),
  apiKeySecret: z.string().min(1).optional().meta({ description: 'Name of the secret holding the API key' }),
  outputField: z.string().min(1).optional(),
});

export const HttpConfig = z.object({
  type: z.literal('http'),
  url: z.url(),
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH']).default('POST'),
  headers: z
    .record(z.string(), z.string())
    .optional()
    .meta({ description: 'Header values may reference secrets as {{ secrets.NAME }}' }),
  body: z.string().max(200_000).optional().meta({ description: 'Jinja-rendered JSON body' }),
  outputPath: z.string().optional().meta({ description: 'JSONPath into the reply' }),
  outputField: z.string().min(1).optional(),
  timeoutMs: z.number().int().min(100).max(900_000).optional(),
});

/** A system that runs outside Verdict (its records are posted); any other keys are the team's own, kept as sent. */
export const ExternalConfig = z.looseObject({ type: z.literal('external') });

/** The configs Verdict knows: one that names one of these types is validated as that type. */
export const TypedSystemConfig = z.discriminatedUnion('type', [OpenAIChatConfig, HttpConfig, ExternalConfig]);
export type TypedSystemConfig = z.infer<typeof TypedSystemConfig>;
const TYPED_CONFIG_TYPES: ReadonlySet<unknown> = new Set(['openai_chat', 'http', 'external']);

/**
 * Scorecard's kind of config: the team's own parameters (`{model, temperature}`), without a `type` or with one
 * Verdict does not know. Stored verbatim; the system runs outside Verdict, like `external`.
 */
export const FreeformSystemConfig = z.record(z.string(), z.unknown()).meta({
  id: 'FreeformSystemConfig',
  description:
    'Any object without a type Verdict knows: your own parameters, stored and returned exactly as sent. ' +
    'Such a system runs outside Verdict: post its records through the API or an SDK.',
});
export type FreeformSystemConfig = z.infer<typeof FreeformSystemConfig>;

export const SystemConfig = z.union([TypedSystemConfig, FreeformSystemConfig]).meta({ id: 'SystemConfig' });
export type SystemConfig = z.infer<typeof SystemConfig>;

/** The largest config a system version stores, as JSON text. */
export const MAX_SYSTEM_CONFIG_BYTES = 256 * 1024;

/**
 * A config in a request. The union alone would take a malformed typed config as a free-form one, so a config
 * that names a Verdict type is checked as that type, and its faults name the field (`config.model`).
 */
export const SystemConfigInput = SystemConfig.transform((config, ctx): SystemConfig => {
  // A version is one stored item (DynamoDB holds 400 KB): refuse a larger config before anything is written.
  if (new TextEncoder().encode(JSON.stringify(config)).length > MAX_SYSTEM_CONFIG_BYTES) {
    ctx.addIssue({ code: 'custom', message: `must be at most ${MAX_SYSTEM_CONFIG_BYTES} bytes as JSON`, path: [] });
    return z.NEVER;
  }
  if (!TYPED_CONFIG_TYPES.has(config.type)) return config;
  const typed = TypedSystemConfig.safeParse(config);
  if (typed.success) return typed.data;
  for (const issue of typed.error.issues) ctx.addIssue({ ...issue });
  return z.NEVER;
});

export type HostedSystemConfig = z.infer<typeof OpenAIChatConfig> | z.infer<typeof HttpConfig>;

/** The config of a system Verdict runs itself (`openai_chat`, `http`), or null for one that runs outside it. */
export function hostedConfig(config: SystemConfig): HostedSystemConfig | null {
  // Validation guarantees a config naming one of these types is that type (see SystemConfigInput).
  return config.type === 'openai_chat' || config.type === 'http' ? (config as HostedSystemConfig) : null;
}

export const SystemVersionSummary = z.object({ id: Id, name: z.string() });

export const SystemVersion = z
  .object({ id: Id, systemId: Id, name: z.string(), config: SystemConfig })
  .meta({ id: 'SystemVersion' });
export type SystemVersion = z.infer<typeof SystemVersion>;

export const System = z
  .object({
    id: Id,
    projectId: Id,
    name: z.string(),
    description: z.string(),
    productionVersion: SystemVersion.nullable(),
    versions: z.array(SystemVersionSummary),
  })
  .meta({ id: 'System' });
export type System = z.infer<typeof System>;

export const UpsertSystem = z
  .object({ name: Name.default('Default system'), description: Description, config: SystemConfigInput.optional() })
  .meta({ id: 'UpsertSystem' });
export type UpsertSystem = z.infer<typeof UpsertSystem>;

export const UpdateSystem = z
  .object({ name: Name.optional(), description: z.string().max(10_000).optional(), productionVersionId: Id.optional() })
  .meta({ id: 'UpdateSystem' });
export type UpdateSystem = z.infer<typeof UpdateSystem>;

export const CreateSystemVersion = z
  .object({
    config: SystemConfigInput,
    name: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .optional()
      .meta({ description: 'Names a new version, or renames the version that already has this config' }),
  })
  .meta({ id: 'CreateSystemVersion' });
export type CreateSystemVersion = z.infer<typeof CreateSystemVersion>;
