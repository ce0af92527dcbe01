/**
 * Proof that the DJH201 fixes are right, not only pretty. Fixture functions marked
 *
 *     # sql-exec: {"function": "search", "benign": ["Dune"], "attack": ["x' OR '1'='1"], "expect": "fixed"}
 *
 * are run with Debian's Django on an in-memory SQLite database, in the original module and
 * in the module as the DJH201 fixes leave it:
 * - `fixed`: the benign input gives the same rows before and after, and some rows; the
 *   attack input leaks rows in the original and returns only `safeRows` (default none) after.
 * - `unfixed`: a finding without a fix; the attack leaks rows, before and after (nothing changed).
 * - `safe`: a near miss; the attack returns only `safeRows`, the benign input some rows.
 * Every function that gets a fix must be proven by a `fixed` call of it (or of a function
 * that lists it in `covers`, for a method reached through a module-level function).
 * Needs /usr/bin/python3 with Django: without it the tests skip, or fail when CI is set.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { applyFixes } from '../server/src/engine/fixes/apply';
import { parsePython, type Node } from '../server/src/engine/parse/python';
import type { Finding } from '../server/src/engine/types';
import { findDjango, mapLimit, type DjangoInstall } from './support/django';
import { FIXTURES, listFiles } from './support/fixtures';
import { projectFindings } from './support/project';
import { runQueryFunctions, writeShopApp, type CallOutcome, type ExecCall, type VariantResult } from './support/sqlite-harness';

const CASES_DIR = path.join(FIXTURES, 'rules', 'DJH201');
const CODE = 'DJH201';

interface ExecSpec extends ExecCall {
  expect: 'fixed' | 'unfixed' | 'safe';
  safeRows?: unknown[];
  /** Functions (methods) whose fixes this call also exercises. */
  covers?: string[];
}

interface FileRun {
  rel: string;
  changed: boolean;
  /** Names of the functions holding a finding with a fix, in the original text. */
  fixedFunctions: string[];
  specs: ExecSpec[];
  results: Record<string, VariantResult>;
}

