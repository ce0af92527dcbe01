import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  ALL_RULES,
  decodeSource,
  docsUrl,
  encodeSource,
  initPythonParser,
  NAME_PRODUCTION_ADVICE,
  noteSubject,
  ruleEnabled,
  sortFindings,
  type AnalysisNote,
  type Finding,
  type HardenerConfig,
  type Severity,
} from '../engine';
import { addNoqaComments } from './add-noqa';
import { analyzeTarget, type TargetAnalysis } from './analysis';
import { readBaseline, renderBaseline, withoutBaseline } from './baseline';
import { colorEnabled, createColors, type ColorMode } from './colors';
import { EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE } from './exit-codes';
import { MAX_FIX_ROUNDS, runFixLoop, type FixLoopResult } from './fix-loop';
import { FORMATTERS, type FormatContext, type OutputFormat, type ReportedRule } from './formatters';
import { formatStatisticsJson, formatStatisticsText } from './formatters/statistics';
import { plural } from './formatters/text';
import type { CliIO } from './io';
import { displayPath, isWithin } from './paths';
import { NOQA_WRITER, unwritableReason, type Unwritable } from './project-writes';
import { SourceLines } from './source-lines';
import { unifiedDiff } from './unified-diff';
import { FileAnalysisPool, MIN_FILES_FOR_WORKERS, workerCount } from './worker-pool';
import { openWorkspace, type CheckTarget } from './workspace';

export interface CheckOptions {
  format: OutputFormat;
  /** Undefined when `--select` was not given (the configuration decides). */
  select?: string[];
  ignore: string[];
  fix: boolean;
  unsafeFixes: boolean;
  /** Print what the fixes would change as a unified diff instead of writing it. */
  diff: boolean;
  exclude: string[];
  quiet: boolean;
  /** Exit 0 whatever is found (usage and internal errors still exit 2). */
  exitZero: boolean;
  /** Counts per rule code instead of the findings. */
  statistics: boolean;
  /** Text output quotes the reported lines. */
  showSource: boolean;
  color: ColorMode;
  /** Where the report goes instead of stdout. */
  outputFile?: string;
  /** Append `# noqa` comments for every finding instead of reporting. */
  addNoqa: boolean;
  /** Write the findings to this baseline file instead of reporting them. */
  writeBaseline?: string;
  /** A configuration file used instead of each project's own. */
  configFile?: string;
  version: string;
  /** False with `--no-foreign-noqa`. */
  foreignNoqa?: boolean;
}

/**
 * `django-hardener check`: exit 0 when nothing is found, 1 when findings remain, a file
 * could not be read or written, or a rule failed on a file; 2 when nothing could be
 * checked or the configuration or baseline cannot be read.
 */
