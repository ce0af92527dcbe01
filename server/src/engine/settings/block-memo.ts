import type { ModuleSyntax } from '../parse/module-syntax';
import type { Node } from '../parse/python';
import type { SourceFile } from '../project/source-store';
import type { Location } from '../types';
import type { RowAnchor } from './anchored-location';
import type { Binding } from './evaluate-expression';
import type { TopLevelStatements } from './module-layout';
import type { EvaluatedModule, SettingState } from './module-state';

/**
 * What running one top-level statement of a settings module did, recorded so that the next
 * evaluation replays it instead of walking its syntax tree again. Walking nodes is the
 * dominant cost of evaluation (every node crosses the WebAssembly boundary), and a
 * keystroke changes one statement out of hundreds.
 *
 * A replay is exact: it is only taken when the statement's text is unchanged and everything
 * it read — settings, names, module resolutions, other modules' evaluations — is the very
 * same object as when it was recorded. Recorded objects are never mutated, so identity is
 * equality. Each evaluation replays and runs its statements in order into maps of its own,
 * so the module's maps come out in the order a whole evaluation gives, and what an earlier
 * evaluation returned stays as it was; one that applies the very records of the last, in
 * the same order, returns the last one's maps (see ReplaySequence).
 */
export interface StatementRecord {
  /** Keys read before the statement wrote them, with the value each had then. */
  reads: StateRead[];
  external: ExternalRead[];
  /** Every write, in order. */
  writes: StateWrite[];
  /**
   * The row the statement starts at, which everything it recorded locates itself from:
   * when lines are added or removed above it, it is moved, and what the statement recorded
   * follows without being copied or run again.
   */
  anchor: RowAnchor;
}

/** 0: settings, 1: bindings. */
export type StateTag = 0 | 1;
type StateRead = readonly [StateTag, string, SettingState | Binding | undefined];
/** A write to neither map: a star import's or `include()`'s file, the statement, whether it is an include and whether it runs only under a condition the evaluation cannot read; incompleteness; or a local override (see EvaluatedModule.localOverrides). */
export type OtherWrite = readonly ['star-import', string, Location, boolean, boolean] | readonly ['incomplete', string?] | readonly ['local-override', string, Location];
/** A value of undefined is a deletion. */
export type StateWrite = readonly [StateTag, string, SettingState | Binding | undefined] | OtherWrite;
export type ExternalRead =
  /** `from` is the importing file when it is not the module itself (a file it includes). */
  | { kind: 'resolve'; from?: string; name: string; level: number; result: string | undefined }
  | { kind: 'evaluate'; file: string; result: EvaluatedModule | undefined }
  /** The files a pattern matched, joined. */
  | { kind: 'glob'; dir: string; pattern: string; result: string }
  | { kind: 'source'; file: string; result: SourceFile | undefined };

/** A top-level statement as the memo keeps it (comments are not kept). */
interface KeptStatement {
  type: string;
  /** Its index among its unit's statements, comments included. */
  index: number;
  /** Its row from its unit's first row: the same while the unit is (a block keeps its text). */
  offset: number;
  /**
   * Its place on its line, kind and text: what finds it once its block is gone (edited,
   * merged, cut) or in a module read whole. None when it was parsed with a syntax error:
   * tree-sitter's error recovery can read a statement with no error of its own otherwise
   * than a clean parse does, and not only next to the error (`A = b,` becomes the targets
   * of a chained assignment), so what its text did there says nothing of elsewhere.
   */
  key?: string;
  /** None when it could not be recorded (it failed half way). */
  record?: StatementRecord;
}

/** A block's statements as the memo keeps them, with what they read and wrote together when every one was recorded. */
interface KeptBlock {
  statements: KeptStatement[];
  /** Their kinds, for the layout. */
  types: string[];
  /** The block's first row when its statements' anchors were last moved. */
  row: number;
  /** Reads of keys no statement before in the block wrote, and every write, in order: the block replayed in one go. */
  together?: BlockEffect;
}

/**
 * Top-level statements read together: a block of a module kept in blocks (see
 * BlockedModule), or a module read whole.
 */
