import type { Binding } from '../settings/evaluate-expression';
import type { SettingState } from '../settings/settings-module';
import type { StateMap, StatementEffect, StatementRecorder, StateTag } from './statement-memo';
import type { StatementBlock } from '../parse/module-syntax';

/**
 * The state of a settings module kept in blocks (see BlockedModule), kept between
 * evaluations so that a keystroke costs what it changes, not what the module holds.
 *
 * Each block's writes are kept as versions of the keys it wrote: the value of a key at the
 * start of a block is the version of the last block before it that wrote the key. An
 * evaluation re-runs the blocks that changed and replaces their versions; a block that did
 * not change is replayed when none of the keys it read from before it has a changed version
 * with a different value there, which is checked key by key for the few keys that changed.
 * The module's final maps are patched in place for those keys. They are rebuilt from every
 * block's writes, in order, only when the sequence of keys set and deleted changed (a name
 * typed, a setting removed), because a rebuilt Map's order is then what a whole evaluation
 * would give.
 */
export class BlockChain {
  readonly settings = new VersionedMap<SettingState>();
  readonly bindings = new VersionedMap<Binding>();
  private readonly slots = new Map<object, Slot>();
  /** Slots of blocks gone since the last evaluation, in their order then, with the writes they had. */
  private gone: Slot[] = [];
  /** Of those, the first not yet compared with the new blocks that took their place (see closeGap). */
  private nextGone = 0;
  /** Blocks new in this evaluation since the last kept one. */
  private gapNew: Slot[] = [];
  /** The keys set and deleted, in order, are not what they were: the final maps are rebuilt. */
  private reordered = false;

  /** Starts an evaluation of these blocks: blocks that are gone lose their versions. */
  begin(blocks: readonly StatementBlock[]): void {
    const current = new Set<object>();
    for (const block of blocks) current.add(block.identity);
    for (const [identity, slot] of this.slots) {
      if (current.has(identity)) continue;
      this.settings.drop(slot);
      this.bindings.drop(slot);
      this.gone.push(slot);
      this.slots.delete(identity);
    }
    this.gone.sort((a, b) => a.order - b.order);
    for (const [order, block] of blocks.entries()) {
      let slot = this.slots.get(block.identity);
      if (!slot) {
        slot = { order, previousOrder: -1 };
        this.slots.set(block.identity, slot);
      } else {
        slot.previousOrder = slot.order;
        slot.order = order;
      }
    }
  }

  /** The block's slot, once the blocks before it are evaluated: the changes of new blocks before a kept one are settled first. */
  slotOf(block: StatementBlock): Slot {
    const slot = this.slots.get(block.identity)!;
    if (slot.previousOrder >= 0) this.closeGap(slot.previousOrder);
    return slot;
  }

  /** Whether a block recorded in the last evaluation reads the same now from the blocks before it. */
  replays(slot: Slot, effect: StatementEffect | undefined): boolean {
    if (!effect || slot.previousOrder < 0) return false;
    const [settingReads, bindingReads] = readIndex(effect);
    return this.settings.readsHold(settingReads, slot.order) && this.bindings.readsHold(bindingReads, slot.order);
  }

  /** Replaces a block's versions with what it wrote now. */
  replace(slot: Slot, settings: BlockWrites<SettingState>, bindings: BlockWrites<Binding>): void {
    // Both maps are replaced whatever the first says.
    const settingsInOrder = this.settings.replace(slot, settings);
    const bindingsInOrder = this.bindings.replace(slot, bindings);
    if (!settingsInOrder || !bindingsInOrder) this.reordered = true;
    if (slot.previousOrder < 0) this.gapNew.push(slot);
  }

  /** Ends an evaluation: the final maps hold the module's settings and bindings after its last block. */
  finish(blocks: readonly StatementBlock[]): void {
    this.closeGap(Number.POSITIVE_INFINITY);
    if (this.reordered) {
      const order = blocks.map((block) => this.slots.get(block.identity)!);
      this.settings.rebuild(order);
      this.bindings.rebuild(order);
    } else {
      this.settings.patch();
      this.bindings.patch();
    }
    this.gone = [];
    this.nextGone = 0;
    this.reordered = false;
  }

  /**
   * Compares the blocks that are gone before the kept block that was at `until` with the new
   * blocks that took their place (a block parsed again after an edit, blocks merged or cut):
   * the keys whose last value differs between them are changed for the blocks after, and
   * the final maps keep their order when they set and delete the same keys in the same order.
   */
  private closeGap(until: number): void {
    const before: Slot[] = [];
    while (this.nextGone < this.gone.length && this.gone[this.nextGone].order < until) before.push(this.gone[this.nextGone++]);
    const now = this.gapNew;
    if (before.length === 0 && now.length === 0) return;
    this.gapNew = [];
    // Both maps are settled whatever the first says.
    const settingsInOrder = this.settings.settleGap(before, now);
    const bindingsInOrder = this.bindings.settleGap(before, now);
    if (!settingsInOrder || !bindingsInOrder) this.reordered = true;
  }
}

