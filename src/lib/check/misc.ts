/**
 * MISC_CHECK I/O: misc_path read as keepalived reads it (src/lib/proc/argv), run through
 * src/lib/proc (its own process group, stdio to /dev/null, as keepalived), up to misc_timeout,
 * then SIGTERM to the whole group and SIGKILL 2 s later if anything is left. After the script
 * exits the group is SIGKILLed too, so no grandchild survives the check.
 */
import { splitCommand, unreadableCommand } from '../proc/argv';
import { startScript } from '../proc/run';
import { judgeMiscExit } from './misc-proto';
import type { AttemptResult, MiscCheckOptions } from './types';

export async function miscAttempt(o: MiscCheckOptions, onSpawn?: (pid: number) => void): Promise<AttemptResult> {
  const bad = unreadableCommand(o.miscPath);
  if (bad) return { ok: false, reason: `misc_path: ${bad}; not run` };
  const run = startScript({
    argv: splitCommand(o.miscPath),
    user: o.user,
    group: o.group,
    timeoutMs: o.miscTimeoutMs,
    killGroupOnExit: true,
    killWithDaemon: true,
  });
  if (run.pid !== undefined) onSpawn?.(run.pid);
  const exit = await run.done;
  if (exit.error) return { ok: false, reason: exit.error };
  const v = judgeMiscExit(exit, o.miscDynamic);
  const detail = { pid: exit.pid, exitCode: exit.code, signal: exit.signal, ms: exit.ms };
  const reason = exit.timedOut ? `timed out after ${o.miscTimeoutMs} ms (process group ${exit.pid} killed)` : v.reason;
  return v.weight !== undefined ? { ok: v.ok, reason, weight: v.weight, detail } : { ok: v.ok, reason, detail };
}
