import { rangeOf, type Node } from '../../parse/python';
import { firstUntrusted, flowOf, namesOf, originOf, sourceSentence } from '../../python/evidence';
import { SqlAnalysis, type SqlArgumentAnalysis, type SqlCallAnalysis } from '../../python/sql/analysis';
import { MAX_DEPTH, MAX_PARTS, type SourceKind } from '../../python/string-build';
import { shortText } from '../../python/syntax';
import type { Finding, RelatedLocation } from '../../types';
import type { PythonRuleContext } from '../python-context';
import type { PythonRule } from '../rule';

/** The SQL calls of a file, analysed once per parsed text (both SQL rules read them). */
const analyses = new WeakMap<PythonRuleContext['tree'], SqlCallAnalysis[]>();

/** Every call of the file that runs SQL, with the analysis of its SQL arguments. */
export function sqlCalls(ctx: PythonRuleContext): SqlCallAnalysis[] {
  const cached = analyses.get(ctx.tree);
  if (cached) return cached;
  const analysis = new SqlAnalysis(ctx.analysis());
  const calls: SqlCallAnalysis[] = [];
  for (const call of ctx.nodes('call')) {
    const result = analysis.analyzeCall(call);
    if (result) calls.push(result);
  }
  analyses.set(ctx.tree, calls);
  return calls;
}

const SOURCE_PHRASES: Record<SourceKind, string> = {
  'f-string': 'an f-string',
  '%': '% formatting',
  format: 'str.format()',
  '+': '+ concatenation',
  join: 'str.join()',
};

function listed(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return items.slice(0, -1).join(', ') + ' and ' + items[items.length - 1];
}

/** The expressions whose values make the SQL dangerous, in order. */
function culpritNodes(argument: SqlArgumentAnalysis): Node[] {
  return argument.culprits.map((c) => c.node);
}

/** What to do about it, by where the value sits. */
function advice(argument: SqlArgumentAnalysis, plural: boolean): string {
  const culprit = '`' + shortText(argument.noFix?.culprit?.node ?? culpritNodes(argument)[0], 24) + '`';
  switch (argument.noFix?.reason) {
    case 'identifier':
      return `${culprit} stands for a table or column name, which a query parameter cannot replace, so check it against an allow-list or quote it with connection.ops.quote_name().`;
    case 'driver':
      return `This is the database driver's own cursor, whose placeholder style is the driver's (%s for psycopg, ? for sqlite3), so pass ${plural ? 'the values' : 'the value'} as parameters in that style.`;
    case 'quoted-name':
      return `${culprit} sits inside double quotes, a name in PostgreSQL and SQLite and a string only in MySQL, so write the value as a query parameter in place of the quoted text.`;
    case 'list':
      return `${culprit} fills a whole IN (...) list, which one query parameter cannot hold, so write one %s per item and pass the items as parameters.`;
    case 'fragment':
      return `${culprit} is inserted as SQL syntax rather than as a value, so build that part from constant SQL and pass the values as query parameters.`;
    default:
      if (argument.culprits.every((c) => c.kind === 'opaque')) return 'Run only SQL written in the code, and pass the values as query parameters.';
      return `A crafted value can rewrite the query, so pass ${plural ? 'them as query parameters' : 'it as a query parameter'} instead.`;
  }
}

/**
 * The message: a first sentence that stands alone (what reaches which call, by the
 * evidence), then where an untrusted value comes from and what to do.
 */
function message(call: SqlCallAnalysis, argument: SqlArgumentAnalysis): string {
  const nodes = culpritNodes(argument);
  const sources = listed([...argument.build.sources].map((s) => SOURCE_PHRASES[s]));
  const plural = new Set(nodes.map((n) => n.text)).size > 1;
  const untrusted = firstUntrusted(argument.culprits.map((c) => c.provenance));
  if (untrusted) {
    const origin = originOf(untrusted);
    const first = argument.culprits.every((c) => c.kind === 'opaque')
      ? `The SQL text that ${call.sink.label} runs is ${origin}.`
      : `${capitalise(origin)} reaches the SQL text of ${call.sink.label}${sources ? ` through ${sources}` : ''}.`;
    return `${first} ${sourceSentence(untrusted)} ${advice(argument, plural)}${truncation(argument)}`;
  }
  const via = argument.argument.node.type === 'identifier' ? ` in \`${shortText(argument.argument.node, 24)}\`` : '';
  let first = `SQL built${via} with ${sources} from ${namesOf(nodes)} reaches ${call.sink.label}.`;
  if (first.length > 100) first = `SQL built${via} with ${sources} from values of unknown origin reaches ${call.sink.label}.`;
  if (first.length > 100) first = `SQL built from values of unknown origin reaches ${call.sink.label}.`;
  return `${first} ${advice(argument, plural)}${truncation(argument)}`;
}

