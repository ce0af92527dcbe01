import type { Node } from '../parse/python';
import type { Scopes } from './scopes';
import { callArguments, dottedName, plainStringValue, sortedArguments, unwrap } from './syntax';

/**
 * How a view uses its request, as far as CSRF matters: whether it acts as the logged-in
 * user (reads `request.user`, the session or cookies, or is wrapped by a login or
 * permission check), whether it authenticates its callers by a header token or a
 * signature instead, and whether it hands the request to code outside the module that may
 * do either.
 */

export interface RequestUse {
  /** Where it acts as the logged-in user, if it does. */
  identity?: { node: Node; what: string };
  /** Where it checks a header token or a signature, if it does. */
  signature?: Node;
  /**
   * Where it reads a token that protocols use against forged requests (`state`, `RelayState`,
   * `g_csrf_token`, a signed `id_token` or SAML response): such a view checks a value a forged
   * cross-site request cannot carry, even when it uses the session.
   */
  antiForgery?: Node;
  /** A call outside the module that receives the request, if there is one. */
  handedTo?: Node;
  /**
   * Where it wraps its request with authenticators of its own (`Request(request,
   * authenticators=self.get_authenticators())`, as Django REST framework's APIView does):
   * who the caller is comes from those classes, and a session authenticator among them runs
   * the CSRF check itself.
   */
  authenticators?: Node;
}

