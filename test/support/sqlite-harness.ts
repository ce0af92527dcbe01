/**
 * Runs query functions of fixture modules against Django and an in-memory SQLite database.
 * One Python process per fixture case: it configures Django, creates a `shop` app with a
 * `Book` model (table `book`), loads each module variant from its file path and calls the
 * named functions, resetting the rows before every call so that a write cannot leak into
 * the next one. An argument `{"request": {"GET": {...}}}` (or `"POST"`) is a request built by
 * Django's RequestFactory, for views that read request data.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { baseEnv, run, type DjangoInstall } from './django';

/** The rows every call starts from. Row 4 has a quote and row 5 a percent sign in its title. */
export const BOOKS: readonly [number, string, string, number][] = [
  [1, 'Dune', 'Herbert', 1965],
  [2, 'Emma', 'Austen', 1815],
  [3, 'Ulysses', 'Joyce', 1922],
  [4, "Hitchhiker's Guide", 'Adams', 1979],
  [5, '100% Python', 'Smith', 2020],
];

const MODELS_PY = `from django.db import models


class Book(models.Model):
    title = models.CharField(max_length=100)
    author = models.CharField(max_length=100)
    year = models.IntegerField()

    class Meta:
        app_label = "shop"
        db_table = "book"
`;

const HARNESS_PY = `
import importlib.util, json, sys, traceback

spec = json.loads(sys.argv[1])
sys.path.insert(0, spec["app_dir"])

import django
from django.conf import settings

settings.configure(
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    INSTALLED_APPS=["shop"],
    USE_TZ=False,
    ALLOWED_HOSTS=["testserver"],
    DEFAULT_AUTO_FIELD="django.db.models.AutoField",
)
django.setup()

from django.db import connection
from shop.models import Book

with connection.schema_editor() as editor:
    editor.create_model(Book)


def reset():
    Book.objects.all().delete()
    Book.objects.bulk_create([Book(id=i, title=t, author=a, year=y) for i, t, a, y in spec["rows"]])


def argument(value):
    # {"request": {"GET": {...}}} or {"request": {"POST": {...}}} stands for a request a view receives.
    if isinstance(value, dict) and set(value) == {"request"}:
        from django.test import RequestFactory
        data = value["request"]
        factory = RequestFactory()
        return factory.post("/", data["POST"]) if "POST" in data else factory.get("/", data.get("GET", {}))
    return value


def normalize(value):
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, (list, tuple)):
        return [normalize(v) for v in value]
    if isinstance(value, dict):
        return {k: normalize(v) for k, v in value.items()}
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return [normalize(v) for v in value]


results = {}
for variant, file in spec["variants"].items():
    module_spec = importlib.util.spec_from_file_location("case_" + variant, file)
    module = importlib.util.module_from_spec(module_spec)
    try:
        module_spec.loader.exec_module(module)
    except Exception:
        results[variant] = {"load_error": traceback.format_exc(limit=3)}
        continue
    calls = {}
    for call in spec["calls"]:
        outcome = {}
        for kind in ("benign", "attack"):
            reset()
            try:
                rows = normalize(getattr(module, call["function"])(*[argument(a) for a in call[kind]]))
                outcome[kind] = {"rows": sorted(rows, key=json.dumps) if isinstance(rows, list) else rows}
            except Exception as error:
                outcome[kind] = {"error": type(error).__name__ + ": " + str(error)}
        calls[call["function"]] = outcome
    results[variant] = {"calls": calls}
print(json.dumps(results))
`;

export interface ExecCall {
  function: string;
  benign: unknown[];
  attack: unknown[];
}

export type CallOutcome = { rows: unknown } | { error: string };

export type VariantResult = { load_error: string } | { calls: Record<string, { benign: CallOutcome; attack: CallOutcome }> };

/** Writes the `shop` app into `dir` (once per test run). */
export function writeShopApp(dir: string): void {
  mkdirSync(path.join(dir, 'shop'), { recursive: true });
  writeFileSync(path.join(dir, 'shop', '__init__.py'), '');
  writeFileSync(path.join(dir, 'shop', 'models.py'), MODELS_PY);
}

/** Runs each call with its benign and attack inputs on every module variant (`original`, `fixed`). */
export async function runQueryFunctions(django: DjangoInstall, appDir: string, variants: Record<string, string>, calls: ExecCall[]): Promise<Record<string, VariantResult>> {
  const spec = JSON.stringify({ app_dir: appDir, variants, calls, rows: BOOKS });
  const result = await run(django.python, ['-c', HARNESS_PY, spec], { env: baseEnv(), timeoutMs: 120_000 });
  if (result.code !== 0) throw new Error(`the SQLite harness failed (exit ${result.code}):\n${result.stderr}`);
  return JSON.parse(result.stdout) as Record<string, VariantResult>;
}
