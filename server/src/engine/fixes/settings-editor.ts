import { parsePython, stringLiteralValue, type Node } from '../parse/python';
import type { EvaluatedModule, SettingDefinition } from '../settings/settings-module';
import type { SourceStore } from '../project/source-store';
import { asStringList } from '../settings/values';
import { comparePositions, endsWithLineBreak, lineBreakOf, lineStarts, lineText, offsetAt, positionAt } from '../text';
import type { Position, SettingsIntent, TextEdit } from '../types';

export const HARDENING_HEADER = '# Security hardening';
/** A line that is the header, give or take surrounding whitespace. */
const HEADER_LINE = new RegExp(`^\\s*${HARDENING_HEADER.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`, 'm');

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
  /** Names the block assigns or mutates: it must come after whatever defines them. */
  const blockNames = new Set<string>();
  const imports: string[] = [];
  const handledNames = new Set<string>();

  const needImport = (statement: string) => {
    if (!imports.includes(statement)) imports.push(statement);
  };

  // Two findings may want the very same change (one middleware insert, say): make it once.
  const seen = new Set<string>();
  const unique = intents.filter((intent) => {
    const key = JSON.stringify(intent);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  for (const intent of unique) {
    switch (intent.kind) {
      case 'set': {
        if (handledNames.has(intent.name)) break;
        handledNames.add(intent.name);
        for (const statement of intent.imports ?? []) needImport(statement);
        const state = module.settings.get(intent.name);
        const def = state?.definition;
        if (def && def.kind === 'assign' && def.valueLoc && def.statement.file === module.file && !isChainedAssignment(store, def)) {
          edits.push({ file: module.file, range: def.valueLoc.range, newText: intent.value });
        } else {
          if (intent.comment) blockLines.push(`# ${intent.comment}`);
          blockLines.push(`${intent.name} = ${intent.value}`);
          blockNames.add(intent.name);
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
        if (alreadyHasItem(module, intent.name, intent.item)) break;
        const edit = listInsertEdit(module, store, intent.name, intent.item, intent.position);
        if (edit) {
          edits.push(edit);
          break;
        }
        blockNames.add(intent.name);
        if (intent.position === 'first') blockLines.push(`${intent.name}.insert(0, ${intent.item})`);
        else if (intent.position === 'last') blockLines.push(`${intent.name}.append(${intent.item})`);
        else blockLines.push(`${intent.name}.insert(${intent.name}.index(${JSON.stringify(intent.position.after)}) + 1, ${intent.item})`);
        break;
      }
      case 'list-remove': {
        // A list known not to hold the value needs nothing (and .remove() would raise).
        const known = asStringList(module.settings.get(intent.name)?.value);
        if (known && !known.includes(intent.value)) break;
        const edit = listRemoveEdit(module, store, intent.name, intent.value);
        if (edit) edits.push(edit);
        else {
          blockLines.push(`${intent.name}.remove(${JSON.stringify(intent.value)})`);
          blockNames.add(intent.name);
        }
        break;
      }
    }
  }

  const text = source.text;
  const starts = lineStarts(text);
  const importLines = imports.filter((statement) => !module.layout.ownImports.has(boundName(statement)));
  const layout = module.layout;
  if (importLines.length > 0) {
    if (layout.importsEnd) {
      const at = lineEnd(text, layout.importsEnd.line, starts);
      edits.push({ file: module.file, range: { start: at, end: at }, newText: importLines.map((l) => eol + l).join('') });
    } else {
      let at: Position = layout.bodyStart;
      // After a docstring and its blank line, so the imports get a blank line of their own.
      if (at.line > 0 && at.line + 1 < starts.length && lineText(text, at.line, starts).trim() === '') at = { line: at.line + 1, character: 0 };
      const atEndWithoutBreak = offsetAt(text, at, starts) === text.length && text.length > 0 && !endsWithLineBreak(text);
      edits.push({ file: module.file, range: { start: at, end: at }, newText: (atEndWithoutBreak ? eol : '') + importLines.map((l) => l + eol).join('') + eol });
    }
  }
  if (blockLines.length > 0) {
    const hasHeader = hasHardeningHeader(text);
    const at = blockAnchor(module, text, starts, blockNames);
    const prefix = hasHeader ? eol : eol + eol + HARDENING_HEADER + eol;
    const body = blockLines.join(eol);
    if (at.atEnd) {
      const needsBreak = text.length > 0 && !endsWithLineBreak(text);
      // A search, not a trimmed copy of what may be a large module.
      const blank = !/\S/.test(text);
      const lead = blank ? '' : (needsBreak ? eol : '') + prefix.slice(eol.length);
      const header = blank && !hasHeader ? HARDENING_HEADER + eol : '';
      edits.push({ file: module.file, range: { start: at.position, end: at.position }, newText: lead + header + body + eol });
    } else {
      edits.push({ file: module.file, range: { start: at.position, end: at.position }, newText: prefix + body });
    }
  }
  return normalise(edits);
}

/** The module text last searched for the header, and the answer: every fix of a module asks again. */
let headerSearch: { text: string; found: boolean } | undefined;

function hasHardeningHeader(text: string): boolean {
  if (headerSearch?.text !== text) {
    // The plain search first: the regular expression over a large module costs a keystroke's budget.
    headerSearch = { text, found: text.includes(HARDENING_HEADER) && HEADER_LINE.test(text) };
  }
  return headerSearch.found;
}

function boundName(statement: string): string {
  const words = statement.trim().split(/\s+/);
  return words[words.length - 1];
}

/** The end of a line's content, after any trailing comment and before its line break. */
function lineEnd(text: string, line: number, starts: readonly number[]): Position {
  return { line, character: lineText(text, line, starts).length };
}

/**
 * After the last top-level assignment, so the block overrides what comes before it, and
 * in any case after every statement of this module that defines a name the block sets.
 */
function blockAnchor(module: EvaluatedModule, text: string, starts: readonly number[], names: Set<string>): { position: Position; atEnd: boolean } {
  const layout = module.layout;
  let after = layout.lastAssignmentEnd ?? layout.importsEnd;
  const later = (p: Position) => {
    if (!after || comparePositions(p, after) > 0) after = p;
  };
  const lastSite = [...module.starImportSites.values()]
    .map((site) => site.range.end)
    .sort(comparePositions)
    .pop();
  for (const name of names) {
    for (const def of module.settings.get(name)?.history ?? []) {
      if (def.statement.file === module.file) later(def.statement.range.end);
      else if (lastSite) later(lastSite);
    }
  }
  if (after) return { position: lineEnd(text, after.line, starts), atEnd: false };
  return { position: positionAt(text, text.length, starts), atEnd: true };
}

/** `A = B = value`: editing the shared value would change the other names too. */
function isChainedAssignment(store: SourceStore, def: SettingDefinition): boolean {
  const source = store.get(def.statement.file);
  if (!source) return true;
  const { start, end } = def.statement.range;
  let node: Node | null = source.syntax().rootNode.descendantForPosition({ row: start.line, column: start.character }, { row: end.line, column: end.character });
  while (node && node.type !== 'expression_statement' && node.parent) node = node.parent;
  const assignment = node?.namedChildren[0];
  return assignment?.type === 'assignment' && assignment.childForFieldName('right')?.type === 'assignment';
}

/** Whether a list setting is known to hold the string literal `item` already. */
function alreadyHasItem(module: EvaluatedModule, name: string, item: string): boolean {
  const known = asStringList(module.settings.get(name)?.value);
  if (!known) return false;
  const tree = parsePython(item);
  try {
    const expression = tree.rootNode.namedChildren[0]?.namedChildren[0];
    const value = expression && !tree.rootNode.hasError ? stringLiteralValue(expression) : undefined;
    return value !== undefined && known.includes(value);
  } finally {
    tree.delete();
  }
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
  const node = source.syntax().rootNode.descendantForPosition({ row: start.line, column: start.character }, { row: end.line, column: end.character });
  if (!node || (node.type !== 'list' && node.type !== 'tuple')) return undefined;
  // A list inherited from base.py is changed by a statement in this module instead, so the
  // development modules that import base.py keep theirs; a tuple has no such method.
  if (node.type === 'list' && def.valueLoc.file !== module.file) return undefined;
  if (node.namedChildren.some((c) => c?.type === 'list_splat' || c?.type === 'parenthesized_list_splat')) return undefined;
  return node;
}

function listItems(literal: Node): Node[] {
  return literal.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
}

const startOf = (node: Node): Position => ({ line: node.startPosition.row, character: node.startPosition.column });
const endOf = (node: Node): Position => ({ line: node.endPosition.row, character: node.endPosition.column });

/** A comment that follows `node` on its own line. */
function trailingComment(node: Node): Node | undefined {
  const next = node.nextSibling;
  return next?.type === 'comment' && next.startPosition.row === node.endPosition.row ? next : undefined;
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
      const at = startOf(items[index]);
      return { file, range: { start: at, end: at }, newText: `${item},${eol}${indent}` };
    }
    const last = items[items.length - 1];
    const afterLast = last.nextSibling;
    if (afterLast?.type === ',') {
      const comment = trailingComment(afterLast);
      const at = endOf(comment ?? afterLast);
      return { file, range: { start: at, end: at }, newText: `${eol}${indent}${item},` };
    }
    const comment = trailingComment(last);
    if (comment) {
      // `"b"  # note` → `"b",  # note` and the new item on the next line.
      const starts = lineStarts(text);
      const between = text.slice(offsetAt(text, endOf(last), starts), offsetAt(text, endOf(comment), starts));
      return { file, range: { start: endOf(last), end: endOf(comment) }, newText: `,${between}${eol}${indent}${item}` };
    }
    return { file, range: { start: endOf(last), end: endOf(last) }, newText: `,${eol}${indent}${item}` };
  }
  if (index < items.length) {
    const at = startOf(items[index]);
    return { file, range: { start: at, end: at }, newText: `${item}, ` };
  }
  const at = endOf(items[items.length - 1]);
  return { file, range: { start: at, end: at }, newText: `, ${item}` };
}

