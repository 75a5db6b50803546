import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Fwd, IPPROTO_TCP, IPPROTO_UDP, SvcFlag } from '../../src/lib/ipvs/constants';
import { planTable } from '../../src/lib/ipvs/plan';
import { desiredTable } from '../../src/lib/lvs/desired';
import type { LvsSpec } from '../../src/lib/lvs/types';
import { parseIpv6 } from '../../src/lib/conf/values';
import { FakeIpvs, KernelLikeIpvs } from './lvs-fakes';
import { chk, rig, rs, sorry, startAndCheck, svc, tick, vs } from './lvs-helpers';

const VIP = '192.0.2.10';
const K = svc(VIP, 80);

function spec(...v: ReturnType<typeof vs>[]): LvsSpec {
  return { virtualServers: v };
}

describe('lvs reconciler: services and real servers', () => {
  it('installs the service with its attributes and every real server at start', async () => {
    const r = rig();
    await r.rec.start(
      spec(vs(VIP, 80, [rs('127.0.0.1', 8080, { weight: 3 }), rs('127.0.0.2', 8080)], { sched: 'rr', persistenceTimeout: 50, persistenceNetmask: 0xffffff00 })),
    );
    await r.rec.idle();
    const s = r.ipvs.services.get(K)!;
    assert.equal(s.svc.sched, 'rr');
    assert.equal(s.svc.flags & SvcFlag.PERSISTENT, SvcFlag.PERSISTENT);
    assert.equal(s.svc.timeout, 50);
    assert.equal(s.svc.netmask, 0xffffff00);
    assert.deepEqual(r.ipvs.weights(K), { '127.0.0.1|8080': 3, '127.0.0.2|8080': 1 });
  });

  it('removes a failed real server and adds it back, touching only it', async () => {
    const r = rig();
    await startAndCheck(r, spec(vs(VIP, 80, [rs('127.0.0.1', 80), rs('127.0.0.2', 80)])));
    const before = r.ipvs.log.length;
    r.checks.up.set('127.0.0.2|80', false);
    await tick(r);
    assert.deepEqual(r.ipvs.weights(K), { '127.0.0.1|80': 1 });
    assert.deepEqual(
      r.ipvs.log.slice(before).map((o) => `${o.kind} ${'dest' in o ? o.dest.addr : ''}`),
      ['del-dest 127.0.0.2'],
    );
    // Staying down does nothing more.
    await tick(r);
    await tick(r);
    assert.equal(r.ipvs.log.length, before + 1);
    r.checks.up.set('127.0.0.2|80', true);
    await tick(r);
    assert.deepEqual(r.ipvs.weights(K), { '127.0.0.1|80': 1, '127.0.0.2|80': 1 });
    assert.deepEqual(
      r.ipvs.log.slice(before + 1).map((o) => `${o.kind} ${'dest' in o ? o.dest.addr : ''}`),
      ['add-dest 127.0.0.2'],
    );
  });

  it('inhibit_on_failure sets the weight to 0 instead of removing', async () => {
    const r = rig();
    await startAndCheck(r, spec(vs(VIP, 80, [rs('127.0.0.1', 80, { weight: 5, inhibitOnFailure: true }), rs('127.0.0.2', 80)])));
    r.checks.up.set('127.0.0.1|80', false);
    await tick(r);
    assert.deepEqual(r.ipvs.weights(K), { '127.0.0.1|80': 0, '127.0.0.2|80': 1 });
    assert.equal(r.ipvs.log.at(-1)!.kind, 'edit-dest');
    r.checks.up.set('127.0.0.1|80', true);
    await tick(r);
    assert.deepEqual(r.ipvs.weights(K), { '127.0.0.1|80': 5, '127.0.0.2|80': 1 });
  });

  it('alpha: real servers start out of the pool (inhibit ones at weight 0) until a check succeeds', async () => {
    const r = rig();
    const alpha = [chk('TCP_CHECK#0', { alpha: true })];
    await r.rec.start(
      spec(vs(VIP, 80, [rs('127.0.0.1', 80, { checkers: alpha }), rs('127.0.0.2', 80, { checkers: alpha, inhibitOnFailure: true, weight: 2 })], { alpha: true })),
    );
    await r.rec.idle();
    assert.deepEqual(r.ipvs.weights(K), { '127.0.0.2|80': 0 });
    r.checks.up.set('127.0.0.1|80', false);
    await tick(r);
    assert.deepEqual(r.ipvs.weights(K), { '127.0.0.2|80': 2 });
    // A first failure of an alpha checker notifies down even though nothing changed.
    assert.ok(r.events.some((e) => e.kind === 'fifo' && e.line === `RS [127.0.0.1]:tcp:80 [${VIP}]:tcp:80 DOWN\n`));
    r.checks.up.set('127.0.0.1|80', true);
    await tick(r);
    assert.deepEqual(r.ipvs.weights(K), { '127.0.0.1|80': 1, '127.0.0.2|80': 2 });
  });

  it('a real server with several checkers is up only when all of them are', async () => {
    const r = rig();
    const two = [chk('TCP_CHECK#0'), chk('HTTP_GET#0')];
    await startAndCheck(r, spec(vs(VIP, 80, [rs('127.0.0.1', 80, { checkers: two }), rs('127.0.0.2', 80)])));
    r.checks.up.set('127.0.0.1|80#HTTP_GET#0', false);
    await tick(r);
    assert.deepEqual(r.ipvs.weights(K), { '127.0.0.2|80': 1 });
    r.checks.up.set('127.0.0.1|80#TCP_CHECK#0', false);
    await tick(r);
    r.checks.up.set('127.0.0.1|80#HTTP_GET#0', true);
    await tick(r);
    assert.deepEqual(r.ipvs.weights(K), { '127.0.0.2|80': 1 }, 'one checker still failing');
    r.checks.up.set('127.0.0.1|80#TCP_CHECK#0', true);
    await tick(r);
    assert.deepEqual(r.ipvs.weights(K), { '127.0.0.1|80': 1, '127.0.0.2|80': 1 });
  });

  it('a real server without checkers is always in', async () => {
    const r = rig();
    await startAndCheck(r, spec(vs(VIP, 80, [rs('127.0.0.1', 80, { checkers: [] })])));
    assert.deepEqual(r.ipvs.weights(K), { '127.0.0.1|80': 1 });
  });

  it('misc_dynamic weights change the IPVS weight (and count for the quorum)', async () => {
    const r = rig();
    await startAndCheck(r, spec(vs(VIP, 80, [rs('127.0.0.1', 80, { weight: 10, checkers: [chk('MISC_CHECK#0')] })], { sorryServer: sorry('127.0.0.9') })));
    r.checks.weight.set('127.0.0.1|80', 7);
    await tick(r);
    assert.deepEqual(r.ipvs.weights(K), { '127.0.0.1|80': 7 });
    assert.equal(r.ipvs.log.at(-1)!.kind, 'edit-dest');
    r.checks.weight.set('127.0.0.1|80', 0);
    await tick(r);
    assert.deepEqual(r.ipvs.weights(K), { '127.0.0.9|80': 1 }, 'weight 0 loses the quorum: the sorry server comes in');
  });

  it('DR and TUN destinations take the service port; fwmark services port 0', async () => {
    const r = rig();
    const fw = vs('0.0.0.0', 0, [rs('127.0.0.3', 0, { fwd: Fwd.DROUTE })], {
      id: 'FWM 7',
      protocolName: 'none',
      services: [{ af: 2, protocol: 0, addr: '0.0.0.0', port: 0, fwmark: 7 }],
    });
    await startAndCheck(r, spec(vs(VIP, 443, [rs('127.0.0.1', 443, { fwd: Fwd.TUNNEL })]), fw));
    assert.deepEqual(r.ipvs.weights(svc(VIP, 443)), { '127.0.0.1|443': 1 });
    assert.deepEqual(r.ipvs.weights('fwm|2|7'), { '127.0.0.3|0': 1 });
  });

  it('a group expands to one IPVS service per address and fwmark, all with the same pool', async () => {
    const r = rig();
    const g = vs(VIP, 80, [rs('127.0.0.1', 80), rs('127.0.0.2', 80)], {
      id: '[web]:0',
      services: [
        { af: 2, protocol: IPPROTO_TCP, addr: '192.0.2.1', port: 80, fwmark: 0 },
        { af: 2, protocol: IPPROTO_TCP, addr: '192.0.2.2', port: 80, fwmark: 0 },
        { af: 2, protocol: 0, addr: '0.0.0.0', port: 0, fwmark: 9 },
      ],
    });
    await startAndCheck(r, spec(g));
    assert.equal(r.ipvs.services.size, 3);
    r.checks.up.set('127.0.0.1|80', false);
    await tick(r);
    for (const k of [svc('192.0.2.1', 80), svc('192.0.2.2', 80), 'fwm|2|9']) assert.deepEqual(Object.keys(r.ipvs.weights(k)), ['127.0.0.2|80']);
  });
});

