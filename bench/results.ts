/**
 * The figures a bench reports, collected for `npm run bench` (bench/run-all.ts), which writes them to
 * bench/results.json and prints them as one Markdown table. A bench run on its own just records them too.
 */
export interface Figure {
  bench: string;
  name: string;
  value: number;
  unit: string;
}

const figures: Figure[] = [];

export function recordFigure(bench: string, name: string, value: number, unit = '') {
  figures.push({ bench, name, value, unit });
}

export const recordedFigures = (): readonly Figure[] => figures;

const shown = (value: number) =>
  Number.isInteger(value) ? String(value) : Math.abs(value) >= 100 ? value.toFixed(0) : value.toPrecision(3);

export function markdownTable(rows: readonly Figure[]): string {
  const lines = ['| bench | figure | value | unit |', '|---|---|---:|---|'];
  for (const f of rows) lines.push(`| ${f.bench} | ${f.name.replaceAll('|', '\\|')} | ${shown(f.value)} | ${f.unit} |`);
  return lines.join('\n');
}
