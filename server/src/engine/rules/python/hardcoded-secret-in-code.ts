import { rangeOf, stringLiteralValue, type Node } from '../../parse/python';
import { referenceTo } from '../../python/import-edits';
import { environmentName, nameWords, obviouslyNotSecret, secretKind } from '../../python/secret-names';
import { plainStringValue, unwrap } from '../../python/syntax';
import type { Finding } from '../../types';
import type { PythonRuleContext } from '../python-context';
import type { PythonRule } from '../rule';

/** DJH209: a password, secret, token or API key written into ordinary code. */
export const hardcodedSecretInCode: PythonRule = {
  meta: {
    code: 'DJH209',
    name: 'hardcoded-secret-in-code',
    severity: 'warning',
    scope: 'python',
    summary: 'A password, secret, token or API key is a string literal in the code.',
    fix: 'unsafe',
    djangoChecks: [],
  },
  docs: `## What it does
Reports a non-empty string literal assigned to a name (or attribute) whose last word is \`password\`, \`passwd\`, \`passphrase\`, \`secret\`, \`token\` or \`apikey\`, or \`key\` after \`api\`, \`access\`, \`private\` or \`secret\` (\`db_password\`, \`self.apiKey\`, \`STRIPE_SECRET_KEY\`), the same literal passed as a keyword argument so named (\`connect(password="...")\`), and a parameter so named that defaults to one (\`def connect(password="...")\`). Names are split on underscores and camel case, so \`token_expiry\`, \`password_reset_url\`, \`secret_name\` and \`max_tokens\` are not secrets; \`csrf_token\` and pagination tokens (\`next_token\`, \`page_token\`) are not either.

It stays quiet on values that are clearly not secrets: empty strings, placeholders (\`"changeme"\`, \`"xxx"\`, \`"TODO"\`, \`"<your-token>"\`, \`"\${TOKEN}"\`, \`"{{ token }}"\`), values that are the name of an environment variable (\`"GITHUB_TOKEN"\`) or of a field or header (\`"access_token"\`, \`"X-Api-Key"\`), auth schemes (\`"Bearer"\`), paths, and URLs without a password. Environment reads (\`os.environ["API_KEY"]\`), dictionary entries, comparisons, positional arguments and members of an \`Enum\` or Django \`TextChoices\` class (\`ACCESS_TOKEN = "access"\` is a label) are not reported. Tests, migrations and settings modules are not checked here (settings have DJH103 and DJH104).

## Why is this bad
Anything in the code is readable by everyone who can read the repository, its history, its backups, the CI logs and the built image, and it stays in the history after it is removed. A credential there cannot be rotated without a deploy and is shared by every environment.

## Example
\`\`\`python
import requests

API_KEY = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"

def charge(amount):
    return requests.post(URL, auth=(API_KEY, ""), data={"amount": amount})
\`\`\`

## Use instead
\`\`\`python
import os

API_KEY = os.environ["API_KEY"]
\`\`\`
Then revoke the key that was committed: it is in the history for good.

## Fix safety
Unsafe: the fix replaces the literal with \`os.environ["NAME"]\`, and the application then needs that variable set wherever it runs, or it fails with a \`KeyError\`. NAME is the target's name in upper snake case (\`apiKey\` → \`API_KEY\`); a bare one-word name is prefixed with its owner (the called or defining function, or the enclosing class), so that two different passwords do not end up in one variable (\`server.login(password=...)\` → \`LOGIN_PASSWORD\`, \`def connect(password=...)\` → \`CONNECT_PASSWORD\`, \`password\` in \`class Mailer\` → \`MAILER_PASSWORD\`). The fix reuses \`os\` or \`environ\` when the module imports them (under any alias) and adds \`import os\` after the imports otherwise. There is no fix when the name \`os\` is bound to something else.

## References
- [OWASP: Use of hard-coded password](https://owasp.org/www-community/vulnerabilities/Use_of_hard-coded_password)
- [CWE-798: Use of Hard-coded Credentials](https://cwe.mitre.org/data/definitions/798.html)
- [The Twelve-Factor App: Config](https://12factor.net/config)
`,
  triggers: [/passw|passphrase|secret|token|api_?key|access_?key|private_?key/i],
  nodeTypes: ['assignment', 'keyword_argument', 'default_parameter', 'typed_default_parameter'],
  check(ctx) {
    const findings: Finding[] = [];
    for (const assignment of ctx.nodes('assignment')) {
      const left = assignment.childForFieldName('left');
      const right = assignment.childForFieldName('right');
      const name = left?.type === 'identifier' ? left.text : left?.type === 'attribute' ? left.childForFieldName('attribute')?.text : undefined;
      if (!name || !right || inChoicesClass(assignment)) continue;
      const finding = judge(ctx, name, right, (kind) => `\`${left!.text}\` holds a hard-coded ${kind}; anyone who can read the code or its history has it.`);
      if (finding) findings.push(finding);
    }
    for (const parameter of [...ctx.nodes('default_parameter'), ...ctx.nodes('typed_default_parameter')]) {
      const name = parameter.childForFieldName('name');
      const value = parameter.childForFieldName('value');
      if (name?.type !== 'identifier' || !value) continue;
      const finding = judge(ctx, name.text, value, (kind) => `The parameter \`${name.text}\` defaults to a hard-coded ${kind}; anyone who can read the code or its history has it.`);
      if (finding) findings.push(finding);
    }
    for (const argument of ctx.nodes('keyword_argument')) {
      const name = argument.childForFieldName('name')?.text;
      const value = argument.childForFieldName('value');
      if (!name || !value) continue;
      const finding = judge(ctx, name, value, (kind) => `The ${kind} passed as \`${name}=\` is hard-coded; anyone who can read the code or its history has it.`);
      if (finding) findings.push(finding);
    }
    return findings;
  },
};

