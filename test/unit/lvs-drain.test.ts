/**
 * `hactl rs drain` in the LVS half: the target lookup and the wait decisions (pure, lvs/drain.ts),
 * and the reconciler keeping a drained real server at weight 0 through checker passes, weight
 * changes and reloads until it is undrained (in-memory IPVS, fake clock).
 */
import * as assert from 'node:assert/strict';
import { serviceTextId } from '../../src/lib/ipvs/ids';
import { describe, it } from 'node:test';
import { Fwd, IPPROTO_TCP } from '../../src/lib/ipvs/constants';
import { desiredTable } from '../../src/lib/lvs/desired';
import { findDrainTarget, waitStep } from '../../src/lib/lvs/drain';
import { lvsMetricsText } from '../../src/lib/lvs/metrics';
import { LvsState } from '../../src/lib/lvs/state';
import type { LvsSpec, ServiceKey } from '../../src/lib/lvs/types';
import { rig, rs, startAndCheck, svc, tick, vs } from './lvs-helpers';

const VIP = '192.0.2.10';
const K = svc(VIP, 80);
const key = (port = 80): ServiceKey => ({ af: 2, protocol: IPPROTO_TCP, addr: VIP, port, fwmark: 0 });
const spec = (...v: ReturnType<typeof vs>[]): LvsSpec => ({ virtualServers: v });

describe('lvs drain: target lookup', () => {
  const v = vs(VIP, 80, [rs('198.51.100.11', 8080, { weight: 3 }), rs('198.51.100.12', 80, { fwd: Fwd.DROUTE }), rs('198.51.100.13', 81), rs('198.51.100.13', 82)]);

  it('finds a NAT real server by its port, a DR one by the service port or its own, or by address alone', () => {
    assert.deepEqual(
      ((m) => (m.kind === 'found' ? [m.vsId, m.rsKey] : m))(findDrainTarget([v], { svc: key(), addr: '198.51.100.11', port: 8080 })),
      ['[192.0.2.10]:tcp:80', '198.51.100.11:8080'],
    );
    assert.equal(findDrainTarget([v], { svc: key(), addr: '198.51.100.12', port: 80 }).kind, 'found');
    assert.equal(findDrainTarget([v], { svc: key(), addr: '198.51.100.11', port: null }).kind, 'found');
  });

  it('an address twice needs its port; an unknown one is an error naming the real servers; another service is not managed', () => {
    const twice = findDrainTarget([v], { svc: key(), addr: '198.51.100.13', port: null });
    assert.equal(twice.kind, 'error');
    assert.match(twice.kind === 'error' ? (twice.hint ?? '') : '', /198\.51\.100\.13:81, 198\.51\.100\.13:82/);
    const none = findDrainTarget([v], { svc: key(), addr: '198.51.100.99', port: 80 });
    assert.equal(none.kind, 'error');
    assert.match(none.kind === 'error' ? none.message : '', /no real server 198\.51\.100\.99:80/);
    assert.equal(findDrainTarget([v], { svc: key(443), addr: '198.51.100.11', port: 8080 }).kind, 'not-managed');
  });
});

describe('lvs drain: waiting for the connections', () => {
  it('done at 0 active (inactive only with the option), timeout at the deadline, gone without the destination, changed on a new count', () => {
    assert.deepEqual(waitStep(undefined, { active: 0, inactive: 4 }, 0, 1000), { kind: 'done' });
    assert.deepEqual(waitStep(undefined, { active: 0, inactive: 4 }, 0, 1000, true), { kind: 'wait', changed: true });
    assert.deepEqual(waitStep({ active: 2, inactive: 0 }, { active: 2, inactive: 0 }, 500, 1000), { kind: 'wait', changed: false });
    assert.deepEqual(waitStep({ active: 2, inactive: 0 }, { active: 1, inactive: 1 }, 500, 1000), { kind: 'wait', changed: true });
    assert.deepEqual(waitStep({ active: 2, inactive: 0 }, { active: 1, inactive: 1 }, 1000, 1000), { kind: 'timeout' });
    assert.deepEqual(waitStep({ active: 2, inactive: 0 }, undefined, 10, 1000), { kind: 'gone' });
  });
});

