import path from 'node:path';
import type { Node } from '../parse/python';
import type { Project } from '../project/project';
import { CODE, concatenation, join, MARKUP, NUMBER, parameterRead, SAFE, SAFE_STRING, SCHEMA, through, traceSteps, unknown, untrusted, type FlowStep, type Provenance } from './provenance';
import {
  cleanedDataRead,
  declaredFormFields,
  isTemplatePlumbing,
  registeredTemplateFunctions,
  requestRead,
  templateFunctionKind,
  templateRegistration,
  viewParameters,
  type FormFieldKind,
  type TemplateFunctionKind,
  type TemplateRegistration,
} from './request-sources';
import { parameterName, parametersOf, type Binding, type Scopes } from './scopes';
import { parseFormatTemplate, parsePercentTemplate } from './string-templates';
import { attributeChain, callArguments, interpolations, isStringNode, literalStyle, plainStringValue, shortText, sortedArguments, unwrap } from './syntax';
import { routesOf, type ViewRoutes } from './url-routes';
import { isPublished } from '../project/distribution';
import { passedToFilterArgument, passedToTagParameter, type PassedToTag } from '../templates/tag-uses';
import { builtinEffect, functionEffect, isNumericAttribute, isSanitiserName, methodEffect, TRANSLATIONS, type CallEffect } from './value-policy';

/**
 * The provenance of every expression of one module, computed on demand and remembered by
 * node: an iterative walk over the expressions a value is built from (an explicit stack,
 * never a recursion over the code's nesting), following names to their bindings, calls of
 * the module's own functions to one summary per function, and closures to the bindings of
 * the enclosing function. A value read while it is being computed (a loop that builds a
 * string from itself) adds nothing, which is the least solution of the equations.
 */

export interface ModuleContext {
  root: Node;
  scopes: Scopes;
  /** The qualified name an expression refers to through the module's imports. */
  qualifiedName(node: Node): string | undefined;
  /** The project and file, for the URLconfs next to a views module (absent in isolated analyses). */
  project?: Project;
  file?: string;
  /** What a name imported from another module of the project is bound to there, when that module can be read. */
  imported?(binding: Binding, name: string): ImportedSymbol | undefined;
  /** What the project's calls pass to a parameter of a function, when every call can be seen (see call-sites.ts); parameters of the callers stay open. */
  passedTo?(fn: Node, parameter: Node): Provenance[] | undefined;
}

/** A name imported from another module of the project. */
export type ImportedSymbol =
  /** A function of that module, with that module's analysis for its summary. */
  | { kind: 'function'; fn: Node; analysis: ProvenanceAnalysis; file: string }
  /** Data bound at that module's level (import-time configuration, constants). */
  | { kind: 'data' }
  /** A class, a module or anything else that is code. */
  | { kind: 'code' };

/** Summaries of other modules' functions being computed, for the guard against import cycles and long chains. */
let foreignDepth = 0;
const MAX_FOREIGN_DEPTH = 3;

/** How an expression's value is computed from the values of other nodes. */
interface Plan {
  inputs: Node[];
  combine(values: Provenance[]): Provenance;
}

/** A class of the module and the instance name its methods use (`self`). */
const ANNOTATED_SAFE = /^(?:int|float|bool|complex|UUID|uuid\.UUID|Decimal|decimal\.Decimal|date|datetime|datetime\.date|datetime\.datetime|time|timedelta)$/;

export class ProvenanceAnalysis {
  private readonly values = new Map<number, Provenance>();
  private readonly closedValues = new Map<number, Provenance>();
  private readonly parameterSources = new Map<number, Provenance>();
  private readonly inProgress = new Set<number>();
  private registered?: Map<string, TemplateRegistration>;
  private formFields?: Map<string, FormFieldKind>;
  private routes?: ViewRoutes;

  constructor(readonly context: ModuleContext) {}

  /** The value of an expression with the parameters of its functions still open. */
  of(node: Node): Provenance {
    const known = this.values.get(node.id);
    if (known) return known;
    this.evaluate(node);
    return this.values.get(node.id) ?? SAFE;
  }

  /** The value of an expression with every parameter judged by its function (a view's URL argument, a filter's input, a helper's parameter). */
  closed(node: Node): Provenance {
    const known = this.closedValues.get(node.id);
    if (known) return known;
    const value = this.close(this.of(node));
    this.closedValues.set(node.id, value);
    return value;
  }

  /** A value with its parameter dependences replaced by what each parameter receives. */
  close(value: Provenance): Provenance {
    if (!value.parameters) return value;
    const { parameters, ...base } = value;
    const parts: Provenance[] = [base];
    for (const dependence of parameters) {
      let source = this.parameterSource(dependence.parameter);
      // An attribute of an object a template passes is stored data, not the template's text.
      if (dependence.member && source.templateInput) source = unknown(parameterName(dependence.parameter) ?? dependence.parameter, true);
      for (const step of traceSteps(dependence.trace)) source = through(source, step);
      parts.push(source);
    }
    return join(parts);
  }

  /** Whether an expression is a call of a function of the project (this module's, or another module's): its result may be SQL or HTML it built. */
  callsProjectFunction(node: Node): boolean {
    const value = unwrap(node);
    if (value.type !== 'call') return false;
    const callee = unwrap(value.childForFieldName('function') ?? value);
    if (callee.type === 'attribute') return !!this.methodSummary(callee);
    if (callee.type !== 'identifier') return false;
    if (this.functionOf(callee)) return true;
    const resolution = this.context.scopes.resolve(callee);
    return resolution.kind === 'module' && resolution.defs.length === 1 && resolution.defs[0].kind === 'import' && this.context.imported?.(resolution.defs[0], callee.text)?.kind === 'function';
  }

