/**
 * Acceptance: hactl VRRP nodes in network namespaces on one bridge.
 * Timings are measured from the client's capture timestamps.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { describe, it } from 'node:test';
import { masterDownIntervalMs, skewTimeMs } from '../../src/lib/vrrp/fsm';
import { HACTL, hactl } from '../helpers/cli';
import { advertThreads, assertNoSplitBrain, instanceBlock, sleep, VrrpLab, vrrpConf, vrrpLabUnavailable } from './vrrp-lab';

const skip = vrrpLabUnavailable() ?? undefined;
const VIP = '198.51.100.100';
const TOL = 50;

/** A second interface to track: a veth pair inside the node (the dummy module may be missing). */
function addTrackLink(l: VrrpLab, ns: string): void {
  l.lab.nsExec(ns, 'ip', ['link', 'add', 'eth1', 'type', 'veth', 'peer', 'name', 'eth1p']);
  l.lab.nsExec(ns, 'ip', ['link', 'set', 'eth1p', 'up']);
  l.lab.nsExec(ns, 'ip', ['link', 'set', 'eth1', 'up']);
}

/** MAC in the ARP reply for `ip` (arping from the client), lower case. */
function arpReply(l: VrrpLab, ip: string): string | undefined {
  const out = l.lab.nsExec(l.client.ns, 'arping', ['-c', '1', '-w', '2', '-I', 'eth0', ip], { allowFail: true });
  return out.match(/\[([0-9A-Fa-f:]{17})\]/)?.[1].toLowerCase();
}

async function withLab(tag: string, n: number, fn: (l: VrrpLab) => Promise<void>): Promise<void> {
  const l = new VrrpLab(tag, n);
  try {
    await fn(l);
  } finally {
    l.cleanup();
  }
}

