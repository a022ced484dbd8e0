import * as z from 'zod';
import { Id, ListQuery } from './common.js';
import { RecordStatus, RecordTraceId } from './record.js';
import { RunSource } from './run.js';

const filterFields = {
  runId: Id.optional().meta({ description: 'Only records of this run' }),
  testcaseId: Id.optional().meta({ description: 'Only records of this testcase' }),
  traceId: RecordTraceId.optional().meta({ description: 'Only records taken from this trace' }),
  status: RecordStatus.optional(),
  metricId: Id.optional().meta({ description: 'Only records with a score for this metric (see `passed`)' }),
  source: RunSource.optional().meta({ description: 'Only records of runs with this source' }),
  createdFrom: z.iso
    .datetime({ offset: true })
    .optional()
    .meta({ description: 'Records created at or after this time (the time in the record id)' }),
  createdTo: z.iso.datetime({ offset: true }).optional().meta({ description: 'Records created before this time' }),
  q: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .meta({ description: 'Case-insensitive text searched in the JSON of inputs, expected and outputs' }),
};

/** What the records page and the project export filter on; `passed` needs `metricId`. */
export interface RecordFilter {
  runId?: string;
  testcaseId?: string;
  traceId?: string;
  status?: RecordStatus;
  metricId?: string;
  passed?: boolean;
  source?: RunSource;
  createdFrom?: string;
  createdTo?: string;
  q?: string;
}

export const RecordSearchQuery = ListQuery.extend({
  ...filterFields,
  passed: z.stringbool().optional().meta({ description: 'With `metricId`: only passing (true) or failing (false)' }),
});
export type RecordSearchQuery = z.infer<typeof RecordSearchQuery>;

export const RecordFilterBody = z.object({ ...filterFields, passed: z.boolean().optional() });
