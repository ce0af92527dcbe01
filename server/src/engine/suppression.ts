import { lineText } from './text';
import type { Finding } from './types';

const PYTHON_NOQA = /#\s*noqa(?::\s*([A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?/i;
const TEMPLATE_NOQA = /\{#\s*noqa(?::\s*([A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?\s*#\}/i;

/** Codes a line silences: `null` for a bare `# noqa` (everything), an empty set for none. */
export function noqaCodes(line: string, template = false): Set<string> | null {
  const match = (template ? TEMPLATE_NOQA : PYTHON_NOQA).exec(line);
  if (!match) return new Set();
  if (!match[1]) return null;
  return new Set(match[1].split(/[\s,]+/).map((code) => code.toUpperCase()));
}

/** Drops findings whose reported line carries a matching `# noqa` (or `{# noqa #}`) comment. */
export function applySuppressions(findings: Finding[], textOf: (file: string) => string | undefined): Finding[] {
  // Each line is read once, however many findings it holds (a long line can hold thousands).
  const silenced = new Map<string, Set<string> | null>();
  return findings.filter((finding) => {
    const key = `${finding.file}\0${finding.range.start.line}`;
    let codes = silenced.get(key);
    if (codes === undefined) {
      // The finding's own line, cut from the text by its line starts (not a split of the whole module).
      const line = lineText(textOf(finding.file) ?? '', finding.range.start.line);
      codes = noqaCodes(line, !finding.file.endsWith('.py'));
      silenced.set(key, codes);
    }
    return codes !== null && !codes.has(finding.code);
  });
}