function listRemoveEdit(module: EvaluatedModule, store: SourceStore, name: string, value: string): TextEdit | undefined {
  const literal = definingLiteral(module, store, name);
  if (!literal) return undefined;
  const file = module.settings.get(name)!.definition.valueLoc!.file;
  const text = store.get(file)!.text;
  const starts = lineStarts(text);
  const items = listItems(literal);
  const index = items.findIndex((node) => stringLiteralValue(node) === value);
  if (index < 0) return undefined;
  const target = items[index];
  const comma = target.nextSibling?.type === ',' ? target.nextSibling : undefined;
  const end = comma ?? target;

  // An item on a line of its own goes with its line (and the comment that explains it).
  const row = target.startPosition.row;
  const before = lineText(text, row, starts).slice(0, target.startPosition.column);
  const after = lineText(text, end.endPosition.row, starts).slice(end.endPosition.column);
  if (row !== literal.startPosition.row && before.trim() === '' && (after.trim() === '' || after.trim().startsWith('#'))) {
    return deleteLines(file, row, end.endPosition.row);
  }

  const next = items[index + 1];
  if (next) {
    // `"*", "b"` → `"b"`: through the following separator.
    const until = next.startPosition.row === end.endPosition.row ? startOf(next) : endOf(end);
    return { file, range: { start: startOf(target), end: until }, newText: '' };
  }
  const previous = items[index - 1];
  if (!previous) return { file, range: { start: startOf(target), end: endOf(end) }, newText: '' };
  // The last of several items: drop the separator before it, keeping any trailing comma;
  // a tuple left with one item keeps a comma so it stays a tuple.
  const previousComma = previous.nextSibling?.type === ',' ? previous.nextSibling : undefined;
  const keepsTuple = literal.type === 'tuple' && items.length === 2 && !comma;
  const from = keepsTuple && previousComma ? endOf(previousComma) : endOf(previous);
  return { file, range: { start: from, end: endOf(target) }, newText: '' };
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
