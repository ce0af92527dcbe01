import type { Rule } from './rule';
import { debugEnabled } from './settings/debug-enabled';
import { allowedHostsUnsafe } from './settings/allowed-hosts-unsafe';
import { hardcodedSecretKey } from './settings/hardcoded-secret-key';
import { hardcodedCredential } from './settings/hardcoded-credential';
import { sslRedirectDisabled } from './settings/ssl-redirect-disabled';
import { sessionCookieInsecure } from './settings/session-cookie-insecure';
import { csrfCookieInsecure } from './settings/csrf-cookie-insecure';
import { hstsMissing } from './settings/hsts-missing';
import { hstsSubdomains } from './settings/hsts-subdomains';
import { hstsPreload } from './settings/hsts-preload';
import { nosniffDisabled } from './settings/nosniff-disabled';
import { clickjackingUnprotected } from './settings/clickjacking-unprotected';
import { obsoleteXssFilter } from './settings/obsolete-xss-filter';
import { sessionCookieHttponlyDisabled } from './settings/session-cookie-httponly-disabled';
import { referrerPolicyUnsafe } from './settings/referrer-policy-unsafe';
import { securityMiddlewareMissing } from './settings/security-middleware-missing';
import { weakPasswordValidation } from './settings/weak-password-validation';
import { loginNotRateLimited } from './settings/login-not-rate-limited';
import { cspMissing } from './settings/csp-missing';
import { cspUnsafe } from './settings/csp-unsafe';
import { uploadLimitsUnsafe } from './settings/upload-limits-unsafe';
import { securityLoggingMissing } from './settings/security-logging-missing';
import { cookieSamesiteNone } from './settings/cookie-samesite-none';
import { trustedOriginsWildcard } from './settings/trusted-origins-wildcard';
import { weakPasswordHasher } from './settings/weak-password-hasher';
import { pickleSessionSerializer } from './settings/pickle-session-serializer';
import { templateAutoescapeDisabled } from './settings/template-autoescape-disabled';
import { trustedOriginsScheme } from './settings/trusted-origins-scheme';
import { rawSqlInjection } from './python/raw-sql-injection';
import { extraUsed } from './python/extra-used';
import { markSafeDynamic } from './python/mark-safe-dynamic';
import { formatHtmlPreformatted } from './python/format-html-preformatted';
import { csrfExempt } from './python/csrf-exempt';
import { unvalidatedUpload } from './python/unvalidated-upload';
import { mediaServedByDjango } from './python/media-served-by-django';
import { deprecatedSanitizer } from './python/deprecated-sanitizer';
import { hardcodedSecretInCode } from './python/hardcoded-secret-in-code';
import { formMissingCsrfToken } from './templates/form-missing-csrf-token';
import { csrfTokenLeak } from './templates/csrf-token-leak';
import { safeFilter } from './templates/safe-filter';
import { autoescapeOff } from './templates/autoescape-off';
import { unquotedAttributeVariable } from './templates/unquoted-attribute-variable';
import { variableInScript } from './templates/variable-in-script';
import { fetchWithoutCsrfHeader } from './templates/fetch-without-csrf-header';

/** Every rule, sorted by code. Adding a rule adds one import and one line here. */
export const ALL_RULES: readonly Rule[] = [
  debugEnabled,
  allowedHostsUnsafe,
  hardcodedSecretKey,
  hardcodedCredential,
  sslRedirectDisabled,
  sessionCookieInsecure,
  csrfCookieInsecure,
  hstsMissing,
  hstsSubdomains,
  hstsPreload,
  nosniffDisabled,
  clickjackingUnprotected,
  obsoleteXssFilter,
  sessionCookieHttponlyDisabled,
  referrerPolicyUnsafe,
  securityMiddlewareMissing,
  weakPasswordValidation,
  loginNotRateLimited,
  cspMissing,
  cspUnsafe,
  uploadLimitsUnsafe,
  securityLoggingMissing,
  cookieSamesiteNone,
  trustedOriginsWildcard,
  weakPasswordHasher,
  pickleSessionSerializer,
  templateAutoescapeDisabled,
  trustedOriginsScheme,
  rawSqlInjection,
  extraUsed,
  markSafeDynamic,
  formatHtmlPreformatted,
  csrfExempt,
  unvalidatedUpload,
  mediaServedByDjango,
  deprecatedSanitizer,
  hardcodedSecretInCode,
  formMissingCsrfToken,
  csrfTokenLeak,
  safeFilter,
  autoescapeOff,
  unquotedAttributeVariable,
  variableInScript,
  fetchWithoutCsrfHeader,
];

export function ruleByCode(code: string): Rule | undefined {
  return ALL_RULES.find((rule) => rule.meta.code === code);
}
