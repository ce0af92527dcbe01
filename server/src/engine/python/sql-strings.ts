import { unescapePython, type Node } from '../parse/python';
import { enclosingScope, LocalFlow, type Binding } from './sql-locals';

/**
 * How a string was built: from which constant text and which other values, by f-string,
 * `%` formatting, `str.format()`, `+` / `+=` concatenation or `str.join()`, directly or
 * through local variables of the same function. The result lists the parts of the final
 * string in order, and the expressions ("sites") that wrote them, so a fix can rewrite
 * exactly those expressions.
 */

/** How a value got into the string. */
export type SourceKind = 'f-string' | '%' | 'format' | '+' | 'join';

/** Constant text written in the code. */
export interface TextPart {
  kind: 'text';
  value: string;
  /** The expression that writes it, when a fix may rewrite that expression. */
  site?: Site;
}

/** A value that is not known to be constant: what an attacker may control. */
export interface ValuePart {
  kind: 'value';
  /** The expression whose value is inserted. */
  node: Node;
  site?: Site;
  /** False when the text inserted is not the value's plain `str()`: `!r`, a format spec, `%r`, `{0.attr}`, `*args`. */
  plain: boolean;
  source: SourceKind;
}

/**
 * A value that cannot carry an attack: a number, a model's table name, an allow-list
 * lookup, a constant defined elsewhere (then `text` is known). It stays in the code as is.
 */
export interface SafePart {
  kind: 'safe';
  node: Node;
  text?: string;
  /** Repeated placeholders such as `", ".join(["%s"] * len(ids))`. */
  placeholders?: boolean;
}

/** SQL text that comes from somewhere unknown, without being interpolated into a string here. */
export interface OpaquePart {
  kind: 'opaque';
  node: Node;
}

export type StringPart = TextPart | ValuePart | SafePart | OpaquePart;

/** The style of a string literal: its prefix letters (lower case), quote and whether it is triple-quoted. */
export interface LiteralStyle {
  prefix: string;
  quote: '"' | "'";
  triple: boolean;
}

/** An expression that writes parts of the string itself; a fix replaces it as a whole. */
export interface Site {
  node: Node;
  form: 'literal' | 'f-string' | 'percent' | 'format' | 'concat' | 'join';
  style: LiteralStyle;
  items: SiteItem[];
}

/**
 * What a site writes, in order: its own parts, or an embedded expression it keeps as is
 * (a local variable, a constant, a safe value) with the parts that expression stands for.
 * `fstring` / `concat` are the expression's text inside an f-string (`{…}`) or as an operand
 * of `+`, when it can be kept in that form.
 */
export type SiteItem = { kind: 'own'; part: TextPart | ValuePart } | { kind: 'kept'; node: Node; parts: StringPart[]; fstring?: string; concat?: string };

/** A local variable followed to its definitions. */
export interface FollowedVariable {
  /** The identifier that reads it. */
  use: Node;
  scope: Node;
  defs: Binding[];
}

export interface StringBuild {
  parts: StringPart[];
  /** Every site, in document order of analysis. */
  sites: Site[];
  sources: Set<SourceKind>;
  variables: FollowedVariable[];
  /** False when a followed variable is built on a branch or in a loop, or a site cannot be rewritten on its own. */
  straight: boolean;
}

/** The constant text of a build, or undefined when any part is not constant text. */
export function constantText(build: StringBuild): string | undefined {
  let text = '';
  for (const part of build.parts) {
    if (part.kind === 'text') text += part.value;
    else if (part.kind === 'safe' && part.text !== undefined) text += part.text;
    else return undefined;
  }
  return text;
}

