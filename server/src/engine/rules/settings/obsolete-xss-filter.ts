import type { SettingDefinition } from '../../settings/settings-module';
import type { SettingsRule } from '../rule';
import type { SettingsRuleContext } from '../settings-context';

/** DJH118: SECURE_BROWSER_XSS_FILTER does nothing since Django 4.0 and gives a false sense of safety. */
export const obsoleteXssFilter: SettingsRule = {
  meta: {
    code: 'DJH118',
    name: 'obsolete-xss-filter',
    severity: 'info',
    scope: 'settings',
    summary: 'SECURE_BROWSER_XSS_FILTER is set, but it has had no effect since Django 4.0 and browsers dropped the header it sent.',
    fix: 'unsafe',
    djangoChecks: [],
  },
  docs: `## What it does
Reports \`SECURE_BROWSER_XSS_FILTER\` set to any value in a production settings module or a module it star-imports, in a project on Django 4.0 or later (the version it declares, or 4.2 when it declares none); on an older declared Django the setting still does what it says, and nothing is reported.

## Why is this bad
The setting made \`SecurityMiddleware\` send \`X-XSS-Protection: 1; mode=block\`. Django 3.0 dropped the \`security.W007\` check that asked for it, and Django 4.0 stopped sending the header and removed the setting, so today it does nothing. Browsers had already dropped the XSS auditor the header controlled, because attackers could use its blocking to probe and leak page content. Keeping the line suggests a protection that is not there; cross-site scripting is prevented by autoescaping and a Content-Security-Policy (DJH124).

A setting that only a development module (\`dev.py\`, \`local.py\`, \`test.py\`) sets is not reported.

## Example
\`\`\`python
SECURE_BROWSER_XSS_FILTER = True
\`\`\`

## Use instead
Remove the line, and send a Content-Security-Policy instead.

## Fix safety
Unsafe, like every settings fix, although on Django 4.0 and later removing the line changes nothing at run time (on older versions it stops the \`X-XSS-Protection\` header). The fix deletes every plain assignment of the setting in the chain of the production module, so it edits \`base.py\` too when the setting is written there: unlike a setting that needs a new value, an obsolete one is only gone once no module sets it. No fix is offered when the setting is assigned inside an \`if\` or \`try\`, or shares a line or a statement with other code.

## References
- [Django 4.0 release notes: SECURE_BROWSER_XSS_FILTER removed](https://docs.djangoproject.com/en/4.0/releases/4.0/#securitymiddleware-no-longer-sets-the-x-xss-protection-header)
- [MDN: X-XSS-Protection](https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/X-XSS-Protection)
`,
  check(ctx) {
    const state = ctx.setting('SECURE_BROWSER_XSS_FILTER');
    // NOTE: before Django 4.0 the setting still sent X-XSS-Protection.
    if (!state || !ctx.djangoAtLeast(4, 0)) return [];
    const removable = state.history.every((def) => isStandaloneAssignment(ctx, def));
    const fixes = removable ? [ctx.fix('Remove SECURE_BROWSER_XSS_FILTER', [{ kind: 'remove', name: 'SECURE_BROWSER_XSS_FILTER' }])] : [];
    const message = 'SECURE_BROWSER_XSS_FILTER has no effect since Django 4.0. Browsers also ignore the X-XSS-Protection header it sent, so it only suggests a protection that is not there.';
    return [ctx.atSetting(state, message, { fixes })];
  },
};

/**
 * Whether a definition is a top-level `NAME = value` statement alone on its lines, so that
 * deleting its lines removes that setting and nothing else.
 */
function isStandaloneAssignment(ctx: SettingsRuleContext, def: SettingDefinition): boolean {
  if (def.kind !== 'assign') return false;
  const source = ctx.project.store.get(def.statement.file);
  if (!source) return false;
  const { start, end } = def.statement.range;
  let node = source.syntax().rootNode.descendantForPosition({ row: start.line, column: start.character }, { row: end.line, column: end.character });
  while (node?.parent && node.parent.type !== 'module') node = node.parent;
  if (!node || node.type !== 'expression_statement') return false;
  const assignment = node.namedChildren[0];
  if (assignment?.type !== 'assignment' || assignment.childForFieldName('left')?.type !== 'identifier') return false;
  if (assignment.childForFieldName('right')?.type === 'assignment') return false;
  const before = node.previousNamedSibling;
  const after = node.nextNamedSibling;
  if (before && before.endPosition.row === node.startPosition.row) return false;
  if (after && after.type !== 'comment' && after.startPosition.row === node.endPosition.row) return false;
  return true;
}
