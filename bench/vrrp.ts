/**
 * bench/vrrp: VRRP failover time with hactl as the backup against keepalived
 * as the backup (keepalived 2.2.7 is the master in both cases), in one run on
 * the same namespace lab, plus daemon RSS/CPU with 1 and 100 instances.
 *
 *   sudo node dist/bench/vrrp.js [--runs N] [--json] [--quick] [--advert 1|0.1|0.01] [--no-resources]
 *
 * - advert_int 1 (VRRPv2), 0.1 and 0.01 (VRRPv3); master stopped by SIGKILL
 *   (takeover = backup's first advert - master's last advert, expected
 *   Master_Down_Interval) and by SIGTERM (takeover = backup's first advert -
 *   master's priority-0 advert, expected Skew_Time). Times are tcpdump
 *   timestamps on a client host on the same bridge.
 * - false takeovers: the backup must never advertise while the master is
 *   alive (10 s at 0.01 s).
 * - resources: one daemon with N instances as MASTER for 10 s (--footprint-secs): RSS and CPU %.
 * - jitter (--jitter, or --only-jitter): one MASTER at advert_int 0.01 (v3), alone on the link,
 *   keepalived and hactl alternated: advert intervals from the client's tcpdump timestamps
 *   (p50/p99/max, gaps > 1.5 intervals), idle, with two CPU hogs running in the lab, and with 1,000
 *   TCP checks a second in hactl's LVS half (keepalived: VRRP only; see checksConf).
 * Target (issue 3): ratio hactl/keepalived <= 1.05, no false takeover.
 */
import * as fs from 'node:fs';
import { masterDownIntervalMs, skewTimeMs } from '../src/lib/vrrp/fsm';
import { instanceBlock, keepalivedUnavailable, type Node, sleep, VrrpLab, vrrpConf, vrrpLabUnavailable } from '../test/integration/vrrp-lab';
import { median, percentile } from './lib/stats';

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(`usage: sudo node dist/bench/vrrp.js [--runs N] [--quick] [--json] [--advert 1|0.1|0.01]
         [--no-resources | --only-resources] [--footprint-secs S] [--jitter | --only-jitter] [--jitter-secs S]
         [--rt-priority N]   (jitter runs: vrrp_rt_priority N for both implementations)
         [--jitter-loads idle,hogs,checks]
  failover time, false takeovers, daemon RSS/CPU and advert jitter, hactl against keepalived 2.2.7 in one run
  example: sudo node dist/bench/vrrp.js --only-jitter --runs 3 --jitter-secs 20
`);
  process.exit(0);
}
const RUNS = Number(args[args.indexOf('--runs') + 1]) || (args.includes('--quick') ? 1 : 3);
const JSON_OUT = args.includes('--json');
const QUICK = args.includes('--quick');
const out = (s: string) => {
  if (!JSON_OUT) process.stdout.write(s);
};

interface Case {
  version: 2 | 3;
  advert: number;
}
const ALL_CASES: Case[] = [
  { version: 2, advert: 1 },
  { version: 3, advert: 0.1 },
  { version: 3, advert: 0.01 },
];
const onlyAdvert = args.includes('--advert') ? Number(args[args.indexOf('--advert') + 1]) : undefined;
const CASES = ALL_CASES.filter((c) => (onlyAdvert === undefined ? !QUICK || c.advert === 0.01 : c.advert === onlyAdvert));
const ONLY_JITTER = args.includes('--only-jitter');
const ONLY_RESOURCES = args.includes('--only-resources');
const RESOURCES = (!args.includes('--no-resources') && !ONLY_JITTER) || ONLY_RESOURCES;
const JITTER = args.includes('--jitter') || ONLY_JITTER || QUICK;
const FOOTPRINT_SECS = args.includes('--footprint-secs') ? Number(args[args.indexOf('--footprint-secs') + 1]) : QUICK ? 3 : 10;
/** --rt-priority N: vrrp_rt_priority N for both implementations in the jitter runs (default: neither sets it) */
const RT_PRIORITY = args.includes('--rt-priority') ? Number(args[args.indexOf('--rt-priority') + 1]) : undefined;
const JITTER_SECS = args.includes('--jitter-secs') ? Number(args[args.indexOf('--jitter-secs') + 1]) : QUICK ? 4 : 20;