/** A block as the chain knows it. */
export interface Slot {
  /** Its index among the blocks of the current evaluation (of the last one, for a gone block). */
  order: number;
  /** Its index in the last evaluation; -1 for a block new in this one. */
  previousOrder: number;
}

/** What one block wrote to one map: every write in order (undefined: deleted), and the last value per key. */
export interface BlockWrites<V> {
  keys: string[];
  values: (V | undefined)[];
  last: Map<string, V | undefined>;
  /** The keys set and deleted, in order, as one string (see VersionedMap.settleGap). */
  ops?: string;
}

interface Versions<V> {
  slots: Slot[];
  values: (V | undefined)[];
}

/** One map of a module in blocks: every block's version of each key, and the final state. */
export class VersionedMap<V extends SettingState | Binding> {
  /** The state after the last block; rebuilt or patched by BlockChain.finish. */
  readonly final = new Map<string, V>();
  private readonly versions = new Map<string, Versions<V>>();
  private readonly writes = new Map<Slot, BlockWrites<V>>();
  /** Writes of blocks gone in this evaluation (see settleGap). */
  private readonly goneWrites = new Map<Slot, BlockWrites<V>>();
  /** Keys whose versions changed in this evaluation. */
  private readonly changed = new Set<string>();

  /** The value of `key` at the start of the block at `order` (undefined: not set). */
  valueBefore(key: string, order: number): V | undefined {
    const versions = this.versions.get(key);
    if (!versions) return undefined;
    const { slots } = versions;
    let low = 0;
    let high = slots.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (slots[middle].order < order) low = middle + 1;
      else high = middle;
    }
    return low === 0 ? undefined : versions.values[low - 1];
  }

  /** Whether each key read (with the value it had) that changed in this evaluation reads the same at `order`. */
  readsHold(reads: ReadonlyMap<string, V | undefined>, order: number): boolean {
    if (this.changed.size <= reads.size) {
      for (const key of this.changed) {
        if (reads.has(key) && this.valueBefore(key, order) !== reads.get(key)) return false;
      }
    } else {
      for (const [key, value] of reads) {
        if (this.changed.has(key) && this.valueBefore(key, order) !== value) return false;
      }
    }
    return true;
  }

  /** Forgets a gone block's versions; what changes for the blocks after it is settled with the new blocks in its place (settleGap). */
  drop(slot: Slot): void {
    const writes = this.writes.get(slot);
    if (!writes) return;
    for (const key of writes.last.keys()) this.removeVersion(key, slot);
    this.goneWrites.set(slot, writes);
    this.writes.delete(slot);
  }

  /**
   * Makes `next` the block's versions; false when the block now sets or deletes other keys,
   * or in another order, than it did. A key a kept block now leaves with another value is
   * changed for the blocks after it (a new block's are settled with its gap, see settleGap).
   */
  replace(slot: Slot, next: BlockWrites<V>): boolean {
    const previous = this.writes.get(slot);
    this.writes.set(slot, next);
    if (previous) {
      for (const key of previous.last.keys()) {
        if (next.last.has(key)) continue;
        this.removeVersion(key, slot);
        this.changed.add(key);
      }
    }
    for (const [key, value] of next.last) {
      if (previous && previous.last.has(key) && previous.last.get(key) === value) continue;
      this.putVersion(key, slot, value);
      if (previous) this.changed.add(key);
    }
    return !previous || opsOf(previous) === opsOf(next);
  }

  /**
   * Settles gone blocks against the new ones in their place: keys they leave with another
   * last value (or unset) are changed for the blocks after them. False when they did not set
   * and delete the same keys in the same order.
   */
  settleGap(before: readonly Slot[], now: readonly Slot[]): boolean {
    const lastOf = (slots: readonly Slot[], from: Map<Slot, BlockWrites<V>>) => {
      const last = new Map<string, V | undefined>();
      for (const slot of slots) for (const [key, value] of from.get(slot)?.last ?? []) last.set(key, value);
      return last;
    };
    const old = lastOf(before, this.goneWrites);
    const fresh = lastOf(now, this.writes);
    for (const [key, value] of old) if (!fresh.has(key) || fresh.get(key) !== value) this.changed.add(key);
    for (const key of fresh.keys()) if (!old.has(key)) this.changed.add(key);
    const ops = (slots: readonly Slot[], from: Map<Slot, BlockWrites<V>>) => slots.map((slot) => opsOf(from.get(slot))).join('');
    return ops(before, this.goneWrites) === ops(now, this.writes);
  }

  /** The final map from every block's writes in order: the order a whole evaluation gives. */
  rebuild(order: readonly Slot[]): void {
    this.final.clear();
    for (const slot of order) {
      const writes = this.writes.get(slot);
      if (!writes) continue;
      const { keys, values } = writes;
      for (let i = 0; i < keys.length; i++) {
        const value = values[i];
        if (value === undefined) this.final.delete(keys[i]);
        else this.final.set(keys[i], value);
      }
    }
    this.changed.clear();
    this.goneWrites.clear();
  }

  /** The final map with the changed keys' last versions: the same keys in the same order (BlockChain checked). */
  patch(): void {
    for (const key of this.changed) {
      const versions = this.versions.get(key);
      const last = versions?.values[versions.values.length - 1];
      if (last === undefined) this.final.delete(key);
      else this.final.set(key, last);
    }
    this.changed.clear();
    this.goneWrites.clear();
  }

  private putVersion(key: string, slot: Slot, value: V | undefined): void {
    let versions = this.versions.get(key);
    if (!versions) {
      this.versions.set(key, { slots: [slot], values: [value] });
      return;
    }
    const at = versions.slots.indexOf(slot);
    if (at >= 0) {
      versions.values[at] = value;
      return;
    }
    let index = versions.slots.length;
    while (index > 0 && versions.slots[index - 1].order > slot.order) index--;
    versions.slots.splice(index, 0, slot);
    versions.values.splice(index, 0, value);
  }

  private removeVersion(key: string, slot: Slot): void {
    const versions = this.versions.get(key);
    if (!versions) return;
    const at = versions.slots.indexOf(slot);
    if (at < 0) return;
    if (versions.slots.length === 1) {
      this.versions.delete(key);
      return;
    }
    versions.slots.splice(at, 1);
    versions.values.splice(at, 1);
  }
}

