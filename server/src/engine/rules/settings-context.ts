import path from 'node:path';
import { buildSettingsEdits } from '../fixes/settings-editor';
import { pythonString, preferredQuote } from '../parse/python';
import { compareVersions } from '../project/dependencies';
import { djangoVersionOf, type DjangoVersionInfo } from '../project/django-version';
import type { Project, SettingsModuleInfo } from '../project/project';
import { textAt } from '../project/source-store';
import type { EvaluatedModule, SettingDefinition, SettingState } from '../settings/settings-module';
import { asStringList, listHolds, presentItems, unsetView, UNKNOWN, type Value } from '../settings/values';
import type { Finding, Fix, Location, Range, RelatedLocation, RuleMeta, SettingsIntent, Severity } from '../types';
import { DJANGO_DEFAULTS } from './django-defaults';
import { buildFinding, buildFix } from './finding';

export interface FindingOptions {
  fixes?: Fix[];
  /** Lower than the rule's own when the evidence is only partial. */
  severity?: Severity;
  related?: RelatedLocation[];
  djangoCheck?: string;
}

const quoteCache = new WeakMap<object, '"' | "'">();

/** The module's quote style, computed once per source text rather than once per rule. */
function moduleQuote(project: Project, file: string): '"' | "'" {
  const source = project.store.get(file);
  if (!source) return '"';
  let quote = quoteCache.get(source);
  if (!quote) {
    quote = preferredQuote(source.text);
    quoteCache.set(source, quote);
  }
  return quote;
}

/** Every binding of the module is looked at: once per evaluation, not once per finding. */
const styleOfModule = new WeakMap<EvaluatedModule, EnvironmentStyle>();

function readEnvironmentStyle(evaluated: EvaluatedModule): EnvironmentStyle {
  let environ: string | undefined;
  let decouple: string | undefined;
  evaluated.bindings.forEach((binding, bound) => {
    if (binding.kind === 'environ-env') environ ??= bound;
    else if (binding.kind === 'module' && binding.qualified === 'decouple.config') decouple ??= bound;
  });
  if (environ !== undefined) return { kind: 'environ', env: environ };
  if (decouple !== undefined) return { kind: 'decouple', config: decouple };
  return { kind: 'os' };
}

/**
 * A fix's title as the lightbulb shows it: where the edit lands when that is another file
 * than the finding's (`Set DEBUG = False in production.py`), and a mark on fixes that change
 * what the running site does.
 */
function titled(fix: Fix, shownIn: string): Fix {
  const elsewhere = [...new Set(fix.edits.map((edit) => edit.file))].filter((file) => file !== shownIn);
  let title = fix.title;
  if (elsewhere.length > 0) title += ` in ${elsewhere.map((file) => path.basename(file)).join(', ')}`;
  if (fix.safety === 'unsafe') title += ' (changes runtime behaviour)';
  return title === fix.title ? fix : { ...fix, title };
}

/** How the module reads its environment, so externalised secrets look like the rest. */
export type EnvironmentStyle = { kind: 'os' } | { kind: 'decouple'; config: string } | { kind: 'environ'; env: string };

/**
 * What a settings rule sees: the effective settings of one production module, and
 * builders for findings and fixes. Everything here is read-only.
 */
export class SettingsRuleContext {
  readonly quote: '"' | "'";

  constructor(
    readonly meta: RuleMeta,
    readonly project: Project,
    readonly module: SettingsModuleInfo,
    readonly evaluated: EvaluatedModule,
  ) {
    this.quote = moduleQuote(project, module.file);
  }

  /** The setting as the module ends up with it, or undefined when nothing in the chain sets it. */
  setting(name: string): SettingState | undefined {
    return this.evaluated.settings.get(name);
  }

  /** The effective value, falling back to Django's global default. */
  value(name: string): Value {
    return this.setting(name)?.value ?? DJANGO_DEFAULTS[name] ?? UNKNOWN;
  }

  isSet(name: string): boolean {
    return this.evaluated.settings.has(name);
  }

  /** Known string items of a list setting (MIDDLEWARE, INSTALLED_APPS) known whole, or undefined. */
  strings(name: string): string[] | undefined {
    return asStringList(this.value(name));
  }

  /**
   * Whether a list setting holds `item`: true when it certainly does, false when it
   * certainly does not, undefined when the list is not known well enough to tell.
   */
  listHas(name: string, item: string): boolean | undefined {
    return listHolds(this.value(name), item);
  }

  /** Whether the effective SILENCED_SYSTEM_CHECKS silences a Django check id (certainly holds it). */
  silenced(djangoCheck: string): boolean {
    const present = presentItems(this.value('SILENCED_SYSTEM_CHECKS'));
    return (
      present?.items.some((item) => {
        const view = unsetView(item);
        return view.kind === 'string' && view.value === djangoCheck;
      }) ?? false
    );
  }

  /** The Django the project declares (its lowest allowed version), or the supported one assumed. */
  get django(): DjangoVersionInfo {
    return djangoVersionOf(this.project);
  }

  /** Whether the project runs Django `minimum` or later (an undeclared one counts as 4.2). */
  djangoAtLeast(...minimum: number[]): boolean {
    return compareVersions(this.django.version, minimum) >= 0;
  }

