// `npm run lint`: the architecture's boundaries, enforced. The engine takes text and a
// project model and returns findings; the language server and the command line adapt it
// and never reach into each other. Formatting is Prettier's (`prettier --check`).
import tseslint from 'typescript-eslint';

const adapters = ['**/lsp/**', '**/cli/**', '**/client/**'];
// The adapters reach the engine through its one entry point, which says what they may use.
const throughEngineIndex = { group: ['**/engine/**', '!**/engine/index'], message: 'The adapters use the engine through its entry point: import from engine (server/src/engine/index.ts).' };
const engine = [
  { group: ['vscode', 'vscode-languageserver*', 'vscode-languageclient*', 'vscode-jsonrpc*'], message: 'The engine never speaks LSP: the language server adapts it.' },
  { group: adapters, message: 'The engine does not depend on its adapters.' },
];

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', 'dist/**', 'out/**', '.e2e/**', 'bench/.data/**', 'test/fixtures/**', '*.vsix'],
  },
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser },
    plugins: { '@typescript-eslint': tseslint.plugin },
  },
  {
    files: ['server/src/engine/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: engine }] },
  },
  {
    // Rules use the edit builders of fixes/; harden.ts runs the rules to harden a module.
    files: ['server/src/engine/rules/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [...engine, { group: ['**/harden', '**/harden/**'], message: 'Hardening runs the rules: a rule does not use it.' }] }] },
  },
  {
    files: ['server/src/engine/fixes/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [...engine, { group: ['**/rules/**', '**/analyze', '**/harden', '**/harden/**'], message: 'fixes/ holds the edit builders the rules use: it does not depend on the rules.' }] },
      ],
    },
  },
  {
    files: ['server/src/lsp/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/cli/**', '**/client/**'], message: 'The language server and the command line are separate adapters over the engine.' }, throughEngineIndex] },
      ],
    },
  },
  {
    files: ['server/src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/lsp/**', '**/client/**', 'vscode-languageserver*'], message: 'The command line and the language server are separate adapters over the engine.' },
            throughEngineIndex,
          ],
        },
      ],
    },
  },
  {
    // start/ runs a bundle with V8's code cache, before anything of the engine or the adapters is loaded.
    files: ['server/src/start/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['**/engine/**', '**/lsp/**', '**/cli/**', '**/client/**'], message: 'start/ loads the bundle: it uses none of it.' }] }] },
  },
  {
    // The server's stdout is the JSON-RPC channel (with --stdio): logs go through the connection.
    files: ['server/src/**/*.ts'],
    rules: { 'no-console': 'error' },
  },
);
