import path from 'node:path';
import { rangeOf, type Node } from '../parse/python';
import type { Project } from '../project/project';
import type { SourceFile } from '../project/source-store';
import { isOrdinaryPythonFile } from '../python-analyzer';
import { decoratedCsrfExempt } from '../python/view-requests';
import { positionAt } from '../text';
import type { Range } from '../types';

/** What a template's output becomes where the code renders it: a page (HTML) or text (an email subject, a plain-text body). */
export type RenderOutput = 'html' | 'text';

/** A place in the Python code that names a template, and what that place says about its output. */
export interface RenderSite {
  file: string;
  /** The template name's string literal. */
  range: Range;
  output?: RenderOutput;
  /** What decided `output`, for messages: "rendered into subject=". */
  evidence?: string;
  /** A view function or class around the literal is decorated with `csrf_exempt`. */
  csrfExempt: boolean;
  /** The literal's node in the file's syntax tree, for reading the context it is rendered with. */
  literal?: Node;
}

interface Occurrence {
  file: string;
  name: string;
  offset: number;
}

const indexes = new WeakMap<Project, Map<string, Occurrence[]>>();

// A string literal naming a template file; prefixes r/u allowed, f-strings and bytes are not names.
export const TEMPLATE_NAME_LITERAL = /(?<![\w"'])[rRuU]?(["'])([^"'\\\n]{1,300}?\.(?:html?|txt|tpl|xml|djhtml))\1/g;

/** The template-name literals of one file's text, kept with the text: the language server opens a new project per analysis over the same sources. */
const literalsOf = new WeakMap<SourceFile, Occurrence[]>();

