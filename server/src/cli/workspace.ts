import { statSync } from 'node:fs';
import path from 'node:path';
import { dependencyFilesAbove, loadProjectConfig, walkFiles, type ConfigProblem, type HardenerConfig } from '../engine';
import { isWithin } from './paths';
import { findProjectRoot } from './project-root';
import { mergeSelection } from './rule-selection';

/** One Django project touched by the paths given on the command line. */
export interface CheckTarget {
  root: string;
  config: HardenerConfig;
  configFile?: string;
  configProblems: ConfigProblem[];
  /** The paths named on the command line that lie in this project (absolute). */
  paths: string[];
  /** Files below those paths: the files checked and reported on. */
  checked: string[];
  /** Dead symbolic links below those paths (broken, or loops), with why; see readsFile. */
  deadLinks: { file: string; message: string }[];
  /**
   * Every file of the project, for settings discovery: checking only production.py must
   * still know that dev.py is a development module and base.py a base.
   */
  files: string[];
}

export interface Workspace {
  targets: CheckTarget[];
  /** Paths that could not be walked (missing, link loops, unreadable directories). */
  problems: { file: string; message: string }[];
}

export interface SelectionOptions {
  select?: string[];
  ignore: string[];
  exclude: string[];
  /** False with `--no-foreign-noqa`: other linters' suppressions do not silence our rules. */
  foreignNoqa?: boolean;
  /** An absolute path: this configuration file instead of each project's own. */
  configFile?: string;
}

/** Groups the given paths by project root and lists each project's files. */
export function openWorkspace(paths: readonly string[], cwd: string, options: SelectionOptions): Workspace {
  const problems: Workspace['problems'] = [];
  // Every path given is looked at, before nested ones are folded into the folders holding
  // them: a missing file is named even when a folder given with it exists.
  const absolute = [...new Set(paths.map((p) => path.resolve(cwd, p)))].filter((p) => {
    try {
      statSync(p);
      return true;
    } catch {
      // walkFiles knows how to name the problem (missing, broken link, link loop).
      problems.push(...walkFiles([p], [], cwd).problems);
      return false;
    }
  });
  const distinct = absolute.filter((p) => !absolute.some((other) => other !== p && isWithin(other, p)));
  const byRoot = new Map<string, string[]>();
  for (const p of distinct) {
    const root = findProjectRoot(p);
    byRoot.set(root, [...(byRoot.get(root) ?? []), p]);
  }
  const targets: CheckTarget[] = [];
  for (const [root, rootPaths] of [...byRoot].sort(([a], [b]) => a.localeCompare(b))) {
    const loaded = loadProjectConfig(root, options.configFile);
    const config = { ...mergeSelection(loaded.config, options), ...(options.foreignNoqa === false ? { foreignNoqa: false } : {}) };
    const excludes = [...config.exclude, ...options.exclude];
    const checkedWalk = walkFiles(rootPaths, excludes, root);
    problems.push(...checkedWalk.problems);
    const modelFiles = rootPaths.includes(root) ? [] : walkFiles([root], excludes, root).files;
    const files = [...new Set([...modelFiles, ...checkedWalk.files, ...dependencyFilesAbove(root)])].sort();
    targets.push({ root, config, configFile: loaded.file, configProblems: loaded.problems, paths: rootPaths, checked: checkedWalk.files, deadLinks: checkedWalk.deadLinks, files });
  }
  return { targets, problems: dedupeProblems(problems) };
}

function dedupeProblems(problems: Workspace['problems']): Workspace['problems'] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    if (seen.has(p.file)) return false;
    seen.add(p.file);
    return true;
  });
}
