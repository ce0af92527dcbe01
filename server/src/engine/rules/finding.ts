import type { Finding, Fix, FixSafety, Range, RelatedLocation, RuleMeta, SettingsIntent, Severity, TextEdit } from '../types';

/** What a rule says about one place; the rule's metadata supplies the rest of the finding. */
export interface FindingParts {
  file: string;
  range: Range;
  message: string;
  /** Refines the rule's default severity from the evidence. */
  severity?: Severity;
  related?: RelatedLocation[];
  fixes?: Fix[];
  /** The path of an untrusted value to the sink; an empty one is left out. */
  flow?: RelatedLocation[];
  djangoCheck?: string;
}

/** The one way a rule context makes a finding, whatever the rule's scope. */
export function buildFinding(meta: RuleMeta, parts: FindingParts): Finding {
  const finding: Finding = {
    code: meta.code,
    name: meta.name,
    severity: parts.severity ?? meta.severity,
    message: parts.message,
    file: parts.file,
    range: parts.range,
    related: parts.related ?? [],
    fixes: parts.fixes ?? [],
  };
  if (parts.flow && parts.flow.length > 0) finding.flow = parts.flow;
  if (parts.djangoCheck !== undefined) finding.djangoCheck = parts.djangoCheck;
  return finding;
}

/** A fix of the rule, labelled with its declared safety unless told otherwise; a rule declaring no fix that builds one is a bug. */
export function buildFix(meta: RuleMeta, title: string, edits: TextEdit[], options: { safety?: FixSafety; intents?: SettingsIntent[] } = {}): Fix {
  if (meta.fix === 'none') throw new Error(`${meta.code} declares no fix but built one`);
  const fix: Fix = { title, safety: options.safety ?? meta.fix, edits };
  if (options.intents) fix.intents = options.intents;
  return fix;
}