describe('lvs reconciler: quorum and sorry server', () => {
  const four = () => [rs('127.0.0.1'), rs('127.0.0.2'), rs('127.0.0.3'), rs('127.0.0.4')];

  it('quorum lost: all real servers out, sorry server in; regained: reverse', async () => {
    const r = rig();
    await startAndCheck(r, spec(vs(VIP, 80, four(), { quorum: 3, sorryServer: sorry('127.0.0.9', 80), quorumUp: { command: '/bin/up' }, quorumDown: { command: '/bin/down' } })));
    assert.equal(Object.keys(r.ipvs.weights(K)).length, 4);
    r.checks.up.set('127.0.0.1|80', false);
    await tick(r);
    assert.equal(Object.keys(r.ipvs.weights(K)).length, 3, 'sum 3 >= quorum 3');
    r.checks.up.set('127.0.0.2|80', false);
    await tick(r);
    assert.deepEqual(r.ipvs.weights(K), { '127.0.0.9|80': 1 });
    assert.ok(r.events.some((e) => e.kind === 'script' && e.command === '/bin/down'));
    assert.ok(r.events.some((e) => e.kind === 'fifo' && e.line === `VS [${VIP}]:tcp:80 DOWN\n`));
    r.checks.up.set('127.0.0.1|80', true);
    await tick(r);
    assert.deepEqual(Object.keys(r.ipvs.weights(K)).sort(), ['127.0.0.1|80', '127.0.0.3|80', '127.0.0.4|80']);
    assert.ok(r.events.some((e) => e.kind === 'script' && e.command === '/bin/up'));
  });

  it('hysteresis: lost below quorum - h, regained at quorum + h', async () => {
    const r = rig();
    await startAndCheck(r, spec(vs(VIP, 80, four(), { quorum: 3, hysteresis: 1, sorryServer: sorry('127.0.0.9', 80) })));
    r.checks.up.set('127.0.0.1|80', false);
    r.checks.up.set('127.0.0.2|80', false);
    await tick(r);
    assert.equal(Object.keys(r.ipvs.weights(K)).length, 2, 'sum 2 is not < 3-1: quorum kept');
    r.checks.up.set('127.0.0.3|80', false);
    await tick(r);
    assert.deepEqual(r.ipvs.weights(K), { '127.0.0.9|80': 1 });
    r.checks.up.set('127.0.0.1|80', true);
    r.checks.up.set('127.0.0.2|80', true);
    await tick(r);
    assert.deepEqual(r.ipvs.weights(K), { '127.0.0.9|80': 1 }, 'sum 3 < 3+1: still down');
    r.checks.up.set('127.0.0.3|80', true);
    await tick(r);
    assert.equal(Object.keys(r.ipvs.weights(K)).length, 4);
  });

  it('starts with the sorry server when the quorum is not reached at start (alpha)', async () => {
    const r = rig();
    const a = { checkers: [chk('TCP_CHECK#0', { alpha: true })] };
    await r.rec.start(spec(vs(VIP, 80, [rs('127.0.0.1', 80, a), rs('127.0.0.2', 80, a)], { sorryServer: sorry('127.0.0.9', 80), alpha: true })));
    await r.rec.idle();
    assert.deepEqual(r.ipvs.weights(K), { '127.0.0.9|80': 1 });
    await tick(r);
    assert.deepEqual(Object.keys(r.ipvs.weights(K)).sort(), ['127.0.0.1|80', '127.0.0.2|80']);
  });

  it('sorry_server_inhibit keeps the sorry server at weight 0; inhibit real servers stay at 0 under it', async () => {
    const r = rig();
    await startAndCheck(
      r,
      spec(vs(VIP, 80, [rs('127.0.0.1', 80, { inhibitOnFailure: true, weight: 4 }), rs('127.0.0.2', 80)], { sorryServer: sorry('127.0.0.9', 80, { inhibit: true }) })),
    );
    assert.deepEqual(r.ipvs.weights(K), { '127.0.0.1|80': 4, '127.0.0.2|80': 1, '127.0.0.9|80': 0 });
    r.checks.up.set('127.0.0.1|80', false);
    r.checks.up.set('127.0.0.2|80', false);
    await tick(r);
    assert.deepEqual(r.ipvs.weights(K), { '127.0.0.1|80': 0, '127.0.0.9|80': 1 });
    r.checks.up.set('127.0.0.2|80', true);
    await tick(r);
    assert.deepEqual(r.ipvs.weights(K), { '127.0.0.1|80': 0, '127.0.0.2|80': 1, '127.0.0.9|80': 0 });
  });

  it('without a sorry server the quorum only drives the notifiers', async () => {
    const r = rig();
    await startAndCheck(r, spec(vs(VIP, 80, [rs('127.0.0.1'), rs('127.0.0.2')], { quorum: 2, quorumDown: { command: '/q/down' } })));
    r.checks.up.set('127.0.0.1|80', false);
    await tick(r);
    assert.deepEqual(r.ipvs.weights(K), { '127.0.0.2|80': 1 });
    assert.equal(r.events.filter((e) => e.kind === 'script' && e.command === '/q/down').length, 1);
  });
});

