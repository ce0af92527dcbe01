/**
 * What the template rules judge: which files are Django templates, whether a template
 * renders HTML or text, what a value in it can carry, and the rules' messages.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { DEFAULT_CONFIG } from '../server/src/engine/config';
import { ALL_RULES } from '../server/src/engine/rules/registry';
import { templateAnalyzer } from '../server/src/engine/template-analyzer';
import { parseTemplate } from '../server/src/engine/templates/document';
import { parseFilterExpression } from '../server/src/engine/templates/filters';
import { usesJinjaSyntax } from '../server/src/engine/templates/jinja-syntax';
import { templateOutput } from '../server/src/engine/templates/output-kind';
import { tagArgument, tagBits } from '../server/src/engine/templates/tag-arguments';
import { isTemplateFile, templateExclusion } from '../server/src/engine/templates/template-files';
import { TemplateScopes } from '../server/src/engine/templates/template-scopes';
import { templateSettings } from '../server/src/engine/templates/template-settings';
import { judgeExpression, printedValue } from '../server/src/engine/templates/template-values';
import { FIRST_SENTENCE_MAX } from '../server/src/engine/templates/value-docs';
import { at, memoryProject, ROOT } from './engine/memory-project';
import { FIXTURES } from './support/fixtures';
import { projectFindings } from './support/project';

const DJANGO_BACKEND = "'BACKEND': 'django.template.backends.django.DjangoTemplates'";

describe('which files are Django templates', () => {
  test('app folders, DIRS, loader folders and django-environ paths; not Jinja2, Flask, docs, tests or packageless folders', async () => {
    const project = await memoryProject({
      'manage.py': "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'conf.settings')\n",
      'conf/__init__.py': '',
      'conf/settings.py': [
        'import environ',
        'root = environ.Path(__file__) - 2',
        "INSTALLED_APPS = ['django.contrib.admin', 'billing.apps.BillingConfig', 'ns_app']",
        "SHARED = [root('shared')]",
        'TEMPLATES = [{',
        `    ${DJANGO_BACKEND},`,
        "    'DIRS': [root('site_templates')],",
        "    'OPTIONS': {'loaders': [",
        "        ('conf.loaders.ThemeLoader', root('themes/new'), root('themes/classic')),",
        "        ('django.template.loaders.cached.Loader', [('django.template.loaders.filesystem.Loader', SHARED), 'django.template.loaders.app_directories.Loader']),",
        "        ('django.template.loaders.locmem.Loader', {'inline.html': '<p>x</p>'}),",
        '    ]},',
        "}, {'BACKEND': 'django.template.backends.jinja2.Jinja2', 'DIRS': [root('jinja_pages')]}]",
      ].join('\n'),
      'billing/apps.py': '',
      'billing/templates/billing/invoice.html': '',
      'billing/templates/billing/invoice.xml': '',
      'ns_app/templates/ns_app/page.html': '',
      'shop/views.py': '',
      'shop/templates/shop/cart.tpl': '',
      'shop/jinja2/shop/cart.html': '',
      'site_templates/home.html': '',
      'themes/classic/alerts/other.tpl': '',
      'themes/new/alerts/other.html': '',
      'shared/notice.html': '',
      'jinja_pages/index.html': '',
      'templates/orphan.html': '',
      'flask_site/__init__.py': '',
      'flask_site/app.py': 'from flask import Flask\n',
      'flask_site/templates/index.html': '',
      'docs/example/__init__.py': '',
      'docs/example/templates/page.html': '',
      'billing/tests/__init__.py': '',
      'billing/tests/templates/t.html': '',
      'cms/test_utils/__init__.py': '',
      'cms/test_utils/templates/t.html': '',
      'testimonials/__init__.py': '',
      'testimonials/templates/testimonials/list.html': '',
      'chart/templates/_helpers.tpl': '',
    });
    assert.deepEqual(templateSettings(project), {
      djangoDirs: [at('site_templates')],
      jinja2Dirs: [at('jinja_pages')],
      loaderDirs: [at('shared'), at('themes/classic'), at('themes/new')],
      appDirs: [at('billing')],
      unresolvedDirs: false,
    });
    const templates = project.files.filter((f) => isTemplateFile(project, f)).map((f) => path.relative(ROOT, f));
    assert.deepEqual(templates, [
      'billing/templates/billing/invoice.html',
      'billing/templates/billing/invoice.xml',
      'shared/notice.html',
      'shop/templates/shop/cart.tpl',
      'site_templates/home.html',
      'testimonials/templates/testimonials/list.html',
      'themes/classic/alerts/other.tpl',
      'themes/new/alerts/other.html',
    ]);
    const excluded = Object.fromEntries(project.files.map((f) => [path.relative(ROOT, f), templateExclusion(project, f)]).filter(([, why]) => why));
    assert.deepEqual(excluded, {
      'billing/tests/templates/t.html': 'tests',
      'cms/test_utils/templates/t.html': 'tests',
      'docs/example/templates/page.html': 'docs',
      'flask_site/templates/index.html': 'flask',
      'jinja_pages/index.html': 'jinja2',
      'shop/jinja2/shop/cart.html': 'jinja2',
    });
  });

  test('DIRS that cannot be read, or no TEMPLATES at all, let a project-level templates/ folder count', async () => {
    const unreadable = await memoryProject({
      'conf/settings.py': `import os\nTEMPLATES = [{${DJANGO_BACKEND}, 'DIRS': [os.environ['TEMPLATE_DIR']]}]\n`,
      'manage.py': '',
      'templates/base.html': '',
    });
    assert.equal(templateSettings(unreadable).unresolvedDirs, true);
    assert.ok(isTemplateFile(unreadable, at('templates/base.html')));
    const none = await memoryProject({ 'templates/base.html': '', 'lib/templates/x.html': '' });
    assert.ok(isTemplateFile(none, at('templates/base.html')));
    assert.ok(!isTemplateFile(none, at('lib/templates/x.html')), 'a templates/ folder with no package beside it, below the root');
  });

  test('Jinja-only syntax', () => {
    const jinja = (text: string) => usesJinjaSyntax(parseTemplate(text));
    assert.ok(jinja('<a href="{{ url_for(\'index\') }}">'));
    assert.ok(jinja('{% set x = 1 %}{{ x }}'));
    assert.ok(jinja('{%- if a -%}b{% endif %}'));
    assert.ok(jinja('{% macro card(x) %}{% endmacro %}'));
    assert.ok(!jinja('{{ _("Hello (world)") }} {{ x|default:"f(y)" }} {% trans "a(b)" %}'));
    assert.ok(!jinja('{% if a %}{{ b.c|date:"Y" }}{% endif %}{# set #}'));
  });
});

describe('HTML or text', () => {
  const outputs = async (files: Record<string, string>) => {
    const project = await memoryProject(files);
    return Object.fromEntries(
      Object.keys(files)
        .filter((f) => /\.(html|txt|xml|tpl)$/.test(f))
        .map((f) => [f, templateOutput(project, at(f)).kind]),
    );
  };

  test('by extension, name, tags, parent, includes and where the code renders it', async () => {
    assert.deepEqual(
      await outputs({
        'templates/a.txt': '<p>{{ x }}</p>',
        'templates/feed.xml': '<rss>{{ x }}</rss>',
        'templates/welcome_subject.html': 'Hi {{ name }}',
        'templates/body-text.html': '<p>{{ x }}</p>',
        'templates/body-html.html': 'Hi {{ name }}',
        'templates/sms_alert.html': '{{ check }} is down',
        'templates/page.html': '<p>{{ x }}</p>',
        'templates/message.html': '{{ check }} is down',
        'templates/child.html': '{% extends "page.html" %}{% block b %}{{ x }}{% endblock %}',
        'templates/fragment.html': '{{ html|safe }}',
        'templates/host.html': '<main>{% include "fragment.html" %}</main>',
        'templates/nbsp.html': '{{ a }}&nbsp;{{ b }}',
      }),
      {
        'templates/a.txt': 'text',
        'templates/feed.xml': 'text',
        'templates/welcome_subject.html': 'text',
        'templates/body-text.html': 'text',
        'templates/body-html.html': 'html',
        'templates/sms_alert.html': 'text',
        'templates/page.html': 'html',
        'templates/message.html': 'text',
        'templates/child.html': 'html',
        'templates/fragment.html': 'html',
        'templates/host.html': 'html',
        'templates/nbsp.html': 'html',
      },
    );
    assert.deepEqual(
      await outputs({
        'app/views.py': [
          'from django.core.mail import EmailMultiAlternatives, send_mail',
          'from django.http import HttpResponse',
          'from django.shortcuts import render',
          'from django.template.loader import render_to_string',
          'from django.views.generic import TemplateView',
          '',
          'def page(request):',
          '    return render(request, "a.html", {})',
          '',
          'def robots(request):',
          '    return HttpResponse(render_to_string("b.html"), content_type="text/plain")',
          '',
          'def mail(user):',
          '    send_mail(render_to_string("c.html").strip(), render_to_string("d.html"), None, [user.email], html_message=render_to_string("e.html"))',
          '    msg = EmailMultiAlternatives(subject="x", body=render_to_string("f.html"))',
          '    msg.attach_alternative(render_to_string("g.html"), "text/html")',
          '',
          'class Reset:',
          '    email_template_name = "h.html"',
          '    html_email_template_name = "i.html"',
          '',
          'class Humans(TemplateView):',
          '    template_name = "j.html"',
          '    content_type = "text/plain"',
          '',
          'def subject_line(user):',
          '    return render_to_string("k.html", {"user": user})',
        ].join('\n'),
        'app/templatetags/__init__.py': '',
        'app/templatetags/tags.py': 'from django import template\nregister = template.Library()\n@register.inclusion_tag("l.html")\ndef badge():\n    return {}\n',
        'app/__init__.py': '',
        'app/templates/a.html': '{{ x }}',
        'app/templates/b.html': '{{ x }}',
        'app/templates/c.html': '{{ x }}',
        'app/templates/d.html': '{{ x }}',
        'app/templates/e.html': '{{ x }}',
        'app/templates/f.html': '{{ x }}',
        'app/templates/g.html': '{{ x }}',
        'app/templates/h.html': '{{ x }}',
        'app/templates/i.html': '{{ x }}',
        'app/templates/j.html': '{{ x }}',
        'app/templates/k.html': '{{ x }}',
        'app/templates/l.html': '{{ x }}',
      }),
      {
        'app/templates/a.html': 'html',
        'app/templates/b.html': 'text',
        'app/templates/c.html': 'text',
        'app/templates/d.html': 'text',
        'app/templates/e.html': 'html',
        'app/templates/f.html': 'text',
        'app/templates/g.html': 'html',
        'app/templates/h.html': 'text',
        'app/templates/i.html': 'html',
        'app/templates/j.html': 'text',
        'app/templates/k.html': 'text',
        'app/templates/l.html': 'html',
      },
    );
  });

  test('an include cycle of tagless templates ends', async () => {
    assert.deepEqual(await outputs({ 'templates/a.html': '{% include "b.html" %}', 'templates/b.html': '{% include "a.html" %}' }), { 'templates/a.html': 'text', 'templates/b.html': 'text' });
  });
});

describe('values that can carry markup', () => {
  /** The judgement of the `n`th variable of a template (1-based), as printed. */
  const judge = (text: string, n = 1) => {
    const doc = parseTemplate(text);
    const scopes = new TemplateScopes(doc);
    const node = doc.nodes.filter((x) => x.role === 'var')[n - 1];
    const judged = judgeExpression(parseFilterExpression(node, text)!, scopes, scopes.scopeOf(node), node.start);
    return { ...printedValue(judged.value, scopes.autoescape(scopes.scopeOf(node))), safeMark: judged.safeMark?.filter.name };
  };
  const trust = (text: string, n = 1) => judge(text, n).trust;

  test('literals, numbers, filters that build their output, Django context', () => {
    for (const text of [
      '{{ "x" }}',
      '{{ 3 }}',
      '{{ items|length }}',
      '{{ when|date:"U" }}',
      '{{ n|add:1 }}',
      '{{ n|floatformat:2 }}',
      '{{ q|urlencode }}',
      '{{ n|stringformat:"d" }}',
      '{{ flag|yesno:"a,b" }}',
      '{{ forloop.counter }}',
      '{{ csrf_token }}',
      '{{ order.id }}',
      '{{ order.customer_id }}',
      '{{ form.email }}',
      '{{ login_form.errors }}',
      '{{ field.help_text }}',
      '{% for f in form %}{{ f.label_tag }}{% endfor %}',
      '{% for f in form.visible_fields %}{{ f }}{% endfor %}',
      '{% for f in formset %}{{ f.name }}{% endfor %}',
      '{% url "a" as u %}{{ u }}',
      '{% trans "Save" as label %}{{ label }}',
      '{% with sep="<br>" %}{{ sep }}{% endwith %}',
    ])
      assert.equal(trust(text), 'safe', text);
  });

  test('names a wrapping tag binds hold what its body renders, escaped', () => {
    assert.equal(trust('{% fragment as f %}<b>{{ request.GET.q }}</b>{% endfragment %}{{ f }}', 2), 'safe');
    assert.equal(trust('{% blocktranslate asvar t %}Hi {{ name }}{% endblocktranslate %}{{ t }}', 2), 'safe');
    assert.equal(trust('{% fragment as f %}{{ f }}', 1), 'unknown', 'no end tag: not a wrapping tag');
  });

  test('request data, stored user data, unknown', () => {
    assert.equal(trust('{{ request.GET.q }}'), 'untrusted');
    assert.equal(trust('{{ request.META.HTTP_REFERER }}'), 'untrusted');
    assert.equal(trust('{{ request.GET.id }}'), 'untrusted', 'a request parameter named id is no primary key');
    assert.equal(trust('{{ form.data.q }}'), 'untrusted');
    assert.equal(trust('{{ form.q.value }}'), 'untrusted');
    assert.equal(trust('{% for f in form %}{{ f.value }}{% endfor %}'), 'untrusted');
    assert.equal(trust('{% with q=request.GET.q %}{% with r=q %}{{ r }}{% endwith %}{% endwith %}'), 'untrusted');
    assert.equal(trust('{% for k, v in request.GET.items %}{{ v }}{% endfor %}'), 'untrusted');
    assert.equal(trust('{% blocktranslate with n=user.first_name %}{{ n }}{% endblocktranslate %}'), 'stored');
    assert.equal(trust('{{ request.user.email }}'), 'stored');
    assert.equal(trust('{{ user.username }}'), 'unknown');
    assert.equal(trust('{{ article.body }}'), 'unknown');
    assert.equal(trust('{{ n|add:"px" }}'), 'unknown', 'add concatenates text');
    assert.equal(trust('{{ request.GET.q|custom }}'), 'unknown', "a custom filter's output");
    assert.equal(trust('{% mytag as v %}{{ v }}'), 'unknown');
    assert.equal(trust('{% with q=request.GET.q %}{% endwith %}{{ q }}'), 'unknown', 'the binding ended');
    assert.equal(trust('{{ q }}{% with q=request.GET.q %}{% endwith %}'), 'unknown', 'bound after');
  });

  test('escaping and marks: autoescape, |safe, is_safe filters, escaping filters', () => {
    assert.deepEqual([judge('{{ x }}').escaped, judge('{{ x }}').markedSafe], ['html', false]);
    assert.equal(judge('{% autoescape off %}{{ x }}{% endautoescape %}').escaped, 'none');
    assert.equal(judge('{{ x|safe }}').safeMark, 'safe');
    assert.equal(judge('{{ x|safe|upper }}').safeMark, undefined, 'upper is not is_safe');
    assert.equal(judge('{{ x|safe|upper }}').escaped, 'html');
    assert.equal(judge('{{ x|safe|lower }}').safeMark, 'safe', 'lower is is_safe');
    assert.equal(judge('{{ x|escape|safe }}').safeMark, undefined);
    assert.equal(judge('{{ x|safe|escape }}').safeMark, 'safe', 'escape leaves safe data alone');
    assert.equal(judge('{{ x|safe|force_escape }}').safeMark, undefined);
    assert.equal(judge('{{ x|linebreaksbr|safe }}').safeMark, undefined);
    assert.equal(judge('{{ xs|safeseq|join:", " }}').safeMark, 'safeseq');
    assert.equal(judge('{% autoescape off %}{{ xs|join:", " }}{% endautoescape %}').escaped, 'none');
    assert.equal(judge('{{ x|escapejs }}').escaped, 'js');
    assert.equal(judge('{% with y=x|safe %}{{ y }}{% endwith %}').markedSafe, true);
    assert.equal(judge('{% for y in xs|safeseq %}{{ y }}{% endfor %}').markedSafe, true);
  });

  test('a long chain of bindings, and deep nesting, end as unknown in linear time', () => {
    const depth = 5000;
    let text = '{% with v0=request.GET.q %}';
    for (let i = 1; i < depth; i++) text += `{% with v${i}=v${i - 1} %}`;
    text += `{{ v${depth - 1} }}` + '{% endwith %}'.repeat(depth);
    const started = performance.now();
    assert.equal(trust(text), 'unknown');
    assert.ok(performance.now() - started < 2000, 'judged quickly');
    assert.equal(trust('{% endwith %}{% endfor %}{{ request.GET.q }}'), 'untrusted', 'stray end tags close nothing');
  });

  test('tag arguments as Django splits them', () => {
    const text = '{% blocktrans with a=x|safe b=_("one two")|upper %}{% endblocktrans %}';
    const doc = parseTemplate(text);
    const bits = tagBits(doc.nodes[0], text);
    assert.deepEqual(
      bits.map((b) => b.text),
      ['blocktrans', 'with', 'a=x|safe', 'b=_("one two")|upper'],
    );
    const argument = tagArgument(bits[2])!;
    assert.equal(argument.keyword, 'a');
    assert.equal(text.slice(argument.expression.filters[0].start, argument.expression.filters[0].end), 'safe');
  });
});

