import type { AnalysisLog } from './guarded';
import type { HardenerConfig } from './config';
import type { FileAnalyzer } from './file-analyzer';
import { holdsInSomeLine } from './parse/block-text-tests';
import { wholeTreeOf, type ModuleSyntax, type StatementBlock } from './parse/module-syntax';
import type { Node, Tree } from './parse/python';
import { IMPORT_STATEMENTS, importedNames } from './python/imports';
import { PythonRuleContext } from './rules/python-context';
import { enabledRules, runRules, triggeredInBlock, triggeredRules } from './rules/run-rules';
import type { Finding } from './types';
import { memoOf, memoServes, type DefinitionMemo, type MemoInput } from './python/definition-memo';
import type { Project } from './project/project';
import type { SourceFile } from './project/source-store';

/** Test code, migrations and settings modules are not judged by the code rules: here, by the file's name and folders. */
export function isOrdinaryPythonFile(relativeFile: string): boolean {
  if (!relativeFile.endsWith('.py')) return false;
  const parts = relativeFile.split('/');
  const base = parts[parts.length - 1];
  if (/^(test_.*|.*_tests?|tests?|conftest|.*_testing|testing)\.py$/.test(base)) return false;
  // Test scaffolding packages (`test_utils/project/urls.py`) belong to the tests too.
  return !parts.slice(0, -1).some((dir) => dir === 'tests' || dir === 'test' || dir === 'migrations' || dir === 'test_utils' || dir === 'testutils');
}

