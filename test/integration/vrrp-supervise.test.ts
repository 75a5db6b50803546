/**
 * The daemon supervisor in namespace labs (src/lib/daemon):
 * - a dead LVS half (no IPVS: the host kernel has none) stops the daemon, exit 1, without
 *   holding the VIP (keepalived: "exited with permanent error FATAL. Terminating");
 * - a crashed LVS half (HACTL_TEST_FAKE_IPVS=1 lets it run here; the test SIGKILLs it) is
 *   restarted with back-off, and meanwhile the node is FAULT, the peer is MASTER, and
 *   `vrrp status` / /metrics say DEGRADED (status exits 3);
 * - SIGKILL of the hactl master: its watchdog sends priority 0 and removes the VIP at once, so
 *   the backup takes over after Skew_Time, not Master_Down_Interval.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { describe, it } from 'node:test';
import { masterDownIntervalMs, skewTimeMs } from '../../src/lib/vrrp/fsm';
import { hactl } from '../helpers/cli';
import { assertNoSplitBrain, childPids, keepalivedUnavailable, sleep, VrrpLab, vrrpConf, vrrpLabUnavailable } from './vrrp-lab';

const skip = vrrpLabUnavailable() ?? undefined;
const VIP = '198.51.100.100';

const VS = `virtual_server ${VIP} 80 {
  protocol TCP
  lb_algo rr
  lb_kind NAT
  delay_loop 1
  real_server 198.51.100.50 80 {
  }
}
`;

async function until(f: () => boolean | Promise<boolean>, ms: number, step = 25): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await f()) return true;
    await sleep(step);
  }
  return f();
}

function logText(l: VrrpLab, i: number): string {
  return l.nodes[i].logs
    .map((x) => (x.json ? `${x.json.level} ${x.json.msg}` : x.line))
    .slice(-30)
    .join('\n');
}

function rssKiB(pid: number): number {
  const m = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
  return m ? Number(m[1]) : -1;
}

describe('vrrp run: supervisor (namespace labs)', { skip }, () => {
  it('the LVS half cannot run (no IPVS): the daemon stops, exit 1, never holding the VIP; nothing left answering', { timeout: 60_000 }, async (t) => {
    if (fs.existsSync('/proc/net/ip_vs')) {
      t.skip('this kernel has IPVS: the LVS half would run');
      return;
    }
    const l = new VrrpLab('sdh', 1);
    try {
      const [n1] = l.nodes;
      const cap = l.startCapture();
      await sleep(300);
      // address owner: MASTER at once, so a daemon that runs on without its LVS half holds the VIP
      const p = l.startHactl(n1, vrrpConf({ prio: 255, state: 'MASTER', vips: [`${VIP}/24`] }) + VS);
      const code = await Promise.race([new Promise<number | null>((r) => p.once('exit', (c) => r(c))), sleep(20_000).then(() => 'running' as const)]);
      const log = logText(l, 0);
      assert.equal(code, 1, `daemon exit status (it should stop like keepalived):\n${log}`);
      assert.match(log, /exited with permanent error exit 1 \(FATAL\)/);
      assert.match(log, /IPVS/);
      assert.ok(!l.hasAddr(n1, VIP), 'no VIP left behind');
      await sleep(300);
      const ads = cap.from(n1.addr);
      // an owner that got to MASTER first must have given it up with priority 0
      if (ads.some((a) => a.prio > 0)) assert.equal(ads.at(-1)?.prio, 0, `last advert ${JSON.stringify(ads.at(-1))}`);
      const st = hactl(['vrrp', 'status', '--control-socket', n1.sock]);
      assert.notEqual(st.status, 0, 'status must not exit 0 when no daemon runs');
    } finally {
      l.cleanup();
    }
  });

  it('a crashed LVS half is restarted with back-off; meanwhile FAULT (the peer is MASTER) and status/metrics say DEGRADED (exit 3)', { timeout: 90_000 }, async () => {
    const l = new VrrpLab('srs', 2);
    try {
      const [n1, n2] = l.nodes;
      const port = 19650 + (process.pid % 100);
      l.startCapture();
      const watch = l.watchVip(VIP);
      l.startHactl(n1, vrrpConf({ prio: 150, version: 3, advert: 0.2, vips: [`${VIP}/24`] }) + VS, {
        env: { HACTL_TEST_FAKE_IPVS: '1' },
        args: ['--metrics', `127.0.0.1:${port}`],
      });
      l.startHactl(n2, vrrpConf({ prio: 100, version: 3, advert: 0.2, vips: [`${VIP}/24`] }));
      await l.waitState(n1, 'MASTER', 15_000);
      await l.waitState(n2, 'BACKUP', 10_000);
      // one holder of the VIP from here on (FAULT, takeover, preemption) but for one advert interval
      const converged = Date.now();
      const half = async () => (await l.status(n1))?.halves?.[0];
      assert.ok(await until(async () => (await half())?.state === 'up', 10_000), `LVS half up: ${JSON.stringify(await half())}`);
      let st = hactl(['vrrp', 'status', '--control-socket', n1.sock]);
      assert.equal(st.status, 0, st.stdout + st.stderr);
      assert.match(st.stdout, /LVS half: up \(pid \d+, 0 restart/);
      const metrics = () => l.lab.nsExec(n1.host.ns, process.execPath, ['-e', `fetch('http://127.0.0.1:${port}/metrics').then(r=>r.text()).then(t=>process.stdout.write(t))`]);

      // crash 1: restarted at once (keepalived: the first quick death is not delayed)
      const pid1 = (await half())!.pid!;
      process.kill(pid1, 'SIGKILL');
      await l.waitState(n1, 'FAULT', 3000);
      await l.waitState(n2, 'MASTER', 3000);
      assert.ok(await until(async () => (await half())?.state === 'up' && (await half())?.pid !== pid1, 15_000), `restarted: ${JSON.stringify(await half())}`);
      // crashes 2 and 3 (quick again): restarts delayed by 1 s, then 2 s
      for (const n of [2, 3]) {
        const p = (await half())!.pid!;
        process.kill(p, 'SIGKILL');
        assert.ok(await until(async () => (await half())?.state === 'restarting', 3000), `crash ${n}: restarting`);
        assert.ok(await until(async () => (await half())?.state === 'up' && (await half())?.pid !== p, 15_000), `crash ${n}: restarted: ${JSON.stringify(await half())}`);
      }
      // crash 4: restart delayed by 4 s, a window wide enough for the three probes below (each a new
      // process) on a loaded machine; status and metrics say DEGRADED meanwhile
      const pid4 = (await half())!.pid!;
      process.kill(pid4, 'SIGKILL');
      assert.ok(await until(async () => (await half())?.state === 'restarting', 3000));
      const m = metrics();
      st = hactl(['vrrp', 'status', '--control-socket', n1.sock]);
      assert.equal(st.status, 3, `degraded: ${st.stdout}${st.stderr}`);
      assert.match(st.stdout, /LVS half: DOWN, restarting \(restart 4/);
      assert.match(st.stdout, /DEGRADED/);
      assert.match(st.stdout, /FAULT\(LVS half\)/);
      const js = hactl(['vrrp', 'status', '--json', '--control-socket', n1.sock]);
      assert.equal(js.status, 3);
      const j = JSON.parse(js.stdout);
      assert.equal(j.halves[0].state, 'restarting');
      assert.equal(j.halves[0].restarts, 4);
      assert.equal(j.halves[0].lastExit, 'signal SIGKILL');
      assert.match(m, /^hactl_daemon_half_up\{half="lvs"\} 0$/m);
      assert.match(m, /^hactl_daemon_half_restarts_total\{half="lvs"\} 4$/m);
      assert.match(m, /^hactl_daemon_degraded 1$/m);
      assert.equal(await l.state(n1), 'FAULT');
      assert.ok(!l.hasAddr(n1, VIP) && l.hasAddr(n2, VIP), 'the VIP is on the peer only');

      // back up: n1 leaves FAULT and preempts
      assert.ok(await until(async () => (await half())?.state === 'up', 15_000), JSON.stringify(await half()));
      await l.waitState(n1, 'MASTER', 10_000);
      await l.waitState(n2, 'BACKUP', 5000);
      st = hactl(['vrrp', 'status', '--control-socket', n1.sock]);
      assert.equal(st.status, 0, st.stdout);
      assert.match(metrics(), /^hactl_daemon_degraded 0$/m);
      // never MASTER while the half was down
      let down = false;
      for (const x of n1.logs) {
        const msg = String(x.json?.msg ?? '');
        if (/^LVS half is down/.test(msg)) down = true;
        if (/^LVS half is up/.test(msg)) down = false;
        assert.ok(!(down && /Entering MASTER/.test(msg)), `MASTER while the LVS half was down:\n${logText(l, 0)}`);
      }
      await sleep(300);
      assertNoSplitBrain(l, { intervalMs: 200, since: converged, watch });
      assert.equal(await l.stop(n1), 0, 'clean stop');
      assert.ok(await until(() => childPids(n1.proc!.pid!).length === 0, 5000), 'LVS child and watchdog gone');
    } finally {
      l.cleanup();
    }
  });

  it('SIGKILL of the hactl master: its watchdog sends priority 0 and removes the VIP; the backup takes over after Skew_Time; a restarted daemon is not fought', { timeout: 60_000 }, async () => {
    const l = new VrrpLab('skl', 2);
    try {
      const [n1, n2] = l.nodes;
      const cap = l.startCapture();
      const watch = l.watchVip(VIP);
      await sleep(300);
      const extra = '  virtual_routes {\n    203.0.113.0/24 dev eth0\n  }\n  virtual_rules {\n    from 203.0.113.7 table 100\n  }\n';
      l.startHactl(n1, vrrpConf({ prio: 150, vips: [`${VIP}/24`], extra }));
      l.startHactl(n2, vrrpConf({ prio: 100, vips: [`${VIP}/24`] }));
      await l.waitState(n1, 'MASTER', 15_000);
      await l.waitState(n2, 'BACKUP', 10_000);
      const converged = Date.now();
      await sleep(500);
      assert.ok(l.hasAddr(n1, VIP) && !l.hasAddr(n2, VIP));
      const route = () => l.lab.nsExec(n1.host.ns, 'ip', ['route', 'show', '203.0.113.0/24']).includes('203.0.113.0/24');
      const rule = () => l.lab.nsExec(n1.host.ns, 'ip', ['rule', 'show']).includes('from 203.0.113.7 lookup 100');
      assert.ok(route() && rule(), 'virtual_routes / virtual_rules installed');
      const wd = childPids(n1.proc!.pid!, 'hactl-watchdog');
      const rss = wd.length ? rssKiB(wd[0]) : -1;
      process.stderr.write(`# watchdog RSS ${rss} KiB (daemon ${rssKiB(n1.proc!.pid!)} KiB)\n`);

      l.killDaemonOnly(n1);
      const killedAt = Date.now();
      const gone = await until(() => !l.hasAddr(n1, VIP), 2000, 10);
      const goneMs = Date.now() - killedAt;
      assert.ok(gone, 'the VIP left the dead node');
      await l.waitState(n2, 'MASTER', 10_000);
      await sleep(300);
      const zero = cap.adverts.find((a) => a.src === n1.addr && a.prio === 0 && a.t >= killedAt - 20);
      assert.ok(zero, 'priority 0 from the dead master');
      const first2 = cap.firstAfter(n2.addr, zero.t)!;
      const took = first2.t - zero.t;
      const skew = skewTimeMs(2, 100, 100);
      const mdi = masterDownIntervalMs(2, 100, 100);
      process.stderr.write(`# SIGKILL: priority 0 ${(zero.t - killedAt).toFixed(0)} ms after the kill, VIP gone after <= ${goneMs} ms, takeover ${took.toFixed(1)} ms after it (Skew_Time ${skew}, MDI ${mdi})\n`);
      assert.ok(zero.t - killedAt < 1000, `priority 0 ${zero.t - killedAt} ms after the kill`);
      assert.ok(took < skew + 500, `takeover ${took.toFixed(0)} ms after priority 0 (Skew_Time ${skew} ms, Master_Down_Interval ${mdi} ms)`);
      const dual = cap.maxDualMaster(51, 1000, killedAt - 5000);
      assert.ok(dual <= 1000, `two masters for ${dual.toFixed(0)} ms`);
      assert.ok(l.hasAddr(n2, VIP) && !l.hasAddr(n1, VIP));
      assert.ok(!route() && !rule(), 'the watchdog removed the virtual route and rule');
      assert.equal(wd.length, 1, 'one watchdog');
      assert.ok(rss > 0 && rss < 4096, `watchdog RSS ${rss} KiB`);
      assert.ok(await until(() => !fs.existsSync(`/proc/${wd[0]}`), 2000), 'watchdog exited');

      // a restarted daemon preempts back and keeps its VIP (nothing is left to fight it)
      l.startHactl(n1, vrrpConf({ prio: 150, vips: [`${VIP}/24`] }));
      await l.waitState(n1, 'MASTER', 15_000);
      await l.waitState(n2, 'BACKUP', 10_000);
      await sleep(2500);
      assert.equal(await l.state(n1), 'MASTER');
      assert.ok(l.hasAddr(n1, VIP) && !l.hasAddr(n2, VIP));
      // the kill (priority 0 from the watchdog), the takeover and the preemption back: never two holders
      assertNoSplitBrain(l, { intervalMs: 1000, since: converged, watch });
      // a clean stop says bye: the watchdog does nothing more and goes
      const wd2 = childPids(n1.proc!.pid!, 'hactl-watchdog');
      assert.equal(wd2.length, 1);
      assert.equal(await l.stop(n1), 0);
      assert.ok(await until(() => !fs.existsSync(`/proc/${wd2[0]}`) || /^State:\s+Z/m.test(fs.readFileSync(`/proc/${wd2[0]}/status`, 'utf8')), 3000), 'watchdog exited after bye');
      assert.doesNotMatch(logText(l, 0), /hactl-watchdog\[\d+\]: the VRRP daemon died/);
    } finally {
      l.cleanup();
    }
  });

  for (const vmac of [false, true])
    it(`SIGKILL of the hactl master over IPv6${vmac ? ' with use_vmac' : ''}: keepalived (backup) takes the priority-0 advert and takes over after Skew_Time`, { timeout: 60_000, skip: keepalivedUnavailable() ?? undefined }, async () => {
      const l = new VrrpLab(vmac ? 'sk6v' : 'sk6', 2, { v6: true });
      try {
        const [h, k] = l.nodes;
        await l.waitDad();
        const cap = l.startCapture();
        await sleep(300);
        const VIP6 = '2001:db8::100';
        const watch = l.watchVip(VIP6);
        const conf = (prio: number) => vrrpConf({ prio, version: 3, advert: 1, vips: [`${VIP6}/64`], extra: vmac ? '  use_vmac\n' : '' });
        l.startHactl(h, conf(150));
        await l.waitState(h, 'MASTER', 15_000);
        l.startKeepalived(k, conf(100));
        await l.waitState(k, 'BACKUP', 10_000);
        const converged = Date.now();
        await sleep(1500);
        assert.equal(await l.state(k), 'BACKUP');
        assert.ok(l.hasAddr(h, VIP6) && !l.hasAddr(k, VIP6));
        const hSrc = l.linkLocal(h);
        l.killDaemonOnly(h);
        const killedAt = Date.now();
        assert.ok(await until(() => !l.hasAddr(h, VIP6), 2000, 10), 'the VIP left the dead node');
        if (vmac) {
          // as the clean stop (and keepalived's VRRP child on its parent's death): the macvlan goes too
          const gone = await until(() => !l.lab.nsExec(h.host.ns, 'ip', ['-o', 'link', 'show']).includes('vrrp.51@'), 2000, 10);
          assert.ok(gone, `vrrp.51 left on the dead node: ${l.lab.nsExec(h.host.ns, 'ip', ['-o', 'link', 'show'])}`);
          const said = await until(() => /removed \d+ virtual address\(es\) and 1 vmac interface\(s\)/.test(logText(l, 0)), 2000, 20);
          assert.ok(said, `the watchdog's report: ${logText(l, 0)}`);
        }
        await l.waitState(k, 'MASTER', 10_000);
        await sleep(300);
        const zero = cap.adverts.find((a) => a.src === hSrc && a.prio === 0 && a.t >= killedAt - 20);
        assert.ok(zero, `priority 0 from ${hSrc}: ${JSON.stringify(cap.adverts.slice(-5))}`);
        const first = cap.firstAfter(l.linkLocal(k), zero.t);
        assert.ok(first, 'keepalived advertises');
        const took = first.t - zero.t;
        const skew = skewTimeMs(3, 100, 100);
        process.stderr.write(`# IPv6${vmac ? ' use_vmac' : ''} SIGKILL: keepalived took over ${took.toFixed(1)} ms after priority 0 (Skew_Time ${skew}, MDI ${masterDownIntervalMs(3, 100, 100)})\n`);
        assert.ok(took < skew + 500, `keepalived took over ${took.toFixed(0)} ms after priority 0`);
        const dual = cap.maxDualMaster(51, 1000, killedAt - 5000);
        assert.ok(dual <= 1000, `two masters for ${dual.toFixed(0)} ms`);
        assertNoSplitBrain(l, { intervalMs: 1000, since: converged, watch });
      } finally {
        l.cleanup();
      }
    });

  it('SIGKILL of a no_accept master: the watchdog also takes its VIP out of the nftables vips set', { timeout: 40_000 }, async (t) => {
    const l = new VrrpLab('sna', 1);
    try {
      const [n1] = l.nodes;
      try {
        l.lab.nsExec(n1.host.ns, 'nft', ['list', 'tables']);
      } catch {
        t.skip('nft not usable');
        return;
      }
      l.startHactl(n1, vrrpConf({ prio: 150, version: 3, advert: 0.2, vips: [`${VIP}/24`], extra: '  no_accept\n' }));
      await l.waitState(n1, 'MASTER', 15_000);
      const set = () => l.lab.nsExec(n1.host.ns, 'nft', ['list', 'set', 'ip', 'keepalived', 'vips'], { allowFail: true });
      assert.ok(await until(() => set().includes(VIP), 3000), `VIP in the set: ${set()}`);
      l.killDaemonOnly(n1);
      assert.ok(await until(() => !set().includes(VIP), 2000, 10), `VIP still in the set: ${set()}`);
      assert.ok(!l.hasAddr(n1, VIP));
    } finally {
      l.cleanup();
    }
  });
});
