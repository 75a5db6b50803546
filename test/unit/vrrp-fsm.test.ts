import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type Action,
  effectivePriority,
  masterDownIntervalMs,
  skewTimeMs,
  SyncGroup,
  VrrpFsm,
} from '../../src/lib/vrrp/fsm';
import type { DecodedAdvert } from '../../src/lib/vrrp/packet';
import { advert, fsmParams } from './vrrp-fakes';

const P = fsmParams;
const adv = advert;

/** A fake monotonic clock driving the machine like the daemon does. */
class Clock {
  now = 0;
  log: Action[] = [];
  constructor(readonly fsm: VrrpFsm) {}
  /** Advance to `t`, firing every deadline on the way (at its exact time). */
  to(t: number): Action[] {
    const out: Action[] = [];
    for (;;) {
      const d = this.fsm.deadline();
      if (d === null || d > t) break;
      this.now = d;
      out.push(...this.fsm.tick(d));
    }
    this.now = t;
    this.log.push(...out);
    return out;
  }
  rx(a: DecodedAdvert, src: string): Action[] {
    const out = this.fsm.receive(a, src, this.now);
    this.log.push(...out);
    return out;
  }
}

const transitions = (acts: Action[]) => acts.filter((a) => a.kind === 'transition').map((a) => (a.kind === 'transition' ? a.to : ''));
const sends = (acts: Action[]) => acts.filter((a) => a.kind === 'send').map((a) => (a.kind === 'send' ? a.priority : -1));

describe('vrrp timers (RFC formulas)', () => {
  it('v2 Skew_Time = (256-prio)/256 s', () => {
    assert.equal(skewTimeMs(2, 100, 100), 609.375);
    assert.equal(masterDownIntervalMs(2, 100, 100), 3609.375);
    assert.equal(skewTimeMs(2, 255, 100), 3.906);
  });
  it('v3 Skew_Time = ((256-prio)*Master_Adver_Interval)/256 (centiseconds)', () => {
    assert.equal(skewTimeMs(3, 100, 100), 609.375);
    assert.equal(skewTimeMs(3, 100, 10), 60.937);
    assert.equal(masterDownIntervalMs(3, 100, 1), 30 + 6.093);
    assert.equal(masterDownIntervalMs(3, 254, 100), 3000 + 7.812);
  });
});

