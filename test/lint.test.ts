import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, test } from 'node:test';
import { REPO_ROOT } from './support/fixtures';

const ESLINT = path.join(REPO_ROOT, 'node_modules', 'eslint', 'bin', 'eslint.js');

/** What `npm run lint` says of `code` if it were the file `relative`. */
function lint(relative: string, code: string): { code: number | null; messages: string[] } {
  const run = spawnSync(process.execPath, [ESLINT, '-c', 'scripts/eslint.config.mjs', '--format', 'json', '--stdin', '--stdin-filename', relative], { cwd: REPO_ROOT, input: code, encoding: 'utf8' });
  const [result] = JSON.parse(run.stdout) as { messages: { ruleId: string; message: string }[] }[];
  return { code: run.status, messages: result.messages.map((m) => `${m.ruleId}: ${m.message}`) };
}

describe('the architecture lint', () => {
  test('the engine may not import the language server, the command line or any LSP package', () => {
    const result = lint(
      'server/src/engine/probe.ts',
      "import { TextDocument } from 'vscode-languageserver-textdocument';\nimport { createServer } from '../lsp/server';\nimport { runCheck } from '../cli/check-command';\nexport const all = [TextDocument, createServer, runCheck];\n",
    );
    assert.equal(result.code, 1);
    assert.deepEqual(result.messages, [
      "no-restricted-imports: 'vscode-languageserver-textdocument' import is restricted from being used by a pattern. The engine never speaks LSP: the language server adapts it.",
      "no-restricted-imports: '../lsp/server' import is restricted from being used by a pattern. The engine does not depend on its adapters.",
      "no-restricted-imports: '../cli/check-command' import is restricted from being used by a pattern. The engine does not depend on its adapters.",
    ]);
  });

  test('the two adapters do not import each other, and the server never writes to the console', () => {
    assert.deepEqual(lint('server/src/lsp/probe.ts', "import { runCheck } from '../cli/check-command';\nexport const f = runCheck;\n").messages, [
      "no-restricted-imports: '../cli/check-command' import is restricted from being used by a pattern. The language server and the command line are separate adapters over the engine.",
    ]);
    assert.deepEqual(lint('server/src/cli/probe.ts', "import { createServer } from '../lsp/server';\nexport const f = createServer;\n").messages, [
      "no-restricted-imports: '../lsp/server' import is restricted from being used by a pattern. The command line and the language server are separate adapters over the engine.",
    ]);
    assert.deepEqual(lint('server/src/lsp/probe.ts', "console.log('hello');\n").messages, ['no-console: Unexpected console statement.']);
  });

  test('the adapters reach the engine only through its entry point, types included', () => {
    const refused = (specifier: string) =>
      `no-restricted-imports: '${specifier}' import is restricted from being used by a pattern. The adapters use the engine through its entry point: import from engine (server/src/engine/index.ts).`;
    assert.deepEqual(
      lint('server/src/cli/probe.ts', "import { parsePython } from '../engine/parse/python';\nimport type { Finding } from '../engine/types';\nexport const f = (x: Finding) => [x, parsePython];\n")
        .messages,
      [refused('../engine/parse/python'), refused('../engine/types')],
    );
    assert.deepEqual(lint('server/src/cli/formatters/probe.ts', "import type { Finding } from '../../engine/types';\nexport const f = (x: Finding) => x;\n").messages, [refused('../../engine/types')]);
    assert.deepEqual(lint('server/src/lsp/probe.ts', "import { BlockedModule } from '../engine/parse/blocked-module';\nexport const f = BlockedModule;\n").messages, [
      refused('../engine/parse/blocked-module'),
    ]);
    assert.deepEqual(
      lint(
        'server/src/lsp/probe.ts',
        "import { Project, type Finding } from '../engine';\nimport { analyzeFile } from '../engine/index';\nexport const f = (x: Finding) => [x, Project, analyzeFile];\n",
      ),
      { code: 0, messages: [] },
    );
    assert.deepEqual(lint('server/src/cli/formatters/probe.ts', "import type { Finding } from '../../engine';\nexport const f = (x: Finding) => x;\n"), { code: 0, messages: [] });
  });

  test('hardening sits above the rules, and the edit builders of fixes/ below them', () => {
    assert.deepEqual(lint('server/src/engine/rules/python/probe.ts', "import { hardenSettingsModule } from '../../harden';\nexport const f = hardenSettingsModule;\n").messages, [
      "no-restricted-imports: '../../harden' import is restricted from being used by a pattern. Hardening runs the rules: a rule does not use it.",
    ]);
    assert.deepEqual(
      lint('server/src/engine/fixes/probe.ts', "import { ALL_RULES } from '../rules/registry';\nimport { analyzeFile } from '../analyze';\nexport const f = [ALL_RULES, analyzeFile];\n").messages,
      [
        "no-restricted-imports: '../rules/registry' import is restricted from being used by a pattern. fixes/ holds the edit builders the rules use: it does not depend on the rules.",
        "no-restricted-imports: '../analyze' import is restricted from being used by a pattern. fixes/ holds the edit builders the rules use: it does not depend on the rules.",
      ],
    );
    assert.deepEqual(lint('server/src/engine/rules/python/probe.ts', "import { buildSettingsEdits } from '../../fixes/settings-editor';\nexport const f = buildSettingsEdits;\n"), {
      code: 0,
      messages: [],
    });
  });

  test('the engine importing its own modules and web-tree-sitter is fine', () => {
    assert.deepEqual(lint('server/src/engine/probe.ts', "import { Parser } from 'web-tree-sitter';\nimport { lineStarts } from './text';\nexport const all = [Parser, lineStarts];\n"), {
      code: 0,
      messages: [],
    });
  });
});
