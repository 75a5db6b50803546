/**
 * The copies of the address code that disagreed before src/lib/addr now
 * agree, and agree with glibc (what keepalived, ipvsadm and iproute2 do).
 * This file uses only entry points that existed before the consolidation
 * (conf/values, the net barrel, ipvs/addr, vrrp/packet, lvs/from-config,
 * check/target), so it ran, and failed, on the old tree.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTarget } from '../../src/lib/check/target';
import { loadConfig, memoryReader } from '../../src/lib/conf/index';
import { parseIp as confParseIp, parseIpv6 as confParseIpv6 } from '../../src/lib/conf/values';
import { canonicalAddr } from '../../src/lib/ipvs/addr';
import { expandRange, lvsSpecFromConfig } from '../../src/lib/lvs/from-config';
import { formatIp, parseIp as netParseIp } from '../../src/lib/net';
import { compareAddr } from '../../src/lib/vrrp/packet';

const MAPPED = ['::ffff:192.0.2.1', '::ffff:c000:201', '0:0:0:0:0:ffff:c000:201', '::FFFF:192.0.2.1'];

function lvsConf(vip: string, rip: string): string {
  return `virtual_server ${vip} 80 {\n  protocol TCP\n  lb_kind NAT\n  real_server ${rip} 80 {\n    weight 1\n  }\n}\n`;
}

function load(text: string) {
  return loadConfig('/etc/keepalived/keepalived.conf', { reader: memoryReader({ '/etc/keepalived/keepalived.conf': text }), configId: 'x' });
}

describe('addresses: one text for ::ffff:192.0.2.1 everywhere (inet_ntop mixed notation)', () => {
  it('the configuration, the net helpers and the IPVS code print the same text', () => {
    for (const s of MAPPED) {
      const kernel = canonicalAddr(10, s);
      assert.equal(kernel, '::ffff:192.0.2.1', s);
      assert.equal(confParseIpv6(s), kernel, `conf ${s}`);
      const c = confParseIp(s);
      assert.equal(c.ok && c.value.address, kernel, `conf parseIp ${s}`);
      assert.equal(netParseIp(s)?.text, kernel, `net ${s}`);
      assert.equal(formatIp(netParseIp(s)!.bytes), kernel, `net formatIp ${s}`);
    }
    assert.equal(confParseIpv6('::c000:201'), '::192.0.2.1');
    assert.equal(netParseIp('::c000:201')?.text, '::192.0.2.1');
  });

  it('the LVS half keys a mapped real server and VIP by the kernel text (no churn against the live table)', () => {
    const r = load(lvsConf('::ffff:c000:20a', '::ffff:c000:201'));
    assert.deepEqual(
      r.diagnostics.filter((d) => d.severity === 'error'),
      [],
    );
    const vs = lvsSpecFromConfig(r.model).spec.virtualServers[0];
    assert.equal(vs.services[0].addr, canonicalAddr(10, '::ffff:192.0.2.10'));
    assert.equal(vs.realServers[0].addr, canonicalAddr(10, '::ffff:192.0.2.1'));
  });

  it('an IPv6 range over a mapped address expands to kernel text', () => {
    const start = confParseIpv6('::ffff:c000:201')!;
    const got = expandRange(start, 'inet6', 0x203);
    assert.deepEqual(got, ['::ffff:192.0.2.1', '::ffff:192.0.2.2', '::ffff:192.0.2.3']);
    for (const a of got) assert.equal(a, canonicalAddr(10, a));
  });
});

describe("addresses: inet_aton as glibc reads it (ipvsadm's and keepalived's IPv4 reading)", () => {
  it("'0x.1' is refused by ipvs as by the configuration (glibc inet_aton refuses it)", () => {
    assert.throws(() => canonicalAddr(2, '0x.1'), /invalid IPv4 address "0x\.1"/);
    const r = load('virtual_server 192.0.2.10 80 {\n  persistence_timeout 50\n  persistence_granularity 0x.1\n}\n');
    assert.ok(r.diagnostics.some((d) => /invalid persistence_granularity '0x\.1'/.test(d.message)));
  });
  it("'1.5' (1.0.0.5) and '0xff.0xff.0xff.0' are read alike", () => {
    assert.equal(canonicalAddr(2, '1.5'), '1.0.0.5');
    assert.equal(canonicalAddr(2, '0xff.0xff.0xff.0'), '255.255.255.0');
    const r = load('virtual_server 192.0.2.10 80 {\n  persistence_timeout 50\n  persistence_granularity 0xff.0xff.0xff.0\n}\n');
    assert.equal(r.model.virtual_servers[0].persistence_granularity && typeof r.model.virtual_servers[0].persistence_granularity === 'object' ? r.model.virtual_servers[0].persistence_granularity.address : undefined, '255.255.255.0');
  });
});

describe('addresses: VRRP, the checkers and the rest read the same addresses', () => {
  it('a %zone never becomes bytes in VRRP (it used to be read as a garbage group)', () => {
    assert.throws(() => compareAddr('fe80::1%eth0', 'fe80::2'), /not an IPv6 address/);
    assert.ok(compareAddr('fe80::1', 'fe80::2') < 0);
  });
  it('the checkers take the same IPv6 texts as the configuration', () => {
    for (const s of ['2001:db8::1', '::ffff:192.0.2.1', 'fe80::1%eth0']) assert.deepEqual(parseTarget(`[${s}]:80`), { host: s, port: 80 });
    for (const s of ['2001:db8::1::2', '1:2:3:4:5:6:7:8:9']) assert.throws(() => parseTarget(`[${s}]:80`), /invalid target/);
  });
});
