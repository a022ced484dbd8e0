import * as z from 'zod';
import { Id, Json } from './common.js';
import { Usage } from './record.js';
import { SystemConfigInput } from './system.js';

/** One system call from the Playground: a saved version or an edited config, on a testcase or typed inputs. */
export const PlaygroundRequest = z
  .object({
    systemVersionId: Id.optional().meta({ description: 'A saved system version to run' }),
    config: SystemConfigInput.optional().meta({ description: 'Or a config to run as it is (an edited prompt)' }),
    testcaseId: Id.optional().meta({ description: 'The testcase whose inputs the system gets' }),
    inputs: Json.optional().meta({ description: 'Or the inputs themselves' }),
  })
  .superRefine((body, ctx) => {
    if ((body.systemVersionId === undefined) === (body.config === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['config'], message: 'give exactly one of systemVersionId or config' });
    }
    if ((body.testcaseId === undefined) === (body.inputs === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['inputs'], message: 'give exactly one of testcaseId or inputs' });
    }
  })
  .meta({ id: 'PlaygroundRequest' });
export type PlaygroundRequest = z.infer<typeof PlaygroundRequest>;

export const PlaygroundResult = z
  .object({
    status: z.enum(['completed', 'errored']).meta({ description: 'errored when the system failed (see error)' }),
    inputs: Json,
    expected: Json.meta({ description: "The testcase's expected outputs ({} for typed inputs)" }),
    outputs: Json,
    error: z.string().nullable(),
    latencyMs: z.number().nullable(),
    usage: Usage.nullable(),
    costUsd: z.number().nullable(),
  })
  .meta({ id: 'PlaygroundResult' });
export type PlaygroundResult = z.infer<typeof PlaygroundResult>;
