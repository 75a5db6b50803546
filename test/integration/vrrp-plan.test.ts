/**
 * `hactl vrrp plan` and `hactl vrrp reload` against two hactl nodes in namespaces: the plan says
 * what the reload then does, and nothing else happens on the wire (capture on the client).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { describe, it } from 'node:test';
import type { ReloadPlan } from '../../src/lib/vrrp/plan';
import { hactl } from '../helpers/cli';
import { sleep, type VrrpLab, VrrpLab as Lab, vrrpConf, vrrpLabUnavailable } from './vrrp-lab';

const skip = vrrpLabUnavailable() ?? undefined;
const VIP_A = '198.51.100.100';
const VIP_B = '198.51.100.101';

async function withLab(tag: string, fn: (l: VrrpLab) => Promise<void>): Promise<void> {
  const l = new Lab(tag, 2);
  try {
    await fn(l);
  } finally {
    l.cleanup();
  }
}

const vs = (weight: number) => `
virtual_server 198.51.100.100 80 {
  delay_loop 5
  lb_algo wrr
  lb_kind DR
  protocol TCP
  real_server 198.51.100.20 80 {
    weight ${weight}
    TCP_CHECK {
      connect_timeout 1
    }
  }
}
`;

/** Every sample since `since` had the VIP on exactly `node` (no gap, no second holder). */
function heldThroughout(w: ReturnType<VrrpLab['watchVip']>, node: string, since: number): void {
  const s = w.samples.filter((x) => x.t >= since);
  assert.ok(s.length >= 10, `only ${s.length} samples`);
  const bad = s.filter((x) => x.holders.length !== 1 || x.holders[0] !== node);
  assert.deepEqual(bad, [], `${w.vip} not on ${node} alone throughout`);
}

