import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BgpAnnouncer } from '../../src/lib/bgp/announcer';
import type { VrrpHolder, VsQuorum } from '../../src/lib/bgp/decide';
import { parseSettings } from '../../src/lib/bgp/settings';
import { holdersOf, quorumOf } from '../../src/lib/vrrp/bgp-hook';
import type { LvsStatus } from '../../src/lib/lvs/reconciler';
import type { RouteSpec } from '../../src/lib/net/rtnl';

const S = parseSettings('mode master-only\nvip 203.0.113.10 med 7\nvip 203.0.113.20\n', 'bgp.conf');

function world(left: string[] = []) {
  const kernel = new Set(left);
  const events: string[] = [];
  let state = 'BACKUP';
  let plan: RouteSpec[] = [];
  let failAdd = false;
  const a = new BgpAnnouncer(S, {
    add: async (v) => {
      if (failAdd) throw new Error('EPERM');
      if (!kernel.has(v.vip)) events.push(`add ${v.vip} (watchdog has ${plan.map((r) => r.dst).join(',')})`);
      kernel.add(v.vip);
    },
    del: async (vip) => {
      kernel.delete(vip);
      events.push(`del ${vip}`);
    },
    list: async () => [...kernel],
    holders: (vip): VrrpHolder[] => (vip === '203.0.113.10' ? [{ instance: 'VI_1', state }] : []),
    quorum: (): VsQuorum[] | 'unchecked' => 'unchecked',
    watchdog: (r) => {
      plan = r;
    },
    log: (_l, m) => events.push(`log ${m}`),
  });
  return {
    a,
    kernel,
    events,
    plan: () => plan,
    set: (s: string) => {
      state = s;
    },
    failAdd: (f: boolean) => {
      failAdd = f;
    },
  };
}

describe('bgp announcer (vrrp run --bgp)', () => {
  it('master-only: announces on MASTER, withdraws on BACKUP; the watchdog knows the route before it exists', async () => {
    const w = world(['203.0.113.20']); // left by a killed earlier run
    await w.a.start();
    assert.deepEqual([...w.kernel], []);
    w.set('MASTER');
    w.a.evaluate();
    await w.a.idle();
    assert.deepEqual([...w.kernel], ['203.0.113.10']);
    assert.deepEqual(w.plan(), [{ dst: '203.0.113.10/32', table: 100, protocol: 249, type: 'blackhole', metric: 7 }]);
    w.set('FAULT');
    w.a.evaluate();
    await w.a.idle();
    assert.deepEqual([...w.kernel], []);
    assert.deepEqual(w.plan(), []);
    assert.deepEqual(
      w.events.filter((e) => !e.startsWith('log')),
      ['del 203.0.113.20', 'add 203.0.113.10 (watchdog has 203.0.113.10/32)', 'del 203.0.113.10'],
    );
    assert.ok(w.events.includes('log bgp: 203.0.113.10 announce: quorum not checked (--vrrp-only), VI_1 is MASTER'), w.events.join('\n'));
    assert.ok(w.events.includes('log bgp: 203.0.113.20 withdraw: mode master-only but no vrrp_instance holds 203.0.113.20'));
    assert.deepEqual(
      w.a.status().map((s) => [s.vip, s.announced, s.reason]),
      [
        ['203.0.113.10', false, 'mode master-only: VI_1 is FAULT'],
        ['203.0.113.20', false, 'mode master-only but no vrrp_instance holds 203.0.113.20'],
      ],
    );
  });

  it('a failed add is reported once, visible in status, and retried at the next change', async () => {
    const w = world();
    await w.a.start();
    w.failAdd(true);
    w.set('MASTER');
    w.a.evaluate();
    w.a.evaluate();
    await w.a.idle();
    assert.equal(w.events.filter((e) => e === 'log bgp: announce 203.0.113.10 failed: EPERM').length, 1);
    assert.equal(w.a.status()[0].error, 'bgp: announce 203.0.113.10 failed: EPERM');
    w.failAdd(false);
    w.a.evaluate();
    await w.a.idle();
    assert.deepEqual([...w.kernel], ['203.0.113.10']);
    assert.equal(w.a.status()[0].error, null);
  });

  it('stop withdraws everything and empties the watchdog plan', async () => {
    const w = world();
    await w.a.start();
    w.set('MASTER');
    w.a.evaluate();
    await w.a.stop();
    assert.deepEqual([...w.kernel], []);
    assert.deepEqual(w.plan(), []);
    w.a.evaluate(); // after stop: nothing happens
    await w.a.idle();
    assert.deepEqual([...w.kernel], []);
  });

  it('maps the LVS half status and VRRP instances to a VIP', () => {
    const st = {
      virtualServers: [
        { id: '[203.0.113.10]:tcp:80', quorumUp: true, sorryServer: { addr: '192.0.2.9', port: 80, active: false } },
        { id: '[203.0.113.10]:tcp:443', quorumUp: false },
        { id: '[203.0.113.11]:tcp:80', quorumUp: true },
        { id: 'FWM 5', quorumUp: true },
      ],
    } as unknown as LvsStatus;
    assert.deepEqual(quorumOf(st, '203.0.113.10'), [
      { id: '[203.0.113.10]:tcp:80', quorumUp: true, sorryAlive: false },
      { id: '[203.0.113.10]:tcp:443', quorumUp: false, sorryAlive: false },
    ]);
    assert.deepEqual(quorumOf(undefined, '203.0.113.10'), [{ id: 'LVS half', quorumUp: undefined }]);
    assert.deepEqual(
      holdersOf(
        [
          { name: 'VI_1', state: 'MASTER', vips: ['203.0.113.10/24'] },
          { name: 'VI_2', state: 'BACKUP', vips: ['203.0.113.100/24'] },
        ],
        '203.0.113.10',
      ),
      [{ instance: 'VI_1', state: 'MASTER' }],
    );
  });
});
