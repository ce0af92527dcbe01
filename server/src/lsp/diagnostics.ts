import { DiagnosticSeverity, DiagnosticTag, type Diagnostic } from 'vscode-languageserver/node';
import type { Finding, FixSafety, Range, Severity } from '../engine';
import { DIAGNOSTIC_SOURCE } from './protocol';

/** One text edit of a fix, addressed by URI. */
export interface EditData {
  uri: string;
  range: Range;
  newText: string;
}

export interface FixData {
  title: string;
  safety: FixSafety;
  edits: EditData[];
}

/**
 * What a diagnostic carries for the code-action handler: the fixes computed with it and
 * the document versions they were computed against, so a stale fix is refused.
 */
export interface DiagnosticData {
  /** Version of the diagnostic's own document at analysis time; null when it was not open. */
  version: number | null;
  /** Versions of every document the fixes edit, at analysis time (null: not open). */
  versions: Record<string, number | null>;
  fixes: FixData[];
}

/** Rules about something obsolete: editors strike the reported text through. */
const DEPRECATED_CODES = new Set(['DJH118', 'DJH208']);

const SEVERITIES: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
};

/** Renders a finding as an LSP diagnostic carrying its fixes. */
export function toDiagnostic(finding: Finding, uriOf: (file: string) => string, versionOf: (file: string) => number | null, docsHref: (code: string) => string): Diagnostic {
  const fixes: FixData[] = finding.fixes.map((fix) => ({
    title: fix.title,
    safety: fix.safety,
    edits: fix.edits.map((edit) => ({ uri: uriOf(edit.file), range: edit.range, newText: edit.newText })),
  }));
  const versions: Record<string, number | null> = { [uriOf(finding.file)]: versionOf(finding.file) };
  for (const fix of finding.fixes) for (const edit of fix.edits) versions[uriOf(edit.file)] = versionOf(edit.file);
  const data: DiagnosticData = { version: versionOf(finding.file), versions, fixes };
  const diagnostic: Diagnostic = {
    range: finding.range,
    severity: SEVERITIES[finding.severity],
    code: finding.code,
    codeDescription: { href: docsHref(finding.code) },
    source: DIAGNOSTIC_SOURCE,
    message: finding.message,
    data,
  };
  if (DEPRECATED_CODES.has(finding.code)) diagnostic.tags = [DiagnosticTag.Deprecated];
  if (finding.related.length > 0) {
    diagnostic.relatedInformation = finding.related.map((related) => ({
      location: { uri: uriOf(related.file), range: related.range },
      message: related.message,
    }));
  }
  return diagnostic;
}

/** The data of one of our diagnostics as the editor sent it back, or undefined when it is not ours or malformed. */
export function readDiagnosticData(diagnostic: Diagnostic): DiagnosticData | undefined {
  if (diagnostic.source !== DIAGNOSTIC_SOURCE) return undefined;
  const data = diagnostic.data as Partial<DiagnosticData> | undefined;
  if (!data || typeof data !== 'object') return undefined;
  if (!(data.version === null || typeof data.version === 'number')) return undefined;
  if (!data.versions || typeof data.versions !== 'object' || !Array.isArray(data.fixes)) return undefined;
  const validEdit = (edit: EditData) => edit && typeof edit.uri === 'string' && typeof edit.newText === 'string' && isRange(edit.range);
  const validFix = (fix: FixData) => fix && typeof fix.title === 'string' && Array.isArray(fix.edits) && fix.edits.every(validEdit);
  if (!data.fixes.every(validFix)) return undefined;
  return data as DiagnosticData;
}

function isRange(range: Range | undefined): boolean {
  const isPosition = (p: unknown) => !!p && typeof (p as any).line === 'number' && typeof (p as any).character === 'number';
  return !!range && isPosition(range.start) && isPosition(range.end);
}
