import path from 'node:path';
import { rangeOf, type Node } from '../../parse/python';
import { referenceTo } from '../../python/import-edits';
import { environmentName, nameWords, secretKind, type SecretKind } from '../../python/secret-names';
import { looksLikeComparedPassword, looksLikeSecret } from '../../python/secret-values';
import { callArguments, plainStringValue, shortText, unwrap } from '../../python/syntax';
import type { Finding, Fix } from '../../types';
import type { PythonRuleContext } from '../python-context';
import type { PythonRule } from '../rule';

/** DJH209: a password, secret, token or API key written into ordinary code. */
export const hardcodedSecretInCode: PythonRule = {
  meta: {
    code: 'DJH209',
    name: 'hardcoded-secret-in-code',
    severity: 'warning',
    scope: 'python',
    summary: 'A value shaped like a password, secret, token or API key is written in the code, or a password is compared with one.',
    fix: 'unsafe',
    djangoChecks: [],
  },
  docs: `## What it does
Reports a string literal that looks like a secret written where the code says a secret goes:

- assigned to a name (or attribute) whose last word is \`password\`, \`passwd\`, \`passphrase\`, \`pwd\`, \`secret\`, \`token\` or \`apikey\`, or \`key\` after \`api\`, \`access\`, \`private\` or \`secret\` (\`db_password\`, \`self.apiKey\`, \`STRIPE_SECRET_KEY\`);
- passed as a keyword argument so named (\`connect(password="...")\`), or the default of a parameter so named (\`def connect(password="...")\`);
- compared with a password, token or key (\`if password == "admin":\`, \`request.headers.get("api_key") != "..."\`): a credential check against a value in the code.

A secret is a value, not a name that sounds like one. The literal must look like one: no spaces (not a sentence or an error message), not a path, a URL without a password, an e-mail address, a template (\`"{{ token }}"\`, \`"%(password)s"\`) or a placeholder (\`"changeme"\`, \`"xxx"\`, \`"<your-token>"\`), and not words joined by separators (\`"invalid_token"\`, \`"_password_reset_token"\`, \`"refresh"\`, \`"X-Api-Key"\`, \`"GITHUB_TOKEN"\`). It must have the length and the mix of characters of a key or a password: eight characters or more for a token, secret or key, six for a password, at least two kinds of characters (small and capital letters, digits, others) and a letter. Compared with a password, any word is a credential (\`password == "admin"\`); compared with a token or key, the value must look like one (\`token == "refresh"\` names a kind of token).

Names are split on underscores, dots and camel case, and the secret word must be the last one, so \`token_expiry\`, \`password_reset_url\`, \`secret_name\` and \`max_tokens\` are not secrets; \`csrf_token\` and pagination tokens (\`next_token\`, \`page_token\`) are not either. Environment reads, dictionary entries, positional arguments and members of an \`Enum\` or Django \`TextChoices\` class (\`ACCESS_TOKEN = "access"\` is a label) are not reported. Tests, migrations and settings modules are not checked here (settings have DJH103 and DJH104).

## Why is this bad
Anything in the code is readable by everyone who can read the repository, its history, its backups, the CI logs and the built image, and it stays in the history after it is removed. A credential there cannot be rotated without a deploy and is shared by every environment; a password checked against a literal is a back door anyone who reads the code can use.

## Example
\`\`\`python
import requests

API_KEY = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"

def charge(amount):
    return requests.post(URL, auth=(API_KEY, ""), data={"amount": amount})

def admin_login(request):
    if request.POST.get("password") == "admin":
        ...
\`\`\`

## Use instead
\`\`\`python
import os

API_KEY = os.environ["API_KEY"]
\`\`\`
Then revoke the key that was committed: it is in the history for good. Check passwords against the hashes Django stores (\`authenticate()\`, \`check_password()\`), never against a literal.

## Fix safety
Unsafe: the fix replaces the literal with \`os.environ["NAME"]\`, and the application then needs that variable set wherever it runs, or it fails with a \`KeyError\`.

NAME is named after the target, one variable per secret. A name of several words is used as it is in upper snake case (\`apiKey\` → \`API_KEY\`); a bare word is prefixed with its owner: the called function for a keyword argument (\`server.login(password=...)\` → \`LOGIN_PASSWORD\`), the function for a parameter default or a comparison (\`def connect(password=...)\` → \`CONNECT_PASSWORD\`), the class for a class or instance attribute (\`password\` in \`class Mailer\` → \`MAILER_PASSWORD\`), else the module (\`TOKEN\` in \`github.py\` → \`GITHUB_TOKEN\`). Two different values never share a variable: when two secrets of the module would read one name (\`create_user(password="a…")\` and \`create_user(password="b…")\`), the owner-prefixed name is tried, and if that clashes too there is no fix. A name the module already uses as a string (an existing \`os.environ["DB_PASSWORD"]\`, which may hold another secret) is not reused. The fix reuses \`os\` or \`environ\` when the module imports them (under any alias) and adds \`import os\` after the imports otherwise; there is no fix when the name \`os\` is bound to something else.

## References
- [OWASP: Use of hard-coded password](https://owasp.org/www-community/vulnerabilities/Use_of_hard-coded_password)
- [CWE-798: Use of Hard-coded Credentials](https://cwe.mitre.org/data/definitions/798.html)
- [The Twelve-Factor App: Config](https://12factor.net/config)
- [Django: check_password()](https://docs.djangoproject.com/en/stable/topics/auth/passwords/#django.contrib.auth.hashers.check_password)
`,
  triggers: [/passw|passphrase|pwd|secret|token|api_?key|access_?key|private_?key/i],
  nodeTypes: ['assignment', 'keyword_argument', 'default_parameter', 'typed_default_parameter', 'comparison_operator'],
  check(ctx) {
    const candidates: Candidate[] = [];
    // Each target's name is judged first: walking up to its owners costs a call into the
    // parser per level, and most names in a module are not secrets.
    for (const assignment of ctx.nodes('assignment')) {
      const left = assignment.childForFieldName('left');
      const name = left?.type === 'identifier' ? left.text : left?.type === 'attribute' ? left.childForFieldName('attribute')?.text : undefined;
      if (!name || !left || !secretKind(name)) continue;
      const right = assignment.childForFieldName('right');
      if (!right || inChoicesClass(assignment)) continue;
      const { fn, cls, direct } = ownersOf(assignment);
      // `self.token = …` belongs to the class; a name in a class body too; a local to its function.
      const owner = left.type === 'attribute' ? (cls ?? fn) : direct === 'class' ? cls : fn;
      candidates.push(...candidate(ctx, name, right, owner, (kind) => `\`${shortText(left, 40)}\` holds a hard-coded ${kind}.`));
    }
    for (const parameter of [...ctx.nodes('default_parameter'), ...ctx.nodes('typed_default_parameter')]) {
      const name = parameter.childForFieldName('name');
      if (name?.type !== 'identifier' || !secretKind(name.text)) continue;
      const value = parameter.childForFieldName('value');
      if (!value) continue;
      const fn = parameter.parent?.parent;
      const owner = fn?.type === 'function_definition' ? fn.childForFieldName('name')?.text : undefined;
      candidates.push(...candidate(ctx, name.text, value, owner, (kind) => `The parameter \`${shortText(name, 40)}\` defaults to a hard-coded ${kind}.`));
    }
    for (const argument of ctx.nodes('keyword_argument')) {
      const name = argument.childForFieldName('name')?.text;
      if (!name || !secretKind(name)) continue;
      const value = argument.childForFieldName('value');
      if (!value) continue;
      const fn = argument.parent?.parent?.childForFieldName('function');
      const called = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : fn?.type === 'identifier' ? fn.text : undefined;
      candidates.push(
        ...candidate(ctx, name, value, called === 'dict' ? undefined : called, (kind) => `The ${kind} passed as \`${shortText(argument.childForFieldName('name')!, 40)}=\` is hard-coded.`),
      );
    }
    for (const comparison of ctx.nodes('comparison_operator')) candidates.push(...compared(ctx, comparison));
    return findingsOf(ctx, candidates);
  },
};

