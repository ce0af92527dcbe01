import type { Finding } from '../../types';
import type { PythonRule } from '../rule';

/** The bleach entry points, and what to use instead. */
const BLEACH = new Map([
  ['bleach.clean', 'sanitise with nh3.clean() instead'],
  ['bleach.sanitizer.Cleaner', 'sanitise with nh3.clean() instead'],
  ['bleach.Cleaner', 'sanitise with nh3.clean() instead'],
  ['bleach.linkify', "turn URLs into links with Django's urlize() and sanitise with nh3.clean()"],
  ['bleach.linkifier.Linker', "turn URLs into links with Django's urlize() and sanitise with nh3.clean()"],
  ['bleach.Linker', "turn URLs into links with Django's urlize() and sanitise with nh3.clean()"],
]);

/** DJH208: bleach is deprecated; new code should sanitise HTML with nh3. */
export const deprecatedSanitizer: PythonRule = {
  meta: {
    code: 'DJH208',
    name: 'deprecated-sanitizer',
    severity: 'info',
    scope: 'python',
    summary: 'HTML is sanitised with the deprecated `bleach` library.',
    fix: 'none',
    djangoChecks: [],
  },
  docs: `## What it does
Reports calls to \`bleach.clean\` and \`bleach.linkify\`, and the \`bleach.sanitizer.Cleaner\` and \`bleach.linkifier.Linker\` classes behind them, resolved through the file's imports (\`import bleach\`, \`from bleach import clean as sanitize\`, ...).

## Why is this bad
bleach was deprecated by its maintainers in January 2023: it gets security fixes only, and it is built on html5lib, which is no longer developed and lags behind how browsers parse HTML. A sanitiser whose parser disagrees with the browser's is how sanitiser bypasses happen. [nh3](https://github.com/messense/nh3), Python bindings to the Rust \`ammonia\` sanitiser, is the replacement suggested in bleach's deprecation thread and adopted by most projects that moved off bleach; it is also much faster.

## Example
\`\`\`python
import bleach

def render_comment(text):
    return bleach.clean(text, tags={"b", "i", "a"}, attributes={"a": ["href"]})
\`\`\`

## Use instead
\`\`\`python
import nh3

def render_comment(text):
    return nh3.clean(text, tags={"b", "i", "a"}, attributes={"a": {"href"}})
\`\`\`
nh3 takes sets rather than lists, always removes \`<script>\` and \`<style>\` content, and has no \`linkify\`: use Django's \`urlize\` (filter or \`django.utils.html.urlize\`) on the text first, then sanitise.

## Fix safety
No automatic fix: nh3's options differ from bleach's (\`attributes\` values are sets, \`strip\`/\`protocols\` have other names or defaults), so a mechanical rewrite could change what is allowed. The message names the replacement.

## References
- [Bleach 6.0.0 release and deprecation](https://bluesock.org/~willkg/blog/dev/bleach_6_0_0_deprecation.html)
- [bleach issue 698: bleach is deprecated](https://github.com/mozilla/bleach/issues/698)
- [nh3 documentation](https://nh3.readthedocs.io/)
`,
  triggers: ['bleach'],
  nodeTypes: ['call'],
  check(ctx) {
    const findings: Finding[] = [];
    for (const call of ctx.nodes('call')) {
      const name = ctx.qualifiedName(call.childForFieldName('function'));
      const instead = name ? BLEACH.get(name) : undefined;
      if (!instead) continue;
      const shown = name!.replace(/^bleach\.(sanitizer|linkifier)\./, 'bleach.');
      const callable = /\.[a-z]\w*$/.test(shown) ? `${shown}()` : shown;
      findings.push(ctx.finding(call, `${callable} belongs to bleach, which is deprecated. Its html5lib parser is no longer developed; ${instead}.`));
    }
    return findings;
  },
};
