import { stringLiteralValue, type Node } from '../../parse/python';
import { projectClass } from '../../python/project-imports';
import { decoratorRange } from '../../python/report-ranges';
import { unwrap } from '../../python/syntax';
import { classRequiresLogin, decorators, requestUse } from '../../python/view-requests';
import type { Finding, Range } from '../../types';
import type { PythonRuleContext } from '../python-context';
import type { PythonRule } from '../rule';

const CSRF_EXEMPT = 'django.views.decorators.csrf.csrf_exempt';
const METHOD_DECORATOR = 'django.utils.decorators.method_decorator';

/** DJH205: a CSRF-exempt view accepts state-changing requests forged by any other site. */
export const csrfExempt: PythonRule = {
  meta: {
    code: 'DJH205',
    name: 'csrf-exempt',
    severity: 'warning',
    scope: 'python',
    summary: 'A view is exempted from CSRF protection with `csrf_exempt` (info when it authenticates callers by a header token or signature, or uses no session).',
    fix: 'none',
    djangoChecks: [],
  },
  docs: `## What it does
Reports every use of \`django.views.decorators.csrf.csrf_exempt\`, resolved through the file's imports: \`@csrf_exempt\` on a view function or method, \`@method_decorator(csrf_exempt, name="dispatch")\` on a class-based view (also inside a list of decorators), and \`csrf_exempt(view)\` calls such as \`path("hook/", csrf_exempt(views.hook))\` in a URLconf.

The severity follows what the view does with its request (its body, the methods of a class-based view and of the classes the project defines that it is built on, in the same module or another, and the functions of the same module it passes the request to):

- **warning**: it acts as the logged-in user: it reads \`request.user\` (unless it sets \`request.user\` itself, as a webhook acting for the owner of the token in its URL does), \`request.session\` or \`request.COOKIES\`, calls \`login()\`/\`logout()\`/\`authenticate()\`, or is wrapped by \`login_required\`, \`permission_required\`, \`staff_member_required\`, \`user_passes_test\`, a decorator of the project's whose function reads \`request.user\` or wraps one of those (\`@group_required("Staff")\`), or a \`LoginRequiredMixin\`-style base. 
- **info**: what the view does with the request cannot be seen from here: it hands the request to a function of another module, or \`csrf_exempt(views.hook)\` in a URLconf names a view of another file. The message names what to read; exempting a view is often right (OAuth, SAML and webhook endpoints are), so suspicion alone is not a warning.
- **info**: it wraps its request with authenticator classes of its own (\`Request(request, authenticators=self.get_authenticators())\`, the way Django REST framework's \`APIView\` and its copies do): who the caller is comes from those classes, and a session authenticator among them runs the CSRF check itself (DRF's \`SessionAuthentication.enforce_csrf()\`). Make sure yours does.
- **info**: it reads request data that the protocol it speaks checks and a forged request cannot carry: OpenID Connect's \`id_token\` or \`nonce\`, Google's \`g_csrf_token\`, a SAML \`SAMLResponse\` or \`RelayState\`, OAuth 1's \`oauth_verifier\`, a \`signature\`, \`hmac\` or \`hash\` field, or OAuth 2's \`state\` beside the \`code\` or \`error\` of an authorization response (a \`state\` alone is as often an application's own field, the state of an order or an application). Keep that check in place.
- **info**: it authenticates its callers by a header token or a signature (\`request.headers["X-Hub-Signature-256"]\`, \`HTTP_AUTHORIZATION\`, \`hmac.compare_digest()\`, \`Signer.unsign()\`, \`stripe.Webhook.construct_event()\`…) and never touches the session or the user: a webhook. Info too when it uses no session, cookie or logged-in user at all (a ping URL that carries its own secret): a forged cross-site request carries no identity there. Info as well when the view runs the CSRF check itself, to answer a failure its own way: it calls \`CsrfViewMiddleware(…).process_view(…)\` or \`csrf_protect()\`, directly or through a function of the same module. The message says which.

\`csrf_protect\`, \`requires_csrf_token\`, \`ensure_csrf_cookie\` and functions of your own that happen to be called \`csrf_exempt\` are not reported.

## Why is this bad
\`CsrfViewMiddleware\` rejects a POST (or PUT, PATCH, DELETE) that does not carry the secret token from your own pages. An exempt view accepts them from anywhere: another site can make a logged-in visitor's browser submit the request, with the visitor's cookies, and change their data.

Exemption is right for endpoints that do not rely on cookies at all, such as a webhook authenticated by a signature or an API that only accepts a token header. Such a view must then check that authentication itself.

A forged request rides on the visitor's cookies: a view that reads no session, cookie or user gives it nothing to act with, which is why those views are only noted (info).

## Example
\`\`\`python
from django.views.decorators.csrf import csrf_exempt

@csrf_exempt
def update_profile(request):
    request.user.email = request.POST["email"]
    request.user.save()
\`\`\`

## Use instead
Keep CSRF protection and send the token: \`{% csrf_token %}\` in forms, the \`X-CSRFToken\` header in JavaScript. For a webhook that cannot send a token, keep the exemption, verify the caller (for example the provider's HMAC signature) and say so where it is reported:
\`\`\`python
from django.views.decorators.csrf import csrf_exempt

@csrf_exempt  # noqa: DJH205 - Stripe webhook, signature checked below
def stripe_webhook(request):
    ...
\`\`\`

## Fix safety
No fix: only you can tell whether the view authenticates its callers some other way. Silence a reviewed exemption with \`# noqa: DJH205\` plus the reason, on the reported line.

## References
- [Django: CSRF protection](https://docs.djangoproject.com/en/stable/ref/csrf/)
- [Django: csrf_exempt](https://docs.djangoproject.com/en/stable/ref/csrf/#django.views.decorators.csrf.csrf_exempt)
- [OWASP: Cross-Site Request Forgery](https://owasp.org/www-community/attacks/csrf)
`,
  triggers: ['csrf_exempt'],
  nodeTypes: ['decorator', 'call'],
  check(ctx) {
    const findings: Finding[] = [];
    const reported = new Set<number>();
    for (const decorator of ctx.nodes('decorator')) {
      const expression = decorator.namedChildren.find((c) => c?.type !== 'comment');
      if (!expression) continue;
      const target = definitionLabel(decorator);
      const definition = decorator.parent?.childForFieldName('definition') ?? undefined;
      if (ctx.qualifiedName(expression) === CSRF_EXEMPT) {
        findings.push(exemption(ctx, decoratorRange(decorator), '@csrf_exempt', target, viewFunctions(ctx, definition)));
      } else if (expression.type === 'call' && exemptsThroughMethodDecorator(ctx, expression)) {
        reported.add(expression.id);
        const method = keyword(expression, 'name');
        const onClass = definition?.type === 'class_definition';
        const where = method && onClass ? `${target.replace(/^class /, '')}.${method}` : target;
        const view = viewFunctions(ctx, definition);
        findings.push(exemption(ctx, decoratorRange(decorator), 'method_decorator(csrf_exempt)', where, view && { ...view, wrappers: [...view.wrappers, expression] }));
      }
    }
    for (const call of ctx.nodes('call')) {
      if (reported.has(call.id)) continue;
      const fn = ctx.qualifiedName(call.childForFieldName('function'));
      if (fn === CSRF_EXEMPT) {
        const view = firstArgument(call);
        const text = view?.text.replace(/\s+/g, ' ');
        const what = text ? `\`${text.length > 40 ? text.slice(0, 39) + '…' : text}\`` : 'this view';
        findings.push(exemption(ctx, call, 'csrf_exempt()', what, view ? viewOf(ctx, view) : undefined));
      } else if (exemptsThroughMethodDecorator(ctx, call) && call.parent?.type !== 'decorator') {
        findings.push(exemption(ctx, call, 'method_decorator(csrf_exempt)', 'this view', undefined));
      }
    }
    return findings;
  },
};

