import type { Binding } from './evaluate-expression';
import type { EvaluatedModule, SettingState } from './settings-module';
import type { Location } from '../types';
import { LineShift, LocationMover } from './moved-locations';

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
type StateWrite = readonly [StateTag, string, SettingState | Binding | undefined] | readonly ['star-import', string, Location] | readonly ['incomplete'];
export type ExternalRead = { kind: 'resolve'; name: string; level: number; result: string | undefined } | { kind: 'evaluate'; file: string; result: EvaluatedModule | undefined };

interface MemoEntry {
  type: string;
  line: number;
  character: number;
  text: string;
  effect: StatementEffect;
  /** Moved with its statement by a line added or removed above it (for the counts). */
  moved?: boolean;
}

/**
 * Statement effects of one file, kept between evaluations: only what the latest one used
 * survives. A statement is identified by its kind, place and text: the same text at the
 * same place reads the same way.
 */
export class StatementMemo {
  private previous = new Map<number, MemoEntry>();
  private next = new Map<number, MemoEntry>();
  /** The module text the kept effects were recorded from. */
  private text?: string;
  private counts = { replayed: 0, executed: 0, moved: 0 };
  /** How the last evaluation went: statements replayed (moved: of those, replayed at a new line) and executed. */
  last = { replayed: 0, executed: 0, moved: 0 };

  /**
   * Starts an evaluation of `text`. When lines were added or removed since the kept effects
   * were recorded, the effects of the statements after the change are moved with them
   * (their locations included), so pressing Enter does not re-execute the rest of the module.
   */
  begin(file: string, text: string): void {
    const shift = this.text === undefined ? undefined : LineShift.between(this.text, text);
    this.text = text;
    if (!shift) return;
    const mover = new LocationMover(file, shift);
    const moved = new Map<number, MemoEntry>();
    for (const entry of this.previous.values()) {
      const start = shift.start({ line: entry.line, character: entry.character });
      if (!start) continue;
      if (start.line === entry.line && start.character === entry.character) {
        moved.set(placeKey(entry.line, entry.character), entry);
        continue;
      }
      const relocated = { ...entry, line: start.line, character: start.character, effect: moveEffect(entry.effect, mover), moved: true };
      moved.set(placeKey(relocated.line, relocated.character), relocated);
    }
    this.previous = moved;
  }

  get(type: string, line: number, character: number, text: string): StatementEffect | undefined {
    const entry = this.previous.get(placeKey(line, character));
    return entry && entry.type === type && entry.text === text ? entry.effect : undefined;
  }

  keep(type: string, line: number, character: number, text: string, effect: StatementEffect, replayed: boolean): void {
    const key = placeKey(line, character);
    if (replayed && this.previous.get(key)?.moved) this.counts.moved++;
    this.next.set(key, { type, line, character, text, effect });
    this.counts[replayed ? 'replayed' : 'executed']++;
  }

  /** Ends one evaluation: effects not used by it are dropped. */
  finish(): void {
    this.previous = this.next;
    this.next = new Map();
    this.last = this.counts;
    this.counts = { replayed: 0, executed: 0, moved: 0 };
  }

  get size(): number {
    return this.previous.size;
  }
}

/** One statement starts at a place: the place is the key, and kind and text must match too. */
function placeKey(line: number, character: number): number {
  return line * 0x100000000 + character;
}

/** An effect with its locations moved. What it read from other modules stays as it was. */
function moveEffect(effect: StatementEffect, mover: LocationMover): StatementEffect {
  return {
    reads: effect.reads.map(([tag, key, value]) => [tag, key, mover.move(value)] as const),
    external: effect.external,
    writes: effect.writes.map((write) => (write[0] === 'incomplete' ? write : ([write[0], write[1], mover.move(write[2])] as StateWrite))),
  };
}

/**
 * A settings or bindings map of the module being evaluated. While a statement is being
 * recorded, every read of a key the statement has not written yet, and every write, is
 * logged.
 */
export class TrackedMap<V extends SettingState | Binding> extends Map<string, V> {
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
