/**
 * The daemon supervisor's pure logic (no I/O): one child "half" of `hactl vrrp run`
 * (the LVS half, `vrrp run --lvs-only`, keepalived's checker child) is started, watched and,
 * when it dies, either restarted with keepalived 2.2.7's back-off or, when it failed for good,
 * reported so the daemon stops (fail closed).
 *
 * keepalived 2.2.7 (lib/scheduler.c report_child_status, calc_restart_delay;
 * check/check_daemon.c check_respawn_thread):
 * - a child that exits with KEEPALIVED_EXIT_FATAL (1), KEEPALIVED_EXIT_CONFIG (2) or
 *   KEEPALIVED_EXIT_MISSING_PERMISSION (4) "exited with permanent error FATAL|CONFIG|missing
 *   permission. Terminating": the parent stops everything and exits with that code;
 * - any other exit (another status, 0, or a signal) is respawned: at once when the child had run
 *   for 60 s or more (and the back-off resets), otherwise after the current delay, which goes
 *   0, 1, 2, 4, 8, 16, 32, 60, 60, ... seconds;
 * - `--dont-respawn` (-R) makes any death stop the daemon (not offered by hactl).
 *
 * hactl adds availability: the VRRP half must not hold or take MASTER while the LVS half is down
 * (keepalived's VRRP child ignores its checker sibling). The half is available once it says it is
 * ready (after a restart: from its readiness message until it dies); at the very first start it
 * counts as available while it starts, as keepalived's VRRP does not wait for the checker (a first
 * start that fails for good stops the daemon instead).
 */

// The supervisor's protocol with the LVS child it spawns (lvs/daemon.ts reads these).

/**
 * Set when this process is the LVS half that `vrrp run` spawned: the VRRP half (the parent) owns the
 * global notify_fifo and runs its notify_fifo_script (keepalived: the parent process), so this half
 * only writes to that FIFO.
 */
export const FIFO_OWNER_ENV = 'HACTL_NOTIFY_FIFO_OWNER';

/**
 * Set (to the parent's pid) in the environment of the LVS half that a VRRP half
 * spawned: that child holds only the LVS pid file (the parent holds the main one)
 * and serves no metrics (the parent serves the VRRP metrics on --metrics).
 */
export const LVS_CHILD_ENV = 'HACTL_LVS_CHILD_OF';

/** The message an LVS half started by the supervisor (IPC channel) sends once it serves. */
export const LVS_READY_MESSAGE = { hactl: 'lvs-ready' } as const;

/** keepalived 2.2.7's exit codes (lib/scheduler.h). */
export const KEEPALIVED_EXIT = {
  OK: 0,
  FATAL: 1,
  CONFIG: 2,
  MISSING_PERMISSION: 4,
  NO_CONFIG: 6,
  /** EX_SOFTWARE: a program error (an exception no handler caught): restarted */
  PROGRAM_ERROR: 70,
} as const;

export type HalfState = 'starting' | 'up' | 'restarting' | 'failed' | 'stopped';

/** What `vrrp status` and /metrics show about a supervised half. */
export interface HalfStatus {
  name: string;
  state: HalfState;
  /** whether the VRRP half may be MASTER as far as this half goes */
  available: boolean;
  pid: number | null;
  restarts: number;
  /** the last death: "exit 70", "signal SIGKILL" */
  lastExit: string | null;
  /** ms until the next start (state restarting, not yet spawned) */
  nextStartInMs: number | null;
  /** ms in the current state */
  sinceMs: number;
}

/** The daemon is degraded while a half is not up (`vrrp status` exits with this). */
export const STATUS_EXIT_DEGRADED = 3;

export function degraded(halves: HalfStatus[] | undefined): boolean {
  return (halves ?? []).some((h) => h.state !== 'up');
}

export interface ExitVerdict {
  permanent: boolean;
  /** "exit 1 (FATAL)", "signal SIGKILL", "exit 70" */
  text: string;
}

/** keepalived's report_child_status: which deaths are permanent. */
export function classifyExit(code: number | null, signal: string | null): ExitVerdict {
  if (code === null) return { permanent: false, text: `signal ${signal ?? 'unknown'}` };
  const names: Record<number, string> = {
    [KEEPALIVED_EXIT.FATAL]: 'FATAL',
    [KEEPALIVED_EXIT.CONFIG]: 'CONFIG',
    [KEEPALIVED_EXIT.MISSING_PERMISSION]: 'missing permission',
  };
  const n = names[code];
  return n ? { permanent: true, text: `exit ${code} (${n})` } : { permanent: false, text: `exit ${code}` };
}

/**
 * keepalived's calc_restart_delay, in ms: `ranMs` is how long the child ran, `next` the delay
 * kept from the last death (0 at first). Returns the delay to wait now and the next one to keep.
 */
export function restartDelay(ranMs: number, next: number): { delayMs: number; next: number } {
  if (ranMs >= 60_000) return { delayMs: 0, next: 0 };
  const delayMs = next;
  const after = next === 0 ? 1000 : next > 30_000 ? 60_000 : next * 2;
  return { delayMs, next: after };
}

