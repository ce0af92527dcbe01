import type { Project } from '../project/project';
import { parseTemplate } from './document';
import { isTemplateFile } from './template-files';

/**
 * What the project's templates pass one parameter of a simple tag: only literals
 * (`{% icon "cog" %}`, `{% sort_link request _("Name") %}`, or nothing, so its literal
 * default), a variable at least once, or nothing at all (no template uses the tag).
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

const byProject = new WeakMap<Project, Map<string, PassedToTag>>();

export function passedToTagParameter(project: Project, parameter: TagParameter): PassedToTag {
  return remembered(project, `${parameter.tag}\0${parameter.name}\0${parameter.position}\0${parameter.literalDefault}`, () => judgeUses(project, parameter));
}

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

function judgeUses(project: Project, parameter: TagParameter): PassedToTag {
  let used = false;
  for (const file of project.files) {
    if (!isTemplateFile(project, file)) continue;
    const text = project.store.get(file)?.text;
    if (!text?.includes(parameter.tag)) continue;
    for (const node of parseTemplate(text).nodes) {
      if (node.role !== 'block' || node.tag !== parameter.tag) continue;
      used = true;
      const argument = argumentFor(bitsOf(node.contents).slice(1), parameter);
      if (argument === undefined ? !parameter.literalDefault : !LITERAL_ARGUMENT.test(argument)) return 'variables';
    }
  }
  return used ? 'literals' : 'unused';
}

/** A tag's contents split as Django splits them: at spaces outside quotes. */
function bitsOf(contents: string): string[] {
  return contents.match(/(?:[^\s"']+|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')+/g) ?? [];
}

/** The argument bound to the parameter, by keyword or position; undefined when the use leaves it out. */
function argumentFor(bits: string[], parameter: TagParameter): string | undefined {
  // `{% tag a b as name %}` stores the output instead of printing it: `as name` is no argument.
  const args = bits.length >= 2 && bits[bits.length - 2] === 'as' ? bits.slice(0, -2) : bits;
  let position = 0;
  for (const bit of args) {
    const keyword = /^(\w+)=(.*)$/s.exec(bit);
    if (keyword) {
      if (keyword[1] === parameter.name) return keyword[2];
      continue;
    }
    if (position === parameter.position) return bit;
    position++;
  }
  return undefined;
}

/**
 * What the project's templates write as a filter's argument (`{{ value|wrap_in:"strong" }}`,
 * in variables and in tags such as `{% with %}`): only literals, a variable at least once, or
 * nothing (no template uses the filter with an argument).
 */
export function passedToFilterArgument(project: Project, filter: string): PassedToTag {
  return remembered(project, `|${filter}`, () => judgeFilterUses(project, filter));
}

function judgeFilterUses(project: Project, filter: string): PassedToTag {
  const use = new RegExp(String.raw`\|\s*${filter}\s*:\s*(${LITERAL}|[^\s|}%,)]+)`, 'g');
  let used = false;
  for (const file of project.files) {
    if (!isTemplateFile(project, file)) continue;
    const text = project.store.get(file)?.text;
    if (!text?.includes(filter)) continue;
    for (const match of text.matchAll(use)) {
      used = true;
      if (!new RegExp(String.raw`^${LITERAL}$`).test(match[1])) return 'variables';
    }
  }
  return used ? 'literals' : 'unused';
}

const LITERAL = String.raw`(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|_\((?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')\)|-?\d+(?:\.\d+)?|True|False|None)`;
/** A string, a number, `True`/`False`/`None` or `_("…")`, through filters whose arguments are literals too. */
const LITERAL_ARGUMENT = new RegExp(String.raw`^${LITERAL}(?:\|\w+(?::${LITERAL})?)*$`);
