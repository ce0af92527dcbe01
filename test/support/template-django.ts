/**
 * Django's own template engine as an oracle: one Python process lexes every template it
 * is given (as JSON on stdin) with `django.template.base.Lexer`, and `DebugLexer` for the
 * offsets, which it converts to UTF-16 code units; another renders templates with data.
 */
import { spawn } from 'node:child_process';
import type { TemplateTokenKind } from '../../server/src/engine/templates/lexer';
import { baseEnv, SYSTEM_PYTHON } from './django';

export interface DjangoToken {
  kind: TemplateTokenKind;
  contents: string;
  line: number;
  start: number;
  end: number;
}

const SCRIPT = String.raw`
import json, sys
from django.template.base import DebugLexer, Lexer, TokenType

KINDS = {TokenType.TEXT: 'text', TokenType.VAR: 'var', TokenType.BLOCK: 'block', TokenType.COMMENT: 'comment'}

def utf16_offsets(text):
    if all(ord(c) < 0x10000 for c in text):
        return None
    offsets, n = [], 0
    for c in text:
        offsets.append(n)
        n += 2 if ord(c) >= 0x10000 else 1
    offsets.append(n)
    return offsets

results = []
for text in json.loads(sys.stdin.buffer.read().decode('utf-8', 'surrogatepass')):
    plain = Lexer(text).tokenize()
    debug = DebugLexer(text).tokenize()
    if [(t.token_type, t.contents, t.lineno) for t in plain] != [(t.token_type, t.contents, t.lineno) for t in debug]:
        raise SystemExit('Lexer and DebugLexer disagree on %r' % text)
    offsets = utf16_offsets(text)
    at = (lambda i: i) if offsets is None else (lambda i: offsets[i])
    results.append([[KINDS[t.token_type], t.contents, t.lineno, at(d.position[0]), at(d.position[1])] for t, d in zip(plain, debug)])
sys.stdout.buffer.write(json.dumps(results).encode('ascii'))
`;

/** Runs a Python script with JSON on stdin; its stdout, or the reason Django cannot be run. */
function runDjango(script: string, input: unknown): Promise<string | { missing: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(SYSTEM_PYTHON, ['-c', script], { env: baseEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk) => out.push(chunk));
    child.stderr.on('data', (chunk) => err.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? resolve({ missing: `${SYSTEM_PYTHON} not found` }) : reject(error)));
    child.on('close', (code) => {
      const stderr = Buffer.concat(err).toString('utf8');
      if (code !== 0) {
        if (/No module named .?django/.test(stderr)) return resolve({ missing: `${SYSTEM_PYTHON} cannot import django` });
        return reject(new Error(`Django exited ${code}: ${stderr}`));
      }
      resolve(Buffer.concat(out).toString('utf8'));
    });
    child.stdin.end(JSON.stringify(input));
  });
}

/** Django's tokens for each template, or the reason Django cannot be run. */
export async function djangoTokens(templates: readonly string[]): Promise<DjangoToken[][] | { missing: string }> {
  const out = await runDjango(SCRIPT, templates);
  if (typeof out !== 'string') return out;
  const raw = JSON.parse(out) as [TemplateTokenKind, string, number, number, number][][];
  return raw.map((tokens) => tokens.map(([kind, contents, line, start, end]) => ({ kind, contents, line, start, end })));
}

const RENDER_SCRIPT = String.raw`
import json, sys
import django
from django.conf import settings
settings.configure(TEMPLATES=[{'BACKEND': 'django.template.backends.django.DjangoTemplates'}], USE_I18N=False)
django.setup()
from django.template import Context, Template
results = []
for item in json.loads(sys.stdin.buffer.read().decode('utf-8')):
    results.append(Template(item['text']).render(Context(item['data'])))
sys.stdout.buffer.write(json.dumps(results).encode('utf-8'))
`;

/** Each template rendered by Django with its data (plain JSON values), or the reason Django cannot be run. */
export async function djangoRender(items: readonly { text: string; data: Record<string, unknown> }[]): Promise<string[] | { missing: string }> {
  const out = await runDjango(RENDER_SCRIPT, items);
  return typeof out === 'string' ? (JSON.parse(out) as string[]) : out;
}
