/**
 * bench/check: CPU and wall time to run TCP_CHECK and HTTP_GET once against
 * 5,000 loopback endpoints (50 addresses 127.0.10.1-50 x 100 ports), reported
 * per check. The endpoints are served by a child process (its CPU is not
 * counted); checks run with bounded concurrency (--concurrency, default 256).
 *
 *   node dist/bench/check.js [--endpoints 5000] [--concurrency 256] [--genhash 50] [--json]
 *
 * Reference in the same run: keepalived's genhash (one process per fetch,
 * like a MISC_CHECK wrapper would do) on --genhash endpoints, against
 * `hactl genhash` processes and against the in-process HTTP_GET.
 * Bounded: every check has a 5 s connect_timeout and the run stops by itself.
 */
import { spawnSync, fork, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { runCheck } from '../src/lib/check/index';
import type { CheckOptions, CheckResult } from '../src/lib/check/types';

const ROOT = path.resolve(__dirname, '..', '..');
const HACTL = path.join(ROOT, 'bin', 'hactl');
const ADDRS = 50;

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

function addr(i: number): string {
  return `127.0.10.${(i % ADDRS) + 1}`;
}

/** Child: listen on every endpoint, answer a tiny HTTP response, report the ports. */
async function serve(n: number): Promise<void> {
  const perAddr = Math.ceil(n / ADDRS);
  const body = 'HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n';
  const ports: number[] = [];
  // One port per row, shared by the 50 addresses (bound separately).
  for (let row = 0; row < perAddr; row++) {
    let port = 0;
    for (let a = 0; a < ADDRS && row * ADDRS + a < n; a++) {
      const srv = net.createServer((c) => {
        c.on('error', () => {});
        c.once('data', () => c.end(body));
      });
      await new Promise<void>((resolve, reject) => {
        srv.once('error', reject);
        srv.listen({ port, host: addr(a), backlog: 1024 }, () => resolve());
      }).catch(async () => {
        // port taken on this address: start the row again with a new port
        port = -1;
      });
      if (port === -1) break;
      if (port === 0) port = (srv.address() as net.AddressInfo).port;
    }
    if (port === -1) {
      row--;
      continue;
    }
    ports.push(port);
  }
  process.send?.({ ports });
  process.on('message', () => process.exit(0));
  setTimeout(() => process.exit(0), 600_000).unref();
}

interface Stats {
  check: string;
  endpoints: number;
  up: number;
  wallMs: number;
  cpuMs: number;
  perCheckWallMs: number;
  perCheckCpuMs: number;
  p50Ms: number;
  p99Ms: number;
  rssMiB: number;
}

async function runAll(name: string, list: CheckOptions[], concurrency: number): Promise<Stats> {
  const results: CheckResult[] = new Array(list.length);
  let next = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, list.length) }, async () => {
      while (next < list.length) {
        const i = next++;
        results[i] = await runCheck(list[i]);
      }
    }),
  );
  const wallMs = performance.now() - t0;
  const cu = process.cpuUsage(c0);
  const cpuMs = (cu.user + cu.system) / 1000;
  const lat = results.map((r) => r.totalMs).sort((a, b) => a - b);
  return {
    check: name,
    endpoints: list.length,
    up: results.filter((r) => r.up).length,
    wallMs,
    cpuMs,
    perCheckWallMs: wallMs / list.length,
    perCheckCpuMs: cpuMs / list.length,
    p50Ms: lat[Math.floor(lat.length / 2)],
    p99Ms: lat[Math.floor(lat.length * 0.99)],
    rssMiB: process.memoryUsage().rss / 2 ** 20,
  };
}

/** CPU of waited-for children (cutime + cstime), ms. */
function childCpuMs(): number {
  const f = fs.readFileSync('/proc/self/stat', 'utf8');
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
}

function runProcesses(name: string, cmd: string, mk: (i: number) => string[], count: number): Stats & { ok: number } {
  const c0 = childCpuMs();
  const t0 = performance.now();
  let ok = 0;
  for (let i = 0; i < count; i++) {
    const r = spawnSync(cmd, mk(i), { encoding: 'utf8', timeout: 10_000 });
    if (/^[0-9a-f]{32}$/m.test(r.stdout ?? '')) ok++;
  }
  const wallMs = performance.now() - t0;
  const cpuMs = childCpuMs() - c0;
  return {
    check: name,
    endpoints: count,
    up: ok,
    ok,
    wallMs,
    cpuMs,
    perCheckWallMs: wallMs / count,
    perCheckCpuMs: cpuMs / count,
    p50Ms: Number.NaN,
    p99Ms: Number.NaN,
    rssMiB: Number.NaN,
  };
}

