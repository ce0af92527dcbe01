import { decodeURIComponentSafe } from '../text';
import type { SecretKind } from './secret-names';

/**
 * Which string literals look like a secret: a value, not a word. A generated key or a
 * password has no spaces, mixes kinds of characters and is not an identifier, a path, a
 * URL without a password, a placeholder or a template.
 */

/** A credential inside a URL: `scheme://user:password@host`. */
const URL_WITH_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^/@:\s]*:([^/@\s]+)@/i;
/** Text that stands for a value to fill in: `<token>`, `${TOKEN}`, `{{ token }}`, `{token}`, `%(token)s`, `%s`. */
const TEMPLATE = /^<[^<>]*>$|^\$\{[^}]*\}$|^\$[A-Za-z_]\w*$|^\{\{.*\}\}$|^\{[^{}]*\}$|^%\([^)]*\)s$|^%s$/s;
const PLACEHOLDER =
  /^(?:x+|\*+|\.+|-+|_+|#+|\?+|change[-_ ]?(?:me|it|this)|replace[-_ ]?me|todo|fixme|tbd|none|null|nil|undefined|placeholder|dummy|example|sample|redacted|secret|password|passwd|token|api[-_ ]?key|your[-_].*)$/i;
/** Words joined by separators (`access_token`, `X-Api-Key`, `django.contrib.auth`, `RequestToken`): a name, not a secret. */
const IDENTIFIER_LIKE = /^[A-Za-z]+(?:[-_.:/][A-Za-z]+)*$|^_+[A-Za-z]+(?:_[A-Za-z]+)*$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$/;
/** A run of the alphabet or the digits (`abcdefgh…`, `0123456789`): filler for tests, not a generated key. */
const SEQUENCE = /abcdefghij|0123456789/i;

/** Kinds of characters in a value: lower case, upper case, digits, others. */
function characterKinds(value: string): number {
  return [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((kind) => kind.test(value)).length;
}

/**
 * Whether a literal assigned to (or passed as) a secret-named target looks like the secret
 * itself. Passwords are people's: six characters will do; keys and tokens are generated:
 * eight or more.
 */
export function looksLikeSecret(value: string, kind: SecretKind): boolean {
  const v = value.trim();
  if (v === '' || /\s/.test(v) || TEMPLATE.test(v) || PLACEHOLDER.test(v) || IDENTIFIER_LIKE.test(v) || EMAIL.test(v)) return false;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) {
    const password = URL_WITH_PASSWORD.exec(v)?.[1];
    return password !== undefined && looksLikeSecret(decodeURIComponentSafe(password), 'password');
  }
  if (/^\.{0,2}\//.test(v) || !/[A-Za-z]/.test(v) || SEQUENCE.test(v)) return false;
  if (v.length < (kind === 'password' ? 6 : 8)) return false;
  return characterKinds(v) >= 2;
}

/**
 * Whether a literal compared with a password is a credential written in the code
 * (`password == "admin"`): any word will do there, only templates and names of
 * environment variables are not.
 */
export function looksLikeComparedPassword(value: string): boolean {
  const v = value.trim();
  if (v === '' || /\s/.test(v) || TEMPLATE.test(v) || !/[A-Za-z0-9]/.test(v)) return false;
  return !/^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/.test(v);
}
