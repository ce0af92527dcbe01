/**
 * Running the real Django (Debian's python3-django) from tests: finding it, generating
 * projects with `startproject`, running `manage.py check`, and editing the generated
 * settings text into variants.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The system interpreter that has Debian's Django; a bare `python3` may be another one. */
export const SYSTEM_PYTHON = '/usr/bin/python3';

export interface DjangoInstall {
  python: string;
  version: string;
  /** The `django` package directory. */
  packageDir: string;
}

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program to completion without a shell; a non-zero exit is a result, not an error. */
export function run(file: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd: options.cwd, env: options.env, timeout: options.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') {
        if (error.code === 'ENOENT') return resolve({ code: null, stdout, stderr: `${file}: not found` });
        if (error.killed) return resolve({ code: null, stdout, stderr: `${stderr}\n${file} timed out` });
        return reject(error);
      }
      resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
    });
  });
}

/** The Django the system Python can import, or the reason it cannot. */
export async function findDjango(python = SYSTEM_PYTHON): Promise<DjangoInstall | { missing: string }> {
  const probe = await run(python, ['-c', 'import os, django; print(django.get_version()); print(os.path.dirname(django.__file__))'], { env: baseEnv() });
  if (probe.code !== 0) return { missing: `${python} cannot import django (${(probe.stderr.trim().split('\n').pop() ?? '').trim()})` };
  const [version, packageDir] = probe.stdout.trim().split('\n');
  return { python, version, packageDir };
}

/** Every `security.*` id Django's own check modules can report, read from their source. */
export function djangoSecurityIds(django: DjangoInstall): Set<string> {
  const dir = path.join(django.packageDir, 'core', 'checks', 'security');
  const ids = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.py'))) {
    for (const match of readFileSync(path.join(dir, file), 'utf8').matchAll(/\bid=['"](security\.[A-Z]\d+)['"]/g)) ids.add(match[1]);
  }
  return ids;
}

/**
 * A clean environment for Django: only what the interpreter needs plus what the caller
 * declares, so a variable set in the developer's shell cannot change a verdict.
 */
export function baseEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8', PYTHONDONTWRITEBYTECODE: '1', ...extra };
}

/** `django-admin startproject <name> .` into an existing empty directory. */
export async function startProject(django: DjangoInstall, dir: string, name: string): Promise<void> {
  const result = await run(django.python, ['-m', 'django', 'startproject', name, dir], { env: baseEnv() });
  if (result.code !== 0) throw new Error(`startproject failed: ${result.stderr}`);
}

export interface CheckRun extends ProcessResult {
  /** Every `app.Xnnn` id the run printed, sorted. */
  ids: string[];
}

/** `python manage.py check [args]` with exactly the given environment. */
export async function manageCheck(django: DjangoInstall, projectDir: string, args: string[], env: Record<string, string>): Promise<CheckRun> {
  const result = await run(django.python, ['manage.py', 'check', ...args], { cwd: projectDir, env: baseEnv(env) });
  return { ...result, ids: checkIds(result.stdout + '\n' + result.stderr) };
}

/** Whether a `check` run got as far as running the checks (a settings import error does not). */
export function checksRan(result: ProcessResult): boolean {
  return /System check identified (?:no issues|some issues|\d+ issues?)/.test(result.stdout + result.stderr);
}

/** Ids from lines like `?: (security.W004) You have not set…`. */
export function checkIds(output: string): string[] {
  const ids = new Set<string>();
  for (const match of output.matchAll(/^[^\n]*?: \(([a-z_]+\.[A-Z]\d+)\) /gm)) ids.add(match[1]);
  return [...ids].sort();
}

/** Maps over items with at most `limit` promises in flight, keeping the input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

// ---------------------------------------------------------------------------------------
// Editing the settings text `startproject` writes. The input is Django's own template, so
// these work on its layout: one top-level statement per `NAME = ...`, lists one item a line.
// Each edit throws when its target is missing, so a changed template fails loudly instead
// of silently producing a variant that tests nothing.

export type SettingsEdit = (text: string) => string;

/** Line span [start, end) of the top-level statement assigning `name`, or undefined. */
function statementSpan(text: string, name: string): { start: number; end: number } | undefined {
  const match = new RegExp(`^${name}\\s*=`, 'm').exec(text);
  if (!match) return undefined;
  let depth = 0;
  let quote: string | undefined;
  for (let i = match.index; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '#') while (i + 1 < text.length && text[i + 1] !== '\n') i++;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (c === '\n' && depth === 0) return { start: match.index, end: i + 1 };
  }
  return { start: match.index, end: text.length };
}

