import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { mustIpBytes } from '../../src/lib/addr';
import {
  type Advert,
  compareAddr,
  decodeIpv4Packet,
  decodeVrrp,
  encodeIpv4Packet,
  encodeVrrp,
  fromHex,
  onesSum,
  PacketError,
  setIpv4Id,
} from '../../src/lib/vrrp/packet';
import { SHARED } from '../helpers/cli';

const VEC = path.join(SHARED, 'vrrp-vectors');
const missing = fs.existsSync(VEC) ? undefined : `golden vectors not found at ${VEC}`;

/** Read the `frame`, `ipv4` and `vrrp` lines of a NAME.hex file. */
function readHex(name: string): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const line of fs.readFileSync(path.join(VEC, `${name}.hex`), 'utf8').split('\n')) {
    const m = line.match(/^(frame|ethernet|ipv4|vrrp|arp)\s+([0-9a-f]+)$/);
    if (m) out[m[1]] = fromHex(m[2]);
  }
  return out;
}

/** Inputs (from the README: fixed sender, VRID, priority, VIPs; per-vector config). */
const SRC = '198.51.100.1';
const DST = '224.0.0.18';
const vectors: { name: string; id: number; adv: Advert }[] = [
  {
    name: 'vrrpv2-auth-pass',
    id: 1,
    adv: { version: 2, vrid: 51, priority: 150, intervalCs: 100, addrs: ['198.51.100.100'], auth: { type: 'pass', password: 's3cret' } },
  },
  {
    name: 'vrrpv2-noauth-2vips',
    id: 1,
    adv: { version: 2, vrid: 51, priority: 150, intervalCs: 100, addrs: ['198.51.100.100', '198.51.100.101'] },
  },
  {
    name: 'vrrpv2-prio0',
    id: 3,
    adv: { version: 2, vrid: 51, priority: 0, intervalCs: 100, addrs: ['198.51.100.100'], auth: { type: 'pass', password: 's3cret' } },
  },
  { name: 'vrrpv2-vmac', id: 1, adv: { version: 2, vrid: 51, priority: 150, intervalCs: 100, addrs: ['198.51.100.100'] } },
  { name: 'vrrpv3', id: 1, adv: { version: 3, vrid: 51, priority: 150, intervalCs: 100, addrs: ['198.51.100.100'] } },
  {
    name: 'vrrpv3-10cs-2vips',
    id: 1,
    adv: { version: 3, vrid: 51, priority: 150, intervalCs: 10, addrs: ['198.51.100.100', '198.51.100.101'] },
  },
  { name: 'vrrpv3-prio0', id: 3, adv: { version: 3, vrid: 51, priority: 0, intervalCs: 100, addrs: ['198.51.100.100'] } },
];

describe('vrrp packet: golden keepalived vectors', () => {
  for (const v of vectors) {
    it(`encodes ${v.name} byte-identically (IPv4 header + VRRP)`, { skip: missing }, () => {
      const hex = readHex(v.name);
      const pkt = encodeIpv4Packet(v.adv, { src: SRC, dst: DST, id: v.id });
      assert.equal(pkt.toString('hex'), Buffer.concat([hex.ipv4, hex.vrrp]).toString('hex'));
      // and the frame's IP part is exactly that (frame = ethernet + ip)
      assert.equal(hex.frame.subarray(14).toString('hex'), pkt.toString('hex'));
    });
    it(`${v.name}: re-stamping the IP id of a cached packet gives the same bytes`, { skip: missing }, () => {
      const hex = readHex(v.name);
      const pkt = encodeIpv4Packet(v.adv, { src: SRC, dst: DST, id: 999 });
      setIpv4Id(pkt, v.id);
      assert.equal(pkt.toString('hex'), Buffer.concat([hex.ipv4, hex.vrrp]).toString('hex'));
    });
    it(`decodes ${v.name} to the same inputs`, { skip: missing }, () => {
      const hex = readHex(v.name);
      const { ip, advert } = decodeIpv4Packet(hex.frame.subarray(14));
      assert.equal(ip.src, SRC);
      assert.equal(ip.dst, DST);
      assert.equal(ip.ttl, 255);
      assert.equal(ip.tos, 0xc0);
      assert.equal(ip.id, v.id);
      assert.equal(advert.version, v.adv.version);
      assert.equal(advert.vrid, v.adv.vrid);
      assert.equal(advert.priority, v.adv.priority);
      assert.equal(advert.intervalCs, v.adv.intervalCs);
      assert.deepEqual(advert.addrs, v.adv.addrs);
      if (v.adv.version === 2) assert.deepEqual(advert.auth, v.adv.auth ?? { type: 'none' });
    });
  }
});