type Impl = 'hactl' | 'keepalived';

function start(l: VrrpLab, n: Node, impl: Impl, conf: string): void {
  if (impl === 'hactl') l.startHactl(n, conf);
  else l.startKeepalived(n, conf);
}

async function oneFailover(l: VrrpLab, c: Case, backup: Impl, how: 'SIGKILL' | 'SIGTERM'): Promise<{ ms: number; falseTakeover: boolean }> {
  const [m, b] = l.nodes;
  const cap = l.capture!;
  const ivl = c.advert * 1000;
  const conf = (prio: number) => vrrpConf({ prio, version: c.version, advert: c.advert, nice: null });
  start(l, b, backup, conf(100));
  await sleep(backup === 'hactl' ? 1500 : 500);
  start(l, m, 'keepalived', conf(150));
  await l.waitState(m, 'MASTER', 3 * ivl + 8000);
  await l.waitState(b, 'BACKUP', 5000);
  await sleep(200);
  // steady state (master up, backup BACKUP): 10 s at 0.01 s, else a few intervals;
  // any advert from the backup in this window is a false takeover
  const steadyFrom = Date.now();
  await sleep(c.advert <= 0.01 ? (QUICK ? 3000 : 10_000) : Math.max(1000, 3 * ivl));
  const stopAt = Date.now();
  // A backup advert is a false takeover only when the master had advertised
  // less than Master_Down_Interval before it (a starved master that really went
  // silent for longer, e.g. on an overloaded host, makes a justified takeover).
  const mdiMs = masterDownIntervalMs(c.version, 100, c.advert * 100);
  const masterAds = cap.adverts.filter((a) => a.src === m.addr && a.prio > 0);
  // (an advert the master sent in the last 3 ms before the backup's was still in
  // flight to the backup: it does not make the master's silence shorter)
  // Only the first advert of each period as master counts (the takeover itself;
  // the following ones are its regular adverts until it hears the master again).
  const backupAds = cap.adverts.filter((a) => a.src === b.addr && a.prio > 0);
  const takeovers = backupAds.filter((a, i) => i === 0 || a.t - backupAds[i - 1].t > 1.5 * ivl);
  // Justified when the master was silent for >= MDI at some point during the
  // MDI + 20 ms before the takeover (20 ms: delivery delay on a loaded host).
  const falseTakeover = takeovers.some((a) => {
    if (a.t <= steadyFrom || a.t >= stopAt) return false;
    const win = masterAds.filter((x) => x.t >= a.t - mdiMs - 20 && x.t < a.t);
    const before = masterAds.filter((x) => x.t < a.t - mdiMs - 20).pop();
    const times = [...(before ? [before.t] : []), ...win.map((x) => x.t), a.t];
    let maxGap = 0;
    for (let i = 1; i < times.length; i++) maxGap = Math.max(maxGap, times[i] - times[i - 1]);
    const bad = maxGap < mdiMs - 1;
    if (bad) process.stderr.write(`bench/vrrp: ${backup} backup took over while the master's longest silence was ${maxGap.toFixed(1)} ms (MDI ${mdiMs})\n`);
    return bad;
  });
  if (how === 'SIGKILL') l.kill(m);
  else await l.stop(m);
  await l.waitState(b, 'MASTER', 4 * ivl + 5000);
  await sleep(300);
  const refAd =
    how === 'SIGKILL'
      ? cap.adverts.filter((a) => a.src === m.addr && a.t < stopAt + 2).pop()
      : cap.adverts.filter((a) => a.src === m.addr && a.prio === 0).pop();
  const first = refAd ? cap.firstAfter(b.addr, refAd.t) : undefined;
  await l.stop(b);
  l.kill(m);
  await sleep(200);
  if (!refAd || !first) {
    process.stderr.write(
      `bench/vrrp: ${backup} ${how} at ${c.advert}s: ${refAd ? 'no advert from the new master' : 'no reference advert from the old master'} in the capture (run ignored)\n`,
    );
    return { ms: Number.NaN, falseTakeover };
  }
  return { ms: first.t - refAd.t, falseTakeover };
}

