/**
 * MISC_CHECK I/O: run misc_path in its own process group (stdio to
 * /dev/null, as keepalived), wait up to misc_timeout, then SIGTERM the whole
 * group and SIGKILL it 2 s later if anything is left. After the script exits
 * the group is SIGKILLed too, so no grandchild survives the check.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { judgeMiscExit, MISC_KILL_GRACE_MS, splitCommandLine } from './misc-proto';
import type { MiscExit } from './misc-proto';
import type { AttemptResult, MiscCheckOptions } from './types';

function lookupId(file: string, name: string, field: number): number | undefined {
  if (/^\d+$/.test(name)) return Number(name);
  try {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const f = line.split(':');
      if (f[0] === name) return Number(f[field]);
    }
  } catch {
    /* no such file: unknown */
  }
  return undefined;
}

export function resolveUser(user: string, group?: string): { uid: number; gid: number } {
  const uid = lookupId('/etc/passwd', user, 2);
  if (uid === undefined) throw new Error(`unknown user '${user}'`);
  let gid: number | undefined;
  if (group) {
    gid = lookupId('/etc/group', group, 2);
    if (gid === undefined) throw new Error(`unknown group '${group}'`);
  } else gid = lookupId('/etc/passwd', user, 3);
  return { uid, gid: gid ?? uid };
}

function killGroup(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, sig);
    return true;
  } catch {
    return false;
  }
}

/** Process groups of scripts still running: killed if hactl itself exits first. */
const running = new Set<number>();
let exitHookInstalled = false;
function track(pid: number): void {
  running.add(pid);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const p of running) killGroup(p, 'SIGKILL');
    });
    // Ctrl-C would otherwise end hactl without 'exit' handlers and leave the
    // (detached) script running; only when nobody else handles these signals.
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      if (process.listenerCount(sig) === 0) process.once(sig, () => process.exit(128 + (sig === 'SIGINT' ? 2 : 15)));
    }
  }
}

export async function miscAttempt(o: MiscCheckOptions, onSpawn?: (pid: number) => void): Promise<AttemptResult> {
  let argv: string[];
  let ids: { uid: number; gid: number } | undefined;
  try {
    argv = splitCommandLine(o.miscPath);
    if (argv.length === 0) throw new Error('misc_path is empty');
    if (o.user) ids = resolveUser(o.user, o.group);
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  }
  const t0 = performance.now();
  const child = spawn(argv[0], argv.slice(1), {
    stdio: 'ignore',
    detached: true,
    uid: ids?.uid,
    gid: ids?.gid,
  });
  const pid = child.pid;
  const exit = await new Promise<MiscExit & { spawnError?: string }>((resolve) => {
    let timedOut = false;
    let termTimer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      if (pid === undefined) return;
      timedOut = true;
      killGroup(pid, 'SIGTERM');
      termTimer = setTimeout(() => killGroup(pid, 'SIGKILL'), MISC_KILL_GRACE_MS);
    }, o.miscTimeoutMs);
    child.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (termTimer) clearTimeout(termTimer);
      resolve({ code: null, signal: null, timedOut: false, spawnError: `cannot run '${argv[0]}': ${e.code ?? e.message}` });
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (termTimer) clearTimeout(termTimer);
      // Anything the script left behind in its group goes too.
      if (pid !== undefined) {
        killGroup(pid, 'SIGKILL');
        running.delete(pid);
      }
      resolve({ code, signal, timedOut });
    });
    if (pid !== undefined) {
      track(pid);
      onSpawn?.(pid);
    }
  });
  const ms = performance.now() - t0;
  if (exit.spawnError) return { ok: false, reason: exit.spawnError };
  const v = judgeMiscExit(exit, o.miscDynamic);
  const detail = { pid, exitCode: exit.code, signal: exit.signal, ms };
  const reason = exit.timedOut ? `timed out after ${o.miscTimeoutMs} ms (process group ${pid} killed)` : v.reason;
  return v.weight !== undefined ? { ok: v.ok, reason, weight: v.weight, detail } : { ok: v.ok, reason, detail };
}
