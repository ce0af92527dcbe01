/**
 * What the editors' problem lists show of a settings finding: its first sentence, cut at
 * about 100 characters. Every settings finding the fixtures produce must say what is wrong
 * in that much, and a fix that writes into another file than the finding's must say where.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { FIRST_SENTENCE_LIMIT } from '../server/src/engine/rules/settings/support/setting-values';
import { FIXTURES } from './support/fixtures';
import { projectFindings } from './support/project';

/** Up to the first full stop that ends a sentence. */
function firstSentence(message: string): string {
  const end = message.search(/\.(\s|$)/);
  return end < 0 ? message : message.slice(0, end + 1);
}

describe('settings finding messages and fix titles', () => {
  const rulesDir = path.join(FIXTURES, 'rules');
  for (const code of readdirSync(rulesDir).filter((c) => c.startsWith('DJH1'))) {
    test(`${code}: the first sentence stands alone within ${FIRST_SENTENCE_LIMIT} characters; fixes say where they write`, async () => {
      for (const caseName of readdirSync(path.join(rulesDir, code))) {
        const caseDir = path.join(rulesDir, code, caseName);
        if (!existsSync(caseDir)) continue;
        for (const finding of (await projectFindings(caseDir)).filter((f) => f.code.startsWith('DJH1'))) {
          const first = firstSentence(finding.message);
          assert.ok(first.length <= FIRST_SENTENCE_LIMIT, `${caseName}: "${first}" is ${first.length} characters`);
          assert.match(first, /^[A-Za-z_`'"]/, `${caseName}: "${first}" starts a sentence`);
          for (const fix of finding.fixes) {
            const elsewhere = [...new Set(fix.edits.map((e) => e.file))].filter((file) => file !== finding.file);
            for (const file of elsewhere) assert.ok(fix.title.includes(` in ${path.basename(file)}`), `${caseName}: "${fix.title}" does not say it edits ${path.basename(file)}`);
            assert.ok(fix.title.endsWith('(changes runtime behaviour)'), `${caseName}: "${fix.title}" does not say it changes runtime behaviour`);
          }
        }
      }
    });
  }
});