/** What the analysis says when the SQL was too large to follow whole. */
function truncation(argument: SqlArgumentAnalysis): string {
  return argument.build.truncated ? ` The SQL is larger than the analysis follows (${MAX_PARTS.toLocaleString('en')} parts or ${MAX_DEPTH} nested strings), so no fix is offered.` : '';
}

function capitalise(text: string): string {
  return text[0].toUpperCase() + text.slice(1);
}

/** DJH201: SQL text built from values of unknown or untrusted origin reaches a call that runs it. */
export const rawSqlInjection: PythonRule = {
  meta: {
    code: 'DJH201',
    name: 'raw-sql-injection',
    severity: 'error',
    scope: 'python',
    summary:
      'SQL text built by f-string, `%`, `.format()`, `+` or `join()` from request data (error) or values of unknown origin (warning) reaches `raw()`, `cursor.execute()`, `RawSQL()` or `extra()`.',
    fix: 'unsafe',
    djangoChecks: [],
  },
  docs: `## What it does
Reports SQL text built by an f-string, \`%\` formatting, \`str.format()\`, \`+\` / \`+=\` concatenation or \`str.join()\` from values that are not provably safe, when it reaches a call that runs it: \`Model.objects.raw()\` (or any manager or QuerySet), \`cursor.execute()\` / \`executemany()\` on a cursor of Django's \`connection\` or \`connections[...]\` (also through \`with closing(connection.cursor()) as c\`, a cursor passed into a helper of the module, a cursor used inside a nested function, and the driver's own \`connection.connection.cursor()\`), \`RawSQL()\`, or \`QuerySet.extra(select=, where=, tables=, order_by=)\`. The SQL may be built in the call or in local variables, over several assignments, in the module's own functions (their return values) and in functions imported from other modules of the project.

The severity comes from where each value comes from (see [the provenance analysis](../provenance.md)):

- **error**: request data reaches the SQL text: \`request.GET\`, \`request.POST\`, \`request.body\`, headers, cookies, the path, \`self.request\` and \`self.kwargs\` in class-based views, a view argument that \`urls.py\` captures as text (\`<str:…>\`, \`<slug:…>\`, \`<path:…>\`), a form's text field in \`cleaned_data\`. The finding shows the path, from the source to the call, as related information (and as \`codeFlows\` in SARIF):

  \`\`\`python
  def search(request):
      q = request.GET["q"]                       # source
      where = "title = '%s'" % q                 # assigned to \`where\`
      cursor.execute("SELECT … WHERE " + where)  # error, with the path q → where → execute
  \`\`\`
- **warning**: a value of unknown origin (a helper's parameter, a model field, a call of unknown code) sits where a value goes, as in \`f"… WHERE title = '{title}'"\`: it should be a query parameter whoever writes it. A helper's parameter that every call in the project gives a number or a constant (\`latest(10)\`, \`first_ids(len(rows))\`) is safe; see [provenance](../provenance.md).
- **info**: a value of unknown origin sits only where a name or a piece of SQL goes (\`f"SELECT COUNT(*) FROM {table}"\`): that is how code builds SQL over its own schema, so it is noted, not warned about.
- **nothing**: every piece is safe: constants (module, class, constant dicts and tuples), numbers (\`int()\`, \`len()\`, \`.count()\`, \`.pk\`, \`*_id\`, arithmetic, \`%d\`, \`{:d}\`), a model's \`_meta\` names, \`connection.ops.quote_name()\`, values looked up in a dict of constants or checked with \`if name not in ALLOWED: raise …\`, \`", ".join(["%s"] * len(ids))\` placeholder lists, and SQL the ORM compiled with its own params (\`query.sql_with_params()\`, \`compiler.as_sql()\`).

Management commands and scripts (\`if __name__ == "__main__":\`) run with the operator's input: only request data counts there. A method named \`raw\` or \`execute\` on anything else (a \`sqlite3\` connection, your own class) is not a Django sink. The SQL text taken whole from the request (\`cursor.execute(request.POST["sql"])\`) is an error without a fix.

## Why is this bad
A value spliced into SQL text is read by the database as SQL. An input such as \`x' OR '1'='1\` turns a lookup of one row into a dump of the table, and can change or delete data. Query parameters keep SQL and data apart: the driver sends or quotes the value so it can only ever be a value.

## Example
\`\`\`python
from django.db import connection

def search(request):
    q = request.GET["q"]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, title FROM book WHERE title LIKE '%{q}%'")
        return cursor.fetchall()
\`\`\`

## Use instead
\`\`\`python
from django.db import connection

def search(request):
    q = request.GET["q"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, title FROM book WHERE title LIKE %s", [f"%{q}%"])
        return cursor.fetchall()
\`\`\`
A table or column name cannot be a parameter: check it against an allow-list (\`{"title": "title", "year": "year"}[key]\`) or quote it with \`connection.ops.quote_name()\`. For \`IN (...)\`, write one \`%s\` per item and pass the items.

## Fix safety
Unsafe: the fix changes the query text and what is sent to the database. The SQL becomes a plain string with \`%s\` placeholders; the interpolated expressions move, in order, into the params (a new list, or merged into an existing list or tuple, keeping its type); quotes around a value go, because the driver quotes; a literal with more than the value in it becomes one parameter (\`LIKE '%{q}%'\` → \`LIKE %s\` with \`f"%{q}%"\`); a literal \`%\` is doubled once the SQL is read with parameters. When the SQL is built in a local variable, the fix rewrites the building statements and the call together.

The result is the same query for values that were meant as data, but not always the same behaviour: a value that the code escaped by hand (\`name.replace("'", "''")\`) is now escaped twice, and a number that was spliced unquoted is now sent as whatever type the Python value has. Review the change and run the queries.

\`"… '%s'" % params\` with \`params\` a tuple passes the tuple itself (\`"… %s", params\`). The comments between the literals of an implicit concatenation are kept.

No fix is offered when a value sits where a placeholder cannot (a table or column name, a name in double quotes, which PostgreSQL and SQLite read as a column, a whole \`IN (...)\` list, a piece of SQL syntax), when it is formatted with a conversion or a format spec (\`{x!r}\`, \`{x:>5}\`, \`%r\`), when a function of the project formats it (\`quoted(x)\` may add SQL of its own), for \`executemany()\` and for the driver's own cursor (its placeholders are the driver's: \`?\` for sqlite3), when the SQL is built on a branch or in a loop, when a variable it is built in is also read elsewhere, or when the SQL is larger than the analysis follows (20,000 parts or 48 nested string expressions; the message says so).

## References
- [Django: Performing raw SQL queries](https://docs.djangoproject.com/en/stable/topics/db/sql/)
- [Django: SQL injection protection](https://docs.djangoproject.com/en/stable/topics/security/#sql-injection-protection)
- [Django: RawSQL](https://docs.djangoproject.com/en/stable/ref/models/expressions/#raw-sql-expressions)
- [OWASP: SQL Injection Prevention Cheat Sheet](https://cheatsheetseries.owasp.org/cheatsheets/SQL_Injection_Prevention_Cheat_Sheet.html)
`,
  // A call always has its parenthesis right after the name; `execute` alone also matches prose and logs.
  triggers: ['raw(', 'execute(', 'executemany(', 'extra(', 'RawSQL'],
  nodeTypes: ['call'],
  check(ctx) {
    const findings: Finding[] = [];
    // NOTE: in a management command or a script, values of unknown origin are the operator's input.
    const operator = ctx.analysis().isOperatorCode();
    for (const call of sqlCalls(ctx)) {
      for (const argument of call.arguments) {
        if (!argument.dangerous) continue;
        if (operator && argument.provenance.trust !== 'untrusted') continue;
        const fixes = [];
        if (argument.fix) {
          const names = [...new Set(argument.build.parts.filter((p) => p.kind === 'value').map((p) => shortText(p.node)))];
          const plural = names.length > 1 && argument.fix.params.length > 1;
          const title = names.length <= 3 ? `Pass ${listed(names)} as ${plural ? 'query parameters' : 'a query parameter'}` : `Pass ${argument.fix.params.length} values as query parameters`;
          fixes.push(
            ctx.fix(
              title,
              argument.fix.edits.map((edit) => ({
                range: { start: { line: edit.start.row, character: edit.start.column }, end: { line: edit.end.row, character: edit.end.column } },
                newText: edit.newText,
              })),
            ),
          );
        }
        const untrusted = firstUntrusted(argument.culprits.map((c) => c.provenance));
        const flow = flowOf(ctx.file, untrusted, { node: argument.argument.node, message: `reaches ${call.sink.label} as SQL text` });
        findings.push(
          ctx.finding(argument.argument.node, message(call, argument), {
            fixes,
            severity: untrusted ? 'error' : argument.unknownValue ? 'warning' : 'info',
            related: flow.length > 0 ? flow : spliced(ctx, argument),
            flow,
          }),
        );
      }
    }
    return findings;
  },
};

/** Where each value is spliced in, when that is not inside the call itself. */
function spliced(ctx: PythonRuleContext, argument: SqlArgumentAnalysis): RelatedLocation[] {
  const call = argument.argument.node;
  const locations: RelatedLocation[] = [];
  const seen = new Set<number>();
  for (const part of argument.culprits) {
    if (seen.has(part.node.startIndex)) continue;
    if (part.node.startIndex >= call.startIndex && part.node.endIndex <= call.endIndex) continue;
    seen.add(part.node.startIndex);
    locations.push({ file: ctx.file, range: rangeOf(part.node), message: `\`${shortText(part.node)}\` is spliced into the SQL here` });
  }
  return locations;
}
