/** Where a command writes, and what paths are shown relative to. */
export interface CliIO {
  cwd: string;
  /** Machine-readable output (findings, diffs). */
  out(text: string): void;
  /** One human-readable line about the run (errors, warnings, notes, summaries). */
  err(line: string): void;
  /** Whether `out` is a terminal (colour in `--color auto`). */
  isTTY?: boolean;
  /** The environment (NO_COLOR, FORCE_COLOR, TERM). */
  env?: Readonly<Record<string, string | undefined>>;
}
