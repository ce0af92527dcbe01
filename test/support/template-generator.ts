/**
 * Random Django templates from a fixed seed, built from the pieces that make lexers
 * disagree: tags inside strings, unclosed and multi-line tags, verbatim and comment
 * blocks, stray braces, and the whitespace Python strips but JavaScript does not.
 */

/** mulberry32: a small seeded generator, so every run sees the same templates. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TEXT = [
  'plain text ',
  '<div class="card">',
  '</div>\n',
  '<form method="post" action="/x/">\n',
  '</form>\n',
  '<script>var a = {b: 1};</script>',
  '\n',
  '\r\n',
  '\r',
  '  ',
  '\t',
  'é',
  '😀',
  '\u2028',
  '\u0085',
  '\u001c',
  '\ufeff',
  '\u00a0',
  '{',
  '}',
  '%',
  '#',
  '{ {',
  '} }',
  '{%}',
  '{{}',
  '{#}',
  '%}',
  '}}',
  '#}',
  '{{{',
  '}}}',
];

const VARS = [
  '{{ x }}',
  '{{x}}',
  '{{ user.name|default:"a b" }}',
  '{{ "}}" }}',
  "{{ '{%' }}",
  '{{ "{#" }}',
  '{{}}',
  '{{ }}',
  '{{ {{ x }} }}',
  '{{ x|safe }}',
  '{{ x % }}',
  '{{ a|date:"Y-m-d" }}',
  '{{\u00a0x\u00a0}}',
  '{{\u001cx\u001d}}',
  '{{\ufeffx\ufeff}}',
  '{{ x\u0085}}',
  '{{ 😀 }}',
];

const BLOCKS = [
  '{% if x %}',
  '{% elif y %}',
  '{% else %}',
  '{% endif %}',
  '{%if x%}',
  '{% for i in items %}',
  '{% endfor %}',
  '{% url "a" pk %}',
  '{% with a="%}" %}',
  '{% with b="}}" %}',
  '{%%}',
  '{% %}',
  '{% csrf_token %}',
  '{% include "x.html" %}',
  '{% autoescape off %}',
  '{% endautoescape %}',
  '{% load static %}',
  '{%\tif\tx\t%}',
];

const COMMENTS = ['{# x #}', '{##}', '{# {{ x }} #}', '{# {% if %} #}', '{# Translators: hello #}', '{#Translators#}', '{# #} #}', '{# noqa: DJH303 #}'];

const VERBATIM = [
  '{% verbatim %}',
  '{% endverbatim %}',
  '{%verbatim%}',
  '{% verbatim block1 %}',
  '{% endverbatim block1 %}',
  '{% verbatim  two %}',
  '{% endverbatim  two %}',
  '{% endverbatim two %}',
  '{% verbatimx %}',
  '{% verbatim\u00a0%}',
  '{%\u001cverbatim\u001c%}',
  '{% endverbatim\u001c%}',
];

const COMMENT_BLOCKS = ['{% comment %}', '{% endcomment %}', '{% comment "a note" %}', '{%comment%}', '{% endcomment x %}', '{% endcomment%}'];

const UNCLOSED = ['{{ x', '{% if x', '{# x', '{{ x }', '{% if x %', '{# x #', '{{ x %}', '{% x }}', '{# x }}', '{{ x #}'];

const MULTILINE = ['{% if\n x %}', '{{ x\n }}', '{# a\n b #}', '{% if x\r\n%}', '{{\rx\r}}', '{% verbatim\n%}', '{% comment\n%}'];

const KINDS = [TEXT, TEXT, TEXT, VARS, VARS, BLOCKS, BLOCKS, COMMENTS, VERBATIM, COMMENT_BLOCKS, UNCLOSED, MULTILINE];

/** `count` templates, each of 1 to 60 pieces; the same seed gives the same templates. */
export function generateTemplates(count: number, seed = 20240601): string[] {
  const random = seededRandom(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];
  const templates: string[] = [];
  for (let n = 0; n < count; n++) {
    const pieces = 1 + Math.floor(random() * 60);
    let text = '';
    for (let i = 0; i < pieces; i++) {
      const piece = pick(pick(KINDS));
      // Sometimes glue a piece into the middle of the previous one.
      if (text.length > 0 && random() < 0.1) {
        const at = Math.floor(random() * text.length);
        text = text.slice(0, at) + piece + text.slice(at);
      } else text += piece;
    }
    templates.push(text);
  }
  return templates;
}