  /** The kind of template function a function is (a filter or a simple tag), if it is one. */
  templateFunction(fn: Node): TemplateFunctionKind | undefined {
    if (fn.type !== 'function_definition') return undefined;
    this.registered ??= registeredTemplateFunctions(this.context.root);
    return templateFunctionKind(fn, this.registered);
  }

  /** What a parameter receives, from its function's role. */
  parameterSource(parameter: Node): Provenance {
    const known = this.parameterSources.get(parameter.id);
    if (known) return known;
    const value = this.computeParameterSource(parameter);
    this.parameterSources.set(parameter.id, value);
    return value;
  }

  /**
   * How the project's templates use a filter or a simple tag (see passedToTagParameter):
   * undefined when that cannot be told, or when the repository publishes the function's
   * module in a distribution, whose users' templates may pass anything.
   */
  private passedByTemplates(fn: Node, parameter: Node, name: string): PassedToTag | undefined {
    const { project, file } = this.context;
    if (!project || !file) return undefined;
    const distribution = project.distribution;
    if (distribution && isPublished(distribution, project.relative(file))) return undefined;
    this.registered ??= registeredTemplateFunctions(this.context.root);
    const registration = templateRegistration(fn, this.registered);
    if (registration?.method === 'filter') return passedToFilterArgument(project, registration.name);
    if (registration?.method !== 'simple_tag') return undefined;
    const parameters = parametersOf(fn);
    const index = parameters.findIndex((p) => p.node.id === parameter.id);
    const position = index - (registration.takesContext ? 1 : 0);
    if (index < 0 || position < 0 || parameters[index].kind !== 'plain') return undefined;
    const fallback = parameter.type === 'default_parameter' || parameter.type === 'typed_default_parameter' ? parameter.childForFieldName('value') : null;
    const literalDefault = !!fallback && ['string', 'integer', 'float', 'true', 'false', 'none'].includes(fallback.type);
    return passedToTagParameter(project, { tag: registration.name, name, position, literalDefault });
  }

  private computeParameterSource(parameter: Node): Provenance {
    const nameNode = parameterName(parameter) ?? parameter;
    const name = nameNode.text;
    const fn = parameter.parent?.parent;
    if (!fn || fn.type !== 'function_definition') return unknown(nameNode);
    const kind = this.templateFunction(fn);
    // NOTE: a filter that takes `autoescape` (needs_autoescape=True) must escape its input when
    // autoescaping is on, and gets it unescaped only when the template turned autoescaping off.
    // https://docs.djangoproject.com/en/stable/howto/custom-template-tags/#filters-and-auto-escaping
    if (kind && !isTemplatePlumbing(name) && parametersOf(fn).some((p) => p.name.text === 'autoescape')) return unknown(nameNode);
    if (kind && !isTemplatePlumbing(name)) {
      // A tag the project's own templates only ever pass literals, in a repository that does not publish it for others' templates: no text a user wrote reaches it now.
      if (kind === 'tag' && this.passedByTemplates(fn, parameter, name) === 'literals') return unknown(nameNode);
      // A filter's second parameter is its argument (`|wrap_in:"strong"`), not the value it filters.
      if (kind === 'filter' && parametersOf(fn)[1]?.node.id === parameter.id) {
        if (this.passedByTemplates(fn, parameter, name) === 'literals') return unknown(nameNode);
        const filter = fn.childForFieldName('name')?.text ?? '';
        return { ...untrusted(nameNode, `\`${name}\` is the argument of the template filter ${filter}(), which any template can pass`), templateInput: true };
      }
      const value = untrusted(nameNode, `\`${name}\` is the input of the template ${kind} ${fn.childForFieldName('name')?.text ?? ''}(), which any template can pass`.replace(' ()', ''));
      // The text a template passes is untrusted; an object it passes holds stored data, judged unknown.
      return { ...value, templateInput: true };
    }
    const annotation = parameter.type === 'typed_parameter' || parameter.type === 'typed_default_parameter' ? parameter.childForFieldName('type')?.text : undefined;
    if (annotation && ANNOTATED_SAFE.test(annotation.replace(/\s*\|\s*None$/, '').replace(/^Optional\[(.*)\]$/, '$1'))) return NUMBER;
    const view = viewParameters(fn);
    if (view && view.parameters.some((p) => p.node.id === parameter.id) && this.context.project && this.context.file) {
      this.routes ??= routesOf(this.context.project, this.context.file);
      const owner = this.context.scopes.scopeOf(fn);
      const viewName = owner.type === 'class_definition' ? owner.childForFieldName('name')?.text : view.name;
      const argument = viewName ? this.routes.get(viewName)?.get(name) : undefined;
      if (argument?.kind === 'number') return NUMBER;
      if (argument?.kind === 'text') {
        const urls = path.relative(path.dirname(this.context.file), argument.file) || path.basename(argument.file);
        return untrusted(nameNode, `\`${name}\` is captured from the URL by "${argument.route}" (${urls})`);
      }
    }
    // A helper's parameter: the values its callers in the project pass, when each is safe anyway.
    const passed = this.context.passedTo?.(fn, parameter);
    if (passed && passed.every((value) => value.trust === 'safe' && !value.parameters)) return join(passed);
    return unknown(nameNode);
  }

  // ----------------------------------------------------------------------------------
  // The walk

