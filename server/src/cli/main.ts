import { version } from '../../../package.json';
import { EXIT_USAGE } from './exit-codes';
import { runCli } from './program';

/**
 * A standard stream that outlives its reader: once the other end of the pipe is gone
 * (`django-hardener check | head -1`), what is still written is dropped. The run goes on to
 * its end, so files being fixed are all written and the exit code is the run's own; nothing
 * written to a closed stream can raise another error (which would reach the crash handler,
 * which writes again).
 */
class OutputStream {
  private closed = false;

  constructor(private readonly stream: NodeJS.WriteStream) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      this.closed = true;
      // A reader that went away is not an error of ours; anything else is, said where it can be.
      if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED' && stream !== process.stderr) internalError(error);
    });
  }

  write(text: string): void {
    if (this.closed) return;
    try {
      this.stream.write(text);
    } catch {
      this.closed = true;
    }
  }
}

const stdout = new OutputStream(process.stdout);
const stderr = new OutputStream(process.stderr);

/** Never a stack trace: whatever escapes is one line and exit code 2. */
function internalError(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  process.exitCode = EXIT_USAGE;
  stderr.write(`django-hardener: internal error: ${message.split('\n')[0]}\n`);
}

process.on('uncaughtException', internalError);
process.on('unhandledRejection', internalError);

runCli(
  process.argv.slice(2),
  {
    cwd: process.cwd(),
    out: (text) => stdout.write(text),
    err: (line) => stderr.write(line + '\n'),
    isTTY: process.stdout.isTTY,
    env: process.env,
  },
  version,
).then((code) => {
  process.exitCode = code;
}, internalError);