interface ProcSample {
  cpuTicks: number;
  rssKiB: number;
  /** anonymous pages (heap, stacks): what the process holds that the kernel cannot drop */
  anonKiB: number;
  /** file-backed pages (the binary's text and data read at start-up): clean, reclaimable, shared */
  fileKiB: number;
}

function procStat(pid: number): ProcSample {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuTicks = Number(f[11]) + Number(f[12]);
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (k: string) => Number(status.match(new RegExp(`${k}:\\s+(\\d+)`))?.[1] ?? 0);
    return { cpuTicks, rssKiB: kib('VmRSS'), anonKiB: kib('RssAnon'), fileKiB: kib('RssFile') + kib('RssShmem') };
  } catch {
    return { cpuTicks: 0, rssKiB: 0, anonKiB: 0, fileKiB: 0 };
  }
}

/** pid and all its descendants (keepalived's parent + VRRP child; hactl's daemon + its C watchdog). */
function withDescendants(root: number): number[] {
  const parent = new Map<number, number>();
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const st = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
      parent.set(Number(e), Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) for (const [pid, pp] of parent) if (pp === out[i]) out.push(pid);
  return out;
}

interface Footprint {
  rssMiB: number;
  anonMiB: number;
  fileMiB: number;
  cpuPct: number;
  procs: number;
}

async function resources(l: VrrpLab, impl: Impl, n: number): Promise<Footprint> {
  const node = l.nodes[0];
  let conf = 'global_defs {\n  router_id res\n}\n';
  for (let i = 1; i <= n; i++)
    conf += instanceBlock({ name: `VI_${i}`, vrid: i, prio: 150, version: 3, advert: 1, vips: [`203.0.113.${i}/24`] });
  start(l, node, impl, conf);
  await l.waitState(node, 'MASTER', 15_000, `VI_${n}`);
  await sleep(2000);
  const roots = impl === 'hactl' ? [node.proc!.pid!] : [Number(fs.readFileSync(node.pidFiles[0], 'utf8').trim())];
  const pids = roots.flatMap(withDescendants);
  const before = pids.map(procStat);
  const WIN = FOOTPRINT_SECS * 1000;
  await sleep(WIN);
  const after = pids.map(procStat);
  const sum = (xs: ProcSample[], k: keyof ProcSample) => xs.reduce((a, s) => a + s[k], 0);
  const ticks = sum(after, 'cpuTicks') - sum(before, 'cpuTicks');
  await l.stop(node);
  l.kill(node);
  await sleep(300);
  return {
    rssMiB: sum(after, 'rssKiB') / 1024,
    anonMiB: sum(after, 'anonKiB') / 1024,
    fileMiB: sum(after, 'fileKiB') / 1024,
    cpuPct: (ticks / 100 / (WIN / 1000)) * 100,
    procs: pids.length,
  };
}

interface Jitter {
  n: number;
  p50: number;
  p99: number;
  max: number;
  gaps: number;
  /** hactl: adverts its sender thread sent more than half an interval late (counters.txLate) */
  late?: number;
  /** the 'checks' load: TCP connections the check targets accepted during the run */
  checked?: number;
}

type Load = 'idle' | 'hogs' | 'checks';
const LOAD_NAME: Record<Load, string> = { idle: 'idle', hogs: '2 CPU hogs', checks: '1000 checks' };
const CHECKS = 1000;
/** --jitter-loads idle,hogs,checks: which load rows to run (default all three) */
const JITTER_LOADS = (args.includes('--jitter-loads') ? args[args.indexOf('--jitter-loads') + 1].split(',') : ['idle', 'hogs', 'checks']).filter((x): x is Load =>
  x === 'idle' || x === 'hogs' || x === 'checks',
);
const CHECK_PORT0 = 20000;

