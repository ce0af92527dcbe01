import { lstatSync, readdirSync, realpathSync, statSync, type Dirent } from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import { DEPENDENCY_FILE_PATTERN } from './dependencies';

/** Directories never worth reading: environments, dependencies, VCS data, generated code. */
export const DEFAULT_EXCLUDES = [
  '**/.git',
  '**/.hg',
  '**/.svn',
  '**/node_modules',
  '**/site-packages',
  '**/__pycache__',
  '**/.venv',
  '**/venv',
  '**/.tox',
  '**/.nox',
  '**/.mypy_cache',
  '**/.pytest_cache',
  '**/.ruff_cache',
  '**/migrations',
  '**/*.fixed.*',
];

/** Files the engine may read: Python, templates, and the project's configuration. */
export const INTERESTING_FILE = /(\.py|\.pyi|\.html?|\.txt|\.tpl|\.xml|\.djhtml|\.toml|\.cfg|\.ini|\.in|\.lock|^Pipfile|^\.env)$/;

/** Where a project says how it is deployed, which names its settings module: containers, process files, environment files. */
const DEPLOYMENT_FILE = /^((dockerfile|containerfile)([.-][\w.-]*)?|[\w.-]*\.dockerfile|(docker-)?compose([.-][\w.-]*)?\.ya?ml|procfile([.-][\w.-]*)?|app\.json|app\.yaml|render\.yaml|\.env[\w.-]*)$/i;

/**
 * The project's own browser scripts, as Django's staticfiles finds them: a `.js` or `.mjs`
 * file in a `static` folder. Minified files are left out: they are built or vendored, and
 * large.
 */
export function isStaticScript(file: string): boolean {
  const base = path.basename(file);
  if (!/\.m?js$/i.test(base) || /[.-]min\.m?js$/i.test(base)) return false;
  return file.split(/[\\/]/).slice(0, -1).includes('static');
}

/** Whether the walk lists a file: by its name, or by its folder (environment files such as cookiecutter's `.envs/.production/.django`, DigitalOcean's `.do/*.yaml`). */
export function isInterestingFile(file: string): boolean {
  const base = path.basename(file);
  if (INTERESTING_FILE.test(base) || DEPLOYMENT_FILE.test(base) || isStaticScript(file)) return true;
  const folder = path.basename(path.dirname(file));
  // DigitalOcean App Platform's spec lives in `.do/` under any name.
  if (folder === '.do' && /\.ya?ml$/i.test(base)) return true;
  return folder.startsWith('.env') || path.basename(path.dirname(path.dirname(file))) === '.envs';
}

export interface WalkResult {
  files: string[];
  /** Paths given that cannot be read (missing, broken links, link loops, unreadable folders). */
  problems: { file: string; message: string }[];
  /**
   * Symbolic links found below the paths that lead nowhere (broken, or a loop): a problem
   * only when the file is one the tool reads (see readsFile), which the walk cannot tell.
   */
  deadLinks: { file: string; message: string }[];
}

/**
 * Lists files below the given paths, skipping excluded directories, following symbolic
 * links once (a link loop is reported, not followed forever), in a stable order.
 */
