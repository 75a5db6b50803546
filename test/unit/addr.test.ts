/**
 * src/lib/addr: golden parse/format tables. The expected values are glibc's
 * (inet_pton, inet_ntop, inet_aton), taken from python3's socket module on
 * Debian 12, which calls them: what ipvsadm, iproute2 and keepalived print.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  afOf,
  canonicalIp,
  familyName,
  familyOfAf,
  familyOfName,
  formatAddrPort,
  formatHostPort,
  formatIp,
  formatIpv4,
  formatIpv6,
  INET_ATON,
  ipBytes,
  ipFamily,
  isInetNtopV6,
  isMulticast,
  maskBytes,
  mustIpBytes,
  parseCidrOrError,
  parseIp,
  parseIpOrError,
  splitHostPort,
  strictIpv4Text,
  WITH_ZONE,
} from '../../src/lib/addr';

/** IPv6 text -> inet_ntop(inet_pton(text)). */
const V6: [string, string][] = [
  ['::', '::'],
  ['::1', '::1'],
  ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
  ['::ffff:c000:201', '::ffff:192.0.2.1'],
  ['0:0:0:0:0:ffff:1.2.3.4', '::ffff:1.2.3.4'],
  ['::0:ffff:1.2.3.4', '::ffff:1.2.3.4'],
  ['::ffff:0:0', '::ffff:0.0.0.0'],
  ['::ffff:1:0', '::ffff:0.1.0.0'],
  ['::192.0.2.1', '::192.0.2.1'],
  ['::c000:201', '::192.0.2.1'],
  ['::0.0.0.1', '::1'],
  ['::fffe:1.2.3.4', '::fffe:102:304'],
  ['64:ff9b::192.0.2.1', '64:ff9b::c000:201'],
  ['1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:102:304'],
  ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
  ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
  ['0001:0002::0003', '1:2::3'],
  ['2001:db8:0:1:0:0:0:0', '2001:db8:0:1::'],
  ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
  ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
  ['0:0:0:0:0:1:0:0', '::1:0:0'],
  ['::1:0:0:0', '::1:0:0:0'],
  ['1::', '1::'],
  ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
  ['::2:3:4:5:6:7:8', '0:2:3:4:5:6:7:8'],
  ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
  ['fe80::1', 'fe80::1'],
];

/** Text that is not an address, and the precise reason. */
const INVALID: [string, string][] = [
  ['', 'empty'],
  ['vip', "'v' is not a decimal digit"],
  ['1.2.3', '3 parts (an IPv4 address has 4)'],
  ['1.2.3.4.5', 'more than 4 parts'],
  ['1..2.3', 'empty part'],
  ['1.2.3.4.', 'more than 4 parts'],
  ['1.2.3.256', "part '256' is over 255"],
  ['1.2.3.1000', "part '1000' is over 255"],
  ['01.2.3.4', "part '01' has a leading zero"],
  ['1.2.3.4 ', "' ' is not a decimal digit"],
  ['1:2:3:4:5:6:7:8:9', '9 groups (an IPv6 address has 8)'],
  ['1:2:3:4:5:6:7', '7 groups (an IPv6 address has 8)'],
  ['1::2::3', "more than one '::'"],
  [':::', "more than one '::'"],
  ['1:2:3:4:5:6:7::8', "'::' with 8 groups (it must stand for at least one)"],
  ['1:2:3:4:5:6:7:1.2.3.4', '9 groups (an IPv6 address has 8)'],
  ['12345::1', "group '12345' is not 1 to 4 hex digits"],
  ['::g', "group 'g' is not 1 to 4 hex digits"],
  [':1::2', 'empty group'],
  ['1::2:', 'empty group'],
  [':', 'empty group'],
  ['::1.2.3', "IPv4 tail '1.2.3': 3 parts (an IPv4 address has 4)"],
  ['::01.2.3.4', "IPv4 tail '01.2.3.4': part '01' has a leading zero"],
  ['::ffff:1.2.3.4:5', "group '1.2.3.4' is not 1 to 4 hex digits"],
  ['fe80::1%eth0', 'a %zone is not allowed here'],
];

/** inet_aton: text -> dotted quad, or null (glibc refuses it). */
const ATON: [string, string | null][] = [
  ['192.0.2.1', '192.0.2.1'],
  ['1.2.3', '1.2.0.3'],
  ['10.1', '10.0.0.1'],
  ['1', '0.0.0.1'],
  ['01.2.3.4', '1.2.3.4'],
  ['010.0.0.1', '8.0.0.1'],
  ['0377.1.1.1', '255.1.1.1'],
  ['0x7f.1', '127.0.0.1'],
  ['0xff.0xff.0xff.0xff', '255.255.255.255'],
  ['1.0xffffff', '1.255.255.255'],
  ['1.2.0xffff', '1.2.255.255'],
  ['4294967295', '255.255.255.255'],
  ['1.2.3.4 ', '1.2.3.4'],
  ['1.2.3.4 trailing words', '1.2.3.4'],
  ['4294967296', null],
  ['0x.1', null],
  ['08.1.1.1', null],
  ['1.2.3.256', null],
  ['256.1', null],
  ['1.256.1', null],
  ['1.2.65536', null],
  ['1.2.3.4.5', null],
  ['1..2.3', null],
  ['1.2.3.4.', null],
  ['', null],
  [' 1.2.3.4', null],
];

