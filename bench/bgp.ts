/**
 * bench/bgp: how fast a real FRR router stops sending a VIP's traffic to a director, in one
 * namespace lab run, side by side with keepalived + VRRP failover at advert_int 1.
 *
 *   sudo node dist/bench/bgp.js [--runs N] [--bulk N] [--json]
 *
 * Lab: router (FRR zebra+bgpd+bfdd, AS 64500, static neighbours) and four hosts on one bridge.
 * n1 and n2 run `hactl vrrp run --vrrp-only --bgp` with one active-active VIP (track-script, no
 * vrrp_instance) and FRR (`timers 1 3`, `advertisement-interval 0`); n1's session has BFD
 * (100 ms x 3, bfdd on both ends), n2's has not. n3/n4 run keepalived (VRRPv2, advert_int 1,
 * priorities 150/100) for the baseline. Scenarios, each --runs times:
 * - hactl SIGKILL (n1): the watchdog deletes the route, zebra/bgpd withdraw.
 * - node failure with BFD (n1): hactl and its watchdog SIGKILLed and every packet of n1's eth0
 *   dropped (nft, inside n1's namespace): nothing withdraws, the router must notice the peer gone.
 * - node failure without BFD (n2): the same; only the BGP hold time (3 s) notices.
 * - quorum loss (n1): the track-script starts failing (interval 1, fall 1).
 * - baseline: keepalived MASTER (n3) SIGKILLed, time until n4 holds the VIP (Master_Down_Interval).
 * - a new director takes traffic (n2): hactl started on a director whose FRR session is up; then
 *   FRR (zebra+bgpd) and hactl started together on it (the session from scratch). Time to the
 *   router's route having n2's next hop. Baseline: keepalived n3 (priority 150) started while n4
 *   is MASTER, time until n3 holds the VIP and n4 not.
 * - scale (--bulk N, default and at most 500: the documentation ranges' /32s): N host routes
 *   added to n1's table 100 at once, time until the router has them all, and until all are gone.
 * Times: from the action to the router's kernel route (installed by zebra) losing that next hop
 * (polled every 5 ms with `ip route`), resp. to the VIP on n4 (polled the same way).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { directorConf, FrrNode, frrUnavailable, sessionsEstablished, until } from '../test/integration/frr-lab';
import { keepalivedUnavailable, type Node, sleep, VrrpLab, vrrpConf, vrrpLabUnavailable } from '../test/integration/vrrp-lab';
import { median } from './lib/stats';

const VIP = '203.0.113.10';
const KA_VIP = '198.51.100.100';
const ROUTER = '198.51.100.50';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function ip(ns: string, args: string[]): string {
  return spawnSync('ip', ['-n', ns, ...args], { encoding: 'utf8' }).stdout ?? '';
}

function nft(ns: string, script: string): void {
  const r = spawnSync('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], { input: script, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`nft in ${ns}: ${r.stderr}`);
}

/** The router's next hops for the VIP in its kernel table (zebra's ECMP route). */
function nextHops(ns: string): string[] {
  return [...ip(ns, ['route', 'show', `${VIP}/32`]).matchAll(/via (\S+)/g)].map((m) => m[1]).sort();
}

/** ms from now until cond() holds (polled every 5 ms), or undefined after `ms`. */
async function timeUntil(cond: () => boolean, ms: number): Promise<number | undefined> {
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    if (cond()) return performance.now() - t0;
    await sleep(5);
  }
  return undefined;
}

/** The router's BGP session with `addr` is Established. */
function sessionUp(router: FrrNode, addr: string): boolean {
  // biome-ignore lint/suspicious/noExplicitAny: untyped JSON from vtysh
  const peers = router.json<any>('show bgp ipv4 unicast summary json').peers ?? {};
  return peers[addr]?.state === 'Established';
}

// biome-ignore lint/suspicious/noExplicitAny: untyped JSON from vtysh
const bfdPeers = (f: FrrNode): Record<string, any>[] => f.json<Record<string, any>[]>('show bfd peers json') as Record<string, any>[];

