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

export function scanProc(opts: { cmdline: boolean; cmdlineBytes: number }, root = '/proc'): ProcInfo[] {
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
      const len = readSmall(`${root}/${n}/stat`, statBuf, statBuf.length);
      const st = parseStat(statBuf.toString('latin1', 0, len));
      if (!st) continue;
      const p: ProcInfo = { pid, ppid: st.ppid, comm: Buffer.from(st.comm, 'latin1').toString(), zombie: st.state === 'Z' };
      if (cmdBuf) {
        const l = readSmall(`${root}/${n}/cmdline`, cmdBuf, cmdBuf.length);
        const s = cmdBuf.toString('utf8', 0, l);
        // "a\0b\0" -> ["a", "b"]; a truncated last argument stays as read
        const parts = s.split('\0');
        if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
        p.argv = l === 0 ? [] : parts;
      }
      out.push(p);
    } catch {
      // the process exited while we read it (ENOENT, ESRCH): not there
    }
  }
  return out;
}
