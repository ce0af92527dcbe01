/**
 * Thrown where an analysis stops at a documented limit (forms open at once, expression
 * depth) rather than go on at a cost that grows faster than the file. The shared analyzer
 * layer (analyze.ts) reports it as a note naming the rule and the file; the other rules and
 * files keep their findings.
 */
export class AnalysisLimit extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AnalysisLimit';
  }
}
