import type { Finding, Position } from '../../engine/types';
import { displayPath } from '../paths';
import type { FormatContext } from './types';

/**
 * `path:line:col: DJH101 [debug-enabled] message`, related locations indented below, then
 * a summary line. Lines and columns are 1-based.
 */
export function formatText(findings: readonly Finding[], context: FormatContext): string {
  const at = (file: string, position: Position) => `${displayPath(context.cwd, file)}:${position.line + 1}:${position.character + 1}`;
  const lines: string[] = [];
  for (const finding of findings) {
    lines.push(`${at(finding.file, finding.range.start)}: ${finding.code} [${finding.name}] ${finding.message}`);
    for (const related of finding.related) lines.push(`  ${at(related.file, related.range.start)}: ${related.message}`);
  }
  if (!context.quiet) {
    if (lines.length > 0) lines.push('');
    lines.push(summaryLine(findings));
  }
  return lines.length > 0 ? lines.join('\n') + '\n' : '';
}

/** `Found 3 problems (1 fixable with --fix, 2 more with --unsafe-fixes).` */
export function summaryLine(findings: readonly Finding[]): string {
  if (findings.length === 0) return 'No problems found.';
  const safe = findings.filter((f) => f.fixes.some((fix) => fix.safety === 'safe')).length;
  const unsafeOnly = findings.filter((f) => f.fixes.length > 0 && f.fixes.every((fix) => fix.safety === 'unsafe')).length;
  const parts: string[] = [];
  if (safe > 0) parts.push(`${safe} fixable with --fix`);
  if (unsafeOnly > 0) parts.push(safe > 0 ? `${unsafeOnly} more with --unsafe-fixes` : `${unsafeOnly} fixable with --fix --unsafe-fixes`);
  return `Found ${plural(findings.length, 'problem')}${parts.length > 0 ? ` (${parts.join(', ')})` : ''}.`;
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
