import type { Project } from '../project/project';
import type { RelatedLocation } from '../types';
import { parseTemplate, type TemplateDocument, type TemplateNode } from './document';
import { includeName } from './html-scanner';
import { includersOf } from './output-kind';
import { tagArgument, tagBits } from './tag-arguments';
import { templateNamesOf } from './template-files';
import { TemplateScopes } from './template-scopes';
import { judgeExpression, type ValueJudgement, type ViewRoots } from './template-values';
import { viewRoots } from './view-context';

/**
 * `{% include "card.html" with body=post.body %}`: what the including templates pass to a
 * template by name, judged in the including template (its own bindings and what its views
 * pass; not further up the include chain). Only evidence of user data is taken from there:
 * the same template may be included elsewhere without `with`, with the whole context.
 */

interface Includer {
  file: string;
  doc: TemplateDocument;
  scopes: TemplateScopes;
  roots: ViewRoots;
  /** The include tags naming the template, each with its `with` arguments by keyword. */
  includes: { node: TemplateNode; args: Map<string, ReturnType<typeof tagArgument> & object> }[];
}

const documents = new WeakMap<Project, Map<string, TemplateDocument | undefined>>();
const includedValues = new WeakMap<Project, Map<string, Map<string, ValueJudgement | undefined>>>();

/** A template's context roots: what its views pass, and else the user data an including template passes with `with`. */
export function contextRoots(project: Project, file: string): ViewRoots {
  const views = viewRoots(project, file);
  let includers: Includer[] | undefined;
  return (name) => {
    const fromViews = views(name);
    if (fromViews) return fromViews;
    let byFile = includedValues.get(project);
    if (!byFile) {
      byFile = new Map();
      includedValues.set(project, byFile);
    }
    let values = byFile.get(file);
    if (!values) {
      values = new Map();
      byFile.set(file, values);
    }
    if (values.has(name)) return values.get(name);
    includers ??= includersNaming(project, file);
    const value = passedValue(includers, name);
    values.set(name, value);
    return value;
  };
}

function documentOf(project: Project, file: string): TemplateDocument | undefined {
  let byFile = documents.get(project);
  if (!byFile) {
    byFile = new Map();
    documents.set(project, byFile);
  }
  if (byFile.has(file)) return byFile.get(file);
  const text = project.store.get(file)?.text;
  const doc = text === undefined ? undefined : parseTemplate(text);
  byFile.set(file, doc);
  return doc;
}

function includersNaming(project: Project, file: string): Includer[] {
  const names = new Set(templateNamesOf(project, file));
  if (names.size === 0) return [];
  const found: Includer[] = [];
  for (const other of includersOf(project, [...names])) {
    if (other === file) continue;
    const doc = documentOf(project, other);
    if (!doc) continue;
    const includes: Includer['includes'] = [];
    for (const node of doc.nodes) {
      if (node.role !== 'block' || node.tag !== 'include' || !/\swith\s/.test(node.contents)) continue;
      const included = includeName(node.contents);
      if (included === undefined || !names.has(included.replace(/^\/+/, ''))) continue;
      const bits = tagBits(node, doc.text);
      const args = new Map<string, NonNullable<ReturnType<typeof tagArgument>>>();
      const from = bits.findIndex((bit) => bit.text === 'with');
      for (const bit of from < 0 ? [] : bits.slice(from + 1)) {
        const argument = tagArgument(bit);
        if (argument?.keyword) args.set(argument.keyword, argument);
      }
      if (args.size > 0) includes.push({ node, args });
    }
    if (includes.length > 0) found.push({ file: other, doc, scopes: new TemplateScopes(doc), roots: viewRoots(project, other), includes });
  }
  return found;
}

/** The user data one of the including templates passes as `name`, with its path. */
function passedValue(includers: readonly Includer[], name: string): ValueJudgement | undefined {
  let found: ValueJudgement | undefined;
  for (const includer of includers) {
    for (const { node, args } of includer.includes) {
      const argument = args.get(name);
      if (!argument) continue;
      const value = judgeExpression(argument.expression, includer.scopes, includer.scopes.scopeOf(node), node.start, includer.roots).value;
      if (value.trust === 'untrusted') {
        const step: RelatedLocation = { file: includer.file, range: includer.doc.range(node.start, node.end), message: `passed to the included template as \`${name}\`` };
        return { ...value, flow: value.flow ? [...value.flow, step] : undefined };
      }
      if (value.trust === 'stored' || value.model) found ??= value;
    }
  }
  return found;
}
