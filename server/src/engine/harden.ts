import { analyzeSettingsModule } from './analyze';
import type { HardenerConfig } from './config';
import { applyFixes } from './fixes/apply';
import { environmentVariablesRead, type EnvironmentVariable } from './fixes/environment-variables';
import { buildSettingsEdits } from './fixes/settings-editor';
import { makeSource } from './project/disk-store';
import { Project, type SettingsModuleInfo } from './project/project';
import type { SourceFile, SourceStore } from './project/source-store';
import { applyTextEdits, comparePositions, editsByFile, lineStarts, offsetAt, positionAt } from './text';
import type { Finding, Fix, Location, SettingsIntent, TextEdit } from './types';

export interface HardenResult {
  /** One edit list for the module and the modules it star-imports; empty when nothing is left to do. */
  edits: TextEdit[];
  /**
   * The findings the edits address. Those that appear only once others are fixed (HSTS
   * preload once HSTS is on) are located in the text as the earlier fixes leave it.
   */
  findings: Finding[];
  /** Findings left after the edits (located in the edited text) that no fix addresses: they need a change by hand. */
  remaining: Finding[];
  /** The environment variables the edited settings read: production must set the required ones. */
  environment: EnvironmentVariable[];
  /**
   * In a module that also serves development, the variable DEBUG reads after the edits:
   * set to True it runs the site locally (runserver over plain HTTP, a development key).
   */
  developmentSwitch?: string;
  /**
   * Why the module cannot be hardened at all (not a production module, unreadable,
   * incomplete), as a sentence about "this" module for the caller to prefix with its name.
   */
  problem?: string;
}

/**
 * Fixed first, alone: other fixes read it. With DEBUG read from the environment, a module
 * that also serves development gets `not DEBUG` for its HTTPS settings and a development
 * fallback for its required variables (see debuggingTest), so runserver keeps working.
 */
const FIRST = 'DJH101';

/**
 * Some findings appear only once another is fixed (HSTS subdomains and preload once HSTS
 * is on); the composition looks again this many times so that a second run has nothing to do.
 */
const MAX_ROUNDS = 5;

/**
 * Composes every settings fix of one production module into one edit ("Harden settings").
 * The fixes' intents are merged before any text is built, so several new settings share
 * one `# Security hardening` block instead of clashing at one insertion point. Findings
 * silenced by `# noqa` are left alone. Never throws on user input.
 */
export function hardenSettingsModule(project: Project, file: string, config: HardenerConfig): HardenResult {
  const module = project.settingsModule(file);
  if (!module) return refuse('this is not a settings module of the project (name it in production-settings under [tool.django-hardener] if it is one)');
  if (module.role !== 'production') {
    return refuse(`this is a ${module.role} settings module (${module.reason}); only production modules are hardened`);
  }
  const first = analyzeSettingsModule(project, module, { config });
  const evaluated = project.evaluate(file);
  if (first.skipped || !evaluated) return refuse(`this module cannot be hardened: ${first.skipped?.reason ?? 'it cannot be read'}`);

  const intents: SettingsIntent[] = [];
  const addressed: Finding[] = [];
  const plainFixes: { finding: Finding; fix: Fix }[] = [];
  let findings = first.findings;
  let edits: TextEdit[] = [];
  for (const finding of findings) {
    const fix = finding.fixes[0];
    if (fix && (!fix.intents || fix.intents.length === 0)) plainFixes.push({ finding, fix });
  }
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const fresh: SettingsIntent[] = [];
    const first = round === 0 && findings.some((f) => f.code === FIRST && f.fixes[0]?.intents?.length);
    for (const finding of findings) {
      if (first && finding.code !== FIRST) continue;
      const fix = finding.fixes[0];
      if (!fix) continue;
      // Fixes without intents are taken from the original text only (below).
      if (!fix.intents || fix.intents.length === 0) continue;
      // Later rounds read edited text; their intents are restated against the original.
      const restated = edits.length === 0 ? fix.intents : fix.intents.map((intent) => restate(intent, edits, project.store)).filter((i): i is SettingsIntent => !!i);
      const unseen = restated.filter((intent) => ![...intents, ...fresh].some((known) => sameIntent(known, intent)));
      if (unseen.length === 0) continue;
      fresh.push(...unseen);
      addressed.push(finding);
    }
    if (fresh.length === 0 && !first) break;
    intents.push(...fresh);
    edits = buildSettingsEdits(evaluated, project.store, intents);
    findings = analyzeEdited(project, module, edits, config);
  }

  if (plainFixes.length > 0) {
    // Fixes without intents cannot be merged; they join only where they do not clash.
    const composite: Fix = { title: 'settings intents', safety: 'unsafe', edits };
    const { applied } = applyFixes([composite, ...plainFixes.map((p) => p.fix)], (f) => project.store.get(f)?.text);
    for (const { finding, fix } of plainFixes) if (applied.includes(fix)) addressed.push(finding);
    edits = applied.flatMap((fix) => fix.edits);
    findings = analyzeEdited(project, module, edits, config);
  }
  const environment = environmentVariablesRead(edits.map((edit) => edit.newText));
  const remaining = findings.filter((finding) => finding.fixes.length === 0);
  return { edits, findings: addressed, remaining, environment, developmentSwitch: edits.length > 0 ? developmentSwitch(project, module, edits, config) : undefined };
}

/** A fix to make, and how many findings it addresses. */
export interface PlannedFix {
  fix: Fix;
  addresses: number;
}

/**
 * The fixes one round of `--fix` makes for these findings: each finding's chosen fix,
 * except that the settings fixes of a production module become one fix with their intents
 * composed as "Harden settings" composes them (buildSettingsEdits: new settings share one
 * `# Security hardening` block). Made one by one, every new setting would insert at the same
 * place and only one of them could be made per round.
 */
