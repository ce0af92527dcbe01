import { statSync } from 'node:fs';
import path from 'node:path';
import { dependencyFilesAbove, DiskSourceStore, initPythonParser, loadProjectConfig, Project, renderSettingsModel, settingsModelReport, walkFiles } from '../engine';
import { EXIT_CLEAN, EXIT_USAGE } from './exit-codes';
import type { CliIO } from './io';
import { displayPath } from './paths';
import { findProjectRoot } from './project-root';

export interface SettingsOptions {
  format: 'text' | 'json';
  values: boolean;
}

/**
 * `django-hardener settings [PATH] [--format text|json] [--values]`: every module the tool
 * takes for a settings module, with its role and the reasons for it, and with `--values`
 * the effective security settings of each production module and where each comes from.
 * Exit 0, or 2 when the path does not exist.
 */
export async function runSettings(target: string | undefined, options: SettingsOptions, io: CliIO): Promise<number> {
  const start = path.resolve(io.cwd, target ?? '.');
  try {
    statSync(start);
  } catch {
    io.err(`${displayPath(io.cwd, start)}: error: no such file or directory`);
    return EXIT_USAGE;
  }
  await initPythonParser();
  const root = findProjectRoot(start);
  const { config, problems, file: configFile } = loadProjectConfig(root);
  if (configFile) for (const problem of problems) io.err(`${displayPath(io.cwd, configFile)}: warning: ${problem.message}`);
  const files = [...new Set([...walkFiles([root], config.exclude, root).files, ...dependencyFilesAbove(root)])].sort();
  const store = new DiskSourceStore();
  try {
    const report = settingsModelReport(new Project(root, files, store, config), { values: options.values });
    const show = (file: string) => displayPath(io.cwd, file);
    if (options.format === 'json') {
      const records = report.modules.map((m) => ({
        file: show(m.file),
        module: m.module,
        role: m.role,
        reasons: m.reasons,
        ...(m.notJudged ? { notJudged: m.notJudged } : {}),
        ...(m.values ? { django: { version: report.django.version.join('.'), declared: report.django.declared }, values: m.values } : {}),
      }));
      io.out(JSON.stringify(records, null, 2) + '\n');
    } else {
      io.out(renderSettingsModel(report, show));
    }
    return EXIT_CLEAN;
  } finally {
    store.dispose();
  }
}
