import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig, memoryReader } from '../../src/lib/conf/index';
import { lvsSpecFromConfig } from '../../src/lib/lvs/from-config';
import { fromModel, instanceKey } from '../../src/lib/vrrp/config';
import { type PlanSide, planReload, renderPlan, type RuntimeView } from '../../src/lib/vrrp/plan';

/** Both halves' configuration from keepalived.conf text, through the conf engine (no files). */
function side(text: string): PlanSide {
  const f = '/etc/keepalived/keepalived.conf';
  const r = loadConfig(f, { reader: memoryReader({ [f]: text }), env: {} });
  const errs = r.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errs, [], 'test config must load');
  const m = fromModel(r.model, { userExists: () => true, groupExists: () => true });
  assert.deepEqual(m.problems, []);
  return { vrrp: m.config, lvs: lvsSpecFromConfig(r.model).spec };
}

const conf = (o: { prio?: number; vrid?: number; vips?: string[]; weight?: number; rs?: string[]; script?: string; track?: string } = {}) => `
global_defs { router_id lb1 }
${o.script ?? ''}
vrrp_instance VI_1 {
  state MASTER
  interface eth0
  virtual_router_id ${o.vrid ?? 51}
  priority ${o.prio ?? 150}
  advert_int 1
  virtual_ipaddress {
${(o.vips ?? ['192.0.2.10/24', '192.0.2.11/24']).map((v) => `    ${v}`).join('\n')}
  }
${o.track ?? ''}
}
virtual_server 192.0.2.10 80 {
  delay_loop 5
  lb_algo wrr
  lb_kind NAT
  protocol TCP
${(o.rs ?? ['198.51.100.1', '198.51.100.2'])
  .map(
    (a, n) => `  real_server ${a} 80 {
    weight ${n === 0 ? (o.weight ?? 1) : 1}
    TCP_CHECK { connect_timeout 3 }
  }`,
  )
  .join('\n')}
}
`;

/** The daemon as MASTER (or `state`) at its configured priority, every link up. */
function runtime(s: PlanSide, state: 'MASTER' | 'BACKUP' = 'MASTER', masterPriority: number | null = null, scripts: Record<string, boolean> = {}): RuntimeView {
  const instances: RuntimeView['instances'] = {};
  for (const i of s.vrrp.instances)
    instances[instanceKey(i)] = { state, effectivePriority: i.priority, masterPriority: state === 'MASTER' ? i.priority : masterPriority, fault: null };
  return { instances, internal: [], links: { eth0: true }, scripts, files: {}, processes: {} };
}

