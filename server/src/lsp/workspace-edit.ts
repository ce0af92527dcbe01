import { CreateFile, TextDocumentEdit, type ChangeAnnotation, type WorkspaceEdit } from 'vscode-languageserver/node';
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

/**
 * The "Harden settings" edit as VS Code's Refactor Preview shows it: every change ticked,
 * each a row the user can untick, nothing applied before **Apply**.
 *
 * NOTE: VS Code previews a workspace edit only when one of its changes needs confirmation,
 * and lists those changes unticked. So the text edits need none, and one more operation
 * does: creating the module's own file with `ignoreIfExists`, which the preview leaves out
 * (the file exists) and which changes nothing either way. Clients without a preview apply
 * the edit as it is: the text edits, and a no-op.
 */
export function hardenPreviewEdit(edits: readonly EditData[], versionOf: (uri: string) => number | null, moduleUri: string, module: string, fixes: number): WorkspaceEdit {
  const annotation: EditAnnotation = {
    id: 'djangoHardener.harden',
    label: `Harden ${module}`,
    description: `${fixes} settings fix${fixes === 1 ? '' : 'es'}; untick a change to leave it out`,
    needsConfirmation: false,
  };
  const review: EditAnnotation = { id: 'djangoHardener.harden.review', label: `Review the hardening of ${module}`, needsConfirmation: true };
  const { documentChanges = [], changeAnnotations = {} } = toWorkspaceEdit(edits, versionOf, true, annotation);
  const { id, ...reviewDescribed } = review;
  return {
    documentChanges: [CreateFile.create(moduleUri, { ignoreIfExists: true }, id), ...documentChanges],
    changeAnnotations: { ...changeAnnotations, [id]: reviewDescribed },
  };
}