  private evaluate(root: Node): void {
    interface Frame {
      node: Node;
      plan?: Plan;
      next: number;
    }
    const stack: Frame[] = [{ node: root, next: 0 }];
    while (stack.length > 0) {
      const frame = stack[stack.length - 1];
      const id = frame.node.id;
      if (this.values.has(id)) {
        stack.pop();
        continue;
      }
      if (!frame.plan) {
        const planned = this.plan(frame.node);
        if (!('inputs' in planned)) {
          this.values.set(id, planned);
          stack.pop();
          continue;
        }
        frame.plan = planned;
        this.inProgress.add(id);
      }
      const inputs = frame.plan.inputs;
      let pushed = false;
      while (frame.next < inputs.length) {
        const input = inputs[frame.next++];
        if (this.values.has(input.id) || this.inProgress.has(input.id)) continue;
        stack.push({ node: input, next: 0 });
        pushed = true;
        break;
      }
      if (pushed) continue;
      // A value still in progress is one this value is built from in a cycle: it adds nothing.
      const values = inputs.map((input) => this.values.get(input.id) ?? SAFE);
      let value: Provenance;
      try {
        value = frame.plan.combine(values);
      } catch {
        value = unknown(frame.node);
      }
      this.values.set(id, value);
      this.inProgress.delete(id);
      stack.pop();
    }
  }

  /** How to compute a node's value: directly, or from other nodes' values. */
  private plan(raw: Node): Provenance | Plan {
    const node = raw;
    switch (node.type) {
      case 'parenthesized_expression':
      case 'await':
      case 'list_splat':
      case 'dictionary_splat':
      case 'expression_statement': {
        const inner = node.namedChildren.find((c) => c && c.type !== 'comment');
        return inner ? pass(inner) : SAFE;
      }
      case 'keyword_argument':
      case 'named_expression': {
        const value = node.childForFieldName('value');
        return value ? pass(value) : SAFE;
      }
      case 'integer':
      case 'float':
      case 'true':
      case 'false':
      case 'none':
      case 'not_operator':
      case 'comparison_operator':
      case 'unary_operator':
        return NUMBER;
      case 'ellipsis':
      case 'lambda':
        return SAFE;
      case 'string':
        return this.stringPlan(node);
      case 'concatenated_string': {
        const pieces = node.namedChildren.filter((c): c is Node => !!c && c.type === 'string');
        return { inputs: pieces, combine: concatenation };
      }
      case 'identifier':
        return this.identifierPlan(node);
      case 'attribute':
        return this.attributePlan(node);
      case 'subscript':
        return this.subscriptPlan(node);
      case 'call':
        return this.callPlan(node);
      case 'binary_operator':
        return this.binaryPlan(node);
      case 'boolean_operator': {
        const operands = [node.childForFieldName('left'), node.childForFieldName('right')].filter((c): c is Node => !!c);
        return { inputs: operands, combine: join };
      }
      case 'conditional_expression': {
        const branches = [node.namedChildren[0], node.namedChildren[2]].filter((c): c is Node => !!c);
        return { inputs: branches, combine: join };
      }
      case 'list':
      case 'tuple':
      case 'set':
      case 'expression_list':
      case 'pattern_list': {
        const items = node.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
        return { inputs: items, combine: join };
      }
      case 'dictionary': {
        const values: Node[] = [];
        for (const item of node.namedChildren) {
          if (item?.type === 'pair') {
            const value = item.childForFieldName('value');
            if (value) values.push(value);
          } else if (item?.type === 'dictionary_splat') values.push(item);
        }
        return { inputs: values, combine: join };
      }
      case 'list_comprehension':
      case 'set_comprehension':
      case 'generator_expression': {
        const body = node.childForFieldName('body');
        return body ? pass(body) : SAFE;
      }
      case 'dictionary_comprehension': {
        const value = node.childForFieldName('body')?.childForFieldName('value');
        return value ? pass(value) : SAFE;
      }
      case 'function_definition':
        return this.summaryPlan(node);
      default:
        return unknown(node);
    }
  }

  private stringPlan(node: Node): Provenance | Plan {
    if (!isStringNode(node)) return SAFE;
    const style = literalStyle(node);
    if (!style.prefix.includes('f')) return SAFE;
    const inputs: Node[] = [];
    const numeric = new Set<number>();
    for (const interpolation of interpolations(node)) {
      const expression = interpolation.childForFieldName('expression');
      if (!expression) continue;
      const spec = interpolation.childForFieldName('format_specifier')?.text.replace(/^:/, '') ?? '';
      if (/[bdoxXneEfFgG%]$/.test(spec) && !interpolation.childForFieldName('type_conversion')) numeric.add(inputs.length);
      inputs.push(expression);
    }
    return { inputs, combine: (values) => concatenation([SAFE, ...values.map((v, i) => (numeric.has(i) ? NUMBER : v))]) };
  }

  private identifierPlan(node: Node): Provenance | Plan {
    const scopes = this.context.scopes;
    const resolution = scopes.resolve(node);
    const name = node.text;
    switch (resolution.kind) {
      case 'comprehension':
        return pass(resolution.iterable);
      case 'lambda':
        return unknown(node);
      case 'module': {
        // NOTE: a module-level name is bound once, at import time, from code or configuration,
        // not from a request. https://docs.djangoproject.com/en/stable/topics/security/
        const imported = resolution.defs.length === 1 && resolution.defs[0].kind === 'import' ? this.context.imported?.(resolution.defs[0], name) : undefined;
        if (imported) return imported.kind === 'data' ? SAFE : CODE;
        return resolution.defs.every((d) => d.kind === 'import' || d.kind === 'definition') ? CODE : SAFE;
      }
      case 'local':
      case 'closure': {
        if (resolution.kind === 'local' && scopes.guardedByAllowList(node, resolution.scope)) return SAFE;
        const contributions: { input?: Node; direct?: Provenance; step?: FlowStep }[] = [];
        for (const def of resolution.defs) contributions.push(this.bindingContribution(def, name));
        for (const added of scopes.additions(resolution.scope, name)) contributions.push({ input: added.value, step: { node: added.value, message: `added to \`${name}\`` } });
        const inputs = contributions.filter((c) => c.input).map((c) => c.input!);
        return {
          inputs,
          combine: (values) => {
            let next = 0;
            const parts = contributions.map((c) => {
              if (!c.input) return c.direct!;
              const value = values[next++];
              return c.step ? through(value, c.step) : value;
            });
            return join(parts);
          },
        };
      }
    }
  }

