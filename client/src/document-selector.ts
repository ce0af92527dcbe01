/**
 * The documents the server sees: Python, Django templates by language, and plain HTML
 * under a `templates` folder (where Django looks for them) when no Django extension has
 * claimed them.
 */
export const DOCUMENT_SELECTOR = [
  { scheme: 'file', language: 'python' },
  { scheme: 'file', language: 'django-html' },
  { scheme: 'file', language: 'html', pattern: '**/templates/**' },
];