describe('lvs reconciler: notifiers', () => {
  it('notify_up / notify_down scripts and lvs_notify_fifo lines in keepalived format', async () => {
    const r = rig();
    await startAndCheck(r, spec(vs(VIP, 80, [rs('127.0.0.1', 8080, { notifyUp: { command: '/n/up 1' }, notifyDown: { command: '/n/down 1' } }), rs('127.0.0.2', 8080)])));
    r.checks.up.set('127.0.0.1|8080', false);
    await tick(r);
    r.checks.up.set('127.0.0.1|8080', true);
    await tick(r);
    const got = r.events.filter((e) => e.kind !== 'log');
    assert.deepEqual(got, [
      // keepalived starts each virtual server with quorum down and gains it once its real servers are in
      { kind: 'fifo', line: `VS [${VIP}]:tcp:80 UP\n` },
      { kind: 'script', command: '/n/down 1', why: 'RS [127.0.0.1]:tcp:8080 DOWN' },
      { kind: 'fifo', line: `RS [127.0.0.1]:tcp:8080 [${VIP}]:tcp:80 DOWN\n` },
      { kind: 'script', command: '/n/up 1', why: 'RS [127.0.0.1]:tcp:8080 UP' },
      { kind: 'fifo', line: `RS [127.0.0.1]:tcp:8080 [${VIP}]:tcp:80 UP\n` },
    ]);
  });

  it('quorum_up runs and "Gained quorum" is logged for a virtual server that starts with quorum, or that a reload adds (keepalived)', async () => {
    const r = rig();
    const a = vs(VIP, 80, [rs('127.0.0.1'), rs('127.0.0.2')], { quorum: 2, quorumUp: { command: '/q/up a' } });
    await startAndCheck(r, spec(a));
    const logs = () => r.events.map((e) => (e.kind === 'log' ? e.message : e.kind === 'script' ? `script ${e.command}` : '')).filter(Boolean);
    assert.ok(logs().includes('Gained quorum 2+0=2 <= 2 for VS [192.0.2.10]:tcp:80'), logs().join('\n'));
    assert.ok(logs().includes('script /q/up a'));
    r.events.length = 0;
    await r.rec.reload(spec(a, vs('192.0.2.11', 80, [rs('127.0.0.3')], { quorumUp: { command: '/q/up b' } })));
    await r.rec.idle();
    assert.deepEqual(logs().filter((l) => /quorum|script/.test(l)), ['Gained quorum 1+0=1 <= 1 for VS [192.0.2.11]:tcp:80', 'script /q/up b']);
  });

  it('lvs_flush_on_stop (without VS) empties the whole table at stop, other services included', async () => {
    const ipvs = new FakeIpvs();
    await ipvs.apply([{ kind: 'add-service', svc: { af: 2, protocol: IPPROTO_UDP, addr: '198.51.100.1', port: 53, fwmark: 0, sched: 'rr', flags: 0, timeout: 0, netmask: 0xffffffff, pe: '' } }]);
    const r = rig({ ipvs });
    await startAndCheck(r, { virtualServers: [vs(VIP, 80, [rs('127.0.0.1')])], flushOnStop: true });
    assert.equal(ipvs.services.size, 2);
    await r.rec.stop();
    assert.equal(ipvs.services.size, 0);
  });

  it('omega: stopping runs the down notifiers; without omega it does not', async () => {
    for (const omega of [true, false]) {
      const r = rig();
      await startAndCheck(r, spec(vs(VIP, 80, [rs('127.0.0.1', 80, { notifyDown: { command: '/n/down' } })], { omega, quorumDown: { command: '/q/down' } })));
      r.events.length = 0;
      await r.rec.stop();
      const scripts = r.events.filter((e) => e.kind === 'script').map((e) => (e.kind === 'script' ? e.command : ''));
      assert.deepEqual(scripts, omega ? ['/n/down', '/q/down'] : [], `omega=${omega}`);
    }
  });
});

