import type { Binding } from '../settings/evaluate-expression';
import type { EvaluatedModule, SettingState } from '../settings/settings-module';
import type { ModuleSyntax } from '../parse/module-syntax';
import type { RowAnchor, StatementAnchor } from './anchored-locations';
import type { Location } from '../types';
import type { SourceFile } from './source-store';
import { LineShift } from './line-shift';
import { BlockChain } from './block-chain';

/**
 * What executing one top-level statement of a settings module did, recorded so that the
 * next evaluation of an edited module can replay it instead of walking its syntax tree
 * again. Walking nodes is the dominant cost of evaluation (every node crosses the
 * WebAssembly boundary), and a keystroke changes one statement out of hundreds.
 *
 * A replay is exact: it is only taken when everything the statement read — settings,
 * bindings, module resolutions, other modules' evaluations — is the very same object
 * as when it was recorded. Recorded objects are never mutated, so identity is equality.
 */
export interface StatementEffect {
  reads: StateRead[];
  external: ExternalRead[];
  writes: StateWrite[];
}

/** 0: settings, 1: bindings. */
export type StateTag = 0 | 1;
type StateRead = readonly [StateTag, string, SettingState | Binding | undefined];
/** A value of undefined is a deletion. */
/** A star import's or `include()`'s file, the statement, and whether it is an include. */
export type StateWrite = readonly [StateTag, string, SettingState | Binding | undefined] | readonly ['star-import', string, Location, boolean] | readonly ['incomplete', string?];
export type ExternalRead =
  /** `from` is the importing file when it is not the module itself (a file it includes). */
  | { kind: 'resolve'; from?: string; name: string; level: number; result: string | undefined }
  | { kind: 'evaluate'; file: string; result: EvaluatedModule | undefined }
  /** The files a pattern matched, joined. */
  | { kind: 'glob'; dir: string; pattern: string; result: string }
  | { kind: 'source'; file: string; result: SourceFile | undefined };

/** Where a statement is and what it says: the same text at the same place reads the same way. */
export interface StatementPlace {
  type: string;
  row: number;
  column: number;
  text: string;
}

export interface MemoEntry {
  place: StatementPlace;
  effect: StatementEffect;
  /** Moved with its statement by a line added or removed above it (for the counts). */
  moved?: boolean;
  /** The anchor every location the statement recorded follows. */
  anchor: StatementAnchor;
}

/** One named child of a block (comments included), with its place and effect when it was recorded. */
export interface RecordedStatement {
  type: string;
  place?: StatementPlace;
  effect?: StatementEffect;
  /** The anchor every location it recorded follows. */
  anchor?: StatementAnchor;
}

/** What evaluating a block of statements did (see StatementBlock). */
export interface BlockRecord {
  statements: RecordedStatement[];
  /** The block's effect as one: what it read from before it, and everything it wrote; undefined when a statement of it was not recorded. */
  combined?: StatementEffect;
  /** Of the combined writes, those to neither map (star imports, incompleteness), in order. */
  other?: StateWrite[];
  /** Of the statements, how many are recorded (not comments). */
  recorded: number;
}

/** A block's record as kept between evaluations. */
export interface KeptBlock {
  record: BlockRecord;
  /** The block's anchor (see RowAnchor). */
  anchor: RowAnchor;
  /** The row the block started at when its statements' places were taken. */
  rowBase: number;
  /** Moved since the last evaluation (for the counts). */
  moved?: boolean;
}

/**
 * Statement effects of one file, kept between evaluations: only what the latest one used
 * survives. A statement is identified by its kind, place and text; a block of statements
 * parsed on its own (a large module, see BlockedModule) by its identity, which holds as
 * long as its text is unchanged, so its statements need not be read to be recognised.
 */
export class StatementMemo {
  private previous = new Map<number, MemoEntry>();
  private next = new Map<number, MemoEntry>();
  private previousBlocks = new Map<object, KeptBlock>();
  private nextBlocks = new Map<object, KeptBlock>();
  /** The module text the kept effects were recorded from. */
  private text?: string;
  private counts = { replayed: 0, executed: 0, moved: 0 };
  /** The state of a module in blocks, kept between its evaluations (see BlockChain). */
  chain?: BlockChain;
  /** The anchor statements of a module read whole count their rows from: its first row, which never moves. */
  readonly root: RowAnchor = { row: 0 };
  /** How the last evaluation went: statements replayed (moved: of those, replayed at a new line) and executed. */
  last = { replayed: 0, executed: 0, moved: 0 };

