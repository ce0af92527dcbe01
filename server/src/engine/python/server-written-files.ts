import path from 'node:path';
import type { Node } from '../parse/python';
import type { Project } from '../project/project';
import { analysisOfFile, type ModuleAnalysis } from './module-analysis';
import { callArguments, unwrap } from './syntax';

/**
 * Whether the server itself writes a model's file field: code of the model's app calls
 * `<obj>.<field>.save(name, content)` with content that does not come from the request (a
 * generated report, an export, a payload). Such a field holds what the application wrote,
 * not what users uploaded.
 */

/** How far below the app's folder files are read, and how many at most. */
const MAX_FILES = 400;

/** Where the server writes `field` with content of its own, or undefined when nothing shows it. */
export function serverWrite(project: Project, modelFile: string, module: ModuleAnalysis, field: string): Node | undefined {
  const needle = `.${field}.save(`;
  const own = writesIn(module, field, needle);
  if (own) return own;
  const app = appFolder(modelFile);
  let read = 0;
  for (const file of project.files) {
    if (file === modelFile || !file.endsWith('.py') || !file.startsWith(app + path.sep) || /(?:^|\/)(?:tests?|migrations)\//.test(project.relative(file))) continue;
    if (++read > MAX_FILES) break;
    const text = project.store.get(file)?.text;
    if (!text?.includes(needle)) continue;
    const other = analysisOfFile(project, file);
    const found = other && writesIn(other, field, needle);
    if (found) return found;
  }
  return undefined;
}

/** The app a models module belongs to: its folder, or the folder above a `models/` package. */
function appFolder(modelFile: string): string {
  const folder = path.dirname(modelFile);
  return path.basename(folder) === 'models' ? path.dirname(folder) : folder;
}

function writesIn(module: ModuleAnalysis, field: string, needle: string): Node | undefined {
  if (!module.tree.rootNode.text.includes(needle)) return undefined;
  for (const call of module.tree.rootNode.descendantsOfType('call')) {
    if (!call) continue;
    const fn = call.childForFieldName('function');
    if (fn?.type !== 'attribute' || fn.childForFieldName('attribute')?.text !== 'save') continue;
    const owner = unwrap(fn.childForFieldName('object')!);
    if (owner.type !== 'attribute' || owner.childForFieldName('attribute')?.text !== field) continue;
    const content =
      callArguments(call).filter((a) => a.type !== 'keyword_argument')[1] ??
      callArguments(call)
        .find((a) => a.childForFieldName('name')?.text === 'content')
        ?.childForFieldName('value');
    if (content && module.provenanceOf(content).trust !== 'untrusted') return call;
  }
  return undefined;
}
