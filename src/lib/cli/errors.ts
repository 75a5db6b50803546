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

/**
 * oclif's parser messages (only the oclif fallback still meets them; the
 * shared parser in ./parse words its own) as one hactl line: flags with their
 * dashes, no "See more help" tail.
 */
export function rewordOclifMessage(message: string): string {
  const lines = message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^See more help with/.test(l) && l !== 'The following error occurred:');
  const m0 = lines.join(' ');
  let m: RegExpExecArray | null;
  if ((m = /^Nonexistent flags?: (.+)$/.exec(m0))) return `unknown flag ${m[1]}`;
  if ((m = /Missing required flag (\S+)/.exec(m0))) return `missing required flag ${m[1].startsWith('-') ? m[1] : `--${m[1]}`}`;
  if ((m = /^Expected --([\w-]+)=(.*) to be one of: (.+)$/.exec(m0))) return `--${m[1]} must be one of ${m[3]} (got '${m[2]}')`;
  if ((m = /^Missing \d+ required args?: (\S+)/.exec(m0))) return `missing ${m[1].toUpperCase()}`;
  if ((m = /^Unexpected arguments?: (.+)$/.exec(m0))) return `unexpected argument '${m[1]}'`;
  if ((m = /^Flag --([\w-]+) expects a value/.exec(m0))) return `--${m[1]} needs a value`;
  return m0;
}
