import { CodeActionKind, type CodeAction, type CodeActionParams, type Diagnostic } from 'vscode-languageserver/node';
import { applyFixes, noqaEditor, type Finding, type Fix } from '../engine';
import { readDiagnosticData, type EditData } from './diagnostics';
import type { OpenDocument } from './open-document';
import { DIAGNOSTIC_SOURCE, FIX_ALL_KIND, HARDEN_KIND, SERVER_COMMANDS } from './protocol';
import { toWorkspaceEdit } from './workspace-edit';

/** What the code-action builder needs from the server. */
export interface CodeActionContext {
  document: OpenDocument;
  /** The current version of an open document, null when it is not open. */
  versionOf(uri: string): number | null;
  /** The latest findings of the document's file, with the version they were computed for. */
  latestFindings(): { findings: Finding[]; version: number | null } | undefined;
  uriOf(file: string): string;
  documentChanges: boolean;
  log(message: string): void;
  /** The production modules the document belongs to that "Harden settings" would change, with how many fixes. */
  hardenTargets(): { uri: string; label: string; fixes: number }[];
}

/** Whether an action of `kind` was asked for (`only` lists kinds or their parents). */
export function kindRequested(only: string[] | undefined, kind: string, includeWhenUnrestricted: boolean): boolean {
  if (!only || only.length === 0) return includeWhenUnrestricted;
  return only.some((requested) => kind === requested || kind.startsWith(requested + '.'));
}

/**
 * The quick fixes of our diagnostics (one per engine fix, plus "Ignore … on this line") and
 * the safe-only fix-all source action. Diagnostics computed for another document version
 * are refused: their edits would land on the wrong text.
 */
export function codeActions(params: CodeActionParams, ctx: CodeActionContext): CodeAction[] {
  const actions: CodeAction[] = [];
  if (kindRequested(params.context.only, CodeActionKind.QuickFix, true)) {
    for (const diagnostic of params.context.diagnostics) actions.push(...quickFixes(diagnostic, ctx));
    actions.push(...documentationActions(params.context.diagnostics));
  }
  if (kindRequested(params.context.only, HARDEN_KIND, true)) {
    for (const target of ctx.hardenTargets()) {
      const title = `Harden ${target.label} (${target.fixes} fix${target.fixes === 1 ? '' : 'es'})`;
      actions.push({ title, kind: HARDEN_KIND, command: { title, command: SERVER_COMMANDS.hardenSettings, arguments: [target.uri] } });
    }
  }
  if (kindRequested(params.context.only, FIX_ALL_KIND, false)) {
    const fixAll = fixAllAction(ctx);
    if (fixAll) actions.push(fixAll);
  }
  return actions;
}

function quickFixes(diagnostic: Diagnostic, ctx: CodeActionContext): CodeAction[] {
  const data = readDiagnosticData(diagnostic);
  if (!data) return [];
  const { document } = ctx;
  if (data.version !== document.version) {
    ctx.log(`refusing code actions for ${document.uri}: computed for version ${data.version}, the document is at ${document.version}`);
    return [];
  }
  for (const [uri, version] of Object.entries(data.versions)) {
    if (ctx.versionOf(uri) !== version) {
      ctx.log(`refusing code actions for ${document.uri}: ${uri} changed since they were computed`);
      return [];
    }
  }
  const actions: CodeAction[] = data.fixes
    .filter((fix) => fix.edits.length > 0)
    .map((fix, _, all) => ({
      title: fix.title,
      kind: CodeActionKind.QuickFix,
      diagnostics: [diagnostic],
      isPreferred: all.length === 1,
      edit: toWorkspaceEdit(fix.edits, (uri) => data.versions[uri] ?? null, ctx.documentChanges),
    }));
  const code = typeof diagnostic.code === 'string' ? diagnostic.code : undefined;
  if (code) {
    const line = diagnostic.range.start.line;
    const edit = document.isPython ? document.source() && noqaEditor(document.text, 'python', document.currentSyntax()).edit(line, code) : noqaEditor(document.text, 'template').edit(line, code);
    if (edit) {
      actions.push({
        title: `Ignore ${code} on this line`,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        edit: toWorkspaceEdit([{ uri: document.uri, ...edit }], () => document.version, ctx.documentChanges),
      });
    }
  }
  return actions;
}

/** "Show documentation for DJHnnn", once per code among our diagnostics. */
function documentationActions(diagnostics: Diagnostic[]): CodeAction[] {
  const codes = new Map<string, Diagnostic[]>();
  for (const diagnostic of diagnostics) {
    if (diagnostic.source !== DIAGNOSTIC_SOURCE || typeof diagnostic.code !== 'string') continue;
    codes.set(diagnostic.code, [...(codes.get(diagnostic.code) ?? []), diagnostic]);
  }
  return [...codes].map(([code, related]) => {
    const title = `Show documentation for ${code}`;
    return { title, kind: CodeActionKind.QuickFix, diagnostics: related, command: { title, command: SERVER_COMMANDS.showRuleDocumentation, arguments: [code] } };
  });
}

/** Every safe fix of the document's current findings that does not clash with another. */
function fixAllAction(ctx: CodeActionContext): CodeAction | undefined {
  const latest = ctx.latestFindings();
  if (!latest || latest.version !== ctx.document.version) return undefined;
  const safe: Fix[] = latest.findings.flatMap((finding) => finding.fixes.filter((fix) => fix.safety === 'safe').slice(0, 1));
  if (safe.length === 0) return undefined;
  const { applied } = applyFixes(safe, () => undefined);
  const edits: EditData[] = applied.flatMap((fix) => fix.edits.map((edit) => ({ uri: ctx.uriOf(edit.file), range: edit.range, newText: edit.newText })));
  if (edits.length === 0) return undefined;
  return {
    title: 'Fix all safe Django Hardener problems',
    kind: FIX_ALL_KIND,
    edit: toWorkspaceEdit(edits, ctx.versionOf, ctx.documentChanges),
  };
}
