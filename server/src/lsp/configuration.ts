import { normaliseConfig, type ConfigProblem, type HardenerConfig } from '../engine';

const SEVERITY_LEVELS = ['error', 'warning', 'info', 'off'];

/**
 * The editor settings `djangoHardener.*`, with their defaults. `package.json`
 * `contributes.configuration` must equal this (a test keeps them in step).
 */
export const CONFIGURATION_SCHEMA = {
  title: 'Django Hardener',
  properties: {
    'djangoHardener.enable': {
      type: 'boolean',
      default: true,
      scope: 'resource',
      description: 'Check Django settings modules and report security problems.',
    },
    'djangoHardener.select': {
      type: 'array',
      items: { type: 'string' },
      default: [],
      scope: 'resource',
      description: 'Rule codes or code prefixes to enable (for example `DJH1`). Empty: the `select` of pyproject.toml `[tool.django-hardener]`, else every rule.',
    },
    'djangoHardener.ignore': {
      type: 'array',
      items: { type: 'string' },
      default: [],
      scope: 'resource',
      description: 'Rule codes or code prefixes to disable. Empty: the `ignore` of pyproject.toml `[tool.django-hardener]`.',
    },
    'djangoHardener.severity': {
      type: 'object',
      additionalProperties: { type: 'string', enum: SEVERITY_LEVELS },
      default: {},
      scope: 'resource',
      description: 'Severity per rule code (`error`, `warning`, `info` or `off`), on top of pyproject.toml `[tool.django-hardener.severity]`.',
    },
    'djangoHardener.productionSettings': {
      type: 'array',
      items: { type: 'string' },
      default: [],
      scope: 'resource',
      description: 'Production settings modules, as dotted names (`mysite.settings.production`) or paths relative to the workspace folder. Empty: found by name and from `DJANGO_SETTINGS_MODULE`.',
    },
    'djangoHardener.exclude': {
      type: 'array',
      items: { type: 'string' },
      default: [],
      scope: 'resource',
      description: 'Glob patterns of files and folders to skip, relative to the workspace folder.',
    },
    'djangoHardener.foreignNoqa': {
      type: 'boolean',
      default: true,
      scope: 'resource',
      description:
        'Let the suppressions other linters already wrote silence the rule that covers the same check: Ruff/flake8-bandit `# noqa: S608`, `S308`, `S105`…, Bandit `# nosec`, Semgrep `# nosemgrep`. `false` (or `foreign-noqa = false` in pyproject.toml) turns this off.',
    },
    'djangoHardener.trace.server': {
      type: 'string',
      enum: ['off', 'messages', 'verbose'],
      default: 'off',
      scope: 'window',
      description: 'Traces the communication between the editor and the Django Hardener language server.',
    },
  },
} as const;

/** What the editor settings ask for, before pyproject.toml is taken into account. */
export interface EditorSettings {
  enable: boolean;
  config: HardenerConfig;
}

export const DEFAULT_EDITOR_SETTINGS: EditorSettings = {
  enable: true,
  config: { select: [], ignore: [], severity: {}, productionSettings: [], exclude: [] },
};

/**
 * Reads the `djangoHardener` section the editor sends (any shape: it may be hand-written
 * JSON). Malformed values fall back to their defaults and are listed in `problems`.
 */
export function readEditorSettings(raw: unknown, problems: ConfigProblem[] = []): EditorSettings {
  if (raw === undefined || raw === null) return DEFAULT_EDITOR_SETTINGS;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push({ message: 'the djangoHardener settings must be an object' });
    return DEFAULT_EDITOR_SETTINGS;
  }
  const input = raw as Record<string, unknown>;
  let enable = true;
  if (input.enable !== undefined) {
    if (typeof input.enable === 'boolean') enable = input.enable;
    else problems.push({ message: 'enable must be true or false' });
  }
  const known = new Set(['select', 'ignore', 'severity', 'productionSettings', 'exclude', 'foreignNoqa']);
  const relevant = Object.fromEntries(Object.entries(input).filter(([key]) => known.has(key)));
  return { enable, config: normaliseConfig(relevant, problems) };
}

/**
 * The configuration in force for a workspace folder: pyproject.toml's, with every editor
 * setting that is not left at its (empty) default taking its place. Per-rule severities
 * merge, the editor's winning for a code both name.
 */
export function mergeConfig(project: HardenerConfig, editor: HardenerConfig): HardenerConfig {
  const pick = (own: string[], fallback: string[]) => (own.length > 0 ? own : fallback);
  return {
    // Per-file ignores live in the project's configuration only.
    ...(project.perFileIgnores ? { perFileIgnores: project.perFileIgnores } : {}),
    select: pick(editor.select, project.select),
    ignore: pick(editor.ignore, project.ignore),
    severity: { ...project.severity, ...editor.severity },
    productionSettings: pick(editor.productionSettings, project.productionSettings),
    exclude: pick(editor.exclude, project.exclude),
    ...(editor.foreignNoqa === false || project.foreignNoqa === false ? { foreignNoqa: false } : {}),
  };
}
