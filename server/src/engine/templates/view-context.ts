import path from 'node:path';
import { rangeOf, type Node } from '../parse/python';
import { analysisOfFile, type ModuleAnalysis } from '../python/module-analysis';
import { traceSteps, type Provenance } from '../python/provenance';
import { plainStringValue, sortedArguments, unwrap } from '../python/syntax';
import type { Project } from '../project/project';
import type { RelatedLocation } from '../types';
import type { ValueJudgement, ViewRoots } from './template-values';
import { includersOf } from './output-kind';
import { renderSitesOf } from './render-sites';
import { templateNamesOf } from './template-files';
import { modelFieldKind, modelOfExpression, type ModelRef } from './view-models';

/**
 * View → template provenance: where the project's code renders a template, which context
 * each rendering passes, and where the Python value behind each context variable comes
 * from, judged by the code rules' provenance analysis.
 *
 * A variable is judged from the views only with evidence: request data or a model's text
 * field passed by any view raises it; it is safe only when every place that renders the
 * template passes it, each time a value that cannot carry markup, and no other template
 * includes or extends this one (their context would reach it too).
 */

/** What the views pass as one context variable. */
export type ViewValue =
  | { trust: 'untrusted'; why: string; flow: RelatedLocation[] }
  | { trust: 'stored'; why: string }
  /** A model instance (or a queryset of them): its attributes are judged by the model's fields. */
  | { trust: 'model'; model: ModelRef; why: string }
  | { trust: 'safe'; why: string };

/** One place that renders the template with a context the code shows. */
interface RenderContext {
  analysis: ModuleAnalysis;
  file: string;
  /** Context variable → the Python expressions given for it. */
  entries: Map<string, Node[]>;
  /** The call (or class) that renders: where a trace ends in the code. */
  at: Node;
}

/** The contexts of one template, or undefined for a name none can be read for. */
interface TemplateContexts {
  contexts: RenderContext[];
  /** Every place naming the template is a rendering whose context the code shows, and no template includes or extends it. */
  closed: boolean;
  judged: Map<string, ViewValue | undefined>;
}

const cache = new WeakMap<Project, Map<string, TemplateContexts>>();
/** How many assignments a context name is followed through (`ctx = base; ctx.update(...)`). */
const MAX_FOLLOW = 4;
/** Render calls: the positional index of the template name and of the context. */
const RENDER_CALLS: Record<string, { template: number; context: number }> = {
  render: { template: 1, context: 2 },
  TemplateResponse: { template: 1, context: 2 },
  render_to_response: { template: 0, context: 1 },
  render_to_string: { template: 0, context: 1 },
};

/** What the views pass for `name` in the template `file`, or undefined when they show nothing about it. */
export function viewValueOf(project: Project, file: string, name: string): ViewValue | undefined {
  const contexts = contextsOf(project, file);
  if (contexts.contexts.length === 0) return undefined;
  if (contexts.judged.has(name)) return contexts.judged.get(name);
  const value = judge(contexts, name);
  contexts.judged.set(name, value);
  return value;
}

function contextsOf(project: Project, file: string): TemplateContexts {
  let byFile = cache.get(project);
  if (!byFile) {
    byFile = new Map();
    cache.set(project, byFile);
  }
  let found = byFile.get(file);
  if (found) return found;
  const names = templateNamesOf(project, file);
  const contexts: RenderContext[] = [];
  let closed = includersOf(project, names).length === 0;
  for (const site of renderSitesOf(project, names)) {
    const analysis = analysisOfFile(project, site.file);
    const context = analysis && site.literal ? renderContext(analysis, site.file, site.literal) : undefined;
    if (context) contexts.push(context);
    else closed = false;
  }
  found = { contexts, closed: closed && contexts.length > 0, judged: new Map() };
  byFile.set(file, found);
  return found;
}

