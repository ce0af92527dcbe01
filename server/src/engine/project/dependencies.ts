import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { normalizeLineBreaks, splitLines } from '../text';

export interface DeclaredDependency {
  /** Normalised as PEP 503 does: lower case, runs of `-_.` as one `-`. */
  name: string;
  specifier: string;
  /** The lowest version the specifier allows, or the locked version. */
  version?: number[];
  file: string;
}

export interface Dependencies {
  get(name: string): DeclaredDependency | undefined;
  has(name: string): boolean;
  /** Files that declare dependencies, requirement files first: where a fix adds a line. */
  files: string[];
}

export const DEPENDENCY_FILE_PATTERN = /(^|\/)(requirements[^/]*\.(txt|in)|requirements\/[^/]+\.(txt|in)|pyproject\.toml|Pipfile|setup\.cfg|poetry\.lock|uv\.lock)$/;

/** `requirements.txt`, `requirements-dev.in`, `requirements/production.txt`. */
function isRequirementsFile(file: string): boolean {
  const base = path.basename(file);
  if (!/\.(txt|in)$/.test(base)) return false;
  return base.startsWith('requirements') || path.basename(path.dirname(file)) === 'requirements';
}

export function normaliseName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[-_.]+/g, '-');
}

/** Reads every dependency declaration it is given; unreadable files are skipped. */
export function readDependencies(sources: { file: string; text: string }[]): Dependencies {
  const found = new Map<string, DeclaredDependency>();
  const files: string[] = [];
  const add = (requirement: string, file: string) => {
    const dep = parseRequirement(requirement, file);
    if (!dep) return;
    const existing = found.get(dep.name);
    if (!existing || (!existing.version && dep.version)) found.set(dep.name, dep);
  };
  const ordered = [...sources].sort((a, b) => rank(a.file) - rank(b.file) || a.file.localeCompare(b.file));
  for (const { file, text } of ordered) {
    const base = path.basename(file);
    try {
      if (isRequirementsFile(file)) {
        files.push(file);
        // A trailing backslash continues the line (pip joins them before parsing).
        for (const line of splitLines(text.replace(/\\(?:\r\n|\r|\n)/g, ' '))) {
          // Per-requirement options (--hash=...) and comments are not part of the specifier.
          const clean = line
            .replace(/(^|\s)#.*$/, '')
            .replace(/\s--?[A-Za-z].*$/, '')
            .trim();
          if (!clean || clean.startsWith('-')) continue;
          add(clean, file);
        }
      } else if (base === 'pyproject.toml') {
        const doc = parseToml(text) as Record<string, any>;
        const project = doc.project ?? {};
        let declared = false;
        for (const req of asArray(project.dependencies)) {
          add(String(req), file);
          declared = true;
        }
        for (const group of Object.values(project['optional-dependencies'] ?? {})) for (const req of asArray(group)) add(String(req), file);
        for (const group of Object.values(doc['dependency-groups'] ?? {})) for (const req of asArray(group)) if (typeof req === 'string') add(req, file);
        const poetry = doc.tool?.poetry?.dependencies ?? {};
        for (const [name, spec] of Object.entries(poetry)) {
          if (name.toLowerCase() === 'python') continue;
          add(`${name}${poetrySpecifier(spec)}`, file);
          declared = true;
        }
        if (declared) files.push(file);
      } else if (base === 'Pipfile') {
        const doc = parseToml(text) as Record<string, any>;
        for (const section of ['packages', 'dev-packages']) {
          for (const [name, spec] of Object.entries(doc[section] ?? {})) add(`${name}${pipfileSpecifier(spec)}`, file);
        }
        files.push(file);
      } else if (base === 'setup.cfg') {
        const block = /^[ \t]*install_requires[ \t]*=[ \t]*(.*)\n((?:[ \t]+.*(?:\n|$))*)/m.exec(normalizeLineBreaks(text) + '\n');
        if (block) {
          for (const line of [block[1], ...block[2].split('\n')]) if (line.trim()) add(line.trim(), file);
          files.push(file);
        }
      } else if (base === 'poetry.lock' || base === 'uv.lock') {
        const doc = parseToml(text) as Record<string, any>;
        for (const pkg of asArray(doc.package)) {
          if (pkg && typeof pkg.name === 'string' && typeof pkg.version === 'string') add(`${pkg.name}==${pkg.version}`, file);
        }
      }
    } catch {
      // A dependency file that does not parse declares nothing we can rely on.
    }
  }
  return {
    get: (name) => found.get(normaliseName(name)),
    has: (name) => found.has(normaliseName(name)),
    files,
  };
}

function rank(file: string): number {
  const base = path.basename(file);
  if (base === 'requirements.txt') return 0;
  if (isRequirementsFile(file)) return 1;
  if (base === 'pyproject.toml') return 2;
  if (base === 'Pipfile') return 3;
  if (base === 'setup.cfg') return 4;
  return 5;
}

function asArray(value: unknown): any[] {
  return Array.isArray(value) ? value : [];
}

function poetrySpecifier(spec: unknown): string {
  const version = typeof spec === 'string' ? spec : typeof spec === 'object' && spec && 'version' in spec ? String((spec as any).version) : '';
  if (!version || version === '*') return '';
  if (/^\^|^~/.test(version)) return `>=${version.replace(/^[\^~]=?/, '')}`;
  return /^[<>=!~]/.test(version) ? version : `==${version}`;
}

function pipfileSpecifier(spec: unknown): string {
  const version = typeof spec === 'string' ? spec : typeof spec === 'object' && spec && 'version' in spec ? String((spec as any).version) : '';
  return version === '*' ? '' : version;
}

/** `Django>=4.2,<5` → name `django`, lowest version 4.2. */
export function parseRequirement(line: string, file: string): DeclaredDependency | undefined {
  const withoutMarker = line.split(';')[0].trim();
  const match = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$/.exec(withoutMarker);
  if (!match) return undefined;
  const specifier = match[3].trim();
  let version: number[] | undefined;
  for (const clause of specifier.split(',')) {
    const m = /^[\s(]*(==|~=|>=|===)\s*v?(\d+(?:\.\d+)*)/.exec(clause);
    if (m) {
      version = m[2].split('.').map(Number);
      break;
    }
  }
  return { name: normaliseName(match[1]), specifier, version, file };
}

/** Compares dotted versions: negative when a < b. */
export function compareVersions(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
