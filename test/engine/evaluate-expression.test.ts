import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { at, known, plain, valueOf } from './memory-project';

const { str, bool, num, none, unknown, list, tuple, env, openList } = known;

/** One test per expression, so every wrong value is reported. */
function expectValue(expression: string, expected: unknown, prelude = ''): void {
  test(prelude ? `${expression}  (after ${prelude.split('\n').pop()})` : expression, async () => {
    assert.deepEqual(plain(await valueOf(expression, prelude)), expected);
  });
}

describe('literals', () => {
  describe('scalars', () => {
    expectValue('True', bool(true));
    expectValue('False', bool(false));
    expectValue('None', none);
    expectValue('42', num(42));
    expectValue('1_000', num(1000));
    expectValue('0x1F', num(31));
    expectValue('0o17', num(15));
    expectValue('0b101', num(5));
    expectValue('-3', num(-3));
    expectValue('+3', num(3));
    expectValue('2.5', num(2.5));
    expectValue('1e3', num(1000));
    expectValue('3j', unknown);
    expectValue('~1', unknown);
  });

  describe('strings, concatenation, escapes and prefixes', () => {
    expectValue('"abc"', str('abc'));
    expectValue("'abc'", str('abc'));
    expectValue('"a" "b" \'c\'', str('abc'));
    expectValue('("a"\n    "b")', str('ab'));
    expectValue('"""x\ny"""', str('x\ny'));
    expectValue('"tab\\there"', str('tab\there'));
    expectValue('"q\\"uote"', str('q"uote'));
    expectValue('"\\x41\\u00e9\\U0001F600\\101"', str('Aé😀A'));
    expectValue('"back\\\\slash"', str('back\\slash'));
    expectValue('"keep\\d"', str('keep\\d'));
    expectValue('r"raw\\n"', str('raw\\n'));
    expectValue('R"raw\\d+"', str('raw\\d+'));
    expectValue('u"unicode"', str('unicode'));
    expectValue('"a" r"\\n"', str('a\\n'));
    expectValue('"line\\\ncontinued"', str('linecontinued'));
    expectValue('("a"  # first part\n    "b")', str('ab'));
    expectValue('"""crlf\r\nline"""', str('crlf\nline'));
    expectValue('"\\U00110000"', unknown);
    expectValue('(  # why\n    "a"\n)', str('a'));
    expectValue('("on"  # c\n    if True  # c\n    else "off")', str('on'));
    // A literal is read from its text: the prefix and quotes it opens with, closed the same way.
    expectValue('""', str(''));
    expectValue("''''''", str(''));
    expectValue(`'''it's "quoted"'''`, str(`it's "quoted"`));
    expectValue(`"'"`, str("'"));
    expectValue("R'''\\d+'''", str('\\d+'));
    expectValue('"""two\r\r\nbreaks"""', str('two\n\nbreaks'));
  });

  describe('values that cannot be read statically are unknown', () => {
    expectValue('f"x{1}"', unknown);
    expectValue('f"plain"', unknown);
    expectValue('"a" f"{b}"', unknown);
    expectValue('b"bytes"', unknown);
    expectValue('rb"bytes"', unknown);
    expectValue('t"template {x}"', unknown);
    expectValue('"\\N{BULLET}"', unknown);
    expectValue('"%(name)s" % {"name": "x"}', unknown);
    expectValue('"%s" % UNKNOWN_THING', unknown);
    expectValue('"%s and %s" % ("x",)', unknown);
    expectValue('"%5s" % "x"', unknown);
  });

  describe('%-formatting with known values', () => {
    expectValue('"%s" % "x"', str('x'));
    expectValue('"envs/%s.py" % ENV', str('envs/prod.py'), 'ENV = "prod"');
    expectValue('"%s-%d%%" % ("a", 5)', str('a-5%'));
    expectValue('"{}".format("x")', unknown);
    expectValue('undefined_name', unknown);
    expectValue('[x for x in "ab"]', unknown);
    expectValue('{"a", "b"}', unknown);
    expectValue('lambda: 1', unknown);
  });
});

