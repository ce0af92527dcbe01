/**
 * Checks on fixed templates: a fix may insert `{% csrf_token %}` and quotes, and nothing
 * else may change in how Django lexes the template.
 */
import assert from 'node:assert/strict';
import { tokenize } from '../../server/src/engine/templates/lexer';

/** Template files, as the fixture runner tells them from Python files. */
export function isTemplatePath(file: string): boolean {
  return /\.(html?|txt|djhtml)$/.test(file);
}

/**
 * The fixed template lexes like the original except for inserted `{% csrf_token %}` tags:
 * the same tags and variables in the same order with the same contents, and text that
 * differs only by added whitespace and quotes.
 */
export function assertLexesAlike(before: string, after: string, label: string): void {
  const tags = (text: string) =>
    tokenize(text)
      .filter((t) => t.kind !== 'text')
      .map((t) => `${t.kind}:${t.contents}`);
  const original = tags(before);
  const fixed = tags(after);
  const inserted: string[] = [];
  let i = 0;
  for (const tag of fixed) {
    if (i < original.length && tag === original[i]) i++;
    else inserted.push(tag);
  }
  assert.equal(i, original.length, `${label}: a template tag of the original is missing or changed after the fix`);
  assert.ok(
    inserted.every((tag) => tag === 'block:csrf_token'),
    `${label}: the fix added template tags other than {% csrf_token %}: ${inserted.join(', ')}`,
  );
  const text = (source: string) =>
    tokenize(source)
      .filter((t) => t.kind === 'text')
      .map((t) => t.contents)
      .join('');
  const squeeze = (s: string) => s.replace(/[\s"']/g, '');
  assert.equal(squeeze(text(after)), squeeze(text(before)), `${label}: the fix changed the template's text beyond whitespace and quotes`);
}
