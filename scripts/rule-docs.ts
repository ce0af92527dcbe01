/**
 * Renders the rule documentation from the rules themselves: one page per rule under
 * docs/rules/ and the rule table between the README markers. Pure functions plus one
 * reader, shared by the generator (which writes) and the docs test (which compares).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { RuleMeta, RuleScope } from '../server/src/engine/types';

/** What the docs need of a rule; every rule kind has it. */
export interface DocumentedRule {
  meta: RuleMeta;
  docs: string;
}

export const RULES_DIR = path.join('docs', 'rules');
export const README = 'README.md';
export const TABLE_START = '<!-- rules:start -->';
export const TABLE_END = '<!-- rules:end -->';

/** The headings every rule's `docs` text has, in this order. */
export const DOC_HEADINGS = ['What it does', 'Why is this bad', 'Example', 'Use instead', 'Fix safety', 'References'];

const SECTIONS: { scope: RuleScope; title: string; prefix: string }[] = [
  { scope: 'settings', title: 'Settings (DJH1xx)', prefix: 'DJH1' },
  { scope: 'python', title: 'Python code (DJH2xx)', prefix: 'DJH2' },
  { scope: 'template', title: 'Templates (DJH3xx)', prefix: 'DJH3' },
];

/** The code prefix a rule of this scope must carry, so the README sections stay truthful. */
export function codePrefixOf(scope: RuleScope): string {
  return SECTIONS.find((section) => section.scope === scope)!.prefix;
}

const GENERATED_NOTICE = '<!-- Generated from the rule by `npm run docs`; edit the rule, not this page. -->';

/** `docs/rules/<code>.md`: title, one line of metadata, then the rule's own text. */
export function renderRulePage(rule: DocumentedRule): string {
  const { meta } = rule;
  const details = [
    `**Severity:** ${meta.severity}`,
    `**Scope:** ${meta.scope}`,
    `**Fix:** ${meta.fix}`,
    `**Django check:** ${meta.djangoChecks.length > 0 ? meta.djangoChecks.map((id) => `\`${id}\``).join(', ') : 'none'}`,
  ].join(' · ');
  return `# ${meta.code} ${meta.name}\n\n${details}\n\n${rule.docs.trim()}\n\n${GENERATED_NOTICE}\n`;
}

/**
 * The rule table, one section per scope that has rules. Section headings sit one level
 * below `parentLevel`, the heading the table lives under.
 */
export function renderRuleTable(rules: readonly DocumentedRule[], parentLevel: number): string {
  const hashes = '#'.repeat(Math.min(parentLevel + 1, 6));
  const blocks: string[] = [];
  for (const section of SECTIONS) {
    const members = rules.filter((rule) => rule.meta.scope === section.scope).sort((a, b) => a.meta.code.localeCompare(b.meta.code));
    if (members.length === 0) continue;
    const rows = members.map((rule) => {
      const { meta } = rule;
      const cells = [
        `[${meta.code}](docs/rules/${meta.code}.md)`,
        `\`${meta.name}\``,
        meta.severity,
        meta.fix === 'none' ? '—' : meta.fix,
        meta.djangoChecks.length > 0 ? meta.djangoChecks.map((id) => `\`${id}\``).join(', ') : '—',
        tableCell(meta.summary),
      ];
      return `| ${cells.join(' | ')} |`;
    });
    blocks.push([`${hashes} ${section.title}`, '', '| Code | Name | Severity | Fix | Django check | Summary |', '| --- | --- | --- | --- | --- | --- |', ...rows].join('\n'));
  }
  return blocks.join('\n\n');
}

/** A summary is one line of Markdown; a pipe would end the cell early. */
function tableCell(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');
}

/**
 * Replaces what lies between the README markers with the rule table and leaves every
 * other byte alone. The table's headings nest under the last heading above the markers.
 */
export function spliceRuleTable(readme: string, rules: readonly DocumentedRule[]): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < 0 || end < start) throw new Error(`${README} must contain ${TABLE_START} followed by ${TABLE_END}`);
  const before = readme.slice(0, start + TABLE_START.length);
  const table = renderRuleTable(rules, headingLevelAt(readme.slice(0, start)));
  // Blank lines around the table keep the end marker from reading as one more table row.
  const inner = table === '' ? '\n' : `\n\n${table}\n\n`;
  return before + inner + readme.slice(end);
}

/** The level of the last ATX heading outside code fences, 0 when there is none. */
function headingLevelAt(markdown: string): number {
  let level = 0;
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    if (fenced) continue;
    const heading = /^(#{1,6})\s/.exec(line);
    if (heading) level = heading[1].length;
  }
  return level;
}

export interface ExpectedDocs {
  /** Repository-relative path (with `/`) to the exact content it must have. */
  files: Map<string, string>;
  /** Markdown files in docs/rules that no rule produces. */
  stale: string[];
}

/** Everything the generator would write for these rules, given the repository as it stands. */
export function expectedDocs(root: string, rules: readonly DocumentedRule[]): ExpectedDocs {
  const files = new Map<string, string>();
  for (const rule of rules) files.set(`docs/rules/${rule.meta.code}.md`, renderRulePage(rule));
  files.set(README, spliceRuleTable(readFileSync(path.join(root, README), 'utf8'), rules));
  const dir = path.join(root, RULES_DIR);
  const present = existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.md')) : [];
  const stale = present
    .map((name) => `docs/rules/${name}`)
    .filter((rel) => !files.has(rel))
    .sort();
  return { files, stale };
}
