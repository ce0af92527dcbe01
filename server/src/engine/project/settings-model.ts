import { DJANGO_DEFAULTS } from '../rules/django-defaults';
import { djangoVersionOf, versionText, type DjangoVersionInfo } from './django-version';
import type { Project, SettingsRole } from './project';
import type { SettingState } from '../settings/settings-module';
import { describe, unsetView, type Value } from '../settings/values';

/** What the tool believes of a project's settings, for `django-hardener settings` and the editor's "Show settings model". */
export interface SettingsModelReport {
  root: string;
  modules: ModuleReport[];
  /** DJANGO_SETTINGS_MODULE values that name no module of the project, with the file naming them. */
  unresolved: { file: string; module: string }[];
  django: DjangoVersionInfo;
}

export interface ModuleReport {
  file: string;
  module: string;
  role: SettingsRole;
  reasons: string[];
  /** For a production module, with `values`: its effective security settings. */
  values?: SettingValueReport[];
  /** Why a production module is not judged at all, when it is not. */
  notJudged?: string;
}

export interface SettingValueReport {
  name: string;
  /** `False`, `['example.com']`, `env DJANGO_DEBUG (unset → False)`, `unknown: set under a condition`. */
  value: string;
  /** Where the value comes from: `file:line` (1-based), or Django's default. */
  source: string;
}

/** The settings the rules judge, in the order `--values` lists them. */
export const SECURITY_SETTINGS = [
  'DEBUG',
  'SECRET_KEY',
  'SECRET_KEY_FALLBACKS',
  'ALLOWED_HOSTS',
  'CSRF_TRUSTED_ORIGINS',
  'MIDDLEWARE',
  'MIDDLEWARE_CLASSES',
  'SECURE_SSL_REDIRECT',
  'SECURE_PROXY_SSL_HEADER',
  'SECURE_HSTS_SECONDS',
  'SECURE_HSTS_INCLUDE_SUBDOMAINS',
  'SECURE_HSTS_PRELOAD',
  'SECURE_CONTENT_TYPE_NOSNIFF',
  'SECURE_REFERRER_POLICY',
  'SECURE_CROSS_ORIGIN_OPENER_POLICY',
  'SECURE_BROWSER_XSS_FILTER',
  'SECURE_CSP',
  'SECURE_CSP_REPORT_ONLY',
  'X_FRAME_OPTIONS',
  'SESSION_COOKIE_SECURE',
  'SESSION_COOKIE_HTTPONLY',
  'SESSION_COOKIE_SAMESITE',
  'SESSION_SERIALIZER',
  'CSRF_COOKIE_SECURE',
  'CSRF_COOKIE_SAMESITE',
  'CSRF_USE_SESSIONS',
  'PASSWORD_HASHERS',
  'AUTH_PASSWORD_VALIDATORS',
  'DATA_UPLOAD_MAX_MEMORY_SIZE',
  'FILE_UPLOAD_MAX_MEMORY_SIZE',
  'SILENCED_SYSTEM_CHECKS',
];

/** Settings whose value is a secret: reported by shape, never by text. */
const SECRET_SETTINGS = new Set(['SECRET_KEY', 'SECRET_KEY_FALLBACKS']);
/** Settings shown only when the module sets them (they have no default worth listing). */
const ONLY_WHEN_SET = new Set(['MIDDLEWARE_CLASSES', 'SECURE_BROWSER_XSS_FILTER', 'SECURE_CSP', 'SECURE_CSP_REPORT_ONLY', 'SECRET_KEY_FALLBACKS', 'PASSWORD_HASHERS', 'SECURE_PROXY_SSL_HEADER']);

const MAX_VALUE_LENGTH = 120;
/** `django.middleware.security.SecurityMiddleware`, not `shop.example.com`. */
const DOTTED_CLASS_PATH = /^\w+(\.\w+)+\.[A-Z]\w*$/;

/** What to do when no settings module is production. */
export const NAME_PRODUCTION_ADVICE = 'Name the one production runs in pyproject.toml: [tool.django-hardener] production-settings = ["mysite.settings.production"]';

