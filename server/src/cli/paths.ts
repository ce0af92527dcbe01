import path from 'node:path';

/** A path as users see it: relative to the working directory, with forward slashes. */
export function displayPath(cwd: string, file: string): string {
  return (path.relative(cwd, file) || '.').split(path.sep).join('/');
}

/** Whether `child` is `parent` or lies below it. */
export function isWithin(parent: string, child: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (relative !== '..' && !relative.startsWith('..' + path.sep) && !path.isAbsolute(relative));
}

export function isWithinAny(parents: readonly string[], child: string): boolean {
  return parents.some((parent) => isWithin(parent, child));
}
