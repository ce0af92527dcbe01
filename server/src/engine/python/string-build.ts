import type { Node } from '../parse/python';
import type { Provenance } from './provenance';
import type { ProvenanceAnalysis } from './provenance-analysis';
import type { Binding, Scopes } from './scopes';
import { parseFormatTemplate, parsePercentTemplate } from './string-templates';
import { callArguments, decodeContent, isBytes, isFString, isStringNode, isTemplateString, literalStyle, operatorChain, plainStringValue, sortedArguments, unwrap, type LiteralStyle } from './syntax';

/**
 * How a string was built: from which constant text and which other values, by f-string,
 * `%` formatting, `str.format()`, `+` / `+=` concatenation or `str.join()`, directly or
 * through local variables of the same function. The result lists the parts of the final
 * string in order, each value with its provenance, and the expressions ("sites") that
 * wrote them, so a fix can rewrite exactly those expressions. The SQL rules and the HTML
 * rules read strings through this one model.
 *
 * A build stops at a documented size: past MAX_PARTS parts or MAX_DEPTH nested string
 * expressions, what remains is one value of the provenance the analysis gives it, with no
 * fix (`truncated`).
 */

export { type LiteralStyle } from './syntax';

/** How a value got into the string. */
export type SourceKind = 'f-string' | '%' | 'format' | '+' | 'join';

/** Constant text written in the code. */
export interface TextPart {
  kind: 'text';
  value: string;
  /** The expression that writes it, when a fix may rewrite that expression. */
  site?: Site;
}

/** A value that is not known to be safe: of unknown origin, or untrusted. */
export interface ValuePart {
  kind: 'value';
  /** The expression whose value is inserted. */
  node: Node;
  site?: Site;
  /** False when the text inserted is not the value's plain `str()`: `!r`, a format spec, `%r`, `{0.attr}`, `*args`. */
  plain: boolean;
  source: SourceKind;
  provenance: Provenance;
}

/**
 * A value that cannot carry an attack: a number, a model's table name, an allow-list
 * lookup, escaped HTML, a constant defined elsewhere (then `text` is known). It stays in
 * the code as it is.
 */
export interface SafePart {
  kind: 'safe';
  node: Node;
  text?: string;
  /** Repeated placeholders such as `", ".join(["%s"] * len(ids))`. */
  placeholders?: boolean;
  provenance?: Provenance;
}

/** Text that comes from elsewhere as a whole (SQL passed in), without being interpolated into a string here. */
export interface OpaquePart {
  kind: 'opaque';
  node: Node;
  provenance: Provenance;
}

export type StringPart = TextPart | ValuePart | SafePart | OpaquePart;

/** An expression that writes parts of the string itself; a fix replaces it as a whole. */
export interface Site {
  node: Node;
  form: 'literal' | 'f-string' | 'percent' | 'format' | 'concat' | 'join';
  style: LiteralStyle;
  items: SiteItem[];
  /**
   * For `template % params` where `params` names a tuple: the name. Its items are the values;
   * a fix passes the tuple itself as the query's parameters.
   */
  argumentsName?: Node;
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
  /** True when the build stopped at its size limit: the rest is one value, and no fix rewrites it. */
  truncated?: boolean;
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

/** Parts a build holds at most: past it, the rest of the expression is one value. */
export const MAX_PARTS = 20_000;
/** String expressions nested in each other (an f-string in an f-string in…) read at most. */
export const MAX_DEPTH = 48;

/** How a name reads at a point, as far as string building goes. */
type NameValue = { kind: 'build'; build: StringBuild } | { kind: 'text'; text: string } | { kind: 'safe'; placeholders?: boolean } | { kind: 'unknown' };

interface Acc extends StringBuild {}

function newAcc(): Acc {
  return { parts: [], sites: [], sources: new Set(), variables: [], straight: true };
}

/** Whether an unknown expression is text in its own right (SQL passed in: `text`) or a value inserted into the string (`value`). */
export type Role = 'text' | 'value';

/**
 * Reads how strings are built in one module, judging every inserted value by its
 * provenance. One per module analysis.
 */
export class StringBuilder {
  private readonly names = new Map<string, NameValue>();
  private readonly visiting = new Set<number>();
  private depth = 0;

  constructor(
    private readonly scopes: Scopes,
    private readonly provenance: ProvenanceAnalysis,
  ) {}

