// Injected into every bundle: stands in for import.meta.url in CommonJS output.
export const __bundleFileUrl = require('node:url').pathToFileURL(__filename).href;
