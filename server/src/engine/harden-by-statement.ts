import { HARDENING_HEADER } from './fixes/settings-editor';
import { parsePython } from './parse/python';
import { lineStarts } from './text';
import type { TextEdit } from './types';

/**
 * The edits of "Harden settings" as the editor previews them: an insertion holding several
 * statements (the `# Security hardening` block) becomes one insertion per statement at the
 * same place, so each new setting is a change of its own that the user can untick. The
 * header, and the blank lines before it, stay with the first statement. Comments directly
 * above a statement go with it. Applied together, the pieces give exactly the original text.
 */
export function oneEditPerStatement(edits: readonly TextEdit[]): TextEdit[] {
  return edits.flatMap((edit) => {
    const isInsertion = edit.range.start.line === edit.range.end.line && edit.range.start.character === edit.range.end.character;
    if (!isInsertion || !edit.file.endsWith('.py')) return [edit];
    const text = edit.newText;
    // Each piece must stand alone, whichever others are left out: inserted at a line start,
    // a piece ends with its line break; inserted at the end of a line, it starts with one.
    const atLineStart = edit.range.start.character === 0;
    const cuts = statementStarts(text)
      .slice(1)
      .map((start) => (atLineStart ? start : start - (text[start - 2] === '\r' ? 2 : 1)));
    if (cuts.length === 0) return [edit];
    return [0, ...cuts].map((cut, index) => ({ ...edit, newText: text.slice(cut, cuts[index] ?? text.length) }));
  });
}

/** Offsets where each top-level statement starts, its own comment lines included (never the hardening header). */
function statementStarts(text: string): number[] {
  const tree = parsePython(text);
  try {
    if (tree.rootNode.hasError) return [];
    const lines = lineStarts(text);
    const starts: number[] = [];
    let pendingComment: number | undefined;
    for (const node of tree.rootNode.children) {
      if (!node) continue;
      if (node.type === 'comment') {
        if (node.text.trim() !== HARDENING_HEADER) pendingComment ??= lines[node.startPosition.row];
        continue;
      }
      starts.push(pendingComment ?? lines[node.startPosition.row]);
      pendingComment = undefined;
    }
    return starts;
  } finally {
    tree.delete();
  }
}
