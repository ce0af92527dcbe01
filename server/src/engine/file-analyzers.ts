import type { FileAnalyzer } from './file-analyzer';
import { pythonAnalyzer } from './python-analyzer';
import { templateAnalyzer } from './template-analyzer';

/** Every per-file analyzer, in the order they run. Adding one adds one line here. */
export const FILE_ANALYZERS: readonly FileAnalyzer[] = [pythonAnalyzer, templateAnalyzer];
