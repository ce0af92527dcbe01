import type { Node } from '../parse/python';
import { parametersOf } from './scopes';
import { attributeChain, callArguments, dottedName, plainStringValue, shortText, sortedArguments, unwrap } from './syntax';

/**
 * Where untrusted data enters Python code in a Django project: what the client sent with the
 * request (`request.GET`, `request.body`, headers, cookies, the path), the URL arguments of
 * a class-based view (`self.kwargs`), and the arguments of template filters and tags, which
 * receive whatever a template passes them.
 */

// NOTE: HttpRequest attributes filled from the client's request.
// https://docs.djangoproject.com/en/stable/ref/request-response/#attributes
const REQUEST_DATA = new Set(['GET', 'POST', 'data', 'query_params', 'body', 'headers', 'META', 'COOKIES', 'FILES', 'path', 'path_info', 'content_type', 'content_params', 'stream']);
const REQUEST_METHODS = new Set(['get_full_path', 'get_full_path_info', 'read', 'readline', 'readlines']);
/** Methods that read one item of a request's data dictionaries. */
const ITEM_READS = new Set(['get', 'getlist', 'pop', 'dict', 'items', 'values', 'lists', 'copy', 'decode']);

/** `request`, `self.request`, `info.context` (Graphene), `self.context["request"]` (REST framework serializers). */
export function isRequestObject(node: Node): boolean {
  const value = unwrap(node);
  if (value.type === 'identifier') return value.text === 'request';
  const dotted = dottedName(value);
  if (dotted === 'self.request' || dotted === 'info.context' || dotted === 'cls.request') return true;
  if (value.type === 'subscript') {
    const container = dottedName(value.childForFieldName('value'));
    const key = value.childForFieldName('subscript');
    return container === 'self.context' && !!key && plainStringValue(key) === 'request';
  }
  return false;
}

/** A read of request data at `node`, with how a trace names it; undefined when `node` reads none. */
export function requestRead(node: Node): { node: Node; message: string } | undefined {
  const value = unwrap(node);
  const describe = (at: Node, what = 'is read from the request') => ({ node: at, message: `\`${shortText(at)}\` ${what}` });
  if (value.type === 'attribute') {
    const object = value.childForFieldName('object');
    const name = value.childForFieldName('attribute')?.text ?? '';
    if (object && REQUEST_DATA.has(name) && isRequestObject(object)) return describe(value);
    if (object && (name === 'kwargs' || name === 'args') && dottedName(object) === 'self') return describe(value, 'holds the arguments captured from the URL');
    return undefined;
  }
  if (value.type === 'subscript') {
    const container = value.childForFieldName('value');
    return container && requestDataAttribute(container) ? describe(value) : undefined;
  }
  if (value.type === 'call') {
    const fn = value.childForFieldName('function');
    if (fn?.type !== 'attribute') return undefined;
    const object = fn.childForFieldName('object');
    const method = fn.childForFieldName('attribute')?.text ?? '';
    if (!object) return undefined;
    if (REQUEST_METHODS.has(method) && isRequestObject(object)) return describe(value);
    // build_absolute_uri() with no location is the URL the client asked for.
    if (method === 'build_absolute_uri' && callArguments(value).length === 0 && isRequestObject(object)) return describe(value);
    if (ITEM_READS.has(method) && requestDataAttribute(object)) return describe(value);
  }
  return undefined;
}

/** `request.GET`, `request.headers`, `self.kwargs`…: a dictionary of request data. */
function requestDataAttribute(node: Node): boolean {
  const value = unwrap(node);
  if (value.type !== 'attribute') return false;
  const object = value.childForFieldName('object');
  const name = value.childForFieldName('attribute')?.text ?? '';
  if (!object) return false;
  if (REQUEST_DATA.has(name) && isRequestObject(object)) return true;
  return (name === 'kwargs' || name === 'args') && dottedName(object) === 'self';
}

/** How a function is registered with Django's template library, if it is. */
export type TemplateFunctionKind = 'filter' | 'tag';

/**
 * How a function is registered with a template library: the library's method, the name
 * templates use it by, and whether it takes the template's context first.
 */