export interface EvaluationUnit {
  /** A block's identity, the same while its parse is (see StatementBlock); none for a module read whole. */
  identity?: object;
  startRow: number;
  hasError: boolean;
  /** Its statements, comments included. */
  statements(): readonly Node[];
  /** One of them, without reading the others. */
  statement(index: number): Node;
}

/** The units of a module's syntax: its blocks, or the whole module. */
export function unitsOf(syntax: ModuleSyntax): EvaluationUnit[] {
  if (syntax.blocks) {
    return syntax.blocks.map((block) => ({
      identity: block.identity,
      startRow: block.startRow,
      hasError: block.root.hasError,
      statements: () => block.root.namedChildren,
      statement: (index) => block.root.namedChild(index)!,
    }));
  }
  const root = syntax.rootNode;
  let nodes: Node[] | undefined;
  return [{ startRow: 0, hasError: root.hasError, statements: () => (nodes ??= root.namedChildren), statement: (index) => (nodes ??= root.namedChildren)[index] }];
}

/** The interpreter of one evaluation, as the memo drives it. */
export interface UnitInterpreter {
  readonly settings: TrackedMap<SettingState>;
  readonly bindings: TrackedMap<Binding>;
  /** Starts a statement: its locations follow `anchor` (when given); what it does is told to `recorder` (when given). */
  enter(anchor: RowAnchor | undefined, recorder: StatementRecorder | undefined): void;
  /** Runs one top-level statement; false when it failed half way (what it may assign is then unknown, and it is not recorded). */
  run(statement: Node): boolean;
  leave(): void;
  applyOther(write: OtherWrite): void;
  /** Whether what was read of other files reads the same now. */
  stillReads(read: ExternalRead): boolean;
  /** Records were replayed, their writes applied to the maps directly: told so that a file run by `include()` can pass them to the statement including it. */
  replayed?(records: readonly StatementRecord[]): void;
}

/**
 * Evaluates the units in order. A block whose parse is unchanged (its identity) gives its
 * statements' records without its nodes being read; in a block parsed anew, or a module
 * read whole, each statement is looked up by its place on its line and text. A recorded
 * statement that reads the same now is replayed, the others run (and are recorded, with a
 * memo). The statements evaluated are added to `statements` for the layout.
 */
export function evaluateUnits(units: readonly EvaluationUnit[], interpreter: UnitInterpreter, statements: TopLevelStatements, memo?: BlockMemo): void {
  memo?.begin(units);
  const sequence = memo?.sequence(interpreter);
  for (const unit of units) {
    const now: KeptStatement[] = [];
    const runStatement = (node: Node, index: number, key: string | undefined): KeptStatement => {
      sequence?.diverge();
      const recorder = memo && new StatementRecorder();
      const row = node.startPosition.row;
      const anchor = recorder && { row };
      interpreter.enter(anchor, recorder);
      let whole: boolean;
      try {
        whole = interpreter.run(node);
      } finally {
        interpreter.leave();
      }
      memo?.count(false);
      const record = recorder && whole ? { ...recorder.recorded(), anchor: anchor! } : undefined;
      sequence?.ran(record);
      return { type: node.type, index, offset: row - unit.startRow, key, record };
    };
    const kept = unit.identity && memo?.keptOf(unit.identity);
    if (kept?.together && replayBlock(kept, unit.startRow, interpreter, memo!, sequence!)) {
      statements.add(kept.types, (i) => unit.statement(kept.statements[i].index));
      memo!.keepBlock(unit.identity!, kept);
      continue;
    }
    if (kept) {
      // The same parse: the same statements, at the same offsets from the unit's first row.
      statements.add(kept.types, (i) => unit.statement(kept.statements[i].index));
      for (const statement of kept.statements) {
        const row = unit.startRow + statement.offset;
        if (statement.record && replay(statement.record, row, interpreter, memo!, sequence!)) now.push(statement);
        else now.push(runStatement(unit.statement(statement.index), statement.index, statement.key));
      }
    } else {
      const nodes = unit.statements();
      const types: string[] = [];
      const indexes: number[] = [];
      statements.add(types, (i) => nodes[indexes[i]]);
      for (let index = 0; index < nodes.length; index++) {
        const node = nodes[index];
        const type = node.type;
        if (type === 'comment') continue;
        types.push(type);
        indexes.push(index);
        const key = memo && !unit.hasError ? keyOf(node, type) : undefined;
        const found = key !== undefined ? memo!.take(key) : undefined;
        const row = found && node.startPosition.row;
        if (found?.record && replay(found.record, row!, interpreter, memo!, sequence!)) now.push({ type, index, offset: row! - unit.startRow, key: found.key, record: found.record });
        else now.push(runStatement(node, index, key === undefined ? undefined : detachedText(key)));
      }
    }
    if (unit.identity) memo?.keepBlock(unit.identity, keptBlock(now, unit.startRow));
    else memo?.keepStatements(now);
  }
  memo?.finish();
}

