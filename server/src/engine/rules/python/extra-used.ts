import type { Finding } from '../../types';
import type { PythonRule } from '../rule';
import { sqlCalls } from './raw-sql-injection';

/** DJH202: `QuerySet.extra()` with SQL that is not built from values (DJH201 reports those). */
export const extraUsed: PythonRule = {
  meta: {
    code: 'DJH202',
    name: 'extra-used',
    severity: 'info',
    scope: 'python',
    summary: '`QuerySet.extra()` is used; Django plans to deprecate it, and ORM expressions do the same job safely.',
    fix: 'none',
    djangoChecks: [],
  },
  docs: `## What it does
Reports every call of \`QuerySet.extra()\` (on a manager or QuerySet, or with only \`extra()\`'s keywords) whose SQL is not built from values. When a value is spliced into its SQL, DJH201 reports it instead.

## Why is this bad
Django's documentation calls \`extra()\` "an old API that we aim to deprecate at some point in the future" and asks to use it only as a last resort. Its SQL fragments bypass the ORM: they are not quoted for the database in use, they break silently when a table or column is renamed, and the next edit that adds a value to them is one step from SQL injection.

## Example
\`\`\`python
Book.objects.extra(select={"is_recent": "year > 2000"}, where=["title <> ''"])
\`\`\`

## Use instead
\`\`\`python
from django.db.models import BooleanField, ExpressionWrapper, Q

Book.objects.annotate(
    is_recent=ExpressionWrapper(Q(year__gt=2000), output_field=BooleanField())
).exclude(title="")
\`\`\`
When no ORM expression fits, \`RawSQL("…", params)\` inside \`annotate()\` or \`filter()\` keeps the SQL in one place with its parameters.

## Fix safety
No automatic fix: the ORM expression that replaces a SQL fragment depends on what the fragment means.

## References
- [Django: QuerySet.extra()](https://docs.djangoproject.com/en/stable/ref/models/querysets/#extra)
- [Django: Query expressions](https://docs.djangoproject.com/en/stable/ref/models/expressions/)
`,
  triggers: ['extra('],
  nodeTypes: ['call'],
  check(ctx) {
    const findings: Finding[] = [];
    for (const call of sqlCalls(ctx)) {
      if (call.sink.kind !== 'extra' || call.arguments.some((argument) => argument.dangerous)) continue;
      const fn = call.sink.call.childForFieldName('function');
      const name = fn?.childForFieldName('attribute') ?? call.sink.call;
      findings.push(
        ctx.finding(
          { start: { line: name.startPosition.row, character: name.startPosition.column }, end: { line: call.sink.call.endPosition.row, character: call.sink.call.endPosition.column } },
          'QuerySet.extra() adds raw SQL that the ORM neither checks nor quotes. Django plans to deprecate it; express it with annotate(), filter() and query expressions instead.',
        ),
      );
    }
    return findings;
  },
};
