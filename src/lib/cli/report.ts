/**
 * How a HactlError reaches the user, shared by oclif commands (base.ts) and the
 * oclif-free fast paths (src/fast.ts): one red "hactl: error:" line, an optional
 * "hint:" line, the error's exit status. Never a stack trace.
 */
import { painterFor } from './color';
import { errorMessage, HactlError } from './errors';

/** Print `err` to stderr and return the exit status to use. */
export function reportError(err: unknown): number {
  const p = painterFor(process.stderr);
  if (err instanceof HactlError) {
    process.stderr.write(`${p.red('hactl: error:')} ${err.message}\n`);
    if (err.hint) process.stderr.write(`hint: ${err.hint}\n`);
    return err.exitCode;
  }
  if (process.env.HACTL_DEBUG && err instanceof Error) process.stderr.write(`${err.stack ?? err}\n`);
  process.stderr.write(`${p.red('hactl: error:')} ${errorMessage(err)}\n`);
  if (!process.env.HACTL_DEBUG) process.stderr.write('(set HACTL_DEBUG=1 for details)\n');
  const code = (err as { exitCode?: unknown } | null)?.exitCode;
  return typeof code === 'number' ? code : 1;
}

/** A warning line on stderr (yellow on a TTY). */
export function reportWarning(message: string): void {
  process.stderr.write(`${painterFor(process.stderr).yellow('hactl: warning:')} ${message}\n`);
}
