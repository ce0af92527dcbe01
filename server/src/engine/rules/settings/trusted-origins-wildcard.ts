import { stringLiteralValue } from '../../parse/python';
import { asString, presentItems, truthy } from '../../settings/values';
import type { Finding, Fix, Location } from '../../types';
import type { SettingsRule } from '../rule';
import type { SettingsRuleContext } from '../settings-context';
import { nodeAt } from './support/literals';
import { FIRST_SENTENCE_LIMIT, findingMessage } from './support/setting-values';

const CORS_MIDDLEWARE = 'corsheaders.middleware.CorsMiddleware';
/**
 * Origins on the user's own machine: no one on the network path can inject into them, and
 * a single settings.py often keeps them for development.
 */
const LOOPBACK = /^http:\/\/(localhost|127(\.\d{1,3}){3}|\[::1\])(:\d+)?\/?$/i;

/** DJH129: trusting every origin, or a plain-HTTP one, hands cross-site requests the user's session. */
export const trustedOriginsWildcard: SettingsRule = {
  meta: {
    code: 'DJH129',
    name: 'trusted-origins-wildcard',
    severity: 'warning',
    scope: 'settings',
    summary: "CSRF_TRUSTED_ORIGINS holds a bare '*' or an http:// origin, or django-cors-headers allows every origin with credentials.",
    fix: 'unsafe',
    djangoChecks: [],
  },
  docs: `## What it does
Reports, in a production settings module:
- an item of \`CSRF_TRUSTED_ORIGINS\` that is a bare \`'*'\` or an \`http://\` origin (the finding is on the item; \`http://localhost\`, \`127.0.0.1\` and \`[::1]\` are not reported);
- \`CORS_ALLOW_ALL_ORIGINS\` (or its old name \`CORS_ORIGIN_ALLOW_ALL\`) true together with \`CORS_ALLOW_CREDENTIALS\` true, when django-cors-headers' \`CorsMiddleware\` is in \`MIDDLEWARE\`.

## Why is this bad
\`CSRF_TRUSTED_ORIGINS\` lists the origins whose unsafe requests (POST, PUT, DELETE) Django accepts. A bare \`'*'\` is an attempt to trust every site — Django does not treat it as a wildcard (since 4.0 it rejects it), so it signals a CSRF defence someone meant to switch off. An \`http://\` origin is trusted although anyone on its network path can inject requests into it.

With \`CORS_ALLOW_ALL_ORIGINS\` and \`CORS_ALLOW_CREDENTIALS\`, django-cors-headers echoes any requesting origin and allows cookies, so every website a logged-in user visits can call your API as that user and read the answers.

## Example
\`\`\`python
CSRF_TRUSTED_ORIGINS = ["http://shop.example.com"]
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = True
\`\`\`

## Use instead
\`\`\`python
CSRF_TRUSTED_ORIGINS = ["https://shop.example.com"]
CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
CORS_ALLOW_CREDENTIALS = True
\`\`\`

## Fix safety
Unsafe: an origin the site really serves over plain HTTP stops being trusted. Only an \`http://\` origin written as a string literal gets a fix, which rewrites it to \`https://\` where it is written (possibly a base module). A bare \`'*'\` and the CORS combination get no fix: which origins to trust is for you to list.

## References
- [Django: CSRF_TRUSTED_ORIGINS](https://docs.djangoproject.com/en/stable/ref/settings/#csrf-trusted-origins)
- [django-cors-headers: CORS_ALLOW_CREDENTIALS](https://github.com/adamchainz/django-cors-headers#cors_allow_credentials-bool)
- [PortSwigger: CORS vulnerabilities](https://portswigger.net/web-security/cors)
`,
  check(ctx) {
    return [...originFindings(ctx), ...corsFindings(ctx)];
  },
};

function originFindings(ctx: SettingsRuleContext): Finding[] {
  const state = ctx.setting('CSRF_TRUSTED_ORIGINS');
  const items = state ? presentItems(state.value)?.items : undefined;
  if (!state || !items) return [];
  const findings: Finding[] = [];
  for (const item of items) {
    const origin = asString(item)?.trim();
    if (origin === undefined) continue;
    let message: string | undefined;
    const fixes: Fix[] = [];
    if (origin === '*') {
      message = "CSRF_TRUSTED_ORIGINS contains a bare '*', which Django does not honour. It reads as trusting every site; list the exact https:// origins instead.";
    } else if (/^http:\/\//i.test(origin) && !LOOPBACK.test(origin)) {
      // NOTE: a trusted origin passes Django's Origin/Referer check for unsafe requests.
      // https://docs.djangoproject.com/en/stable/ref/csrf/#how-it-works
      const when = state.value.kind === 'env' ? ` when ${state.value.variable} is unset` : '';
      const trusts = `CSRF_TRUSTED_ORIGINS trusts the plain-HTTP origin ${origin}`;
      message =
        `${trusts}${when}.`.length <= FIRST_SENTENCE_LIMIT
          ? findingMessage(`${trusts}${when}`, 'anyone on its network path can forge requests', 'Django accepts them as coming from that origin.')
          : `${trusts}. It does${when}, and anyone on that origin's network path can forge requests Django accepts as coming from it.`;
      const replacement = httpsLiteral(ctx, item.loc, origin);
      if (replacement) fixes.push(ctx.fix(`Trust ${origin.replace(/^http:/i, 'https:')} instead`, [{ kind: 'replace', location: item.loc!, value: replacement }]));
    }
    if (!message) continue;
    findings.push(item.loc ? ctx.atValue(item.loc, message, { fixes }) : ctx.atSetting(state, message, { fixes }));
  }
  return findings;
}

/** The same string literal with its scheme switched to https, keeping its quotes and prefix. */
function httpsLiteral(ctx: SettingsRuleContext, loc: Location | undefined, origin: string): string | undefined {
  const node = nodeAt(ctx.project.store, loc);
  if (!node || node.type !== 'string' || stringLiteralValue(node)?.trim() !== origin) return undefined;
  const rewritten = node.text.replace(/^([a-zA-Z]*["']{1,3}\s*)http:\/\//i, '$1https://');
  return rewritten === node.text ? undefined : rewritten;
}

function corsFindings(ctx: SettingsRuleContext): Finding[] {
  if (ctx.listHas(ctx.middleware, CORS_MIDDLEWARE) !== true) return [];
  // NOTE: django-cors-headers reads CORS_ALLOW_ALL_ORIGINS and falls back to the old CORS_ORIGIN_ALLOW_ALL.
  // https://github.com/adamchainz/django-cors-headers/blob/main/src/corsheaders/conf.py
  const name = ctx.isSet('CORS_ALLOW_ALL_ORIGINS') ? 'CORS_ALLOW_ALL_ORIGINS' : 'CORS_ORIGIN_ALLOW_ALL';
  const allowAll = ctx.setting(name);
  const credentials = ctx.setting('CORS_ALLOW_CREDENTIALS');
  if (!allowAll || !credentials || truthy(allowAll.value) !== true || truthy(credentials.value) !== true) return [];
  const related = [{ file: credentials.definition.statement.file, range: ctx.definitionRange(credentials.definition), message: 'CORS_ALLOW_CREDENTIALS is set here' }];
  const message = `${name} with CORS_ALLOW_CREDENTIALS lets every site read this one as the user. Any website a logged-in user visits can call this site with their cookies and read the answers.`;
  return [ctx.atSetting(allowAll, message, { related })];
}
