/**
 * The daemon supervisor: what `hactl vrrp run` has above its two halves. The VRRP half runs in
 * this process; the supervisor forks the LVS half (`vrrp run ... --lvs-only`, keepalived's
 * checker child), watches it and restarts it with keepalived's back-off, or stops the daemon
 * when it failed for good (supervisor.ts, pure); it keeps the VRRP instances out of MASTER
 * while the LVS half is down (through the VRRP daemon's own tracked object "LVS half"); and it
 * runs the watchdog that gives up the VIPs should this process be killed (vrrp/watchdog.ts,
 * given by the VRRP half's start-up: this folder imports neither half).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import {
  type ChildEvents,
  type ChildHandle,
  FIFO_OWNER_ENV,
  HalfSupervisor,
  type HalfStatus,
  LVS_CHILD_ENV,
  LVS_READY_MESSAGE,
  type SupervisorLog,
} from './supervisor';

export { degraded, type HalfStatus, STATUS_EXIT_DEGRADED } from './supervisor';

/** The dead-man switch the supervisor runs (vrrp/watchdog.ts's Watchdog): it is told the MASTER plans, and "bye" on a clean stop. */
export interface DeadManSwitch<P> {
  update(plans: P[], links?: readonly string[]): void;
  bye(): void;
  readonly pid: number | undefined;
}

/** The name of the VRRP daemon's internal tracked object for the LVS half. */
export const LVS_TRACK = 'LVS half';

/** Start `hactl vrrp run <argv> --lvs-only` as the LVS child (IPC channel: readiness; it stops when we go). */
export function spawnLvsChild(argv: string[], ev: ChildEvents): ChildHandle {
  // argv: lvsChildArgv(flags), the parsed flags (not the parent's command line)
  const child: ChildProcess = spawn(process.execPath, [process.argv[1], 'vrrp', 'run', ...argv, '--lvs-only'], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, [FIFO_OWNER_ENV]: 'vrrp', [LVS_CHILD_ENV]: String(process.pid) },
  });
  child.unref();
  child.channel?.unref();
  let done = false;
  const exit = (code: number | null, sig: string | null) => {
    if (done) return;
    done = true;
    ev.exit(code, sig);
  };
  child.on('message', (m: unknown) => {
    if ((m as { hactl?: string } | null)?.hactl === LVS_READY_MESSAGE.hactl) ev.ready();
  });
  child.on('exit', (code, sig) => exit(code, sig));
  // spawn failure (no exit event follows): a crash to retry
  child.on('error', () => setImmediate(() => exit(null, 'spawn error')));
  return {
    get pid() {
      return child.pid;
    },
    kill: (sig) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    },
  };
}

export interface SupervisionOptions<P> {
  /** the `vrrp run` argv, when the LVS half runs as a child */
  lvsArgv?: string[];
  log: SupervisorLog;
  /** the LVS half is available (true) or not: the VRRP half's tracked object */
  availability(up: boolean): void;
  /** a half failed for good: stop the daemon and exit with `code` */
  permanent(code: number, message: string): void;
  /** start the dead-man switch (undefined: none, e.g. not built) */
  watchdog?: (log: (level: 'info' | 'warn' | 'error', msg: string) => void) => DeadManSwitch<P> | undefined;
  /** for tests of the wiring: another spawner */
  spawn?: (ev: ChildEvents) => ChildHandle;
}

export class Supervision<P> {
  readonly lvs?: HalfSupervisor;
  private watchdog?: DeadManSwitch<P>;

  constructor(private readonly o: SupervisionOptions<P>) {
    const argv = o.lvsArgv;
    if (argv)
      this.lvs = new HalfSupervisor('LVS', {
        spawn: o.spawn ?? ((ev) => spawnLvsChild(argv, ev)),
        clock: () => performance.now(),
        timers: { set: (fn, ms) => setTimeout(fn, ms), clear: (h) => clearTimeout(h as NodeJS.Timeout) },
        log: o.log,
        availability: o.availability,
        permanent: o.permanent,
      });
  }

  /** Start the watchdog and the LVS child. */
  start(): void {
    this.watchdog = this.o.watchdog?.((l, m) => this.o.log(l, m));
    this.lvs?.start();
  }

  /** The VRRP daemon's MASTER instances or vmac links changed (VrrpDaemon deps.onMasters). */
  masters(plans: P[], links: readonly string[] = []): void {
    this.watchdog?.update(plans, links);
  }

  /** SIGHUP: the LVS half reloads too. */
  reload(): void {
    this.lvs?.signal('SIGHUP');
  }

  /** Stop the LVS child (waits for it). */
  async stopHalves(): Promise<void> {
    await this.lvs?.stop();
  }

  /** After the VRRP half stopped cleanly: the watchdog has nothing to do. */
  bye(): void {
    this.watchdog?.bye();
  }

  halves(): HalfStatus[] | undefined {
    return this.lvs ? [this.lvs.status()] : undefined;
  }

  get watchdogPid(): number | undefined {
    return this.watchdog?.pid;
  }
}
