import { ALL_RULES, applyTextEdits, noqaEditor, type Finding, type NoqaEdit } from '../engine';
import type { SourceLines } from './source-lines';

export interface NoqaChanges {
  /** New text of every file that gets a comment. */
  texts: Map<string, string>;
  /** How many findings a comment silences, per file that gets one. */
  silenced: Map<string, number>;
  /** Findings whose line cannot take a comment (it ends inside a string, after a `\`, in `{% verbatim %}`). */
  skipped: Finding[];
}

const TEMPLATE_CODES = new Set(ALL_RULES.filter((rule) => rule.meta.scope === 'template').map((rule) => rule.meta.code));

/**
 * `--add-noqa`: one `# noqa: CODES` (templates: `{# noqa: CODES #}`) per reported line,
 * naming every code reported there, merged into a `noqa` comment the line already has, as
 * Ruff's `--add-noqa` does. Works in memory; the caller writes the files.
 */
export function addNoqaComments(findings: readonly Finding[], source: SourceLines): NoqaChanges {
  const byFile = new Map<string, Finding[]>();
  for (const finding of findings) byFile.set(finding.file, [...(byFile.get(finding.file) ?? []), finding]);
  const texts = new Map<string, string>();
  const skipped: Finding[] = [];
  const silenced = new Map<string, number>();
  for (const [file, fileFindings] of byFile) {
    const text = source.text(file);
    const template = fileFindings.every((f) => TEMPLATE_CODES.has(f.code));
    if (text === undefined || (!template && !file.endsWith('.py'))) {
      skipped.push(...fileFindings);
      continue;
    }
    const byLine = new Map<number, Finding[]>();
    for (const finding of fileFindings) byLine.set(finding.range.start.line, [...(byLine.get(finding.range.start.line) ?? []), finding]);
    const editor = noqaEditor(text, template ? 'template' : 'python');
    try {
      const edits: NoqaEdit[] = [];
      for (const [line, lineFindings] of byLine) {
        const codes = lineFindings.map((f) => f.code);
        const edit = editor.edit(line, codes);
        if (edit) {
          edits.push(edit);
          silenced.set(file, (silenced.get(file) ?? 0) + lineFindings.length);
        } else {
          skipped.push(...lineFindings);
        }
      }
      if (edits.length > 0) texts.set(file, applyTextEdits(text, edits));
    } finally {
      editor.dispose();
    }
  }
  return { texts, silenced, skipped };
}
