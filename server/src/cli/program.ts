import { Command, CommanderError, Option } from 'commander';
import { runCheck } from './check-command';
import { EXIT_USAGE } from './exit-codes';
import { OUTPUT_FORMATS, type OutputFormat } from './formatters';
import { runHarden } from './harden-command';
import type { CliIO } from './io';
import { malformedSelectors, parseCodeList } from './rule-selection';
import { runSettings } from './settings-command';

const collect = (value: string, previous: string[] = []) => [...previous, value];

class UsageError extends Error {}

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

  program
    .command('check')
    .description('Report security problems in the settings of the Django projects under the given paths.')
    .argument('[paths...]', 'files or directories to check (default: the current directory)')
    .addOption(new Option('--format <format>', 'output format').choices(OUTPUT_FORMATS).default('text'))
    .option('--select <codes>', 'only these rule codes or prefixes, comma-separated (repeatable; replaces the configured selection)', collect)
    .option('--ignore <codes>', 'skip these rule codes or prefixes, comma-separated (repeatable; added to the configured ignores)', collect)
    .option('--fix', 'apply the fixes labelled safe')
    .option('--unsafe-fixes', 'with --fix, apply unsafe fixes too (they change what the running site does)')
    .option('--exclude <glob>', 'skip files and directories matching this glob, besides the default ones (repeatable)', collect)
    .option('--quiet', 'print only findings and errors: no summary, warnings or notes')
    .action(async (paths: string[], opts: { format: OutputFormat; select?: string[]; ignore?: string[]; fix?: boolean; unsafeFixes?: boolean; exclude?: string[]; quiet?: boolean }) => {
      const select = opts.select ? parseCodeList(opts.select) : undefined;
      const ignore = parseCodeList(opts.ignore ?? []);
      const malformed = malformedSelectors([...(select ?? []), ...ignore]);
      if (malformed.length > 0) throw new UsageError(`unknown rule selector ${malformed.map((s) => `'${s}'`).join(', ')} (expected a code such as DJH101, or a prefix such as DJH1)`);
      if (opts.unsafeFixes && !opts.fix) throw new UsageError('--unsafe-fixes needs --fix');
      exitCode = await runCheck(paths, { format: opts.format, select, ignore, fix: !!opts.fix, unsafeFixes: !!opts.unsafeFixes, exclude: opts.exclude ?? [], quiet: !!opts.quiet, version }, io);
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
