/**
 * The daemons' pid files, held under an exclusive flock(2) for the process's
 * whole life: a second `hactl vrrp run` on the same pid file is refused
 * (keepalived 2.2.7 refuses with "daemon is already running"), and a pid file
 * left by a dead process is taken over (its lock died with it). Only the
 * holder removes the file, and only when it is still the file it locked.
 *
 * flock comes from the project's addon (native/packet); an addon without it
 * falls back to keepalived's own test (kill(pid, 0) on the pid in the file).
 */
import * as fs from 'node:fs';
import { HactlError } from '../cli/errors';
import { flockFd, LOCK } from '../net/packet';

/** keepalived's convention: one default pid file for the main process. */
export const DEFAULT_PID_FILE = '/run/hactl-vrrp.pid';

/** The LVS half's pid file that goes with a main pid file (keepalived -c beside -p). */
export function lvsPidFileFor(main: string): string {
  return main.endsWith('.pid') ? `${main.slice(0, -4)}-lvs.pid` : `${main}-lvs`;
}

export interface PidLock {
  readonly path: string;
  /** Remove the file (when it is still the one locked) and drop the lock. Idempotent. */
  release(): void;
}

const EWOULDBLOCK = 11;

function pidIn(p: string): number | undefined {
  try {
    const n = Number.parseInt(fs.readFileSync(p, 'utf8').trim(), 10);
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function alreadyRunning(what: string, holder: number | undefined, p: string): HactlError {
  return new HactlError(`${what}: daemon is already running${holder ? ` (pid ${holder})` : ''}: ${p} is locked`, {
    hint: `stop it first, or give this one its own --pid-file and --control-socket`,
  });
}

/** A live daemon already answers on the control socket `p` (it may have another pid file). */
export function alreadyRunningOnSocket(what: string, p: string): HactlError {
  return new HactlError(`${what}: daemon is already running: it answers on control socket ${p}`, {
    hint: 'stop it first, or give this one its own --pid-file and --control-socket',
  });
}

/**
 * Create/open `p`, take its lock, write `pid`. Throws HactlError when another
 * live process holds it, or when the file cannot be opened (nothing is left behind).
 */
export function lockPidFile(p: string, what = 'hactl vrrp run', pid = process.pid): PidLock {
  for (let attempt = 0; attempt < 5; attempt++) {
    let fd: number;
    try {
      fd = fs.openSync(p, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW, 0o644);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new HactlError(`cannot open pid file ${p}: ${err.code ?? err.message}`, { hint: 'the directory must exist and be writable (see --pid-file)' });
    }
    const r = flockFd(fd, LOCK.EX | LOCK.NB);
    if (r === EWOULDBLOCK) {
      fs.closeSync(fd);
      throw alreadyRunning(what, pidIn(p), p);
    }
    if (r === undefined) {
      // no flock in this build: keepalived's own test, the pid in the file still alive
      const other = pidIn(p);
      if (other !== undefined && other !== pid && alive(other)) {
        fs.closeSync(fd);
        throw alreadyRunning(what, other, p);
      }
    } else if (r !== 0) {
      fs.closeSync(fd);
      throw new HactlError(`cannot lock pid file ${p}: errno ${r}`);
    }
    // the file may have been removed (by its previous holder on exit) between open and lock: lock the new one
    let same = false;
    try {
      same = fs.statSync(p).ino === fs.fstatSync(fd).ino;
    } catch {
      same = false;
    }
    if (!same) {
      fs.closeSync(fd);
      continue;
    }
    fs.ftruncateSync(fd, 0);
    fs.writeSync(fd, `${pid}\n`, 0);
    const ino = fs.fstatSync(fd).ino;
    let open = true;
    return {
      path: p,
      release() {
        if (!open) return;
        open = false;
        try {
          if (fs.statSync(p).ino === ino) fs.unlinkSync(p);
        } catch {
          /* gone */
        }
        try {
          fs.closeSync(fd);
        } catch {
          /* closed */
        }
      },
    };
  }
  throw new HactlError(`cannot lock pid file ${p}: it keeps being replaced`);
}

/**
 * What a daemon holds while it starts and runs (pid locks, sockets, listeners, FIFOs), released in
 * reverse order, each at most once, a failing release not stopping the others: the one cleanup of
 * both halves, at a start-up error and at stop.
 */
export class Held {
  private readonly items: (() => void)[] = [];
  push(release: () => void): void {
    this.items.push(release);
  }
  releaseAll(): void {
    for (const r of this.items.splice(0).reverse()) {
      try {
        r();
      } catch {
        /* released */
      }
    }
  }
}