describe('containers', () => {
  describe('lists, tuples and dicts', () => {
    expectValue('["a", 1, None]', list(str('a'), num(1), none));
    expectValue('("a",)', tuple(str('a')));
    expectValue('()', tuple());
    expectValue('[]', list());
    expectValue('"a", "b"', tuple(str('a'), str('b')));
    expectValue('[\n    "a",  # comment\n    "b",\n]', list(str('a'), str('b')));
    expectValue('{"k": True, 1: "v"}', {
      kind: 'dict',
      entries: [
        { key: str('k'), value: bool(true) },
        { key: num(1), value: str('v') },
      ],
    });
  });

  describe('splats', () => {
    expectValue('[*BASE, "c"]', list(str('a'), str('b'), str('c')), 'BASE = ["a", "b"]');
    expectValue('(*BASE, "c")', tuple(str('a'), str('b'), str('c')), 'BASE = ("a", "b")');
    // What is written is there, whatever the unknown part holds.
    expectValue('[*UNKNOWN_THING, "c"]', openList(str('c')));
    expectValue('[*BASE, "c"]', openList(str('a'), str('c')), 'BASE = ["a", *UNKNOWN_THING]');
    expectValue('BASE + ["c"]', openList(str('c')), 'BASE = UNKNOWN_THING');
    expectValue('["a"] + BASE', openList(str('a')), 'BASE = UNKNOWN_THING');
    expectValue('{"a": 1, **OTHER, "b": 2}', {
      kind: 'dict',
      entries: [
        { key: str('a'), value: unknown },
        { key: str('b'), value: num(2) },
      ],
      open: true,
    });
    expectValue(
      '{**D, "b": 2}',
      {
        kind: 'dict',
        entries: [
          { key: str('a'), value: num(1) },
          { key: str('b'), value: num(2) },
        ],
      },
      'D = {"a": 1}',
    );
    expectValue('{**OTHER}', { kind: 'dict', entries: [], open: true });
  });

  describe('subscripts', () => {
    expectValue('D["b"]', num(2), 'D = {"a": 1, "b": 2}');
    expectValue('D["a"]', num(3), 'D = {"a": 1, "a": 3}');
    expectValue('D["missing"]', unknown, 'D = {"a": 1}');
    expectValue('D["a"]["b"]', str('x'), 'D = {"a": {"b": "x"}}');
    expectValue('L[0]', str('a'), 'L = ["a", "b"]');
    expectValue('L[-1]', str('b'), 'L = ["a", "b"]');
    expectValue('L[5]', unknown, 'L = ["a", "b"]');
    expectValue('L[1:]', unknown, 'L = ["a", "b"]');
  });

  describe('+ on lists, tuples and strings', () => {
    expectValue('["a"] + ["b"]', list(str('a'), str('b')));
    expectValue('("a",) + ("b",)', tuple(str('a'), str('b')));
    expectValue('["a"] + ("b",)', unknown);
    expectValue('"ab" + "cd"', str('abcd'));
    expectValue('1 + 2 * 3 - 4', num(3));
    expectValue('7 // 2', num(3));
    expectValue('2 ** 10', num(1024));
    expectValue('7 / 2', unknown);
    expectValue('"a" + 1', unknown);
    expectValue('BASE + ["c"]', list(str('a'), str('c')), 'BASE = ["a"]');
  });
});

