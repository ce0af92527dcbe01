/** Zero-based line and UTF-16 column, as in LSP and web-tree-sitter. */
export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export interface Location {
  file: string;
  range: Range;
}

export interface TextEdit {
  file: string;
  range: Range;
  newText: string;
}

/** `unsafe` fixes change runtime behaviour; they are never applied without an explicit request. */
export type FixSafety = 'safe' | 'unsafe';

export interface Fix {
  title: string;
  safety: FixSafety;
  edits: TextEdit[];
  /**
   * Settings intents behind the edits. "Harden settings" composes the intents of many
   * findings into one edit, which plain text edits cannot do without clashing.
   */
  intents?: SettingsIntent[];
}

export type Severity = 'error' | 'warning' | 'info';

export type RuleScope = 'settings' | 'python' | 'template';

export interface RelatedLocation extends Location {
  message: string;
}

export interface Finding {
  code: string;
  name: string;
  severity: Severity;
  message: string;
  file: string;
  range: Range;
  related: RelatedLocation[];
  fixes: Fix[];
  /**
   * How an untrusted value reaches the reported sink, in order: where it is read (a request
   * parameter), each assignment that carries it, and the sink itself. Adapters show it as a
   * trace (related information in the editor, `codeFlows` in SARIF).
   */
  flow?: RelatedLocation[];
  /** The `manage.py check --deploy` id this finding reproduces, when it reproduces one. */
  djangoCheck?: string;
  /** A setting missing from a production module: reported on a line chosen to stand for the module, not one that sets anything. */
  missingSetting?: boolean;
}

export interface RuleMeta {
  code: string;
  name: string;
  severity: Severity;
  scope: RuleScope;
  summary: string;
  fix: 'safe' | 'unsafe' | 'none';
  /** Django `check --deploy` ids this rule mirrors. */
  djangoChecks: string[];
}

/** What a settings fix wants, independent of where the text currently stands. */
export type SettingsIntent =
  | { kind: 'set'; name: string; value: string; comment?: string; imports?: string[] }
  | { kind: 'remove'; name: string }
  | { kind: 'replace'; location: Location; value: string; imports?: string[] }
  | {
      kind: 'list-insert';
      name: string;
      item: string;
      /** `first`, `last`, or right after the first item equal to this string literal. */
      position: 'first' | 'last' | { after: string };
    }
  /** Removes the string item equal to `value`. */
  | { kind: 'list-remove'; name: string; value: string };
