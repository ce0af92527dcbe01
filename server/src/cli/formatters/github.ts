import type { Finding, Severity } from '../../engine';
import { displayPath } from '../paths';
import type { FormatContext } from './types';

const COMMAND: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'notice' };

/**
 * GitHub Actions workflow commands, one annotation per finding:
 * `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=DJH101 debug-enabled::message`.
 * Related locations follow the message on lines of their own.
 */
export function formatGithub(findings: readonly Finding[], context: FormatContext): string {
  return findings
    .map((f) => {
      const properties = [
        `file=${escapeProperty(displayPath(context.cwd, f.file))}`,
        `line=${f.range.start.line + 1}`,
        `col=${f.range.start.character + 1}`,
        `endLine=${f.range.end.line + 1}`,
        `endColumn=${f.range.end.character + 1}`,
        `title=${escapeProperty(`${f.code} ${f.name}`)}`,
      ];
      const related = f.related.map((r) => `${displayPath(context.cwd, r.file)}:${r.range.start.line + 1}:${r.range.start.character + 1}: ${r.message}`);
      return `::${COMMAND[f.severity]} ${properties.join(',')}::${escapeData([f.message, ...related].join('\n'))}\n`;
    })
    .join('');
}

// NOTE: the escaping the Actions runner undoes (actions/toolkit, packages/core/src/command.ts).
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
