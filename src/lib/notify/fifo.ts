/**
 * keepalived's notify FIFOs (notify_fifo / vrrp_notify_fifo / lvs_notify_fifo with their
 * *_fifo_script), as keepalived 2.2.7 runs them (notify.c fifo_open / fifo_close):
 * - the FIFO is created (mode 0600) when it does not exist, an existing one is used as is
 *   (anything else at that path: a warning, no FIFO);
 * - the script runs once, with the FIFO's path added as its last argument, as its own
 *   `username [groupname]` or global script_user (a user that does not exist: not run);
 * - the daemon holds the FIFO open read-write and non-blocking, so a line never blocks it
 *   and no reader is needed for writes to succeed (a full pipe drops the line, with a warning);
 * - at stop the script gets SIGTERM; the FIFO is left in place (keepalived leaves it too).
 * Thin I/O adapter; the daemons' cores only see `write(line)`.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { resolveUser, type ScriptRun, startScript } from '../proc/run';

export interface FifoScript {
  argv: string[];
  user?: string;
  group?: string;
}

export type FifoLog = (level: 'info' | 'warn' | 'error', msg: string) => void;

export class NotifyFifo {
  private fd: number | undefined;
  private child: ScriptRun | undefined;
  private warnedFull = false;

  constructor(
    readonly path: string,
    /** keyword for messages: notify_fifo, vrrp_notify_fifo, lvs_notify_fifo */
    readonly what: string,
    private readonly log: FifoLog,
  ) {}

  /**
   * Create if needed (owned by `owner` when given: `notify_fifo PATH user [group]`), start the
   * script (if any), open. False (with a warning) when it cannot be used.
   */
  open(script?: FifoScript, owner?: { user: string; group?: string }): boolean {
    if (this.fd !== undefined) return true;
    let st: fs.Stats | undefined;
    try {
      st = fs.lstatSync(this.path);
    } catch {
      st = undefined;
    }
    if (st && !st.isFIFO()) {
      this.log('warn', `${this.what} ${this.path}: exists and is not a FIFO; no notify lines are written there`);
      return false;
    }
    if (!st) {
      // Node has no mkfifo(2); coreutils' mkfifo with an argv (no shell)
      const r = spawnSync('mkfifo', ['-m', '0600', '--', this.path], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
      if (r.status !== 0) {
        this.log('warn', `${this.what} ${this.path}: cannot create the FIFO (${(r.stderr || r.error?.message || `mkfifo exited ${r.status}`).trim()})`);
        return false;
      }
      if (owner) {
        try {
          const ids = resolveUser(owner.user, owner.group);
          fs.chownSync(this.path, ids.uid, ids.gid);
        } catch (e) {
          this.log('warn', `${this.what} ${this.path}: cannot give it to ${owner.user}${owner.group ? `:${owner.group}` : ''}: ${(e as Error).message}`);
        }
      }
    }
    if (script) this.runScript(script);
    try {
      this.fd = fs.openSync(this.path, fs.constants.O_RDWR | fs.constants.O_NONBLOCK | fs.constants.O_NOFOLLOW);
    } catch (e) {
      this.log('warn', `${this.what} ${this.path}: cannot open: ${(e as Error).message}`);
      return false;
    }
    return true;
  }

  private runScript(s: FifoScript): void {
    const run = startScript({ argv: [...s.argv, this.path], user: s.user, group: s.group });
    run.unref();
    this.child = run;
    void run.done.then((r) => {
      if (this.child === run) this.child = undefined;
      if (r.error) this.log('warn', `${this.what}_script ${s.argv[0]}: ${r.error}`);
      else this.log('info', `${this.what}_script ${s.argv[0]} exited (${r.signal ?? r.code})`);
    });
  }

  /** One notify line (with its newline). Never blocks. */
  write(line: string): void {
    if (this.fd === undefined) return;
    try {
      fs.writeSync(this.fd, line);
      this.warnedFull = false;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        if (!this.warnedFull) this.log('warn', `${this.what} ${this.path}: the FIFO is full (its reader is not reading); notify lines are dropped`);
        this.warnedFull = true;
      } else this.log('warn', `${this.what} ${this.path}: ${(e as Error).message}`);
    }
  }

  /** Close the FIFO and stop its script (SIGTERM), as keepalived does at exit. */
  close(): void {
    // SIGTERM first: closing the last writer first would end the script with EOF instead
    this.child?.kill('SIGTERM');
    this.child = undefined;
    if (this.fd !== undefined) {
      try {
        fs.closeSync(this.fd);
      } catch {
        /* closed */
      }
      this.fd = undefined;
    }
  }
}