describe('lvs drain: desired table', () => {
  it('a drained alive real server is wanted at weight 0, the others keep theirs; undrained it gets its weight back', () => {
    const st = new LvsState();
    st.init(spec(vs(VIP, 80, [rs('198.51.100.11', 80, { weight: 3 }), rs('198.51.100.12', 80, { weight: 2 })])));
    const w = () => Object.fromEntries([...desiredTable(st).get(serviceTextId(key()))!.dests.values()].map((d) => [d.addr, d.weight]));
    assert.equal(st.setDrained('[192.0.2.10]:tcp:80', '198.51.100.11:80', true), true);
    assert.deepEqual(w(), { '198.51.100.11': 0, '198.51.100.12': 2 });
    assert.equal(st.setDrained('[192.0.2.10]:tcp:80', '198.51.100.99|80', true), false);
    st.setDrained('[192.0.2.10]:tcp:80', '198.51.100.11:80', false);
    assert.deepEqual(w(), { '198.51.100.11': 3, '198.51.100.12': 2 });
  });
});

describe('lvs drain: reconciler', () => {
  const target = { svc: key(), addr: '198.51.100.11', port: 80 };

  it('holds the weight at 0 through checker passes and a misc_dynamic weight change, and gives the configured weight back', async () => {
    const r = rig();
    await startAndCheck(r, spec(vs(VIP, 80, [rs('198.51.100.11', 80, { weight: 3 }), rs('198.51.100.12', 80)])));
    assert.equal((await r.rec.setDrain(target, true)).kind, 'found');
    assert.deepEqual(r.ipvs.weights(K), { '198.51.100.11|80': 0, '198.51.100.12|80': 1 });
    await tick(r);
    await tick(r);
    r.checks.weight.set('198.51.100.11|80', 7);
    await tick(r);
    assert.deepEqual(r.ipvs.weights(K), { '198.51.100.11|80': 0, '198.51.100.12|80': 1 });
    // down and up again while drained: back in at 0
    r.checks.up.set('198.51.100.11|80', false);
    await tick(r);
    assert.deepEqual(r.ipvs.weights(K), { '198.51.100.12|80': 1 });
    r.checks.up.set('198.51.100.11|80', true);
    await tick(r);
    assert.deepEqual(r.ipvs.weights(K), { '198.51.100.11|80': 0, '198.51.100.12|80': 1 });
    const st = r.rec.status().virtualServers[0].realServers[0];
    assert.equal(st.drained, true);
    assert.equal(st.ipvsWeight, 0);
    const m = lvsMetricsText(r.rec.status());
    assert.match(m, /^# TYPE hactl_lvs_real_server_drained gauge$/m);
    assert.match(m, /^hactl_lvs_real_server_drained\{virtual_server="\[192\.0\.2\.10\]:tcp:80",real_server="198\.51\.100\.11:80"\} 1$/m);
    assert.match(m, /^hactl_lvs_real_server_drained\{virtual_server="\[192\.0\.2\.10\]:tcp:80",real_server="198\.51\.100\.12:80"\} 0$/m);
    r.checks.weight.delete('198.51.100.11|80');
    await r.rec.setDrain(target, false);
    assert.equal(r.ipvs.weights(K)['198.51.100.11|80'], 7);
    assert.equal(r.rec.status().virtualServers[0].realServers[0].drained, false);
  });

  it('a reload keeps the drain of a real server still configured, and forgets one removed and added back', async () => {
    const r = rig();
    const two = spec(vs(VIP, 80, [rs('198.51.100.11', 80, { weight: 3 }), rs('198.51.100.12', 80, { weight: 2 })]));
    await startAndCheck(r, two);
    await r.rec.setDrain(target, true);
    await r.rec.setDrain({ ...target, addr: '198.51.100.12' }, true);
    await r.rec.reload(spec(vs(VIP, 80, [rs('198.51.100.11', 80, { weight: 4 })])));
    await tick(r);
    assert.deepEqual(r.ipvs.weights(K), { '198.51.100.11|80': 0 });
    await r.rec.reload(two);
    await tick(r, 2000);
    assert.deepEqual(r.ipvs.weights(K), { '198.51.100.11|80': 0, '198.51.100.12|80': 2 });
  });

  it('refuses a real server the configuration does not have, and leaves IPVS alone', async () => {
    const r = rig();
    await startAndCheck(r, spec(vs(VIP, 80, [rs('198.51.100.11', 80)])));
    const n = r.ipvs.log.length;
    assert.equal((await r.rec.setDrain({ ...target, addr: '198.51.100.50' }, true)).kind, 'error');
    assert.equal((await r.rec.setDrain({ ...target, svc: key(81) }, true)).kind, 'not-managed');
    assert.equal(r.ipvs.log.length, n);
  });
});
