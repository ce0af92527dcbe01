import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** The repository root, found from the running bundle wherever the build put it. */
export const REPO_ROOT = (() => {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
})();

export const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures');

/** Every file below a directory, relative, sorted. */
export function listFiles(dir: string, base = dir): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => {
      const full = path.join(dir, entry);
      return statSync(full).isDirectory() ? listFiles(full, base) : [path.relative(base, full).split(path.sep).join('/')];
    });
}

/**
 * Lines marked `# expect: DJH101, DJH113` (templates: `{# expect: DJH301 #}`), as
 * `file:line` (1-based) for one code. A code may name the severity the evidence gives the
 * finding on that line: `# expect: DJH201:warning`.
 */
export function expectedLines(caseDir: string, code: string): string[] {
  return [...expectations(caseDir, code).keys()].sort();
}

/** `file:line` → the severity a marked line must have (undefined: the rule's default). */
export function expectations(caseDir: string, code: string): Map<string, string | undefined> {
  const expected = new Map<string, string | undefined>();
  for (const rel of listFiles(caseDir)) {
    if (rel.includes('.fixed.') || rel.endsWith('.snap')) continue;
    const lines = readFileSync(path.join(caseDir, rel), 'utf8').split('\n');
    lines.forEach((line, index) => {
      const match = /(?:#|\{#)\s*expect:\s*([A-Za-z0-9:,\s]+?)\s*(?:#\}|$)/.exec(line);
      if (!match) return;
      for (const token of match[1].split(/[\s,]+/)) {
        const [name, severity] = token.split(':');
        if (name === code) expected.set(`${rel}:${index + 1}`, severity);
      }
    });
  }
  return expected;
}

/** Whether any file of the case marks a near miss with `# ok: CODE`. */
export function hasNearMiss(caseDir: string, code: string): boolean {
  return listFiles(caseDir).some((rel) => new RegExp(`(#|\\{#)\\s*ok:\\s*[A-Z0-9,\\s]*\\b${code}\\b`).test(readFileSync(path.join(caseDir, rel), 'utf8')));
}
