import path from 'node:path';

/**
 * How a file that names DJANGO_SETTINGS_MODULE starts Django, which is what that naming
 * says about the module's role:
 * - `deploy`: a server or container in production (wsgi.py, asgi.py, a Dockerfile's ENV,
 *   a Procfile, a production compose or .env file, gunicorn and uWSGI configuration);
 * - `manage`: manage.py's default, which is what developers run;
 * - `local`: a compose or .env file for local work (`docker-compose.local.yml`, `.envs/.local`);
 * - `test`: a test runner's configuration (pytest, tox, nox, conftest.py, runtests.py);
 * - `docs`: a documentation build (Sphinx's conf.py);
 * - `build`: a command run while an image is built (`RUN DJANGO_SETTINGS_MODULE=… collectstatic`);
 * - `other`: anything else (celery.py, a neutral .env): it names a settings module, not a role.
 */
export type EntryPointKind = 'deploy' | 'manage' | 'local' | 'test' | 'docs' | 'build' | 'other';

export interface SettingsReference {
  /** The file that names the module. */
  file: string;
  kind: EntryPointKind;
  /** The dotted module name, as written. */
  module: string;
  /** Only a default (`os.environ.setdefault(...)` in wsgi.py): a variable set where the site runs replaces it. */
  fallback?: boolean;
}

/**
 * A file a Dockerfile copies into the image: a module named in the image (`myproj.docker`)
 * may be a file kept elsewhere in the repository (`docker/config.py`).
 */
export interface ImageCopy {
  dockerfile: string;
  /** The copied file or folder, absolute, as one of the candidates (build context at the Dockerfile or the project root). */
  sources: string[];
  /** Where it lands in the image, absolute. */
  destination: string;
  /** The destination is a folder the file goes into (`COPY a.py b.py /app/`); a folder's contents always go into the destination. */
  intoFolder: boolean;
}

const DEPLOY_WORDS = ['prod', 'production', 'prd', 'live', 'deploy', 'deployment', 'staging', 'stage', 'release'];
const LOCAL_WORDS = ['dev', 'devel', 'develop', 'development', 'local', 'test', 'tests', 'testing', 'ci', 'debug', 'override'];

const PYTHON_TEST_FILES = new Set(['conftest.py', 'runtests.py', 'noxfile.py', 'tasks.py']);
const PYTHON_DEPLOY_FILES = new Set(['wsgi.py', 'asgi.py', 'gunicorn.conf.py', 'gunicorn_conf.py', 'gunicorn.py']);
const PYTHON_OTHER_FILES = new Set(['celery.py', 'celery_app.py', 'celeryconf.py']);

/**
 * Whether a file may name DJANGO_SETTINGS_MODULE, and how it starts Django; undefined for
 * files that are not entry points. Decided by the file's name and place only, so a project
 * of thousands of files reads a handful.
 */
export function entryPointKind(relativeFile: string): EntryPointKind | undefined {
  const parts = relativeFile.split('/');
  const base = parts[parts.length - 1];
  const lower = base.toLowerCase();
  const parent = parts.length >= 2 ? parts[parts.length - 2] : '';
  if (base === 'manage.py') return 'manage';
  if (PYTHON_DEPLOY_FILES.has(base) || ((parent === 'wsgi' || parent === 'asgi') && base === '__init__.py') || /^gunicorn[\w.-]*\.py$/.test(base)) return 'deploy';
  if (PYTHON_OTHER_FILES.has(base)) return 'other';
  if (PYTHON_TEST_FILES.has(base)) return 'test';
  if (base === 'conf.py' && parts.slice(0, -1).some((dir) => dir === 'docs' || dir === 'doc')) return 'docs';
  if (base === 'pytest.ini' || base === 'tox.ini' || base === 'setup.cfg' || base === 'pyproject.toml') return 'test';
  if (/^(dockerfile|containerfile)([.-][\w.-]*)?$/.test(lower) || lower.endsWith('.dockerfile')) return byWords(relativeFile, 'deploy');
  if (/^(docker-)?compose([.-][\w.-]*)?\.ya?ml$/.test(lower)) return byWords(base.replace(/^docker-/, '').replace(/^compose/, ''), 'deploy');
  if (/^procfile([.-][\w.-]*)?$/.test(lower) || lower === 'app.json' || lower === 'app.yaml' || lower === 'render.yaml' || lower === 'fly.toml') return 'deploy';
  // DigitalOcean App Platform's spec (`.do/app.yaml`, `.do/deploy.template.yaml`).
  if (parent === '.do' && /\.ya?ml$/.test(lower)) return 'deploy';
  if (/^uwsgi[\w.-]*\.ini$/.test(lower)) return 'deploy';
  if (lower.startsWith('.env') || parts.slice(0, -1).some((dir) => dir.startsWith('.envs'))) return byWords(relativeFile, 'other');
  return undefined;
}

