import { formatGithub } from './github';
import { formatJson } from './json';
import { formatSarif } from './sarif';
import { formatText } from './text';
import type { Formatter } from './types';

export type { FormatContext, Formatter, ReportedRule } from './types';

export const FORMATTERS = {
  text: formatText,
  json: formatJson,
  sarif: formatSarif,
  github: formatGithub,
} satisfies Record<string, Formatter>;

export type OutputFormat = keyof typeof FORMATTERS;

export const OUTPUT_FORMATS = Object.keys(FORMATTERS) as OutputFormat[];