export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(h: unknown): void;
}

export interface ChildHandle {
  readonly pid: number | undefined;
  kill(sig: NodeJS.Signals): void;
}

export interface ChildEvents {
  /** the child says it serves (after its start-up) */
  ready(): void;
  /** the child is gone; `code` null when a signal ended it */
  exit(code: number | null, signal: string | null): void;
}

export type SupervisorLog = (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;

export interface SupervisorDeps {
  /** start the child; it must report through `ev` (never synchronously) */
  spawn(ev: ChildEvents): ChildHandle;
  /** monotonic ms */
  clock: () => number;
  timers: Timers;
  log: SupervisorLog;
  /** the half became available (true) or not (false) to the VRRP half */
  availability(up: boolean): void;
  /** the half failed for good: the daemon must stop and exit with `code` */
  permanent(code: number, message: string): void;
}

export class HalfSupervisor {
  private state: HalfState = 'stopped';
  private child: ChildHandle | undefined;
  private startedAt = 0;
  private stateAt = 0;
  private restarts = 0;
  private nextDelay = 0;
  private lastExit: string | null = null;
  private timer: unknown = null;
  private timerAt = 0;
  private avail = true;
  private stopWaiters: (() => void)[] = [];
  /** bumped per spawn: events of an old child are ignored */
  private gen = 0;

  constructor(
    readonly name: string,
    private readonly deps: SupervisorDeps,
  ) {}

  start(): void {
    if (this.state !== 'stopped') return;
    this.spawn();
  }

  private setState(s: HalfState): void {
    this.state = s;
    this.stateAt = this.deps.clock();
    // failed: the daemon stops through its normal path (priority 0, VIPs, notify_stop), not via FAULT
    if (s === 'failed') return;
    const avail = s === 'up' || (s === 'starting' && this.restarts === 0);
    if (avail !== this.avail) {
      this.avail = avail;
      this.deps.availability(avail);
    }
  }

  private spawn(): void {
    this.timer = null;
    const gen = ++this.gen;
    this.startedAt = this.deps.clock();
    this.setState(this.restarts === 0 ? 'starting' : 'restarting');
    this.child = this.deps.spawn({
      ready: () => {
        if (gen !== this.gen || this.state === 'stopped' || this.state === 'failed') return;
        if (this.restarts > 0) this.deps.log('info', `${this.name} half (pid ${this.child?.pid}) is running again (restart ${this.restarts})`);
        this.setState('up');
      },
      exit: (code, signal) => {
        if (gen === this.gen) this.onExit(code, signal);
      },
    });
  }

  private onExit(code: number | null, signal: string | null): void {
    const pid = this.child?.pid;
    this.child = undefined;
    const v = classifyExit(code, signal);
    if (this.state === 'stopped') {
      for (const w of this.stopWaiters.splice(0)) w();
      return;
    }
    this.lastExit = v.text;
    if (v.permanent) {
      this.setState('failed');
      const msg = `${this.name} half (pid ${pid}) exited with permanent error ${v.text}; stopping the daemon (as keepalived: "exited with permanent error. Terminating")`;
      this.deps.log('error', msg, { half: this.name, code, permanent: true });
      this.deps.permanent(code ?? KEEPALIVED_EXIT.FATAL, msg);
      return;
    }
    const ran = this.deps.clock() - this.startedAt;
    const d = restartDelay(ran, this.nextDelay);
    this.nextDelay = d.next;
    this.restarts++;
    this.setState('restarting');
    this.deps.log(
      'error',
      `${this.name} half (pid ${pid}) died (${v.text}); restarting it${d.delayMs ? ` in ${d.delayMs / 1000} s (limiting the respawn rate)` : ''}; VRRP instances are FAULT until it runs again`,
      { half: this.name, code, signal, restart: this.restarts, delayMs: d.delayMs },
    );
    this.timerAt = this.deps.clock() + d.delayMs;
    this.timer = this.deps.timers.set(() => this.spawn(), d.delayMs);
  }

  /** SIGHUP and the like, to the running child. */
  signal(sig: NodeJS.Signals): void {
    if (this.child && this.state !== 'stopped') this.child.kill(sig);
  }

  /** Stop the child (SIGTERM, then SIGKILL after `killAfterMs`); resolves when it is gone. */
  stop(killAfterMs = 10_000): Promise<void> {
    if (this.timer !== null) this.deps.timers.clear(this.timer);
    this.timer = null;
    const child = this.child;
    this.state = 'stopped';
    this.stateAt = this.deps.clock();
    if (!child) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const t = this.deps.timers.set(() => child.kill('SIGKILL'), killAfterMs);
      this.stopWaiters.push(() => {
        this.deps.timers.clear(t);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }

  status(): HalfStatus {
    const now = this.deps.clock();
    return {
      name: this.name,
      state: this.state,
      available: this.avail,
      pid: this.child?.pid ?? null,
      restarts: this.restarts,
      lastExit: this.lastExit,
      nextStartInMs: this.timer !== null ? Math.max(0, Math.round(this.timerAt - now)) : null,
      sinceMs: Math.round(now - this.stateAt),
    };
  }
}
