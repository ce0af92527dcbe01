import type { Project } from '../project/project';
import type { SourceFile } from '../project/source-store';
import { TEMPLATE_NAME_LITERAL } from './render-sites';

/**
 * The templates the project's own template tags render, by tag name, read from its
 * `templatetags` modules: a tag registered with `@register.simple_tag`,
 * `@register.inclusion_tag(...)` or `@register.tag` (or `register.simple_tag(fn, name=...)`),
 * and the template names written as literals in its decorator and function (an inclusion
 * tag's template, `get_template("includes/form_fields.html")`, a default argument). A tag
 * that computes the name, or a third-party library's tag, renders nothing known.
 */
export function templatesRenderedByTag(project: Project, tag: string): readonly string[] {
  let byTag = indexes.get(project);
  if (!byTag) {
    byTag = new Map();
    for (const file of project.files) {
      if (!file.endsWith('.py') || !project.relative(file).includes('templatetags/')) continue;
      const source = project.store.get(file);
      if (!source) continue;
      for (const [name, templates] of tagsOf(source)) byTag.set(name, [...(byTag.get(name) ?? []), ...templates]);
    }
    indexes.set(project, byTag);
  }
  return byTag.get(tag) ?? [];
}

const indexes = new WeakMap<Project, Map<string, string[]>>();
/** Per file text: the language server opens a new project per analysis over the same sources. */
const tagsByFile = new WeakMap<SourceFile, Map<string, string[]>>();

const REGISTERING_DECORATOR = /^@\w+\.(simple_tag|inclusion_tag|tag)\b/;
/** `register.simple_tag(fn, name="x")`, `register.tag("x", fn)`: a function registered after its definition. */
const REGISTERING_CALL = /^\w+\.(?:simple_tag|inclusion_tag|tag)\(\s*(?:["'](\w+)["']\s*,\s*)?(\w+)\b(?:[^)]*\bname\s*=\s*["'](\w+)["'])?/;

/** A module's top-level definitions: decorators and `def`/`class` up to the next top-level line. */
interface Definition {
  name: string;
  decorators: string[];
  text: string;
}

function tagsOf(source: SourceFile): Map<string, string[]> {
  const known = tagsByFile.get(source);
  if (known) return known;
  const tags = new Map<string, string[]>();
  const definitions = new Map<string, Definition>();
  const registrations: RegExpExecArray[] = [];
  let current: Definition | undefined;
  let decorators: string[] = [];
  for (const line of source.text.split(/\r\n|\r|\n/)) {
    if (line.length === 0 || /^\s/.test(line) || line.startsWith('#') || /^[)\]}]/.test(line)) {
      if (current) current.text += `${line}\n`;
      continue;
    }
    current = undefined;
    if (line.startsWith('@')) {
      decorators.push(line);
      continue;
    }
    const definition = /^(?:async\s+)?(?:def|class)\s+(\w+)/.exec(line);
    if (definition) {
      current = { name: definition[1], decorators, text: `${decorators.join('\n')}\n${line}\n` };
      definitions.set(current.name, current);
    } else {
      const registration = REGISTERING_CALL.exec(line);
      if (registration) registrations.push(registration);
    }
    decorators = [];
  }
  const add = (name: string, definition: Definition) => tags.set(name, [...(tags.get(name) ?? []), ...templateNames(definition.text)]);
  for (const definition of definitions.values()) {
    const decorator = definition.decorators.find((d) => REGISTERING_DECORATOR.test(d));
    if (decorator) add(/\bname\s*=\s*["'](\w+)["']/.exec(decorator)?.[1] ?? /^@\w+\.tag\(\s*["'](\w+)["']/.exec(decorator)?.[1] ?? definition.name, definition);
  }
  for (const [, quotedName, functionName, keywordName] of registrations) {
    const definition = definitions.get(functionName);
    if (definition) add(keywordName ?? quotedName ?? functionName, definition);
  }
  tagsByFile.set(source, tags);
  return tags;
}

function templateNames(text: string): string[] {
  const names: string[] = [];
  for (const match of text.matchAll(TEMPLATE_NAME_LITERAL)) names.push(match[2].replace(/^\/+/, ''));
  return names;
}
