import { findingMessage } from './support/setting-values';
import path from 'node:path';
import type { SettingDefinition } from '../../settings/settings-module';
import { asString, unsetView } from '../../settings/values';
import type { Finding, Fix, RelatedLocation } from '../../types';
import type { SettingsRule } from '../rule';
import type { SettingsRuleContext } from '../settings-context';
import { envDefaultIntent } from './support/settings-lookup';

const MAX_SAFE = 10 * 1024 * 1024;
const SAFE_SIZE = 5 * 1024 * 1024;

/** Why a size limit that is too high (or absent) hurts, per setting. */
const LIMITS: Record<string, string> = {
  DATA_UPLOAD_MAX_MEMORY_SIZE: 'request bodies (other than file uploads) up to that size are read into memory',
  FILE_UPLOAD_MAX_MEMORY_SIZE: 'each uploaded file up to that size is held in memory instead of streamed to a temporary file',
};

/** DJH126: memory limits that let a few requests exhaust the server, or uploads mixed with static files. */
export const uploadLimitsUnsafe: SettingsRule = {
  meta: {
    code: 'DJH126',
    name: 'upload-limits-unsafe',
    severity: 'warning',
    scope: 'settings',
    summary: 'An upload memory limit is None or above 10 MB, MEDIA_ROOT is inside STATIC_ROOT, or MEDIA_URL equals STATIC_URL.',
    fix: 'unsafe',
    djangoChecks: [],
  },
  docs: `## What it does
Reports, in a production settings module:
- \`DATA_UPLOAD_MAX_MEMORY_SIZE\` or \`FILE_UPLOAD_MAX_MEMORY_SIZE\` set to \`None\` or to more than 10 MB (10 × 1024 × 1024 bytes), including an environment read with such a default;
- \`MEDIA_ROOT\` equal to \`STATIC_ROOT\` or inside it;
- \`MEDIA_URL\` equal to \`STATIC_URL\`.

Paths and URLs are compared only when both are plain strings; \`BASE_DIR / "media"\` and other computed values are not judged.

## Why is this bad
Django reads a request body up to \`DATA_UPLOAD_MAX_MEMORY_SIZE\` into memory (\`None\` removes the limit), and keeps each uploaded file up to \`FILE_UPLOAD_MAX_MEMORY_SIZE\` in memory before streaming it to disk. Generous limits let a handful of concurrent requests exhaust the server's memory. (\`FILE_UPLOAD_MAX_MEMORY_SIZE = None\` is not "no limit" either: Django compares it with each upload's size, and uploads fail.)

Media files are uploaded by users; static files are the site's own code and assets. When they share a folder or a URL, an uploaded HTML, SVG or JavaScript file is served as if the site had published it, and \`collectstatic\` can overwrite or publish uploads.

## Example
\`\`\`python
DATA_UPLOAD_MAX_MEMORY_SIZE = None
STATIC_ROOT = "/srv/app/static"
MEDIA_ROOT = "/srv/app/static/uploads"
\`\`\`

## Use instead
\`\`\`python
DATA_UPLOAD_MAX_MEMORY_SIZE = 5242880  # 5 MB
STATIC_ROOT = "/srv/app/static"
MEDIA_ROOT = "/srv/app/media"
\`\`\`

## Fix safety
Unsafe: requests larger than the new limit are rejected (\`RequestDataTooBig\`) or, for files, streamed to disk. The fix sets the limit to 5242880 bytes (5 MB): it changes the default of an environment read, replaces a value the production module assigns, or adds an assignment to the production module. Overlapping media and static locations get no fix, only the finding, since moving uploaded files is a deployment decision.

## References
- [Django: DATA_UPLOAD_MAX_MEMORY_SIZE](https://docs.djangoproject.com/en/stable/ref/settings/#data-upload-max-memory-size)
- [Django: FILE_UPLOAD_MAX_MEMORY_SIZE](https://docs.djangoproject.com/en/stable/ref/settings/#file-upload-max-memory-size)
- [Django: MEDIA_ROOT](https://docs.djangoproject.com/en/stable/ref/settings/#media-root)
- [Django security: user-uploaded content](https://docs.djangoproject.com/en/stable/topics/security/#user-uploaded-content)
`,
  check(ctx) {
    return [...limitFindings(ctx), ...overlapFindings(ctx)];
  },
};

