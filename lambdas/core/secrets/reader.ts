import type { ProjectSecretReader, SecretValueStore } from './ports.js';

/** Runs read values straight from the store: its keys hold the organization and project, so none reads another's. */
export const storeReader = (store: SecretValueStore): ProjectSecretReader => ({
  value: (scope, projectId, name) => store.get({ orgId: scope.orgId, projectId, name }),
});

/** For a deployment without project secrets: every name is unregistered. */
export const NO_SECRETS: ProjectSecretReader = { value: async () => undefined };

const MAX_ENTRIES = 1000;

/**
 * Keeps secret values for `ttlMs`, so a batch reads each secret once instead of once per record (in AWS every
 * read is a Secrets Manager call). A changed or deleted secret is seen within `ttlMs`, as a revoked API key is.
 * Misses are not kept: a secret registered just now is found at once.
 */
export function cachedSecretReader(
  reader: ProjectSecretReader,
  ttlMs = 30_000,
  now: () => number = Date.now,
): ProjectSecretReader {
  const entries = new Map<string, { at: number; value: Promise<string | undefined> }>();
  return {
    value(scope, projectId, name) {
      const key = JSON.stringify([scope.orgId, projectId, name]);
      const hit = entries.get(key);
      if (hit && now() - hit.at < ttlMs) return hit.value;
      const value = reader.value(scope, projectId, name);
      if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!);
      entries.set(key, { at: now(), value });
      value.then(
        (found) => {
          if (found === undefined && entries.get(key)?.value === value) entries.delete(key);
        },
        () => {
          if (entries.get(key)?.value === value) entries.delete(key);
        },
      );
      return value;
    },
  };
}
