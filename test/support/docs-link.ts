import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { uriToPath } from '../../server/src/lsp/uri';
import { REPO_ROOT } from './fixtures';

/**
 * A diagnostic's code link opens the rule's page installed beside the server: the same
 * Markdown as the repository's docs/rules/<code>.md.
 */
export function assertDocsLink(href: unknown, code: string): void {
  assert.ok(typeof href === 'string' && href.startsWith('file://'), `the ${code} link is a local page: ${href}`);
  assert.ok(href.endsWith(`/docs/rules/${code}.md`), href);
  assert.equal(readFileSync(uriToPath(href)!, 'utf8'), readFileSync(path.join(REPO_ROOT, 'docs', 'rules', `${code}.md`), 'utf8'));
}
