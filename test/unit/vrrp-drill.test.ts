/** `hactl vrrp drill`: the FSM's step-down and hold, and the frame watcher's figures (fixed frames, fixed times). */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ipBytes } from '../../src/lib/addr';
import { buildArpRequest, buildGarp, buildNeighborSolicit, buildUnsolicitedNa, ETH_P_IP, ethHeader, parseArp } from '../../src/lib/net/arp';
import { parseMac } from '../../src/lib/net/mac';
import { DrillWatch, renderDrill, vrrpInFrame } from '../../src/lib/vrrp/drill';
import { VrrpFsm } from '../../src/lib/vrrp/fsm';
import { encodeIpv4Packet } from '../../src/lib/vrrp/packet';
import { advert, fsmParams } from './vrrp-fakes';

const OWN = '02:00:00:00:00:01';
const PEER = '02:00:00:00:00:02';
const mac = (s: string) => parseMac(s) as Buffer;
const VIP = '192.0.2.100';

function vrrpFrame(from: string, src: string, priority: number, vrid = 51): Buffer {
  const ip = encodeIpv4Packet({ version: 3, vrid, priority, intervalCs: 20, addrs: [VIP], auth: { type: 'none' } }, { src, dst: '224.0.0.18', id: 1 });
  return Buffer.concat([ethHeader(mac('01:00:5e:00:00:12'), mac(from), ETH_P_IP), ip]);
}

const target = { instance: 'VI_1', interface: 'eth0', vrid: 51, family: 4 as const, src: '192.0.2.1', ownMacs: [OWN, '00:00:5e:00:01:33'], vips: [VIP], advertIntervalMs: 200 };

describe('vrrp drill: FSM step-down and hold', () => {
  it('a MASTER sends priority 0, becomes BACKUP and follows a lower-priority peer until the hold is released', () => {
    const f = new VrrpFsm(fsmParams({ priority: 150 }));
    f.start(0);
    f.tick(f.deadline() as number);
    assert.equal(f.state, 'MASTER');
    const acts = f.stepDown(5000, 'drill');
    assert.deepEqual(
      acts.map((a) => (a.kind === 'send' ? `send ${a.priority}` : a.kind === 'transition' ? `${a.from}->${a.to}` : a.kind)),
      ['send 0', 'MASTER->BACKUP'],
    );
    assert.equal(f.drillHold, true);
    // the peer (priority 100 < 150) takes over; held, we accept it: no preemption
    let t = 5100;
    for (let k = 0; k < 20; k++, t += 1000) {
      f.receive(advert(100), '192.0.2.2', t);
      assert.equal(f.tick(t + 10).length, 0);
      assert.equal(f.state, 'BACKUP');
    }
    assert.equal(f.lastPeer?.addr, '192.0.2.2');
    // released: the lower-priority adverts are no longer accepted; MASTER after Master_Down_Interval
    assert.equal(f.releaseHold(), true);
    f.receive(advert(100), '192.0.2.2', t);
    const d = f.deadline() as number;
    assert.ok(d - t <= f.masterDownMs() + 1);
    f.tick(d);
    assert.equal(f.state, 'MASTER');
  });
  it('a held BACKUP whose peer goes silent still takes over (and the hold ends there)', () => {
    const f = new VrrpFsm(fsmParams({ priority: 150 }));
    f.start(0);
    f.tick(f.deadline() as number);
    f.stepDown(5000, 'drill');
    f.receive(advert(100), '192.0.2.2', 5100);
    f.tick(f.deadline() as number);
    assert.equal(f.state, 'MASTER');
    assert.equal(f.drillHold, false);
  });
  it('nothing but a MASTER steps down', () => {
    const f = new VrrpFsm(fsmParams());
    f.start(0);
    assert.deepEqual(f.stepDown(10, 'drill'), []);
    assert.equal(f.drillHold, false);
  });
});