function limitFindings(ctx: SettingsRuleContext): Finding[] {
  const findings: Finding[] = [];
  for (const [name, effect] of Object.entries(LIMITS)) {
    const state = ctx.setting(name);
    if (!state) continue;
    const value = unsetView(state.value);
    const unlimited = value.kind === 'none';
    if (!unlimited && (value.kind !== 'number' || value.value <= MAX_SAFE)) continue;
    const fromEnv = state.value.kind === 'env' ? state.value : undefined;
    const fixes: Fix[] = [];
    if (fromEnv) {
      const intent = envDefaultIntent(ctx, fromEnv, SAFE_SIZE);
      if (intent) fixes.push(ctx.fix(`Default ${fromEnv.variable} to ${SAFE_SIZE} (5 MB)`, [intent]));
    } else {
      fixes.push(ctx.fix(`Set ${name} = ${SAFE_SIZE} (5 MB)`, [{ kind: 'set', name, value: String(SAFE_SIZE) }]));
    }
    const shown = value.kind === 'number' ? megabytes(value.value) : 'None';
    let message: string;
    // NOTE: Django compares FILE_UPLOAD_MAX_MEMORY_SIZE with each upload's size; None is not a "no limit" value.
    // https://docs.djangoproject.com/en/stable/ref/settings/#file-upload-max-memory-size
    if (name === 'FILE_UPLOAD_MAX_MEMORY_SIZE' && unlimited) {
      message = fromEnv
        ? `FILE_UPLOAD_MAX_MEMORY_SIZE defaults to None when ${fromEnv.variable} is unset, which is not a size. Django compares it with each upload, so file uploads fail.`
        : 'FILE_UPLOAD_MAX_MEMORY_SIZE is None, which is not a size, so file uploads fail. Django compares it with the size of each upload.';
    } else {
      const what = unlimited ? 'request bodies of any size are read into memory' : effect;
      message = findingMessage(fromEnv ? `${name} defaults to ${shown} when ${fromEnv.variable} is unset` : `${name} is ${shown}`, what, "A few large requests can exhaust the server's memory.");
    }
    findings.push(ctx.atSetting(state, message, { fixes }));
  }
  return findings;
}

function megabytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return `${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB`;
}

function overlapFindings(ctx: SettingsRuleContext): Finding[] {
  const findings: Finding[] = [];
  const media = ctx.setting('MEDIA_ROOT');
  const staticRoot = ctx.setting('STATIC_ROOT');
  const mediaPath = normalisePath(asString(media?.value));
  const staticPath = normalisePath(asString(staticRoot?.value));
  if (media && staticRoot && mediaPath && staticPath) {
    const related = relatedTo(ctx, staticRoot.definition, 'STATIC_ROOT is set here');
    if (mediaPath === staticPath) {
      findings.push(
        ctx.atSetting(media, "MEDIA_ROOT is the same folder as STATIC_ROOT, so uploads are served as the site's own files. Running collectstatic can also overwrite or publish them.", {
          related,
        }),
      );
    } else if (mediaPath.startsWith(staticPath.endsWith('/') ? staticPath : `${staticPath}/`)) {
      findings.push(ctx.atSetting(media, "MEDIA_ROOT is inside STATIC_ROOT, so uploads are served as the site's own files. Running collectstatic can also overwrite or publish them.", { related }));
    }
  }
  const mediaUrl = ctx.setting('MEDIA_URL');
  const staticUrl = ctx.setting('STATIC_URL');
  const mediaAt = normaliseUrl(asString(mediaUrl?.value));
  const staticAt = normaliseUrl(asString(staticUrl?.value));
  if (mediaUrl && staticUrl && mediaAt && staticAt && mediaAt === staticAt) {
    const related = relatedTo(ctx, staticUrl.definition, 'STATIC_URL is set here');
    findings.push(
      ctx.atSetting(mediaUrl, "MEDIA_URL equals STATIC_URL, so uploads are served under the site's own script URLs. An uploaded file can pass for one of the site's scripts or styles.", { related }),
    );
  }
  return findings;
}

function relatedTo(ctx: SettingsRuleContext, def: SettingDefinition, message: string): RelatedLocation[] {
  return [{ file: def.statement.file, range: ctx.definitionRange(def), message }];
}

function normalisePath(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const normal = path.posix.normalize(value.replace(/\\/g, '/'));
  return normal.length > 1 ? normal.replace(/\/+$/, '') : normal;
}

function normaliseUrl(value: string | undefined): string | undefined {
  if (!value) return undefined;
  return value.endsWith('/') ? value : `${value}/`;
}
