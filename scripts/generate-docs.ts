/**
 * `npm run docs`: writes docs/rules/<code>.md for every registered rule, refreshes the README
 * rule table and removes pages of rules that no longer exist. Runs from the bundle the build
 * makes of this file, wherever the build put it.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ALL_RULES } from '../server/src/engine/rules/registry';
import { expectedDocs, RULES_DIR } from './rule-docs';

function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

const root = repoRoot();
const { files, stale } = expectedDocs(root, ALL_RULES);
mkdirSync(path.join(root, RULES_DIR), { recursive: true });
const changed: string[] = [];
for (const [rel, content] of files) {
  const file = path.join(root, rel);
  if (existsSync(file) && readFileSync(file, 'utf8') === content) continue;
  writeFileSync(file, content);
  changed.push(rel);
}
for (const rel of stale) rmSync(path.join(root, rel));
const summary = [`${ALL_RULES.length} rules`, changed.length > 0 ? `updated ${changed.join(', ')}` : 'nothing to update'];
if (stale.length > 0) summary.push(`removed ${stale.join(', ')}`);
console.log(`docs: ${summary.join('; ')}`);
