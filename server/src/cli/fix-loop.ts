import { applyFixes } from '../engine/fixes/apply';
import type { Finding, Fix } from '../engine/types';
import type { TargetAnalysis } from './analysis';

/** Fix rounds before giving up on fixes that keep producing new fixable findings. */
export const MAX_FIX_ROUNDS = 10;

export interface FixLoopResult {
  /** The analysis of the fixed texts: what remains. */
  final: TargetAnalysis;
  /** New text of every changed file. */
  texts: Map<string, string>;
  /** Files that started with a UTF-8 BOM, so the writer can keep it. */
  bom: Set<string>;
  fixed: number;
  converged: boolean;
}

/** The fix `--fix` applies for a finding: its first one the allowed safety permits. */
export function chosenFix(finding: Finding, unsafe: boolean): Fix | undefined {
  return finding.fixes.find((fix) => fix.safety === 'safe' || unsafe);
}

/**
 * Applies fixes in rounds, like Ruff: analyse, apply the first fix of every finding that
 * does not overlap one already taken, re-analyse the new texts, until nothing is left
 * to fix. Works in memory; the caller writes the files.
 */
export async function runFixLoop(analyze: (texts: Map<string, string>) => Promise<TargetAnalysis>, unsafe: boolean): Promise<FixLoopResult> {
  const texts = new Map<string, string>();
  const bom = new Set<string>();
  let fixed = 0;
  for (let round = 0; ; round++) {
    const analysis = await analyze(new Map(texts));
    const fixes = analysis.findings.map((f) => chosenFix(f, unsafe)).filter((fix): fix is Fix => fix !== undefined);
    if (fixes.length === 0) return { final: analysis, texts, bom, fixed, converged: true };
    if (round === MAX_FIX_ROUNDS) return { final: analysis, texts, bom, fixed, converged: false };
    const result = applyFixes(fixes, (file) => texts.get(file) ?? analysis.store.get(file)?.text);
    if (result.texts.size === 0) return { final: analysis, texts, bom, fixed, converged: true };
    for (const [file, text] of result.texts) {
      // The first change to a file is made in a round that read it from disk.
      if (!texts.has(file) && analysis.store.hadBom(file)) bom.add(file);
      texts.set(file, text);
    }
    fixed += result.applied.length;
    analysis.store.dispose();
  }
}
