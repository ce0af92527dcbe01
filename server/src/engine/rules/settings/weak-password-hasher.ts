import { asList, asString, type Value } from '../../settings/values';
import type { Fix, SettingsIntent } from '../../types';
import type { SettingsRule } from '../rule';
import type { SettingsRuleContext } from '../settings-context';
import { lineBreakOf } from '../../text';
import { elementLayout, elementRemoval, nodeAt } from './support/literals';
import { listEditable } from './support/settings-lookup';
import { findingMessage } from './support/setting-values';

const HASHERS = 'django.contrib.auth.hashers.';
const WEAK = ['MD5PasswordHasher', 'UnsaltedMD5PasswordHasher', 'UnsaltedSHA1PasswordHasher', 'SHA1PasswordHasher', 'CryptPasswordHasher'].map((h) => HASHERS + h);
const PBKDF2 = `${HASHERS}PBKDF2PasswordHasher`;
/**
 * Strong hashers in order of preference, with the package each needs: Argon2 and bcrypt load
 * a library only when they hash, so one moved first must be installable.
 */
const STRONG: ReadonlyArray<{ name: string; needs?: string }> = [
  { name: PBKDF2 },
  { name: `${HASHERS}PBKDF2SHA1PasswordHasher` },
  { name: `${HASHERS}ScryptPasswordHasher` },
  { name: `${HASHERS}Argon2PasswordHasher`, needs: 'argon2-cffi' },
  { name: `${HASHERS}BCryptSHA256PasswordHasher`, needs: 'bcrypt' },
];

/** DJH130: the first hasher hashes every new password; a fast one makes them cheap to crack. */
export const weakPasswordHasher: SettingsRule = {
  meta: {
    code: 'DJH130',
    name: 'weak-password-hasher',
    severity: 'warning',
    scope: 'settings',
    summary: 'PASSWORD_HASHERS puts an MD5, SHA1, unsalted or crypt hasher first, so new passwords are stored with it.',
    fix: 'unsafe',
    djangoChecks: [],
  },
  docs: `## What it does
Reports a production settings module whose \`PASSWORD_HASHERS\` starts with \`MD5PasswordHasher\`, \`UnsaltedMD5PasswordHasher\`, \`SHA1PasswordHasher\`, \`UnsaltedSHA1PasswordHasher\` or \`CryptPasswordHasher\` (from \`django.contrib.auth.hashers\`).

## Why is this bad
Django hashes every new or changed password with the first hasher in the list. MD5 and SHA1 are built for speed: a leaked user table hashed with them can be cracked at billions of guesses per second, and the unsalted variants fall to precomputed tables. \`crypt\` is limited to 8 characters on many systems. PBKDF2 (Django's default), Argon2, bcrypt and scrypt are deliberately slow.

A weak hasher that is not first only verifies old hashes (and upgrades them at the next login) and is not reported. Weak hashers are often put first to speed up tests: in a test settings module that is fine, and those are never judged.

## Example
\`\`\`python
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
\`\`\`

## Use instead
\`\`\`python
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.MD5PasswordHasher",
]
\`\`\`

## Fix safety
Unsafe: logins get slower by design, and each user's hash is upgraded at their next login. When the list already holds a strong hasher, the fix moves it first (PBKDF2, PBKDF2-SHA1 and scrypt need nothing; Argon2 and bcrypt are moved only when \`argon2-cffi\` / \`bcrypt\` is declared, since they load that library to hash). Otherwise it inserts \`PBKDF2PasswordHasher\` first. The weak hasher stays in the list, so existing hashes keep verifying. A tuple that is not written as a literal gets no fix.

## References
- [Django: How Django stores passwords](https://docs.djangoproject.com/en/stable/topics/auth/passwords/#how-django-stores-passwords)
- [Django: PASSWORD_HASHERS](https://docs.djangoproject.com/en/stable/ref/settings/#password-hashers)
- [OWASP Password Storage Cheat Sheet](https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html)
`,
  check(ctx) {
    const state = ctx.setting('PASSWORD_HASHERS');
    const items = state ? asList(state.value) : undefined;
    if (!state || !items || items.length === 0) return [];
    const first = asString(items[0]);
    if (!first || !WEAK.includes(first)) return [];
    const short = first.slice(HASHERS.length);
    const fixes: Fix[] = [];
    const intents = reorder(ctx, items);
    if (intents) fixes.push(ctx.fix(intents.title, intents.intents));
    const message = findingMessage(`PASSWORD_HASHERS puts ${short} first`, 'new passwords are stored with a fast hash', 'A leaked database gives them up to offline cracking.');
    return [items[0].loc ? ctx.atValue(items[0].loc, message, { fixes }) : ctx.atSetting(state, message, { fixes })];
  },
};

function reorder(ctx: SettingsRuleContext, items: Value[]): { title: string; intents: SettingsIntent[] } | undefined {
  if (!listEditable(ctx, 'PASSWORD_HASHERS')) return undefined;
  const deps = ctx.project.dependencies;
  const names = items.map((item) => asString(item));
  // NOTE: Argon2 and bcrypt hashers import their library when they hash, not when Django loads them.
  // https://docs.djangoproject.com/en/stable/topics/auth/passwords/#using-argon2-with-django
  const strong = STRONG.find((s) => names.includes(s.name) && (!s.needs || deps.has(s.needs)));
  if (!strong) {
    return {
      title: 'Hash new passwords with PBKDF2PasswordHasher',
      intents: [{ kind: 'list-insert', name: 'PASSWORD_HASHERS', item: ctx.str(PBKDF2), position: 'first' }],
    };
  }
  const title = `Move ${strong.name.slice(HASHERS.length)} first`;
  const moved = moveFirst(ctx, items, names.indexOf(strong.name));
  if (moved) return { title, intents: moved };
  // Not a literal to edit in place: write the reordered list when every hasher is known.
  if (names.some((n) => n === undefined)) return undefined;
  const reordered = [strong.name, ...names.filter((n) => n !== strong.name)].map((n) => ctx.str(n!));
  return { title, intents: [{ kind: 'set', name: 'PASSWORD_HASHERS', value: `[${reordered.join(', ')}]` }] };
}

/** Moves one item of the list literal to the front, where the literal is written. */
function moveFirst(ctx: SettingsRuleContext, items: Value[], index: number): SettingsIntent[] | undefined {
  const store = ctx.project.store;
  const node = nodeAt(store, items[index].loc);
  const first = nodeAt(store, items[0].loc);
  const literal = node?.parent;
  if (!node || !first || !literal || node.type !== 'string' || (literal.type !== 'list' && literal.type !== 'tuple') || first.parent?.id !== literal.id) return undefined;
  const file = items[index].loc!.file;
  const removal = elementRemoval(store, file, node);
  if (!removal) return undefined;
  const layout = elementLayout(literal);
  const separator = layout.multiline ? `,${lineBreakOf(store.get(file)!.text)}${layout.indent}` : ', ';
  const at = items[0].loc!.range.start;
  return [
    { kind: 'replace', location: { file, range: { start: at, end: at } }, value: node.text + separator },
    { kind: 'replace', location: removal, value: '' },
  ];
}
