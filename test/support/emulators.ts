import { rmSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import { type Emulators, startEmulators } from '../../local/emulators.js';
import { tempDataDir } from './stack.js';

/** The embedded emulators on a fresh data dir for this test file: started before its tests, removed after. */
export function emulatorsForFile(name: string): () => Emulators {
  const dataDir = tempDataDir(name);
  let emulators: Emulators | undefined;
  beforeAll(async () => {
    emulators = await startEmulators(dataDir);
  });
  afterAll(async () => {
    await emulators?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return () => {
    if (!emulators) throw new Error('the emulators are not started yet');
    return emulators;
  };
}