describe('reload plan (pure: running and new configuration, runtime view)', () => {
  it('nothing changed: no change, not disruptive', () => {
    const a = side(conf());
    const p = planReload(a, side(conf()), runtime(a));
    assert.deepEqual(p.changes, []);
    assert.equal(p.disruptive, false);
    assert.match(renderPlan(p, 'ka.conf'), /^plan for ka.conf: no change\n/);
  });

  it('a VIP removed from a MASTER: that VIP goes (disruptive), the other is untouched, no priority 0', () => {
    const a = side(conf());
    const p = planReload(a, side(conf({ vips: ['192.0.2.10/24'] })), runtime(a));
    assert.equal(p.disruptive, true);
    const vip = p.changes.filter((c) => c.area === 'address');
    assert.deepEqual(
      vip.map((c) => [c.action, c.subject, c.disruptive]),
      [['remove', 'VIP 192.0.2.11/24', true]],
    );
    const inst = p.changes.find((c) => c.area === 'vrrp');
    assert.ok(inst);
    assert.equal(inst.givesUpVips, 'no');
    assert.equal(inst.sendsPriorityZero, 'no');
    // the adverts now carry one address: a backup on the old list drops them unless skip_check_adv_addr
    assert.match(inst.why ?? '', /address list \(2 -> 1\).*skip_check_adv_addr/);
    assert.deepEqual(p.changes.filter((c) => c.area === 'lvs' || c.area === 'checker'), []);
  });

  it('the same VIP removal as BACKUP is not disruptive locally only with skip_check_adv_addr', () => {
    const a = side(conf());
    const backup = planReload(a, side(conf({ vips: ['192.0.2.10/24'] })), runtime(a, 'BACKUP', 200));
    const vip = backup.changes.find((c) => c.area === 'address');
    assert.equal(vip?.disruptive, false, 'a BACKUP holds no VIPs');
    assert.equal(backup.disruptive, true, 'it would drop the master adverts (addr-mismatch)');
    const skip = side(conf({ vips: ['192.0.2.10/24'] }).replace('advert_int 1', 'advert_int 1\n  skip_check_adv_addr'));
    const b = planReload(a, skip, runtime(a, 'BACKUP', 200));
    assert.equal(b.disruptive, false, JSON.stringify(b.changes));
  });

  it('only a real server weight changed: one reweight, nothing disruptive', () => {
    const a = side(conf());
    const p = planReload(a, side(conf({ weight: 5 })), runtime(a));
    assert.deepEqual(
      p.changes.map((c) => [c.area, c.action, c.subject, c.detail, c.disruptive]),
      [['lvs', 'reweight', 'real_server 198.51.100.1:80', 'in [192.0.2.10]:tcp:80: weight 1 -> 5', false]],
    );
    assert.equal(p.disruptive, false);
    // --vrrp-only: listed, not applied
    const v = planReload(a, side(conf({ weight: 5 })), runtime(a), { lvsManaged: false });
    assert.equal(v.changes[0].applied, false);
    assert.match(v.notes.join('\n'), /--vrrp-only/);
  });

  it('a real server removed is disruptive (its connections break)', () => {
    const a = side(conf());
    const p = planReload(a, side(conf({ rs: ['198.51.100.1'] })), runtime(a));
    assert.deepEqual(
      p.changes.map((c) => [c.action, c.subject, c.disruptive]),
      [['remove', 'real_server 198.51.100.2:80', true]],
    );
  });

  it("an instance's priority lowered on a MASTER: one advert at the new priority, may hand over; raised: not disruptive", () => {
    const a = side(conf());
    const down = planReload(a, side(conf({ prio: 120 })), runtime(a));
    const c = down.changes[0];
    assert.equal(down.changes.length, 1);
    assert.match(c.detail, /changes: priority; effective priority 150 -> 120; sends one advert with it at once/);
    assert.equal(c.givesUpVips, 'maybe');
    assert.equal(c.sendsPriorityZero, 'no');
    assert.equal(down.disruptive, true);
    const up = planReload(a, side(conf({ prio: 200 })), runtime(a));
    assert.equal(up.disruptive, false, JSON.stringify(up.changes));
    // a BACKUP raised above its master preempts: the VIPs move here
    const b = planReload(a, side(conf({ prio: 200 })), runtime(a, 'BACKUP', 180));
    assert.equal(b.disruptive, true);
    assert.match(b.changes[0].why ?? '', /outranks the master \(180\)/);
    const b2 = planReload(a, side(conf({ prio: 170 })), runtime(a, 'BACKUP', 180));
    assert.equal(b2.disruptive, false);
  });

  it('a VRID changed: the instance is deleted (a MASTER sends priority 0, gives up its VIPs) and a new one starts', () => {
    const a = side(conf());
    const p = planReload(a, side(conf({ vrid: 52 })), runtime(a));
    assert.deepEqual(
      p.changes.map((c) => [c.action, c.subject, c.givesUpVips, c.sendsPriorityZero, c.disruptive]),
      [
        ['remove', 'vrrp_instance VI_1', 'yes', 'yes', true],
        ['add', 'vrrp_instance VI_1', 'no', 'no', false],
      ],
    );
    assert.match(p.changes[0].detail, /VRID 51 -> 52: the reload deletes the instance \(eth0\/4\/51\) and starts a new one \(eth0\/4\/52\)/);
    // as BACKUP the same change gives nothing up
    const b = planReload(a, side(conf({ vrid: 52 })), runtime(a, 'BACKUP', 200));
    assert.equal(b.disruptive, false);
    // without the runtime state: maybe
    const u = planReload(a, side(conf({ vrid: 52 })));
    assert.equal(u.changes[0].givesUpVips, 'maybe');
    assert.equal(u.disruptive, true);
  });

  it('a changed vrrp_script with init_fail restarts down: a MASTER tracking it with weight 0 goes FAULT (priority 0)', () => {
    const script = (extra: string) => `vrrp_script chk {\n  script "/bin/true"\n  interval 2\n  ${extra}\n}`;
    const a = side(conf({ script: script(''), track: '  track_script { chk }' }));
    const p = planReload(a, side(conf({ script: script('init_fail'), track: '  track_script { chk }' })), runtime(a, 'MASTER', null, { chk: true }));
    const inst = p.changes.find((c) => c.area === 'vrrp');
    assert.ok(inst, JSON.stringify(p.changes));
    assert.equal(inst.sendsPriorityZero, 'yes');
    assert.equal(inst.givesUpVips, 'yes');
    assert.match(inst.detail, /goes FAULT \(script chk down\)/);
    assert.deepEqual(
      p.changes.filter((c) => c.area === 'script').map((c) => [c.action, c.subject]),
      [['restart', 'vrrp_script chk']],
    );
    // an unchanged script keeps its state: nothing happens
    assert.deepEqual(planReload(a, side(conf({ script: script(''), track: '  track_script { chk }' })), runtime(a, 'MASTER', null, { chk: true })).changes, []);
  });

  it('a new track_interface whose link is down makes a MASTER FAULT; up: nothing disruptive', () => {
    const a = side(conf());
    const next = side(conf({ track: '  track_interface { eth1 }' }));
    const rt = runtime(a);
    rt.links.eth1 = false;
    assert.equal(planReload(a, next, rt).changes[0].sendsPriorityZero, 'yes');
    rt.links.eth1 = true;
    assert.equal(planReload(a, next, rt).disruptive, false);
  });
});
