/**
 * Checks on fixed templates: a fix may insert `{% csrf_token %}` and quotes, and nothing
 * else may change in how Django lexes the template.
 */
import assert from 'node:assert/strict';
import { diffArrays } from 'diff';
import { tokenize } from '../../server/src/engine/templates/lexer';

/** Template files, as the fixture runner tells them from Python files. */
export function isTemplatePath(file: string): boolean {
  return /\.(html?|txt|tpl|xml|djhtml)$/.test(file);
}

/** What the DJH306 fix puts in place of a variable: the script reads the value from its json_script element. */
const JSON_SCRIPT_READ = /JSON\.parse\(document\.getElementById\("[\w-]+"\)\.textContent\)/g;
const JSON_SCRIPT_ELEMENT = /^var:(.*)\|json_script:"[\w-]+"$/s;

/**
 * The fixed template lexes like the original except for what fixes may change: inserted
 * `{% csrf_token %}` tags, and variables moved into `{{ value|json_script:"id" }}`
 * elements (the variable replaced by the `JSON.parse(…)` that reads it back). The same
 * tags and variables otherwise, in the same order with the same contents, and text that
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
  const removed: string[] = [];
  for (const change of diffArrays(original, fixed)) {
    if (change.added) inserted.push(...change.value);
    else if (change.removed) removed.push(...change.value);
  }
  const moved = new Set(inserted.flatMap((tag) => JSON_SCRIPT_ELEMENT.exec(tag)?.[1] ?? []));
  for (const tag of original) {
    const element = JSON_SCRIPT_ELEMENT.exec(tag);
    if (element) moved.add(element[1]);
  }
  assert.ok(
    removed.every((tag) => tag.startsWith('var:') && moved.has(tag.slice(4))),
    `${label}: a template tag of the original is missing or changed after the fix: ${removed.join(', ')}`,
  );
  assert.ok(
    inserted.every((tag) => tag === 'block:csrf_token' || JSON_SCRIPT_ELEMENT.test(tag)),
    `${label}: the fix added template tags other than {% csrf_token %} and json_script elements: ${inserted.join(', ')}`,
  );
  const text = (source: string) =>
    tokenize(source)
      .filter((t) => t.kind === 'text')
      .map((t) => t.contents)
      .join('');
  const squeeze = (s: string) => s.replace(JSON_SCRIPT_READ, '').replace(/[\s"']/g, '');
  assert.equal(squeeze(text(after)), squeeze(text(before)), `${label}: the fix changed the template's text beyond whitespace and quotes`);
}
