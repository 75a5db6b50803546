/**
 * The MASTER advert timer on the native sender (transport AdvertSender, native/packet/sender.c),
 * driven through the fakes: which state-machine action arms, re-arms and disarms it.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { metricsText } from '../../src/lib/vrrp/control';
import { VrrpDaemon } from '../../src/lib/vrrp/daemon';
import { masterDownIntervalMs } from '../../src/lib/vrrp/fsm';
import { decodeIpv4Packet, encodeIpv4Packet } from '../../src/lib/vrrp/packet';
import type { InstanceConfig } from '../../src/lib/vrrp/config';
import { daemonConfig, FakeLink, instance, makeNode, VirtualClock } from './vrrp-fakes';

const MDI = masterDownIntervalMs(3, 150, 100);

async function master(o: Partial<InstanceConfig> = {}) {
  const clock = new VirtualClock();
  const link = new FakeLink(clock);
  link.nativeSenders = true;
  const a = makeNode(link, 'a', '192.0.2.1');
  const da = new VrrpDaemon(daemonConfig([instance({ priority: 150, ...o })]), a.deps);
  await da.start();
  await clock.advance(MDI + 1);
  assert.equal(da.status().instances[0].state, 'MASTER');
  // what a peer sends: an advert from 192.0.2.2 with this priority, read now
  const peer = (priority: number, vrid = 51) =>
    da.onPacket('eth0', {
      family: 4,
      raw: encodeIpv4Packet({ version: 3, vrid, priority, intervalCs: 100, addrs: ['192.0.2.100'], auth: { type: 'none' } }, { src: '192.0.2.2', dst: '224.0.0.18', id: 1 }),
      at: clock.now,
    });
  const ops = () => link.senderLog.filter((e) => e.op !== 'checkIn').map((e) => `${e.at} ${e.op}${e.op === 'arm' ? ` +${e.delayMs} /${e.intervalMs} p${e.priority}` : ''}`);
  const sentAt = () => link.sent.filter((s) => s.from === 'a').map((s) => `${s.at} p${decodeIpv4Packet(s.buf).advert.priority}`);
  return { clock, link, a, da, peer, ops, sentAt };
}

describe('vrrp daemon: the MASTER advert timer on the native sender', () => {
  it('armed on becoming MASTER, re-armed when the FSM restarts the advert timer (lower priority, priority 0), disarmed on leaving MASTER', async () => {
    const { clock, da, peer, ops, sentAt } = await master();
    const t0 = MDI;
    // the transition's advert from JS, then the sender from t0 + 1 s
    assert.deepEqual(ops(), [`${t0} arm +1000 /1000 p150`]);
    await clock.advance(t0 + 2500);
    assert.deepEqual(sentAt(), [`${t0} p150`, `${t0 + 1000} p150`, `${t0 + 2000} p150`]);
    // a lower-priority advert: answered at once, the timer restarts from its receipt (keepalived)
    await clock.advance(t0 + 2600);
    peer(100);
    assert.deepEqual(ops().slice(1), [`${t0 + 2600} arm +1000 /1000 p150`]);
    // priority 0 from a leaving master: the same
    await clock.advance(t0 + 3000);
    peer(0);
    assert.equal(ops().length, 3);
    assert.equal(ops()[2], `${t0 + 3000} arm +1000 /1000 p150`);
    // an advert for another VRID or our own: no change to the cadence
    peer(100, 52);
    await clock.advance(t0 + 4500);
    assert.equal(ops().length, 3);
    assert.deepEqual(sentAt().slice(3), [`${t0 + 2600} p150`, `${t0 + 3000} p150`, `${t0 + 4000} p150`]);
    // a higher priority: BACKUP, the sender stops
    peer(200);
    assert.equal(da.status().instances[0].state, 'BACKUP');
    assert.deepEqual(ops().slice(3), [`${t0 + 4500} disarm`]);
    await clock.advance(t0 + 4500 + 3000);
    assert.equal(sentAt().length, 6, 'nothing sent as BACKUP');
    await da.stop();
  });

  it('lower_prio_no_advert: a lower-priority advert leaves the sender as armed', async () => {
    const { clock, peer, ops, da } = await master({ lowerPrioNoAdvert: true });
    await clock.advance(MDI + 1500);
    peer(100);
    peer(0);
    assert.deepEqual(ops(), [`${MDI} arm +1000 /1000 p150`]);
    await da.stop();
  });

  it('FAULT disarms before the priority-0 advert; stop closes the sender before its priority-0 advert; counters reach status and /metrics', async () => {
    const { clock, da, ops, sentAt } = await master();
    await clock.advance(MDI + 2500);
    da.setInternalTrack('LVS half', false);
    assert.equal(da.status().instances[0].state, 'FAULT');
    assert.deepEqual(ops().slice(1), [`${MDI + 2500} disarm`]);
    assert.equal(sentAt().at(-1), `${MDI + 2500} p0`);
    da.setInternalTrack('LVS half', true);
    await clock.advance(MDI + 2500 + MDI + 1);
    assert.equal(da.status().instances[0].state, 'MASTER');
    assert.equal(ops().at(-1), `${MDI + 2500 + MDI} arm +1000 /1000 p150`);
    await clock.advance(MDI + 2500 + MDI + 2100);
    const s = da.status().instances[0];
    assert.equal(s.counters.txAdverts, sentAt().length, 'the FSM adverts plus the sender adverts');
    assert.equal(s.counters.txErrors, 0);
    assert.match(metricsText(da.status()), /hactl_vrrp_advert_send_errors_total\{instance="VI_1"\} 0/);
    const before = ops().length;
    await da.stop();
    assert.deepEqual(ops().slice(before, before + 1), [`${clock.now} close`]);
    assert.equal(sentAt().at(-1), `${clock.now} p0`, 'the last advert is the priority-0 one');
  });

  it('a reload that changes the adverts (a new VIP) re-arms with the new bytes on the same cadence', async () => {
    const { clock, da, ops, link } = await master();
    await clock.advance(MDI + 2300);
    await da.reload(
      daemonConfig([
        instance({
          priority: 150,
          vips: [
            { address: '192.0.2.100', prefix: 24, family: 4 },
            { address: '192.0.2.101', prefix: 24, family: 4 },
          ],
        }),
      ]),
    );
    const re = ops().slice(1);
    assert.equal(re.length, 1, re.join('\n'));
    // the next beat of the running cadence (MDI + 3000), not at once
    assert.match(re[0], new RegExp(`^${clock.now} arm \\+${MDI + 3000 - clock.now} /1000 p150$`));
    await clock.advance(MDI + 3500);
    const last = link.sent.filter((s) => s.from === 'a').at(-1)!;
    assert.equal(last.at, MDI + 3000);
    assert.deepEqual(decodeIpv4Packet(last.buf).advert.addrs, ['192.0.2.100', '192.0.2.101']);
    await da.stop();
  });

  it('the sender stops when the event loop does not check in within its lease, and is re-armed (sending at once) when the loop runs again', async () => {
    const { clock, da, ops, link, a } = await master();
    await clock.advance(MDI + 1500);
    const checkIns = link.senderLog.filter((e) => e.op === 'checkIn').length;
    assert.ok(checkIns >= 10, `the loop checks in every 100 ms (${checkIns})`);
    // a wedged loop: 5 s without running a timer (lease: max(1 s, Master_Down_Interval 3.4 s))
    clock.stall(5000);
    const stalledAt = clock.now;
    await clock.advance(clock.now + 1);
    assert.ok(
      a.logs.some((l) => l.includes(`advert sender stopped after ${MDI} ms without a check-in`)),
      a.logs.filter((l) => /stall/.test(l)).join('\n'),
    );
    assert.match(ops().at(-1)!, / arm \+0 \/1000 p150$/);
    assert.ok(link.senderLog.at(-1)!.at >= stalledAt);
    await da.stop();
  });
});
