import { applyFixes, fixesForRound, type Finding, type Fix, type HardenerConfig, type PlannedFix } from '../engine';
import type { TargetAnalysis } from './analysis';

/** Fix rounds before giving up on fixes that keep producing new fixable findings. */
export const MAX_FIX_ROUNDS = 10;

export interface FixLoopOptions {
  /** Unsafe fixes too (`--unsafe-fixes`). */
  unsafe: boolean;
  config: HardenerConfig;
  /** Files fixes may change; a fix that would change another one is not made. */
  editable(file: string): boolean;
}

export interface FixLoopResult {
  /** The analysis of the fixed texts: what remains. */
  final: TargetAnalysis;
  /** New text of every changed file. */
  texts: Map<string, string>;
  /** Files that started with a UTF-8 BOM, so the writer can keep it. */
  bom: Set<string>;
  /** The fixes made, in order, with how many problems each addresses (a production module's settings fixes of a round are one fix). */
  applied: PlannedFix[];
  converged: boolean;
}

/** The fix `--fix` applies for a finding: its first one the allowed safety permits. */
export function chosenFix(finding: Finding, unsafe: boolean): Fix | undefined {
  return finding.fixes.find((fix) => fix.safety === 'safe' || unsafe);
}

/**
 * Applies fixes in rounds, like Ruff: analyse, apply the first fix of every finding that
 * does not overlap one already taken (a production module's settings fixes composed into
 * one, see fixesForRound), re-analyse the new texts, until nothing is left to fix. Works in
 * memory; the caller writes the files.
 */
export async function runFixLoop(analyze: (texts: Map<string, string>) => Promise<TargetAnalysis>, options: FixLoopOptions): Promise<FixLoopResult> {
  const texts = new Map<string, string>();
  const bom = new Set<string>();
  const applied: PlannedFix[] = [];
  for (let round = 0; ; round++) {
    const analysis = await analyze(new Map(texts));
    const choose = (finding: Finding) => {
      const fix = chosenFix(finding, options.unsafe);
      return fix?.edits.every((edit) => options.editable(edit.file)) ? fix : undefined;
    };
    const planned = fixesForRound(analysis.project, options.config, analysis.findings, choose).filter((p) => p.fix.edits.every((edit) => options.editable(edit.file)));
    if (planned.length === 0) return { final: analysis, texts, bom, applied, converged: true };
    if (round === MAX_FIX_ROUNDS) return { final: analysis, texts, bom, applied, converged: false };
    const result = applyFixes(
      planned.map((p) => p.fix),
      (file) => texts.get(file) ?? analysis.store.get(file)?.text,
    );
    if (result.texts.size === 0) return { final: analysis, texts, bom, applied, converged: true };
    for (const [file, text] of result.texts) {
      // The first change to a file is made in a round that read it from disk.
      if (!texts.has(file) && analysis.store.hadBom(file)) bom.add(file);
      texts.set(file, text);
    }
    applied.push(...planned.filter((p) => result.applied.includes(p.fix)));
    analysis.store.dispose();
  }
}
