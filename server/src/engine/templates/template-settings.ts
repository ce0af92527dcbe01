import path from 'node:path';
import type { Project } from '../project/project';
import { asList, asString, dictGet, unsetView, type Value } from '../settings/values';
import { resolvePathExpression } from './settings-paths';

/**
 * What the project's settings say about where templates live: the one place that reads
 * `TEMPLATES` and `INSTALLED_APPS`, from the production and base settings modules (a
 * development module's choices say nothing about what production renders).
 */
export interface TemplateSettings {
  /** `DIRS` of DjangoTemplates backends. */
  djangoDirs: string[];
  /** `DIRS` of Jinja2 backends: their files are not Django templates. */
  jinja2Dirs: string[];
  /**
   * Folders named by the loaders of DjangoTemplates backends (`OPTIONS['loaders']`): the
   * filesystem loader's list, a custom loader's folder arguments.
   */
  loaderDirs: string[];
  /** The folders of the apps `INSTALLED_APPS` names. */
  appDirs: string[];
  /**
   * Some `DIRS` or loader folder could not be read statically (an environment variable, a
   * helper function), or no settings module the project deploys sets TEMPLATES: folders
   * named `templates` beside `manage.py` or at the project root then count as template
   * folders, since one of them is probably the folder meant.
   */
  unresolvedDirs: boolean;
}

const cache = new WeakMap<Project, TemplateSettings>();

export function templateSettings(project: Project): TemplateSettings {
  let found = cache.get(project);
  if (!found) {
    found = readTemplateSettings(project);
    cache.set(project, found);
  }
  return found;
}

function readTemplateSettings(project: Project): TemplateSettings {
  const djangoDirs = new Set<string>();
  const jinja2Dirs = new Set<string>();
  const loaderDirs = new Set<string>();
  const appDirs = new Set<string>();
  let unresolvedDirs = false;
  let templatesFound = false;
  const addDir = (target: Set<string>, item: Value) => {
    const dir = directoryOf(project, item);
    if (dir) target.add(dir);
    else unresolvedDirs = true;
  };
  for (const module of project.settingsModules()) {
    if (module.role === 'development') continue;
    const settings = project.evaluate(module.file)?.settings;
    if (!settings) continue;
    const entries = asList(settings.get('TEMPLATES')?.value);
    if (entries) templatesFound = true;
    for (const entry of entries ?? []) {
      if (unsetView(entry).kind !== 'dict') continue;
      const backend = asString(dictGet(entry, 'BACKEND')) ?? '';
      // NOTE: a Jinja2 backend renders its DIRS with Jinja2, whose syntax and escaping differ.
      // https://docs.djangoproject.com/en/stable/topics/templates/#django.template.backends.jinja2.Jinja2
      const jinja = /jinja2/i.test(backend);
      const dirs = dictGet(entry, 'DIRS');
      const dirItems = asList(dirs);
      if (dirs && !dirItems && unsetView(dirs).kind === 'unknown') unresolvedDirs = true;
      for (const item of dirItems ?? []) addDir(jinja ? jinja2Dirs : djangoDirs, item);
      if (jinja) continue;
      for (const loader of asList(dictGet(dictGet(entry, 'OPTIONS'), 'loaders')) ?? []) {
        for (const item of loaderArguments(loader)) addDir(loaderDirs, item);
      }
    }
    for (const item of asList(settings.get('INSTALLED_APPS')?.value) ?? []) {
      const dotted = asString(item);
      const dir = dotted === undefined ? undefined : appDirectory(project, dotted);
      if (dir) appDirs.add(dir);
    }
  }
  const sorted = (set: Set<string>) => [...set].sort();
  return { djangoDirs: sorted(djangoDirs), jinja2Dirs: sorted(jinja2Dirs), loaderDirs: sorted(loaderDirs), appDirs: sorted(appDirs), unresolvedDirs: unresolvedDirs || !templatesFound };
}

/** A directory written as a string or as a path expression over BASE_DIR-like names. */
function directoryOf(project: Project, item: Value): string | undefined {
  const literal = asString(item);
  const dir = literal !== undefined ? path.resolve(project.root, literal) : item.loc ? resolvePathExpression(project, item.loc) : undefined;
  return dir === undefined ? undefined : path.normalize(dir).replace(/[\\/]+$/, '');
}

/** A loader's dotted class name (`django.template.loaders.filesystem.Loader`), not a folder. */
const LOADER_NAME = /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$/;

function isLoaderName(value: Value): boolean {
  const text = asString(value);
  return text !== undefined && LOADER_NAME.test(text) && !text.includes('/');
}

/**
 * The folder arguments of one `OPTIONS['loaders']` entry: `(loader, [dirs])` for the
 * filesystem loader, `(loader, dir, dir…)` for a custom one, and those of the loaders a
 * cached loader wraps. A locmem loader's dict holds template texts, not folders. Nesting
 * is read to a fixed depth: settings never nest loaders deeper than a cached loader does.
 */
function loaderArguments(spec: Value, depth = 0): Value[] {
  const items = asList(spec);
  if (!items || items.length === 0 || depth > 3 || !isLoaderName(items[0])) return [];
  const found: Value[] = [];
  for (const argument of items.slice(1)) {
    const list = asList(argument);
    if (!list) {
      if (unsetView(argument).kind !== 'dict') found.push(argument);
      continue;
    }
    for (const element of list) {
      if (isLoaderName(element)) continue;
      const inner = asList(element);
      if (inner && inner.length > 0 && isLoaderName(inner[0])) found.push(...loaderArguments(element, depth + 1));
      else if (!inner && unsetView(element).kind !== 'dict') found.push(element);
    }
  }
  return found;
}

/**
 * The folder of an INSTALLED_APPS entry: the package `shop` names, or the package holding
 * the AppConfig `shop.apps.ShopConfig` names.
 */
function appDirectory(project: Project, dotted: string): string | undefined {
  const parts = dotted.split('.');
  for (let length = parts.length; length > 0; length--) {
    const file = project.resolveDotted(parts.slice(0, length).join('.'));
    if (!file) continue;
    const dir = path.dirname(file);
    return path.basename(file) === '__init__.py' || length < parts.length ? dir : undefined;
  }
  return undefined;
}