// Each matches within one line (see holdsInSomeLine).
/** A Django migration, wherever its folder is and whatever it is called: it defines `class Migration(...Migration)`. */
const MIGRATION = /^class Migration\((?:[\w.]*\.)?Migration\):/m;
/** A test module: it imports a test framework and defines tests. */
const TEST_FRAMEWORK = /^[ \t]*(?:import|from)[ \t]+(?:pytest|unittest|django\.test|rest_framework\.test)\b/m;
const TEST_DEFINITION = /^[ \t]*(?:(?:async[ \t]+)?def[ \t]+test_?\w*[ \t]*\(|class[ \t]+\w*Test\w*[ \t]*[(:])/m;

/**
 * Whether a module's content shows it is a migration or a test module, not code that runs
 * in production; `blocks` when the module is kept in blocks (each block's answer is kept).
 */
export function isMigrationOrTestModule(text: string, blocks?: readonly StatementBlock[]): boolean {
  const holds = (key: string, pattern: RegExp) => holdsInSomeLine(text, blocks, key, (part) => pattern.test(part));
  return holds('migration', MIGRATION) || (holds('test framework', TEST_FRAMEWORK) && holds('test definition', TEST_DEFINITION));
}

/** Runs the Python code rules (DJH2xx) on ordinary Python files. */
export const pythonAnalyzer: FileAnalyzer = {
  name: 'python',
  accepts(file, project) {
    return isOrdinaryPythonFile(project.relative(file)) && !project.settingsModule(file);
  },
  analyze(project, file, config, log) {
    // An open document being edited keeps its memo from one version to the next; a scan reads each file once.
    return pythonFindings(project, file, config, log, (source) => (source.edited ? memoOf(file) : undefined));
  },
};

/**
 * The code rules' findings in a module: through a memo of its definitions' findings when
 * `memo` gives one for the module (see definition-memo.ts: the language server keeps one
 * for each open document being edited, and each keystroke re-analyses the definitions it
 * changed), else by a whole analysis.
 */
export function pythonFindings(project: Project, file: string, config: HardenerConfig, log: AnalysisLog | undefined, memo: (source: SourceFile) => DefinitionMemo | undefined): Finding[] {
  const rules = enabledRules('python', config);
  if (rules.length === 0) return [];
  const source = project.store.get(file);
  if (!source) return [];
  const blocks = source.blocks?.();
  const interested = triggeredRules(rules, source.text, blocks);
  if (interested.length === 0 || isMigrationOrTestModule(source.text, blocks)) return [];

  const runs = interested.map((rule) => ({
    rule,
    code: rule.meta.code,
    nodeTypes: rule.nodeTypes,
    run: (syntax: ModuleSyntax, nodes: Map<string, Node[]>, imports: Map<string, string>, reading: Project) =>
      runRules([rule], file, log, () => rule.check(new PythonRuleContext(rule.meta, reading, file, source.text, syntax, imports, nodes))),
  }));
  const inputOf = (chosen: typeof runs) => ({ project, file, text: source.text, rules: chosen, nodeTypes: chosen.flatMap((run) => run.nodeTypes) });
  const memoised = memo(source);
  if (memoised) {
    // The rules that read the whole module (see memoServes) run beside the memo, over the
    // module's syntax: the tree, or the blocks of a module kept in blocks.
    const syntax = source.syntax();
    const served = runs.filter(memoServes);
    const whole = runs.filter((run) => !memoServes(run));
    const findings = served.length === 0 ? [] : memoised.analyze({ ...inputOf(served), root: syntax.rootNode, blocks: syntax.blocks, tree: wholeTreeOf(syntax) });
    if (findings && whole.length === 0) return findings;
    if (findings) {
      // In the rules' order, as a whole analysis gives them.
      const byRule = new Map<string, Finding[]>();
      // Over blocks, a whole-module rule reads the blocks its triggers match: what it reports
      // and what it weighs against are statements naming a secret word (see WHOLE_MODULE_RULES).
      const blocks = syntax.blocks;
      const reads = blocks && ((index: number) => whole.some((run) => triggeredInBlock(run.rule, source.text, blocks, index)));
      for (const finding of [...findings, ...wholeModuleFindings({ ...inputOf(whole), syntax }, reads)]) {
        const list = byRule.get(finding.code);
        if (list) list.push(finding);
        else byRule.set(finding.code, [finding]);
      }
      return runs.flatMap((run) => byRule.get(run.code) ?? []);
    }
  }
  return wholeModuleFindings({ ...inputOf(runs), syntax: source.tree() });
}

/**
 * The code rules over a whole module at once: one search inside the WASM tree for every
 * node type the rules asked for and the imports (only the matches cross into JavaScript, in
 * document order). Over blocks given `reads`, the blocks it refuses are not searched: their
 * imports are kept by block (see importsOfBlock).
 */
function wholeModuleFindings(input: Omit<MemoInput, 'root' | 'tree'> & { syntax: ModuleSyntax }, reads?: (block: number) => boolean): Finding[] {
  const buckets = new Map<string, Node[]>();
  const importStatements: Node[] = [];
  const collect = (nodes: readonly (Node | null)[]) => {
    for (const node of nodes) {
      if (!node) continue;
      if (IMPORT_STATEMENTS.includes(node.type)) importStatements.push(node);
      const bucket = buckets.get(node.type);
      if (bucket) bucket.push(node);
      else buckets.set(node.type, [node]);
    }
  };
  const blocks = input.syntax.blocks;
  if (!blocks || !reads) {
    collect(input.syntax.rootNode.descendantsOfType([...new Set([...IMPORT_STATEMENTS, ...input.nodeTypes])]));
    return input.rules.flatMap((rule) => rule.run(input.syntax, buckets, importedNames(importStatements), input.project));
  }
  const ruleTypes = [...new Set(input.nodeTypes)];
  const imports = new Map<string, string>();
  for (const [index, block] of blocks.entries()) {
    for (const [alias, target] of importsOfBlock(block)) imports.set(alias, target);
    if (reads(index)) collect(block.root.descendantsOfType(ruleTypes));
  }
  return input.rules.flatMap((rule) => rule.run(input.syntax, buckets, imports, input.project));
}

/** The names a block's import statements bind (anywhere in it, as importedNames reads them), kept while its parse is unchanged. */
const blockImports = new WeakMap<object, [string, string][]>();

function importsOfBlock(block: StatementBlock): [string, string][] {
  let pairs = blockImports.get(block.identity);
  if (!pairs) {
    pairs = [...importedNames(block.root.descendantsOfType(IMPORT_STATEMENTS).filter((n): n is Node => !!n))];
    blockImports.set(block.identity, pairs);
  }
  return pairs;
}
