/**
 * Consistent hashing on the real kernel (issue 14), INSIDE the IPVS VM: two "directors" are two
 * network namespaces, each with its own IPVS table holding the same virtual servers. Flows are TCP
 * SYNs from many (source address, source port) pairs sent by a local process in each namespace
 * (IPVS schedules locally generated connections at LOCAL_OUT); the real server IPVS picked for a flow
 * is read back from that namespace's /proc/net/ip_vs_conn. Nothing answers (the real servers sit
 * behind a dummy device): one SYN is enough for IPVS to create the connection entry.
 *
 * Per scheduler (mh with mh-port, sh with sh-port, wlc), over the same flow set:
 * - director 1, table A (M real servers in config order), flows in order;
 * - director 2, table A (same order), the flows in another (shuffled) order: what differs between
 *   directors with the same configuration;
 * - director 2, table B: the same M real servers added in the reverse order (a director whose real
 *   server flapped and was re-added has them in another order in the kernel);
 * - director 1, table A minus one real server (one of M leaves): fraction remapped, vs the 1/M ideal
 *   (only that server's flows move).
 * Each table is its own virtual service (its own VIP): a scheduler's choice depends on the real
 * servers, their order and weights, and for wlc the current connection counts, not on the VIP.
 */
import { spawnSync } from 'node:child_process';
import * as net from 'node:net';
import { prng } from './ipvs-guest-lib';

export const SCHEDULERS = [
  { name: 'mh', args: ['-s', 'mh', '-b', 'mh-port'] },
  { name: 'sh', args: ['-s', 'sh', '-b', 'sh-port'] },
  { name: 'wlc', args: ['-s', 'wlc'] },
] as const;

export interface HashFigures {
  sched: string;
  flows: number;
  /** fraction of flows whose real server differs between the two directors, same table */
  differSameOrder: number;
  /** the same, director 2 holding the real servers in the reverse order */
  differOtherOrder: number;
  /** fraction of flows that changed real server when one of M left */
  remapped: number;
  /** 1/M */
  ideal: number;
}

export interface Flow {
  addr: string;
  port: number;
}

const RS = (i: number) => `192.0.2.${11 + i}`;
/** VIP of table `t` (0 A, 1 B, 2 A minus one) of scheduler `s`. */
const vipOf = (s: number, t: number) => `192.0.2.${100 + s * 4 + t}`;

