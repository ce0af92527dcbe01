import type { TemplateDocument, TemplateNode } from './document';
import { parseFilterText, type FilterExpression } from './filters';
import { tagArgument, tagBits, type TagBit } from './tag-arguments';

/** What a name a template binds itself stands for. */
export type BoundValue =
  /** `{% with a=expr %}`, `{% blocktrans with a=expr %}`, `{% firstof a b as x %}`: the expressions' values (any of them). */
  | { kind: 'expressions'; expressions: FilterExpression[] }
  /** `{% for a, b in expr %}`: an item of the sequence (unpacked when there are several names). */
  | { kind: 'item'; sequence: FilterExpression }
  /** `{% url … as u %}`, `{% trans "x" as t %}`, `{% now "Y" as y %}`: a value Django builds from literals. */
  | { kind: 'built'; what: string }
  /** A custom tag's `as name`, `{% regroup %}`: the template cannot tell. */
  | { kind: 'opaque'; what: string };

export interface Binding {
  name: string;
  value: BoundValue;
  /** The scope the bound expressions are read in: the one in effect at the binding tag. */
  scope: Scope | undefined;
  /** Offset of the binding tag: the name is visible after it. */
  at: number;
}

/** One level of the template's context: a `{% with %}`, `{% for %}`, `{% autoescape %}` or `{% blocktrans %}` block, or the template itself. */
export interface Scope {
  parent: Scope | undefined;
  /** The tag that opened it ('' for the template's own level). */
  opener: string;
  /** Offset of the opening tag (0 for the template's own level). */
  start: number;
  /** Names bound here, in the order they were bound. `as` bindings are added as the scan meets them. */
  bindings: Binding[];
  /** The same, by name, each list in the order of `at`. */
  byName?: Map<string, Binding[]>;
  /** `{% autoescape on/off %}`; undefined inherits. */
  autoescape?: boolean;
}

const CLOSERS = new Map([
  ['endwith', 'with'],
  ['endfor', 'for'],
  ['endautoescape', 'autoescape'],
  ['endblocktrans', 'blocktrans'],
  ['endblocktranslate', 'blocktranslate'],
]);

/** Built-in tags whose `as name` stores a value Django builds from the tag's literal arguments or the clock. */
const BUILT_AS = new Map([
  ['url', 'a URL reversed by Django'],
  ['now', 'a formatted date'],
  ['static', 'a static file URL'],
  ['get_static_prefix', 'the static files prefix'],
  ['get_media_prefix', 'the media files prefix'],
  ['get_current_language', 'the language code'],
  ['get_current_language_bidi', 'the language direction'],
  ['get_available_languages', 'the configured languages'],
  ['widthratio', 'a number'],
]);

/** How far a name is looked up through enclosing scopes; deeper nesting is not worth following. */
const MAX_SCOPE_WALK = 64;

/**
 * The bindings of a template's own tags, as Django's context sees them at each variable:
 * `{% with %}`, `{% for %}`, `{% blocktrans with %}`, `as name` bindings, and
 * `{% autoescape %}` blocks. Built in one pass; a stray end tag closes nothing, and a
 * missing one is closed by the end tag of an enclosing block.
 */
export class TemplateScopes {
  /** Where the scope in effect changes: from each offset on, until the next. */
  private readonly changes: { at: number; scope: Scope }[] = [];
  readonly root: Scope = { parent: undefined, opener: '', start: 0, bindings: [] };

