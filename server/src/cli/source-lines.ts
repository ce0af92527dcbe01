import { lineStarts } from '../engine';

/**
 * The text of the files that have findings, kept after their analysis is disposed: the
 * text report quotes lines, fingerprints and `--add-noqa` read them.
 */
export class SourceLines {
  private readonly texts = new Map<string, { text: string; starts: readonly number[]; bom: boolean }>();

  remember(file: string, text: string | undefined, bom = false): void {
    if (text !== undefined && !this.texts.has(file)) this.texts.set(file, { text, starts: [...lineStarts(text)], bom });
  }

  /** Whether the file started with a UTF-8 byte order mark, which a rewrite keeps. */
  hadBom(file: string): boolean {
    return this.texts.get(file)?.bom ?? false;
  }

  text(file: string): string | undefined {
    return this.texts.get(file)?.text;
  }

  /** One 0-based line without its line break, or undefined when the file or line is unknown. */
  line(file: string, line: number): string | undefined {
    const entry = this.texts.get(file);
    if (!entry || line < 0 || line >= entry.starts.length) return undefined;
    const end = line + 1 < entry.starts.length ? entry.starts[line + 1] - 1 : entry.text.length;
    return entry.text.slice(entry.starts[line], end).replace(/\r$/, '');
  }

  lineCount(file: string): number {
    return this.texts.get(file)?.starts.length ?? 0;
  }
}