export interface TemplateRegistration {
  method: 'filter' | 'simple_tag' | 'inclusion_tag' | 'tag';
  name: string;
  takesContext: boolean;
}

const LIBRARY_METHOD = /^[A-Za-z_]\w*\.(filter|simple_tag|inclusion_tag|tag)$/;

/**
 * The registration a decorator makes: `@register.filter`, `@register.filter("name")`,
 * `@register.simple_tag(takes_context=True, name="badge")`, `@register.inclusion_tag("x.html")`
 * (whose first argument is its template, not its name), `@register.tag("name")`.
 */
function decoratorRegistration(fn: Node): TemplateRegistration | undefined {
  const decorated = fn.parent?.type === 'decorated_definition' ? fn.parent : undefined;
  for (const decorator of decorated?.namedChildren ?? []) {
    if (decorator?.type !== 'decorator') continue;
    const expression = decorator.namedChildren.find((c) => c?.type !== 'comment');
    if (!expression) continue;
    const method = LIBRARY_METHOD.exec(dottedName(expression.type === 'call' ? expression.childForFieldName('function') : expression) ?? '')?.[1] as TemplateRegistration['method'] | undefined;
    if (!method) continue;
    const args = expression.type === 'call' ? sortedArguments(expression) : undefined;
    const named = args?.keywords.get('name');
    const first = method === 'filter' || method === 'tag' ? args?.positional[0] : undefined;
    const name = (named && plainStringValue(named)) ?? (first && plainStringValue(first)) ?? fn.childForFieldName('name')?.text;
    if (!name) return undefined;
    return { method, name, takesContext: args?.keywords.get('takes_context')?.text === 'True' };
  }
  return undefined;
}

/**
 * Functions registered by module-level calls, by function name: `register.filter("name", fn)`,
 * `register.simple_tag(fn, name="badge")`, `register.tag("name", compile_fn)`.
 */
export function registeredTemplateFunctions(root: Pick<Node, 'namedChildren'>): Map<string, TemplateRegistration> {
  const registered = new Map<string, TemplateRegistration>();
  for (const statement of root.namedChildren) {
    const call = statement?.type === 'expression_statement' ? statement.namedChildren[0] : undefined;
    if (call?.type !== 'call') continue;
    const method = LIBRARY_METHOD.exec(dottedName(call.childForFieldName('function')) ?? '')?.[1] as TemplateRegistration['method'] | undefined;
    if (!method) continue;
    const args = sortedArguments(call);
    const fn = args.positional.find((arg) => arg.type === 'identifier');
    if (!fn) continue;
    const named = args.keywords.get('name');
    const quoted = args.positional.find((arg) => plainStringValue(arg) !== undefined);
    const name = (named && plainStringValue(named)) ?? (quoted && plainStringValue(quoted)) ?? fn.text;
    registered.set(fn.text, { method, name, takesContext: args.keywords.get('takes_context')?.text === 'True' });
  }
  return registered;
}

/** How a function is registered with a template library, by a decorator or a module-level call (see registeredTemplateFunctions). */
export function templateRegistration(fn: Node, registeredByCall: ReadonlyMap<string, TemplateRegistration>): TemplateRegistration | undefined {
  const name = fn.childForFieldName('name')?.text;
  return decoratorRegistration(fn) ?? (name ? registeredByCall.get(name) : undefined);
}

/**
 * Whether a function is a template filter or a simple tag: registered with `@register.filter`
 * or `@register.simple_tag` (also called, or by a module-level call such as
 * `register.filter("name", fn)`), or decorated with `@stringfilter`.
 */
export function templateFunctionKind(fn: Node, registeredByCall: ReadonlyMap<string, TemplateRegistration>): TemplateFunctionKind | undefined {
  const method = templateRegistration(fn, registeredByCall)?.method;
  if (method === 'filter') return 'filter';
  if (method === 'simple_tag') return 'tag';
  const decorated = fn.parent?.type === 'decorated_definition' ? fn.parent : undefined;
  const stringfilter = (decorated?.namedChildren ?? []).some((d) => d?.type === 'decorator' && /^@\s*(?:[A-Za-z_]\w*\.)*stringfilter\s*$/.test(d.text));
  return stringfilter ? 'filter' : undefined;
}

