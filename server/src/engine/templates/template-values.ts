import type { Severity } from '../types';
import { constantText, type FilterExpression, type FilterUse } from './filters';
import type { Binding, Scope, TemplateScopes } from './template-scopes';

/**
 * Where the text of a value comes from, as far as the template shows it. `safe`: text
 * that cannot carry markup or code an attacker chose (a literal, a number, a date, a
 * primary key, a form field Django renders, help text developers write). `untrusted`: the
 * request (`request.GET`, submitted form data). `stored`: user data kept in the database
 * (a user's name or email). `unknown`: anything else: a context variable whose origin the
 * template does not show.
 */
export type Trust = 'safe' | 'untrusted' | 'stored' | 'unknown';

/** Objects whose attributes the judgement knows: forms, bound fields, the request, the user. */
type ValueKind = 'form' | 'formset' | 'bound-field' | 'bound-fields' | 'form-field' | 'request' | 'request-data' | 'user' | 'block';

export interface ValueJudgement {
  trust: Trust;
  /** What the value is, for messages: "request data (request.GET)", "a loop counter". */
  why: string;
  /** What the text as printed is escaped for: HTML (`&lt;`, `&#x27;`), JavaScript strings (`|escapejs`), or nothing. */
  escaped: 'none' | 'html' | 'js';
  /** Django's SafeData: autoescaping leaves it as it is (`|safe`, string literals, the output of escaping filters). */
  markedSafe: boolean;
  kind?: ValueKind;
}

/** A variable or tag argument's value with its filters applied, before autoescaping. */
export interface JudgedExpression {
  value: ValueJudgement;
  /** The `|safe` or `|safeseq` whose mark reaches the output, and the value it marked. */
  safeMark?: { filter: FilterUse; marked: ValueJudgement };
}

const ORDER: Record<Trust, number> = { safe: 0, unknown: 1, stored: 2, untrusted: 3 };

/** The less trusted of two judgements. */
export function worse(a: ValueJudgement, b: ValueJudgement): ValueJudgement {
  return ORDER[b.trust] > ORDER[a.trust] ? b : a;
}

/**
 * The severity a finding about a value gets: warning when the template shows it holds
 * request or stored user data, info when its origin is unknown, none when it is safe.
 */
export function severityFor(trust: Trust): Severity | undefined {
  if (trust === 'safe') return undefined;
  return trust === 'unknown' ? 'info' : 'warning';
}

const safe = (why: string, kind?: ValueKind): ValueJudgement => ({ trust: 'safe', why, escaped: 'none', markedSafe: false, kind });
const unknown = (why: string, kind?: ValueKind): ValueJudgement => ({ trust: 'unknown', why, escaped: 'none', markedSafe: false, kind });