const IDENTITY_ATTRIBUTE = /^(?:self\.)?request\.(user|session|COOKIES)$/;
const IDENTITY_CALLS = /(?:^|\.)(?:login|logout|authenticate|update_session_auth_hash|get_user)$/;
const IDENTITY_DECORATORS = /login_required|permission_required|staff_member_required|user_passes_test|superuser_required|login_required_or|(?:^|_)(?:staff|admin|superuser)_required/;
/** What a decorator's function does when it checks the user: reads `request.user`, or calls one of Django's checks. */
const USER_CHECK = /\brequest\.user\b|\.user\.(?:is_authenticated|is_staff|is_superuser|has_perm|groups)\b|\b(?:login_required|permission_required|user_passes_test|staff_member_required)\s*\(/;
const IDENTITY_BASES = /LoginRequired|PermissionRequired|UserPassesTest|StaffRequired|SuperuserRequired/;
const HEADER_READ = /^(?:self\.)?request\.(?:headers|META)$/;
const SECRET_WORDS = /signature|token|authorization|api[-_]?key|secret|hmac|x-hub|x-[a-z-]*(?:sig|key)/i;
/** Request data that OAuth, OpenID Connect and SAML endpoints authenticate with: the protocol's own tokens, not cookies. */
const DATA_READ = /^(?:self\.)?request\.(?:POST|GET|data|query_params)$/;
const PROTOCOL_KEYS = /^(?:code|client_secret|client_assertion|grant_type|device_code|refresh_token|access_token|oauth_token|token)$/i;
const ANTI_FORGERY_KEYS = /^(?:nonce|id_token|credential|g_csrf_token|SAMLResponse|SAMLRequest|RelayState|oauth_verifier|signature|hmac|hash)$/i;
/**
 * OAuth's `state`: a common word too (`request.POST.get("state")` of a form changing an
 * application's state), so it counts only beside what an authorization response carries
 * with it, a `code` or an `error`.
 */
const OAUTH_STATE = /^state$/i;
const OAUTH_RESPONSE_KEYS = /^(?:code|error)$/i;
const SIGNATURE_CALLS =
  /compare_digest|constant_time_compare|verify\w*signature|check\w*signature|validate\w*signature|signature\w*valid|construct_event|(?:^|\.)unsign$|hmac\.new|verify_webhook|verify_request/i;
/** Functions that take the request without acting as anyone: responses, templates, URLs, messages. */
const HARMLESS =
  /^(?:render|render_to_response|redirect|reverse|TemplateResponse|(?:\w+\.)?(?:success|info|warning|error|debug|add_message)|\w*Response\w*|get_object_or_404|get_list_or_404|build_absolute_uri|log\w*|logger\.\w+|print|str|repr|len|isinstance|getattr|super\(\)\.\w+)$/;

/**
 * How the functions (a view, or the methods of a class-based view and of the project's
 * classes it is built on) and the module's functions they call with the request use it.
 */
export function requestUse(
  functions: readonly Node[],
  scopes: Scopes,
  qualifiedName: (node: Node) => string | undefined,
  wrappers: readonly Node[] = [],
  /** The function a decorator's name refers to, in the module or another of the project, to read what it checks. */
  functionNamed?: (name: Node) => Node | undefined,
): RequestUse {
  const use: RequestUse = {};
  // Decorators around the view as a whole (on its class, or the `method_decorator([...])` that exempts it).
  for (const wrapper of wrappers) {
    if (!use.identity && IDENTITY_DECORATORS.test(wrapper.text)) use.identity = { node: wrapper, what: `@${shortName(wrapper.text.match(IDENTITY_DECORATORS)![0])}` };
  }
  let stateRead: Node | undefined;
  let oauthResponse = false;
  const seen = new Set<number>();
  const pending = [...functions];
  while (pending.length > 0 && seen.size < 32) {
    const fn = pending.pop()!;
    if (seen.has(fn.id)) continue;
    seen.add(fn.id);
    // A method inherited from a class of another module is read as text: this module's scopes do not cover it.
    const local = fn.tree === scopes.root.tree;
    for (const decorator of decorators(fn)) {
      if (!use.identity && (IDENTITY_DECORATORS.test(decorator.text) || (local && checksUser(decorator, functionNamed)))) use.identity = { node: decorator, what: `@${shortName(decorator.text)}` };
    }
    // A view that sets `request.user` itself (to the owner of a webhook token) acts as that
    // user, not as the visitor whose cookies a forged request would carry.
    const setsUser = fn.descendantsOfType('assignment').some((assignment) => /^(?:self\.)?request\.user$/.test(assignment?.childForFieldName('left')?.text ?? ''));
    for (const node of fn.descendantsOfType(['attribute', 'call'])) {
      if (!node) continue;
      if (node.type === 'attribute') {
        const dotted = dottedName(node) ?? '';
        const identity = IDENTITY_ATTRIBUTE.exec(dotted);
        if (identity && !use.identity && !(setsUser && identity[1] === 'user')) use.identity = { node, what: `request.${identity[1]}` };
        if (HEADER_READ.test(dotted) && !use.signature && keyRead(node, SECRET_WORDS)) use.signature = node;
        if (DATA_READ.test(dotted) && !use.signature && keyRead(node, PROTOCOL_KEYS)) use.signature = node;
        if (DATA_READ.test(dotted) && !use.antiForgery && keyRead(node, ANTI_FORGERY_KEYS)) use.antiForgery = node;
        if (DATA_READ.test(dotted) && !stateRead && keyRead(node, OAUTH_STATE)) stateRead = node;
        if (DATA_READ.test(dotted) && keyRead(node, OAUTH_RESPONSE_KEYS)) oauthResponse = true;
        continue;
      }
      const callee = node.childForFieldName('function');
      const name = callee ? (dottedName(callee) ?? qualifiedName(callee) ?? callee.text) : '';
      const qualified = callee ? (qualifiedName(callee) ?? name) : name;
      if (!use.signature && SIGNATURE_CALLS.test(qualified)) use.signature = node;
      if (!use.authenticators && passesRequest(node) && sortedArguments(node).keywords.has('authenticators')) use.authenticators = node;
      if (!use.identity && IDENTITY_CALLS.test(qualified) && passesRequest(node)) use.identity = { node, what: `${shortName(name)}()` };
      if (!passesRequest(node) || HARMLESS.test(name)) continue;
      const own = callee && local ? moduleFunction(callee, scopes) : undefined;
      if (own) pending.push(own);
      else if (!use.handedTo && callee && !/^(?:self|cls)\./.test(name)) use.handedTo = node;
    }
  }
  if (!use.antiForgery && stateRead && oauthResponse) use.antiForgery = stateRead;
  return use;
}

/** Whether a class-based view requires a login through its bases (`LoginRequiredMixin`…). */
export function classRequiresLogin(cls: Node): Node | undefined {
  const bases = cls.childForFieldName('superclasses');
  return bases && IDENTITY_BASES.test(bases.text) ? bases : undefined;
}

/** The decorators of a function or class. */
export function decorators(fn: Node): Node[] {
  const decorated = fn.parent?.type === 'decorated_definition' ? fn.parent : undefined;
  return (decorated?.namedChildren ?? []).filter((d): d is Node => d?.type === 'decorator');
}

/**
 * Whether a decorator the project writes (`@group_required("Staff")`) checks the logged-in
 * user: its function reads `request.user` or calls one of Django's login and permission
 * checks (a flag such as `view.login_required = False` is not a check).
 */
function checksUser(decorator: Node, functionNamed: ((name: Node) => Node | undefined) | undefined): boolean {
  if (!functionNamed) return false;
  let expression = decorator.namedChildren.find((child) => child?.type !== 'comment') ?? null;
  if (expression?.type === 'call') expression = expression.childForFieldName('function');
  const fn = expression ? functionNamed(expression) : undefined;
  return !!fn && USER_CHECK.test(fn.text);
}

/**
 * Whether a decorated definition is exempt from CSRF checks by its decorators
 * (`@csrf_exempt`, `@method_decorator(csrf_exempt, name="dispatch")`), or, for a class-based
 * view, by those of its `dispatch` or `post`. Read by name, for code of any module.
 */
export function decoratedCsrfExempt(decorated: Node): boolean {
  if (decorated.namedChildren.some((child) => child?.type === 'decorator' && /\bcsrf_exempt\b/.test(child.text))) return true;
  const definition = decorated.type === 'decorated_definition' ? decorated.childForFieldName('definition') : decorated;
  if (definition?.type !== 'class_definition') return false;
  return (definition.childForFieldName('body')?.namedChildren ?? []).some((statement) => {
    if (statement?.type !== 'decorated_definition') return false;
    const method = statement.childForFieldName('definition')?.childForFieldName('name')?.text;
    return (method === 'dispatch' || method === 'post') && decoratedCsrfExempt(statement);
  });
}

function shortName(text: string): string {
  return text.replace(/^@/, '').replace(/\(.*$/s, '').split('.').pop()!;
}

/** `request.headers["X-Hub-Signature"]`, `request.POST.get("state")`: a read of a key that `words` says carries a credential. */
function keyRead(headers: Node, words: RegExp): boolean {
  const parent = headers.parent;
  if (parent?.type === 'subscript') {
    const key = parent.childForFieldName('subscript');
    return !!key && words.test(plainStringValue(key) ?? key.text);
  }
  if (parent?.type === 'attribute' && parent.childForFieldName('attribute')?.text === 'get' && parent.parent?.type === 'call') {
    const [key] = callArguments(parent.parent);
    return !!key && words.test(plainStringValue(key) ?? key.text);
  }
  // `"X-Api-Key" in request.headers`
  if (parent?.type === 'comparison_operator') {
    const [key] = parent.namedChildren;
    return !!key && words.test(plainStringValue(key) ?? key.text);
  }
  return false;
}

/** Whether a call passes the request (`request` or `self.request`) as an argument. */
function passesRequest(call: Node): boolean {
  return callArguments(call).some((arg) => {
    const value = unwrap(arg.type === 'keyword_argument' ? (arg.childForFieldName('value') ?? arg) : arg);
    const dotted = dottedName(value);
    return dotted === 'request' || dotted === 'self.request';
  });
}

/** The module's own function a callee names, if it does. */
function moduleFunction(callee: Node, scopes: Scopes): Node | undefined {
  if (callee.type !== 'identifier') return undefined;
  const resolution = scopes.resolve(callee);
  if ((resolution.kind !== 'module' && resolution.kind !== 'local' && resolution.kind !== 'closure') || resolution.defs.length !== 1) return undefined;
  const def = resolution.defs[0];
  return def.kind === 'definition' && def.statement.type === 'function_definition' ? def.statement : undefined;
}
