import type { Project } from '../project/project';
import type { Finding, Fix, FixSafety, RelatedLocation, RuleMeta } from '../types';
import type { TemplateDocument } from './document';
import { scanHtml, type HtmlContext } from './html-scanner';
import { templateRendersToken, type TokenVerdict } from './includes';
import { templateProjectFacts, type TemplateProjectFacts } from './project-facts';

/** An edit in the template, by offsets. */
export interface OffsetEdit {
  start: number;
  end: number;
  newText: string;
}

/** What the rules of one template share: the tokens, and the HTML scan made once on demand. */
export class TemplateFile {
  private scanned?: HtmlContext;

  constructor(
    readonly project: Project,
    readonly file: string,
    readonly doc: TemplateDocument,
  ) {}

  get html(): HtmlContext {
    this.scanned ??= scanHtml(this.doc);
    return this.scanned;
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
   * A `.txt` template renders plain text (an email body, robots.txt): HTML escaping is
   * not what keeps it safe.
   */
  get plainText(): boolean {
    return this.file.endsWith('.txt');
  }

  get facts(): TemplateProjectFacts {
    return templateProjectFacts(this.project);
  }

  /** Whether the template `{% include %}` names can render a CSRF token. */
  includeRendersToken(name: string): TokenVerdict {
    return templateRendersToken(this.project, name);
  }

  finding(start: number, end: number, message: string, options: { fixes?: Fix[]; related?: RelatedLocation[] } = {}): Finding {
    return {
      code: this.meta.code,
      name: this.meta.name,
      severity: this.meta.severity,
      message,
      file: this.file,
      range: this.doc.range(start, end),
      related: options.related ?? [],
      fixes: options.fixes ?? [],
    };
  }

  /** A fix in this template, labelled with the rule's declared safety unless told otherwise. */
  fix(title: string, edits: OffsetEdit[], safety?: FixSafety): Fix {
    if (this.meta.fix === 'none') throw new Error(`${this.meta.code} declares no fix but built one`);
    return {
      title,
      safety: safety ?? this.meta.fix,
      edits: edits.map((edit) => ({ file: this.file, range: this.doc.range(edit.start, edit.end), newText: edit.newText })),
    };
  }
}
