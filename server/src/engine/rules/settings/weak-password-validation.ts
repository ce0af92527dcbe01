import { FIRST_SENTENCE_LIMIT, findingMessage, MISSING_SETTING_DOCS } from './support/setting-values';
import type { Node } from '../../parse/python';
import { asString, unsetView, type Value } from '../../settings/values';
import type { Finding, Location } from '../../types';
import type { SettingsRule } from '../rule';
import type { SettingsRuleContext } from '../settings-context';
import { offsetAt, splitLines } from '../../text';
import { dictPair, elementInsertion, elementLayout, elementsOf, nodeAt } from './support/literals';
import { eolOf, firstLine, lookup } from './support/settings-lookup';

const PREFIX = 'django.contrib.auth.password_validation.';
const MINIMUM_LENGTH = `${PREFIX}MinimumLengthValidator`;
/** What each built-in validator keeps users from choosing, for the message. */
const BUILT_INS: ReadonlyArray<{ name: string; stops: string }> = [
  { name: `${PREFIX}UserAttributeSimilarityValidator`, stops: 'passwords close to their username or email' },
  { name: MINIMUM_LENGTH, stops: 'short passwords' },
  { name: `${PREFIX}CommonPasswordValidator`, stops: 'common passwords' },
  { name: `${PREFIX}NumericPasswordValidator`, stops: 'all-digit passwords' },
];
const REQUIRED_LENGTH = 12;
/** MinimumLengthValidator's own default. */
const DJANGO_MIN_LENGTH = 8;

interface Entry {
  item: Value;
  name?: string;
  nameAt?: Location;
  /** For MinimumLengthValidator: the length it enforces and where that is said, when known. */
  minLength?: { value: number; at?: Location };
}

