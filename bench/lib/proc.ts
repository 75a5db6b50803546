/**
 * Small process helpers shared by the benches and the conf differential /
 * hostile-input tests: run a command with a hard timeout and capture its
 * output, run a pool of async jobs with bounded parallelism, and measure a
 * child's peak RSS.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface Captured {
  /** exit status, null when killed by a signal */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** wall time in milliseconds */
  ms: number;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  input?: string;
  /** stop collecting output after this many bytes per stream (the child keeps running) */
  maxOutputBytes?: number;
}

/** Run `cmd args` asynchronously; SIGKILL (whole process group) after timeoutMs. */
export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<Captured> {
  const start = process.hrtime.bigint();
  const max = opts.maxOutputBytes ?? 16 * 1024 * 1024;
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      detached: true,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outLen = 0;
    let errLen = 0;
    child.stdout?.on('data', (b: Buffer) => {
      if (outLen < max) out.push(b);
      outLen += b.length;
    });
    child.stderr?.on('data', (b: Buffer) => {
      if (errLen < max) err.push(b);
      errLen += b.length;
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    let timedOut = false;
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            killGroup(child.pid);
          }, opts.timeoutMs);
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (timer) clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
        ms: Number(process.hrtime.bigint() - start) / 1e6,
      });
    };
    child.on('error', (e) => {
      err.push(Buffer.from(String(e.message)));
      finish(127, null);
    });
    child.on('close', finish);
  });
}

function killGroup(pid: number | undefined): void {
  if (!pid) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

/** Map items through an async function with at most `limit` in flight; results keep input order. */
export async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/** True when `cmd` can be executed (found on PATH and runs). */
export function haveCommand(cmd: string, args: string[] = ['--version']): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore', timeout: 10_000 });
  return !r.error;
}

/**
 * Node program that runs bin/hactl in-process and, when the process exits,
 * writes process.resourceUsage().maxRSS (KiB) to the file named by
 * HACTL_RSS_OUT. This gives the peak RSS of the real CLI without /usr/bin/time.
 */
export const RSS_WRAPPER = `
const fs = require('node:fs');
const out = process.env.HACTL_RSS_OUT;
process.on('exit', () => { try { fs.writeFileSync(out, String(process.resourceUsage().maxRSS)); } catch {} });
const [bin, ...args] = process.argv.slice(1);
process.argv = [process.argv[0], bin, ...args];
require(bin);
`;

export interface MeasuredRun extends Captured {
  /** peak resident set size of the child in KiB, or null if it could not be read (e.g. killed) */
  maxRssKiB: number | null;
}

/** Run a node script file (e.g. bin/hactl) with args, capturing output and peak RSS. */
export async function runNodeMeasured(
  script: string,
  args: string[],
  opts: RunOptions & { nodeFlags?: string[] } = {},
): Promise<MeasuredRun> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-rss-'));
  const rssFile = path.join(tmp, 'rss');
  try {
    const r = await run(process.execPath, [...(opts.nodeFlags ?? []), '-e', RSS_WRAPPER, script, ...args], {
      ...opts,
      env: { ...(opts.env ?? process.env), HACTL_RSS_OUT: rssFile },
    });
    let maxRssKiB: number | null = null;
    try {
      maxRssKiB = Number(fs.readFileSync(rssFile, 'utf8'));
    } catch {
      maxRssKiB = null;
    }
    return { ...r, maxRssKiB };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
