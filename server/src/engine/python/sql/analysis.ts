import type { Node } from '../../parse/python';
import type { ModuleAnalysis } from '../module-analysis';
import { join, type Provenance } from '../provenance';
import { contains } from '../scopes';
import type { OpaquePart, StringBuild, ValuePart } from '../string-build';
import { parameterize, positionProblem, valuePositions, type NodeEdit, type NoFixReason } from './parameterize';
import { declaredManagers, sqlSink, type SqlArgument, type SqlSink } from './sinks';

/**
 * SQL injection analysis of one file: for each call that runs SQL, how each SQL argument
 * was built, whether values an attacker may control reach it, and the parameterizing fix
 * when one is possible.
 */

export interface SqlArgumentAnalysis {
  argument: SqlArgument;
  build: StringBuild;
  /** Values that are not provably safe reach the SQL text (or the whole text comes from the request). */
  dangerous: boolean;
  /** The values that make it dangerous: inserted values of unknown or untrusted origin, and untrusted text passed in whole. */
  culprits: (ValuePart | OpaquePart)[];
  /** The worst of the culprits' provenances. */
  provenance: Provenance;
  /**
   * Whether a value of unknown origin sits where a value goes (a literal, a comparison): it
   * should be a query parameter whoever writes it. Names and SQL syntax of unknown origin
   * (a table name, a clause built elsewhere) are how code builds SQL over its own schema.
   */
  unknownValue: boolean;
  /** Why there is no fix, when there is none. */
  noFix?: { reason: NoFixReason | 'driver'; culprit?: ValuePart };
  fix?: { edits: NodeEdit[]; params: string[] };
}

export interface SqlCallAnalysis {
  sink: SqlSink;
  arguments: SqlArgumentAnalysis[];
}

/** Roles whose SQL is a name (a table, a column, an alias): no placeholder can stand there. */
const NAME_ROLES = new Set(['tables', 'order_by', 'select-alias']);

export class SqlAnalysis {
  private managers?: Set<string>;

  constructor(private readonly module: ModuleAnalysis) {}

  /** The call's SQL analysis, or undefined when it runs no SQL we know of. */
  analyzeCall(call: Node): SqlCallAnalysis | undefined {
    const sink = sqlSink(call, {
      scopes: this.module.scopes,
      qualifiedName: (node) => this.module.qualifiedName(node),
      managers: () => (this.managers ??= declaredManagers(this.module.tree.rootNode)),
    });
    if (!sink) return undefined;
    return { sink, arguments: sink.arguments.map((argument) => this.analyzeArgument(sink, argument)) };
  }

  private analyzeArgument(sink: SqlSink, argument: SqlArgument): SqlArgumentAnalysis {
    const build = this.module.strings.build(argument.node, 'text');
    const culprits = build.parts.filter((part): part is ValuePart | OpaquePart => part.kind === 'value' || (part.kind === 'opaque' && part.provenance.trust === 'untrusted'));
    const dangerous = culprits.length > 0;
    const result: SqlArgumentAnalysis = { argument, build, dangerous, culprits, provenance: join(culprits.map((c) => c.provenance)), unknownValue: false };
    if (!dangerous) return result;
    const positions = valuePositions(build);
    result.unknownValue =
      !NAME_ROLES.has(argument.role) && culprits.some((c) => c.kind === 'value' && c.provenance.trust === 'unknown' && ['value', 'list', 'quoted-name'].includes(positions.get(c)?.kind ?? 'value'));
    const firstValue = build.parts.find((part): part is ValuePart => part.kind === 'value');
    if (!firstValue) {
      result.noFix = { reason: 'shape' };
      return result;
    }
    if (NAME_ROLES.has(argument.role)) {
      result.noFix = { reason: 'identifier', culprit: firstValue };
      return result;
    }
    const problem = positionProblem(build, positions);
    if (problem) {
      result.noFix = problem;
      return result;
    }
    if (sink.driver) {
      result.noFix = { reason: 'driver' };
      return result;
    }
    // A call or a building site that does not parse cleanly is no place for an edit.
    if (build.truncated || !argument.slot || sink.kind === 'executemany' || sink.call.hasError || build.sites.some((site) => site.node.hasError)) {
      result.noFix = { reason: 'shape' };
      return result;
    }
    const { siblings, ...slot } = argument.slot;
    const index = siblings.findIndex((s) => s.id === argument.node.id);
    const count = (nodes: Node[]) =>
      nodes.reduce<number | undefined>((sum, node) => (sum === undefined ? undefined : this.placeholders(node) === undefined ? undefined : sum + this.placeholders(node)!), 0);
    const parameterized = parameterize(build, { ...slot, before: count(siblings.slice(0, index)), after: count(siblings.slice(index + 1)) });
    if (!parameterized.ok) {
      result.noFix = { reason: parameterized.reason, culprit: parameterized.culprit };
      return result;
    }
    // A value the project's own function formats (`quoted(x)` returning `'x'`) may carry SQL around the data.
    if (build.parts.some((part) => part.kind === 'value' && this.module.provenance.callsProjectFunction(part.node)) || !this.variablesOnlyFeedThisCall(build)) {
      result.noFix = { reason: 'shape' };
      return result;
    }
    result.fix = { edits: parameterized.edits, params: parameterized.params };
    return result;
  }

  /** `%s` placeholders in another SQL item of the same call (constant text only), or undefined. */
  private placeholders(node: Node): number | undefined {
    const build = this.module.strings.build(node, 'text');
    let count = 0;
    for (const part of build.parts) {
      if (part.kind === 'value') continue;
      const text = part.kind === 'text' ? part.value : part.kind === 'safe' ? part.text : undefined;
      if (text === undefined) {
        if (part.kind === 'safe' && !part.placeholders) continue;
        return undefined;
      }
      count += (text.replace(/%%/g, '').match(/%s/g) ?? []).length;
    }
    return count;
  }

  /**
   * A variable whose building statements the fix rewrites must reach nothing but this
   * call: another read (a log line, a second query) would get the placeholder text
   * without its params.
   */
  private variablesOnlyFeedThisCall(build: StringBuild): boolean {
    // Where the fix rewrites: the sites, by offset, sorted.
    const siteStarts = build.sites.map((site) => site.node.startIndex).sort((a, b) => a - b);
    const rewritesInside = (statement: Node, end: number) => {
      let low = 0;
      let high = siteStarts.length;
      while (low < high) {
        const mid = (low + high) >> 1;
        if (siteStarts[mid] < statement.startIndex) low = mid + 1;
        else high = mid;
      }
      return low < siteStarts.length && siteStarts[low] < end;
    };
    for (const variable of build.variables) {
      const defIds = new Set(variable.defs.map((d) => d.statement.id));
      if (!variable.defs.some((def) => rewritesInside(def.statement, def.end))) continue;
      for (const read of this.module.scopes.readsOf(variable.scope, variable.use.text)) {
        if (read.id === variable.use.id || variable.defs.some((def) => contains(def.statement, read))) continue;
        const reaching = this.module.scopes.reaching(read);
        if (reaching.kind !== 'defs') {
          if (reaching.kind === 'unbound' && read.startIndex > variable.defs[0].statement.startIndex) return false;
          continue;
        }
        if (reaching.defs.some((def) => defIds.has(def.statement.id))) return false;
      }
    }
    return true;
  }
}
