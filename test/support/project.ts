import path from 'node:path';
import { analyzeProject, analyzeProjectSettings } from '../../server/src/engine/analyze';
import type { HardenerConfig } from '../../server/src/engine/config';
import { initPythonParser } from '../../server/src/engine/parse/python';
import { DiskSourceStore } from '../../server/src/engine/project/disk-store';
import { loadProjectConfig } from '../../server/src/engine/project/load-config';
import { Project } from '../../server/src/engine/project/project';
import { walkFiles } from '../../server/src/engine/project/walk';
import type { Finding } from '../../server/src/engine/types';

/** Opens a project folder as the CLI would, with in-memory texts replacing files. */
export async function openProject(root: string, config: Partial<HardenerConfig> = {}, overrides = new Map<string, string>()): Promise<Project> {
  await initPythonParser();
  const absolute = path.resolve(root);
  const { files } = walkFiles([absolute], [], absolute);
  const all = [...new Set([...files, ...overrides.keys()])].sort();
  const loaded = loadProjectConfig(absolute).config;
  return new Project(absolute, all, new DiskSourceStore(overrides), { ...loaded, ...config });
}

export async function settingsFindings(root: string, config: Partial<HardenerConfig> = {}, overrides?: Map<string, string>): Promise<Finding[]> {
  const project = await openProject(root, config, overrides);
  return analyzeProjectSettings(project, { config: project.config }).findings;
}

/** Settings findings plus the per-file rules' findings for every file of the project. */
export async function projectFindings(root: string, config: Partial<HardenerConfig> = {}, overrides?: Map<string, string>): Promise<Finding[]> {
  const project = await openProject(root, config, overrides);
  return analyzeProject(project, project.files, { config: project.config }).findings;
}

/** `settings/base.py:3:1-3:13 DJH101 message`, 1-based, paths relative to the root, and the trace of an untrusted value. */
export function formatFinding(root: string, f: Finding): string {
  const rel = (file: string) => path.relative(root, file).split(path.sep).join('/');
  const r = f.range;
  const lines = [`${rel(f.file)}:${r.start.line + 1}:${r.start.character + 1}-${r.end.line + 1}:${r.end.character + 1} ${f.code} [${f.name}] ${f.message}`];
  if (f.djangoCheck) lines.push(`  mirrors ${f.djangoCheck}`);
  for (const step of f.flow ?? []) lines.push(`  flow ${rel(step.file)}:${step.range.start.line + 1}:${step.range.start.character + 1}: ${step.message}`);
  for (const related of f.related) {
    if (f.flow?.some((step) => step.file === related.file && step.message === related.message && step.range.start.line === related.range.start.line)) continue;
    lines.push(`  related ${rel(related.file)}:${related.range.start.line + 1}:${related.range.start.character + 1}: ${related.message}`);
  }
  for (const fix of f.fixes) lines.push(`  fix (${fix.safety}): ${fix.title}`);
  return lines.join('\n');
}
