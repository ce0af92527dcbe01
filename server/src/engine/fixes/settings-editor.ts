import type { Node } from '../parse/python';
import type { EvaluatedModule } from '../project/settings-module';
import type { SourceStore } from '../project/source-store';
import { comparePositions, lineBreakOf } from '../text';
import type { Position, SettingsIntent, TextEdit } from '../types';
import { stringLiteralValue } from '../parse/python';

export const HARDENING_HEADER = '# Security hardening';

/**
 * Turns settings intents into minimal text edits against one production module and the
 * modules it star-imports. Intents that need new lines share one hardening block, so
 * "Harden settings" can compose many findings into one edit.
 */
export function buildSettingsEdits(module: EvaluatedModule, store: SourceStore, intents: readonly SettingsIntent[]): TextEdit[] {
  const source = store.get(module.file);
  if (!source) return [];
  const eol = lineBreakOf(source.text);
  const edits: TextEdit[] = [];
  const blockLines: string[] = [];
  const imports: string[] = [];
  const handledNames = new Set<string>();

  const needImport = (statement: string) => {
    if (!imports.includes(statement)) imports.push(statement);
  };

  for (const intent of intents) {
    switch (intent.kind) {
      case 'set': {
        if (handledNames.has(intent.name)) break;
        handledNames.add(intent.name);
        for (const statement of intent.imports ?? []) needImport(statement);
        const state = module.settings.get(intent.name);
        const def = state?.definition;
        if (def && def.kind === 'assign' && def.valueLoc && def.statement.file === module.file) {
          edits.push({ file: module.file, range: def.valueLoc.range, newText: intent.value });
        } else {
          if (intent.comment) blockLines.push(`# ${intent.comment}`);
          blockLines.push(`${intent.name} = ${intent.value}`);
        }
        break;
      }
      case 'replace':
        for (const statement of intent.imports ?? []) needImport(statement);
        edits.push({ file: intent.location.file, range: intent.location.range, newText: intent.value });
        break;
      case 'remove': {
        const state = module.settings.get(intent.name);
        for (const def of state?.history ?? []) {
          if (def.kind !== 'assign') continue;
          edits.push(deleteLines(def.statement.file, def.statement.range.start.line, def.statement.range.end.line));
        }
        break;
      }
      case 'list-insert': {
        const edit = listInsertEdit(module, store, intent.name, intent.item, intent.position);
        if (edit) edits.push(edit);
        else if (intent.position === 'first') blockLines.push(`${intent.name}.insert(0, ${intent.item})`);
        else if (intent.position === 'last') blockLines.push(`${intent.name}.append(${intent.item})`);
        else blockLines.push(`${intent.name}.insert(${intent.name}.index(${JSON.stringify(intent.position.after)}) + 1, ${intent.item})`);
        break;
      }
      case 'list-remove': {
        const edit = listRemoveEdit(module, store, intent.name, intent.value);
        if (edit) edits.push(edit);
        else blockLines.push(`${intent.name}.remove(${JSON.stringify(intent.value)})`);
        break;
      }
    }
  }

  const importLines = imports.filter((statement) => !module.layout.ownImports.has(boundName(statement)));
  const layout = module.layout;
  if (importLines.length > 0) {
    if (layout.importsEnd) {
      edits.push({ file: module.file, range: { start: layout.importsEnd, end: layout.importsEnd }, newText: importLines.map((l) => eol + l).join('') });
    } else {
      const at: Position = layout.bodyStart;
      edits.push({ file: module.file, range: { start: at, end: at }, newText: importLines.map((l) => l + eol).join('') + eol });
    }
  }
  if (blockLines.length > 0) {
    const hasHeader = source.text.split(/\r?\n/).some((line) => line.trim() === HARDENING_HEADER);
    const at = blockAnchor(module, source.text);
    const prefix = hasHeader ? eol : eol + eol + HARDENING_HEADER + eol;
    const body = blockLines.join(eol);
    if (at.atEnd) {
      const needsBreak = source.text.length > 0 && !source.text.endsWith('\n');
      edits.push({ file: module.file, range: { start: at.position, end: at.position }, newText: (needsBreak ? eol : '') + prefix.slice(eol.length) + body + eol });
    } else {
      edits.push({ file: module.file, range: { start: at.position, end: at.position }, newText: prefix + body });
    }
  }
  return normalise(edits);
}

function boundName(statement: string): string {
  const words = statement.trim().split(/\s+/);
  return words[words.length - 1];
}

function blockAnchor(module: EvaluatedModule, text: string): { position: Position; atEnd: boolean } {
  const layout = module.layout;
  const after = layout.lastAssignmentEnd ?? layout.importsEnd;
  if (after) return { position: after, atEnd: false };
  const lines = text.split('\n');
  return { position: { line: lines.length - 1, character: lines[lines.length - 1].length }, atEnd: true };
}

function deleteLines(file: string, firstLine: number, lastLine: number): TextEdit {
  return { file, range: { start: { line: firstLine, character: 0 }, end: { line: lastLine + 1, character: 0 } }, newText: '' };
}