function sh(cmd: string, args: string[], input?: string): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input, maxBuffer: 64 << 20, timeout: 150_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.slice(0, 6).join(' ')}: ${r.stderr || r.error}`);
  return r.stdout;
}

/** `n` distinct flows: sources 198.51.100.1-250, ports from 20000, picked by a fixed PRNG. */
export function flowSet(n: number, seed = 14): Flow[] {
  const rnd = prng(seed);
  const seen = new Set<string>();
  const out: Flow[] = [];
  while (out.length < n) {
    const f = { addr: `198.51.100.${1 + Math.floor(rnd() * 250)}`, port: 20000 + Math.floor(rnd() * 20000) };
    const k = `${f.addr}:${f.port}`;
    if (!seen.has(k)) {
      seen.add(k);
      out.push(f);
    }
  }
  return out;
}

function shuffled<T>(xs: T[], seed: number): T[] {
  const rnd = prng(seed);
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

function setupDirector(ns: string, tables: number[][]): void {
  spawnSync('ip', ['netns', 'del', ns]);
  sh('ip', ['netns', 'add', ns]);
  const lines = ['link set lo up', 'link add c0 type dummy', 'link set c0 up', 'route add 192.0.2.0/24 dev c0'];
  for (let i = 1; i <= 250; i++) lines.push(`addr add 198.51.100.${i}/32 dev c0`);
  sh('ip', ['-n', ns, '-batch', '-'], `${lines.join('\n')}\n`);
  const rules: string[] = [];
  SCHEDULERS.forEach((s, si) => {
    tables.forEach((order, t) => {
      if (!order.length) return;
      rules.push(`-A -t ${vipOf(si, t)}:80 ${s.args.join(' ')}`);
      for (const i of order) rules.push(`-a -t ${vipOf(si, t)}:80 -r ${RS(i)}:80 -m -w 1`);
    });
  });
  sh('ip', ['netns', 'exec', ns, 'ipvsadm', '-R'], `${rules.join('\n')}\n`);
}

/** Run this file with --gen in a namespace: connects every flow to every VIP, prints nothing. */
async function generate(flows: Flow[], vips: string[]): Promise<void> {
  for (const vip of vips) {
    for (let b = 0; b < flows.length; b += 200) {
      const socks = flows.slice(b, b + 200).map((f) => {
        const s = net.connect({ host: vip, port: 80, localAddress: f.addr, localPort: f.port });
        s.on('error', () => {});
        return s;
      });
      // the SYN leaves on connect(); nothing answers, so the sockets are closed without a packet
      await new Promise((r) => setTimeout(r, 150));
      for (const s of socks) s.destroy();
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** flow "addr:port" -> real server, per VIP, from the namespace's connection table. */
function conns(ns: string): Map<string, Map<string, string>> {
  const hex = (h: string) => [24, 16, 8, 0].map((s) => (Number.parseInt(h, 16) >>> s) & 255).join('.');
  const out = new Map<string, Map<string, string>>();
  for (const line of sh('ip', ['netns', 'exec', ns, 'cat', '/proc/net/ip_vs_conn']).split('\n').slice(1)) {
    const c = line.trim().split(/\s+/);
    if (c.length < 7 || c[0] !== 'TCP') continue;
    const vip = hex(c[3]);
    if (!out.has(vip)) out.set(vip, new Map());
    out.get(vip)?.set(`${hex(c[1])}:${Number.parseInt(c[2], 16)}`, hex(c[5]));
  }
  return out;
}

function runGen(ns: string, flows: Flow[], vips: string[]): void {
  sh('ip', ['netns', 'exec', ns, process.execPath, __filename, '--gen'], JSON.stringify({ flows, vips }));
}

/** Measure with `n` flows and `m` real servers (one of which leaves); namespaces removed afterwards. */
export function measureHashing(n: number, m: number): HashFigures[] {
  const flows = flowSet(n);
  const order = [...Array(m).keys()];
  const leave = Math.floor(m / 2);
  const d1 = 'hash-d1';
  const d2 = 'hash-d2';
  try {
    setupDirector(d1, [order, [], order.filter((i) => i !== leave)]);
    setupDirector(d2, [order, [...order].reverse()]);
    runGen(d1, flows, SCHEDULERS.flatMap((_, si) => [vipOf(si, 0), vipOf(si, 2)]));
    runGen(d2, shuffled(flows, 7), SCHEDULERS.flatMap((_, si) => [vipOf(si, 0), vipOf(si, 1)]));
    const c1 = conns(d1);
    const c2 = conns(d2);
    return SCHEDULERS.map((s, si) => {
      const a1 = c1.get(vipOf(si, 0)) ?? new Map();
      const a2 = c2.get(vipOf(si, 0)) ?? new Map();
      const b2 = c2.get(vipOf(si, 1)) ?? new Map();
      const r1 = c1.get(vipOf(si, 2)) ?? new Map();
      const keys = flows.map((f) => `${f.addr}:${f.port}`).filter((k) => a1.has(k) && a2.has(k) && b2.has(k) && r1.has(k));
      if (keys.length < n * 0.9) throw new Error(`${s.name}: only ${keys.length} of ${n} flows reached every table (conn entries: ${a1.size}/${a2.size}/${b2.size}/${r1.size})`);
      const frac = (p: (k: string) => boolean) => keys.filter(p).length / keys.length;
      return {
        sched: s.name,
        flows: keys.length,
        differSameOrder: frac((k) => a1.get(k) !== a2.get(k)),
        differOtherOrder: frac((k) => a1.get(k) !== b2.get(k)),
        remapped: frac((k) => a1.get(k) !== r1.get(k)),
        ideal: 1 / m,
      };
    });
  } finally {
    for (const ns of [d1, d2]) spawnSync('ip', ['netns', 'del', ns]);
  }
}

export function formatFigures(rows: HashFigures[], m: number): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const out = [`| scheduler | flows | differ, same table | differ, real servers in another order | remapped when 1 of ${m} leaves (ideal ${pct(1 / m)}) |`, '| --- | --- | --- | --- | --- |'];
  for (const r of rows) out.push(`| ${r.sched} | ${r.flows} | ${pct(r.differSameOrder)} | ${pct(r.differOtherOrder)} | ${pct(r.remapped)} |`);
  return `${out.join('\n')}\n`;
}

if (require.main === module && process.argv[2] === '--gen') {
  let input = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (d) => (input += d));
  process.stdin.on('end', () => {
    const { flows, vips } = JSON.parse(input) as { flows: Flow[]; vips: string[] };
    void generate(flows, vips);
  });
}