/** An enumeration member (`ACCESS_TOKEN = "access"` in a `TextChoices` or `Enum`): a label, not a credential. */
function inChoicesClass(assignment: Node): boolean {
  const block = assignment.parent?.type === 'expression_statement' ? assignment.parent.parent : undefined;
  const cls = block?.type === 'block' ? block.parent : undefined;
  if (cls?.type !== 'class_definition') return false;
  const bases = cls.childForFieldName('superclasses')?.namedChildren ?? [];
  return bases.some((base) => !!base && /(?:^|\.)\w*(?:Enum|Choices)$/.test(base.text));
}

function judge(ctx: PythonRuleContext, name: string, valueNode: Node, message: (kind: string) => string): Finding | undefined {
  const kind = secretKind(name);
  if (!kind) return undefined;
  const literal = unwrap(valueNode);
  if (plainStringValue(literal) === undefined) return undefined;
  const value = stringLiteralValue(literal);
  if (value === undefined || obviouslyNotSecret(value)) return undefined;
  const fixes = [];
  const environ = referenceTo(ctx.tree, ctx.text, ctx.imports, 'os', 'environ', 'module');
  if (environ) {
    const quote = literalQuote(literal);
    const variable = environmentVariable(name, valueNode);
    const read = `${environ.expression}[${quote}${variable}${quote}]`;
    fixes.push(ctx.fix(`Read ${variable} from the environment`, [{ range: rangeOf(literal), newText: read }, ...environ.edits]));
  }
  return ctx.finding(literal, message(kind), { fixes });
}

/**
 * The variable a fix reads: the target's name in upper snake case, prefixed with its owner
 * (the called function, the enclosing class) when the name is one bare word, so that
 * `login(password=...)` and `create_superuser(password=...)` do not share `PASSWORD`.
 */
function environmentVariable(name: string, site: Node): string {
  const base = environmentName(name);
  if (nameWords(name).length > 1) return base;
  const owner = ownerName(site);
  return owner ? `${environmentName(owner)}_${base}` : base;
}

function ownerName(site: Node): string | undefined {
  const holder = site.parent;
  if (holder?.type === 'default_parameter' || holder?.type === 'typed_default_parameter') {
    const fn = holder.parent?.parent;
    return fn?.type === 'function_definition' ? fn.childForFieldName('name')?.text : undefined;
  }
  if (holder?.type === 'keyword_argument') {
    const fn = holder.parent?.parent?.childForFieldName('function');
    const called = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : fn?.type === 'identifier' ? fn.text : undefined;
    return called && called !== 'dict' ? called : undefined;
  }
  for (let node = holder; node; node = node.parent) {
    if (node.type === 'class_definition') return node.childForFieldName('name')?.text;
  }
  return undefined;
}

function literalQuote(literal: Node): string {
  const first = literal.type === 'concatenated_string' ? literal.namedChildren[0] : literal;
  const start = first?.firstChild?.text ?? '"';
  return start.endsWith("'") ? "'" : '"';
}
