import { pathToFileURL } from 'node:url';
import { homepage } from '../../../../package.json';
import type { Finding, Location, RelatedLocation, Severity } from '../../engine';
import { fingerprintFindings } from '../fingerprint';
import { displayPath } from '../paths';
import { cweTag, RULE_TAXONOMY } from './rule-taxonomy';
import type { FormatContext, ReportedRule } from './types';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };
const SRCROOT = '%SRCROOT%';
/** The key of our own fingerprint in `partialFingerprints`; the version changes if its recipe does. */
export const FINGERPRINT_KEY = 'djangoHardener/v1';

/**
 * A SARIF 2.1.0 log with one run, in the shape GitHub code scanning reads: every enabled
 * rule in `tool.driver.rules` with its descriptions, help from the rule's docs, CWE tags
 * and `security-severity`; every finding as a result with a fingerprint that survives line
 * moves, its related locations and, when the finding traces an untrusted value, a code
 * flow. URIs are relative to the working directory (`%SRCROOT%`); columns count UTF-16 code
 * units, SARIF's default.
 */
export function formatSarif(findings: readonly Finding[], context: FormatContext): string {
  const ruleIndex = new Map(context.rules.map((rule, index) => [rule.code, index]));
  const fingerprints = fingerprintFindings(findings, context.cwd, (f) => context.source.line(f.file, f.range.start.line));
  const physicalLocation = (location: Location) => ({
    artifactLocation: { uri: encodeURI(displayPath(context.cwd, location.file)), uriBaseId: SRCROOT },
    region: {
      startLine: location.range.start.line + 1,
      startColumn: location.range.start.character + 1,
      endLine: location.range.end.line + 1,
      endColumn: location.range.end.character + 1,
    },
  });
  const messageLocation = (location: RelatedLocation) => ({ physicalLocation: physicalLocation(location), message: { text: location.message } });
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'django-hardener',
            version: context.toolVersion,
            semanticVersion: context.toolVersion,
            informationUri: homepage,
            rules: context.rules.map(sarifRule),
          },
        },
        originalUriBaseIds: { [SRCROOT]: { uri: pathToFileURL(context.cwd).href.replace(/\/?$/, '/') } },
        columnKind: 'utf16CodeUnits',
        results: findings.map((f) => ({
          ruleId: f.code,
          ...(ruleIndex.has(f.code) ? { ruleIndex: ruleIndex.get(f.code) } : {}),
          level: LEVEL[f.severity],
          message: { text: f.message },
          locations: [{ physicalLocation: physicalLocation(f) }],
          partialFingerprints: { [FINGERPRINT_KEY]: fingerprints.get(f)! },
          ...(f.related.length > 0 ? { relatedLocations: f.related.map((r, id) => ({ id, ...messageLocation(r) })) } : {}),
          ...(f.flow && f.flow.length > 0 ? { codeFlows: [{ threadFlows: [{ locations: f.flow.map((step) => ({ location: messageLocation(step) })) }] }] } : {}),
        })),
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}

function sarifRule(rule: ReportedRule) {
  const taxonomy = RULE_TAXONOMY[rule.code];
  const summary = rule.summary.replace(/\s+/g, ' ').trim();
  return {
    id: rule.code,
    name: rule.name,
    shortDescription: { text: firstSentence(summary) },
    fullDescription: { text: summary },
    // Plain text shows an HTML comment (the docs' notes to the docs test) as it is; Markdown hides it.
    help: { text: rule.docs.replace(/<!--[\s\S]*?-->\n?/g, '').trim(), markdown: rule.docs.trim() },
    helpUri: rule.helpUri,
    defaultConfiguration: { level: LEVEL[rule.severity] },
    properties: {
      tags: ['security', ...(taxonomy?.cwe ?? []).map(cweTag)],
      ...(taxonomy ? { 'security-severity': taxonomy.securitySeverity.toFixed(1) } : {}),
    },
  };
}

/**
 * The first sentence, which lists show alone: it ends at `.`, `;`, `!` or `?` followed by a
 * space (a dot inside `QuerySet.extra()` or `e.g.` followed by a lower-case word does not end it).
 */
export function firstSentence(text: string): string {
  const end = /[.!?](?=\s+[A-Z`'"(])|;(?=\s)/.exec(text);
  return end ? text.slice(0, end.index + (end[0] === ';' ? 0 : 1)) : text;
}