describe('template rule messages', () => {
  test(`the first sentence of every template finding stands alone in ${FIRST_SENTENCE_MAX} characters`, async () => {
    const codes = ALL_RULES.filter((rule) => rule.meta.scope === 'template').map((rule) => rule.meta.code);
    let checked = 0;
    for (const code of codes) {
      const dir = path.join(FIXTURES, 'rules', code);
      for (const name of readdirSync(dir)) {
        for (const finding of await projectFindings(path.join(dir, name))) {
          if (!codes.includes(finding.code)) continue;
          const first = /^.*?[.!?](?=\s|$)/s.exec(finding.message)?.[0] ?? finding.message;
          assert.ok(first.length <= FIRST_SENTENCE_MAX, `${finding.code} ${name}: ${first.length} characters: ${first}`);
          assert.ok(first.length < finding.message.length, `${finding.code} ${name}: the message is one sentence: ${finding.message}`);
          checked++;
        }
      }
    }
    assert.ok(checked > 100, `${checked} findings checked`);
  });

  test('scripts with thousands of variables on one line, in one string, or as code, are judged without a quadratic blow-up', async () => {
    const n = 5000;
    const args = Array.from({ length: n }, (_, i) => `'{{ v${i} }}'`).join(', ');
    const inOneString = Array.from({ length: n }, (_, i) => `{{ s${i} }}`).join('');
    const code = Array.from({ length: n }, (_, i) => `  var c${i} = {{ c${i} }};`).join('\n');
    const text = `<script>f(${args});\nvar s = '${inOneString}';\n${code}\n</script>\n`;
    const project = await memoryProject({ 'templates/big.html': text });
    const started = performance.now();
    const findings = templateAnalyzer.analyze(project, at('templates/big.html'), DEFAULT_CONFIG);
    assert.ok(performance.now() - started < 20_000, 'judged in seconds, not minutes');
    // One backslash chain on the line of arguments, and one finding for the script's code values.
    assert.deepEqual(
      findings.map((f) => [f.code, f.range.start.line, f.related.length]),
      [
        ['DJH306', 0, 0],
        ['DJH306', 2, n - 1],
      ],
    );
    assert.equal(findings[1].fixes[0].edits.length, 51, 'a fix moves at most 50 values');
  });

  test('thousands of `as` bindings, and thousands of unclosed POST forms with fields, stay linear', async () => {
    const n = 20_000;
    const bindings = Array.from({ length: n }, (_, i) => `{% url "item" ${i} as link %}<a href={{ link }}>{{ link|safe }}</a>`).join('\n');
    const forms = Array.from({ length: n }, (_, i) => `<form method="post"><input name="f${i}">{{ form }}`).join('\n');
    const project = await memoryProject({ 'templates/links.html': bindings, 'templates/forms.html': forms });
    const started = performance.now();
    assert.deepEqual(templateAnalyzer.analyze(project, at('templates/links.html'), DEFAULT_CONFIG), [], 'a reversed URL is safe everywhere');
    const notes: string[] = [];
    const found = templateAnalyzer.analyze(project, at('templates/forms.html'), DEFAULT_CONFIG, (note) => notes.push(`${note.code}: ${note.message}`));
    assert.deepEqual(found, [], 'more than 64 forms open at once: the form rules stop');
    assert.deepEqual(notes, ['DJH301: more than 64 forms are open at once']);
    assert.ok(performance.now() - started < 20_000, 'judged in seconds, not minutes');
  });

  test('the analyzer runs every rule on a template without a crash', async () => {
    const project = await memoryProject({ 'templates/x.html': '<script>var a = {{ a }};</script><form method="post">{{ form }}</form>' });
    const failures: string[] = [];
    const findings = templateAnalyzer.analyze(project, at('templates/x.html'), DEFAULT_CONFIG, (note) => failures.push(`${note.code}: ${note.message}`));
    assert.deepEqual(failures, []);
    assert.deepEqual(findings.map((f) => f.code).sort(), ['DJH301', 'DJH306']);
  });
});