/** The list or tuple literal that defines a setting, when editing it in place is exact. */
function definingLiteral(module: EvaluatedModule, store: SourceStore, name: string): Node | undefined {
  const state = module.settings.get(name);
  const def = state?.definition;
  if (!def || def.kind !== 'assign' || !def.valueLoc) return undefined;
  const source = store.get(def.valueLoc.file);
  if (!source) return undefined;
  const { start, end } = def.valueLoc.range;
  const node = source.tree().rootNode.descendantForPosition({ row: start.line, column: start.character }, { row: end.line, column: end.character });
  if (!node || (node.type !== 'list' && node.type !== 'tuple')) return undefined;
  if (node.namedChildren.some((c) => c?.type === 'list_splat')) return undefined;
  return node;
}

function listItems(literal: Node): Node[] {
  return literal.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
}

function listInsertEdit(module: EvaluatedModule, store: SourceStore, name: string, item: string, position: 'first' | 'last' | { after: string }): TextEdit | undefined {
  const literal = definingLiteral(module, store, name);
  if (!literal) return undefined;
  const file = module.settings.get(name)!.definition.valueLoc!.file;
  const text = store.get(file)!.text;
  const eol = lineBreakOf(text);
  const items = listItems(literal);
  const multiline = literal.startPosition.row !== literal.endPosition.row;
  if (items.length === 0) {
    const at = { line: literal.startPosition.row, character: literal.startPosition.column + 1 };
    const tupleComma = literal.type === 'tuple' ? ',' : '';
    return { file, range: { start: at, end: at }, newText: item + tupleComma };
  }
  let index: number;
  if (position === 'first') index = 0;
  else if (position === 'last') index = items.length;
  else {
    const anchor = items.findIndex((node) => stringLiteralValue(node) === position.after);
    if (anchor < 0) return undefined;
    index = anchor + 1;
  }
  const first = items[0];
  if (multiline && first.startPosition.row !== literal.startPosition.row) {
    const indent = ' '.repeat(first.startPosition.column);
    if (index < items.length) {
      const at = { line: items[index].startPosition.row, character: items[index].startPosition.column };
      return { file, range: { start: at, end: at }, newText: `${item},${eol}${indent}` };
    }
    const last = items[items.length - 1];
    const afterLast = last.nextSibling;
    const hasTrailingComma = afterLast?.type === ',';
    const at = hasTrailingComma
      ? { line: afterLast!.endPosition.row, character: afterLast!.endPosition.column }
      : { line: last.endPosition.row, character: last.endPosition.column };
    return { file, range: { start: at, end: at }, newText: `${hasTrailingComma ? '' : ','}${eol}${indent}${item}${hasTrailingComma ? ',' : ''}` };
  }
  if (index < items.length) {
    const at = { line: items[index].startPosition.row, character: items[index].startPosition.column };
    return { file, range: { start: at, end: at }, newText: `${item}, ` };
  }
  const last = items[items.length - 1];
  const at = { line: last.endPosition.row, character: last.endPosition.column };
  return { file, range: { start: at, end: at }, newText: `, ${item}` };
}

function listRemoveEdit(module: EvaluatedModule, store: SourceStore, name: string, value: string): TextEdit | undefined {
  const literal = definingLiteral(module, store, name);
  if (!literal) return undefined;
  const file = module.settings.get(name)!.definition.valueLoc!.file;
  const items = listItems(literal);
  const target = items.find((node) => stringLiteralValue(node) === value);
  if (!target) return undefined;
  const next = target.nextSibling;
  const end = next?.type === ',' ? next.endPosition : target.endPosition;
  if (target.startPosition.row !== literal.startPosition.row && target.startPosition.row === end.row && items.length > 1) {
    const lineText = store.get(file)!.text.split('\n')[target.startPosition.row];
    if (lineText.trim().length === target.text.length + (next?.type === ',' ? 1 : 0)) {
      return deleteLines(file, target.startPosition.row, target.startPosition.row);
    }
  }
  return { file, range: { start: { line: target.startPosition.row, character: target.startPosition.column }, end: { line: end.row, character: end.column } }, newText: '' };
}

/** Sorts edits and joins insertions at one position, so they apply in a stable order. */
function normalise(edits: TextEdit[]): TextEdit[] {
  const sorted = [...edits].sort((a, b) => a.file.localeCompare(b.file) || comparePositions(a.range.start, b.range.start) || comparePositions(a.range.end, b.range.end));
  const result: TextEdit[] = [];
  for (const edit of sorted) {
    const previous = result[result.length - 1];
    const isInsert = (e: TextEdit) => comparePositions(e.range.start, e.range.end) === 0;
    if (previous && previous.file === edit.file && isInsert(previous) && isInsert(edit) && comparePositions(previous.range.start, edit.range.start) === 0) {
      result[result.length - 1] = { ...previous, newText: previous.newText + edit.newText };
      continue;
    }
    if (previous && previous.file === edit.file && comparePositions(previous.range.end, edit.range.start) > 0) continue;
    result.push(edit);
  }
  return result;
}