  /**
   * The setting Django takes its middleware from: MIDDLEWARE_CLASSES before Django 1.10, or
   * on 1.10 and 1.11 when MIDDLEWARE is not set; MIDDLEWARE otherwise. A project declaring no
   * version that sets only MIDDLEWARE_CLASSES is taken for one of those old projects.
   */
  get middleware(): 'MIDDLEWARE' | 'MIDDLEWARE_CLASSES' {
    if (this.middlewareName) return this.middlewareName;
    const { version, declared } = this.django;
    const classes = this.isSet('MIDDLEWARE_CLASSES');
    const middleware = this.isSet('MIDDLEWARE') && unsetView(this.value('MIDDLEWARE')).kind !== 'none';
    let name: 'MIDDLEWARE' | 'MIDDLEWARE_CLASSES' = 'MIDDLEWARE';
    // NOTE: https://docs.djangoproject.com/en/1.10/topics/http/middleware/#upgrading-pre-django-1-10-style-middleware
    if (declared && compareVersions(version, [1, 10]) < 0) name = 'MIDDLEWARE_CLASSES';
    else if (!middleware && classes && (!declared || compareVersions(version, [2, 0]) < 0)) name = 'MIDDLEWARE_CLASSES';
    this.middlewareName = name;
    return name;
  }
  private middlewareName?: 'MIDDLEWARE' | 'MIDDLEWARE_CLASSES';

  /** A Python string literal in the quote style the module already uses. */
  str(value: string): string {
    return pythonString(value, this.quote);
  }

  /** The environment reader the module already uses, else plain os.environ. */
  environmentStyle(): EnvironmentStyle {
    let style = styleOfModule.get(this.evaluated);
    if (!style) {
      style = readEnvironmentStyle(this.evaluated);
      styleOfModule.set(this.evaluated, style);
    }
    return style;
  }

  /**
   * Source text that reads a required environment variable in the module's own style,
   * with the import it needs.
   */
  requiredEnvRead(variable: string): { text: string; imports: string[] } {
    const style = this.environmentStyle();
    if (style.kind === 'environ') return { text: `${style.env}(${this.str(variable)})`, imports: [] };
    if (style.kind === 'decouple') return { text: `${style.config}(${this.str(variable)})`, imports: [] };
    return { text: `os.environ[${this.str(variable)}]`, imports: ['import os'] };
  }

  /** Range for a definition: its first line, so a long list is not underlined whole. */
  definitionRange(def: SettingDefinition): Range {
    const { start, end } = def.statement.range;
    if (start.line === end.line) return def.statement.range;
    const source = this.project.store.get(def.statement.file);
    const line = source ? textAt(source, { start: { line: start.line, character: 0 }, end: { line: start.line, character: Number.MAX_SAFE_INTEGER } }) : '';
    return { start, end: { line: start.line, character: line.trimEnd().length } };
  }

  /** Related locations explaining why a line in a base module is judged for this module. */
  inheritedFrom(location: Location): RelatedLocation[] {
    if (location.file === this.module.file) return [];
    const site = this.importSiteFor(location.file);
    const included = [...this.evaluated.included].some((file) => file === location.file);
    const through = included ? 'runs this file through include()' : 'inherits this value through `from … import *`';
    return [
      {
        file: this.module.file,
        range: site?.range ?? this.evaluated.layout.anchor.range,
        message: `${this.project.relative(this.module.file)} ${through} and does not override it`,
      },
    ];
  }

  /**
   * Where the module takes in a settings file the repository does not hold (see
   * EvaluatedModule.localOverrides): the deployment's own settings there may change what is
   * reported.
   */
  private localOverrideSites(): RelatedLocation[] {
    return this.evaluated.localOverrides.map(({ name, site }) => ({
      file: site.file,
      range: site.range,
      message: `${this.project.relative(site.file)} takes in \`${name}\` here, a file the repository does not hold: a deployment's own settings there may change this`,
    }));
  }

  /** The star import of this module through which `file`'s settings arrive. */
  private importSiteFor(file: string) {
    for (const [imported, site] of this.evaluated.starImportSites) {
      if (imported === file || this.project.chainOf(imported).includes(file)) return site;
    }
    return undefined;
  }

  /** A finding on the line that gives a setting its effective value. */
  atSetting(state: SettingState, message: string, options: FindingOptions = {}): Finding {
    const def = state.definition;
    return this.finding({ file: def.statement.file, range: this.definitionRange(def) }, message, options);
  }

  /** A finding on one value inside a setting (a dict entry, a list item). */
  atValue(location: Location, message: string, options: FindingOptions = {}): Finding {
    return this.finding(location, message, options);
  }

  /** A finding for a setting that is missing: on the module's first line after its imports. */
  atMissing(message: string, options: FindingOptions = {}): Finding {
    return { ...this.finding(this.evaluated.layout.anchor, message, options), missingSetting: true };
  }

  /** A finding where `name` is set if it is, else where a missing setting is reported. */
  atSettingOrMissing(name: string, message: string, options: FindingOptions = {}): Finding {
    const state = this.setting(name);
    return state ? this.atSetting(state, message, options) : this.atMissing(message, options);
  }

  private finding(location: Location, message: string, options: FindingOptions): Finding {
    return buildFinding(this.meta, {
      ...options,
      file: location.file,
      range: location.range,
      message,
      related: [...(options.related ?? []), ...this.inheritedFrom(location), ...this.localOverrideSites()],
      fixes: (options.fixes ?? []).map((fix) => titled(fix, location.file)),
    });
  }

  /** A fix made of settings intents, with the rule's declared safety. The title says what; where and how risky is added when the finding is made. */
  fix(title: string, intents: SettingsIntent[]): Fix {
    return buildFix(this.meta, title, buildSettingsEdits(this.evaluated, this.project.store, intents), { intents });
  }
}