  /**
   * How the string an expression evaluates to was built. With `role` `text` (SQL), an
   * expression of unknown content is text of unknown origin (`opaque`); with `value`
   * (HTML), it is a value inserted into the string.
   */
  build(node: Node, role: Role): StringBuild {
    const acc = newAcc();
    this.expression(node, acc, role);
    return acc;
  }

  /** The constant text an expression always evaluates to, or undefined. */
  constantOf(node: Node): string | undefined {
    return constantText(this.build(node, 'value'));
  }

  // ----------------------------------------------------------------------------------
  // Strings

  private expression(node: Node, acc: Acc, role: Role): void {
    if (this.depth > MAX_DEPTH || acc.parts.length > MAX_PARTS) return this.truncate(node, acc, role);
    this.depth++;
    try {
      this.expressionInner(unwrap(node), acc, role);
    } finally {
      this.depth--;
    }
  }

  /** The rest of a build too large or too deep to read: one value as the analysis judges it, and no fix. */
  private truncate(node: Node, acc: Acc, role: Role): void {
    acc.truncated = true;
    acc.straight = false;
    this.fallback(node, acc, role, '+');
  }

  private expressionInner(node: Node, acc: Acc, role: Role): void {
    if (isStringNode(node)) {
      if (isBytes(node) || isTemplateString(node)) return this.fallback(node, acc, role, '+');
      const site = newSite(node, isFString(node) ? 'f-string' : 'literal', literalStyle(node));
      this.stringInto(node, site, acc);
      acc.sites.push(site);
      return;
    }
    if (node.type === 'concatenated_string') {
      // Each literal of an implicit concatenation is rewritten on its own, keeping the layout.
      for (const child of node.namedChildren) if (child && isStringNode(child)) this.expressionInner(child, acc, role);
      return;
    }
    if (node.type === 'binary_operator') {
      const operator = node.childForFieldName('operator')?.text;
      if (operator === '+' && this.isStringy(node)) return this.concat(node, acc);
      if (operator === '%') return this.percent(node, acc, role);
    }
    if (node.type === 'call') {
      const fn = node.childForFieldName('function');
      const method = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
      if (method === 'format' && fn) return this.format(node, acc, role);
      if (method === 'join' && fn) return this.join(node, acc, role);
      const args = callArguments(node);
      if (fn?.type === 'identifier' && fn.text === 'str' && args.length === 1 && this.scopes.resolve(fn).kind === 'module') {
        const inner = args[0];
        if (inner.type !== 'keyword_argument' && inner.type !== 'list_splat' && inner.type !== 'dictionary_splat') return this.expression(inner, acc, role);
      }
    }
    if (node.type === 'identifier') {
      const value = this.nameValue(node, role);
      if (value.kind === 'build' && !value.build.parts.some((p) => p.kind === 'text' || p.kind === 'safe')) return this.fallback(node, acc, role, '+');
      if (value.kind === 'build') return appendBuild(value.build, acc);
      if (value.kind === 'text') return void acc.parts.push({ kind: 'safe', node, text: value.text });
      if (value.kind === 'safe') return void acc.parts.push({ kind: 'safe', node, placeholders: value.placeholders });
      return this.fallback(node, acc, role, '+');
    }
    if (node.type === 'conditional_expression') {
      // Either branch may run: keep the first that carries values, without a way to fix it.
      for (const branch of [node.namedChildren[0], node.namedChildren[2]]) {
        if (!branch) continue;
        const inner = newAcc();
        this.expression(branch, inner, role);
        if (inner.parts.some((p) => p.kind === 'value' || (p.kind === 'opaque' && p.provenance.trust === 'untrusted'))) {
          appendBuild({ ...inner, straight: false }, acc);
          acc.straight = false;
          return;
        }
      }
    }
    this.fallback(node, acc, role, '+');
  }

  /** An expression of no string shape: safe by its provenance, else text of unknown origin or a value inserted into the string. */
  private fallback(node: Node, acc: Acc, role: Role, source: SourceKind): void {
    const provenance = this.provenance.closed(node);
    if (provenance.trust === 'safe') {
      acc.parts.push({ kind: 'safe', node, text: plainStringValue(node), placeholders: this.placeholders(node), provenance });
      return;
    }
    if (role === 'text') acc.parts.push({ kind: 'opaque', node, provenance });
    else {
      acc.parts.push({ kind: 'value', node, plain: true, source, provenance });
      acc.sources.add(source);
    }
  }

