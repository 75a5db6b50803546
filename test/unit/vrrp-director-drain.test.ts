/** `hactl vrrp drain` / `undrain`, the pure parts: which instances, and when the hand-over is complete. */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DaemonStatus, InstanceStatus } from '../../src/lib/vrrp/daemon';
import { drainPending, pickInstances, undrainPending } from '../../src/lib/vrrp/director-drain';

const inst = (name: string, o: Partial<InstanceStatus> = {}): InstanceStatus =>
  ({ name, state: 'MASTER', masterAddr: null, vips: ['203.0.113.10/24'], drillHold: false, ...o }) as InstanceStatus;

describe('vrrp drain: which instances', () => {
  const s = { instances: [inst('VI_1'), inst('VI_2', { state: 'BACKUP', masterAddr: '192.0.2.2' }), inst('VI_3', { state: 'BACKUP', drillHold: true, masterAddr: '192.0.2.2' })] };
  it('--all: the MASTER instances; BACKUP ones skipped with why (a held one as already drained)', () => {
    const p = pickInstances(s, { names: [], all: true }, 'drain');
    assert.deepEqual(p.go, ['VI_1']);
    assert.deepEqual(p.skip.map((x) => `${x.instance}: ${x.why}`), ['VI_2: BACKUP, not MASTER: nothing to hand over', 'VI_3: already drained (held BACKUP)']);
  });
  it('named: unknown names reported; undrain picks the held ones only', () => {
    assert.deepEqual(pickInstances(s, { names: ['VI_1', 'NOPE'], all: false }, 'drain').unknown, ['NOPE']);
    const u = pickInstances(s, { names: [], all: true }, 'undrain');
    assert.deepEqual(u.go, ['VI_3']);
    assert.deepEqual(u.skip.map((x) => x.instance), ['VI_1', 'VI_2']);
  });
});

describe('vrrp drain: complete when', () => {
  it('the instance is BACKUP behind a peer it heard, and none of its VIPs is announced over BGP', () => {
    const bgp = (announced: boolean) => [{ vip: '203.0.113.10', mode: 'master-only', announced, reason: '', error: null }];
    const st = (o: Partial<InstanceStatus>, b = false): Pick<DaemonStatus, 'instances' | 'bgp'> => ({ instances: [inst('VI_1', o)], bgp: bgp(b) });
    assert.deepEqual(drainPending(st({}), ['VI_1']), [{ instance: 'VI_1', why: 'still MASTER' }]);
    assert.match(drainPending(st({ state: 'BACKUP' }), ['VI_1'])[0].why, /no other router's advert accepted yet/);
    assert.deepEqual(drainPending(st({ state: 'BACKUP', masterAddr: '192.0.2.2' }, true), ['VI_1']), [{ instance: 'VI_1', why: 'still announced over BGP: 203.0.113.10' }]);
    assert.deepEqual(drainPending(st({ state: 'BACKUP', masterAddr: '192.0.2.2' }), ['VI_1']), []);
    assert.deepEqual(drainPending({ instances: [inst('VI_1', { state: 'BACKUP', masterAddr: '192.0.2.2' })] }, ['VI_1']), [], 'no BGP: VRRP alone');
    assert.match(drainPending(st({}), ['GONE'])[0].why, /gone/);
  });
  it('undrain --wait: pending until MASTER again', () => {
    assert.deepEqual(undrainPending({ instances: [inst('VI_1')] }, ['VI_1']), []);
    assert.deepEqual(undrainPending({ instances: [inst('VI_1', { state: 'BACKUP', drillHold: true })] }, ['VI_1']), [{ instance: 'VI_1', why: 'BACKUP (still held)' }]);
  });
});
