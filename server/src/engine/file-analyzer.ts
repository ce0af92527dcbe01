import type { AnalysisLog } from './guarded';
import type { HardenerConfig } from './config';
import type { Project } from './project/project';
import type { Finding } from './types';

/**
 * Analyses one kind of file (Python code, Django templates) with the rules of its scope.
 * Each analyzer decides cheaply whether a file is its kind and whether any enabled rule
 * could fire on it before it parses anything.
 */
export interface FileAnalyzer {
  /** A short name for logs: 'python', 'template'. */
  name: string;
  accepts(file: string, project: Project): boolean;
  /** Findings for one file. Each rule runs through `guarded` (analyze.ts), so one that fails costs only its own findings; anything else may throw (the caller notes it and carries on). */
  analyze(project: Project, file: string, config: HardenerConfig, log?: AnalysisLog): Finding[];
}