/** Applies a record's writes when everything it read reads the same now, its locations moved to `row`; false when the statement must run. */
function replay(record: StatementRecord, row: number, interpreter: UnitInterpreter, memo: BlockMemo, sequence: ReplaySequence): boolean {
  // In the last evaluation's order the maps hold what the record read then (see ReplaySequence): only other files are asked again.
  const follows = sequence.follows([record]);
  if (!follows) sequence.diverge();
  if (!(follows || mapReadsHold(record, interpreter)) || !externalReadsHold(record.external, interpreter)) return false;
  if (follows) sequence.defer(record);
  else {
    applyMapWrites(record, interpreter);
    sequence.applied(record);
  }
  for (const write of record.writes) if (typeof write[0] !== 'number') interpreter.applyOther(write as OtherWrite);
  interpreter.replayed?.([record]);
  memo.count(true, record.anchor.row !== row);
  record.anchor.row = row;
  return true;
}

/**
 * Replays a whole block when what its statements read from before it reads the same now
 * (so each of them would replay): its writes in one go, and its statements' anchors moved
 * only when the block moved. False when its statements must be taken one by one.
 */
function replayBlock(kept: KeptBlock, row: number, interpreter: UnitInterpreter, memo: BlockMemo, sequence: ReplaySequence): boolean {
  const { settings, bindings, external, other, records } = kept.together!;
  const follows = sequence.follows(records);
  if (!follows) sequence.diverge();
  if (!(follows || (settings.readsHold(interpreter.settings.map) && bindings.readsHold(interpreter.bindings.map))) || !externalReadsHold(external, interpreter)) return false;
  if (follows) sequence.defer(kept.together!);
  else {
    settings.applyTo(interpreter.settings.map);
    bindings.applyTo(interpreter.bindings.map);
    for (const record of records) sequence.applied(record);
  }
  for (const write of other) interpreter.applyOther(write);
  interpreter.replayed?.(records);
  const moved = kept.row !== row;
  if (moved) for (const statement of kept.statements) statement.record!.anchor.row = row + statement.offset;
  kept.row = row;
  memo.count(true, moved, kept.statements.length);
  return true;
}

/** What a statement read of the settings and names reads the same now. */
function mapReadsHold(record: StatementRecord, interpreter: UnitInterpreter): boolean {
  const settings = interpreter.settings.map;
  const bindings = interpreter.bindings.map;
  const { reads } = record;
  for (let i = 0; i < reads.length; i++) {
    const read = reads[i];
    if ((read[0] === 0 ? settings : bindings).get(read[1]) !== read[2]) return false;
  }
  return true;
}

/** What was read of other files reads the same now. */
function externalReadsHold(external: readonly ExternalRead[], interpreter: UnitInterpreter): boolean {
  for (const read of external) if (!interpreter.stillReads(read)) return false;
  return true;
}

/** A statement's writes to the settings and names, in order (its other writes are the interpreter's, see applyOther). */
function applyMapWrites(record: StatementRecord, interpreter: UnitInterpreter): void {
  for (const write of record.writes) {
    if (typeof write[0] !== 'number') continue;
    const map: Map<string, unknown> = write[0] === 0 ? interpreter.settings.map : interpreter.bindings.map;
    if (write[2] === undefined) map.delete(write[1]);
    else map.set(write[1], write[2]);
  }
}

/** What a block's statements read from one map before writing it, and what they wrote to it, in order, as parallel arrays. */
class MapEffect {
  readonly readKeys: string[] = [];
  readonly readValues: unknown[] = [];
  readonly writeKeys: string[] = [];
  /** Undefined: deleted. */
  readonly writeValues: unknown[] = [];

