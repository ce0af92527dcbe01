import type { Finding, Severity } from '../../engine';
import type { Colors } from '../colors';
import type { SourceLines } from '../source-lines';

/** A rule as a report describes it, with the severity the configuration gives it. */
export interface ReportedRule {
  code: string;
  name: string;
  summary: string;
  severity: Severity;
  helpUri: string;
  /** The rule's documentation in Markdown (What it does, Why is this bad, …). */
  docs: string;
  fix: 'safe' | 'unsafe' | 'none';
}

export interface FormatContext {
  /** Paths are shown relative to it. */
  cwd: string;
  /** Every enabled rule, sorted by code (SARIF lists them). */
  rules: readonly ReportedRule[];
  toolVersion: string;
  /** Leave out everything but the findings (the text summary line). */
  quiet: boolean;
  /** The text of every file with a finding. */
  source: SourceLines;
  /** Text output: colours (all identity functions when colour is off). */
  colors: Colors;
  /** Text output: quote each finding's lines with a caret underline. */
  showSource: boolean;
}

/** Renders findings; pure, so every format can be tested on its own. */
export type Formatter = (findings: readonly Finding[], context: FormatContext) => string;
