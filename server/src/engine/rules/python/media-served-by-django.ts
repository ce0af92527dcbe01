import { rangeOf, type Node } from '../../parse/python';
import { lineEndAfter, referenceTo, type LocalEdit } from '../../python/import-edits';
import { plainStringValue, unwrap } from '../../python/syntax';
import { lineBreakOf, lineStarts, offsetAt, splitLines } from '../../text';
import type { Finding } from '../../types';
import type { PythonRuleContext } from '../python-context';
import type { PythonRule } from '../rule';

const ROUTES = new Set(['django.urls.path', 'django.urls.re_path', 'django.urls.conf.path', 'django.urls.conf.re_path', 'django.conf.urls.url']);
const SERVE = 'django.views.static.serve';

// NOTE: static() from django.conf.urls.static returns [] unless settings.DEBUG is true, so it is
// harmless unguarded; only a route straight to serve() works in production.
// https://docs.djangoproject.com/en/stable/howto/static-files/#serving-files-uploaded-by-a-user-during-development

/** DJH207: Django's development file server routed in production. */
export const mediaServedByDjango: PythonRule = {
  meta: {
    code: 'DJH207',
    name: 'media-served-by-django',
    severity: 'warning',
    scope: 'python',
    summary: 'A URL pattern routes to `django.views.static.serve` without an `if settings.DEBUG:` guard.',
    fix: 'unsafe',
    djangoChecks: [],
  },
  docs: `## What it does
Reports a \`path()\`, \`re_path()\` or \`url()\` whose view is \`django.views.static.serve\` (resolved through the file's imports) and that is not inside an \`if settings.DEBUG:\` block (or the \`else\` of \`if not settings.DEBUG:\`, or \`[...] if settings.DEBUG else []\`).

\`static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)\` is **not** reported, guarded or not: \`django.conf.urls.static.static()\` returns an empty list unless \`DEBUG\` is true (and also when the prefix is a full URL), so it never serves files in production. \`django.contrib.staticfiles.views.serve\` is not reported either: it raises 404 unless \`DEBUG\` is true or it is routed with \`insecure=True\`. Nor is a route that fixes the path to one file of the repository: a regex whose \`path\` group is a literal (\`re_path(r"^(?P<path>contribute\\.json)$", serve, {"document_root": settings.ROOT})\`), or a literal \`"path"\` argument and no \`<path>\` in the route (\`path("robots.txt", serve, {"path": "robots.txt", "document_root": …})\`): it serves that file, not a folder of uploads.

## Why is this bad
\`django.views.static.serve\` is a development helper: Django's documentation says it "is not hardened for production use and should be used only as a development aid". Routed unconditionally, it serves every file under its \`document_root\` in production, with a content type guessed from the file name. For user uploads that means an uploaded \`.html\` or \`.svg\` file is a page of your own site whose script runs with your visitors' cookies, and \`show_indexes=True\` lists the directory to anyone. Large or many requests also tie up your Python workers.

## Example
\`\`\`python
from django.conf import settings
from django.urls import path, re_path
from django.views.static import serve

urlpatterns = [
    path("", views.home),
    re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
]
\`\`\`

## Use instead
Let the web server (or a storage service) serve \`MEDIA_ROOT\` in production, and keep Django's helper for development:
\`\`\`python
from django.conf import settings
from django.urls import path, re_path
from django.views.static import serve

urlpatterns = [
    path("", views.home),
]

if settings.DEBUG:
    urlpatterns += [
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    ]
\`\`\`

## Fix safety
Unsafe: after the fix, production stops serving these files through Django, so the web server must serve them (as it should).

When the pattern is one of the last items of a module-level \`urlpatterns = [...]\` (or \`urlpatterns += [...]\`) list, the fix moves those trailing \`serve\` patterns, with their comments, into an \`if settings.DEBUG:\` block right after the statement, so URL resolution order is unchanged; a statement that only adds \`serve\` patterns (\`urlpatterns += [...]\`, \`urlpatterns.append(...)\`) is wrapped whole. It adds \`from django.conf import settings\` when missing. A pattern followed by other patterns, or built in any other way, gets no fix, since moving it would change which pattern wins.

## References
- [Django: serving files uploaded by a user during development](https://docs.djangoproject.com/en/stable/howto/static-files/#serving-files-uploaded-by-a-user-during-development)
- [Django: django.views.static.serve](https://docs.djangoproject.com/en/stable/ref/views/#serving-files-in-development)
- [Django security: user-uploaded content](https://docs.djangoproject.com/en/stable/topics/security/#user-uploaded-content)
`,
  triggers: ['serve'],
  nodeTypes: ['call'],
  check(ctx) {
    const findings: Finding[] = [];
    const isServeRoute = (node: Node | null | undefined): boolean => {
      if (node?.type !== 'call' || !ROUTES.has(ctx.qualifiedName(node.childForFieldName('function')) ?? '')) return false;
      return ctx.qualifiedName(viewArgument(node)) === SERVE && !debugGuarded(node) && !servesOneFile(node);
    };
    for (const call of ctx.nodes('call')) {
      if (!isServeRoute(call)) continue;
      const edits = guardEdits(ctx, call, isServeRoute);
      const fixes = edits ? [ctx.fix('Serve these files only when settings.DEBUG is true', edits)] : [];
      findings.push(
        ctx.finding(
          call,
          'django.views.static.serve is routed outside an `if settings.DEBUG:` block. Production then serves these files through a development view that Django says is not hardened for production use.',
          { fixes },
        ),
      );
    }
    return findings;
  },
};

