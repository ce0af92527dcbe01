import type { Node } from '../parse/python';
import type { Position } from '../types';
import type { ModuleLayout } from './module-state';
import { noqaCodes } from '../suppression';

/**
 * The module's top-level statements (comments left out), each kind read once (every read
 * crosses into WebAssembly), in segments of consecutive statements that give their nodes
 * only when asked: the layout reads a few.
 */
export class TopLevelStatements {
  private readonly segments: { types: readonly string[]; node: (index: number) => Node }[] = [];
  private starts?: number[];

  /** A segment's types may still grow while it is evaluated; they are read once all are. */
  add(types: readonly string[], node: (index: number) => Node): void {
    this.segments.push({ types, node });
    this.starts = undefined;
  }

  get count(): number {
    return this.segments.reduce((sum, segment) => sum + segment.types.length, 0);
  }

  type(index: number): string | undefined {
    const [segment, local] = this.locate(index);
    return segment?.types[local];
  }

  node(index: number): Node {
    const [segment, local] = this.locate(index);
    return segment!.node(local);
  }

  /** The indexes of the import statements (a recorded block's are found once). */
  imports(): number[] {
    const found: number[] = [];
    let start = 0;
    for (const { types } of this.segments) {
      let own = importsOfTypes.get(types);
      if (!own) {
        own = [];
        for (let i = 0; i < types.length; i++) if (types[i] === 'import_statement' || types[i] === 'import_from_statement') own.push(i);
        importsOfTypes.set(types, own);
      }
      for (const index of own) found.push(start + index);
      start += types.length;
    }
    return found;
  }

  private locate(index: number): [{ types: readonly string[]; node: (index: number) => Node } | undefined, number] {
    if (!this.starts) {
      let start = 0;
      this.starts = this.segments.map((segment) => ((start += segment.types.length), start - segment.types.length));
    }
    // The last segment starting at or before the index (a module read whole has one per statement).
    let low = 0;
    let high = this.segments.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.starts[middle] <= index) low = middle;
      else high = middle - 1;
    }
    return [this.segments[low], index - (this.starts[low] ?? 0)];
  }
}

const importsOfTypes = new WeakMap<readonly string[], number[]>();

export function moduleLayout(file: string, all: TopLevelStatements): ModuleLayout {
  // Nodes are read only for the statements the layout looks at: the head, imports, the last assignment.
  const statement = (i: number) => all.node(i);
  const count = all.count;
  let index = 0;
  let bodyStart: Position = { line: 0, character: 0 };
  if (all.type(0) === 'expression_statement' && statement(0).namedChildren[0]?.type === 'string') {
    bodyStart = { line: statement(0).endPosition.row + 1, character: 0 };
    index = 1;
  }
  while (all.type(index) === 'future_import_statement') {
    bodyStart = { line: statement(index).endPosition.row + 1, character: 0 };
    index++;
  }
  let importsEnd: Position | undefined;
  const ownImports = new Map<string, string>();
  for (const i of all.imports()) {
    if (all.type(i) === 'import_statement') {
      for (const child of statement(i).namedChildren) {
        if (child?.type === 'dotted_name') ownImports.set(child.text.split('.')[0], child.text);
        else if (child?.type === 'aliased_import') ownImports.set(child.childForFieldName('alias')?.text ?? '', child.childForFieldName('name')?.text ?? '');
      }
    } else {
      const s = statement(i);
      const moduleName = s.childForFieldName('module_name')?.text ?? '';
      for (const child of s.childrenForFieldName('name')) {
        if (!child) continue;
        const target = child.type === 'aliased_import' ? child.childForFieldName('name')?.text : child.text;
        const alias = child.type === 'aliased_import' ? child.childForFieldName('alias')?.text : child.text;
        if (target && alias) ownImports.set(alias, `${moduleName}.${target}`);
      }
    }
  }
  // NOTE: a missing setting is about the module as a whole: it is reported at the module's
  // head, its first statement after the docstring and `__future__` imports (a code line,
  // where `# noqa` can go), or in a module built on a base at the star import its settings
  // arrive through, wherever it is.
  // A line whose bare `# noqa` another linter wants (`from .base import *  # noqa`, for
  // flake8's F403) would silence it: the next candidate is taken, the statement after the
  // imports last.
  const starImport = all.imports().find((i) => all.type(i) === 'import_from_statement' && statement(i).namedChildren.some((c) => c?.type === 'wildcard_import'));
  const candidates: Node[] = [];
  if (starImport !== undefined) candidates.push(statement(starImport));
  if (index < count) candidates.push(statement(index));
  for (; index < count; index++) {
    const type = all.type(index);
    if (type !== 'import_statement' && type !== 'import_from_statement' && type !== 'future_import_statement') break;
    importsEnd = endWithTrailingComment(statement(index));
  }
  if (index < count) candidates.push(statement(index));
  const anchorNode: Node | undefined = candidates.find((node) => !carriesBareNoqa(node)) ?? candidates[0];
  let lastAssignmentEnd: Position | undefined;
  for (let i = count - 1; i >= 0 && !lastAssignmentEnd; i--) {
    if (all.type(i) !== 'expression_statement') continue;
    const s = statement(i);
    const expr = s.namedChildren[0];
    if (expr && (expr.type === 'assignment' || expr.type === 'augmented_assignment' || expr.type === 'call')) {
      lastAssignmentEnd = endWithTrailingComment(s);
    }
  }
  const anchorRange = anchorNode
    ? { start: { line: anchorNode.startPosition.row, character: anchorNode.startPosition.column }, end: anchorNodeLineEnd(anchorNode) }
    : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  return { importsEnd, bodyStart, lastAssignmentEnd, anchor: { file, range: anchorRange }, ownImports };
}

/** Whether a statement's first line ends with a bare `# noqa`, which silences every code there. */
function carriesBareNoqa(statement: Node): boolean {
  const next = statement.nextSibling;
  return next?.type === 'comment' && next.startPosition.row === statement.startPosition.row && noqaCodes(next.text) === null;
}

/** Where a statement's line really ends: after a trailing comment, so inserted lines do not take it over. */
function endWithTrailingComment(statement: Node): Position {
  const next = statement.nextSibling;
  const end = next?.type === 'comment' && next.startPosition.row === statement.endPosition.row ? next.endPosition : statement.endPosition;
  return { line: end.row, character: end.column };
}

/** A missing-setting finding underlines the first line of its anchor statement only. */
function anchorNodeLineEnd(node: Node): Position {
  if (node.startPosition.row === node.endPosition.row) return { line: node.endPosition.row, character: node.endPosition.column };
  const firstLine = node.text.split(/\r?\n/)[0];
  return { line: node.startPosition.row, character: node.startPosition.column + firstLine.length };
}