/** `deploy` or `local` by the words of a path; `fallback` when it has neither. */
function byWords(relativeFile: string, fallback: EntryPointKind): EntryPointKind {
  const words = relativeFile.toLowerCase().split(/[^a-z0-9]+/);
  if (words.some((w) => LOCAL_WORDS.includes(w))) return 'local';
  if (words.some((w) => DEPLOY_WORDS.includes(w))) return 'deploy';
  return fallback;
}

const DOTTED = String.raw`([A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*)`;

/**
 * The settings modules a file names, each with how it starts Django. A commented-out line
 * names a module nobody uses any more; a name built at run time (an f-string, a template
 * placeholder) is left out.
 */
export function settingsReferences(file: string, relativeFile: string, text: string): SettingsReference[] {
  const kind = entryPointKind(relativeFile);
  if (!kind || (!text.includes('DJANGO_SETTINGS_MODULE') && !text.includes('--settings') && !text.includes('--ds'))) return [];
  const base = path.basename(file).toLowerCase();
  const found: SettingsReference[] = [];
  const add = (module: string, as: EntryPointKind = kind, fallback = false) => {
    const known = found.find((f) => f.module === module && f.kind === as);
    if (!known) found.push(fallback ? { file, kind: as, module, fallback } : { file, kind: as, module });
    else if (!fallback) delete known.fallback;
  };
  if (base.endsWith('.py')) {
    const live = withoutLines(text, /^\s*#/);
    for (const match of live.matchAll(new RegExp(String.raw`\bsetdefault\(\s*["']DJANGO_SETTINGS_MODULE["']\s*,\s*[rRuU]?["']${DOTTED}["']`, 'g'))) add(match[1], kind, true);
    for (const pattern of [
      new RegExp(String.raw`["']DJANGO_SETTINGS_MODULE["']\s*(?:,|\]\s*=|:)\s*[rRuU]?["']${DOTTED}["']`, 'g'),
      new RegExp(String.raw`\bDJANGO_SETTINGS_MODULE\s*=\s*["']${DOTTED}["']`, 'g'),
      new RegExp(String.raw`["']DJANGO_SETTINGS_MODULE=${DOTTED}["']`, 'g'),
      new RegExp(String.raw`["']--settings[= ]${DOTTED}["']`, 'g'),
      new RegExp(String.raw`["']--ds=${DOTTED}["']`, 'g'),
    ])
      for (const match of live.matchAll(pattern)) {
        if (!/\bsetdefault\(\s*$/.test(live.slice(Math.max(0, match.index - 40), match.index))) add(match[1]);
      }
    return found;
  }
  if (kind === 'test' && /\.(ini|cfg|toml)$/.test(base)) {
    const live = withoutLines(text, /^\s*[#;]/);
    for (const pattern of [new RegExp(String.raw`^\s*["']?DJANGO_SETTINGS_MODULE["']?\s*=\s*["']?${DOTTED}`, 'gm'), new RegExp(String.raw`--ds[= ]${DOTTED}`, 'g')]) {
      for (const match of live.matchAll(pattern)) add(match[1]);
    }
    return found;
  }
  if (/^(dockerfile|containerfile)|\.dockerfile$/.test(base)) {
    for (const instruction of dockerInstructions(text)) {
      const [keyword] = instruction.split(/\s+/, 1);
      const upper = keyword.toUpperCase();
      // ENV sets it in the running container; RUN only while the image is built.
      const as: EntryPointKind | undefined = upper === 'ENV' || upper === 'CMD' || upper === 'ENTRYPOINT' ? kind : upper === 'RUN' ? 'build' : undefined;
      if (!as) continue;
      for (const module of namesIn(instruction)) add(module, as);
    }
    return found;
  }
  const live = withoutLines(text, /^\s*#/);
  for (const module of namesIn(live)) add(module);
  return found;
}

/** DJANGO_SETTINGS_MODULE values and `--settings` options in shell-like or YAML text. */
function namesIn(text: string): string[] {
  const names: string[] = [];
  const patterns = [
    // `KEY=value`, `KEY: value`, `${KEY:-value}`
    new RegExp(String.raw`\bDJANGO_SETTINGS_MODULE["']?\s*[=:]\s*["']?${DOTTED}`, 'g'),
    // `ENV KEY value`, ENV's old form; elsewhere a name and a word after it are something
    // else (`env -u DJANGO_SETTINGS_MODULE django-admin …` unsets it).
    new RegExp(String.raw`^\s*ENV\s+DJANGO_SETTINGS_MODULE\s+["']?${DOTTED}`, 'gim'),
    new RegExp(String.raw`\bDJANGO_SETTINGS_MODULE:-${DOTTED}`, 'g'),
    new RegExp(String.raw`--settings[= ]["']?${DOTTED}`, 'g'),
    // A platform spec's list of variables: `- key: DJANGO_SETTINGS_MODULE` then, a few keys
    // of the same item later, `value: …` (Render's envVars, DigitalOcean's envs).
    new RegExp(String.raw`\bkey:[ \t]*["']?DJANGO_SETTINGS_MODULE["']?[ \t]*\r?\n(?:[ \t]+(?!-)\w+:[^\n]*\r?\n){0,6}[ \t]+value:[ \t]*["']?${DOTTED}`, 'g'),
  ];
  for (const pattern of patterns) for (const match of text.matchAll(pattern)) if (!names.includes(match[1])) names.push(match[1]);
  return names;
}

function withoutLines(text: string, comment: RegExp): string {
  return text
    .split('\n')
    .filter((line) => !comment.test(line))
    .join('\n');
}

/** A Dockerfile's instructions, continuation lines joined, comments left out. */
function dockerInstructions(text: string): string[] {
  const instructions: string[] = [];
  let current = '';
  for (const raw of text.split(/\r?\n/)) {
    if (/^\s*#/.test(raw)) continue;
    const line = raw.replace(/\s+$/, '');
    if (line.endsWith('\\')) {
      current += line.slice(0, -1) + ' ';
      continue;
    }
    current += line;
    if (current.trim()) instructions.push(current.trim());
    current = '';
  }
  if (current.trim()) instructions.push(current.trim());
  return instructions;
}

/**
 * What a Dockerfile copies into the image (COPY and ADD of local paths), with WORKDIR
 * applied, and the files a RUN step then copies or moves inside the image (`cp
 * docker/config.py settings/config.py`) when an earlier COPY brought them from the repository.
 */
export function imageCopies(dockerfile: string, projectRoot: string, text: string): ImageCopy[] {
  const copies: ImageCopy[] = [];
  let workdir = '/';
  for (const instruction of dockerInstructions(text)) {
    const words = instruction.split(/\s+/);
    const keyword = words[0].toUpperCase();
    if (keyword === 'WORKDIR' && words[1]) workdir = path.posix.resolve(workdir, words[1]);
    if (keyword === 'RUN') copies.push(...copiesInImage(instruction.slice(words[0].length), workdir, copies));
    if (keyword !== 'COPY' && keyword !== 'ADD') continue;
    const operands = words.slice(1).filter((w) => !w.startsWith('--'));
    // The JSON form, `COPY ["a", "b"]`, and `--from=stage` copies (from another image) are left out.
    if (operands.length < 2 || instruction.includes('[') || words.some((w) => w.startsWith('--from'))) continue;
    const destination = path.posix.resolve(workdir, operands[operands.length - 1]);
    const intoFolder = operands.length > 2 || operands[operands.length - 1].endsWith('/');
    for (const source of operands.slice(0, -1)) {
      if (/[*?$]/.test(source) || /^https?:/.test(source)) continue;
      const sources = [...new Set([path.resolve(path.dirname(dockerfile), source), path.resolve(projectRoot, source)])];
      copies.push({ dockerfile, sources, destination, intoFolder });
    }
  }
  return copies;
}

/**
 * `cp a b` and `mv a b` commands of a RUN step's shell text, as copies of the repository files
 * that earlier COPY instructions put at `a`. Only plain commands count (no variables, globs
 * or `cd`, after which the paths mean something else).
 */
function copiesInImage(shell: string, workdir: string, earlier: readonly ImageCopy[]): ImageCopy[] {
  const found: ImageCopy[] = [];
  for (const command of shell.split(/;|&&|\|\||\||\n/)) {
    const words = command.trim().split(/\s+/);
    if (words[0] === 'cd') return found;
    if (words[0] !== 'cp' && words[0] !== 'mv') continue;
    const operands = words.slice(1).filter((w) => !w.startsWith('-'));
    if (operands.length !== 2 || operands.some((w) => /[*?$`'"]/.test(w))) continue;
    const from = path.posix.resolve(workdir, operands[0]);
    const destination = path.posix.resolve(workdir, operands[1]);
    for (const copy of earlier) {
      const inside = copy.intoFolder ? undefined : path.posix.relative(copy.destination, from);
      if (inside === undefined || inside.startsWith('..') || path.posix.isAbsolute(inside)) continue;
      const sources = copy.sources.map((source) => (inside ? path.join(source, ...inside.split('/')) : source));
      found.push({ dockerfile: copy.dockerfile, sources, destination, intoFolder: operands[1].endsWith('/') });
    }
  }
  return found;
}
