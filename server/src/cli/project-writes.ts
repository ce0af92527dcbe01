import { accessSync, constants, realpathSync } from 'node:fs';
import { isWithin } from './paths';

/** Why a file must not be written: it leads outside the project (a warning), or it cannot be written (an error). */
export interface Unwritable {
  severity: 'warning' | 'error';
  message: string;
}

/**
 * Why a file the fixes changed must not be written, or undefined when it may be: a
 * symbolic link (of the file or a folder above it) that leads outside the project is read
 * like any file but never written through, and a file the user cannot write is not fixed.
 */
export function unwritableReason(root: string, file: string): Unwritable | undefined {
  const cannot = (error: unknown): Unwritable => ({ severity: 'error', message: `cannot write (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); its fixes are not made` });
  let real: string;
  try {
    real = realpathSync(file);
  } catch (error) {
    return cannot(error);
  }
  let realRoot = root;
  try {
    realRoot = realpathSync(root);
  } catch {
    // The root as given.
  }
  if (!isWithin(realRoot, real)) return { severity: 'warning', message: `not fixed: it leads outside the project (to ${real}), and --fix never writes there` };
  try {
    accessSync(real, constants.W_OK);
  } catch (error) {
    return cannot(error);
  }
  return undefined;
}