// NOTE: request attributes whose text the client chooses.
// https://docs.djangoproject.com/en/stable/ref/request-response/#attributes
const REQUEST_UNTRUSTED = new Set([
  'GET',
  'POST',
  'COOKIES',
  'META',
  'headers',
  'FILES',
  'body',
  'path',
  'path_info',
  'get_full_path',
  'get_full_path_info',
  'build_absolute_uri',
  'get_host',
  'get_port',
  'content_type',
  'content_params',
  'method',
  'data',
  'query_params',
  'encoding',
]);
const REQUEST_SAFE = new Set(['scheme', 'is_secure', 'LANGUAGE_CODE', 'csp_nonce']);
// NOTE: django.contrib.auth's AbstractUser: the text fields a user fills in themself, and the ones that hold no text.
// https://docs.djangoproject.com/en/stable/ref/contrib/auth/#fields
const USER_TEXT = new Set(['first_name', 'last_name', 'email', 'get_full_name', 'get_short_name']);
// NOTE: Django's username validator allows letters, digits and @.+-_ only, but a custom user model or
// an SSO backend may set other names: its origin is known, its text is not.
// https://docs.djangoproject.com/en/stable/ref/contrib/auth/#django.contrib.auth.models.User.username
const USER_NAME = new Set(['username', 'get_username', 'natural_key']);
const USER_SAFE = new Set(['id', 'pk', 'is_authenticated', 'is_anonymous', 'is_staff', 'is_superuser', 'is_active', 'last_login', 'date_joined']);
// NOTE: Form and BoundField members that render HTML Django builds and escapes (widgets, labels, error lists).
// https://docs.djangoproject.com/en/stable/ref/forms/api/#django.forms.BoundField
const FORM_MARKUP = new Set([
  'as_p',
  'as_table',
  'as_ul',
  'as_div',
  'as_field_group',
  'errors',
  'non_field_errors',
  'media',
  'management_form',
  'non_form_errors',
  'prefix',
  'auto_id',
  'is_bound',
  'is_multipart',
  'label_suffix',
  'error_css_class',
  'required_css_class',
  'template_name',
]);
const FORM_UNTRUSTED = new Set(['data', 'cleaned_data', 'files']);
const BOUND_FIELD_SAFE = new Set([
  'label_tag',
  'legend_tag',
  'errors',
  'label',
  'id_for_label',
  'auto_id',
  'html_name',
  'html_initial_name',
  'name',
  'widget_type',
  'css_classes',
  'as_widget',
  'as_hidden',
  'as_text',
  'as_textarea',
  'is_hidden',
  'use_fieldset',
  'subwidgets',
  'field_name',
]);
const BOUND_FIELD_UNTRUSTED = new Set(['value', 'data']);
const FORM_FIELD_SAFE = new Set(['label', 'required', 'widget', 'disabled', 'max_length', 'min_length', 'label_suffix']);
/** Names other than `form` whose value is usually a form: `login_form`, `wizard.form`. */
const FORM_NAME = /^(form|\w+_form)$/;
const FORMSET_NAME = /^(formset|\w+_formset)$/;
/** Context variables Django's own context processors set to values that hold no markup. */
const SAFE_ROOTS = new Map([
  ['csrf_token', 'the CSRF token'],
  ['perms', 'permission flags'],
  ['LANGUAGE_CODE', 'the language code'],
  ['LANGUAGE_BIDI', 'the language direction'],
  ['STATIC_URL', 'the STATIC_URL setting'],
  ['MEDIA_URL', 'the MEDIA_URL setting'],
  ['csp_nonce', 'the CSP nonce'],
]);

function isPrimaryKey(name: string): boolean {
  return name === 'id' || name === 'pk' || name === 'uuid' || /^\w+_id$/.test(name);
}

/** One attribute step from a value. */
function attribute(base: ValueJudgement, name: string, previous: string): ValueJudgement {
  switch (base.kind) {
    case 'request':
      if (REQUEST_UNTRUSTED.has(name)) return { ...base, trust: 'untrusted', why: `request data (request.${name})`, kind: 'request-data' };
      if (name === 'user') return { ...unknown('request.user'), kind: 'user' };
      if (REQUEST_SAFE.has(name)) return safe(`request.${name}`);
      return unknown(`request.${name}`);
    case 'request-data':
      return base;
    case 'user':
      if (USER_TEXT.has(name)) return { ...base, trust: 'stored', why: `the user's ${name.replace(/^get_/, '').replace(/_/g, ' ')}`, kind: undefined };
      if (USER_SAFE.has(name)) return safe(`the user's ${name}`);
      if (USER_NAME.has(name)) return unknown(`the user's ${name}`);
      return unknown(`user.${name}`);
    case 'form':
      if (FORM_UNTRUSTED.has(name)) return { ...unknown(''), trust: 'untrusted', why: `submitted form data (form.${name})`, kind: 'request-data' };
      if (FORM_MARKUP.has(name)) return safe('form markup Django renders and escapes');
      if (name === 'hidden_fields' || name === 'visible_fields') return safe('form fields', 'bound-fields');
      if (name === 'help_text') return safe('help text, which developers write');
      if (name === 'instance' || name === 'initial' || name === 'fields') return unknown(`form.${name}`);
      return safe('a form field Django renders and escapes', 'bound-field');
    case 'formset':
      if (name === 'forms') return safe('the formset forms', 'formset');
      if (name === 'empty_form') return safe('a form', 'form');
      if (FORM_MARKUP.has(name) || name === 'total_form_count') return safe('formset markup Django renders and escapes');
      return unknown(`formset.${name}`);
    case 'bound-field':
      if (BOUND_FIELD_UNTRUSTED.has(name)) return { ...unknown(''), trust: 'untrusted', why: `the submitted value (field.${name})`, kind: 'request-data' };
      if (BOUND_FIELD_SAFE.has(name)) return safe(`a form field's ${name.replace(/_/g, ' ')}, which Django escapes`);
      if (name === 'help_text') return safe('help text, which developers write');
      if (name === 'field') return safe('a form field', 'form-field');
      if (name === 'form') return safe('a form', 'form');
      return unknown(`field.${name}`);
    case 'form-field':
      if (name === 'help_text') return safe('help text, which developers write');
      if (FORM_FIELD_SAFE.has(name)) return safe(`a form field's ${name}`);
      return unknown(`field.${name}`);
    case 'block':
      return name === 'super' ? { ...safe("the parent block's content, already rendered"), markedSafe: true } : unknown(`block.${name}`);
    default:
      break;
  }
  // NOTE: Django documents help_text and ModelAdmin fieldset descriptions as developer-written and not escaped.
  // https://docs.djangoproject.com/en/stable/ref/models/fields/#help-text
  if (name === 'help_text' || (name === 'description' && previous === 'fieldset')) return safe('help text, which developers write');
  if (base.trust === 'untrusted') return base;
  if (isPrimaryKey(name)) return safe('a primary key');
  if (base.trust === 'safe') return { ...base, kind: undefined };
  if (base.trust === 'stored') return { ...base, kind: undefined };
  return unknown(base.why);
}

