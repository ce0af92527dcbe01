import { stringLiteralValue, type Node } from '../../parse/python';
import { decoratorRange } from '../../python/report-ranges';
import type { Finding } from '../../types';
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
    summary: 'A view is exempted from CSRF protection with `csrf_exempt`.',
    fix: 'none',
    djangoChecks: [],
  },
  docs: `## What it does
Reports every use of \`django.views.decorators.csrf.csrf_exempt\`, resolved through the file's imports: \`@csrf_exempt\` on a view function or method, \`@method_decorator(csrf_exempt, name="dispatch")\` on a class-based view (also inside a list of decorators), and \`csrf_exempt(view)\` calls such as \`path("hook/", csrf_exempt(views.hook))\` in a URLconf.

\`csrf_protect\`, \`requires_csrf_token\`, \`ensure_csrf_cookie\` and functions of your own that happen to be called \`csrf_exempt\` are not reported.

## Why is this bad
\`CsrfViewMiddleware\` rejects a POST (or PUT, PATCH, DELETE) that does not carry the secret token from your own pages. An exempt view accepts them from anywhere: another site can make a logged-in visitor's browser submit the request, with the visitor's cookies, and change their data.

Exemption is right for endpoints that do not rely on cookies at all, such as a webhook authenticated by a signature or an API that only accepts a token header. Such a view must then check that authentication itself.

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
      if (ctx.qualifiedName(expression) === CSRF_EXEMPT) {
        findings.push(ctx.finding(decoratorRange(decorator), `@csrf_exempt turns off CSRF protection for ${target}, so another site can make a logged-in user's browser send it requests.`));
      } else if (expression.type === 'call' && exemptsThroughMethodDecorator(ctx, expression)) {
        reported.add(expression.id);
        const method = keyword(expression, 'name');
        const where = method && decorator.parent?.childForFieldName('definition')?.type === 'class_definition' ? `${target.replace(/^class /, '')}.${method}` : target;
        findings.push(
          ctx.finding(decoratorRange(decorator), `method_decorator(csrf_exempt) turns off CSRF protection for ${where}, so another site can make a logged-in user's browser send it requests.`),
        );
      }
    }
    for (const call of ctx.nodes('call')) {
      if (reported.has(call.id)) continue;
      const fn = ctx.qualifiedName(call.childForFieldName('function'));
      if (fn === CSRF_EXEMPT) {
        const view = firstArgument(call);
        const what = view ? `\`${view.text.replace(/\s+/g, ' ')}\`` : 'this view';
        findings.push(ctx.finding(call, `csrf_exempt() turns off CSRF protection for ${what}, so another site can make a logged-in user's browser send it requests.`));
      } else if (exemptsThroughMethodDecorator(ctx, call) && call.parent?.type !== 'decorator') {
        findings.push(ctx.finding(call, `method_decorator(csrf_exempt) turns off CSRF protection for this view, so another site can make a logged-in user's browser send it requests.`));
      }
    }
    return findings;
  },
};

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
