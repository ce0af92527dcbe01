import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_CONFIG, readPyprojectConfig, type ConfigProblem, type HardenerConfig } from '../config';

/** Reads `[tool.django-hardener]` from the project root's pyproject.toml, if there is one. */
export function loadProjectConfig(root: string): { config: HardenerConfig; problems: ConfigProblem[]; file?: string } {
  const file = path.join(root, 'pyproject.toml');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return { config: { ...DEFAULT_CONFIG }, problems: [] };
  }
  return { ...readPyprojectConfig(text), file };
}