describe('lvs reconciler: scheduling, ha_suspend, reload, stop', () => {
  it('results that change nothing cause no IPVS work; a change recomputes only its virtual server', async () => {
    const r = rig();
    const many = Array.from({ length: 50 }, (_, i) => vs(`192.0.2.${i + 1}`, 80, [rs('127.0.0.1'), rs('127.0.0.2')]));
    await startAndCheck(r, spec(...many));
    const calls = r.ipvs.applyCalls;
    for (let i = 0; i < 5; i++) await tick(r);
    assert.equal(r.ipvs.applyCalls, calls, 'steady state: no apply at all');
    const before = r.ipvs.log.length;
    r.checks.up.set('127.0.0.2|80', false);
    await tick(r);
    assert.equal(r.ipvs.log.length - before, 50, 'one del-dest per virtual server');
    assert.ok(r.ipvs.applyCalls - calls <= 50);
  });

  it('runs each checker every delay_loop', async () => {
    const r = rig();
    await r.rec.start(spec(vs(VIP, 80, [rs('127.0.0.1', 80, { checkers: [chk('TCP_CHECK#0', { delayLoopMs: 3000 })] })])));
    await tick(r, 10_000);
    assert.deepEqual(
      r.checks.calls.map((c) => c.at),
      [1000, 4000, 7000, 10000],
    );
  });

  it('ha_suspend: no checks while the VIP is not on the host', async () => {
    const r = rig();
    await r.rec.start(spec(vs(VIP, 80, [rs('127.0.0.1', 80)], { haSuspend: true })));
    await tick(r, 5000);
    assert.equal(r.checks.calls.length, 0);
    r.present.add(VIP);
    await tick(r, 1000);
    assert.equal(r.checks.calls.length, 1);
  });

  it('reload that changes one real server touches only that real server', async () => {
    const r = rig();
    const a = () => [rs('127.0.0.1'), rs('127.0.0.2'), rs('127.0.0.3')];
    const other = vs('192.0.2.20', 80, [rs('127.0.0.5')]);
    await startAndCheck(r, spec(vs(VIP, 80, a()), other));
    const before = r.ipvs.log.length;
    const changed = a();
    changed[1].weight = 7;
    await r.rec.reload(spec(vs(VIP, 80, changed), other));
    await r.rec.idle();
    const ops = r.ipvs.log.slice(before);
    assert.deepEqual(
      ops.map((o) => `${o.kind} ${'dest' in o ? `${o.dest.addr}:${o.dest.weight}` : ''}`),
      ['edit-dest 127.0.0.2:7'],
    );
    // Unchanged reload: nothing at all.
    await r.rec.reload(spec(vs(VIP, 80, changed), other));
    await r.rec.idle();
    assert.equal(r.ipvs.log.length, before + 1);
  });

  it('reload adds and removes real servers and virtual servers; down servers stay down', async () => {
    const r = rig();
    await startAndCheck(r, spec(vs(VIP, 80, [rs('127.0.0.1'), rs('127.0.0.2')]), vs('192.0.2.20', 80, [rs('127.0.0.5')])));
    r.checks.up.set('127.0.0.2|80', false);
    await tick(r);
    const before = r.ipvs.log.length;
    await r.rec.reload(spec(vs(VIP, 80, [rs('127.0.0.2'), rs('127.0.0.3')])));
    await r.rec.idle();
    const ops = r.ipvs.log.slice(before).map((o) => `${o.kind} ${'dest' in o ? o.dest.addr : 'svc' in o && o.svc ? o.svc.addr : ''}`);
    assert.deepEqual(ops.sort(), ['add-dest 127.0.0.3', 'del-dest 127.0.0.1', 'del-service 192.0.2.20'].sort());
    assert.deepEqual(r.ipvs.weights(K), { '127.0.0.3|80': 1 }, '127.0.0.2 still failing: not re-added by the reload');
  });

  it('stop removes the managed services and leaves others; --dont-release-ipvs keeps them', async () => {
    for (const dontRelease of [false, true]) {
      const ipvs = new FakeIpvs();
      await ipvs.apply([{ kind: 'add-service', svc: { af: 2, protocol: IPPROTO_UDP, addr: '198.51.100.1', port: 53, fwmark: 0, sched: 'rr', flags: 0, timeout: 0, netmask: 0xffffffff, pe: '' } }]);
      const r = rig({ ipvs, dontRelease });
      await startAndCheck(r, spec(vs(VIP, 80, [rs('127.0.0.1')])));
      assert.equal(r.ipvs.services.size, 2);
      await r.rec.stop();
      assert.deepEqual([...r.ipvs.services.keys()].sort(), dontRelease ? [K, `${IPPROTO_UDP}|198.51.100.1|53`].sort() : [`${IPPROTO_UDP}|198.51.100.1|53`]);
      // No timers left behind.
      assert.equal(r.clock.pending(), 0);
    }
  });

  it('a service that already exists keeps its scheduler and foreign real servers, through transitions (keepalived)', async () => {
    const ipvs = new FakeIpvs();
    const base = { af: 2 as const, protocol: IPPROTO_TCP, addr: VIP, port: 80, fwmark: 0, flags: 0, timeout: 0, netmask: 0xffffffff, pe: '' };
    const d = { af: 2 as const, port: 80, fwd: 0, uThresh: 0, lThresh: 0, tunType: 0, tunPort: 0, tunFlags: 0 };
    await ipvs.apply([
      { kind: 'add-service', svc: { ...base, sched: 'rr' } },
      { kind: 'add-dest', svc: base, dest: { ...d, addr: '127.0.0.1', weight: 1 } },
      { kind: 'add-dest', svc: base, dest: { ...d, addr: '127.0.0.66', weight: 1 } },
    ]);
    const r = rig({ ipvs });
    await r.rec.start(spec(vs(VIP, 80, [rs('127.0.0.1', 80, { weight: 4 }), rs('127.0.0.2')], { sched: 'wlc' })));
    await r.rec.idle();
    assert.equal(ipvs.services.get(K)!.svc.sched, 'rr');
    // an add that finds the real server there leaves its weight (keepalived's EEXIST)
    assert.deepEqual(r.ipvs.weights(K), { '127.0.0.1|80': 1, '127.0.0.66|80': 1, '127.0.0.2|80': 1 });
    assert.equal(r.rec.status().lastIpvsError, undefined);
    r.checks.up.set('127.0.0.2|80', false);
    await tick(r);
    assert.deepEqual(r.ipvs.weights(K), { '127.0.0.1|80': 1, '127.0.0.66|80': 1 });
    assert.equal(ipvs.services.get(K)!.svc.sched, 'rr');
    // A hand edit of a real server stays through other transitions and an unchanged reload.
    await ipvs.apply([{ kind: 'edit-dest', svc: base, dest: { ...d, addr: '127.0.0.1', weight: 7 } }]);
    r.checks.up.set('127.0.0.2|80', true);
    await tick(r);
    await r.rec.reload(spec(vs(VIP, 80, [rs('127.0.0.1', 80, { weight: 4 }), rs('127.0.0.2')], { sched: 'wlc' })));
    await r.rec.idle();
    assert.deepEqual(r.ipvs.weights(K), { '127.0.0.1|80': 7, '127.0.0.66|80': 1, '127.0.0.2|80': 1 });
    // Its own transition sets it again, like keepalived's ADD/EDIT of that real server.
    r.checks.up.set('127.0.0.1|80', false);
    await tick(r);
    r.checks.up.set('127.0.0.1|80', true);
    await tick(r);
    assert.equal(r.ipvs.weights(K)['127.0.0.1|80'], 4);
    await r.rec.stop();
    assert.equal(ipvs.services.size, 0);
  });

  it('a refused operation is reported in the status and retried (the table is not re-read)', async () => {
    const r = rig();
    r.ipvs.failNext.push({ kind: 'add-dest', error: 'Invalid argument', errno: 22 });
    await r.rec.start(spec(vs(VIP, 80, [rs('127.0.0.1')])));
    await r.rec.idle();
    assert.match(r.rec.status().lastIpvsError ?? '', /add-dest TCP 192\.0\.2\.10:80 -> 127\.0\.0\.1:80: Invalid argument/);
    assert.equal(r.ipvs.listCalls, 0);
    // A retry (0.5 s later) repairs it without any health change.
    await tick(r, 500);
    assert.deepEqual(r.ipvs.weights(K), { '127.0.0.1|80': 1 });
  });

  it('a batch that throws half-way is re-read and retried until IPVS matches', async () => {
    const r = rig();
    await startAndCheck(r, spec(vs(VIP, 80, [rs('127.0.0.1'), rs('127.0.0.2'), rs('127.0.0.3')], { quorum: 3, sorryServer: sorry('127.0.0.9') })));
    r.checks.up.set('127.0.0.1|80', false);
    await tick(r);
    assert.deepEqual(r.ipvs.weights(K), { '127.0.0.9|80': 1 });
    // Quorum back: del sorry + 3 add-dests in one batch; the batch breaks after the first operation.
    r.checks.up.set('127.0.0.1|80', true);
    r.ipvs.throwAfter = 1;
    await tick(r);
    assert.match(r.events.map((e) => (e.kind === 'log' ? e.message : '')).join('\n'), /IPVS: The value of "offset"/);
    await tick(r, 500);
    assert.deepEqual(r.ipvs.weights(K), { '127.0.0.1|80': 1, '127.0.0.2|80': 1, '127.0.0.3|80': 1 });
  });

  it('unknown scheduler: the kernel refusal is reported, nothing crashes', async () => {
    const r = rig();
    await r.rec.start(spec(vs(VIP, 80, [rs('127.0.0.1')], { sched: 'nope' })));
    await r.rec.idle();
    assert.match(r.rec.status().lastIpvsError ?? '', /Scheduler or persistence engine not found/);
  });

  it('lvs_sync_daemon naming a vrrp_instance starts the kernel sync daemon (backup), follows it to master, stops it on stop', async () => {
    const r = rig();
    await r.rec.start({ virtualServers: [], syncDaemon: { interface: 'eth0', syncId: 51, instance: 'VI_1' } });
    assert.deepEqual(r.ipvs.daemons.map((d) => [d.state, d.ifname, d.syncId]), [[2, 'eth0', 51]]);
    await r.rec.setSyncDaemonRole('master');
    assert.deepEqual(r.ipvs.daemons.map((d) => d.state), [1]);
    await r.rec.stop();
    assert.equal(r.ipvs.daemons.length, 0);
  });

  it('lvs_sync_daemon without a vrrp_instance runs master and backup at once (keepalived: the checker starts both) and stops both', async () => {
    const r = rig();
    await r.rec.start({ virtualServers: [], syncDaemon: { interface: 'eth0', syncId: 0 } });
    assert.deepEqual(r.ipvs.daemons.map((d) => [d.state, d.ifname, d.syncId]).sort(), [
      [1, 'eth0', 0],
      [2, 'eth0', 0],
    ]);
    assert.equal(r.rec.status().syncDaemon?.state, 'master+backup');
    await r.rec.stop();
    assert.equal(r.ipvs.daemons.length, 0);
  });

  it('lvs_flush clears the whole table at start (others included)', async () => {
    const ipvs = new FakeIpvs();
    await ipvs.apply([{ kind: 'add-service', svc: { af: 2, protocol: IPPROTO_UDP, addr: '198.51.100.1', port: 53, fwmark: 0, sched: 'rr', flags: 0, timeout: 0, netmask: 0xffffffff, pe: '' } }]);
    const r = rig({ ipvs });
    await r.rec.start({ virtualServers: [vs(VIP, 80, [rs('127.0.0.1')])], flushOnStart: true });
    await r.rec.idle();
    assert.deepEqual([...ipvs.services.keys()], [K]);
  });

  it('lvs_timeouts are set at start and again only when a reload changes them', async () => {
    const r = rig();
    await r.rec.start({ virtualServers: [], timeouts: { tcp: 900, tcpFin: 0, udp: 60 } });
    assert.deepEqual(r.ipvs.timeouts, { tcp: 900, tcpFin: 0, udp: 60 });
    const n = r.ipvs.log.length;
    await r.rec.reload({ virtualServers: [], timeouts: { tcp: 900, tcpFin: 0, udp: 60 } });
    assert.equal(r.ipvs.log.length, n);
    await r.rec.reload({ virtualServers: [], timeouts: { tcp: 600, tcpFin: 0, udp: 60 } });
    assert.deepEqual(r.ipvs.timeouts, { tcp: 600, tcpFin: 0, udp: 60 });
  });

  it('status shows virtual servers, real servers, check state and last failure', async () => {
    const r = rig();
    await startAndCheck(r, spec(vs(VIP, 80, [rs('127.0.0.1'), rs('127.0.0.2')])));
    r.checks.up.set('127.0.0.2|80', false);
    await tick(r);
    const st = r.rec.status();
    const v = st.virtualServers[0];
    assert.equal(v.id, `[${VIP}]:tcp:80`);
    assert.deepEqual(v.services, [`TCP ${VIP}:80`]);
    const down = v.realServers.find((x) => x.addr === '127.0.0.2')!;
    assert.equal(down.alive, false);
    assert.equal(down.inIpvs, false);
    assert.equal(down.checkers[0].lastFailure?.reason, 'connection refused');
    assert.equal(v.realServers[0].ipvsWeight, 1);
  });

  it('a hung checker is aborted by stop and leaves no timer', async () => {
    const r = rig();
    r.checks.hang.add('127.0.0.1|80');
    await r.rec.start(spec(vs(VIP, 80, [rs('127.0.0.1')])));
    await r.clock.advance(1000);
    await r.rec.stop();
    assert.equal(r.clock.pending(), 0);
    assert.equal(r.ipvs.services.size, 0);
  });
});