  private bindingContribution(def: Binding, name: string): { input?: Node; direct?: Provenance; step?: FlowStep } {
    switch (def.kind) {
      case 'param':
        return { direct: parameterRead(def.statement, name) };
      case 'assign':
        return def.value ? { input: def.value, step: { node: def.target, message: `assigned to \`${name}\`` } } : { direct: unknown(def.target) };
      case 'augment':
        return def.value ? { input: def.value, step: { node: def.target, message: `added to \`${name}\`` } } : { direct: unknown(def.target) };
      case 'for':
        return def.value ? { input: def.value, step: { node: def.target, message: `iterated as \`${name}\`` } } : { direct: unknown(def.target) };
      case 'with':
        return def.value ? { input: def.value, step: { node: def.target, message: `bound to \`${name}\`` } } : { direct: unknown(def.target) };
      case 'import':
      case 'definition':
        return { direct: CODE };
      default:
        return { direct: unknown(def.target) };
    }
  }

  private attributePlan(node: Node): Provenance | Plan {
    const source = requestRead(node);
    if (source) return untrusted(source.node, source.message);
    const object = node.childForFieldName('object');
    const name = node.childForFieldName('attribute')?.text ?? '';
    if (!object) return unknown(node);
    const chain = attributeChain(node);
    // NOTE: a model's table and column names come from its definition, not from a request.
    if (chain.names.includes('_meta')) return SCHEMA;
    if (isNumericAttribute(name)) return NUMBER;
    // The URL of a stored file (upload names are made safe by the storage) or a static asset.
    if (name === 'url') return SAFE;
    const qualified = this.context.qualifiedName(node);
    if (qualified !== undefined) return qualified.startsWith('django.conf.settings.') ? SAFE : CODE;
    const member = this.instanceMember(node);
    if (member) return member;
    return { inputs: [object], combine: ([value]) => partOf(value, node, true) };
  }

  /** `self.x` (or `cls.x`) in a method: the class attribute, the values the methods assign, or a property's returns. */
  private instanceMember(node: Node): Provenance | Plan | undefined {
    const object = unwrap(node.childForFieldName('object')!);
    const name = node.childForFieldName('attribute')?.text ?? '';
    if (object.type !== 'identifier') return undefined;
    const scopes = this.context.scopes;
    const method = scopes.scopeOf(object);
    if (method.type !== 'function_definition') return undefined;
    const first = parametersOf(method)[0];
    if (first?.name.text !== object.text || (object.text !== 'self' && object.text !== 'cls')) return undefined;
    const cls = scopes.scopeOf(method);
    if (cls.type !== 'class_definition') return undefined;
    const declared = scopes.bindings(cls).get(name) ?? [];
    if (declared.length > 0) {
      const def = declared[declared.length - 1];
      if (def.kind === 'definition' && def.statement.type === 'function_definition') {
        return isProperty(def.statement) ? { inputs: [def.statement], combine: ([summary]) => this.dropOwnParameters(summary, def.statement, node) } : CODE;
      }
      const writes = scopes.instanceWrites(cls, name);
      const values = [...declared.filter((d) => d.value).map((d) => d.value!), ...writes];
      if (values.length === 0) return unknown(node);
      return { inputs: values, combine: (vals) => join(vals.map((v, i) => (i >= declared.length ? through(v, { node: values[i], message: `assigned to \`self.${name}\`` }) : v))) };
    }
    const writes = scopes.instanceWrites(cls, name);
    if (writes.length === 0) return undefined;
    return { inputs: writes, combine: (vals) => join(vals.map((v, i) => through(v, { node: writes[i], message: `assigned to \`self.${name}\`` }))) };
  }

  private subscriptPlan(node: Node): Provenance | Plan {
    const source = requestRead(node);
    if (source) return untrusted(source.node, source.message);
    const cleaned = cleanedDataRead(node);
    if (cleaned) return this.cleanedData(node, cleaned.field);
    const container = node.childForFieldName('value');
    if (!container) return unknown(node);
    if (this.isConstantMapping(container)) return SAFE;
    return { inputs: [container], combine: ([value]) => partOf(value, node) };
  }

  private cleanedData(node: Node, field: string | undefined): Provenance {
    this.formFields ??= declaredFormFields(this.context.root);
    const kind = field === undefined ? undefined : this.formFields.get(field);
    if (kind === 'safe') return SAFE;
    if (kind === 'text') return untrusted(node, `\`${shortText(node)}\` is text a user submitted in a form`);
    return unknown(node);
  }

