// dist/server.js: starts the language server bundle (dist/server-bundle.js) with V8's code
// cache, so a start reads compiled bytecode instead of compiling the bundle again.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { codeCacheDirectory } from './cache-directory';
import { runBundle } from './code-cache';

const bundle = path.join(__dirname, 'server-bundle.js');
if (existsSync(bundle)) {
  // Two seconds in, the first analysis has usually run: its code is compiled and goes into the cache.
  runBundle(bundle, { directory: codeCacheDirectory(process.env), writeAfterMs: 2000 });
} else {
  // No connection exists yet to report it on: the editor shows the server's stderr.
  process.stderr.write(`Django Hardener cannot start: ${bundle} is missing. Reinstall the extension.\n`);
  process.exitCode = 1;
}
