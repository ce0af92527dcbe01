/** What the value rules' documentation (DJH303, DJH305, DJH306) says about values that cannot carry markup. */
export const TEMPLATE_VALUES_DOC = `A template cannot see types, so the rule reads what the template itself shows: its literals, its filters, the names its own \`{% with %}\`, \`{% for %}\` and \`{% blocktranslate with %}\` tags bind, and the values Django itself puts in the context. These values cannot carry markup an attacker chose, and are never reported:

- string and number literals (\`{{ "<br>"|safe }}\`), and names bound to them (\`{% with sep="<br>" %}\`, \`{% cycle "odd" "even" as row %}\`, \`{% trans "Save" as label %}\`, \`{% url "home" as home %}\`);
- names a tag with a body binds to what the body renders, which Django has escaped (\`{% fragment as action %}…{% endfragment %}\`, \`{% blocktranslate asvar title %}…{% endblocktranslate %}\`);
- values through a filter that builds its output from the value's shape rather than its text: \`|length\`, \`|wordcount\`, \`|add:1\` (a number argument: on text \`add\` concatenates), \`|floatformat\`, \`|filesizeformat\`, \`|date\`, \`|time\`, \`|timesince\`, \`|timeuntil\`, \`|yesno\`, \`|pluralize\` (with literal arguments), \`|slugify\`, \`|urlencode\`, \`|stringformat:"d"\`, \`|json_script\`;
- values escaped before they are marked safe: \`|escape\`, \`|force_escape\`, \`|escapejs\`, and \`|linebreaks\`, \`|linebreaksbr\`, \`|urlize\`, \`|join\`, \`|unordered_list\`, which escape their input while autoescaping is on;
- \`{{ csrf_token }}\`, \`forloop.*\`, \`perms\`, \`LANGUAGE_CODE\`, \`STATIC_URL\`, \`{{ block.super }}\`;
- forms Django renders and escapes: \`form\`, \`form.<field>\`, \`form.errors\`, \`form.as_p\`, \`field.label_tag\`, \`field.errors\` (a \`form\`, \`*_form\` or \`formset\` name, and the fields a \`{% for field in form %}\` loop binds); but \`form.data\`, \`form.cleaned_data\` and \`field.value\` are the submitted data;
- \`help_text\` (\`field.help_text\`, \`form.x.help_text\`) and a ModelAdmin \`fieldset.description\`: Django documents that it does not escape them because developers write them (a project that builds help text from user data needs the view's code read, not the template);
- primary keys: a last attribute \`id\`, \`pk\`, \`uuid\` or \`*_id\` (\`{{ order.id }}\`), unless it is read from request data.`;

/** The longest a message's first sentence may be: it must stand alone where only it is shown. */
export const FIRST_SENTENCE_MAX = 100;

/**
 * A message whose first sentence names something: the first of `names` (fullest first)
 * that keeps the sentence within FIRST_SENTENCE_MAX characters, then the rest.
 */
export function fittedMessage(names: readonly string[], first: (name: string) => string, rest: string): string {
  let sentence = first(names[names.length - 1]);
  for (const name of names) {
    const candidate = first(name);
    if (candidate.length <= FIRST_SENTENCE_MAX) {
      sentence = candidate;
      break;
    }
  }
  return `${sentence} ${rest}`;
}

/** What a first sentence says about a value's origin: what it holds, or that the template does not show it. */
export function originClause(trust: string, why: string): string {
  return trust === 'unknown' ? '; the template does not show its source.' : `, and it holds ${why}.`;
}
