/**
 * bench/bgp: how fast a real FRR router stops sending a VIP's traffic to a director, in one
 * namespace lab run, side by side with keepalived + VRRP failover at advert_int 1.
 *
 *   sudo node dist/bench/bgp.js [--runs N] [--json]
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
  const results: Record<string, number[]> = { 'hactl SIGKILL (watchdog withdraws)': [], 'node failure, BFD 100 ms x 3': [], 'node failure, no BFD (hold 3 s)': [], 'quorum loss (track-script)': [], 'baseline: keepalived VRRP failover, advert_int 1': [] };
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
      ka(n3, 150);
      await until('n3 MASTER again', 15_000, () => (holds(n3)() && !holds(n4)() ? true : undefined));
      await sleep(1500);
    }
    const base = median([...results['baseline: keepalived VRRP failover, advert_int 1'].sort((a, b) => a - b)]);
    const rows = Object.entries(results).map(([k, v]) => ({ scenario: k, runs: v.length, medianMs: Math.round(median([...v].sort((a, b) => a - b))), minMs: Math.round(Math.min(...v)), maxMs: Math.round(Math.max(...v)), ratioToBaseline: +(median([...v].sort((a, b) => a - b)) / base).toFixed(3) }));
    if (process.argv.includes('--json')) console.log(JSON.stringify(rows, null, 2));
    else {
      console.log(`${'scenario'.padEnd(50)} ${'median'.padStart(8)} ${'min'.padStart(7)} ${'max'.padStart(7)}  ratio`);
      for (const x of rows) console.log(`${x.scenario.padEnd(50)} ${`${x.medianMs} ms`.padStart(8)} ${`${x.minMs}`.padStart(7)} ${`${x.maxMs}`.padStart(7)}  ${x.ratioToBaseline}`);
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