describe('lvs reconciler: flapping backends', () => {
  it('IPVS always equals the table wanted by the current check results (300 cycles)', async () => {
    const r = rig();
    let seed = 12345;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const plain = vs(VIP, 80, [rs('127.0.0.1'), rs('127.0.0.2'), rs('127.0.0.3', 80, { inhibitOnFailure: true, weight: 3 })]);
    const withSorry = vs('192.0.2.20', 80, [rs('127.0.1.1'), rs('127.0.1.2'), rs('127.0.1.3')], {
      quorum: 2,
      hysteresis: 1,
      sorryServer: sorry('127.0.1.9', 80, { inhibit: true }),
    });
    const allRs = [...plain.realServers, ...withSorry.realServers].map((x) => `${x.addr}|${x.port}`);
    await startAndCheck(r, spec(plain, withSorry));
    let transitions = 0;
    for (let cycle = 0; cycle < 300; cycle++) {
      for (const k of allRs) {
        // Even cycles flip everything (up/down every second), odd ones are random.
        const next = cycle % 2 === 0 ? !(r.checks.up.get(k) ?? true) : rnd() < 0.5;
        if (next !== (r.checks.up.get(k) ?? true)) transitions++;
        r.checks.up.set(k, next);
      }
      await tick(r);
      const wanted = desiredTable(r.rec.state);
      const want = [...wanted.values()].map((w) => ({ ...w.service, dests: [...w.dests.values()] }));
      assert.deepEqual(planTable(await r.ipvs.list(), want, { deletable: new Set() }), [], `cycle ${cycle}: IPVS differs from the wanted table`);
      // Independent oracle for the VS without sorry server: in IPVS with weight > 0 iff its check says up.
      const w = r.ipvs.weights(K);
      for (const x of plain.realServers) {
        const up = r.checks.up.get(`${x.addr}|80`) ?? true;
        const got = w[`${x.addr}|80`];
        if (up) assert.equal(got, x.weight, `cycle ${cycle} ${x.addr} up`);
        else if (x.inhibitOnFailure) assert.equal(got, 0, `cycle ${cycle} ${x.addr} inhibited`);
        else assert.equal(got, undefined, `cycle ${cycle} ${x.addr} down`);
      }
      // The sorry VS: either the sorry server serves (weight 1) and no real server has weight, or the reverse.
      const ws = r.ipvs.weights(svc('192.0.2.20', 80));
      const sorryServing = ws['127.0.1.9|80'] === 1;
      const rsServing = withSorry.realServers.filter((x) => (ws[`${x.addr}|80`] ?? 0) > 0).length;
      assert.ok(sorryServing ? rsServing === 0 : rsServing >= 1, `cycle ${cycle}: sorry ${sorryServing}, rs ${rsServing}`);
    }
    assert.ok(transitions > 300);
  });
});

