import envPaths from 'env-paths';
import path from 'node:path';

/**
 * The folder of the code cache: DJANGO_HARDENER_CACHE_DIR when set (the VS Code extension
 * sets it to its own storage, removed with the extension), else the user's cache folder
 * (~/.cache/django-hardener on Linux, ~/Library/Caches on macOS, %LOCALAPPDATA% on
 * Windows). DJANGO_HARDENER_CODE_CACHE=off runs without one.
 */
export function codeCacheDirectory(env: NodeJS.ProcessEnv): string | undefined {
  if (env.DJANGO_HARDENER_CODE_CACHE === 'off') return undefined;
  const chosen = env.DJANGO_HARDENER_CACHE_DIR;
  if (chosen) return path.resolve(chosen);
  return path.join(envPaths('django-hardener', { suffix: '' }).cache, 'code-cache');
}
