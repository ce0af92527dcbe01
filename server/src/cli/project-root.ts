import { statSync } from 'node:fs';
import path from 'node:path';
import { pathExists } from '../engine';

/** Files that mark the root of a Django project. */
const ROOT_MARKERS = ['manage.py', 'pyproject.toml'];

/**
 * The nearest directory at or above `target` holding manage.py or pyproject.toml. The
 * search stops at a repository root (a directory holding .git), so an unrelated marker
 * higher up is never picked; without a marker the target's own directory is the root.
 */
export function findProjectRoot(target: string): string {
  const start = isDirectory(target) ? target : path.dirname(target);
  let dir = start;
  for (;;) {
    if (ROOT_MARKERS.some((marker) => isFile(path.join(dir, marker)))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir || pathExists(path.join(dir, '.git'))) return start;
    dir = parent;
  }
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}
