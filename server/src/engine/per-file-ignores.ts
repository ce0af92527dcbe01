import picomatch from 'picomatch';
import type { HardenerConfig, PerFileIgnore } from './config';

type Matcher = { test: (relative: string) => boolean; codes: string[] };

/** Compiled globs per configuration object (configurations are plain data, sent to worker threads as such). */
const compiled = new WeakMap<PerFileIgnore[], Matcher[]>();

/**
 * Whether `per-file-ignores` silences `code` in the file at `relative` (a path from the
 * project root, with `/`). A glob without a `/` also matches the file's name in any folder,
 * so `"tests.py" = ["DJH209"]` covers every `tests.py`.
 */
export function ignoredForFile(config: HardenerConfig, relative: string, code: string): boolean {
  const entries = config.perFileIgnores;
  if (!entries || entries.length === 0) return false;
  let matchers = compiled.get(entries);
  if (!matchers) {
    matchers = entries.map((entry) => {
      const isMatch = picomatch(entry.glob.replace(/^\.\//, '').replace(/\/$/, '/**'), { dot: true, basename: !entry.glob.includes('/') });
      return { test: (path: string) => isMatch(path), codes: entry.codes };
    });
    compiled.set(entries, matchers);
  }
  return matchers.some((matcher) => matcher.codes.some((prefix) => code.startsWith(prefix)) && matcher.test(relative));
}
