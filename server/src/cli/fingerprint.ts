import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Finding } from '../engine';

/** A line as fingerprints see it: indentation and runs of spaces do not count. */
export function normaliseLine(line: string): string {
  return line.trim().replace(/\s+/g, ' ');
}

/**
 * A stable identity per finding, for baselines and SARIF `partialFingerprints`: the rule,
 * the file (relative to `base`, with `/`), the reported line's normalised text and, for
 * identical lines, their order. Moving the line (code added above it) keeps it; editing
 * the line, renaming the file or changing the rule gives a new one. `findings` must be in
 * report order, so that identical lines are numbered the same way every run.
 */
export function fingerprintFindings(findings: readonly Finding[], base: string, lineOf: (finding: Finding) => string | undefined): Map<Finding, string> {
  const seen = new Map<string, number>();
  const result = new Map<Finding, string>();
  for (const finding of findings) {
    const key = [finding.code, path.relative(base, finding.file).split(path.sep).join('/'), normaliseLine(lineOf(finding) ?? '')].join('\0');
    const occurrence = seen.get(key) ?? 0;
    seen.set(key, occurrence + 1);
    result.set(finding, createHash('sha256').update(`${key}\0${occurrence}`).digest('hex').slice(0, 32));
  }
  return result;
}