describe('lvs reconciler: addresses compared as the kernel keeps them', () => {
  // The configuration's text for ::ffff:c000:20a is inet_ntop's ::ffff:192.0.2.10, the kernel's (it was
  // RFC 5952's ::ffff:c000:20a before one formatter, src/lib/addr, served both). The kernel takes such a service address (it refuses such a real server:
  // "address not unicast", checked in the IPVS VM), so a mapped VIP is what a real table holds.
  const VIPM = parseIpv6('::ffff:c000:20a')!;
  const KM = `${IPPROTO_TCP}|::ffff:192.0.2.10|80`;
  const mappedVs = (weight: number) =>
    vs(VIPM, 80, [rs('2001:db8::1', 80, { af: 10, weight }), rs('2001:db8::2', 80, { af: 10 })], {
      services: [{ af: 10, protocol: IPPROTO_TCP, addr: VIPM, port: 80, fwmark: 0 }],
    });

  it('an IPv4-mapped VIP (written ::ffff:c000:20a, kernel ::ffff:192.0.2.10) is found in the kernel: nothing re-added, nothing refused', async () => {
    assert.equal(VIPM, '::ffff:192.0.2.10');
    const ipvs = new KernelLikeIpvs();
    const r = rig({ ipvs });
    await startAndCheck(r, spec(mappedVs(1)));
    assert.deepEqual(ipvs.weights(KM), { '2001:db8::1|80': 1, '2001:db8::2|80': 1 });
    const n = ipvs.attempted.length;
    // Checks keep passing, an unchanged reload, a refused operation (the table is then read back from the kernel).
    await tick(r);
    await r.rec.reload(spec(mappedVs(1)));
    await r.rec.idle();
    ipvs.failNext.push({ kind: 'del-dest', error: 'No such destination' });
    r.checks.up.set('2001:db8::2|80', false);
    await tick(r);
    await tick(r, 1000);
    r.checks.up.set('2001:db8::2|80', true);
    await tick(r);
    await tick(r, 30_000);
    assert.deepEqual(
      ipvs.attempted.slice(n).map((o) => `${o.kind} ${'dest' in o ? o.dest.addr : ''}`),
      ['del-dest 2001:db8::2', 'del-dest 2001:db8::2', 'add-dest 2001:db8::2'],
      'only the failed real server is touched (its removal once refused, then retried)',
    );
    assert.equal(r.rec.status().syncPending, false);
    // A restarted daemon finds the service and its real servers in the kernel and leaves them as they are (keepalived's EEXIST).
    await r.rec.stop();
    const ipvs2 = new KernelLikeIpvs();
    await ipvs2.apply([{ kind: 'add-service', svc: { af: 10, protocol: IPPROTO_TCP, addr: VIPM, port: 80, fwmark: 0, sched: 'wlc', flags: 0, timeout: 0, netmask: 128, pe: '' } }]);
    for (const a of ['2001:db8::1', '2001:db8::2'])
      await ipvs2.apply([{ kind: 'add-dest', svc: { af: 10, protocol: IPPROTO_TCP, addr: VIPM, port: 80, fwmark: 0 }, dest: { af: 10, addr: a, port: 80, fwd: Fwd.MASQ, weight: 1, uThresh: 0, lThresh: 0, tunType: 0, tunPort: 0, tunFlags: 0 } }]);
    const m = ipvs2.attempted.length;
    const r2 = rig({ ipvs: ipvs2 });
    await startAndCheck(r2, spec(mappedVs(3)));
    assert.deepEqual(
      ipvs2.attempted.slice(m).map((o) => `${o.kind} ${'dest' in o ? `${o.dest.addr}:${o.dest.weight}` : ''}`),
      ['add-service ', 'add-dest 2001:db8::1:3', 'add-dest 2001:db8::2:1'],
    );
    assert.deepEqual(ipvs2.weights(KM), { '2001:db8::1|80': 1, '2001:db8::2|80': 1 });
    assert.equal(r2.rec.status().lastIpvsError, undefined);
    assert.equal(r2.rec.status().virtualServers[0].realServers[0].inIpvs, true, 'status finds the service');
  });
});
