/**
 * What the provenance analysis knows of functions, methods and attributes by name: which
 * results cannot carry an attack (numbers, URLs Django builds, escaped or sanitised HTML,
 * SQL the ORM compiled), which pass their arguments' text through, and which escape.
 * Everything not named here is of unknown origin.
 */

/** How a call's result relates to its arguments. */
export type CallEffect =
  /** Digits only (or a boolean): `int()`, `len()`, `.count()`. */
  | 'number'
  /** Text that cannot carry an attack whatever the arguments: a URL from `reverse()`, a slug, percent-encoded text, a random token. */
  | 'safe'
  /** Escaped HTML of type `SafeString`: `escape()`, `format_html()`, `render_to_string()`. */
  | 'safe-string'
  /** Sanitised or escaped HTML that is a plain `str`: `bleach.clean()`, `html.escape()`. */
  | 'markup'
  /** The text of the arguments, transformed but not escaped: `str()`, `capfirst()`, `json.dumps()`. */
  | 'pass-through'
  /** The text of the first argument only. */
  | 'pass-first';

// NOTE: format_html() escapes its arguments, render_to_string() renders with autoescaping,
// escape()/conditional_escape() return SafeString.
// https://docs.djangoproject.com/en/stable/ref/utils/#module-django.utils.html
const FUNCTIONS: Record<string, CallEffect> = {
  'django.utils.html.escape': 'safe-string',
  'django.utils.html.conditional_escape': 'safe-string',
  'django.utils.html.format_html': 'safe-string',
  'django.utils.html.format_html_join': 'safe-string',
  'django.utils.html.json_script': 'safe-string',
  'django.utils.html.escapejs': 'safe-string',
  'django.forms.utils.flatatt': 'safe-string',
  'django.template.loader.render_to_string': 'safe-string',
  'django.template.defaultfilters.escape': 'safe-string',
  'django.template.defaultfilters.force_escape': 'safe-string',
  'django.template.defaultfilters.escapejs_filter': 'safe-string',
  'django.utils.safestring.mark_safe': 'safe-string',
  'django.utils.safestring.SafeString': 'safe-string',
  'django.utils.safestring.SafeText': 'safe-string',
  'django.utils.html.mark_safe': 'safe-string',
  'django.utils.html.SafeString': 'safe-string',
  'django.contrib.auth.password_validation.password_validators_help_text_html': 'safe-string',
  'markupsafe.escape': 'safe-string',
  'markupsafe.Markup.escape': 'safe-string',
  'html.escape': 'markup',
  'cgi.escape': 'markup',
  'bleach.clean': 'markup',
  'bleach.linkify': 'markup',
  'nh3.clean': 'markup',
  'pygments.highlight': 'markup',
  // Digits, dates and sizes, whatever the input.
  'django.contrib.humanize.templatetags.humanize.intcomma': 'safe',
  'django.contrib.humanize.templatetags.humanize.intword': 'safe',
  'django.contrib.humanize.templatetags.humanize.ordinal': 'safe',
  'django.contrib.humanize.templatetags.humanize.apnumber': 'safe',
  'django.contrib.humanize.templatetags.humanize.naturalday': 'safe',
  'django.contrib.humanize.templatetags.humanize.naturaltime': 'safe',
  'django.template.defaultfilters.filesizeformat': 'safe',
  'django.template.defaultfilters.date': 'safe',
  'django.template.defaultfilters.time': 'safe',
  'django.template.defaultfilters.timesince_filter': 'safe',
  'django.utils.formats.date_format': 'safe',
  'django.utils.formats.time_format': 'safe',
  'django.utils.formats.number_format': 'safe',
  'django.utils.formats.localize': 'pass-first',
  'django.utils.timesince.timesince': 'safe',
  'django.utils.timesince.timeuntil': 'safe',
  'django.utils.dateformat.format': 'safe',
  'django.utils.timezone.now': 'safe',
  'django.utils.timezone.localtime': 'safe',
  // URLs Django builds: route arguments are percent-encoded.
  'django.urls.reverse': 'safe',
  'django.urls.reverse_lazy': 'safe',
  'django.core.urlresolvers.reverse': 'safe',
  'django.shortcuts.resolve_url': 'safe',
  'django.templatetags.static.static': 'safe',
  'django.contrib.staticfiles.templatetags.staticfiles.static': 'safe',
  'django.utils.text.slugify': 'safe',
  'django.utils.http.urlencode': 'safe',
  'django.utils.http.urlquote': 'safe',
  'django.utils.http.urlquote_plus': 'safe',
  'django.utils.http.urlsafe_base64_encode': 'safe',
  'django.utils.encoding.iri_to_uri': 'safe',
  'django.utils.encoding.escape_uri_path': 'safe',
  'urllib.parse.quote': 'safe',
  'urllib.parse.quote_plus': 'safe',
  'urllib.parse.urlencode': 'safe',
  'uuid.uuid1': 'safe',
  'uuid.uuid4': 'safe',
  'uuid.UUID': 'safe',
  'secrets.token_hex': 'safe',
  'secrets.token_urlsafe': 'safe',
  'django.utils.crypto.get_random_string': 'safe',
  'decimal.Decimal': 'number',
  'datetime.datetime': 'safe',
  'datetime.date': 'safe',
  'datetime.timedelta': 'safe',
  'time.time': 'number',
  'datetime.datetime.now': 'safe',
  'datetime.datetime.utcnow': 'safe',
  'datetime.date.today': 'safe',
  'os.environ.get': 'safe',
  'os.getenv': 'safe',
  'os.path.join': 'pass-through',
  'os.path.basename': 'pass-first',
  'math.ceil': 'number',
  'math.floor': 'number',
  // Text carried through unchanged in substance.
  'django.utils.encoding.force_str': 'pass-first',
  'django.utils.encoding.force_text': 'pass-first',
  'django.utils.encoding.smart_str': 'pass-first',
  'django.utils.encoding.smart_text': 'pass-first',
  'django.utils.text.capfirst': 'pass-first',
  'django.utils.text.normalize_newlines': 'pass-first',
  'django.utils.text.Truncator': 'pass-first',
  'django.utils.html.strip_tags': 'pass-first',
  'django.utils.html.strip_spaces_between_tags': 'pass-first',
  'django.utils.html.avoid_wrapping': 'pass-first',
  'django.utils.html.linebreaks': 'pass-first',
  'django.utils.html.urlize': 'pass-first',
  'django.template.defaultfilters.linebreaksbr': 'pass-first',
  'django.template.defaultfilters.truncatechars': 'pass-first',
  'django.template.defaultfilters.truncatewords': 'pass-first',
  'json.dumps': 'pass-first',
  'json.loads': 'pass-first',
  'urllib.parse.unquote': 'pass-first',
  'urllib.parse.unquote_plus': 'pass-first',
  'textwrap.dedent': 'pass-first',
  'textwrap.indent': 'pass-first',
  'textwrap.shorten': 'pass-first',
  'contextlib.closing': 'pass-first',
  'itertools.chain': 'pass-through',
  'itertools.chain.from_iterable': 'pass-through',
  'copy.copy': 'pass-first',
  'copy.deepcopy': 'pass-first',
};

