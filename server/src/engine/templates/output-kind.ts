import path from 'node:path';
import type { Project } from '../project/project';
import type { SourceFile } from '../project/source-store';
import { parseTemplate, type TemplateDocument } from './document';
import { includeName } from './html-scanner';
import { renderSitesOf } from './render-sites';
import { templateNamesOf, templatesNamed, TEMPLATE_FILE } from './template-files';

/**
 * What a template renders: an HTML page or fragment, or text (an email subject or
 * plain-text body, an SMS, a chat or push payload, a feed). The HTML rules judge HTML only.
 */
export interface TemplateOutput {
  kind: 'html' | 'text';
  /** Why, for messages and docs: "its name says it is an email subject". */
  why: string;
}

/** The words of a file name that say it renders text. */
const TEXT_NAME_WORDS: Record<string, string> = {
  subject: 'its name says it is an email subject',
  text: 'its name says it is a plain-text body',
  txt: 'its name says it is a plain-text body',
  plain: 'its name says it is a plain-text body',
  plaintext: 'its name says it is a plain-text body',
  sms: 'its name says it is an SMS',
};

const MAX_DEPTH = 6;

interface Cache {
  outputs: Map<string, TemplateOutput>;
  /** Templates being judged: an include cycle stops there. */
  visiting: Set<string>;
  /** Template name → the template files that `{% include %}` or `{% extends %}` it. */
  includers?: Map<string, string[]>;
}
const caches = new WeakMap<Project, Cache>();

function cacheOf(project: Project): Cache {
  let cache = caches.get(project);
  if (!cache) {
    cache = { outputs: new Map(), visiting: new Set() };
    caches.set(project, cache);
  }
  return cache;
}

/** Whether the text Django prints as it is holds an HTML tag, comment or doctype. */
function hasHtmlTag(doc: TemplateDocument): boolean {
  return doc.nodes.some((node) => node.role === 'text' && /<(?:[a-zA-Z][\w:-]*(?=[\s/>])|\/[a-zA-Z]|!--|!doctype)/i.test(node.contents));
}

function hasCharacterReference(doc: TemplateDocument): boolean {
  return doc.nodes.some((node) => node.role === 'text' && /&(?:#\d+|#x[\da-f]+|[a-z]{2,8});/i.test(node.contents));
}

/**
 * What `file` renders, judged in this order: its extension (`.txt`, `.xml`); words of its
 * name (`subject`, `text`, `plain`, `sms`; `html` makes it HTML); an HTML tag in it; the
 * template it extends; where the code renders it (into `subject=`, a plain-text email
 * body, a `content_type="text/plain"` response; or a view's page, a template tag); the
 * templates that include it. A template with none of these and no HTML tag renders text.
 */
export function templateOutput(project: Project, file: string, doc?: TemplateDocument, depth = 0): TemplateOutput {
  const cache = cacheOf(project);
  const known = cache.outputs.get(file);
  if (known) return known;
  if (cache.visiting.has(file)) return { kind: 'text', why: 'it includes itself' };
  cache.visiting.add(file);
  try {
    const output = judgeOutput(project, file, doc, depth);
    cache.outputs.set(file, output);
    return output;
  } finally {
    cache.visiting.delete(file);
  }
}

function judgeOutput(project: Project, file: string, given: TemplateDocument | undefined, depth: number): TemplateOutput {
  const extension = path.extname(file).toLowerCase();
  if (extension === '.txt') return { kind: 'text', why: 'it is a .txt template' };
  if (extension === '.xml') return { kind: 'text', why: 'it renders XML, not an HTML page' };
  const words = path
    .basename(file, extension)
    .toLowerCase()
    .split(/[^a-z0-9]+/);
  if (words.includes('html')) return { kind: 'html', why: 'its name says it is HTML' };
  for (const word of words) if (TEXT_NAME_WORDS[word]) return { kind: 'text', why: TEXT_NAME_WORDS[word] };
  const doc = given ?? documentOf(project, file);
  if (!doc) return { kind: 'html', why: 'it cannot be read' };
  if (hasHtmlTag(doc)) return { kind: 'html', why: 'it holds HTML tags' };
  if (depth >= MAX_DEPTH) return { kind: 'html', why: 'it is included too deeply to follow' };
  const parent = doc.nodes.find((node) => node.role === 'block' && node.tag === 'extends');
  if (parent) {
    const name = includeName(parent.contents);
    const parentFile = name === undefined ? undefined : templatesNamed(project, name).find((candidate) => candidate !== file);
    if (!parentFile) return { kind: 'html', why: 'it extends a template that cannot be read' };
    const inherited = templateOutput(project, parentFile, undefined, depth + 1);
    return { kind: inherited.kind, why: `it extends ${name}, which renders ${inherited.kind === 'html' ? 'HTML' : 'text'}` };
  }
  const names = templateNamesOf(project, file);
  const sites = renderSitesOf(project, names);
  const html = sites.find((site) => site.output === 'html');
  if (html) return { kind: 'html', why: `${html.evidence} in ${project.relative(html.file)}` };
  const text = sites.find((site) => site.output === 'text');
  if (text) return { kind: 'text', why: `it is ${text.evidence} in ${project.relative(text.file)}` };
  for (const includer of includersOf(project, names)) {
    if (includer === file) continue;
    const outer = templateOutput(project, includer, undefined, depth + 1);
    if (outer.kind === 'html') return { kind: 'html', why: `${project.relative(includer)} includes it in HTML` };
  }
  if (hasCharacterReference(doc)) return { kind: 'html', why: 'it holds HTML character references' };
  return { kind: 'text', why: 'it has no HTML tag' };
}

function documentOf(project: Project, file: string): TemplateDocument | undefined {
  const text = project.store.get(file)?.text;
  return text === undefined ? undefined : parseTemplate(text);
}

/** The template names one template's text includes or extends, kept with the text. */
const includedBy = new WeakMap<SourceFile, string[]>();

function includedNames(source: SourceFile): string[] {
  let names = includedBy.get(source);
  if (names) return names;
  names = [];
  if (source.text.includes('{%')) {
    for (const match of source.text.matchAll(/\{%\s*(?:include|extends)\s+(["'])([^"'\n]+)\1/g)) names.push(match[2]);
  }
  includedBy.set(source, names);
  return names;
}

/** The templates that include or extend one of `names`, found once per project from every template's text. */
function includersOf(project: Project, names: readonly string[]): string[] {
  const cache = cacheOf(project);
  if (!cache.includers) {
    const includers = new Map<string, string[]>();
    for (const file of project.files) {
      if (!TEMPLATE_FILE.test(file) || templateNamesOf(project, file).length === 0) continue;
      const source = project.store.get(file);
      if (!source) continue;
      for (const name of includedNames(source)) {
        const list = includers.get(name) ?? [];
        if (!list.includes(file)) list.push(file);
        includers.set(name, list);
      }
    }
    cache.includers = includers;
  }
  return [...new Set(names.flatMap((name) => cache.includers!.get(name) ?? []))];
}
