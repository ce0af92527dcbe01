import path from 'node:path';
import { splitLines } from '../text';

/** Files whose text may name DJANGO_SETTINGS_MODULE. */
export const SETTINGS_REFERENCE_FILES = new Set(['manage.py', 'wsgi.py', 'asgi.py', 'pytest.ini', 'pyproject.toml', 'setup.cfg', 'tox.ini', '.env']);

/** Dotted settings module names a file points DJANGO_SETTINGS_MODULE at. */
export function settingsModuleReferences(fileName: string, text: string): string[] {
  const found = new Set<string>();
  const base = path.basename(fileName);
  const patterns = base.endsWith('.py')
    ? [/["']DJANGO_SETTINGS_MODULE["']\s*(?:,|\]\s*=|:)\s*[rRuU]?["']([\w.]+)["']/g, /DJANGO_SETTINGS_MODULE\s*=\s*["']([\w.]+)["']/g]
    : base === '.env'
      ? [/^\s*(?:export\s+)?DJANGO_SETTINGS_MODULE\s*=\s*["']?([\w.]+)["']?/gm]
      : [/^\s*["']?DJANGO_SETTINGS_MODULE["']?\s*=\s*["']?([\w.]+)["']?/gm, /--ds[= ]([\w.]+)/g];
  // A commented-out line names a module nobody uses any more.
  const live = splitLines(text)
    .filter((line) => !/^\s*[#;]/.test(line))
    .join('\n');
  for (const pattern of patterns) for (const match of live.matchAll(pattern)) found.add(match[1]);
  return [...found];
}

const DEVELOPMENT_WORDS = ['dev', 'devel', 'develop', 'development', 'local', 'test', 'tests', 'testing', 'ci', 'debug', 'sandbox', 'e2e', 'unittest', 'pytest'];
const PRODUCTION_WORDS = ['prod', 'production', 'prd', 'live', 'deploy', 'deployment', 'staging', 'stage', 'release'];

function hasWord(name: string, words: string[]): boolean {
  const parts = name.toLowerCase().split(/[_.\-]+/);
  return parts.some((p) => words.includes(p));
}

/** A module named (or living in a folder named) like dev, local or test is never judged as production. */
export function looksLikeDevelopment(relativeFile: string): boolean {
  const parts = relativeFile.split(/[\\/]/);
  const stem = parts[parts.length - 1].replace(/\.py$/, '');
  if (hasWord(stem, DEVELOPMENT_WORDS)) return true;
  return parts.slice(0, -1).some((dir) => hasWord(dir, DEVELOPMENT_WORDS) && dir !== 'site-packages');
}

export function looksLikeProduction(relativeFile: string): boolean {
  const stem = path.basename(relativeFile).replace(/\.py$/, '');
  return hasWord(stem, PRODUCTION_WORDS);
}

/** Settings modules found by name alone: settings.py, settings/*.py, *_settings.py. */
export function isSettingsFileByName(relativeFile: string): boolean {
  const parts = relativeFile.split(/[\\/]/);
  const base = parts[parts.length - 1];
  if (!base.endsWith('.py')) return false;
  if (base === 'settings.py') return true;
  if (parts.length >= 2 && parts[parts.length - 2] === 'settings') return true;
  const stem = base.slice(0, -3);
  return /(^settings_|_settings$)/.test(stem);
}
