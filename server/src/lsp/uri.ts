import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The file a `file:` URI names, or undefined for other schemes (untitled documents, virtual files). */
export function uriToPath(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return path.normalize(fileURLToPath(uri));
  } catch {
    return undefined;
  }
}

export function pathToUri(file: string): string {
  return pathToFileURL(file).href;
}
