import type { Node } from '../parse/python';
import type { Project } from '../project/project';
import type { SourceFile } from '../project/source-store';
import { registeredTemplateFunctions, templateRegistration } from '../python/request-sources';
import { TEMPLATE_NAME_LITERAL } from './render-sites';

/**
 * The templates the project's own template tags render, by tag name, read from its
 * `templatetags` modules: a tag registered with `simple_tag`, `inclusion_tag` or `tag`
 * (decorator or module-level call, see templateRegistration), and the template names written
 * as literals in its definition (an inclusion tag's template,
 * `get_template("includes/form_fields.html")`, a default argument). A tag that computes the
 * name, or a third-party library's tag, renders nothing known.
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
/** Per source: the language server opens a new project per analysis over the same sources. */
const tagsByFile = new WeakMap<SourceFile, Map<string, string[]>>();

function tagsOf(source: SourceFile): Map<string, string[]> {
  const known = tagsByFile.get(source);
  if (known) return known;
  const tags = new Map<string, string[]>();
  const statements = source.syntax().rootNode.namedChildren;
  const byCall = registeredTemplateFunctions({ namedChildren: statements });
  for (const statement of statements) {
    const fn: Node | null | undefined = statement?.type === 'decorated_definition' ? statement.childForFieldName('definition') : statement;
    if (!statement || fn?.type !== 'function_definition') continue;
    const registration = templateRegistration(fn, byCall);
    if (!registration || registration.method === 'filter') continue;
    // The decorated definition's text: an inclusion tag names its template in the decorator.
    const names = [...statement.text.matchAll(TEMPLATE_NAME_LITERAL)].map((match) => match[2].replace(/^\/+/, ''));
    tags.set(registration.name, [...(tags.get(registration.name) ?? []), ...names]);
  }
  tagsByFile.set(source, tags);
  return tags;
}