export function fixesForRound(project: Project, config: HardenerConfig, findings: readonly Finding[], choose: (finding: Finding) => Fix | undefined): PlannedFix[] {
  const key = (f: Finding) => `${f.file}\0${f.range.start.line}:${f.range.start.character}\0${f.code}\0${f.message}`;
  const chosen = new Map<string, Fix>();
  for (const finding of findings) {
    const fix = choose(finding);
    if (fix) chosen.set(key(finding), fix);
  }
  const composed: PlannedFix[] = [];
  const covered = new Set<string>();
  if ([...chosen.values()].some((fix) => fix.intents && fix.intents.length > 0)) {
    for (const module of project.productionModules()) {
      const evaluated = project.evaluate(module.file);
      if (!evaluated) continue;
      const intents: SettingsIntent[] = [];
      let addresses = 0;
      // The module's own findings tell which of the findings are its: two modules may share one.
      for (const finding of analyzeSettingsModule(project, module, { config }).findings) {
        const fix = chosen.get(key(finding));
        if (!fix?.intents?.length || covered.has(key(finding))) continue;
        covered.add(key(finding));
        addresses++;
        for (const intent of fix.intents) if (!intents.some((known) => sameIntent(known, intent))) intents.push(intent);
      }
      if (intents.length === 0) continue;
      const fix: Fix = { title: `Harden ${project.relative(module.file)}`, safety: 'unsafe', edits: buildSettingsEdits(evaluated, project.store, intents), intents };
      composed.push({ fix, addresses });
    }
  }
  const single = [...chosen].filter(([k]) => !covered.has(k)).map(([, fix]) => ({ fix, addresses: 1 }));
  return [...composed, ...single];
}

function refuse(problem: string): HardenResult {
  return { edits: [], findings: [], remaining: [], environment: [], problem };
}

/** The module's findings as they would be after the edits, read from a copy of the project. */
function analyzeEdited(project: Project, module: SettingsModuleInfo, edits: TextEdit[], config: HardenerConfig): Finding[] {
  return inEdited(project, edits, config, (edited) => analyzeSettingsModule(edited, module, { config }).findings);
}

/** What `read` finds in a copy of the project with the edits applied. */
function inEdited<T>(project: Project, edits: TextEdit[], config: HardenerConfig, read: (edited: Project) => T): T {
  const texts = new Map<string, string>();
  for (const [file, fileEdits] of editsByFile(edits)) {
    const text = project.store.get(file)?.text;
    if (text !== undefined) texts.set(file, applyTextEdits(text, fileEdits));
  }
  if (texts.size === 0) return read(project);
  const overlay = new OverlayStore(project.store, texts);
  try {
    return read(new Project(project.root, project.files, overlay, config));
  } finally {
    overlay.dispose();
  }
}

/** The environment variable DEBUG reads once the edits are made, in a module that also serves development. */
function developmentSwitch(project: Project, module: SettingsModuleInfo, edits: TextEdit[], config: HardenerConfig): string | undefined {
  if (module.explicit) return undefined;
  return inEdited(project, edits, config, (edited) => {
    const debug = edited.evaluate(module.file)?.settings.get('DEBUG')?.value;
    return debug?.kind === 'env' ? debug.variable : undefined;
  });
}

/** A store that serves edited texts for some files and the underlying store's for the rest. */
class OverlayStore implements SourceStore {
  private readonly sources = new Map<string, ReturnType<typeof makeSource>>();

  constructor(
    private readonly base: SourceStore,
    private readonly texts: Map<string, string>,
  ) {}

  get(file: string): SourceFile | undefined {
    const text = this.texts.get(file);
    if (text === undefined) return this.base.get(file);
    let source = this.sources.get(file);
    if (!source) {
      source = makeSource(file, text);
      this.sources.set(file, source);
    }
    return source;
  }

  exists(file: string): boolean {
    return this.texts.has(file) || this.base.exists(file);
  }

  dispose(): void {
    for (const source of this.sources.values()) source.dispose();
    this.sources.clear();
  }
}

/**
 * An intent found in edited text, restated against the original text. Intents that name a
 * setting hold as they are; a `replace` maps its location back through the edits, and is
 * dropped when it falls in text the edits inserted.
 */
function restate(intent: SettingsIntent, edits: readonly TextEdit[], store: SourceStore): SettingsIntent | undefined {
  if (intent.kind !== 'replace') return intent;
  const fileEdits = edits.filter((edit) => edit.file === intent.location.file).sort((a, b) => comparePositions(a.range.start, b.range.start));
  if (fileEdits.length === 0) return intent;
  const original = store.get(intent.location.file)?.text;
  if (original === undefined) return undefined;
  const starts = lineStarts(original);
  const edited = applyTextEdits(original, fileEdits);
  const editedStarts = lineStarts(edited);
  const start = offsetAt(edited, intent.location.range.start, editedStarts);
  const end = offsetAt(edited, intent.location.range.end, editedStarts);
  let shift = 0;
  for (const edit of fileEdits) {
    const editStart = offsetAt(original, edit.range.start, starts);
    const editEnd = offsetAt(original, edit.range.end, starts);
    const insertedStart = editStart + shift;
    const insertedEnd = insertedStart + edit.newText.length;
    if (end <= insertedStart) break;
    if (start < insertedEnd) return undefined;
    shift += edit.newText.length - (editEnd - editStart);
  }
  const location: Location = {
    file: intent.location.file,
    range: { start: positionAt(original, start - shift, starts), end: positionAt(original, end - shift, starts) },
  };
  return { ...intent, location };
}

function sameIntent(a: SettingsIntent, b: SettingsIntent): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
