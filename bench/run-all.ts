import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import { type Figure, markdownTable, recordedFigures } from './results.js';

/**
 * `npm run bench`: every bench/*.ts that exports main(), one after another (or the ones named on the command
 * line). Writes bench/results.json (the figures each bench recorded, and every line it printed) and prints
 * the figures as one Markdown table. Benches named on the command line replace only their own figures and lines
 * in bench/results.json; the others' are kept as they were.
 */
const only = process.argv.slice(2);
const dir = import.meta.dirname;
const HELPERS = ['run-all.ts', 'support.ts', 'results.ts', 'profile-summary.ts'];
const benches = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && !HELPERS.includes(f))
  .filter((f) => only.length === 0 || only.includes(f.replace(/\.ts$/, '')));
const printed: Record<string, string[]> = {};
const log = console.log;
for (const file of benches) {
  const mod = (await import(join(dir, file))) as { main?: () => Promise<void> };
  if (!mod.main) continue;
  const name = file.replace(/\.ts$/, '');
  const lines: string[] = [];
  printed[name] = lines;
  // Every line a bench prints is kept with its figures: older benches print more than they record.
  console.log = (...args: unknown[]) => {
    lines.push(format(...args));
    log(...args);
  };
  log(`\n=== bench/${file} ===`);
  try {
    await mod.main();
  } finally {
    console.log = log;
  }
}
const resultsPath = join(dir, 'results.json');
const ran = new Set(Object.keys(printed));
const kept: { figures: Figure[]; printed: Record<string, string[]> } =
  only.length > 0 && existsSync(resultsPath)
    ? JSON.parse(readFileSync(resultsPath, 'utf8'))
    : { figures: [], printed: {} };
const figures = [...kept.figures.filter((f) => !ran.has(f.bench)), ...recordedFigures()].sort((a, b) =>
  a.bench.localeCompare(b.bench),
);
const allPrinted = {
  ...Object.fromEntries(Object.entries(kept.printed).filter(([name]) => !ran.has(name))),
  ...printed,
};
writeFileSync(
  resultsPath,
  `${JSON.stringify({ at: new Date().toISOString(), figures, printed: allPrinted }, null, 2)}\n`,
);
log(`\n## Figures (bench/results.json)\n\n${markdownTable(figures)}`);
