/**
 * Every rule's docs show code that fires (`## Example`) and code that does not
 * (`## Use instead`). This test runs each block against the rule, in a small project of the
 * shape the rule judges, so the pages cannot promise what the rule does not do.
 *
 * A block under `## Example` that shows what is not reported carries
 * `<!-- example: silent -->` on the line before it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analyzeProject } from '../server/src/engine/analyze';
import { ALL_RULES } from '../server/src/engine/rules/registry';
import type { RuleScope } from '../server/src/engine/types';
import { memoryProject } from './engine/memory-project';

interface DocBlock {
  section: 'Example' | 'Use instead';
  index: number;
  code: string;
  fires: boolean;
}

const SILENT = '<!-- example: silent -->';

/** The fenced blocks of one `## <heading>` section, and whether each must fire. */
function sectionBlocks(docs: string, heading: DocBlock['section']): DocBlock[] {
  const section = docs.split(/^## /m).find((part) => part.startsWith(`${heading}\n`)) ?? '';
  const lines = section.split('\n');
  const blocks: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].startsWith('```')) continue;
    const end = lines.findIndex((line, j) => j > i && line.startsWith('```'));
    assert.ok(end > i, `an unclosed code block in ${heading}`);
    const silent = lines[i - 1]?.trim() === SILENT;
    blocks.push({ section: heading, index: blocks.length + 1, code: lines.slice(i + 1, end).join('\n') + '\n', fires: heading === 'Example' && !silent });
    i = end;
  }
  return blocks;
}

const MANAGE = 'import os\nimport sys\n\nif __name__ == "__main__":\n    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings.production")\n';
const PRODUCTION = 'mysite/settings/production.py';

/** A project whose production settings, views module or app template holds the block. */
function projectFiles(scope: RuleScope, code: string): Record<string, string> {
  const files: Record<string, string> = {
    'manage.py': MANAGE,
    'mysite/__init__.py': '',
    'mysite/settings/__init__.py': '',
    [PRODUCTION]: 'INSTALLED_APPS = ["shop"]\n',
    'shop/__init__.py': '',
    'shop/apps.py': 'from django.apps import AppConfig\n\n\nclass ShopConfig(AppConfig):\n    name = "shop"\n',
  };
  if (scope === 'settings') files[PRODUCTION] = code;
  else if (scope === 'python') files['shop/views.py'] = code;
  else files['shop/templates/shop/example.html'] = code;
  return files;
}

describe('rule docs examples do what the docs say', () => {
  for (const rule of ALL_RULES) {
    const { code, scope } = rule.meta;
    const blocks = [...sectionBlocks(rule.docs, 'Example'), ...sectionBlocks(rule.docs, 'Use instead')];

    test(`${code} has an example that fires`, () => {
      assert.ok(
        blocks.some((block) => block.fires),
        `${code}: no runnable block under ## Example`,
      );
    });

    for (const block of blocks) {
      test(`${code} ${block.section} block ${block.index} ${block.fires ? 'fires' : 'does not fire'}`, async () => {
        const project = await memoryProject(projectFiles(scope, block.code));
        const found = analyzeProject(project, project.files, { config: project.config }).findings.filter((f) => f.code === code);
        if (block.fires) assert.ok(found.length > 0, `${code}: this ${block.section} block produces no ${code} finding:\n${block.code}`);
        else
          assert.deepEqual(
            found.map((f) => `${f.range.start.line + 1}: ${f.message}`),
            [],
            `${code}: this ${block.section} block must not produce ${code}:\n${block.code}`,
          );
      });
    }
  }
});