function opsOf<V>(writes: BlockWrites<V> | undefined): string {
  if (!writes) return '';
  if (writes.ops === undefined) {
    let ops = '';
    // A key cannot hold these characters: each op is the key and whether it was set.
    for (let i = 0; i < writes.keys.length; i++) ops += writes.keys[i] + (writes.values[i] === undefined ? '\u0002' : '\u0001');
    writes.ops = ops;
  }
  return writes.ops;
}

const readIndexes = new WeakMap<StatementEffect, [Map<string, SettingState | undefined>, Map<string, Binding | undefined>]>();

/** A combined effect's reads by map and key. */
function readIndex(effect: StatementEffect): [Map<string, SettingState | undefined>, Map<string, Binding | undefined>] {
  let index = readIndexes.get(effect);
  if (!index) {
    index = [new Map(), new Map()];
    for (const [tag, key, value] of effect.reads) {
      if (tag === 0) index[0].set(key, value as SettingState | undefined);
      else index[1].set(key, value as Binding | undefined);
    }
    readIndexes.set(effect, index);
  }
  return index;
}

/**
 * One map of the module as a block being evaluated sees it: its own writes over the
 * chain's versions from before it. Reads and writes are recorded as TrackedMap's are.
 */
export class BlockView<V extends SettingState | Binding> implements StateMap<V> {
  recorder?: StatementRecorder;
  private order = 0;
  private writes: BlockWrites<V> = { keys: [], values: [], last: new Map() };

  constructor(
    private readonly versions: VersionedMap<V>,
    private readonly tag: StateTag,
  ) {}

  /** Starts a block: nothing written yet. */
  enter(order: number): void {
    this.order = order;
    this.writes = { keys: [], values: [], last: new Map() };
  }

  /** What the block wrote. */
  written(): BlockWrites<V> {
    return this.writes;
  }

  get(key: string): V | undefined {
    const value = this.peek(key);
    this.recorder?.read(this.tag, key, value);
    return value;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  set(key: string, value: V): void {
    this.recorder?.write([this.tag, key, value]);
    this.apply(key, value);
  }

  delete(key: string): void {
    this.recorder?.write([this.tag, key, undefined]);
    this.apply(key, undefined);
  }

  peek(key: string): V | undefined {
    const { last } = this.writes;
    return last.has(key) ? last.get(key) : this.versions.valueBefore(key, this.order);
  }

  apply(key: string, value: V | undefined): void {
    this.writes.keys.push(key);
    this.writes.values.push(value);
    this.writes.last.set(key, value);
  }
}