  constructor(doc: TemplateDocument) {
    let current = this.root;
    const stack: Scope[] = [];
    /** How many scopes each opener has on the stack: a stray end tag is dismissed without a search. */
    const openCount = new Map<string, number>();
    // Tags with an end tag wrap a body: `{% fragment as x %}…{% endfragment %}` binds what the body renders.
    const wrapping = new Set<string>();
    for (const node of doc.nodes) if (node.role === 'block' && node.tag.startsWith('end')) wrapping.add(node.tag.slice(3));
    this.changes.push({ at: 0, scope: current });
    for (const node of doc.nodes) {
      if (node.role !== 'block') continue;
      const closes = CLOSERS.get(node.tag);
      if (closes !== undefined) {
        if (!openCount.get(closes)) continue;
        let index = stack.length - 1;
        while (index >= 0 && stack[index].opener !== closes) index--;
        for (let i = index; i < stack.length; i++) openCount.set(stack[i].opener, openCount.get(stack[i].opener)! - 1);
        current = stack[index].parent!;
        stack.length = index;
        this.changes.push({ at: node.end, scope: current });
        continue;
      }
      const opened = openScope(node, doc.text, current);
      if (opened) {
        stack.push(opened.scope);
        openCount.set(node.tag, (openCount.get(node.tag) ?? 0) + 1);
        if (opened.asvar) current.bindings.push(opened.asvar);
        current = opened.scope;
        this.changes.push({ at: node.end, scope: current });
        continue;
      }
      const as = asBinding(node, doc.text, current, wrapping.has(node.tag));
      if (as) current.bindings.push(as);
    }
  }

  /** The scope in effect at a variable or tag (for a tag that opens a block: the one outside it). */
  scopeOf(node: TemplateNode): Scope | undefined {
    let low = 0;
    let high = this.changes.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.changes[mid].at <= node.start) low = mid + 1;
      else high = mid;
    }
    return low > 0 ? this.changes[low - 1].scope : undefined;
  }

  /** The binding of `name` visible at offset `at` in `scope`, if the template binds it. */
  lookup(name: string, scope: Scope | undefined, at: number): Binding | undefined {
    let steps = 0;
    for (let s = scope; s && steps < MAX_SCOPE_WALK; s = s.parent, steps++) {
      if (s.bindings.length === 0) continue;
      if (!s.byName) {
        s.byName = new Map();
        for (const binding of s.bindings) {
          const list = s.byName.get(binding.name) ?? [];
          list.push(binding);
          s.byName.set(binding.name, list);
        }
      }
      const list = s.byName.get(name);
      if (!list) continue;
      // The last binding before `at`: the lists are in the order of `at`.
      let low = 0;
      let high = list.length;
      while (low < high) {
        const mid = (low + high) >> 1;
        if (list[mid].at < at) low = mid + 1;
        else high = mid;
      }
      if (low > 0) return list[low - 1];
    }
    return undefined;
  }

  /** Whether Django escapes variables printed in `scope` (`{% autoescape off %}` turns it off). */
  autoescape(scope: Scope | undefined): boolean {
    let steps = 0;
    for (let s = scope; s && steps < MAX_SCOPE_WALK; s = s.parent, steps++) if (s.autoescape !== undefined) return s.autoescape;
    return true;
  }
}

function expressionOf(bit: TagBit | undefined): FilterExpression | undefined {
  return bit ? parseFilterText(bit.text, bit.start) : undefined;
}

/** `a=expr` bits (and the legacy `expr as a`) as bindings read in `scope`. */
function keywordBindings(bits: TagBit[], scope: Scope, at: number): Binding[] {
  if (bits.length === 3 && bits[1].text === 'as') {
    const expression = expressionOf(bits[0]);
    return expression ? [{ name: bits[2].text, value: { kind: 'expressions', expressions: [expression] }, scope, at }] : [];
  }
  const bindings: Binding[] = [];
  for (const bit of bits) {
    const argument = tagArgument(bit);
    if (argument?.keyword) bindings.push({ name: argument.keyword, value: { kind: 'expressions', expressions: [argument.expression] }, scope, at });
  }
  return bindings;
}

