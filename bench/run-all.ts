import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** `npm run bench`: every bench/*.ts that exports main(), one after another (or the ones named on the command line). */
const only = process.argv.slice(2);
const dir = import.meta.dirname;
const benches = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && !['run-all.ts', 'support.ts'].includes(f))
  .filter((f) => only.length === 0 || only.includes(f.replace(/\.ts$/, '')));
for (const file of benches) {
  const mod = (await import(join(dir, file))) as { main?: () => Promise<void> };
  if (!mod.main) continue;
  console.log(`\n=== bench/${file} ===`);
  await mod.main();
}
