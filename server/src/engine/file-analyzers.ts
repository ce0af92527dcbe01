import type { FileAnalyzer } from './file-analyzer';
import { DEPENDENCY_FILE_PATTERN } from './project/dependencies';
import { entryPointKind } from './project/entry-points';
import type { Project } from './project/project';
import { pythonAnalyzer } from './python-analyzer';
import { templateAnalyzer } from './template-analyzer';

/** Every per-file analyzer, in the order they run. Adding one adds one line here. */
export const FILE_ANALYZERS: readonly FileAnalyzer[] = [pythonAnalyzer, templateAnalyzer];

/**
 * Whether the engine reads this file of the project: a Python module (a settings module, a
 * module one imports, code the rules judge), a file one of the per-file analyzers takes (a
 * template), or one the project model reads (dependency lists, pyproject.toml, the files
 * that name DJANGO_SETTINGS_MODULE). One predicate for "does a problem with this file
 * matter": a dead link to a `.yaml` file is none of the tool's business, nor is a static
 * script that cannot be read (a rule that reads scripts as evidence then has none).
 */
export function readsFile(project: Project, file: string): boolean {
  if (/\.pyi?$/.test(file)) return true;
  if (DEPENDENCY_FILE_PATTERN.test(project.relative(file)) || entryPointKind(project.relative(file)) !== undefined) return true;
  return FILE_ANALYZERS.some((analyzer) => analyzer.accepts(file, project));
}
