import path from 'node:path';
import type { Project } from '../project/project';
import { templateSettings, type TemplateSettings } from './template-settings';

/** What every template rule's documentation says about the files it reads. */
export const WHICH_TEMPLATES_DOC =
  "Templates are the files Django's loaders read: those under the `templates/` folder of an app (a Python package such as one with `apps.py`, `models.py` or `views.py`, or one `INSTALLED_APPS` names), under the folders `TEMPLATES[*]['DIRS']` names and under the folders given to the loaders of `TEMPLATES[*]['OPTIONS']['loaders']`, with the extensions `.html`, `.htm`, `.tpl`, `.txt`, `.xml` and `.djhtml` (`.djhtml` files anywhere). Not judged: folders a Jinja2 backend serves and apps' `jinja2/` folders, Flask templates (a `templates/` folder beside a module importing `flask`, or a file using Jinja-only syntax such as `{{ url_for(…) }}` or `{% set %}`), templates inside a documentation tree (`docs/`) or a test suite (`tests/`, `test_utils/`, `testapp/`…). See [which templates are judged](../templates.md).";

/** File names a Django template may have. */
export const TEMPLATE_FILE = /\.(html?|txt|tpl|xml|djhtml)$/;

/** Why a file under a template folder is still not judged as a Django template. */
export type TemplateExclusion = 'jinja2' | 'flask' | 'docs' | 'tests';

interface ProjectTemplates {
  settings: TemplateSettings;
  files: Set<string>;
  /** Directory → its Python files, for the Flask test. */
  pythonFiles?: Map<string, string[]>;
  flaskDirs: Map<string, boolean>;
  /** Template name (`orders/checkout.html`) → the files that could be loaded under it. */
  index?: Map<string, string[]>;
}

const cache = new WeakMap<Project, ProjectTemplates>();

function templatesOf(project: Project): ProjectTemplates {
  let found = cache.get(project);
  if (!found) {
    found = { settings: templateSettings(project), files: new Set(project.files), flaskDirs: new Map() };
    cache.set(project, found);
  }
  return found;
}

/** Files beside a `templates/` folder that make its parent a Python package, and so possibly an app. */
const APP_MARKERS = [
  '__init__.py',
  'apps.py',
  'models.py',
  'views.py',
  'urls.py',
  'admin.py',
  path.join('models', '__init__.py'),
  path.join('views', '__init__.py'),
  path.join('templatetags', '__init__.py'),
];

// A test suite's folders: tests/, test/, testing/, unittests/, test_utils/, tests_x/, x_tests/, testapp/, testproject/…
const TEST_FOLDER = /^(tests?|testing|unittests?|tests?[_-].*|.*[_-]tests?|test(apps?|projects?|site|utils))$/i;
const DOCS_FOLDER = /^(docs?|documentation)$/i;

/** The project-relative folders above a template folder, which say whether it is documentation or a test suite's. */
function exclusionAbove(project: Project, root: string): TemplateExclusion | undefined {
  const relative = path.relative(project.root, root);
  if (relative.startsWith('..')) return undefined;
  const above = relative.split(path.sep).slice(0, -1);
  if (above.some((segment) => DOCS_FOLDER.test(segment))) return 'docs';
  if (above.some((segment) => TEST_FOLDER.test(segment))) return 'tests';
  return undefined;
}

/** Whether a Python module in `dir` imports Flask: its `templates/` folder is then Flask's. */
function isFlaskDir(project: Project, templates: ProjectTemplates, dir: string): boolean {
  const known = templates.flaskDirs.get(dir);
  if (known !== undefined) return known;
  if (!templates.pythonFiles) {
    templates.pythonFiles = new Map();
    for (const file of project.files) {
      if (!file.endsWith('.py')) continue;
      const list = templates.pythonFiles.get(path.dirname(file)) ?? [];
      list.push(file);
      templates.pythonFiles.set(path.dirname(file), list);
    }
  }
  const flask = (templates.pythonFiles.get(dir) ?? []).some((file) => /^[ \t]*(from[ \t]+flask\b|import[ \t]+flask\b)/m.test(project.store.get(file)?.text ?? ''));
  templates.flaskDirs.set(dir, flask);
  return flask;
}

/**
 * Whether `dir` is a folder Django's loaders read templates from: a DjangoTemplates
 * backend's DIRS, a loader's folder, or the `templates/` folder of an app.
 */