/**
 * The finding for one exemption, by how the view uses its request: it acts as the logged-in
 * user (warning), it authenticates callers by a header token or signature and uses no
 * session (info), it uses no session, cookie or user at all (info), or it cannot be seen
 * (warning).
 */
function exemption(ctx: PythonRuleContext, at: Node | Range, how: string, target: string, view: View | undefined): Finding {
  const finding = exemptionSaying(ctx, at, `${how} on ${target}`, view);
  // The first sentence stands alone within 100 characters: a long view name is left to the reported line.
  return finding.message.indexOf('. ') > 100 ? exemptionSaying(ctx, at, how, view) : finding;
}

function exemptionSaying(ctx: PythonRuleContext, at: Node | Range, on: string, view: View | undefined): Finding {
  if (!view || view.functions.length === 0) {
    return ctx.finding(
      at,
      `${on} turns off CSRF protection for a view defined elsewhere.`.replace(/ on this view turns/, ' turns') +
        ' If it acts as the logged-in user, any site can forge its requests; keep the protection unless it authenticates callers another way.',
      { severity: 'info' },
    );
  }
  const enforcing = enforcesCsrf(ctx, view.functions);
  if (enforcing) {
    return ctx.finding(at, `${on} is on a view that runs the CSRF check itself.` + ` It calls \`${enforcing}\` where it acts on a request; keep that call on every path that changes something.`, {
      severity: 'info',
    });
  }
  const analysis = ctx.analysis();
  const use = requestUse(
    view.functions,
    analysis.scopes,
    (node) => ctx.qualifiedName(node),
    view.wrappers,
    (name) => analysis.functionNamed(name),
  );
  const identity = view.login ? 'a login check in its bases' : use.identity?.what;
  if (use.antiForgery) {
    return ctx.finding(
      at,
      `${on} is on a view that checks a token a forged request cannot carry.` + ` It reads \`${keyReadText(use.antiForgery)}\` (a protocol's state or signature); keep that check in place.`,
      { severity: 'info' },
    );
  }
  if (use.authenticators && !view.login) {
    const callee = use.authenticators.childForFieldName('function')?.text ?? 'Request';
    return ctx.finding(
      at,
      `${on} is on a view with authenticator classes of its own.` +
        ` It wraps the request in \`${callee.length > 30 ? callee.slice(0, 29) + '…' : callee}(…, authenticators=…)\`; a session authenticator among them must run the CSRF check itself.`,
      { severity: 'info' },
    );
  }
  if (identity) {
    return ctx.finding(at, `${on} lets any site act as the logged-in user.` + ` The view uses ${identity}; keep the protection and send the token, or authenticate callers another way.`);
  }
  if (use.signature) {
    return ctx.finding(
      at,
      `${on} is on a view that checks a token or signature its caller sends.` + ' It uses no session, so a forged cross-site request has no credentials to ride on; keep that check in place.',
      { severity: 'info' },
    );
  }
  if (use.handedTo) {
    const callee = use.handedTo.childForFieldName('function')?.text.replace(/\s+/g, ' ') ?? 'another function';
    const shown = callee.length > 40 ? callee.slice(0, 39) + '…' : callee;
    return ctx.finding(at, `${on} turns off CSRF protection for a view that passes on its request.` + ` If \`${shown}()\` acts as the logged-in user, any site can forge requests that do.`, {
      severity: 'info',
    });
  }
  return ctx.finding(
    at,
    `${on} is on a view that uses no session, cookie or logged-in user.` +
      " A forged cross-site request carries no identity here; if the view acts on someone's behalf, check how it authenticates callers.",
    { severity: 'info' },
  );
}

