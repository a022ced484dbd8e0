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

export const ExternalConfig = z.object({ type: z.literal('external') });

export const SystemConfig = z
  .discriminatedUnion('type', [OpenAIChatConfig, HttpConfig, ExternalConfig])
  .meta({ id: 'SystemConfig' });
export type SystemConfig = z.infer<typeof SystemConfig>;

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
    productionVersion: SystemVersionSummary.nullable(),
    versions: z.array(SystemVersionSummary),
  })
  .meta({ id: 'System' });
export type System = z.infer<typeof System>;

export const UpsertSystem = z
  .object({ name: Name, description: Description, config: SystemConfig.optional() })
  .meta({ id: 'UpsertSystem' });
export type UpsertSystem = z.infer<typeof UpsertSystem>;

export const UpdateSystem = z
  .object({ name: Name.optional(), description: z.string().max(10_000).optional(), productionVersionId: Id.optional() })
  .meta({ id: 'UpdateSystem' });
export type UpdateSystem = z.infer<typeof UpdateSystem>;

export const CreateSystemVersion = z
  .object({ config: SystemConfig, name: z.string().trim().min(1).max(200).optional() })
  .meta({ id: 'CreateSystemVersion' });
export type CreateSystemVersion = z.infer<typeof CreateSystemVersion>;