describe('addr: IPv6 reading and writing (inet_pton, inet_ntop)', () => {
  for (const [text, want] of V6) {
    it(`${text} -> ${want}`, () => {
      const ip = parseIp(text);
      assert.ok(ip, text);
      assert.equal(ip.family, 6);
      assert.equal(ip.text, want);
      assert.equal(formatIp(ip.bytes), want);
      assert.equal(canonicalIp(text), want);
      // the text written is read back to the same bytes
      assert.deepEqual(parseIp(want)?.bytes, ip.bytes);
    });
  }
});

describe('addr: IPv4 reading (inet_pton: no leading zeros, four parts)', () => {
  it('dotted quads', () => {
    for (const s of ['0.0.0.0', '192.0.2.1', '255.255.255.255', '10.0.0.10']) {
      assert.equal(parseIp(s)?.text, s);
      assert.equal(strictIpv4Text(s), s);
      assert.equal(formatIpv4(mustIpBytes(s, 4)), s);
    }
    assert.equal(formatIpv4(Buffer.from([0, 192, 0, 2, 1]), 1), '192.0.2.1');
    assert.equal(formatIpv6(Buffer.concat([Buffer.alloc(2), mustIpBytes('2001:db8::1')]), 2), '2001:db8::1');
  });
});

describe('addr: invalid text, with the precise reason', () => {
  for (const [text, why] of INVALID) {
    it(`'${text}': ${why}`, () => {
      assert.deepEqual(parseIpOrError(text), { ok: false, message: `invalid IP address '${text}': ${why}` });
      assert.equal(parseIp(text), null);
      assert.equal(canonicalIp(text), null);
      assert.equal(ipFamily(text), 0);
    });
  }
  it('mustIpBytes says which family it wanted', () => {
    assert.throws(() => mustIpBytes('192.0.2', 4), /^Error: not an IPv4 address: 192\.0\.2$/);
    assert.throws(() => mustIpBytes('2001:db8::1', 4), /^Error: not an IPv4 address: 2001:db8::1$/);
    assert.throws(() => mustIpBytes('192.0.2.1', 6), /^Error: not an IPv6 address: 192\.0\.2\.1$/);
    assert.throws(() => mustIpBytes('x::y'), /^Error: not an IPv6 address: x::y$/);
  });
});

describe('addr: zone ids (fe80::1%eth0) only where allowed', () => {
  it('WITH_ZONE keeps the zone apart from the address', () => {
    const ip = parseIp('FE80::1%eth0', WITH_ZONE);
    assert.equal(ip?.text, 'fe80::1');
    assert.equal(ip?.zone, 'eth0');
    assert.equal(ip?.bytes.toString('hex'), 'fe800000000000000000000000000001');
    assert.equal(parseIp('fe80::1%2', WITH_ZONE)?.zone, '2');
    assert.equal(ipFamily('fe80::1%eth0', WITH_ZONE), 6);
    assert.equal(parseIp('fe80::1', WITH_ZONE)?.zone, undefined);
  });
  it('no zone on IPv4, none by default', () => {
    assert.equal(parseIp('192.0.2.1%eth0', WITH_ZONE), null);
    assert.equal(parseIp('fe80::1%eth0'), null);
    assert.equal(ipBytes('fe80::1%eth0', 6), null);
  });
});

describe("addr: inet_aton mode (ipvsadm's IPv4 reading)", () => {
  for (const [text, want] of ATON) {
    it(`'${text}' -> ${want ?? 'refused'}`, () => {
      const b = ipBytes(text, 4, INET_ATON);
      assert.equal(b ? formatIpv4(b) : null, want);
      assert.equal(parseIp(text, INET_ATON)?.text ?? null, want);
    });
  }
  it('reasons', () => {
    assert.deepEqual(parseIpOrError('0x.1', INET_ATON), { ok: false, message: "invalid IP address '0x.1': part '0x' is not a C number (decimal, 0octal or 0xhex)" });
    assert.deepEqual(parseIpOrError('1.2.65536', INET_ATON), { ok: false, message: "invalid IP address '1.2.65536': last part '65536' is over 65535" });
    assert.deepEqual(parseIpOrError('256.1', INET_ATON), { ok: false, message: "invalid IP address '256.1': part '256' is over 255" });
  });
  it('strict text is canonical under both readings', () => {
    assert.equal(canonicalIp('10.1', INET_ATON), '10.0.0.1');
    assert.equal(canonicalIp('10.1'), null);
    assert.equal(canonicalIp('192.0.2.1', INET_ATON), '192.0.2.1');
  });
});

