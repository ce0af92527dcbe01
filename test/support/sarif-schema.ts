import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { REPO_ROOT } from './fixtures';

/**
 * The SARIF 2.1.0 JSON schema as OASIS publishes it (errata 01, draft-04), vendored in
 * test/sarif/ from the oasis-tcs/sarif-spec repository (sarif-2.1/schema/sarif-schema-2.1.0.json)
 * so the check runs offline.
 */
export const SARIF_SCHEMA = path.join(REPO_ROOT, 'test', 'sarif', 'sarif-schema-2.1.0.json');

let validate: ReturnType<Ajv['compile']> | undefined;

/** Every schema violation of a SARIF log, as `path: message`; empty when the log is valid. */
export function sarifSchemaErrors(log: unknown): string[] {
  if (!validate) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    validate = ajv.compile(JSON.parse(readFileSync(SARIF_SCHEMA, 'utf8')));
  }
  return validate(log) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath || '/'}: ${error.message}`);
}