  readsHold(map: ReadonlyMap<string, unknown>): boolean {
    const { readKeys, readValues } = this;
    for (let i = 0; i < readKeys.length; i++) if (map.get(readKeys[i]) !== readValues[i]) return false;
    return true;
  }

  applyTo(map: Map<string, unknown>): void {
    const { writeKeys, writeValues } = this;
    for (let i = 0; i < writeKeys.length; i++) {
      const value = writeValues[i];
      if (value === undefined) map.delete(writeKeys[i]);
      else map.set(writeKeys[i], value);
    }
  }
}

/**
 * The records an evaluation applies, in order, against those the memo's last evaluation
 * applied. While they are the same records in the same order from the start, the maps hold
 * what they held at the same point of the last evaluation: what each record read holds
 * without being compared, and its writes wait (the statements' other writes, star imports
 * and incompleteness, are applied at once). When the whole sequence is the last one again
 * (a line break, an edit to a comment), the last evaluation's maps are the result and
 * nothing is written; at the first difference the waiting writes are applied, in order.
 */
class ReplaySequence {
  /** The records applied so far, in order. */
  private readonly order: StatementRecord[] = [];
  /** Until the first difference: writes not applied yet (a record, or a block's together). */
  private pending: (StatementRecord | BlockEffect)[] | undefined = [];
  /** False once a statement ran without a record: the sequence then says nothing of the maps. */
  private complete = true;

  constructor(
    private readonly last: LastEvaluation | undefined,
    private readonly interpreter: UnitInterpreter,
  ) {
    if (!last) this.pending = undefined;
  }

  /** Whether these records come next in the last evaluation's order, with nothing different before. */
  follows(records: readonly StatementRecord[]): boolean {
    if (!this.pending || !this.last) return false;
    const at = this.order.length;
    if (at + records.length > this.last.records.length) return false;
    for (let i = 0; i < records.length; i++) if (this.last.records[at + i] !== records[i]) return false;
    return true;
  }

  /** These records' map writes wait (see follows). */
  defer(effect: StatementRecord | BlockEffect): void {
    this.pending!.push(effect);
    if ('writes' in effect) this.order.push(effect);
    else for (const record of effect.records) this.order.push(record);
  }

  /** A record applied to the maps already. */
  applied(record: StatementRecord): void {
    this.order.push(record);
  }

  /** A statement ran: its record (none when it failed half way) is new. */
  ran(record: StatementRecord | undefined): void {
    if (record) this.order.push(record);
    else this.complete = false;
  }

  /** Applies the waiting writes: from here on the maps are written as the evaluation goes. */
  diverge(): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    const { settings, bindings } = this.interpreter;
    for (const effect of pending) {
      if ('writes' in effect) applyMapWrites(effect, this.interpreter);
      else {
        effect.settings.applyTo(settings.map);
        effect.bindings.applyTo(bindings.map);
      }
    }
  }

  /** Ends the evaluation: the last maps again when nothing differed, else the waiting writes applied. What this evaluation applied is returned for the next. */
  end(): LastEvaluation | undefined {
    if (this.pending && this.last && this.order.length === this.last.records.length) {
      this.interpreter.settings.adopt(this.last.settings);
      this.interpreter.bindings.adopt(this.last.bindings);
      this.pending = undefined;
    } else this.diverge();
    if (!this.complete) return undefined;
    return { records: this.order, settings: this.interpreter.settings.map, bindings: this.interpreter.bindings.map };
  }
}

/** What the memo's last evaluation applied, in order, and the maps it gave. */
interface LastEvaluation {
  records: readonly StatementRecord[];
  settings: Map<string, SettingState>;
  bindings: Map<string, Binding>;
}

/** A block's statements' effects together (see KeptBlock.together). */
interface BlockEffect {
  settings: MapEffect;
  bindings: MapEffect;
  external: ExternalRead[];
  other: OtherWrite[];
  /** The statements' records, in order. */
  records: StatementRecord[];
}

