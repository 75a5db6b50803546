/**
 * Run a script the way keepalived 2.2.7 does (lib/notify.c system_call_script and the script
 * child threads): the argv as given (never a shell), as its user/group (a user or group that
 * does not exist: not run, never as the daemon's own user), in its own process group, stdio to
 * /dev/null unless the output is captured. On timeout the whole group gets SIGTERM, then
 * SIGKILL KILL_GRACE_MS later if it is still there; a group that was told to terminate is
 * SIGKILLed once the script has exited, so no grandchild outlives it.
 *
 * The one place hactl spawns a script: VRRP notify and track scripts, LVS notify/quorum
 * scripts, notify FIFO scripts and MISC_CHECK all come here. Thin adapter; the rules it uses
 * are in ./argv (command line) and ./user (who runs it).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { idsFromDb } from './user';

/** Between SIGTERM and SIGKILL when a script overruns (keepalived: 2 s). */
export const KILL_GRACE_MS = 2000;

function readDb(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** uid/gid of a user (and group) on this host; throws a one-line error when one does not exist. */
export function resolveUser(user: string, group?: string): { uid: number; gid: number } {
  return idsFromDb(readDb('/etc/passwd'), group ? readDb('/etc/group') : undefined, user, group);
}

export interface ScriptOptions {
  argv: string[];
  user?: string;
  group?: string;
  /** Then SIGTERM to the process group, SIGKILL killGraceMs later. None: no limit. */
  timeoutMs?: number;
  killGraceMs?: number;
  /** Collect stdout and stderr (together, at most this many bytes); default: both to /dev/null. */
  captureBytes?: number;
  /** SIGKILL what is left in the script's process group once it has exited (MISC_CHECK). */
  killGroupOnExit?: boolean;
  /** SIGKILL the script's group when hactl exits first (a one-shot command such as `hactl check misc`). */
  killWithDaemon?: boolean;
}

export interface ScriptExit {
  pid?: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** hactl killed it after timeoutMs. */
  timedOut: boolean;
  /** It did not run (unknown user/group, no such program, empty argv): one line. */
  error?: string;
  output?: string;
  ms: number;
}

export interface ScriptRun {
  pid?: number;
  done: Promise<ScriptExit>;
  /** Signal the script's process group (no-op once it has exited). */
  kill(sig?: NodeJS.Signals): void;
  /** Do not keep hactl alive for this script. */
  unref(): void;
}

function killGroup(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, sig);
    return true;
  } catch {
    return false;
  }
}

/** Process groups of killWithDaemon scripts still running: killed if hactl itself exits first. */
const running = new Set<number>();
let exitHookInstalled = false;
function killWithDaemon(pid: number): void {
  running.add(pid);
  if (exitHookInstalled) return;
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

function notRun(error: string): ScriptRun {
  return { done: Promise.resolve({ code: null, signal: null, timedOut: false, error, ms: 0 }), kill: () => {}, unref: () => {} };
}

/** Start a script; `done` resolves when it has exited (never rejects). */
export function startScript(o: ScriptOptions): ScriptRun {
  if (o.argv.length === 0 || o.argv[0] === '') return notRun('no command to run; not run');
  let ids: { uid: number; gid: number } | undefined;
  try {
    if (o.user) ids = resolveUser(o.user, o.group);
  } catch (e) {
    return notRun(`${(e as Error).message}; not run (keepalived does not run a script whose user or group does not exist)`);
  }
  const t0 = performance.now();
  let child: ChildProcess;
  try {
    child = spawn(o.argv[0], o.argv.slice(1), {
      stdio: o.captureBytes ? ['ignore', 'pipe', 'pipe'] : 'ignore',
      detached: true, // its own process group (keepalived: setpgid(0, 0))
      uid: ids?.uid,
      gid: ids?.gid,
      shell: false,
    });
  } catch (e) {
    return notRun(`cannot run '${o.argv[0]}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const pid = child.pid;
  let exited = false;
  let out: Buffer[] = [];
  let outLen = 0;
  const take = (b: Buffer) => {
    if (!o.captureBytes || outLen >= o.captureBytes) return;
    const part = b.subarray(0, o.captureBytes - outLen);
    out.push(part);
    outLen += part.length;
  };
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  const done = new Promise<ScriptExit>((resolve) => {
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    const stopTimers = () => {
      if (timer) clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
    };
    if (o.timeoutMs !== undefined && pid !== undefined) {
      timer = setTimeout(() => {
        timedOut = true;
        killGroup(pid, 'SIGTERM');
        killTimer = setTimeout(() => killGroup(pid, 'SIGKILL'), o.killGraceMs ?? KILL_GRACE_MS);
      }, o.timeoutMs);
    }
    const finish = (r: Omit<ScriptExit, 'ms' | 'pid' | 'output'>) => {
      const output = o.captureBytes ? Buffer.concat(out).toString('utf8') : undefined;
      out = [];
      resolve({ pid, ...r, ms: performance.now() - t0, ...(output !== undefined ? { output } : {}) });
    };
    child.once('error', (e: NodeJS.ErrnoException) => {
      stopTimers();
      exited = true;
      if (pid !== undefined) running.delete(pid);
      finish({ code: null, signal: null, timedOut, error: `cannot run '${o.argv[0]}': ${e.code ?? e.message}` });
    });
    child.once('exit', (code, signal) => {
      stopTimers();
      exited = true;
      if (pid !== undefined) {
        // what the script left behind in its group goes too (keepalived: after a timeout)
        if (timedOut || o.killGroupOnExit) killGroup(pid, 'SIGKILL');
        running.delete(pid);
      }
      if (!o.captureBytes) return finish({ code, signal, timedOut });
      // the output still in the pipes, without waiting for a grandchild that holds them open
      const grace = setTimeout(() => finish({ code, signal, timedOut }), 200);
      child.once('close', () => {
        clearTimeout(grace);
        finish({ code, signal, timedOut });
      });
    });
  });
  if (pid !== undefined && o.killWithDaemon) killWithDaemon(pid);
  return {
    pid,
    done,
    kill: (sig = 'SIGTERM') => {
      if (!exited && pid !== undefined) killGroup(pid, sig);
    },
    unref: () => {
      child.unref();
      for (const p of [child.stdout, child.stderr]) (p as unknown as { unref?: () => void } | null)?.unref?.();
    },
  };
}

/** Run a script and wait for it (see startScript). */
export function runScript(o: ScriptOptions): Promise<ScriptExit> {
  return startScript(o).done;
}