/** Parameters of a template filter or tag that do not receive template data. */
export function isTemplatePlumbing(name: string): boolean {
  return name === 'context' || name === 'autoescape' || name === 'self';
}

/** What a form field's cleaned value is. */
export type FormFieldKind = 'text' | 'safe';

// NOTE: fields whose cleaned value is a number, a date, a boolean, a UUID or one of the
// declared choices. https://docs.djangoproject.com/en/stable/ref/forms/fields/#built-in-field-classes
const SAFE_FIELDS = new Set([
  'IntegerField',
  'FloatField',
  'DecimalField',
  'BooleanField',
  'NullBooleanField',
  'DateField',
  'DateTimeField',
  'TimeField',
  'DurationField',
  'UUIDField',
  'ChoiceField',
  'TypedChoiceField',
  'MultipleChoiceField',
  'TypedMultipleChoiceField',
  'SlugField',
  'GenericIPAddressField',
]);
const TEXT_FIELDS = new Set(['CharField', 'EmailField', 'URLField', 'RegexField', 'JSONField', 'FilePathField']);

/** The fields declared by the form classes of a module (`name = forms.CharField()`), by name. */
export function declaredFormFields(root: Node): Map<string, FormFieldKind> {
  const fields = new Map<string, FormFieldKind>();
  for (const statement of root.namedChildren) {
    const cls = statement?.type === 'decorated_definition' ? statement.childForFieldName('definition') : statement;
    if (cls?.type !== 'class_definition') continue;
    const bases = cls.childForFieldName('superclasses')?.text ?? '';
    if (!/Form\b|Serializer\b/.test(bases)) continue;
    for (const item of cls.childForFieldName('body')?.namedChildren ?? []) {
      const assignment = item?.type === 'expression_statement' ? item.namedChildren[0] : undefined;
      if (assignment?.type !== 'assignment') continue;
      const left = assignment.childForFieldName('left');
      const right = assignment.childForFieldName('right');
      if (left?.type !== 'identifier' || right?.type !== 'call') continue;
      const callee = right.childForFieldName('function');
      const type = callee ? (attributeChain(callee).names.at(-1) ?? (callee.type === 'identifier' ? callee.text : '')) : '';
      const kind = SAFE_FIELDS.has(type) ? 'safe' : TEXT_FIELDS.has(type) ? 'text' : undefined;
      if (!kind) continue;
      // One name declared with two kinds in two forms: the text one wins.
      if (fields.get(left.text) !== 'text') fields.set(left.text, kind);
    }
  }
  return fields;
}

/** `x.cleaned_data["name"]` or `x.cleaned_data.get("name")`: the field read, or undefined. */
export function cleanedDataRead(node: Node): { field?: string } | undefined {
  const value = unwrap(node);
  let container: Node | null = null;
  let key: Node | undefined;
  if (value.type === 'subscript') {
    container = value.childForFieldName('value');
    key = value.childForFieldName('subscript') ?? undefined;
  } else if (value.type === 'call') {
    const fn = value.childForFieldName('function');
    if (fn?.type !== 'attribute' || fn.childForFieldName('attribute')?.text !== 'get') return undefined;
    container = fn.childForFieldName('object');
    key = callArguments(value)[0];
  } else return undefined;
  if (container?.type !== 'attribute' || container.childForFieldName('attribute')?.text !== 'cleaned_data') return undefined;
  return { field: key ? plainStringValue(key) : undefined };
}

/** A view function's own name and whether its parameters after `request` are URL arguments by its shape (a method of a class-based view counts `self` first). */
export function viewParameters(fn: Node): { name: string; parameters: { node: Node; name: string }[] } | undefined {
  const params = parametersOf(fn);
  const name = fn.childForFieldName('name')?.text;
  if (!name) return undefined;
  const requestAt = params.findIndex((p) => p.name.text === 'request');
  if (requestAt !== 0 && !(requestAt === 1 && params[0].name.text === 'self')) return undefined;
  return { name, parameters: params.slice(requestAt + 1).map((p) => ({ node: p.node, name: p.name.text })) };
}