describe('operators', () => {
  describe('not, comparisons and boolean operators', () => {
    expectValue('not True', bool(false));
    expectValue('not ""', bool(true));
    expectValue('not []', bool(true));
    expectValue('not X', unknown);
    expectValue('1 == 1', bool(true));
    expectValue('"a" != "a"', bool(false));
    expectValue('1 == True', bool(true));
    expectValue('1 < 2', bool(true));
    expectValue('2 >= 3', bool(false));
    expectValue('"a" in ("a", "b")', bool(true));
    expectValue('"c" not in ["a", "b"]', bool(true));
    expectValue('"ell" in "hello"', bool(true));
    expectValue('None is None', bool(true));
    expectValue('1 is not None', bool(true));
    expectValue('X is None', unknown);
    expectValue('None is X', unknown);
    expectValue('X is not None', unknown);
    expectValue('1 < 2 < 3', unknown);
    expectValue('True and "x"', str('x'));
    expectValue('"" and "x"', str(''));
    expectValue('"" or "fallback"', str('fallback'));
    expectValue('"first" or X', str('first'));
    expectValue('X or "fallback"', unknown);
  });

  describe('conditional expressions', () => {
    expectValue('"a" if True else "b"', str('a'));
    expectValue('"a" if 0 else "b"', str('b'));
    expectValue('"a" if X else "b"', unknown);
  });

  describe('name references and shadowed builtins', () => {
    expectValue('SECRET', str('s3cret'), 'SECRET = "s3cret"');
    expectValue('bool("x")', bool(true));
    expectValue('bool("")', bool(false));
    expectValue('int("42")', num(42));
    expectValue('int("4.2")', unknown);
    expectValue('float("4.5")', num(4.5));
    expectValue('str(True)', str('True'));
    expectValue('list(("a",))', list(str('a')));
    expectValue('tuple(["a"])', tuple(str('a')));
    expectValue('bool("x")', bool(false), 'def bool(x):\n    return False');
    expectValue('bool("x")', unknown, 'def bool(*values):\n    return False');
    expectValue('"A,B".lower().split(",")', list(str('a'), str('b')));
    expectValue('" x ".strip()', str('x'));
    expectValue('"a b  c".split()', list(str('a'), str('b'), str('c')));
    expectValue('"a,b,c".split(",", 1)', unknown);
    expectValue('"a b".split(sep=" ")', unknown);
    expectValue('"abc".startswith("a")', bool(true));
  });

  describe('path values are unknown, never a wrong string', () => {
    const prelude = 'import os\nfrom pathlib import Path\nBASE_DIR = Path(__file__).resolve().parent.parent\nOLD_BASE = os.path.dirname(os.path.abspath(__file__))';
    expectValue('BASE_DIR', unknown, prelude);
    expectValue('BASE_DIR / "static"', unknown, prelude);
    expectValue('str(BASE_DIR / "db.sqlite3")', unknown, prelude);
    expectValue('os.path.join(OLD_BASE, "static")', unknown, prelude);
    expectValue('OLD_BASE + "/static"', unknown, prelude);
    expectValue('Path("/srv") / "static"', unknown, prelude);
  });
});

describe('environment readers: os', () => {
  const os = 'import os';

  describe('os.environ[...] has no fallback', () => {
    expectValue('os.environ["X"]', env('X', 'os.environ', unknown), os);
  });

  describe('os.environ.get and os.getenv', () => {
    expectValue('os.environ.get("X")', env('X', 'os.environ', none), os);
    expectValue('os.environ.get("X", "d")', env('X', 'os.environ', str('d')), os);
    expectValue('os.environ.get("X", default="d")', env('X', 'os.environ', str('d')), os);
    expectValue('os.getenv("X")', env('X', 'os.getenv', none), os);
    expectValue('os.getenv("X", "d")', env('X', 'os.getenv', str('d')), os);
    expectValue('os.environ.get(NAME)', unknown, os);
  });

  describe('expressions over an environment read keep the variable', () => {
    expectValue('os.environ.get("DEBUG", "False").lower() == "true"', env('DEBUG', 'os.environ', bool(false)), os);
    expectValue('os.environ.get("DEBUG", "1") in ("1", "true")', env('DEBUG', 'os.environ', bool(true)), os);
    expectValue('os.environ.get("DEBUG", "no") not in ("1", "true")', env('DEBUG', 'os.environ', bool(true)), os);
    expectValue('bool(int(os.environ.get("D", "0")))', env('D', 'os.environ', bool(false)), os);
    expectValue('int(os.environ.get("AGE", 3600))', env('AGE', 'os.environ', num(3600)), os);
    expectValue('os.environ.get("HOSTS", "a,b").split(",")', env('HOSTS', 'os.environ', list(str('a'), str('b'))), os);
    expectValue('os.environ.get("DEBUG") == "1"', env('DEBUG', 'os.environ', bool(false)), os);
    expectValue('not os.environ.get("PROD")', env('PROD', 'os.environ', bool(true)), os);
    expectValue('os.environ.get("X") or "fallback"', env('X', 'os.environ', str('fallback')), os);
    // With the variables unset, the left side decides and the right is never read.
    expectValue('os.environ.get("X", "") and bool(os.environ["X"])', env('X', 'os.environ', str('')), os);
    expectValue('os.environ.get("X", "1") or os.environ["Y"]', env('X', 'os.environ', str('1')), os);
    expectValue('os.environ.get("X", "1") and os.environ.get("Y", "2")', unknown, os);
    expectValue('os.environ.get("X", "") + "/static"', env('X', 'os.environ', str('/static')), os);
    expectValue('os.environ.get("A") == os.environ.get("B")', unknown, os);
    expectValue('"on" if os.environ.get("X") else "off"', env('X', 'os.environ', str('off')), os);
  });

  describe('aliased imports', () => {
    expectValue('o.environ.get("X", "d")', env('X', 'os.environ', str('d')), 'import os as o');
    expectValue('environ.get("X", "d")', env('X', 'os.environ', str('d')), 'from os import environ');
    expectValue('environ["X"]', env('X', 'os.environ', unknown), 'from os import environ');
    expectValue('e.get("X")', env('X', 'os.environ', none), 'from os import environ as e');
    expectValue('getenv("X", "d")', env('X', 'os.getenv', str('d')), 'from os import getenv');
    expectValue('ge("X")', env('X', 'os.getenv', none), 'from os import getenv as ge');
    expectValue('os.environ.get("X", "d")', unknown, '');
  });
});