/**
 * The 'checks' load: a virtual server with CHECKS real servers (one lab host, ports CHECK_PORT0..),
 * each with a TCP_CHECK every second, in the daemon's LVS half. This kernel has no IPVS, so
 * hactl's LVS half runs on an in-memory table (HACTL_TEST_FAKE_IPVS=1; the checks, their sockets and
 * timers are real); keepalived runs with -P as everywhere in the lab (VRRP only: its checker process
 * cannot start without IPVS), so its row has no checks: hactl carries them, keepalived does not.
 */
function checksConf(server: string): string {
  const rs = Array.from({ length: CHECKS }, (_, i) => `  real_server ${server} ${CHECK_PORT0 + i} {\n    TCP_CHECK {\n      connect_timeout 3\n    }\n  }\n`).join('');
  return `virtual_server 203.0.113.80 80 {\n  delay_loop 1\n  lb_algo rr\n  lb_kind NAT\n  protocol TCP\n${rs}}\n`;
}

/** CHECKS TCP listeners on the lab's second host: accepts and closes; prints the connection count on SIGTERM. */
function startCheckTargets(l: VrrpLab): { stop: () => Promise<number> } {
  const n = l.nodes[1];
  const code = `const net=require('net');let c=0;for(let i=0;i<${CHECKS};i++)net.createServer((s)=>{c++;s.on('error',()=>{});s.destroy();}).listen(${CHECK_PORT0}+i,'${n.addr}');process.on('SIGTERM',()=>{process.stdout.write(String(c));process.exit(0);});`;
  const p = l.lab.spawn(n.host.ns, process.execPath, ['-e', code]);
  let out = '';
  p.stdout?.on('data', (d) => (out += d));
  return {
    stop: () =>
      new Promise((resolve) => {
        p.on('exit', () => resolve(Number(out) || 0));
        p.kill('SIGTERM');
      }),
  };
}

/** One MASTER alone at advert_int 0.01 for JITTER_SECS: intervals between its adverts on the wire. */
async function jitter(l: VrrpLab, impl: Impl, load: Load): Promise<Jitter> {
  const node = l.nodes[0];
  const cap = l.capture!;
  const ivl = 10;
  const globalExtra = RT_PRIORITY === undefined ? undefined : `  vrrp_rt_priority ${RT_PRIORITY}\n`;
  const conf = vrrpConf({ prio: 150, version: 3, advert: 0.01, nice: null, state: 'MASTER', globalExtra });
  const targets = load === 'checks' ? startCheckTargets(l) : null;
  if (load === 'checks' && impl === 'hactl') l.startHactl(node, conf + checksConf(l.nodes[1].addr), { env: { HACTL_TEST_FAKE_IPVS: '1' } });
  else start(l, node, impl, conf);
  await l.waitState(node, 'MASTER', 10_000);
  const hogs = load === 'hogs' ? [0, 1].map(() => l.lab.spawn(node.host.ns, process.execPath, ['-e', 'for(;;){}'])) : [];
  // with checks: the first round of CHECKS connections is under way
  await sleep(load === 'checks' ? 3000 : 1000);
  const from = Date.now();
  await sleep(JITTER_SECS * 1000);
  const to = Date.now();
  const late = impl === 'hactl' ? (await l.status(node))?.instances.find((i) => i.name === 'VI_1')?.counters.txLate : undefined;
  for (const h of hogs) h.kill('SIGKILL');
  await l.stop(node);
  const checked = targets ? await targets.stop() : undefined;
  if (checked !== undefined && impl === 'hactl' && checked < CHECKS * JITTER_SECS * 0.8)
    throw new Error(`the 1000-check load did not run: ${checked} connections in ${JITTER_SECS + 3} s (expected about ${CHECKS} a second)`);
  l.kill(node);
  await sleep(300);
  const ts = cap.adverts.filter((a) => a.src === node.addr && a.prio > 0 && a.t >= from && a.t <= to).map((a) => a.t);
  const d: number[] = [];
  for (let i = 1; i < ts.length; i++) d.push(ts[i] - ts[i - 1]);
  const s = [...d].sort((a, b) => a - b);
  return { n: d.length, p50: median(s), p99: percentile(s, 99), max: s[s.length - 1] ?? Number.NaN, gaps: d.filter((x) => x > 1.5 * ivl).length, late, checked };
}

