/**
 * A MASTER's advert timer after answering priority 0, as keepalived 2.2.7
 * does it (vrrp_dispatcher_read: the timer is restarted after a received
 * advert only when the instance is not MASTER or lower_prio_no_advert is
 * off). Found by the differential lab test/integration/vrrp-lowprio.test.ts
 * (VI_ZERO_NOADV): keepalived kept its cadence, hactl restarted the timer.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type FsmParams, VrrpFsm } from '../../src/lib/vrrp/fsm';
import { advert, fsmParams } from './vrrp-fakes';

/** A MASTER whose last advert went out at `at` (interval 1 s). */
function masterAt(o: Partial<FsmParams>): { f: VrrpFsm; at: number } {
  const f = new VrrpFsm(fsmParams({ priority: 200, ...o }));
  f.start(0);
  const at = f.deadline()!;
  f.tick(at);
  assert.equal(f.state, 'MASTER');
  assert.equal(f.deadline(), at + 1000);
  return { f, at };
}

const sends = (acts: ReturnType<VrrpFsm['receive']>) => acts.filter((a) => a.kind === 'send').map((a) => (a.kind === 'send' ? a.priority : -1));

describe('vrrp FSM: MASTER receiving priority 0', () => {
  it('default: answers at once and restarts the advert timer from the answer', () => {
    const { f, at } = masterAt({});
    assert.deepEqual(sends(f.receive(advert(0), '192.0.2.2', at + 450)), [200]);
    assert.equal(f.deadline(), at + 450 + 1000);
    assert.equal(f.state, 'MASTER');
  });

  it('lower_prio_no_advert: still answers at once, but keeps the cadence (timer untouched)', () => {
    const { f, at } = masterAt({ lowerPrioNoAdvert: true });
    assert.deepEqual(sends(f.receive(advert(0), '192.0.2.2', at + 450)), [200]);
    assert.equal(f.deadline(), at + 1000, 'next advert one interval after the previous one, not after the answer');
    assert.equal(f.stats.txAdverts, 2);
    // the regular advert follows on time
    assert.deepEqual(sends(f.tick(at + 1000)), [200]);
    assert.equal(f.deadline(), at + 2000);
  });
});