function literals(source: SourceFile): Occurrence[] {
  let found = literalsOf.get(source);
  if (found) return found;
  found = [];
  const text = source.text;
  if (/\.(html?|txt|tpl|xml|djhtml)["']/.test(text)) {
    TEMPLATE_NAME_LITERAL.lastIndex = 0;
    for (let match = TEMPLATE_NAME_LITERAL.exec(text); match; match = TEMPLATE_NAME_LITERAL.exec(text)) {
      found.push({ file: source.file, name: match[2].replace(/^\/+/, ''), offset: match.index + match[0].indexOf(match[1]) });
    }
  }
  literalsOf.set(source, found);
  return found;
}

/** Every template-name literal in the project's code, by name; each file's text is scanned once. */
function occurrences(project: Project): Map<string, Occurrence[]> {
  let index = indexes.get(project);
  if (index) return index;
  index = new Map();
  for (const file of project.files) {
    // Test code renders anything any way: its names say nothing about how the project uses a template.
    if (!file.endsWith('.py') || !isOrdinaryPythonFile(project.relative(file))) continue;
    const source = project.store.get(file);
    if (!source) continue;
    for (const occurrence of literals(source)) {
      const list = index.get(occurrence.name) ?? [];
      list.push(occurrence);
      index.set(occurrence.name, list);
    }
  }
  indexes.set(project, index);
  return index;
}

/**
 * The places in the project's code that name one of `names` (the names a template can be
 * loaded under), each with what it says about the template's output. Only literal names
 * are found: a name the code computes (`"emails/%s-subject.html" % kind`) is not.
 */
export function renderSitesOf(project: Project, names: readonly string[]): RenderSite[] {
  const index = occurrences(project);
  const sites: RenderSite[] = [];
  for (const name of names) {
    for (const { file, offset } of index.get(name) ?? []) {
      const source = project.store.get(file);
      if (!source) continue;
      const position = positionAt(source.text, offset);
      let node: Node | null = source.tree().rootNode.descendantForPosition({ row: position.line, column: position.character });
      while (node && node.type !== 'string') node = node.parent;
      if (!node) continue;
      sites.push({ file, range: rangeOf(node), ...outputAt(node, file), csrfExempt: insideCsrfExempt(node), literal: node });
    }
  }
  return sites;
}

const TEXT_WORDS = new Set(['subject', 'text', 'txt', 'plain', 'plaintext', 'sms', 'body']);

/**
 * What a name (a keyword, a variable, a function) says about the text it holds: `html`
 * anywhere makes it HTML; subject, text, plain, sms or body make it text.
 */
function outputOfName(name: string, keyword = false): RenderOutput | undefined {
  const words = name.toLowerCase().split(/_+/);
  if (words.includes('html')) return 'html';
  // NOTE: Django's PasswordResetForm.send_mail renders email_template_name as the plain-text
  // body and html_email_template_name as the HTML alternative.
  // https://docs.djangoproject.com/en/stable/topics/auth/default/#django.contrib.auth.views.PasswordResetView.email_template_name
  if (name === 'email_template_name') return 'text';
  // send_mail(subject, message, …, html_message=…)
  if (keyword && name === 'message') return 'text';
  return words.some((word) => TEXT_WORDS.has(word)) ? 'text' : undefined;
}

/** Functions that render a template by name into a response or a string. */
const RENDER_CALLS = new Set(['render', 'render_to_string', 'render_to_response', 'TemplateResponse', 'SimpleTemplateResponse', 'get_template', 'select_template']);
/** Functions and classes whose first two positional arguments are an email's subject and plain-text body. */
const EMAIL_CALLS = new Set(['send_mail', 'mail_admins', 'mail_managers', 'EmailMessage', 'EmailMultiAlternatives']);
/** Calls whose argument is markup placed in a page. */
const MARKUP_CALLS = new Set(['mark_safe', 'format_html', 'SafeString', 'HttpResponse']);

function lastName(node: Node | null): string {
  if (!node) return '';
  return node.type === 'attribute' ? (node.childForFieldName('attribute')?.text ?? '') : node.text;
}

function keywordArguments(call: Node): Map<string, Node> {
  const found = new Map<string, Node>();
  for (const argument of call.childForFieldName('arguments')?.namedChildren ?? []) {
    if (argument?.type !== 'keyword_argument') continue;
    const name = argument.childForFieldName('name')?.text;
    const value = argument.childForFieldName('value');
    if (name && value) found.set(name, value);
  }
  return found;
}

/** A `content_type=` string: HTML for text/html and XHTML, text for anything else (text/plain, JSON, CSV). */
function outputOfContentType(value: Node | undefined): RenderOutput | undefined {
  if (!value || value.type !== 'string') return undefined;
  const type = value.text
    .replace(/^[rRuU]?["']+|["']+$/g, '')
    .trim()
    .toLowerCase();
  if (!type) return undefined;
  return /^(text\/html|application\/xhtml)/.test(type) ? 'html' : 'text';
}

type Verdict = { output?: RenderOutput; evidence?: string };

/** Reads the code around a template-name literal: the name it is given to, the call that renders it, where the result goes. */
function outputAt(literal: Node, file: string): Verdict {
  let node = literal;
  for (let steps = 0; steps < 4 && node.parent; steps++) {
    const parent: Node = node.parent;
    switch (parent.type) {
      case 'list':
      case 'tuple':
      case 'parenthesized_expression':
        node = parent;
        continue;
      case 'keyword_argument': {
        const name = parent.childForFieldName('name')?.text ?? '';
        const output = outputOfName(name);
        if (output) return { output, evidence: `given as ${name}=` };
        node = parent;
        continue;
      }
      case 'assignment': {
        const target = lastName(parent.childForFieldName('left'));
        const output = outputOfName(target);
        if (output) return { output, evidence: `assigned to ${target}` };
        if (target === 'template_name') return classContentType(parent);
        return {};
      }
      case 'default_parameter':
      case 'typed_default_parameter': {
        const name = parent.childForFieldName('name')?.text ?? '';
        const output = outputOfName(name);
        return output ? { output, evidence: `the default of ${name}` } : {};
      }
      case 'argument_list': {
        const call = parent.parent;
        return call?.type === 'call' ? outputOfCall(call, file) : {};
      }
      default:
        return {};
    }
  }
  return {};
}

/** `template_name = "…"` in a class whose `content_type` is given beside it (a TemplateView serving text). */
function classContentType(assignment: Node): Verdict {
  const block = assignment.parent?.parent;
  if (block?.type !== 'block' || block.parent?.type !== 'class_definition') return {};
  for (const statement of block.namedChildren) {
    const inner = statement?.type === 'expression_statement' ? statement.namedChildren[0] : undefined;
    if (inner?.type !== 'assignment' || inner.childForFieldName('left')?.text !== 'content_type') continue;
    const output = outputOfContentType(inner.childForFieldName('right') ?? undefined);
    if (output) return { output, evidence: 'served with that content_type' };
  }
  return {};
}

/** A call that receives the template name: an inclusion tag, a rendering call and where its result goes. */
function outputOfCall(call: Node, file: string): Verdict {
  const callee = lastName(call.childForFieldName('function'));
  if (callee === 'inclusion_tag') return { output: 'html', evidence: 'an inclusion tag renders it into pages' };
  const contentType = outputOfContentType(keywordArguments(call).get('content_type'));
  if (contentType) return { output: contentType, evidence: 'rendered with that content_type' };
  if (!RENDER_CALLS.has(callee)) return {};
  if (file.split(path.sep).includes('templatetags')) return { output: 'html', evidence: 'a template tag renders it into pages' };
  // Where the rendered text goes: through `.strip()` and the like, into a name, a keyword or a call.
  const destination = renderedInto(call);
  if (destination.output) return destination;
  // A view's response: render(request, "…") and TemplateResponse are pages unless a content_type says otherwise.
  if (callee === 'render' || callee === 'TemplateResponse' || callee === 'render_to_response' || callee === 'SimpleTemplateResponse')
    return { output: 'html', evidence: `a view renders it with ${callee}()` };
  return {};
}

/** What the place a rendering call's result goes to says about it. */
function renderedInto(call: Node): Verdict {
  let node = call;
  for (let steps = 0; steps < 6 && node.parent; steps++) {
    const parent: Node = node.parent;
    if (parent.type === 'attribute' || parent.type === 'parenthesized_expression' || (parent.type === 'call' && parent.childForFieldName('function')?.equals(node))) {
      node = parent;
      continue;
    }
    if (parent.type === 'keyword_argument') {
      const name = parent.childForFieldName('name')?.text ?? '';
      const output = outputOfName(name, true);
      return output ? { output, evidence: `rendered into ${name}=` } : {};
    }
    if (parent.type === 'assignment') {
      const target = lastName(parent.childForFieldName('left'));
      const output = outputOfName(target);
      return output ? { output, evidence: `rendered into ${target}` } : {};
    }
    if (parent.type === 'return_statement') {
      let scope: Node | null = parent.parent;
      while (scope && scope.type !== 'function_definition') scope = scope.parent;
      const name = scope?.childForFieldName('name')?.text ?? '';
      const output = name ? outputOfName(name) : undefined;
      return output ? { output, evidence: `returned by ${name}()` } : {};
    }
    if (parent.type === 'argument_list' && parent.parent?.type === 'call') {
      const outer = parent.parent;
      const name = lastName(outer.childForFieldName('function'));
      if (MARKUP_CALLS.has(name)) return { output: outputOfContentType(keywordArguments(outer).get('content_type')) ?? 'html', evidence: `rendered into ${name}()` };
      if (name === 'attach_alternative') return { output: 'html', evidence: 'attached as the HTML alternative' };
      const index = parent.namedChildren.findIndex((child) => child?.equals(node));
      if (EMAIL_CALLS.has(name) && (index === 0 || index === 1)) return { output: 'text', evidence: `rendered into the ${index === 0 ? 'subject' : 'body'} of ${name}()` };
    }
    return {};
  }
  return {};
}

/** Whether a function or class around `node` is decorated with `csrf_exempt` (directly or through `method_decorator`). */
function insideCsrfExempt(node: Node): boolean {
  for (let current: Node | null = node.parent; current; current = current.parent) {
    if (current.type !== 'decorated_definition') continue;
    if (decoratedCsrfExempt(current)) return true;
  }
  return false;
}