/** A literal that looks like a secret, with where its value would move. */
interface Candidate {
  literal: Node;
  value: string;
  kind: SecretKind;
  /** The first sentence of the message. */
  first: string;
  /** Environment variables to try, preferred first. */
  names: string[];
  comparison: boolean;
}

/** A string literal written where `name` says a secret goes. */
function candidate(ctx: PythonRuleContext, name: string, valueNode: Node, owner: string | undefined, first: (kind: string) => string): Candidate[] {
  const kind = secretKind(name);
  if (!kind) return [];
  const literal = unwrap(valueNode);
  const value = plainStringValue(literal);
  if (value === undefined || !looksLikeSecret(value, kind)) return [];
  return [{ literal, value, kind, first: first(kind), names: variableNames(ctx, name, owner), comparison: false }];
}

/** `password == "admin"`, `request.POST["api_key"] != "…"`: a credential checked against a value in the code. */
function compared(ctx: PythonRuleContext, comparison: Node): Candidate[] {
  const operators = comparison.children.filter((c) => c && !c.isNamed).map((c) => c!.text);
  const operands = comparison.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
  if (operands.length !== 2 || operators.length !== 1 || (operators[0] !== '==' && operators[0] !== '!=')) return [];
  const [a, b] = operands.map(unwrap);
  const literal = plainStringValue(a) !== undefined ? a : plainStringValue(b) !== undefined ? b : undefined;
  const target = literal === a ? b : a;
  if (!literal || plainStringValue(target) !== undefined) return [];
  const name = comparedName(target);
  const kind = name ? secretKind(name) : undefined;
  if (!name || !kind) return [];
  const value = plainStringValue(literal)!;
  if (!(kind === 'password' ? looksLikeComparedPassword(value) : looksLikeSecret(value, kind))) return [];
  const { fn, cls } = ownersOf(comparison);
  const owner = fn ?? cls;
  const first = `${kind === 'API key' ? 'An' : 'A'} ${kind} is compared with a value written in the code.`;
  return [{ literal, value, kind, first, names: variableNames(ctx, name, owner), comparison: true }];
}