/** The value of a name the template does not bind: what Django's own context processors and conventions put there. */
function rootValue(name: string): ValueJudgement {
  const known = SAFE_ROOTS.get(name);
  if (known) return safe(known);
  if (name === 'forloop') return safe('the loop counters');
  if (name === 'request') return unknown('request', 'request');
  // `{{ user }}` prints the username.
  if (name === 'user') return unknown('user', 'user');
  if (name === 'block') return unknown('block', 'block');
  if (name === 'help_text') return safe('help text, which developers write');
  if (FORM_NAME.test(name)) return safe('a form Django renders and escapes', 'form');
  if (FORMSET_NAME.test(name)) return safe('a formset Django renders and escapes', 'formset');
  // In form and widget templates Django passes the bound field as `field`.
  if (name === 'field') return unknown('field', 'bound-field');
  if (isPrimaryKey(name)) return safe('a primary key');
  return unknown(name);
}

/** An item of a sequence: a form's fields are bound fields, a formset's items are forms. */
function itemOf(sequence: ValueJudgement): ValueJudgement {
  switch (sequence.kind) {
    case 'form':
    case 'bound-fields':
      return safe('a form field Django renders and escapes', 'bound-field');
    case 'formset':
      return safe('a form Django renders and escapes', 'form');
    case 'request-data':
      return sequence;
    default:
      return { ...sequence, kind: undefined };
  }
}

type FilterEffect =
  /** The output is built by the filter from the value's shape, not its text: a number, a date, a word from the argument. */
  | 'builds'
  /** The output is the value's text, changed (upper-cased, truncated). */
  | 'keeps'
  | 'safe'
  | 'escape'
  | 'force_escape'
  | 'escapejs'
  /** Escapes its input when autoescaping is on, then marks the result safe (`linebreaksbr`, `join`). */
  | 'escapes-when-autoescaping';

interface FilterInfo {
  effect: FilterEffect;
  /** Django's `is_safe`: a value marked safe stays marked after the filter. */
  isSafe: boolean;
  /** For `builds`: only with no argument or a literal one (`|yesno:"a,b"`, `|add:1`). */
  literalArgument?: 'constant' | 'number';
}

