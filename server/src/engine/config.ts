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
}

export const DEFAULT_CONFIG: HardenerConfig = { select: [], ignore: [], severity: {}, productionSettings: [], exclude: [] };

export interface ConfigProblem {
  message: string;
}

const SEVERITIES = new Set(['error', 'warning', 'info', 'off']);

/** Reads `[tool.django-hardener]`; a malformed value is reported and left at its default. */
export function readPyprojectConfig(text: string): { config: HardenerConfig; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  let table: Record<string, unknown> = {};
  try {
    const doc = parseToml(text) as Record<string, any>;
    table = doc.tool?.['django-hardener'] ?? {};
  } catch (error) {
    problems.push({ message: `pyproject.toml does not parse: ${(error as Error).message.split('\n')[0]}` });
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
  const config: HardenerConfig = {
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
