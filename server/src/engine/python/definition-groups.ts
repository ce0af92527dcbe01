import type { Node } from '../parse/python';
import type { ModuleUnit } from './module-units';

/**
 * Which top-level definitions of a module the code rules' memo analyses together (see
 * definition-memo.ts): those connected by the names they bind and mention.
 */

const IDENTIFIER = /[\p{L}_][\p{L}\p{N}_]*/gu;
const DEFINED_NAME = /\b(?:def|class)\s+([\p{L}_][\p{L}\p{N}_]*)/gu;
const GLOBAL_NAMES = /\bglobal\s+([^\n;#]+)/gu;
/** A line assigning names (`x = …`, `a, b = …`, `x: int = …`), a class attribute when it is in a class body. */
const ASSIGNED_NAMES = /^[ \t]*((?:[\p{L}_][\p{L}\p{N}_]*[ \t]*,[ \t]*)*[\p{L}_][\p{L}\p{N}_]*)[ \t]*(?::[^=\n]*)?=(?!=)/gmu;
const SELF_ATTRIBUTE = /\bself\.([\p{L}_][\p{L}\p{N}_]*)\s*(?::[^=\n]*)?=(?!=)/gu;

/** What a definition mentions (every identifier-like word of its text, strings and comments included: more is safe) and what it makes visible outside itself. */
export interface Names {
  mentioned: Set<string>;
  defined: Set<string>;
  /** A definition's own name. */
  own?: string;
}

/**
 * The names a definition binds for the rest of the module: its own name and `global`s for a
 * function (its locals are its own); for a class also every name assigned, defined or
 * imported in it and every `self.x` it sets (its attributes and methods, which code
 * elsewhere reaches through an instance). An over-approximation only merges more
 * definitions into one group, which costs time, never a wrong finding.
 */
export function namesOf(unit: ModuleUnit): Names {
  const text = unit.text;
  const mentioned = new Set(text.match(IDENTIFIER) ?? []);
  const defined = new Set<string>();
  const own = unit.definition ? definitionNode(unit.node)?.childForFieldName('name')?.text : undefined;
  if (own) defined.add(own);
  for (const match of text.matchAll(GLOBAL_NAMES)) for (const name of match[1].match(IDENTIFIER) ?? []) defined.add(name);
  if (definitionNode(unit.node)?.type === 'class_definition') {
    for (const match of text.matchAll(DEFINED_NAME)) defined.add(match[1]);
    for (const match of text.matchAll(ASSIGNED_NAMES)) for (const name of match[1].match(IDENTIFIER) ?? []) defined.add(name);
    for (const match of text.matchAll(SELF_ATTRIBUTE)) defined.add(match[1]);
    for (const name of importedInText(text)) defined.add(name);
  }
  return { mentioned, defined, own };
}

const FROM_IMPORT = /^[ \t]*from[ \t]+\S+[ \t]+import[ \t]+(\([^)]*\)|[^#\n]*)/gmu;
const PLAIN_IMPORT = /^[ \t]*import[ \t]+([^#\n]*)/gmu;

/** Names the import statements of a text bind (`from m import a as b, c` → b, c; `import a.b` → a), read line by line. */
function importedInText(text: string): string[] {
  const names: string[] = [];
  for (const [, list] of text.matchAll(FROM_IMPORT))
    for (const part of list
      .replace(/#[^\n]*/g, '')
      .replace(/[()]/g, '')
      .split(','))
      names.push(...boundName(part, false));
  for (const [, list] of text.matchAll(PLAIN_IMPORT)) for (const part of list.split(',')) names.push(...boundName(part, true));
  return names;
}

function boundName(part: string, dotted: boolean): string[] {
  const words = part.trim().split(/\s+as\s+/u);
  const name = words.length > 1 ? words[1] : dotted ? words[0].split('.')[0] : words[0];
  return (name.match(IDENTIFIER) ?? []).slice(0, 1);
}

function definitionNode(node: Node): Node | null {
  return node.type === 'decorated_definition' ? node.childForFieldName('definition') : node;
}

/**
 * The definitions a definition's findings may depend on: those connected to it by names,
 * in either direction (it calls a helper, a caller passes it a cursor, a model class
 * declares the manager it uses), transitively. `names[i]` are the names of `units[i]`.
 * Returns each statement's group (the index of its first member), -1 outside definitions:
 * a union-find over the names the definitions bind.
 */
export function definitionGroups(units: readonly ModuleUnit[], names: readonly Names[]): Int32Array {
  const parent = new Int32Array(units.length);
  for (let i = 0; i < units.length; i++) parent[i] = units[i].definition ? i : -1;
  const find = (index: number): number => {
    let root = index;
    while (parent[root] !== root) root = parent[root];
    // Path compression keeps later finds short.
    for (let at = index; at !== root;) {
      const up = parent[at];
      parent[at] = root;
      at = up;
    }
    return root;
  };
  const binders = new Map<string, number[]>();
  for (let index = 0; index < units.length; index++) {
    if (!units[index].definition) continue;
    for (const name of names[index].defined) {
      const list = binders.get(name);
      if (list) list.push(index);
      else binders.set(name, [index]);
    }
  }
  for (let index = 0; index < units.length; index++) {
    if (!units[index].definition) continue;
    for (const name of names[index].mentioned) {
      const list = binders.get(name);
      if (!list) continue;
      for (const binder of list) {
        const a = find(index);
        const b = find(binder);
        if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
      }
    }
  }
  for (let index = 0; index < units.length; index++) if (parent[index] >= 0) parent[index] = find(index);
  return parent;
}

/** What follows from a module's names alone: its groups and the definitions its context statements name. */
export interface GroupLayout {
  /** Each statement's group (the index of its first member), -1 outside definitions (see definitionGroups). */
  groupOf: Int32Array;
  /** The members of each group, by group, in document order. */
  members: Map<number, number[]>;
  /** The groups with a definition the context statements name (`handler = make_handler(helper)`). */
  pinned: Set<number>;
  /** The definitions' own names, in order, joined by spaces. */
  definedNames: string;
}

interface KeptLayout {
  layout: GroupLayout;
  names: readonly Names[];
  definition: readonly boolean[];
  /** Every name a definition binds. */
  bound: Set<string>;
}

/**
 * The layout of a module's statements, kept from one analysis to the next while it cannot
 * have changed: the same statements, each with the same names or names that differ only in
 * words no definition binds (typing inside a string or a comment, or in a function's body
 * with names of its own). A keystroke then costs a comparison per statement, not the
 * union of every definition's names.
 */
export class GroupLayouts {
  private kept?: KeptLayout;

  of(units: readonly ModuleUnit[], names: readonly Names[]): GroupLayout {
    const kept = this.kept;
    if (kept && sameLayout(kept, units, names)) {
      this.kept = { ...kept, names };
      return kept.layout;
    }
    const groupOf = definitionGroups(units, names);
    const members = new Map<number, number[]>();
    for (let index = 0; index < groupOf.length; index++) {
      const group = groupOf[index];
      if (group < 0) continue;
      const list = members.get(group);
      if (list) list.push(index);
      else members.set(group, [index]);
    }
    const contextMentions = new Set<string>();
    const bound = new Set<string>();
    const own: string[] = [];
    for (let index = 0; index < units.length; index++) {
      if (!units[index].definition) for (const name of names[index].mentioned) contextMentions.add(name);
      else for (const name of names[index].defined) bound.add(name);
    }
    const pinned = new Set<number>();
    for (let index = 0; index < units.length; index++) {
      if (!units[index].definition) continue;
      if (names[index].own) own.push(names[index].own!);
      for (const name of names[index].defined) if (contextMentions.has(name)) pinned.add(groupOf[index]);
    }
    const layout = { groupOf, members, pinned, definedNames: own.join(' ') };
    this.kept = { layout, names, definition: units.map((unit) => unit.definition), bound };
    return layout;
  }
}

function sameLayout(kept: KeptLayout, units: readonly ModuleUnit[], names: readonly Names[]): boolean {
  if (units.length !== kept.names.length) return false;
  for (let index = 0; index < units.length; index++) {
    if (units[index].definition !== kept.definition[index]) return false;
    const before = kept.names[index];
    const now = names[index];
    if (now !== before && !equivalentNames(now, before, kept.bound)) return false;
  }
  return true;
}

/** The same own name and bound names, and the same mentions of names some definition binds. */
function equivalentNames(a: Names, b: Names, bound: Set<string>): boolean {
  return a.own === b.own && sameSet(a.defined, b.defined) && sameWithin(a.mentioned, b.mentioned, bound) && sameWithin(b.mentioned, a.mentioned, bound);
}

function sameSet(a: Set<string>, b: Set<string>): boolean {
  if (a.size !== b.size) return false;
  for (const item of a) if (!b.has(item)) return false;
  return true;
}

/** Every member of `a` that `bound` holds is in `b`. */
function sameWithin(a: Set<string>, b: Set<string>, bound: Set<string>): boolean {
  for (const item of a) if (bound.has(item) && !b.has(item)) return false;
  return true;
}
