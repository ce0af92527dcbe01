import { Command, CommanderError, Option } from 'commander';
import { runCheck, type CheckOptions } from './check-command';
import { COLOR_MODES, type ColorMode } from './colors';
import { EXIT_USAGE } from './exit-codes';
import { OUTPUT_FORMATS, type OutputFormat } from './formatters';
import { runHarden } from './harden-command';
import type { CliIO } from './io';
import { malformedSelectors, parseCodeList, unmatchedSelectors } from './rule-selection';
import { runSettings } from './settings-command';

const collect = (value: string, previous: string[] = []) => [...previous, value];

class UsageError extends Error {}

/** `check`'s options as commander parses them. */
interface CheckFlags {
  format: OutputFormat;
  outputFile?: string;
  select?: string[];
  ignore?: string[];
  fix?: boolean;
  unsafeFixes?: boolean;
  diff?: boolean;
  exclude?: string[];
  config?: string;
  statistics?: boolean;
  showSource?: boolean;
  color: ColorMode;
  exitZero?: boolean;
  addNoqa?: boolean;
  baseline?: string;
  quiet?: boolean;
  foreignNoqa?: boolean;
}

/** Checks the combinations commander cannot, and names what `runCheck` needs. */
function checkOptions(flags: CheckFlags, version: string): CheckOptions {
  const select = flags.select ? parseCodeList(flags.select) : undefined;
  const ignore = parseCodeList(flags.ignore ?? []);
  const malformed = malformedSelectors([...(select ?? []), ...ignore]);
  if (malformed.length > 0) throw new UsageError(`unknown rule selector ${malformed.map((s) => `'${s}'`).join(', ')} (expected a code such as DJH101, or a prefix such as DJH1)`);
  // A code that names no rule is a typo or a rule of another version: checking without it would pass silently.
  const unmatched = unmatchedSelectors([...(select ?? []), ...ignore]);
  if (unmatched.length > 0) throw new UsageError(`no rule matches ${unmatched.map((s) => `'${s}'`).join(', ')}`);
  if (flags.unsafeFixes && !flags.fix && !flags.diff) throw new UsageError('--unsafe-fixes needs --fix or --diff');
  const modes = (['fix', 'diff', 'addNoqa', 'baseline'] as const).filter((mode) => flags[mode]).map((mode) => OPTION_NAMES[mode]);
  if (modes.length > 1) throw new UsageError(`${modes.join(' and ')} cannot be used together`);
  if (flags.statistics && flags.format !== 'text' && flags.format !== 'json') throw new UsageError('--statistics prints text or json');
  return {
    format: flags.format,
    select,
    ignore,
    fix: !!flags.fix,
    unsafeFixes: !!flags.unsafeFixes,
    diff: !!flags.diff,
    exclude: flags.exclude ?? [],
    quiet: !!flags.quiet,
    exitZero: !!flags.exitZero,
    statistics: !!flags.statistics,
    showSource: !!flags.showSource,
    color: flags.color,
    outputFile: flags.outputFile,
    addNoqa: !!flags.addNoqa,
    writeBaseline: flags.baseline,
    configFile: flags.config,
    foreignNoqa: flags.foreignNoqa,
    version,
  };
}

const OPTION_NAMES = { fix: '--fix', diff: '--diff', addNoqa: '--add-noqa', baseline: '--baseline' } as const;

/** Parses the arguments and runs the command; resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIO, version: string): Promise<number> {
  let exitCode = 0;
  const program = new Command()
    .name('django-hardener')
    .description('Finds the security mistakes Django projects ship with, and fixes them in place.')
    .version(version)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.out(text),
      writeErr: (text) =>
        text
          .trimEnd()
          .split('\n')
          .forEach((line) => io.err(line)),
    });

  // Every option of `check`, one definition each; the action turns them into CheckOptions.
  program
    .command('check')
    .description('Report security problems in the settings, code and templates of the Django projects under the given paths.')
    .argument('[paths...]', 'files or directories to check (default: the current directory)')
    .addOption(new Option('--format <format>', 'output format').choices(OUTPUT_FORMATS).default('text'))
    .option('--output-file <file>', 'write the report to this file instead of stdout')
    .option('--select <codes>', 'only these rule codes or prefixes, comma-separated (repeatable; replaces the configured selection)', collect)
    .option('--ignore <codes>', 'skip these rule codes or prefixes, comma-separated (repeatable; added to the configured ignores)', collect)
    .option('--fix', 'apply the fixes labelled safe')
    .option('--unsafe-fixes', 'with --fix or --diff, apply unsafe fixes too (they change what the running site does)')
    .option('--diff', 'print what --fix would change as a unified diff, write nothing; exit 1 if anything would change')
    .option('--exclude <glob>', 'skip files and directories matching this glob, besides the default ones (repeatable)', collect)
    .option('--config <file>', "read the configuration from this pyproject.toml or django-hardener.toml instead of the project's own")
    .option('--statistics', 'print the number of findings per rule code instead of the findings')
    .option('--show-source', 'text output: quote the reported lines under each finding')
    .addOption(new Option('--color <when>', 'colour the text output').choices(COLOR_MODES).default('auto'))
    .option('--exit-zero', 'exit 0 even when problems are found')
    .option('--add-noqa', 'add a noqa comment to every line with a finding, instead of reporting')
    .option('--baseline <file>', 'write the current findings to this baseline file, instead of reporting (read it with baseline = "…" in the configuration)')
    .option('--quiet', 'print only findings and errors: no summary, warnings or notes')
    .option('--no-foreign-noqa', "do not let other linters' suppressions (# noqa: S608, # nosec, # nosemgrep) silence the rule covering the same check")
    .action(async (paths: string[], opts: CheckFlags) => {
      exitCode = await runCheck(paths, checkOptions(opts, version), io);
    });

  program
    .command('harden')
    .description('Apply every settings fix of one production settings module at once (the editor\'s "Harden settings").')
    .argument('[settings-file]', "the production settings module; default: the project's only one")
    .option('--diff', 'print the change as a unified diff (the default)')
    .option('--write', 'write the change to the files')
    .action(async (settingsFile: string | undefined, opts: { diff?: boolean; write?: boolean }) => {
      if (opts.diff && opts.write) throw new UsageError('--diff and --write cannot be used together');
      exitCode = await runHarden(settingsFile, { write: !!opts.write }, io);
    });

  program
    .command('settings')
    .description(
      'Show the settings modules the tool found and why: a module is one because DJANGO_SETTINGS_MODULE names it (manage.py, wsgi.py, asgi.py, ' +
        'Dockerfiles, compose files, Procfiles, .env files, pytest configuration), because a settings module star-imports or include()s it, ' +
        "or because it assigns enough of a project's settings itself. Its role (production, development, test, base, fragment) decides whether the settings rules judge it.",
    )
    .argument('[path]', 'a directory or file of the project (default: the current directory)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--values', 'also show the effective security settings of each production module, and where each value comes from')
    .action(async (target: string | undefined, opts: { format: 'text' | 'json'; values?: boolean }) => {
      exitCode = await runSettings(target, { format: opts.format, values: !!opts.values }, io);
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`django-hardener: error: ${error.message}`);
      return EXIT_USAGE;
    }
    if (error instanceof CommanderError) {
      // Help or version asked for: success. Anything else commander rejects is a usage error.
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? 0 : EXIT_USAGE;
    }
    throw error;
  }
  return exitCode;
}
