/**
 * What the daemon sends and accepts on the wire (issue 15): the IPv6 source
 * of its adverts, keepalived's TTL / hop-limit rules for unicast, unicast vs
 * multicast destinations, VIP-list checks, and the rate-limited drop log.
 * In-process, fake link and clock.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VrrpDaemon } from '../../src/lib/vrrp/daemon';
import { DropLogLimiter } from '../../src/lib/vrrp/droplog';
import { decodeVrrp, encodeIpv4Packet, encodeVrrp, inetChecksum } from '../../src/lib/vrrp/packet';
import { daemonConfig, FakeLink, instance, makeNode, VirtualClock } from './vrrp-fakes';

const V6 = { family: 6 as const, vips: [{ address: '2001:db8::100', prefix: 64, family: 6 as const }] };

async function pair6(o: { unicast: boolean; hopLimit?: number }) {
  const clock = new VirtualClock();
  const link = new FakeLink(clock);
  const a = makeNode(link, 'a', 'fe80::a');
  const b = makeNode(link, 'b', 'fe80::b');
  const uni = (me: string, peer: string) => (o.unicast ? { unicastSrcIp: me, unicastPeers: [peer] } : {});
  const da = new VrrpDaemon(daemonConfig([instance({ ...V6, priority: 150, ...uni('2001:db8::1', '2001:db8::2') })]), a.deps);
  const db = new VrrpDaemon(daemonConfig([instance({ ...V6, priority: 100, ...uni('2001:db8::2', '2001:db8::1') })]), b.deps);
  await da.start();
  await db.start();
  if (o.hopLimit !== undefined) for (const c of link.channels) c.hopLimit = o.hopLimit;
  return { clock, link, a, b, da, db };
}

describe('vrrp on the wire (in-process)', () => {
  it('IPv6 unicast: every advert is sent from unicast_src_ip, and its checksum covers that source; one master', async () => {
    const { clock, link, b, da, db } = await pair6({ unicast: true });
    await clock.advance(8000);
    assert.equal(da.status().instances[0].state, 'MASTER');
    assert.equal(db.status().instances[0].state, 'BACKUP', b.logs.join('\n'));
    const mine = link.sent.filter((s) => s.from === 'a');
    assert.ok(mine.length >= 5);
    for (const s of mine) {
      assert.equal(s.src, '2001:db8::1', 'the daemon names the source for each send');
      assert.equal(s.dst, '2001:db8::2');
      decodeVrrp(s.buf, { family: 6, src: '2001:db8::1', dst: '2001:db8::2', ttl: 255 }); // throws on a bad checksum
    }
    assert.deepEqual(db.status().instances[0].counters.drops, {});
    assert.deepEqual(db.status().drops, {});
    await da.stop();
    await db.stop();
  });

  it('IPv6 multicast: adverts from the link-local to ff02::12', async () => {
    const { clock, link, da, db } = await pair6({ unicast: false });
    await clock.advance(8000);
    const mine = link.sent.filter((s) => s.from === 'a');
    assert.ok(mine.length >= 3, JSON.stringify(mine.map((s) => [s.src, s.dst])));
    assert.ok(mine.every((s) => s.src === 'fe80::a' && s.dst === 'ff02::12'), JSON.stringify(mine.map((s) => [s.src, s.dst])));
    assert.equal(db.status().instances[0].state, 'BACKUP');
    await da.stop();
    await db.stop();
  });

  it('IPv6 unicast adverts with hop limit 64 (keepalived sends the kernel default) are accepted: one master', async () => {
    const { clock, da, db } = await pair6({ unicast: true, hopLimit: 64 });
    await clock.advance(8000);
    assert.equal(da.status().instances[0].state, 'MASTER');
    assert.equal(db.status().instances[0].state, 'BACKUP');
    assert.deepEqual(db.status().instances[0].counters.drops, {});
    await da.stop();
    await db.stop();
  });

  it('IPv6 multicast adverts with hop limit 64 are dropped (RFC 5798: 255), counted and logged', async () => {
    const { clock, b, da, db } = await pair6({ unicast: false, hopLimit: 64 });
    await clock.advance(8000);
    assert.equal(db.status().instances[0].state, 'MASTER', 'the backup never hears a valid advert');
    assert.ok((db.status().instances[0].counters.drops.ttl ?? 0) >= 3);
    assert.ok(
      b.logs.some((l) => /\(VI_1\) dropped advert from fe80::a VRID 51: ttl: hop limit 64 is not 255/.test(l)),
      b.logs.join('\n'),
    );
    await da.stop();
    await db.stop();
  });

  it('IPv4 unicast: TTL other than 255 accepted for a unicast instance; adverts still leave with 255', async () => {
    const clock = new VirtualClock();
    const link = new FakeLink(clock);
    const b = makeNode(link, 'b', '192.0.2.2');
    const db = new VrrpDaemon(daemonConfig([instance({ priority: 100, unicastSrcIp: '192.0.2.2', unicastPeers: ['192.0.2.1'] })]), b.deps);
    await db.start();
    const adv = { version: 3 as const, vrid: 51, priority: 150, intervalCs: 100, addrs: ['192.0.2.100'] };
    const pkt = encodeIpv4Packet(adv, { src: '192.0.2.1', dst: '192.0.2.2', id: 1 });
    pkt[8] = 64; // TTL (the header checksum is then wrong: recompute)
    pkt.writeUInt16BE(0, 10);
    const { inetChecksum } = await import('../../src/lib/vrrp/packet');
    pkt.writeUInt16BE(inetChecksum(pkt.subarray(0, 20)), 10);
    for (let t = 100; t < 6000; t += 1000) {
      await clock.advance(t);
      db.onPacket('eth0', { family: 4, raw: pkt });
    }
    assert.equal(db.status().instances[0].state, 'BACKUP');
    assert.equal(db.status().instances[0].masterAddr, '192.0.2.1');
    assert.deepEqual(db.status().instances[0].counters.drops, {});
    await db.stop();
  });

  it('a unicast advert to a multicast instance does not demote a MASTER; dropped with a log line', async () => {
    const clock = new VirtualClock();
    const link = new FakeLink(clock);
    const a = makeNode(link, 'a', '192.0.2.1');
    const da = new VrrpDaemon(daemonConfig([instance({ priority: 100 })]), a.deps);
    await da.start();
    await clock.advance(5000);
    assert.equal(da.status().instances[0].state, 'MASTER');
    const adv = { version: 3 as const, vrid: 51, priority: 200, intervalCs: 100, addrs: ['192.0.2.100'] };
    da.onPacket('eth0', { family: 4, raw: encodeIpv4Packet(adv, { src: '192.0.2.9', dst: '192.0.2.1', id: 1 }) });
    assert.equal(da.status().instances[0].state, 'MASTER');
    assert.deepEqual(da.status().instances[0].counters.drops, { 'dst-type': 1 });
    assert.ok(a.logs.some((l) => /dropped advert from 192\.0\.2\.9 VRID 51: dst-type: unicast advert \(to 192\.0\.2\.1\) to a multicast instance/.test(l)));
    da.onPacket('eth0', { family: 4, raw: encodeIpv4Packet(adv, { src: '192.0.2.9', dst: '224.0.0.18', id: 2 }) });
    assert.equal(da.status().instances[0].state, 'BACKUP', 'the same advert to 224.0.0.18 demotes');
    await da.stop();
  });

  it('an advert for other VIPs does not demote a MASTER (keepalived: "not present in MASTER advert")', async () => {
    const clock = new VirtualClock();
    const link = new FakeLink(clock);
    const a = makeNode(link, 'a', '192.0.2.1');
    const da = new VrrpDaemon(daemonConfig([instance({ priority: 100 })]), a.deps);
    await da.start();
    await clock.advance(5000);
    const adv = { version: 3 as const, vrid: 51, priority: 200, intervalCs: 100, addrs: ['192.0.2.200'] };
    da.onPacket('eth0', { family: 4, raw: encodeIpv4Packet(adv, { src: '192.0.2.9', dst: '224.0.0.18', id: 1 }) });
    assert.equal(da.status().instances[0].state, 'MASTER');
    assert.equal(da.status().instances[0].counters.addrMismatch, 1);
    assert.ok(a.logs.some((l) => /VRID 51: addr-mismatch: virtual address 192\.0\.2\.100 not in the advert/.test(l)), a.logs.join('\n'));
    await da.stop();
  });

  it('a flood of bad packets: the first 5 per reason are logged (reason, source, VRID), then one summary a minute', async () => {
    const clock = new VirtualClock();
    const link = new FakeLink(clock);
    const a = makeNode(link, 'a', 'fe80::a');
    const da = new VrrpDaemon(daemonConfig([instance({ ...V6, priority: 100 })]), a.deps);
    await da.start();
    const good = encodeVrrp({ version: 3, vrid: 51, priority: 200, intervalCs: 100, addrs: ['2001:db8::100'] }, { family: 6, src: 'fe80::9', dst: 'ff02::12' });
    const bad = Buffer.from(good);
    bad[7] ^= 0xff;
    for (let i = 0; i < 100; i++) da.onPacket('eth0', { family: 6, src: 'fe80::9', dst: 'ff02::12', hopLimit: 255, payload: bad });
    const lines = () => a.logs.filter((l) => /checksum/.test(l));
    assert.equal(lines().length, 5);
    assert.match(lines()[0], /info dropped VRRP packet on eth0 from fe80::9 VRID 51: bad VRRP checksum/);
    assert.equal(da.status().drops.checksum, 100, 'every one counted');
    await clock.advance(61_000);
    assert.equal(lines().length, 6);
    assert.match(lines()[5], /95 more VRRP packet\(s\) dropped \(checksum\) in the last 6\d s/);
    // a new window logs again
    da.onPacket('eth0', { family: 6, src: 'fe80::9', dst: 'ff02::12', hopLimit: 255, payload: bad });
    assert.equal(lines().length, 7);
    await clock.advance(200_000);
    assert.equal(lines().length, 7, 'no summary for a window without suppressed drops');
    await da.stop();
  });

  /** A unicast BACKUP at 192.0.2.2 (peer 192.0.2.1) fed IPv4 adverts from `src` with `ttl`, for 6 s. */
  async function unicastRx(o: { src: string; ttl: number; cfg?: Partial<Parameters<typeof instance>[0]> }) {
    const clock = new VirtualClock();
    const link = new FakeLink(clock);
    const b = makeNode(link, 'b', '192.0.2.2');
    const db = new VrrpDaemon(daemonConfig([instance({ priority: 100, unicastSrcIp: '192.0.2.2', unicastPeers: ['192.0.2.1'], ...o.cfg })]), b.deps);
    await db.start();
    const adv = { version: 3 as const, vrid: 51, priority: 150, intervalCs: 100, addrs: ['192.0.2.100'] };
    const pkt = encodeIpv4Packet(adv, { src: o.src, dst: '192.0.2.2', id: 1 });
    pkt[8] = o.ttl;
    pkt.writeUInt16BE(0, 10);
    pkt.writeUInt16BE(inetChecksum(pkt.subarray(0, 20)), 10);
    for (let t = 100; t < 6000; t += 1000) {
      await clock.advance(t);
      db.onPacket('eth0', { family: 4, raw: pkt });
    }
    const st = db.status().instances[0];
    await db.stop();
    return { st, logs: b.logs };
  }

  it('unicast without check_unicast_src: an advert from a source that is no unicast_peer is accepted (keepalived 2.2.7)', async () => {
    const { st } = await unicastRx({ src: '192.0.2.9', ttl: 64 });
    assert.equal(st.state, 'BACKUP');
    assert.equal(st.masterAddr, '192.0.2.9');
    assert.deepEqual(st.counters.drops, {});
  });

  it('check_unicast_src: a source that is no unicast_peer is dropped (not-peer); a peer with any TTL in the default 0..255 is accepted', async () => {
    const bad = await unicastRx({ src: '192.0.2.9', ttl: 255, cfg: { checkUnicastSrc: true } });
    assert.equal(bad.st.state, 'MASTER', 'nothing heard: takes over');
    assert.ok((bad.st.counters.drops['not-peer'] ?? 0) >= 5, JSON.stringify(bad.st.counters.drops));
    assert.ok(bad.logs.some((l) => /192\.0\.2\.9 .*not-peer/.test(l)), bad.logs.join('\n'));
    const ok = await unicastRx({ src: '192.0.2.1', ttl: 1, cfg: { checkUnicastSrc: true } });
    assert.equal(ok.st.state, 'BACKUP');
    assert.deepEqual(ok.st.counters.drops, {});
  });

  it('check_unicast_src with min_ttl/max_ttl: a peer advert outside its TTL range is dropped (ttl), inside accepted; without check_unicast_src the range is not applied', async () => {
    const range = { unicastPeerTtl: [{ minTtl: 250, maxTtl: 254 }] };
    const out = await unicastRx({ src: '192.0.2.1', ttl: 255, cfg: { checkUnicastSrc: true, ...range } });
    assert.equal(out.st.state, 'MASTER');
    assert.ok((out.st.counters.drops.ttl ?? 0) >= 5, JSON.stringify(out.st.counters.drops));
    assert.ok(out.logs.some((l) => /TTL 255 not in range 250 - 254/.test(l)), out.logs.join('\n'));
    const inside = await unicastRx({ src: '192.0.2.1', ttl: 250, cfg: { checkUnicastSrc: true, ...range } });
    assert.equal(inside.st.state, 'BACKUP');
    assert.deepEqual(inside.st.counters.drops, {});
    const unchecked = await unicastRx({ src: '192.0.2.1', ttl: 255, cfg: range });
    assert.equal(unchecked.st.state, 'BACKUP');
  });

  it('unicast_ttl: IPv4 unicast adverts leave with that TTL (default 255); IPv6 with that hop limit (default: the kernel default, as keepalived)', async () => {
    const clock = new VirtualClock();
    const link = new FakeLink(clock);
    const a = makeNode(link, 'a', '192.0.2.1');
    const d4 = new VrrpDaemon(
      daemonConfig([
        instance({ priority: 150, unicastSrcIp: '192.0.2.1', unicastPeers: ['192.0.2.2'], unicastTtl: 7 }),
        instance({ name: 'VI_2', vrid: 52, priority: 150, unicastSrcIp: '192.0.2.1', unicastPeers: ['192.0.2.3'] }),
      ]),
      a.deps,
    );
    await d4.start();
    await clock.advance(6000);
    const ttls = (dst: string) => [...new Set(link.sent.filter((s) => s.dst === dst).map((s) => s.buf[8]))];
    assert.deepEqual(ttls('192.0.2.2'), [7]);
    assert.deepEqual(ttls('192.0.2.3'), [255]);
    await d4.stop();
    const { clock: c6, link: l6, da, db } = await pair6({ unicast: true });
    await c6.advance(8000);
    await da.stop();
    await db.stop();
    const hops = (from: string) => [...new Set(l6.sent.filter((s) => s.from === from).map((s) => s.hopLimit))];
    assert.ok(l6.sent.some((s) => s.from === 'a'));
    assert.deepEqual(hops('a'), [-1], 'no unicast_ttl: the kernel default (IPV6_UNICAST_HOPS -1)');
    const d6 = new VrrpDaemon(daemonConfig([instance({ ...V6, priority: 150, unicastSrcIp: '2001:db8::1', unicastPeers: ['2001:db8::2'], unicastTtl: 9 })]), makeNode(l6, 'c', 'fe80::c').deps);
    await d6.start();
    await c6.advance(20_000);
    assert.deepEqual(hops('c'), [9]);
    await d6.stop();
  });

  it('DropLogLimiter: burst per reason, independent reasons, summary only when something was held back', () => {
    const d = new DropLogLimiter(2, 1000);
    assert.deepEqual(
      [1, 2, 3, 4].map((i) => d.record('ttl', `t${i}`, i)),
      [true, true, false, false],
    );
    assert.equal(d.record('checksum', 'c1', 5), true);
    assert.equal(d.nextFlush(), 1001);
    assert.deepEqual(d.flush(500), []);
    assert.deepEqual(d.flush(1001), ['2 more VRRP packet(s) dropped (ttl) in the last 1 s, not logged one by one; last: t4']);
    assert.equal(d.nextFlush(), null);
    assert.equal(d.record('ttl', 't5', 1002), true);
  });
});
