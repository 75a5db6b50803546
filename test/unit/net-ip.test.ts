import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { broadcastOf, formatIp, networkOf, parseCidr, parseIp } from '../../src/lib/addr';
import { parseMac, vrrpVirtualMac } from '../../src/lib/net/mac';
import { confKey, normalizeValue, sysctlPath } from '../../src/lib/net/sysctl';

describe('ip helpers', () => {
  it('parses and canonicalizes IPv4 and IPv6', () => {
    assert.equal(parseIp('198.51.100.7')!.text, '198.51.100.7');
    assert.equal(parseIp('2001:DB8:0:0:0:0:0:1')!.text, '2001:db8::1');
    assert.equal(parseIp('2001:db8::1:0:0:1')!.text, '2001:db8::1:0:0:1');
    assert.equal(parseIp('::')!.text, '::');
    assert.equal(parseIp('::ffff:192.0.2.1')!.bytes.toString('hex'), '00000000000000000000ffffc0000201');
    assert.equal(parseIp('fe80::1')!.family, 6);
  });

  it('rejects invalid addresses', () => {
    for (const bad of ['', '1.2.3', '1.2.3.256', '01.2.3.4', '1.2.3.4.5', 'a::b::c', '2001:db8::g', '1:2:3:4:5:6:7:8:9', 'fe80::1%eth0', 'vip']) {
      assert.equal(parseIp(bad), null, bad);
    }
  });

  it('formats with the longest zero run compressed (RFC 5952)', () => {
    assert.equal(formatIp(Buffer.from('20010db8000000010000000000000001', 'hex')), '2001:db8:0:1::1');
    assert.equal(formatIp(Buffer.from('20010db8000100000001000100010001', 'hex')), '2001:db8:1:0:1:1:1:1');
  });

  it('parses CIDR with default host prefix', () => {
    assert.equal(parseCidr('192.0.2.1')!.prefix, 32);
    assert.equal(parseCidr('2001:db8::1')!.prefix, 128);
    assert.equal(parseCidr('192.0.2.1/24')!.prefix, 24);
    assert.equal(parseCidr('192.0.2.1/33'), null);
    assert.equal(parseCidr('192.0.2.1/x'), null);
    assert.equal(networkOf(parseCidr('192.0.2.77/26')!).text, '192.0.2.64');
    assert.equal(formatIp(broadcastOf(parseCidr('192.0.2.77/26')!)), '192.0.2.127');
  });

  it('MACs and the VRRP virtual MAC', () => {
    assert.equal(parseMac('02:00:C6:33:64:01')!.toString('hex'), '0200c6336401');
    assert.equal(parseMac('02:00:c6:33:64'), null);
    assert.equal(vrrpVirtualMac(51).toString('hex'), '00005e000133');
    assert.equal(vrrpVirtualMac(1, 6).toString('hex'), '00005e000201');
    assert.throws(() => vrrpVirtualMac(0), /VRID/);
  });
});

describe('sysctl paths', () => {
  it('maps keys to /proc/sys paths, dots in interface names written as /', () => {
    assert.equal(sysctlPath('net.ipv4.ip_forward'), '/proc/sys/net/ipv4/ip_forward');
    assert.equal(confKey(4, 'eth0.100', 'arp_ignore'), 'net.ipv4.conf.eth0/100.arp_ignore');
    assert.equal(sysctlPath(confKey(4, 'eth0.100', 'arp_ignore'), '/x'), '/x/net/ipv4/conf/eth0.100/arp_ignore');
  });

  it('refuses path traversal and junk', () => {
    assert.throws(() => sysctlPath('net.ipv4.conf.../../etc.passwd'), /invalid sysctl key/);
    assert.throws(() => sysctlPath('net..ipv4'), /invalid sysctl key/);
    assert.throws(() => sysctlPath('net.ipv4 x'), /invalid sysctl key/);
  });

  it('normalizes values', () => {
    assert.equal(normalizeValue('4096\t87380\t6291456\n'), '4096 87380 6291456');
  });
});
