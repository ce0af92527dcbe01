import type { Project } from '../project/project';
import { parseTemplate, type TemplateDocument } from './document';
import { parseFilterExpression, type FilterExpression } from './filters';
import { tagArgument, tagBits, type TagBit } from './tag-arguments';
import { isTemplateFile } from './template-files';

/**
 * What the project's templates pass a filter or a simple tag: only literals (`{% icon "cog" %}`,
 * `{% sort_link request _("Name") %}`, `{{ name|wrap_in:"strong" }}`, or nothing, so a literal
 * default), a variable at least once, or nothing at all (no template uses it).
 */
export type PassedToTag = 'literals' | 'variables' | 'unused';

/** A simple tag's parameter as its uses bind it. */
export interface TagParameter {
  /** The tag's name in templates. */
  tag: string;
  name: string;
  /** Its place among the arguments a template writes (after `context` for a tag that takes it). */
  position: number;
  /** It has a default written as a literal (what an omitted argument takes). */
  literalDefault: boolean;
}

export function passedToTagParameter(project: Project, parameter: TagParameter): PassedToTag {
  return remembered(project, `${parameter.tag}\0${parameter.name}\0${parameter.position}\0${parameter.literalDefault}`, () => judgeTagUses(project, parameter));
}

/** What the project's templates write as a filter's argument, in variables and in tags' arguments (`{% with t=name|wrap_in:"em" %}`). */
export function passedToFilterArgument(project: Project, filter: string): PassedToTag {
  return remembered(project, `|${filter}`, () => judgeFilterUses(project, filter));
}

const byProject = new WeakMap<Project, Map<string, PassedToTag>>();

/** One verdict per project and question: every finding in a module asks again. */
function remembered(project: Project, key: string, judge: () => PassedToTag): PassedToTag {
  let known = byProject.get(project);
  if (!known) {
    known = new Map();
    byProject.set(project, known);
  }
  let verdict = known.get(key);
  if (verdict === undefined) {
    verdict = judge();
    known.set(key, verdict);
  }
  return verdict;
}

function judgeTagUses(project: Project, parameter: TagParameter): PassedToTag {
  let used = false;
  for (const { text, doc } of templatesMentioning(project, parameter.tag)) {
    for (const node of doc.nodes) {
      if (node.role !== 'block' || node.tag !== parameter.tag) continue;
      used = true;
      const argument = argumentFor(tagBits(node, text).slice(1), parameter);
      if (argument === undefined ? !parameter.literalDefault : argument === null || !isLiteral(argument)) return 'variables';
    }
  }
  return used ? 'literals' : 'unused';
}

function judgeFilterUses(project: Project, filter: string): PassedToTag {
  let used = false;
  for (const { text, doc } of templatesMentioning(project, filter)) {
    for (const node of doc.nodes) {
      const expressions = node.role === 'var' ? [parseFilterExpression(node, text)] : node.role === 'block' ? tagBits(node, text).map((bit) => tagArgument(bit)?.expression) : [];
      for (const expression of expressions) {
        for (const use of expression?.filters ?? []) {
          if (use.name !== filter || !use.arg) continue;
          used = true;
          if (use.arg.kind === 'variable') return 'variables';
        }
      }
    }
  }
  return used ? 'literals' : 'unused';
}

/** The project's templates whose text names `word`, parsed. */
function* templatesMentioning(project: Project, word: string): Generator<{ text: string; doc: TemplateDocument }> {
  for (const file of project.files) {
    if (!isTemplateFile(project, file)) continue;
    const text = project.store.get(file)?.text;
    if (text?.includes(word)) yield { text, doc: parseTemplate(text) };
  }
}

/**
 * The expression bound to the parameter, by keyword or position: undefined when the use
 * leaves it out, null when it cannot be read.
 */
function argumentFor(bits: TagBit[], parameter: TagParameter): FilterExpression | null | undefined {
  // `{% tag a b as name %}` stores the output instead of printing it: `as name` is no argument.
  const args = bits.length >= 2 && bits[bits.length - 2].text === 'as' ? bits.slice(0, -2) : bits;
  let position = 0;
  for (const bit of args) {
    const argument = tagArgument(bit);
    if (argument?.keyword !== undefined) {
      if (argument.keyword === parameter.name) return argument.expression;
      continue;
    }
    if (position === parameter.position) return argument?.expression ?? null;
    position++;
  }
  return undefined;
}

/** A string, a number, `True`/`False`/`None` or `_("…")`, through filters whose arguments are literals too. */
function isLiteral(expression: FilterExpression): boolean {
  const head = expression.head;
  const constant = head.kind !== 'variable' || head.text === 'True' || head.text === 'False' || head.text === 'None';
  return constant && expression.filters.every((use) => use.arg?.kind !== 'variable');
}
