import { accessSync, constants, realpathSync } from 'node:fs';
import { isWithin } from './paths';

/** Why a file must not be written: it leads outside the project (a warning), or it cannot be written (an error). */
export interface Unwritable {
  severity: 'warning' | 'error';
  message: string;
}

/** How a refusal names the option that would have written the file, and what is lost. */
export interface Writer {
  option: string;
  refused: string;
  lost: string;
}

export const FIX_WRITER: Writer = { option: '--fix', refused: 'not fixed', lost: 'its fixes are not made' };
export const NOQA_WRITER: Writer = { option: '--add-noqa', refused: 'no noqa comments added', lost: 'no noqa comments added' };

/**
 * Why a file the fixes changed must not be written, or undefined when it may be: a
 * symbolic link (of the file or a folder above it) that leads outside the project is read
 * like any file but never written through, and a file the user cannot write is not fixed.
 */
export function unwritableReason(root: string, file: string, writer: Writer = FIX_WRITER): Unwritable | undefined {
  const cannot = (error: unknown): Unwritable => ({ severity: 'error', message: `cannot write (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); ${writer.lost}` });
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
  if (!isWithin(realRoot, real)) return { severity: 'warning', message: `${writer.refused}: it leads outside the project (to ${real}), and ${writer.option} never writes there` };
  try {
    accessSync(real, constants.W_OK);
  } catch (error) {
    return cannot(error);
  }
  return undefined;
}
