/**
 * Fuzz: random and mutated packets to the decoder (IPv4 and IPv6 paths) and
 * to running instances (in-process, fake link). Nothing may throw anything
 * but PacketError from the decoder; the daemon must count and drop, and
 * keep the legitimate master.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VrrpDaemon } from '../../src/lib/vrrp/daemon';
import { type Advert, decodeIpv4Packet, decodeVrrp, encodeIpv4Packet, encodeVrrp, onesSum, PacketError } from '../../src/lib/vrrp/packet';
import { daemonConfig, FakeLink, instance, makeNode, VirtualClock } from './vrrp-fakes';

/** xorshift32: reproducible (seed printed on failure). */
function rng(seed: number) {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  return {
    u32: next,
    int: (n: number) => next() % n,
    bytes: (n: number) => {
      const b = Buffer.alloc(n);
      for (let i = 0; i < n; i++) b[i] = next() & 0xff;
      return b;
    },
  };
}

type R = ReturnType<typeof rng>;

function validAdvert(r: R): Advert {
  const version = r.int(2) === 0 ? 2 : 3;
  const n = 1 + r.int(4);
  return {
    version,
    vrid: 1 + r.int(255),
    priority: r.int(256),
    intervalCs: version === 2 ? 100 * (1 + r.int(5)) : 1 + r.int(4095),
    addrs: Array.from({ length: n }, () => `192.0.2.${r.int(256)}`),
    auth: r.int(2) === 0 ? { type: 'none' } : { type: 'pass', password: r.bytes(1 + r.int(8)).toString('hex').slice(0, 8) },
  };
}

function fixSums(b: Buffer): void {
  if (b.length < 20) return;
  b.writeUInt16BE(0, 10);
  b.writeUInt16BE(~onesSum(b.subarray(0, 20)) & 0xffff, 10);
}

/** One hostile packet: random bytes, or a valid packet mutated (bit flips, truncation, extension, field edits). */
function hostile(r: R, i: number): Buffer {
  if (i % 2 === 0) return r.bytes(r.int(120));
  const adv = validAdvert(r);
  const b = encodeIpv4Packet(adv, { src: `192.0.2.${1 + r.int(254)}`, dst: '224.0.0.18', id: r.int(65536) });
  switch (r.int(6)) {
    case 0:
      for (let k = 0; k < 1 + r.int(4); k++) b[r.int(b.length)] ^= 1 << r.int(8);
      return b;
    case 1:
      return b.subarray(0, r.int(b.length));
    case 2:
      return Buffer.concat([b, r.bytes(1 + r.int(40))]);
    case 3: {
      // edit a VRRP header field, keep the IP header valid
      b[20 + r.int(8)] = r.int(256);
      fixSums(b);
      return b;
    }
    case 4: {
      b[8] = r.int(256); // TTL
      fixSums(b);
      return b;
    }
    default:
      // claims more addresses than present, IP length consistent
      b[23] = 1 + r.int(255);
      fixSums(b);
      return b;
  }
}

describe('vrrp fuzz', () => {
  it('decoder: 120,000 random and mutated packets, only PacketError', () => {
    const seed = 0x5eed1234;
    const r = rng(seed);
    let ok = 0;
    let dropped = 0;
    for (let i = 0; i < 100_000; i++) {
      const b = hostile(r, i);
      try {
        decodeIpv4Packet(b);
        ok++;
      } catch (e) {
        if (!(e instanceof PacketError)) assert.fail(`seed ${seed} packet ${i} ${b.toString('hex')}: ${(e as Error).stack}`);
        dropped++;
      }
    }
    for (let i = 0; i < 20_000; i++) {
      const adv = validAdvert(r);
      const ctx = { family: 6 as const, src: 'fe80::1', dst: 'ff02::12' };
      let b: Buffer;
      if (adv.version === 3) {
        b = encodeVrrp({ ...adv, addrs: adv.addrs.map((_, k) => `2001:db8::${k + 1}`) }, ctx);
        b[r.int(b.length)] ^= 1 << r.int(8);
      } else b = r.bytes(r.int(100));
      try {
        decodeVrrp(b, { ...ctx, ttl: r.int(2) ? 255 : r.int(256) });
      } catch (e) {
        if (!(e instanceof PacketError)) assert.fail(`seed ${seed} v6 packet ${i}: ${(e as Error).stack}`);
      }
    }
    assert.equal(ok + dropped, 100_000);
    assert.ok(dropped > 90_000, `most hostile packets must be dropped (${dropped})`);
  });

  it('running instances: 100,000 hostile packets are counted and dropped; the real master keeps its role', async () => {
    const clock = new VirtualClock();
    const link = new FakeLink(clock);
    const a = makeNode(link, 'a', '192.0.2.1');
    const b = makeNode(link, 'b', '192.0.2.2');
    const da = new VrrpDaemon(daemonConfig([instance({ priority: 150, version: 2 }), instance({ name: 'VI_3', vrid: 52, version: 3 })]), a.deps);
    const db = new VrrpDaemon(daemonConfig([instance({ priority: 100, version: 2 }), instance({ name: 'VI_3', vrid: 52, version: 3 })]), b.deps);
    await da.start();
    await db.start();
    await clock.advance(5000);
    assert.equal(da.status().instances[0].state, 'MASTER');
    const r = rng(0xfeedbeef);
    let fed = 0;
    for (let i = 0; i < 100_000; i++) {
      const p = hostile(r, i);
      // never valid-and-better for VRID 51: a mutated packet that decodes cleanly with a higher priority
      // would legitimately win the election, so VRID 51 gets only packets that fail validation
      try {
        const d = decodeIpv4Packet(p);
        if (d.advert.vrid === 51 || d.advert.vrid === 52) continue;
      } catch {
        /* hostile: feed it */
      }
      db.onPacket('eth0', { family: 4, raw: p });
      fed++;
      if (i % 10_000 === 0) await clock.advance(clock.now + 200);
    }
    await clock.advance(clock.now + 5000);
    const sb = db.status();
    const drops = Object.values(sb.drops).reduce((x: number, y) => x + (y ?? 0), 0);
    const instDrops = sb.instances.reduce((x, i) => x + Object.values(i.counters.drops).reduce((p: number, q) => p + (q ?? 0), 0), 0);
    assert.equal(drops + instDrops, fed, 'every hostile packet counted as a drop');
    assert.equal(sb.instances[0].state, 'BACKUP');
    assert.equal(sb.instances[0].masterAddr, '192.0.2.1');
    assert.equal(da.status().instances[0].state, 'MASTER');
    await da.stop();
    await db.stop();
  });
});
