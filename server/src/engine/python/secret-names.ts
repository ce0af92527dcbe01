/**
 * Which names hold a secret in ordinary code, and the environment variable a secret moves
 * to. Names are split into words by a single left-to-right scan (underscores, hyphens,
 * dots and camel case), so a name of any length costs time linear in its length.
 */

/** Names longer than this are judged by their end only: the words that say what they hold. */
const MAX_NAME = 256;

/** `dbPassword2` → `['db', 'password']`: words split on `_`, `-`, `.` and camel case, trailing numbers dropped. */
export function nameWords(name: string): string[] {
  const words = splitWords(name);
  while (words.length > 0 && /^\d+$/.test(words[words.length - 1])) words.pop();
  return words.map((w) => w.replace(/\d+$/, '')).filter(Boolean);
}

/** The words of a name, lower case, numbers kept. */
function splitWords(name: string): string[] {
  const text = name.length > MAX_NAME ? name.slice(-MAX_NAME) : name;
  const words: string[] = [];
  let word = '';
  const isUpper = (c: string) => c >= 'A' && c <= 'Z';
  const isLower = (c: string) => c >= 'a' && c <= 'z';
  const isDigit = (c: string) => c >= '0' && c <= '9';
  const flush = () => {
    if (word) words.push(word.toLowerCase());
    word = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (!isUpper(c) && !isLower(c) && !isDigit(c)) {
      flush();
      continue;
    }
    const previous = text[i - 1] ?? '';
    const next = text[i + 1] ?? '';
    // `dbPassword`: a capital after a small letter or digit starts a word; `APIKey`: so does the last capital of a run before a small letter.
    if (isUpper(c) && word && (isLower(previous) || isDigit(previous) || (isUpper(previous) && isLower(next)))) flush();
    word += c;
  }
  flush();
  return words;
}

const KEY_QUALIFIERS = new Set(['api', 'access', 'private', 'secret']);
/** Tokens that are not credentials: CSRF tokens are per-session values, pagination tokens are cursors. */
const HARMLESS_TOKEN_QUALIFIERS = new Set(['csrf', 'xsrf', 'page', 'next', 'continuation', 'cursor']);

export type SecretKind = 'password' | 'secret' | 'token' | 'API key' | 'key';

/**
 * What kind of secret a name says it holds, or undefined. The secret word must be the last
 * word (`db_password`, `apiKey`, `SECRET_KEY`), so `token_expiry`, `password_reset_url` and
 * `secret_name` name something else.
 */
export function secretKind(name: string): SecretKind | undefined {
  const words = nameWords(name);
  const last = words[words.length - 1];
  const previous = words[words.length - 2];
  if (!last) return undefined;
  if (last === 'password' || last === 'passwd' || last === 'passphrase' || last === 'pwd') return 'password';
  if (last === 'secret') return 'secret';
  if (last === 'token') return previous && HARMLESS_TOKEN_QUALIFIERS.has(previous) ? undefined : 'token';
  if (last === 'apikey') return 'API key';
  if (last === 'key' && previous && KEY_QUALIFIERS.has(previous)) return previous === 'api' ? 'API key' : 'key';
  return undefined;
}

/** `apiKey` → `API_KEY`, `db_password` → `DB_PASSWORD`: the environment variable named after a target; undefined for a name too long to be one. */
export function environmentName(name: string): string | undefined {
  if (name.length > 64) return undefined;
  const words = splitWords(name);
  if (words.length === 0) return undefined;
  return words.join('_').toUpperCase();
}
