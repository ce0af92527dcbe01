import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { REPO_ROOT } from './fixtures';

/** The command-line bundle under test (DIST_DIR, resolved from the repository root). */
export const CLI = path.join(path.resolve(REPO_ROOT, process.env.DIST_DIR ?? 'dist'), 'cli.js');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI bundle as users do, in a child process. */
export function cli(cwd: string, ...args: string[]): Run {
  return cliWithEnv(cwd, {}, ...args);
}

/** The same with extra environment variables (NO_COLOR, FORCE_COLOR…), the test runner's own colour settings removed. */
export function cliWithEnv(cwd: string, env: Record<string, string>, ...args: string[]): Run {
  const inherited = { ...process.env };
  for (const name of ['NO_COLOR', 'FORCE_COLOR', 'TERM']) delete inherited[name];
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...inherited, ...env } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const temporary: string[] = [];
after(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

/** A temporary folder, removed when the test file ends. */
export function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'djh-cli-'));
  temporary.push(dir);
  return dir;
}

/** What manage.py holds in a throwaway project: it runs `settings.py` at the root, when there is one. */
export const MANAGE_PY = 'import os\n\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")\n';

/** A throwaway project; manage.py marks its root (and names settings.py) unless the files say otherwise. */
export function project(files: Record<string, string | Buffer>): string {
  const root = tempDir();
  for (const [rel, content] of Object.entries({ 'manage.py': MANAGE_PY, ...files })) {
    if (content === undefined) continue;
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), content);
  }
  return root;
}

export function copyOf(fixture: string): string {
  const root = tempDir();
  cpSync(fixture, root, { recursive: true });
  return root;
}

export function read(root: string, rel: string): string {
  return readFileSync(path.join(root, rel), 'utf8');
}
