import type { PageRequest } from '../../core/pagination.js';
import type { Scope, TestcaseRepository, TestsetPatch, TestsetRepository } from '../../core/ports.js';
import type { Testcase, Testset } from '../../core/schemas/testset.js';
import { keys } from './keys.js';
import { getOwned, listChildren } from './projects.js';
import { entityOf, isConditionFailure, setClauses, type Table, updateExpression } from './table.js';

type StoredTestset = Testset & { projectId: string };

export class DynamoTestsetRepository implements TestsetRepository {
  constructor(private readonly table: Table) {
    table.storeAsJson('testset', ['jsonSchema']);
  }

  async create(scope: Scope, projectId: string, testset: Testset) {
    await this.table.put({
      ...keys.testset(testset.id),
      gsi1pk: keys.testsetsOf(projectId),
      gsi1sk: testset.id,
      type: 'testset',
      orgId: scope.orgId,
      ...testset,
      projectId,
    });
    return testset;
  }

  async get(scope: Scope, id: string) {
    const item = await getOwned(this.table, scope, keys.testset(id));
    return item ? entityOf<StoredTestset>(item) : null;
  }

  list(scope: Scope, projectId: string, page: PageRequest) {
    return listChildren<StoredTestset>(this.table, scope, keys.testsetsOf(projectId), page);
  }

  async update(scope: Scope, id: string, patch: TestsetPatch) {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':org': scope.orgId };
    const sets = setClauses(this.table.encodePatch('testset', patch), names, values);
    if (sets.length === 0) return this.get(scope, id);
    try {
      const item = await this.table.update({
        ...keys.testset(id),
        expression: updateExpression(sets),
        condition: 'orgId = :org',
        names,
        values,
        returnNew: true,
      });
      return item ? entityOf<StoredTestset>(item) : null;
    } catch (error) {
      if (isConditionFailure(error)) return null;
      throw error;
    }
  }

  async delete(scope: Scope, id: string) {
    try {
      await this.table.delete(keys.testset(id).pk, '#', {
        expression: 'orgId = :org',
        values: { ':org': scope.orgId },
      });
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}

/** The testcase's JSON documents: stored as text, and moved to S3 when the item would be too large. */
const TESTCASE_DOCUMENTS = ['jsonData', 'inputs', 'expected'];

export class DynamoTestcaseRepository implements TestcaseRepository {
  constructor(private readonly table: Table) {
    table.storeAsJson('testcase', TESTCASE_DOCUMENTS);
  }

  private toItem(scope: Scope, tc: Testcase) {
    return {
      ...keys.testcase(tc.id),
      gsi1pk: keys.testcasesOf(tc.testsetId),
      gsi1sk: tc.id,
      type: 'testcase',
      orgId: scope.orgId,
      ...tc,
    };
  }

  async createMany(scope: Scope, testcases: Testcase[]) {
    if (testcases.length === 0) return;
    await this.table.batchPut(
      testcases.map((tc) => this.toItem(scope, tc)),
      TESTCASE_DOCUMENTS,
    );
    const testsetId = testcases[0]!.testsetId;
    await bumpTestcaseCount(this.table, testsetId, testcases.length);
  }

  async get(scope: Scope, id: string) {
    const item = await getOwned(this.table, scope, keys.testcase(id));
    return item ? entityOf<Testcase>(item) : null;
  }

  async getMany(scope: Scope, ids: string[]) {
    const items = await this.table.batchGet(ids.map((id) => keys.testcase(id)));
    return items.filter((i) => i.orgId === scope.orgId).map((i) => entityOf<Testcase>(i));
  }

  async listIds(scope: Scope, testsetId: string): Promise<string[]> {
    const items = await this.table.queryAll({
      index: 'gsi1',
      partition: keys.testcasesOf(testsetId),
      attributes: ['id', 'orgId'],
    });
    return items.filter((i) => i.orgId === scope.orgId).map((i) => String(i.id));
  }

  list(scope: Scope, testsetId: string, page: PageRequest) {
    return listChildren<Testcase>(this.table, scope, keys.testcasesOf(testsetId), page);
  }

  async replace(scope: Scope, testcase: Testcase) {
    await this.table.put(this.toItem(scope, testcase), {
      condition: 'orgId = :org',
      values: { ':org': scope.orgId },
      largeFields: TESTCASE_DOCUMENTS,
    });
  }

  async deleteMany(scope: Scope, ids: string[]) {
    let deleted = 0;
    for (const id of ids) {
      try {
        const old = await this.table.delete(keys.testcase(id).pk, '#', {
          expression: 'orgId = :org',
          values: { ':org': scope.orgId },
        });
        if (old) {
          deleted++;
          await bumpTestcaseCount(this.table, String(old.testsetId), -1);
        }
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
    return deleted;
  }
}

/** Atomic count of a testset's testcases; a deleted testset is not brought back by the update. */
async function bumpTestcaseCount(table: Table, testsetId: string, delta: number) {
  try {
    await table.update({
      ...keys.testset(testsetId),
      expression: 'ADD numTestcases :n',
      condition: 'attribute_exists(pk)',
      values: { ':n': delta },
    });
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}
