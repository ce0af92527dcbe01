/**
 * What problem lists show of a finding: its first sentence, cut at about 100 characters
 * (VS Code's Problems panel, GitHub's annotations, SARIF's message.text as code scanning
 * lists it). Every finding every rule's fixtures produce must say what is wrong in that
 * first sentence, and say more after it.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { firstSentence } from '../server/src/cli/formatters/sarif';
import { ALL_RULES } from '../server/src/engine/rules/registry';
import { FIXTURES } from './support/fixtures';
import { projectFindings } from './support/project';

const FIRST_SENTENCE_LIMIT = 100;

describe('finding messages of every rule', () => {
  for (const rule of ALL_RULES) {
    const { code } = rule.meta;
    test(`${code}: the first sentence stands alone within ${FIRST_SENTENCE_LIMIT} characters, and more follows`, async () => {
      const dir = path.join(FIXTURES, 'rules', code);
      assert.ok(existsSync(dir), `${code} has fixtures`);
      let checked = 0;
      for (const name of readdirSync(dir)) {
        for (const finding of await projectFindings(path.join(dir, name))) {
          if (finding.code !== code) continue;
          const first = firstSentence(finding.message);
          assert.ok(first.length <= FIRST_SENTENCE_LIMIT, `${name}: ${first.length} characters: ${first}`);
          assert.ok(first.length < finding.message.length, `${name}: the message is one sentence: ${finding.message}`);
          checked++;
        }
      }
      assert.ok(checked > 0, `${code}: its fixtures produce findings`);
    });
  }
});