describe('vrrp fsm transitions (fake clock)', () => {
  it('INIT -> BACKUP on startup, BACKUP -> MASTER after Master_Down_Interval', () => {
    const f = new VrrpFsm(P());
    const c = new Clock(f);
    assert.deepEqual(transitions(f.start(0)), ['BACKUP']);
    assert.equal(f.deadline(), 3609.375);
    assert.deepEqual(c.to(3609), []);
    const acts = c.to(3610);
    assert.deepEqual(transitions(acts), ['MASTER']);
    assert.deepEqual(sends(acts), [100]);
    assert.equal(f.lastTransition?.reason, 'master down timer expired (none received)');
    assert.equal(f.lastTransition?.at, 3609.375);
  });
  it('priority 255 (address owner) goes straight to MASTER', () => {
    const f = new VrrpFsm(P({ priority: 255 }));
    const acts = f.start(0);
    assert.deepEqual(transitions(acts), ['MASTER']);
    assert.deepEqual(sends(acts), [255]);
  });
  it('MASTER advertises every Advertisement_Interval', () => {
    const f = new VrrpFsm(P({ priority: 255, intervalCs: 10 }));
    const c = new Clock(f);
    f.start(0);
    assert.deepEqual(sends(c.to(1000)), new Array(10).fill(255));
  });
  it('an advert resets the master down timer; v3 learns the master interval', () => {
    const f = new VrrpFsm(P());
    const c = new Clock(f);
    f.start(0);
    c.to(3000);
    c.rx(adv(150, { intervalCs: 50 }), '192.0.2.2');
    assert.equal(f.masterIntervalCs, 50);
    assert.equal(f.deadline(), 3000 + masterDownIntervalMs(3, 100, 50));
    assert.equal(f.masterAddr, '192.0.2.2');
    c.to(4800);
    assert.equal(f.state, 'BACKUP');
    c.to(5000);
    assert.equal(f.state, 'MASTER');
  });
  it('v2 does not learn the interval: a mismatch is dropped', () => {
    const f = new VrrpFsm(P({ version: 2 }));
    f.start(0);
    assert.deepEqual(f.receive(adv(150, { version: 2, intervalCs: 200, auth: { type: 'none' } }), '192.0.2.2', 10), []);
    assert.equal(f.stats.drops.interval, 1);
    assert.equal(f.stats.rxAdverts, 0);
  });
  it('BACKUP receiving priority 0 takes over after Skew_Time', () => {
    const f = new VrrpFsm(P());
    const c = new Clock(f);
    f.start(0);
    c.to(1000);
    c.rx(adv(150), '192.0.2.2');
    c.to(2000);
    c.rx(adv(0), '192.0.2.2');
    assert.equal(f.deadline(), 2000 + 609.375);
    assert.deepEqual(transitions(c.to(2610)), ['MASTER']);
  });
  it('MASTER receiving a higher priority goes BACKUP; lower priority is answered at once', () => {
    const f = new VrrpFsm(P({ priority: 255 }));
    const c = new Clock(f);
    f.start(0);
    const low = c.rx(adv(100), '192.0.2.9');
    assert.deepEqual(sends(low), [255]);
    assert.equal(f.state, 'MASTER');
    const g = new VrrpFsm(P({ priority: 100 }));
    const d = new Clock(g);
    g.start(0);
    d.to(4000);
    assert.equal(g.state, 'MASTER');
    assert.deepEqual(transitions(d.rx(adv(200), '192.0.2.2')), ['BACKUP']);
    assert.equal(g.deadline(), 4000 + masterDownIntervalMs(3, 100, 100));
  });
  it('MASTER receiving priority 0 sends an advert at once', () => {
    const f = new VrrpFsm(P({ priority: 255 }));
    f.start(0);
    assert.deepEqual(sends(f.receive(adv(0), '192.0.2.2', 50)), [255]);
    assert.equal(f.deadline(), 1050);
  });
  it('equal priorities: the higher primary address wins', () => {
    const lo = new VrrpFsm(P({ primaryAddr: '192.0.2.1' }));
    const hi = new VrrpFsm(P({ primaryAddr: '192.0.2.2' }));
    for (const f of [lo, hi]) {
      f.start(0);
      f.tick(4000);
      assert.equal(f.state, 'MASTER');
    }
    assert.deepEqual(transitions(lo.receive(adv(100), '192.0.2.2', 4001)), ['BACKUP']);
    assert.deepEqual(sends(hi.receive(adv(100), '192.0.2.1', 4001)), [100]);
    assert.equal(hi.state, 'MASTER');
  });
  it('preempt: a higher-priority BACKUP ignores a lower master and takes over', () => {
    const f = new VrrpFsm(P({ priority: 200 }));
    const c = new Clock(f);
    f.start(0);
    for (let t = 0; t < 3000; t += 1000) {
      c.to(t);
      c.rx(adv(100), '192.0.2.2');
    }
    c.to(masterDownIntervalMs(3, 200, 100) + 1);
    assert.equal(f.state, 'MASTER');
  });
  it('nopreempt: a higher-priority BACKUP stays BACKUP while the master advertises', () => {
    const f = new VrrpFsm(P({ priority: 200, preempt: false }));
    const c = new Clock(f);
    f.start(0);
    for (let t = 0; t < 20000; t += 1000) {
      c.to(t);
      c.rx(adv(100), '192.0.2.2');
    }
    assert.equal(f.state, 'BACKUP');
    c.to(30000);
    assert.equal(f.state, 'MASTER');
  });
  it('preempt_delay: waits the delay from the first lower-priority advert', () => {
    const f = new VrrpFsm(P({ priority: 200, preemptDelayMs: 5000 }));
    const c = new Clock(f);
    f.start(0);
    let becameAt = -1;
    for (let t = 1000; t < 20000; t += 1000) {
      c.to(t);
      if (f.state === 'MASTER' && becameAt < 0) becameAt = f.lastTransition!.at;
      if (f.state === 'BACKUP') c.rx(adv(100), '192.0.2.2');
    }
    // first lower advert at 1000, delay ends at 6000; last accepted advert at 5000 -> master down at 5000 + MDI
    assert.equal(becameAt, 5000 + masterDownIntervalMs(3, 200, 100));
  });
  it('drops adverts with another VRID, version or own source, and v2 auth mismatches', () => {
    const f = new VrrpFsm(P({ version: 2, auth: { type: 'pass', password: 's3cret' } }));
    f.start(0);
    const v2 = (o: Partial<DecodedAdvert>) => adv(150, { version: 2, auth: { type: 'pass', password: 's3cret' }, ...o });
    f.receive(v2({ vrid: 52 }), '192.0.2.2', 1);
    f.receive(v2({ version: 3 }), '192.0.2.2', 1);
    f.receive(v2({}), '192.0.2.1', 1);
    f.receive(v2({ auth: { type: 'pass', password: 'wrong' } }), '192.0.2.2', 1);
    f.receive(v2({ auth: { type: 'none' } }), '192.0.2.2', 1);
    assert.deepEqual(f.stats.drops, { vrid: 1, version: 1, own: 1, 'auth-mismatch': 1, 'auth-type': 1 });
    f.receive(v2({}), '192.0.2.2', 1);
    assert.equal(f.stats.rxAdverts, 1);
    assert.equal(f.masterAddr, '192.0.2.2');
  });
  it('drops an advert whose address list differs (keepalived 2.2.7: count, then each of ours present, any order)', () => {
    const f = new VrrpFsm(P({ addrs: ['192.0.2.100', '192.0.2.101'] }));
    f.start(0);
    f.receive(adv(150, { addrs: ['192.0.2.100'] }), '192.0.2.2', 1);
    f.receive(adv(150, { addrs: ['192.0.2.100', '192.0.2.200'] }), '192.0.2.2', 1);
    f.receive(adv(150, { addrs: ['192.0.2.100', '192.0.2.101', '192.0.2.102'] }), '192.0.2.2', 1);
    assert.equal(f.stats.addrMismatch, 3);
    assert.deepEqual(f.stats.drops, { 'addr-mismatch': 3 });
    assert.equal(f.masterAddr, null, 'none of them is followed');
    assert.match(f.checkDetail(adv(150, { addrs: ['192.0.2.100', '192.0.2.200'] }), '192.0.2.2')!.detail, /192\.0\.2\.101 not in the advert/);
    f.receive(adv(150, { addrs: ['192.0.2.101', '192.0.2.100'] }), '192.0.2.2', 1);
    assert.equal(f.masterAddr, '192.0.2.2', 'the same addresses in another order are fine');
  });
  it('a MASTER is not demoted by a higher-priority advert for other addresses', () => {
    const f = new VrrpFsm(P({ priority: 255 }));
    f.start(0);
    assert.equal(f.state, 'MASTER');
    assert.deepEqual(f.receive(adv(254, { addrs: ['192.0.2.200'] }), '192.0.2.2', 1), []);
    assert.equal(f.state, 'MASTER');
    const g = new VrrpFsm(P({ priority: 100, preempt: false }));
    g.start(0);
    g.tick(g.deadline()!);
    assert.equal(g.state, 'MASTER');
    g.receive(adv(200, { addrs: ['192.0.2.200'] }), '192.0.2.2', 5000);
    assert.equal(g.state, 'MASTER', 'not for another VIP list');
    g.receive(adv(200), '192.0.2.2', 5001);
    assert.equal(g.state, 'BACKUP', 'for ours');
  });
  it('skip_check_adv_addr: a BACKUP takes its master\'s adverts whatever they list, a new master\'s are checked', () => {
    const f = new VrrpFsm(P({ skipCheckAdvAddr: true }));
    f.start(0);
    f.receive(adv(150, { addrs: ['192.0.2.200'] }), '192.0.2.2', 1);
    assert.deepEqual(f.stats.drops, { 'addr-mismatch': 1 }, 'not yet its master');
    f.receive(adv(150), '192.0.2.2', 2);
    assert.equal(f.masterAddr, '192.0.2.2');
    f.receive(adv(150, { addrs: ['192.0.2.200'] }), '192.0.2.2', 3);
    assert.deepEqual(f.stats.drops, { 'addr-mismatch': 1 }, 'its master now: not checked');
    f.receive(adv(160, { addrs: ['192.0.2.200'] }), '192.0.2.3', 4);
    assert.deepEqual(f.stats.drops, { 'addr-mismatch': 2 }, 'another router: checked');
  });
  it('TTL / hop limit 255 for multicast instances only; unicast ones take any (keepalived)', () => {
    const m = new VrrpFsm(P());
    m.start(0);
    assert.equal(m.check(adv(150), '192.0.2.2', { ttl: 64, dst: '224.0.0.18' }), 'ttl');
    assert.equal(m.check(adv(150), '192.0.2.2', { ttl: 255, dst: '224.0.0.18' }), null);
    const u = new VrrpFsm(P({ unicast: true }));
    u.start(0);
    assert.equal(u.check(adv(150), '192.0.2.2', { ttl: 64, dst: '192.0.2.1' }), null);
    assert.equal(u.check(adv(150), '192.0.2.2', { ttl: 1, dst: '192.0.2.1' }), null);
  });
  it('a unicast advert to a multicast instance is dropped, and a multicast one to a unicast instance', () => {
    const m = new VrrpFsm(P({ priority: 255 }));
    m.start(0);
    assert.equal(m.check(adv(254), '192.0.2.2', { ttl: 255, dst: '192.0.2.1' }), 'dst-type');
    assert.deepEqual(m.receive(adv(254), '192.0.2.2', 1, { ttl: 255, dst: '192.0.2.1' }), []);
    assert.equal(m.state, 'MASTER');
    const u = new VrrpFsm(P({ unicast: true }));
    u.start(0);
    assert.equal(u.check(adv(150), '192.0.2.2', { ttl: 255, dst: '224.0.0.18' }), 'dst-type');
    const m6 = new VrrpFsm(P({ addrs: ['2001:db8::100'], primaryAddr: 'fe80::1' }));
    m6.start(0);
    assert.equal(m6.check(adv(150, { addrs: ['2001:DB8:0::100'] }), 'fe80::2', { ttl: 255, dst: 'ff02::12' }), null, 'IPv6 spellings compared as addresses');
    assert.equal(m6.check(adv(150, { addrs: ['2001:db8::100'] }), 'fe80::2', { ttl: 255, dst: '2001:db8::1' }), 'dst-type');
  });
  it('FAULT: a tracked object down leaves MASTER with a priority-0 advert; clearing returns to BACKUP', () => {
    const f = new VrrpFsm(P({ priority: 255 }));
    f.start(0);
    const a = f.setFault('eth1', 10);
    assert.deepEqual(sends(a), [0]);
    assert.deepEqual(transitions(a), ['FAULT']);
    assert.equal(f.deadline(), null);
    assert.deepEqual(f.receive(adv(100), '192.0.2.2', 20), []);
    assert.equal(f.state, 'FAULT');
    const g = new VrrpFsm(P());
    g.setFault('chk', 0);
    assert.deepEqual(transitions(g.start(0)), ['FAULT']);
    assert.deepEqual(transitions(g.setFault(null, 100)), ['BACKUP']);
    assert.equal(g.deadline(), 100 + masterDownIntervalMs(3, 100, 100));
  });
  it('priority changes while MASTER are advertised at once', () => {
    const f = new VrrpFsm(P({ priority: 255 }));
    f.start(0);
    assert.deepEqual(sends(f.setPriority(90, 5)), [90]);
    assert.equal(f.skewMs(), skewTimeMs(3, 90, 100));
  });
  it('shutdown: MASTER sends priority 0 and stops; BACKUP stops silently', () => {
    const f = new VrrpFsm(P({ priority: 255 }));
    f.start(0);
    const a = f.shutdown(100);
    assert.deepEqual(sends(a), [0]);
    assert.deepEqual(transitions(a), ['INIT']);
    assert.equal(f.deadline(), null);
    const g = new VrrpFsm(P());
    g.start(0);
    assert.deepEqual(sends(g.shutdown(1)), []);
    assert.equal(f.stats.txPriorityZero, 1);
  });
  it('a late tick after a stall sends one advert, not a burst', () => {
    const f = new VrrpFsm(P({ priority: 255, intervalCs: 10 }));
    f.start(0);
    assert.deepEqual(sends(f.tick(1000)), [255]);
    assert.equal(f.deadline(), 1100);
  });
});