function isTemplateRoot(project: Project, templates: ProjectTemplates, dir: string): boolean {
  const { settings, files } = templates;
  if (settings.djangoDirs.includes(dir) || settings.loaderDirs.includes(dir)) return true;
  if (path.basename(dir) !== 'templates') return false;
  const parent = path.dirname(dir);
  if (settings.appDirs.includes(parent) || APP_MARKERS.some((marker) => files.has(path.join(parent, marker)))) return true;
  // DIRS could not be read: a project-level templates/ folder is probably in it.
  return settings.unresolvedDirs && (parent === project.root || files.has(path.join(parent, 'manage.py')));
}

type Roots = { roots: string[] } | { excluded: TemplateExclusion };

/**
 * The folders above `file` from which Django's loaders can load it, nearest first, or why
 * it is not a Django template. A Jinja2 backend's DIRS entry holding the file wins over
 * folder names; otherwise the nearest folder decides, so a `jinja2/` folder inside
 * `templates/` is Jinja2's. Folder names count only inside the project, so a checkout
 * below some `templates/` folder is not all templates.
 */
function templateRoots(project: Project, file: string): Roots | undefined {
  const templates = templatesOf(project);
  const { djangoDirs, loaderDirs, jinja2Dirs } = templates.settings;
  const roots: string[] = [];
  let nearestJinja = '';
  let explicitDjango = '';
  let explicitJinja = '';
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const inside = dir === project.root || dir.startsWith(project.root + path.sep);
    const explicit = djangoDirs.includes(dir) || loaderDirs.includes(dir);
    if (explicit || (inside && isTemplateRoot(project, templates, dir))) roots.push(dir);
    if (explicit && !explicitDjango) explicitDjango = dir;
    const jinja = jinja2Dirs.includes(dir);
    if (jinja && !explicitJinja) explicitJinja = dir;
    if (!nearestJinja && (jinja || (inside && path.basename(dir) === 'jinja2'))) nearestJinja = dir;
    if (path.dirname(dir) === dir) break;
  }
  if (explicitJinja && explicitJinja.length >= explicitDjango.length) return { excluded: 'jinja2' };
  if (nearestJinja && nearestJinja.length >= (roots[0]?.length ?? 0)) return { excluded: 'jinja2' };
  if (roots.length === 0) return file.endsWith('.djhtml') ? { roots: [] } : undefined;
  const nearest = roots[0];
  // A folder DIRS names explicitly is Django's whatever its neighbours import or whatever it is called.
  if (!djangoDirs.includes(nearest) && !loaderDirs.includes(nearest)) {
    const above = exclusionAbove(project, nearest);
    if (above) return { excluded: above };
    if (isFlaskDir(project, templates, path.dirname(nearest))) return { excluded: 'flask' };
  }
  return { roots };
}

/**
 * Whether Django's template engine renders this file: a template file name under a folder
 * Django's loaders read (see WHICH_TEMPLATES_DOC), unless Jinja2, Flask, documentation or
 * a test suite owns that folder. A `.djhtml` file (VS Code's django-html) is a template
 * anywhere outside those.
 */
export function isTemplateFile(project: Project, file: string): boolean {
  if (!TEMPLATE_FILE.test(file)) return false;
  const found = templateRoots(project, file);
  return found !== undefined && 'roots' in found;
}

/** Why a template file is not judged, or undefined when it is (or is no template at all). */
export function templateExclusion(project: Project, file: string): TemplateExclusion | undefined {
  if (!TEMPLATE_FILE.test(file)) return undefined;
  const found = templateRoots(project, file);
  return found && 'excluded' in found ? found.excluded : undefined;
}

/** The names Django can load `file` under (`shop/list.html`), one per template folder holding it, nearest first. */
export function templateNamesOf(project: Project, file: string): string[] {
  const found = templateRoots(project, file);
  if (!found || !('roots' in found)) return [];
  return found.roots.map((root) => path.relative(root, file).split(path.sep).join('/'));
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
      for (const key of templateNamesOf(project, file)) {
        const list = index.get(key) ?? [];
        if (!list.includes(file)) list.push(file);
        index.set(key, list);
      }
    }
    templates.index = index;
  }
  return templates.index.get(name.replace(/^\/+/, '')) ?? [];
}
