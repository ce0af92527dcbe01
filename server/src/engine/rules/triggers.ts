/**
 * A rule's cheap text test: a substring or a regular expression (without the `g` flag,
 * whose `lastIndex` would make repeated tests disagree). A Python rule's triggers match within one
 * line: a module kept in blocks is tested block by block, and blocks start at the start of
 * a line. A file that matches none of an analyzer's enabled rules is never parsed.
 */
export type Trigger = string | RegExp;

export function matchesTrigger(text: string, triggers: readonly Trigger[]): boolean {
  return triggers.some((trigger) => (typeof trigger === 'string' ? text.includes(trigger) : trigger.test(text)));
}
