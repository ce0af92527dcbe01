import type { Finding } from '../../engine';
import { plural, summaryLine } from './text';
import type { FormatContext } from './types';

export interface RuleStatistic {
  code: string;
  name: string;
  count: number;
  /** `safe`: every finding of the code can be fixed with --fix; `unsafe`: some need --unsafe-fixes; `none`: some have no fix. */
  fix: 'safe' | 'unsafe' | 'none';
}

/** Findings counted per rule code, most frequent first, then by code. */
export function ruleStatistics(findings: readonly Finding[]): RuleStatistic[] {
  const byCode = new Map<string, RuleStatistic>();
  const rank = { safe: 0, unsafe: 1, none: 2 } as const;
  for (const finding of findings) {
    const fix = finding.fixes.some((f) => f.safety === 'safe') ? 'safe' : finding.fixes.length > 0 ? 'unsafe' : 'none';
    const entry = byCode.get(finding.code) ?? { code: finding.code, name: finding.name, count: 0, fix };
    entry.count++;
    if (rank[fix] > rank[entry.fix]) entry.fix = fix;
    byCode.set(finding.code, entry);
  }
  return [...byCode.values()].sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
}

const FIX_MARK = { safe: '[*]', unsafe: '[-]', none: '[ ]' } as const;

/**
 * `--statistics`, as Ruff prints it: one line per rule code, `count  code  [*] name`, where
 * `[*]` means `--fix` fixes them all, `[-]` that some need `--unsafe-fixes`, `[ ]` that some
 * have no fix; then the summary line.
 */
export function formatStatisticsText(findings: readonly Finding[], context: FormatContext): string {
  const stats = ruleStatistics(findings);
  const width = Math.max(0, ...stats.map((s) => String(s.count).length));
  const lines = stats.map((s) => `${String(s.count).padStart(width)}  ${context.colors.bold(s.code)}  ${FIX_MARK[s.fix]} ${s.name}`);
  if (!context.quiet) {
    if (lines.length > 0) lines.push('');
    lines.push(context.colors.bold(stats.length > 0 ? `${summaryLine(findings)} ${plural(stats.length, 'rule')} fired.` : summaryLine(findings)));
  }
  return lines.length > 0 ? lines.join('\n') + '\n' : '';
}

/** `--statistics --format json`: an array of `{code, name, count, fix}`. */
export function formatStatisticsJson(findings: readonly Finding[]): string {
  return JSON.stringify(ruleStatistics(findings), null, 2) + '\n';
}
