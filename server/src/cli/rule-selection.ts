import { ALL_RULES, type HardenerConfig } from '../engine';

/** A rule code or a prefix of one: `DJH`, `DJH1`, `DJH10`, `DJH101`. */
const SELECTOR = /^DJH\d{0,3}$/;

/** Codes from repeated, comma-separated option values, upper-cased. */
export function parseCodeList(values: readonly string[]): string[] {
  return values
    .flatMap((value) => value.split(/[,\s]+/))
    .map((code) => code.trim().toUpperCase())
    .filter(Boolean);
}

/** Selectors that cannot name any rule code (a usage error). */
export function malformedSelectors(selectors: readonly string[]): string[] {
  return selectors.filter((s) => !SELECTOR.test(s));
}

/** Well-formed selectors that match no registered rule (worth a warning, not an error). */
export function unmatchedSelectors(selectors: readonly string[]): string[] {
  return selectors.filter((s) => !ALL_RULES.some((rule) => rule.meta.code.startsWith(s)));
}

/**
 * Command-line selection on top of the configuration: `--select` replaces the configured
 * selection, `--ignore` adds to the configured ignores, and a configured ignore that a
 * `--select` names explicitly (or more narrowly) gives way, so the command line wins.
 */
export function mergeSelection(config: HardenerConfig, cli: { select?: string[]; ignore: string[] }): HardenerConfig {
  const select = cli.select ?? config.select;
  const keptIgnores = cli.select ? config.ignore.filter((ignored) => !cli.select!.some((selected) => selected.startsWith(ignored))) : config.ignore;
  return { ...config, select, ignore: [...new Set([...keptIgnores, ...cli.ignore])] };
}