describe('addr: the inet_ntop fast path agrees with parse + format', () => {
  it('isInetNtopV6(s) only when s is its own canonical text', () => {
    const texts = [...V6.flat(), '2001:db8::', '2001:db8:0:0:1::1', '2001:db8::1:0:0:0:1', '1:0:0:2::3', '1::2:0:0:3', 'fe80::01', '0::1', 'FE80::1', '2001:db8:0:0:1:0:0:1'];
    for (const s of texts) {
      if (isInetNtopV6(s)) assert.equal(formatIp(mustIpBytes(s)), s, s);
      // and canonicalIp (which takes the fast path) always equals the full parse
      assert.equal(canonicalIp(s), parseIp(s)?.text ?? null, s);
    }
    for (const s of ['2001:db8::1', 'fe80::1', '1:2:3:4:5:6:7:8', '1::']) assert.equal(isInetNtopV6(s), true, s);
    for (const s of ['::1', '::ffff:192.0.2.1', 'FE80::1', 'fe80::01', '1:0:0:2:0:0:0:3', '2001:db8:0::1']) assert.equal(isInetNtopV6(s), false, s);
  });
});

describe('addr: prefixes', () => {
  it('ADDR[/PREFIX] with the host prefix by default', () => {
    const c = parseCidrOrError('192.0.2.77/26');
    assert.ok(c.ok);
    assert.equal(c.value.prefix, 26);
    const h = parseCidrOrError('2001:db8::1');
    assert.equal(h.ok && h.value.prefix, 128);
    assert.deepEqual(parseCidrOrError('192.0.2.1/33'), { ok: false, message: "invalid prefix length in '192.0.2.1/33' (0-32)" });
    assert.deepEqual(parseCidrOrError('2001:db8::/129'), { ok: false, message: "invalid prefix length in '2001:db8::/129' (0-128)" });
    assert.deepEqual(parseCidrOrError('192.0.2.1/'), { ok: false, message: "invalid prefix length in '192.0.2.1/' (0-32)" });
    assert.deepEqual(parseCidrOrError('192.0.2/24'), { ok: false, message: "invalid prefix '192.0.2/24': 3 parts (an IPv4 address has 4)" });
    assert.equal(maskBytes(4, 26).toString('hex'), 'ffffffc0');
    assert.equal(maskBytes(6, 33).toString('hex'), 'ffffffff800000000000000000000000');
  });
});

describe('addr: families', () => {
  it('4|6, the kernel numbers and the words convert both ways', () => {
    assert.equal(afOf(4), 2);
    assert.equal(afOf(6), 10);
    assert.equal(familyOfAf(10), 6);
    assert.equal(familyOfAf(2), 4);
    assert.equal(familyName(6), 'inet6');
    assert.equal(familyOfName('inet'), 4);
  });
  it('multicast', () => {
    for (const s of ['224.0.0.18', '239.255.255.255', 'ff02::12', 'FF05::1']) assert.equal(isMulticast(s), true, s);
    for (const s of ['223.255.255.255', '240.0.0.1', 'fe80::1', '::ffff:224.0.0.1', 'ff', 'x']) assert.equal(isMulticast(s), false, s);
  });
});

describe('addr: ADDR:PORT', () => {
  const SPLIT: [string, ReturnType<typeof splitHostPort>][] = [
    ['192.0.2.1:80', { host: '192.0.2.1', port: '80', bracketed: false }],
    ['192.0.2.1', { host: '192.0.2.1', bracketed: false }],
    ['[2001:db8::1]:443', { host: '2001:db8::1', port: '443', bracketed: true }],
    ['[2001:db8::1]', { host: '2001:db8::1', bracketed: true }],
    ['2001:db8::1', { host: '2001:db8::1', bracketed: false }],
    ['::1:80', { host: '::1:80', bracketed: false }],
    ['[fe80::1%eth0]:9100', { host: 'fe80::1%eth0', port: '9100', bracketed: true }],
    ['www.example.com:http', { host: 'www.example.com', port: 'http', bracketed: false }],
    [':9100', { host: '', port: '9100', bracketed: false }],
    ['192.0.2.1:', { host: '192.0.2.1', port: '', bracketed: false }],
    ['[2001:db8::1', null],
    ['[2001:db8::1]80', null],
  ];
  for (const [text, want] of SPLIT) it(`split '${text}'`, () => assert.deepEqual(splitHostPort(text), want));
  it('format: IPv6 in brackets', () => {
    assert.equal(formatHostPort('192.0.2.1', 80), '192.0.2.1:80');
    assert.equal(formatHostPort('2001:db8::1', 80), '[2001:db8::1]:80');
    assert.equal(formatHostPort('fe80::1%eth0', 80), '[fe80::1%eth0]:80');
    assert.equal(formatHostPort('host.example', 25), 'host.example:25');
    assert.equal(formatHostPort('2001:db8::1'), '2001:db8::1');
    assert.equal(formatAddrPort(6, '::ffff:192.0.2.1', 80), '[::ffff:192.0.2.1]:80');
    assert.equal(formatAddrPort(4, '192.0.2.1', 0), '192.0.2.1:0');
  });
});