describe('vrrp packet: validation', () => {
  const base: Advert = { version: 3, vrid: 7, priority: 100, intervalCs: 100, addrs: ['192.0.2.10'] };
  const ipOf = (b: Buffer) => decodeIpv4Packet(b);
  const pkt = () => encodeIpv4Packet(base, { src: '192.0.2.1', dst: '224.0.0.18', id: 1 });
  const reason = (fn: () => unknown): string => {
    try {
      fn();
    } catch (e) {
      if (e instanceof PacketError) return e.reason;
      throw e;
    }
    return 'accepted';
  };
  /** Rewrite the IP header checksum after a mutation so only the intended check fails. */
  const fixIp = (b: Buffer) => {
    b.writeUInt16BE(0, 10);
    b.writeUInt16BE(~onesSum(b.subarray(0, 20)) & 0xffff, 10);
    return b;
  };
  it('accepts a valid packet', () => assert.equal(reason(() => ipOf(pkt())), 'accepted'));
  it('drops TTL != 255', () => {
    const b = pkt();
    b[8] = 254;
    assert.equal(reason(() => ipOf(fixIp(b))), 'ttl');
  });
  it('drops a bad IP header checksum', () => {
    const b = pkt();
    b[10] ^= 1;
    assert.equal(reason(() => ipOf(b)), 'ip-checksum');
  });
  it('drops unknown versions and types', () => {
    const b = pkt();
    b[20] = 0x41;
    assert.equal(reason(() => ipOf(b)), 'version');
    const c = pkt();
    c[20] = 0x32;
    assert.equal(reason(() => ipOf(c)), 'type');
  });
  it('drops a bad VRRP checksum', () => {
    const b = pkt();
    b[b.length - 1] ^= 0xff;
    assert.equal(reason(() => ipOf(b)), 'checksum');
  });
  it('drops an address count larger than the message', () => {
    const b = pkt();
    b[23] = 3;
    assert.equal(reason(() => ipOf(b)), 'length');
  });
  it('drops zero addresses and VRID 0', () => {
    const b = pkt();
    b[23] = 0;
    assert.equal(reason(() => ipOf(b)), 'addr-count');
    const c = pkt();
    c[21] = 0;
    assert.equal(reason(() => ipOf(c)), 'vrid');
  });
  it('drops truncated packets', () => {
    const b = pkt();
    assert.equal(reason(() => ipOf(b.subarray(0, 10))), 'truncated');
    assert.equal(reason(() => ipOf(fixIp(Buffer.concat([b.subarray(0, 2), Buffer.from([0, 24]), b.subarray(4, 24)])))), 'truncated');
  });
  it('v3 checksum covers the pseudo-header (a different destination fails)', () => {
    const b = pkt();
    b.writeUInt8(19, 19); // 224.0.0.19
    assert.equal(reason(() => ipOf(fixIp(b))), 'checksum');
  });
  it('rejects AH authentication with a clear message', () => {
    const v2 = encodeIpv4Packet({ ...base, version: 2 }, { src: '192.0.2.1', dst: '224.0.0.18', id: 1 });
    v2[24] = 2; // auth type AH
    v2.writeUInt16BE(0, 26);
    v2.writeUInt16BE(~onesSum(v2.subarray(20)) & 0xffff, 26);
    try {
      ipOf(v2);
      assert.fail('accepted AH');
    } catch (e) {
      assert.ok(e instanceof PacketError);
      assert.equal(e.reason, 'auth-ah');
      assert.match(e.message, /not supported/);
    }
  });
  it('drops fragments and other protocols', () => {
    const b = pkt();
    b.writeUInt16BE(0x2000, 6);
    assert.equal(reason(() => ipOf(fixIp(b))), 'fragment');
    const c = pkt();
    c[9] = 17;
    assert.equal(reason(() => ipOf(fixIp(c))), 'ip-proto');
  });
  it('refuses to encode out-of-range fields', () => {
    assert.throws(() => encodeVrrp({ ...base, vrid: 0 }, { family: 4, src: '192.0.2.1', dst: '224.0.0.18' }), /VRID/);
    assert.throws(() => encodeVrrp({ ...base, intervalCs: 5000 }, { family: 4, src: '192.0.2.1', dst: '224.0.0.18' }), /interval/);
    assert.throws(() => encodeVrrp({ ...base, version: 2, intervalCs: 30000 }, { family: 4, src: '192.0.2.1', dst: '224.0.0.18' }), /interval/);
    assert.throws(() => encodeVrrp({ ...base, version: 2 }, { family: 6, src: 'fe80::1', dst: 'ff02::12' }), /IPv4 only/);
  });
});

describe('vrrp packet: IPv6 (v3)', () => {
  const ctx = { family: 6 as const, src: 'fe80::200:c6ff:fe33:6401', dst: 'ff02::12' };
  const adv: Advert = { version: 3, vrid: 51, priority: 150, intervalCs: 100, addrs: ['2001:db8::100', 'fe80::1'] };
  it('round-trips with the IPv6 pseudo-header checksum', () => {
    const b = encodeVrrp(adv, ctx);
    assert.equal(b.length, 8 + 32);
    const d = decodeVrrp(b, { ...ctx, ttl: 255 });
    assert.deepEqual(d.addrs, adv.addrs);
    assert.equal(d.intervalCs, 100);
  });
  it('checksum is ones-complement over pseudo-header + message (independent computation)', () => {
    const b = encodeVrrp(adv, ctx);
    const ph = Buffer.alloc(40);
    mustIpBytes(ctx.src, 6).copy(ph, 0);
    mustIpBytes(ctx.dst, 6).copy(ph, 16);
    ph.writeUInt32BE(b.length, 32);
    ph[39] = 112;
    let s = 0;
    const all = Buffer.concat([ph, b]);
    for (let i = 0; i < all.length; i += 2) s += all.readUInt16BE(i);
    while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
    assert.equal(s, 0xffff);
  });
  it('drops hop limit != 255 and a wrong source in the pseudo-header', () => {
    const b = encodeVrrp(adv, ctx);
    assert.throws(() => decodeVrrp(b, { ...ctx, ttl: 64 }), /hop limit/);
    assert.throws(() => decodeVrrp(b, { ...ctx, src: 'fe80::2', ttl: 255 }), /checksum/);
  });
  it('compares addresses as unsigned integers', () => {
    assert.ok(compareAddr('192.0.2.10', '192.0.2.9') > 0);
    assert.ok(compareAddr('fe80::2', 'fe80::10') < 0);
    assert.equal(compareAddr('192.0.2.1', '192.0.2.1'), 0);
  });
});
