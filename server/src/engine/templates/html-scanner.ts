import { AnalysisLimit } from '../limits';
import type { TemplateDocument, TemplateNode } from './document';

/** One piece of an attribute value: literal text, or a template tag or variable. */
export type ValuePart = { kind: 'text'; start: number; end: number; text: string } | { kind: 'template'; node: TemplateNode };

export interface HtmlAttribute {
  /** Lower-cased literal name; '' when a template tag or variable makes up (part of) the name. */
  name: string;
  nameStart: number;
  /** `"` or `'` for a quoted value, '' for an unquoted one, undefined when there is no value. */
  quote?: '"' | "'" | '';
  /** Offsets of the value without its quotes. */
  valueStart?: number;
  valueEnd?: number;
  parts: ValuePart[];
}

export interface HtmlTag {
  /** Lower-cased literal name; '' when a template variable makes up the name. */
  name: string;
  closing: boolean;
  /** Offset of `<`. */
  start: number;
  /** Offset just past `>`. */
  end: number;
  selfClosing: boolean;
  attributes: HtmlAttribute[];
  /** Inside `{% verbatim %}`: text Django prints as it is, usually a client-side template. */
  verbatim: boolean;
}

/** Where a `{{ }}` variable ends up in the HTML. */
export type VarContext =
  | { kind: 'data' }
  | { kind: 'attribute-value'; tag: HtmlTag; attribute: HtmlAttribute }
  | { kind: 'attribute-name'; tag: HtmlTag }
  | { kind: 'tag-name' }
  | { kind: 'script'; element: RawTextElement }
  | { kind: 'style'; element: RawTextElement }
  /** `<textarea>` and `<title>`: text that is escaped like data. */
  | { kind: 'rcdata' }
  | { kind: 'html-comment' };

/** A `<script>` or `<style>` element and the template nodes inside its body. */
export interface RawTextElement {
  tag: HtmlTag;
  bodyStart: number;
  /** Offset of the closing tag's `<`, or the end of the text when it never closes. */
  bodyEnd: number;
  /** Template nodes inside the body (variables, tags, comments and what they comment out), in order. */
  nodes: TemplateNode[];
}

/** A `{% include %}` inside a form: its template name when it is a string literal. */
export interface IncludeUse {
  node: TemplateNode;
  name?: string;
}

export interface FormElement {
  tag: HtmlTag;
  /**
   * Opened while another form is open: browsers ignore such a start tag, and its fields
   * belong to the outer form.
   */
  nested: boolean;
  /** A `{% csrf_token %}` renders inside the body (in at least one branch). */
  hasToken: boolean;
  /** Templates included inside the body; any of them may render the token. */
  includes: IncludeUse[];
  /**
   * Nodes inside the body that may render a token this file does not show: a
   * `{% block %}` a child template can fill, `{{ block.super }}`, a form-rendering tag.
   */
  opaque: TemplateNode[];
  /** The other tags used inside the body: one the project defines may render a template holding the token (see customTagRendersToken). */
  tags: TemplateNode[];
  /** Submit buttons in the body (`<button>`, `<input type="submit">`, or one whose type the template computes). */
  submitters: number;
  /** Their tags, in order: each may send the form elsewhere (`formaction`) or be what a script handles (`id`). */
  submitterTags: HtmlTag[];
  /** Controls in the body (`<input>`, `<select>`, `<textarea>`, `<button>`) and variables that may render some (`{{ form }}`). */
  controls: number;
}

export interface CsrfTokenUse {
  node: TemplateNode;
  /** The innermost forms it sits in (several when a form opens differently in `{% if %}` branches). */
  forms: FormElement[];
}

export interface HtmlContext {
  /** Throws AnalysisLimit when the template holds more than MAX_OPEN_FORMS forms open at once (see scanHtml). */
  forms: FormElement[];
  scripts: RawTextElement[];
  styles: RawTextElement[];
  /** Throws AnalysisLimit like `forms`. */
  tokens: CsrfTokenUse[];
  /** The context of every `{{ }}` variable that renders. */
  vars: Map<TemplateNode, VarContext>;
}