describe('environment readers: python-decouple', () => {
  const decouple = 'from decouple import config, Csv';

  describe('config without a default is required', () => {
    expectValue('config("X")', env('X', 'decouple', unknown), decouple);
  });

  describe('defaults and casts', () => {
    expectValue('config("X", default="d")', env('X', 'decouple', str('d')), decouple);
    expectValue('config("X", "d")', env('X', 'decouple', str('d')), decouple);
    expectValue('config("X", default=True, cast=bool)', env('X', 'decouple', bool(true)), decouple);
    expectValue('config("X", default="yes", cast=bool)', env('X', 'decouple', bool(true)), decouple);
    expectValue('config("X", default="off", cast=bool)', env('X', 'decouple', bool(false)), decouple);
    expectValue('config("X", default="", cast=bool)', env('X', 'decouple', bool(false)), decouple);
    expectValue('config("X", default=0, cast=bool)', env('X', 'decouple', bool(false)), decouple);
    expectValue('config("X", default=None, cast=bool)', env('X', 'decouple', unknown), decouple);
    expectValue('config("X", default="maybe", cast=bool)', env('X', 'decouple', unknown), decouple);
    expectValue('config("X", default="60", cast=int)', env('X', 'decouple', num(60)), decouple);
    expectValue('config("X", default=60, cast=int)', env('X', 'decouple', num(60)), decouple);
    expectValue('config("H", default="a, b,c", cast=Csv())', env('H', 'decouple', list(str('a'), str('b'), str('c'))), decouple);
    expectValue('config("H", default="", cast=Csv())', env('H', 'decouple', list()), decouple);
    expectValue('config("H", default="1,2", cast=Csv(int))', env('H', 'decouple', unknown), decouple);
    expectValue('config("X", default="d", cast=lambda v: v)', env('X', 'decouple', unknown), decouple);
    expectValue('config("X", cast=bool)', env('X', 'decouple', unknown), decouple);
  });

  describe('AutoConfig and Config instances and aliases', () => {
    expectValue('config("X", default=False, cast=bool)', env('X', 'decouple', bool(false)), 'from decouple import AutoConfig\nconfig = AutoConfig(search_path="/srv")');
    expectValue('cfg("X", default="d")', env('X', 'decouple', str('d')), 'import decouple\ncfg = decouple.AutoConfig()');
    expectValue('cfg("X", default="d")', env('X', 'decouple', str('d')), 'from decouple import config as cfg');
    expectValue('decouple.config("X")', env('X', 'decouple', unknown), 'import decouple');
    expectValue('config("X")', unknown, '');
  });
});