async function jitterRuns(l: VrrpLab, results: Record<string, unknown>[]): Promise<void> {
  out(
    `\nAdvert intervals as MASTER, advert_int 0.01 v3, ${JITTER_SECS} s per run, ${RUNS} run(s) each, alternated (ms)${RT_PRIORITY === undefined ? '' : `, vrrp_rt_priority ${RT_PRIORITY} for both`}\n`,
  );
  out('load        impl          adverts     p50      p99      max   gaps>15ms   late sends\n');
  for (const load of JITTER_LOADS) {
    const pooled: Record<Impl, Jitter[]> = { hactl: [], keepalived: [] };
    for (let r = 0; r < RUNS; r++) for (const impl of ['keepalived', 'hactl'] as Impl[]) pooled[impl].push(await jitter(l, impl, load));
    const sum: Partial<Record<Impl, Jitter>> = {};
    for (const impl of ['keepalived', 'hactl'] as Impl[]) {
      const j = pooled[impl];
      const m = (f: (x: Jitter) => number) => median(j.map(f).sort((a, b) => a - b));
      sum[impl] = { n: j.reduce((a, x) => a + x.n, 0), p50: m((x) => x.p50), p99: m((x) => x.p99), max: Math.max(...j.map((x) => x.max)), gaps: j.reduce((a, x) => a + x.gaps, 0) };
      if (impl === 'hactl' && j.every((x) => x.late !== undefined)) sum[impl].late = j.reduce((a, x) => a + (x.late ?? 0), 0);
      const x = sum[impl]!;
      out(
        `${LOAD_NAME[load].padEnd(12)}${impl.padEnd(12)}${String(x.n).padStart(9)}${x.p50.toFixed(2).padStart(8)}${x.p99.toFixed(2).padStart(9)}${x.max.toFixed(1).padStart(9)}${String(x.gaps).padStart(12)}${(x.late === undefined ? '' : String(x.late)).padStart(13)}\n`,
      );
    }
    const h = sum.hactl!;
    const k = sum.keepalived!;
    out(`${''.padEnd(12)}${'ratio'.padEnd(12)}${''.padStart(9)}${(h.p50 / k.p50).toFixed(2).padStart(8)}${(h.p99 / k.p99).toFixed(2).padStart(9)}${(h.max / k.max).toFixed(2).padStart(9)}${(k.gaps ? (h.gaps / k.gaps).toFixed(2) : h.gaps ? 'inf' : '-').padStart(12)}\n`);
    if (load === 'checks') {
      const conns = pooled.hactl.reduce((a, x) => a + (x.checked ?? 0), 0);
      out(`${''.padEnd(12)}(hactl's LVS half made ${Math.round(conns / (RUNS * (JITTER_SECS + 3)))} TCP checks/s on an in-memory IPVS table; keepalived: VRRP only, -P: no IPVS here)\n`);
    }
    results.push({ jitter: { load, runs: pooled, hactl: h, keepalived: k } });
  }
}

