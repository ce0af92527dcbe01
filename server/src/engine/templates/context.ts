import type { Project } from '../project/project';
import { buildFinding, buildFix } from '../rules/finding';
import { noqaCodes } from '../suppression';
import type { Finding, Fix, FixSafety, RelatedLocation, RuleMeta, Severity } from '../types';
import type { TemplateDocument, TemplateNode } from './document';
import { parseFilterExpression, type FilterExpression } from './filters';
import { scanHtml, type HtmlContext } from './html-scanner';
import { templatesRenderedByTag } from './custom-tags';
import { templateRendersToken, type TokenVerdict } from './includes';
import { usesJinjaSyntax } from './jinja-syntax';
import { templateOutput, type TemplateOutput } from './output-kind';
import { templateProjectFacts, type TemplateProjectFacts } from './project-facts';
import { renderSitesOf } from './render-sites';
import { scriptHandlingIds } from './project-scripts';
import { urlNameCsrfExempt } from '../python/url-names';
import { templateNamesOf } from './template-files';
import { TemplateScopes } from './template-scopes';
import { contextRoots } from './include-context';
import { judgeExpression, type JudgedExpression, type ViewRoots } from './template-values';

/** An edit in the template, by offsets. */
export interface OffsetEdit {
  start: number;
  end: number;
  newText: string;
}

/** What the rules of one template share: the tokens, and the HTML scan made once on demand. */
export class TemplateFile {
  private scanned?: HtmlContext;
  private bound?: TemplateScopes;
  private judgedOutput?: TemplateOutput;
  private skipped?: boolean;
  private readonly expressions = new Map<TemplateNode, FilterExpression | undefined>();
  private roots?: ViewRoots;

  constructor(
    readonly project: Project,
    readonly file: string,
    readonly doc: TemplateDocument,
    /** The rules enabled for this analysis, so one rule can leave a case to another that reports it better. */
    readonly enabledCodes: ReadonlySet<string> = new Set(),
  ) {}

  get html(): HtmlContext {
    this.scanned ??= scanHtml(this.doc);
    return this.scanned;
  }

  get scopes(): TemplateScopes {
    this.bound ??= new TemplateScopes(this.doc);
    return this.bound;
  }

  get output(): TemplateOutput {
    this.judgedOutput ??= templateOutput(this.project, this.file, this.doc);
    return this.judgedOutput;
  }

  /** Jinja-only syntax, or text output: see TemplateRuleContext.notHtmlTemplate. */
  get notHtml(): boolean {
    this.skipped ??= usesJinjaSyntax(this.doc) || this.output.kind === 'text';
    return this.skipped;
  }

  /** What the views rendering this template pass for a name, read only when a rule asks about a name the template does not bind. */
  get views(): ViewRoots {
    this.roots ??= contextRoots(this.project, this.file);
    return this.roots;
  }

  /** A variable's expression as Django reads it; undefined when Django would reject it. Read once for all rules. */
  expressionOf(node: TemplateNode): FilterExpression | undefined {
    if (!this.expressions.has(node)) this.expressions.set(node, parseFilterExpression(node, this.doc.text));
    return this.expressions.get(node);
  }
}

/**
 * What a template rule sees: the template as Django's lexer splits it, where each piece
 * sits in the HTML, and what the project's settings and other templates say.
 */
export class TemplateRuleContext {
  constructor(
    readonly meta: RuleMeta,
    private readonly template: TemplateFile,
  ) {}

  get project(): Project {
    return this.template.project;
  }

  get file(): string {
    return this.template.file;
  }

  get doc(): TemplateDocument {
    return this.template.doc;
  }

  get text(): string {
    return this.template.doc.text;
  }

  get html(): HtmlContext {
    return this.template.html;
  }