  /**
   * Starts an evaluation of `text`, parsed as `syntax`. Statements of blocks that are gone
   * (edited, merged, cut) are looked up by place, at the rows of the last evaluated text.
   * When lines were added or removed, a kept block moves with its anchor, and a statement
   * looked up by place takes its anchor to its new row when it is replayed: everything it
   * recorded follows (see StatementAnchor), so pressing Enter neither copies nor
   * re-executes the rest of the module.
   */
  begin(text: string, syntax?: ModuleSyntax): void {
    const shift = this.text === undefined ? undefined : LineShift.between(this.text, text);
    this.text = text;
    const blocks = syntax?.blocks;
    if (blocks) {
      this.chain ??= new BlockChain();
      this.chain.begin(blocks);
    } else this.chain = undefined;
    const current = new Map(blocks?.map((block) => [block.identity, block]));
    for (const [identity, kept] of this.previousBlocks) {
      const block = current.get(identity);
      if (!block) {
        this.retire(kept);
        this.previousBlocks.delete(identity);
      } else if (block.startRow !== kept.anchor.row) kept.moved = true;
    }
    // A kept block moves with its anchor, and its statements with it (see StatementAnchor).
    if (blocks) for (const block of blocks) block.anchor.row = block.startRow;
    if (!shift) return;
    // Statements looked up by place move with their lines; their anchors are moved if they
    // are replayed. An anchor moves rows, not columns: a statement after another on its
    // line that moved along the line runs again.
    const relocated = new Map<number, MemoEntry>();
    for (const entry of this.previous.values()) {
      const start = shift.start({ line: entry.place.row, character: entry.place.column });
      if (!start || start.character !== entry.place.column) continue;
      const moved = start.line !== entry.place.row;
      relocated.set(placeKey(start.line, start.character), moved ? { ...entry, place: { ...entry.place, row: start.line }, moved: true } : entry);
    }
    this.previous = relocated;
  }

  /** A block that is gone (edited, merged, cut): its statements are looked up by place, at the rows of the last evaluated text. */
  private retire(kept: KeptBlock): void {
    const delta = kept.anchor.row - kept.rowBase;
    for (const statement of kept.record.statements) {
      if (!statement.place || !statement.effect || !statement.anchor) continue;
      const place = delta === 0 ? statement.place : { ...statement.place, row: statement.place.row + delta };
      this.previous.set(placeKey(place.row, place.column), { place, effect: statement.effect, anchor: statement.anchor });
    }
  }

  /** The recorded statement at this place with this kind and text, if any. */
  get(place: StatementPlace): MemoEntry | undefined {
    const entry = this.previous.get(placeKey(place.row, place.column));
    return entry && entry.place.type === place.type && entry.place.text === place.text ? entry : undefined;
  }

  /** Keeps a statement's effect for the next evaluation (a module parsed whole). */
  keep(place: StatementPlace, effect: StatementEffect, anchor: StatementAnchor, replayed: boolean): void {
    const key = placeKey(place.row, place.column);
    this.count(replayed, 1, this.previous.get(key)?.moved);
    this.next.set(key, { place, effect, anchor });
  }

  /** What was recorded of the block with this identity (its text unchanged since), if anything. */
  block(identity: object): KeptBlock | undefined {
    return this.previousBlocks.get(identity);
  }

  keepBlock(identity: object, kept: KeptBlock): void {
    this.nextBlocks.set(identity, kept);
  }

  /** Counts statements of blocks (kept with their block, not one by one). */
  count(replayed: boolean, statements = 1, moved = false): void {
    this.counts[replayed ? 'replayed' : 'executed'] += statements;
    if (replayed && moved) this.counts.moved += statements;
  }

  /** Ends one evaluation: effects not used by it are dropped. */
  finish(): void {
    this.previous = this.next;
    this.next = new Map();
    this.previousBlocks = this.nextBlocks;
    this.nextBlocks = new Map();
    this.last = this.counts;
    this.counts = { replayed: 0, executed: 0, moved: 0 };
  }