/** Django's translation functions: a literal translated stays constant (translations ship with the code). */
export const TRANSLATIONS = new Set(
  [
    'gettext',
    'gettext_lazy',
    'ugettext',
    'ugettext_lazy',
    'pgettext',
    'pgettext_lazy',
    'ngettext',
    'ngettext_lazy',
    'ungettext',
    'ungettext_lazy',
    'npgettext',
    'npgettext_lazy',
    'gettext_noop',
    'ugettext_noop',
  ].map((name) => `django.utils.translation.${name}`),
);

/** Builtins by what their result is. */
const BUILTINS: Record<string, CallEffect> = {
  int: 'number',
  float: 'number',
  len: 'number',
  bool: 'number',
  round: 'number',
  abs: 'number',
  ord: 'number',
  hash: 'number',
  divmod: 'number',
  id: 'number',
  isinstance: 'number',
  issubclass: 'number',
  hasattr: 'number',
  callable: 'number',
  any: 'number',
  all: 'number',
  range: 'number',
  hex: 'safe',
  oct: 'safe',
  bin: 'safe',
  chr: 'pass-first',
  str: 'pass-first',
  repr: 'pass-first',
  ascii: 'pass-first',
  format: 'pass-first',
  list: 'pass-through',
  tuple: 'pass-through',
  set: 'pass-through',
  frozenset: 'pass-through',
  sorted: 'pass-first',
  reversed: 'pass-first',
  dict: 'pass-through',
  enumerate: 'pass-first',
  zip: 'pass-through',
  filter: 'pass-through',
  iter: 'pass-first',
  next: 'pass-first',
  min: 'pass-through',
  max: 'pass-through',
  sum: 'number',
};

