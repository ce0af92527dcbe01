import { lineText } from '../../../text';
import type { Location } from '../../../types';
import type { SettingsRuleContext } from '../../settings-context';

/**
 * The text to delete to remove one item from a list or tuple literal, keeping the layout:
 * an item alone on its line takes the line with it; one followed by a comment leaves the
 * comment in place; one among others on a line takes its comma and the space after it.
 * Undefined when the file cannot be read.
 */
export function listItemRemoval(ctx: SettingsRuleContext, item: Location): Location | undefined {
  const text = ctx.project.store.get(item.file)?.text;
  if (text === undefined) return undefined;
  const { start, end } = item.range;
  const startLine = lineText(text, start.line);
  const endLine = lineText(text, end.line);
  const before = startLine.slice(0, start.character);
  const after = endLine.slice(end.character);
  const trailing = /^\s*,?\s*/.exec(after)![0];
  const rest = after.slice(trailing.length);
  const alone = before.trim() === '';
  if (alone && rest === '') {
    return { file: item.file, range: { start: { line: start.line, character: 0 }, end: { line: end.line + 1, character: 0 } } };
  }
  if (alone && rest.startsWith('#')) {
    return { file: item.file, range: { start, end: { line: end.line, character: end.character + trailing.length } } };
  }
  if (trailing.includes(',')) {
    return { file: item.file, range: { start, end: { line: end.line, character: end.character + trailing.length } } };
  }
  // The last item of an inline list: take the comma and space before it instead.
  const separator = /,\s*$/.exec(before);
  const from = separator ? start.character - separator[0].length : start.character;
  return { file: item.file, range: { start: { line: start.line, character: from }, end } };
}