describe('vrrp effective priority', () => {
  it('applies weights like keepalived', () => {
    assert.deepEqual(effectivePriority(100, [{ name: 'a', up: true, weight: 10 }]), { priority: 110, fault: null });
    assert.deepEqual(effectivePriority(100, [{ name: 'a', up: false, weight: 10 }]), { priority: 100, fault: null });
    assert.deepEqual(effectivePriority(100, [{ name: 'a', up: false, weight: -30 }]), { priority: 70, fault: null });
    assert.deepEqual(effectivePriority(100, [{ name: 'a', up: true, weight: -30 }]), { priority: 100, fault: null });
    assert.deepEqual(effectivePriority(100, [{ name: 'eth1', up: false, weight: 0 }]), { priority: 100, fault: 'eth1' });
    assert.deepEqual(effectivePriority(250, [{ name: 'a', up: true, weight: 50 }]), { priority: 254, fault: null });
    assert.deepEqual(effectivePriority(10, [{ name: 'a', up: false, weight: -50 }]), { priority: 1, fault: null });
    assert.deepEqual(effectivePriority(255, []), { priority: 255, fault: null });
  });
});

describe('vrrp sync group', () => {
  it('members follow MASTER, BACKUP and FAULT together', () => {
    const a = new VrrpFsm(P({ name: 'A', vrid: 1 }));
    const b = new VrrpFsm(P({ name: 'B', vrid: 2 }));
    const g = new SyncGroup('G', [a, b]);
    a.start(0);
    b.start(0);
    // A's timer fires first: B does not want MASTER yet (its timer has not fired), so A waits
    assert.deepEqual(a.tick(4000), [{ kind: 'held', by: 'B', first: true }]);
    assert.equal(a.state, 'BACKUP');
    // B's fires: every member wants MASTER, B goes and A follows
    const acts = b.tick(4000);
    const res = g.propagate(b, acts, 4000);
    assert.equal(b.state, 'MASTER');
    assert.equal(a.state, 'MASTER');
    assert.deepEqual(transitions(res.get(a) ?? []), ['MASTER']);
    // B sees a higher priority master -> both BACKUP
    const back = b.receive(adv(200, { vrid: 2 }), '192.0.2.2', 4100);
    g.propagate(b, back, 4100);
    assert.equal(a.state, 'BACKUP');
    // A faults -> B faults
    const f = a.setFault('eth1', 4200);
    g.propagate(a, f, 4200);
    assert.equal(b.state, 'FAULT');
    // A's fault clears -> B returns to BACKUP too
    const c = a.setFault(null, 4300);
    g.propagate(a, c, 4300);
    assert.equal(a.state, 'BACKUP');
    assert.equal(b.state, 'BACKUP');
  });
  it('an address owner (255) in a sync group whose fault clears goes BACKUP while another member does not want MASTER (keepalived try_up_instance), then MASTER with the group', () => {
    const o = new VrrpFsm(P({ name: 'O', vrid: 1, priority: 255 }));
    const b = new VrrpFsm(P({ name: 'B', vrid: 2 }));
    const g = new SyncGroup('G', [o, b]);
    b.start(0);
    o.setFault('eth1', 0);
    g.propagate(o, o.start(0), 0);
    assert.equal(o.state, 'FAULT');
    assert.equal(b.state, 'FAULT');
    const c = o.setFault(null, 1000);
    g.propagate(o, c, 1000);
    assert.deepEqual(transitions(c), ['BACKUP'], 'not straight to MASTER: B (FAULT, then BACKUP) does not want MASTER');
    assert.equal(b.state, 'BACKUP');
    // no master anywhere: when both timers have fired the group goes MASTER together
    for (let t = 1000; t <= 10_000; t += 50) {
      for (const m of [o, b]) {
        while (m.deadline() !== null && m.deadline()! <= t) g.propagate(m, m.tick(m.deadline()!), t);
      }
    }
    assert.equal(o.state, 'MASTER');
    assert.equal(b.state, 'MASTER');
  });
  it('a member whose master-down timer fires while another member still hears its master stays BACKUP and silent (keepalived vrrp_sync_can_goto_master)', () => {
    const a = new VrrpFsm(P({ name: 'A', vrid: 1 }));
    const b = new VrrpFsm(P({ name: 'B', vrid: 2 }));
    const g = new SyncGroup('G', [a, b]);
    a.start(0);
    b.start(0);
    // both hear a master at 150
    a.receive(adv(150, { vrid: 1 }), '192.0.2.9', 100);
    b.receive(adv(150, { vrid: 2 }), '192.0.2.9', 100);
    // A's master goes FAULT (priority 0); B's master stays
    a.receive(adv(0, { vrid: 1 }), '192.0.2.9', 500);
    const heldAt = 500 + a.skewMs();
    assert.equal(a.deadline(), heldAt);
    let t = 500;
    const all: Action[] = [];
    for (; t <= 20_000; t += 100) {
      // B keeps hearing its master every second
      if (t % 1000 === 0) all.push(...b.receive(adv(150, { vrid: 2 }), '192.0.2.9', t));
      while (a.deadline() !== null && a.deadline()! <= t) {
        const acts = a.tick(a.deadline()!);
        all.push(...acts);
        g.propagate(a, acts, t);
      }
    }
    assert.equal(a.state, 'BACKUP');
    assert.equal(b.state, 'BACKUP');
    assert.deepEqual(
      all.filter((x) => x.kind !== 'held'),
      [],
      'no advert, no transition',
    );
    assert.equal(a.stats.becameMaster, 0);
    assert.equal(a.stats.txAdverts, 0);
    assert.ok(a.wantsMaster, 'A wants MASTER (its master is gone)');
    assert.equal(b.wantsMaster, false);
    // the held member re-arms a full Master_Down_Interval each time (keepalived: ms_down_timer = VRRP_MS_DOWN_TIMER)
    const d = a.deadline()!;
    const acts = a.tick(d);
    assert.deepEqual(acts, [{ kind: 'held', by: 'B', first: false }]);
    assert.equal(a.deadline(), d + a.masterDownMs());
  });
  it('a held member goes MASTER with the group once every member wants MASTER; an accepted advert withdraws the wish', () => {
    const a = new VrrpFsm(P({ name: 'A', vrid: 1 }));
    const b = new VrrpFsm(P({ name: 'B', vrid: 2 }));
    const g = new SyncGroup('G', [a, b]);
    a.start(0);
    b.start(0);
    a.receive(adv(150, { vrid: 1 }), '192.0.2.9', 100);
    b.receive(adv(150, { vrid: 2 }), '192.0.2.9', 100);
    a.receive(adv(0, { vrid: 1 }), '192.0.2.9', 200);
    const first = a.tick(a.deadline()!);
    assert.deepEqual(first, [{ kind: 'held', by: 'B', first: true }]);
    // B's master goes silent too: B's timer fires, A already wants MASTER -> B and A go MASTER together
    const bt = b.deadline()!;
    const acts = b.tick(bt);
    assert.deepEqual(
      acts.filter((x) => x.kind === 'transition').map((x) => (x as { to: string }).to),
      ['MASTER'],
    );
    const res = g.propagate(b, acts, bt);
    assert.equal(a.state, 'MASTER');
    assert.deepEqual(
      (res.get(a) ?? []).map((x) => x.kind),
      ['send', 'transition'],
    );
    // back to BACKUP together (a higher master for A), then A's master comes back: A hears it
    g.propagate(a, a.receive(adv(200, { vrid: 1 }), '192.0.2.9', bt + 100), bt + 100);
    assert.equal(b.state, 'BACKUP');
    assert.equal(a.wantsMaster, false);
    // B's master times out again, but A hears its master (accepted advert): B is held
    a.receive(adv(200, { vrid: 1 }), '192.0.2.9', bt + 1000);
    assert.deepEqual(b.tick(b.deadline()!), [{ kind: 'held', by: 'A', first: true }]);
    assert.equal(b.state, 'BACKUP');
    // a priority-0 advert does not withdraw B's wish, a regular one does
    b.receive(adv(0, { vrid: 2 }), '192.0.2.9', bt + 5000);
    assert.ok(b.wantsMaster);
    b.receive(adv(150, { vrid: 2 }), '192.0.2.9', bt + 5100);
    assert.equal(b.wantsMaster, false);
  });
  it('a faulty member keeps the group out of MASTER', () => {
    const a = new VrrpFsm(P({ name: 'A', vrid: 1 }));
    const b = new VrrpFsm(P({ name: 'B', vrid: 2 }));
    const g = new SyncGroup('G', [a, b]);
    b.setFault('chk', 0);
    a.start(0);
    b.start(0);
    g.propagate(a, a.tick(4000), 4000);
    assert.equal(a.state, 'FAULT');
    assert.equal(b.state, 'FAULT');
  });
});
