import { unsetView, type Value } from '../../settings/values';
import type { SettingState } from '../../settings/settings-module';
import { decodeURIComponentSafe } from '../../text';
import type { Finding, Fix, Location } from '../../types';
import type { SettingsRuleContext } from '../settings-context';
import type { SettingsRule } from '../rule';
import { isStringLiteralAt, schemeDefault } from './support/environment-reads';
import { externaliseSetting } from './support/externalise';
import { isCredentialName, isPlaceholder, urlPassword } from './support/secrets';

/** Settings DJH103 judges; a credential rule reporting them too would say everything twice. */
const SECRET_KEY_SETTINGS = new Set(['SECRET_KEY', 'SECRET_KEY_FALLBACKS']);

/** DJH104: a password, token or API key written in the settings is known to everyone with the source. */
export const hardcodedCredential: SettingsRule = {
  meta: {
    code: 'DJH104',
    name: 'hardcoded-credential',
    severity: 'error',
    scope: 'settings',
    summary: 'A password, secret, token or API key is written in the source of a production settings module.',
    fix: 'unsafe',
    djangoChecks: [],
  },
  docs: `## What it does
Reports a non-empty string literal, or the literal default of an environment read, in a production settings module when it is:
- a database password: \`DATABASES[...]['PASSWORD']\`, and more generally a dict entry whose key names a credential (a cache's \`OPTIONS['PASSWORD']\`, a JWT \`SECRET_KEY\`);
- the value of a setting named like a credential: \`EMAIL_HOST_PASSWORD\` and any \`*_PASSWORD\`, \`*_PASS\`, \`*_TOKEN\`, \`*API_KEY\`, or a name holding the word \`SECRET\` (\`AWS_SECRET_ACCESS_KEY\`, \`GITHUB_CLIENT_SECRET\`);
- a URL with a password in it, whatever the setting is called (\`DATABASE_URL = "postgres://app:s3cret@db/app"\`, \`CELERY_BROKER_URL\`).

Only string literals count, so \`PASSWORD_RESET_TIMEOUT\`, \`AUTH_PASSWORD_VALIDATORS\` or a token lifetime are never reported, nor are names that only describe a secret (\`SECRETS_DIR\`, \`AWS_SECRET_NAME\`, \`SECRET_ADMIN_URL\`). Empty strings and obvious placeholders (\`changeme\`, \`<password>\`, \`\${DB_PASSWORD}\`, \`your-api-key\`, \`DEMO_KEY\`, \`example-key\`, or the name spelt out, whole or its last words, as in \`"mail-gun-api-key"\` for \`MAILGUN_API_KEY\` or \`"password"\` for \`EMAIL_HOST_PASSWORD\`) are not credentials and are not reported; another word of the name is (\`REDIS_PASSWORD = "redis"\` can be guessed). Nor is a name where a verb comes before the credential word (\`reset_password\`, \`CHANGE_PASSWORD\`, \`verify_token\`): it names something done to a credential, such as allauth's \`ACCOUNT_FORMS\` and \`ACCOUNT_RATE_LIMITS\` entries. Nor is a path (or a URL template with a \`{placeholder}\`) under a credential's name (\`"account_reset_password": "/account/password/reset"\`): it says where something is. A full URL without one is still reported, since a webhook URL carries its token in the path. Nor is a key made of words in colon-separated namespaces under a token's or a secret's name (\`WIKI_REBUILD_TOKEN = "sumo:wiki:full-rebuild"\`, a cache key), since a generated credential is not made of words; under a password's name it is still reported. Nor is a dotted path whose module is one of the project's (\`"accounts.services.user_secret"\` under JWT's \`JWT_GET_USER_SECRET_KEY\`): it names a function the library calls. \`SECRET_KEY\` itself is DJH103's. A value set in \`base.py\` and overridden in \`production.py\` is not reported, nor is one in a development module (\`dev.py\`, \`local.py\`, \`test.py\`).

## Why is this bad
Everything in the settings module is in the repository, its history, every clone and fork, CI logs and backups. A credential there is shared with everyone who ever had access to any of them, cannot be rotated without a code change, and is usually the same in every environment.

## Example
\`\`\`python
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "shop",
        "USER": "shop",
        "PASSWORD": "s3cr3t-pa55",
    }
}
EMAIL_HOST_PASSWORD = "smtp-password"
\`\`\`

## Use instead
\`\`\`python
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "shop",
        "USER": "shop",
        "PASSWORD": os.environ["DB_PASSWORD"],
    }
}
EMAIL_HOST_PASSWORD = os.environ["EMAIL_HOST_PASSWORD"]
\`\`\`
A credential that was ever committed must be rotated, not only moved.

## Fix safety
Unsafe: the site does not start until the variable is set. The fix replaces the value with a required read in the module's style (\`os.environ[...]\`, python-decouple's \`config(...)\` or django-environ's \`env(...)\`), adding the import it needs. The variable is named after the setting (\`EMAIL_HOST_PASSWORD\`), \`DB_PASSWORD\` for \`DATABASES['default']\` and \`DB_<ALIAS>_PASSWORD\` for other databases; an environment read keeps its variable. A value inherited from a base module gets an override in the production module, such as \`DATABASES["default"]["PASSWORD"] = os.environ["DB_PASSWORD"]\`, so development modules sharing the base keep working; when another statement reads the inherited name (\`"PASSWORD": DB_PASSWORD\`), an override would come too late for it, so the value is replaced in the base module instead, provided that module already imports what the read needs. No fix is offered for a default kept in a django-environ scheme: remove it there.

## References
- [Django deployment checklist](https://docs.djangoproject.com/en/stable/howto/deployment/checklist/)
- [Django: DATABASES PASSWORD](https://docs.djangoproject.com/en/stable/ref/settings/#password)
- [The Twelve-Factor App: Config](https://12factor.net/config)
`,
  check(ctx) {
    const findings: Finding[] = [];
    const reported = new Set<string>();
    const report = (location: Location | undefined, finding: () => Finding | undefined) => {
      const key = location ? `${location.file}:${location.range.start.line}:${location.range.start.character}` : undefined;
      if (key && reported.has(key)) return;
      const made = finding();
      if (!made) return;
      if (key) reported.add(key);
      findings.push(made);
    };
    const visit = (state: SettingState) => {
      const seen = scanOf(ctx, state).sightings;
      for (let i = 0; i < seen.length; i++) {
        const { path, value, found } = seen[i];
        if (path.length === 0) {
          report(state.value.loc, () => ctx.atSetting(state, message(state.name, found), { fixes: topLevelFix(ctx, state, found) }));
          continue;
        }
        const label = state.name + path.map((key) => `['${key}']`).join('');
        const fixes = nestedFix(ctx, state, path, value, found);
        report(value.loc, () => (value.loc ? ctx.atValue(value.loc, message(label, found), { fixes }) : ctx.atSetting(state, message(label, found), { fixes })));
      }
    };
    // Django settings first, so a dict shared through a helper variable is named by its
    // setting; each group in definition order. This looks at every setting on every
    // keystroke: one lookup each, and no iterator (they allocate).
    const settings: SettingState[] = [];
    const others: SettingState[] = [];
    ctx.evaluated.settings.forEach((state) => {
      const scan = scanOf(ctx, state);
      if (scan.sightings.length > 0) (scan.django ? settings : others).push(state);
    });
    settings.forEach(visit);
    others.forEach(visit);
    return findings;
  },
};

