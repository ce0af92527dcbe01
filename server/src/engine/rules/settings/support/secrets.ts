/**
 * What counts as a secret in settings: names that hold credentials, values that are only
 * placeholders, URLs that carry a password, and Django's own test for a weak SECRET_KEY.
 */

/** Last words of a name that say the value is about a secret, not the secret itself. */
const NOT_A_SECRET_SUFFIX = new Set([
  'AGE',
  'ALGORITHM',
  'ALGORITHMS',
  'ARN',
  'BACKEND',
  'BACKENDS',
  'CLASS',
  'DIR',
  'DIRS',
  'ENABLED',
  'EXPIRY',
  'FIELD',
  'FILE',
  'FILES',
  'HEADER',
  'ID',
  'LENGTH',
  'LOCATION',
  'MANAGER',
  'METHOD',
  'NAME',
  'PATH',
  'PREFIX',
  'REGION',
  'ROOT',
  'TIMEOUT',
  'TYPE',
  'URL',
  'VERSION',
]);

/** Verbs that, before PASSWORD or TOKEN, make a name say what is done to a credential. */
const ACTIONS = new Set(['RESET', 'CHANGE', 'FORGOT', 'FORGOTTEN', 'LOST', 'RECOVER', 'SET', 'CONFIRM', 'VERIFY', 'UPDATE']);

/**
 * Whether a setting (or dict key) name says it holds a credential: `*_PASSWORD`, `*_PASS`,
 * `*_TOKEN`, `*API_KEY`, or any name with the word SECRET that does not end in a word like
 * `_DIR` or `_NAME`. Case-insensitive, so dict keys such as `"password"` count.
 */
export function isCredentialName(name: string): boolean {
  const upper = name.toUpperCase();
  const words = upper.split(/[^A-Z0-9]+/).filter((w) => w.length > 0);
  if (words.length === 0) return false;
  const last = words[words.length - 1];
  // `reset_password`, `CHANGE_PASSWORD`: a verb before the credential word names an action on it (a form, a rate limit, a URL), not a credential.
  if (['PASSWORD', 'PASSWD', 'PASS', 'TOKEN'].includes(last)) return !ACTIONS.has(words[words.length - 2] ?? '');
  if (/(^|_)API_?KEY$/.test(upper)) return true;
  return words.some((w) => w === 'SECRET' || w === 'SECRETS') && !NOT_A_SECRET_SUFFIX.has(last);
}

/** A name's last word, its last two words, and so on to the whole name, each in lower-case letters and digits only. */
function nameEndings(name: string): string[] {
  const words = name
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 0);
  return words.map((_, index) => words.slice(index).join(''));
}

/**
 * Whether a string is a stand-in rather than a credential: empty, `changeme`, `<password>`,
 * `${DB_PASSWORD}`, `your-api-key`, `xxxx`, `DEMO_KEY`, or the name it stands under spelt
 * out, whole or its last words (`"mail-gun-api-key"` for `MAILGUN_API_KEY`, `"password"`
 * for `EMAIL_HOST_PASSWORD`). A placeholder is not a leak: it cannot log in.
 */
export function isPlaceholder(value: string, names: readonly string[] = []): boolean {
  const s = value.trim();
  if (s === '') return true;
  const letters = (text: string) => text.toLowerCase().replace(/[^a-z0-9]/g, '');
  // The name spelled out, or the last words of it ('password' for EMAIL_HOST_PASSWORD, 'api-key' for MAPS_API_KEY): it says what belongs there, not what it is.
  if (names.some((name) => nameEndings(name).includes(letters(s)))) return true;
  // Words only, one of them saying it stands for something (`DEMO_KEY`, `example-key`); a URL on example.com can still carry a token.
  if (/^[a-z]+(?:[-_ ][a-z]+)*$/i.test(s) && /(?:^|[-_ ])(?:demo|example|sample)(?:$|[-_ ])/i.test(s)) return true;
  if (/^([x*#._-])\1*$/i.test(s)) return true;
  if (/^<.*>$|^\{\{.*\}\}$|^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$|^%\([A-Za-z_][A-Za-z0-9_]*\)s$/.test(s)) return true;
  if (/^(your|my)[-_ ]/i.test(s) || /[-_ ]here$/i.test(s)) return true;
  return /change[-_ ]?me|change[-_ ]?this|replace[-_ ]?me|placeholder|redacted|fixme|dummy|^todo$|^tbd$|^none$|^null$/i.test(s);
}

/**
 * The password of a URL written as `scheme://user:password@host/...`, or undefined when the
 * string is not such a URL or its password is empty.
 */
export function urlPassword(value: string): string | undefined {
  const match = /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:([^@/\s]+)@/i.exec(value.trim());
  return match ? match[1] : undefined;
}

/** Django's thresholds for a SECRET_KEY (django/core/checks/security/base.py). */
export const SECRET_KEY_MIN_LENGTH = 50;
export const SECRET_KEY_MIN_UNIQUE_CHARACTERS = 5;
export const SECRET_KEY_INSECURE_PREFIX = 'django-insecure-';

/**
 * Why Django's `_check_secret_key` would call a key weak, or undefined when it passes.
 * Lengths count code points, as Python's `len` does.
 */
export function weakKeyReason(key: string): string | undefined {
  const characters = [...key];
  if (key.startsWith(SECRET_KEY_INSECURE_PREFIX)) return `its '${SECRET_KEY_INSECURE_PREFIX}' prefix marks a startproject key`;
  if (characters.length < SECRET_KEY_MIN_LENGTH) return `fewer than ${SECRET_KEY_MIN_LENGTH} characters`;
  if (new Set(characters).size < SECRET_KEY_MIN_UNIQUE_CHARACTERS) return `fewer than ${SECRET_KEY_MIN_UNIQUE_CHARACTERS} distinct characters`;
  return undefined;
}