/**
 * Whether the route fixes the path serve() gets to one file: a regex whose `path` group is a
 * literal (`r"^(?P<path>contribute\.json)$"`), or a `path` argument given as a literal
 * (`{"path": "robots.txt", "document_root": …}`) with no `<path>` in the route. Such a
 * route serves a file of the repository, not a folder of uploads.
 */
function servesOneFile(route: Node): boolean {
  const args = route.childForFieldName('arguments')?.namedChildren.filter((a): a is Node => !!a && a.type !== 'comment') ?? [];
  const pattern = args[0] && args[0].type !== 'keyword_argument' ? plainStringValue(args[0]) : undefined;
  if (pattern === undefined) return false;
  const group = /\(\?P<path>((?:[\w/-]|\\\.)+)\)/.exec(pattern);
  if (group) return true;
  if (/<(?:\w+:)?path>|\(\?P<path>/.test(pattern)) return false;
  return args.some((arg) => {
    const value = arg.type === 'keyword_argument' ? arg.childForFieldName('value') : arg;
    if (value?.type !== 'dictionary') return false;
    return value.namedChildren.some((pair) => pair?.type === 'pair' && plainStringValue(pair.childForFieldName('key')!) === 'path' && plainStringValue(pair.childForFieldName('value')!) !== undefined);
  });
}

function viewArgument(route: Node): Node | undefined {
  const args = route.childForFieldName('arguments')?.namedChildren.filter((a): a is Node => !!a && a.type !== 'comment') ?? [];
  const byKeyword = args.find((a) => a.type === 'keyword_argument' && a.childForFieldName('name')?.text === 'view');
  if (byKeyword) return byKeyword.childForFieldName('value') ?? undefined;
  const positional = args.filter((a) => a.type !== 'keyword_argument');
  return positional[1];
}

/** Whether a condition is true only when DEBUG is on (`debug`), or only when it is off (`not-debug`). */
function debugTest(condition: Node | null | undefined): 'debug' | 'not-debug' | undefined {
  if (!condition) return undefined;
  const c = unwrap(condition);
  if (c.type === 'identifier') return c.text === 'DEBUG' ? 'debug' : undefined;
  if (c.type === 'attribute') return c.childForFieldName('attribute')?.text === 'DEBUG' ? 'debug' : undefined;
  if (c.type === 'not_operator') {
    const inner = debugTest(c.childForFieldName('argument'));
    return inner === 'debug' ? 'not-debug' : inner === 'not-debug' ? 'debug' : undefined;
  }
  if (c.type === 'boolean_operator') {
    const left = debugTest(c.childForFieldName('left'));
    const right = debugTest(c.childForFieldName('right'));
    const op = c.childForFieldName('operator')?.type;
    if (op === 'and' && (left === 'debug' || right === 'debug')) return 'debug';
    if (op === 'or' && left === 'not-debug' && right === 'not-debug') return 'not-debug';
  }
  return undefined;
}

/** Whether a node only runs (or only counts) when DEBUG is true. */
function debugGuarded(node: Node): boolean {
  for (let child = node, parent = node.parent; parent; child = parent, parent = parent.parent) {
    if (parent.type === 'if_statement' || parent.type === 'elif_clause') {
      const test = debugTest(parent.childForFieldName('condition'));
      if (child.id === parent.childForFieldName('consequence')?.id && test === 'debug') return true;
      if (parent.type === 'if_statement' && child.type === 'else_clause' && test === 'not-debug') return true;
    }
    if (parent.type === 'conditional_expression') {
      const [whenTrue, condition, whenFalse] = parent.namedChildren;
      const test = debugTest(condition);
      if (child.id === whenTrue?.id && test === 'debug') return true;
      if (child.id === whenFalse?.id && test === 'not-debug') return true;
    }
  }
  return false;
}

/** The edits that put the route (and its trailing neighbours) under `if settings.DEBUG:`, or undefined. */
function guardEdits(ctx: PythonRuleContext, route: Node, isServeRoute: (node: Node) => boolean): LocalEdit[] | undefined {
  const settings = referenceTo(ctx.tree, ctx.text, ctx.imports, 'django.conf', 'settings');
  if (!settings) return undefined;
  const guard = `if ${settings.expression}.DEBUG:`;
  const eol = lineBreakOf(ctx.text);
  const parent = route.parent;

  // `urlpatterns.append(re_path(...serve...))` on its own.
  if (parent?.type === 'argument_list' && parent.namedChildren.length === 1) {
    const append = parent.parent;
    const fn = append?.childForFieldName('function');
    const statement = append?.parent;
    if (fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'append' && statement?.type === 'expression_statement' && topLevel(statement)) {
      return [wrapStatement(ctx, statement, guard, eol), ...settings.edits];
    }
    return undefined;
  }
  if (parent?.type !== 'list') return undefined;

  let expression: Node = parent;
  while (expression.parent?.type === 'binary_operator' && expression.parent.childForFieldName('operator')?.type === '+' && expression.parent.childForFieldName('right')?.id === expression.id) {
    expression = expression.parent;
  }
  const assignment = expression.parent;
  if (!assignment || (assignment.type !== 'assignment' && assignment.type !== 'augmented_assignment')) return undefined;
  if (assignment.childForFieldName('right')?.id !== expression.id) return undefined;
  if (assignment.type === 'augmented_assignment' && assignment.childForFieldName('operator')?.type !== '+=') return undefined;
  const target = assignment.childForFieldName('left');
  const statement = assignment.parent;
  if (target?.type !== 'identifier' || statement?.type !== 'expression_statement' || !topLevel(statement)) return undefined;

  const items = parent.namedChildren.filter((i): i is Node => !!i && i.type !== 'comment');
  // Only a trailing run can move after the statement without changing which pattern matches first.
  let first = items.length;
  while (first > 0 && isServeRoute(items[first - 1])) first--;
  const group = items.slice(first);
  if (!group.some((item) => item.id === route.id)) return undefined;

  if (first === 0 && assignment.type === 'augmented_assignment' && expression.id === parent.id) {
    return [wrapStatement(ctx, statement, guard, eol), ...settings.edits];
  }
  const moved = movedItems(ctx, parent, items, first, eol);
  if (!moved) return undefined;
  const after = lineEndAfter(statement);
  const at = { line: after.row, character: after.column };
  const block = `${eol}${eol}${guard}${eol}    ${target.text} += [${moved.text}]`;
  return [moved.removal, { range: { start: at, end: at }, newText: block }, ...settings.edits];
}

function topLevel(statement: Node): boolean {
  return statement.parent?.type === 'module';
}

/** The statement, indented under the guard; blank lines stay blank. */
function wrapStatement(ctx: PythonRuleContext, statement: Node, guard: string, eol: string): LocalEdit {
  const end = lineEndAfter(statement);
  const start = { line: statement.startPosition.row, character: 0 };
  const lines = splitLines(sourceBetween(ctx.text, start.line, end.row, end.column));
  const indented = lines.map((line) => (line.trim() === '' ? line : `    ${line}`)).join(eol);
  return { range: { start, end: { line: end.row, character: end.column } }, newText: `${guard}${eol}${indented}` };
}

/** The removal of items[first..] from the list, and their text for the new block. */
function movedItems(ctx: PythonRuleContext, list: Node, items: Node[], first: number, eol: string): { removal: LocalEdit; text: string } | undefined {
  const group = items.slice(first);
  const head = group[0];
  const tail = group[group.length - 1];
  const lines = splitLines(ctx.text);
  const before = lines[head.startPosition.row].slice(0, head.startPosition.column);
  const afterTail = lines[tail.endPosition.row].slice(tail.endPosition.column);
  const closing = list.lastChild;
  const ownLines = before.trim() === '' && /^\s*,?\s*(#.*)?$/.test(afterTail) && !!closing && closing.startPosition.row > tail.endPosition.row;
  if (ownLines) {
    // Whole lines move, with the comment lines just above them, re-indented to sit inside the new `+= [` list.
    let startRow = head.startPosition.row;
    const floor = first > 0 ? items[first - 1].endPosition.row : list.startPosition.row;
    while (startRow - 1 > floor && /^\s*#/.test(lines[startRow - 1])) startRow--;
    const shift = 8 - head.startPosition.column;
    const moved = lines.slice(startRow, tail.endPosition.row + 1).map((line, index, all) => {
      let text = line;
      if (index === all.length - 1 && !/^\s*,/.test(afterTail)) {
        const cut = tail.endPosition.column;
        text = text.slice(0, cut) + ',' + text.slice(cut);
      }
      if (text.trim() === '') return '';
      const indent = text.length - text.trimStart().length;
      return ' '.repeat(Math.max(0, indent + shift)) + text.trimStart();
    });
    // Emptying the whole list leaves `[]`, unless comments before the first item must stay.
    const commentsBefore = list.namedChildren.some((c) => c?.type === 'comment' && c.startPosition.row < startRow);
    const removal =
      first === 0 && !commentsBefore
        ? {
            range: {
              start: positionAfter(list.firstChild!),
              end:
                closing.startPosition.row === tail.endPosition.row + 1
                  ? { line: closing.startPosition.row, character: closing.startPosition.column }
                  : { line: tail.endPosition.row + 1, character: 0 },
            },
            newText: '',
          }
        : { range: { start: { line: startRow, character: 0 }, end: { line: tail.endPosition.row + 1, character: 0 } }, newText: '' };
    return { removal, text: `${eol}${moved.join(eol)}${eol}    ` };
  }
  if (group.some((item) => item.startPosition.row !== item.endPosition.row)) return undefined;
  const text = group.map((item) => item.text).join(', ');
  const start = first === 0 ? positionAfter(list.firstChild!) : positionOfEnd(items[first - 1]);
  const end = positionOfEnd(tail);
  const trailingComma = first === 0 && tail.nextSibling?.type === ',' ? positionOfEnd(tail.nextSibling) : end;
  return { removal: { range: { start, end: trailingComma }, newText: '' }, text };
}

function positionAfter(node: Node) {
  return { line: node.endPosition.row, character: node.endPosition.column };
}

function positionOfEnd(node: Node) {
  return rangeOf(node).end;
}

function sourceBetween(text: string, startLine: number, endLine: number, endColumn: number): string {
  const starts = lineStarts(text);
  return text.slice(starts[startLine] ?? text.length, offsetAt(text, { line: endLine, character: endColumn }, starts));
}