  private own(site: Site | undefined, acc: Acc, part: TextPart | ValuePart): void {
    if (site) {
      part.site = site;
      site.items.push({ kind: 'own', part });
    }
    acc.parts.push(part);
    if (part.kind === 'value') acc.sources.add(part.source);
  }

  private ownValue(site: Site | undefined, acc: Acc, node: Node, plain: boolean, source: SourceKind): void {
    this.own(site, acc, { kind: 'value', node, plain, source, provenance: this.provenance.closed(node) });
  }

  private kept(site: Site | undefined, acc: Acc, node: Node, parts: StringPart[], emit: { fstring?: string; concat?: string }): void {
    site?.items.push({ kind: 'kept', node, parts, ...emit });
    for (const part of parts) acc.parts.push(part);
  }

  /** The parts of a string literal (plain or f-string), written by `site`. */
  private stringInto(node: Node, site: Site | undefined, acc: Acc): void {
    const style = literalStyle(node);
    for (const child of node.namedChildren) {
      if (!child) continue;
      if (child.type === 'string_content') {
        const value = decodeContent(child, style);
        if (value === undefined) this.ownValue(site, acc, child, false, 'f-string');
        else if (value) this.own(site, acc, { kind: 'text', value });
      } else if (child.type === 'interpolation') this.interpolation(child, site, acc);
    }
  }

  private interpolation(node: Node, site: Site | undefined, acc: Acc): void {
    const expression = node.childForFieldName('expression');
    if (!expression) return;
    const spec = node.childForFieldName('format_specifier');
    const conversion = node.childForFieldName('type_conversion');
    const decorated = !!conversion || !!spec || node.children.some((c) => c?.type === '=');
    // `{n:d}`, `{x:.2f}`: digits whatever the value.
    if (spec && !conversion && /[bdoxXneEfFgG%]$/.test(spec.text) && !node.children.some((c) => c?.type === '=')) {
      return this.kept(site, acc, node, [{ kind: 'safe', node: expression }], { fstring: node.text });
    }
    const start = acc.parts.length;
    const inner = this.interpolated(expression, decorated);
    if (inner.kind === 'value') return this.ownValue(site, acc, expression, !decorated, 'f-string');
    appendBuild(inner.build, acc);
    const parts = acc.parts.splice(start);
    this.kept(site, acc, node, parts, { fstring: node.text, concat: undefined });
  }

  /**
   * A value inserted into a string (by an f-string, `%`, `.format`, `+` or `join`): either a
   * value to report, or what it is known to be (a local build, a constant, a safe value).
   */
  private interpolated(raw: Node, decorated = false): { kind: 'value' } | { kind: 'known'; build: StringBuild } {
    const node = unwrap(raw);
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
      return this.safeOrValue(node);
    }
    // A string built inside the interpolation: its own values are reported, and no fix rewrites it.
    if (!decorated && (this.isStringy(node) || isFString(node)) && this.depth <= MAX_DEPTH) {
      const inner = newAcc();
      this.depth++;
      try {
        this.expression(node, inner, 'value');
      } finally {
        this.depth--;
      }
      if (!inner.parts.some((p) => p.kind === 'value' || p.kind === 'opaque')) return known([{ kind: 'safe', node, text: constantText(inner) }]);
      const whole = inner.parts.length === 1 && inner.parts[0].kind === 'value';
      if (!whole && !inner.parts.some((p) => p.kind === 'opaque')) {
        const parts = inner.parts.map((p) => (p.kind === 'text' || p.kind === 'value' ? { ...p, site: undefined } : p));
        return { kind: 'known', build: { parts, sites: [], sources: inner.sources, variables: inner.variables, straight: false, truncated: inner.truncated } };
      }
    }
    return this.safeOrValue(node);
  }

  /** A value judged by its provenance: kept as a safe part, or reported. */
  private safeOrValue(node: Node): { kind: 'value' } | { kind: 'known'; build: StringBuild } {
    const provenance = this.provenance.closed(node);
    if (provenance.trust !== 'safe') return { kind: 'value' };
    return { kind: 'known', build: { parts: [{ kind: 'safe', node, placeholders: this.placeholders(node), provenance }], sites: [], sources: new Set(), variables: [], straight: true } };
  }