async function main(): Promise<void> {
  if (process.argv[2] === 'serve') return serve(arg('endpoints', 5000));
  const n = arg('endpoints', 5000);
  const conc = arg('concurrency', 256);
  const nGen = arg('genhash', 50);
  const json = process.argv.includes('--json');
  const child: ChildProcess = fork(__filename, ['serve', '--endpoints', String(n)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const killer = setTimeout(() => {
    process.stderr.write('bench/check: took more than 10 minutes, stopping\n');
    child.kill('SIGKILL');
    process.exit(1);
  }, 600_000);
  try {
    const { ports } = await new Promise<{ ports: number[] }>((resolve, reject) => {
      child.once('message', (m) => resolve(m as { ports: number[] }));
      child.once('exit', (c) => reject(new Error(`endpoint server exited (${c})`)));
    });
    const endpoints = Array.from({ length: n }, (_, i) => ({ host: addr(i), port: ports[Math.floor(i / ADDRS)] }));
    const common = { connectTimeoutMs: 5000, retry: 0, delayBeforeRetryMs: 0, warmupMs: 0 };
    const tcp: CheckOptions[] = endpoints.map((e) => ({ kind: 'tcp', ...e, ...common }));
    const http: CheckOptions[] = endpoints.map((e) => ({
      kind: 'http',
      ...e,
      ...common,
      urls: [{ path: '/', digest: createHash('md5').update('ok\n').digest('hex') }],
      httpProtocol: '1.0',
      enableSni: false,
    }));
    const rows: Stats[] = [];
    rows.push(await runAll('TCP_CHECK (hactl library)', tcp, conc));
    rows.push(await runAll('HTTP_GET with digest (hactl library)', http, conc));
    const gh = '/usr/bin/genhash';
    const genArgs = (i: number) => ['-s', endpoints[i % n].host, '-p', String(endpoints[i % n].port), '-u', '/', '-t', '5'];
    if (nGen > 0 && fs.existsSync(gh)) {
      rows.push(runProcesses(`keepalived genhash, ${nGen} processes (reference)`, gh, genArgs, nGen));
      rows.push(runProcesses(`hactl genhash, ${nGen} processes`, process.execPath, (i) => [HACTL, 'genhash', ...genArgs(i)], nGen));
    }
    if (json) process.stdout.write(`${JSON.stringify({ endpoints: n, concurrency: conc, rows }, null, 2)}\n`);
    else {
      process.stdout.write(`bench/check: ${n} loopback endpoints (${ADDRS} addresses x ${ports.length} ports), concurrency ${conc}\n`);
      process.stdout.write('check                                          up/total     wall      cpu  wall/check  cpu/check   p50     p99\n');
      for (const r of rows) {
        const f = (x: number, d = 1) => (Number.isNaN(x) ? '-' : x.toFixed(d));
        process.stdout.write(
          `${r.check.padEnd(46)} ${`${r.up}/${r.endpoints}`.padStart(9)} ${f(r.wallMs, 0).padStart(7)}ms ${f(r.cpuMs, 0).padStart(6)}ms ${f(r.perCheckWallMs, 3).padStart(8)}ms ${f(r.perCheckCpuMs, 3).padStart(8)}ms ${f(r.p50Ms).padStart(6)} ${f(r.p99Ms).padStart(6)}\n`,
        );
      }
      const ref = rows.find((r) => r.check.startsWith('keepalived genhash'));
      const hl = rows.find((r) => r.check.startsWith('HTTP_GET'));
      if (ref && hl) {
        process.stdout.write(
          `cpu per HTTP fetch: hactl library ${hl.perCheckCpuMs.toFixed(3)} ms vs keepalived genhash process ${ref.perCheckCpuMs.toFixed(3)} ms (ratio ${(hl.perCheckCpuMs / ref.perCheckCpuMs).toFixed(2)})\n`,
        );
      }
    }
  } finally {
    clearTimeout(killer);
    child.send?.('stop');
    setTimeout(() => child.kill('SIGKILL'), 1000).unref();
  }
}

main().catch((e) => {
  process.stderr.write(`bench/check: ${e instanceof Error ? e.message : e}\n`);
  process.exit(1);
});
