import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_CONFIG, readTomlConfig, type ConfigProblem, type HardenerConfig } from '../config';

/** Configuration files looked for in a project root, first found wins (as ruff.toml wins over pyproject.toml). */
export const CONFIG_FILE_NAMES = ['django-hardener.toml', 'pyproject.toml'];

export interface LoadedConfig {
  config: HardenerConfig;
  problems: ConfigProblem[];
  /** The file read, when there was one. */
  file?: string;
}

/**
 * Reads the project's configuration: `configFile` when given (a pyproject.toml's
 * `[tool.django-hardener]`, or the top level of any other TOML file), else the root's
 * django-hardener.toml, else its pyproject.toml. A `baseline` path is made absolute from
 * the configuration file's folder. A `configFile` that cannot be read is a problem, not a
 * silent default.
 */
export function loadProjectConfig(root: string, configFile?: string): LoadedConfig {
  const candidates = configFile ? [configFile] : CONFIG_FILE_NAMES.map((name) => path.join(root, name));
  for (const file of candidates) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if (configFile)
        return { config: { ...DEFAULT_CONFIG }, problems: [{ message: `cannot read the configuration file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` }], file };
      continue;
    }
    const { config, problems } = readTomlConfig(text, path.basename(file) === 'pyproject.toml' ? 'pyproject.toml' : path.basename(file));
    if (config.baseline) config.baseline = path.resolve(path.dirname(file), config.baseline);
    return { config, problems, file };
  }
  return { config: { ...DEFAULT_CONFIG }, problems: [] };
}
