import type { Project } from '../project/project';
import { isStaticScript } from '../project/walk';

/**
 * The project's own JavaScript that sends Django's CSRF token: static scripts (a `.js` or
 * `.mjs` file in a `static` folder, minified files left out) whose text names the CSRF
 * header (`X-CSRFToken`, or CSRF_HEADER_NAME) or the token's form field
 * (`csrfmiddlewaretoken`). A form such a script handles, by its id or a submit button's,
 * is probably sent by the script, token included.
 */

interface TokenScript {
  file: string;
  text: string;
}

const cache = new WeakMap<Project, TokenScript[]>();

function tokenScripts(project: Project, headers: readonly string[]): TokenScript[] {
  let scripts = cache.get(project);
  if (scripts) return scripts;
  scripts = [];
  const names = [...headers, 'csrfmiddlewaretoken'];
  for (const file of project.files) {
    if (!isStaticScript(file)) continue;
    const text = project.store.get(file)?.text;
    const lower = text?.toLowerCase();
    if (text && lower && names.some((name) => lower.includes(name))) scripts.push({ file, text });
  }
  cache.set(project, scripts);
  return scripts;
}

/**
 * The first of `ids` that a script sending the token looks up (`getElementById('save')`)
 * or names in a CSS selector (`'#save'`, `"form#save .x"`), with the script's file.
 */
export function scriptHandlingIds(project: Project, headers: readonly string[], ids: readonly string[]): { id: string; file: string } | undefined {
  const wanted = ids.filter((id) => /^[A-Za-z][\w-]*$/.test(id));
  if (wanted.length === 0) return undefined;
  for (const script of tokenScripts(project, headers)) {
    for (const id of wanted) {
      // The whole id, never part of a longer name.
      const named = new RegExp(`(?:getElementById\\(\\s*['"\`]${id}['"\`]|#${id}(?![\\w-]))`);
      if (named.test(script.text)) return { id, file: script.file };
    }
  }
  return undefined;
}
