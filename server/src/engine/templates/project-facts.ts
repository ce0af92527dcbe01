import type { Project } from '../project/project';
import { asList, asString, unsetView } from '../settings/values';

/** What the template rules need to know of the project's settings. */
export interface TemplateProjectFacts {
  /**
   * Host patterns the site answers to, as ALLOWED_HOSTS writes them (`.example.com`
   * covers subdomains), from every settings module and from CSRF_TRUSTED_ORIGINS,
   * including environment defaults. `*` is left out: it says nothing about the site's name.
   */
  ownHosts: string[];
  /** The request header Django reads the CSRF token from (CSRF_HEADER_NAME), lower-cased. */
  csrfHeaders: string[];
}

const cache = new WeakMap<Project, TemplateProjectFacts>();

export function templateProjectFacts(project: Project): TemplateProjectFacts {
  let facts = cache.get(project);
  if (facts) return facts;
  const hosts = new Set<string>();
  const headers = new Set<string>(['x-csrftoken']);
  for (const module of project.settingsModules()) {
    const settings = project.evaluate(module.file)?.settings;
    if (!settings) continue;
    for (const item of asList(settings.get('ALLOWED_HOSTS')?.value) ?? []) {
      const host = asString(item)?.toLowerCase();
      if (host && host !== '*') hosts.add(host);
    }
    for (const item of asList(settings.get('CSRF_TRUSTED_ORIGINS')?.value) ?? []) {
      const origin = asString(item)?.toLowerCase();
      const host = origin && /^(?:[a-z][a-z0-9+.-]*:\/\/)?(?:\*)?([^/:]+)/.exec(origin)?.[1];
      if (host) hosts.add(origin!.includes('://*.') ? `.${host.replace(/^\./, '')}` : host);
    }
    for (const name of ['SESSION_COOKIE_DOMAIN', 'CSRF_COOKIE_DOMAIN']) {
      const domain = asString(settings.get(name)?.value)?.toLowerCase();
      if (domain) hosts.add(domain.startsWith('.') ? domain : `.${domain}`);
    }
    const header = settings.get('CSRF_HEADER_NAME')?.value;
    const name = header && unsetView(header).kind === 'string' ? asString(header) : undefined;
    // NOTE: CSRF_HEADER_NAME is the WSGI META key: HTTP_X_CSRFTOKEN is the X-CSRFToken header.
    // https://docs.djangoproject.com/en/stable/ref/settings/#csrf-header-name
    if (name)
      headers.add(
        name
          .replace(/^HTTP_/, '')
          .replace(/_/g, '-')
          .toLowerCase(),
      );
  }
  facts = { ownHosts: [...hosts].sort(), csrfHeaders: [...headers].sort() };
  cache.set(project, facts);
  return facts;
}

/** Django's `validate_host` matching of one host against ALLOWED_HOSTS-style patterns. */
export function hostMatches(host: string, patterns: readonly string[]): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return patterns.some((pattern) => {
    if (pattern.startsWith('.')) return h === pattern.slice(1) || h.endsWith(pattern);
    return h === pattern;
  });
}