/** A credential inside a setting's value: at the top (empty path) or under dict keys. */
interface Sighting {
  path: string[];
  value: Value;
  found: Credential;
}

/** What the rule found in one setting state: whether it is a Django setting's name, and the credentials in its value. */
interface Scan {
  django: boolean;
  sightings: Sighting[];
}

const scans = new WeakMap<SettingState, Scan>();

/**
 * Kept per setting state: a state object is never changed, and it is only reused across
 * analyses while the text it was read from is too, so the scan — one string comparison per
 * value of every setting — runs once per change.
 */
function scanOf(ctx: SettingsRuleContext, state: SettingState): Scan {
  let scan = scans.get(state);
  if (!scan) {
    scan = { django: isSettingName(state.name), sightings: SECRET_KEY_SETTINGS.has(state.name) ? [] : sightings(ctx, state) };
    scans.set(state, scan);
  }
  return scan;
}

/** The credentials in one setting's value. */
function sightings(ctx: SettingsRuleContext, state: SettingState): Sighting[] {
  const found: Sighting[] = [];
  const top = credential(ctx, state.name, state.value);
  if (top) found.push({ path: [], value: state.value, found: top });
  else if (state.value.kind === 'dict') walkDict(state.value, [], (path, value, credential) => found.push({ path, value, found: credential }), ctx);
  return found;
}

