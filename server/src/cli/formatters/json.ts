import type { Finding } from '../../engine';
import { displayPath } from '../paths';
import type { FormatContext } from './types';

/**
 * An array of `{file, line, column, endLine, endColumn, code, name, severity, message}`,
 * 1-based, files relative to the working directory. The shape is a public contract:
 * add nothing to it without a new format name.
 */
export function formatJson(findings: readonly Finding[], context: FormatContext): string {
  const records = findings.map((f) => ({
    file: displayPath(context.cwd, f.file),
    line: f.range.start.line + 1,
    column: f.range.start.character + 1,
    endLine: f.range.end.line + 1,
    endColumn: f.range.end.character + 1,
    code: f.code,
    name: f.name,
    severity: f.severity,
    message: f.message,
  }));
  return JSON.stringify(records, null, 2) + '\n';
}
