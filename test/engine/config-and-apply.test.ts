import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_CONFIG, normaliseConfig, readPyprojectConfig, ruleEnabled } from '../../server/src/engine/config';
import { applyFixes } from '../../server/src/engine/fixes/apply';
import type { Fix } from '../../server/src/engine/types';

describe('configuration', () => {
  test('[tool.django-hardener] in pyproject.toml', () => {
    const text = [
      '[project]',
      'name = "x"',
      '[tool.django-hardener]',
      'select = ["DJH1"]',
      'ignore = ["djh105"]',
      'production-settings = ["mysite.settings.prod", "deploy/conf.py"]',
      'exclude = ["legacy/"]',
      '[tool.django-hardener.severity]',
      'DJH101 = "warning"',
      'djh102 = "off"',
      '',
    ].join('\n');
    assert.deepEqual(readPyprojectConfig(text), {
      config: {
        select: ['DJH1'],
        ignore: ['DJH105'],
        severity: { DJH101: 'warning', DJH102: 'off' },
        productionSettings: ['mysite.settings.prod', 'deploy/conf.py'],
        exclude: ['legacy/'],
      },
      problems: [],
    });
  });

  test("foreign-noqa turns other linters' suppressions off; anything but a boolean is reported", () => {
    assert.equal(readPyprojectConfig('[tool.django-hardener]\nforeign-noqa = false\n').config.foreignNoqa, false);
    assert.equal(readPyprojectConfig('[tool.django-hardener]\n').config.foreignNoqa, undefined);
    assert.deepEqual(readPyprojectConfig('[tool.django-hardener]\nforeign-noqa = "no"\n').problems, [{ message: 'foreign-noqa must be true or false' }]);
  });

  test('no table means the defaults', () => {
    assert.deepEqual(readPyprojectConfig('[project]\nname = "x"\n'), { config: DEFAULT_CONFIG, problems: [] });
  });

  test('malformed values are reported and left at their defaults', () => {
    const { config, problems } = readPyprojectConfig('[tool.django-hardener]\nselect = "DJH1"\nseverity = { DJH101 = "fatal" }\nproductionSettings = ["a.b"]\n');
    assert.deepEqual(config, { ...DEFAULT_CONFIG, productionSettings: ['a.b'] });
    assert.deepEqual(problems, [{ message: 'severity.DJH101 must be one of error, warning, info, off' }, { message: 'select must be a list of strings' }]);
    assert.deepEqual(normaliseConfig({ severity: 'error' }).severity, {});
  });

  test('a pyproject.toml that does not parse', () => {
    const { config, problems } = readPyprojectConfig('[tool.django-hardener\nselect = [');
    assert.deepEqual(config, DEFAULT_CONFIG);
    assert.equal(problems.length, 1);
    assert.match(problems[0].message, /^pyproject\.toml does not parse: /);
  });

  test('ruleEnabled: select and ignore prefixes, severity off', () => {
    const config = { ...DEFAULT_CONFIG, select: ['DJH1'], ignore: ['DJH105'], severity: { DJH102: 'off' as const } };
    assert.equal(ruleEnabled(config, 'DJH101'), true);
    assert.equal(ruleEnabled(config, 'DJH102'), false);
    assert.equal(ruleEnabled(config, 'DJH105'), false);
    assert.equal(ruleEnabled(config, 'DJH201'), false);
    assert.equal(ruleEnabled(DEFAULT_CONFIG, 'DJH201'), true);
  });
});

describe('applyFixes', () => {
  const edit = (file: string, line: number, from: number, to: number, newText: string) => ({ file, range: { start: { line, character: from }, end: { line, character: to } }, newText });
  const fix = (title: string, ...edits: Fix['edits']): Fix => ({ title, safety: 'safe', edits });

  test('applies fixes that do not overlap and defers those that do', () => {
    const texts: Record<string, string> = { '/a.py': 'A = 1\nB = 2\n', '/b.py': 'C = 3\n' };
    const first = fix('first', edit('/a.py', 0, 4, 5, '10'));
    const clash = fix('clash', edit('/a.py', 0, 0, 5, 'A = 11'));
    const touching = fix('touching', edit('/a.py', 0, 0, 4, 'AA = '));
    const other = fix('other', edit('/a.py', 1, 4, 5, '20'), edit('/b.py', 0, 4, 5, '30'));
    const empty = fix('empty');
    const result = applyFixes([first, clash, touching, other, empty], (file) => texts[file]);
    assert.deepEqual(
      result.applied.map((f) => f.title),
      ['first', 'touching', 'other'],
    );
    assert.deepEqual(
      result.deferred.map((f) => f.title),
      ['clash'],
    );
    assert.deepEqual(Object.fromEntries(result.texts), { '/a.py': 'AA = 10\nB = 20\n', '/b.py': 'C = 30\n' });
  });

  test('two insertions at one point clash; an edit that changes nothing leaves no text', () => {
    const texts: Record<string, string> = { '/a.py': 'A = 1\n' };
    const result = applyFixes([fix('one', edit('/a.py', 1, 0, 0, 'B = 2\n')), fix('two', edit('/a.py', 1, 0, 0, 'C = 3\n'))], (file) => texts[file]);
    assert.deepEqual(
      result.deferred.map((f) => f.title),
      ['two'],
    );
    assert.deepEqual(Object.fromEntries(result.texts), { '/a.py': 'A = 1\nB = 2\n' });
    const same = applyFixes([fix('same', edit('/a.py', 0, 4, 5, '1'))], (file) => texts[file]);
    assert.equal(same.texts.size, 0);
    const missing = applyFixes([fix('missing', edit('/gone.py', 0, 0, 0, 'x'))], () => undefined);
    assert.equal(missing.texts.size, 0);
  });
});