// NOTE: django/template/defaultfilters.py and django.contrib.humanize: what each built-in filter
// returns, and whether it is_safe (keeps a SafeData input marked).
// https://docs.djangoproject.com/en/stable/howto/custom-template-tags/#filters-and-auto-escaping
const FILTERS: Record<string, FilterInfo> = {
  safe: { effect: 'safe', isSafe: true },
  safeseq: { effect: 'safe', isSafe: true },
  escape: { effect: 'escape', isSafe: true },
  force_escape: { effect: 'force_escape', isSafe: true },
  escapejs: { effect: 'escapejs', isSafe: true },
  json_script: { effect: 'builds', isSafe: true },
  linebreaks: { effect: 'escapes-when-autoescaping', isSafe: true },
  linebreaksbr: { effect: 'escapes-when-autoescaping', isSafe: true },
  linenumbers: { effect: 'escapes-when-autoescaping', isSafe: true },
  urlize: { effect: 'escapes-when-autoescaping', isSafe: true },
  urlizetrunc: { effect: 'escapes-when-autoescaping', isSafe: true },
  join: { effect: 'escapes-when-autoescaping', isSafe: true },
  unordered_list: { effect: 'escapes-when-autoescaping', isSafe: true },
  length: { effect: 'builds', isSafe: false },
  length_is: { effect: 'builds', isSafe: false },
  wordcount: { effect: 'builds', isSafe: false },
  divisibleby: { effect: 'builds', isSafe: false },
  floatformat: { effect: 'builds', isSafe: true },
  filesizeformat: { effect: 'builds', isSafe: true },
  date: { effect: 'builds', isSafe: false },
  time: { effect: 'builds', isSafe: false },
  timesince: { effect: 'builds', isSafe: false },
  timeuntil: { effect: 'builds', isSafe: false },
  slugify: { effect: 'builds', isSafe: true },
  urlencode: { effect: 'builds', isSafe: false, literalArgument: 'constant' },
  yesno: { effect: 'builds', isSafe: false, literalArgument: 'constant' },
  pluralize: { effect: 'builds', isSafe: false, literalArgument: 'constant' },
  add: { effect: 'builds', isSafe: false, literalArgument: 'number' },
  stringformat: { effect: 'builds', isSafe: true, literalArgument: 'constant' },
  default: { effect: 'keeps', isSafe: false },
  default_if_none: { effect: 'keeps', isSafe: false },
  addslashes: { effect: 'keeps', isSafe: true },
  capfirst: { effect: 'keeps', isSafe: true },
  center: { effect: 'keeps', isSafe: true },
  cut: { effect: 'keeps', isSafe: true },
  dictsort: { effect: 'keeps', isSafe: false },
  dictsortreversed: { effect: 'keeps', isSafe: false },
  first: { effect: 'keeps', isSafe: false },
  get_digit: { effect: 'keeps', isSafe: false },
  iriencode: { effect: 'keeps', isSafe: true },
  last: { effect: 'keeps', isSafe: true },
  ljust: { effect: 'keeps', isSafe: true },
  lower: { effect: 'keeps', isSafe: true },
  make_list: { effect: 'keeps', isSafe: false },
  phone2numeric: { effect: 'keeps', isSafe: true },
  pprint: { effect: 'keeps', isSafe: true },
  random: { effect: 'keeps', isSafe: true },
  rjust: { effect: 'keeps', isSafe: true },
  slice: { effect: 'keeps', isSafe: true },
  striptags: { effect: 'keeps', isSafe: true },
  title: { effect: 'keeps', isSafe: true },
  truncatechars: { effect: 'keeps', isSafe: true },
  truncatechars_html: { effect: 'keeps', isSafe: true },
  truncatewords: { effect: 'keeps', isSafe: true },
  truncatewords_html: { effect: 'keeps', isSafe: true },
  upper: { effect: 'keeps', isSafe: false },
  wordwrap: { effect: 'keeps', isSafe: true },
  localize: { effect: 'keeps', isSafe: false },
  unlocalize: { effect: 'keeps', isSafe: false },
  intcomma: { effect: 'keeps', isSafe: true },
  intword: { effect: 'keeps', isSafe: false },
  apnumber: { effect: 'keeps', isSafe: true },
  ordinal: { effect: 'keeps', isSafe: true },
  naturalday: { effect: 'keeps', isSafe: false },
  naturaltime: { effect: 'keeps', isSafe: false },
};

