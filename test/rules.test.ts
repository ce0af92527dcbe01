/**
 * The fixture runner. Each folder test/fixtures/rules/<CODE>/<case>/ is a small project.
 * Lines marked `# expect: CODE` must fire and no other line may; `findings.snap` holds the
 * exact ranges, messages, related locations and fix titles; `<file>.fixed.<ext>` holds the
 * text after applying every fix of CODE, which must re-parse without new ERROR nodes, make
 * the fixed findings disappear, and change nothing when applied again.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { applyFixes } from '../server/src/engine/fixes/apply';
import { countErrorNodes, parsePython } from '../server/src/engine/parse/python';
import { ALL_RULES } from '../server/src/engine/rules/registry';
import type { Finding } from '../server/src/engine/types';
import { expectations, expectedLines, FIXTURES, listFiles } from './support/fixtures';
import { formatFinding, projectFindings } from './support/project';
import { matchSnapshot } from './support/snapshot';
import { assertLexesAlike, isTemplatePath } from './support/template-lexing';

const RULE_FIXTURES = path.join(FIXTURES, 'rules');
const SEVERITY_RANK = { info: 0, warning: 1, error: 2 } as const;

function fixedName(rel: string): string {
  const ext = path.extname(rel);
  return rel.slice(0, -ext.length) + '.fixed' + ext;
}

async function findingsOf(caseDir: string, code: string, overrides?: Map<string, string>): Promise<Finding[]> {
  return (await projectFindings(caseDir, {}, overrides)).filter((f) => f.code === code);
}

for (const rule of ALL_RULES) {
  const code = rule.meta.code;
  const ruleDir = path.join(RULE_FIXTURES, code);
  const cases = existsSync(ruleDir)
    ? readdirSync(ruleDir)
        .filter((c) => !c.startsWith('.'))
        .sort()
    : [];

  describe(`${code} ${rule.meta.name}`, () => {
    for (const caseName of cases) {
      const caseDir = path.join(ruleDir, caseName);

      test(`${caseName}: fires exactly on the marked lines`, async () => {
        const findings = await findingsOf(caseDir, code);
        const fired = [...new Set(findings.map((f) => `${path.relative(caseDir, f.file).split(path.sep).join('/')}:${f.range.start.line + 1}`))].sort();
        assert.deepEqual(fired, expectedLines(caseDir, code));
        // A finding whose evidence sets a lower tier than the rule's default says so in the snapshot.
        const formatted = findings.map((f) => formatFinding(caseDir, f) + (f.severity === rule.meta.severity ? '' : `\n  severity: ${f.severity}`));
        matchSnapshot(path.join(caseDir, 'findings.snap'), formatted.join('\n') + '\n', 'findings');
        const severities = expectations(caseDir, code);
        for (const f of findings) {
          const at = `${path.relative(caseDir, f.file).split(path.sep).join('/')}:${f.range.start.line + 1}`;
          assert.ok(SEVERITY_RANK[f.severity] <= SEVERITY_RANK[rule.meta.severity], `${code} reported a ${f.severity}, above its default ${rule.meta.severity}`);
          // A marker that names a tier (`# expect: DJH201:warning`) pins it.
          const pinned = severities.get(at);
          if (pinned) assert.equal(f.severity, pinned, `severity of ${code} at ${at}`);
          // A trace runs from the source to the sink, in the reported file.
          if (f.flow) {
            assert.ok(f.flow.length >= 2, `${code} at ${at} has a flow of one step`);
            assert.deepEqual(f.related, f.flow, `${code} at ${at} shows its flow as related information`);
          }
          if (rule.meta.fix === 'none') assert.equal(f.fixes.length, 0, `${code} declares no fix but offered one`);
          for (const fix of f.fixes) {
            assert.equal(fix.safety, rule.meta.fix, `fix "${fix.title}" is labelled ${fix.safety}, the rule says ${rule.meta.fix}`);
            assert.ok(fix.edits.length > 0, `fix "${fix.title}" has no edits`);
          }
        }
      });

      test(`${caseName}: fixes round-trip`, async () => {
        const original = new Map<string, string>();
        for (const rel of listFiles(caseDir)) {
          if (!rel.includes('.fixed.') && !rel.endsWith('.snap')) original.set(path.join(caseDir, rel), readFileSync(path.join(caseDir, rel), 'utf8'));
        }
        const current = new Map(original);
        let rounds = 0;
        for (;;) {
          const fixable = (await findingsOf(caseDir, code, current)).filter((f) => f.fixes.length > 0);
          if (fixable.length === 0) break;
          rounds++;
          assert.ok(rounds <= 3, 'fixes keep producing new fixable findings (not idempotent)');
          const result = applyFixes(
            fixable.map((f) => f.fixes[0]),
            (file) => current.get(file),
          );
          assert.ok(result.texts.size > 0, 'fixes were offered but changed nothing');
          for (const [file, text] of result.texts) current.set(file, text);
        }
        for (const [file, text] of original) {
          const golden = fixedName(file);
          const after = current.get(file)!;
          if (after === text) {
            assert.ok(!existsSync(golden), `${path.relative(caseDir, golden)} exists but the fixes leave ${path.relative(caseDir, file)} unchanged`);
            continue;
          }
          matchSnapshot(golden, after, 'fixed text');
          if (file.endsWith('.py')) {
            const before = parsePython(text);
            const fixed = parsePython(after);
            assert.ok(countErrorNodes(fixed) <= countErrorNodes(before), `fixing ${path.relative(caseDir, file)} added syntax errors`);
            before.delete();
            fixed.delete();
          } else if (isTemplatePath(file)) {
            assertLexesAlike(text, after, path.relative(caseDir, file));
          }
        }
        if (rounds > 0) {
          const remaining = await findingsOf(caseDir, code, current);
          assert.ok(
            remaining.every((f) => f.fixes.length === 0),
            'a fixed finding is still reported with a fix',
          );
          const again = applyFixes(
            remaining.flatMap((f) => f.fixes.slice(0, 1)),
            (file) => current.get(file),
          );
          assert.equal(again.texts.size, 0, 'applying the fixes a second time changed the text');
        }
      });
    }
  });
}

describe('rule registry', () => {
  test('text triggers are stateless (no global regular expressions)', () => {
    for (const rule of ALL_RULES) {
      for (const trigger of 'triggers' in rule ? rule.triggers : []) {
        assert.ok(typeof trigger === 'string' || (!trigger.global && !trigger.sticky), `${rule.meta.code} trigger ${trigger} keeps state between files`);
      }
    }
  });

  test('Python rules’ text triggers match within one line (a module kept in blocks is tested block by block)', () => {
    // A construct that can match a line break: whitespace, any character, a negated class, a non-word class.
    const crossesLines = /\\[snrSWD]|(?<!\\)\.|\[\^/;
    for (const rule of ALL_RULES.filter((r) => r.meta.scope === 'python')) {
      for (const trigger of 'triggers' in rule ? rule.triggers : []) {
        if (typeof trigger === 'string') assert.ok(!/[\r\n]/.test(trigger), `${rule.meta.code} trigger ${JSON.stringify(trigger)} spans lines`);
        else assert.ok(!crossesLines.test(trigger.source), `${rule.meta.code} trigger ${trigger} may match across lines`);
      }
    }
  });

  test('codes are unique and sorted', () => {
    const codes = ALL_RULES.map((r) => r.meta.code);
    assert.deepEqual(codes, [...new Set(codes)].sort());
  });

  for (const rule of ALL_RULES) {
    const code = rule.meta.code;
    test(`${code} has fixtures that fire, near misses that must not, and docs`, () => {
      const ruleDir = path.join(RULE_FIXTURES, code);
      assert.ok(existsSync(ruleDir), `missing ${path.relative(process.cwd(), ruleDir)}`);
      const cases = readdirSync(ruleDir).map((c) => path.join(ruleDir, c));
      assert.ok(
        cases.some((c) => expectedLines(c, code).length > 0),
        `${code} has no case that must fire`,
      );
      const nearMiss = new RegExp(`#\\s*ok:\\s*[A-Z0-9,\\s]*\\b${code}\\b|\\{#\\s*ok:[^#]*\\b${code}\\b`);
      assert.ok(
        cases.some((c) => listFiles(c).some((rel) => nearMiss.test(readFileSync(path.join(c, rel), 'utf8')))),
        `${code} has no near miss marked "# ok: ${code}"`,
      );
      for (const heading of ['## What it does', '## Why is this bad', '## Example', '## Use instead', '## Fix safety', '## References']) {
        assert.ok(rule.docs.includes(heading), `${code} docs lack "${heading}"`);
      }
    });
  }
});