describe('environment readers: django-environ', () => {
  const scheme = 'import environ\nenv = environ.Env(DEBUG=(bool, False), HOSTS=(list, ["h"]), NAME=(str, "n"), PORT=int, FLAG=(bool, "False"))';

  describe('Env() scheme defaults', () => {
    expectValue('env("DEBUG")', env('DEBUG', 'environ', bool(false)), scheme);
    expectValue('env("HOSTS")', env('HOSTS', 'environ', list(str('h'))), scheme);
    expectValue('env("NAME")', env('NAME', 'environ', str('n')), scheme);
    expectValue('env("PORT")', env('PORT', 'environ', unknown), scheme);
    expectValue('env("OTHER")', env('OTHER', 'environ', unknown), scheme);
    expectValue('env("FLAG")', env('FLAG', 'environ', str('False')), scheme);
    expectValue('env("DEBUG", default=True)', env('DEBUG', 'environ', bool(true)), scheme);
  });

  describe('typed readers', () => {
    expectValue('env.bool("X", default=True)', env('X', 'environ', bool(true)), scheme);
    expectValue('env.bool("X", True)', env('X', 'environ', bool(true)), scheme);
    expectValue('env.list("HOSTS", default=["a"])', env('HOSTS', 'environ', list(str('a'))), scheme);
    expectValue('env.int("AGE", default=60)', env('AGE', 'environ', num(60)), scheme);
    expectValue('env.str("X", "d")', env('X', 'environ', str('d')), scheme);
    expectValue('env.str("X")', env('X', 'environ', unknown), scheme);
    expectValue('env.db("DATABASE_URL")', unknown, scheme);
  });

  describe('a default is returned as given, without the cast', () => {
    // NOTE: django-environ only parses a default when parse_default=True, so a string
    // default of "False" stays a (truthy) string.
    expectValue('env.bool("X", default="False")', env('X', 'environ', str('False')), scheme);
    expectValue('env.list("H", default="a,b")', env('H', 'environ', str('a,b')), scheme);
    expectValue('env("X", cast=bool, default="False", parse_default=True)', env('X', 'environ', bool(false)), scheme);
    expectValue('env("X", bool, "0", True)', env('X', 'environ', bool(false)), scheme);
    expectValue('env("X", bool, "yes", True)', env('X', 'environ', bool(true)), scheme);
    expectValue('env("H", cast=list, default="a,b", parse_default=True)', env('H', 'environ', list(str('a'), str('b'))), scheme);
    expectValue('env("H", cast=[str], default="a,,b", parse_default=True)', env('H', 'environ', list(str('a'), str('b'))), scheme);
    expectValue('env("X", cast=my_cast, default="a", parse_default=True)', env('X', 'environ', unknown), scheme);
    expectValue('env("X", default="d", parse_default=FLAG)', env('X', 'environ', unknown), scheme);
    expectValue('env.bool("X", default="yes", parse_default=True)', env('X', 'environ', unknown), scheme);
    expectValue('env("X", bool, "False")', env('X', 'environ', str('False')), scheme);
    expectValue('env("X", bool, True)', env('X', 'environ', bool(true)), scheme);
    expectValue('env.list("H", str, ["a"])', env('H', 'environ', list(str('a'))), scheme);
  });

  describe('Env imported by name', () => {
    expectValue('e.bool("X", default=False)', env('X', 'environ', bool(false)), 'from environ import Env\ne = Env()');
  });
});

test('values carry the location of their expression', async () => {
  const value = await valueOf('os.environ.get("X", "d")', 'import os');
  assert.deepEqual(value.loc, { file: at('settings.py'), range: { start: { line: 1, character: 12 }, end: { line: 1, character: 36 } } });
  assert.equal(value.kind, 'env');
  if (value.kind === 'env') {
    assert.deepEqual(value.defaultLoc, { file: at('settings.py'), range: { start: { line: 1, character: 32 }, end: { line: 1, character: 35 } } });
  }
});
