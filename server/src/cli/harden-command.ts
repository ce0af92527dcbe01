import { statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { applyTextEdits, DiskSourceStore, editsByFile, encodeSource, hardenSettingsModule, initPythonParser, loadProjectConfig, Project, walkFiles } from '../engine';
import { EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE } from './exit-codes';
import { plural } from './formatters/text';
import type { CliIO } from './io';
import { displayPath } from './paths';
import { findProjectRoot } from './project-root';
import { unwritableReason } from './project-writes';
import { unifiedDiff } from './unified-diff';

export interface HardenOptions {
  /** Write the files instead of printing a diff. */
  write: boolean;
}

/**
 * `django-hardener harden [SETTINGS_FILE] [--diff | --write]`: every settings fix of one
 * production module as one edit. Prints a unified diff on stdout (exit 1 when there is a
 * change to make, 0 when there is none, as `ruff --diff` does) or writes the files (exit 0,
 * or 1 if a file cannot be written); exit 2 when there is no single module to harden or it
 * cannot be hardened.
 */
export async function runHarden(settingsFile: string | undefined, options: HardenOptions, io: CliIO): Promise<number> {
  const show = (file: string) => displayPath(io.cwd, file);
  // With --diff, stdout carries only the patch, so it can be piped to `git apply`.
  const say = options.write ? (line: string) => io.out(line + '\n') : io.err;

  let target: string | undefined;
  if (settingsFile !== undefined) {
    target = path.resolve(io.cwd, settingsFile);
    let isFile = false;
    try {
      isFile = statSync(target).isFile();
    } catch {
      io.err(`${show(target)}: error: no such file`);
      return EXIT_USAGE;
    }
    if (!isFile) {
      io.err(`${show(target)}: error: not a file; name a settings module such as mysite/settings.py`);
      return EXIT_USAGE;
    }
  }

  await initPythonParser();
  const root = findProjectRoot(target ?? io.cwd);
  const { config, problems, file: configFile } = loadProjectConfig(root);
  if (configFile) for (const problem of problems) io.err(`${show(configFile)}: warning: ${problem.message}`);
  const walked = walkFiles([root], config.exclude, root).files;
  const store = new DiskSourceStore();
  const project = new Project(root, [...new Set([...walked, ...(target ? [target] : [])])].sort(), store, config);
  try {
    if (!target) {
      const candidates = project.productionModules();
      if (candidates.length !== 1) {
        const where = show(root);
        io.err(
          candidates.length === 0
            ? `django-hardener: error: no production settings module found in ${where}; name one: django-hardener harden path/to/settings.py`
            : `django-hardener: error: ${candidates.length} production settings modules found in ${where}; name the one to harden:`,
        );
        for (const candidate of candidates) io.err(`  ${show(candidate.file)}`);
        return EXIT_USAGE;
      }
      target = candidates[0].file;
    }
    store.get(target);
    const unreadable = store.problems.get(target);
    if (unreadable) {
      io.err(`${show(target)}: error: ${unreadable}`);
      return EXIT_USAGE;
    }

    const result = hardenSettingsModule(project, target, config);
    if (result.problem) {
      io.err(`${show(target)}: error: ${result.problem}`);
      return EXIT_USAGE;
    }
    const changes = [...editsByFile(result.edits)]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([file, edits]) => {
        const before = store.get(file)?.text ?? '';
        return { file, before, after: applyTextEdits(before, edits) };
      })
      .filter((change) => change.after !== change.before);
    const manual = () => {
      if (result.remaining.length > 0) {
        say(`${plural(result.remaining.length, 'problem')} in ${show(target!)} need${result.remaining.length === 1 ? 's' : ''} a change by hand; \`django-hardener check\` lists them.`);
      }
    };
    if (changes.length === 0) {
      say(`Nothing to harden in ${show(target)}.`);
      manual();
      return EXIT_CLEAN;
    }

    let status = EXIT_CLEAN;
    // One edit across the module and its bases: written whole, or not at all.
    const refused = options.write
      ? changes.flatMap((change) => {
          const reason = unwritableReason(root, change.file);
          return reason ? [{ file: change.file, reason }] : [];
        })
      : [];
    if (refused.length > 0) {
      for (const { file, reason } of refused) io.err(`${show(file)}: ${reason.severity}: ${reason.message}`);
      io.err(`django-hardener: error: nothing written, since hardening ${show(target)} changes these files together with the others`);
      return EXIT_FINDINGS;
    }
    if (options.write) {
      for (const change of changes) {
        try {
          writeFileSync(change.file, encodeSource(change.after, store.hadBom(change.file)));
          say(`Wrote ${show(change.file)}`);
        } catch (error) {
          io.err(`${show(change.file)}: error: cannot write (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
          status = EXIT_FINDINGS;
        }
      }
      say(`Hardened ${show(target)}: fixed ${plural(result.findings.length, 'problem')}.`);
    } else {
      io.out(changes.map((change) => unifiedDiff(show(change.file), change.before, change.after)).join(''));
      say(`Hardening ${show(target)} fixes ${plural(result.findings.length, 'problem')}; run with --write to apply.`);
      status = EXIT_FINDINGS;
    }
    const required = result.environment.filter((v) => v.required);
    const optional = result.environment.filter((v) => !v.required);
    if (required.length > 0) {
      say('Production must now set these environment variables (the settings refuse to start without them):');
      for (const variable of required) say(`  ${variable.name}`);
    }
    if (optional.length > 0) {
      say('These are read too, with a default that is safe in production:');
      for (const variable of optional) say(`  ${variable.name}`);
    }
    if (result.developmentSwitch) say(`To run the site locally (manage.py runserver, plain HTTP), set ${result.developmentSwitch}=True.`);
    manual();
    return status;
  } finally {
    store.dispose();
  }
}