async function main(): Promise<void> {
  const why = vrrpLabUnavailable() ?? keepalivedUnavailable();
  if (why) {
    process.stderr.write(`bench/vrrp: cannot run: ${why}\n`);
    process.exit(2);
  }
  const l = new VrrpLab('bnc', 2);
  const results: Record<string, unknown>[] = [];
  let ok = true;
  try {
    l.startCapture();
    await sleep(300);
    if (!ONLY_JITTER && !ONLY_RESOURCES) {
      out(`VRRP failover, keepalived 2.2.7 master, backup = hactl vs keepalived, ${RUNS} run(s) each (ms, median)\n`);
      out('advert   stop     expected   keepalived   hactl      ratio   false takeover (ka/hactl)\n');
    }
    for (const c of ONLY_JITTER || ONLY_RESOURCES ? [] : CASES) {
      for (const how of ['SIGKILL', 'SIGTERM'] as const) {
        const res: Record<Impl, number[]> = { hactl: [], keepalived: [] };
        const fal: Record<Impl, boolean> = { hactl: false, keepalived: false };
        for (let r = 0; r < RUNS; r++) {
          for (const impl of ['keepalived', 'hactl'] as Impl[]) {
            const x = await oneFailover(l, c, impl, how);
            if (!Number.isNaN(x.ms)) res[impl].push(x.ms);
            fal[impl] ||= x.falseTakeover;
          }
        }
        const exp = how === 'SIGKILL' ? masterDownIntervalMs(c.version, 100, c.advert * 100) : skewTimeMs(c.version, 100, c.advert * 100);
        const k = median([...res.keepalived].sort((a, b) => a - b));
        const h = median([...res.hactl].sort((a, b) => a - b));
        const ratio = h / k;
        if (ratio > 1.05 || fal.hactl) ok = false;
        results.push({ version: c.version, advert: c.advert, stop: how, expectedMs: exp, keepalivedMs: res.keepalived, hactlMs: res.hactl, ratio, falseTakeover: fal });
        out(
          `${`${c.advert}s v${c.version}`.padEnd(9)}${how.padEnd(9)}${exp.toFixed(1).padStart(8)}   ${k.toFixed(1).padStart(10)}   ${h
            .toFixed(1)
            .padStart(8)}   ${ratio.toFixed(3).padStart(6)}   ${fal.keepalived ? 'YES' : 'no'}/${fal.hactl ? 'YES' : 'no'}\n`,
        );
      }
    }
    if (JITTER && !ONLY_RESOURCES) await jitterRuns(l, results);
    if (RESOURCES) {
      out(`\nDaemon resources (N instances as MASTER, advert_int 1, v3, CPU over ${FOOTPRINT_SECS} s, alternated)\n`);
      out('instances   impl        procs        RSS   (anon    file)      CPU\n');
    }
    for (const n of RESOURCES ? [1, 100] : []) {
      const k = await resources(l, 'keepalived', n);
      const h = await resources(l, 'hactl', n);
      results.push({
        instances: n,
        keepalived: k,
        hactl: h,
        rssRatio: h.rssMiB / k.rssMiB,
        anonRatio: h.anonMiB / k.anonMiB,
        cpuRatio: h.cpuPct / k.cpuPct,
      });
      const row = (impl: string, f: Footprint) =>
        `${String(n).padEnd(12)}${impl.padEnd(12)}${String(f.procs).padStart(5)}${`${f.rssMiB.toFixed(1)} MiB`.padStart(11)}   (${f.anonMiB.toFixed(1).padStart(5)}  ${f.fileMiB.toFixed(1).padStart(5)})${`${f.cpuPct.toFixed(2)} %`.padStart(10)}\n`;
      out(row('keepalived', k) + row('hactl', h));
      out(
        `${''.padEnd(12)}${'ratio'.padEnd(17)}${(h.rssMiB / k.rssMiB).toFixed(2).padStart(11)}   (${(h.anonMiB / k.anonMiB).toFixed(2).padStart(5)}  ${(h.fileMiB / k.fileMiB).toFixed(2).padStart(5)})${(k.cpuPct ? (h.cpuPct / k.cpuPct).toFixed(1) : '-').padStart(10)}\n`,
      );
    }
  } finally {
    l.cleanup();
  }
  if (JSON_OUT) process.stdout.write(`${JSON.stringify({ ok, results }, null, 2)}\n`);
  else if (!ONLY_JITTER && !ONLY_RESOURCES) out(`\nfailover target (ratio <= 1.05, no false takeover): ${ok ? 'met' : 'MISSED'}\n`);
}

main().catch((e) => {
  process.stderr.write(`bench/vrrp: ${(e as Error).message}\n`);
  process.exit(1);
});
