/**
 * bench/ipvs: hactl's IPVS layer against ipvsadm 1.31, in one run, as ratios.
 *
 *   node dist/bench/ipvs.js [--services 10000] [--dests 4] [--json]
 *
 * On a host without IPVS it first times one `hactl rs add` process against one
 * `ipvsadm -a` (both fail there: start-up + error path), then boots
 * ../shared/ipvs-vm once (--copy) and re-runs itself inside with --guest:
 *  - process start-up: `node -e 0`, `hactl --version`, `hactl ipvsadm -Ln`,
 *    `ipvsadm -Ln` on an empty table (reported separately);
 *  - restore of SERVICES x DESTS rules on a cleared kernel: `hactl restore FILE`
 *    (whole process) vs `ipvsadm -R < FILE` (target: >= 3x faster). Each runs
 *    in its own new network namespace (IPVS state is per namespace): a table
 *    that was just flushed leaves its destinations in the kernel's "trash"
 *    list for 2-4 minutes, and every later add-dest scans that list, so the
 *    second restore in one namespace would be several times slower whichever
 *    tool runs it. The kernel's service hash table is shared by all
 *    namespaces, so each table is flushed once measured;
 *  - save of that table: `hactl save -n` vs `ipvsadm -Sn`, interleaved, median
 *    of 3 (target: faster);
 *  - user/sys CPU of each (children's times from /proc/self/stat);
 *  - per-operation cost: pipelined batch vs one request at a time in one
 *    process, vs ipvsadm -R's time per line;
 *  - one `hactl rs add` process vs one `ipvsadm -a`.
 * The VM emulates the CPU (TCG): absolute times are ~10-15x real hardware.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const HACTL = path.join(ROOT, 'bin', 'hactl');
const argv = process.argv.slice(2);
const opt = (name: string, dflt: number) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const SERVICES = opt('--services', 10000);
const DESTS = opt('--dests', 4);
const JSON_OUT = argv.includes('--json');

interface Timed {
  ms: number;
  status: number;
  stdout: string;
  stderr: string;
}

interface Cpu {
  userMs: number;
  sysMs: number;
}

/** CPU time of waited-for children so far (cutime, cstime of /proc/self/stat). */
function childCpu(): Cpu {
  try {
    const st = fs.readFileSync('/proc/self/stat', 'latin1');
    const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
    // Fields 16 and 17 (1-based: cutime, cstime) are f[13], f[14] after the comm field; clock ticks of 10 ms.
    return { userMs: Number(f[13]) * 10, sysMs: Number(f[14]) * 10 };
  } catch {
    return { userMs: Number.NaN, sysMs: Number.NaN };
  }
}

function timed(cmd: string, args: string[], input?: string): Timed & { cpu: Cpu } {
  const c0 = childCpu();
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', input, cwd: ROOT, maxBuffer: 1 << 30, env: { ...process.env, NO_COLOR: '1' } });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const c1 = childCpu();
  return { ms, status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '', cpu: { userMs: c1.userMs - c0.userMs, sysMs: c1.sysMs - c0.sysMs } };
}