export function settingsModelReport(project: Project, options: { values: boolean }): SettingsModelReport {
  const django = djangoVersionOf(project);
  const modules = project.settingsModules().map((module): ModuleReport => {
    const report: ModuleReport = { file: module.file, module: module.module, role: module.role, reasons: module.reasons };
    if (module.role !== 'production') return report;
    const evaluated = project.evaluate(module.file);
    if (!evaluated) return { ...report, notJudged: 'it cannot be read' };
    if (evaluated.incomplete) report.notJudged = `${evaluated.incompleteReason ?? 'a star import or include() cannot be followed'}, so its effective settings are unknown`;
    if (options.values) {
      report.values = [];
      for (const name of SECURITY_SETTINGS) {
        const state = evaluated.settings.get(name);
        if (!state && (ONLY_WHEN_SET.has(name) || !(name in DJANGO_DEFAULTS))) continue;
        report.values.push(state ? settingValue(project, state) : { name, value: valueText(name, DJANGO_DEFAULTS[name]), source: "Django's default" });
      }
    }
    return report;
  });
  const unresolved = project.unresolvedReferences().map((r) => ({ file: r.file, module: r.module }));
  return { root: project.root, modules, unresolved, django };
}

function settingValue(project: Project, state: SettingState): SettingValueReport {
  const definition = state.definition;
  const where = `${project.relative(definition.statement.file)}:${definition.statement.range.start.line + 1}`;
  const value = unsetView(state.value).kind === 'unknown' && state.value.kind !== 'env' ? unknownText(definition.kind) : valueText(state.name, state.value);
  return { name: state.name, value, source: where };
}

function unknownText(kind: 'assign' | 'mutate' | 'conditional'): string {
  if (kind === 'conditional') return 'unknown: set under a condition that cannot be read';
  if (kind === 'mutate') return 'unknown: changed in a way that cannot be read';
  return 'unknown: computed in a way that cannot be read';
}

/** A value as the model shows it; secrets by their shape only. */
export function valueText(name: string, value: Value): string {
  if (value.kind === 'env') {
    const unset = unsetView(value.whenUnset);
    const fallback = unset.kind === 'unknown' ? 'no default' : valueText(name, unset);
    return `env ${value.variable} (unset → ${fallback})`;
  }
  if (SECRET_SETTINGS.has(name)) {
    if (value.kind === 'string') return `a literal of ${value.value.length} character${value.value.length === 1 ? '' : 's'}`;
    if (value.kind === 'list' && !value.open) return `${value.items.length} value${value.items.length === 1 ? '' : 's'}`;
  }
  if (value.kind === 'list' && value.items.length > 0 && value.items.every((item) => item.kind === 'string' && DOTTED_CLASS_PATH.test(item.value))) {
    // Dotted paths of classes (MIDDLEWARE, PASSWORD_HASHERS) by their class names, so the list fits; host names stay whole.
    const names = value.items.map((item) => (item.kind === 'string' ? item.value.slice(item.value.lastIndexOf('.') + 1) : '?'));
    if (value.open) names.push('…');
    return `${value.open ? 'at least ' : ''}[${names.join(', ')}]`;
  }
  if (value.kind === 'list' && value.open) return `at least ${describe(value)}`;
  if (value.kind === 'dict') return value.entries.length === 0 && !value.open ? '{}' : `a dict${value.open ? ' (known in part)' : ''}`;
  const text = describe(value);
  return text.length > MAX_VALUE_LENGTH ? text.slice(0, MAX_VALUE_LENGTH - 1) + '…' : text;
}

/** The report as text, paths shown with `show`. */
export function renderSettingsModel(report: SettingsModelReport, show: (file: string) => string): string {
  const lines: string[] = [];
  if (report.modules.length === 0) lines.push(`No settings module found in ${show(report.root)}.`);
  for (const module of report.modules) {
    lines.push(`${show(module.file)}  ${module.role}  (${module.module})`);
    for (const reason of module.reasons) lines.push(`    ${reason}`);
    if (module.notJudged) lines.push(`    not judged: ${module.notJudged}`);
    if (module.values) {
      const django = report.django;
      lines.push(
        django.declared
          ? `    checked as Django ${versionText(django.version)} (${django.specifier ? `${django.specifier} ` : ''}declared in ${show(django.file!)})`
          : `    checked as Django ${versionText(django.version)} or later: the project declares no Django version`,
      );
      const width = Math.max(...module.values.map((v) => v.name.length));
      for (const value of module.values) lines.push(`    ${value.name.padEnd(width)}  ${value.value}  [${value.source}]`);
    }
    lines.push('');
  }
  for (const reference of report.unresolved) lines.push(`${show(reference.file)} names ${reference.module}, which is not a module of this project.`);
  const production = report.modules.filter((m) => m.role === 'production');
  if (production.length === 0) {
    lines.push(
      report.modules.length === 0
        ? "No production settings module: nothing names DJANGO_SETTINGS_MODULE, and no module holds enough of a project's settings."
        : 'No production settings module: none of the modules above is what a deployment runs.',
    );
    lines.push(NAME_PRODUCTION_ADVICE);
  }
  return lines.join('\n').replace(/\n+$/, '') + '\n';
}
