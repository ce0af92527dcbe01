import type { Value } from '../settings/values';

const bool = (value: boolean): Value => ({ kind: 'bool', value });
const num = (value: number): Value => ({ kind: 'number', value });
const str = (value: string): Value => ({ kind: 'string', value });
const list = (...items: string[]): Value => ({ kind: 'list', tuple: false, items: items.map(str) });

/**
 * Django's global defaults for the settings the rules read (django/conf/global_settings.py),
 * so an unset setting is judged by the value Django will really use.
 */
export const DJANGO_DEFAULTS: Record<string, Value> = {
  DEBUG: bool(false),
  ALLOWED_HOSTS: list(),
  SECRET_KEY: str(''),
  SECRET_KEY_FALLBACKS: list(),
  MIDDLEWARE: list(),
  // Before Django 2.0 (see SettingsRuleContext.middleware).
  MIDDLEWARE_CLASSES: list('django.middleware.common.CommonMiddleware', 'django.middleware.csrf.CsrfViewMiddleware'),
  INSTALLED_APPS: list(),
  SILENCED_SYSTEM_CHECKS: list(),
  SECURE_SSL_REDIRECT: bool(false),
  SESSION_COOKIE_SECURE: bool(false),
  SESSION_COOKIE_HTTPONLY: bool(true),
  SESSION_COOKIE_SAMESITE: str('Lax'),
  CSRF_COOKIE_SECURE: bool(false),
  CSRF_COOKIE_SAMESITE: str('Lax'),
  CSRF_USE_SESSIONS: bool(false),
  CSRF_TRUSTED_ORIGINS: list(),
  SECURE_HSTS_SECONDS: num(0),
  SECURE_HSTS_INCLUDE_SUBDOMAINS: bool(false),
  SECURE_HSTS_PRELOAD: bool(false),
  SECURE_CONTENT_TYPE_NOSNIFF: bool(true),
  SECURE_REFERRER_POLICY: str('same-origin'),
  SECURE_CROSS_ORIGIN_OPENER_POLICY: str('same-origin'),
  X_FRAME_OPTIONS: str('DENY'),
  DATA_UPLOAD_MAX_MEMORY_SIZE: num(2621440),
  FILE_UPLOAD_MAX_MEMORY_SIZE: num(2621440),
  SESSION_SERIALIZER: str('django.contrib.sessions.serializers.JSONSerializer'),
  AUTH_PASSWORD_VALIDATORS: list(),
  STATIC_URL: { kind: 'none' },
  MEDIA_URL: str(''),
  MEDIA_ROOT: str(''),
  STATIC_ROOT: { kind: 'none' },
};
