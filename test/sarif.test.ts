/**
 * SARIF as GitHub code scanning reads it: the rule descriptors (descriptions, help from the
 * rule docs, CWE tags, security severity), results with fingerprints that survive line
 * moves, related locations and code flows; every log valid against the SARIF 2.1.0 schema.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { createColors } from '../server/src/cli/colors';
import { FINGERPRINT_KEY, firstSentence, formatSarif } from '../server/src/cli/formatters/sarif';
import { RULE_TAXONOMY } from '../server/src/cli/formatters/rule-taxonomy';
import type { ReportedRule } from '../server/src/cli/formatters';
import { SourceLines } from '../server/src/cli/source-lines';
import { docsUrl, REPOSITORY_URL } from '../server/src/engine/rules/rule';
import { ALL_RULES } from '../server/src/engine/rules/registry';
import type { Finding } from '../server/src/engine/types';
import { cli, project } from './support/cli-run';
import { REPO_ROOT } from './support/fixtures';
import { sarifSchemaErrors } from './support/sarif-schema';

const ROOT = '/srv/shop';

function reportedRule(code: string): ReportedRule {
  const rule = ALL_RULES.find((r) => r.meta.code === code)!;
  return { code, name: rule.meta.name, summary: rule.meta.summary, severity: rule.meta.severity, helpUri: docsUrl(code), docs: rule.docs, fix: rule.meta.fix };
}

function sarifOf(findings: Finding[], texts: Record<string, string>) {
  const source = new SourceLines();
  for (const [file, text] of Object.entries(texts)) source.remember(path.join(ROOT, file), text);
  const rules = [...new Set(findings.map((f) => f.code))].sort().map(reportedRule);
  return JSON.parse(formatSarif(findings, { cwd: ROOT, rules, toolVersion: '9.9.9', quiet: false, source, colors: createColors(false), showSource: false }));
}

const range = (line: number, from: number, to: number) => ({ start: { line, character: from }, end: { line, character: to } });

describe('SARIF rule descriptors', () => {
  const log = JSON.parse(cli(path.join(REPO_ROOT, 'examples', 'insecure-project'), 'check', '--format', 'sarif').stdout);
  const rules: { id: string; [key: string]: any }[] = log.runs[0].tool.driver.rules;

  test('every registered rule is described, in code order', () => {
    assert.deepEqual(
      rules.map((r) => r.id),
      ALL_RULES.map((r) => r.meta.code),
    );
  });

  for (const rule of ALL_RULES) {
    const { code } = rule.meta;
    test(`${code}: descriptions, help from its docs, CWE tags, security severity, a help page that exists`, () => {
      const descriptor = rules.find((r) => r.id === code)!;
      const summary = rule.meta.summary.replace(/\s+/g, ' ').trim();
      assert.equal(descriptor.name, rule.meta.name);
      assert.equal(descriptor.fullDescription.text, summary);
      assert.ok(summary.startsWith(descriptor.shortDescription.text) && descriptor.shortDescription.text.length > 10, descriptor.shortDescription.text);
      assert.equal(descriptor.help.markdown, rule.docs.trim());
      assert.ok(!descriptor.help.text.includes('<!--'), 'plain text carries no HTML comment');
      assert.equal(descriptor.help.text.replace(/\s+/g, ''), rule.docs.replace(/<!--[\s\S]*?-->/g, '').replace(/\s+/g, ''));
      const taxonomy = RULE_TAXONOMY[code];
      assert.ok(taxonomy, `${code} has no entry in rule-taxonomy.ts`);
      assert.deepEqual(descriptor.properties.tags, ['security', ...taxonomy.cwe.map((id) => `external/cwe/cwe-${String(id).padStart(3, '0')}`)]);
      assert.match(descriptor.properties['security-severity'], /^(10\.0|\d\.\d)$/);
      assert.equal(descriptor.helpUri, `${REPOSITORY_URL}/blob/main/docs/rules/${code}.md`);
      assert.ok(existsSync(path.join(REPO_ROOT, 'docs', 'rules', `${code}.md`)), 'the page the link names is in the repository');
    });
  }

  test('the log of the example project is valid SARIF 2.1.0', () => {
    assert.deepEqual(sarifSchemaErrors(log), []);
  });

  test('the CWE classes the rules are known by', () => {
    const tagged = (cwe: number) => ALL_RULES.filter((r) => RULE_TAXONOMY[r.meta.code].cwe.includes(cwe)).map((r) => r.meta.code);
    assert.deepEqual(tagged(89), ['DJH201', 'DJH202']);
    assert.deepEqual(tagged(798), ['DJH103', 'DJH104', 'DJH209']);
    assert.ok(tagged(79).includes('DJH303') && tagged(79).includes('DJH203') && tagged(79).includes('DJH132'));
    assert.ok(tagged(352).includes('DJH301') && tagged(352).includes('DJH205') && tagged(352).includes('DJH121'));
    assert.deepEqual(tagged(489), ['DJH101']);
  });
});

describe('SARIF results', () => {
  const VIEWS = 'def search(request):\n    q = request.GET["q"]\n    sql = f"SELECT * FROM t WHERE a = {q}"\n    return Item.objects.raw(sql)\n';
  const sqlFinding: Finding = {
    code: 'DJH201',
    name: 'raw-sql-injection',
    severity: 'error',
    message: 'SQL built with an f-string from `q` reaches Item.objects.raw().',
    file: path.join(ROOT, 'shop/views.py'),
    range: range(3, 28, 31),
    related: [],
    fixes: [],
    flow: [
      { file: path.join(ROOT, 'shop/views.py'), range: range(1, 8, 24), message: 'q is read from the request' },
      { file: path.join(ROOT, 'shop/views.py'), range: range(2, 10, 42), message: 'the f-string puts q into the SQL' },
      { file: path.join(ROOT, 'shop/views.py'), range: range(3, 28, 31), message: 'the SQL reaches raw()' },
    ],
  };

  test('a finding with a flow carries it as one code flow, each step a location with its message', () => {
    const log = sarifOf([sqlFinding], { 'shop/views.py': VIEWS });
    const region = (startLine: number, startColumn: number, endColumn: number) => ({ startLine, startColumn, endLine: startLine, endColumn });
    const at = (r: ReturnType<typeof region>, text: string) => ({
      location: { physicalLocation: { artifactLocation: { uri: 'shop/views.py', uriBaseId: '%SRCROOT%' }, region: r }, message: { text } },
    });
    const [result] = log.runs[0].results;
    assert.deepEqual(result.codeFlows, [
      {
        threadFlows: [
          {
            locations: [at(region(2, 9, 25), 'q is read from the request'), at(region(3, 11, 43), 'the f-string puts q into the SQL'), at(region(4, 29, 32), 'the SQL reaches raw()')],
          },
        ],
      },
    ]);
    assert.equal(result.relatedLocations, undefined);
    assert.deepEqual(sarifSchemaErrors(log), []);
  });

  test('related locations are numbered and keep their messages', () => {
    const finding: Finding = {
      ...sqlFinding,
      flow: undefined,
      related: [{ file: path.join(ROOT, 'shop/urls.py'), range: range(0, 0, 4), message: 'routed here' }],
    };
    const [result] = sarifOf([finding], { 'shop/views.py': VIEWS }).runs[0].results;
    assert.deepEqual(result.relatedLocations, [
      {
        id: 0,
        physicalLocation: { artifactLocation: { uri: 'shop/urls.py', uriBaseId: '%SRCROOT%' }, region: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 5 } },
        message: { text: 'routed here' },
      },
    ]);
    assert.equal(result.codeFlows, undefined);
  });

  test('fingerprints: the same when the line moves or is re-indented, new when it changes; identical lines differ', () => {
    const fingerprint = (text: string, line: number) =>
      sarifOf([{ ...sqlFinding, flow: undefined, range: range(line, 0, 3) }], { 'shop/views.py': text }).runs[0].results[0].partialFingerprints[FINGERPRINT_KEY];
    const original = fingerprint(VIEWS, 3);
    assert.match(original, /^[0-9a-f]{32}$/);
    assert.equal(fingerprint(`import os\n\n${VIEWS}`, 5), original, 'two lines added above');
    assert.equal(fingerprint(VIEWS.replace('    return', '\treturn  '), 3), original, 'whitespace only');
    assert.notEqual(fingerprint(VIEWS.replace('raw(sql)', 'raw(sql2)'), 3), original, 'the line changed');
    const twice = sarifOf(
      [
        { ...sqlFinding, flow: undefined, range: range(3, 0, 3) },
        { ...sqlFinding, flow: undefined, range: range(4, 0, 3) },
      ],
      { 'shop/views.py': `${VIEWS}    return Item.objects.raw(sql)\n` },
    ).runs[0].results.map((r: { partialFingerprints: Record<string, string> }) => r.partialFingerprints[FINGERPRINT_KEY]);
    assert.equal(twice[0], original);
    assert.notEqual(twice[1], original);
  });

  test('through the command line: moving a finding keeps its fingerprint', () => {
    const root = project({ 'settings.py': 'import os\nDEBUG = True\nSECRET_KEY = os.environ["K"]\nALLOWED_HOSTS = ["a.example"]\n' });
    const fingerprints = () =>
      JSON.parse(cli(root, 'check', '--select', 'DJH101', '--format', 'sarif').stdout).runs[0].results.map((r: any) => [
        r.locations[0].physicalLocation.region.startLine,
        r.partialFingerprints[FINGERPRINT_KEY],
      ]);
    const [[line, before]] = fingerprints();
    assert.equal(line, 2);
    writeFileSync(path.join(root, 'settings.py'), `# Settings.\n\n${readFileSync(path.join(root, 'settings.py'), 'utf8')}`);
    assert.deepEqual(fingerprints(), [[4, before]]);
  });
});

describe('first sentences', () => {
  test('a sentence ends at . ! ? before a capital or code, or at a semicolon', () => {
    assert.equal(firstSentence('DEBUG is True. Error pages show everything.'), 'DEBUG is True.');
    assert.equal(firstSentence('`QuerySet.extra()` is used; Django plans to deprecate it.'), '`QuerySet.extra()` is used');
    assert.equal(firstSentence('Uses e.g. raw SQL and more.'), 'Uses e.g. raw SQL and more.');
    assert.equal(firstSentence('One sentence only'), 'One sentence only');
  });
});