/** DJH122: without the built-in validators, users pick passwords attackers guess first. */
export const weakPasswordValidation: SettingsRule = {
  meta: {
    code: 'DJH122',
    name: 'weak-password-validation',
    severity: 'warning',
    scope: 'settings',
    summary: 'AUTH_PASSWORD_VALIDATORS is missing, empty, lacks one of the four built-in validators, or lets MinimumLengthValidator accept fewer than 12 characters.',
    fix: 'unsafe',
    djangoChecks: [],
  },
  docs: `## What it does
Reports a production settings module whose \`AUTH_PASSWORD_VALIDATORS\` is missing or empty, lacks one of Django's four built-in validators (\`UserAttributeSimilarityValidator\`, \`MinimumLengthValidator\`, \`CommonPasswordValidator\`, \`NumericPasswordValidator\`), or whose \`MinimumLengthValidator\` accepts fewer than 12 characters. Without \`OPTIONS\`, \`MinimumLengthValidator\` requires only 8. Projects declaring Django older than 1.9, which has no password validation, are not judged.

${MISSING_SETTING_DOCS}

## Why is this bad
Django checks new passwords only against the validators listed here; the global default is an empty list, which accepts \`password\` or a single character. Short, common, all-digit and username-like passwords are the first ones credential-stuffing and offline cracking try.

A list that holds an entry this rule cannot read (a variable, a computed name) is judged only on what it can read. When the list also holds validators of the project's own or of a third party (\`dojo.user.validators.MinLengthValidator\`), a missing built-in is reported as info only: what those check cannot be read, and they often do the built-ins' work under other names. A weak \`MinimumLengthValidator\` in it is still a warning.

## Example
\`\`\`python
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
\`\`\`

## Use instead
\`\`\`python
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {
        "NAME": "django.contrib.auth.password_validation.CommonPasswordValidator",
    },
    {
        "NAME": "django.contrib.auth.password_validation.NumericPasswordValidator",
    },
]
\`\`\`

## Fix safety
Unsafe: new and changed passwords must then pass all four validators, which can break sign-up flows or tests that use short passwords (existing passwords keep working). The fix writes the whole list, one entry per validator as \`startproject\` does: entries already there are kept as they are (custom validators included), a weak \`MinimumLengthValidator\` gets \`min_length\` 12, and missing built-ins are appended. It replaces the list where the production module assigns it, or adds an assignment to the production module when the list comes from a base module. No fix is offered when an entry cannot be read.

## References
- [Django: Password validation](https://docs.djangoproject.com/en/stable/topics/auth/passwords/#module-django.contrib.auth.password_validation)
- [Django: AUTH_PASSWORD_VALIDATORS](https://docs.djangoproject.com/en/stable/ref/settings/#auth-password-validators)
- [OWASP Authentication Cheat Sheet: password strength](https://cheatsheetseries.owasp.org/cheatsheets/Authentication_Cheat_Sheet.html#implement-proper-password-strength-controls)
`,
  check(ctx) {
    // NOTE: password validation came with Django 1.9; before it the setting means nothing.
    if (!ctx.djangoAtLeast(1, 9)) return [];
    const state = ctx.setting('AUTH_PASSWORD_VALIDATORS');
    const list = unsetView(ctx.value('AUTH_PASSWORD_VALIDATORS'));
    if (list.kind !== 'list') return [];
    const entries = list.items.map(readEntry);
    const fixes = [];
    const replacement = replacementList(ctx, entries);
    if (replacement !== undefined) {
      fixes.push(ctx.fix(`Require the four built-in password validators, minimum length ${REQUIRED_LENGTH}`, [{ kind: 'set', name: 'AUTH_PASSWORD_VALIDATORS', value: replacement }]));
    }

    if (entries.length === 0) {
      const message = state
        ? 'AUTH_PASSWORD_VALIDATORS is empty, so Django checks new passwords against nothing. "password" and "12345678" are accepted wherever Django sets a password.'
        : 'AUTH_PASSWORD_VALIDATORS is not set, so Django checks new passwords against nothing. "password" and "12345678" are accepted wherever Django sets a password.';
      return [ctx.atSettingOrMissing('AUTH_PASSWORD_VALIDATORS', message, { fixes })];
    }

    const findings: Finding[] = [];
    if (entries.every((e) => e.name !== undefined)) {
      // A validator of the project's own (DefectDojo's MinLengthValidator, NumberValidator…) may check what a missing built-in would: out of reach, so info.
      const custom = entries.some((e) => !e.name!.startsWith(PREFIX));
      const missing = BUILT_INS.filter((b) => !entries.some((e) => e.name === b.name));
      if (missing.length > 0) {
        const names = listing(missing.map((m) => m.name.slice(PREFIX.length)));
        const stops = listing(missing.map((m) => m.stops));
        const named = findingMessage(`AUTH_PASSWORD_VALIDATORS lacks ${names}`, `users can choose ${stops}`, 'Attackers guess those first.');
        const message =
          named.split('. ')[0].length < FIRST_SENTENCE_LIMIT
            ? named
            : `AUTH_PASSWORD_VALIDATORS lacks ${missing.length} of Django's 4 built-in validators. Without ${names}, users can choose ${stops}, which attackers guess first.`;
        findings.push(ctx.atSettingOrMissing('AUTH_PASSWORD_VALIDATORS', message, { fixes, ...(custom ? { severity: 'info' as const } : {}) }));
      }
    }
    for (const entry of entries) {
      if (entry.name !== MINIMUM_LENGTH || !entry.minLength || entry.minLength.value >= REQUIRED_LENGTH) continue;
      const at = entry.minLength.at ?? entry.nameAt ?? entry.item.loc;
      const length = entry.minLength.value;
      const message = entry.minLength.at
        ? `MinimumLengthValidator accepts passwords of ${length} characters. Anything under ${REQUIRED_LENGTH} falls quickly to offline guessing.`
        : `MinimumLengthValidator has no min_length, so it accepts passwords of ${DJANGO_MIN_LENGTH} characters. Anything under ${REQUIRED_LENGTH} falls quickly to offline guessing.`;
      findings.push(at ? ctx.atValue(firstLine(ctx, at), message, { fixes }) : ctx.atSettingOrMissing('AUTH_PASSWORD_VALIDATORS', message, { fixes }));
    }
    return findings;
  },
};