/** The scope a block tag opens, or undefined for a tag that opens none; and the name `{% blocktrans asvar x %}` binds outside it. */
function openScope(node: TemplateNode, text: string, current: Scope): { scope: Scope; asvar?: Binding } | undefined {
  const tag = node.tag;
  if (tag !== 'with' && tag !== 'for' && tag !== 'autoescape' && tag !== 'blocktrans' && tag !== 'blocktranslate') return undefined;
  const scope: Scope = { parent: current, opener: tag, start: node.start, bindings: [] };
  const bits = tagBits(node, text).slice(1);
  if (tag === 'autoescape') {
    if (bits.length === 1 && (bits[0].text === 'on' || bits[0].text === 'off')) scope.autoescape = bits[0].text === 'on';
  } else if (tag === 'with') {
    scope.bindings = keywordBindings(bits, current, node.start);
  } else if (tag === 'for') {
    // NOTE: as django.template.defaulttags.do_for: `for a, b in seq [reversed]`.
    const inIndex = bits.length - (bits[bits.length - 1]?.text === 'reversed' ? 3 : 2);
    const sequence = inIndex >= 1 && bits[inIndex].text === 'in' ? expressionOf(bits[inIndex + 1]) : undefined;
    const names = bits
      .slice(0, Math.max(0, inIndex))
      .map((b) => b.text)
      .join(' ')
      .split(/ *, */)
      .filter(Boolean);
    for (const name of names) {
      const value: BoundValue = sequence ? { kind: 'item', sequence } : { kind: 'opaque', what: 'a loop item' };
      scope.bindings.push({ name, value, scope: current, at: node.start });
    }
    scope.bindings.push({ name: 'forloop', value: { kind: 'built', what: 'the loop counters' }, scope: current, at: node.start });
  } else {
    // blocktrans with a=b c=d | count n=expr | context "x" | trimmed | asvar v
    const asvar = bits.findIndex((b) => b.text === 'asvar');
    const name = asvar === -1 ? undefined : bits[asvar + 1]?.text;
    const at = bits.findIndex((b) => b.text === 'with' || b.text === 'count');
    if (at !== -1) {
      const rest: TagBit[] = [];
      for (const bit of bits.slice(at + 1)) {
        if (bit.text === 'with' || bit.text === 'count' || bit.text === 'context' || bit.text === 'trimmed' || bit.text === 'asvar') continue;
        rest.push(bit);
      }
      scope.bindings = keywordBindings(rest, current, node.start);
    }
    if (name) return { scope, asvar: { name, value: { kind: 'built', what: 'a translation Django renders and escapes' }, scope: current, at: node.start } };
  }
  return { scope };
}

/** The `as name` binding a tag adds to the current scope (`{% url … as u %}`, a custom tag's). */
function asBinding(node: TemplateNode, text: string, current: Scope, wraps: boolean): Binding | undefined {
  if (!node.contents.includes('as') || !/\sas\s/.test(node.contents)) return undefined;
  const bits = tagBits(node, text);
  const silent = bits[bits.length - 1]?.text === 'silent';
  const end = bits.length - (silent ? 1 : 0);
  if (end < 3 || bits[end - 2].text !== 'as') return undefined;
  const name = bits[end - 1].text;
  const tag = node.tag;
  const built = BUILT_AS.get(tag);
  let value: BoundValue;
  if (built) value = { kind: 'built', what: built };
  else if (tag === 'trans' || tag === 'translate' || tag === 'firstof' || tag === 'cycle') {
    const expressions = bits.slice(1, end - 2).flatMap((bit) => (bit.text === 'noop' || bit.text === 'context' ? [] : [expressionOf(bit)].filter((e): e is FilterExpression => e !== undefined)));
    value = { kind: 'expressions', expressions };
  } else if (wraps) value = { kind: 'built', what: `what the body of {% ${tag} %} renders, escaped by Django` };
  else value = { kind: 'opaque', what: tag === 'regroup' ? 'a regrouped list' : `the value of the {% ${tag} %} tag` };
  return { name, value, scope: current, at: node.end - 1 };
}
