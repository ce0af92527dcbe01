import { createHash } from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import { Script } from 'node:vm';

/**
 * Where a bundle's compiled code is kept between starts. V8 checks that a cache was made
 * from the same source by the same V8 with the same flags, and rejects it otherwise; the
 * file name adds the bundle's hash and Node's version, so an upgrade starts a new file.
 */
export interface CodeCacheOptions {
  /** The folder of the cache files (created, owner-only), or undefined to run without a cache. */
  directory: string | undefined;
  /** How long after the start the cache is written: the code the first analysis compiles is then in it too. */
  writeAfterMs: number;
}

/** How a run used the cache: `used` (V8 took it), `rejected` (V8 refused it: it is rewritten), `missing`, or `off`. */
export type CacheUse = 'used' | 'rejected' | 'missing' | 'off';

export interface BundleRun {
  cache: CacheUse;
  /** Settles once the cache is written (its path) or was not (undefined); never rejects. */
  written: Promise<string | undefined>;
}

/**
 * Runs a CommonJS bundle as `require` would, compiled with V8's code cache when a usable
 * one exists, and writes one a moment after the start when it did not. Compiling the
 * bundle's functions is a good part of what a start costs; with the cache V8 reads their
 * bytecode instead. Nothing about the cache can stop the bundle from running: a cache that
 * cannot be read, is refused, or cannot be written only means compiling as usual.
 */
export function runBundle(bundle: string, options: CodeCacheOptions): BundleRun {
  const source = readFileSync(bundle, 'utf8');
  const cacheFile = options.directory === undefined ? undefined : path.join(options.directory, cacheFileName(bundle, source));
  const cachedData = cacheFile === undefined ? undefined : readOwnFile(cacheFile);
  const script = new Script(Module.wrap(source), { filename: bundle, cachedData });
  const cache: CacheUse = cacheFile === undefined ? 'off' : cachedData === undefined ? 'missing' : script.cachedDataRejected ? 'rejected' : 'used';
  const written = cacheFile !== undefined && cache !== 'used' ? writeLater(script, cacheFile, options.writeAfterMs) : Promise.resolve(undefined);

  const module = new Module(bundle);
  module.filename = bundle;
  const run = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;
  run.call(module.exports, module.exports, createRequire(bundle), module, bundle, path.dirname(bundle));
  module.loaded = true;
  return { cache, written };
}

/** `server-bundle-<hash of the source, Node's version and architecture>.v8cache`. */
export function cacheFileName(bundle: string, source: string): string {
  const key = createHash('sha256').update(source).update('\0').update(process.version).update('\0').update(process.arch).digest('hex').slice(0, 32);
  return `${path.basename(bundle, '.js')}-${key}.v8cache`;
}

/**
 * A cache file's bytes when this user owns it and nobody else may write it, else undefined:
 * a code cache is code, so one another user could have written is never run.
 */
function readOwnFile(file: string): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const stat = fstatSync(fd);
    if (!stat.isFile() || !ownedByThisUser(stat.uid, stat.mode)) return undefined;
    return readFileSync(fd);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function ownedByThisUser(uid: number, mode: number): boolean {
  // Windows has no uid and no write bits for others; its per-user folders are private.
  if (process.platform === 'win32' || typeof process.getuid !== 'function') return true;
  return uid === process.getuid() && (mode & 0o022) === 0;
}

function writeLater(script: Script, cacheFile: string, afterMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    // unref: a short-lived process (a test, a client that stops the server at once) ends without waiting for it.
    setTimeout(() => resolve(writeCache(script, cacheFile)), afterMs).unref();
  });
}

/** Writes the cache beside its final name and renames it, so a reader never sees half a file; then removes the folder's caches of other versions. */
function writeCache(script: Script, cacheFile: string): string | undefined {
  const directory = path.dirname(cacheFile);
  const temporary = `${cacheFile}.${process.pid}.tmp`;
  try {
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    const folder = statSync(directory);
    if (!ownedByThisUser(folder.uid, folder.mode)) return undefined;
    writeFileSync(temporary, script.createCachedData(), { mode: 0o600 });
    renameSync(temporary, cacheFile);
    removeOtherVersions(cacheFile);
    return cacheFile;
  } catch {
    try {
      rmSync(temporary, { force: true });
    } catch {
      // The folder itself is what failed: there is no temporary file to remove.
    }
    return undefined;
  }
}

function removeOtherVersions(cacheFile: string): void {
  const name = path.basename(cacheFile);
  const sameBundle = new RegExp(`^${escapeRegExp(name.slice(0, -CACHE_SUFFIX_LENGTH))}-[0-9a-f]{32}\\.v8cache$`);
  for (const other of readdirSync(path.dirname(cacheFile))) {
    if (other !== name && sameBundle.test(other)) rmSync(path.join(path.dirname(cacheFile), other), { force: true });
  }
}

/** `-<32 hex digits>.v8cache` */
const CACHE_SUFFIX_LENGTH = 1 + 32 + '.v8cache'.length;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
