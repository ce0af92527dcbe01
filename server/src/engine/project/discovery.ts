/**
 * What a settings module's path says of its role, and which paths can never hold a settings
 * module. A name decides a role only once the module is known to be a settings module by
 * evidence (see Project.settingsModules); it never makes one.
 */

const DEVELOPMENT_WORDS = ['dev', 'devel', 'develop', 'development', 'local', 'debug', 'sandbox'];
const TEST_WORDS = ['test', 'tests', 'testing', 'unittest', 'unittests', 'pytest', 'ci', 'e2e', 'functional', 'integration'];
const PRODUCTION_WORDS = ['prod', 'production', 'prd', 'live', 'deploy', 'deployment', 'staging', 'stage', 'release'];

/** What a role word is glued to in names such as `testsettings`, `testapp`, `devproject`. */
const COMPOUND_ENDINGS = ['settings', 'project', 'app', 'site', 'conf', 'config'];

/** A name's words: split at `_`, `.` and `-`, and a word ending in a compound ending also as its two parts. */
function words(name: string): string[] {
  const found: string[] = [];
  for (const word of name.toLowerCase().split(/[_.\-]+/)) {
    found.push(word);
    const ending = COMPOUND_ENDINGS.find((e) => word.length > e.length && word.endsWith(e));
    if (ending) found.push(word.slice(0, -ending.length), ending);
  }
  return found;
}

function hasWord(name: string, list: readonly string[]): string | undefined {
  return words(name).find((w) => list.includes(w));
}

function parts(relativeFile: string): { stem: string; dirs: string[] } {
  const all = relativeFile.split(/[\\/]/);
  return { stem: all[all.length - 1].replace(/\.py$/, ''), dirs: all.slice(0, -1) };
}

/**
 * `test` or `development` when the module's name or a folder it lives in says so (`test.py`,
 * `settings/dev.py`, `tests/settings.py`), with the word that did; undefined otherwise.
 */
export function roleByName(relativeFile: string): { role: 'test' | 'development'; reason: string } | undefined {
  const { stem, dirs } = parts(relativeFile);
  const test = hasWord(stem, TEST_WORDS);
  if (test) return { role: 'test', reason: `named like a test module (${test})` };
  const dev = hasWord(stem, DEVELOPMENT_WORDS);
  if (dev) return { role: 'development', reason: `named like a development module (${dev})` };
  for (const dir of dirs) {
    if (dir === 'site-packages') continue;
    const testDir = hasWord(dir, TEST_WORDS);
    if (testDir) return { role: 'test', reason: `in a ${dir}/ folder` };
    const devDir = hasWord(dir, DEVELOPMENT_WORDS);
    if (devDir) return { role: 'development', reason: `in a ${dir}/ folder` };
  }
  return undefined;
}

/** The production word in a module's own name (`production.py`, `settings_live.py`), if any. */
export function productionWord(relativeFile: string): string | undefined {
  return hasWord(parts(relativeFile).stem, PRODUCTION_WORDS);
}

/**
 * Why a Python file can never be a settings module whatever it holds, or undefined: Django's
 * own `django/conf/` (global_settings.py), templates of projects (`project_template/`),
 * management commands, migrations, and the modules of a Django app. Test code is left to
 * `excludedFromContentScan`: a test settings module is one, with the test role.
 */
export function neverSettings(relativeFile: string, text: string | undefined, siblings: (dir: string) => readonly string[]): string | undefined {
  const all = relativeFile.split('/');
  const dirs = all.slice(0, -1);
  for (let i = 0; i + 1 < dirs.length; i++) if (dirs[i] === 'django' && dirs[i + 1] === 'conf') return "Django's own django/conf/";
  if (dirs.includes('project_template')) return 'a template of a project (project_template/), rendered by startproject';
  for (let i = 0; i + 1 < dirs.length; i++) if (dirs[i] === 'management' && dirs[i + 1] === 'commands') return 'a management command';
  if (text !== undefined && isMigration(text)) return 'a migration';
  const dir = dirs.join('/');
  const inFolder = siblings(dir);
  if (inFolder.includes('apps.py') || inFolder.includes('migrations')) return 'a module of a Django app';
  return undefined;
}

/** Test code, which can only ever hold test settings: not read when looking for settings modules by content. */
export function excludedFromContentScan(relativeFile: string): boolean {
  const all = relativeFile.split('/');
  const base = all[all.length - 1];
  if (/^(test_.*|.*_tests?|tests?|conftest)\.py$/.test(base)) return true;
  return all.slice(0, -1).some((dir) => dir === 'tests' || dir === 'test' || dir === 'testing' || dir === 'migrations' || dir === 'node_modules');
}

const migrations = new Map<string, boolean>();

/** Whether a module defines a Django migration (`class Migration(...)` at top level), remembered per text. */
function isMigration(text: string): boolean {
  let found = migrations.get(text);
  if (found === undefined) {
    found = text.includes('class Migration') && /^class\s+Migration\s*\(/m.test(text);
    if (migrations.size >= 1_000) migrations.clear();
    migrations.set(text, found);
  }
  return found;
}
