import type { StatementBlock } from './module-syntax';

/** Each block's answers by test, kept while the block's parse (and so its text) is unchanged. */
const answers = new WeakMap<object, Map<string, boolean>>();

/**
 * Whether `test` holds for a module's text, for a test that looks for a pattern matching
 * within one line (a rule's triggers, what marks a migration or a test module). For a
 * module kept in blocks, which start at the start of a line, that is whether it holds for
 * one of the blocks' texts: each block's answer is kept while its parse is unchanged, so a
 * keystroke tests the text of the block it touched only. `key` names the test: one key,
 * one test.
 */
export function holdsInSomeLine(text: string, blocks: readonly StatementBlock[] | undefined, key: string, test: (text: string) => boolean): boolean {
  if (!blocks) return test(text);
  for (let index = 0; index < blocks.length; index++) if (holdsInBlock(text, blocks, index, key, test)) return true;
  return false;
}

/** Whether `test` holds for the text of block `index` of a module (see holdsInSomeLine), its answer kept while the block's parse is unchanged. */
export function holdsInBlock(text: string, blocks: readonly StatementBlock[], index: number, key: string, test: (text: string) => boolean): boolean {
  const block = blocks[index];
  let kept = answers.get(block.identity);
  if (!kept) answers.set(block.identity, (kept = new Map()));
  let holds = kept.get(key);
  if (holds === undefined) {
    holds = test(text.slice(block.startIndex, blocks[index + 1]?.startIndex ?? text.length));
    kept.set(key, holds);
  }
  return holds;
}
