import type { Node, Tree } from '../parse/python';
import { resolveQualified } from './imports';

/** `(x)` → `x`, through any number of parentheses. */
export function unwrap(node: Node): Node {
  let current = node;
  for (;;) {
    if (current.type !== 'parenthesized_expression') return current;
    const inner = current.namedChildren.filter((child): child is Node => !!child && child.type !== 'comment');
    if (inner.length !== 1) return current;
    current = inner[0];
  }
}

/** The prefix letters of a `string` node, lower-cased (`rf`, `b`, ``). */
export function stringPrefix(node: Node): string | undefined {
  if (node.type !== 'string') return undefined;
  const start = node.firstChild;
  if (start?.type !== 'string_start') return undefined;
  return start.text.replace(/['"]+$/, '').toLowerCase();
}

function isFString(node: Node): boolean {
  return stringPrefix(node)?.includes('f') ?? false;
}

function interpolations(node: Node): Node[] {
  return node.namedChildren.filter((child): child is Node => child?.type === 'interpolation');
}

/** A string literal, implicit concatenations included, with no f-string interpolation and no bytes prefix. */
export function isPlainStringLiteral(node: Node): boolean {
  const parts = node.type === 'concatenated_string' ? node.namedChildren.filter((p): p is Node => !!p && p.type !== 'comment') : [node];
  return (
    parts.length > 0 &&
    parts.every((part) => {
      const prefix = stringPrefix(part);
      return prefix !== undefined && !prefix.includes('b') && !prefix.includes('t') && (!prefix.includes('f') || interpolations(part).length === 0);
    })
  );
}

const TRANSLATION_FUNCTIONS = new Set(
  [
    'gettext',
    'gettext_lazy',
    'ugettext',
    'ugettext_lazy',
    'pgettext',
    'pgettext_lazy',
    'ngettext',
    'ngettext_lazy',
    'ungettext',
    'ungettext_lazy',
    'npgettext',
    'npgettext_lazy',
    'gettext_noop',
    'ugettext_noop',
  ].map((name) => `django.utils.translation.${name}`),
);

// NOTE: render_to_string() renders with autoescaping on and returns SafeString; format_html()
// escapes its arguments. https://docs.djangoproject.com/en/stable/ref/utils/#django.utils.html.format_html
/** Calls whose result Django has already escaped (or built with escaping), so marking it safe adds no risk. */
const ESCAPING_FUNCTIONS = new Set([
  'django.utils.html.escape',
  'django.utils.html.conditional_escape',
  'django.utils.html.format_html',
  'django.utils.html.format_html_join',
  'django.utils.html.json_script',
  'django.template.loader.render_to_string',
]);

/**
 * Decides whether an expression is a constant the developer wrote: literals and operations on
 * them, translations of literals (`_("...")`), module-level names assigned once to such a
 * value, and Django settings (trusted configuration).
 */
export class Constants {
  private moduleNames?: Set<string>;

  constructor(
    private readonly tree: Tree,
    private readonly imports: Map<string, string>,
  ) {}

  isConstant(node: Node | null | undefined): boolean {
    if (!node) return false;
    const n = unwrap(node);
    switch (n.type) {
      case 'string':
        return interpolations(n).every((i) => this.isConstant(i.childForFieldName('expression')));
      case 'concatenated_string':
        return n.namedChildren.every((part) => !part || part.type === 'comment' || this.isConstant(part));
      case 'integer':
      case 'float':
      case 'true':
      case 'false':
      case 'none':
        return true;
      case 'unary_operator':
        return this.isConstant(n.childForFieldName('argument'));
      case 'binary_operator':
        return this.isConstant(n.childForFieldName('left')) && this.isConstant(n.childForFieldName('right'));
      case 'conditional_expression':
        return this.isConstant(n.namedChildren[0]) && this.isConstant(n.namedChildren[2]);
      case 'tuple':
      case 'list':
      case 'set':
        return n.namedChildren.every((item) => !item || item.type === 'comment' || this.isConstant(item));
      case 'dictionary':
        return n.namedChildren.every(
          (pair) => !pair || pair.type === 'comment' || (pair.type === 'pair' && this.isConstant(pair.childForFieldName('key')) && this.isConstant(pair.childForFieldName('value'))),
        );
      case 'identifier':
        return this.moduleConstants().has(n.text) && !this.imports.has(n.text);
      case 'attribute':
        return resolveQualified(n, this.imports)?.startsWith('django.conf.settings.') ?? false;
      case 'call':
        return this.isConstantCall(n);
      default:
        return false;
    }
  }

  /** Whether a call's result is already escaped HTML (`escape(x)`, `format_html(...)`, `render_to_string(...)`). */
  isEscaping(node: Node | null | undefined): boolean {
    if (!node) return false;
    const n = unwrap(node);
    if (n.type !== 'call') return false;
    const name = resolveQualified(n.childForFieldName('function'), this.imports);
    return name !== undefined && ESCAPING_FUNCTIONS.has(name);
  }

  private isConstantCall(call: Node): boolean {
    const fn = call.childForFieldName('function');
    const args = call.childForFieldName('arguments');
    if (!fn || args?.type !== 'argument_list') return false;
    const argsConstant = args.namedChildren.every((arg) => {
      if (!arg || arg.type === 'comment') return true;
      if (arg.type === 'keyword_argument') return this.isConstant(arg.childForFieldName('value'));
      return this.isConstant(arg);
    });
    if (!argsConstant) return false;
    if (fn.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'format') return this.isConstant(fn.childForFieldName('object'));
    const name = resolveQualified(fn, this.imports);
    return name !== undefined && TRANSLATION_FUNCTIONS.has(name);
  }

  /** Module-level names assigned exactly once, to a constant, and never declared `global` elsewhere. */
  private moduleConstants(): Set<string> {
    if (this.moduleNames) return this.moduleNames;
    const assignments = new Map<string, Node[]>();
    const rebound = new Set<string>();
    for (const statement of this.tree.rootNode.namedChildren) {
      if (!statement) continue;
      const expression = statement.type === 'expression_statement' ? statement.namedChildren[0] : undefined;
      if (expression?.type === 'assignment' && expression.childForFieldName('left')?.type === 'identifier') {
        const name = expression.childForFieldName('left')!.text;
        const right = expression.childForFieldName('right');
        assignments.set(name, [...(assignments.get(name) ?? []), ...(right ? [right] : [])]);
        if (!right || right.type === 'assignment') rebound.add(name);
      } else if (expression?.type === 'augmented_assignment') {
        const left = expression.childForFieldName('left');
        if (left?.type === 'identifier') rebound.add(left.text);
      } else if (statement.type !== 'expression_statement') {
        for (const name of boundInCompound(statement)) rebound.add(name);
      }
    }
    for (const global of this.tree.rootNode.descendantsOfType('global_statement')) {
      for (const id of global?.namedChildren ?? []) if (id) rebound.add(id.text);
    }
    const names = new Set<string>();
    this.moduleNames = names;
    // In order, so a constant may be built from an earlier one.
    for (const [name, values] of assignments) {
      if (values.length === 1 && !rebound.has(name) && this.isConstant(values[0])) names.add(name);
    }
    return names;
  }
}

/**
 * Names a compound statement may bind at module level (definitions, loop and `as` targets,
 * assignments in its blocks); over-approximated, which only makes fewer names constant.
 */
function boundInCompound(statement: Node): string[] {
  const definition = statement.type === 'decorated_definition' ? statement.childForFieldName('definition') : statement;
  if (definition?.type === 'function_definition' || definition?.type === 'class_definition') {
    const name = definition.childForFieldName('name')?.text;
    return name ? [name] : [];
  }
  const names: string[] = [];
  for (const node of statement.descendantsOfType(['assignment', 'augmented_assignment', 'for_statement', 'for_in_clause', 'as_pattern_target', 'named_expression'])) {
    if (!node) continue;
    const target = node.type === 'as_pattern_target' ? node : node.type === 'named_expression' ? node.childForFieldName('name') : node.childForFieldName('left');
    if (!target) continue;
    if (target.type === 'identifier') names.push(target.text);
    else for (const id of target.descendantsOfType('identifier')) if (id) names.push(id.text);
  }
  return names;
}

/** Literal text from a string: its source between quotes or interpolations, and whether braces in it are f-string doubled. */
export interface TextPiece {
  kind: 'text';
  source: string;
  /** True when the text comes from an f-string, where `{{` stands for one brace. */
  fString: boolean;
}

export interface ValuePiece {
  kind: 'value';
  node: Node;
}

export type Piece = TextPiece | ValuePiece;

/** A string built at run time by an f-string, `%`, `.format()` or `+`. */
export interface FormattedString {
  form: 'f-string' | 'percent' | 'format' | 'concat';
  /** Everything the result is built from other than literal text (template expressions included when not literals). */
  parts: Node[];
  /** Literal text and values in order, when the string can be rebuilt as one literal; absent when it cannot. */
  pieces?: Piece[];
  /** The quotes of the rebuilt literal, with the source prefix minus `f` (e.g. `r"`). */
  opening?: string;
  closing?: string;
  /** For `"...".format(...)` on a literal whose fields have no conversion or format spec. */
  format?: { receiver: Node; args: Node };
}

/** Escapes that yield `{`, `}` or `%`, and `\N{...}`: their braces and percents would be misread as source text. */
const TROUBLESOME_ESCAPE = /\\(?:N\{|x(?:7[bd]|25)|u00(?:7[bd]|25)|U000000(?:7[bd]|25)|17[35]|045|45(?![0-7]))/i;

interface LiteralPart {
  opening: string;
  closing: string;
  pieces: Piece[];
}

/** The text and interpolations of one `string` node; undefined when it cannot be rebuilt safely. */
function literalPart(node: Node): LiteralPart | undefined {
  const start = node.firstChild;
  const end = node.lastChild;
  if (start?.type !== 'string_start' || end?.type !== 'string_end') return undefined;
  const prefix = start.text.replace(/['"]+$/, '');
  if (/[bt]/i.test(prefix)) return undefined;
  const fString = /f/i.test(prefix);
  const raw = /r/i.test(prefix);
  const opening = prefix.replace(/f/gi, '') + start.text.slice(prefix.length);
  const pieces: Piece[] = [];
  let cursor = start.endIndex;
  const slice = (from: number, to: number) => node.text.slice(from - node.startIndex, to - node.startIndex);
  const pushText = (from: number, to: number): boolean => {
    if (to <= from) return true;
    const source = slice(from, to);
    if (!raw && TROUBLESOME_ESCAPE.test(source)) return false;
    pieces.push({ kind: 'text', source, fString });
    return true;
  };
  for (const interpolation of interpolations(node)) {
    if (!pushText(cursor, interpolation.startIndex)) return undefined;
    const expression = interpolation.childForFieldName('expression');
    const plain = expression && interpolation.childForFieldName('type_conversion') === null && interpolation.childForFieldName('format_specifier') === null;
    const selfDocumenting = interpolation.children.some((child) => child?.type === '=');
    if (!plain || selfDocumenting) return undefined;
    pieces.push({ kind: 'value', node: expression });
    cursor = interpolation.endIndex;
  }
  if (!pushText(cursor, end.startIndex)) return undefined;
  return { opening, closing: end.text, pieces };
}

/** The parts of a string literal (implicit concatenation included), when they share one kind of quotes. */
function literalParts(node: Node): LiteralPart | undefined {
  if (node.type === 'string') return literalPart(node);
  if (node.type !== 'concatenated_string') return undefined;
  const parts: LiteralPart[] = [];
  for (const child of node.namedChildren) {
    // A comment between the parts would be lost when they are joined.
    if (!child || child.type !== 'string') return undefined;
    const part = literalPart(child);
    if (!part) return undefined;
    parts.push(part);
  }
  return joinParts(parts);
}

function joinParts(parts: LiteralPart[]): LiteralPart | undefined {
  if (parts.length === 0) return undefined;
  const { opening, closing } = parts[0];
  if (parts.some((p) => p.opening !== opening || p.closing !== closing)) return undefined;
  return { opening, closing, pieces: parts.flatMap((p) => p.pieces) };
}

function hasInterpolation(node: Node): boolean {
  if (node.type === 'string') return interpolations(node).length > 0;
  if (node.type === 'concatenated_string') return node.namedChildren.some((part) => !!part && part.type === 'string' && interpolations(part).length > 0);
  return false;
}

function fStringValues(node: Node): Node[] {
  const strings = node.type === 'concatenated_string' ? node.namedChildren : [node];
  return strings.flatMap((s) => (s?.type === 'string' ? interpolations(s) : [])).flatMap((i) => i.childForFieldName('expression') ?? []);
}

/** Splits the text of a `%` template at `%s`; undefined for any other directive (`%d`, `%(name)s`, `%-5s`). */
function percentPieces(template: LiteralPart, values: Node[]): Piece[] | undefined {
  const pieces: Piece[] = [];
  let next = 0;
  for (const piece of template.pieces) {
    if (piece.kind === 'value') return undefined;
    let text = '';
    for (let i = 0; i < piece.source.length; i++) {
      const ch = piece.source[i];
      if (ch !== '%') {
        text += ch;
        continue;
      }
      const directive = piece.source[i + 1];
      if (directive === '%') text += '%';
      else if (directive === 's' && next < values.length) {
        if (text) pieces.push({ kind: 'text', source: text, fString: piece.fString });
        text = '';
        pieces.push({ kind: 'value', node: values[next++] });
      } else return undefined;
      i++;
    }
    if (text) pieces.push({ kind: 'text', source: text, fString: piece.fString });
  }
  return next === values.length ? pieces : undefined;
}

function plusLeaves(node: Node): Node[] {
  if (node.type === 'binary_operator' && node.childForFieldName('operator')?.type === '+') {
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    if (left && right) return [...plusLeaves(left), right];
  }
  return [node];
}

/** Whether `{...}` fields of a `.format()` template all lack conversions and format specs (escaped values are strings). */
function plainFormatFields(template: LiteralPart): boolean {
  for (const piece of template.pieces) {
    if (piece.kind === 'value') return false;
    const text = piece.source.replace(/\{\{|\}\}/g, '');
    for (const field of text.matchAll(/\{([^{}]*)\}/g)) if (/[!:]/.test(field[1])) return false;
    if (/[{}]/.test(text.replace(/\{[^{}]*\}/g, ''))) return false;
  }
  return true;
}

/**
 * How a string expression is built at run time, or undefined when it is not an f-string,
 * a `%` or `.format()` formatting, or a `+` concatenation.
 */
export function formattedString(node: Node, constants: Constants): FormattedString | undefined {
  const n = unwrap(node);
  if ((n.type === 'string' || n.type === 'concatenated_string') && hasInterpolation(n)) {
    const parts = fStringValues(n);
    const literal = literalParts(n);
    const usable = literal && literal.pieces.every((p) => p.kind === 'text' || isMovableValue(p.node, constants));
    return { form: 'f-string', parts, ...(usable ? { pieces: literal.pieces, opening: literal.opening, closing: literal.closing } : {}) };
  }
  if (n.type === 'binary_operator' && n.childForFieldName('operator')?.type === '%') {
    const leftNode = n.childForFieldName('left');
    const rightNode = n.childForFieldName('right');
    if (!leftNode || !rightNode) return undefined;
    const left = unwrap(leftNode);
    const right = unwrap(rightNode);
    const values = right.type === 'tuple' ? right.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment') : [right];
    const parts = isPlainStringLiteral(left) ? values : [left, ...values];
    const template = isPlainStringLiteral(left) ? literalParts(left) : undefined;
    const simpleValues = right.type !== 'dictionary' && values.every((v) => v.type !== 'list_splat' && isMovableValue(v, constants));
    const pieces = template && simpleValues ? percentPieces(template, values) : undefined;
    return { form: 'percent', parts, ...(pieces && template ? { pieces, opening: template.opening, closing: template.closing } : {}) };
  }
  if (n.type === 'call') {
    const fn = n.childForFieldName('function');
    const args = n.childForFieldName('arguments');
    const object = fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'format' ? fn.childForFieldName('object') : null;
    if (object && args?.type === 'argument_list') {
      const receiver = unwrap(object);
      const values = args.namedChildren.flatMap((arg) => {
        if (!arg || arg.type === 'comment') return [];
        if (arg.type === 'keyword_argument') return arg.childForFieldName('value') ?? [];
        return [arg];
      });
      const literal = isPlainStringLiteral(receiver);
      const template = literal ? literalParts(receiver) : undefined;
      const usable = template && plainFormatFields(template);
      return { form: 'format', parts: literal ? values : [receiver, ...values], ...(usable ? { format: { receiver, args } } : {}) };
    }
  }
  if (n.type === 'binary_operator' && n.childForFieldName('operator')?.type === '+') {
    const leaves = plusLeaves(n);
    const parts: Node[] = [];
    const literalsAndValues: LiteralPart[] = [];
    let rebuildable = true;
    for (const leaf of leaves) {
      const inner = unwrap(leaf);
      if (inner.type === 'string' || inner.type === 'concatenated_string') {
        parts.push(...fStringValues(inner));
        const literal = literalParts(inner);
        if (!literal || literal.pieces.some((p) => p.kind === 'value' && !isMovableValue(p.node, constants))) rebuildable = false;
        else literalsAndValues.push(literal);
      } else {
        parts.push(inner);
        if (!isMovableValue(inner, constants)) rebuildable = false;
        literalsAndValues.push({ opening: '', closing: '', pieces: [{ kind: 'value', node: inner }] });
      }
    }
    const quoted = literalsAndValues.filter((l) => l.opening !== '');
    const opening = quoted[0]?.opening ?? '"';
    const closing = quoted[0]?.closing ?? '"';
    if (quoted.some((l) => l.opening !== opening || l.closing !== closing)) rebuildable = false;
    return {
      form: 'concat',
      parts,
      ...(rebuildable ? { pieces: literalsAndValues.flatMap((l) => l.pieces), opening, closing } : {}),
    };
  }
  return undefined;
}

/**
 * A value that can move into a `format_html` argument without changing the page: anything
 * computed at run time, or a number. A constant string could hold markup the developer
 * meant, which `format_html` would now escape.
 */
function isMovableValue(node: Node, constants: Constants): boolean {
  const n = unwrap(node);
  if (n.type === 'integer' || n.type === 'float') return true;
  if (n.type === 'list_splat' || n.type === 'dictionary_splat' || n.type === 'yield') return false;
  return !constants.isConstant(n);
}

/** An expression's text, parenthesised where a bare form would change meaning as a call argument. */
export function asArgument(node: Node): string {
  const bare = node.type === 'expression_list' || node.type === 'generator_expression' || (node.type === 'tuple' && !node.text.startsWith('('));
  return bare || node.type === 'yield' ? `(${node.text})` : node.text;
}

/** The source between a call's parentheses, without a trailing comma. */
export function argumentsInner(args: Node): string {
  return args.text.slice(1, -1).trim().replace(/,\s*$/, '');
}
