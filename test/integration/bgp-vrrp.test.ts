// biome-ignore-all lint/suspicious/noExplicitAny: test code reading untyped JSON from vtysh
/**
 * `hactl vrrp run --bgp FILE`, mode master-only, against real FRR in namespaces: the MASTER's host
 * route reaches the router over BGP, the BACKUP's does not; SIGKILL of the MASTER's daemon: its
 * watchdog deletes the route (the router drops that path), the BACKUP takes over and announces;
 * SIGTERM withdraws. --vrrp-only (the host has no IPVS; the LVS half's quorum is covered by unit
 * tests). The router is the VrrpLab's client host.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sh } from '../helpers/netns';
import { bgpPaths, directorConf, FrrNode, frrUnavailable, routerConf, sessionsEstablished, until } from './frr-lab';
import { type Node, VrrpLab, vrrpConf, vrrpLabUnavailable } from './vrrp-lab';

const skip = vrrpLabUnavailable() ?? frrUnavailable();
if (skip) console.log(`# skipping bgp-vrrp: ${skip}`);

const VIP = '203.0.113.10';
const ROUTER = '198.51.100.50';

describe('bgp: vrrp run --bgp announces from the MASTER only', { skip: skip ?? false, timeout: 120_000 }, () => {
  let l: VrrpLab;
  let router: FrrNode;
  const frr: FrrNode[] = [];
  let settings: string;

  const routerPaths = (): string[] => bgpPaths(router, VIP);
  const pathsBecome = (want: string[], why: string, ms = 20_000) =>
    until(why, ms, () => (JSON.stringify(routerPaths()) === JSON.stringify(want) ? true : undefined), () => JSON.stringify(routerPaths()));
  const ours = (n: Node) => sh('ip', ['-n', n.host.ns, 'route', 'show', 'table', 'all', 'proto', '249']).trim();
  const conf = (prio: number) => vrrpConf({ prio, vrid: 51, version: 3, advert: 0.5, vips: [`${VIP}/24`], nice: null });

  before(async () => {
    l = new VrrpLab('bgv', 2);
    settings = path.join(l.dir, 'bgp.conf');
    fs.writeFileSync(settings, `table 100\nprotocol 249\nmode master-only\nvip ${VIP}\n`);
    router = new FrrNode(l.lab, l.client, routerConf(ROUTER)).start();
    for (const n of l.nodes) frr.push(new FrrNode(l.lab, n.host, directorConf(n.addr, ROUTER)).start());
    await sessionsEstablished(router, 2);
  });

  after(() => {
    for (const f of [router, ...frr]) f?.cleanup();
    l?.cleanup();
  });

  it('the MASTER announces, the BACKUP does not; vrrp status --json shows why', async () => {
    const [n1, n2] = l.nodes;
    l.startHactl(n1, conf(150), { args: ['--vrrp-only', '--bgp', settings] });
    await pathsBecome([n1.addr], 'router has the MASTER n1');
    l.startHactl(n2, conf(100), { args: ['--vrrp-only', '--bgp', settings] });
    await until('n2 BACKUP', 10_000, () => (n2.logs.some((x) => /Entering BACKUP STATE/.test(x.line)) ? true : undefined));
    assert.equal(ours(n1), `blackhole ${VIP} table 100`);
    assert.equal(ours(n2), '');
    const st = (await l.status(n1)) as any;
    assert.deepEqual(st.bgp, [{ vip: VIP, mode: 'master-only', announced: true, reason: 'quorum not checked (--vrrp-only), VI_1 is MASTER', error: null }]);
    const st2 = (await l.status(n2)) as any;
    assert.deepEqual(
      st2.bgp.map((b: any) => [b.announced, b.reason]),
      [[false, 'mode master-only: VI_1 is BACKUP']],
    );
    // still one path a while later (the BACKUP never announced)
    await new Promise((r) => setTimeout(r, 1000));
    assert.deepEqual(routerPaths(), [n1.addr]);
  });

  it("SIGKILL of the MASTER's daemon: its watchdog deletes the route, the BACKUP takes over the path", async () => {
    const [n1, n2] = l.nodes;
    const t0 = Date.now();
    l.killDaemonOnly(n1);
    await until('n1 route deleted by the watchdog', 5000, () => (ours(n1) === '' ? true : undefined), () => ours(n1));
    await pathsBecome([n2.addr], 'router moved to n2');
    const ms = Date.now() - t0;
    console.log(`# SIGKILL of n1 -> router path via n2 only: ${ms} ms (advert_int 0.5, timers 1 3, advertisement-interval 0)`);
    assert.equal(ours(n2), `blackhole ${VIP} table 100`);
  });

  it('SIGTERM withdraws: no route left, the router has no path', async () => {
    const n2 = l.nodes[1];
    assert.equal(await l.stop(n2), 0);
    assert.equal(ours(n2), '');
    await pathsBecome([], 'router has no path');
  });
});