/** The context a template-name literal is rendered with: a render call's dict, or a class-based view's. */
function renderContext(analysis: ModuleAnalysis, file: string, literal: Node): RenderContext | undefined {
  const parent = literal.parent;
  if (parent?.type === 'argument_list' && parent.parent?.type === 'call') {
    const call = parent.parent;
    const callee = unwrap(call.childForFieldName('function')!);
    const name = callee.type === 'attribute' ? callee.childForFieldName('attribute')?.text : callee.text;
    const shape = name ? RENDER_CALLS[name] : undefined;
    if (!shape) return undefined;
    const args = sortedArguments(call);
    if (args.positional[shape.template]?.id !== literal.id) return undefined;
    const context = args.positional[shape.context] ?? args.keywords.get('context') ?? args.keywords.get('dictionary');
    const entries = new Map<string, Node[]>();
    if (context && !readDict(analysis, context, entries, 0)) return undefined;
    return { analysis, file, entries, at: call };
  }
  if (parent?.type === 'assignment' && parent.childForFieldName('left')?.text === 'template_name') return classContext(analysis, file, parent);
  return undefined;
}

/** `template_name = "…"` in a class: `extra_context` and what `get_context_data` adds. */
function classContext(analysis: ModuleAnalysis, file: string, assignment: Node): RenderContext | undefined {
  const block = assignment.parent?.parent;
  const cls = block?.parent;
  if (block?.type !== 'block' || cls?.type !== 'class_definition') return undefined;
  const entries = new Map<string, Node[]>();
  for (const statement of block.namedChildren) {
    if (!statement) continue;
    const inner = statement.type === 'expression_statement' ? statement.namedChildren[0] : undefined;
    if (inner?.type === 'assignment' && inner.childForFieldName('left')?.text === 'extra_context') {
      const value = inner.childForFieldName('right');
      if (value) readDict(analysis, value, entries, 0);
    }
    const fn = statement.type === 'decorated_definition' ? statement.childForFieldName('definition') : statement;
    if (fn?.type !== 'function_definition' || fn.childForFieldName('name')?.text !== 'get_context_data') continue;
    for (const returned of analysis.scopes.returns(fn)) readDict(analysis, returned, entries, 0);
  }
  return { analysis, file, entries, at: cls.childForFieldName('name') ?? cls };
}

/**
 * Reads the keys a dict expression holds into `entries`: a literal, `dict(k=v)`, or a name
 * bound to one and filled in later (`ctx["k"] = v`, `ctx.update(...)`). Returns false when
 * the expression is not a dict the code shows (it may still have added some keys).
 */
function readDict(analysis: ModuleAnalysis, expression: Node, entries: Map<string, Node[]>, depth: number): boolean {
  const value = unwrap(expression);
  const add = (key: string, node: Node) => {
    const list = entries.get(key) ?? [];
    list.push(node);
    entries.set(key, list);
  };
  if (value.type === 'dictionary') {
    let whole = true;
    for (const item of value.namedChildren) {
      if (!item || item.type === 'comment') continue;
      if (item.type === 'pair') {
        const key = plainStringValue(item.childForFieldName('key')!);
        const entry = item.childForFieldName('value');
        if (key !== undefined && entry) add(key, entry);
        else whole = false;
      } else if (item.type === 'dictionary_splat') {
        const inner = item.namedChildren.find((c) => c && c.type !== 'comment');
        whole = !!inner && depth < MAX_FOLLOW && readDict(analysis, inner, entries, depth + 1) && whole;
      } else whole = false;
    }
    return whole;
  }
  if (value.type === 'call' && unwrap(value.childForFieldName('function')!).text === 'dict') {
    const args = sortedArguments(value);
    for (const [key, node] of args.keywords) add(key, node);
    let whole = args.splats.length === 0;
    for (const positional of args.positional) whole = depth < MAX_FOLLOW && readDict(analysis, positional, entries, depth + 1) && whole;
    return whole;
  }
  if (value.type !== 'identifier' || depth >= MAX_FOLLOW) return false;
  const resolution = analysis.scopes.resolve(value);
  if (resolution.kind !== 'local') return false;
  let whole = resolution.defs.length > 0;
  for (const def of resolution.defs) {
    if (def.kind === 'assign' && def.value && !def.unpacked) whole = readDict(analysis, def.value, entries, depth + 1) && whole;
    else whole = false;
  }
  // What the function puts into it afterwards: ctx["k"] = v, ctx.update({...}) / ctx.update(k=v).
  for (const read of analysis.scopes.readsOf(resolution.scope, value.text)) {
    const parent = read.parent;
    if (parent?.type === 'subscript' && parent.childForFieldName('value')?.id === read.id) {
      const assignment = parent.parent;
      if (assignment?.type !== 'assignment' || assignment.childForFieldName('left')?.id !== parent.id) continue;
      const key = plainStringValue(parent.childForFieldName('subscript') ?? parent);
      const assigned = assignment.childForFieldName('right');
      if (key !== undefined && assigned) add(key, assigned);
      else whole = false;
    } else if (parent?.type === 'attribute' && parent.childForFieldName('object')?.id === read.id) {
      const method = parent.childForFieldName('attribute')?.text;
      const call = parent.parent;
      if (call?.type !== 'call') continue;
      if (method === 'update') {
        const args = sortedArguments(call);
        for (const [key, node] of args.keywords) add(key, node);
        for (const positional of args.positional) whole = readDict(analysis, positional, entries, depth + 1) && whole;
        if (args.splats.length > 0) whole = false;
      } else if (method === 'setdefault') {
        const args = sortedArguments(call);
        const key = args.positional[0] && plainStringValue(args.positional[0]);
        if (key !== undefined && args.positional[1]) add(key, args.positional[1]);
      }
    }
  }
  return whole;
}

