import { lineStarts, offsetAt, positionAt } from '../text';
import type { Position } from '../types';

/**
 * Where the positions of an old text of a file are in its new text, when lines were added
 * or removed between them. The two texts are aligned on their common prefix and suffix:
 * what lies before the changed span keeps its place, what lies after it moves with it, and
 * what lies inside has no place (undefined).
 */
export class LineShift {
  private constructor(
    private readonly oldText: string,
    private readonly newText: string,
    /** Offset where the texts start to differ. */
    private readonly changeStart: number,
    /** Offset in the old text where the common suffix starts. */
    private readonly oldChangeEnd: number,
    private readonly oldStarts: readonly number[],
    private readonly newStarts: readonly number[],
  ) {}

  /** The shift from `oldText` to `newText`, or undefined when every line keeps its number (nothing needs moving). */
  static between(oldText: string, newText: string): LineShift | undefined {
    if (oldText === newText) return undefined;
    const shorter = Math.min(oldText.length, newText.length);
    // Whole blocks first (a native comparison), then character by character.
    const BLOCK = 512;
    let prefix = 0;
    while (prefix + BLOCK <= shorter && oldText.slice(prefix, prefix + BLOCK) === newText.slice(prefix, prefix + BLOCK)) prefix += BLOCK;
    while (prefix < shorter && oldText.charCodeAt(prefix) === newText.charCodeAt(prefix)) prefix++;
    let suffix = 0;
    while (suffix + BLOCK <= shorter - prefix && oldText.slice(oldText.length - suffix - BLOCK, oldText.length - suffix) === newText.slice(newText.length - suffix - BLOCK, newText.length - suffix)) {
      suffix += BLOCK;
    }
    while (suffix < shorter - prefix && oldText.charCodeAt(oldText.length - 1 - suffix) === newText.charCodeAt(newText.length - 1 - suffix)) suffix++;
    const oldChangeEnd = oldText.length - suffix;
    const newChangeEnd = newText.length - suffix;
    if (countLineBreaks(oldText, prefix, oldChangeEnd) === countLineBreaks(newText, prefix, newChangeEnd)) return undefined;
    return new LineShift(oldText, newText, prefix, oldChangeEnd, lineStarts(oldText), lineStarts(newText));
  }

  /** The new place of a position that starts something (a statement, a location). */
  start(position: Position): Position | undefined {
    const offset = this.offsetOf(position);
    if (offset < this.changeStart) return position;
    if (offset < this.oldChangeEnd) return undefined;
    return this.moved(offset);
  }

  private moved(offset: number): Position {
    return positionAt(this.newText, offset + this.newText.length - this.oldText.length, this.newStarts);
  }

  private offsetOf(position: Position): number {
    return offsetAt(this.oldText, position, this.oldStarts);
  }
}

/** The line breaks that end in text[from, to): each `\n`, and each `\r` not followed by one (see the line model in text.ts). */
function countLineBreaks(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i);
    if (code === 10 || (code === 13 && text.charCodeAt(i + 1) !== 10)) count++;
  }
  return count;
}
