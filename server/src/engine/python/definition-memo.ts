import type { ModuleRoot, ModuleSyntax, StatementBlock } from '../parse/module-syntax';
import { parsePython, type Node, type Tree } from '../parse/python';
import { lineBreakOf } from '../text';
import type { Project } from '../project/project';
import type { SourceFile, SourceStore } from '../project/source-store';
import type { Finding, Position } from '../types';
import { bindsElsewhere } from './import-edits';
import { IMPORT_STATEMENTS, importedNames } from './imports';
import { isOperatorModuleText } from './module-analysis';
import { GroupLayouts, namesOf, type Names } from './definition-groups';
import { BlockUnits, ByStatementText, moduleUnits, type ModuleUnit } from './module-units';
import { keptInPlace, keptTogether, type ReducedModule } from './reduced-module';

/**
 * The code rules' findings kept per group of top-level definitions, so that a keystroke in a
 * large module re-analyses the definition it touched and replays the others.
 *
 * What a definition's findings depend on, and so what the memo's keys hold:
 * - its own text;
 * - the definitions connected to it by names (a helper whose return provenance it reads, a
 *   caller that passes it a cursor, the model class declaring a manager it uses), grouped
 *   transitively (see definitionGroups): a group is analysed and kept as a whole, keyed by
 *   its members' texts in order, with the module statements before each;
 * - the module's context, shared by every group: the top-level statements outside
 *   definitions (imports, constants, `urlpatterns`…), the imports of the whole module
 *   (function-level ones count for every function), whether the module is operator code,
 *   and which rules run; when it changes, nothing is kept;
 * - other files of the project the analysis read (URLconfs, modules it imports from) and the
 *   project's file list: recorded as they are read, checked before every reuse.
 * Positions are kept relative to the top-level statement that holds them, so a group that
 * only moved (lines added above) comes back at shifted ranges, related locations, flow
 * steps and fix edits. A group with a location outside any statement of its key is not kept.
 */
export interface RuleRun {
  code: string;
  /** Runs the rule over the module's syntax (a tree, or blocks for a rule the memo does not serve) and the nodes collected from it (`nodes` by type, in document order). */
  run(syntax: ModuleSyntax, nodes: Map<string, Node[]>, imports: Map<string, string>, project: Project): Finding[];
}

export interface MemoInput {
  project: Project;
  file: string;
  text: string;
  /** The module's top-level statements: a whole tree's root, or a module kept in blocks. */
  root: ModuleRoot;
  /** The blocks, for a module kept in blocks (see BlockedModule). */
  blocks?: readonly StatementBlock[];
  /** The whole module's tree when there is one (not kept in blocks). */
  tree?: Tree;
  rules: readonly RuleRun[];
  /** The node types the rules asked for. */
  nodeTypes: readonly string[];
}

/** A position relative to a top-level statement of a group's key: `anchor` ≥ 0 is a member of the group, < 0 the context statement -anchor-1. */
interface RelativePosition {
  anchor: number;
  line: number;
  character: number;
}

interface StoredFinding {
  rule: number;
  /** The member of the group it is reported in, for the order of the findings. */
  member: number;
  /** With relative positions, and its message's line numbers taken out (see lineMentions). */
  finding: Finding;
  /** The positions whose lines the message names, in order. */
  mentioned: RelativePosition[];
}

interface Entry {
  findings: StoredFinding[];
  /** The last analysis that replayed or stored it. */
  used: number;
}

/** What the analyses read of other files, checked before a memo is trusted again, each the way it was read. */
class World {
  readonly texts = new Map<string, string | undefined>();
  readonly peeked = new Map<string, string | undefined>();
  readonly existing = new Map<string, boolean>();

  constructor(readonly files?: readonly string[]) {}

  stillHolds(project: Project): boolean {
    const store = project.store;
    if (this.files !== project.files && !sameList(this.files, project.files)) return false;
    for (const [file, text] of this.texts) if (store.get(file)?.text !== text) return false;
    for (const [file, text] of this.peeked) if ((store.peek ? store.peek(file) : store.get(file))?.text !== text) return false;
    for (const [file, exists] of this.existing) if (store.exists(file) !== exists) return false;
    return true;
  }
}