export async function runCheck(paths: readonly string[], options: CheckOptions, io: CliIO): Promise<number> {
  const show = (file: string) => displayPath(io.cwd, file);
  const configFile = options.configFile && path.resolve(io.cwd, options.configFile);
  if (configFile) {
    try {
      readFileSync(configFile);
    } catch (error) {
      io.err(`${show(configFile)}: error: cannot read the configuration file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
      return EXIT_USAGE;
    }
  }
  await initPythonParser();
  const workspace = openWorkspace(paths.length > 0 ? paths : ['.'], io.cwd, { ...options, configFile });
  let unreadable = workspace.problems.length > 0;
  for (const problem of workspace.problems) io.err(`${show(problem.file)}: error: ${problem.message}`);
  if (workspace.targets.every((target) => target.checked.length === 0)) {
    io.err('django-hardener: error: no files to check');
    return EXIT_USAGE;
  }

  // A rule that gave up on a file is named once, however many fix rounds meet it; the
  // other rules' findings stand. A failure (a bug of ours) fails the run like an unreadable
  // file; a documented limit is a note.
  const noted = new Set<string>();
  const log = (note: AnalysisNote) => {
    const key = `${note.kind}\0${note.file}\0${note.code ?? note.analyzer}\0${note.message}`;
    if (noted.has(key)) return;
    noted.add(key);
    const who = noteSubject(note);
    if (note.kind === 'failed') {
      unreadable = true;
      io.err(`${show(note.file)}: error: ${who} failed on this file (${note.message}); the other rules' findings are reported`);
    } else if (!options.quiet) io.err(`${show(note.file)}: note: ${who} stopped on this file: ${note.message}`);
  };
  const warn = (message: string) => {
    if (!options.quiet) io.err(`django-hardener: warning: ${message}`);
  };

  const source = new SourceLines();
  const findings: Finding[] = [];
  const fixedTexts = new Map<string, string>();
  let fixed = 0;
  let productionModules = 0;
  const settingsModules: TargetAnalysis['settingsModules'] = [];
  const reportedConfigs = new Set<string>();
  const pool = workspace.targets.some((target) => target.checked.length >= MIN_FILES_FOR_WORKERS) ? FileAnalysisPool.create(workerCount()) : undefined;
  try {
    for (const target of workspace.targets) {
      if (target.configFile && !options.quiet && !reportedConfigs.has(target.configFile)) {
        reportedConfigs.add(target.configFile);
        for (const problem of target.configProblems) io.err(`${show(target.configFile)}: warning: ${problem.message}`);
      }
      let analysis: TargetAnalysis;
      if (options.fix || options.diff) {
        const outcome = await fixAndWrite(target, (texts) => analyzeTarget(target, texts, log, pool, warn), options, io);
        analysis = outcome.analysis;
        fixed += outcome.fixed;
        if (outcome.failed) unreadable = true;
        for (const [file, text] of outcome.texts) fixedTexts.set(file, text);
      } else {
        analysis = await analyzeTarget(target, new Map(), log, pool, warn);
      }
      for (const [file, message] of [...analysis.store.problems].sort(([a], [b]) => a.localeCompare(b))) {
        io.err(`${show(file)}: error: ${message}`);
        unreadable = true;
      }
      if (!options.quiet) {
        for (const { file, position } of analysis.syntaxErrors) {
          io.err(`${show(file)}:${position.line + 1}:${position.character + 1}: warning: syntax error; findings may be incomplete`);
        }
        for (const { file, reason } of analysis.skipped) io.err(`${show(file)}: note: settings not checked: ${reason}`);
      }
      for (const finding of analysis.findings) source.remember(finding.file, analysis.store.get(finding.file)?.text, analysis.store.hadBom(finding.file));
      const baselined = options.writeBaseline ? undefined : acceptedFindings(target, analysis.findings, source, io);
      if (baselined === 'error') return EXIT_USAGE;
      findings.push(...(baselined ?? analysis.findings));
      productionModules += analysis.productionModules;
      settingsModules.push(...analysis.settingsModules);
      analysis.store.dispose();
    }
  } finally {
    await pool?.close();
  }
  if (productionModules === 0 && !options.quiet) {
    io.err('django-hardener: note: no production settings module found, so the settings rules had nothing to check');
    if (settingsModules.length > 0) {
      io.err('  the settings modules found (django-hardener settings explains them):');
      for (const m of settingsModules) io.err(`  ${show(m.file)}: ${m.role}, ${m.reason}`);
      io.err(`  ${NAME_PRODUCTION_ADVICE}`);
    }
  }
  const reported = sortFindings(dedupe(findings));
  const lineOf = (f: Finding) => source.line(f.file, f.range.start.line);
  const settle = (code: number) => (options.exitZero ? EXIT_CLEAN : code);

  if (options.diff) {
    const changes = [...fixedTexts].sort(([a], [b]) => a.localeCompare(b)).map(([file, after]) => unifiedDiff(show(file), readOriginal(file), after));
    const changed = changes.filter((change) => change !== '');
    if (!emit(changed.join(''), options, io)) return EXIT_USAGE;
    if (!options.quiet) io.err(changed.length > 0 ? `Would fix ${plural(fixed, 'problem')} in ${plural(changed.length, 'file')}.` : 'No fixes available.');
    return settle(changed.length > 0 || unreadable ? EXIT_FINDINGS : EXIT_CLEAN);
  }

  if (options.writeBaseline) {
    const file = path.resolve(io.cwd, options.writeBaseline);
    if (!writeText(file, renderBaseline(reported, file, lineOf), io)) return settle(EXIT_FINDINGS);
    if (!options.quiet) {
      io.err(`Wrote ${plural(reported.length, 'finding')} to ${show(file)}.`);
      io.err(`Add \`baseline = "${path.relative(workspace.targets[0].root, file).split(path.sep).join('/')}"\` under [tool.django-hardener] so that check reports only new findings.`);
    }
    return settle(unreadable ? EXIT_FINDINGS : EXIT_CLEAN);
  }

  if (options.addNoqa) {
    const changes = addNoqaComments(reported, source);
    let failed = false;
    let silenced = 0;
    let files = 0;
    for (const [file, text] of [...changes.texts].sort(([a], [b]) => a.localeCompare(b))) {
      // The same guard as --fix: a link leading outside the project is never written through.
      const root = workspace.targets.find((target) => isWithin(target.root, file))?.root ?? io.cwd;
      const reason = unwritableReason(root, file, NOQA_WRITER);
      if (reason) io.err(`${show(file)}: ${reason.severity}: ${reason.message}`);
      if (reason || !writeText(file, encodeSource(text, source.hadBom(file)), io)) {
        failed = true;
        continue;
      }
      silenced += changes.silenced.get(file) ?? 0;
      files++;
    }
    for (const finding of changes.skipped) {
      io.err(`${show(finding.file)}:${finding.range.start.line + 1}:${finding.range.start.character + 1}: warning: no noqa comment for ${finding.code}: the line cannot take a comment`);
    }
    if (!options.quiet) io.err(`Added noqa comments for ${plural(silenced, 'finding')} in ${plural(files, 'file')}.`);
    return settle(failed || unreadable || changes.skipped.length > 0 ? EXIT_FINDINGS : EXIT_CLEAN);
  }

  const useColor = !options.outputFile && options.format === 'text' && colorEnabled(options.color, !!io.isTTY, io.env ?? {});
  const context: FormatContext = {
    cwd: io.cwd,
    rules: reportedRules(workspace.targets.map((target) => target.config)),
    toolVersion: options.version,
    quiet: options.quiet,
    source,
    colors: createColors(useColor),
    showSource: options.showSource,
  };
  const report = options.statistics ? (options.format === 'json' ? formatStatisticsJson(reported) : formatStatisticsText(reported, context)) : FORMATTERS[options.format](reported, context);
  if (!emit(report, options, io)) return EXIT_USAGE;
  if (options.fix && !options.quiet) io.err(`Fixed ${plural(fixed, 'problem')}.`);
  return settle(reported.length > 0 || unreadable ? EXIT_FINDINGS : EXIT_CLEAN);
}

/**
 * The findings a target's configured baseline does not accept; undefined without one, and
 * 'error' (already reported) when the baseline cannot be read.
 */
function acceptedFindings(target: CheckTarget, findings: Finding[], source: SourceLines, io: CliIO): Finding[] | 'error' | undefined {
  const file = target.config.baseline;
  if (!file) return undefined;
  try {
    return withoutBaseline(sortFindings(findings), file, readBaseline(file), (f) => source.line(f.file, f.range.start.line));
  } catch (error) {
    io.err(`${displayPath(io.cwd, file)}: error: ${(error as Error).message}`);
    return 'error';
  }
}

/** The report on stdout, or in `--output-file`; false when that file cannot be written. */
function emit(text: string, options: CheckOptions, io: CliIO): boolean {
  if (!options.outputFile) {
    io.out(text);
    return true;
  }
  return writeText(path.resolve(io.cwd, options.outputFile), text, io);
}

function writeText(file: string, content: string | Buffer, io: CliIO): boolean {
  try {
    writeFileSync(file, content);
    return true;
  } catch (error) {
    io.err(`${displayPath(io.cwd, file)}: error: cannot write (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    return false;
  }
}

/** A file's text as it is on disk, before the fixes held in memory. */
function readOriginal(file: string): string {
  try {
    const decoded = decodeSource(readFileSync(file));
    return decoded.ok ? decoded.text : '';
  } catch {
    return '';
  }
}

/**
 * `--fix` (or `--diff`, which writes nothing) for one project: the fix loop over texts in
 * memory, then the writes. Files that must not be written (see unwritableReason) are named
 * and left alone before anything is written, the loop running again without touching
 * them, so that a fix spanning several files is made whole or not at all. A write that
 * still fails is named, its file's fixes are not counted, and what is reported is analysed
 * from what the disk then holds.
 */
async function fixAndWrite(
  target: CheckTarget,
  analyze: (texts: Map<string, string>) => Promise<TargetAnalysis>,
  options: CheckOptions,
  io: CliIO,
): Promise<{ analysis: TargetAnalysis; fixed: number; failed: boolean; texts: Map<string, string> }> {
  const show = (file: string) => displayPath(io.cwd, file);
  const refused = new Map<string, Unwritable>();
  let result: FixLoopResult;
  for (;;) {
    result = await runFixLoop(analyze, { unsafe: options.unsafeFixes, config: target.config, editable: (file) => !refused.has(file) });
    const fresh = [...result.texts.keys()].flatMap((file) => {
      const reason = unwritableReason(target.root, file);
      return reason ? [[file, reason] as const] : [];
    });
    if (fresh.length === 0) break;
    for (const [file, reason] of fresh) refused.set(file, reason);
    result.final.store.dispose();
  }
  let failed = [...refused.values()].some((reason) => reason.severity === 'error');
  for (const [file, reason] of [...refused].sort(([a], [b]) => a.localeCompare(b))) io.err(`${show(file)}: ${reason.severity}: ${reason.message}`);
  if (!result.converged) io.err(`django-hardener: warning: fixes did not settle after ${MAX_FIX_ROUNDS} rounds; the last round's findings are shown`);
  const addressed = (made: (file: string) => boolean) =>
    result.applied.filter((planned) => planned.fix.edits.every((edit) => made(edit.file))).reduce((count, planned) => count + planned.addresses, 0);
  if (!options.fix) return { analysis: result.final, fixed: addressed(() => true), failed, texts: result.texts };
  const written = new Map<string, string>();
  for (const [file, text] of [...result.texts].sort(([a], [b]) => a.localeCompare(b))) {
    try {
      writeFileSync(file, encodeSource(text, result.bom.has(file)));
      written.set(file, text);
    } catch (error) {
      io.err(`${show(file)}: error: cannot write (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); its fixes are not made`);
      failed = true;
    }
  }
  const fixed = addressed((file) => written.has(file));
  if (written.size === result.texts.size) return { analysis: result.final, fixed, failed, texts: written };
  // What remains is what the disk holds now.
  result.final.store.dispose();
  return { analysis: await analyze(written), fixed, failed, texts: written };
}

/** Rules enabled by any of the configurations, with the severity the first one gives them. */
function reportedRules(configs: readonly HardenerConfig[]): ReportedRule[] {
  return ALL_RULES.filter((rule) => configs.some((config) => ruleEnabled(config, rule.meta.code))).map((rule) => {
    const configured = configs.map((config) => config.severity[rule.meta.code]).find((level): level is Severity => !!level && level !== 'off');
    return {
      code: rule.meta.code,
      name: rule.meta.name,
      summary: rule.meta.summary,
      severity: configured ?? rule.meta.severity,
      helpUri: docsUrl(rule.meta.code),
      docs: rule.docs,
      fix: rule.meta.fix,
    };
  });
}

/** Nested projects can report one line twice. */
function dedupe(findings: readonly Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.file}\0${f.range.start.line}:${f.range.start.character}\0${f.code}\0${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