function readEntry(item: Value): Entry {
  const nameValue = lookup(item, 'NAME') ?? undefined;
  const name = asString(nameValue);
  const entry: Entry = { item, name, nameAt: nameValue?.loc };
  if (name !== MINIMUM_LENGTH) return entry;
  const options = lookup(item, 'OPTIONS');
  // NOTE: without a min_length option the validator requires 8 characters.
  // https://docs.djangoproject.com/en/stable/topics/auth/passwords/#django.contrib.auth.password_validation.MinimumLengthValidator
  const length = options === null ? null : lookup(options, 'min_length');
  if (length === null) return { ...entry, minLength: { value: DJANGO_MIN_LENGTH } };
  const known = length ? unsetView(length) : undefined;
  if (known?.kind !== 'number') return entry;
  return { ...entry, minLength: { value: known.value, at: length!.loc } };
}

function listing(words: string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

/** The list the fix writes, or undefined when an entry cannot be read or copied faithfully. */
function replacementList(ctx: SettingsRuleContext, entries: Entry[]): string | undefined {
  if (entries.some((e) => e.name === undefined || (e.name === MINIMUM_LENGTH && !e.minLength))) return undefined;
  return (entries.length > 0 ? editedInPlace(ctx, entries) : undefined) ?? rewritten(ctx, entries);
}

/**
 * The production module's own list literal with local edits — min_length raised or added,
 * missing validators appended in the list's layout — so its comments and formatting survive.
 */
function editedInPlace(ctx: SettingsRuleContext, entries: Entry[]): string | undefined {
  const def = ctx.setting('AUTH_PASSWORD_VALIDATORS')?.definition;
  const file = ctx.module.file;
  if (!def || def.kind !== 'assign' || !def.valueLoc || def.valueLoc.file !== file) return undefined;
  const store = ctx.project.store;
  const list = nodeAt(store, def.valueLoc);
  if (!list || list.type !== 'list' || list.hasError) return undefined;
  const elements = elementsOf(list);
  if (elements.length !== entries.length || elements.some((e, i) => !covers(e, entries[i].item.loc, file))) return undefined;
  const edits: Array<{ location: Location; text: string }> = [];
  for (const [index, entry] of entries.entries()) {
    if (entry.name !== MINIMUM_LENGTH || entry.minLength!.value >= REQUIRED_LENGTH) continue;
    const edit = minLengthEdit(ctx, elements[index], entry);
    if (!edit) return undefined;
    edits.push(edit);
  }
  const missing = BUILT_INS.filter((b) => !entries.some((e) => e.name === b.name));
  if (missing.length > 0) {
    const layout = elementLayout(list);
    const blocks = layout.multiline && elements[0].startPosition.row !== elements[0].endPosition.row;
    const texts = missing.map((m) => (blocks ? block(ctx, m.name, layout.indent) : inline(ctx, m.name)));
    const insertion = elementInsertion(store, file, list, texts);
    if (!insertion) return undefined;
    edits.push(insertion);
  }
  const text = store.get(file)!.text;
  const base = offsetAt(text, def.valueLoc.range.start);
  let literal = text.slice(base, offsetAt(text, def.valueLoc.range.end));
  const resolved = edits.map((e) => ({ start: offsetAt(text, e.location.range.start) - base, end: offsetAt(text, e.location.range.end) - base, text: e.text })).sort((a, b) => b.start - a.start);
  for (const edit of resolved) literal = literal.slice(0, edit.start) + edit.text + literal.slice(edit.end);
  return literal;
}

function covers(node: Node, loc: Location | undefined, file: string): boolean {
  if (!loc || loc.file !== file) return false;
  const { start, end } = loc.range;
  return node.startPosition.row === start.line && node.startPosition.column === start.character && node.endPosition.row === end.line && node.endPosition.column === end.character;
}

/** Raises a literal min_length, or adds the option to the entry's dict literals. */
function minLengthEdit(ctx: SettingsRuleContext, element: Node, entry: Entry): { location: Location; text: string } | undefined {
  const store = ctx.project.store;
  const file = ctx.module.file;
  const at = entry.minLength!.at;
  if (at) {
    const node = nodeAt(store, at);
    const inside = node && at.file === file && node.startIndex >= element.startIndex && node.endIndex <= element.endIndex;
    return inside ? { location: at, text: String(REQUIRED_LENGTH) } : undefined;
  }
  if (element.type !== 'dictionary') return undefined;
  const options = dictPair(element, 'OPTIONS');
  if (!options) return elementInsertion(store, file, element, [`${ctx.str('OPTIONS')}: {${ctx.str('min_length')}: ${REQUIRED_LENGTH}}`]);
  const value = options.childForFieldName('value');
  if (!value || value.type !== 'dictionary') return undefined;
  return elementInsertion(store, file, value, [`${ctx.str('min_length')}: ${REQUIRED_LENGTH}`]);
}

/** A validator entry on one line. */
function inline(ctx: SettingsRuleContext, name: string): string {
  const options = name === MINIMUM_LENGTH ? `, ${ctx.str('OPTIONS')}: {${ctx.str('min_length')}: ${REQUIRED_LENGTH}}` : '';
  return `{${ctx.str('NAME')}: ${ctx.str(name)}${options}}`;
}

/** A validator entry as `startproject` writes it, its first line at `indent` (added by the caller). */
function block(ctx: SettingsRuleContext, name: string, indent: string): string {
  const inner = `${indent}    `;
  const lines = ['{', `${inner}${ctx.str('NAME')}: ${ctx.str(name)},`];
  if (name === MINIMUM_LENGTH) lines.push(`${inner}${ctx.str('OPTIONS')}: {${ctx.str('min_length')}: ${REQUIRED_LENGTH}},`);
  lines.push(`${indent}}`);
  return lines.join(eolOf(ctx));
}

/**
 * A new list, written like `startproject` writes it: readable entries copied, a weak
 * MinimumLengthValidator rewritten, missing built-ins appended.
 */
function rewritten(ctx: SettingsRuleContext, entries: Entry[]): string | undefined {
  const eol = eolOf(ctx);
  const blocks: string[] = [];
  for (const entry of entries) {
    if (!entry.item.loc) return undefined;
    if (entry.name === MINIMUM_LENGTH && entry.minLength!.value < REQUIRED_LENGTH) {
      blocks.push(block(ctx, MINIMUM_LENGTH, '    '));
      continue;
    }
    const node = nodeAt(ctx.project.store, entry.item.loc);
    if (!node || !copyable(ctx, node, entry.item.loc.file)) return undefined;
    blocks.push(reindent(node.text, node.startPosition.column, eol));
  }
  for (const builtIn of BUILT_INS) {
    if (!entries.some((e) => e.name === builtIn.name)) blocks.push(block(ctx, builtIn.name, '    '));
  }
  return ['[', ...blocks.map((b) => `    ${b},`), ']'].join(eol);
}

/** An entry from another module is copied only when it names nothing that may not be in scope. */
function copyable(ctx: SettingsRuleContext, node: Node, file: string): boolean {
  if (node.hasError) return false;
  if (file === ctx.module.file) return true;
  return node.descendantsOfType('identifier').length === 0;
}

/** Moves a copied entry's continuation lines so the entry sits at four spaces. */
function reindent(text: string, column: number, eol: string): string {
  const shift = 4 - column;
  return splitLines(text)
    .map((line, index) => {
      if (index === 0 || shift === 0) return line;
      if (shift > 0) return ' '.repeat(shift) + line;
      const strip = Math.min(-shift, line.length - line.trimStart().length);
      return line.slice(strip);
    })
    .join(eol);
}