/** The name a compared expression says it holds: `password`, `user.password`, `data["api_key"]`, `request.POST.get("token")`. */
function comparedName(node: Node): string | undefined {
  if (node.type === 'identifier') return node.text;
  if (node.type === 'attribute') return node.childForFieldName('attribute')?.text;
  if (node.type === 'subscript') {
    const key = node.childForFieldName('subscript');
    return key ? plainStringValue(key) : undefined;
  }
  if (node.type === 'call') {
    const fn = node.childForFieldName('function');
    if (fn?.type !== 'attribute' || fn.childForFieldName('attribute')?.text !== 'get') return undefined;
    const [key] = callArguments(node);
    return key ? plainStringValue(key) : undefined;
  }
  return undefined;
}

/**
 * The environment variables a secret may move to, preferred first: the target's name in
 * upper snake case (`apiKey` → `API_KEY`), and the same prefixed with its owner (the
 * class, the function, the called function, else the module) — first when the name is one
 * bare word, so `login(password=…)` reads `LOGIN_PASSWORD`, not `PASSWORD`.
 */
function variableNames(ctx: PythonRuleContext, name: string, owner: string | undefined): string[] {
  const plain = environmentName(name);
  if (!plain) return [];
  const moduleName = path.basename(ctx.file) === '__init__.py' ? path.basename(path.dirname(ctx.file)) : path.basename(ctx.file, '.py');
  const prefix = environmentName(owner ?? moduleName);
  const prefixed = prefix && !plain.startsWith(prefix + '_') && prefix !== plain ? `${prefix}_${plain}` : undefined;
  if (nameWords(name).length <= 1) return prefixed ? [prefixed] : [];
  return prefixed ? [plain, prefixed] : [plain];
}