describe('vrrp drill: what the frames say', () => {
  it('reads VRID, priority and source of IPv4 VRRP frames', () => {
    assert.deepEqual(vrrpInFrame(vrrpFrame(PEER, '192.0.2.2', 100)), { src: '192.0.2.2', vrid: 51, priority: 100 });
    assert.equal(vrrpInFrame(buildGarp(mac(PEER), ipBytes(VIP, 4) as Buffer)), null);
  });
  it('times the peer advert and the VIP answer from our priority-0 advert; ignores our own frames and other VRIDs', () => {
    const w = new DrillWatch(target);
    w.frame(buildGarp(mac(PEER), ipBytes(VIP, 4) as Buffer), 1, 5); // before the step-down: ignored
    w.frame(vrrpFrame(OWN, '192.0.2.1', 150), 4, 10);
    w.frame(vrrpFrame(OWN, '192.0.2.1', 0), 4, 100);
    w.frame(vrrpFrame(PEER, '192.0.2.3', 90, 52), 2, 110); // another VRID
    // our own probe (outgoing) and an answer from our own MAC do not count
    w.frame(buildArpRequest(mac(OWN), ipBytes('192.0.2.1', 4) as Buffer, ipBytes(VIP, 4) as Buffer), 4, 150);
    w.frame(buildGarp(mac(OWN), ipBytes(VIP, 4) as Buffer), 1, 160);
    assert.equal(w.complete, false);
    w.frame(vrrpFrame(PEER, '192.0.2.2', 100), 2, 221.5);
    assert.equal(w.complete, false);
    const reply = buildArpRequest(mac(PEER), ipBytes(VIP, 4) as Buffer, ipBytes('192.0.2.1', 4) as Buffer);
    reply.writeUInt16BE(2, 20);
    assert.equal(parseArp(reply)?.op, 2);
    w.frame(reply, 0, 222);
    assert.equal(w.complete, true);
    const r = w.result(90, (m) => 1_700_000_000_000 + m);
    assert.equal(r.zeroSeen, true);
    assert.deepEqual(r.peer, { addr: '192.0.2.2', mac: PEER, priority: 100 });
    assert.equal(r.advertMs, 121.5);
    assert.deepEqual(r.vips, [{ address: VIP, ms: 122, mac: PEER, how: 'ARP reply' }]);
    assert.equal(r.takeoverMs, 122);
    assert.equal(r.steppedDownAt, new Date(1_700_000_000_100).toISOString());
    assert.match(renderDrill(r), /peer advert: {2}121\.5 ms {2}from 192\.0\.2\.2 \(02:00:00:00:00:02, priority 100\)\n {2}VIP 192\.0\.2\.100: 122 ms {2}ARP reply from 02:00:00:00:00:02\n {2}takeover: 122 ms/);
  });
  it('IPv6: a Neighbour Advertisement from the peer answers; a solicitation does not', () => {
    const v6 = '2001:db8::100';
    const w = new DrillWatch({ ...target, family: 6, src: 'fe80::1', vips: [v6] });
    w.frame(vrrpFrame(OWN, '192.0.2.1', 0), 4, 0);
    w.frame(buildNeighborSolicit(mac(PEER), ipBytes('fe80::2', 6) as Buffer, ipBytes(v6, 6) as Buffer), 2, 5);
    assert.equal(w.answers.size, 0);
    w.frame(buildUnsolicitedNa(mac(PEER), ipBytes(v6, 6) as Buffer), 2, 7);
    assert.deepEqual(w.answers.get(v6), { at: 7, mac: PEER, how: 'unsolicited NA' });
  });
  it('without a peer nothing is complete and the result says so', () => {
    const w = new DrillWatch(target);
    const r = w.result(50, (m) => m);
    assert.equal(r.zeroSeen, false);
    assert.equal(r.peer, null);
    assert.equal(r.takeoverMs, null);
    assert.match(renderDrill(r), /counted from the request[\s\S]*peer advert: {2}none seen[\s\S]*takeover: not complete/);
  });
});