/** `%d`-style conversions whose output is a number. */
const NUMERIC_FORMAT = /^[#0 +-]*\d*(\.\d+)?[diouxXeEfFgG]$/;

/** Whether a filter's argument is one the filter builds harmless output from. */
function literalArgumentHolds(filter: FilterUse, info: FilterInfo): boolean {
  if (!info.literalArgument) return true;
  if (!filter.arg) return filter.name !== 'stringformat' && filter.name !== 'add';
  if (info.literalArgument === 'number') return filter.arg.kind === 'number';
  if (filter.arg.kind !== 'constant') return false;
  if (filter.name === 'stringformat') return NUMERIC_FORMAT.test(constantText(filter.arg.text));
  // An urlencode argument lists characters left unencoded: only letters, digits and these keep it harmless.
  if (filter.name === 'urlencode') return /^[\w/.~-]*$/.test(constantText(filter.arg.text));
  return true;
}

/** Applies one filter to a judged value. */
function applyFilter(current: JudgedExpression, filter: FilterUse, autoescape: boolean): JudgedExpression {
  const value = current.value;
  const info = FILTERS[filter.name];
  if (!info) {
    // A custom filter: its output is whatever its code makes of the value.
    return { value: unknown(`the output of the custom filter |${filter.name}`) };
  }
  let safeMark = current.safeMark;
  let next: ValueJudgement;
  switch (info.effect) {
    case 'safe':
      next = { ...value, markedSafe: true };
      if (!value.markedSafe && value.escaped === 'none') safeMark = { filter, marked: value };
      break;
    case 'escape':
      // conditional_escape: SafeData passes unescaped.
      next = value.markedSafe ? value : { ...value, escaped: 'html', markedSafe: true };
      break;
    case 'force_escape':
      next = { ...value, escaped: 'html', markedSafe: true, kind: undefined };
      safeMark = undefined;
      break;
    case 'escapejs':
      next = { ...value, escaped: 'js', markedSafe: true, kind: undefined };
      safeMark = undefined;
      break;
    case 'escapes-when-autoescaping':
      next = autoescape && !value.markedSafe ? { ...value, escaped: 'html', markedSafe: true, kind: undefined } : { ...value, markedSafe: true, kind: undefined };
      break;
    case 'builds':
      if (literalArgumentHolds(filter, info)) next = { ...safe(`the output of |${filter.name}`), markedSafe: info.isSafe && value.markedSafe };
      else next = { ...(filter.arg?.kind === 'variable' ? worse(value, unknown(filter.arg.text)) : value), kind: undefined, markedSafe: false };
      if (filter.name === 'json_script') next = { ...next, markedSafe: true };
      if (next.trust === 'safe') safeMark = undefined;
      break;
    default: {
      const argument = filter.arg && filter.arg.kind === 'variable' ? unknown(filter.arg.text) : undefined;
      next = { ...(argument ? worse(value, argument) : value), kind: value.kind === 'request-data' ? value.kind : undefined, markedSafe: info.isSafe && value.markedSafe };
      break;
    }
  }
  if (!next.markedSafe) safeMark = undefined;
  return { value: next, safeMark };
}

/** How many `{% with %}`/`{% for %}` bindings a judgement follows; a chain longer than this is unknown. */
const MAX_HOPS = 16;

/**
 * Judges what an expression prints, from what the template alone shows: its own
 * `{% with %}` and `{% for %}` bindings, its filters, literals, and the variables Django's
 * context processors and forms provide.
 */
export function judgeExpression(expression: FilterExpression, scopes: TemplateScopes, scope: Scope | undefined, at: number, hops = 0): JudgedExpression {
  const autoescape = scopes.autoescape(scope);
  let judged: JudgedExpression = { value: judgeHead(expression, scopes, scope, at, hops) };
  for (const filter of expression.filters) judged = applyFilter(judged, filter, autoescape);
  return judged;
}

function judgeHead(expression: FilterExpression, scopes: TemplateScopes, scope: Scope | undefined, at: number, hops: number): ValueJudgement {
  const head = expression.head;
  // NOTE: Django marks string literals in templates safe (Variable.literal is mark_safe'd).
  if (head.kind === 'constant') return { ...safe('a string literal'), markedSafe: true };
  if (head.kind === 'number') return safe('a number');
  const parts = head.text.split('.');
  const binding = scopes.lookup(parts[0], scope, at);
  let value = binding ? boundValue(binding, scopes, hops) : rootValue(parts[0]);
  for (let i = 1; i < parts.length; i++) {
    value = attribute(value, parts[i], parts[i - 1]);
    if (value.trust === 'unknown') value = { ...value, why: parts.slice(0, i + 1).join('.') };
  }
  return value;
}

function boundValue(binding: Binding, scopes: TemplateScopes, hops: number): ValueJudgement {
  if (hops >= MAX_HOPS) return unknown(binding.name);
  const bound = binding.value;
  switch (bound.kind) {
    case 'built':
      return safe(bound.what);
    case 'opaque':
      return unknown(bound.what);
    case 'item':
      return itemOf(judgeExpression(bound.sequence, scopes, binding.scope, binding.at, hops + 1).value);
    case 'expressions': {
      let result: ValueJudgement | undefined;
      for (const expression of bound.expressions) {
        const value = judgeExpression(expression, scopes, binding.scope, binding.at, hops + 1).value;
        result = result ? { ...worse(result, value), markedSafe: result.markedSafe || value.markedSafe, escaped: result.escaped === value.escaped ? value.escaped : 'none' } : value;
      }
      return result ?? unknown(binding.name);
    }
  }
}

/** The value as Django prints it: escaped for HTML unless it is marked safe or autoescaping is off. */
export function printedValue(value: ValueJudgement, autoescape: boolean): ValueJudgement {
  return autoescape && !value.markedSafe && value.escaped === 'none' ? { ...value, escaped: 'html' } : value;
}