  /** Whether a `+` expression concatenates strings (some operand is a string). */
  private isStringy(node: Node): boolean {
    for (let current = unwrap(node), hops = 0; hops < MAX_DEPTH; hops++) {
      if (isStringNode(current) || current.type === 'concatenated_string') return !isBytes(current);
      if (current.type === 'binary_operator') {
        const operator = current.childForFieldName('operator')?.text;
        if (operator === '+') return operatorChain(current, '+').some((operand) => operand.type !== 'binary_operator' && this.isStringy(operand));
        if (operator === '%') {
          current = unwrap(current.childForFieldName('left')!);
          continue;
        }
        return false;
      }
      if (current.type === 'call') {
        const fn = current.childForFieldName('function');
        if (fn?.type === 'attribute' && ['format', 'join'].includes(fn.childForFieldName('attribute')?.text ?? '')) {
          current = unwrap(fn.childForFieldName('object')!);
          continue;
        }
        return fn?.type === 'identifier' && fn.text === 'str';
      }
      if (current.type === 'identifier') {
        const value = this.nameValue(current, 'text');
        return value.kind === 'text' || (value.kind === 'build' && value.build.parts.some((p) => p.kind === 'text' || (p.kind === 'safe' && p.text !== undefined)));
      }
      return false;
    }
    return false;
  }

  private concat(node: Node, acc: Acc): void {
    const operands = operatorChain(node, '+');
    const first = operands.find((o) => isStringNode(o)) ?? operands.find((o) => o.type === 'concatenated_string')?.namedChildren.find((c) => c && isStringNode(c));
    const site = newSite(node, 'concat', first ? literalStyle(first) : { prefix: '', quote: '"', triple: false });
    for (const operand of operands) {
      if (acc.parts.length > MAX_PARTS) {
        acc.truncated = true;
        acc.straight = false;
        this.ownValue(site, acc, operand, true, '+');
        continue;
      }
      this.concatOperand(operand, site, acc);
    }
    acc.sites.push(site);
  }

  private concatOperand(operand: Node, site: Site, acc: Acc): void {
    if (isStringNode(operand) && !isBytes(operand) && !isTemplateString(operand)) return this.stringInto(operand, site, acc);
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
    if (inner.kind === 'value') return this.ownValue(site, acc, operand, true, '+');
    appendBuild(inner.build, acc);
    const parts = acc.parts.splice(start);
    this.kept(site, acc, operand, parts, { concat: operand.text, fstring: simpleExpression(operand) ? `{${operand.text}}` : undefined });
  }

  // ----------------------------------------------------------------------------------
  // % formatting

  private percent(node: Node, acc: Acc, role: Role): void {
    const left = unwrap(node.childForFieldName('left')!);
    if (isStringNode(left) && plainStringValue(left) !== undefined) {
      const site = newSite(node, 'percent', literalStyle(left));
      this.percentInto(node, site, acc);
      acc.sites.push(site);
      return;
    }
    // A template from elsewhere: its values are reported, nothing here can be rewritten.
    const template = newAcc();
    this.expression(left, template, role);
    const text = constantText(template);
    if (text === undefined) {
      appendBuild({ ...template, sites: [] }, acc);
      for (const arg of percentArguments(node.childForFieldName('right')!).positional) this.insertValue(arg, undefined, acc, '%', true);
      acc.straight = false;
      return;
    }
    this.percentTemplate(text, node, undefined, acc);
  }

  private percentInto(node: Node, site: Site, acc: Acc): void {
    const left = unwrap(node.childForFieldName('left')!);
    const text = plainStringValue(left);
    if (text === undefined) return this.ownValue(site, acc, left, false, '%');
    this.percentTemplate(text, node, site, acc);
  }

