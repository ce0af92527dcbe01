import { parse as parseToml } from 'smol-toml';
import type { Severity } from './types';

/** What the user configured: pyproject's [tool.django-hardener], or the editor's settings. */
export interface HardenerConfig {
  /** Codes or prefixes to enable; empty means all. */
  select: string[];
  ignore: string[];
  severity: Record<string, Severity | 'off'>;
  /** Production settings modules, as dotted names or paths relative to the project root. */
  productionSettings: string[];
  exclude: string[];
  /**
   * Whether other linters' suppressions silence the rule covering the same check
   * (`# noqa: S608`, `# nosec`, `# nosemgrep`); undefined means yes.
   */
  foreignNoqa?: boolean;
  /** Codes or prefixes silenced in the files a glob (relative to the project root) matches. */
  perFileIgnores?: PerFileIgnore[];
  /** A baseline file of accepted findings, as written (relative to the configuration file's folder until loaded, then absolute). */
  baseline?: string;
}

export interface PerFileIgnore {
  glob: string;
  codes: string[];
}

export const DEFAULT_CONFIG: HardenerConfig = { select: [], ignore: [], severity: {}, productionSettings: [], exclude: [] };

export interface ConfigProblem {
  message: string;
}

const SEVERITIES = new Set(['error', 'warning', 'info', 'off']);

/** The keys a configuration table may have; anything else is named in a warning. */
const KNOWN_KEYS = new Set(['select', 'ignore', 'severity', 'production-settings', 'productionSettings', 'exclude', 'per-file-ignores', 'baseline', 'foreign-noqa', 'foreignNoqa']);

/** Reads `[tool.django-hardener]`; a malformed value is reported and left at its default. */
export function readPyprojectConfig(text: string): { config: HardenerConfig; problems: ConfigProblem[] } {
  return readTomlConfig(text, 'pyproject.toml');
}

/**
 * Reads a configuration file: `[tool.django-hardener]` of a pyproject.toml, or the top level
 * of a django-hardener.toml (as ruff.toml is to Ruff). A malformed value is reported and left
 * at its default; an unknown key is reported and ignored.
 */
export function readTomlConfig(text: string, fileName: string): { config: HardenerConfig; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  let table: Record<string, unknown> = {};
  try {
    const doc = parseToml(text) as Record<string, any>;
    table = fileName === 'pyproject.toml' ? (doc.tool?.['django-hardener'] ?? {}) : doc;
  } catch (error) {
    problems.push({ message: `${fileName} does not parse: ${(error as Error).message.split('\n')[0]}` });
  }
  const prefix = fileName === 'pyproject.toml' ? 'tool.django-hardener.' : '';
  for (const key of Object.keys(table)) {
    if (!KNOWN_KEYS.has(key)) problems.push({ message: `unknown configuration key ${prefix}${key}` });
  }
  return { config: normaliseConfig(table, problems), problems };
}

/** Turns loosely typed input (TOML, JSON from the editor) into a config, noting what is wrong. */
export function normaliseConfig(input: Record<string, unknown>, problems: ConfigProblem[] = []): HardenerConfig {
  const strings = (key: string, ...aliases: string[]): string[] => {
    for (const k of [key, ...aliases]) {
      const value = input[k];
      if (value === undefined) continue;
      if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
      problems.push({ message: `${k} must be a list of strings` });
    }
    return [];
  };
  const severity: Record<string, Severity | 'off'> = {};
  const rawSeverity = input.severity;
  if (rawSeverity !== undefined) {
    if (typeof rawSeverity === 'object' && rawSeverity && !Array.isArray(rawSeverity)) {
      for (const [code, level] of Object.entries(rawSeverity)) {
        if (typeof level === 'string' && SEVERITIES.has(level)) severity[code.toUpperCase()] = level as Severity | 'off';
        else problems.push({ message: `severity.${code} must be one of error, warning, info, off` });
      }
    } else {
      problems.push({ message: 'severity must be a table of code = "error" | "warning" | "info" | "off"' });
    }
  }
  const perFileIgnores: PerFileIgnore[] = [];
  const rawIgnores = input['per-file-ignores'];
  if (rawIgnores !== undefined) {
    if (typeof rawIgnores === 'object' && rawIgnores && !Array.isArray(rawIgnores)) {
      for (const [glob, codes] of Object.entries(rawIgnores)) {
        if (Array.isArray(codes) && codes.every((c) => typeof c === 'string')) perFileIgnores.push({ glob, codes: codes.map((c: string) => c.toUpperCase()) });
        else problems.push({ message: `per-file-ignores."${glob}" must be a list of rule codes or prefixes` });
      }
    } else {
      problems.push({ message: 'per-file-ignores must be a table of "glob" = ["DJH201", …]' });
    }
  }
  const baseline = input.baseline;
  if (baseline !== undefined && typeof baseline !== 'string') problems.push({ message: 'baseline must be the path of a baseline file' });
  const config: HardenerConfig = {
    ...(perFileIgnores.length > 0 ? { perFileIgnores } : {}),
    ...(typeof baseline === 'string' && baseline !== '' ? { baseline } : {}),
    select: strings('select').map((s) => s.toUpperCase()),
    ignore: strings('ignore').map((s) => s.toUpperCase()),
    severity,
    productionSettings: strings('production-settings', 'productionSettings'),
    exclude: strings('exclude'),
  };
  for (const key of ['foreign-noqa', 'foreignNoqa']) {
    const value = input[key];
    if (value === undefined) continue;
    if (typeof value === 'boolean') config.foreignNoqa = value;
    else problems.push({ message: `${key} must be true or false` });
  }
  return config;
}

export function ruleEnabled(config: HardenerConfig, code: string): boolean {
  if (config.severity[code] === 'off') return false;
  const selected = config.select.length === 0 || config.select.some((prefix) => code.startsWith(prefix));
  return selected && !config.ignore.some((prefix) => code.startsWith(prefix));
}