/** bfdd's own config file (FrrNode daemonConf): in the shared file after `router bgp`, bfdd never read it. */
const BFD = { bfdd: ['bfd', ' profile fast', '  detect-multiplier 3', '  receive-interval 100', '  transmit-interval 100', ' exit', 'exit', ''].join('\n') };

function routerConf(n1: string, n2: string): string {
  const nb = (a: string, bfd: boolean) => [
    ` neighbor ${a} remote-as 64501`,
    ` neighbor ${a} timers 1 3`,
    ` neighbor ${a} timers connect 1`,
    ` neighbor ${a} advertisement-interval 0`,
    ...(bfd ? [` neighbor ${a} bfd profile fast`] : []),
  ];
  return [
    'frr defaults datacenter',
    'router bgp 64500',
    ` bgp router-id ${ROUTER}`,
    ' no bgp ebgp-requires-policy',
    ...nb(n1, true),
    ...nb(n2, false),
    ' address-family ipv4 unicast',
    '  maximum-paths 8',
    ' exit-address-family',
    'exit',
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const skip = vrrpLabUnavailable() ?? frrUnavailable() ?? keepalivedUnavailable();
  if (skip) {
    console.log(`bench/bgp: cannot run: ${skip}`);
    return;
  }
  const runs = Number(arg('--runs') ?? 3);
  const l = new VrrpLab('bbg', 4);
  const frr: FrrNode[] = [];
  const NEW_HACTL = 'new director takes traffic: hactl started, FRR up';
  const NEW_NODE = 'new director takes traffic: FRR and hactl started';
  const KA_NEW = 'baseline: keepalived higher-prio node started takes the VIP';
  const results: Record<string, number[]> = {
    'hactl SIGKILL (watchdog withdraws)': [],
    'node failure, BFD 100 ms x 3': [],
    'node failure, no BFD (hold 3 s)': [],
    'quorum loss (track-script)': [],
    'baseline: keepalived VRRP failover, advert_int 1': [],
    [NEW_HACTL]: [],
    [NEW_NODE]: [],
    [KA_NEW]: [],
  };
  try {
    const [n1, n2, n3, n4] = l.nodes;
    const router = new FrrNode(l.lab, l.client, routerConf(n1.addr, n2.addr), BFD).start(['zebra', 'bfdd', 'bgpd']);
    frr.push(router);
    const dfrr = new Map<Node, FrrNode>();
    for (const [n, bfd] of [
      [n1, true],
      [n2, false],
    ] as [Node, boolean][]) {
      const f = new FrrNode(l.lab, n.host, directorConf(n.addr, ROUTER, bfd ? 'fast' : undefined), bfd ? BFD : {}).start(bfd ? ['zebra', 'bfdd', 'bgpd'] : ['zebra', 'bgpd']);
      frr.push(f);
      dfrr.set(n, f);
    }
    const down = (n: Node) => path.join(l.dir, `${n.name}.down`);
    const start = (n: Node) => {
      const settings = path.join(l.dir, `${n.name}-bgp.conf`);
      fs.writeFileSync(settings, `vty-socket ${dfrr.get(n)?.dir}\nvip ${VIP} track-script chk\n`);
      const conf = `global_defs {\n  router_id ${n.name}\n}\nvrrp_script chk {\n  script "/bin/sh -c '! test -e ${down(n)}'"\n  interval 1\n  fall 1\n  rise 1\n}\nvirtual_server ${VIP} 80 {\n  lb_algo mh\n  lb_kind DR\n  protocol TCP\n  quorum 1\n  real_server 192.0.2.1 80 {\n    TCP_CHECK {\n    }\n  }\n}\n`;
      l.startHactl(n, conf, { args: ['--vrrp-only', '--bgp', settings] });
    };
    const both = () => until('router has both paths', 30_000, () => (nextHops(l.client.ns).join() === [n1.addr, n2.addr].sort().join() ? true : undefined), () => nextHops(l.client.ns).join());
    const without = (n: Node) => () => !nextHops(l.client.ns).includes(n.addr);
    const withHop = (n: Node) => () => nextHops(l.client.ns).includes(n.addr);
    await sessionsEstablished(router, 2);
    start(n1);
    start(n2);
    await both();
    // the BFD session the router negotiated with n1 (diagnostic: the timers actually in use)
    await until('BFD session up', 15_000, () => (bfdPeers(router).some((p) => p.status === 'up') ? true : undefined));
    for (const p of bfdPeers(router)) console.log(`BFD ${p.peer}: ${p.status}, tx ${p['transmit-interval']} ms rx ${p['receive-interval']} ms x ${p['detect-multiplier']}; remote tx ${p['remote-transmit-interval']} rx ${p['remote-receive-interval']} x ${p['remote-detect-multiplier']}`);
    const ka = (n: Node, prio: number) => l.startKeepalived(n, vrrpConf({ prio, vrid: 61, advert: 1, vips: [`${KA_VIP}/24`] }));
    ka(n3, 150);
    await sleep(500);
    ka(n4, 100);
    const holds = (n: Node) => () => ip(n.host.ns, ['-4', 'addr', 'show', 'dev', 'eth0']).includes(`${KA_VIP}/24`);
    await until('n3 MASTER', 15_000, () => (holds(n3)() ? true : undefined));
    await sleep(2000);
    const fail = (n: Node, on: boolean) =>
      nft(n.host.ns, on ? 'table inet benchdrop {\n chain i { type filter hook input priority 0; iifname "eth0" drop; }\n chain o { type filter hook output priority 0; oifname "eth0" drop; }\n}\n' : 'delete table inet benchdrop\n');
    const record = (k: string, v: number | undefined) => {
      if (v === undefined) console.log(`  ${k}: no change within the limit`);
      else results[k].push(v);
    };
    for (let r = 0; r < runs; r++) {
      console.log(`run ${r + 1}/${runs}`);
      // hactl SIGKILL: the watchdog withdraws
      l.killDaemonOnly(n1);
      record('hactl SIGKILL (watchdog withdraws)', await timeUntil(without(n1), 10_000));
      await sleep(300);
      start(n1);
      await both();
      // node failure with and without BFD
      for (const [n, k] of [
        [n1, 'node failure, BFD 100 ms x 3'],
        [n2, 'node failure, no BFD (hold 3 s)'],
      ] as [Node, string][]) {
        l.kill(n);
        fail(n, true);
        record(k, await timeUntil(without(n), 10_000));
        fail(n, false);
        // hactl's earlier route is still in n's table (nothing removed it): the new run's start-up takes it over
        start(n);
        await both();
        await sleep(1000);
      }
      // quorum loss
      fs.writeFileSync(down(n1), '');
      record('quorum loss (track-script)', await timeUntil(without(n1), 10_000));
      fs.rmSync(down(n1));
      await both();
      // baseline: keepalived failover at advert_int 1
      l.kill(n3);
      record('baseline: keepalived VRRP failover, advert_int 1', await timeUntil(holds(n4), 10_000));
      await sleep(1500);
      ka(n3, 150);
      record(KA_NEW, await timeUntil(() => holds(n3)() && !holds(n4)(), 15_000));
      await until('n3 MASTER again', 15_000, () => (holds(n3)() && !holds(n4)() ? true : undefined));
      await sleep(1500);
      // a new director takes traffic: its FRR session is up, hactl starts (start-up, first
      // track-script run, announcer, zebra/bgpd) -> the router's ECMP route has its next hop
      await l.stop(n2);
      await until('n2 path gone', 10_000, () => (without(n2)() ? true : undefined));
      await sleep(1000);
      start(n2);
      record(NEW_HACTL, await timeUntil(withHop(n2), 20_000));
      // a whole new director: FRR (zebra, bgpd: the session from scratch, `timers connect 1`) and hactl together
      await l.stop(n2);
      const f2 = dfrr.get(n2);
      f2?.stop('bgpd');
      f2?.stop('zebra');
      if (f2) fs.rmSync(path.join(f2.dir, 'zserv.api'), { force: true });
      await until('router: n2 session down and path gone', 15_000, () => (without(n2)() && !sessionUp(router, n2.addr) ? true : undefined));
      await sleep(1000);
      const t0 = performance.now();
      f2?.start(['zebra', 'bgpd']);
      start(n2);
      // from before FRR's start (FrrNode.start waits for zebra's socket, synchronously)
      const t = await timeUntil(withHop(n2), 30_000);
      record(NEW_NODE, t === undefined ? undefined : performance.now() - t0);
      await both();
      await sleep(1000);
    }
    // scale: N more host routes put into n1's table 100 at once (another protocol than hactl's, so
    // n1's announcer leaves them alone) -> the router has all N from n1; then all deleted
    const bulk = Math.min(Number(arg('--bulk') ?? 500), 500);
    let bulkRow: string | undefined;
    if (bulk > 0) {
      const addrs = [...Array(254).keys()].map((i) => `203.0.113.${i + 1}`).filter((a) => a !== VIP);
      addrs.push(...[...Array(254).keys()].map((i) => `192.0.2.${i + 1}`));
      const set = new Set(addrs.slice(0, bulk));
      const atRouter = () => ip(l.client.ns, ['-o', 'route', 'show', 'proto', 'bgp']).split('\n').filter((x) => set.has(x.split(' ')[0])).length;
      const batch = (verb: string) => spawnSync('ip', ['-n', n1.host.ns, '-batch', '-'], { input: [...set].map((a) => `route ${verb} blackhole ${a}/32 table 100 proto static`).join('\n') + '\n', encoding: 'utf8' });
      let t0 = performance.now();
      batch('add');
      const up = await timeUntil(() => atRouter() === set.size, 60_000);
      const upMs = up === undefined ? undefined : performance.now() - t0;
      t0 = performance.now();
      batch('del');
      const down = await timeUntil(() => atRouter() === 0, 60_000);
      const downMs = down === undefined ? undefined : performance.now() - t0;
      bulkRow = `${set.size} more VIP routes from one director: all at the router in ${upMs === undefined ? 'n/a' : `${Math.round(upMs)} ms`}, all withdrawn in ${downMs === undefined ? 'n/a' : `${Math.round(downMs)} ms`}`;
    }
    const med = (v: number[]) => median([...v].sort((a, b) => a - b));
    const base = med(results['baseline: keepalived VRRP failover, advert_int 1']);
    const baseNew = med(results[KA_NEW]);
    // the new-director rows against keepalived's new higher-priority node, the others against failover
    const rows = Object.entries(results).map(([k, v]) => ({ scenario: k, runs: v.length, medianMs: Math.round(med(v)), minMs: Math.round(Math.min(...v)), maxMs: Math.round(Math.max(...v)), ratioToBaseline: +(med(v) / (k.startsWith('new director') || k === KA_NEW ? baseNew : base)).toFixed(3) }));
    if (process.argv.includes('--json')) console.log(JSON.stringify({ rows, bulk: bulkRow ?? null }, null, 2));
    else {
      console.log(`${'scenario'.padEnd(62)} ${'median'.padStart(8)} ${'min'.padStart(7)} ${'max'.padStart(7)}  ratio`);
      for (const x of rows) console.log(`${x.scenario.padEnd(62)} ${`${x.medianMs} ms`.padStart(8)} ${`${x.minMs}`.padStart(7)} ${`${x.maxMs}`.padStart(7)}  ${x.ratioToBaseline}`);
      if (bulkRow) console.log(bulkRow);
    }
  } finally {
    for (const n of l.nodes) if (n.proc) l.kill(n);
    for (const f of frr) f.cleanup();
    l.cleanup();
  }
}

void main().catch((e) => {
  console.error(`bench/bgp: ${(e as Error).message}`);
  process.exitCode = 1;
});
