import type { Project } from '../project/project';
import { isStaticScript } from '../project/walk';

/**
 * The project's own JavaScript that sends Django's CSRF token: static scripts (a `.js` or
 * `.mjs` file in a `static` folder, minified files left out) whose text names the CSRF
 * header (`X-CSRFToken`, or CSRF_HEADER_NAME) or the token's form field
 * (`csrfmiddlewaretoken`). A form such a script handles, by its id or a submit button's,
 * is probably sent by the script, token included.
 */

/** Element ids looked up by a script that sends the token → the first such script. */
const cache = new WeakMap<Project, Map<string, string>>();

// NOTE: `#id` in a selector ends where a CSS identifier does; an id is never part of a longer name.
const LOOKUP = /getElementById\(\s*['"`]([A-Za-z][\w-]*)['"`]|#([A-Za-z][\w-]*)(?![\w-])/g;

function idsHandledByTokenScripts(project: Project, headers: readonly string[]): Map<string, string> {
  let ids = cache.get(project);
  if (ids) return ids;
  ids = new Map();
  const names = [...headers, 'csrfmiddlewaretoken'];
  for (const file of project.files) {
    if (!isStaticScript(file)) continue;
    const text = project.store.get(file)?.text;
    const lower = text?.toLowerCase();
    if (!text || !lower || !names.some((name) => lower.includes(name))) continue;
    for (const match of text.matchAll(LOOKUP)) {
      const id = match[1] ?? match[2];
      if (!ids.has(id)) ids.set(id, file);
    }
  }
  cache.set(project, ids);
  return ids;
}

/**
 * The first of `ids` that a script sending the token looks up (`getElementById('save')`)
 * or names in a CSS selector (`'#save'`, `"form#save .x"`), with the script's file.
 */
export function scriptHandlingIds(project: Project, headers: readonly string[], ids: readonly string[]): { id: string; file: string } | undefined {
  const handled = idsHandledByTokenScripts(project, headers);
  for (const id of ids) {
    const file = handled.get(id);
    if (file) return { id, file };
  }
  return undefined;
}
