import picocolors from 'picocolors';

export type ColorMode = 'auto' | 'always' | 'never';
export const COLOR_MODES: readonly ColorMode[] = ['auto', 'always', 'never'];

export type Colors = ReturnType<typeof picocolors.createColors>;

/**
 * Whether text output is coloured: `always` and `never` decide; `auto` colours a terminal,
 * unless NO_COLOR is set to anything but the empty string (no-color.org) or TERM is `dumb`;
 * FORCE_COLOR (other than `0`) colours a pipe too.
 */
export function colorEnabled(mode: ColorMode, isTTY: boolean, env: Readonly<Record<string, string | undefined>>): boolean {
  if (mode !== 'auto') return mode === 'always';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  if (env.TERM === 'dumb') return false;
  return isTTY;
}

export function createColors(enabled: boolean): Colors {
  return picocolors.createColors(enabled);
}