/**
 * The findings, each with a fix reading a variable that no other secret of the module
 * reads: two different values never share a variable, and a variable the module already
 * names (an existing read) is not reused.
 */
function findingsOf(ctx: PythonRuleContext, candidates: Candidate[]): Finding[] {
  // What follows reads the whole module (its strings, its top-level statements): only for a secret to report.
  if (candidates.length === 0) return [];
  const named = new Set<string>();
  for (const match of ctx.text.matchAll(/["']([A-Z][A-Z0-9_]*)["']/g)) named.add(match[1]);
  const chosen = new Map<Candidate, string>();
  // Each round settles the candidates whose preferred name is theirs alone; the others try their next name.
  let pending = candidates.map((c) => ({ candidate: c, options: c.names.filter((n) => !named.has(n)) }));
  for (let round = 0; round < 3 && pending.length > 0; round++) {
    const values = new Map<string, Set<string>>();
    for (const { candidate: c, options } of pending) if (options[0]) values.set(options[0], (values.get(options[0]) ?? new Set()).add(c.value));
    for (const [taken] of chosen) values.set(chosen.get(taken)!, (values.get(chosen.get(taken)!) ?? new Set()).add(taken.value));
    const next: typeof pending = [];
    for (const entry of pending) {
      const name = entry.options[0];
      if (!name) continue;
      if (values.get(name)!.size === 1) chosen.set(entry.candidate, name);
      else next.push({ candidate: entry.candidate, options: entry.options.slice(1) });
    }
    pending = next;
  }
  const environ = referenceTo(ctx.tree, ctx.text, ctx.imports, 'os', 'environ', 'module');
  return candidates.map((c) => {
    const fixes: Fix[] = [];
    const variable = chosen.get(c);
    if (environ && variable) {
      const quote = literalQuote(c.literal);
      fixes.push(ctx.fix(`Read ${variable} from the environment`, [{ range: rangeOf(c.literal), newText: `${environ.expression}[${quote}${variable}${quote}]` }, ...environ.edits]));
    }
    const rest = c.comparison
      ? 'Anyone who reads the code can pass the check: compare with a value read from the environment (or check a hashed password with check_password()), and change the credential.'
      : 'Anyone who can read the code or its history has it: read it from the environment and revoke the one in the code.';
    return ctx.finding(c.literal, `${c.first} ${rest}`, { fixes });
  });
}

/** An enumeration member (`ACCESS_TOKEN = "access"` in a `TextChoices` or `Enum`): a label, not a credential. */
function inChoicesClass(assignment: Node): boolean {
  const block = assignment.parent?.type === 'expression_statement' ? assignment.parent.parent : undefined;
  const cls = block?.type === 'block' ? block.parent : undefined;
  if (cls?.type !== 'class_definition') return false;
  const bases = cls.childForFieldName('superclasses')?.namedChildren ?? [];
  return bases.some((base) => !!base && /(?:^|\.)\w*(?:Enum|Choices)$/.test(base.text));
}

/** The names of the function and the class a statement sits in (a few levels up at most), and which of them holds it directly. */
function ownersOf(node: Node): { fn?: string; cls?: string; direct?: 'function' | 'class' } {
  const owners: { fn?: string; cls?: string; direct?: 'function' | 'class' } = {};
  let current: Node | null = node.parent;
  for (let hops = 0; current && hops < 24; hops++, current = current.parent) {
    if (current.type === 'function_definition' && owners.fn === undefined) {
      owners.fn = current.childForFieldName('name')?.text;
      owners.direct ??= 'function';
    } else if (current.type === 'class_definition') {
      owners.cls = current.childForFieldName('name')?.text;
      owners.direct ??= 'class';
      break;
    }
  }
  return owners;
}

function literalQuote(literal: Node): string {
  const first = literal.type === 'concatenated_string' ? literal.namedChildren[0] : literal;
  const start = first?.firstChild?.text ?? '"';
  return start.endsWith("'") ? "'" : '"';
}
