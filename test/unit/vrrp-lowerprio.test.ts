import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig, memoryReader } from '../../src/lib/conf';
import type { InstanceConfig } from '../../src/lib/vrrp/config';
import { fromModel } from '../../src/lib/vrrp/config';
import { VrrpDaemon } from '../../src/lib/vrrp/daemon';
import { type Action, type FsmParams, VrrpFsm } from '../../src/lib/vrrp/fsm';
import { decodeIpv4Packet, encodeIpv4Packet } from '../../src/lib/vrrp/packet';
import type { DecodedAdvert } from '../../src/lib/vrrp/packet';
import { advert, daemonConfig, FakeChannel, FakeLink, flush, fsmParams, instance, makeNode, VirtualClock } from './vrrp-fakes';

// ---------------------------------------------------------------- pure FSM

const P = (o: Partial<FsmParams> = {}): FsmParams => fsmParams({ priority: 150, ...o });
const adv = (priority: number): DecodedAdvert => advert(priority);

/** A machine that is MASTER at t=10 000 (master down timer expired). */
function master(o: Partial<FsmParams> = {}): VrrpFsm {
  const f = new VrrpFsm(P(o));
  f.start(0);
  f.tick(f.deadline() ?? 0);
  assert.equal(f.state, 'MASTER');
  return f;
}

const kinds = (acts: Action[]) => acts.map((a) => (a.kind === 'send' ? `send:${a.priority}` : a.kind === 'transition' ? `to:${a.to}` : a.kind === 'lowerPrio' ? `lower:${a.from}:${a.priority}` : `held:${a.by}`));

describe('vrrp FSM: lower_prio_no_advert / higher_prio_send_advert', () => {
  it('MASTER answers a lower-priority advert with an advert at its own priority (default)', () => {
    const f = master();
    assert.deepEqual(kinds(f.receive(adv(100), '192.0.2.2', 10_000)), ['send:150', 'lower:192.0.2.2:100']);
    assert.equal(f.state, 'MASTER');
    assert.equal(f.deadline(), 10_000 + 1000, 'advert timer restarted from the answer');
  });

  it('equal priority from a lower address is a lower-priority advert', () => {
    const f = master({ priority: 100, primaryAddr: '192.0.2.5' });
    assert.deepEqual(kinds(f.receive(adv(100), '192.0.2.2', 10_000)), ['send:100', 'lower:192.0.2.2:100']);
  });

  it('lower_prio_no_advert: no answer, timer untouched, the lowerPrio event still reported', () => {
    const f = master({ lowerPrioNoAdvert: true });
    const before = f.deadline();
    const tx = f.stats.txAdverts;
    assert.deepEqual(kinds(f.receive(adv(100), '192.0.2.2', before! - 1)), ['lower:192.0.2.2:100']);
    assert.equal(f.deadline(), before);
    assert.equal(f.stats.txAdverts, tx);
  });

  it('priority 0 is not a lower-priority advert (answered, no lowerPrio event)', () => {
    const f = master({ lowerPrioNoAdvert: true });
    assert.deepEqual(kinds(f.receive(adv(0), '192.0.2.2', 10_000)), ['send:150']);
  });

  it('higher_prio_send_advert: one advert at our priority, then BACKUP', () => {
    const f = master({ higherPrioSendAdvert: true });
    assert.deepEqual(kinds(f.receive(adv(200), '192.0.2.2', 10_000)), ['send:150', 'to:BACKUP']);
    const g = master();
    assert.deepEqual(kinds(g.receive(adv(200), '192.0.2.2', 10_000)), ['to:BACKUP']);
    // equal priority, higher address: also yields, and also answers first
    const h = master({ higherPrioSendAdvert: true, priority: 100 });
    assert.deepEqual(kinds(h.receive(adv(100), '192.0.2.9', 10_000)), ['send:100', 'to:BACKUP']);
  });

  it('a BACKUP never answers (neither switch applies)', () => {
    const f = new VrrpFsm(P({ higherPrioSendAdvert: true }));
    f.start(0);
    assert.deepEqual(kinds(f.receive(adv(200), '192.0.2.2', 10)), []);
    assert.deepEqual(kinds(f.receive(adv(100), '192.0.2.2', 20)), []);
  });
});

// ---------------------------------------------------------------- daemon

