import { holdsInSomeLine } from '../parse/block-text-tests';
import type { StatementBlock } from '../parse/module-syntax';
import type { Node, Tree } from '../parse/python';
import type { Project } from '../project/project';
import { IMPORT_STATEMENTS, importedNames, resolveQualified } from './imports';
import { traceSteps, type FlowStep, type Provenance, type Trust } from './provenance';
import { argumentsPassed } from './call-sites';
import { importedBinding, importTarget } from './project-imports';
import { ProvenanceAnalysis, type ImportedSymbol } from './provenance-analysis';
import { Scopes, type Binding } from './scopes';
import { StringBuilder } from './string-build';

/**
 * The Python analysis of one module text, shared by every rule that reads it: name
 * resolution, the provenance of values, and how strings are built. Everything in it is
 * computed on demand and kept for the life of the parsed tree, so a module's function
 * summaries are computed once however many rules and sinks ask.
 */
export class ModuleAnalysis {
  readonly scopes: Scopes;
  readonly provenance: ProvenanceAnalysis;
  readonly strings: StringBuilder;

  constructor(
    readonly tree: Tree,
    readonly imports: Map<string, string>,
    readonly project?: Project,
    readonly file?: string,
    /** The module's text when the tree holds part of it only (see definition-memo.ts): what tells operator code. */
    private readonly moduleText?: string,
  ) {
    this.scopes = new Scopes(tree.rootNode);
    this.provenance = new ProvenanceAnalysis({
      root: tree.rootNode,
      scopes: this.scopes,
      qualifiedName: (node) => resolveQualified(node, imports),
      project,
      file,
      imported: project && file ? (binding, name) => importedSymbol(project, file, binding, name) : undefined,
      passedTo: project ? (fn, parameter) => valuesPassed(project, file, fn, parameter, this.provenance) : undefined,
    });
    this.strings = new StringBuilder(this.scopes, this.provenance);
  }

  private operator?: boolean;

  /**
   * Whether the module is run by an operator rather than by requests: a management command
   * (`class Command(BaseCommand)`) or a script (`if __name__ == "__main__":`). Values of
   * unknown origin there are the operator's input, not a visitor's.
   */
  isOperatorCode(): boolean {
    this.operator ??= isOperatorModuleText(this.moduleText ?? this.tree.rootNode.text);
    return this.operator;
  }

  /** The function a name refers to: one defined at this module's top level, or one of another module of the project that it imports. */
  functionNamed(name: Node): Node | undefined {
    if (name.type !== 'identifier') return undefined;
    const resolution = this.scopes.resolve(name);
    if ((resolution.kind !== 'module' && resolution.kind !== 'local') || resolution.defs.length !== 1) return undefined;
    const binding = resolution.defs[0];
    if (binding.kind === 'definition') return binding.statement.type === 'function_definition' ? binding.statement : undefined;
    if (binding.kind !== 'import' || !this.project || !this.file) return undefined;
    const symbol = importedSymbol(this.project, this.file, binding, name.text);
    return symbol?.kind === 'function' ? symbol.fn : undefined;
  }

  /** The qualified name an expression refers to through the module's imports. */
  qualifiedName(node: Node | null | undefined): string | undefined {
    return resolveQualified(node, this.imports);
  }

  /**
   * Where the value of an expression comes from, judged with every parameter closed by its
   * function's role (a view's URL argument, a template filter's input, a helper's
   * parameter), with the path from its source when it is untrusted.
   */
  provenanceOf(node: Node): ValueProvenance {
    return describe(this.provenance.closed(node));
  }
}

/** Matches within one line (see holdsInSomeLine). */
const OPERATOR_CODE = /^class Command\((?:[\w.]*\.)?\w*Command\):|^if __name__ == ["']__main__["'][ \t]*:/m;

/** Whether a module's text shows operator code (see ModuleAnalysis.isOperatorCode); `blocks` when it is kept in blocks. */
export function isOperatorModuleText(text: string, blocks?: readonly StatementBlock[]): boolean {
  return holdsInSomeLine(text, blocks, 'operator code', (part) => OPERATOR_CODE.test(part));
}

/** A value's provenance as other parts of the engine read it. */
export interface ValueProvenance {
  trust: Trust;
  /** For `unknown`: the value reads a field of a stored object (data some user wrote at some point). */
  stored?: boolean;
  /** For `untrusted`: the steps from the source to the expression, in order. */
  flow: FlowStep[];
}

export function describe(value: Provenance): ValueProvenance {
  const result: ValueProvenance = { trust: value.trust, flow: value.trust === 'untrusted' ? traceSteps(value.trace) : [] };
  if (value.stored) result.stored = true;
  return result;
}

const analyses = new WeakMap<Tree, ModuleAnalysis>();

/** What a name imported from another module of the project is bound to there. */
function importedSymbol(project: Project, file: string, binding: Binding, name: string): ImportedSymbol | undefined {
  const target = importTarget(project, file, binding, name);
  if (!target) return undefined;
  const found = importedBinding(project, target, (other) => {
    const analysis = analysisOfFile(project, other);
    return analysis && { file: other, scopes: analysis.scopes };
  });
  if (!found) return undefined;
  const { module, binding: there } = found;
  if (there.kind === 'definition' && there.statement.type === 'function_definition') {
    const analysis = analysisOfFile(project, module.file);
    return analysis ? { kind: 'function', fn: there.statement, analysis: analysis.provenance, file: module.file } : undefined;
  }
  if (there.kind === 'assign' || there.kind === 'augment') return { kind: 'data' };
  return { kind: 'code' };
}

/** A search of callers is under way: a caller's own parameters are not followed to their callers in turn. */
let searchingCallers = false;

/** What the project's calls pass to a parameter, each value as its caller's module sees it (`own`, the analysis of the module the function is read from). */
function valuesPassed(project: Project, file: string | undefined, fn: Node, parameter: Node, own: ProvenanceAnalysis): Provenance[] | undefined {
  if (searchingCallers) return undefined;
  searchingCallers = true;
  try {
    const passed = argumentsPassed(project, file, fn, parameter);
    if (!passed) return undefined;
    const values: Provenance[] = [];
    for (const argument of passed) {
      const analysis = argument.own ? own : analysisOfFile(project, argument.file)?.provenance;
      if (!analysis) return undefined;
      values.push(analysis.of(argument.node));
    }
    return values;
  } finally {
    searchingCallers = false;
  }
}

/**
 * The analysis of a parsed module, made once per tree and project (the memo of the code
 * rules reads the project through a store of its own, see definition-memo.ts).
 */
export function analysisOf(tree: Tree, imports: Map<string, string>, project?: Project, file?: string, moduleText?: string): ModuleAnalysis {
  let analysis = analyses.get(tree);
  if (!analysis || analysis.project !== project) {
    analysis = new ModuleAnalysis(tree, imports, project, file, moduleText);
    analyses.set(tree, analysis);
  }
  return analysis;
}

/** The analysis of a module of a project by its path (for the template rules: the view that renders a template), or undefined when it cannot be read. */
export function analysisOfFile(project: Project, file: string): ModuleAnalysis | undefined {
  const source = project.store.get(file);
  if (!source) return undefined;
  const tree = source.tree();
  const known = analyses.get(tree);
  if (known && known.project === project) return known;
  const imports = importedNames(tree.rootNode.descendantsOfType(IMPORT_STATEMENTS).filter((n): n is Node => !!n));
  return analysisOf(tree, imports, project, file);
}
