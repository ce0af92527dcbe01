import type { SettingDefinition, SettingState } from './module-state';

/**
 * A setting's definitions in execution order, shared between the states that extend one
 * another: a state made by appending to the latest history writes into the same buffer
 * instead of copying it, so a setting assigned or appended to n times costs O(n) in all,
 * not O(n²). A history that is extended from an older state (two branches) copies once.
 */
export class DefinitionList {
  private array?: SettingDefinition[];

  private constructor(
    private readonly buffer: SettingDefinition[],
    private readonly length: number,
  ) {}

  static readonly EMPTY = new DefinitionList([], 0);

  static of(definitions: readonly SettingDefinition[]): DefinitionList {
    return new DefinitionList([...definitions], definitions.length);
  }

  append(definitions: readonly SettingDefinition[]): DefinitionList {
    if (definitions.length === 0) return this;
    const buffer = this.buffer.length === this.length ? this.buffer : this.buffer.slice(0, this.length);
    for (const definition of definitions) buffer.push(definition);
    return new DefinitionList(buffer, buffer.length);
  }

  toArray(): SettingDefinition[] {
    this.array ??= this.buffer.length === this.length ? this.buffer.slice() : this.buffer.slice(0, this.length);
    return this.array;
  }
}

/** Where a state made by settingState keeps its list (a symbol: JSON leaves it out). */
const LIST = Symbol('definitions');

type ListedState = SettingState & { [LIST]?: DefinitionList };

/** A setting's state whose `history` is read from `definitions` when asked for. */
export function settingState(name: string, value: SettingState['value'], definition: SettingDefinition, definitions: DefinitionList): SettingState {
  const state: ListedState = {
    name,
    value,
    definition,
    get history() {
      return definitions.toArray();
    },
    // On the state rather than in a WeakMap beside it: a WeakMap entry per state was 8% of
    // a 5,000-line module's first evaluation.
    [LIST]: definitions,
  };
  return state;
}

/** The definitions of a state, shared when it was made by settingState. */
export function definitionsOf(state: SettingState | undefined): DefinitionList {
  if (!state) return DefinitionList.EMPTY;
  return (state as ListedState)[LIST] ?? DefinitionList.of(state.history);
}
