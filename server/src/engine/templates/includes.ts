import type { Project } from '../project/project';
import { templatesRenderedByTag } from './custom-tags';
import { parseTemplate } from './document';
import { includeName } from './html-scanner';
import { templatesNamed } from './template-files';

/** Whether rendering a template can print a CSRF token: yes, no, or cannot tell. */
export type TokenVerdict = 'token' | 'none' | 'unknown';

const MAX_DEPTH = 8;
const verdicts = new WeakMap<Project, Map<string, TokenVerdict>>();

/**
 * Whether the template `name` (as `{% include %}` or `{% extends %}` names it) renders a
 * `{% csrf_token %}`, itself or through the templates it includes or extends, or that a tag
 * the project defines renders (an inclusion tag's template, see templatesRenderedByTag). A template
 * the project does not hold (a third-party app's), a computed name or a cycle is 'unknown'.
 */
export function templateRendersToken(project: Project, name: string, depth = 0, seen = new Set<string>()): TokenVerdict {
  let known = verdicts.get(project);
  if (!known) {
    known = new Map();
    verdicts.set(project, known);
  }
  const cached = known.get(name);
  if (cached) return cached;
  if (depth > MAX_DEPTH || seen.has(name)) return 'unknown';
  seen.add(name);
  const files = templatesNamed(project, name);
  let verdict: TokenVerdict = files.length === 0 ? 'unknown' : 'none';
  for (const file of files) {
    const result = fileVerdict(project, file, depth, seen);
    if (result === 'token') verdict = 'token';
    else if (result === 'unknown' && verdict === 'none') verdict = 'unknown';
  }
  seen.delete(name);
  known.set(name, verdict);
  return verdict;
}

function fileVerdict(project: Project, file: string, depth: number, seen: Set<string>): TokenVerdict {
  const source = project.store.get(file);
  if (!source) return 'unknown';
  let verdict: TokenVerdict = 'none';
  for (const node of parseTemplate(source.text).nodes) {
    if (node.role !== 'block') continue;
    if (node.tag === 'csrf_token') return 'token';
    if (node.tag === 'include' || node.tag === 'extends') {
      const name = includeName(node.contents);
      const inner = name === undefined ? 'unknown' : templateRendersToken(project, name, depth + 1, seen);
      if (inner === 'token') return 'token';
      if (inner === 'unknown') verdict = 'unknown';
    } else if (templatesRenderedByTag(project, node.tag).some((name) => templateRendersToken(project, name, depth + 1, seen) === 'token')) return 'token';
  }
  return verdict;
}
