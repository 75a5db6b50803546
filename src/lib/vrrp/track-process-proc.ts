/**
 * The /proc reader for vrrp_track_process (pure logic: track-process.ts).
 * One scan: readdir /proc, then per process /proc/PID/stat (comm, state,
 * parent) and, only when a tracker matches on the command line,
 * /proc/PID/cmdline (at most `cmdlineBytes`, as keepalived). A process that
 * exits between readdir and the reads is skipped: never an error.
 */
import * as fs from 'node:fs';
import type { ProcInfo } from './track-process';

const statBuf = Buffer.alloc(512);

function readSmall(path: string, buf: Buffer, max: number): number {
  const fd = fs.openSync(path, 'r');
  try {
    return fs.readSync(fd, buf, 0, Math.min(max, buf.length), 0);
  } finally {
    fs.closeSync(fd);
  }
}

/** Parse /proc/PID/stat: "PID (COMM) S PPID ...". The comm may contain ')' and spaces. */
export function parseStat(text: string): { comm: string; state: string; ppid: number } | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const rest = text.slice(close + 2).split(' ');
  return { comm: text.slice(open + 1, close), state: rest[0] ?? '', ppid: Number(rest[1] ?? 0) };
}

/**
 * One snapshot. Per process: /proc/PID/comm, /proc/PID/cmdline when
 * `cmdline`, and /proc/PID/stat (state, parent) only for the processes
 * `detail` selects (the ones some tracker matches; all when absent): stat
 * costs half as much again as comm and is needed only to tell a zombie and
 * a fork.
 */
export interface ScanOptions {
  cmdline: boolean;
  cmdlineBytes: number;
  detail?: (p: ProcInfo) => boolean;
}

/**
 * scanProc with the command lines cached per (pid, comm): reading
 * /proc/PID/cmdline reads the process's memory and costs as much as the rest
 * of the scan. A new pid or a changed comm (exec of another program, prctl)
 * is read at once; every `refreshEvery`-th scan reads all command lines, so
 * an exec that keeps the comm is seen within that many polls.
 */
export class ProcScanner {
  private cache = new Map<number, { comm: string; argv: string[] }>();
  private n = 0;
  constructor(
    private readonly refreshEvery = 4,
    private readonly root = '/proc',
  ) {}

  scan(opts: ScanOptions): ProcInfo[] {
    if (!opts.cmdline) {
      this.cache.clear();
      return scanProc(opts, this.root);
    }
    const full = this.n++ % this.refreshEvery === 0;
    const next = new Map<number, { comm: string; argv: string[] }>();
    const out = scanProc(
      {
        ...opts,
        cachedArgv: full
          ? undefined
          : (pid, comm) => {
              const c = this.cache.get(pid);
              return c && c.comm === comm ? c.argv : undefined;
            },
      },
      this.root,
    );
    for (const p of out) if (p.argv) next.set(p.pid, { comm: p.comm, argv: p.argv });
    this.cache = next;
    return out;
  }
}

export function scanProc(
  opts: ScanOptions & { cachedArgv?: (pid: number, comm: string) => string[] | undefined },
  root = '/proc',
): ProcInfo[] {
  let names: string[];
  try {
    names = fs.readdirSync(root);
  } catch {
    return [];
  }
  const out: ProcInfo[] = [];
  let cmdBuf: Buffer | undefined;
  if (opts.cmdline) cmdBuf = Buffer.alloc(Math.max(16, opts.cmdlineBytes));
  for (const n of names) {
    const c = n.charCodeAt(0);
    if (c < 49 || c > 57) continue; // '1'..'9'
    const pid = Number(n);
    if (!Number.isInteger(pid)) continue;
    try {
      let len = readSmall(`${root}/${n}/comm`, statBuf, 64);
      if (len > 0 && statBuf[len - 1] === 10) len--;
      const p: ProcInfo = { pid, ppid: 0, comm: statBuf.toString('utf8', 0, len) };
      const cached = cmdBuf && opts.cachedArgv?.(pid, p.comm);
      if (cached) p.argv = cached;
      else if (cmdBuf) {
        const l = readSmall(`${root}/${n}/cmdline`, cmdBuf, cmdBuf.length);
        const parts = cmdBuf.toString('utf8', 0, l).split('\0');
        // "a\0b\0" -> ["a", "b"]; a truncated last argument stays as read
        if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
        p.argv = l === 0 ? [] : parts;
      }
      if (!opts.detail || opts.detail(p)) {
        const sl = readSmall(`${root}/${n}/stat`, statBuf, statBuf.length);
        const st = parseStat(statBuf.toString('latin1', 0, sl));
        if (!st) continue;
        p.ppid = st.ppid;
        p.zombie = st.state === 'Z';
      }
      out.push(p);
    } catch {
      // the process exited while we read it (ENOENT, ESRCH): not there
    }
  }
  return out;
}