/** A block's kept statements, with their effect together when every one was recorded. */
function keptBlock(statements: KeptStatement[], row: number): KeptBlock {
  const kept: KeptBlock = { statements, types: statements.map((statement) => statement.type), row };
  if (statements.some((statement) => !statement.record)) return kept;
  const together: BlockEffect = { settings: new MapEffect(), bindings: new MapEffect(), external: [], other: [], records: statements.map((statement) => statement.record!) };
  const maps = [together.settings, together.bindings];
  // A key read after the block wrote it, or read before, reads what the block knows already.
  const seen = [new Set<string>(), new Set<string>()];
  for (const { record } of statements) {
    for (const [tag, key, value] of record!.reads) {
      if (seen[tag].has(key)) continue;
      seen[tag].add(key);
      maps[tag].readKeys.push(key);
      maps[tag].readValues.push(value);
    }
    for (const read of record!.external) together.external.push(read);
    for (const write of record!.writes) {
      if (typeof write[0] !== 'number') {
        together.other.push(write as OtherWrite);
        continue;
      }
      const [tag, key, value] = write as readonly [StateTag, string, unknown];
      seen[tag].add(key);
      maps[tag].writeKeys.push(key);
      maps[tag].writeValues.push(value);
    }
  }
  kept.together = together;
  return kept;
}

/** A statement's place on its line, kind and text. */
function keyOf(node: Node, type: string): string {
  return `${node.startPosition.column}\u0000${type}\u0000${node.text}`;
}

/**
 * What one file's last evaluation recorded: per block, its statements; and the statements
 * of a module read whole, or of blocks gone since (edited, merged, cut), by key. Only what
 * the latest evaluation used survives it.
 */
export class BlockMemo {
  /** The memos of the files this module runs with `include()`, by file. */
  private readonly includedMemos = new Map<string, BlockMemo>();
  private blocks = new Map<object, KeptBlock>();
  private byKey = new Map<string, KeptStatement[]>();
  private nextBlocks = new Map<object, KeptBlock>();
  private nextByKey = new Map<string, KeptStatement[]>();
  private counts = { replayed: 0, executed: 0, moved: 0 };
  private lastEvaluation?: LastEvaluation;
  private replaying?: ReplaySequence;
  /** How the last evaluation went, in statements: replayed (moved: of those, replayed at another row) and run. */
  last = { replayed: 0, executed: 0, moved: 0 };

  /**
   * @param ordered whether evaluations start from empty maps, so that the order of their
   * records says what the maps hold (see ReplaySequence): true for a module's own statements,
   * false for a file run by `include()`, which starts from the including module's state.
   */
  constructor(private readonly ordered = true) {}

  /** The memo of a file this module runs with `include()`, in its own namespace. */
  included(file: string): BlockMemo {
    let memo = this.includedMemos.get(file);
    if (!memo) {
      memo = new BlockMemo(false);
      this.includedMemos.set(file, memo);
    }
    return memo;
  }

  /** Forgets the memos of files the module no longer includes. */
  keepIncluded(files: ReadonlySet<string>): void {
    for (const file of this.includedMemos.keys()) if (!files.has(file)) this.includedMemos.delete(file);
  }

  /** Starts an evaluation of these units: the statements of blocks that are gone are looked up by key. */
  begin(units: readonly EvaluationUnit[]): void {
    const current = new Set<object>();
    for (const unit of units) if (unit.identity) current.add(unit.identity);
    for (const [identity, kept] of this.blocks) {
      if (current.has(identity)) continue;
      for (const statement of kept.statements) if (statement.key !== undefined && statement.record) add(this.byKey, statement.key, statement);
      this.blocks.delete(identity);
    }
    // What an evaluation that did not finish kept is dropped.
    this.nextBlocks = new Map();
    this.nextByKey = new Map();
    this.counts = { replayed: 0, executed: 0, moved: 0 };
  }

  /** The order of this evaluation's records against the last one's (see ReplaySequence). */
  sequence(interpreter: UnitInterpreter): ReplaySequence {
    this.replaying = new ReplaySequence(this.lastEvaluation, interpreter);
    return this.replaying;
  }

  /** The statements of the block with this identity, if the last evaluation recorded it. */
  keptOf(identity: object): KeptBlock | undefined {
    return this.blocks.get(identity);
  }

  /** A recorded statement with this key, taken once (statements of the same text each have their own). */
  take(key: string): KeptStatement | undefined {
    const statements = this.byKey.get(key);
    const statement = statements?.shift();
    if (statements?.length === 0) this.byKey.delete(key);
    return statement;
  }