/**
 * Forms open at once (nested, or opened in many `{% if %}` branches) beyond which forms are
 * not followed: each tag inside them updates every one, and no real template comes near.
 */
export const MAX_OPEN_FORMS = 64;

/** Tags whose use inside a form may render a CSRF token that this template does not show. */
const TOKEN_RENDERING_TAGS = new Set([
  // django-crispy-forms renders the <form> element and its token itself.
  'crispy',
]);

const enum State {
  Data,
  TagOpen,
  TagName,
  BeforeAttrName,
  AttrName,
  AfterAttrName,
  BeforeAttrValue,
  ValueDouble,
  ValueSingle,
  ValueUnquoted,
  AfterValueQuoted,
  SelfClosing,
  Comment,
  Bogus,
  RawText,
}

type Group = FormElement[];

interface BranchFrame {
  /** The tag that opened it: if, ifequal, ifnotequal, ifchanged, for. */
  opener: string;
  before: Group[];
  ends: Group[][];
  /** An else (or empty) branch was seen: some branch always runs. */
  exhaustive: boolean;
}

const BRANCH_OPENERS = new Map<string, { alternatives: Set<string>; close: string }>([
  ['if', { alternatives: new Set(['elif', 'else']), close: 'endif' }],
  ['ifequal', { alternatives: new Set(['else']), close: 'endifequal' }],
  ['ifnotequal', { alternatives: new Set(['else']), close: 'endifnotequal' }],
  ['ifchanged', { alternatives: new Set(['else']), close: 'endifchanged' }],
  ['for', { alternatives: new Set(['empty']), close: 'endfor' }],
]);
const BRANCH_CLOSERS = new Map([...BRANCH_OPENERS].map(([opener, info]) => [info.close, opener]));

/** The first `code` in text[from, to), or -1; unlike indexOf it never looks past `to`. */
function find(text: string, code: number, from: number, to: number): number {
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === code) return i;
  return -1;
}

/** The first offset in [from, to) where `needle` starts and ends, or -1. */
function findString(text: string, needle: string, from: number, to: number): number {
  const first = needle.charCodeAt(0);
  for (let i = from; i + needle.length <= to; i++) if (text.charCodeAt(i) === first && text.startsWith(needle, i)) return i;
  return -1;
}

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 12 || code === 13;
}