/** Node `a` (priority 150) becomes MASTER alone; `inject` sends an advert from 192.0.2.2 on the link. */
async function lone(o: Partial<InstanceConfig>, notifyFifo?: string) {
  const clock = new VirtualClock();
  const link = new FakeLink(clock);
  const a = makeNode(link, 'a', '192.0.2.1');
  const fifo: string[] = [];
  a.deps.writeFifo = (_path: string, line: string) => {
    fifo.push(line);
  };
  const d = new VrrpDaemon(
    daemonConfig([instance({ priority: 150, garpMasterRepeat: 1, garpMasterDelayMs: 0, ...o })], notifyFifo ? { notifyFifo } : {}),
    a.deps,
  );
  await d.start();
  await clock.advance(5000);
  assert.equal(d.status().instances[0].state, 'MASTER');
  const peer = new FakeChannel(link, 'peer', 'eth0', 4, () => {});
  link.channels.push(peer);
  const inject = async (priority: number) => {
    const pkt = encodeIpv4Packet(
      { version: 3, vrid: 51, priority, intervalCs: 100, addrs: ['192.0.2.100'], auth: { type: 'none' } },
      { src: '192.0.2.2', dst: '224.0.0.18', id: 1 },
    );
    peer.send(pkt, '224.0.0.18');
    await flush();
  };
  /** priorities of a's adverts sent at exactly `t` */
  const sentAt = (t: number) =>
    link.sent.filter((s) => s.from === 'a' && s.at === t).map((s) => decodeIpv4Packet(s.buf).advert.priority);
  return { clock, link, a, d, fifo, inject, sentAt };
}

describe('vrrp daemon: lower-priority advert as MASTER (keepalived vrrp_state_master_rx)', () => {
  it('default: answers with an advert, GARP burst now and after garp_lower_prio_delay, runs notify_master_rx_lower_pri', async () => {
    const { clock, a, d, fifo, inject, sentAt } = await lone(
      { garpLowerPrioRepeat: 3, garpLowerPrioDelayMs: 2000, notify: { masterRxLowerPri: { argv: ['/bin/rx', 'a b'] }, generic: { argv: ['/bin/n'] } } },
      '/run/fifo',
    );
    const g0 = a.net.announced.length;
    const e0 = a.execs.length;
    await inject(100);
    const t = clock.now;
    assert.deepEqual(sentAt(t), [150], 'one advert at our priority, at once');
    assert.equal(a.net.announced.length - g0, 3, 'garp_lower_prio_repeat GARPs at once');
    assert.deepEqual(a.execs.slice(e0), [{ argv: ['/bin/rx', 'a b'], extra: [] }], 'notify_master_rx_lower_pri only (no generic notify)');
    assert.deepEqual(fifo.slice(-1), ['INSTANCE "VI_1" MASTER_RX_LOWER_PRI 150\n']);
    await clock.advance(t + 1999);
    assert.equal(a.net.announced.length - g0, 3, 'nothing before the delay');
    await clock.advance(t + 2000);
    assert.equal(a.net.announced.length - g0, 6, 'second burst after garp_lower_prio_delay');
    await clock.advance(t + 10_000);
    assert.equal(a.net.announced.length - g0, 6, 'no further bursts');
    assert.equal(d.status().instances[0].state, 'MASTER');
    assert.ok(a.logs.some((l) => /Received advert from 192\.0\.2\.2 with lower priority 100, ours 150, forcing new election/.test(l)));
    await d.stop();
  });

  it('lower_prio_no_advert: no answering advert, GARPs and script still happen', async () => {
    const { clock, a, d, inject, sentAt } = await lone({
      lowerPrioNoAdvert: true,
      garpLowerPrioRepeat: 2,
      garpLowerPrioDelayMs: 0,
      notify: { masterRxLowerPri: { argv: ['/bin/rx'] } },
    });
    const g0 = a.net.announced.length;
    await inject(100);
    assert.deepEqual(sentAt(clock.now), []);
    assert.equal(a.net.announced.length - g0, 2);
    assert.deepEqual(a.execs.slice(-1), [{ argv: ['/bin/rx'], extra: [] }]);
    await clock.advance(clock.now + 10_000);
    assert.equal(a.net.announced.length - g0, 2, 'delay 0: no second burst');
    assert.equal(d.status().instances[0].state, 'MASTER');
    await d.stop();
  });

  it('garp_lower_prio_repeat 0: no GARPs; without the script nothing is run', async () => {
    const { clock, a, d, inject, sentAt } = await lone({ garpLowerPrioRepeat: 0, garpLowerPrioDelayMs: 1000 });
    const g0 = a.net.announced.length;
    const e0 = a.execs.length;
    await inject(100);
    assert.deepEqual(sentAt(clock.now), [150]);
    await clock.advance(clock.now + 5000);
    assert.equal(a.net.announced.length, g0);
    assert.equal(a.execs.length, e0);
    await d.stop();
  });

  it('higher_prio_send_advert: one advert with our own priority, then BACKUP; off: no advert', async () => {
    for (const on of [true, false]) {
      const { clock, d, inject, sentAt } = await lone({ higherPrioSendAdvert: on });
      await inject(200);
      assert.deepEqual(sentAt(clock.now), on ? [150] : [], `higher_prio_send_advert ${on}`);
      assert.equal(d.status().instances[0].state, 'BACKUP');
      await d.stop();
    }
  });
});

