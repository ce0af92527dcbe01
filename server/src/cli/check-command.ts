import { writeFileSync } from 'node:fs';
import { sortFindings, type AnalysisNote } from '../engine/analyze';
import { noteSubject } from '../engine/guarded';
import { ruleEnabled, type HardenerConfig } from '../engine/config';
import { initPythonParser } from '../engine/parse/python';
import { encodeSource } from '../engine/parse/source';
import { docsUrl } from '../engine/rules/rule';
import { ALL_RULES } from '../engine/rules/registry';
import type { Finding, Severity } from '../engine/types';
import { analyzeTarget, type TargetAnalysis } from './analysis';
import { EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE } from './exit-codes';
import { MAX_FIX_ROUNDS, runFixLoop, type FixLoopResult } from './fix-loop';
import { FORMATTERS, type OutputFormat, type ReportedRule } from './formatters';
import { plural } from './formatters/text';
import type { CliIO } from './io';
import { displayPath } from './paths';
import { FileAnalysisPool, MIN_FILES_FOR_WORKERS, workerCount } from './worker-pool';
import { unwritableReason, type Unwritable } from './project-writes';
import { openWorkspace, type CheckTarget } from './workspace';

export interface CheckOptions {
  format: OutputFormat;
  /** Undefined when `--select` was not given (the configuration decides). */
  select?: string[];
  ignore: string[];
  fix: boolean;
  unsafeFixes: boolean;
  exclude: string[];
  quiet: boolean;
  version: string;
}

/**
 * `django-hardener check`: exit 0 when nothing is found, 1 when findings remain, a file
 * could not be read or written, or a rule failed on a file; 2 when nothing could be checked.
 */
export async function runCheck(paths: readonly string[], options: CheckOptions, io: CliIO): Promise<number> {
  await initPythonParser();
  const workspace = openWorkspace(paths.length > 0 ? paths : ['.'], io.cwd, options);
  const show = (file: string) => displayPath(io.cwd, file);
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

  const findings: Finding[] = [];
  let fixed = 0;
  let productionModules = 0;
  const pool = workspace.targets.some((target) => target.checked.length >= MIN_FILES_FOR_WORKERS) ? FileAnalysisPool.create(workerCount()) : undefined;
  try {
    for (const target of workspace.targets) {
      if (target.configFile && !options.quiet) for (const problem of target.configProblems) io.err(`${show(target.configFile)}: warning: ${problem.message}`);
      let analysis: TargetAnalysis;
      if (options.fix) {
        const outcome = await fixAndWrite(target, (texts) => analyzeTarget(target, texts, log, pool, warn), options, io);
        analysis = outcome.analysis;
        fixed += outcome.fixed;
        if (outcome.failed) unreadable = true;
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
      findings.push(...analysis.findings);
      productionModules += analysis.productionModules;
      analysis.store.dispose();
    }
  } finally {
    await pool?.close();
  }
  if (productionModules === 0 && !options.quiet) io.err('django-hardener: note: no production settings module found, so the settings rules had nothing to check');

  const reported = sortFindings(dedupe(findings));
  const configs = workspace.targets.map((target) => target.config);
  io.out(FORMATTERS[options.format](reported, { cwd: io.cwd, rules: reportedRules(configs), toolVersion: options.version, quiet: options.quiet }));
  if (options.fix && !options.quiet) io.err(`Fixed ${plural(fixed, 'problem')}.`);

  return reported.length > 0 || unreadable ? EXIT_FINDINGS : EXIT_CLEAN;
}

/**
 * `--fix` for one project: the fix loop over texts in memory, then the writes. Files that
 * must not be written (see unwritableReason) are named and left alone before anything is
 * written, the loop running again without touching them, so that a fix spanning several
 * files is made whole or not at all. A write that still fails is named, its file's fixes are
 * not counted, and what is reported is analysed from what the disk then holds.
 */
async function fixAndWrite(
  target: CheckTarget,
  analyze: (texts: Map<string, string>) => Promise<TargetAnalysis>,
  options: CheckOptions,
  io: CliIO,
): Promise<{ analysis: TargetAnalysis; fixed: number; failed: boolean }> {
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
  const made = result.applied.filter((planned) => planned.fix.edits.every((edit) => written.has(edit.file)));
  const fixed = made.reduce((count, planned) => count + planned.addresses, 0);
  if (written.size === result.texts.size) return { analysis: result.final, fixed, failed };
  // What remains is what the disk holds now.
  result.final.store.dispose();
  return { analysis: await analyze(written), fixed, failed };
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