/** `# sql-exec: {...}` lines of a fixture file. */
function specsOf(text: string, rel: string): ExecSpec[] {
  const specs: ExecSpec[] = [];
  for (const match of text.matchAll(/#\s*sql-exec:\s*(\{.*\})\s*$/gm)) {
    const spec = JSON.parse(match[1]) as ExecSpec;
    assert.ok(['fixed', 'unfixed', 'safe'].includes(spec.expect), `${rel}: sql-exec "${match[1]}" needs expect: fixed, unfixed or safe`);
    specs.push(spec);
  }
  return specs;
}

/**
 * The case's files after applying DJH201's fixes in rounds, as the fixture runner does, and
 * the findings with a fix in the original texts.
 */
async function fixedTexts(caseDir: string, originals: Map<string, string>): Promise<{ texts: Map<string, string>; fixed: Finding[] }> {
  const current = new Map(originals);
  let first: Finding[] | undefined;
  for (let round = 0; round < 4; round++) {
    const fixable = (await projectFindings(caseDir, {}, current)).filter((f) => f.code === CODE && f.fixes.length > 0);
    first ??= fixable;
    if (fixable.length === 0) break;
    const result = applyFixes(
      fixable.map((f) => f.fixes[0]),
      (file) => current.get(file),
    );
    for (const [file, text] of result.texts) current.set(file, text);
  }
  return { texts: current, fixed: first ?? [] };
}

/** The name of the innermost function around a position of a Python text. */
function enclosingFunction(text: string, at: { line: number; character: number }): string | undefined {
  const tree = parsePython(text);
  try {
    let node: Node | null = tree.rootNode.descendantForPosition({ row: at.line, column: at.character });
    for (; node; node = node.parent) if (node.type === 'function_definition') return node.childForFieldName('name')?.text;
    return undefined;
  } finally {
    tree.delete();
  }
}

function rowsOf(outcome: CallOutcome, what: string): unknown[] {
  assert.ok('rows' in outcome, `${what} raised ${'error' in outcome ? outcome.error : '?'}`);
  assert.ok(Array.isArray(outcome.rows), `${what} did not return rows: ${JSON.stringify(outcome.rows)}`);
  return outcome.rows as unknown[];
}

function callsOf(result: VariantResult, what: string): Record<string, { benign: CallOutcome; attack: CallOutcome }> {
  assert.ok('calls' in result, `${what} did not load: ${'load_error' in result ? result.load_error : ''}`);
  return result.calls;
}

const cases = readdirSync(CASES_DIR)
  .filter((c) => !c.startsWith('.'))
  .sort();
let django: DjangoInstall | undefined;
let missing: string | undefined;
let tmp: string | undefined;
const runs = new Map<string, FileRun[]>();

describe('DJH201 fixes, executed on SQLite', () => {
  before(async () => {
    const found = await findDjango();
    if ('missing' in found) {
      missing = found.missing;
      if (process.env.CI) throw new Error(`the SQL execution test needs Django: ${missing}`);
      return;
    }
    django = found;
    tmp = mkdtempSync(path.join(os.tmpdir(), 'djh-sql-'));
    writeShopApp(tmp);
    const jobs: { caseName: string; rel: string; changed: boolean; fixedFunctions: string[]; specs: ExecSpec[]; variants: Record<string, string> }[] = [];
    for (const caseName of cases) {
      const caseDir = path.join(CASES_DIR, caseName);
      const originals = new Map<string, string>();
      for (const rel of listFiles(caseDir)) {
        if (rel.endsWith('.py') && !rel.includes('.fixed.')) originals.set(path.join(caseDir, rel), readFileSync(path.join(caseDir, rel), 'utf8'));
      }
      const { texts: fixed, fixed: findings } = await fixedTexts(caseDir, originals);
      runs.set(caseName, []);
      for (const [file, text] of originals) {
        const rel = path.relative(caseDir, file);
        const specs = specsOf(text, `${caseName}/${rel}`);
        const changed = fixed.get(file) !== text;
        const fixedFunctions = [...new Set(findings.filter((f) => f.file === file).map((f) => enclosingFunction(text, f.range.start) ?? '<module>'))];
        if (specs.length === 0) {
          runs.get(caseName)!.push({ rel, changed, fixedFunctions, specs, results: {} });
          continue;
        }
        const dir = path.join(tmp, caseName, rel.replace(/[/.]/g, '_'));
        mkdirSync(dir, { recursive: true });
        writeFileSync(path.join(dir, 'original.py'), text);
        writeFileSync(path.join(dir, 'fixed.py'), fixed.get(file)!);
        jobs.push({ caseName, rel, changed, fixedFunctions, specs, variants: { original: path.join(dir, 'original.py'), fixed: path.join(dir, 'fixed.py') } });
      }
    }
    const results = await mapLimit(jobs, Math.max(1, os.availableParallelism?.() ?? os.cpus().length), (job) => runQueryFunctions(django!, tmp!, job.variants, job.specs));
    jobs.forEach((job, index) => runs.get(job.caseName)!.push({ rel: job.rel, changed: job.changed, fixedFunctions: job.fixedFunctions, specs: job.specs, results: results[index] }));
  });

  after(() => {
    if (tmp && !process.env.KEEP_SQL_TMP) rmSync(tmp, { recursive: true, force: true });
  });

  for (const caseName of cases) {
    test(caseName, (t) => {
      if (!django) return t.skip(`Django is not available: ${missing}`);
      const fileRuns = runs.get(caseName) ?? [];
      for (const run of fileRuns) {
        for (const name of run.fixedFunctions) {
          const proven = run.specs.some((s) => s.expect === 'fixed' && (s.function === name || s.covers?.includes(name)));
          assert.ok(proven, `${run.rel}: ${name}() gets a fix but no "# sql-exec" call with expect "fixed" proves it`);
        }
        if (run.specs.length === 0) continue;
        const original = callsOf(run.results.original, `${run.rel} (original)`);
        const fixed = callsOf(run.results.fixed, `${run.rel} (fixed)`);
        for (const spec of run.specs) {
          const where = `${run.rel} ${spec.function}()`;
          const before = original[spec.function];
          const after = fixed[spec.function];
          const safe = spec.safeRows ?? [];
          const benign = rowsOf(before.benign, `${where} with the benign input`);
          assert.ok(benign.length > 0, `${where}: the benign input finds no rows, so it proves nothing`);
          assert.deepEqual(rowsOf(after.benign, `fixed ${where} with the benign input`), benign, `${where}: the fixed query returns other rows for the benign input`);
          if (spec.expect === 'safe') {
            assert.deepEqual(rowsOf(before.attack, `${where} with the attack input`), safe, `${where}: the near miss leaks rows to the attack input`);
            continue;
          }
          const leaked = rowsOf(before.attack, `${where} with the attack input`);
          assert.ok(leaked.length > safe.length, `${where}: the attack input does not leak rows from the original (${JSON.stringify(leaked)}), so it proves nothing`);
          if (spec.expect === 'fixed') {
            assert.ok(run.changed, `${where} is expected to be fixed, but the fixes leave ${run.rel} unchanged`);
            assert.deepEqual(rowsOf(after.attack, `fixed ${where} with the attack input`), safe, `${where}: the fixed query still leaks rows to the attack input`);
          } else {
            assert.deepEqual(rowsOf(after.attack, `${where} after the other fixes`), leaked, `${where}: expected no fix, yet its behaviour changed`);
          }
        }
      }
    });
  }
});
