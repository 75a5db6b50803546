// biome-ignore-all lint/suspicious/noExplicitAny: test code reading untyped JSON from vtysh
/**
 * `hactl vrrp run --vrrp-only --bgp FILE`, mode active-active, against real FRR in namespaces: the
 * VIP is held by no vrrp_instance and announced by every director whose track-script is up (the
 * host has no IPVS, so the LVS half's quorum, the other input of the same decision, is covered by
 * test/unit/bgp-quorum.test.ts and the VM). A failing script on one director removes its path only.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sh } from '../helpers/netns';
import { bgpPaths, directorConf, FrrNode, frrUnavailable, routerConf, sessionsEstablished, until } from './frr-lab';
import { type Node, VrrpLab, vrrpConf, vrrpLabUnavailable } from './vrrp-lab';

const skip = vrrpLabUnavailable() ?? frrUnavailable();
if (skip) console.log(`# skipping bgp-active: ${skip}`);

const VIP = '203.0.113.10';
const ROUTER = '198.51.100.50';

describe('bgp: active-active, announced on every healthy director', { skip: skip ?? false, timeout: 120_000 }, () => {
  let l: VrrpLab;
  let router: FrrNode;
  const frr: FrrNode[] = [];
  const settings = (n: Node) => path.join(l.dir, `${n.name}-bgp.conf`);
  const down = (n: Node) => path.join(l.dir, `${n.name}.down`);

  const routerPaths = (): string[] => bgpPaths(router, VIP);
  const pathsBecome = (want: string[], why: string, ms = 20_000) =>
    until(why, ms, () => (JSON.stringify(routerPaths()) === JSON.stringify(want.slice().sort())) ? true : undefined, () => JSON.stringify(routerPaths()));
  const ours = (n: Node) => sh('ip', ['-n', n.host.ns, 'route', 'show', 'table', 'all', 'proto', '249']).trim();
  // the VIP's virtual_server is in the file (the same keepalived.conf on every director) but not run: --vrrp-only
  const conf = (n: Node, prio: number) => {
    const top = `vrrp_script chk_web {\n  script "/bin/sh -c '! test -e ${down(n)}'"\n  interval 1\n  fall 1\n  rise 1\n}\nvirtual_server ${VIP} 80 {\n  lb_algo mh\n  lb_kind DR\n  protocol TCP\n  quorum 1\n  real_server 192.0.2.1 80 {\n    TCP_CHECK {\n    }\n  }\n}\n`;
    // n2 runs no vrrp_instance at all: the VRRP half runs for the announcer alone
    return prio === 0 ? `global_defs {\n  router_id ${n.name}\n}\n${top}` : vrrpConf({ prio, vrid: 52, version: 3, advert: 0.5, nice: null, top });
  };

  before(async () => {
    l = new VrrpLab('bga', 2);
    router = new FrrNode(l.lab, l.client, routerConf(ROUTER)).start();
    for (const n of l.nodes) frr.push(new FrrNode(l.lab, n.host, directorConf(n.addr, ROUTER)).start());
    l.nodes.forEach((n, i) => {
      fs.writeFileSync(settings(n), `table 100\nprotocol 249\nvty-socket ${frr[i].dir}\nvip ${VIP} track-script chk_web\n`);
    });
    await sessionsEstablished(router, 2);
  });

  after(() => {
    for (const f of [router, ...frr]) f?.cleanup();
    l?.cleanup();
  });

  it('both directors announce (ECMP; n1 runs a vrrp_instance, n2 none); status says why', async () => {
    const [n1, n2] = l.nodes;
    l.startHactl(n1, conf(n1, 150), { args: ['--vrrp-only', '--bgp', settings(n1)] });
    // n2's vtysh fails (exit 1, a message): a degraded view, the announcement itself goes on
    const broken = path.join(l.dir, 'broken-vtysh');
    fs.writeFileSync(broken, '#!/bin/sh\necho "% vtysh broke" >&2\nexit 1\n', { mode: 0o755 });
    l.startHactl(n2, conf(n2, 0), { args: ['--vrrp-only', '--bgp', settings(n2)], env: { HACTL_VTYSH: broken } });
    await pathsBecome([n1.addr, n2.addr], 'router has both directors');
    for (const n of [n1, n2]) {
      assert.equal(ours(n), `blackhole ${VIP} table 100`);
      const st = (await l.status(n)) as any;
      assert.deepEqual(st.bgp, [
        { vip: VIP, mode: 'active-active', announced: true, reason: 'quorum not checked (--vrrp-only), track_script chk_web up, mode active-active', error: null },
      ]);
    }
    const r2 = await until('n2 reports vtysh failing', 15_000, async () => ((await l.status(n2)) as any).bgpRouting);
    assert.equal(r2.ok, false);
    assert.match(r2.error, /^`.*broken-vtysh -d bgpd -c 'show bgp ipv4 unicast summary json'` failed \(vty sockets in .*\): % vtysh broke$/);
  });

  it("a director's failing track-script withdraws its path only; recovery announces again", async () => {
    const [n1, n2] = l.nodes;
    const t0 = Date.now();
    fs.writeFileSync(down(n2), '');
    await pathsBecome([n1.addr], 'router has n1 only');
    console.log(`# track-script down on n2 -> router path via n1 only: ${Date.now() - t0} ms (interval 1, fall 1, announcer tick 1 s)`);
    assert.equal(ours(n2), '');
    const st = (await l.status(n2)) as any;
    assert.deepEqual(
      st.bgp.map((b: any) => [b.announced, b.reason]),
      [[false, 'track_script chk_web is down']],
    );
    fs.rmSync(down(n2));
    await pathsBecome([n1.addr, n2.addr], 'router has both again');
  });

  it("SIGHUP without changes keeps the path: the route is never deleted and the router's path is not updated (no flap)", async () => {
    const [n1, n2] = l.nodes;
    await pathsBecome([n1.addr, n2.addr], 'router has both');
    // the router's BGP paths for the VIP and when each was last updated (a withdraw + announce, or any update, changes it)
    const updates = () =>
      (router.json<any>(`show bgp ipv4 unicast ${VIP}/32 json`).paths ?? [])
        .map((p: any) => `${p.peer?.peerId ?? p.nexthops?.[0]?.ip} ${p.lastUpdate?.epoch}`)
        .sort();
    // settled first: the previous test's re-announcement may still be updating the router
    let before = updates();
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setTimeout(r, 1500));
      const now = updates();
      if (JSON.stringify(now) === JSON.stringify(before)) break;
      before = now;
    }
    assert.equal(before.length, 2, `two paths: ${JSON.stringify(before)}`);
    const mon = l.lab.spawn(n1.host.ns, 'ip', ['monitor', 'route']);
    let events = '';
    mon.stdout?.on('data', (d) => (events += d));
    try {
      await new Promise((r) => setTimeout(r, 300));
      n1.proc!.kill('SIGHUP');
      await until('n1 reloaded', 10_000, () => (n1.logs.some((x) => /"reloaded: added \[\] removed \[\] changed \[\]"/.test(x.line)) ? true : undefined), () =>
        n1.logs.map((x) => x.line).slice(-5).join('\n'),
      );
      const end = Date.now() + 3000;
      while (Date.now() < end) {
        assert.deepEqual(routerPaths(), [n1.addr, n2.addr].sort(), 'both paths held during the reload');
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(ours(n1), `blackhole ${VIP} table 100`);
      assert.doesNotMatch(events, new RegExp(`Deleted.*${VIP.replace(/\./g, '\\.')}`), `the route was deleted during the reload:\n${events}`);
      assert.deepEqual(updates(), before, `the router saw an update for the VIP: ${JSON.stringify(before)} -> ${JSON.stringify(updates())}; route events on n1:\n${events}`);
    } finally {
      mon.kill('SIGKILL');
    }
  });

  it("status shows FRR's view; FRR stopped mid-run is a visible degraded state, and the router drops that path", async () => {
    const [n1, n2] = l.nodes;
    const view = await until('n1 reads FRR: session up, VIP advertised', 15_000, async () => {
      const r = ((await l.status(n1)) as any).bgpRouting;
      return r?.ok && r.vips[0]?.advertisedTo.length === 1 ? r : undefined;
    });
    assert.deepEqual(view.peers.map((p: any) => [p.peer, p.state]), [[ROUTER, 'Established']]);
    assert.deepEqual(view.vips, [{ vip: VIP, inBgp: true, advertisedTo: [ROUTER] }]);
    frr[0].stop('bgpd');
    const bad = await until('n1 reports FRR down', 15_000, async () => {
      const r = ((await l.status(n1)) as any).bgpRouting;
      return r && !r.ok ? r : undefined;
    });
    assert.match(bad.error, /FRR's bgpd is not running/);
    assert.ok(n1.logs.some((x) => /bgp: cannot read FRR's view: FRR's bgpd is not running/.test(x.line)), 'logged');
    await pathsBecome([n2.addr], 'router dropped n1 (session gone)');
  });

  it("SIGKILL of n2's daemon (no vrrp_instance): its watchdog deletes the route, the router has no path left", async () => {
    const n2 = l.nodes[1];
    const t0 = Date.now();
    l.killDaemonOnly(n2);
    await until('n2 route deleted by the watchdog', 5000, () => (ours(n2) === '' ? true : undefined), () => ours(n2));
    await pathsBecome([], 'router has no path');
    console.log(`# SIGKILL of n2 -> router path removed: ${Date.now() - t0} ms`);
  });

  it('SIGTERM withdraws (n1, whose FRR is down: the route goes anyway)', async () => {
    const n1 = l.nodes[0];
    assert.equal(ours(n1), `blackhole ${VIP} table 100`);
    assert.equal(await l.stop(n1), 0);
    assert.equal(ours(n1), '');
  });
});
