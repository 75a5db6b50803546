/**
 * MISC_CHECK pure parts (keepalived check_misc.c): command-line splitting of
 * misc_path and the exit-status rule.
 *  - exit 0: up, weight unchanged;
 *  - misc_dynamic and exit 2..255: up, weight = status - 2;
 *  - any other exit status: down;
 *  - killed by a signal: down ("timed out" when hactl killed it after misc_timeout).
 * On timeout keepalived sends SIGTERM to the script's process group, then
 * SIGKILL 2 s later if it is still there; so does hactl.
 */

export const MISC_KILL_GRACE_MS = 2000;

/** Split a command line: blanks separate words, '...' and "..." quote, backslash escapes. */
export function splitCommandLine(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < s.length) cur += s[++i];
      else cur += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < s.length) {
      cur += s[++i];
      inWord = true;
    } else if (c === ' ' || c === '\t') {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (quote) throw new Error(`unterminated ${quote} quote in '${s}'`);
  if (inWord) out.push(cur);
  return out;
}

export interface MiscExit {
  code: number | null;
  signal: string | null;
  timedOut: boolean;
}

export interface MiscVerdict {
  ok: boolean;
  reason: string;
  weight?: number;
}

export function judgeMiscExit(e: MiscExit, dynamic: boolean): MiscVerdict {
  if (e.timedOut) return { ok: false, reason: 'timed out' };
  if (e.code !== null) {
    if (e.code === 0) return { ok: true, reason: 'succeeded (exit status 0)' };
    if (dynamic && e.code >= 2 && e.code <= 255) {
      return { ok: true, reason: `succeeded (exit status ${e.code}, weight ${e.code - 2})`, weight: e.code - 2 };
    }
    return { ok: false, reason: `failed (exited with status ${e.code})` };
  }
  return { ok: false, reason: `failed (due to signal ${e.signal ?? '?'})` };
}