const CSRF_CHECK = /\bCsrfViewMiddleware\b[\s\S]*\.process_view\(|\bcsrf_protect\(/;

/**
 * What a view calls to run Django's CSRF check itself after exempting itself from the
 * middleware (to answer a failure its own way): `CsrfViewMiddleware(…).process_view(…)`,
 * `csrf_protect(…)`, directly or in a function of this module it calls. Undefined when it
 * calls none.
 */
function enforcesCsrf(ctx: PythonRuleContext, functions: Node[]): string | undefined {
  const scopes = ctx.analysis().scopes;
  for (const fn of functions) {
    if (CSRF_CHECK.test(fn.text)) return 'CsrfViewMiddleware.process_view()';
    for (const call of fn.descendantsOfType('call')) {
      const callee = call?.childForFieldName('function');
      if (callee?.type !== 'identifier') continue;
      const resolution = scopes.resolve(callee);
      if (resolution.kind !== 'module' || resolution.defs.length !== 1) continue;
      const definition = resolution.defs[0];
      if (definition.kind === 'definition' && definition.statement.type === 'function_definition' && CSRF_CHECK.test(definition.statement.text)) return `${callee.text}()`;
    }
  }
  return undefined;
}

/** A view as the rule reads it: the functions that handle its requests, and what wraps them. */
interface View {
  functions: Node[];
  /** A login check in a class-based view's bases (`LoginRequiredMixin`). */
  login?: Node;
  /** Decorators around the whole view (its class's, the exempting `method_decorator([...])`). */
  wrappers: Node[];
}

/**
 * The functions of a decorated definition that handle requests: the function, or a class's
 * methods (also for an exempted `dispatch`, which runs them all).
 */
function viewFunctions(ctx: PythonRuleContext, definition: Node | undefined): View | undefined {
  if (!definition) return undefined;
  if (definition.type === 'function_definition') {
    const owner = definition.childForFieldName('name')?.text === 'dispatch' ? ctx.analysis().scopes.scopeOf(definition) : undefined;
    if (owner?.type === 'class_definition') return viewFunctions(ctx, owner);
    return { functions: [definition], wrappers: [] };
  }
  if (definition.type !== 'class_definition') return undefined;
  const functions: Node[] = [];
  // The methods of the class and of the classes it is built on that the project defines: `dispatch` runs them all.
  for (const cls of [definition, ...projectBases(ctx, definition)]) {
    for (const statement of cls.childForFieldName('body')?.namedChildren ?? []) {
      const fn = statement?.type === 'decorated_definition' ? statement.childForFieldName('definition') : statement;
      if (fn?.type === 'function_definition') functions.push(fn);
    }
  }
  return { functions, login: classRequiresLogin(definition), wrappers: decorators(definition) };
}

/** Classes followed up a class-based view's bases at most. */
const MAX_BASES = 8;

/** The classes a class-based view is built on that the project defines, in this module or another, nearest first. */
function projectBases(ctx: PythonRuleContext, cls: Node): Node[] {
  const found: Node[] = [];
  const queue = [{ cls, file: ctx.file, root: ctx.analysis().tree.rootNode }];
  while (queue.length > 0 && found.length < MAX_BASES) {
    const current = queue.shift()!;
    for (const base of current.cls.childForFieldName('superclasses')?.namedChildren ?? []) {
      const resolved = base && projectClass(ctx.project, current.file, current.root, base);
      if (!resolved || resolved.cls === cls || found.some((known) => known.id === resolved.cls.id && known.tree === resolved.cls.tree)) continue;
      found.push(resolved.cls);
      queue.push(resolved);
    }
  }
  return found;
}

/** The view a `csrf_exempt(view)` call wraps, when it is defined in this module (`hook`, `HookView.as_view()`). */
function viewOf(ctx: PythonRuleContext, node: Node): View | undefined {
  let value = unwrap(node);
  if (value.type === 'call') {
    const fn = value.childForFieldName('function');
    if (fn?.type !== 'attribute' || fn.childForFieldName('attribute')?.text !== 'as_view') return undefined;
    value = unwrap(fn.childForFieldName('object')!);
  }
  if (value.type !== 'identifier') return undefined;
  const resolution = ctx.analysis().scopes.resolve(value);
  if ((resolution.kind !== 'module' && resolution.kind !== 'local') || resolution.defs.length !== 1 || resolution.defs[0].kind !== 'definition') return undefined;
  return viewFunctions(ctx, resolution.defs[0].statement);
}

function firstArgument(call: Node): Node | undefined {
  const args = call.childForFieldName('arguments');
  return args?.namedChildren.find((a): a is Node => !!a && a.type !== 'comment' && a.type !== 'keyword_argument');
}

function keyword(call: Node, name: string): string | undefined {
  const args = call.childForFieldName('arguments');
  const arg = args?.namedChildren.find((a) => a?.type === 'keyword_argument' && a.childForFieldName('name')?.text === name);
  const value = arg?.childForFieldName('value');
  return value ? stringLiteralValue(value) : undefined;
}

/** `method_decorator(csrf_exempt, ...)` or `method_decorator([csrf_exempt, ...], ...)`. */
function exemptsThroughMethodDecorator(ctx: PythonRuleContext, call: Node): boolean {
  if (ctx.qualifiedName(call.childForFieldName('function')) !== METHOD_DECORATOR) return false;
  const decorators = firstArgument(call);
  if (!decorators) return false;
  const items = decorators.type === 'list' || decorators.type === 'tuple' ? decorators.namedChildren : [decorators];
  return items.some((item) => ctx.qualifiedName(item) === CSRF_EXEMPT);
}

function definitionLabel(decorator: Node): string {
  const definition = decorator.parent?.childForFieldName('definition');
  const name = definition?.childForFieldName('name')?.text;
  if (!name) return 'this view';
  return definition?.type === 'class_definition' ? `class ${name}` : `${name}()`;
}

/** The read of a key from request data, as written: `request.POST.get("state")`, `request.GET["RelayState"]`. */
function keyReadText(data: Node): string {
  const parent = data.parent;
  const read = parent?.type === 'attribute' && parent.parent?.type === 'call' ? parent.parent : parent;
  return read?.text.replace(/\s+/g, ' ').slice(0, 40) ?? 'it';
}