  private callPlan(node: Node): Provenance | Plan {
    const source = requestRead(node);
    if (source) return untrusted(source.node, source.message);
    const cleaned = cleanedDataRead(node);
    if (cleaned) return this.cleanedData(node, cleaned.field);
    const fn = node.childForFieldName('function');
    if (!fn) return unknown(node);
    const callee = unwrap(fn);
    const args = callArguments(node);

    const qualified = this.context.qualifiedName(callee);
    if (qualified !== undefined) {
      if (TRANSLATIONS.has(qualified)) return this.effectPlan(node, 'pass-first', args);
      // json.dumps() with an encoder that escapes HTML (`cls=SafeJSONEncoder`, `cls=DjangoJSONEncoder` does not).
      if (qualified === 'json.dumps' && /Safe|Escap/.test(sortedArguments(node).keywords.get('cls')?.text ?? '')) return MARKUP;
      const effect = functionEffect(qualified);
      if (effect) return this.effectPlan(node, effect, args);
    }

    if (callee.type === 'attribute') {
      const receiver = callee.childForFieldName('object')!;
      const method = callee.childForFieldName('attribute')?.text ?? '';
      if (method === 'format') return this.formatPlan(node, receiver, args);
      // `render()`, `render_placeholder()`, `render_html()`: rendered through a template or a widget.
      if (/^render(?:_\w+)?$/.test(method)) return MARKUP;
      // The values, labels and names of a choices class or an enum are written in the code.
      if (/^(?:values|labels|names|choices|items|keys)$/.test(method) && /(?:Choices|ChoiceSet|Enum)$/.test(callee.childForFieldName('object')?.text.split('.').pop() ?? '')) return SAFE;
      if (method === 'join' && args.length === 1) return { inputs: [receiver, args[0]], combine: concatenation };
      const effect = methodEffect(method);
      // A name that says what the result is (`quote_name`, `count`) wins over the class's own code for it.
      if (effect === 'number') return NUMBER;
      if (effect === 'safe' || effect === 'display') return SAFE;
      const own = this.methodSummary(callee);
      if (own) return this.summaryCallPlan(node, own, args, true);
      const plain = this.methodPlan(node, receiver, method, effect, args, qualified !== undefined);
      // `meta.get_field(name).column`: what a model's metadata gives is schema too.
      if (!receiverMayBeSchema(receiver)) return plain;
      const inner: Plan = 'inputs' in plain ? plain : { inputs: [], combine: () => plain };
      return {
        inputs: [receiver, ...inner.inputs],
        combine: ([value, ...rest]) => (value.schema && !value.parameters ? SCHEMA : inner.combine(rest)),
      };
    }

    if (callee.type === 'identifier') {
      const resolution = this.context.scopes.resolve(callee);
      if (resolution.kind === 'module' && resolution.defs.length === 0) {
        const effect = builtinEffect(callee.text);
        if (effect) return this.effectPlan(node, effect, args);
      }
      const summary = this.functionOf(callee);
      if (summary) return this.summaryCallPlan(node, summary, args, false);
      // NOTE: `esc = conditional_escape` if autoescape is on, else an identity function: the
      // filter escapes unless the template turned autoescaping off (Django's own idiom).
      // https://docs.djangoproject.com/en/stable/howto/custom-template-tags/#filters-and-auto-escaping
      if (this.escapesUnlessAutoescapeOff(callee)) return SAFE_STRING;
      // `qn = connection.ops.quote_name` then `qn(name)`: the method's effect, through the alias.
      const alias = this.methodAlias(callee);
      if (alias === 'number') return NUMBER;
      if (alias === 'safe' || alias === 'display') return SAFE;
      if (isSanitiserName(callee.text)) return MARKUP;
      if (resolution.kind === 'module' && resolution.defs.length === 1 && resolution.defs[0].kind === 'import') {
        const imported = this.context.imported?.(resolution.defs[0], callee.text);
        if (imported?.kind === 'function') return this.foreignCallPlan(node, imported, callee.text);
      }
    }
    return unknown(node);
  }

  /**
   * A call of another module's function: its summary there, with this call's arguments in
   * place of its parameters. The trace stays in this module: "passed to f()", "returned by
   * f()"; what happens inside f() is named, not traced.
   */
  private foreignCallPlan(call: Node, imported: Extract<ImportedSymbol, { kind: 'function' }>, name: string): Provenance | Plan {
    if (foreignDepth >= MAX_FOREIGN_DEPTH) return unknown(call);
    let summary: Provenance;
    foreignDepth++;
    try {
      summary = imported.analysis.of(imported.fn);
    } finally {
      foreignDepth--;
    }
    const parameters = parametersOf(imported.fn);
    const sorted = sortedArguments(call);
    const argumentOf = new Map<number, Node>();
    parameters.forEach((parameter, index) => {
      const given = parameter.kind === 'plain' ? (sorted.positional[index] ?? sorted.keywords.get(parameter.name.text)) : undefined;
      if (given) argumentOf.set(parameter.node.id, given);
    });
    const order = [...argumentOf.keys()];
    const args = [...argumentOf.values()];
    const where = this.context.file && imported.file ? path.relative(path.dirname(this.context.file), imported.file) || path.basename(imported.file) : 'another module';
    const local = (value: Provenance): Provenance => {
      if (value.trust === 'untrusted') return untrusted(call, `\`${shortText(call)}\` returns request data (read in ${where})`);
      if (value.trust === 'unknown') return unknown(call, value.stored);
      const { parameters: _p, trace: _t, unknown: _u, ...flags } = value;
      return flags;
    };
    return {
      inputs: args,
      combine: (argValues) => {
        const parts: Provenance[] = [local(summary)];
        for (const dependence of summary.parameters ?? []) {
          const index = order.indexOf(dependence.parameter.id);
          // A parameter left to its default takes the default's value; `*args` and `**kwargs`, what the other module gives them.
          const fallback = dependence.parameter.childForFieldName('value');
          let value = index >= 0 ? argValues[index] : local(fallback ? imported.analysis.of(fallback) : imported.analysis.parameterSource(dependence.parameter));
          if (index >= 0 && dependence.member) value = partOf(value, args[index], true);
          if (index >= 0) value = through(value, { node: args[index], message: `passed to ${name}() as \`${dependence.name}\`` });
          parts.push(value);
        }
        return through(join(parts), { node: call, message: `returned by ${name}()` });
      },
    };
  }

