import * as z from 'zod';
import { Description, Id, Json, Name } from './common.js';

export const FieldMapping = z
  .object({
    inputs: z.array(z.string().min(1)).default([]),
    expected: z.array(z.string().min(1)).default([]),
    metadata: z.array(z.string().min(1)).default([]),
  })
  .meta({
    id: 'FieldMapping',
    description: 'Which jsonData fields are inputs or expected outputs; the rest are metadata',
  });
export type FieldMapping = z.infer<typeof FieldMapping>;

export const JsonSchemaDoc = z
  .record(z.string(), z.unknown())
  .meta({ description: 'JSON Schema (draft 2020-12 subset) every testcase jsonData is validated against' });

export const Testset = z
  .object({
    id: Id,
    name: z.string(),
    description: z.string(),
    jsonSchema: JsonSchemaDoc,
    fieldMapping: FieldMapping,
    numTestcases: z.number().int(),
  })
  .meta({ id: 'Testset' });
export type Testset = z.infer<typeof Testset>;

export const CreateTestset = z
  .object({
    name: Name,
    description: Description,
    jsonSchema: JsonSchemaDoc.default({ type: 'object' }),
    fieldMapping: FieldMapping.default({ inputs: [], expected: [], metadata: [] }),
  })
  .meta({ id: 'CreateTestset' });
export type CreateTestset = z.infer<typeof CreateTestset>;

export const UpdateTestset = z
  .object({
    name: Name.optional(),
    description: z.string().max(10_000).optional(),
    jsonSchema: JsonSchemaDoc.optional(),
    fieldMapping: FieldMapping.optional(),
  })
  .meta({ id: 'UpdateTestset' });
export type UpdateTestset = z.infer<typeof UpdateTestset>;

export const ValidationIssue = z.object({ path: z.string(), message: z.string() });

export const Testcase = z
  .object({
    id: Id,
    testsetId: Id,
    jsonData: Json,
    inputs: Json,
    expected: Json,
    validationErrors: z.array(ValidationIssue).optional(),
  })
  .meta({ id: 'Testcase' });
export type Testcase = z.infer<typeof Testcase>;

export const TestcaseInput = z.object({ jsonData: Json });
export const CreateTestcases = z
  .object({ items: z.array(TestcaseInput).min(1, 'needs 1 to 100 items').max(100, 'needs 1 to 100 items') })
  .meta({ id: 'CreateTestcases' });
export const TestcaseList = z.object({ items: z.array(Testcase) }).meta({ id: 'TestcaseList' });
export const UpdateTestcase = z.object({ jsonData: Json }).meta({ id: 'UpdateTestcase' });
export const BulkDeleteTestcases = z.object({ ids: z.array(Id).min(1).max(100) }).meta({ id: 'BulkDeleteTestcases' });
