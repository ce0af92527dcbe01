import type { HtmlAttribute } from '../../templates/html-scanner';
import { WHICH_TEMPLATES_DOC } from '../../templates/template-files';
import { severityFor } from '../../templates/template-values';
import { fittedMessage } from '../../templates/value-docs';
import type { TemplateRule } from '../rule';

/** DJH305: `<a href={{ url }}>` lets a value with a space add attributes. */
export const unquotedAttributeVariable: TemplateRule = {
  meta: {
    code: 'DJH305',
    name: 'unquoted-attribute-variable',
    severity: 'warning',
    scope: 'template',
    summary: 'A `{{ variable }}` in an unquoted HTML attribute value.',
    fix: 'safe',
    djangoChecks: [],
  },
  docs: `## What it does
Reports an HTML attribute value that is not quoted and holds a template variable, as in \`<input value={{ name }}>\` or \`<div class=card-{{ kind }}>\`. The attribute is reported once, at its first variable that can carry text: a number, a date, a primary key or another value the template shows cannot hold a space an attacker chose (\`data-id={{ item.id }}\`, \`data-order={{ when|date:"U" }}\`) is not reported. See DJH303 for the values that count as safe.

The severity says how much the template shows about the value: **warning** when it holds request data or stored user data (\`value={{ request.GET.q }}\`), **info** when the template does not show where it comes from (a count from the view cannot hold a space; a name can). Either way the fix, adding quotes, is safe to apply.

${WHICH_TEMPLATES_DOC} Text templates are not judged.

## Why is this bad
Django's escaping turns \`<\`, \`>\`, \`&\` and quotes into entities but leaves spaces alone. In an unquoted value a space ends the value, so \`x onmouseover=alert(document.cookie)\` adds an event handler to the element: escaping does not protect unquoted attributes.

## Example
\`\`\`html
<input name="q" value={{ query }}>
\`\`\`

## Use instead
\`\`\`html
<input name="q" value="{{ query }}">
\`\`\`

## Fix safety
Safe: the fix wraps the whole value in double quotes (single quotes when the value's own text has a double quote; no fix when it has both). The page renders the same for every value that has no space, quote, \`=\`, \`<\`, \`>\` or backtick, which are the values an unquoted attribute mangles.

## References
- [Django: security, cross site scripting protection](https://docs.djangoproject.com/en/stable/topics/security/#cross-site-scripting-xss-protection)
- [OWASP: XSS prevention, attribute contexts](https://cheatsheetseries.owasp.org/cheatsheets/Cross_Site_Scripting_Prevention_Cheat_Sheet.html)
`,
  triggers: ['{{'],
  check(ctx) {
    const findings = [];
    const reported = new Set<HtmlAttribute>();
    for (const [node, where] of ctx.html.vars) {
      // NOTE: Django's own security guide gives `class={{ var }}` as the XSS that escaping misses.
      // https://docs.djangoproject.com/en/stable/topics/security/#cross-site-scripting-xss-protection
      if (where.kind !== 'attribute-value' || where.attribute.quote !== '' || reported.has(where.attribute)) continue;
      const expression = ctx.expressionOf(node);
      const trust = expression ? ctx.judge(expression, node).value.trust : 'unknown';
      const severity = severityFor(trust);
      if (!severity) continue;
      if (ctx.notHtmlTemplate) return [];
      const attribute = where.attribute;
      reported.add(attribute);
      const literal = attribute.parts.map((part) => (part.kind === 'text' ? part.text : '')).join('');
      const quote = !literal.includes('"') ? '"' : !literal.includes("'") ? "'" : undefined;
      const fixes =
        quote && attribute.valueStart !== undefined && attribute.valueEnd !== undefined
          ? [
              ctx.fix('Quote the attribute value', [
                { start: attribute.valueStart, end: attribute.valueStart, newText: quote },
                { start: attribute.valueEnd, end: attribute.valueEnd, newText: quote },
              ]),
            ]
          : [];
      const name = attribute.name && attribute.name !== '\0' ? `the ${attribute.name} attribute` : 'an attribute';
      const names = [`{{ ${node.contents} }}`, ...(expression ? [`{{ ${expression.head.text} }}`] : []), 'This variable'];
      const message = fittedMessage(
        names,
        (shown) => `${shown} is the unquoted value of ${name}: a space in it can add attributes.`,
        'Escaping leaves spaces alone, so a value such as `x onmouseover=…` adds an event handler; quote the value.',
      );
      findings.push(ctx.finding(node.start, node.end, message, { fixes, severity }));
    }
    return findings;
  },
};
