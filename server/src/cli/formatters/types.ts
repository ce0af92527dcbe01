import type { Finding, Severity } from '../../engine/types';

/** A rule as a report describes it, with the severity the configuration gives it. */
export interface ReportedRule {
  code: string;
  name: string;
  summary: string;
  severity: Severity;
  helpUri: string;
}

export interface FormatContext {
  /** Paths are shown relative to it. */
  cwd: string;
  /** Every enabled rule, sorted by code (SARIF lists them). */
  rules: readonly ReportedRule[];
  toolVersion: string;
  /** Leave out everything but the findings (the text summary line). */
  quiet: boolean;
}

/** Renders findings; pure, so every format can be tested on its own. */
export type Formatter = (findings: readonly Finding[], context: FormatContext) => string;
