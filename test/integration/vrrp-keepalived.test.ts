/**
 * Interop with the real keepalived 2.2.7 on the same VRID: hactl as master
 * and as backup, VRRPv2 with and without PASS authentication, and VRRPv3
 * (IPv4, IPv6, IPv6 with use_vmac, unicast over IPv4 and IPv6).
 * One master at a time: never two advertising, nor two holding the VIP, for
 * longer than one advert interval after convergence (assertNoSplitBrain).
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { masterDownIntervalMs, skewTimeMs } from '../../src/lib/vrrp/fsm';
import { assertNoSplitBrain, keepalivedUnavailable, sleep, VrrpLab, vrrpConf, vrrpLabUnavailable } from './vrrp-lab';

/** Wait (up to 5 s) until `fn` finds what it looks for in the capture; the assertions that follow say what is missing. */
async function captured(fn: () => unknown): Promise<void> {
  const end = Date.now() + 5000;
  while (!fn() && Date.now() < end) await sleep(50);
}

const skip = vrrpLabUnavailable() ?? keepalivedUnavailable() ?? undefined;
const VIP4 = '198.51.100.100';
const VIP6 = '2001:db8::100';
const TOL = 50;

const modes: { label: string; version: 2 | 3; advert: number; auth?: string; v6?: boolean; vmac?: boolean; unicast?: boolean }[] = [
  { label: 'VRRPv2, no auth', version: 2, advert: 1 },
  { label: 'VRRPv2, PASS auth', version: 2, advert: 1, auth: 's3cret' },
  { label: 'VRRPv3, 0.5 s', version: 3, advert: 0.5 },
  { label: 'VRRPv3 over IPv6, 0.5 s', version: 3, advert: 0.5, v6: true },
  // both routers' adverts carry 00:00:5e:00:02:33: each must still hear the other
  { label: 'VRRPv3 over IPv6 with use_vmac, 0.5 s', version: 3, advert: 0.5, v6: true, vmac: true },
  // keepalived 2.2.7 sends IPv6 unicast adverts with the kernel's hop limit (64) and checks no TTL for unicast
  { label: 'VRRPv3 unicast, 0.5 s', version: 3, advert: 0.5, unicast: true },
  { label: 'VRRPv3 over IPv6 unicast (global addresses), 0.5 s', version: 3, advert: 0.5, v6: true, unicast: true },
];

