import path from 'node:path';
import type { Project } from '../project/project';
import { asList, asString, dictGet, unsetView } from '../project/values';
import { resolvePathExpression } from './settings-paths';

/** What every template rule's documentation says about the files it reads. */
export const WHICH_TEMPLATES_DOC =
  "Templates are the `.html`, `.htm`, `.txt` and `.djhtml` files under a `templates/` folder or a folder named in `TEMPLATES[*]['DIRS']` of the production or base settings (`BASE_DIR / 'templates'` and `os.path.join(BASE_DIR, 'templates')` included), and `.djhtml` files anywhere. Folders a Jinja2 backend serves (its `DIRS`, and apps' `jinja2/` folders) are skipped: Jinja2 has its own syntax and escaping.";

/** File names a Django template may have. */
export const TEMPLATE_FILE = /\.(html?|txt|djhtml)$/;

/** The template directories a project's settings name, by the engine that renders them. */
export interface TemplateLayout {
  /** `DIRS` of DjangoTemplates backends. */
  djangoDirs: string[];
  /** `DIRS` of Jinja2 backends: their files are not Django templates. */
  jinja2Dirs: string[];
}

interface ProjectTemplates {
  layout: TemplateLayout;
  /** Template name (`orders/checkout.html`) → the files that could be loaded under it. */
  index?: Map<string, string[]>;
}

const cache = new WeakMap<Project, ProjectTemplates>();

function templatesOf(project: Project): ProjectTemplates {
  let found = cache.get(project);
  if (!found) {
    found = { layout: readLayout(project) };
    cache.set(project, found);
  }
  return found;
}

export function templateLayout(project: Project): TemplateLayout {
  return templatesOf(project).layout;
}

/**
 * Reads `TEMPLATES[*]['DIRS']` from the production and base settings modules. A directory
 * written as a string, or as a path expression over BASE_DIR-like names, is resolved; one
 * that cannot be read is left out.
 */
function readLayout(project: Project): TemplateLayout {
  const djangoDirs = new Set<string>();
  const jinja2Dirs = new Set<string>();
  for (const module of project.settingsModules()) {
    if (module.role === 'development') continue;
    const state = project.evaluate(module.file)?.settings.get('TEMPLATES');
    for (const entry of asList(state?.value) ?? []) {
      if (unsetView(entry).kind !== 'dict') continue;
      const backend = asString(dictGet(entry, 'BACKEND')) ?? '';
      // NOTE: a Jinja2 backend renders its DIRS with Jinja2, whose syntax and escaping differ.
      // https://docs.djangoproject.com/en/stable/topics/templates/#django.template.backends.jinja2.Jinja2
      const target = /jinja2/i.test(backend) ? jinja2Dirs : djangoDirs;
      for (const item of asList(dictGet(entry, 'DIRS')) ?? []) {
        const literal = asString(item);
        const dir = literal !== undefined ? path.resolve(project.root, literal) : item.loc ? resolvePathExpression(project, item.loc) : undefined;
        if (dir) target.add(path.normalize(dir).replace(/[\\/]+$/, ''));
      }
    }
  }
  return { djangoDirs: [...djangoDirs].sort(), jinja2Dirs: [...jinja2Dirs].sort() };
}

/**
 * The directories above `file` that make it a Django template, nearest first; undefined
 * when there is none or Jinja2 renders it. A Jinja2 backend's DIRS entry holding the file
 * wins over folder names; otherwise the nearest directory decides, so a `jinja2/` folder
 * inside `templates/` is Jinja2's. Folder names count only inside the project, so a
 * checkout below some `templates/` folder is not all templates.
 */
function templateRoots(project: Project, file: string): string[] | undefined {
  const { djangoDirs, jinja2Dirs } = templateLayout(project);
  const roots: string[] = [];
  let nearestJinja = '';
  let explicitDjango = '';
  let explicitJinja = '';
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const inside = dir === project.root || dir.startsWith(project.root + path.sep);
    const base = inside ? path.basename(dir) : '';
    const django = djangoDirs.includes(dir);
    const jinja = jinja2Dirs.includes(dir);
    if (base === 'templates' || django) roots.push(dir);
    if (django && !explicitDjango) explicitDjango = dir;
    if (jinja && !explicitJinja) explicitJinja = dir;
    if (!nearestJinja && (base === 'jinja2' || jinja)) nearestJinja = dir;
    if (path.dirname(dir) === dir) break;
  }
  if (explicitJinja && explicitJinja.length >= explicitDjango.length) return undefined;
  if (roots.length === 0 && !nearestJinja) return file.endsWith('.djhtml') ? [] : undefined;
  if (nearestJinja.length >= (roots[0]?.length ?? 0)) return undefined;
  return roots;
}

/**
 * Whether Django's template engine renders this file: `.html`, `.htm`, `.txt` or `.djhtml`
 * under a `templates/` directory or a directory of a DjangoTemplates backend's `DIRS`,
 * unless a Jinja2 backend's directory (or an app's `jinja2/` folder) holds it more
 * closely. A `.djhtml` file (VS Code's django-html) is a template anywhere outside Jinja2's.
 */
export function isTemplateFile(project: Project, file: string): boolean {
  return TEMPLATE_FILE.test(file) && templateRoots(project, file) !== undefined;
}

/**
 * The project's template files that `{% include "name" %}` could load: every template
 * whose path below one of its template directories is `name`.
 */
export function templatesNamed(project: Project, name: string): string[] {
  const templates = templatesOf(project);
  if (!templates.index) {
    const index = new Map<string, string[]>();
    for (const file of project.files) {
      if (!TEMPLATE_FILE.test(file)) continue;
      for (const root of templateRoots(project, file) ?? []) {
        const key = path.relative(root, file).split(path.sep).join('/');
        const list = index.get(key) ?? [];
        if (!list.includes(file)) list.push(file);
        index.set(key, list);
      }
    }
    templates.index = index;
  }
  return templates.index.get(name.replace(/^\/+/, '')) ?? [];
}