let nsCount = 0;
/** A new network namespace (own IPVS state) or null when `ip netns` does not work here. */
function freshNs(): string | null {
  const name = `hactl-bench-${process.pid}-${++nsCount}`;
  const r = spawnSync('ip', ['netns', 'add', name], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  spawnSync('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  return name;
}

/** cmd args in namespace ns (or here when null). */
function inNs(ns: string | null, cmd: string, args: string[]): [string, string[]] {
  return ns ? ['ip', ['netns', 'exec', ns, cmd, ...args]] : [cmd, args];
}

function cpuText(c: Cpu): string {
  return `user ${(c.userMs / 1000).toFixed(1)} s, sys ${(c.sysMs / 1000).toFixed(1)} s`;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Interleaved runs of several commands; median wall ms of each. */
function startup(cmds: Array<[string, string, string[]]>, runs: number): Record<string, number> {
  const times: Record<string, number[]> = {};
  for (let r = 0; r < runs + 1; r++) {
    for (const [name, cmd, args] of cmds) {
      const t = timed(cmd, args);
      if (r > 0) (times[name] ??= []).push(t.ms);
    }
  }
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
}

/** Documentation addresses only: VIPs 192.0.2.x / 198.51.100.x x ports, real servers in 203.0.113.0/24. */
function rules(services: number, dests: number): string {
  const lines: string[] = [];
  for (let i = 0; i < services; i++) {
    const vip = i < 12500 ? `192.0.2.${1 + (i % 250)}` : `198.51.100.${1 + (i % 250)}`;
    const port = 1000 + Math.floor(i / 250);
    lines.push(`-A -t ${vip}:${port} -s wlc`);
    for (let d = 0; d < dests; d++) lines.push(`-a -t ${vip}:${port} -r 203.0.113.${1 + d}:${port} -m -w 1`);
  }
  return `${lines.join('\n')}\n`;
}

function row(name: string, hactl: number, ref: number, target?: string): string {
  const ratio = ref / hactl;
  return `${name.padEnd(44)} hactl ${hactl.toFixed(0).padStart(7)} ms   ipvsadm ${ref.toFixed(0).padStart(7)} ms   ipvsadm/hactl ${ratio.toFixed(2).padStart(6)}x${target ? `   (target ${target})` : ''}`;
}

async function guest(): Promise<void> {
  const out: Record<string, unknown> = {};
  const lines: string[] = [];
  const ip = (...a: string[]) => timed('ipvsadm', a);
  ip('-C');
  // Process start-up on an empty table.
  const st = startup(
    [
      ['node -e 0', process.execPath, ['-e', '0']],
      ['hactl --version', process.execPath, [HACTL, '--version']],
      ['hactl ipvsadm -Ln', process.execPath, [HACTL, 'ipvsadm', '-Ln']],
      ['ipvsadm -Ln', 'ipvsadm', ['-Ln']],
    ],
    5,
  );
  out.startup = st;
  lines.push('process start-up (median of 5, empty table):');
  for (const [k, v] of Object.entries(st)) lines.push(`  ${k.padEnd(24)} ${v.toFixed(0).padStart(7)} ms`);
  // One rs add process vs one ipvsadm -a.
  ip('-A', '-t', '192.0.2.1:80', '-s', 'rr');
  const one: number[] = [];
  const oneRef: number[] = [];
  for (let i = 0; i < 5; i++) {
    const h = timed(process.execPath, [HACTL, 'rs', 'add', '-t', '192.0.2.1:80', '-r', `203.0.113.${10 + i}`, '-m']);
    if (h.status !== 0) throw new Error(`hactl rs add failed: ${h.stderr}`);
    one.push(h.ms);
    const r = ip('-a', '-t', '192.0.2.1:80', '-r', `203.0.113.${20 + i}`, '-m');
    if (r.status !== 0) throw new Error(`ipvsadm -a failed: ${r.stderr}`);
    oneRef.push(r.ms);
  }
  out.oneProcess = { hactl: median(one), ipvsadm: median(oneRef) };
  // Per-operation cost inside one process (after start-up): batch vs one at a time, on an empty table
  // (before the big restores: deleting their namespaces leaves the kernel freeing 100,000 entries for a while).
  const { IpvsClient } = require(path.join(ROOT, 'dist/src/lib/ipvs/client.js')) as typeof import('../src/lib/ipvs/client');
  const c = await IpvsClient.open();
  const N = Math.min(2000, SERVICES);
  const mk = (i: number, kind: 'add-service' | 'del-service') =>
    ({
      kind,
      svc: { af: 2, protocol: 17, addr: `198.51.100.${1 + (i % 250)}`, port: 20000 + Math.floor(i / 250), fwmark: 0, sched: 'rr', flags: 0, timeout: 0, netmask: 0xffffffff, pe: '' },
    }) as import('../src/lib/ipvs/types').Op;
  let t0 = process.hrtime.bigint();
  const rb = await c.apply(Array.from({ length: N }, (_, i) => mk(i, 'add-service')));
  const batchUs = Number(process.hrtime.bigint() - t0) / 1e3 / N;
  if (rb.some((r) => r.errno)) throw new Error('batch add failed');
  t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) await c.exec(mk(i, 'del-service'));
  const singleUs = Number(process.hrtime.bigint() - t0) / 1e3 / N;
  c.close();
  ip('-C');
  // Restore: each tool on a pristine IPVS state (own namespace), see the header.
  const text = rules(SERVICES, DESTS);
  const file = path.join(os.tmpdir(), `ipvs-bench-${process.pid}.rules`);
  fs.writeFileSync(file, text);
  const nOps = SERVICES * (1 + DESTS);
  ip('-C');
  const nsRef = freshNs();
  const nsMine = nsRef ? freshNs() : null;
  if (!nsRef) lines.push('note: `ip netns add` failed: both restores run in the root namespace (the second one pays for the first one\'s trash)');
  const ref = timed(...inNs(nsRef, 'ipvsadm', ['-R']), text);
  if (ref.status !== 0) throw new Error(`ipvsadm -R failed: ${ref.stderr.slice(0, 300)}`);
  const refSave = timed(...inNs(nsRef, 'ipvsadm', ['-Sn']));
  // The kernel keeps ONE service hash table for all namespaces (entries tagged with theirs), and
  // walks it whole for dumps and /proc/net/ip_vs: empty it before timing anything else.
  timed(...inNs(nsRef, 'ipvsadm', ['-C']));
  const mine = timed(...inNs(nsMine, process.execPath, [HACTL, 'restore', file]));
  if (mine.status !== 0) throw new Error(`hactl restore failed: ${mine.stderr.slice(0, 300)}`);
  // Save, interleaved, median of 3.
  const saves: Array<ReturnType<typeof timed>> = [];
  const refSaves: Array<ReturnType<typeof timed>> = [];
  for (let i = 0; i < 3; i++) {
    saves.push(timed(...inNs(nsMine, process.execPath, [HACTL, 'save', '-n'])));
    refSaves.push(timed(...inNs(nsMine, 'ipvsadm', ['-Sn'])));
  }
  const mid = (xs: Array<ReturnType<typeof timed>>) => [...xs].sort((x, y) => x.ms - y.ms)[1];
  const save = mid(saves);
  const save2 = mid(refSaves);
  for (const x of [...saves, ...refSaves]) if (x.stdout !== refSave.stdout) throw new Error('tables differ between the hactl and ipvsadm restores (or save outputs differ)');
  timed(...inNs(nsMine, 'ipvsadm', ['-C']));
  for (const ns of [nsRef, nsMine]) if (ns) spawnSync('ip', ['netns', 'del', ns]);
  out.restore = { services: SERVICES, dests: DESTS, ops: nOps, hactlMs: mine.ms, ipvsadmMs: ref.ms, ratio: ref.ms / mine.ms, hactlCpu: mine.cpu, ipvsadmCpu: ref.cpu };
  out.perOp = { batchUs, singleUs, ipvsadmRUs: (ref.ms * 1000) / nOps, hactlRestoreUs: ((mine.ms - st['node -e 0']) * 1000) / nOps };
  out.save = { hactlMs: save.ms, ipvsadmMs: save2.ms, ratio: save2.ms / save.ms, hactlCpu: save.cpu, ipvsadmCpu: save2.cpu };
  ip('-C');
  fs.rmSync(file, { force: true });

  lines.push(row('one `rs add` process vs one `ipvsadm -a`', median(one), median(oneRef)));
  lines.push(row(`restore ${SERVICES} services x ${DESTS} dests (${nOps} ops)`, mine.ms, ref.ms, '>= 3x'));
  lines.push(`  cpu: hactl ${cpuText(mine.cpu)}; ipvsadm -R ${cpuText(ref.cpu)}`);
  lines.push(row(`save -n of that table (median of 3)`, save.ms, save2.ms, '> 1x'));
  lines.push(`  cpu: hactl ${cpuText(save.cpu)}; ipvsadm -Sn ${cpuText(save2.cpu)}`);
  lines.push(
    `per operation: hactl restore ${(((mine.ms - st['node -e 0']) * 1000) / nOps).toFixed(0)} us (node start-up taken off), ipvsadm -R ${((ref.ms * 1000) / nOps).toFixed(0)} us per line; in one process: pipelined batch ${batchUs.toFixed(0)} us, one request at a time ${singleUs.toFixed(0)} us (add/del-service)`,
  );
  if (JSON_OUT) process.stdout.write(`${JSON.stringify(out)}\n`);
  else process.stdout.write(`${lines.join('\n')}\n`);
}

function host(): void {
  process.stdout.write('host (no IPVS here: both fail; start-up + error path):\n');
  const st = startup(
    [
      ['hactl rs add', process.execPath, [HACTL, 'rs', 'add', '-t', '192.0.2.1:80', '-r', '203.0.113.1']],
      ['ipvsadm -a', 'ipvsadm', ['-a', '-t', '192.0.2.1:80', '-r', '203.0.113.1']],
      ['node -e 0', process.execPath, ['-e', '0']],
    ],
    10,
  );
  for (const [k, v] of Object.entries(st)) process.stdout.write(`  ${k.padEnd(16)} ${v.toFixed(1).padStart(8)} ms\n`);
  process.stdout.write(`  ratio hactl/ipvsadm ${(st['hactl rs add'] / st['ipvsadm -a']).toFixed(1)}x (node itself: ${(st['node -e 0'] / st['ipvsadm -a']).toFixed(1)}x)\n`);
  const harness = path.resolve(ROOT, '..', 'shared', 'ipvs-vm', 'run-in-vm.sh');
  if (!fs.existsSync(harness)) {
    process.stdout.write(`VM part skipped: ${harness} not found\n`);
    return;
  }
  process.stdout.write('IPVS VM (TCG-emulated CPU, one run):\n');
  const r = spawnSync(harness, ['--copy', '-C', ROOT, '-t', '1500', '--', 'node', 'dist/bench/ipvs.js', '--guest', ...argv], { stdio: 'inherit' });
  process.exitCode = r.status ?? 1;
}

if (argv.includes('--guest') || fs.existsSync('/proc/net/ip_vs')) {
  guest().catch((e) => {
    process.stderr.write(`bench failed: ${e instanceof Error ? e.message : e}\n`);
    process.exitCode = 1;
  });
} else host();
