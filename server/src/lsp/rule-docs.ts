import { existsSync } from 'node:fs';
import path from 'node:path';
import { docsUrl } from '../engine';
import { pathToUri } from './uri';

/**
 * Where a rule's page opens from the editor: the `docs/rules/<code>.md` installed with the
 * server (the `.vsix` and the npm package ship them beside `dist/`), so the link works
 * offline and matches the installed version; the public page when they are not there.
 */
export class RuleDocs {
  private readonly local = new Map<string, string | undefined>();

  /** `directory`: the folder holding `<code>.md`; undefined uses the public pages only. */
  constructor(private readonly directory?: string) {}

  /** The local page's URI, or undefined when it is not installed. */
  localUri(code: string): string | undefined {
    if (!this.directory || !/^[A-Z]+\d+$/.test(code)) return undefined;
    if (!this.local.has(code)) {
      const file = path.join(this.directory, `${code}.md`);
      this.local.set(code, existsSync(file) ? pathToUri(file) : undefined);
    }
    return this.local.get(code);
  }

  href(code: string): string {
    return this.localUri(code) ?? docsUrl(code);
  }
}

/** The docs folder beside a server bundle in `dist/`. */
export function installedRuleDocs(bundleDir: string): string {
  return path.join(bundleDir, '..', 'docs', 'rules');
}