  private percentTemplate(template: string, node: Node, site: Site | undefined, acc: Acc): void {
    const right = node.childForFieldName('right')!;
    const tuple = this.namedTuple(right);
    const args = percentArguments(tuple ?? right);
    if (tuple && site) site.argumentsName = unwrap(right);
    // `"…%s…%s" % (a, *rest)`: which argument fills which field is not known; the arguments are judged together.
    if (args.positional.some((arg) => arg.type === 'list_splat')) {
      for (const piece of parsePercentTemplate(template) ?? []) if (piece.kind === 'text' && piece.value) this.own(site, acc, { kind: 'text', value: piece.value });
      return this.fallback(right, acc, 'value', '%');
    }
    const specs = parsePercentTemplate(template);
    if (!specs) return this.ownValue(site, acc, node, false, '%');
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
      else arg = args.positional[next + piece.starred];
      if (piece.key === undefined) next += 1 + piece.starred;
      if (!arg) {
        plain = false;
        arg = right;
      }
      if (piece.numeric) {
        this.kept(site, acc, arg, [{ kind: 'safe', node: arg }], {});
        continue;
      }
      this.insertValue(arg, site, acc, '%', plain);
    }
  }

  /** The tuple literal a name is bound to, once and on every path (`params = (a, b)`), if it is one. */
  private namedTuple(node: Node): Node | undefined {
    const name = unwrap(node);
    if (name.type !== 'identifier') return undefined;
    const resolution = this.scopes.resolve(name);
    if (resolution.kind !== 'local' || !resolution.straight || resolution.defs.length !== 1) return undefined;
    const def = resolution.defs[0];
    const value = def.kind === 'assign' && def.value && !def.unpacked ? unwrap(def.value) : undefined;
    if (value?.type !== 'tuple' || this.scopes.additions(resolution.scope, name.text).length > 0) return undefined;
    return value.namedChildren.some((c) => c?.type === 'list_splat') ? undefined : value;
  }

  /** Inserts the value of an argument (of `%`, `.format` or `join`) written by `site`. */
  private insertValue(arg: Node, site: Site | undefined, acc: Acc, source: SourceKind, plain: boolean): void {
    const inner = this.interpolated(arg, !plain);
    if (inner.kind === 'value') return this.ownValue(site, acc, arg, plain, source);
    const start = acc.parts.length;
    appendBuild(inner.build, acc);
    const parts = acc.parts.splice(start);
    this.kept(site, acc, arg, parts, {});
  }

  // ----------------------------------------------------------------------------------
  // str.format

  private format(node: Node, acc: Acc, role: Role): void {
    if (isFormatCallOnLiteral(node)) {
      const template = unwrap(node.childForFieldName('function')!.childForFieldName('object')!);
      const site = newSite(node, 'format', literalStyle(template.type === 'concatenated_string' ? template.namedChildren.find((c) => c && isStringNode(c))! : template));
      this.formatInto(node, site, acc);
      acc.sites.push(site);
      return;
    }
    const args = sortedArguments(node);
    if (args.positional.length + args.keywords.size + args.splats.length === 0) return this.fallback(node, acc, role, 'format');
    // A template from elsewhere: its values are reported, nothing here can be rewritten.
    const template = newAcc();
    this.expression(node.childForFieldName('function')!.childForFieldName('object')!, template, role);
    const text = constantText(template);
    if (text !== undefined) return this.formatTemplate(text, node, undefined, acc);
    appendBuild({ ...template, sites: [] }, acc);
    for (const arg of [...args.positional, ...args.keywords.values(), ...args.splats]) this.insertValue(arg, undefined, acc, 'format', true);
    acc.straight = false;
  }

  private formatInto(node: Node, site: Site, acc: Acc): void {
    const template = unwrap(node.childForFieldName('function')!.childForFieldName('object')!);
    const text = plainStringValue(template);
    if (text === undefined) return this.ownValue(site, acc, node, false, 'format');
    this.formatTemplate(text, node, site, acc);
  }

  private formatTemplate(template: string, node: Node, site: Site | undefined, acc: Acc): void {
    const fields = parseFormatTemplate(template);
    const args = sortedArguments(node);
    if (!fields) return this.ownValue(site, acc, node, false, 'format');
    let auto = 0;
    for (const field of fields) {
      if (field.kind === 'text') {
        if (field.value) this.own(site, acc, { kind: 'text', value: field.value });
        continue;
      }
      let arg: Node | undefined;
      if (field.name === '') arg = args.positional[auto++];
      else if (/^\d+$/.test(field.name)) arg = args.positional[Number(field.name)];
      else arg = args.keywords.get(field.name);
      let plain = field.plain;
      if (!arg) {
        arg = args.splats[0] ?? node;
        plain = false;
      }
      if (field.numeric) {
        this.kept(site, acc, arg, [{ kind: 'safe', node: arg }], {});
        continue;
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
    if (separator === undefined || !iterable) return this.fallback(node, acc, role, 'join');
    if (iterable.type === 'list' || iterable.type === 'tuple') {
      const site = newSite(node, 'join', literalStyle(isStringNode(separatorNode) ? separatorNode : node));
      let index = 0;
      for (const item of iterable.namedChildren) {
        if (!item || item.type === 'comment') continue;
        if (index++ > 0 && separator) this.own(site, acc, { kind: 'text', value: separator });
        if (item.type === 'list_splat') {
          this.ownValue(site, acc, item, false, 'join');
          continue;
        }
        this.joinItem(unwrap(item), site, acc);
      }
      acc.sites.push(site);
      return;
    }
    // The items of a list built elsewhere (a loop, appends): reported, not rewritten.
    const items = this.listItems(iterable);
    if (items && items.length <= MAX_PARTS) {
      acc.straight = false;
      items.forEach((item, index) => {
        if (index > 0 && separator) acc.parts.push({ kind: 'text', value: separator });
        const inner = newAcc();
        this.expression(item, inner, 'value');
        appendBuild({ ...inner, parts: inner.parts.map((p) => (p.kind === 'value' || p.kind === 'text' ? { ...p, site: undefined } : p)), sites: [] }, acc);
      });
      acc.sources.add('join');
      return;
    }
    // Any other iterable: its items are judged together.
    this.fallback(node, acc, role, 'join');
  }

  private joinItem(item: Node, site: Site, acc: Acc): void {
    if (isStringNode(item) && !isBytes(item) && !isTemplateString(item)) return this.stringInto(item, site, acc);
    if (item.type === 'concatenated_string') {
      for (const child of item.namedChildren) if (child && isStringNode(child)) this.stringInto(child, site, acc);
      return;
    }
    if (item.type === 'binary_operator' && item.childForFieldName('operator')?.text === '+' && this.isStringy(item)) {
      for (const operand of operatorChain(item, '+')) this.concatOperand(operand, site, acc);
      return;
    }
    if (item.type === 'binary_operator' && item.childForFieldName('operator')?.text === '%' && isStringNode(unwrap(item.childForFieldName('left')!))) return this.percentInto(item, site, acc);
    if (item.type === 'call' && isFormatCallOnLiteral(item)) return this.formatInto(item, site, acc);
    const start = acc.parts.length;
    const inner = this.interpolated(item);
    if (inner.kind === 'value') return this.ownValue(site, acc, item, true, 'join');
    appendBuild(inner.build, acc);
    const parts = acc.parts.splice(start);
    this.kept(site, acc, item, parts, {});
  }

  /**
   * The items of a list variable built in this function by a literal and `append` /
   * `extend` / `+=` of literals, in document order; undefined when it is anything else.
   */
  private listItems(node: Node): Node[] | undefined {
    if (node.type !== 'identifier') return undefined;
    const scope = this.scopes.scopeOf(node);
    const reaching = this.scopes.reaching(node, scope);
    if (reaching.kind !== 'defs') return undefined;
    const items: Node[] = [];
    const base = reaching.defs[0];
    if (base.kind !== 'assign' || !base.value || base.unpacked || unwrap(base.value).type !== 'list') return undefined;
    for (const def of reaching.defs) {
      if (def.kind === 'assign' && def !== base) return undefined;
      if (def.kind !== 'assign' && def.kind !== 'augment') return undefined;
      const value = unwrap(def.value!);
      if (value.type !== 'list') return undefined;
      for (const item of value.namedChildren) if (item && item.type !== 'comment') items.push(item);
    }
    // Calls that grow the list before the use: `name.append(x)`, `name.extend([...])`, `name.insert(i, x)`.
    for (const added of this.scopes.additions(scope, node.text)) {
      if (added.value.startIndex >= node.startIndex) continue;
      // Item assignments and other changes are not followed here.
      if (added.method !== 'append' && added.method !== 'extend' && added.method !== 'insert') return undefined;
      if (added.method === 'extend') {
        const list = unwrap(added.value);
        if (list.type !== 'list' && list.type !== 'tuple') items.push(added.value);
        else for (const item of list.namedChildren) if (item && item.type !== 'comment') items.push(item);
      } else items.push(added.value);
    }
    return items;
  }

  // ----------------------------------------------------------------------------------
  // Names

  /** What an identifier holds at its use, following local definitions. */
  private nameValue(node: Node, role: Role): NameValue {
    // Builds refer to each other through variables; remembering them keeps long chains linear.
    const memo = `${node.id}:${role}`;
    const known = this.names.get(memo);
    if (known) return known;
    const value = this.computeNameValue(node, role);
    this.names.set(memo, value);
    return value;
  }

  private computeNameValue(node: Node, role: Role): NameValue {
    // Names built from names built from names…: followed MAX_DEPTH deep, then judged by provenance alone.
    if (this.depth > MAX_DEPTH) return { kind: 'unknown' };
    this.depth++;
    try {
      return this.followName(node, role);
    } finally {
      this.depth--;
    }
  }

  private followName(node: Node, role: Role): NameValue {
    const resolution = this.scopes.resolve(node);
    if (resolution.kind === 'module') return this.moduleName(resolution.defs);
    if (resolution.kind !== 'local') return { kind: 'unknown' };
    if (this.scopes.guardedByAllowList(node, resolution.scope)) return { kind: 'safe' };
    const key = node.id;
    if (this.visiting.has(key)) return { kind: 'unknown' };
    this.visiting.add(key);
    try {
      const acc = newAcc();
      let safe = true;
      let placeholders = false;
      for (const def of resolution.defs) {
        if ((def.kind !== 'assign' && def.kind !== 'augment') || !def.value || def.unpacked) return { kind: 'unknown' };
        const value = unwrap(def.value);
        // Text written here stays a site the fix can rewrite; other safe values are kept as they are.
        if (def.kind === 'assign' && !this.isStringy(value)) {
          const provenance = this.provenance.closed(value);
          if (provenance.trust === 'safe') {
            const text = plainStringValue(value);
            const hint = this.placeholders(value);
            placeholders ||= hint;
            acc.parts.push({ kind: 'safe', node: value, text, placeholders: hint, provenance });
            continue;
          }
        }
        safe = false;
        if (def.kind === 'assign') this.expression(value, acc, role);
        // `sql += x`: x is inserted into the string, unless it is itself built from text.
        else this.expression(value, acc, this.isStringy(value) ? role : 'value');
      }
      if (safe) {
        const only = resolution.defs.length === 1 ? (acc.parts[0] as SafePart | undefined) : undefined;
        return only?.text !== undefined ? { kind: 'text', text: only.text } : { kind: 'safe', placeholders };
      }
      acc.variables.push({ use: node, scope: resolution.scope, defs: resolution.defs });
      if (!resolution.straight) acc.straight = false;
      if (!acc.parts.some((p) => p.kind !== 'opaque')) return { kind: 'unknown' };
      return { kind: 'build', build: acc };
    } finally {
      this.visiting.delete(key);
    }
  }

  // NOTE: a module-level name is bound once, at import time, from code or configuration,
  // not from a request; only values computed inside a function are judged by their origin.
  private moduleName(defs: Binding[]): NameValue {
    if (defs.length === 1 && defs[0].kind === 'assign' && defs[0].value && !defs[0].unpacked) {
      const text = this.constantOfValue(defs[0].value);
      if (text !== undefined) return { kind: 'text', text };
      return { kind: 'safe', placeholders: this.placeholders(defs[0].value) };
    }
    return { kind: 'safe' };
  }

  /** The constant text of a module-level value (a literal, a formatting of constants), without following it into other modules. */
  private constantOfValue(node: Node): string | undefined {
    const key = node.id;
    if (this.visiting.has(key)) return undefined;
    this.visiting.add(key);
    try {
      const inner = newAcc();
      this.expression(node, inner, 'value');
      return constantText(inner);
    } finally {
      this.visiting.delete(key);
    }
  }

  /**
   * Whether a safe value is made of repeated `%s` placeholders: `", ".join(["%s"] * len(ids))`,
   * `"%s, " * n`, or a name bound to one of these.
   */
  private placeholders(raw: Node): boolean {
    const node = unwrap(raw);
    const text = plainStringValue(node);
    if (text !== undefined) return /%s/.test(text);
    if (node.type === 'binary_operator' && node.childForFieldName('operator')?.text === '*') {
      return [node.childForFieldName('left'), node.childForFieldName('right')].some((side) => !!side && this.placeholderItems(side));
    }
    if (node.type === 'call') {
      const fn = node.childForFieldName('function');
      if (fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'join') {
        const separator = plainStringValue(fn.childForFieldName('object')!);
        const [iterable] = callArguments(node);
        return (separator !== undefined && /%s/.test(separator)) || (!!iterable && this.placeholderItems(iterable));
      }
    }
    if (node.type === 'identifier') {
      const resolution = this.scopes.resolve(node);
      const defs = resolution.kind === 'local' || resolution.kind === 'module' ? resolution.defs : [];
      return defs.some((d) => d.kind === 'assign' && !!d.value && !d.unpacked && this.once(d.value, (value) => this.placeholders(value)));
    }
    return false;
  }

  /** `read(node)`, unless `node` is already being read (a name bound to itself through a cycle): then false. */
  private once(node: Node, read: (node: Node) => boolean): boolean {
    if (this.visiting.has(node.id)) return false;
    this.visiting.add(node.id);
    try {
      return read(node);
    } finally {
      this.visiting.delete(node.id);
    }
  }

  /** An iterable whose items are `%s` placeholders: `["%s"] * n`, `("%s",) * n`, `["%s" for _ in ids]`. */
  private placeholderItems(raw: Node): boolean {
    const node = unwrap(raw);
    if (node.type === 'list' || node.type === 'tuple') return node.namedChildren.some((item) => !!item && item.type !== 'comment' && /%s/.test(plainStringValue(item) ?? ''));
    if (node.type === 'binary_operator' && node.childForFieldName('operator')?.text === '*') {
      return [node.childForFieldName('left'), node.childForFieldName('right')].some((side) => !!side && unwrap(side).type !== 'binary_operator' && this.placeholderItems(side));
    }
    if (node.type === 'list_comprehension' || node.type === 'generator_expression') return /%s/.test(plainStringValue(node.childForFieldName('body') ?? node) ?? '');
    if (isStringNode(node)) return /%s/.test(plainStringValue(node) ?? '');
    if (node.type === 'identifier') {
      const resolution = this.scopes.resolve(node);
      const defs = resolution.kind === 'local' || resolution.kind === 'module' ? resolution.defs : [];
      return defs.length > 0 && defs.every((d) => d.kind === 'assign' && !!d.value && !d.unpacked && this.once(d.value, (value) => this.placeholderItems(value)));
    }
    return false;
  }
}

function newSite(node: Node, form: Site['form'], style: LiteralStyle): Site {
  return { node, form, style, items: [] };
}

function appendBuild(build: StringBuild, acc: Acc): void {
  const room = MAX_PARTS + 1 - acc.parts.length;
  if (build.parts.length > room) {
    for (let i = 0; i < room; i++) acc.parts.push(build.parts[i]);
    acc.truncated = true;
    acc.straight = false;
  } else for (const part of build.parts) acc.parts.push(part);
  for (const site of build.sites) acc.sites.push(site);
  for (const source of build.sources) acc.sources.add(source);
  for (const variable of build.variables) acc.variables.push(variable);
  if (!build.straight) acc.straight = false;
  if (build.truncated) acc.truncated = true;
}

/** A literal `"…".format(…)` call. */
export function isFormatCallOnLiteral(node: Node): boolean {
  const fn = node.childForFieldName('function');
  if (fn?.type !== 'attribute' || fn.childForFieldName('attribute')?.text !== 'format') return false;
  const object = unwrap(fn.childForFieldName('object')!);
  return plainStringValue(object) !== undefined && (isStringNode(object) || object.type === 'concatenated_string');
}

/** Whether an expression can go inside `{…}` of an f-string as it is. */
function simpleExpression(node: Node): boolean {
  return ['identifier', 'attribute', 'call', 'subscript', 'integer', 'float'].includes(node.type) && !/[\\'"\n:!{}]/.test(node.text);
}

/** The arguments of `template % right`. */
function percentArguments(right: Node): { positional: Node[]; single?: Node; named?: Map<string, Node> } {
  const value = unwrap(right);
  if (value.type === 'tuple') return { positional: value.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment') };
  if (value.type === 'dictionary') {
    const named = new Map<string, Node>();
    for (const pair of value.namedChildren) {
      if (pair?.type !== 'pair') continue;
      const key = plainStringValue(pair.childForFieldName('key')!);
      const item = pair.childForFieldName('value');
      if (key !== undefined && item) named.set(key, item);
    }
    return { positional: [value], named };
  }
  return { positional: [value], single: value };
}