/** The style of a `string` node. */
export function literalStyle(node: Node): LiteralStyle {
  const start = node.firstChild?.type === 'string_start' ? node.firstChild.text : '"';
  const prefix = start.replace(/['"]+$/, '').toLowerCase();
  const quotes = start.slice(prefix.length);
  return { prefix, quote: quotes[0] === "'" ? "'" : '"', triple: quotes.length === 3 };
}

function isStringNode(node: Node): boolean {
  return node.type === 'string' && node.firstChild?.type === 'string_start';
}

function isFString(node: Node): boolean {
  return isStringNode(node) && literalStyle(node).prefix.includes('f');
}

function isBytes(node: Node): boolean {
  return isStringNode(node) && literalStyle(node).prefix.includes('b');
}

/** The decoded text of one `string_content` piece. */
function decodeContent(content: Node, style: LiteralStyle): string | undefined {
  let text = content.text.replace(/\r\n?/g, '\n');
  if (style.prefix.includes('f')) text = text.replace(/\{\{/g, '{').replace(/\}\}/g, '}');
  return style.prefix.includes('r') ? text : unescapePython(text);
}

/** The value of a plain string literal (not f, not bytes), or undefined. */
export function plainStringValue(node: Node): string | undefined {
  node = unwrap(node);
  if (node.type === 'concatenated_string') {
    let value = '';
    for (const child of node.namedChildren) {
      if (!child || child.type === 'comment') continue;
      const part = plainStringValue(child);
      if (part === undefined) return undefined;
      value += part;
    }
    return value;
  }
  if (!isStringNode(node) || isFString(node) || isBytes(node)) return undefined;
  const style = literalStyle(node);
  let value = '';
  for (const child of node.namedChildren) {
    if (child?.type !== 'string_content') continue;
    const decoded = decodeContent(child, style);
    if (decoded === undefined) return undefined;
    value += decoded;
  }
  return value;
}

function unwrap(node: Node): Node {
  while (node.type === 'parenthesized_expression' && node.namedChildren.length === 1 && node.namedChildren[0]) node = node.namedChildren[0];
  return node;
}

const QUOTE_NAMES = new Set(['quote_name', 'quote_name_unless_alias']);
const NUMERIC_BUILTINS = new Set(['int', 'float', 'len', 'bool', 'round', 'abs', 'ord', 'hash', 'min', 'max', 'sum']);
const MAX_DEPTH = 12;

/** How a name reads at a point, as far as string building goes. */
type NameValue = { kind: 'build'; build: StringBuild } | { kind: 'text'; text: string } | { kind: 'safe'; placeholders?: boolean } | { kind: 'unknown' };

interface Acc {
  parts: StringPart[];
  sites: Site[];
  sources: Set<SourceKind>;
  variables: FollowedVariable[];
  straight: boolean;
}

function newAcc(): Acc {
  return { parts: [], sites: [], sources: new Set(), variables: [], straight: true };
}

/** Whether an unknown expression is SQL text in its own right (`sql`) or a value inserted into SQL (`value`). */
type Role = 'sql' | 'value';

/**
 * Analyses how strings are built in one file. Knows the file's module-level and
 * class-level constants, follows local variables with a `LocalFlow`, and recognises
 * values that cannot carry an attack.
 */
export class StringAnalyzer {
  private readonly moduleValues = new Map<string, NameValue>();
  private readonly names = new Map<string, NameValue>();
  private depth = 0;
  private readonly visiting = new Set<number>();

  constructor(
    private readonly root: Node,
    readonly flow: LocalFlow,
    private readonly qualifiedName: (node: Node) => string | undefined,
  ) {}

  /** How the string passed as SQL was built. Unknown expressions count as SQL text of unknown origin. */
  build(node: Node): StringBuild {
    const acc = newAcc();
    this.sql(node, acc, 'sql');
    return acc;
  }

  // ----------------------------------------------------------------------------------
  // Strings

  private sql(node: Node, acc: Acc, role: Role): void {
    if (this.depth > MAX_DEPTH) {
      this.fallback(node, acc, role, '+');
      return;
    }
    this.depth++;
    try {
      this.sqlInner(unwrap(node), acc, role);
    } finally {
      this.depth--;
    }
  }

  private sqlInner(node: Node, acc: Acc, role: Role): void {
    if (isStringNode(node)) {
      if (isBytes(node)) return this.fallback(node, acc, role, '+');
      const site = this.newSite(node, isFString(node) ? 'f-string' : 'literal', literalStyle(node));
      this.stringInto(node, site, acc);
      acc.sites.push(site);
      return;
    }
    if (node.type === 'concatenated_string') {
      // Each literal of an implicit concatenation is rewritten on its own, keeping the layout.
      for (const child of node.namedChildren) if (child && isStringNode(child)) this.sqlInner(child, acc, role);
      return;
    }
    if (node.type === 'binary_operator') {
      const operator = node.childForFieldName('operator')?.text;
      if (operator === '+' && this.isStringy(node)) return this.concat(node, acc);
      if (operator === '%') return this.percent(node, acc);
    }
    if (node.type === 'call') {
      const fn = node.childForFieldName('function');
      const method = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
      if (method === 'format' && fn) return this.format(node, acc, role);
      if (method === 'join' && fn) return this.join(node, acc, role);
      if (fn?.type === 'identifier' && fn.text === 'str' && callArguments(node).length === 1) {
        const inner = callArguments(node)[0];
        if (inner.type !== 'keyword_argument' && inner.type !== 'list_splat' && inner.type !== 'dictionary_splat') return this.sql(inner, acc, role);
      }
    }
    if (node.type === 'identifier') {
      const value = this.nameValue(node, role);
      if (value.kind === 'build' && !value.build.parts.some((p) => p.kind === 'text' || p.kind === 'safe')) return this.fallback(node, acc, role, '+');
      if (value.kind === 'build') return this.appendBuild(value.build, acc);
      if (value.kind === 'text') return void acc.parts.push({ kind: 'safe', node, text: value.text });
      if (value.kind === 'safe') return void acc.parts.push({ kind: 'safe', node, placeholders: value.placeholders });
      return this.fallback(node, acc, role, '+');
    }
    if (node.type === 'conditional_expression') {
      // Either branch may run: keep the first that carries values, without a way to fix it.
      for (const branch of [node.namedChildren[0], node.namedChildren[2]]) {
        if (!branch) continue;
        const inner = newAcc();
        this.sql(branch, inner, role);
        if (inner.parts.some((p) => p.kind === 'value')) {
          this.appendBuild({ ...inner, straight: false }, acc);
          acc.straight = false;
          return;
        }
      }
    }
    const safe = this.safeValue(node);
    if (safe) return void acc.parts.push({ kind: 'safe', node, text: safe.text, placeholders: safe.placeholders });
    this.fallback(node, acc, role, '+');
  }

  /** An expression of unknown content: SQL of unknown origin, or a value inserted into the SQL. */
  private fallback(node: Node, acc: Acc, role: Role, source: SourceKind): void {
    if (role === 'sql') acc.parts.push({ kind: 'opaque', node });
    else {
      const part: ValuePart = { kind: 'value', node, plain: true, source };
      acc.parts.push(part);
      acc.sources.add(source);
    }
  }

  private newSite(node: Node, form: Site['form'], style: LiteralStyle): Site {
    return { node, form, style, items: [] };
  }

  private own(site: Site | undefined, acc: Acc, part: TextPart | ValuePart): void {
    if (site) {
      part.site = site;
      site.items.push({ kind: 'own', part });
    }
    acc.parts.push(part);
    if (part.kind === 'value') acc.sources.add(part.source);
  }

  private kept(site: Site | undefined, acc: Acc, node: Node, parts: StringPart[], emit: { fstring?: string; concat?: string }): void {
    site?.items.push({ kind: 'kept', node, parts, ...emit });
    acc.parts.push(...parts);
  }

  private appendBuild(build: StringBuild, acc: Acc): void {
    acc.parts.push(...build.parts);
    acc.sites.push(...build.sites);
    for (const source of build.sources) acc.sources.add(source);
    acc.variables.push(...build.variables);
    if (!build.straight) acc.straight = false;
  }

  /** The parts of a string literal (plain or f-string), written by `site`. */
  private stringInto(node: Node, site: Site | undefined, acc: Acc): void {
    const style = literalStyle(node);
    for (const child of node.namedChildren) {
      if (!child) continue;
      if (child.type === 'string_content') {
        const value = decodeContent(child, style);
        if (value === undefined) this.own(site, acc, { kind: 'value', node: child, plain: false, source: 'f-string' });
        else if (value) this.own(site, acc, { kind: 'text', value });
      } else if (child.type === 'interpolation') this.interpolation(child, site, acc);
    }
  }

  private interpolation(node: Node, site: Site | undefined, acc: Acc): void {
    const expression = node.childForFieldName('expression');
    if (!expression) return;
    const decorated = !!node.childForFieldName('type_conversion') || !!node.childForFieldName('format_specifier') || node.children.some((c) => c?.type === '=');
    const start = acc.parts.length;
    const keptText = node.text;
    const inner = this.interpolated(expression, decorated);
    if (inner.kind === 'value') {
      this.own(site, acc, { kind: 'value', node: expression, plain: !decorated, source: 'f-string' });
      return;
    }
    this.appendBuild(inner.build, acc);
    const parts = acc.parts.slice(start);
    acc.parts.length = start;
    this.kept(site, acc, node, parts, { fstring: keptText, concat: undefined });
  }

  /**
   * A value inserted into a string (by an f-string, `%`, `.format`, `+` or `join`): either a
   * value to report, or what it is known to be (a local build, a constant, a safe value).
   */
  private interpolated(node: Node, decorated = false): { kind: 'value' } | { kind: 'known'; build: StringBuild } {
    node = unwrap(node);
    const known = (parts: StringPart[]): { kind: 'known'; build: StringBuild } => ({ kind: 'known', build: { parts, sites: [], sources: new Set(), variables: [], straight: true } });
    const text = plainStringValue(node);
    if (text !== undefined) return known([{ kind: 'safe', node, text: decorated ? undefined : text }]);
    if (node.type === 'identifier') {
      const value = this.nameValue(node, 'value');
      // A local that only holds another value (`wanted = title`) is that value: it becomes the parameter.
      if (value.kind === 'build' && !value.build.parts.some((p) => p.kind === 'text' || p.kind === 'safe')) return { kind: 'value' };
      if (value.kind === 'build') {
        if (decorated) return value.build.parts.some((p) => p.kind === 'value' || p.kind === 'opaque') ? { kind: 'value' } : known([{ kind: 'safe', node }]);
        return { kind: 'known', build: value.build };
      }
      if (value.kind === 'text') return known([{ kind: 'safe', node, text: decorated ? undefined : value.text }]);
      if (value.kind === 'safe') return known([{ kind: 'safe', node, placeholders: value.placeholders }]);
      return { kind: 'value' };
    }
    const safe = this.safeValue(node);
    if (safe) return known([{ kind: 'safe', node, text: decorated ? undefined : safe.text, placeholders: safe.placeholders }]);
    // A string built inside the interpolation: its own values are reported, and no fix rewrites it.
    if (!decorated && (this.isStringy(node) || isFString(node))) {
      const inner = newAcc();
      this.sql(node, inner, 'value');
      if (!inner.parts.some((p) => p.kind === 'value' || p.kind === 'opaque')) return known([{ kind: 'safe', node, text: constantText(inner) }]);
      const whole = inner.parts.length === 1 && inner.parts[0].kind === 'value';
      if (!whole && !inner.parts.some((p) => p.kind === 'opaque')) {
        const parts = inner.parts.map((p) => (p.kind === 'text' || p.kind === 'value' ? { ...p, site: undefined } : p));
        return { kind: 'known', build: { parts, sites: [], sources: inner.sources, variables: inner.variables, straight: false } };
      }
    }
    return { kind: 'value' };
  }

  /** Whether a `+` expression concatenates strings (some operand is a string). */
  private isStringy(node: Node): boolean {
    node = unwrap(node);
    if (isStringNode(node) || node.type === 'concatenated_string') return !isBytes(node);
    if (node.type === 'binary_operator') {
      const operator = node.childForFieldName('operator')?.text;
      if (operator === '+') return this.isStringy(node.childForFieldName('left')!) || this.isStringy(node.childForFieldName('right')!);
      if (operator === '%') return this.isStringy(node.childForFieldName('left')!);
      return false;
    }
    if (node.type === 'call') {
      const fn = node.childForFieldName('function');
      if (fn?.type === 'attribute' && ['format', 'join'].includes(fn.childForFieldName('attribute')?.text ?? '')) return this.isStringy(fn.childForFieldName('object')!);
      if (fn?.type === 'identifier' && fn.text === 'str') return true;
      return false;
    }
    if (node.type === 'identifier') {
      const value = this.nameValue(node, 'sql');
      return value.kind === 'text' || (value.kind === 'build' && value.build.parts.some((p) => p.kind === 'text' || (p.kind === 'safe' && p.text !== undefined)));
    }
    return false;
  }

  private concat(node: Node, acc: Acc): void {
    const operands: Node[] = [];
    const collect = (n: Node) => {
      n = unwrap(n);
      if (n.type === 'binary_operator' && n.childForFieldName('operator')?.text === '+') {
        collect(n.childForFieldName('left')!);
        collect(n.childForFieldName('right')!);
      } else operands.push(n);
    };
    collect(node);
    const first = operands.find((o) => isStringNode(o)) ?? operands.find((o) => o.type === 'concatenated_string')?.namedChildren.find((c) => c && isStringNode(c));
    const site = this.newSite(node, 'concat', first ? literalStyle(first) : { prefix: '', quote: '"', triple: false });
    for (const operand of operands) this.concatOperand(operand, site, acc);
    acc.sites.push(site);
  }

  private concatOperand(operand: Node, site: Site, acc: Acc): void {
    if (isStringNode(operand) && !isBytes(operand)) return this.stringInto(operand, site, acc);
    if (operand.type === 'concatenated_string') {
      for (const child of operand.namedChildren) if (child && isStringNode(child)) this.stringInto(child, site, acc);
      return;
    }
    if (operand.type === 'binary_operator' && operand.childForFieldName('operator')?.text === '%' && isStringNode(unwrap(operand.childForFieldName('left')!))) {
      return this.percentInto(operand, site, acc);
    }
    if (operand.type === 'call' && isFormatCallOnLiteral(operand)) return this.formatInto(operand, site, acc);
    const start = acc.parts.length;
    const inner = this.interpolated(operand);
    if (inner.kind === 'value') return this.own(site, acc, { kind: 'value', node: operand, plain: true, source: '+' });
    this.appendBuild(inner.build, acc);
    const parts = acc.parts.slice(start);
    acc.parts.length = start;
    this.kept(site, acc, operand, parts, { concat: operand.text, fstring: simpleExpression(operand) ? `{${operand.text}}` : undefined });
  }

  // ----------------------------------------------------------------------------------
  // % formatting

  private percent(node: Node, acc: Acc): void {
    const left = unwrap(node.childForFieldName('left')!);
    if (isStringNode(left) && !isFString(left) && !isBytes(left)) {
      const site = this.newSite(node, 'percent', literalStyle(left));
      this.percentInto(node, site, acc);
      acc.sites.push(site);
      return;
    }
    // A template from elsewhere: its values are reported, nothing here can be rewritten.
    const template = newAcc();
    this.sql(left, template, 'sql');
    const text = constantText(template);
    if (text === undefined) {
      this.appendBuild({ ...template, sites: [] }, acc);
      for (const arg of percentArguments(node.childForFieldName('right')!).positional) this.insertValue(arg, undefined, acc, '%', true);
      acc.straight = false;
      return;
    }
    this.percentTemplate(text, node, undefined, acc);
  }

  private percentInto(node: Node, site: Site, acc: Acc): void {
    const left = unwrap(node.childForFieldName('left')!);
    const text = plainStringValue(left);
    if (text === undefined) return this.own(site, acc, { kind: 'value', node: left, plain: false, source: '%' });
    this.percentTemplate(text, node, site, acc);
  }

  private percentTemplate(template: string, node: Node, site: Site | undefined, acc: Acc): void {
    const args = percentArguments(node.childForFieldName('right')!);
    const specs = parsePercentTemplate(template);
    if (!specs) {
      this.own(site, acc, { kind: 'value', node, plain: false, source: '%' });
      return;
    }
    const positional = specs.filter((s) => s.kind === 'spec' && s.key === undefined).length;
    let next = 0;
    for (const piece of specs) {
      if (piece.kind === 'text') {
        if (piece.value) this.own(site, acc, { kind: 'text', value: piece.value });
        continue;
      }
      let arg: Node | undefined;
      let plain = piece.plain;
      if (piece.key !== undefined) arg = args.named?.get(piece.key);
      else if (args.single && positional === 1) arg = args.single;
      else arg = args.positional[next];
      if (piece.key === undefined) next += 1 + piece.starred;
      if (!arg) {
        plain = false;
        arg = node.childForFieldName('right')!;
      }
      if (piece.numeric) {
        this.kept(site, acc, arg, [{ kind: 'safe', node: arg }], {});
        continue;
      }
      this.insertValue(arg, site, acc, '%', plain);
    }
  }

  /** Inserts the value of an argument (of `%`, `.format` or `join`) written by `site`. */
  private insertValue(arg: Node, site: Site | undefined, acc: Acc, source: SourceKind, plain: boolean): void {
    const inner = this.interpolated(arg, !plain);
    if (inner.kind === 'value') return this.own(site, acc, { kind: 'value', node: arg, plain, source });
    const start = acc.parts.length;
    this.appendBuild(inner.build, acc);
    const parts = acc.parts.slice(start);
    acc.parts.length = start;
    this.kept(site, acc, arg, parts, {});
  }

  // ----------------------------------------------------------------------------------
  // str.format

  private format(node: Node, acc: Acc, role: Role): void {
    if (isFormatCallOnLiteral(node)) {
      const template = unwrap(node.childForFieldName('function')!.childForFieldName('object')!);
      const site = this.newSite(node, 'format', literalStyle(template.type === 'concatenated_string' ? template.namedChildren[0]! : template));
      this.formatInto(node, site, acc);
      acc.sites.push(site);
      return;
    }
    const args = formatArguments(node);
    if (args.positional.length + args.named.size + args.splats.length === 0) return this.fallback(node, acc, role, 'format');
    // A template from elsewhere: its values are reported, nothing here can be rewritten.
    const template = newAcc();
    this.sql(node.childForFieldName('function')!.childForFieldName('object')!, template, 'sql');
    const text = constantText(template);
    if (text !== undefined) return this.formatTemplate(text, node, undefined, acc);
    this.appendBuild({ ...template, sites: [] }, acc);
    for (const arg of [...args.positional, ...args.named.values(), ...args.splats]) this.insertValue(arg, undefined, acc, 'format', true);
    acc.straight = false;
  }

  private formatInto(node: Node, site: Site, acc: Acc): void {
    const template = unwrap(node.childForFieldName('function')!.childForFieldName('object')!);
    const text = plainStringValue(template);
    if (text === undefined) return this.own(site, acc, { kind: 'value', node, plain: false, source: 'format' });
    this.formatTemplate(text, node, site, acc);
  }

  private formatTemplate(template: string, node: Node, site: Site | undefined, acc: Acc): void {
    const fields = parseFormatTemplate(template);
    const args = formatArguments(node);
    if (!fields) return this.own(site, acc, { kind: 'value', node, plain: false, source: 'format' });
    let auto = 0;
    for (const field of fields) {
      if (field.kind === 'text') {
        if (field.value) this.own(site, acc, { kind: 'text', value: field.value });
        continue;
      }
      let arg: Node | undefined;
      if (field.name === '') arg = args.positional[auto++];
      else if (/^\d+$/.test(field.name)) arg = args.positional[Number(field.name)];
      else arg = args.named.get(field.name);
      let plain = field.plain;
      if (!arg) {
        arg = args.splats[0] ?? node;
        plain = false;
      }
      this.insertValue(arg, site, acc, 'format', plain);
    }
  }

  // ----------------------------------------------------------------------------------
  // str.join

  private join(node: Node, acc: Acc, role: Role): void {
    const fn = node.childForFieldName('function')!;
    const separatorNode = unwrap(fn.childForFieldName('object')!);
    const separator = plainStringValue(separatorNode);
    const args = callArguments(node);
    const iterable = args.length === 1 && args[0] ? unwrap(args[0]) : undefined;
    const safe = this.safeValue(node);
    if (safe) return void acc.parts.push({ kind: 'safe', node, text: safe.text, placeholders: safe.placeholders });
    if (separator === undefined || !iterable) return this.fallback(node, acc, role, 'join');
    if (iterable.type === 'list' || iterable.type === 'tuple') {
      const site = this.newSite(node, 'join', literalStyle(isStringNode(separatorNode) ? separatorNode : node));
      iterable.namedChildren.forEach((item, index) => {
        if (!item || item.type === 'comment') return;
        if (index > 0 && separator) this.own(site, acc, { kind: 'text', value: separator });
        if (item.type === 'list_splat') return this.own(site, acc, { kind: 'value', node: item, plain: false, source: 'join' });
        this.joinItem(unwrap(item), site, acc);
      });
      acc.sites.push(site);
      return;
    }
    // The items of a list built elsewhere (a loop, appends): reported, not rewritten.
    const items = this.listItems(iterable);
    if (items) {
      acc.straight = false;
      items.forEach((item, index) => {
        if (index > 0 && separator) acc.parts.push({ kind: 'text', value: separator });
        const inner = newAcc();
        this.sql(item, inner, 'value');
        this.appendBuild({ ...inner, parts: inner.parts.map((p) => (p.kind === 'value' || p.kind === 'text' ? { ...p, site: undefined } : p)), sites: [] }, acc);
      });
      acc.sources.add('join');
      return;
    }
    this.fallback(node, acc, role, 'join');
  }

  private joinItem(item: Node, site: Site, acc: Acc): void {
    if (isStringNode(item) && !isBytes(item)) return this.stringInto(item, site, acc);
    if (item.type === 'concatenated_string') {
      for (const child of item.namedChildren) if (child && isStringNode(child)) this.stringInto(child, site, acc);
      return;
    }
    if (item.type === 'binary_operator' && item.childForFieldName('operator')?.text === '+' && this.isStringy(item)) {
      for (const operand of flattenPlus(item)) this.concatOperand(operand, site, acc);
      return;
    }
    if (item.type === 'binary_operator' && item.childForFieldName('operator')?.text === '%' && isStringNode(unwrap(item.childForFieldName('left')!))) return this.percentInto(item, site, acc);
    if (item.type === 'call' && isFormatCallOnLiteral(item)) return this.formatInto(item, site, acc);
    const start = acc.parts.length;
    const inner = this.interpolated(item);
    if (inner.kind === 'value') return this.own(site, acc, { kind: 'value', node: item, plain: true, source: 'join' });
    this.appendBuild(inner.build, acc);
    const parts = acc.parts.slice(start);
    acc.parts.length = start;
    this.kept(site, acc, item, parts, {});
  }

  /**
   * The items of a list variable built in this function by a literal and `append` /
   * `extend` / `+=` of literals, in document order; undefined when it is anything else.
   */
  private listItems(node: Node): Node[] | undefined {
    if (node.type !== 'identifier') return undefined;
    const scope = enclosingScope(node);
    const reaching = this.flow.reaching(node, scope);
    if (reaching.kind !== 'defs') return undefined;
    const items: Node[] = [];
    const base = reaching.defs[0];
    if (base.kind !== 'assign' || !base.value || unwrap(base.value).type !== 'list') return undefined;
    for (const def of reaching.defs) {
      if (def.kind === 'assign' && def !== base) return undefined;
      if (def.kind !== 'assign' && def.kind !== 'augment') return undefined;
      const value = unwrap(def.value!);
      if (value.type !== 'list') return undefined;
      for (const item of value.namedChildren) if (item && item.type !== 'comment') items.push(item);
    }
    // Calls that grow the list: `name.append(x)`, `name.extend([...])`.
    for (const read of this.flow.readsOf(scope, node.text)) {
      if (read.startIndex >= node.startIndex) continue;
      const attribute = read.parent;
      if (attribute?.type !== 'attribute' || attribute.childForFieldName('object')?.id !== read.id) continue;
      const call = attribute.parent;
      const method = attribute.childForFieldName('attribute')?.text;
      if (call?.type !== 'call' || (method !== 'append' && method !== 'extend' && method !== 'insert')) continue;
      const args = callArguments(call);
      const arg = method === 'insert' ? args[1] : args[0];
      if (!arg) continue;
      if (method === 'extend') {
        const list = unwrap(arg);
        if (list.type !== 'list' && list.type !== 'tuple') items.push(arg);
        else for (const item of list.namedChildren) if (item && item.type !== 'comment') items.push(item);
      } else items.push(arg);
    }
    return items;
  }

  /** Whether a method call on the variable before `use` may change it (`append`, `update`…). */
  private mutated(use: Node, scope: Node): boolean {
    return this.flow.readsOf(scope, use.text).some((read) => {
      if (read.startIndex >= use.startIndex) return false;
      const attribute = read.parent;
      return attribute?.type === 'attribute' && attribute.childForFieldName('object')?.id === read.id && attribute.parent?.type === 'call';
    });
  }

  // ----------------------------------------------------------------------------------
  // Names

  /** What an identifier holds at its use, following local definitions. */
  private nameValue(node: Node, role: Role): NameValue {
    // Builds refer to each other through variables; remembering them keeps long chains linear.
    const memo = `${node.startIndex}:${role}`;
    const known = this.names.get(memo);
    if (known) return known;
    const value = this.computeNameValue(node, role);
    this.names.set(memo, value);
    return value;
  }

  private computeNameValue(node: Node, role: Role): NameValue {
    const scope = enclosingScope(node);
    const reaching = this.flow.reaching(node, scope);
    if (reaching.kind === 'inner') return { kind: 'unknown' };
    if (reaching.kind === 'unbound') return this.outerName(node.text, scope);
    if (this.guardedByAllowList(node, scope)) return { kind: 'safe' };
    const key = node.startIndex;
    if (this.visiting.has(key)) return { kind: 'unknown' };
    this.visiting.add(key);
    try {
      const acc = newAcc();
      let safe = true;
      let placeholders = false;
      for (const def of reaching.defs) {
        if (def.kind === 'param' || def.kind === 'other' || def.kind === 'with' || !def.value) {
          return { kind: 'unknown' };
        }
        const value = unwrap(def.value);
        // Text written here stays a site the fix can rewrite; other safe values are kept as they are.
        const safeValue = this.isStringy(value) ? undefined : this.safeValue(value);
        if (safeValue && def.kind === 'assign') {
          placeholders ||= !!safeValue.placeholders;
          acc.parts.push({ kind: 'safe', node: value, text: safeValue.text, placeholders: safeValue.placeholders });
          continue;
        }
        safe = false;
        if (def.kind === 'assign') this.sql(value, acc, role);
        // `sql += x`: x is inserted into the SQL, unless it is itself built from SQL text.
        else this.sql(value, acc, this.isStringy(value) ? role : 'value');
      }
      if (safe) {
        const text = reaching.defs.length === 1 ? (acc.parts[0] as SafePart | undefined)?.text : undefined;
        return text !== undefined ? { kind: 'text', text } : { kind: 'safe', placeholders };
      }
      acc.variables.push({ use: node, scope, defs: reaching.defs });
      if (!reaching.straight) acc.straight = false;
      if (!acc.parts.some((p) => p.kind !== 'opaque')) return { kind: 'unknown' };
      return { kind: 'build', build: acc };
    } finally {
      this.visiting.delete(key);
    }
  }

  /**
   * A name the function does not bind: a closure variable of an enclosing function
   * (unknown), else a module-level name (its constant text, or safe: configuration set at
   * import time, a class, an import), else a builtin.
   */
  private outerName(name: string, scope: Node): NameValue {
    for (let outer = scope.parent ? enclosingScope(scope) : undefined; outer && outer.type !== 'module'; outer = outer.parent ? enclosingScope(outer) : undefined) {
      if (outer.type !== 'class_definition' && this.flow.scopeBindings(outer).has(name)) return { kind: 'unknown' };
    }
    return this.moduleName(name);
  }

  // NOTE: a module-level name is set once, at import time, from code or configuration, not
  // from a request; only values computed inside the function are treated as attacker
  // controlled. https://docs.djangoproject.com/en/stable/topics/security/#sql-injection-protection
  private moduleName(name: string): NameValue {
    const cached = this.moduleValues.get(name);
    if (cached) return cached;
    this.moduleValues.set(name, { kind: 'safe' });
    const bindings = this.flow.scopeBindings(this.root).get(name) ?? [];
    let result: NameValue = { kind: 'safe' };
    if (bindings.length === 1 && bindings[0].kind === 'assign' && bindings[0].value) {
      const text = this.constantOf(bindings[0].value);
      if (text !== undefined) result = { kind: 'text', text };
    }
    this.moduleValues.set(name, result);
    return result;
  }

  /** The text of an expression built only from constants, or undefined. */
  private constantOf(node: Node): string | undefined {
    const inner = newAcc();
    this.sql(node, inner, 'value');
    return constantText(inner);
  }

  /**
   * `if name not in ALLOWED: raise …` before the use, or the use inside
   * `if name in ALLOWED:`: the value was checked against an allow-list.
   */
  private guardedByAllowList(use: Node, scope: Node): boolean {
    const name = use.text;
    const isMembership = (test: Node | null, negated: boolean): boolean => {
      if (!test) return false;
      test = unwrap(test);
      if (test.type !== 'comparison_operator') return false;
      const operands = test.namedChildren;
      const operators = test.children.filter((c) => c && !c.isNamed).map((c) => c!.text);
      return operands[0]?.type === 'identifier' && operands[0].text === name && operators.join(' ') === (negated ? 'not in' : 'in');
    };
    for (let current = use.parent; current && current.id !== scope.id; current = current.parent) {
      if (
        current.type === 'block' &&
        current.parent?.type === 'if_statement' &&
        current.parent.childForFieldName('consequence')?.id === current.id &&
        isMembership(current.parent.childForFieldName('condition'), false)
      )
        return true;
      if (
        current.type === 'conditional_expression' &&
        isMembership(current.namedChildren[1], false) &&
        current.namedChildren[0] &&
        current.namedChildren[0].startIndex <= use.startIndex &&
        use.endIndex <= current.namedChildren[0].endIndex
      )
        return true;
    }
    // An earlier `if name not in ALLOWED:` whose body leaves (raise / return / abort).
    const body = scope.type === 'module' ? scope : scope.childForFieldName('body');
    if (!body) return false;
    let found = false;
    const visit = (node: Node) => {
      if (found || node.startIndex >= use.startIndex) return;
      if (node.type === 'if_statement' && isMembership(node.childForFieldName('condition'), true)) {
        const consequence = node.childForFieldName('consequence');
        const last = consequence?.namedChildren[consequence.namedChildren.length - 1];
        const container = node.parent;
        if (
          last &&
          ['raise_statement', 'return_statement'].includes(last.type) &&
          container &&
          use.startIndex >= node.endIndex &&
          container.startIndex <= use.startIndex &&
          use.endIndex <= container.endIndex
        ) {
          found = true;
          return;
        }
      }
      if (node.type === 'assert_statement' && isMembership(node.namedChildren[0], false)) {
        found = true;
        return;
      }
      if (node.type === 'function_definition' || node.type === 'class_definition') return;
      for (const child of node.namedChildren) if (child) visit(child);
    };
    visit(body);
    return found;
  }

  // ----------------------------------------------------------------------------------
  // Values that cannot carry an attack

  // NOTE: identifiers cannot be query parameters, so quoting them with the backend's
  // quote_name() (or picking them from an allow-list) is the documented way to put a name
  // in raw SQL. https://docs.djangoproject.com/en/stable/topics/db/sql/#passing-parameters-into-raw
  /**
   * A value whose text cannot change the meaning of the SQL around it: numbers, the
   * table and column names of a model (`_meta`), identifiers quoted by the database
   * backend (`quote_name`), settings, lookups in a dict of constant strings (an
   * allow-list), constants, and repeated placeholders. Undefined for anything else.
   */
  safeValue(node: Node, depth = 0): { text?: string; placeholders?: boolean } | undefined {
    node = unwrap(node);
    if (depth > MAX_DEPTH) return undefined;
    switch (node.type) {
      case 'integer':
      case 'float':
        return { text: node.text };
      case 'true':
      case 'false':
      case 'none':
        return {};
      case 'unary_operator':
        return this.safeValue(node.namedChildren[node.namedChildren.length - 1]!, depth + 1) ? {} : undefined;
    }
    const text = plainStringValue(node);
    if (text !== undefined) return { text, placeholders: /%s/.test(text) };
    if (isStringNode(node) || node.type === 'concatenated_string') {
      const constant = isFString(node) || node.type === 'concatenated_string' ? this.constantOf(node) : undefined;
      return constant !== undefined ? { text: constant, placeholders: /%s/.test(constant) } : undefined;
    }
    if (node.type === 'identifier') {
      const scope = enclosingScope(node);
      const reaching = this.flow.reaching(node, scope);
      if (reaching.kind === 'unbound') {
        const outer = this.outerName(node.text, scope);
        return outer.kind === 'text' ? { text: outer.text } : outer.kind === 'safe' ? {} : undefined;
      }
      if (reaching.kind !== 'defs') return undefined;
      if (this.guardedByAllowList(node, scope)) return {};
      let placeholders = false;
      const texts: string[] = [];
      for (const def of reaching.defs) {
        if (def.kind !== 'assign' || !def.value) return undefined;
        if (this.visiting.has(def.statement.startIndex)) return undefined;
        this.visiting.add(def.statement.startIndex);
        try {
          const inner = this.safeValue(def.value, depth + 1);
          if (!inner) return undefined;
          placeholders ||= !!inner.placeholders;
          if (inner.text !== undefined) texts.push(inner.text);
        } finally {
          this.visiting.delete(def.statement.startIndex);
        }
      }
      return texts.length === 1 && reaching.defs.length === 1 ? { text: texts[0], placeholders } : { placeholders };
    }
    if (node.type === 'attribute') {
      if (/(^|\.)_meta\./.test(node.text)) return {};
      const qualified = this.qualifiedName(node);
      if (qualified?.startsWith('django.conf.settings.')) return {};
      const classConstant = this.classConstant(node);
      if (classConstant !== undefined) return { text: classConstant };
      return undefined;
    }
    if (node.type === 'call') {
      const fn = node.childForFieldName('function');
      const args = callArguments(node);
      if (fn?.type === 'identifier' && NUMERIC_BUILTINS.has(fn.text)) return {};
      if (fn && this.isQuoteName(fn)) return {};
      if (fn?.type === 'identifier' && fn.text === 'str' && args.length === 1) return this.safeValue(args[0], depth + 1) ? {} : undefined;
      if (fn?.type === 'attribute') {
        const method = fn.childForFieldName('attribute')?.text;
        const object = fn.childForFieldName('object')!;
        if (method === 'get' && args.length >= 1 && this.isConstantDict(object)) {
          return args.length === 1 || this.safeValue(args[1], depth + 1) ? {} : undefined;
        }
        if (method === 'join' && args.length === 1 && plainStringValue(object) !== undefined) {
          const items = this.safeIterable(args[0], depth + 1);
          if (items) return { placeholders: items.placeholders || /%s/.test(plainStringValue(object) ?? '') };
        }
        if ((method === 'upper' || method === 'lower' || method === 'strip') && args.length === 0) {
          const inner = this.safeValue(object, depth + 1);
          return inner ? { placeholders: inner.placeholders } : undefined;
        }
      }
      return undefined;
    }
    if (node.type === 'subscript') {
      const value = node.childForFieldName('value');
      if (value && this.isConstantDict(value)) return {};
      return undefined;
    }
    if (node.type === 'conditional_expression') {
      const [a, , b] = node.namedChildren;
      const left = a && this.safeValue(a, depth + 1);
      const right = b && this.safeValue(b, depth + 1);
      if (!left || !right) return undefined;
      return { placeholders: !!(left.placeholders || right.placeholders) };
    }
    if (node.type === 'binary_operator') {
      const operator = node.childForFieldName('operator')?.text;
      const left = this.safeValue(node.childForFieldName('left')!, depth + 1);
      const right = this.safeValue(node.childForFieldName('right')!, depth + 1);
      if (operator === '*' && left && right) return { placeholders: !!(left.placeholders || right.placeholders) };
      if (['-', '/', '//', '**', '&', '|'].includes(operator ?? '') && left && right) return {};
      if (operator === '+' && left && right) {
        if (left.text !== undefined && right.text !== undefined) return { text: left.text + right.text, placeholders: /%s/.test(left.text + right.text) };
        return { placeholders: !!(left.placeholders || right.placeholders) };
      }
      return undefined;
    }
    return undefined;
  }

  /**
   * The backend's identifier quoting: `connection.ops.quote_name`, a compiler's
   * `quote_name_unless_alias`, or a local alias of either (`qn = connection.ops.quote_name`).
   */
  private isQuoteName(callee: Node): boolean {
    callee = unwrap(callee);
    if (callee.type === 'attribute') return QUOTE_NAMES.has(callee.childForFieldName('attribute')?.text ?? '');
    if (callee.type !== 'identifier') return false;
    if (QUOTE_NAMES.has(callee.text)) return true;
    const reaching = this.flow.reaching(callee, enclosingScope(callee));
    return reaching.kind === 'defs' && reaching.defs.every((def) => def.kind === 'assign' && !!def.value && unwrap(def.value).type === 'attribute' && this.isQuoteName(def.value));
  }

  /** Items of an iterable that are all safe (constants, repeated constants, a generator of constants). */
  private safeIterable(node: Node, depth: number): { placeholders: boolean } | undefined {
    node = unwrap(node);
    if (node.type === 'list' || node.type === 'tuple' || node.type === 'set') {
      let placeholders = false;
      for (const item of node.namedChildren) {
        if (!item || item.type === 'comment') continue;
        const safe = this.safeValue(item, depth + 1);
        if (!safe) return undefined;
        placeholders ||= !!safe.placeholders;
      }
      return { placeholders };
    }
    if (node.type === 'binary_operator' && node.childForFieldName('operator')?.text === '*') {
      const left = this.safeIterable(node.childForFieldName('left')!, depth + 1) ?? this.safeIterable(node.childForFieldName('right')!, depth + 1);
      return left;
    }
    if (node.type === 'generator_expression' || node.type === 'list_comprehension') {
      const body = node.childForFieldName('body');
      if (!body) return undefined;
      const safe = this.safeValue(body, depth + 1);
      return safe ? { placeholders: !!safe.placeholders } : undefined;
    }
    if (node.type === 'identifier') {
      // A local list grown by append / extend: every item must be safe.
      const items = this.listItems(node);
      if (items) {
        let placeholders = false;
        for (const item of items) {
          const safe = this.safeValue(item, depth + 1);
          if (!safe) return undefined;
          placeholders ||= !!safe.placeholders;
        }
        return { placeholders };
      }
      const value = this.nameValue(node, 'value');
      if (value.kind === 'safe') return { placeholders: !!value.placeholders };
      const scope = enclosingScope(node);
      const reaching = this.flow.reaching(node, scope);
      if (reaching.kind === 'defs' && this.mutated(node, scope)) return undefined;
      if (reaching.kind === 'defs' && reaching.defs.every((d) => d.kind === 'assign' && d.value)) {
        let placeholders = false;
        for (const def of reaching.defs) {
          const inner = this.safeIterable(def.value!, depth + 1);
          if (!inner) return undefined;
          placeholders ||= inner.placeholders;
        }
        return { placeholders };
      }
      if (reaching.kind === 'unbound') {
        const bindings = this.flow.scopeBindings(this.root).get(node.text) ?? [];
        if (bindings.length === 1 && bindings[0].kind === 'assign' && bindings[0].value) return this.safeIterable(bindings[0].value, depth + 1);
      }
    }
    return undefined;
  }

  /** A dict literal (here, in a module constant or in a local) whose values are all constant strings. */
  private isConstantDict(node: Node): boolean {
    node = unwrap(node);
    let dict: Node | undefined;
    if (node.type === 'dictionary') dict = node;
    else if (node.type === 'identifier') {
      const scope = enclosingScope(node);
      const reaching = this.flow.reaching(node, scope);
      let bindings: Binding[] = [];
      if (reaching.kind === 'defs') bindings = reaching.defs;
      else if (reaching.kind === 'unbound') bindings = this.flow.scopeBindings(this.root).get(node.text) ?? [];
      if (bindings.length === 1 && bindings[0].kind === 'assign' && bindings[0].value && unwrap(bindings[0].value).type === 'dictionary') dict = unwrap(bindings[0].value);
    } else if (node.type === 'attribute') {
      const value = this.classAttributeValue(node);
      if (value && unwrap(value).type === 'dictionary') dict = unwrap(value);
    }
    if (!dict) return false;
    return dict.namedChildren.every((pair) => !pair || pair.type === 'comment' || (pair.type === 'pair' && plainStringValue(pair.childForFieldName('value')!) !== undefined));
  }

  /** The constant text of `self.NAME`, `cls.NAME` or `ClassName.NAME` assigned in a class body of this file. */
  private classConstant(node: Node): string | undefined {
    const value = this.classAttributeValue(node);
    return value ? plainStringValue(value) : undefined;
  }

  private classAttributeValue(node: Node): Node | undefined {
    const object = node.childForFieldName('object');
    const attribute = node.childForFieldName('attribute')?.text;
    if (!object || !attribute || object.type !== 'identifier') return undefined;
    let cls: Node | null = null;
    if (object.text === 'self' || object.text === 'cls') {
      for (let current = node.parent; current; current = current.parent) {
        if (current.type === 'class_definition') {
          cls = current;
          break;
        }
      }
    } else {
      const binding = (this.flow.scopeBindings(this.root).get(object.text) ?? [])[0];
      if (binding?.statement.parent?.type === 'class_definition') cls = binding.statement.parent;
    }
    if (!cls) return undefined;
    const bindings = this.flow.scopeBindings(cls).get(attribute) ?? [];
    return bindings.length === 1 && bindings[0].kind === 'assign' ? bindings[0].value : undefined;
  }
}

/** The arguments of a call; `f(x for x in y)` has the generator itself as its argument list. */
export function callArguments(call: Node): Node[] {
  const args = call.childForFieldName('arguments');
  if (!args) return [];
  if (args.type === 'generator_expression') return [args];
  return args.namedChildren.filter((a): a is Node => !!a && a.type !== 'comment');
}

/** A literal `"…".format(…)` call. */
function isFormatCallOnLiteral(node: Node): boolean {
  const fn = node.childForFieldName('function');
  if (fn?.type !== 'attribute' || fn.childForFieldName('attribute')?.text !== 'format') return false;
  const object = unwrap(fn.childForFieldName('object')!);
  return plainStringValue(object) !== undefined && (isStringNode(object) || object.type === 'concatenated_string');
}

/** Whether an expression can go inside `{…}` of an f-string as it is. */
function simpleExpression(node: Node): boolean {
  return ['identifier', 'attribute', 'call', 'subscript', 'integer', 'float'].includes(node.type) && !/[\\'"\n:!{}]/.test(node.text);
}

function flattenPlus(node: Node): Node[] {
  node = unwrap(node);
  if (node.type === 'binary_operator' && node.childForFieldName('operator')?.text === '+') {
    return [...flattenPlus(node.childForFieldName('left')!), ...flattenPlus(node.childForFieldName('right')!)];
  }
  return [node];
}

// ------------------------------------------------------------------------------------
// Templates

type PercentPiece =
  | { kind: 'text'; value: string }
  | {
      kind: 'spec';
      key?: string;
      /** `%s` without flags, width or precision. */
      plain: boolean;
      /** A numeric conversion (`%d`, `%f`…): digits only, whatever the value. */
      numeric: boolean;
      /** Arguments consumed by `*` width and precision. */
      starred: number;
    };

/** `"… %s … %(name)s … %%"` split into text and conversion specifiers; undefined when malformed. */
export function parsePercentTemplate(template: string): PercentPiece[] | undefined {
  const pieces: PercentPiece[] = [];
  let text = '';
  const spec = /%(?:\(([^)]*)\))?([#0\- +]*)(\*|\d+)?(?:\.(\*|\d*))?[hlL]?([diouxXeEfFgGcrsa%])/y;
  for (let i = 0; i < template.length;) {
    if (template[i] !== '%') {
      text += template[i++];
      continue;
    }
    spec.lastIndex = i;
    const match = spec.exec(template);
    if (!match) return undefined;
    i = spec.lastIndex;
    const [, key, flags, width, precision, conversion] = match;
    if (conversion === '%') {
      text += '%';
      continue;
    }
    if (text) pieces.push({ kind: 'text', value: text });
    text = '';
    const starred = (width === '*' ? 1 : 0) + (precision === '*' ? 1 : 0);
    pieces.push({
      kind: 'spec',
      key,
      plain: conversion === 's' && !flags && width === undefined && precision === undefined,
      numeric: 'diouxXeEfFgG'.includes(conversion),
      starred,
    });
  }
  if (text) pieces.push({ kind: 'text', value: text });
  return pieces;
}

/** The arguments of `template % right`. */
function percentArguments(right: Node): { positional: Node[]; single?: Node; named?: Map<string, Node> } {
  right = unwrap(right);
  if (right.type === 'tuple') return { positional: right.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment') };
  if (right.type === 'dictionary') {
    const named = new Map<string, Node>();
    for (const pair of right.namedChildren) {
      if (pair?.type !== 'pair') continue;
      const key = plainStringValue(pair.childForFieldName('key')!);
      const value = pair.childForFieldName('value');
      if (key !== undefined && value) named.set(key, value);
    }
    return { positional: [right], named };
  }
  return { positional: [right], single: right };
}

type FormatPiece = { kind: 'text'; value: string } | { kind: 'field'; name: string; plain: boolean };

/** `"… {} … {0} … {name!r:>5} … {{"` split into text and replacement fields; undefined when malformed. */
export function parseFormatTemplate(template: string): FormatPiece[] | undefined {
  const pieces: FormatPiece[] = [];
  let text = '';
  for (let i = 0; i < template.length;) {
    const ch = template[i];
    if (ch === '{' && template[i + 1] === '{') {
      text += '{';
      i += 2;
    } else if (ch === '}' && template[i + 1] === '}') {
      text += '}';
      i += 2;
    } else if (ch === '}') return undefined;
    else if (ch === '{') {
      let depth = 1;
      let j = i + 1;
      for (; j < template.length && depth > 0; j++) {
        if (template[j] === '{') depth++;
        else if (template[j] === '}') depth--;
      }
      if (depth !== 0) return undefined;
      const field = template.slice(i + 1, j - 1);
      const match = /^([^.[!:]*)([^!:]*)(![rsa])?(:.*)?$/s.exec(field);
      if (!match) return undefined;
      if (text) pieces.push({ kind: 'text', value: text });
      text = '';
      pieces.push({ kind: 'field', name: match[1], plain: !match[2] && !match[3] && !match[4] });
      i = j;
    } else {
      text += ch;
      i++;
    }
  }
  if (text) pieces.push({ kind: 'text', value: text });
  return pieces;
}

/** The arguments of a `.format(…)` call. */
function formatArguments(call: Node): { positional: Node[]; named: Map<string, Node>; splats: Node[] } {
  const positional: Node[] = [];
  const named = new Map<string, Node>();
  const splats: Node[] = [];
  for (const arg of callArguments(call)) {
    if (arg.type === 'keyword_argument') {
      const name = arg.childForFieldName('name')?.text;
      const value = arg.childForFieldName('value');
      if (name && value) named.set(name, value);
    } else if (arg.type === 'list_splat' || arg.type === 'dictionary_splat') splats.push(arg);
    else positional.push(arg);
  }
  return { positional, named, splats };
}