// ---------------------------------------------------------------- config

function map(text: string) {
  const r = loadConfig('/etc/keepalived/keepalived.conf', { reader: memoryReader({ '/etc/keepalived/keepalived.conf': text }), configId: 'x', env: {} });
  return fromModel(r.model).config;
}

const inst = (body: string, global = '') => `global_defs {\n${global}\n}\nvrrp_instance VI_1 {\n interface eth0\n virtual_router_id 51\n virtual_ipaddress {\n  192.0.2.100/24\n }\n${body}\n}\n`;

describe('vrrp config: lower/higher priority keywords', () => {
  it('maps the instance keywords', () => {
    const c = map(
      inst(` lower_prio_no_advert
 higher_prio_send_advert on
 garp_lower_prio_delay 3
 garp_lower_prio_repeat 7
 notify_master_rx_lower_pri "/usr/local/bin/rx arg"`),
    ).instances[0];
    assert.equal(c.lowerPrioNoAdvert, true);
    assert.equal(c.higherPrioSendAdvert, true);
    assert.equal(c.garpLowerPrioDelayMs, 3000);
    assert.equal(c.garpLowerPrioRepeat, 7);
    assert.deepEqual(c.notify.masterRxLowerPri?.argv, ['/usr/local/bin/rx', 'arg']);
  });

  it("defaults: answer, no higher-priority advert, GARP values of the global vrrp_garp_master_* (never the instance's)", () => {
    const c = map(inst(' garp_master_delay 4\n garp_master_repeat 2')).instances[0];
    assert.equal(c.lowerPrioNoAdvert, false);
    assert.equal(c.higherPrioSendAdvert, false);
    // keepalived 2.2.7 on the wire (vrrp-lowprio lab, VI_LOW_GMR): 5 + 5 GARPs at 5 s
    assert.equal(c.garpLowerPrioDelayMs, 5000);
    assert.equal(c.garpLowerPrioRepeat, 5);
    const g = map(inst(' garp_master_delay 4', ' vrrp_garp_master_delay 3\n vrrp_garp_master_repeat 2')).instances[0];
    assert.equal(g.garpLowerPrioDelayMs, 3000);
    assert.equal(g.garpLowerPrioRepeat, 2);
  });

  it('global_defs defaults, and the instance overriding them (off)', () => {
    const g = ' vrrp_lower_prio_no_advert\n vrrp_higher_prio_send_advert';
    const c = map(inst('', g)).instances[0];
    assert.equal(c.lowerPrioNoAdvert, true);
    assert.equal(c.higherPrioSendAdvert, true);
    const gg = map(inst(' garp_master_repeat 2', ' vrrp_garp_lower_prio_delay 9\n vrrp_garp_lower_prio_repeat 3')).instances[0];
    assert.equal(gg.garpLowerPrioDelayMs, 9000, 'global vrrp_garp_lower_prio_delay before garp_master_delay');
    assert.equal(gg.garpLowerPrioRepeat, 3, 'global vrrp_garp_lower_prio_repeat before garp_master_repeat');
    const o = map(inst(' lower_prio_no_advert off\n higher_prio_send_advert off', g)).instances[0];
    assert.equal(o.lowerPrioNoAdvert, false);
    assert.equal(o.higherPrioSendAdvert, false);
  });

  it('strict mode forces lower_prio_no_advert on, higher_prio_send_advert off and no lower-priority GARPs', () => {
    assert.equal(map(inst('', ' vrrp_strict')).instances[0].lowerPrioNoAdvert, true);
    const s = map(inst(' lower_prio_no_advert false\n higher_prio_send_advert\n garp_lower_prio_repeat 2\n garp_lower_prio_delay 2', ' vrrp_strict')).instances[0];
    assert.deepEqual([s.lowerPrioNoAdvert, s.higherPrioSendAdvert, s.garpLowerPrioRepeat, s.garpLowerPrioDelayMs], [true, false, 0, 0]);
  });
});
