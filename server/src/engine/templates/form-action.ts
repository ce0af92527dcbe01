import { attributeOf, type FormElement } from './html-scanner';
import { hostMatches } from './project-facts';

/**
 * Where a form posts: to this site (a relative URL, `{% url %}`, no action, or an absolute
 * URL to one of the project's own hosts), to another named host, or to an absolute URL
 * whose host the template computes.
 */
export type FormTarget = { kind: 'this-site' } | { kind: 'other-site'; host: string } | { kind: 'computed-host' };

/** The target of a form's `action`, judged against ALLOWED_HOSTS-style patterns. */
export function formTarget(form: FormElement, ownHosts: readonly string[]): FormTarget {
  const action = attributeOf(form.tag, 'action');
  if (!action || action.quote === undefined) return { kind: 'this-site' };
  // The URL up to the first template piece; an absolute URL's host must end before it.
  let prefix = '';
  let whole = true;
  for (const part of action.parts) {
    if (part.kind === 'template') {
      whole = false;
      break;
    }
    prefix += part.text;
  }
  // NOTE: browsers strip surrounding whitespace and read `\` as `/` in http(s) URLs.
  // https://url.spec.whatwg.org/#url-parsing
  if (!/^[\t\n\f\r ]*(?:https?:)?[/\\]{2}/i.test(prefix)) return { kind: 'this-site' };
  const match = /^[\t\n\f\r ]*(?:https?:)?[/\\]{2}([^/?#\\\s]*)([/?#\\]|[\t\n\f\r ]*$)/i.exec(prefix);
  if (!match || (!whole && !match[2].trim())) return { kind: 'computed-host' };
  const authority = match[1].replace(/^[^@]*@/, '');
  const host = authority
    .replace(/:\d*$/, '')
    .replace(/^\[|\]$/g, '')
    .toLowerCase();
  if (!host) return { kind: 'computed-host' };
  if (/^(localhost|127(\.\d+){3}|::1)$/.test(host) || hostMatches(host, ownHosts)) return { kind: 'this-site' };
  return { kind: 'other-site', host };
}
