/** Exit statuses, as ESLint and Ruff use them. */
export const EXIT_CLEAN = 0;
/** Findings remain, or a file could not be read or written. */
export const EXIT_FINDINGS = 1;
/** A usage error, nothing to check, or an internal failure. */
export const EXIT_USAGE = 2;
