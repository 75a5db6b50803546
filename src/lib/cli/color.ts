/**
 * Colour policy: only when the stream is a TTY, never when NO_COLOR is set to
 * a non-empty value (https://no-color.org: an empty NO_COLOR does not count) or TERM=dumb. Pure: the environment and the
 * TTY flag are passed in.
 */
export function colorEnabled(isTTY: boolean | undefined, env: NodeJS.ProcessEnv): boolean {
  if (!isTTY) return false;
  if (env.NO_COLOR) return false;
  if (env.TERM === 'dumb') return false;
  return true;
}

export interface Painter {
  red(s: string): string;
  yellow(s: string): string;
  green(s: string): string;
  cyan(s: string): string;
  bold(s: string): string;
  dim(s: string): string;
}

const plain: Painter = {
  red: (s) => s,
  yellow: (s) => s,
  green: (s) => s,
  cyan: (s) => s,
  bold: (s) => s,
  dim: (s) => s,
};

function sgr(open: number, close: number): (s: string) => string {
  return (s) => `\u001b[${open}m${s}\u001b[${close}m`;
}

const ansi: Painter = {
  red: sgr(31, 39),
  yellow: sgr(33, 39),
  green: sgr(32, 39),
  cyan: sgr(36, 39),
  bold: sgr(1, 22),
  dim: sgr(2, 22),
};

export function painter(enabled: boolean): Painter {
  return enabled ? ansi : plain;
}

/** Painter for a process stream, following the policy above. */
export function painterFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): Painter {
  return painter(colorEnabled(stream.isTTY, env));
}