  /** A method call judged by its name and its receiver. */
  private methodPlan(node: Node, receiver: Node, method: string, effect: ReturnType<typeof methodEffect>, args: Node[], imported: boolean): Provenance | Plan {
    // A function of an imported module (`utils.clean_html()`), or another method of an imported object.
    if (imported) return isSanitiserName(method) ? MARKUP : unknown(node);
    switch (effect) {
      case 'render':
        return MARKUP;
      case 'receiver':
        return { inputs: [receiver], combine: ([value]) => (value.code ? unknown(node) : concatenation([value])) };
      case 'receiver-and-arguments':
        // `s.replace(old, new)` adds `new`; `d.get(key, default)` may give `default`.
        return { inputs: [receiver, ...args.slice(1)], combine: (values) => (values[0].code ? unknown(node) : concatenation(values)) };
    }
    return unknown(node);
  }

  /** A call whose result follows from a known function's behaviour. */
  private effectPlan(node: Node, effect: CallEffect, args: Node[]): Provenance | Plan {
    switch (effect) {
      case 'number':
        return NUMBER;
      case 'safe':
        return SAFE;
      case 'safe-string':
        return SAFE_STRING;
      case 'markup':
        return MARKUP;
      case 'pass-first': {
        const first = args.find((a) => a.type !== 'keyword_argument');
        if (!first) return SAFE;
        return { inputs: [first], combine: ([value]) => (value.trust === 'unknown' ? value : concatenation([value])) };
      }
      case 'pass-through':
        return { inputs: args, combine: (values) => concatenation(values) };
    }
    return unknown(node);
  }

  /** `template.format(...)`: the template's text and the arguments, numeric fields excepted. */
  private formatPlan(node: Node, receiver: Node, args: Node[]): Provenance | Plan {
    const template = plainStringValue(receiver);
    const sorted = sortedArguments(node);
    const pieces = template === undefined ? undefined : parseFormatTemplate(template);
    if (!pieces) return { inputs: [receiver, ...args], combine: concatenation };
    const inputs: Node[] = [];
    let auto = 0;
    for (const piece of pieces) {
      if (piece.kind !== 'field') continue;
      const arg = piece.name === '' ? sorted.positional[auto++] : /^\d+$/.test(piece.name) ? sorted.positional[Number(piece.name)] : sorted.keywords.get(piece.name);
      if (piece.numeric) continue;
      if (arg) inputs.push(arg);
      else inputs.push(...sorted.splats);
    }
    return { inputs, combine: (values) => concatenation([SAFE, ...values]) };
  }

  private binaryPlan(node: Node): Provenance | Plan {
    const operator = node.childForFieldName('operator')?.text ?? '';
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    if (!left || !right) return unknown(node);
    switch (operator) {
      case '+':
      case '*':
        return {
          inputs: [left, right],
          combine: ([a, b]) => {
            if (a.numeric && b.numeric && !a.parameters && !b.parameters) return NUMBER;
            // `"%s, " * n`: the repeated text.
            if (operator === '*') return concatenation([a, b].filter((v) => !(v.numeric && !v.parameters)));
            return concatenation([a, b]);
          },
        };
      case '%':
        return this.percentPlan(node, left, right);
      case '&':
      case '|':
      case '^':
        return { inputs: [left, right], combine: join };
      default:
        return NUMBER;
    }
  }

  /** `template % args`: numeric conversions are digits whatever the argument. */
  private percentPlan(node: Node, left: Node, right: Node): Provenance | Plan {
    const template = plainStringValue(left);
    const value = unwrap(right);
    const items = value.type === 'tuple' ? value.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment') : [value];
    if (template === undefined) {
      return {
        inputs: [left, ...items],
        combine: ([a, ...rest]) => (a.numeric && rest.every((r) => r.numeric) && !a.parameters ? NUMBER : concatenation([a, ...rest])),
      };
    }
    const specs = parsePercentTemplate(template);
    if (!specs) return { inputs: items, combine: (values) => concatenation([SAFE, ...values]) };
    const inputs: Node[] = [];
    const named = value.type === 'dictionary';
    let next = 0;
    for (const spec of specs) {
      if (spec.kind !== 'spec') continue;
      if (named || spec.key !== undefined) {
        if (spec.numeric) continue;
        const pair = value.type === 'dictionary' ? value.namedChildren.find((p) => p?.type === 'pair' && plainStringValue(p.childForFieldName('key')!) === spec.key) : undefined;
        const item = pair?.childForFieldName('value') ?? value;
        inputs.push(item);
        continue;
      }
      const index = next + spec.starred;
      next = index + 1;
      if (spec.numeric) continue;
      inputs.push(items.length === 1 && value.type !== 'tuple' ? value : (items[index] ?? value));
    }
    return { inputs, combine: (values) => concatenation([SAFE, ...values]) };
  }

  // ----------------------------------------------------------------------------------
  // The module's own functions

  /** The function (or lambda) a called name refers to in this module, when it is one. */
  private functionOf(callee: Node): Node | undefined {
    const resolution = this.context.scopes.resolve(callee);
    if (resolution.kind !== 'local' && resolution.kind !== 'closure' && resolution.kind !== 'module') return undefined;
    if (resolution.defs.length !== 1) return undefined;
    const def = resolution.defs[0];
    if (def.kind === 'definition' && def.statement.type === 'function_definition') return def.statement;
    if (def.kind === 'assign' && def.value && unwrap(def.value).type === 'lambda') return unwrap(def.value);
    return undefined;
  }