function isAsciiAlpha(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/**
 * Follows the HTML tokenizer's states over the text of a template, with the template's
 * variables and tags as opaque pieces, to tell what surrounds each of them: open forms,
 * script and style bodies, attribute values and their quoting. Forms are tracked across
 * `{% if %}` branches: each branch starts from the forms open before it, and the forms
 * open after `{% endif %}` are those of any branch. Broken HTML never stops the scan.
 * Past MAX_OPEN_FORMS forms open at once the forms are not followed any further, and
 * reading `forms` or `tokens` throws AnalysisLimit: the rules that judge forms give up on
 * the template, the others still judge it.
 */
export function scanHtml(doc: TemplateDocument): HtmlContext {
  const text = doc.text;
  const forms: FormElement[] = [];
  const scripts: RawTextElement[] = [];
  const styles: RawTextElement[] = [];
  const tokens: CsrfTokenUse[] = [];
  const vars = new Map<TemplateNode, VarContext>();

  let state = State.Data as State;
  let tag: HtmlTag | undefined;
  let attribute: HtmlAttribute | undefined;
  let nameText = '';
  let raw: { element: RawTextElement; closer: string; kind: 'script' | 'style' | 'rcdata' } | undefined;
  let verbatim = false;

  const partials = partialsHoldingToken(doc);
  let open: Group[] = [];
  const frames: BranchFrame[] = [];
  /** Open frames by opener, so that an end tag without its opener costs nothing to pass over. */
  const openFrames = new Map<string, number>();
  /** Set once more than MAX_OPEN_FORMS forms are open at once: forms are not followed after that. */
  let formLimit: string | undefined;
  const checkOpenForms = () => {
    let count = 0;
    for (const group of open) count += group.length;
    if (count <= MAX_OPEN_FORMS) return;
    formLimit = `more than ${MAX_OPEN_FORMS} forms are open at once`;
    open = [];
    for (const frame of frames) {
      frame.before = [];
      frame.ends = [];
    }
  };

  const markOpenForms = (update: (form: FormElement) => void) => {
    for (const group of open) for (const form of group) update(form);
  };

  // Controls are counted once, globally: a form's are those counted between its opening and
  // closing tags (or the end), so nesting depth does not multiply the work.
  let controlCount = 0;
  const submitterTags: HtmlTag[] = [];
  const countedFrom = new Map<FormElement, [number, number]>();
  const countControls = (group: Group) => {
    for (const form of group) {
      const [controls, submitters] = countedFrom.get(form) ?? [controlCount, submitterTags.length];
      form.controls = controlCount - controls;
      form.submitters = submitterTags.length - submitters;
      form.submitterTags = submitterTags.slice(submitters);
    }
  };

  const startTag = (at: number, closing: boolean) => {
    tag = { name: '', closing, start: at, end: at, selfClosing: false, attributes: [], verbatim };
    nameText = '';
    attribute = undefined;
  };
  const startAttribute = (at: number) => {
    attribute = { name: '', nameStart: at, parts: [] };
    tag!.attributes.push(attribute);
  };
  const addText = (from: number, to: number) => {
    if (!attribute || to <= from) return;
    const last = attribute.parts[attribute.parts.length - 1];
    if (last && last.kind === 'text' && last.end === from) {
      last.end = to;
      last.text = text.slice(last.start, to);
    } else attribute.parts.push({ kind: 'text', start: from, end: to, text: text.slice(from, to) });
    attribute.valueEnd = to;
  };

  const emitTag = (end: number) => {
    const done = tag!;
    done.end = end;
    done.name = nameText === '\0' ? '' : nameText.toLowerCase();
    tag = undefined;
    attribute = undefined;
    state = State.Data;
    if (done.closing) {
      // A form inside {% verbatim %} belongs to a client-side template: it opens and closes nothing around it.
      if (done.name === 'form' && open.length > 0 && !done.verbatim) countControls(open.pop()!);
      return;
    }
    if (done.name === 'form') {
      if (formLimit) return;
      const form: FormElement = { tag: done, nested: open.length > 0, hasToken: false, includes: [], opaque: [], tags: [], submitters: 0, submitterTags: [], controls: 0 };
      forms.push(form);
      countedFrom.set(form, [controlCount, submitterTags.length]);
      if (!done.verbatim) open.push([form]);
      checkOpenForms();
    } else if ((done.name === 'button' || done.name === 'input' || done.name === 'select' || done.name === 'textarea') && open.length > 0) {
      controlCount++;
      if (done.name !== 'select' && done.name !== 'textarea' && isSubmitter(done)) submitterTags.push(done);
      if (done.name === 'textarea') enterRawText(done, end);
    } else if (done.name === 'script' || done.name === 'style' || done.name === 'textarea' || done.name === 'title') {
      enterRawText(done, end);
    }
  };

  const enterRawText = (done: HtmlTag, end: number) => {
    // NOTE: HTML ignores the slash of `<script src="…" />`: the element stays open.
    // https://html.spec.whatwg.org/multipage/parsing.html#parse-errors (non-void-html-element-start-tag-with-trailing-solidus)
    const element: RawTextElement = { tag: done, bodyStart: end, bodyEnd: text.length, nodes: [] };
    if (done.name === 'script') scripts.push(element);
    else if (done.name === 'style') styles.push(element);
    raw = { element, closer: `</${done.name}`, kind: done.name === 'script' ? 'script' : done.name === 'style' ? 'style' : 'rcdata' };
    state = State.RawText;
  };

  const scanText = (from: number, to: number) => {
    let i = from;
    while (i < to) {
      switch (state) {
        case State.Data: {
          const lt = find(text, 60 /* < */, i, to);
          if (lt === -1) return;
          i = lt + 1;
          state = State.TagOpen;
          startTag(lt, false);
          continue;
        }
        case State.TagOpen: {
          const c = text.charCodeAt(i);
          const lt = tag!.start;
          if (i !== lt + 1 && !(tag!.closing && i === lt + 2)) {
            state = State.Data;
            continue;
          }
          if (!tag!.closing && c === 47 /* / */) {
            tag!.closing = true;
            i++;
            continue;
          }
          if (isAsciiAlpha(c)) {
            state = State.TagName;
            continue;
          }
          if (!tag!.closing && c === 33 /* ! */) {
            if (text.startsWith('--', i + 1)) {
              state = State.Comment;
              i += 3;
              // `<!-->` and `<!--->` close at once.
              if (text.charCodeAt(i) === 62) {
                state = State.Data;
                i++;
              } else if (text.startsWith('->', i)) {
                state = State.Data;
                i += 2;
              }
            } else {
              state = State.Bogus;
              i++;
            }
            continue;
          }
          if (!tag!.closing && c === 63 /* ? */) {
            state = State.Bogus;
            continue;
          }
          if (tag!.closing) state = c === 62 ? State.Data : State.Bogus;
          else state = State.Data;
          if (c === 62 && tag!.closing) i++;
          tag = undefined;
          continue;
        }
        case State.TagName: {
          const c = text.charCodeAt(i);
          if (isSpace(c)) state = State.BeforeAttrName;
          else if (c === 47) state = State.SelfClosing;
          else if (c === 62) {
            emitTag(i + 1);
          } else if (nameText !== '\0') nameText += text[i];
          i++;
          continue;
        }
        case State.BeforeAttrName: {
          const c = text.charCodeAt(i);
          if (isSpace(c)) i++;
          else if (c === 47) {
            state = State.SelfClosing;
            i++;
          } else if (c === 62) {
            emitTag(i + 1);
            i++;
          } else {
            startAttribute(i);
            attribute!.name = text[i].toLowerCase();
            state = State.AttrName;
            i++;
          }
          continue;
        }
        case State.AttrName: {
          const c = text.charCodeAt(i);
          if (isSpace(c)) state = State.AfterAttrName;
          else if (c === 47) state = State.SelfClosing;
          else if (c === 61 /* = */) state = State.BeforeAttrValue;
          else if (c === 62) emitTag(i + 1);
          else if (attribute!.name !== '\0') attribute!.name += text[i].toLowerCase();
          i++;
          continue;
        }
        case State.AfterAttrName: {
          const c = text.charCodeAt(i);
          if (isSpace(c)) i++;
          else if (c === 47) {
            state = State.SelfClosing;
            i++;
          } else if (c === 61) {
            state = State.BeforeAttrValue;
            i++;
          } else if (c === 62) {
            emitTag(i + 1);
            i++;
          } else state = State.BeforeAttrName;
          continue;
        }
        case State.BeforeAttrValue: {
          const c = text.charCodeAt(i);
          if (isSpace(c)) i++;
          else if (c === 34 || c === 39) {
            attribute!.quote = c === 34 ? '"' : "'";
            attribute!.valueStart = attribute!.valueEnd = i + 1;
            state = c === 34 ? State.ValueDouble : State.ValueSingle;
            i++;
          } else if (c === 62) {
            emitTag(i + 1);
            i++;
          } else {
            attribute!.quote = '';
            attribute!.valueStart = attribute!.valueEnd = i;
            state = State.ValueUnquoted;
          }
          continue;
        }
        case State.ValueDouble:
        case State.ValueSingle: {
          const close = find(text, state === State.ValueDouble ? 34 : 39, i, to);
          const stop = close === -1 ? to : close;
          addText(i, stop);
          if (stop === to) return;
          state = State.AfterValueQuoted;
          i = stop + 1;
          continue;
        }
        case State.ValueUnquoted: {
          let j = i;
          while (j < to) {
            const c = text.charCodeAt(j);
            if (isSpace(c) || c === 62) break;
            j++;
          }
          addText(i, j);
          if (j === to) return;
          if (text.charCodeAt(j) === 62) emitTag(j + 1);
          else state = State.BeforeAttrName;
          i = j + 1;
          continue;
        }
        case State.AfterValueQuoted: {
          const c = text.charCodeAt(i);
          if (isSpace(c)) {
            state = State.BeforeAttrName;
            i++;
          } else if (c === 47) {
            state = State.SelfClosing;
            i++;
          } else if (c === 62) {
            emitTag(i + 1);
            i++;
          } else state = State.BeforeAttrName;
          continue;
        }
        case State.SelfClosing: {
          if (text.charCodeAt(i) === 62) {
            tag!.selfClosing = true;
            emitTag(i + 1);
            i++;
          } else state = State.BeforeAttrName;
          continue;
        }
        case State.Comment: {
          const close = findString(text, '-->', i, to);
          // An unclosed comment goes on in the next text.
          if (close === -1) return;
          state = State.Data;
          i = close + 3;
          continue;
        }
        case State.Bogus: {
          const close = find(text, 62 /* > */, i, to);
          if (close === -1) return;
          state = State.Data;
          tag = undefined;
          i = close + 1;
          continue;
        }
        case State.RawText: {
          const closer = raw!.closer;
          let at = i;
          for (;;) {
            const lt = findString(text, '</', at, to);
            if (lt === -1 || lt + closer.length > to) {
              at = -1;
              break;
            }
            const after = text.charCodeAt(lt + closer.length);
            if (text.slice(lt, lt + closer.length).toLowerCase() === closer && (lt + closer.length === to || isSpace(after) || after === 47 || after === 62)) {
              at = lt;
              break;
            }
            at = lt + 2;
          }
          if (at === -1) return;
          raw!.element.bodyEnd = at;
          raw = undefined;
          startTag(at, true);
          nameText = closer.slice(2);
          state = State.BeforeAttrName;
          i = at + closer.length;
          continue;
        }
      }
    }
  };

  /** A template node inside the HTML: what it means for the tag being read, if any. */
  const templateInTag = (node: TemplateNode) => {
    switch (state) {
      case State.TagOpen:
        // `<{{ name }}` is a tag whose name the template computes.
        if (node.role === 'var') {
          state = State.TagName;
          nameText = '\0';
          vars.set(node, { kind: 'tag-name' });
        } else state = State.Data;
        return;
      case State.TagName:
        nameText = '\0';
        if (node.role === 'var') vars.set(node, { kind: 'tag-name' });
        return;
      case State.BeforeAttrName:
      case State.AfterAttrName:
      case State.AfterValueQuoted:
      case State.SelfClosing:
        if (node.role === 'var') {
          // `<input {{ attrs }}>`: the variable writes attribute names, maybe values too.
          startAttribute(node.start);
          attribute!.name = '\0';
          state = State.AttrName;
          vars.set(node, { kind: 'attribute-name', tag: tag! });
        } else state = State.BeforeAttrName;
        return;
      case State.AttrName:
        // A tag such as `{% endif %}` right after a name prints nothing; a variable is part of the name.
        if (node.role === 'var') {
          attribute!.name = '\0';
          vars.set(node, { kind: 'attribute-name', tag: tag! });
        }
        return;
      case State.BeforeAttrValue:
        attribute!.quote = '';
        attribute!.valueStart = node.start;
        state = State.ValueUnquoted;
        attribute!.parts.push({ kind: 'template', node });
        attribute!.valueEnd = node.end;
        if (node.role === 'var') vars.set(node, { kind: 'attribute-value', tag: tag!, attribute: attribute! });
        return;
      default:
        return;
    }
  };

  const branchTag = (node: TemplateNode) => {
    const opener = BRANCH_OPENERS.get(node.tag);
    if (opener) {
      frames.push({ opener: node.tag, before: open.slice(), ends: [], exhaustive: false });
      openFrames.set(node.tag, (openFrames.get(node.tag) ?? 0) + 1);
      return;
    }
    const frame = frames[frames.length - 1];
    if (frame && BRANCH_OPENERS.get(frame.opener)!.alternatives.has(node.tag)) {
      frame.ends.push(open);
      open = frame.before.slice();
      if (node.tag !== 'elif') frame.exhaustive = true;
      return;
    }
    const closes = BRANCH_CLOSERS.get(node.tag);
    // A stray end tag (broken template) closes nothing; a missing one is closed here.
    if (closes === undefined || !openFrames.get(closes)) return;
    let index = frames.length - 1;
    while (frames[index].opener !== closes) index--;
    while (frames.length > index) closeFrame(frames.pop()!);
  };

  const closeFrame = (frame: BranchFrame) => {
    openFrames.set(frame.opener, openFrames.get(frame.opener)! - 1);
    frame.ends.push(open);
    if (!frame.exhaustive) frame.ends.push(frame.before);
    open = mergeBranches(frame.ends);
    checkOpenForms();
  };

  const blockTag = (node: TemplateNode) => {
    if (node.tag === 'csrf_token') {
      markOpenForms((form) => (form.hasToken = true));
      if (open.length > 0) tokens.push({ node, forms: open[open.length - 1].slice() });
    } else if (node.tag === 'include') {
      const name = includeName(node.contents);
      markOpenForms((form) => form.includes.push({ node, name }));
    } else if (node.tag === 'partial') {
      // Django 6.0's template partials (django-template-partials before): `{% partial name %}`
      // renders the `{% partialdef name %}` of this template here.
      const held = partials.get(/^\S+\s+(\S+)/.exec(node.contents)?.[1] ?? '');
      if (held === true) markOpenForms((form) => (form.hasToken = true));
      else if (held === undefined) markOpenForms((form) => form.opaque.push(node));
    } else if (node.tag === 'block' || TOKEN_RENDERING_TAGS.has(node.tag)) {
      markOpenForms((form) => form.opaque.push(node));
    } else {
      if (open.length > 0 && !BRANCH_OPENERS.has(node.tag) && !BRANCH_CLOSERS.has(node.tag)) markOpenForms((form) => form.tags.push(node));
      branchTag(node);
    }
  };

  for (const node of doc.nodes) {
    if (node.role === 'comment' || node.role === 'commented-out') {
      if (state === State.RawText) raw!.element.nodes.push(node);
      continue;
    }
    if (node.role === 'text') {
      verbatim = node.verbatim;
      scanText(node.start, node.end);
      continue;
    }
    if (node.role === 'block') blockTag(node);
    else if (open.length > 0 && /^block\.super\b/.test(node.contents)) markOpenForms((form) => form.opaque.push(node));
    // NOTE: the token written by hand, `<input type="hidden" name="csrfmiddlewaretoken" value="{{ csrf_token }}">`.
    // https://docs.djangoproject.com/en/stable/ref/csrf/#django.template.context_processors.csrf
    else if (open.length > 0 && node.contents === 'csrf_token') markOpenForms((form) => (form.hasToken = true));

    switch (state) {
      case State.Data:
        if (node.role === 'var') {
          vars.set(node, { kind: 'data' });
          if (open.length > 0) controlCount++;
        }
        break;
      case State.RawText:
        raw!.element.nodes.push(node);
        if (node.role === 'var') vars.set(node, raw!.kind === 'rcdata' ? { kind: 'rcdata' } : { kind: raw!.kind, element: raw!.element });
        break;
      case State.Comment:
        if (node.role === 'var') vars.set(node, { kind: 'html-comment' });
        break;
      case State.Bogus:
        break;
      case State.ValueDouble:
      case State.ValueSingle:
      case State.ValueUnquoted:
        attribute!.parts.push({ kind: 'template', node });
        attribute!.valueEnd = node.end;
        if (node.role === 'var') vars.set(node, { kind: 'attribute-value', tag: tag!, attribute: attribute! });
        break;
      default:
        templateInTag(node);
    }
  }
  while (frames.length > 0) closeFrame(frames.pop()!);
  for (const group of open) countControls(group);
  const followed = <T>(value: T): T => {
    if (formLimit) throw new AnalysisLimit(formLimit);
    return value;
  };
  return {
    get forms() {
      return followed(forms);
    },
    get tokens() {
      return followed(tokens);
    },
    scripts,
    styles,
    vars,
  };
}

/**
 * The forms open after a set of branches: the groups every branch still shares, then,
 * level by level, the forms any branch left open there.
 */
function mergeBranches(ends: Group[][]): Group[] {
  let shared = 0;
  // Loops, not Math.min(...): an {% if %} may have more branches than a call has room for arguments.
  let shortest = Infinity;
  let deepest = 0;
  for (const end of ends) {
    shortest = Math.min(shortest, end.length);
    deepest = Math.max(deepest, end.length);
  }
  while (shared < shortest && ends.every((e) => e[shared] === ends[0][shared])) shared++;
  const merged = ends[0].slice(0, shared);
  for (let level = shared; level < deepest; level++) {
    const group = new Set<FormElement>();
    for (const end of ends) for (const form of end[level] ?? []) group.add(form);
    if (group.size > 0) merged.push([...group]);
  }
  return merged;
}

/** The template name of `{% include "name" %}` (or `extends`), when it is a string literal. */
/**
 * The partials a template defines (`{% partialdef name %}` … `{% endpartialdef %}`), by name,
 * and whether each renders the CSRF token (`{% csrf_token %}`, or the hand-written field).
 */
function partialsHoldingToken(doc: TemplateDocument): Map<string, boolean> {
  const partials = new Map<string, boolean>();
  // Every template is scanned on every change; few define partials.
  if (!doc.text.includes('partialdef')) return partials;
  const defining: string[] = [];
  for (const node of doc.nodes) {
    if (node.role === 'block' && node.tag === 'partialdef') {
      const name = /^\S+\s+(\S+)/.exec(node.contents)?.[1];
      if (name) {
        defining.push(name);
        partials.set(name, partials.get(name) ?? false);
      }
    } else if (node.role === 'block' && node.tag === 'endpartialdef') defining.pop();
    else if (defining.length > 0 && ((node.role === 'block' && node.tag === 'csrf_token') || (node.role === 'var' && node.contents === 'csrf_token'))) {
      // A partial holding the token renders it wherever a partial defined around it is used.
      for (const name of defining) partials.set(name, true);
    }
  }
  return partials;
}

export function includeName(contents: string): string | undefined {
  const match = /^\S+\s+(?:"([^"]*)"|'([^']*)')(?=\s|$)/.exec(contents);
  return match ? (match[1] ?? match[2]) : undefined;
}

/** The literal text of an attribute value, or undefined when a template computes part of it. */
export function literalValue(attribute: HtmlAttribute | undefined): string | undefined {
  if (!attribute || attribute.quote === undefined) return undefined;
  let value = '';
  for (const part of attribute.parts) {
    if (part.kind === 'template') return undefined;
    value += part.text;
  }
  return value;
}

/** A `<button>` that submits (no type, `submit`, or a computed one) or an `<input type="submit|image">`. */
function isSubmitter(tag: HtmlTag): boolean {
  const type = attributeOf(tag, 'type');
  if (!type) return tag.name === 'button';
  const literal = type.quote === undefined ? '' : literalValue(type);
  if (literal === undefined) return true;
  const value = literal.trim().toLowerCase();
  return tag.name === 'button' ? value !== 'button' && value !== 'reset' : value === 'submit' || value === 'image';
}

/** The first attribute of that name, as browsers read duplicates. */
export function attributeOf(tag: HtmlTag, name: string): HtmlAttribute | undefined {
  return tag.attributes.find((a) => a.name === name);
}
