import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Sums the V8 CPU profiles a bench wrote with `node --cpu-prof --cpu-prof-dir=DIR` (one file per thread): per
 * thread, its busy time and the packages (or our own folders) that time was spent in, by self time. A thread
 * that was idle throughout (the tsx loader's) is left out.
 *
 *   npx tsx bench/profile-summary.ts DIR [rows]
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame's code lives: an npm package, a Node internal module, one of our folders, or V8's own bucket. */
export function placeOf(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  if (url === '') return functionName ? `(${functionName.replace(/^\(|\)$/g, '')})` : '(native)';
  const ours = /\/(lambdas|local|bench|test|sdk)\/([^/]+)/.exec(url);
  return ours ? `${ours[1]}/${ours[2]!.replace(/\.[cm]?[jt]s$/, '')}` : url;
}

export function summarize(profile: CpuProfile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const seconds = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1e6;
    total += dt;
    const place = placeOf(byId.get(id)!.callFrame);
    seconds.set(place, (seconds.get(place) ?? 0) + dt);
  });
  const idle = seconds.get('(idle)') ?? 0;
  seconds.delete('(idle)');
  return { total, busy: total - idle, places: [...seconds].sort((a, b) => b[1] - a[1]) };
}

function main(dir: string, rows: number) {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const { total, busy, places } = summarize(JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile);
    if (busy < 0.1 * total) continue;
    console.log(`\n${file}: busy ${busy.toFixed(2)} s of ${total.toFixed(2)} s`);
    for (const [place, s] of places.slice(0, rows)) {
      console.log(`  ${s.toFixed(2).padStart(6)} s  ${((100 * s) / busy).toFixed(1).padStart(5)}%  ${place}`);
    }
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [dir, rows] = process.argv.slice(2);
  if (!dir) throw new Error('usage: npx tsx bench/profile-summary.ts DIR [rows]');
  main(dir, Number(rows ?? 15));
}