  /** A name bound to an escaping function on one branch and to a local function (the identity) on the other. */
  private escapesUnlessAutoescapeOff(callee: Node): boolean {
    const resolution = this.context.scopes.resolve(callee);
    if (resolution.kind !== 'local') return false;
    // The candidates: each binding's value, both branches of `escape if autoescape else (lambda x: x)`.
    const values: (Node | 'identity')[] = [];
    for (const def of resolution.defs) {
      if (def.kind === 'definition' && def.statement.type === 'function_definition') values.push('identity');
      else if (def.kind === 'assign' && def.value && !def.unpacked) {
        const value = unwrap(def.value);
        if (value.type === 'conditional_expression')
          for (const branch of [value.namedChildren[0], value.namedChildren[2]]) values.push(branch && unwrap(branch).type === 'lambda' ? 'identity' : (branch ?? 'identity'));
        else values.push(value);
      } else return false;
    }
    let escapes = false;
    for (const value of values) {
      if (value === 'identity') continue;
      const qualified = this.context.qualifiedName(unwrap(value));
      if (!qualified || functionEffect(qualified) !== 'safe-string') return false;
      escapes = true;
    }
    return escapes && values.length > 1;
  }

  /** The effect of the method a name is bound to (`qn = connection.ops.quote_name`), when every binding is such a method. */
  private methodAlias(callee: Node): ReturnType<typeof methodEffect> {
    const resolution = this.context.scopes.resolve(callee);
    const defs = resolution.kind === 'local' || resolution.kind === 'closure' || resolution.kind === 'module' ? resolution.defs : [];
    if (defs.length === 0) return undefined;
    const effects = defs.map((def) => {
      const value = def.kind === 'assign' && def.value && !def.unpacked ? unwrap(def.value) : undefined;
      return value?.type === 'attribute' ? methodEffect(value.childForFieldName('attribute')?.text ?? '') : undefined;
    });
    return effects.every((e) => e === effects[0]) ? effects[0] : undefined;
  }

  /** `self.helper(...)` / `cls.helper(...)`: a method of the enclosing class. */
  private methodSummary(callee: Node): Node | undefined {
    const object = unwrap(callee.childForFieldName('object')!);
    const name = callee.childForFieldName('attribute')?.text ?? '';
    if (object.type !== 'identifier' || (object.text !== 'self' && object.text !== 'cls')) return undefined;
    const scopes = this.context.scopes;
    const method = scopes.scopeOf(object);
    if (method.type !== 'function_definition' || parametersOf(method)[0]?.name.text !== object.text) return undefined;
    const cls = scopes.scopeOf(method);
    if (cls.type !== 'class_definition') return undefined;
    const defs = scopes.bindings(cls).get(name) ?? [];
    const def = defs[defs.length - 1];
    return def?.kind === 'definition' && def.statement.type === 'function_definition' ? def.statement : undefined;
  }

  /** What a function returns, its own parameters left open: one summary per function. */
  private summaryPlan(fn: Node): Provenance | Plan {
    if (fn.type === 'lambda') {
      const body = fn.childForFieldName('body');
      return body ? pass(body) : SAFE;
    }
    if (decoratedWith(fn, /(?:^|\.)mark_safe$/)) return SAFE_STRING;
    const returns = this.context.scopes.returns(fn);
    return { inputs: returns, combine: (values) => (values.length === 0 ? SAFE : join(values)) };
  }

  /** A call of the module's own function: its summary, with the arguments in place of its parameters. */
  private summaryCallPlan(call: Node, fn: Node, args: Node[], bound: boolean): Plan {
    const parameters = fn.type === 'lambda' ? lambdaParameters(fn) : parametersOf(fn);
    const own = bound ? parameters.slice(1) : parameters;
    const sorted = sortedArguments(call);
    const argumentOf = new Map<number, Node>();
    own.forEach((parameter, index) => {
      const given = parameter.kind === 'plain' ? (sorted.positional[index] ?? sorted.keywords.get(parameter.name.text)) : undefined;
      const fallback = parameter.node.childForFieldName('value') ?? undefined;
      const arg = given ?? fallback;
      if (arg) argumentOf.set(parameter.node.id, arg);
    });
    const inputs = [fn.type === 'lambda' ? summaryNode(fn) : fn, ...argumentOf.values()];
    const order = [...argumentOf.keys()];
    const fnName = fn.type === 'lambda' ? 'the lambda' : `${fn.childForFieldName('name')?.text ?? 'the function'}()`;
    return {
      inputs,
      combine: ([summary, ...argValues]) => {
        if (!summary.parameters) return through(summary, { node: call, message: `returned by ${fnName}` });
        const outer = summary.parameters.filter((d) => !parameters.some((p) => p.node.id === d.parameter.id));
        const base: Provenance = { ...summary, parameters: outer.length > 0 ? outer : undefined };
        if (!base.parameters) delete base.parameters;
        const parts: Provenance[] = [base];
        for (const dependence of summary.parameters) {
          const index = order.indexOf(dependence.parameter.id);
          if (!parameters.some((p) => p.node.id === dependence.parameter.id)) continue;
          // The bound instance (`self`), and parameters no argument reaches (`*args`, `**kwargs`), are of unknown origin.
          let value = index >= 0 ? argValues[index] : unknown(call);
          const arg = index >= 0 ? [...argumentOf.values()][index] : undefined;
          if (dependence.member && arg) value = partOf(value, arg, true);
          if (arg) value = through(value, { node: arg, message: `passed to ${fnName} as \`${dependence.name}\`` });
          for (const step of traceSteps(dependence.trace)) value = through(value, step);
          parts.push(value);
        }
        return through(join(parts), { node: call, message: `returned by ${fnName}` });
      },
    };
  }