describe('vrrp interop with keepalived 2.2.7', { skip, timeout: 400_000 }, () => {
  for (const m of modes) {
    const ivl = m.advert * 1000;
    const VIP = m.v6 ? VIP6 : VIP4;
    type N = VrrpLab['nodes'][number];
    /** the node's unicast address (IPv6: its global one) */
    const uaddr = (n: N) => (m.v6 ? `2001:db8::${n.name.slice(1)}` : n.addr);
    const conf = (l: VrrpLab, prio: number, me: N) =>
      vrrpConf({
        prio,
        version: m.version,
        advert: m.advert,
        auth: m.auth,
        vips: [m.v6 ? `${VIP6}/64` : `${VIP4}/24`],
        extra: m.vmac ? '  use_vmac\n' : '',
        unicast: m.unicast ? { src: uaddr(me), peers: l.nodes.filter((x) => x !== me).map(uaddr) } : undefined,
      });
    /** the source address of a node's adverts (IPv6 multicast: its link-local) */
    const src = (l: VrrpLab, n: N) => (m.unicast ? uaddr(n) : m.v6 ? l.linkLocal(n) : n.addr);
    const mdi = (prio: number) => masterDownIntervalMs(m.version, prio, m.advert * 100);
    const skew = (prio: number) => skewTimeMs(m.version, prio, m.advert * 100);

    it(`${m.label}: hactl MASTER, keepalived BACKUP; keepalived takes over on SIGKILL; hactl preempts back`, { timeout: 60_000 }, async () => {
      const l = new VrrpLab('kab', 2, { v6: m.v6 });
      try {
        const [h, k] = l.nodes;
        if (m.v6) await l.waitDad();
        const cap = l.startCapture({ onSwitch: m.unicast });
        const watch = l.watchVip(VIP);
        await sleep(300);
        l.startHactl(h, conf(l, 150, h));
        await l.waitState(h, 'MASTER', 4 * ivl + 12_000);
        l.startKeepalived(k, conf(l, 100, k));
        await l.waitState(k, 'BACKUP', 10_000);
        const converged = Date.now();
        await sleep(2 * ivl);
        assert.equal(await l.state(k), 'BACKUP', 'keepalived accepts hactl as master');
        assert.ok(l.hasAddr(h, VIP) && !l.hasAddr(k, VIP));
        assert.equal(cap.from(src(l, k)).filter((a) => a.prio > 0).length, 0, 'keepalived never advertised as master');
        // a SIGKILLed node keeps its VIP in the lab (nothing removes it) until it runs again: the VIP
        // check covers the time before the kill and after the restart converged
        assertNoSplitBrain(l, { intervalMs: ivl, since: converged, watch });
        l.kill(h);
        await l.waitState(k, 'MASTER', 4 * ivl + 3000);
        await sleep(300);
        assert.ok(l.hasAddr(k, VIP));
        l.startHactl(h, conf(l, 150, h));
        await l.waitState(h, 'BACKUP', 4 * ivl + 12_000);
        const back = Date.now(); // the restarted hactl removed the stale VIP before BACKUP
        await l.waitState(h, 'MASTER', 4 * ivl + 12_000);
        await l.waitState(k, 'BACKUP', 10_000);
        await sleep(ivl + 300);
        assert.ok(l.hasAddr(h, VIP) && !l.hasAddr(k, VIP));
        const dual = cap.maxDualMaster(51, ivl);
        assert.ok(dual <= ivl, `two masters for ${dual.toFixed(0)} ms (> ${ivl})`);
        assertNoSplitBrain(l, { intervalMs: ivl, since: converged, watch: undefined });
        assertNoSplitBrain(l, { intervalMs: ivl, since: back, watch });
      } finally {
        l.cleanup();
      }
    });

    it(`${m.label}: keepalived MASTER, hactl BACKUP; hactl takes over on SIGTERM (Skew_Time) and on SIGKILL (Master_Down_Interval)`, { timeout: 60_000 }, async () => {
      const l = new VrrpLab('kba', 2, { v6: m.v6 });
      try {
        const [k, h] = l.nodes;
        if (m.v6) await l.waitDad();
        const cap = l.startCapture({ onSwitch: m.unicast });
        const watch = l.watchVip(VIP);
        await sleep(300);
        l.startHactl(h, conf(l, 100, h));
        l.startKeepalived(k, conf(l, 150, k));
        await l.waitState(k, 'MASTER', 4 * ivl + 12_000);
        await l.waitState(h, 'BACKUP', 10_000);
        const converged = Date.now();
        await sleep(2 * ivl);
        const s = await l.status(h);
        assert.equal(s?.instances[0].state, 'BACKUP');
        assert.equal(s?.instances[0].masterAddr, src(l, k));
        assert.ok((s?.instances[0].counters.rxAdverts ?? 0) >= 1);
        assert.deepEqual(s?.instances[0].counters.drops, {}, 'no keepalived advert dropped');
        // graceful: keepalived sends priority 0
        await l.stop(k);
        await l.waitState(h, 'MASTER', 3000);
        await sleep(300);
        // tcpdump's lines can lag on a loaded machine: wait for the adverts to be in the capture
        await captured(() => {
          const z = cap.adverts.filter((a) => a.src === src(l, k) && a.prio === 0).pop();
          return z && cap.firstAfter(src(l, h), z.t);
        });
        const zero = cap.adverts.filter((a) => a.src === src(l, k) && a.prio === 0).pop();
        assert.ok(zero, `keepalived sent priority 0; seen:\n${cap.adverts.slice(-8).map((a) => `${a.src} > ${a.dst} prio ${a.prio}`).join('\n')}`);
        const first = cap.firstAfter(src(l, h), zero.t)!;
        const g = first.t - zero.t;
        assert.ok(g <= skew(100) + TOL, `hactl took ${g.toFixed(1)} ms after priority 0 (Skew_Time ${skew(100)})`);
        process.stderr.write(`# ${m.label}: hactl backup after keepalived SIGTERM: ${g.toFixed(1)} ms (Skew_Time ${skew(100)})\n`);
        assert.ok(l.hasAddr(h, VIP));
        // keepalived comes back with the higher priority and preempts
        l.startKeepalived(k, conf(l, 150, k));
        await l.waitState(k, 'MASTER', 4 * ivl + 12_000);
        await l.waitState(h, 'BACKUP', 10_000);
        await sleep(2 * ivl);
        assert.ok(!l.hasAddr(h, VIP), 'hactl released the VIP');
        // (a SIGKILLed keepalived keeps its VIP in the lab: the VIP check ends here)
        assertNoSplitBrain(l, { intervalMs: ivl, since: converged, watch });
        // hard kill of keepalived's VRRP process
        const before = cap.adverts.length;
        l.kill(k);
        const killedAt = Date.now();
        await l.waitState(h, 'MASTER', 4 * ivl + 3000);
        await sleep(300);
        const kSrc = src(l, k);
        await captured(() => {
          const lk = cap.adverts.filter((a) => a.src === kSrc && a.t < killedAt + 5).pop();
          return lk && cap.firstAfter(src(l, h), lk.t);
        });
        const lastK = cap.adverts.filter((a) => a.src === kSrc && a.t < killedAt + 5).pop()!;
        const firstH = cap.firstAfter(src(l, h), lastK.t)!;
        const took = firstH.t - lastK.t;
        assert.ok(cap.adverts.length > before);
        assert.ok(took <= mdi(100) + TOL, `hactl took ${took.toFixed(1)} ms after keepalived's last advert (Master_Down_Interval ${mdi(100)})`);
        process.stderr.write(`# ${m.label}: hactl backup after keepalived SIGKILL: ${took.toFixed(1)} ms (MDI ${mdi(100)})\n`);
        const dual = cap.maxDualMaster(51, ivl);
        assert.ok(dual <= ivl, `two masters for ${dual.toFixed(0)} ms (> ${ivl})`);
        assertNoSplitBrain(l, { intervalMs: ivl, since: converged });
      } finally {
        l.cleanup();
      }
    });
  }
  it('unicast_ttl and check_unicast_src with min_ttl/max_ttl both ways: keepalived accepts hactl adverts sent with TTL 7 only from 7..7, hactl accepts keepalived ones with TTL 9 from 9..9', { timeout: 60_000 }, async () => {
    const l = new VrrpLab('kut', 2);
    try {
      const [h, k] = l.nodes;
      const cap = l.startCapture({ onSwitch: true });
      const watch = l.watchVip(VIP4);
      await sleep(300);
      const conf = (prio: number, me: VrrpLab['nodes'][number], peer: VrrpLab['nodes'][number], ttl: number, peerTtl: number) =>
        vrrpConf({
          prio,
          version: 3,
          advert: 0.5,
          extra: `  unicast_ttl ${ttl}\n  check_unicast_src\n`,
          unicast: { src: me.addr, peers: [`${peer.addr} min_ttl ${peerTtl} max_ttl ${peerTtl}`] },
        });
      l.startHactl(h, conf(150, h, k, 7, 9));
      await l.waitState(h, 'MASTER', 15_000);
      l.startKeepalived(k, conf(100, k, h, 9, 7));
      await l.waitState(k, 'BACKUP', 10_000);
      const converged = Date.now();
      await sleep(2500);
      assert.equal(await l.state(k), 'BACKUP', `keepalived took hactl's TTL-7 adverts\n${k.logs.map((x) => x.line).join('\n')}`);
      const fromH = cap.adverts.filter((a) => a.src === h.addr && a.t > converged);
      assert.ok(fromH.length >= 3);
      assert.deepEqual([...new Set(fromH.map((a) => a.ttl))], [7], 'hactl sends with unicast_ttl');
      assertNoSplitBrain(l, { intervalMs: 500, since: converged, watch });
      // the other way: keepalived master (TTL 9), hactl backup checking 9..9
      l.kill(h);
      await l.waitState(k, 'MASTER', 10_000);
      l.startHactl(h, conf(50, h, k, 7, 9));
      await l.waitState(h, 'BACKUP', 10_000);
      const back = Date.now();
      await sleep(2500);
      const st = (await l.status(h))!.instances[0];
      assert.equal(st.state, 'BACKUP');
      assert.equal(st.masterAddr, k.addr);
      assert.deepEqual(st.counters.drops, {}, 'no advert dropped');
      const fromK = cap.adverts.filter((a) => a.src === k.addr && a.t > back);
      assert.ok(fromK.length >= 3);
      assert.deepEqual([...new Set(fromK.map((a) => a.ttl))], [9], 'keepalived sends with unicast_ttl');
      assertNoSplitBrain(l, { intervalMs: 500, since: back, watch });
    } finally {
      l.cleanup();
    }
  });
});