describe('vrrp plan / reload: hactl nodes', { skip, timeout: 120_000 }, () => {
  it('a plan that removes one of two VIPs says so (exit 2); the reload removes exactly that VIP: no priority 0, no gap for the other', { timeout: 50_000 }, async () => {
    await withLab('pln', async (l) => {
      const [n1, n2] = l.nodes;
      const vips = [`${VIP_A}/24`, `${VIP_B}/24`];
      const cap = l.startCapture();
      await sleep(200);
      l.startHactl(n1, vrrpConf({ prio: 150, state: 'MASTER', vips }));
      // the backup does not check its master's address list: the master alone can be reloaded
      l.startHactl(n2, vrrpConf({ prio: 100, vips, extra: '  skip_check_adv_addr\n' }));
      await l.waitState(n1, 'MASTER', 15_000);
      await l.waitState(n2, 'BACKUP', 10_000);
      const watchA = l.watchVip(VIP_A);
      await sleep(600);
      assert.ok(l.hasAddr(n1, VIP_A) && l.hasAddr(n1, VIP_B));

      const next = vrrpConf({ prio: 150, state: 'MASTER', vips: [`${VIP_A}/24`] });
      const newFile = `${l.dir}/n1.new.conf`;
      fs.writeFileSync(newFile, next);
      const plan = hactl(['vrrp', 'plan', '-f', newFile, '--control-socket', n1.sock, '--json']);
      assert.equal(plan.status, 2, plan.stdout + plan.stderr);
      const p = JSON.parse(plan.stdout) as ReloadPlan;
      assert.deepEqual(
        p.changes.filter((c) => c.area === 'address').map((c) => [c.action, c.subject, c.disruptive]),
        [['remove', `VIP ${VIP_B}/24 dev eth0`, true]],
      );
      const inst = p.changes.find((c) => c.area === 'vrrp');
      assert.equal(inst?.state, 'MASTER');
      assert.equal(inst?.givesUpVips, 'no');
      assert.equal(inst?.sendsPriorityZero, 'no');
      const text = hactl(['vrrp', 'plan', '-f', newFile, '--control-socket', n1.sock]);
      assert.equal(text.status, 2);
      assert.match(text.stdout, new RegExp(`! - VIP ${VIP_B.replace(/\./g, '\\.')}/24 dev eth0 \\(VI_1, MASTER\\): removed now`));

      // --if-plan-is-safe refuses it and changes nothing
      fs.writeFileSync(n1.conf, next);
      const safe = hactl(['vrrp', 'reload', '--if-plan-is-safe', '--control-socket', n1.sock]);
      assert.equal(safe.status, 2, safe.stdout + safe.stderr);
      assert.match(safe.stderr, /reload refused: the plan has \d+ disruptive change/);
      await sleep(300);
      assert.ok(l.hasAddr(n1, VIP_B), 'refused: VIP B still there');

      const t0 = Date.now();
      const before = (await l.status(n1))?.instances[0];
      const r = hactl(['vrrp', 'reload', '--control-socket', n1.sock]);
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /reloaded .*changed \[VI_1\]/);
      await sleep(2500);
      assert.ok(l.hasAddr(n1, VIP_A), 'VIP A stays');
      assert.ok(!l.hasAddr(n1, VIP_B), 'VIP B removed');
      assert.ok(!l.hasAddr(n2, VIP_A) && !l.hasAddr(n2, VIP_B), 'the backup took nothing');
      const after = (await l.status(n1))?.instances[0];
      assert.equal(after?.state, 'MASTER');
      assert.equal(after?.counters.becameMaster, before?.counters.becameMaster, 'no transition');
      assert.equal(after?.counters.txPriorityZero, 0);
      assert.equal(await l.state(n2), 'BACKUP');
      const adv = cap.adverts.filter((a) => a.vrid === 51 && a.t >= t0);
      assert.deepEqual(
        adv.filter((a) => a.prio === 0),
        [],
        'no priority-0 advert',
      );
      assert.ok(adv.every((a) => a.src === n1.addr && a.prio === 150), 'only the master advertises');
      const gaps = adv.slice(1).map((a, k) => a.t - adv[k].t);
      assert.ok(Math.max(...gaps) < 1500, `advert gap ${Math.max(...gaps)} ms`);
      heldThroughout(watchA, 'n1', t0);
      const st = JSON.parse(hactl(['vrrp', 'status', '--json', '--control-socket', n1.sock]).stdout);
      assert.equal(st.lastReload.result, 'ok');
      assert.equal(st.lastReload.source, 'control');
    });
  });

  it('a plan with only a real server weight change exits 0 and the reload makes no VRRP transition; a broken file leaves the old configuration running', { timeout: 50_000 }, async () => {
    await withLab('plw', async (l) => {
      const [n1, n2] = l.nodes;
      const cap = l.startCapture();
      await sleep(200);
      // no IPVS in this kernel: VRRP only (the plan is pure; it lists what the LVS half would do)
      const conf1 = vrrpConf({ prio: 150, state: 'MASTER' }) + vs(1);
      l.startHactl(n1, conf1, { args: ['--vrrp-only'] });
      l.startHactl(n2, vrrpConf({ prio: 100 }) + vs(1), { args: ['--vrrp-only'] });
      await l.waitState(n1, 'MASTER', 15_000);
      await l.waitState(n2, 'BACKUP', 10_000);
      const watch = l.watchVip(VIP_A);
      await sleep(600);

      const conf2 = vrrpConf({ prio: 150, state: 'MASTER' }) + vs(7);
      fs.writeFileSync(n1.conf, conf2);
      const plan = hactl(['vrrp', 'plan', '-f', n1.conf, '--control-socket', n1.sock, '--json']);
      assert.equal(plan.status, 0, plan.stdout + plan.stderr);
      const p = JSON.parse(plan.stdout) as ReloadPlan;
      assert.deepEqual(
        p.changes.map((c) => [c.area, c.action, c.subject, c.detail]),
        [['lvs', 'reweight', 'real_server 198.51.100.20:80', 'in [198.51.100.100]:tcp:80: weight 1 -> 7']],
      );
      const t0 = Date.now();
      const before = (await l.status(n1))?.instances[0];
      const r = hactl(['vrrp', 'reload', '--if-plan-is-safe', '--control-socket', n1.sock]);
      assert.equal(r.status, 0, r.stdout + r.stderr);
      await sleep(2500);
      const after = (await l.status(n1))?.instances[0];
      assert.equal(after?.state, 'MASTER');
      assert.deepEqual(after?.lastTransition?.reason, before?.lastTransition?.reason);
      assert.equal(after?.counters.becameMaster, before?.counters.becameMaster, 'no transition');
      assert.equal(await l.state(n2), 'BACKUP');
      const adv = cap.adverts.filter((a) => a.vrid === 51 && a.t >= t0);
      assert.ok(adv.length >= 2 && adv.every((a) => a.src === n1.addr && a.prio === 150), 'the master advertises on, at 150');
      heldThroughout(watch, 'n1', t0);

      // a broken file: SIGHUP (as before) and `vrrp reload` both keep the running configuration
      const broken = conf2.replace('virtual_router_id 51', 'virtual_router_id 300').replace(`${VIP_A}/24`, '198.51.100.102/24');
      fs.writeFileSync(n1.conf, broken);
      const bp = hactl(['vrrp', 'plan', '-f', n1.conf, '--control-socket', n1.sock]);
      assert.equal(bp.status, 1, bp.stdout + bp.stderr);
      assert.match(bp.stderr, /n1\.conf:\d+:\d+: error: virtual_router_id: number '300' outside range/);
      n1.proc?.kill('SIGHUP');
      await sleep(800);
      let st = JSON.parse(hactl(['vrrp', 'status', '--json', '--control-socket', n1.sock]).stdout);
      assert.equal(st.lastReload.source, 'SIGHUP');
      assert.equal(st.lastReload.result, 'refused');
      assert.match(st.lastReload.errors.join('\n'), /n1\.conf:\d+:\d+: error: virtual_router_id/);
      const rr = hactl(['vrrp', 'reload', '--control-socket', n1.sock]);
      assert.equal(rr.status, 1, rr.stdout + rr.stderr);
      assert.match(rr.stderr, /n1\.conf:\d+:\d+: error: virtual_router_id/);
      assert.match(rr.stderr, /reload refused: .*configuration error\(s\); the running configuration is kept/);
      st = JSON.parse(hactl(['vrrp', 'status', '--json', '--control-socket', n1.sock]).stdout);
      assert.equal(st.lastReload.source, 'control');
      assert.equal(st.lastReload.result, 'refused');
      assert.equal(st.instances[0].vrid, 51);
      assert.equal(st.instances[0].state, 'MASTER');
      const text = hactl(['vrrp', 'status', '--control-socket', n1.sock]).stdout;
      assert.match(text, /last reload: .* \(control, .*n1\.conf\): REFUSED: .*configuration error/);
      assert.ok(l.hasAddr(n1, VIP_A) && !l.hasAddr(n1, '198.51.100.102'), 'the old VIP stays');
      heldThroughout(watch, 'n1', t0);
    });
  });
});
