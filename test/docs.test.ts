/**
 * The rule docs are generated from the rules; this test fails when the committed pages or
 * the README table drift from what `npm run docs` would write.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ALL_RULES } from '../server/src/engine/rules/registry';
import type { RuleMeta } from '../server/src/engine/types';
import { codePrefixOf, DOC_HEADINGS, expectedDocs, renderRulePage, renderRuleTable, spliceRuleTable, type DocumentedRule } from '../scripts/rule-docs';
import { REPO_ROOT } from './support/fixtures';

const RUN = 'run `npm run docs`';

describe('generated docs are up to date', () => {
  const { files, stale } = expectedDocs(REPO_ROOT, ALL_RULES);

  for (const [rel, content] of files) {
    test(rel, () => {
      const file = path.join(REPO_ROOT, rel);
      assert.ok(existsSync(file), `${rel} is missing: ${RUN}`);
      assert.equal(readFileSync(file, 'utf8'), content, `${rel} differs from the generated text: ${RUN}`);
    });
  }

  test('no page documents a rule that is not registered', () => {
    assert.deepEqual(stale, [], `pages without a registered rule: ${stale.join(', ')}; ${RUN}`);
  });
});

describe('rule docs follow the house layout', () => {
  for (const rule of ALL_RULES) {
    const { code } = rule.meta;

    test(`${code} has the fixed headings, in order`, () => {
      const headings = [...rule.docs.matchAll(/^(#{1,6}) (.+)$/gm)].filter((m) => m[1] === '##').map((m) => m[2].trim());
      assert.deepEqual(headings, DOC_HEADINGS);
      assert.doesNotMatch(rule.docs, /^# /m, `${code} docs must not have their own title; the page adds it`);
    });

    test(`${code} sits in the section its code names`, () => {
      assert.ok(code.startsWith(codePrefixOf(rule.meta.scope)), `${code} has scope ${rule.meta.scope}, whose codes start with ${codePrefixOf(rule.meta.scope)}`);
    });
  }
});

function fakeRule(overrides: Partial<RuleMeta>, docs = '## What it does\nSomething.\n'): DocumentedRule {
  return {
    meta: {
      code: 'DJH150',
      name: 'fake-setting',
      severity: 'warning',
      scope: 'settings',
      summary: 'A fake summary.',
      fix: 'safe',
      djangoChecks: [],
      ...overrides,
    },
    docs,
  };
}

describe('rendering', () => {
  test('a page has the title, one metadata line and the rule text', () => {
    const page = renderRulePage(fakeRule({ djangoChecks: ['security.W004', 'security.W005'], fix: 'unsafe' }, '\n## What it does\nSomething.\n\n'));
    assert.equal(
      page,
      '# DJH150 fake-setting\n\n' +
        '**Severity:** warning · **Scope:** settings · **Fix:** unsafe · **Django check:** `security.W004`, `security.W005`\n\n' +
        '## What it does\nSomething.\n\n' +
        '<!-- Generated from the rule by `npm run docs`; edit the rule, not this page. -->\n',
    );
  });

  test('a page without a fix or a Django check says so', () => {
    const page = renderRulePage(fakeRule({ fix: 'none' }));
    assert.match(page, /^\*\*Severity:\*\* warning · \*\*Scope:\*\* settings · \*\*Fix:\*\* none · \*\*Django check:\*\* none$/m);
  });

  test('the table groups by scope in code order, escapes pipes and marks missing values with a dash', () => {
    const rules = [
      fakeRule({ code: 'DJH301', name: 'tpl', scope: 'template', severity: 'error', fix: 'none', summary: 'Uses {{ x|safe }}.' }),
      fakeRule({ code: 'DJH102', name: 'second', djangoChecks: ['security.W009'] }),
      fakeRule({ code: 'DJH101', name: 'first', fix: 'unsafe', summary: 'Spans\n  two lines.' }),
    ];
    assert.equal(
      renderRuleTable(rules, 1),
      [
        '## Settings (DJH1xx)',
        '',
        '| Code | Name | Severity | Fix | Django check | Summary |',
        '| --- | --- | --- | --- | --- | --- |',
        '| [DJH101](docs/rules/DJH101.md) | `first` | warning | unsafe | — | Spans two lines. |',
        '| [DJH102](docs/rules/DJH102.md) | `second` | warning | safe | `security.W009` | A fake summary. |',
        '',
        '## Templates (DJH3xx)',
        '',
        '| Code | Name | Severity | Fix | Django check | Summary |',
        '| --- | --- | --- | --- | --- | --- |',
        '| [DJH301](docs/rules/DJH301.md) | `tpl` | error | — | — | Uses {{ x\\|safe }}. |',
      ].join('\n'),
    );
  });

  test('splicing touches only the text between the markers and nests under the heading above', () => {
    const readme = '# Title\n\n```sh\n# not a heading\n```\n\n## Rules\n\nIntro.\n\n<!-- rules:start -->\nold table\n<!-- rules:end -->\n\nAfter.\n';
    const spliced = spliceRuleTable(readme, [fakeRule({})]);
    assert.equal(
      spliced,
      '# Title\n\n```sh\n# not a heading\n```\n\n## Rules\n\nIntro.\n\n<!-- rules:start -->\n\n' +
        '### Settings (DJH1xx)\n\n| Code | Name | Severity | Fix | Django check | Summary |\n| --- | --- | --- | --- | --- | --- |\n' +
        '| [DJH150](docs/rules/DJH150.md) | `fake-setting` | warning | safe | — | A fake summary. |\n\n' +
        '<!-- rules:end -->\n\nAfter.\n',
    );
    assert.equal(spliceRuleTable(spliced, [fakeRule({})]), spliced, 'splicing twice changes nothing');
    assert.equal(spliceRuleTable(readme, []), readme.replace('old table\n', ''));
  });

  test('a README without the markers is an error, not a silent no-op', () => {
    assert.throws(() => spliceRuleTable('# Title\n', []), /must contain <!-- rules:start -->/);
  });
});
