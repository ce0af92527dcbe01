import type { Finding, Position, Severity } from '../../engine';
import type { Colors } from '../colors';
import { displayPath } from '../paths';
import type { SourceLines } from '../source-lines';
import type { FormatContext } from './types';

/** A finding's quoted lines stop after this many; a longer range ends with `…`. */
const MAX_QUOTED_LINES = 6;

/**
 * `path:line:col: severity DJH101 [debug-enabled] message`, related locations indented
 * below, then a summary line. Lines and columns are 1-based. With `showSource`, the
 * reported lines follow each finding with a caret underline and a line of context around.
 */
export function formatText(findings: readonly Finding[], context: FormatContext): string {
  const { colors } = context;
  const at = (file: string, position: Position) => `${displayPath(context.cwd, file)}:${position.line + 1}:${position.character + 1}`;
  const lines: string[] = [];
  for (const finding of findings) {
    const severity = severityColor(colors, finding.severity)(finding.severity);
    lines.push(`${colors.bold(at(finding.file, finding.range.start))}: ${severity} ${colors.bold(finding.code)} ${colors.dim(`[${finding.name}]`)} ${finding.message}`);
    if (context.showSource) lines.push(...quote(finding, context.source, colors));
    for (const related of finding.related) lines.push(`  ${colors.bold(at(related.file, related.range.start))}: ${related.message}`);
  }
  if (!context.quiet) {
    if (lines.length > 0) lines.push('');
    lines.push(colors.bold(summaryLine(findings)));
  }
  return lines.length > 0 ? lines.join('\n') + '\n' : '';
}

export function severityColor(colors: Colors, severity: Severity): (text: string) => string {
  if (severity === 'error') return (text) => colors.bold(colors.red(text));
  if (severity === 'warning') return (text) => colors.bold(colors.yellow(text));
  return (text) => colors.bold(colors.cyan(text));
}

/**
 * The reported lines with a line-number gutter, carets under the reported span, and one
 * line of context above and below:
 *
 * ```
 *    |
 *  4 | ALLOWED_HOSTS = []
 *  5 | DEBUG = True
 *    | ^^^^^^^^^^^^
 *  6 |
 *    |
 * ```
 */
function quote(finding: Finding, source: SourceLines, colors: Colors): string[] {
  const { start, end } = finding.range;
  if (source.line(finding.file, start.line) === undefined) return [];
  // A range ending at column 0 ends with the line break before it.
  const endLine = end.character === 0 && end.line > start.line ? end.line - 1 : end.line;
  const lastReported = Math.min(endLine, start.line + MAX_QUOTED_LINES - 1);
  const truncated = lastReported < endLine;
  const first = Math.max(0, start.line - 1);
  const last = truncated ? lastReported : Math.min(source.lineCount(finding.file) - 1, lastReported + 1);
  const width = String(last + 1).length;
  const gutter = (label: string) => colors.blue(`${label.padStart(width + 1)} |`);
  const caret = severityColor(colors, finding.severity);
  const out = [gutter('')];
  for (let line = first; line <= last; line++) {
    const text = source.line(finding.file, line) ?? '';
    out.push(`${gutter(String(line + 1))}${text === '' ? '' : ' ' + text}`);
    if (line < start.line || line > lastReported) continue;
    const from = line === start.line ? start.character : text.length - text.trimStart().length;
    const to = line === end.line ? Math.min(end.character, text.length) : text.length;
    if (to <= from && !(line === start.line && line === end.line)) continue;
    // Tabs stay tabs under the text, so the carets line up in any terminal.
    const padding = text.slice(0, from).replace(/[^\t]/g, ' ');
    out.push(`${gutter('')} ${padding}${caret('^'.repeat(Math.max(1, to - from)))}`);
  }
  if (truncated) out.push(`${gutter('')} ${colors.dim('…')}`);
  out.push(gutter(''));
  return out;
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
