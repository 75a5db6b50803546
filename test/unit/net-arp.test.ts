import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { buildAnnouncement, buildArpRequest, buildGarp, buildUnsolicitedNa, icmp6Checksum, onesSum, parseArp, parseNa } from '../../src/lib/net/arp';
import { parseIp } from '../../src/lib/addr';
import { parseMac, vrrpVirtualMac } from '../../src/lib/net/mac';
import { SHARED } from '../helpers/cli';

function golden(name: string): Buffer {
  const text = fs.readFileSync(path.join(SHARED, 'vrrp-vectors', `${name}.hex`), 'utf8');
  const line = text.split('\n').find((l) => l.startsWith('frame '));
  assert.ok(line, `${name}.hex has a frame line`);
  return Buffer.from(line.slice(6).trim(), 'hex');
}

const vip = parseIp('198.51.100.100')!.bytes;

describe('gratuitous ARP (keepalived golden vectors)', () => {
  it('matches garp.hex byte for byte (real interface MAC)', () => {
    const frame = buildGarp(parseMac('02:00:c6:33:64:01')!, vip);
    assert.equal(frame.toString('hex'), golden('garp').toString('hex'));
  });

  it('matches garp-vmac.hex byte for byte (use_vmac, VRID 51)', () => {
    const frame = buildGarp(vrrpVirtualMac(51), vip);
    assert.equal(frame.toString('hex'), golden('garp-vmac').toString('hex'));
  });

  it('buildAnnouncement(family 4) is the GARP', () => {
    assert.deepEqual(buildAnnouncement(vrrpVirtualMac(51), 4, vip), golden('garp-vmac'));
  });

  it('parseArp decodes the golden frame, also padded to 60 bytes', () => {
    const padded = Buffer.concat([golden('garp'), Buffer.alloc(18)]);
    for (const f of [golden('garp'), padded]) {
      assert.deepEqual(parseArp(f), {
        ethDst: 'ff:ff:ff:ff:ff:ff',
        ethSrc: '02:00:c6:33:64:01',
        op: 1,
        senderMac: '02:00:c6:33:64:01',
        senderIp: '198.51.100.100',
        targetMac: 'ff:ff:ff:ff:ff:ff',
        targetIp: '198.51.100.100',
      });
    }
  });

  it('parseArp rejects non-ARP and truncated frames', () => {
    assert.equal(parseArp(golden('garp').subarray(0, 41)), null);
    const ip = golden('vrrpv3');
    assert.equal(parseArp(ip), null);
  });

  it('rejects wrong-sized inputs', () => {
    assert.throws(() => buildGarp(Buffer.alloc(5), vip), /MAC must be 6 bytes/);
    assert.throws(() => buildGarp(Buffer.alloc(6), Buffer.alloc(16)), /IPv4 address must be 4 bytes/);
  });

  it('ARP request who-has: zero target MAC, sender/target IPs in place', () => {
    const f = buildArpRequest(parseMac('02:00:00:00:00:01')!, parseIp('192.0.2.1')!.bytes, parseIp('192.0.2.9')!.bytes);
    const p = parseArp(f)!;
    assert.equal(p.op, 1);
    assert.equal(p.targetMac, '00:00:00:00:00:00');
    assert.equal(p.senderIp, '192.0.2.1');
    assert.equal(p.targetIp, '192.0.2.9');
  });
});

describe('unsolicited Neighbour Advertisement', () => {
  const mac = parseMac('02:00:c6:33:64:01')!;
  const target = parseIp('2001:db8::64')!.bytes;

  it('has the RFC 4861 layout (field by field)', () => {
    const f = buildUnsolicitedNa(mac, target);
    assert.equal(f.length, 86);
    assert.equal(f.subarray(0, 6).toString('hex'), '333300000001'); // all-nodes multicast MAC
    assert.equal(f.subarray(6, 12).toString('hex'), '0200c6336401');
    assert.equal(f.readUInt16BE(12), 0x86dd);
    assert.equal(f[14] >> 4, 6);
    assert.equal(f.readUInt16BE(18), 32); // payload: 24 NA + 8 option
    assert.equal(f[20], 58); // next header ICMPv6
    assert.equal(f[21], 255); // hop limit
    assert.deepEqual(f.subarray(22, 38), target); // source = the VIP (as keepalived)
    assert.equal(f.subarray(38, 54).toString('hex'), 'ff020000000000000000000000000001');
    assert.equal(f[54], 136);
    assert.equal(f[55], 0);
    assert.equal(f[58], 0x20); // Override only
    assert.deepEqual(f.subarray(62, 78), target);
    assert.equal(f[78], 2); // target link-layer address option
    assert.equal(f[79], 1);
    assert.deepEqual(f.subarray(80, 86), mac);
  });

  it('checksum verifies: ones-complement sum over pseudo-header + message is 0xffff', () => {
    const f = buildUnsolicitedNa(mac, target);
    const ph = Buffer.alloc(40);
    f.copy(ph, 0, 22, 54);
    ph.writeUInt32BE(32, 32);
    ph[39] = 58;
    assert.equal(onesSum(f.subarray(54), onesSum(ph)), 0xffff);
    assert.notEqual(f.readUInt16BE(56), 0);
  });

  it('icmp6Checksum matches a known value (RFC 1071 example data)', () => {
    // zero pseudo addresses, message 0001 f203 f4f5 f6f7: sum of words + length 8 + nh 58
    const msg = Buffer.from('0001f203f4f5f6f7', 'hex');
    const z = Buffer.alloc(16);
    const sum = (0x0001 + 0xf203 + 0xf4f5 + 0xf6f7 + 8 + 58) % 0xffff;
    assert.equal(icmp6Checksum(z, z, msg), ~sum & 0xffff);
  });

  it('router flag and parseNa round trip', () => {
    const f = buildUnsolicitedNa(mac, target, { router: true });
    const p = parseNa(f)!;
    assert.equal(p.router, true);
    assert.equal(p.override, true);
    assert.equal(p.solicited, false);
    assert.equal(p.target, '2001:db8::64');
    assert.equal(p.targetMac, '02:00:c6:33:64:01');
    assert.equal(p.hopLimit, 255);
    assert.equal(p.checksumOk, true);
    f[70] ^= 1; // corrupt the target
    assert.equal(parseNa(f)!.checksumOk, false);
  });

  it('rejects an IPv4 target', () => {
    assert.throws(() => buildUnsolicitedNa(mac, vip), /IPv6 address must be 16 bytes/);
  });
});