  /** A summary with the function's own parameters (the instance of a property) judged unknown. */
  private dropOwnParameters(summary: Provenance, fn: Node, at: Node): Provenance {
    if (!summary.parameters) return summary;
    const own = new Set(parametersOf(fn).map((p) => p.node.id));
    const outer = summary.parameters.filter((d) => !own.has(d.parameter.id));
    const hadOwn = outer.length !== summary.parameters.length;
    const base: Provenance = { ...summary };
    if (outer.length > 0) base.parameters = outer;
    else delete base.parameters;
    return hadOwn ? join([base, unknown(at)]) : base;
  }

  /** A dict (or a list or tuple) of constants: indexing it picks a constant, whatever the key (an allow-list lookup). */
  private isConstantMapping(node: Node): boolean {
    const value = unwrap(node);
    let literal: Node | undefined;
    if (value.type === 'dictionary' || value.type === 'list' || value.type === 'tuple') literal = value;
    else if (value.type === 'identifier') {
      const resolution = this.context.scopes.resolve(value);
      const defs = resolution.kind === 'local' || resolution.kind === 'closure' || resolution.kind === 'module' ? resolution.defs : [];
      if (defs.length === 1 && defs[0].kind === 'assign' && defs[0].value && !defs[0].unpacked) literal = unwrap(defs[0].value);
      if (resolution.kind === 'local' && this.context.scopes.additions(resolution.scope, value.text).length > 0) return false;
    } else if (value.type === 'attribute') {
      const object = unwrap(value.childForFieldName('object')!);
      const name = value.childForFieldName('attribute')?.text ?? '';
      const cls = object.type === 'identifier' ? this.classOf(object) : undefined;
      const defs = cls ? (this.context.scopes.bindings(cls).get(name) ?? []) : [];
      if (defs.length === 1 && defs[0].kind === 'assign' && defs[0].value) literal = unwrap(defs[0].value);
    }
    if (!literal || (literal.type !== 'dictionary' && literal.type !== 'list' && literal.type !== 'tuple')) return false;
    for (const item of literal.namedChildren) {
      if (!item || item.type === 'comment') continue;
      const entry = item.type === 'pair' ? item.childForFieldName('value') : item;
      if (!entry || !isConstantLiteral(entry)) return false;
    }
    return true;
  }

  /** The class `self`/`cls` stands for in a method, or a class of the module named directly. */
  private classOf(name: Node): Node | undefined {
    const scopes = this.context.scopes;
    if (name.text === 'self' || name.text === 'cls') {
      const method = scopes.scopeOf(name);
      const cls = method.type === 'function_definition' ? scopes.scopeOf(method) : undefined;
      return cls?.type === 'class_definition' ? cls : undefined;
    }
    const resolution = scopes.resolve(name);
    if (resolution.kind !== 'module' || resolution.defs.length !== 1) return undefined;
    const def = resolution.defs[0];
    return def.kind === 'definition' && def.statement.type === 'class_definition' ? def.statement : undefined;
  }
}

/** A receiver that may hold a model's metadata: a local name or an attribute chain (not a call of something else). */
function receiverMayBeSchema(receiver: Node): boolean {
  const value = unwrap(receiver);
  return value.type === 'identifier' || value.type === 'attribute';
}

/** A value read through an attribute or an index (`node`): the same origin, no longer a number or a `SafeString`. */
function partOf(value: Provenance, node: Node, attribute = false): Provenance {
  if (value.schema && !value.parameters) return SCHEMA;
  if (attribute && value.parameters) value = { ...value, parameters: value.parameters.map((d) => ({ ...d, member: true })) };
  if (attribute && value.trust === 'untrusted' && value.templateInput) return { ...unknown(node, true), ...(value.parameters ? { parameters: value.parameters } : {}) };
  if (value.trust === 'unknown') return { ...unknown(node, value.stored), ...(value.parameters ? { parameters: value.parameters } : {}) };
  if (value.code && !value.parameters) return CODE;
  if (value.trust === 'safe' && !value.parameters) return SAFE;
  const { numeric: _n, safeString: _s, markup: _m, code: _c, ...rest } = value;
  return rest;
}

function pass(inner: Node): Plan {
  return { inputs: [inner], combine: ([value]) => value };
}

function isConstantLiteral(node: Node): boolean {
  const value = unwrap(node);
  return plainStringValue(value) !== undefined || ['integer', 'float', 'true', 'false', 'none'].includes(value.type);
}

function decoratedWith(fn: Node, name: RegExp): boolean {
  const decorated = fn.parent?.type === 'decorated_definition' ? fn.parent : undefined;
  return !!decorated?.namedChildren.some((d) => d?.type === 'decorator' && name.test(d.namedChildren.find((c) => c?.type !== 'comment')?.text ?? ''));
}

function isProperty(fn: Node): boolean {
  return decoratedWith(fn, /(?:^|\.)(?:property|cached_property)$/);
}

/** A lambda's parameters in the shape of a function's. */
function lambdaParameters(fn: Node): { node: Node; name: Node; kind: 'plain' | 'args' | 'kwargs' }[] {
  return parametersOf(fn);
}

/** The node whose value is a lambda's summary: the lambda itself stands for its body. */
function summaryNode(fn: Node): Node {
  return fn.childForFieldName('body') ?? fn;
}
