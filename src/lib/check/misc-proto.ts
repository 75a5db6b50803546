/**
 * MISC_CHECK pure parts (keepalived check_misc.c): the exit-status rule (misc_path is read
 * as every other script line, src/lib/proc/argv).
 *  - exit 0: up, weight unchanged;
 *  - misc_dynamic and exit 2..255: up, weight = status - 2;
 *  - any other exit status: down;
 *  - killed by a signal: down ("timed out" when hactl killed it after misc_timeout).
 * On timeout keepalived sends SIGTERM to the script's process group, then
 * SIGKILL 2 s later if it is still there; so does hactl (src/lib/proc/run).
 */

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
