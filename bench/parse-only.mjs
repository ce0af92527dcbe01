// The baseline: read and parse every .py file below a directory with web-tree-sitter, the
// grammar WASM loaded from the build output exactly as the checker loads it, and nothing
// else. Prints {"files", "bytes", "parseMs"} as JSON.
//
//   node bench/parse-only.mjs <dir> [distDir]
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Language, Parser } from 'web-tree-sitter';

const [dir, distArg] = process.argv.slice(2);
if (!dir) {
  console.error('usage: node bench/parse-only.mjs <dir> [distDir]');
  process.exit(2);
}
const dist = path.resolve(distArg ?? process.env.DIST_DIR ?? 'dist');

await Parser.init({ locateFile: () => path.join(dist, 'web-tree-sitter.wasm') });
const parser = new Parser();
parser.setLanguage(await Language.load(path.join(dist, 'tree-sitter-python.wasm')));

const files = listPython(path.resolve(dir));
let bytes = 0;
const started = performance.now();
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  bytes += Buffer.byteLength(text);
  const tree = parser.parse(text);
  if (!tree) throw new Error(`tree-sitter returned no tree for ${file}`);
  tree.delete();
}
const parseMs = performance.now() - started;
console.log(JSON.stringify({ files: files.length, bytes, parseMs }));

function listPython(current) {
  return readdirSync(current, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((entry) => {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) return listPython(full);
      return entry.name.endsWith('.py') ? [full] : [];
    });
}