export function walkFiles(paths: string[], extraExcludes: string[] = [], base = process.cwd()): WalkResult {
  const isExcluded = picomatch(
    [...DEFAULT_EXCLUDES, ...extraExcludes].map((g) => g.replace(/\/$/, '')),
    { dot: true },
  );
  const files = new Set<string>();
  const problems: { file: string; message: string }[] = [];
  const deadLinks: { file: string; message: string }[] = [];
  const visitedDirs = new Set<string>();
  const visitedFiles = new Set<string>();
  /** Symbolic links are followed after everything else, so real paths win over aliases. */
  const deferredLinks: string[] = [];
  const relativeToBase = (p: string) => path.relative(base, p).split(path.sep).join('/') || '.';

  /** By the exclude globs, matched against the path from `base` (given, when known) and against the name. */
  const excludedByName = (absolute: string, relative = relativeToBase(absolute)) => isExcluded(relative) || isExcluded(path.basename(absolute));
  const excluded = (absolute: string, isDirectory: boolean) => excludedByName(absolute) || (isDirectory && isVirtualEnv(absolute));

  /** A path given, or a symbolic link found below one: what it is, and its real path, are asked of the file system. */
  const visit = (absolute: string, explicit: boolean) => {
    let stat;
    try {
      stat = statSync(absolute);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      let isLink = false;
      try {
        isLink = lstatSync(absolute).isSymbolicLink();
      } catch {
        // missing entirely
      }
      const problem = { file: absolute, message: code === 'ELOOP' ? 'symbolic link loop' : isLink ? 'broken symbolic link' : 'no such file or directory' };
      if (isLink && !explicit && !excluded(absolute, false)) deadLinks.push(problem);
      else if (explicit) problems.push(problem);
      return;
    }
    if (stat.isDirectory()) {
      if (!explicit && excluded(absolute, true)) return;
      let real: string;
      try {
        real = realpathSync(absolute);
      } catch {
        problems.push({ file: absolute, message: 'symbolic link loop' });
        return;
      }
      listDirectory(absolute, real, relativeToBase(absolute), explicit);
      return;
    }
    if (!stat.isFile()) return;
    if (!explicit && (excluded(absolute, false) || !isInterestingFile(absolute))) return;
    let real = absolute;
    try {
      real = realpathSync(absolute);
    } catch {
      // keep the path as given
    }
    addFile(absolute, real);
  };

  const addFile = (absolute: string, real: string) => {
    if (visitedFiles.has(real)) return;
    visitedFiles.add(real);
    files.add(absolute);
  };

  /**
   * A folder and everything below it, entries by the types the listing gives: no call per
   * entry to learn what it is, and an entry that is not a link has its folder's real path
   * and relative path with its name added (a walk of a 3,000-file project spent most of its
   * time in those calls, and in the exception of looking for a virtual environment's marker
   * in every folder, which the listing shows too). Links wait for the end. A stack, not
   * recursion: how deep folders go is up to the tree walked. Entries are taken in the order
   * a recursive walk takes them, so links are met, and reported, in the same order.
   */
  const listDirectory = (absolute: string, real: string, relative: string, explicit: boolean) => {
    const stack: Pending[] = [{ absolute, real, relative, explicit, kind: 'folder' }];
    for (let next = stack.pop(); next; next = stack.pop()) {
      if (next.kind === 'link') deferredLinks.push(next.absolute);
      else if (next.kind === 'file') {
        if (isInterestingFile(next.absolute) && !excludedByName(next.absolute, next.relative)) addFile(next.absolute, next.real);
      } else if (next.explicit || !excludedByName(next.absolute, next.relative)) {
        // One by one: spread into push, a folder of 100,000 entries would overflow the call's arguments.
        const entries = listed(next);
        for (let i = entries.length - 1; i >= 0; i--) stack.push(entries[i]);
      }
    }
  };

  /** A folder's entries as pending work, in name order; none when it is a virtual environment, was listed already, or cannot be listed. */
  const listed = (folder: Pending): Pending[] => {
    if (visitedDirs.has(folder.real)) return [];
    let entries: Dirent[];
    try {
      entries = readdirSync(folder.absolute, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch (error) {
      visitedDirs.add(folder.real);
      problems.push({ file: folder.absolute, message: `cannot list directory (${(error as NodeJS.ErrnoException).code})` });
      return [];
    }
    if (!folder.explicit && entries.some((entry) => entry.name === VIRTUAL_ENV_MARKER && (entry.isFile() || (!entry.isDirectory() && isVirtualEnv(folder.absolute))))) return [];
    visitedDirs.add(folder.real);
    const pending: Pending[] = [];
    for (const entry of entries) {
      const absolute = path.join(folder.absolute, entry.name);
      const kind = kindOf(entry, absolute);
      if (!kind) continue;
      pending.push({
        absolute,
        real: path.join(folder.real, entry.name),
        relative: folder.relative === '.' ? entry.name : `${folder.relative}/${entry.name}`,
        explicit: false,
        kind,
      });
    }
    return pending;
  };

  for (const p of paths) visit(path.resolve(base, p), true);
  while (deferredLinks.length > 0) visit(deferredLinks.shift()!, false);
  return { files: [...files].sort(), problems, deadLinks };
}

/** Work left in a walk: a folder to list, or an entry of one. */
interface Pending {
  absolute: string;
  real: string;
  /** From the walk's base, with `/`. */
  relative: string;
  explicit: boolean;
  kind: 'folder' | 'file' | 'link';
}

/**
 * What an entry is, by its listing, or by asking when the file system does not say (some do
 * not); undefined for what the walk passes over (sockets, pipes, devices).
 */
function kindOf(entry: Dirent, absolute: string): Pending['kind'] | undefined {
  if (entry.isSymbolicLink()) return 'link';
  if (entry.isDirectory()) return 'folder';
  if (entry.isFile()) return 'file';
  if (entry.isBlockDevice() || entry.isCharacterDevice() || entry.isFIFO() || entry.isSocket()) return undefined;
  try {
    const stat = lstatSync(absolute);
    return stat.isSymbolicLink() ? 'link' : stat.isDirectory() ? 'folder' : stat.isFile() ? 'file' : undefined;
  } catch {
    return undefined;
  }
}

/** A virtual environment marks itself with pyvenv.cfg, whatever its folder is called. */
const VIRTUAL_ENV_MARKER = 'pyvenv.cfg';

function isVirtualEnv(dir: string): boolean {
  try {
    return statSync(path.join(dir, VIRTUAL_ENV_MARKER), { throwIfNoEntry: false })?.isFile() ?? false;
  } catch {
    return false;
  }
}

/** How far above a project root its repository may start (`repo/src/project/manage.py`). */
const MAX_LEVELS_TO_REPOSITORY = 3;

/**
 * Dependency lists (requirements files, pyproject.toml, Pipfile…) in the folders between a
 * project root and the root of the repository holding it, when the repository starts above
 * the project: `repo/requirements.txt` declares what `repo/src/shop/manage.py` runs with.
 * Nothing is taken above a root that is not inside a repository within a few levels: an
 * unrelated requirements file in a home folder says nothing about the project.
 */
export function dependencyFilesAbove(root: string): string[] {
  const folders: string[] = [];
  let dir = root;
  for (let level = 0; level <= MAX_LEVELS_TO_REPOSITORY; level++) {
    if (pathExists(path.join(dir, '.git'))) {
      const found: string[] = [];
      for (const folder of folders) {
        for (const candidate of listFiles(folder)) {
          if (DEPENDENCY_FILE_PATTERN.test(path.relative(folder, candidate).split(path.sep).join('/'))) found.push(candidate);
        }
      }
      return found.sort();
    }
    const parent = path.dirname(dir);
    if (parent === dir) return [];
    dir = parent;
    folders.push(dir);
  }
  return [];
}

/** A folder's files, and those of its `requirements/` folder. */
function listFiles(folder: string): string[] {
  const files: string[] = [];
  for (const dir of [folder, path.join(folder, 'requirements')]) {
    try {
      for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isFile()) files.push(path.join(dir, entry.name));
    } catch {
      // No such folder, or not readable: nothing declared there.
    }
  }
  return files;
}

/** Whether anything (file, folder, link target) is at `file`. */
export function pathExists(file: string): boolean {
  try {
    statSync(file);
    return true;
  } catch {
    return false;
  }
}
