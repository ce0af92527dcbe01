/**
 * The template lexer against Django's own (`django.template.base.Lexer`, run by the system
 * Python), over the example project's templates, Django's bundled templates and generated
 * ones; then the layers above it: comment blocks, the HTML context, filter expressions and
 * which files are templates.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { DEFAULT_CONFIG } from '../server/src/engine/config';
import { templateAnalyzer } from '../server/src/engine/template-analyzer';
import { parseTemplate } from '../server/src/engine/templates/document';
import { parseFilterExpression } from '../server/src/engine/templates/filters';
import { attributeOf, includeName, literalValue, scanHtml } from '../server/src/engine/templates/html-scanner';
import { pyStrip, tokenize } from '../server/src/engine/templates/lexer';
import { isTemplateFile, templatesNamed } from '../server/src/engine/templates/template-files';
import { templateSettings } from '../server/src/engine/templates/template-settings';
import { applyTextEdits } from '../server/src/engine/text';
import { at, memoryProject, ROOT } from './engine/memory-project';
import { findDjango } from './support/django';
import { REPO_ROOT } from './support/fixtures';
import { djangoTokens } from './support/template-django';
import { generateTemplates, seededRandom } from './support/template-generator';

const GENERATED = 300;

function templatesBelow(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => {
      const full = path.join(dir, entry);
      if (statSync(full).isDirectory()) return templatesBelow(full);
      return /\.(html?|txt)$/.test(entry) && full.split(path.sep).includes('templates') ? [full] : [];
    });
}

describe('lexer agrees with django.template.base.Lexer', () => {
  test(`example project, Django's own templates and ${GENERATED} generated templates`, async (t) => {
    const django = await findDjango();
    if ('missing' in django) {
      if (process.env.CI) assert.fail(`the differential test needs Debian's python3-django: ${django.missing}`);
      t.skip(django.missing);
      return;
    }
    const example = templatesBelow(path.join(REPO_ROOT, 'examples', 'insecure-project'));
    assert.ok(example.length > 0, 'the example project has templates');
    const bundled = templatesBelow(django.packageDir);
    const corpus = [
      ...example.map((file) => ({ label: path.relative(REPO_ROOT, file), text: readFileSync(file, 'utf8') })),
      ...bundled.map((file) => ({ label: path.relative(django.packageDir, file), text: readFileSync(file, 'utf8') })),
      ...generateTemplates(GENERATED).map((text, i) => ({ label: `generated #${i}`, text })),
    ];
    const expected = await djangoTokens(corpus.map((c) => c.text));
    if ('missing' in expected) assert.fail(expected.missing);
    const kinds = new Set<string>();
    let verbatimText = 0;
    corpus.forEach(({ label, text }, i) => {
      const ours = tokenize(text).map(({ kind, contents, line, start, end }) => ({ kind, contents, line, start, end }));
      assert.deepEqual(ours, expected[i], `${label}: ${JSON.stringify(text.slice(0, 200))}`);
      for (const token of ours) {
        kinds.add(token.kind);
        if (token.kind === 'text' && /^\{[{%#]/.test(token.contents)) verbatimText++;
      }
    });
    assert.deepEqual([...kinds].sort(), ['block', 'comment', 'text', 'var']);
    assert.ok(verbatimText > 50, `the corpus has tags left as text inside verbatim (${verbatimText})`);
    t.diagnostic(`${example.length} example + ${bundled.length} bundled + ${GENERATED} generated templates agree token for token`);
  });

  test('the generator is deterministic', () => {
    assert.deepEqual(generateTemplates(5), generateTemplates(5));
    assert.notDeepEqual(generateTemplates(5, 1), generateTemplates(5, 2));
  });

  test("strip is Python's, not JavaScript's", () => {
    assert.equal(pyStrip('\x1c\x85 a \u00a0'), 'a');
    assert.equal(pyStrip('\ufeffa\ufeff'), '\ufeffa\ufeff');
  });

  test('tokens carry offsets and lines', () => {
    const text = 'a\n{{ x }}{% if y %}\n{# c #}{% verbatim %}{{ z }}{% endverbatim %}';
    assert.deepEqual(
      tokenize(text).map((t) => [t.kind, t.contents, t.line, text.slice(t.start, t.end)]),
      [
        ['text', 'a\n', 1, 'a\n'],
        ['var', 'x', 2, '{{ x }}'],
        ['block', 'if y', 2, '{% if y %}'],
        ['text', '\n', 2, '\n'],
        ['comment', 'c', 3, '{# c #}'],
        ['block', 'verbatim', 3, '{% verbatim %}'],
        ['text', '{{ z }}', 3, '{{ z }}'],
        ['block', 'endverbatim', 3, '{% endverbatim %}'],
      ],
    );
  });
});

describe('template document', () => {
  test('comment block bodies are commented out, up to an exact endcomment', () => {
    const doc = parseTemplate('{% comment "x" %}<form method="post">{{ a }}{% endcomment x %}{% endcomment %}{{ b }}');
    assert.deepEqual(
      doc.nodes.map((n) => [n.role, n.contents]),
      [
        ['block', 'comment "x"'],
        ['commented-out', '<form method="post">'],
        ['commented-out', 'a'],
        ['commented-out', 'endcomment x'],
        ['block', 'endcomment'],
        ['var', 'b'],
      ],
    );
  });

  test('verbatim text is marked, and an unclosed comment runs to the end', () => {
    const doc = parseTemplate('{% verbatim v %}{{ a }}{% endverbatim v %}{% comment %}{{ b }}');
    assert.deepEqual(
      doc.nodes.map((n) => [n.role, n.verbatim]),
      [
        ['block', false],
        ['text', true],
        ['block', false],
        ['block', false],
        ['commented-out', false],
      ],
    );
  });
});

describe('HTML context', () => {
  const varContext = (text: string, name: string) => {
    const doc = parseTemplate(text);
    const html = scanHtml(doc);
    const node = doc.nodes.find((n) => n.role === 'var' && n.contents === name)!;
    return html.vars.get(node);
  };

  test('attribute values: quoted, unquoted, computed names', () => {
    const double = varContext('<a href="{{ u }}">', 'u');
    assert.equal(double?.kind, 'attribute-value');
    assert.equal(double?.kind === 'attribute-value' && double.attribute.quote, '"');
    const single = varContext("<a title='x {{ u }}'>", 'u');
    assert.equal(single?.kind === 'attribute-value' && single.attribute.quote, "'");
    const bare = varContext('<a href = {{ u }}>', 'u');
    assert.equal(bare?.kind === 'attribute-value' && bare.attribute.quote, '');
    assert.equal(bare?.kind === 'attribute-value' && bare.attribute.name, 'href');
    const tail = varContext('<div class=card-{{ k }} id=x>', 'k');
    assert.ok(tail?.kind === 'attribute-value' && tail.attribute.quote === '' && tail.attribute.valueStart === 11 && tail.attribute.valueEnd === 23);
    assert.equal(varContext('<input {{ attrs }}>', 'attrs')?.kind, 'attribute-name');
    assert.equal(varContext('<p>{{ x }}</p>', 'x')?.kind, 'data');
    assert.equal(varContext('<!-- {{ x }} -->', 'x')?.kind, 'html-comment');
    assert.equal(varContext('<textarea>{{ x }}</textarea>', 'x')?.kind, 'rcdata');
  });

  test('script and style bodies end at their closing tag only', () => {
    assert.equal(varContext('<script>var s = "<p>"; {{ x }}</script>', 'x')?.kind, 'script');
    assert.equal(varContext('<script>a</script>{{ x }}', 'x')?.kind, 'data');
    assert.equal(varContext('<script>a</scripts>{{ x }}', 'x')?.kind, 'script');
    assert.equal(varContext('<STYLE>p { color: {{ x }} }</style>', 'x')?.kind, 'style');
    // As in browsers, the slash of `<script … />` does not close it.
    assert.equal(varContext('<script src="a.js"/>{{ x }}</script>', 'x')?.kind, 'script');
  });

  test('forms: method and action, tokens, includes, nesting', () => {
    const html = scanHtml(parseTemplate('<form METHOD=Post action="{% url \'a\' %}">{% include "f.html" %}<form method="get">{% csrf_token %}</form></form><form method="{{ m }}"></form>'));
    assert.equal(html.forms.length, 3);
    const [outer, inner, computed] = html.forms;
    assert.equal(literalValue(attributeOf(outer.tag, 'method')), 'Post');
    assert.equal(literalValue(attributeOf(outer.tag, 'action')), undefined);
    assert.deepEqual(
      outer.includes.map((i) => i.name),
      ['f.html'],
    );
    assert.ok(outer.hasToken && inner.hasToken && !computed.hasToken);
    assert.deepEqual(html.tokens[0].forms, [inner]);
    assert.equal(literalValue(attributeOf(computed.tag, 'method')), undefined);
  });

  test('include names: string literals only', () => {
    assert.equal(includeName('include "parts/a b.html" with x=1'), 'parts/a b.html');
    assert.equal(includeName("extends 'base.html'"), 'base.html');
    assert.equal(includeName('include template_name'), undefined);
    assert.equal(includeName('include "a.html"|add:x'), undefined);
  });

  test('forms opened in if branches share the token after endif', () => {
    const html = scanHtml(
      parseTemplate(
        '{% if a %}<form method="post" action="1">{% elif b %}<form method="post" action="2">{% else %}<div>{% endif %}{% csrf_token %}</form><form method="post">{% if c %}{% csrf_token %}{% endif %}</form><form method="post"></form>',
      ),
    );
    assert.deepEqual(
      html.forms.map((f) => f.hasToken),
      [true, true, true, false],
    );
    assert.deepEqual(html.tokens[0].forms.length, 2);
  });

  test('broken HTML does not stop the scan', () => {
    // As in a browser, `<form` inside another tag is an attribute name, and so is an unclosed quote's content.
    const html = scanHtml(parseTemplate('<div <form method="post"><p class="x">{% csrf_token %}</p><form method=post>{% endfor %}{% endif %}</div>'));
    assert.equal(html.forms.length, 1);
    assert.equal(html.forms[0].hasToken, false);
    assert.equal(scanHtml(parseTemplate('<p class="x><form method="post">')).forms.length, 0);
    assert.equal(scanHtml(parseTemplate('<form method="post"')).forms.length, 0);
    assert.equal(scanHtml(parseTemplate('<!-- <form method="post"> -->')).forms.length, 0);
  });
});

describe('filter expressions', () => {
  const parse = (text: string) => {
    const doc = parseTemplate(text);
    return parseFilterExpression(
      doc.nodes.find((n) => n.role === 'var')!,
      text,
    );
  };

  test('as Django reads them', () => {
    const parsed = parse('{{  note|default:"a|safe"|safe }}');
    assert.deepEqual(parsed?.head, { kind: 'variable', text: 'note', start: 4, end: 8 });
    assert.deepEqual(
      parsed?.filters.map((f) => [f.name, f.start, f.end, f.arg]),
      [
        ['default', 9, 16, { kind: 'constant', text: '"a|safe"' }],
        ['safe', 26, 30, undefined],
      ],
    );
    assert.deepEqual(
      parse('{{ n|add:-1|date:fmt }}')?.filters.map((f) => f.arg),
      [
        { kind: 'number', text: '-1' },
        { kind: 'variable', text: 'fmt' },
      ],
    );
    assert.equal(parse('{{ "<b>"|safe }}')?.head.kind, 'constant');
    assert.equal(parse('{{ _("x")|safe }}')?.head.kind, 'constant');
    assert.equal(parse('{{ 12|safe }}')?.head.kind, 'number');
    assert.equal(parse('{{ x|safe y }}'), undefined);
    assert.equal(parse('{{ |safe }}'), undefined);
  });
});

describe('which files are templates', () => {
  test('templates/ folders, DIRS in their common forms, and not Jinja2', async () => {
    const project = await memoryProject({
      'manage.py': "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site.settings')\n",
      'site/__init__.py': '',
      'site/settings.py': [
        'import os',
        'from pathlib import Path',
        'BASE_DIR = Path(__file__).resolve().parent.parent',
        'OLD_BASE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))',
        'TEMPLATES = [',
        "    {'BACKEND': 'django.template.backends.django.DjangoTemplates', 'DIRS': [BASE_DIR / 'frontend' / 'pages', os.path.join(OLD_BASE, 'emails'), Path(__file__).parents[1] / 'legacy'], 'APP_DIRS': True},",
        "    {'BACKEND': 'django.template.backends.jinja2.Jinja2', 'DIRS': [BASE_DIR / 'templates' / 'jinja'], 'APP_DIRS': True},",
        ']',
      ].join('\n'),
      'shop/apps.py': '',
      'shop/templates/shop/list.html': '',
      'shop/templates/shop/mail.txt': '',
      'shop/jinja2/shop/list.html': '',
      'shop/static/shop/page.html': '',
      'frontend/pages/home.htm': '',
      'emails/welcome.txt': '',
      'legacy/old.html': '',
      'templates/jinja/base.html': '',
      // A templates/ folder DIRS does not name, with no app beside it: no loader reads it.
      'templates/site/base.html': '',
      'docs/page.djhtml': '',
      'notes.txt': '',
    });
    assert.deepEqual(templateSettings(project), {
      djangoDirs: [at('emails'), at('frontend/pages'), at('legacy')],
      jinja2Dirs: [at('templates/jinja')],
      loaderDirs: [],
      appDirs: [],
      unresolvedDirs: false,
    });
    const templates = project.files.filter((f) => isTemplateFile(project, f)).map((f) => path.relative(ROOT, f));
    assert.deepEqual(templates, ['docs/page.djhtml', 'emails/welcome.txt', 'frontend/pages/home.htm', 'legacy/old.html', 'shop/templates/shop/list.html', 'shop/templates/shop/mail.txt']);
    assert.deepEqual(templatesNamed(project, 'shop/list.html'), [at('shop/templates/shop/list.html')]);
    assert.deepEqual(templatesNamed(project, 'home.htm'), [at('frontend/pages/home.htm')]);
  });

  test('BASE_DIR from a star-imported base module, and string DIRS', async () => {
    const project = await memoryProject({
      'proj/settings/__init__.py': '',
      'proj/settings/base.py':
        "import os\nBASE_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))\nTEMPLATES = [{'BACKEND': 'django.template.backends.django.DjangoTemplates', 'DIRS': [os.path.join(BASE_DIR, 'site_templates'), '/srv/shared/templates']}]\n",
      'proj/settings/production.py': 'from .base import *\n',
      'proj/wsgi.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings.production")\n',
      'site_templates/index.html': '',
    });
    assert.deepEqual(templateSettings(project).djangoDirs, [at('site_templates'), '/srv/shared/templates']);
    assert.ok(isTemplateFile(project, at('site_templates/index.html')));
  });
});

describe('robustness', () => {
  test('every template rule survives generated and mutated templates, and its fixes apply', async () => {
    const random = seededRandom(7);
    const sources = [...generateTemplates(GENERATED, 99), ...templatesBelow(path.join(REPO_ROOT, 'examples')).map((f) => readFileSync(f, 'utf8'))];
    const djangoTemplates = templatesBelow('/usr/lib/python3/dist-packages/django').map((f) => readFileSync(f, 'utf8'));
    for (const original of djangoTemplates) {
      // Cut, repeat and splice pieces, the way a template looks while someone types.
      let text = original;
      for (let k = 0; k < 3; k++) {
        const a = Math.floor(random() * text.length);
        const b = Math.min(text.length, a + Math.floor(random() * 200));
        const pick = random();
        text = pick < 0.4 ? text.slice(0, a) + text.slice(b) : pick < 0.7 ? text.slice(0, b) + text.slice(a, b) + text.slice(b) : text.slice(0, a) + generateTemplates(1, a)[0] + text.slice(a);
      }
      sources.push(text);
    }
    const files: Record<string, string> = {};
    sources.forEach((text, i) => (files[`templates/t${i}.html`] = text));
    const project = await memoryProject(files);
    const failures: string[] = [];
    let findings = 0;
    for (const [rel, text] of Object.entries(files)) {
      const found = templateAnalyzer.analyze(project, at(rel), DEFAULT_CONFIG, (note) => failures.push(`${note.code}: ${note.message}`));
      findings += found.length;
      for (const finding of found) {
        for (const fix of finding.fixes) assert.doesNotThrow(() => applyTextEdits(text, fix.edits), `${rel}: ${finding.code} fix`);
      }
    }
    assert.deepEqual(failures, []);
    assert.ok(findings > 0, 'the corpus exercises the rules');
  });
});
