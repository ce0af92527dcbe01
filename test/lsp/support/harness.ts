import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { createConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver/node';
import { createServer, type HardenerServer } from '../../../server/src/lsp/server';
import { pathToUri } from '../../../server/src/lsp/uri';
import { REPO_ROOT } from '../../support/fixtures';
import { TestClient, type TestClientOptions } from './lsp-client';

export const LSP_FIXTURES = path.join(REPO_ROOT, 'test', 'lsp', 'fixtures');

/** Where the bundles under test live: DIST_DIR, resolved from the repository root. */
export const DIST_DIR = path.resolve(REPO_ROOT, process.env.DIST_DIR ?? 'dist');

export interface Session {
  client: TestClient;
  /** The temporary copy of the project. */
  root: string;
  rootUri: string;
  /** The in-process server, when there is one. */
  server?: HardenerServer;
  uri(relative: string): string;
  file(relative: string): string;
  /** Resolves when the server's process (if any) has exited. */
  exited?: Promise<number | null>;
  stderr?: () => string;
  dispose(): Promise<void>;
}

export interface SessionOptions extends TestClientOptions {
  /** A folder of test/lsp/fixtures copied to a temporary directory (default split-project). */
  project?: string;
  debounceMs?: number;
  /** For a spawned server: the folder of its code cache (default: none, DJANGO_HARDENER_CODE_CACHE=off). */
  codeCacheDir?: string;
}

export type Connect = (options?: SessionOptions) => Session;

function copyProject(name: string): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'dh-lsp-'));
  cpSync(path.join(LSP_FIXTURES, name), root, { recursive: true });
  return root;
}

function sessionParts(root: string) {
  return {
    root,
    rootUri: pathToUri(root),
    uri: (relative: string) => pathToUri(path.join(root, relative)),
    file: (relative: string) => path.join(root, relative),
  };
}

/** The server class in this process, over a pair of in-memory streams. */
export const inProcess: Connect = (options = {}) => {
  const root = copyProject(options.project ?? 'split-project');
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  const connection = createConnection(new StreamMessageReader(toServer), new StreamMessageWriter(toClient));
  const server = createServer(connection, { debounceMs: options.debounceMs ?? 10, docsDirectory: path.join(REPO_ROOT, 'docs', 'rules') });
  connection.listen();
  const client = new TestClient(new StreamMessageReader(toClient), new StreamMessageWriter(toServer), { ...options, processId: null });
  return {
    ...sessionParts(root),
    client,
    server,
    async dispose() {
      client.dispose();
      connection.dispose();
      rmSync(root, { recursive: true, force: true });
    },
  };
};

/** The built bundle, spawned with `--stdio` as a non-VS Code editor starts it. */
export function stdioWith(serverFile: string): Connect {
  return (options = {}) => {
    const root = copyProject(options.project ?? 'split-project');
    // A test server never writes into the user's cache folder.
    const cache = options.codeCacheDir ? { DJANGO_HARDENER_CACHE_DIR: options.codeCacheDir } : { DJANGO_HARDENER_CODE_CACHE: 'off' };
    const child = spawn(process.execPath, [serverFile, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...cache } });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const client = new TestClient(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin), options);
    return {
      ...sessionParts(root),
      client,
      exited,
      stderr: () => stderr,
      async dispose() {
        client.dispose();
        if (child.exitCode === null) {
          child.kill();
          await exited;
        }
        rmSync(root, { recursive: true, force: true });
      },
    };
  };
}
