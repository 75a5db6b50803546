import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { metricsText, renderStatus } from '../../src/lib/vrrp/control';
import { VrrpDaemon } from '../../src/lib/vrrp/daemon';
import { masterDownIntervalMs, skewTimeMs } from '../../src/lib/vrrp/fsm';
import { decodeIpv4Packet, encodeIpv4Packet } from '../../src/lib/vrrp/packet';
import { daemonConfig, FakeLink, flush, instance, makeNode, VirtualClock } from './vrrp-fakes';

async function pair(aPrio = 150, bPrio = 100, o: Parameters<typeof instance>[0] = {}) {
  const clock = new VirtualClock();
  const link = new FakeLink(clock);
  const a = makeNode(link, 'a', '192.0.2.1');
  const b = makeNode(link, 'b', '192.0.2.2');
  const da = new VrrpDaemon(daemonConfig([instance({ priority: aPrio, ...o })]), a.deps);
  const db = new VrrpDaemon(daemonConfig([instance({ priority: bPrio, ...o })]), b.deps);
  await da.start();
  await db.start();
  return { clock, link, a, b, da, db };
}

const st = (d: VrrpDaemon) => d.status().instances[0];

describe('vrrp daemon (in-process, fake link and clock)', () => {
  it('elects the higher priority; only the master holds the VIP and announces it', async () => {
    const { clock, a, b, da, db } = await pair();
    await clock.advance(5000);
    assert.equal(st(da).state, 'MASTER');
    assert.equal(st(db).state, 'BACKUP');
    assert.equal(st(db).masterAddr, '192.0.2.1');
    assert.deepEqual([...a.net.addrs], ['192.0.2.100/24']);
    assert.deepEqual([...b.net.addrs], []);
    assert.equal(a.net.announced.length, 5, 'garp_master_repeat 5');
    await clock.advance(10_500);
    assert.equal(a.net.announced.length, 10, 'second burst after garp_master_delay');
    await da.stop();
    await db.stop();
  });

  it('adverts on the wire are keepalived-shaped (TTL 255, TOS 0xc0, id counting from 1)', async () => {
    const { clock, link, da, db } = await pair(255, 100);
    await clock.advance(3000);
    const mine = link.sent.filter((s) => s.from === 'a').map((s) => decodeIpv4Packet(s.buf));
    assert.ok(mine.length >= 3);
    assert.deepEqual(
      mine.slice(0, 3).map((m) => m.ip.id),
      [1, 2, 3],
    );
    assert.ok(mine.every((m) => m.ip.ttl === 255 && m.ip.tos === 0xc0 && m.advert.priority === 255 && m.ip.dst === '224.0.0.18'));
    await da.stop();
    await db.stop();
  });

  it('failover after the master dies: takeover at Master_Down_Interval after its last advert', async () => {
    const { clock, link, a, b, da, db } = await pair();
    await clock.advance(5000);
    a.chan!.muted = true; // SIGKILL: silence
    const lastA = Math.max(...link.sent.filter((s) => s.from === 'a').map((s) => s.at));
    await clock.advance(20_000);
    assert.equal(st(db).state, 'MASTER');
    const firstB = link.sent.find((s) => s.from === 'b' && s.at > lastA)!;
    assert.equal(firstB.at - lastA, masterDownIntervalMs(3, 100, 100));
    assert.deepEqual([...b.net.addrs], ['192.0.2.100/24']);
    void da;
  });

  it('graceful stop: priority 0, VIPs removed, backup takes over after Skew_Time', async () => {
    const { clock, link, a, b, da, db } = await pair();
    a.deps.exec = async (cmd, extra) => {
      a.execs.push({ argv: cmd.argv, extra });
      return { code: 0, timedOut: false };
    };
    await clock.advance(5000);
    const t0 = clock.now;
    await da.stop();
    assert.deepEqual([...a.net.addrs], []);
    const zero = link.sent.filter((s) => s.from === 'a').map((s) => decodeIpv4Packet(s.buf).advert.priority);
    assert.equal(zero[zero.length - 1], 0);
    await clock.advance(t0 + 2000);
    assert.equal(st(db).state, 'MASTER');
    assert.match(st(db).lastTransition?.reason ?? '', /^master down timer expired/);
    const took = link.sent.find((s) => s.from === 'b')!.at;
    assert.equal(took - t0, skewTimeMs(3, 100, 100));
    assert.deepEqual([...b.net.addrs], ['192.0.2.100/24']);
  });

  it('preemption: a higher-priority node started later takes over; nopreempt does not', async () => {
    for (const preempt of [true, false]) {
      const clock = new VirtualClock();
      const link = new FakeLink(clock);
      const a = makeNode(link, 'a', '192.0.2.1');
      const b = makeNode(link, 'b', '192.0.2.2');
      const da = new VrrpDaemon(daemonConfig([instance({ priority: 100, preempt })]), a.deps);
      await da.start();
      await clock.advance(5000);
      assert.equal(st(da).state, 'MASTER');
      const db = new VrrpDaemon(daemonConfig([instance({ priority: 200, preempt })]), b.deps);
      await db.start();
      await clock.advance(15_000);
      assert.equal(st(db).state, preempt ? 'MASTER' : 'BACKUP', `preempt=${preempt}`);
      assert.equal(st(da).state, preempt ? 'BACKUP' : 'MASTER');
      assert.equal(a.net.addrs.size, preempt ? 0 : 1);
      await da.stop();
      await db.stop();
    }
  });

  it('equal priorities: the higher primary address is master', async () => {
    const { clock, a, b, da, db } = await pair(100, 100);
    // both become MASTER while they cannot hear each other, then the link heals
    a.chan!.muted = true;
    b.chan!.muted = true;
    await clock.advance(5000);
    assert.equal(st(da).state, 'MASTER');
    assert.equal(st(db).state, 'MASTER');
    a.chan!.muted = false;
    b.chan!.muted = false;
    await clock.advance(10_000);
    assert.equal(st(db).state, 'MASTER');
    assert.equal(st(da).state, 'BACKUP');
    await da.stop();
    await db.stop();
  });

  it('runs notify scripts with keepalived arguments (argv, no shell)', async () => {
    const notify = { master: { argv: ['/bin/m', 'x y'] }, generic: { argv: ['/bin/n'] }, stop: { argv: ['/bin/s'] } };
    const { clock, a, da, db } = await pair(150, 100, { notify });
    await clock.advance(5000);
    assert.deepEqual(a.execs.slice(0, 4), [
      { argv: ['/bin/n'], extra: ['INSTANCE', 'VI_1', 'BACKUP', '150'] },
      { argv: ['/bin/m', 'x y'], extra: [] },
      { argv: ['/bin/n'], extra: ['INSTANCE', 'VI_1', 'MASTER', '150'] },
    ].slice(0, 3));
    await da.stop();
    assert.deepEqual(a.execs.slice(-2), [
      { argv: ['/bin/s'], extra: [] },
      { argv: ['/bin/n'], extra: ['INSTANCE', 'VI_1', 'STOP', '150'] },
    ]);
    await db.stop();
  });

  it('track_interface down -> FAULT (VIPs removed, priority 0 sent), up -> BACKUP', async () => {
    const { clock, link, a, b, da, db } = await pair(150, 100, { trackInterfaces: [{ name: 'eth1', reverse: false }] });
    a.net.setLink('eth1', true);
    b.net.setLink('eth1', true);
    // eth1 was missing at start: both started in FAULT; the link coming up clears it
    await clock.advance(5000);
    assert.equal(st(da).state, 'MASTER');
    a.net.setLink('eth1', false);
    await flush();
    assert.equal(st(da).state, 'FAULT');
    assert.equal(st(da).fault, 'eth1');
    assert.equal(a.net.addrs.size, 0);
    const last = link.sent.filter((s) => s.from === 'a').pop()!;
    assert.equal(decodeIpv4Packet(last.buf).advert.priority, 0);
    await clock.advance(clock.now + 1000);
    assert.equal(st(db).state, 'MASTER');
    a.net.setLink('eth1', true);
    await clock.advance(clock.now + 10_000);
    assert.equal(st(da).state, 'MASTER', 'preempts back');
    await da.stop();
    await db.stop();
  });

  it('a failing vrrp_script lowers the priority (weight) and the peer takes over', async () => {
    const clock = new VirtualClock();
    const link = new FakeLink(clock);
    const a = makeNode(link, 'a', '192.0.2.1');
    const b = makeNode(link, 'b', '192.0.2.2');
    let healthy = true;
    a.execResult = () => ({ code: healthy ? 0 : 1, timedOut: false });
    const script = {
      name: 'chk',
      command: { argv: ['/bin/chk'] },
      intervalMs: 1000,
      timeoutMs: 1000,
      weight: -60,
      reverse: false,
      rise: 2,
      fall: 2,
      initFail: false,
    };
    const da = new VrrpDaemon(
      daemonConfig([instance({ priority: 150, trackScripts: [{ name: 'chk', reverse: false }] })], { scripts: [script] }),
      a.deps,
    );
    const db = new VrrpDaemon(daemonConfig([instance({ priority: 100 })]), b.deps);
    await da.start();
    await db.start();
    await clock.advance(5000);
    assert.equal(st(da).state, 'MASTER');
    healthy = false;
    await clock.advance(clock.now + 1500);
    assert.equal(st(da).effectivePriority, 150, 'fall 2: one failure is not enough');
    await clock.advance(clock.now + 1000);
    assert.equal(st(da).effectivePriority, 90);
    await clock.advance(clock.now + 5000);
    assert.equal(st(db).state, 'MASTER');
    assert.equal(st(da).state, 'BACKUP');
    await da.stop();
    await db.stop();
  });

  it('sync group: members move together', async () => {
    const clock = new VirtualClock();
    const link = new FakeLink(clock);
    const a = makeNode(link, 'a', '192.0.2.1');
    const b = makeNode(link, 'b', '192.0.2.2');
    const two = (p: number) =>
      daemonConfig(
        [
          instance({ name: 'V1', vrid: 1, priority: p }),
          instance({ name: 'V2', vrid: 2, priority: p, vips: [{ address: '192.0.2.101', prefix: 24, family: 4 }] }),
        ],
        { syncGroups: [{ name: 'G', members: ['V1', 'V2'], notify: { generic: { argv: ['/bin/g'] } } }] },
      );
    const da = new VrrpDaemon(two(150), a.deps);
    const db = new VrrpDaemon(two(100), b.deps);
    await da.start();
    await db.start();
    await clock.advance(5000);
    assert.deepEqual(
      da.status().instances.map((i) => i.state),
      ['MASTER', 'MASTER'],
    );
    assert.ok(a.execs.some((e) => e.argv[0] === '/bin/g' && e.extra.join(' ') === 'GROUP G MASTER 0'));
    // V2 on b sees a higher priority: simulate by bumping a's V2 priority down -> b preempts V2, V1 follows
    await da.reload(two(50));
    await clock.advance(clock.now + 10_000);
    assert.deepEqual(
      db.status().instances.map((i) => i.state),
      ['MASTER', 'MASTER'],
    );
    assert.deepEqual(
      da.status().instances.map((i) => i.state),
      ['BACKUP', 'BACKUP'],
    );
    await da.stop();
    await db.stop();
  });

  it('sync group held in BACKUP: a member whose master left while the other still hears its master adds no VIP and sends nothing (issue 15)', async () => {
    const clock = new VirtualClock();
    const link = new FakeLink(clock);
    const a = makeNode(link, 'a', '192.0.2.1');
    const b = makeNode(link, 'b', '192.0.2.2');
    const v2 = { address: '192.0.2.101', prefix: 24, family: 4 as const };
    // A: no sync group, V1 tracks eth1, priority 150; B: both in G at 100
    const da = new VrrpDaemon(
      daemonConfig([
        instance({ name: 'V1', vrid: 1, priority: 150, trackInterfaces: [{ name: 'eth1', reverse: false }] }),
        instance({ name: 'V2', vrid: 2, priority: 150, vips: [v2] }),
      ]),
      a.deps,
    );
    const db = new VrrpDaemon(
      daemonConfig([instance({ name: 'V1', vrid: 1, priority: 100 }), instance({ name: 'V2', vrid: 2, priority: 100, vips: [v2] })], {
        syncGroups: [{ name: 'G', members: ['V1', 'V2'], notify: {} }],
      }),
      b.deps,
    );
    a.net.setLink('eth1', true);
    await da.start();
    await db.start();
    await clock.advance(5000);
    assert.deepEqual(
      da.status().instances.map((i) => i.state),
      ['MASTER', 'MASTER'],
    );
    assert.deepEqual(
      db.status().instances.map((i) => i.state),
      ['BACKUP', 'BACKUP'],
    );
    const t0 = clock.now;
    a.net.setLink('eth1', false);
    await clock.advance(t0 + 20_000);
    assert.equal(da.status().instances[0].state, 'FAULT');
    assert.equal(da.status().instances[1].state, 'MASTER');
    assert.deepEqual(
      db.status().instances.map((i) => i.state),
      ['BACKUP', 'BACKUP'],
    );
    assert.deepEqual(b.net.ops, [], 'no VIP added on B');
    assert.equal(link.sent.filter((s) => s.from === 'b' && s.at >= t0).length, 0, 'B sends nothing (no MASTER advert, no priority 0)');
    assert.deepEqual(
      db.status().instances.map((i) => i.counters.becameMaster),
      [0, 0],
    );
    assert.equal(b.logs.filter((l) => l.includes(' info ') && l.includes('held in BACKUP')).length, 1, 'logged once, not every Master_Down_Interval');
    // A's interface comes back: A's V1 leaves FAULT and, unopposed, is MASTER again; B stays BACKUP
    a.net.setLink('eth1', true);
    await clock.advance(clock.now + 10_000);
    assert.deepEqual(
      da.status().instances.map((i) => i.state),
      ['MASTER', 'MASTER'],
    );
    assert.deepEqual(
      db.status().instances.map((i) => i.state),
      ['BACKUP', 'BACKUP'],
    );
    assert.deepEqual(b.net.ops, []);
    // A's V2 goes too (A dies): now every member of G wants MASTER and the group takes over together
    a.chan!.muted = true;
    await clock.advance(clock.now + 10_000);
    assert.deepEqual(
      db.status().instances.map((i) => i.state),
      ['MASTER', 'MASTER'],
    );
    assert.deepEqual([...b.net.addrs].sort(), ['192.0.2.100/24', '192.0.2.101/24']);
    await da.stop();
    await db.stop();
  });

  it('becoming MASTER: VIPs and GARPs in the same event as the first advert (no event-loop turn between)', async () => {
    // keepalived 2.2.7: the first GARP 0.1-0.4 ms after the first advert; hactl's went
    // through promise chains and the event loop (13-55 ms measured on a loaded host)
    const clock = new VirtualClock();
    const link = new FakeLink(clock);
    const a = makeNode(link, 'a', '192.0.2.1');
    const timeline: string[] = [];
    a.net.enableSync(timeline);
    let atFirstAdvert: string[] | undefined;
    const origPush = link.sent.push.bind(link.sent);
    link.sent.push = (...items) => {
      if (!atFirstAdvert && items.some((x) => x.from === 'a')) {
        timeline.push('advert');
        // runs once the current synchronous job (the timer callback) has returned
        queueMicrotask(() => {
          atFirstAdvert = [...timeline];
        });
      }
      return origPush(...items);
    };
    const da = new VrrpDaemon(daemonConfig([instance({ priority: 150, garpMasterRepeat: 3 })]), a.deps);
    await da.start();
    await flush(); // the start-up clean slate (an event-loop turn in real life)
    await clock.advance(5000);
    assert.equal(st(da).state, 'MASTER');
    assert.deepEqual(atFirstAdvert, ['advert', 'add 192.0.2.100', 'garp 192.0.2.100 x3'], timeline.join(' / ') + a.logs.join('\n'));
    assert.deepEqual([...a.net.addrs], ['192.0.2.100/24']);
    await da.stop();
  });

  it('a reload that gives a MASTER a new VIP announces its VIPs (garp_master_repeat at once, as keepalived 2.2.7)', async () => {
    const { clock, a, da, db } = await pair();
    await clock.advance(10_000); // past the transition's garp_master_delay burst
    a.net.announced.length = 0;
    const next = daemonConfig([
      instance({
        priority: 150,
        vips: [
          { address: '192.0.2.100', prefix: 24, family: 4 },
          { address: '192.0.2.102', prefix: 24, family: 4 },
        ],
      }),
    ]);
    await da.reload(next);
    await flush();
    // keepalived 2.2.7: every VIP of the instance, garp_master_repeat times, at once
    assert.deepEqual(a.net.announced.filter((x) => x === '192.0.2.102').length, 5);
    assert.deepEqual(a.net.announced.filter((x) => x === '192.0.2.100').length, 5);
    await clock.advance(clock.now + 6000);
    assert.equal(a.net.announced.length, 10, 'no garp_master_delay burst after a reload');
    a.net.announced.length = 0;
    await da.reload(next);
    await flush();
    assert.deepEqual(a.net.announced, [], 'a reload without new VIPs announces nothing');
    await da.stop();
    await db.stop();
  });

  it('a reload that adds a track_interface reads its link: a MASTER stays MASTER when the link is up', async () => {
    const { clock, a, da, db } = await pair();
    await clock.advance(5000);
    a.net.links.set('eth1', true);
    await da.reload(daemonConfig([instance({ priority: 150, trackInterfaces: [{ name: 'eth1', reverse: false }] })]));
    await flush();
    assert.equal(st(da).state, 'MASTER', `fault: ${st(da).fault}`);
    assert.equal(st(da).counters.txPriorityZero, 0);
    // and the link is followed from then on (weight 0: down is FAULT)
    a.net.setLink('eth1', false);
    await clock.advance(100);
    await flush();
    assert.equal(st(da).state, 'FAULT');
    await da.stop();
    await db.stop();
  });

  it('SIGHUP reload keeps a MASTER VIP (no delete), adds new VIPs, removes dropped ones', async () => {
    const { clock, a, da, db } = await pair();
    await clock.advance(5000);
    a.net.ops.length = 0;
    const next = daemonConfig([
      instance({
        priority: 150,
        vips: [
          { address: '192.0.2.100', prefix: 24, family: 4 },
          { address: '192.0.2.102', prefix: 24, family: 4 },
        ],
      }),
    ]);
    const r = await da.reload(next);
    await flush();
    assert.deepEqual(r.changed, ['VI_1']);
    assert.equal(st(da).state, 'MASTER');
    assert.ok(!a.net.ops.includes('del 192.0.2.100/24'), a.net.ops.join(','));
    assert.deepEqual([...a.net.addrs].sort(), ['192.0.2.100/24', '192.0.2.102/24']);
    const back = daemonConfig([instance({ priority: 150, vips: [{ address: '192.0.2.102', prefix: 24, family: 4 }] })]);
    await da.reload(back);
    await flush();
    assert.deepEqual([...a.net.addrs], ['192.0.2.102/24']);
    assert.equal(st(da).state, 'MASTER');
    // reload with an unchanged config does nothing
    a.net.ops.length = 0;
    const same = await da.reload(back);
    assert.deepEqual(same, { added: [], removed: [], changed: [] });
    assert.deepEqual(a.net.ops, []);
    await da.stop();
    await db.stop();
  });

  it('a reload that deletes instances: priority 0 from a master, VIPs gone, FAULT or (notify_deleted) DELETED notifies', async () => {
    const clock = new VirtualClock();
    const link = new FakeLink(clock);
    const a = makeNode(link, 'a', '192.0.2.1');
    const fifo: string[] = [];
    a.deps.writeFifo = (_p, line) => fifo.push(line);
    const notify = (tag: string) => ({
      generic: { argv: ['/bin/n', tag] },
      fault: { argv: ['/bin/fault'] },
      stop: { argv: ['/bin/stop'] },
      deleted: { argv: ['/bin/deleted'] },
    });
    const keep = instance({ name: 'KEEP', vrid: 3, priority: 150, vips: [{ address: '192.0.2.103', prefix: 24, family: 4 }] });
    const cfg = daemonConfig(
      [
        instance({ name: 'PLAIN', vrid: 1, priority: 150, notify: notify('p') }),
        instance({ name: 'DEL', vrid: 2, priority: 150, vips: [{ address: '192.0.2.101', prefix: 24, family: 4 }], notify: { ...notify('d'), sendDeleted: true } }),
        keep,
      ],
      { notifyFifo: '/run/f' },
    );
    const da = new VrrpDaemon(cfg, a.deps);
    await da.start();
    await clock.advance(5000);
    assert.deepEqual(
      da.status().instances.map((i) => i.state),
      ['MASTER', 'MASTER', 'MASTER'],
    );
    a.execs.length = 0;
    fifo.length = 0;
    const before = link.sent.length;
    const r = await da.reload(daemonConfig([keep], { notifyFifo: '/run/f' }));
    await flush();
    assert.deepEqual(r.removed, ['PLAIN', 'DEL']);
    const prio0 = link.sent
      .slice(before)
      .map((x) => decodeIpv4Packet(x.buf).advert)
      .filter((ad) => ad.priority === 0)
      .map((ad) => ad.vrid)
      .sort();
    assert.deepEqual(prio0, [1, 2], 'each deleted master sends priority 0');
    assert.deepEqual([...a.net.addrs], ['192.0.2.103/24']);
    assert.deepEqual(
      a.execs.map((e) => [...e.argv, ...e.extra].join(' ')).sort(),
      ['/bin/deleted', '/bin/n d INSTANCE DEL DELETED 150', '/bin/n p INSTANCE PLAIN FAULT 150'],
      'no notify_fault, no notify_stop; notify_deleted only with sendDeleted',
    );
    assert.deepEqual(fifo.sort(), ['INSTANCE "DEL" DELETED 150\n', 'INSTANCE "PLAIN" FAULT 150\n']);
    assert.deepEqual(
      da.status().instances.map((i) => i.name),
      ['KEEP'],
    );
    await clock.advance(5000);
    assert.equal(
      link.sent.slice(before).filter((x) => decodeIpv4Packet(x.buf).advert.vrid !== 3 && decodeIpv4Packet(x.buf).advert.priority !== 0).length,
      0,
      'a deleted instance sends nothing more',
    );
    await da.stop();
  });

  it('timer safety: adverts queued during a stall are read before declaring the master down', async () => {
    const { clock, link, da, db } = await pair();
    await clock.advance(5000);
    assert.equal(st(db).state, 'BACKUP');
    link.queued = true;
    // the loop of node b stalls for 5 s while a keeps advertising: a's timers still run (other process)
    // emulate: a's adverts are queued for b and never polled; b's timer fires late
    const rx0 = st(db).counters.rxAdverts;
    await clock.advance(clock.now + 20_000);
    assert.equal(st(db).state, 'BACKUP', 'no false takeover');
    assert.ok(st(db).counters.rxAdverts > rx0, 'queued adverts were read by the pre-takeover drain');
    await da.stop();
    await db.stop();
  });

  it('Skew_Time counts from when the priority-0 advert was received (RxPacket.at), not from when it was decoded', async () => {
    const { clock, link, a, da, db } = await pair();
    await clock.advance(5000);
    assert.equal(st(db).state, 'BACKUP');
    // a goes quiet (SIGTERM); its priority-0 advert reached b's socket at `rx`
    // and b's loop handles it 4 ms later
    a.chan!.muted = true;
    const rx = clock.now + 1;
    clock.stall(5);
    const zero = encodeIpv4Packet(
      { version: 3, vrid: 51, priority: 0, intervalCs: 100, addrs: ['192.0.2.100'], auth: { type: 'none' } },
      { src: '192.0.2.1', dst: '224.0.0.18', id: 7 },
    );
    // the kernel stamped it at `rx`; the socket became readable 1 ms later
    db.onPacket('eth0', { family: 4, raw: zero, kernelAt: rx, at: rx + 1 });
    await clock.advance(clock.now + 2000);
    const first = link.sent.find((s) => s.from === 'b' && s.at > rx)!;
    assert.equal(first.at - rx, skewTimeMs(3, 100, 100), 'takeover at receipt + Skew_Time');
    assert.equal(st(db).state, 'MASTER');
    await da.stop();
    await db.stop();
  });

  it('a regular advert counts from when it was read, not from its (earlier) kernel timestamp', async () => {
    const { clock, link, a, da, db } = await pair();
    await clock.advance(5000);
    a.chan!.muted = true;
    const adv = encodeIpv4Packet(
      { version: 3, vrid: 51, priority: 150, intervalCs: 100, addrs: ['192.0.2.100'], auth: { type: 'none' } },
      { src: '192.0.2.1', dst: '224.0.0.18', id: 9 },
    );
    // delivered late by a loaded receive path: stamped 30 ms before it could be read
    const readAt = clock.now + 1;
    clock.stall(1);
    db.onPacket('eth0', { family: 4, raw: adv, kernelAt: readAt - 30, at: readAt });
    await clock.advance(clock.now + 10_000);
    const first = link.sent.find((s) => s.from === 'b' && s.at > readAt)!;
    assert.equal(first.at - readAt, masterDownIntervalMs(3, 100, 100), 'Master_Down_Interval from the read time');
    await da.stop();
    await db.stop();
  });

  it('sleepSync: the last ms before a takeover are slept precisely; advert timers never block', async () => {
    const clock = new VirtualClock();
    const link = new FakeLink(clock);
    const a = makeNode(link, 'a', '192.0.2.1');
    const b = makeNode(link, 'b', '192.0.2.2');
    const sleeps: { node: string; ms: number; state: string }[] = [];
    let db: VrrpDaemon | undefined;
    let da: VrrpDaemon | undefined;
    for (const [n, get] of [
      [a, () => da],
      [b, () => db],
    ] as const) {
      n.deps.sleepSync = (ms) => {
        sleeps.push({ node: n.name, ms, state: get()?.status().instances[0].state ?? '?' });
        clock.stall(ms);
      };
    }
    da = new VrrpDaemon(daemonConfig([instance({ priority: 150 })]), a.deps);
    db = new VrrpDaemon(daemonConfig([instance({ priority: 100 })]), b.deps);
    await da.start();
    await db.start();
    await clock.advance(5000);
    assert.equal(st(da).state, 'MASTER');
    assert.equal(st(db).state, 'BACKUP');
    const masterSleeps = sleeps.filter((s) => s.state === 'MASTER').length;
    a.chan!.muted = true;
    const lastA = Math.max(...link.sent.filter((s) => s.from === 'a').map((s) => s.at));
    await clock.advance(clock.now + 10_000);
    assert.equal(st(db).state, 'MASTER');
    const firstB = link.sent.find((s) => s.from === 'b' && s.at > lastA)!;
    assert.equal(firstB.at - lastA, masterDownIntervalMs(3, 100, 100), 'exact Master_Down_Interval');
    const bSleeps = sleeps.filter((s) => s.node === 'b' && s.state === 'BACKUP');
    assert.ok(bSleeps.length >= 1, 'the takeover went through the precise sleep');
    assert.ok(
      bSleeps.every((s) => s.ms > 0 && s.ms <= 3),
      JSON.stringify(bSleeps),
    );
    assert.equal(sleeps.filter((s) => s.state === 'MASTER').length, masterSleeps, 'a master never sleeps for its advert timer');
    assert.equal(masterSleeps, 0);
    await da.stop();
    await db.stop();
  });

  it('instances that start together keep one advert cadence (keepalived time_now): one wake-up per interval, not one per instance', async () => {
    const clock = new VirtualClock();
    const link = new FakeLink(clock);
    const a = makeNode(link, 'a', '192.0.2.1');
    a.deps.sleepSync = (ms) => clock.stall(ms);
    a.deps.immediate = clock.immediate;
    a.net.enableSync();
    // each MASTER transition's VIP add takes 1 ms of the thread, as the rtnetlink round trip does
    const add = a.net.addVipNow!;
    a.net.addVipNow = (v, ifname) => {
      add(v, ifname);
      clock.stall(1);
    };
    const n = 10;
    const insts = Array.from({ length: n }, (_, i) =>
      instance({ name: `VI_${i + 1}`, vrid: i + 1, priority: 150, vips: [{ address: `192.0.2.${100 + i}`, prefix: 24, family: 4 }] }),
    );
    const d = new VrrpDaemon(daemonConfig(insts), a.deps);
    await d.start();
    await clock.advance(8000);
    assert.ok(
      d.status().instances.every((i) => i.state === 'MASTER'),
      'all MASTER',
    );
    // the adverts of the last whole second: one per instance, all at one time
    const window = link.sent.filter((s) => s.from === 'a' && s.at > clock.now - 1000);
    assert.equal(window.length, n, `one advert per instance per second: ${window.map((s) => s.at.toFixed(3)).join(' ')}`);
    const times = new Set(window.map((s) => s.at.toFixed(3)));
    assert.equal(times.size, 1, `one send time (one wake-up) for all instances, got ${[...times].join(' ')}`);
    await d.stop();
  });

  it('compact: one full collection after start-up, only when no timer is due within 80 ms (never at advert_int 0.01)', async () => {
    for (const [cs, expected] of [
      [100, 1],
      [1, 0],
    ] as const) {
      const clock = new VirtualClock();
      const link = new FakeLink(clock);
      // the event-loop advert timer (a native sender's adverts do not wait for the collection)
      link.nativeSenders = false;
      const a = makeNode(link, 'a', '192.0.2.1');
      const at: number[] = [];
      a.deps.compact = () => {
        at.push(clock.now);
      };
      const d = new VrrpDaemon(daemonConfig([instance({ priority: 150, intervalCs: cs })]), a.deps);
      await d.start();
      await clock.advance(9_000);
      assert.equal(at.length, 0, 'not before the daemon has settled');
      await clock.advance(20_000);
      assert.equal(at.length, expected, `advert_int ${cs / 100} s: ${at.length} collections at ${at.join(' ')}`);
      if (expected) {
        // an advert goes out at 1 s cadence: the collection came >= 80 ms before the next one
        const sends = link.sent.filter((s) => s.from === 'a').map((s) => s.at);
        const next = sends.find((t) => t > at[0])!;
        assert.ok(next - at[0] >= 80, `collection ${(next - at[0]).toFixed(1)} ms before the next advert`);
      }
      await d.stop();
    }
  });

  it('given no firewall (an embedding without nftables), no_accept on a non-owner warns that it is not enforced; an owner or accept stays quiet', async () => {
    const clock = new VirtualClock();
    const link = new FakeLink(clock);
    const a = makeNode(link, 'a', '192.0.2.1');
    const da = new VrrpDaemon(
      daemonConfig([
        instance({ accept: false }),
        instance({ name: 'VI_2', vrid: 52, accept: false, priority: 255 }),
        instance({ name: 'VI_3', vrid: 53, accept: true }),
      ]),
      a.deps,
    );
    await da.start();
    const warns = a.logs.filter((l) => / warn .*no_accept/.test(l));
    assert.equal(warns.length, 1, warns.join('\n'));
    assert.match(warns[0], /\(VI_1\) no_accept is not enforced/);
    await da.stop();
  });

  it('notify_fifo gets keepalived-format lines; track_file values change the priority or FAULT', async () => {
    const clock = new VirtualClock();
    const link = new FakeLink(clock);
    const a = makeNode(link, 'a', '192.0.2.1');
    const fifo: string[] = [];
    const files: Record<string, string> = { '/run/w': '0', '/run/f': '0' };
    a.deps.writeFifo = (p, line) => fifo.push(`${p}:${line}`);
    a.deps.readFile = (p) => files[p];
    const cfg = daemonConfig(
      [
        instance({ priority: 150, trackFiles: [{ name: 'w', reverse: false }] }),
        instance({ name: 'VI_2', vrid: 52, priority: 100, trackFiles: [{ name: 'f', reverse: false }] }),
      ],
      {
        notifyFifo: '/run/vrrp.fifo',
        trackFiles: [
          { name: 'w', path: '/run/w', weight: -10, reverse: false },
          { name: 'f', path: '/run/f', weight: 0, reverse: false },
        ],
      },
    );
    const da = new VrrpDaemon(cfg, a.deps);
    await da.start();
    await clock.advance(5000);
    assert.ok(fifo.includes('/run/vrrp.fifo:INSTANCE "VI_1" MASTER 150\n'), fifo.join(''));
    files['/run/w'] = '3';
    files['/run/f'] = '1';
    await clock.advance(clock.now + 1000);
    assert.equal(da.status().instances[0].effectivePriority, 120, 'priority += value * weight');
    assert.equal(da.status().instances[1].state, 'FAULT', 'weight 0 and a non-zero value: FAULT');
    files['/run/f'] = '0';
    await clock.advance(clock.now + 1000);
    assert.equal(da.status().instances[1].state, 'BACKUP');
    files['/run/w'] = '0x2 (hex, as strtol base 0)';
    await clock.advance(clock.now + 1000);
    assert.equal(da.status().instances[0].effectivePriority, 130, 'hex value read like keepalived');
    files['/run/w'] = '99999999999';
    await clock.advance(clock.now + 1000);
    assert.equal(da.status().instances[0].effectivePriority, 130, 'an out-of-range value keeps the previous one');
    await da.stop();
    assert.ok(fifo.some((l) => l.endsWith('INSTANCE "VI_1" STOP 130\n')));
  });

  it('status and metrics render every instance', async () => {
    const { clock, da, db } = await pair();
    await clock.advance(5000);
    const s = da.status();
    assert.match(renderStatus(s), /VI_1\s+eth0\s+51\s+v3\s+MASTER\s+150\s+192\.0\.2\.1\/150/);
    assert.match(metricsText(s), /hactl_vrrp_state\{instance="VI_1"\} 2/);
    assert.match(metricsText(db.status()), /hactl_vrrp_adverts_received_total\{instance="VI_1"\} [1-9]/);
    await da.stop();
    await db.stop();
  });
});
