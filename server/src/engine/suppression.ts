import { lineText } from './text';
import type { Finding } from './types';

const PYTHON_NOQA = /#\s*noqa(?::\s*([A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?/i;
const TEMPLATE_NOQA = /\{#\s*noqa(?::\s*([A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?\s*#\}/i;
const NOSEC = /#\s*nosec\b(?::?[ \t]*([A-Za-z0-9_]+(?:[ \t]*,[ \t]*[A-Za-z0-9_]+)*))?/i;
const NOSEMGREP = /#\s*nosemgrep\b(?:[ \t]*:[ \t]*([\w.\-]+(?:[ \t]*,[ \t]*[\w.\-]+)*))?/i;

/**
 * The checks of other linters that cover one of our rules, so that a line already reviewed
 * with them stays reviewed: Ruff's flake8-bandit codes (`# noqa: S608`) and Bandit's test ids
 * (`# nosec B608`).
 */
// NOTE: https://docs.astral.sh/ruff/rules/#flake8-bandit-s and https://bandit.readthedocs.io/en/latest/plugins/index.html
export const FOREIGN_CODES: Readonly<Record<string, readonly string[]>> = {
  S105: ['DJH209'],
  S106: ['DJH209'],
  S107: ['DJH209'],
  S308: ['DJH203'],
  S608: ['DJH201'],
  S610: ['DJH201', 'DJH202'],
  S611: ['DJH201'],
  B105: ['DJH209'],
  B106: ['DJH209'],
  B107: ['DJH209'],
  B308: ['DJH203'],
  B608: ['DJH201'],
  B610: ['DJH201', 'DJH202'],
  B611: ['DJH201'],
  B703: ['DJH203'],
};

/** Bandit's test names, which `# nosec` also accepts. */
const BANDIT_NAMES: Readonly<Record<string, string>> = {
  hardcoded_password_string: 'B105',
  hardcoded_password_funcarg: 'B106',
  hardcoded_password_default: 'B107',
  hardcoded_sql_expressions: 'B608',
  django_extra_used: 'B610',
  django_rawsql_used: 'B611',
  django_mark_safe: 'B703',
};

/** Our rules that a Bandit check covers: a bare `# nosec` silences these. */
const BANDIT_COVERED = new Set(Object.entries(FOREIGN_CODES).flatMap(([code, ours]) => (code.startsWith('B') ? ours : [])));

/** Words of Semgrep rule ids (`python.django.security.injection.sql.sql-injection-using-raw`) and the rules they match. */
const SEMGREP_WORDS: readonly [RegExp, readonly string[]][] = [
  [/sql|raw-?query|rawsql|\bextra\b/, ['DJH201', 'DJH202']],
  [/mark-?safe|safestring|format-?html|\bxss\b|html-safe/, ['DJH203', 'DJH204']],
  [/csrf/, ['DJH205']],
  [/upload|filefield/, ['DJH206']],
  [/\bstatic\b|\bserve\b/, ['DJH207']],
  [/bleach|sanitiz/, ['DJH208']],
  [/hard-?coded|secret|password|credential|token|api-?key/, ['DJH209']],
];

/** Codes a line silences: `null` for a bare `# noqa` (everything), an empty set for none. */
export function noqaCodes(line: string, template = false): Set<string> | null {
  const match = (template ? TEMPLATE_NOQA : PYTHON_NOQA).exec(line);
  if (!match) return new Set();
  if (!match[1]) return null;
  return new Set(match[1].split(/[\s,]+/).map((code) => code.toUpperCase()));
}

/**
 * The DJH codes a Python line silences through other linters' comments: `# noqa: S608`,
 * `# nosec` (bare: every rule a Bandit check covers), `# nosec B608,B703`, `# nosemgrep`
 * (bare: every code rule), `# nosemgrep: rule-id`.
 */
export function foreignSuppressions(line: string): Set<string> {
  const silenced = new Set<string>();
  const noqa = PYTHON_NOQA.exec(line);
  if (noqa?.[1]) for (const code of noqa[1].split(/[\s,]+/)) for (const ours of FOREIGN_CODES[code.toUpperCase()] ?? []) silenced.add(ours);
  const nosec = NOSEC.exec(line);
  if (nosec) {
    if (!nosec[1]) for (const ours of BANDIT_COVERED) silenced.add(ours);
    else {
      for (const test of nosec[1].split(/[ \t]*,[ \t]*/)) {
        const id = /^B\d+$/i.test(test) ? test.toUpperCase() : BANDIT_NAMES[test.toLowerCase()];
        for (const ours of (id && FOREIGN_CODES[id]) || []) silenced.add(ours);
      }
    }
  }
  const nosemgrep = NOSEMGREP.exec(line);
  if (nosemgrep) {
    if (!nosemgrep[1]) for (const [, ours] of SEMGREP_WORDS) for (const code of ours) silenced.add(code);
    else {
      for (const id of nosemgrep[1].split(/[ \t]*,[ \t]*/)) {
        const lower = id.toLowerCase();
        for (const [words, ours] of SEMGREP_WORDS) if (words.test(lower)) for (const code of ours) silenced.add(code);
      }
    }
  }
  return silenced;
}

export interface SuppressionOptions {
  /** Honour other linters' comments (`# noqa: S608`, `# nosec`, `# nosemgrep`); default true. */
  foreign?: boolean;
}

/** Drops findings whose reported line carries a matching `# noqa` (or `{# noqa #}`, or another linter's equivalent) comment. */
export function applySuppressions(findings: Finding[], textOf: (file: string) => string | undefined, options: SuppressionOptions = {}): Finding[] {
  // Each line is read once, however many findings it holds (a long line can hold thousands).
  const silenced = new Map<string, { codes: Set<string> | null; foreign: Set<string> }>();
  return findings.filter((finding) => {
    const key = `${finding.file}\0${finding.range.start.line}`;
    let line = silenced.get(key);
    if (line === undefined) {
      // The finding's own line, cut from the text by its line starts (not a split of the whole module).
      const text = lineText(textOf(finding.file) ?? '', finding.range.start.line);
      const template = !finding.file.endsWith('.py');
      const codes = noqaCodes(text, template);
      line = { codes, foreign: template || options.foreign === false || codes === null ? new Set() : foreignSuppressions(text) };
      silenced.set(key, line);
    }
    return line.codes !== null && !line.codes.has(finding.code) && !line.foreign.has(finding.code);
  });
}