type EnvRead = Extract<Value, { kind: 'env' }>;

/** A hard-coded credential: the literal text, and the environment read it is the default of. */
interface Credential {
  text: string;
  env?: EnvRead;
  url: boolean;
}

function isSettingName(name: string): boolean {
  return /^[A-Z][A-Z0-9_]*$/.test(name);
}

/**
 * The credential a value under `name` amounts to: a string literal written right there (not
 * a name standing for one, which is reported where it is written), or the literal default of
 * an environment read.
 */
function credential(ctx: SettingsRuleContext, name: string, value: Value): Credential | undefined {
  let text: string | undefined;
  let env: EnvRead | undefined;
  let loc: Location | undefined;
  if (value.kind === 'string') {
    text = value.value;
    loc = value.loc;
  } else if (value.kind === 'env') {
    const unset = unsetView(value);
    if (unset.kind === 'string') {
      text = unset.value;
      env = value;
      loc = value.defaultLoc;
    }
  }
  if (text === undefined) return undefined;
  const named = isCredentialName(name);
  // Most settings are neither named for a credential nor a URL with a password (which has an
  // `@`): they are passed over before their source is read.
  if (!named && !text.includes('@')) return undefined;
  if (!isStringLiteralAt(ctx, loc) || isPlaceholder(text, env ? [name, env.variable] : [name])) return undefined;
  // A path or a URL without a password under a credential's name is a location (allauth's HEADLESS_FRONTEND_URLS['account_reset_password'] = '/account/password/reset'),
  // and the dotted path of the project's code is a function to call (JWT_AUTH['JWT_GET_USER_SECRET_KEY'] = 'accounts.services.user_secret').
  if (named && !isLocation(text) && !isProjectCodePath(ctx, text) && !(isNamespacedKey(text) && !isPasswordName(name))) return { text, env, url: false };
  const password = urlPassword(text);
  // NOTE: a URL's password is a credential whatever the setting is called (DATABASE_URL,
  // CELERY_BROKER_URL, CACHES LOCATION). https://docs.djangoproject.com/en/stable/ref/settings/#password
  if (password !== undefined && !isPlaceholder(decodeURIComponentSafe(password))) return { text, env, url: true };
  return undefined;
}

/** Visits every credential in nested dicts with string keys, with its key path. */
/**
 * `/account/password/reset`, `https://example.com/reset/{key}`: where something is, not a
 * secret. A full URL counts only with a `{placeholder}` in it: a webhook URL can carry its token in the path.
 */
function isLocation(text: string): boolean {
  return /^\/[\w\-./{}%:]*$/.test(text) || (/^[a-z][a-z0-9+.-]*:\/\/[^\s@]+$/i.test(text) && /\{\w+\}/.test(text));
}

/**
 * `sumo:wiki:full-rebuild`: words in colon-separated namespaces, as cache and queue keys are
 * written. A generated token or key is not made of words; a password may be, so a password's
 * name keeps it reported.
 */