describe('vrrp acceptance: hactl nodes', { skip, timeout: 240_000 }, () => {
  it('election, SIGKILL failover (<= Master_Down_Interval + 50 ms), GARP moves the neighbour, preemption, graceful stop (<= Skew_Time + 50 ms)', { timeout: 60_000 }, async () => {
    await withLab('kil', 2, async (l) => {
      const [n1, n2] = l.nodes;
      const cap = l.startCapture();
      const watch = l.watchVip(VIP);
      await sleep(300);
      l.startHactl(n1, vrrpConf({ prio: 150 }));
      l.startHactl(n2, vrrpConf({ prio: 100 }));
      await l.waitState(n1, 'MASTER', 15_000);
      await l.waitState(n2, 'BACKUP', 10_000);
      await sleep(300);
      assert.ok(l.hasAddr(n1, VIP), 'master holds the VIP');
      assert.ok(!l.hasAddr(n2, VIP), 'backup does not');
      assert.ok(l.ping(VIP), 'client reaches the VIP');
      assert.equal(l.neighMac(VIP), l.mac(n1));

      // SIGKILL the master
      l.kill(n1);
      const killedAt = Date.now();
      await l.waitState(n2, 'MASTER', 15_000);
      await sleep(300);
      const last1 = cap.adverts.filter((a) => a.src === n1.addr && a.t < killedAt + 5).pop()!;
      const first2 = cap.firstAfter(n2.addr, last1.t)!;
      const took = first2.t - last1.t;
      const mdi = masterDownIntervalMs(2, 100, 100);
      assert.ok(took <= mdi + TOL, `takeover ${took.toFixed(1)} ms > ${mdi} + ${TOL}`);
      assert.ok(took >= mdi - TOL, `takeover ${took.toFixed(1)} ms is earlier than Master_Down_Interval ${mdi}`);
      assert.ok(l.hasAddr(n2, VIP));
      assert.equal(await l.waitNeigh(VIP, l.mac(n2)), l.mac(n2), 'GARP moved the client neighbour entry to the new master');
      process.stderr.write(`# SIGKILL failover: ${took.toFixed(1)} ms (Master_Down_Interval ${mdi} ms)\n`);

      // the higher priority comes back and preempts
      const back = Date.now();
      l.startHactl(n1, vrrpConf({ prio: 150 }));
      await l.waitState(n1, 'MASTER', 15_000);
      await l.waitState(n2, 'BACKUP', 10_000);
      await sleep(300);
      assert.ok(!l.hasAddr(n2, VIP), 'old master released the VIP');
      assert.equal(await l.waitNeigh(VIP, l.mac(n1)), l.mac(n1));
      const dual = cap.maxDualMaster(51, 1000, back);
      assert.ok(dual <= 1000, `two masters for ${dual} ms`);
      assertNoSplitBrain(l, { intervalMs: 1000, since: back, watch });

      // graceful stop
      await sleep(1200);
      const code = await l.stop(n1);
      assert.equal(code, 0, 'SIGTERM exits 0');
      await l.waitState(n2, 'MASTER', 6000);
      await sleep(200);
      const zero = cap.adverts.filter((a) => a.src === n1.addr && a.prio === 0).pop();
      assert.ok(zero, 'priority-0 advert sent on SIGTERM');
      const first = cap.firstAfter(n2.addr, zero.t)!;
      const skew = skewTimeMs(2, 100, 100);
      const g = first.t - zero.t;
      assert.ok(g <= skew + TOL, `graceful takeover ${g.toFixed(1)} ms > Skew_Time ${skew} + ${TOL}`);
      assert.ok(!l.hasAddr(n1, VIP), 'VIP removed on SIGTERM');
      process.stderr.write(`# SIGTERM takeover: ${g.toFixed(1)} ms (Skew_Time ${skew} ms)\n`);
    });
  });

  it('timer safety: a backup stalled for 5 s (SIGSTOP) reads the queued adverts and does not take over', { timeout: 40_000 }, async () => {
    await withLab('stl', 2, async (l) => {
      const [n1, n2] = l.nodes;
      const cap = l.startCapture();
      l.startHactl(n1, vrrpConf({ prio: 150, version: 3, advert: 0.2 }));
      l.startHactl(n2, vrrpConf({ prio: 100, version: 3, advert: 0.2 }));
      await l.waitState(n1, 'MASTER', 15_000);
      await l.waitState(n2, 'BACKUP', 10_000);
      await sleep(500);
      n2.proc!.kill('SIGSTOP');
      await sleep(5000);
      const resumed = Date.now();
      n2.proc!.kill('SIGCONT');
      await sleep(2000);
      assert.equal(await l.state(n2), 'BACKUP', 'no false takeover after the stall');
      assert.equal(cap.adverts.filter((a) => a.src === n2.addr && a.t >= resumed - 100 && a.prio > 0).length, 0, 'the backup never advertised');
      const s = (await l.status(n2))!;
      assert.ok(s.stalls >= 1 && s.maxStallMs > 1000, `stall detected and counted: ${s.stalls} / ${s.maxStallMs} ms`);
      assert.ok(n2.logs.some((x) => /event loop stalled/.test(x.line)), 'stall logged');
    });
  });

  it('timer safety over IPv6: a backup stalled for 5 s (SIGSTOP) drains the AF_PACKET queue and does not take over', { timeout: 40_000 }, async () => {
    const l = new VrrpLab('st6', 2, { v6: true });
    try {
      const [n1, n2] = l.nodes;
      await l.waitDad();
      const cap = l.startCapture();
      const conf = (prio: number) => vrrpConf({ prio, version: 3, advert: 0.2, vips: ['2001:db8::100/64'] });
      l.startHactl(n1, conf(150));
      l.startHactl(n2, conf(100));
      await l.waitState(n1, 'MASTER', 15_000);
      await l.waitState(n2, 'BACKUP', 10_000);
      await sleep(500);
      const ll2 = l.linkLocal(n2);
      const rx0 = (await l.status(n2))!.instances[0].counters.rxAdverts;
      n2.proc!.kill('SIGSTOP');
      await sleep(5000);
      const resumed = Date.now();
      n2.proc!.kill('SIGCONT');
      await sleep(2000);
      assert.equal(await l.state(n2), 'BACKUP', `no false takeover after the stall\n${n2.logs.map((x) => x.line).join('\n')}`);
      assert.ok(cap.adverts.some((a) => a.dst === 'ff02::12'), 'IPv6 adverts on the wire');
      assert.equal(cap.adverts.filter((a) => a.src === ll2 && a.t >= resumed - 100 && a.prio > 0).length, 0, 'the backup never advertised');
      const s = (await l.status(n2))!;
      assert.ok(s.stalls >= 1 && s.maxStallMs > 1000, `stall detected and counted: ${s.stalls} / ${s.maxStallMs} ms`);
      assert.ok(s.instances[0].counters.rxAdverts > rx0 + 20, `the adverts of the stall were read: ${rx0} -> ${s.instances[0].counters.rxAdverts}`);
      assert.ok(!l.hasAddr(n2, '2001:db8::100') && l.hasAddr(n1, '2001:db8::100'), 'the VIP stayed on the master');
    } finally {
      l.cleanup();
    }
  });

  it('nopreempt: a higher priority that starts later stays BACKUP', { timeout: 30_000 }, async () => {
    await withLab('npr', 2, async (l) => {
      const [n1, n2] = l.nodes;
      l.startHactl(n2, vrrpConf({ prio: 100, version: 3, advert: 0.2, nopreempt: true }));
      await l.waitState(n2, 'MASTER', 15_000);
      l.startHactl(n1, vrrpConf({ prio: 150, version: 3, advert: 0.2, nopreempt: true }));
      await l.waitState(n1, 'BACKUP', 15_000);
      await sleep(2500);
      assert.equal(await l.state(n1), 'BACKUP');
      assert.equal(await l.state(n2), 'MASTER');
      const s = await l.status(n1);
      assert.equal(s?.instances[0].masterAddr, n2.addr);
      assert.equal(s?.instances[0].masterPriority, 100);
    });
  });

  it('the advert sender thread runs SCHED_RR: priority 1 by default, vrrp_rt_priority when set', { timeout: 30_000 }, async () => {
    await withLab('rtp', 2, async (l) => {
      const [n1, n2] = l.nodes;
      l.startHactl(n1, vrrpConf({ prio: 150, version: 3, advert: 0.2, state: 'MASTER' }));
      l.startHactl(n2, vrrpConf({ prio: 100, version: 3, advert: 0.2, globalExtra: '  vrrp_rt_priority 7\n' }));
      await l.waitState(n1, 'MASTER', 15_000);
      await l.waitState(n2, 'BACKUP', 15_000);
      const sched = (n: typeof n1) => advertThreads(l.vrrpPid(n)!);
      // SCHED_RR is policy 2; only the advert thread is real-time (the JS thread stays SCHED_OTHER)
      assert.deepEqual(sched(n1), ['policy 2 rtprio 1']);
      assert.deepEqual(sched(n2), ['policy 2 rtprio 7'], 'the BACKUP has its sender thread too (started with the daemon)');
    });
  });

  it('equal priorities elect exactly one master and stay stable', { timeout: 30_000 }, async () => {
    await withLab('eqp', 3, async (l) => {
      const cap = l.startCapture();
      await sleep(300);
      for (const n of l.nodes) l.startHactl(n, vrrpConf({ prio: 100, version: 3, advert: 0.2 }));
      const end = Date.now() + 10_000;
      while (Date.now() < end) {
        const st = await Promise.all(l.nodes.map((n) => l.state(n)));
        if (st.includes('MASTER') && st.every((x) => x)) break;
        await sleep(100);
      }
      await sleep(2000);
      const states = await Promise.all(l.nodes.map((n) => l.state(n)));
      assert.equal(states.filter((s) => s === 'MASTER').length, 1, states.join(','));
      const t = Date.now() - 1500;
      const srcs = new Set(cap.adverts.filter((a) => a.t > t).map((a) => a.src));
      assert.equal(srcs.size, 1, `one advertiser in the last 1.5 s: ${[...srcs]}`);
    });
  });

  it('unicast mode: unicast_src_ip / unicast_peer, failover measured from the backup log', { timeout: 40_000 }, async () => {
    await withLab('uni', 2, async (l) => {
      const [n1, n2] = l.nodes;
      l.startCapture({ onSwitch: true });
      const watch = l.watchVip(VIP);
      l.startHactl(n1, vrrpConf({ prio: 150, unicast: { src: n1.addr, peers: [n2.addr] } }));
      l.startHactl(n2, vrrpConf({ prio: 100, unicast: { src: n2.addr, peers: [n1.addr] } }));
      await l.waitState(n1, 'MASTER', 15_000);
      await l.waitState(n2, 'BACKUP', 10_000);
      const converged = Date.now();
      await sleep(1500);
      assertNoSplitBrain(l, { intervalMs: 1000, since: converged, watch });
      const s2 = await l.status(n2);
      assert.ok((s2?.instances[0].counters.rxAdverts ?? 0) >= 1, 'backup receives unicast adverts');
      assert.equal(s2?.instances[0].masterAddr, n1.addr);
      l.kill(n1);
      const killed = Date.now();
      await l.waitState(n2, 'MASTER', 15_000);
      const entry = n2.logs.find((x) => x.json && /Entering MASTER/.test(String(x.json.msg)))!;
      const took = Date.parse(String(entry.json!.ts)) - killed;
      const mdi = masterDownIntervalMs(2, 100, 100);
      assert.ok(took <= mdi + TOL, `unicast takeover ${took} ms after the kill > ${mdi} + ${TOL}`);
      assert.ok(l.hasAddr(n2, VIP));
    });
  });

  it('unicast over IPv6: adverts leave from unicast_src_ip (not the VIP in the same /64), one master, failover', { timeout: 40_000 }, async () => {
    const l = new VrrpLab('un6', 2, { v6: true });
    try {
      const [n1, n2] = l.nodes;
      await l.waitDad();
      const cap = l.startCapture({ onSwitch: true });
      const VIP6 = '2001:db8::100';
      const watch = l.watchVip(VIP6);
      await sleep(300);
      const conf = (prio: number, me: string, peer: string) =>
        vrrpConf({ prio, version: 3, advert: 0.5, vips: [`${VIP6}/64`], unicast: { src: me, peers: [peer] } });
      l.startHactl(n1, conf(150, '2001:db8::1', '2001:db8::2'));
      l.startHactl(n2, conf(100, '2001:db8::2', '2001:db8::1'));
      await l.waitState(n1, 'MASTER', 15_000);
      await l.waitState(n2, 'BACKUP', 10_000);
      const converged = Date.now();
      await sleep(2500);
      assert.equal(await l.state(n2), 'BACKUP', 'the backup accepts the master holding the VIP');
      const s2 = (await l.status(n2))!;
      assert.deepEqual(s2.drops, {}, 'nothing dropped before the instance lookup (checksum)');
      assert.deepEqual(s2.instances[0].counters.drops, {});
      assert.equal(s2.instances[0].masterAddr, '2001:db8::1');
      const ads = cap.adverts.filter((a) => a.vrid === 51 && a.t > converged);
      assert.ok(ads.length >= 3, 'unicast adverts seen on the switch');
      assert.deepEqual([...new Set(ads.map((a) => `${a.src} > ${a.dst}`))], ['2001:db8::1 > 2001:db8::2'], 'from the configured source, never from the VIP');
      assertNoSplitBrain(l, { intervalMs: 500, since: converged, watch });
      l.kill(n1);
      await l.waitState(n2, 'MASTER', 5000);
      await sleep(300);
      assert.ok(l.hasAddr(n2, VIP6));
    } finally {
      l.cleanup();
    }
  });

  it('track_interface down -> FAULT and the peer takes over; up -> preempts back', { timeout: 40_000 }, async () => {
    await withLab('tif', 2, async (l) => {
      const [n1, n2] = l.nodes;
      addTrackLink(l, n1.host.ns);
      l.startHactl(n1, vrrpConf({ prio: 150, version: 3, advert: 0.2, extra: '  track_interface {\n    eth1\n  }\n' }));
      l.startHactl(n2, vrrpConf({ prio: 100, version: 3, advert: 0.2 }));
      await l.waitState(n1, 'MASTER', 15_000);
      await l.waitState(n2, 'BACKUP', 10_000);
      l.lab.nsExec(n1.host.ns, 'ip', ['link', 'set', 'eth1', 'down']);
      await l.waitState(n1, 'FAULT', 6000);
      await l.waitState(n2, 'MASTER', 6000);
      await sleep(200);
      assert.ok(!l.hasAddr(n1, VIP));
      assert.ok(l.hasAddr(n2, VIP));
      assert.match((await l.status(n1))!.instances[0].lastTransition!.reason, /eth1/);
      l.lab.nsExec(n1.host.ns, 'ip', ['link', 'set', 'eth1', 'up']);
      await l.waitState(n1, 'MASTER', 15_000);
      await l.waitState(n2, 'BACKUP', 10_000);
    });
  });

  it('a failing vrrp_script lowers the priority and the peer preempts', { timeout: 40_000 }, async () => {
    await withLab('scr', 2, async (l) => {
      const [n1, n2] = l.nodes;
      const flag = `${l.dir}/healthy`;
      fs.writeFileSync(flag, '');
      const top = `vrrp_script chk {\n  script "/usr/bin/test -f ${flag}"\n  interval 1\n  weight -60\n  fall 1\n  rise 1\n}\n`;
      l.startHactl(n1, vrrpConf({ prio: 150, version: 3, advert: 0.2, top, extra: '  track_script {\n    chk\n  }\n' }));
      l.startHactl(n2, vrrpConf({ prio: 100, version: 3, advert: 0.2 }));
      await l.waitState(n1, 'MASTER', 15_000);
      await l.waitState(n2, 'BACKUP', 10_000);
      fs.unlinkSync(flag);
      await l.waitState(n2, 'MASTER', 15_000);
      await l.waitState(n1, 'BACKUP', 10_000);
      assert.equal((await l.status(n1))!.instances[0].effectivePriority, 90);
      fs.writeFileSync(flag, '');
      await l.waitState(n1, 'MASTER', 15_000);
    });
  });

  it('sync group: a fault in one member moves every member to the peer', { timeout: 40_000 }, async () => {
    await withLab('syn', 2, async (l) => {
      const [n1, n2] = l.nodes;
      addTrackLink(l, n1.host.ns);
      const conf = (prio: number, track: boolean) =>
        `global_defs {\n  router_id sg\n  vrrp_priority -10\n}\nvrrp_sync_group G {\n  group {\n    VI_1\n    VI_2\n  }\n}\n${instanceBlock({
          name: 'VI_1',
          vrid: 51,
          prio,
          version: 3,
          advert: 0.2,
        })}${instanceBlock({
          name: 'VI_2',
          vrid: 52,
          prio,
          version: 3,
          advert: 0.2,
          vips: ['198.51.100.101/24'],
          extra: track ? '  track_interface {\n    eth1\n  }\n' : '',
        })}`;
      l.startHactl(n1, conf(150, true));
      l.startHactl(n2, conf(100, false));
      await l.waitState(n1, 'MASTER', 15_000, 'VI_1');
      await l.waitState(n1, 'MASTER', 6000, 'VI_2');
      await l.waitState(n2, 'BACKUP', 10_000, 'VI_1');
      l.lab.nsExec(n1.host.ns, 'ip', ['link', 'set', 'eth1', 'down']);
      await l.waitState(n2, 'MASTER', 6000, 'VI_1');
      await l.waitState(n2, 'MASTER', 6000, 'VI_2');
      assert.equal(await l.state(n1, 'VI_1'), 'FAULT');
      assert.equal(await l.state(n1, 'VI_2'), 'FAULT');
      await sleep(200);
      assert.ok(l.hasAddr(n2, VIP) && l.hasAddr(n2, '198.51.100.101'));
      assert.ok(!l.hasAddr(n1, VIP) && !l.hasAddr(n1, '198.51.100.101'));
    });
  });

  it('becoming MASTER: the first GARP follows the first advert within 5 ms (median of 4 preemptions; keepalived <= 0.4 ms)', { timeout: 60_000 }, async () => {
    await withLab('grp', 2, async (l) => {
      const [n1, n2] = l.nodes;
      const cap = l.startCapture();
      l.startHactl(n2, vrrpConf({ prio: 100, version: 3, advert: 0.1 }));
      await l.waitState(n2, 'MASTER', 15_000);
      const delays: number[] = [];
      for (let i = 0; i < 4; i++) {
        const t0 = Date.now();
        l.startHactl(n1, vrrpConf({ prio: 150, version: 3, advert: 0.1 }));
        await l.waitState(n1, 'MASTER', 15_000);
        await sleep(300);
        const first = cap.firstAfter(n1.addr, t0);
        const garp = first && cap.arps.find((a) => a.t >= first.t - 1 && / tell 198\.51\.100\.100\b/.test(a.line));
        assert.ok(first && garp, `preemption ${i}: no advert or no GARP from n1 in the capture`);
        delays.push(garp.t - first.t);
        await l.stop(n1);
        await l.waitState(n2, 'MASTER', 5000);
        await sleep(200);
      }
      delays.sort((a, b) => a - b);
      const median = (delays[1] + delays[2]) / 2;
      assert.ok(median < 5, `first GARP after the first advert: ${delays.map((d) => d.toFixed(2)).join(', ')} ms (median ${median.toFixed(2)})`);
    });
  });

  it('SIGHUP applies only the difference: the MASTER keeps its VIP (address monitor proves it)', { timeout: 40_000 }, async () => {
    await withLab('hup', 2, async (l) => {
      const [n1, n2] = l.nodes;
      const cap = l.startCapture();
      l.startHactl(n1, vrrpConf({ prio: 150, version: 3, advert: 0.2 }));
      l.startHactl(n2, vrrpConf({ prio: 100, version: 3, advert: 0.2 }));
      await l.waitState(n1, 'MASTER', 15_000);
      await sleep(500);
      const mon = spawn('ip', ['netns', 'exec', n1.host.ns, 'ip', 'monitor', 'address'], { stdio: ['ignore', 'pipe', 'ignore'] });
      let events = '';
      mon.stdout.on('data', (d) => {
        events += d;
      });
      try {
        await sleep(300);
        const t0 = Date.now();
        fs.writeFileSync(n1.conf, vrrpConf({ prio: 150, version: 3, advert: 0.2, vips: ['198.51.100.100/24', '198.51.100.102/24'] }));
        n1.proc!.kill('SIGHUP');
        const end = Date.now() + 3000;
        while (!l.hasAddr(n1, '198.51.100.102') && Date.now() < end) await sleep(50);
        assert.ok(l.hasAddr(n1, '198.51.100.102'), 'new VIP added on reload');
        await sleep(500);
        assert.ok(l.hasAddr(n1, VIP));
        assert.ok(!/Deleted.*198\.51\.100\.100/.test(events), `VIP was deleted during reload:\n${events}`);
        assert.match(events, /198\.51\.100\.102/);
        // keepalived 2.2.7, when a reload adds a VIP: garp_master_repeat (5) GARPs for each VIP at once
        for (const vip of ['198.51.100.102', '198.51.100.100']) {
          const garps = cap.arps.filter((a) => a.t >= t0 && a.line.includes(` tell ${vip},`));
          assert.ok(garps.length >= 5, `${garps.length} GARP(s) for ${vip} after the reload, expected 5`);
        }
        assert.equal(await l.state(n1), 'MASTER');
        assert.equal(await l.state(n2), 'BACKUP');
        const mine = cap.from(n1.addr).filter((a) => a.t >= t0 - 300);
        for (let i = 1; i < mine.length; i++) assert.ok(mine[i].t - mine[i - 1].t < 300, 'advert cadence kept during reload');
        assert.equal(
          cap.adverts.filter((a) => a.src === n2.addr && a.t >= t0).length,
          0,
          'the backup never advertised',
        );
      } finally {
        mon.kill('SIGKILL');
      }
    });
  });

  it('VRRPv3 over IPv6: link-local adverts to ff02::12, election, failover, unsolicited NA moves the neighbour', { timeout: 40_000 }, async () => {
    const l = new VrrpLab('v6', 2, { v6: true });
    try {
      const [n1, n2] = l.nodes;
      await l.waitDad();
      const cap = l.startCapture();
      await sleep(300);
      const conf = (prio: number) => vrrpConf({ prio, version: 3, advert: 0.5, vips: ['2001:db8::100/64'] });
      l.startHactl(n1, conf(150));
      l.startHactl(n2, conf(100));
      await l.waitState(n1, 'MASTER', 15_000);
      await l.waitState(n2, 'BACKUP', 10_000);
      await sleep(1000);
      const ads = cap.adverts.filter((a) => a.dst === 'ff02::12');
      assert.ok(ads.length >= 2, 'IPv6 adverts on the wire');
      assert.ok(ads.every((a) => a.src.startsWith('fe80:')), 'sent from the link-local address');
      const s2 = (await l.status(n2))!;
      assert.ok(s2.instances[0].counters.rxAdverts >= 1, 'backup receives and validates (hop limit, checksum)');
      assert.deepEqual(s2.instances[0].counters.drops, {});
      assert.ok(l.hasAddr(n1, '2001:db8::100') && !l.hasAddr(n2, '2001:db8::100'));
      let pinged = false;
      for (let i = 0; i < 5 && !pinged; i++) pinged = l.lab.nsExec(l.client.ns, 'ping', ['-6', '-c', '1', '-W', '1', '2001:db8::100'], { allowFail: true }).includes('1 received');
      assert.ok(pinged, 'client reaches the IPv6 VIP');
      l.kill(n1);
      await l.waitState(n2, 'MASTER', 15_000);
      await sleep(500);
      assert.ok(l.hasAddr(n2, '2001:db8::100'));
      assert.equal(
        await l.waitNeigh('2001:db8::100', l.mac(n2)),
        l.mac(n2),
        `unsolicited NA moved the client neighbour entry\n${l.lab.nsExec(l.client.ns, 'ip', ['-6', 'neigh'])}\n${n2.logs.map((x) => x.line).join('\n')}`,
      );
    } finally {
      l.cleanup();
    }
  });

  it('use_vmac: macvlan vrrp.51 with 00:00:5e:00:01:33 holds the VIP and answers ARP; removed on SIGTERM', { timeout: 40_000 }, async () => {
    await withLab('vmc', 2, async (l) => {
      const [n1, n2] = l.nodes;
      const conf = (prio: number) => vrrpConf({ prio, version: 3, advert: 0.2, extra: '  use_vmac\n' });
      l.startHactl(n1, conf(150));
      await l.waitState(n1, 'MASTER', 15_000);
      l.startHactl(n2, conf(100));
      await l.waitState(n2, 'BACKUP', 10_000);
      await sleep(300);
      const vm = l.lab.nsExec(n1.host.ns, 'ip', ['-o', 'addr', 'show', 'dev', 'vrrp.51']);
      assert.match(vm, /198\.51\.100\.100\/24/, 'VIP lives on the macvlan');
      assert.match(l.lab.nsExec(n1.host.ns, 'ip', ['-o', 'link', 'show', 'dev', 'vrrp.51']), /00:00:5e:00:01:33/);
      // keepalived: no IPv6 on an IPv4 vmac (its EUI-64 link-local would be the same on both routers)
      assert.match(l.lab.nsExec(n1.host.ns, 'ip', ['-d', '-o', 'link', 'show', 'dev', 'vrrp.51']), /addrgenmode none/);
      assert.equal(l.lab.nsExec(n1.host.ns, 'cat', ['/proc/sys/net/ipv6/conf/vrrp.51/disable_ipv6']).trim(), '1');
      assert.equal(l.lab.nsExec(n1.host.ns, 'ip', ['-6', '-o', 'addr', 'show', 'dev', 'vrrp.51']).trim(), '', 'no IPv6 address on the IPv4 vmac');
      assert.ok(l.ping(VIP));
      assert.equal(arpReply(l, VIP), '00:00:5e:00:01:33', 'the VIP answers ARP with the virtual MAC');
      assert.equal(await l.stop(n1), 0);
      await l.waitState(n2, 'MASTER', 6000);
      await sleep(300);
      assert.equal(l.lab.nsExec(n1.host.ns, 'ip', ['-o', 'link', 'show', 'dev', 'vrrp.51'], { allowFail: true }), '', 'macvlan removed');
      assert.match(l.lab.nsExec(n2.host.ns, 'ip', ['-o', 'addr', 'show', 'dev', 'vrrp.51']), /198\.51\.100\.100\/24/);
      assert.ok(l.ping(VIP), 'VIP reachable via the new master');
      assert.equal(arpReply(l, VIP), '00:00:5e:00:01:33', 'same virtual MAC after failover');
    });
  });

  it('use_vmac over IPv6: macvlan with 00:00:5e:00:02:33, our link-local on it (nodad, deprecated), adverts from the virtual MAC, NA moves the client', { timeout: 40_000 }, async () => {
    const l = new VrrpLab('vm6', 2, { v6: true });
    try {
      const [n1, n2] = l.nodes;
      await l.waitDad();
      const VIP6 = '2001:db8::100';
      const VMAC = '00:00:5e:00:02:33';
      // adverts with their Ethernet source
      const eth: { smac: string; src: string }[] = [];
      const td = l.lab.spawn(l.client.ns, 'tcpdump', ['-i', 'eth0', '-nn', '-e', '-l', 'ip6 proto 112']);
      td.stdout?.setEncoding('utf8');
      td.stdout?.on('data', (d: string) => {
        for (const m of d.matchAll(/^\S+ ([0-9a-f:]{17}) > \S+, ethertype IPv6 \(0x86dd\), length \d+: (\S+) > ff02::12: VRRPv3/gm)) eth.push({ smac: m[1], src: m[2] });
      });
      const conf = (prio: number) => vrrpConf({ prio, version: 3, advert: 0.2, vips: [`${VIP6}/64`], extra: '  use_vmac\n' });
      l.startHactl(n1, conf(150));
      await l.waitState(n1, 'MASTER', 15_000);
      l.startHactl(n2, conf(100));
      await l.waitState(n2, 'BACKUP', 10_000);
      await sleep(1000);
      const ll = [l.linkLocal(n1), l.linkLocal(n2)];
      for (const [i, n] of [n1, n2].entries()) {
        const link = l.lab.nsExec(n.host.ns, 'ip', ['-d', '-o', 'link', 'show', 'dev', 'vrrp.51']);
        assert.match(link, new RegExp(`link/ether ${VMAC}`), `${n.name}: IPv6 virtual MAC`);
        assert.match(link, /macvlan mode private/);
        assert.match(link, /addrgenmode none/, `${n.name}: no link-local generated from the virtual MAC`);
        const lla = l.lab.nsExec(n.host.ns, 'ip', ['-6', '-o', 'addr', 'show', 'dev', 'vrrp.51', 'scope', 'link']).trim().split('\n');
        assert.equal(lla.length, 1, `${n.name}: one link-local on the vmac: ${lla.join(' | ')}`);
        assert.match(lla[0], new RegExp(`inet6 ${ll[i]}/64 scope link nodad deprecated`), `${n.name}: the base link-local, nodad and deprecated (keepalived)`);
        assert.doesNotMatch(lla[0], /dadfailed|tentative/);
        assert.equal(l.lab.nsExec(n.host.ns, 'cat', ['/proc/sys/net/ipv4/conf/eth0/arp_ignore']).trim(), '0', 'IPv4 ARP sysctls untouched by an IPv6 instance');
      }
      assert.match(l.lab.nsExec(n1.host.ns, 'ip', ['-6', '-o', 'addr', 'show', 'dev', 'vrrp.51']), /2001:db8::100\/64/, 'VIP on the master vmac');
      assert.ok(!l.hasAddr(n2, VIP6), 'not on the backup');
      const s2 = (await l.status(n2))!.instances[0];
      assert.ok(s2.counters.rxAdverts >= 3, `the backup hears the master through its own virtual MAC: ${JSON.stringify(s2.counters)}`);
      assert.equal(s2.masterAddr, ll[0]);
      const from1 = eth.filter((a) => a.src === ll[0]);
      assert.ok(from1.length >= 3 && from1.every((a) => a.smac === VMAC), `adverts leave from the virtual MAC: ${JSON.stringify(eth.slice(-3))}`);
      assert.ok(!eth.some((a) => a.src === ll[1]), 'the backup is silent');
      let pinged = false;
      for (let i = 0; i < 5 && !pinged; i++) pinged = l.lab.nsExec(l.client.ns, 'ping', ['-6', '-c', '1', '-W', '1', VIP6], { allowFail: true }).includes('1 received');
      assert.ok(pinged, 'client reaches the IPv6 VIP');
      assert.equal(l.neighMac(VIP6), VMAC);
      assert.equal(await l.stop(n1), 0);
      await l.waitState(n2, 'MASTER', 6000);
      await sleep(500);
      assert.equal(l.lab.nsExec(n1.host.ns, 'ip', ['-o', 'link', 'show', 'dev', 'vrrp.51'], { allowFail: true }), '', 'macvlan removed');
      assert.match(l.lab.nsExec(n2.host.ns, 'ip', ['-6', '-o', 'addr', 'show', 'dev', 'vrrp.51']), /2001:db8::100\/64/);
      const from2 = eth.filter((a) => a.src === ll[1]);
      assert.ok(from2.length >= 1 && from2.every((a) => a.smac === VMAC), 'the new master advertises from the virtual MAC');
      pinged = false;
      for (let i = 0; i < 5 && !pinged; i++) pinged = l.lab.nsExec(l.client.ns, 'ping', ['-6', '-c', '1', '-W', '1', VIP6], { allowFail: true }).includes('1 received');
      assert.ok(pinged, 'VIP reachable via the new master');
      assert.equal(l.neighMac(VIP6), VMAC, 'same virtual MAC after failover');
    } finally {
      l.cleanup();
    }
  });

  it('hactl vrrp status (text and --json) and /metrics on a running daemon', { timeout: 30_000 }, async () => {
    await withLab('sts', 1, async (l) => {
      const [n1] = l.nodes;
      l.startHactl(n1, vrrpConf({ prio: 150, version: 3, advert: 0.2 }));
      await l.waitState(n1, 'MASTER', 15_000);
      const txt = hactl(['vrrp', 'status', '--control-socket', n1.sock]);
      assert.equal(txt.status, 0, txt.stderr);
      assert.match(txt.stdout, /VI_1\s+eth0\s+51\s+v3\s+MASTER\s+150\s+198\.51\.100\.1\/150/);
      const js = hactl(['vrrp', 'status', '--json', '--control-socket', n1.sock]);
      const j = JSON.parse(js.stdout);
      assert.equal(j.instances[0].state, 'MASTER');
      assert.ok(j.instances[0].counters.txAdverts >= 1);
      assert.match(j.instances[0].lastTransition.reason, /master down timer expired/);
      await l.stop(n1);
      // metrics: a second daemon with --metrics, queried from inside the namespace
      fs.writeFileSync(n1.conf, vrrpConf({ prio: 150, version: 3, advert: 0.2 }));
      const p = l.lab.spawn(n1.host.ns, process.execPath, [HACTL, 'vrrp', 'run', '-f', n1.conf, '--control-socket', n1.sock, '--pid-file', `${n1.sock}.pid`, '--metrics', '127.0.0.1:9650']);
      try {
        let body = '';
        const end = Date.now() + 8000;
        while (Date.now() < end && !/hactl_vrrp_state\{instance="VI_1"\} 2/.test(body)) {
          await sleep(300);
          body = l.lab.nsExec(
            n1.host.ns,
            process.execPath,
            ['-e', "require('http').get('http://127.0.0.1:9650/metrics',r=>{let b='';r.on('data',d=>b+=d);r.on('end',()=>process.stdout.write(b))}).on('error',()=>{})"],
            { allowFail: true },
          );
        }
        assert.match(body, /hactl_vrrp_state\{instance="VI_1"\} 2/);
        assert.match(body, /hactl_vrrp_adverts_sent_total\{instance="VI_1"\} \d+/);
      } finally {
        p.kill('SIGTERM');
      }
    });
  });

  it('refuses to start on configuration errors and prints them', { timeout: 20_000 }, async () => {
    await withLab('bad', 1, async (l) => {
      const [n1] = l.nodes;
      const p = l.startHactl(n1, 'vrrp_instance VI_1 {\n  interface eth0\n  priority 100\n  virtual_ipaddress {\n    198.51.100.100/24\n  }\n}\n');
      const code = await new Promise<number | null>((r) => p.once('exit', (c) => r(c)));
      assert.notEqual(code, 0);
      const text = n1.logs.map((x) => x.line).join('\n');
      assert.match(text, /virtual router id|virtual_router_id/);
      assert.match(text, /not starting/);
      assert.doesNotMatch(text, /at .*\.js:\d+/, 'no stack trace');
    });
  });
});
