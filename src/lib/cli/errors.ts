/**
 * Errors that reach the user. Every failure hactl reports is one of these, so
 * the CLI layer can print one precise sentence and exit with the right code,
 * never a stack trace.
 */
export class HactlError extends Error {
  /** Process exit status to use. */
  readonly exitCode: number;
  /** What the user can do about it (printed on its own line). */
  readonly hint?: string;
  constructor(message: string, opts: { exitCode?: number; hint?: string } = {}) {
    super(message);
    this.name = 'HactlError';
    this.exitCode = opts.exitCode ?? 1;
    this.hint = opts.hint;
  }
}

/** Bad usage (flags/arguments): exit 2 unless a command documents otherwise. */
export class UsageError extends HactlError {
  constructor(message: string, opts: { exitCode?: number; hint?: string } = {}) {
    super(message, { exitCode: opts.exitCode ?? 2, hint: opts.hint });
    this.name = 'UsageError';
  }
}

export function isHactlError(e: unknown): e is HactlError {
  return e instanceof HactlError;
}

/** Turn any thrown value into a one-line message (no stack). */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as NodeJS.ErrnoException).code;
    return code && !e.message.includes(code) ? `${e.message} (${code})` : e.message;
  }
  return String(e);
}
