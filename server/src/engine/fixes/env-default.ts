import { parsePython } from '../parse/python';
import { evaluateExpression } from '../settings/evaluate-expression';
import type { EvaluatedModule } from '../settings/settings-module';
import type { SourceStore } from '../project/source-store';
import { comparePositions, offsetAt } from '../text';
import { truthy, type Value } from '../settings/values';
import type { Location, Range } from '../types';

function rangeWithin(inner: Range, outer: Range): boolean {
  return comparePositions(outer.start, inner.start) <= 0 && comparePositions(inner.end, outer.end) <= 0;
}

/**
 * Finds a replacement for an env read's default that makes the whole expression come out
 * with the wanted truthiness when the variable is unset, by trying candidates and
 * re-evaluating the edited expression. Returns the default's new text.
 */
export function replacementDefault(module: EvaluatedModule, store: SourceStore, expression: Location, value: Extract<Value, { kind: 'env' }>, wanted: boolean, quote: '"' | "'"): string | undefined {
  if (!value.defaultLoc) return undefined;
  const source = store.get(value.defaultLoc.file);
  if (!source) return undefined;
  const text = source.text;
  const defaultText = text.slice(offsetAt(text, value.defaultLoc.range.start), offsetAt(text, value.defaultLoc.range.end));
  if (value.defaultLoc.file !== expression.file || !rangeWithin(value.defaultLoc.range, expression.range)) {
    // A default kept elsewhere (django-environ's scheme): only a plain boolean can be flipped safely.
    return defaultText === (wanted ? 'False' : 'True') ? (wanted ? 'True' : 'False') : undefined;
  }
  const exprStart = offsetAt(text, expression.range.start);
  const exprEnd = offsetAt(text, expression.range.end);
  const defaultStart = offsetAt(text, value.defaultLoc.range.start);
  const defaultEnd = offsetAt(text, value.defaultLoc.range.end);
  if (defaultStart < exprStart || defaultEnd > exprEnd) return undefined;
  const isString = /^[rRuU]?["']/.test(defaultText);
  const candidates = wanted
    ? ['True', `${quote}True${quote}`, '1', `${quote}1${quote}`]
    : isString
      ? [`${quote}False${quote}`, `${quote}${quote}`, `${quote}0${quote}`, 'False']
      : ['False', `${quote}False${quote}`, '0', `${quote}${quote}`];
  const scope = { file: expression.file, lookup: (name: string) => module.bindings.get(name) };
  for (const candidate of candidates) {
    const edited = text.slice(exprStart, defaultStart) + candidate + text.slice(defaultEnd, exprEnd);
    const tree = parsePython(`__value__ = (${edited})\n`);
    try {
      if (tree.rootNode.hasError) continue;
      const assignment = tree.rootNode.namedChildren[0]?.namedChildren[0];
      const result = evaluateExpression(assignment?.childForFieldName('right'), scope);
      if (truthy(result) === wanted) return candidate;
    } finally {
      tree.delete();
    }
  }
  return undefined;
}
