import { writeFileSync } from 'node:fs';
import { sortFindings } from '../engine/analyze';
import { ruleEnabled, type HardenerConfig } from '../engine/config';
import { initPythonParser } from '../engine/parse/python';
import { encodeSource } from '../engine/parse/source';
import { docsUrl } from '../engine/rules/rule';
import { ALL_RULES } from '../engine/rules/registry';
import type { Finding, Severity } from '../engine/types';
import { analyzeTarget, type TargetAnalysis } from './analysis';
import { EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE } from './exit-codes';
import { MAX_FIX_ROUNDS, runFixLoop } from './fix-loop';
import { FORMATTERS, type OutputFormat, type ReportedRule } from './formatters';
import { plural } from './formatters/text';
import type { CliIO } from './io';
import { displayPath } from './paths';
import { unmatchedSelectors } from './rule-selection';
import { FileAnalysisPool, MIN_FILES_FOR_WORKERS, workerCount } from './worker-pool';
import { openWorkspace } from './workspace';

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
  /** False with `--no-foreign-noqa`. */
  foreignNoqa?: boolean;
}

/**
 * `django-hardener check`: exit 0 when nothing is found, 1 when findings remain or a file
 * could not be read, 2 when nothing could be checked or a rule failed internally.
 */
export async function runCheck(paths: readonly string[], options: CheckOptions, io: CliIO): Promise<number> {
  await initPythonParser();
  if (!options.quiet) {
    for (const selector of unmatchedSelectors([...(options.select ?? []), ...options.ignore])) io.err(`django-hardener: warning: ${selector} matches no rule`);
  }
  const workspace = openWorkspace(paths.length > 0 ? paths : ['.'], io.cwd, options);
  const show = (file: string) => displayPath(io.cwd, file);
  let unreadable = workspace.problems.length > 0;
  for (const problem of workspace.problems) io.err(`${show(problem.file)}: error: ${problem.message}`);
  if (workspace.targets.every((target) => target.checked.length === 0)) {
    io.err('django-hardener: error: no files to check');
    return EXIT_USAGE;
  }

  const internalErrors = new Set<string>();
  const log = (message: string) => {
    const firstLine = message.split('\n')[0];
    if (!internalErrors.has(firstLine)) {
      internalErrors.add(firstLine);
      io.err(`django-hardener: internal error: ${firstLine}`);
    }
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
        const result = await runFixLoop((texts) => analyzeTarget(target, texts, log, pool), options.unsafeFixes);
        analysis = result.final;
        fixed += result.fixed;
        if (!result.converged) io.err(`django-hardener: warning: fixes did not settle after ${MAX_FIX_ROUNDS} rounds; the last round's findings are shown`);
        for (const [file, text] of [...result.texts].sort(([a], [b]) => a.localeCompare(b))) {
          try {
            writeFileSync(file, encodeSource(text, result.bom.has(file)));
          } catch (error) {
            io.err(`${show(file)}: error: cannot write (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
            unreadable = true;
          }
        }
      } else {
        analysis = await analyzeTarget(target, new Map(), log, pool);
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

  if (internalErrors.size > 0) return EXIT_USAGE;
  return reported.length > 0 || unreadable ? EXIT_FINDINGS : EXIT_CLEAN;
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
