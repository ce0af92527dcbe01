import { TextDocumentEdit, type ChangeAnnotation, type WorkspaceEdit } from 'vscode-languageserver/node';
import type { EditData } from './diagnostics';

/** A label every edit of a workspace edit carries; with `needsConfirmation` the editor previews the edit first. */
export interface EditAnnotation extends ChangeAnnotation {
  id: string;
}

/**
 * One workspace edit from edits across files. With `documentChanges` each open document
 * is pinned to the version the edits were computed for, so the editor rejects a stale edit;
 * an annotation (only sent there, where clients read it) labels every edit.
 */
export function toWorkspaceEdit(edits: readonly EditData[], versionOf: (uri: string) => number | null, documentChanges: boolean, annotation?: EditAnnotation): WorkspaceEdit {
  const byUri = new Map<string, EditData[]>();
  for (const edit of edits) {
    const list = byUri.get(edit.uri) ?? [];
    list.push(edit);
    byUri.set(edit.uri, list);
  }
  const strip = (list: EditData[]) => list.map(({ range, newText }) => ({ range, newText }));
  if (documentChanges) {
    const annotate = (list: EditData[]) => (annotation ? strip(list).map((edit) => ({ ...edit, annotationId: annotation.id })) : strip(list));
    const documentEdits = [...byUri].map(([uri, list]) => TextDocumentEdit.create({ uri, version: versionOf(uri) }, annotate(list)));
    if (!annotation) return { documentChanges: documentEdits };
    const { id, ...described } = annotation;
    return { documentChanges: documentEdits, changeAnnotations: { [id]: described } };
  }
  return { changes: Object.fromEntries([...byUri].map(([uri, list]) => [uri, strip(list)])) };
}