  /** Keeps a block's statements for the next evaluation, by its identity. */
  keepBlock(identity: object, kept: KeptBlock): void {
    this.nextBlocks.set(identity, kept);
  }

  /** Keeps the statements of a module read whole for the next evaluation, by key. */
  keepStatements(statements: readonly KeptStatement[]): void {
    for (const statement of statements) if (statement.key !== undefined && statement.record) add(this.nextByKey, statement.key, statement);
  }

  count(replayed: boolean, moved = false, statements = 1): void {
    this.counts[replayed ? 'replayed' : 'executed'] += statements;
    if (replayed && moved) this.counts.moved += statements;
  }

  finish(): void {
    const ended = this.replaying?.end();
    // An included file's last maps were the including module's: they say nothing of the next run's.
    this.lastEvaluation = this.ordered ? ended : undefined;
    this.replaying = undefined;
    this.blocks = this.nextBlocks;
    this.byKey = this.nextByKey;
    this.nextBlocks = new Map();
    this.nextByKey = new Map();
    this.last = this.counts;
  }

  /** Statements recorded. */
  get size(): number {
    let size = 0;
    for (const kept of this.blocks.values()) size += kept.statements.length;
    for (const statements of this.byKey.values()) size += statements.length;
    return size;
  }
}

function add(map: Map<string, KeptStatement[]>, key: string, statement: KeptStatement): void {
  const list = map.get(key);
  if (list) list.push(statement);
  else map.set(key, [statement]);
}

/**
 * A copy of a text that does not share the memory of the string it was sliced from: V8
 * keeps a slice's whole source alive, here a version of the module text, and a memo
 * keeping statements' texts would keep every version they came from.
 */
function detachedText(text: string): string {
  return text.length < 13 ? text : Buffer.from(text, 'utf16le').toString('utf16le');
}

/**
 * A settings or bindings map of the module being evaluated (`map`). While a statement is
 * being recorded, every read of a key the statement has not written yet, and every write,
 * is logged.
 */
export class TrackedMap<V extends SettingState | Binding> {
  #map = new Map<string, V>();
  recorder?: StatementRecorder;

  constructor(private readonly tag: StateTag) {}

  get map(): Map<string, V> {
    return this.#map;
  }

  /** Takes the maps of an evaluation that applied the same records (see ReplaySequence), instead of this one's, empty. */
  adopt(map: Map<string, V>): void {
    this.#map = map;
  }

  get(key: string): V | undefined {
    const value = this.#map.get(key);
    this.recorder?.read(this.tag, key, value);
    return value;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  set(key: string, value: V): void {
    this.recorder?.write([this.tag, key, value]);
    this.#map.set(key, value);
  }

  delete(key: string): void {
    this.recorder?.write([this.tag, key, undefined]);
    this.#map.delete(key);
  }
}

export class StatementRecorder {
  private readonly reads: StateRead[] = [];
  private readonly external: ExternalRead[] = [];
  private readonly writes: StateWrite[] = [];
  /** Per map, the keys read or written already: a key reads the same until the statement writes it, so once is enough. */
  private readonly seen = [new Set<string>(), new Set<string>()];

  read(tag: StateTag, key: string, value: SettingState | Binding | undefined): void {
    const seen = this.seen[tag];
    if (seen.has(key)) return;
    seen.add(key);
    this.reads.push([tag, key, value]);
  }

  write(write: StateWrite): void {
    if (typeof write[0] === 'number') this.seen[write[0]].add(write[1]);
    this.writes.push(write);
  }

  readExternal(read: ExternalRead): void {
    this.external.push(read);
  }

  recorded(): Pick<StatementRecord, 'reads' | 'external' | 'writes'> {
    return { reads: this.reads, external: this.external, writes: this.writes };
  }

  /**
   * What a statement of a file run by `include()` read and wrote, in order, as this statement
   * (the include) doing it: a key this one wrote already is not a read of what was before.
   */
  absorb(inner: Pick<StatementRecord, 'reads' | 'external' | 'writes'>): void {
    for (const [tag, key, value] of inner.reads) this.read(tag, key, value);
    for (const read of inner.external) this.readExternal(read);
    for (const write of inner.writes) this.write(write);
  }
}
