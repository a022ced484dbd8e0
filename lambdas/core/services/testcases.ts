import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { badRequest } from '../errors.js';
import { newId } from '../ids.js';
import type { Json } from '../schemas/common.js';
import type { FieldMapping, Testcase, Testset } from '../schemas/testset.js';

const ajv = new Ajv2020({ allErrors: true, strict: false });
(addFormats as unknown as (a: Ajv2020) => void)(ajv);
const compiled = new Map<string, ValidateFunction>();

/** Compiles a testset's JSON Schema, or explains in a 400 why it is not a usable schema. */
export function compileTestsetSchema(schema: Json): ValidateFunction {
  const key = JSON.stringify(schema);
  const hit = compiled.get(key);
  if (hit) return hit;
  try {
    const validate = ajv.compile(schema);
    if (compiled.size > 500) compiled.clear();
    compiled.set(key, validate);
    return validate;
  } catch (error) {
    throw badRequest('jsonSchema is not a valid JSON Schema', [
      { path: 'jsonSchema', message: error instanceof Error ? error.message : String(error) },
    ]);
  }
}

const pick = (data: Json, fields: string[]): Json =>
  Object.fromEntries(fields.filter((f) => f in data).map((f) => [f, data[f]]));

/** Splits jsonData into inputs and expected by the field mapping; unmapped fields stay metadata. */
export function deriveFields(data: Json, mapping: FieldMapping) {
  return { inputs: pick(data, mapping.inputs), expected: pick(data, mapping.expected) };
}

/**
 * Builds a testcase from its jsonData. Data that does not match the testset's schema is still stored, with
 * its validationErrors, so a team can fix it in place rather than lose it.
 */
export function buildTestcase(
  testset: Pick<Testset, 'id' | 'jsonSchema' | 'fieldMapping'>,
  jsonData: Json,
  id = newId(),
): Testcase {
  const validate = compileTestsetSchema(testset.jsonSchema);
  const testcase: Testcase = { id, testsetId: testset.id, jsonData, ...deriveFields(jsonData, testset.fieldMapping) };
  if (!validate(jsonData)) {
    testcase.validationErrors = (validate.errors ?? []).map((e) => ({
      path: e.instancePath || '/',
      message: e.message ?? 'is invalid',
    }));
  }
  return testcase;
}
