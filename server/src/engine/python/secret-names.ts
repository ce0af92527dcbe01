/**
 * Judgements about names and values for hard-coded secrets in ordinary code: which names
 * hold a secret, and which string values are obviously not one.
 */
import { decodeURIComponentSafe } from '../text';

/** `dbPassword2` → `['db', 'password']`: words split on `_`, `-` and camel case, trailing numbers dropped. */
export function nameWords(name: string): string[] {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .split(/[_\W]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
  while (words.length > 0 && /^\d+$/.test(words[words.length - 1])) words.pop();
  return words.map((w) => w.replace(/\d+$/, '')).filter(Boolean);
}

const SECRET_NOUNS = new Set(['password', 'passwd', 'passphrase', 'secret', 'token', 'apikey']);
const KEY_QUALIFIERS = new Set(['api', 'access', 'private', 'secret']);
/** Tokens that are not credentials: CSRF tokens are per-session values, pagination tokens are cursors. */
const HARMLESS_TOKEN_QUALIFIERS = new Set(['csrf', 'xsrf', 'page', 'next', 'continuation', 'cursor']);

/**
 * What kind of secret a name says it holds, or undefined. The secret word must be the last
 * word (`db_password`, `apiKey`, `SECRET_KEY`), so `token_expiry`, `password_reset_url` and
 * `secret_name` name something else.
 */
export function secretKind(name: string): 'password' | 'secret' | 'token' | 'API key' | 'key' | undefined {
  const words = nameWords(name);
  const last = words[words.length - 1];
  const previous = words[words.length - 2];
  if (!last) return undefined;
  if (last === 'password' || last === 'passwd' || last === 'passphrase') return 'password';
  if (last === 'secret') return 'secret';
  if (last === 'token') return previous && HARMLESS_TOKEN_QUALIFIERS.has(previous) ? undefined : 'token';
  if (last === 'apikey') return 'API key';
  if (last === 'key' && previous && KEY_QUALIFIERS.has(previous)) return previous === 'api' ? 'API key' : 'key';
  return undefined;
}

const PLACEHOLDERS = [
  /^(?:x+|\*+|\.+|-+|_+|#+|\?+)$/,
  /^(?:change[-_ ]?(?:me|it|this)|replace[-_ ]?me|todo|fixme|tbd|none|null|nil|undefined|placeholder|dummy|example|sample|redacted|secret|password|passwd|token|api[-_ ]?key)$/i,
  /^your[-_ ]/i,
  /^<[^<>]*>$/,
  /^\$\{[^}]*\}$/,
  /^\$[A-Za-z_]\w*$/,
  /^\{\{.*\}\}$/s,
  /^\{[^{}]*\}$/,
  /^%\([^)]*\)s$/,
  /^%s$/,
];

/** A credential inside a URL: `scheme://user:password@host`. */
const URL_WITH_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^/@:\s]*:([^/@\s]+)@/i;

/**
 * Whether a string value is clearly not a secret: empty, a placeholder, the name of an
 * environment variable or a field, an auth scheme, a URL or path without a password.
 */
export function obviouslyNotSecret(value: string): boolean {
  const v = value.trim();
  if (v === '') return true;
  if (!/[A-Za-z0-9]/.test(v)) return true;
  if (PLACEHOLDERS.some((pattern) => pattern.test(v))) return true;
  // An environment variable's name: `GITHUB_TOKEN`, `DB_PASSWORD`.
  if (/^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/.test(v)) return true;
  // The name of a field or header that holds a secret, not the secret: `access_token`, `X-Api-Key`, `New password`.
  // A single lower-case word such as `supersecret` is a (weak) password, not a name.
  const namesASecret = /^[A-Za-z]+(?:[-_. ][A-Za-z]+)*$/.test(v) && nameWords(v).length >= 2 && /pass|secret|token|key|auth/i.test(v);
  if (namesASecret || /^(?:csrfmiddlewaretoken|authorization|authenticity_token)$/i.test(v)) return true;
  if (/^(?:bearer|basic|digest|token)$/i.test(v)) return true;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) {
    const password = URL_WITH_PASSWORD.exec(v)?.[1];
    return password === undefined || obviouslyNotSecret(decodeURIComponentSafe(password));
  }
  if (/^\.{0,2}\//.test(v)) return true;
  return false;
}

/** `apiKey` → `API_KEY`, `self.db_password` → `DB_PASSWORD`: the environment variable a fix reads. */
export function environmentName(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/^_+|_+$/g, '')
    .toUpperCase();
}