/** Methods whose result is a number or a boolean. */
const NUMBER_METHODS = new Set([
  'count',
  'index',
  'find',
  'rfind',
  'rindex',
  'exists',
  'isdigit',
  'isdecimal',
  'isnumeric',
  'isalpha',
  'isalnum',
  'isspace',
  'islower',
  'isupper',
  'istitle',
  'isidentifier',
  'startswith',
  'endswith',
  'total_seconds',
  'timestamp',
  'bit_length',
  'is_valid',
  'has_perm',
  'is_authenticated',
  'aggregate_count',
]);

/** Methods whose result cannot carry an attack whatever they are called on. */
const SAFE_METHODS = new Set([
  'get_absolute_url',
  'urlencode',
  'isoformat',
  'strftime',
  'hexdigest',
  'hex',
  'date',
  'time',
  'get_full_name_display',
  // NOTE: identifiers cannot be query parameters, so quoting them with the backend's
  // quote_name() is the documented way to put a name in raw SQL.
  // https://docs.djangoproject.com/en/stable/topics/db/sql/#passing-parameters-into-raw
  'quote_name',
  'quote_name_unless_alias',
  // SQL the ORM compiled, its parameters kept apart.
  'sql_with_params',
  'as_sql',
  'compile',
  'get_placeholder',
]);

/** Methods that render HTML through a template or a widget (Django renders with autoescaping on). */
const RENDER_METHODS = new Set(['render', 'render_html', 'as_p', 'as_ul', 'as_table', 'as_div', 'as_widget', 'as_hidden', 'label_tag', 'legend_tag', '__html__', 'render_to_string']);

/** Methods of strings, lists and dicts whose result is (part of) the receiver's text or items. */
const RECEIVER_METHODS = new Set([
  'strip',
  'lstrip',
  'rstrip',
  'lower',
  'upper',
  'title',
  'capitalize',
  'casefold',
  'swapcase',
  'center',
  'ljust',
  'rjust',
  'zfill',
  'expandtabs',
  'split',
  'rsplit',
  'splitlines',
  'partition',
  'rpartition',
  'encode',
  'decode',
  'removeprefix',
  'removesuffix',
  'translate',
  'get',
  'getlist',
  'pop',
  'popitem',
  'values',
  'items',
  'keys',
  'copy',
  'dict',
  'lists',
  'setdefault',
  'first',
  'last',
  'read',
  'readline',
  'readlines',
  'chunks',
  'most_common',
]);

/** Methods whose result also carries the text of their arguments (after the receiver's). */
const RECEIVER_AND_ARGUMENT_METHODS = new Set(['replace', 'get', 'setdefault', 'pop']);

const NUMERIC_ATTRIBUTES = new Set([
  'year',
  'month',
  'day',
  'hour',
  'minute',
  'second',
  'microsecond',
  'days',
  'seconds',
  'size',
  'position',
  'depth',
  'level',
  'width',
  'height',
  'priority',
  'sort_order',
  'numchild',
]);

/** Attributes that hold a number: primary keys, foreign-key ids, date parts, positions and sizes. */
export function isNumericAttribute(name: string): boolean {
  return name === 'pk' || name === 'id' || name.endsWith('_id') || name.endsWith('_count') || NUMERIC_ATTRIBUTES.has(name);
}

/** The effect of a call of a function known by its qualified name. */
export function functionEffect(qualified: string): CallEffect | undefined {
  return FUNCTIONS[qualified];
}

/** The effect of a builtin called by its bare name (when the module does not rebind it). */
export function builtinEffect(name: string): CallEffect | undefined {
  return BUILTINS[name];
}

/** What a method call's result is, judged by the method's name alone, or undefined when unknown. */
export function methodEffect(name: string): 'number' | 'safe' | 'render' | 'receiver' | 'receiver-and-arguments' | 'display' | undefined {
  if (NUMBER_METHODS.has(name)) return 'number';
  if (SAFE_METHODS.has(name)) return 'safe';
  // get_FOO_display(): the label of a choice, written in the code.
  if (/^get_\w+_display$/.test(name)) return 'display';
  if (RENDER_METHODS.has(name)) return 'render';
  if (RECEIVER_AND_ARGUMENT_METHODS.has(name)) return 'receiver-and-arguments';
  if (RECEIVER_METHODS.has(name)) return 'receiver';
  return undefined;
}

/**
 * A sanitiser of the project's own, named for what it does (`clean_html`, `sanitize_html`,
 * `sanitize`): its result is treated as sanitised markup.
 */
export function isSanitiserName(name: string): boolean {
  return /^_?(?:sanitize|sanitise)(?:_?(?:html|markup|markdown))?$|^_?clean_?(?:html|markup)$|^_?(?:html|markup)_?(?:sanitize|sanitise|clean)r?$/i.test(name);
}
