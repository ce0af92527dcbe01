import { pathToFileURL } from 'node:url';
import type { Finding, Location, Severity } from '../../engine/types';
import { DOCS_BASE_URL } from '../../engine/rules/rule';
import { displayPath } from '../paths';
import type { FormatContext } from './types';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };
const SRCROOT = '%SRCROOT%';

/**
 * A SARIF 2.1.0 log with one run: every enabled rule in `tool.driver.rules`, every finding
 * as a result. URIs are relative to the working directory (`%SRCROOT%`), as code-scanning
 * uploads expect; columns count UTF-16 code units, SARIF's default.
 */
export function formatSarif(findings: readonly Finding[], context: FormatContext): string {
  const ruleIndex = new Map(context.rules.map((rule, index) => [rule.code, index]));
  const physical = (location: Location) => ({
    artifactLocation: { uri: encodeURI(displayPath(context.cwd, location.file)), uriBaseId: SRCROOT },
    region: {
      startLine: location.range.start.line + 1,
      startColumn: location.range.start.character + 1,
      endLine: location.range.end.line + 1,
      endColumn: location.range.end.character + 1,
    },
  });
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'django-hardener',
            version: context.toolVersion,
            informationUri: new URL('/', DOCS_BASE_URL).href,
            rules: context.rules.map((rule) => ({
              id: rule.code,
              name: rule.name,
              shortDescription: { text: rule.summary },
              helpUri: rule.helpUri,
              defaultConfiguration: { level: LEVEL[rule.severity] },
            })),
          },
        },
        originalUriBaseIds: { [SRCROOT]: { uri: pathToFileURL(context.cwd).href.replace(/\/?$/, '/') } },
        columnKind: 'utf16CodeUnits',
        results: findings.map((f) => ({
          ruleId: f.code,
          ...(ruleIndex.has(f.code) ? { ruleIndex: ruleIndex.get(f.code) } : {}),
          level: LEVEL[f.severity],
          message: { text: f.message },
          locations: [{ physicalLocation: physical(f) }],
          ...(f.related.length > 0 ? { relatedLocations: f.related.map((r, id) => ({ id, physicalLocation: physical(r), message: { text: r.message } })) } : {}),
        })),
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}
