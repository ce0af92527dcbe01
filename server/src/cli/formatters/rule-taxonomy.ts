/**
 * How code-scanning services classify each rule: the CWE weaknesses it reports and a
 * CVSS-like `security-severity` (GitHub ranks 9.0+ critical, 7.0–8.9 high, 4.0–6.9 medium,
 * below 4.0 low). Scores follow what a finding means when it is right: an injection or a
 * leaked secret is high, a missing header medium, advice low. Every registered rule needs
 * an entry (a test checks it).
 */
export interface RuleTaxonomy {
  cwe: number[];
  securitySeverity: number;
}

export const RULE_TAXONOMY: Record<string, RuleTaxonomy> = {
  // Settings.
  DJH101: { cwe: [489, 215], securitySeverity: 7.5 }, // debug pages expose code, settings and SQL
  DJH102: { cwe: [16, 644], securitySeverity: 5.3 }, // host header poisoning
  DJH103: { cwe: [798, 321], securitySeverity: 8.1 }, // the key signs sessions and tokens
  DJH104: { cwe: [798], securitySeverity: 7.5 },
  DJH110: { cwe: [319], securitySeverity: 5.3 },
  DJH111: { cwe: [614], securitySeverity: 5.3 },
  DJH112: { cwe: [614], securitySeverity: 4.3 },
  DJH113: { cwe: [319, 523], securitySeverity: 5.3 },
  DJH114: { cwe: [319], securitySeverity: 4.3 },
  DJH115: { cwe: [319], securitySeverity: 3.1 },
  DJH116: { cwe: [16, 693], securitySeverity: 4.3 },
  DJH117: { cwe: [1021], securitySeverity: 4.3 },
  DJH118: { cwe: [16], securitySeverity: 1.0 }, // obsolete, harmless
  DJH119: { cwe: [1004], securitySeverity: 4.3 },
  DJH120: { cwe: [200, 16], securitySeverity: 4.3 },
  DJH121: { cwe: [352, 16], securitySeverity: 8.0 }, // without CsrfViewMiddleware no form is protected
  DJH122: { cwe: [521], securitySeverity: 5.3 },
  DJH123: { cwe: [307], securitySeverity: 3.7 },
  DJH124: { cwe: [693], securitySeverity: 3.1 },
  DJH125: { cwe: [693, 79], securitySeverity: 5.3 },
  DJH126: { cwe: [400, 434], securitySeverity: 4.3 },
  DJH127: { cwe: [778], securitySeverity: 2.0 },
  DJH128: { cwe: [1275, 352], securitySeverity: 4.3 },
  DJH129: { cwe: [942, 352], securitySeverity: 6.5 },
  DJH130: { cwe: [916, 328], securitySeverity: 7.4 },
  DJH131: { cwe: [502], securitySeverity: 8.1 }, // forged session data runs code
  DJH132: { cwe: [79, 116], securitySeverity: 7.5 },
  DJH133: { cwe: [16], securitySeverity: 3.1 }, // Django 4.0+ refuses to start: it fails closed
  // Python code.
  DJH201: { cwe: [89], securitySeverity: 8.8 },
  DJH202: { cwe: [89], securitySeverity: 3.0 }, // a risky API, not a proven injection
  DJH203: { cwe: [79], securitySeverity: 6.1 },
  DJH204: { cwe: [79], securitySeverity: 6.1 },
  DJH205: { cwe: [352], securitySeverity: 5.4 },
  DJH206: { cwe: [434], securitySeverity: 3.5 },
  DJH207: { cwe: [552, 16], securitySeverity: 4.3 },
  DJH208: { cwe: [1104], securitySeverity: 2.0 },
  DJH209: { cwe: [798], securitySeverity: 6.5 },
  // Templates.
  DJH301: { cwe: [352], securitySeverity: 4.3 }, // the middleware rejects the POST: mostly a broken form
  DJH302: { cwe: [352, 201], securitySeverity: 6.5 },
  DJH303: { cwe: [79], securitySeverity: 6.1 },
  DJH304: { cwe: [79], securitySeverity: 6.1 },
  DJH305: { cwe: [79, 83], securitySeverity: 6.1 },
  DJH306: { cwe: [79], securitySeverity: 6.1 },
  DJH307: { cwe: [352], securitySeverity: 3.1 },
};

/** GitHub's tag for a CWE id, as CodeQL writes it (`external/cwe/cwe-089`). */
export function cweTag(id: number): string {
  return `external/cwe/cwe-${String(id).padStart(3, '0')}`;
}
