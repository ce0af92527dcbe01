import { version } from '../../../package.json';
import { runCli } from './program';

/** Never a stack trace: whatever escapes is one line and exit code 2. */
function internalError(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`django-hardener: internal error: ${message.split('\n')[0]}\n`);
  process.exitCode = 2;
}

process.on('uncaughtException', internalError);
process.on('unhandledRejection', internalError);
// A closed pipe (`django-hardener check | head`) is not an error of ours.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  internalError(error);
});

runCli(
  process.argv.slice(2),
  {
    cwd: process.cwd(),
    out: (text) => process.stdout.write(text),
    err: (line) => process.stderr.write(line + '\n'),
    isTTY: process.stdout.isTTY,
    env: process.env,
  },
  version,
).then((code) => {
  process.exitCode = code;
}, internalError);