/** The judgement of one context variable across every place that renders the template. */
function judge(contexts: TemplateContexts, name: string): ViewValue | undefined {
  let stored: ViewValue | undefined;
  let model: ViewValue | undefined;
  let allSafe = contexts.closed;
  let safeWhy = '';
  for (const context of contexts.contexts) {
    const values = context.entries.get(name);
    if (!values) {
      allSafe = false;
      continue;
    }
    for (const node of values) {
      const value = context.analysis.provenance.closed(node);
      const where = `${path.basename(context.file)}:${node.startPosition.row + 1}`;
      // What a template tag passes on is whatever some template gave it: no evidence either way.
      if (value.trust === 'untrusted' && !value.templateInput) return { trust: 'untrusted', why: `${sourceOf(value)} from the view (${where})`, flow: flowOf(context, node, value, name) };
      if (value.trust !== 'safe' || value.code) {
        allSafe = false;
        const ref = modelOfExpression(context.analysis, node);
        if (ref) model ??= { trust: 'model', model: ref, why: `a ${ref.name} the view loads (${where})` };
        else if (value.stored) stored ??= { trust: 'stored', why: `stored data in the view (${where})` };
        continue;
      }
      safeWhy ||= safeReason(value, where);
    }
  }
  if (stored) return stored;
  if (model) return model;
  return allSafe ? { trust: 'safe', why: safeWhy } : undefined;
}

function safeReason(value: Provenance, where: string): string {
  if (value.numeric) return `a number from the view (${where})`;
  if (value.safeString || value.markup) return `HTML the view escapes or builds (${where})`;
  return `a value the view writes (${where})`;
}

/** Who controls the value, from its source step: request data, text from the URL, form input. */
function sourceOf(value: Provenance): string {
  const source = traceSteps(value.trace)[0]?.message ?? '';
  if (/captured from the URL/.test(source)) return 'text from the URL';
  if (/submitted in a form/.test(source)) return 'form input';
  return 'request data';
}

/** The trace of an untrusted value in the view, ending where it is put into the context. */
function flowOf(context: RenderContext, node: Node, value: Provenance, name: string): RelatedLocation[] {
  const steps: RelatedLocation[] = traceSteps(value.trace).map((step) => ({ file: context.file, range: rangeOf(step.node), message: step.message }));
  steps.push({ file: context.file, range: rangeOf(node), message: `passed to the template as \`${name}\`` });
  return steps;
}

/** What the views rendering a template pass, as the template rules judge values: one function per template, its answers kept. */
export function viewRoots(project: Project, file: string): ViewRoots {
  return (name) => judgementOf(viewValueOf(project, file, name));
}

function judgementOf(value: ViewValue | undefined): ValueJudgement | undefined {
  if (!value) return undefined;
  const base = { why: value.why, escaped: 'none' as const, markedSafe: false };
  switch (value.trust) {
    case 'untrusted':
      return { ...base, trust: 'untrusted', flow: value.flow };
    case 'stored':
      return { ...base, trust: 'stored' };
    case 'model':
      return { ...base, trust: 'unknown', model: value.model };
    case 'safe':
      return { ...base, trust: 'safe' };
  }
}