  /**
   * Whether the file is not a Django HTML template after all: it uses Jinja-only syntax (a
   * Flask or Jinja2 template where Django looks), or it renders text (an email subject or
   * body, an SMS, robots.txt), where HTML escaping is not what keeps it safe. Rules ask just
   * before they report, since the answer may read the project's code; it is worked out once.
   */
  get notHtmlTemplate(): boolean {
    return this.template.notHtml;
  }

  get output(): TemplateOutput {
    return this.template.output;
  }

  get scopes(): TemplateScopes {
    return this.template.scopes;
  }

  /** A variable's expression as Django reads it; undefined when Django would reject it. */
  expressionOf(node: TemplateNode): FilterExpression | undefined {
    return this.template.expressionOf(node);
  }

  /** Whether the project's code renders this template, and only from views exempt from CSRF (`@csrf_exempt`). */
  renderedOnlyByCsrfExemptViews(): boolean {
    const sites = renderSitesOf(this.project, templateNamesOf(this.project, this.file));
    return sites.length > 0 && sites.every((site) => site.csrfExempt);
  }

  /** Whether every route the project names `urlName` leads to a view exempt from CSRF (`@csrf_exempt`). */
  urlNameCsrfExempt(urlName: string): boolean {
    return urlNameCsrfExempt(this.project, urlName) === true;
  }

  /** A static script of the project that sends the CSRF token and looks up one of these element ids, with the id. */
  scriptHandling(ids: readonly string[]): { id: string; file: string } | undefined {
    return scriptHandlingIds(this.project, this.facts.csrfHeaders, ids);
  }

  /** Whether the line holding `offset` silences this rule (`{# noqa: DJH306 #}`): a finding that gathers several places leaves such a line out. */
  silencedAt(offset: number): boolean {
    const { line } = this.doc.position(offset);
    const text = this.text.slice(this.doc.lineStart(line), this.doc.lineStart(line + 1));
    const codes = noqaCodes(text, true);
    return codes === null || codes.has(this.meta.code);
  }

  /** Whether another rule runs in this analysis. */
  enabled(code: string): boolean {
    return this.template.enabledCodes.has(code);
  }

  /** What an expression written at `node` (a variable, or a tag whose argument it is) prints, from what the template shows. */
  judge(expression: FilterExpression, node: TemplateNode): JudgedExpression {
    const scopes = this.template.scopes;
    return judgeExpression(expression, scopes, scopes.scopeOf(node), node.start, this.template.views);
  }

  get facts(): TemplateProjectFacts {
    return templateProjectFacts(this.project);
  }

  /** Whether the template `{% include %}` names can render a CSRF token. */
  includeRendersToken(name: string): TokenVerdict {
    return templateRendersToken(this.project, name);
  }

  /** Whether a tag the project defines renders a template that prints the token; no for any other tag. */
  tagRendersToken(tag: string): boolean {
    return templatesRenderedByTag(this.project, tag).some((name) => templateRendersToken(this.project, name) === 'token');
  }

  /**
   * A finding at `start`–`end`. `flow` is the path of request data through a view (a value's
   * `flow`): the finding's trace gains the template's sink, described by `sink`, and shows
   * as its related locations.
   */
  finding(start: number, end: number, message: string, options: { fixes?: Fix[]; related?: RelatedLocation[]; severity?: Severity; flow?: RelatedLocation[]; sink?: string } = {}): Finding {
    const range = this.doc.range(start, end);
    const flow = options.flow && options.flow.length > 0 ? [...options.flow, { file: this.file, range, message: options.sink ?? 'printed here' }] : undefined;
    return buildFinding(this.meta, { file: this.file, range, message, severity: options.severity, fixes: options.fixes, related: flow ?? options.related, flow });
  }

  /** A fix in this template, labelled with the rule's declared safety unless told otherwise. */
  fix(title: string, edits: OffsetEdit[], safety?: FixSafety): Fix {
    return buildFix(
      this.meta,
      title,
      edits.map((edit) => ({ file: this.file, range: this.doc.range(edit.start, edit.end), newText: edit.newText })),
      { safety },
    );
  }
}