function sameList(a: readonly string[] | undefined, b: readonly string[]): boolean {
  if (!a || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A store noting every read of a file other than the module's own. */
class RecordingStore implements SourceStore {
  constructor(
    private readonly base: SourceStore,
    private readonly own: string,
    private readonly world: World,
  ) {}

  get(file: string): SourceFile | undefined {
    const source = this.base.get(file);
    if (file !== this.own && !this.world.texts.has(file)) this.world.texts.set(file, source?.text);
    return source;
  }

  peek(file: string): SourceFile | undefined {
    const source = this.base.peek ? this.base.peek(file) : this.base.get(file);
    if (file !== this.own && !this.world.peeked.has(file)) this.world.peeked.set(file, source?.text);
    return source;
  }

  exists(file: string): boolean {
    const exists = this.base.exists(file);
    if (file !== this.own && !this.world.existing.has(file)) this.world.existing.set(file, exists);
    return exists;
  }
}

/** The memo of one module (one open document, or one file of a scan). */
export class DefinitionMemo {
  private context?: string;
  private entries = new GroupEntries();
  private world = new World();
  private readonly names = new ByStatementText<Names>();
  private readonly layouts = new GroupLayouts();
  /** Counts analyses, to tell which entries the current one used. */
  private generation = 0;
  private readonly blockUnits = new BlockUnits();
  /** The names a statement imports (most definitions import nothing: their text says so). */
  private readonly imports = new ByStatementText<[string, string][]>();
  /** Whether a statement of the module's context holds a node of a type the rules ask for, for the node types of `ruleNodesOf`. */
  private ruleNodes = new ByStatementText<boolean>();
  private ruleNodesOf = '';
  /** For tests: how many groups the last analysis ran the rules on, and how many it replayed. */
  lastRun = { analysed: 0, replayed: 0 };

  constructor(readonly file: string) {}

  /**
   * The findings, or undefined when the memo cannot give them and the module is to be
   * analysed whole: it has syntax errors (tree-sitter's recovery from them depends on the
   * text around, which the memo leaves out).
   */
  analyze(input: MemoInput): Finding[] | undefined {
    if (input.root.hasError) return undefined;
    const comments: string[] = [];
    const units = moduleUnits(input.root, input.text, comments, input.blocks && { blocks: input.blocks, units: this.blockUnits });
    const wanted = [...new Set([...IMPORT_STATEMENTS, ...input.nodeTypes])];
    const nodesOf = new Map<number, Node[]>();
    const search = (index: number): Node[] => {
      let found = nodesOf.get(index);
      if (!found) nodesOf.set(index, (found = units[index].node.descendantsOfType(wanted).filter((n): n is Node => !!n)));
      return found;
    };

    // Imports anywhere in the module count for every definition (see importedNames).
    const imports = new Map<string, string>();
    /** The statements outside definitions, by their number in the context. */
    const contextUnits: number[] = [];
    /** For each statement, how many context statements come before it. */
    const contextBefore: number[] = [];
    for (const [index, unit] of units.entries()) {
      contextBefore[index] = contextUnits.length;
      if (!unit.definition) contextUnits.push(index);
      if (!unit.mentionsImport) continue;
      const pairs = this.imports.of(unit.text, () => [
        ...importedNames(unit.definition ? unit.node.descendantsOfType(IMPORT_STATEMENTS).filter((n): n is Node => !!n) : search(index).filter((n) => IMPORT_STATEMENTS.includes(n.type))),
      ]);
      for (const [alias, target] of pairs) imports.set(alias, target);
    }
    this.imports.settle();

    // Groups of connected definitions, each keyed by its members with the context statements before each.
    const unitNames = units.map((unit) => this.names.of(unit.text, () => namesOf(unit)));
    this.names.settle();
    const { groupOf, members, pinned, definedNames } = this.layouts.of(units, unitNames);

    // The module's context: the rules, statements outside definitions and the groups of the
    // definitions they name (`handler = make_handler(helper)`), every import, the names
    // defined at the top level, the head of the module (where an import a fix adds goes) and
    // what top-level comments say that a text search reads.
    const contextParts = [
      input.rules.map((rule) => rule.code).join(','),
      String(isOperatorModuleText(input.text, input.blocks)),
      lineBreakOf(input.text),
      input.text.slice(0, headEnd(units)),
      JSON.stringify([...imports]),
      definedNames,
      // What a comment can change: a helper counts as defined once when the module's text says `def name(` once (see call-sites.ts).
      comments.flatMap((comment) => comment.match(/\bdef\s+[\p{L}_][\p{L}\p{N}_]*\s*\(/gu) ?? []).join(' '),
      ...contextUnits.map((index) => units[index].text),
      ...[...pinned].flatMap((group) => members.get(group)!.map((index) => `${contextBefore[index]}\u0001${units[index].text}`)),
    ];
    const context = contextParts.join('\u0000');
    if (context !== this.context || !this.world.stillHolds(input.project)) {
      this.context = context;
      this.entries = new GroupEntries();
      this.world = new World(input.project.files);
    }

    const generation = ++this.generation;
    const replayed = new Map<number, Entry>();
    const missing = new Map<number, GroupKey>();
    for (const [group, list] of members) {
      const key = groupKey(list, units, contextBefore);
      // An entry serves one group per analysis (two groups with the same key are analysed apart).
      const entry = this.entries.get(key);
      if (entry && entry.used !== generation) {
        entry.used = generation;
        replayed.set(group, entry);
      } else missing.set(group, key);
    }
    this.lastRun = { analysed: missing.size, replayed: replayed.size };

    // The rules run over the context statements and the groups not replayed, in a tree of
    // the module with the replayed groups left out (see reducedModule), or the whole tree
    // when nothing is replayed.
    const fresh: Finding[][] = input.rules.map(() => []);
    const ruleTypes = new Set(input.nodeTypes);
    const analysed = (index: number) => !units[index].definition || missing.has(groupOf[index]);
    const typesKey = input.nodeTypes.join(' ');
    if (typesKey !== this.ruleNodesOf) {
      this.ruleNodesOf = typesKey;
      this.ruleNodes = new ByStatementText();
    }
    // Every context statement is asked (not only up to the first that holds one), so the cache keeps them all.
    const contextRuleNodes = contextUnits.filter((index) => this.ruleNodes.of(units[index].text, () => search(index).some((node) => ruleTypes.has(node.type)))).length > 0;
    this.ruleNodes.settle();
    if (missing.size > 0 || contextRuleNodes) {
      const project = recordingProject(input.project, input.file, this.world);
      if (replayed.size === 0 && input.tree) {
        const nodes = new Map<string, Node[]>();
        for (const index of units.keys()) if (analysed(index)) collect(nodes, search(index));
        for (const [i, rule] of input.rules.entries()) fresh[i] = rule.run(input.tree, nodes, imports, project);
      } else {
        const kept = (index: number) => analysed(index) || pinned.has(groupOf[index]);
        const nameOf = (index: number) => unitNames[index].own;
        const run = (reduced: ReducedModule | undefined) => reduced && rulesOnReduced(reduced, units, analysed, wanted, input, imports, project);
        // The kept statements together parse in time with what is kept; where their findings
        // cannot be placed back in the module, or they do not parse so, at their own rows.
        const ran = run(keptTogether(units, kept, nameOf)) ?? run(keptInPlace(input.text, units, kept, nameOf));
        if (!ran) return undefined;
        ran.forEach((findings, i) => (fresh[i] = findings));
      }
    }

    // Each fresh finding goes with the statement it is reported in.
    const stored = new Map<number, StoredFinding[]>();
    const uncacheable = new Set<number>();
    const result: { rule: number; unit: number; finding: Finding }[] = [];
    for (const [rule, findings] of fresh.entries()) {
      for (const finding of findings) {
        const unit = finding.file === input.file ? unitAt(units, finding.range.start) : -1;
        const group = unit >= 0 ? groupOf[unit] : -1;
        if (group >= 0 && replayed.has(group)) continue;
        result.push({ rule, unit: unit >= 0 ? unit : unitAfter(units, finding.range.start), finding });
        if (group < 0 || uncacheable.has(group)) continue;
        const list = members.get(group)!;
        const mentions = lineMentions(finding, input.file);
        const relative = mentions && relativeFinding({ ...finding, message: mentions.template }, input.file, units, list, contextBefore);
        const mentioned = mentions && relativePositions(mentions.positions, units, list, contextBefore);
        if (!relative || !mentioned) {
          uncacheable.add(group);
          continue;
        }
        const kept = stored.get(group) ?? [];
        kept.push({ rule, member: list.indexOf(unit), finding: relative, mentioned });
        stored.set(group, kept);
      }
    }
    for (const [group, key] of missing) {
      if (!uncacheable.has(group)) this.entries.set(key, { findings: stored.get(group) ?? [], used: generation });
    }
    for (const [group, entry] of replayed) {
      const list = members.get(group)!;
      for (const kept of entry.findings) {
        const finding = absoluteFinding(kept.finding, input.file, units, list, contextUnits);
        finding.message = withLines(
          finding.message,
          kept.mentioned.map((position) => absolutePosition(position, units, list, contextUnits).line + 1),
        );
        result.push({ rule: kept.rule, unit: list[kept.member], finding });
      }
    }
    // Entries no group used are dropped once they outnumber the groups: an edit undone finds its entries still there.
    if (this.entries.size > 2 * members.size + 64) this.entries.keepOnly((entry) => entry.used === generation);
    // The order a whole analysis gives: by rule, then by statement, each rule's own order within one.
    return result.sort((a, b) => a.rule - b.rule || a.unit - b.unit).map((r) => r.finding);
  }
}

function collect(nodes: Map<string, Node[]>, found: readonly Node[]): void {
  for (const node of found) {
    const bucket = nodes.get(node.type);
    if (bucket) bucket.push(node);
    else nodes.set(node.type, [node]);
  }
}

/** Where the module's head ends: the start of its first statement after the docstring and the imports (the whole text when there is none). */
function headEnd(units: readonly ModuleUnit[]): number {
  let index = 0;
  if (units[0]?.node.type === 'expression_statement' && units[0].node.namedChildren[0]?.type === 'string') index = 1;
  while (index < units.length && /^(?:import_statement|import_from_statement|future_import_statement)$/.test(units[index].node.type)) index++;
  return index < units.length ? units[index].startIndex : Number.MAX_SAFE_INTEGER;
}

/**
 * The rules over a reduced module (see ReducedModule): their findings at the module's
 * positions; undefined when the reduced text does not parse cleanly, or a finding has a
 * position the reduced text cannot map back or names a line in a way that cannot follow
 * it (see lineMentions).
 */
function rulesOnReduced(
  reduced: ReducedModule,
  units: readonly ModuleUnit[],
  analysed: (index: number) => boolean,
  wanted: string[],
  input: MemoInput,
  imports: Map<string, string>,
  project: Project,
): Finding[][] | undefined {
  const tree = parsePython(reduced.text);
  bindsElsewhere(tree, reduced.others);
  try {
    if (tree.rootNode.hasError) return undefined;
    const nodes = new Map<string, Node[]>();
    for (const unit of moduleUnits(tree.rootNode, reduced.text)) {
      const start = { line: unit.startRow, character: unit.startColumn };
      const position = reduced.toModule ? reduced.toModule(start) : start;
      const index = position ? unitAt(units, position) : -1;
      if (index >= 0 && analysed(index) && !reduced.stubRows.has(unit.startRow))
        collect(
          nodes,
          unit.node.descendantsOfType(wanted).filter((n): n is Node => !!n),
        );
    }
    const fresh = input.rules.map((rule) => rule.run(tree, nodes, imports, project));
    const toModule = reduced.toModule;
    if (!toModule) return fresh;
    const placed: Finding[][] = [];
    for (const findings of fresh) {
      const list: Finding[] = [];
      for (const finding of findings) {
        const one = placedFinding(finding, input.file, toModule);
        if (!one) return undefined;
        list.push(one);
      }
      placed.push(list);
    }
    return placed;
  } finally {
    tree.delete();
  }
}

/** A finding of a reduced module at the module's positions, the lines its message names with them; undefined when that cannot be done. */
function placedFinding(finding: Finding, file: string, toModule: (position: Position) => Position | undefined): Finding | undefined {
  const mentions = lineMentions(finding, file);
  if (!mentions) return undefined;
  let lost = false;
  const place = (position: Position): Position => {
    const placed = toModule(position);
    if (!placed) lost = true;
    return placed ?? position;
  };
  const placed = mapPositions(finding, file, place);
  placed.message = withLines(
    mentions.template,
    mentions.positions.map((position) => place(position).line + 1),
  );
  return lost ? undefined : placed;
}

/** A group's key: its members' texts, each with the number of context statements before it. */
interface GroupKey {
  /** The first member's text, hashed by the map (a slice of the module's text: no copy). */
  text: string;
  /** The rest, compared on a hit: the first member's place, the other members. */
  rest: string;
}

function groupKey(list: readonly number[], units: readonly ModuleUnit[], contextBefore: readonly number[]): GroupKey {
  const rest = list.length === 1 ? String(contextBefore[list[0]]) : list.map((index, i) => `${contextBefore[index]}\u0001${i === 0 ? '' : units[index].text}`).join('\u0002');
  return { text: units[list[0]].text, rest };
}

/**
 * The kept findings by group key. Most groups are one definition: keyed by its text as it
 * stands in the module, not by a string built for the purpose, a lookup costs one hash of
 * that text (none when the text is the string an earlier analysis read, see BlockUnits).
 */
class GroupEntries {
  private readonly byText = new Map<string, Map<string, Entry>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(key: GroupKey): Entry | undefined {
    return this.byText.get(key.text)?.get(key.rest);
  }

  set(key: GroupKey, entry: Entry): void {
    let byRest = this.byText.get(key.text);
    if (!byRest) this.byText.set(key.text, (byRest = new Map()));
    if (!byRest.has(key.rest)) this.count++;
    byRest.set(key.rest, entry);
  }

  keepOnly(keep: (entry: Entry) => boolean): void {
    for (const [text, byRest] of this.byText) {
      for (const [rest, entry] of byRest) if (!keep(entry)) byRest.delete(rest);
      if (byRest.size === 0) this.byText.delete(text);
    }
    this.count = 0;
    for (const byRest of this.byText.values()) this.count += byRest.size;
  }
}

/**
 * The project as the memoised analysis sees it: the same, but reading other files through a
 * store that records what it read (see World). The project's own caches stay shared.
 */
function recordingProject(project: Project, own: string, world: World): Project {
  return Object.create(project, { store: { value: new RecordingStore(project.store, own, world) } }) as Project;
}

/** The statement holding a position (its end included), or -1. */
function unitAt(units: readonly ModuleUnit[], position: Position): number {
  const index = unitAfter(units, position) - 1;
  if (index < 0) return -1;
  const unit = units[index];
  const beforeEnd = position.line < unit.endRow || (position.line === unit.endRow && position.character <= unit.endColumn);
  return beforeEnd ? index : -1;
}

/** The index of the first statement starting after a position. */
function unitAfter(units: readonly ModuleUnit[], position: Position): number {
  let low = 0;
  let high = units.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    const unit = units[middle];
    if (unit.startRow < position.line || (unit.startRow === position.line && unit.startColumn <= position.character)) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** A position made relative to the statement of the group's key holding it (a member, or a context statement); undefined when none does. */
function relativePosition(position: Position, units: readonly ModuleUnit[], group: readonly number[], contextBefore: readonly number[]): RelativePosition | undefined {
  const unit = unitAt(units, position);
  if (unit < 0) return undefined;
  const member = group.indexOf(unit);
  if (member < 0 && units[unit].definition) return undefined;
  const start = units[unit];
  return {
    anchor: member >= 0 ? member : -contextBefore[unit] - 1,
    line: position.line - start.startRow,
    character: position.line === start.startRow ? position.character - start.startColumn : position.character,
  };
}

function absolutePosition(relative: RelativePosition, units: readonly ModuleUnit[], group: readonly number[], contextUnits: readonly number[]): Position {
  const unit = relative.anchor >= 0 ? units[group[relative.anchor]] : units[contextUnits[-relative.anchor - 1]];
  return { line: unit.startRow + relative.line, character: relative.line === 0 ? unit.startColumn + relative.character : relative.character };
}

function relativePositions(positions: readonly Position[], units: readonly ModuleUnit[], group: readonly number[], contextBefore: readonly number[]): RelativePosition[] | undefined {
  const relative: RelativePosition[] = [];
  for (const position of positions) {
    const one = relativePosition(position, units, group, contextBefore);
    if (!one) return undefined;
    relative.push(one);
  }
  return relative;
}

/** A copy of a finding with every position in this file made relative to a statement of the group's key; undefined when one lies elsewhere. */
function relativeFinding(finding: Finding, file: string, units: readonly ModuleUnit[], group: readonly number[], contextBefore: readonly number[]): Finding | undefined {
  let lost = false;
  const copy = mapPositions(finding, file, (position) => {
    const relative = relativePosition(position, units, group, contextBefore);
    if (!relative) lost = true;
    return (relative ?? position) as unknown as Position;
  });
  return lost ? undefined : copy;
}

function absoluteFinding(finding: Finding, file: string, units: readonly ModuleUnit[], group: readonly number[], contextUnits: readonly number[]): Finding {
  return mapPositions(finding, file, (stored) => absolutePosition(stored as unknown as RelativePosition, units, group, contextUnits));
}

const LINE_MENTION = /\(line (\d+)\)/g;
const LINE_SLOT = '\u0000line\u0000';

/**
 * A message names the line of the value's source ("… is read from the request (line 12)."):
 * the line of one of the finding's locations in this file, which moves with it. The message
 * with those taken out, and the locations' starts; undefined when a number cannot be tied
 * to exactly one such location or the finding names a line some other way.
 */
function lineMentions(finding: Finding, file: string): { template: string; positions: Position[] } | undefined {
  const locations = [...finding.related, ...(finding.flow ?? [])];
  const positions: Position[] = [];
  let unsure = false;
  const template = finding.message.replace(LINE_MENTION, (whole, digits: string) => {
    const line = Number(digits) - 1;
    const here = locations.filter((l) => l.range.start.line === line);
    if (here.length === 0 || here.some((l) => l.file !== file)) unsure = true;
    else positions.push(here[0].range.start);
    return LINE_SLOT;
  });
  if (unsure || /\bline \d/.test(template) || finding.fixes.some((fix) => /\bline \d/.test(fix.title))) return undefined;
  return { template, positions };
}

function withLines(template: string, lines: readonly number[]): string {
  let next = 0;
  return template.replace(/\u0000line\u0000/g, () => `(line ${lines[next++]})`);
}

/** A deep copy of a finding with the positions of every range in `file` (its own, related, flow, fix edits) mapped. */
function mapPositions(finding: Finding, file: string, map: (position: Position) => Position): Finding {
  const visit = (value: unknown, inFile: boolean): unknown => {
    if (Array.isArray(value)) return value.map((item) => visit(item, inFile));
    if (!value || typeof value !== 'object') return value;
    const object = value as Record<string, unknown>;
    const here = typeof object.file === 'string' ? object.file === file : inFile;
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(object)) {
      if (key === 'range' && here && item && typeof item === 'object') {
        const range = item as { start: Position; end: Position };
        copy[key] = { start: map(range.start), end: map(range.end) };
      } else copy[key] = visit(item, here);
    }
    return copy;
  };
  return visit(finding, false) as Finding;
}

/** Modules whose memos are kept (the open documents being edited, most recent first). */
const MAX_MEMOS = 8;
const memos = new Map<string, DefinitionMemo>();

/**
 * Rules whose findings in one definition depend on the others in ways names do not show:
 * DJH209 gives each hard-coded secret an environment variable no other secret of the module
 * takes. They run on the whole module, beside the memo (see pythonFindings); over a module
 * kept in blocks, on the blocks their triggers match: DJH209's secrets, and the values it
 * weighs them against, are statements that name a secret word.
 */
const WHOLE_MODULE_RULES = new Set(['DJH209']);

/** Whether the memo can serve a rule. */
export function memoServes(rule: Pick<RuleRun, 'code'>): boolean {
  return !WHOLE_MODULE_RULES.has(rule.code);
}

/** The memo of a module, made or moved to the front; the oldest goes beyond MAX_MEMOS. */
export function memoOf(file: string): DefinitionMemo {
  let memo = memos.get(file);
  if (memo) memos.delete(file);
  else memo = new DefinitionMemo(file);
  memos.set(file, memo);
  if (memos.size > MAX_MEMOS) memos.delete(memos.keys().next().value!);
  return memo;
}
