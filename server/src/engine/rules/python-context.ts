import { wholeTreeOf, type ModuleSyntax } from '../parse/module-syntax';
import { rangeOf, type Node } from '../parse/python';
import { resolveQualified } from '../python/imports';
import { analysisOf, type ModuleAnalysis } from '../python/module-analysis';
import type { Project } from '../project/project';
import type { Finding, Fix, FixSafety, Range, RelatedLocation, RuleMeta, Severity, TextEdit } from '../types';
import { buildFinding, buildFix } from './finding';

const NO_NODES: readonly Node[] = [];

/**
 * What a Python code rule sees: one parsed file, its imports, the nodes of the types the
 * rule asked for (collected in one walk shared by all rules), and builders for findings.
 */
export class PythonRuleContext {
  constructor(
    readonly meta: RuleMeta,
    readonly project: Project,
    readonly file: string,
    readonly text: string,
    /** The module's syntax: a whole tree, or the blocks of a module kept in blocks for a rule that reads the whole module (see memoServes). */
    readonly tree: ModuleSyntax,
    /** Name bound by an import → the qualified name it refers to. */
    readonly imports: Map<string, string>,
    private readonly buckets: Map<string, Node[]>,
  ) {}

  /** Nodes of one of the types the rule declared in `nodeTypes`, in document order (the same array for every rule of one analysis). */
  nodes(type: string): readonly Node[] {
    return this.buckets.get(type) ?? NO_NODES;
  }

  /** The fully qualified name an expression refers to through the file's imports. */
  qualifiedName(node: Node | null | undefined): string | undefined {
    return resolveQualified(node, this.imports);
  }

  /**
   * The module's shared analysis (names, provenance, string building), made once per parsed
   * text for every rule; of a whole tree only (a rule that reads the whole module is run on
   * blocks too, and does without it).
   */
  analysis(): ModuleAnalysis {
    const tree = wholeTreeOf(this.tree);
    if (!tree) throw new Error(`${this.meta.code} asked for the module analysis of a module read in blocks`);
    return analysisOf(tree, this.imports, this.project, this.file, this.text);
  }

  /** A finding at a node or range; `severity` refines the rule's default from the evidence, `flow` is the path of an untrusted value to the sink. */
  finding(at: Node | Range, message: string, options: { fixes?: Fix[]; related?: RelatedLocation[]; severity?: Severity; flow?: RelatedLocation[] } = {}): Finding {
    return buildFinding(this.meta, { ...options, file: this.file, range: 'type' in at ? rangeOf(at) : at, message });
  }

  /** A fix in this file, labelled with the rule's declared safety unless told otherwise. */
  fix(title: string, edits: Omit<TextEdit, 'file'>[], safety?: FixSafety): Fix {
    return buildFix(
      this.meta,
      title,
      edits.map((edit) => ({ ...edit, file: this.file })),
      { safety },
    );
  }
}
