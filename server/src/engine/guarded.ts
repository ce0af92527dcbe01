import { AnalysisLimit } from './limits';

/**
 * Something an analysis of one file could not do: a rule or an analyzer that failed (a bug
 * of ours), or one that stopped at a documented limit. Its file's other findings, and the
 * other files', are reported all the same.
 */
export interface AnalysisNote {
  kind: 'failed' | 'limit';
  file: string;
  /** The rule concerned; undefined when the analysis of the whole file stopped (its parse, its analyzer). */
  code?: string;
  /** The analyzer, when the whole file's analysis stopped. */
  analyzer?: string;
  /** One line. */
  message: string;
  /** The stack of a failure, for logs. */
  detail?: string;
}

export interface AnalysisLog {
  (note: AnalysisNote): void;
}

/**
 * Runs one rule (or one analyzer) on one file. Whatever it throws is caught and reported
 * as a note, and costs nothing but its own findings: the guarantee that one rule giving up
 * on one file (a bug, a limit, the JavaScript stack) never costs the other rules or files
 * theirs.
 */
export function guarded<T>(log: AnalysisLog | undefined, where: { file: string; code?: string; analyzer?: string }, run: () => T[]): T[] {
  try {
    return run();
  } catch (error) {
    log?.(noteOf(error, where));
    return [];
  }
}

function noteOf(error: unknown, where: { file: string; code?: string; analyzer?: string }): AnalysisNote {
  if (error instanceof AnalysisLimit) return { kind: 'limit', ...where, message: error.message };
  // Recursion deeper than the stack: a limit the file reached, not a fault of its own.
  if (error instanceof RangeError && /call stack/i.test(error.message)) return { kind: 'limit', ...where, message: 'nested too deeply to follow (the stack ran out)' };
  const message = error instanceof Error ? error.message : String(error);
  return { kind: 'failed', ...where, message: message.split('\n')[0], detail: error instanceof Error ? error.stack : undefined };
}

/** What gave up: the rule's code, or `the python analysis`. */
export function noteSubject(note: AnalysisNote): string {
  return note.code ?? (note.analyzer ? `the ${note.analyzer} analysis` : 'the analysis');
}

/** A note as one line for a log: `DJH201 failed on app/views.py: …`. */
export function describeNote(note: AnalysisNote, show: (file: string) => string): string {
  return `${noteSubject(note)} ${note.kind === 'limit' ? 'stopped' : 'failed'} on ${show(note.file)}: ${note.message}`;
}
