import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Finding } from '../engine';
import { fingerprintFindings, normaliseLine } from './fingerprint';

/**
 * A baseline: the findings a project accepted when it adopted the checker, so that `check`
 * reports only new ones. Each entry names its rule, file (relative to the baseline's folder)
 * and line for people reviewing it; matching uses the fingerprint alone, so entries survive
 * lines moving up or down.
 */
export interface BaselineFile {
  tool: 'django-hardener';
  version: 1;
  findings: BaselineEntry[];
}

export interface BaselineEntry {
  code: string;
  file: string;
  line: string;
  fingerprint: string;
}

/** The baseline of `findings` (in report order), for a file written at `baselineFile`. */
export function renderBaseline(findings: readonly Finding[], baselineFile: string, lineOf: (finding: Finding) => string | undefined): string {
  const base = path.dirname(baselineFile);
  const fingerprints = fingerprintFindings(findings, base, lineOf);
  const content: BaselineFile = {
    tool: 'django-hardener',
    version: 1,
    findings: findings.map((f) => ({
      code: f.code,
      file: path.relative(base, f.file).split(path.sep).join('/'),
      line: normaliseLine(lineOf(f) ?? ''),
      fingerprint: fingerprints.get(f)!,
    })),
  };
  return JSON.stringify(content, null, 2) + '\n';
}

/** Reads a baseline's fingerprints; throws an Error with a one-line reason when it is not one. */
export function readBaseline(file: string): Set<string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message.split('\n')[0];
    throw new Error(`cannot read the baseline (${reason})`);
  }
  const findings = (parsed as Partial<BaselineFile> | null)?.findings;
  if ((parsed as Partial<BaselineFile> | null)?.tool !== 'django-hardener' || !Array.isArray(findings) || !findings.every((f) => typeof f?.fingerprint === 'string')) {
    throw new Error('not a django-hardener baseline (expected {"tool": "django-hardener", "findings": [{"fingerprint": …}, …]})');
  }
  return new Set(findings.map((f) => f.fingerprint));
}

/** The findings (in report order) whose fingerprint, computed from the baseline's folder, is not in the baseline. */
export function withoutBaseline(findings: readonly Finding[], baselineFile: string, accepted: ReadonlySet<string>, lineOf: (finding: Finding) => string | undefined): Finding[] {
  const fingerprints = fingerprintFindings(findings, path.dirname(baselineFile), lineOf);
  return findings.filter((f) => !accepted.has(fingerprints.get(f)!));
}
