import picomatch from 'picomatch';
import { parse as parseToml } from 'smol-toml';

/**
 * The Python distribution a repository publishes (a library on PyPI, or a product installed
 * as a package), read from its packaging metadata: its name and the folders of the packages
 * it ships. A settings module outside them is not part of what is published: in a library's
 * repository, a demo or test project beside it.
 */
export interface Distribution {
  name: string;
  /** Project-relative folders of the packages it ships ("debug_toolbar", "src/shop", "netbox/netbox"). */
  packages: string[];
  /** Where they were read, for the reason a role gives. */
  from: string;
}

/** What the metadata is read from: the project's files (relative paths) and their texts. */
export interface PackagingFiles {
  has(relative: string): boolean;
  /** Whether any file lies under this folder. */
  hasFolder(relative: string): boolean;
  /** The top-level folders holding an `__init__.py` under `where` ('' for the root). */
  packagesUnder(where: string): string[];
  read(relative: string): string | undefined;
}

type Table = Record<string, unknown>;

/**
 * The distribution the repository declares, or undefined when it declares none (no build
 * system and no setup.py: an application run from its checkout) or when which packages it
 * ships cannot be told from the metadata (automatic discovery over several folders, a
 * computed list): a role is then decided without it.
 */
export function publishedDistribution(files: PackagingFiles): Distribution | undefined {
  const pyproject = files.has('pyproject.toml') ? readToml(files.read('pyproject.toml')) : undefined;
  const setupPy = files.has('setup.py') ? files.read('setup.py') : undefined;
  const buildSystem = table(pyproject?.['build-system']);
  if (!buildSystem && setupPy === undefined) return undefined;
  const tool = table(pyproject?.tool);
  const name = str(table(pyproject?.project)?.name) ?? str(table(tool?.poetry)?.name) ?? (setupPy ? setupName(setupPy) : undefined);
  if (!name) return undefined;
  const backend = str(buildSystem?.['build-backend']) ?? '';
  const found = (packages: string[] | undefined, from: string): Distribution | undefined =>
    packages && packages.length > 0 ? { name, packages: [...new Set(packages.map((p) => p.replace(/^\.\//, '').replace(/\/+$/, '')))], from } : undefined;

  if (backend.startsWith('hatchling')) {
    const wheel = table(table(table(table(tool?.hatch)?.build)?.targets)?.wheel);
    const listed = strings(wheel?.packages);
    if (listed) return found(listed, 'pyproject.toml [tool.hatch.build.targets.wheel] packages');
    return found(defaultPackage(name, files), `the package named after ${name} (hatchling's default)`);
  }
  if (backend.startsWith('poetry')) {
    const listed = Array.isArray(table(tool?.poetry)?.packages) ? (table(tool?.poetry)!.packages as unknown[]) : undefined;
    if (listed) {
      const folders = listed.map((entry) => {
        const include = str(table(entry)?.include);
        const from = str(table(entry)?.from);
        return include && !/[*?[]/.test(include) ? (from ? `${from}/${include}` : include) : undefined;
      });
      return folders.every((f) => f !== undefined) ? found(folders as string[], 'pyproject.toml [tool.poetry] packages') : undefined;
    }
    return found(defaultPackage(name, files), `the package named after ${name} (Poetry's default)`);
  }
  if (backend.startsWith('flit')) {
    const module = str(table(table(tool?.flit)?.module)?.name);
    return found(module ? [folderOf(module, files)] : defaultPackage(name, files), 'pyproject.toml (flit)');
  }
  if (backend.startsWith('pdm')) {
    // NOTE: pdm-backend ships the paths `includes` lists, else every package in `package-dir` (src/ when it exists, else the root).
    // https://backend.pdm-project.org/build_config/#include-or-exclude-files
    const build = table(table(tool?.pdm)?.build);
    const includes = strings(build?.includes);
    if (includes) return includes.some((p) => /[*?[]/.test(p)) ? undefined : found(topLevel(includes), 'pyproject.toml [tool.pdm.build] includes');
    const packageDir = str(build?.['package-dir']) ?? (files.hasFolder('src') ? 'src' : '');
    return found(discovered(files, [packageDir], undefined, undefined), packageDir ? `the packages in ${packageDir}/ (pdm-backend's default)` : "the packages at the root (pdm-backend's default)");
  }
  if (backend.startsWith('setuptools') || (backend === '' && setupPy !== undefined)) {
    const setuptools = table(tool?.setuptools);
    const listed = strings(setuptools?.packages);
    if (listed) return found(topLevel(listed.map((p) => p.split('.').join('/'))), 'pyproject.toml [tool.setuptools] packages');
    const find = table(table(setuptools?.packages)?.find);
    if (find) return found(discovered(files, strings(find.where) ?? ['.'], strings(find.include), strings(find.exclude)), 'pyproject.toml [tool.setuptools.packages.find]');
    if (setupPy !== undefined) return found(setupPackages(setupPy, files), 'setup.py packages');
    return found(defaultPackage(name, files), `the package named after ${name}`);
  }
  return found(defaultPackage(name, files), `the package named after ${name}`);
}

/** Whether a project-relative file lies inside one of the distribution's packages. */
export function isPublished(distribution: Distribution, relativeFile: string): boolean {
  return distribution.packages.some((folder) => folder === '' || relativeFile.startsWith(`${folder}/`));
}

function readToml(text: string | undefined): Table | undefined {
  if (text === undefined) return undefined;
  try {
    return parseToml(text) as Table;
  } catch {
    return undefined;
  }
}

function table(value: unknown): Table | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Table) : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function strings(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : undefined;
}

/** A distribution's import name as its build backends default it: lower case, `-` and `.` as `_`. */
function normalized(name: string): string {
  return name.toLowerCase().replace(/[-.]+/g, '_');
}

/** The folder of the package named after the distribution, at the root or under src/, if there is one. */
function defaultPackage(name: string, files: PackagingFiles): string[] | undefined {
  const folder = normalized(name);
  for (const candidate of [folder, `src/${folder}`]) if (files.hasFolder(candidate)) return [candidate];
  return undefined;
}

function folderOf(module: string, files: PackagingFiles): string {
  const folder = module.split('.').join('/');
  return files.hasFolder(`src/${folder}`) ? `src/${folder}` : folder;
}

/** Dotted package paths to the top-level folders they lie in (a subpackage listed ships inside its parent's folder). */
function topLevel(folders: string[]): string[] {
  return folders.filter((folder) => !folders.some((other) => other !== folder && folder.startsWith(`${other}/`)));
}

/** The top-level packages setuptools' find directive ships: each `where`'s packages the patterns keep. */
function discovered(files: PackagingFiles, where: readonly string[], include: readonly string[] | undefined, exclude: readonly string[] | undefined): string[] {
  // setuptools matches its patterns with fnmatch over dotted names, which hold no `/`.
  const included = picomatch(include ? [...include] : ['*']);
  const excluded = exclude && exclude.length > 0 ? picomatch([...exclude]) : () => false;
  const packages: string[] = [];
  for (const base of where) {
    const prefix = base === '.' || base === '' ? '' : `${base.replace(/^\.\//, '').replace(/\/+$/, '')}/`;
    for (const name of files.packagesUnder(prefix.replace(/\/$/, ''))) if (included(name) && !excluded(name)) packages.push(`${prefix}${name}`);
  }
  return packages;
}

/** `setup(name="...")` written as a literal. */
function setupName(text: string): string | undefined {
  return /\bname\s*=\s*["']([\w.-]+)["']/.exec(text)?.[1];
}

/**
 * The packages a setup.py ships when it says so plainly: a list of names, or
 * `find_packages(...)` / `find_namespace_packages(...)` with literal `where`, `include` and
 * `exclude`. Anything computed: undefined.
 */
function setupPackages(text: string, files: PackagingFiles): string[] | undefined {
  const listed = /\bpackages\s*=\s*\[([^\]]*)\]/.exec(text);
  if (listed) {
    const names = [...listed[1].matchAll(/["']([\w.]+)["']/g)].map((m) => m[1].split('.').join('/'));
    return names.length > 0 ? topLevel(names) : undefined;
  }
  const call = /\bpackages\s*=\s*(?:setuptools\.)?find_(?:namespace_)?packages\(([^)]*)\)/.exec(text);
  if (!call) return undefined;
  const argument = (keyword: string): string[] | undefined => {
    const match = new RegExp(`\\b${keyword}\\s*=\\s*(\\[[^\\]]*\\]|\\([^)]*\\)|["'][^"']*["'])`).exec(call[1]);
    return match ? [...match[1].matchAll(/["']([^"']+)["']/g)].map((m) => m[1]) : undefined;
  };
  const positional = /^\s*["']([^"']+)["']/.exec(call[1])?.[1];
  const where = argument('where') ?? (positional ? [positional] : ['.']);
  return discovered(files, where, argument('include'), argument('exclude'));
}
