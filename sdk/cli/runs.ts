import { parseArgs } from 'node:util';
import { API_OPTIONS, type CliIO, CliUsageError, clientFrom, numberOption, print, requireOption } from './io.js';
import { table } from './report.js';

/** `verdict runs list --project P [--limit N] [--source S] [--json]`: newest first. */
export async function runsCommand(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { ...API_OPTIONS, project: { type: 'string' }, limit: { type: 'string' }, source: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals[0] !== 'list' || positionals.length > 1) {
    throw new CliUsageError('usage: verdict runs list --project P [--limit N] [--source S] [--json]');
  }
  const projectId = requireOption(values.project, '--project');
  const limit = numberOption(values.limit, '--limit', 1, 100_000) ?? 50;
  const source = values.source as 'api' | 'monitor' | 'playground' | 'kickoff' | undefined;
  const client = clientFrom(values, io);
  const runs = await client.runs.list(projectId, { limit: Math.min(100, limit), source }).toArray(limit);
  if (values.json) {
    print(io.stdout, JSON.stringify(runs, null, 2));
    return 0;
  }
  const rows = runs.map((r) => [
    r.id,
    r.status,
    r.createdAt,
    `${r.numRecords}/${r.numExpectedRecords ?? '?'}`,
    r.source,
    r.name ?? '',
  ]);
  print(io.stdout, table([['id', 'status', 'created', 'records', 'source', 'name'], ...rows]));
  return 0;
}