/** Replaces the assignment of `name` with `name = rhs`, or appends one. */
export function assign(name: string, rhs: string): SettingsEdit {
  return (text) => {
    const span = statementSpan(text, name);
    if (!span) return append(`${name} = ${rhs}`)(text);
    return text.slice(0, span.start) + `${name} = ${rhs}\n` + text.slice(span.end);
  };
}

/** Deletes the assignment of `name`. */
export function drop(name: string): SettingsEdit {
  return (text) => {
    const span = statementSpan(text, name);
    if (!span) throw new Error(`no assignment of ${name} to drop`);
    return text.slice(0, span.start) + text.slice(span.end);
  };
}

/** Deletes the line holding the string item `item` from the list literal assigned to `name`. */
export function removeItem(name: string, item: string): SettingsEdit {
  return (text) => {
    const span = statementSpan(text, name);
    if (!span) throw new Error(`no assignment of ${name}`);
    const statement = text.slice(span.start, span.end);
    const escaped = item.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const line = new RegExp(`^[ \\t]*(['"])${escaped}\\1,?[ \\t]*\\n`, 'm');
    if (!line.test(statement)) throw new Error(`${name} has no item ${item}`);
    return text.slice(0, span.start) + statement.replace(line, '') + text.slice(span.end);
  };
}

/** Appends top-level lines at the end of the module. */
export function append(...lines: string[]): SettingsEdit {
  return (text) => text.replace(/\n*$/, '\n') + '\n' + lines.join('\n') + '\n';
}

/** Adds `import os` above the template's `from pathlib import Path`. */
export const importOs: SettingsEdit = (text) => {
  if (/^import os$/m.test(text)) return text;
  if (!/^from pathlib import Path$/m.test(text)) throw new Error('no `from pathlib import Path` line to put `import os` above');
  return text.replace(/^from pathlib import Path$/m, 'import os\nfrom pathlib import Path');
};

/** Replaces one exact piece of text that must occur. */
export function replaceText(from: string, to: string): SettingsEdit {
  return (text) => {
    if (!text.includes(from)) throw new Error(`text not found: ${from}`);
    return text.replace(from, to);
  };
}

export function applyEdits(text: string, edits: readonly SettingsEdit[]): string {
  return edits.reduce((current, edit) => edit(current), text);
}

export interface ServedPage {
  status: number;
  location: string | null;
  setCookie: string | null;
  /** What runserver printed, for a failure message. */
  log: string;
}

/**
 * Starts `manage.py runserver` on a free local port with exactly the given environment,
 * requests `page` over plain HTTP (redirects not followed) and stops the server.
 */
export async function runserverGet(django: DjangoInstall, projectDir: string, env: Record<string, string>, page: string): Promise<ServedPage> {
  const { createServer } = await import('node:net');
  const { spawn } = await import('node:child_process');
  const port = await new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
  const child = spawn(django.python, ['manage.py', 'runserver', `127.0.0.1:${port}`, '--noreload'], { cwd: projectDir, env: baseEnv(env) });
  let log = '';
  child.stdout.on('data', (chunk) => (log += chunk));
  child.stderr.on('data', (chunk) => (log += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const response = await fetch(`http://127.0.0.1:${port}${page}`, { redirect: 'manual' });
        return { status: response.status, location: response.headers.get('location'), setCookie: response.headers.get('set-cookie'), log };
      } catch (error) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`runserver did not answer: ${(error as Error).message}\n${log}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  } finally {
    child.kill();
    await exited;
  }
}