  /** Forgets everything: an evaluation failed half way, and what it changed cannot be trusted. */
  reset(): void {
    this.previous = new Map();
    this.next = new Map();
    this.previousBlocks = new Map();
    this.nextBlocks = new Map();
    this.text = undefined;
    this.chain = undefined;
    this.counts = { replayed: 0, executed: 0, moved: 0 };
  }

  get size(): number {
    let size = this.previous.size;
    for (const kept of this.previousBlocks.values()) size += kept.record.recorded;
    return size;
  }
}

/** A block's record from its statements' effects: the combined effect replays the block in one go. */
export function blockRecord(statements: RecordedStatement[]): BlockRecord {
  const recorded = statements.filter((statement) => statement.type !== 'comment');
  if (recorded.some((statement) => !statement.effect)) return { statements, recorded: recorded.length };
  const combined: StatementEffect = { reads: [], external: [], writes: [] };
  const written = new Set<string>();
  // A key the block has not written reads the same at every statement: once is enough.
  const read = new Set<string>();
  for (const { effect } of recorded) {
    for (const entry of effect!.reads) {
      const key = `${entry[0]}${entry[1]}`;
      if (written.has(key) || read.has(key)) continue;
      read.add(key);
      combined.reads.push(entry);
    }
    combined.external.push(...effect!.external);
    for (const write of effect!.writes) {
      if (typeof write[0] === 'number') written.add(`${write[0]}${write[1]}`);
      combined.writes.push(write);
    }
  }
  return { statements, combined, other: otherWrites(combined.writes), recorded: recorded.length };
}

function otherWrites(writes: readonly StateWrite[]): StateWrite[] {
  return writes.filter((write) => typeof write[0] !== 'number');
}

/** One statement starts at a place: the place is the key, and kind and text must match too. */
function placeKey(line: number, character: number): number {
  return line * 0x100000000 + character;
}

/**
 * A copy of a statement's text that does not share the memory of the string it was sliced
 * from: V8 keeps a slice's whole source alive, here a version of the module text, and a
 * memo keeping statements' texts would keep every version they came from.
 */
export function detachedText(text: string): string {
  return text.length < 13 ? text : Buffer.from(text, 'utf16le').toString('utf16le');
}

/** A settings or bindings map as a statement being evaluated reads and writes it. */
export interface StateMap<V> {
  recorder?: StatementRecorder;
  get(key: string): V | undefined;
  has(key: string): boolean;
  set(key: string, value: V): void;
  delete(key: string): void;
  /** Reads without logging (replay checks). */
  peek(key: string): V | undefined;
  /** Applies a recorded write without logging. */
  apply(key: string, value: V | undefined): void;
}

/**
 * A settings or bindings map of the module being evaluated. While a statement is being
 * recorded, every read of a key the statement has not written yet, and every write, is
 * logged.
 */
export class TrackedMap<V extends SettingState | Binding> extends Map<string, V> implements StateMap<V> {
  recorder?: StatementRecorder;

  constructor(private readonly tag: StateTag) {
    super();
  }

  override get(key: string): V | undefined {
    const value = super.get(key);
    this.recorder?.read(this.tag, key, value);
    return value;
  }

  override has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  override set(key: string, value: V): this {
    this.recorder?.write([this.tag, key, value]);
    return super.set(key, value);
  }

  override delete(key: string): boolean {
    this.recorder?.write([this.tag, key, undefined]);
    return super.delete(key);
  }

  /** Reads without logging (replay checks). */
  peek(key: string): V | undefined {
    return super.get(key);
  }

  /** Applies a recorded write without logging. */
  apply(key: string, value: V | undefined): void {
    if (value === undefined) super.delete(key);
    else super.set(key, value);
  }
}

export class StatementRecorder {
  private readonly reads: StateRead[] = [];
  private readonly external: ExternalRead[] = [];
  private readonly writes: StateWrite[] = [];
  private readonly written = new Set<string>();

  read(tag: StateTag, key: string, value: SettingState | Binding | undefined): void {
    if (!this.written.has(`${tag}${key}`)) this.reads.push([tag, key, value]);
  }

  write(write: StateWrite): void {
    if (typeof write[0] === 'number') this.written.add(`${write[0]}${write[1]}`);
    this.writes.push(write);
  }

  readExternal(read: ExternalRead): void {
    this.external.push(read);
  }

  effect(): StatementEffect {
    return { reads: this.reads, external: this.external, writes: this.writes };
  }
}
