/**
 * The daemons' one logger (VRRP half and LVS half of `hactl vrrp run`).
 *
 * - `--log-format json`: every line one JSON object {ts, mono, level, msg, ...fields}.
 * - text: `TS ident[pid]: LEVEL msg`; under systemd (JOURNAL_STREAM names our
 *   stderr) `<N>LEVEL msg` instead: journald adds time and ident, and reads the
 *   syslog priority from the prefix (sd-daemon(3)).
 * - Logging never kills or stalls the daemon: write errors (EPIPE of a closed
 *   reader, ...) are swallowed, and while the reader does not keep up, lines
 *   beyond a bounded buffer are dropped and counted; the count is reported
 *   once the buffer drains.
 *
 * The API stays a plain `(level, msg, fields?) => void`.
 */
import * as fs from 'node:fs';
import { performance } from 'node:perf_hooks';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type Logger = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => void;
export type LogFormat = 'text' | 'json';

/** syslog priorities (sd-daemon(3) prefixes). */
const PRIORITY: Record<LogLevel, number> = { error: 3, warn: 4, info: 6, debug: 7 };

export interface LineOptions {
  format: LogFormat;
  /** e.g. hactl-vrrp, hactl-lvs */
  ident: string;
  pid: number;
  /** stderr is the journal: priority prefix, no timestamp/ident */
  journal?: boolean;
  now: Date;
  /** monotonic ms */
  mono: number;
}

/** One log line, newline included (pure). */
export function formatLogLine(level: LogLevel, msg: string, fields: Record<string, unknown> | undefined, o: LineOptions): string {
  if (o.format === 'json') {
    return `${JSON.stringify({ ts: o.now.toISOString(), mono: Math.round(o.mono * 1000) / 1000, level, msg, ...fields })}\n`;
  }
  // one record a line: a message with newlines (a multi-line error) stays one record
  const text = msg.replace(/\n/g, ' | ');
  if (o.journal) return `<${PRIORITY[level]}>${level.toUpperCase()} ${text}\n`;
  return `${o.now.toISOString()} ${o.ident}[${o.pid}]: ${level.toUpperCase()} ${text}\n`;
}

/**
 * systemd's JOURNAL_STREAM ("DEV:INODE") names the journal stream our stderr was
 * connected to; it counts only when fd 2 is still that stream (systemd.exec(5)).
 */
export function isJournalStream(env: NodeJS.ProcessEnv, stderr: { dev: number; ino: number } | undefined): boolean {
  const m = env.JOURNAL_STREAM?.match(/^(\d+):(\d+)$/);
  if (!m || !stderr) return false;
  return Number(m[1]) === stderr.dev && Number(m[2]) === stderr.ino;
}

/** Where lines go: a Writable-like stream (process.stderr). */
export interface LogStream {
  write(s: string): unknown;
  readonly writableLength: number;
  on(ev: 'error', cb: (e: Error) => void): unknown;
}

/**
 * A bounded, never-throwing writer over `stream`. Lines that would grow the
 * stream's queue beyond `maxBytes` are dropped and counted.
 */
export class BoundedWriter {
  dropped = 0;
  broken = false;
  constructor(
    private readonly stream: LogStream,
    private readonly maxBytes = 1 << 20,
    private readonly droppedLine: (n: number) => string = (n) => `${n} log line(s) dropped (log reader too slow)\n`,
  ) {
    // EPIPE (reader gone) and any other write error: stop writing, never crash
    stream.on('error', () => {
      this.broken = true;
    });
  }

  write(line: string): void {
    if (this.broken) {
      this.dropped++;
      return;
    }
    try {
      const queued = this.stream.writableLength;
      if (queued + line.length > this.maxBytes) {
        this.dropped++;
        return;
      }
      if (this.dropped > 0 && queued === 0) {
        const n = this.dropped;
        this.dropped = 0;
        this.stream.write(this.droppedLine(n));
      }
      this.stream.write(line);
    } catch {
      this.broken = true;
      this.dropped++;
    }
  }

  /** Resolves when the queue is written (or after `timeoutMs`): before process.exit. */
  flush(timeoutMs = 500): Promise<void> {
    const end = Date.now() + timeoutMs;
    return new Promise((resolve) => {
      const poll = () => {
        if (this.broken || this.stream.writableLength === 0 || Date.now() >= end) resolve();
        else setTimeout(poll, 10).unref();
      };
      poll();
    });
  }
}

let shared: BoundedWriter | undefined;

/**
 * The process's one writer on stderr (and stdout made harmless too: a closed
 * stdout must not kill the daemon either).
 */
export function stderrWriter(): BoundedWriter {
  if (!shared) {
    process.stdout.on('error', () => {});
    shared = new BoundedWriter(process.stderr);
  }
  return shared;
}

function stderrStat(): { dev: number; ino: number } | undefined {
  try {
    const s = fs.fstatSync(2);
    return { dev: s.dev, ino: s.ino };
  } catch {
    return undefined;
  }
}

export interface DaemonLogOptions {
  format: LogFormat;
  ident: string;
  /** debug lines are written only when this is true */
  debug?: boolean;
  env?: NodeJS.ProcessEnv;
}

/** The daemon's Logger on stderr. */
export function daemonLogger(o: DaemonLogOptions): Logger {
  const w = stderrWriter();
  const journal = o.format === 'text' && isJournalStream(o.env ?? process.env, stderrStat());
  return (level, msg, fields) => {
    if (level === 'debug' && !o.debug) return;
    w.write(formatLogLine(level, msg, fields, { format: o.format, ident: o.ident, pid: process.pid, journal, now: new Date(), mono: performance.now() }));
  };
}
