import { TextDocumentEdit, type WorkspaceEdit } from 'vscode-languageserver/node';
import type { EditData } from './diagnostics';

/**
 * One workspace edit from edits across files. With `documentChanges` each open document
 * is pinned to the version the edits were computed for, so the editor rejects a stale edit.
 */
export function toWorkspaceEdit(edits: readonly EditData[], versionOf: (uri: string) => number | null, documentChanges: boolean): WorkspaceEdit {
  const byUri = new Map<string, EditData[]>();
  for (const edit of edits) {
    const list = byUri.get(edit.uri) ?? [];
    list.push(edit);
    byUri.set(edit.uri, list);
  }
  const strip = (list: EditData[]) => list.map(({ range, newText }) => ({ range, newText }));
  if (documentChanges) {
    return {
      documentChanges: [...byUri].map(([uri, list]) => TextDocumentEdit.create({ uri, version: versionOf(uri) }, strip(list))),
    };
  }
  return { changes: Object.fromEntries([...byUri].map(([uri, list]) => [uri, strip(list)])) };
}
