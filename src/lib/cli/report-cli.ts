/**
 * How an error reaches the user, the one reporter of every hactl command
 * (the spec-parsed commands of src/lib/cli/main.ts, the oclif classes through
 * base.ts, the IPVS front ends): one red "hactl: error:" line, an optional
 * "hint:" line, the error's exit status. Never a stack trace (HACTL_DEBUG=1
 * adds it for unexpected errors). With `--json` on a command that supports it,
 * stdout also gets `{"error":{"message":...,"hint":...,"exitCode":...}}`.
 */
import { painterFor } from './color';
import { errorMessage, HactlError } from './errors';
import { isTTY, writeStderr, writeStdout } from './stdio-cli';

let jsonErrors = false;

/** Set once the command line asked for JSON output (see main.ts). */
export function setJsonErrors(on: boolean): void {
  jsonErrors = on;
}

export function jsonErrorsEnabled(): boolean {
  return jsonErrors;
}

/** The two stderr lines of an error (no trailing newline handling needed by callers). */
export function formatError(message: string, hint: string | undefined, color: boolean): string {
  const p = painterFor({ isTTY: color });
  return `${p.red('hactl: error:')} ${message.replace(/\s*\n\s*/g, ' ').trim()}\n${hint ? `hint: ${hint}\n` : ''}`;
}

/** The JSON error document for stdout. */
export function jsonError(message: string, hint: string | undefined, exitCode: number): string {
  return `${JSON.stringify({ error: { message: message.replace(/\s*\n\s*/g, ' ').trim(), hint: hint ?? null, exitCode } })}\n`;
}

/** Print a failure; `err`/`out` default to the process streams. */
export function reportFailure(
  message: string,
  hint: string | undefined,
  exitCode: number,
  io: { err: (s: string) => void; out: (s: string) => void } = { err: writeStderr, out: writeStdout },
): number {
  io.err(formatError(message, hint, isTTY(2)));
  if (jsonErrors) io.out(jsonError(message, hint, exitCode));
  return exitCode;
}

/** Print `err` to stderr and return the exit status to use. */
export function reportError(err: unknown): number {
  if (err instanceof HactlError) return reportFailure(err.message, err.hint, err.exitCode);
  if (process.env.HACTL_DEBUG && err instanceof Error) writeStderr(`${err.stack ?? err}\n`);
  const code = (err as { exitCode?: unknown } | null)?.exitCode;
  return reportFailure(errorMessage(err), process.env.HACTL_DEBUG ? undefined : 'set HACTL_DEBUG=1 for details', typeof code === 'number' ? code : 1);
}

/** A warning line on stderr (yellow on a TTY). */
export function reportWarning(message: string): void {
  writeStderr(`${painterFor({ isTTY: isTTY(2) }).yellow('hactl: warning:')} ${message}\n`);
}
