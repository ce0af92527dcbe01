import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Compares with a stored snapshot; `UPDATE_SNAPSHOTS=1` rewrites it instead. A missing
 * snapshot fails: writing it silently would make the first run of a test pass unchecked.
 */
export function matchSnapshot(file: string, actual: string, what = 'snapshot'): void {
  if (process.env.UPDATE_SNAPSHOTS === '1') {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  if (!existsSync(file)) assert.fail(`missing ${what} ${file} (run the tests once with UPDATE_SNAPSHOTS=1 and commit it)`);
  assert.equal(actual, readFileSync(file, 'utf8'), `${what} ${file} differs (UPDATE_SNAPSHOTS=1 to accept)`);
}