function isNamespacedKey(text: string): boolean {
  return /^[A-Za-z]+(?:[-_][A-Za-z]+)*(?::[A-Za-z]+(?:[-_][A-Za-z]+)*)+$/.test(text);
}

function isPasswordName(name: string): boolean {
  return /(?:PASSWORD|PASSWD|PASS|PWD)$/i.test(name);
}

/** `shop.auth.services.user_secret`: a dotted path whose module (all but its last name) is a module of the project. */
function isProjectCodePath(ctx: SettingsRuleContext, text: string): boolean {
  if (!/^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+$/.test(text)) return false;
  return ctx.project.resolveDotted(text.slice(0, text.lastIndexOf('.'))) !== undefined;
}

function walkDict(dict: Extract<Value, { kind: 'dict' }>, path: string[], visit: (path: string[], value: Value, found: Credential) => void, ctx: SettingsRuleContext): void {
  for (const entry of dict.entries) {
    if (entry.key.kind !== 'string') continue;
    const here = [...path, entry.key.value];
    const found = credential(ctx, entry.key.value, entry.value);
    if (found) visit(here, entry.value, found);
    else if (entry.value.kind === 'dict') walkDict(entry.value, here, visit, ctx);
  }
}

function message(label: string, found: Credential): string {
  const what = found.url ? 'a URL with a hard-coded password' : 'a hard-coded credential';
  if (found.env) {
    const fallback = found.url ? 'falls back to a URL with a password in it' : 'has a hard-coded fallback';
    return `${label} ${fallback} when ${found.env.variable} is unset. Anyone who can read the source can use it.`;
  }
  return found.url ? `${label} holds ${what}. Anyone who can read the source can use it.` : `${label} is hard-coded in the source. Anyone who can read the source can use this credential.`;
}

/** An environment variable name made of words: `DB_REPLICA_PASSWORD`. */
function variableName(words: string[]): string {
  return words
    .join('_')
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/** `DB_PASSWORD` for DATABASES['default'], `DB_<ALIAS>_<KEY>` for other databases, else the path. */
function nestedVariable(root: string, path: string[]): string {
  if (root === 'DATABASES' && path.length >= 2) {
    const [alias, ...rest] = path;
    return variableName(['DB', ...(alias === 'default' ? [] : [alias]), ...rest]);
  }
  return variableName([root, ...path]);
}

function readTitle(label: string, variable: string): string {
  return label === variable ? `Read ${label} from the environment` : `Read ${label} from ${variable}`;
}

function topLevelFix(ctx: SettingsRuleContext, state: SettingState, found: Credential): Fix[] {
  if (found.env && schemeDefault(ctx, found.env.variable)) return [];
  const variable = found.env?.variable ?? variableName([state.name]);
  return externaliseSetting(ctx, state, variable, readTitle(state.name, variable));
}

/**
 * A value written in the production module is replaced where it stands; one inherited from a
 * base module gets an override there (`DATABASES["default"]["PASSWORD"] = ...`), so the base
 * module, which development modules share, keeps working.
 */
function nestedFix(ctx: SettingsRuleContext, state: SettingState, path: string[], value: Value, found: Credential): Fix[] {
  if (found.env && schemeDefault(ctx, found.env.variable)) return [];
  const variable = found.env?.variable ?? nestedVariable(state.name, path);
  const read = ctx.requiredEnvRead(variable);
  const label = state.name + path.map((key) => `[${ctx.str(key)}]`).join('');
  const title = readTitle(state.name + path.map((key) => `['${key}']`).join(''), variable);
  if (value.loc && value.loc.file === ctx.module.file) {
    return [ctx.fix(title, [{ kind: 'replace', location: value.loc, value: read.text, imports: read.imports }])];
  }
  return [ctx.fix(title, [{ kind: 'set', name: label, value: read.text, imports: read.imports }])];
}
