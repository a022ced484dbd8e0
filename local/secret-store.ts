import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SecretRef, SecretValueStore } from '../lambdas/core/secrets/ports.js';

/**
 * The local stand-in for Secrets Manager: the project secrets' values in one JSON file under the data dir,
 * readable by the operator only (mode 0600), rewritten whole on each change through a temporary file, so a
 * crash never leaves half a file. Reads are served from memory; the local stack is the file's only writer.
 */
export class FileSecretValueStore implements SecretValueStore {
  readonly path: string;
  private readonly values: Map<string, string>;

  constructor(dataDir: string) {
    this.path = join(dataDir, 'project-secrets.json');
    const stored = existsSync(this.path) ? (JSON.parse(readFileSync(this.path, 'utf8')) as Record<string, string>) : {};
    this.values = new Map(Object.entries(stored));
  }

  /** A JSON array as the key: no organization, project or name can make two references collide. */
  private key(ref: SecretRef) {
    return JSON.stringify([ref.orgId, ref.projectId, ref.name]);
  }

  async put(ref: SecretRef, value: string) {
    this.values.set(this.key(ref), value);
    this.save();
  }

  async get(ref: SecretRef) {
    return this.values.get(this.key(ref));
  }

  async delete(ref: SecretRef) {
    if (this.values.delete(this.key(ref))) this.save();
  }

  private save() {
    const temporary = `${this.path}.tmp`;
    writeFileSync(temporary, JSON.stringify(Object.fromEntries(this.values)), { mode: 0o600 });
    // The mode only applies when the file is created: a leftover temporary file keeps whatever it had.
    chmodSync(temporary, 0o600);
    renameSync(temporary, this.path);
  }
}
