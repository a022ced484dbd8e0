import type { Scope, TestcaseRepository } from '../ports.js';

export interface TestsetMembersOptions {
  /** How long a testset's list of ids is trusted (a testcase deleted meanwhile is still accepted until then). */
  ttlMs?: number;
  /** Testsets with more testcases than this are not listed: each id is looked up instead. */
  maxTestsetSize?: number;
  /** Ids kept across all testsets; the least recently used testsets are dropped past it. */
  maxIds?: number;
  now?: () => number;
}

interface Entry {
  key: string;
  ids: Promise<Set<string> | null>;
  until: number;
  size: number;
}

/**
 * Which testcases belong to which testset, kept per API process, so checking a posted record's testcaseId
 * costs no read: the SDK posts hundreds of records at once, and every one names a testcase of the run's
 * testset. The first check of a testset lists its ids (one Query per 1,000, shared by concurrent checks);
 * an id not in the list (a testcase added since, or no testcase of this testset at all) is decided by one
 * read of that testcase. Bounded in time (ttlMs) and in memory (maxIds, about 100 bytes each).
 */
export class TestsetMembers {
  private readonly entries = new Map<string, Entry>();
  private cachedIds = 0;
  private readonly ttlMs: number;
  private readonly maxTestsetSize: number;
  private readonly maxIds: number;
  private readonly now: () => number;

  constructor(
    private readonly testcases: Pick<TestcaseRepository, 'listIds' | 'get'>,
    options: TestsetMembersOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 60_000;
    this.maxTestsetSize = options.maxTestsetSize ?? 50_000;
    this.maxIds = options.maxIds ?? 200_000;
    this.now = options.now ?? Date.now;
  }

  /** Whether `testcaseId` is a testcase of `testsetId` in the caller's organization. */
  async has(scope: Scope, testsetId: string, testcaseId: string, testsetSize: number | null): Promise<boolean> {
    const entry = this.entryOf(scope, testsetId, testsetSize);
    const ids = entry ? await entry.ids : null;
    if (ids?.has(testcaseId)) return true;
    const testcase = await this.testcases.get(scope, testcaseId);
    if (testcase?.testsetId !== testsetId) return false;
    if (entry && ids && this.entries.get(entry.key) === entry && this.cachedIds < this.maxIds) {
      ids.add(testcaseId);
      entry.size++;
      this.cachedIds++;
    }
    return true;
  }

  private entryOf(scope: Scope, testsetId: string, testsetSize: number | null): Entry | null {
    const key = `${scope.orgId}/${testsetId}`;
    const cached = this.entries.get(key);
    if (cached && cached.until > this.now()) {
      // Most recently used last, so eviction takes the testsets no run is posting to.
      this.entries.delete(key);
      this.entries.set(key, cached);
      return cached;
    }
    if (cached) this.forget(cached);
    if (testsetSize !== null && testsetSize > this.maxTestsetSize) return null;
    const entry: Entry = { key, ids: Promise.resolve(null), until: this.now() + this.ttlMs, size: 0 };
    entry.ids = this.testcases.listIds(scope, testsetId).then(
      (list) => {
        // Too large to keep: the entry stays, empty, so the testset is not listed again until it expires.
        if (list.length > this.maxTestsetSize || this.entries.get(key) !== entry) return null;
        const ids = new Set(list);
        entry.size = ids.size;
        this.cachedIds += ids.size;
        this.evict(entry);
        return ids;
      },
      (error: unknown) => {
        this.forget(entry);
        throw error;
      },
    );
    this.entries.set(key, entry);
    return entry;
  }

  private forget(entry: Entry) {
    if (this.entries.get(entry.key) === entry) this.entries.delete(entry.key);
    this.cachedIds -= entry.size;
    entry.size = 0;
  }

  /** Drops the least recently used testsets (never `keep`) until the ids fit. */
  private evict(keep: Entry) {
    for (const entry of [...this.entries.values()]) {
      if (this.cachedIds <= this.maxIds) return;
      if (entry !== keep) this.forget(entry);
    }
  }
}
