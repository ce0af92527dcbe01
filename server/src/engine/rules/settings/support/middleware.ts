import { preferredQuote, pythonString } from '../../../parse/python';
import { unsetView } from '../../../settings/values';
import { lineBreakOf } from '../../../text';
import type { Fix } from '../../../types';
import type { SettingsRuleContext } from '../../settings-context';

export const SECURITY_MIDDLEWARE = 'django.middleware.security.SecurityMiddleware';
export const SESSION_MIDDLEWARE = 'django.contrib.sessions.middleware.SessionMiddleware';
export const COMMON_MIDDLEWARE = 'django.middleware.common.CommonMiddleware';
export const CSRF_MIDDLEWARE = 'django.middleware.csrf.CsrfViewMiddleware';
export const XFRAME_MIDDLEWARE = 'django.middleware.clickjacking.XFrameOptionsMiddleware';
export const SESSIONS_APP = 'django.contrib.sessions';

/** The protections a project without any MIDDLEWARE gets, in `startproject`'s order. */
const MINIMAL_SECURE_MIDDLEWARE = [SECURITY_MIDDLEWARE, CSRF_MIDDLEWARE, XFRAME_MIDDLEWARE];

/**
 * Whether a list setting (INSTALLED_APPS, or MIDDLEWARE: the middleware Django runs, see
 * SettingsRuleContext.middleware) holds `item`, as Django's `item in settings.NAME` would
 * answer; undefined when an unknown item could be it.
 */
export function listHas(ctx: SettingsRuleContext, name: string, item: string): boolean | undefined {
  return ctx.listHas(name === 'MIDDLEWARE' ? ctx.middleware : name, item);
}

/** Django's `_security_middleware()`: only a known installation counts, so unknown stays silent. */
export function securityMiddlewareInstalled(ctx: SettingsRuleContext): boolean {
  return listHas(ctx, 'MIDDLEWARE', SECURITY_MIDDLEWARE) === true;
}

/** The short class name of a middleware path, for messages and fix titles. */
export function shortName(path: string): string {
  return path.slice(path.lastIndexOf('.') + 1);
}

export type InsertPosition = 'first' | 'last' | { after: string };

/**
 * A fix that adds a middleware to MIDDLEWARE at `position`. When the project sets no
 * MIDDLEWARE at all, it sets one holding Django's security middleware, the same list for
 * every rule, so composed fixes agree. Undefined when no edit can be exact (a tuple built
 * by an expression cannot be inserted into in place, and `.insert` would fail on it).
 */
export function middlewareInsertFix(ctx: SettingsRuleContext, item: string, position: InsertPosition): Fix | undefined {
  const name = ctx.middleware;
  const state = ctx.setting(name);
  if (!state) {
    const text = ctx.project.store.get(ctx.module.file)?.text ?? '';
    const eol = lineBreakOf(text);
    const value = `[${eol}${MINIMAL_SECURE_MIDDLEWARE.map((m) => `    ${ctx.str(m)},${eol}`).join('')}]`;
    return ctx.fix(`Set ${name} to Django's security middleware`, [{ kind: 'set', name, value }]);
  }
  const view = unsetView(state.value);
  if (view.kind !== 'list') return undefined;
  if (view.tuple && !isTupleLiteral(ctx, name)) return undefined;
  const definitionFile = state.definition.valueLoc?.file ?? ctx.module.file;
  const quote = preferredQuote(ctx.project.store.get(definitionFile)?.text ?? '');
  return ctx.fix(`Add ${shortName(item)} to ${name}`, [{ kind: 'list-insert', name, item: pythonString(item, quote), position }]);
}

/** Whether the middleware setting's winning definition is a plain tuple literal, which is edited in place. */
function isTupleLiteral(ctx: SettingsRuleContext, name: string): boolean {
  const def = ctx.setting(name)?.definition;
  if (!def || def.kind !== 'assign' || !def.valueLoc) return false;
  const source = ctx.project.store.get(def.valueLoc.file);
  if (!source) return false;
  const { start, end } = def.valueLoc.range;
  const node = source.syntax().rootNode.descendantForPosition({ row: start.line, column: start.character }, { row: end.line, column: end.character });
  return !!node && node.type === 'tuple' && !node.namedChildren.some((c) => c?.type === 'list_splat');
}
