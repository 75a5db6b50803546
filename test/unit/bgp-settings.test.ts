import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideAnnounce, type VrrpHolder, type VsQuorum } from '../../src/lib/bgp/decide';
import { DEFAULT_PROTOCOL, DEFAULT_TABLE, findVip, parseSettings, renderFrrConfig, type VipAnnouncement } from '../../src/lib/bgp/settings';

const F = '/etc/hactl/bgp.conf';

function err(text: string): string {
  try {
    parseSettings(text, F);
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
}

describe('bgp settings file', () => {
  it('parses table, protocol, mode defaults and vip options', () => {
    const s = parseSettings(
      [
        '# directors lb1..lb3',
        'table 120',
        'protocol 240   ! comment',
        '',
        'mode master-only',
        'vip 203.0.113.10 med 10 community 64501:100 community NO-EXPORT community 64501:100',
        'vip 203.0.113.20 mode active-active sorry-server announce',
      ].join('\n'),
      F,
    );
    assert.equal(s.table, 120);
    assert.equal(s.protocol, 240);
    assert.deepEqual(s.vips, [
      { vip: '203.0.113.10', mode: 'master-only', med: 10, communities: ['64501:100', 'no-export'], sorryServerAnnounces: false, line: 6 },
      { vip: '203.0.113.20', mode: 'active-active', communities: [], sorryServerAnnounces: true, line: 7 },
    ]);
    assert.equal(findVip(s, '203.0.113.20')?.line, 7);
    assert.equal(findVip(s, '203.0.113.99'), undefined);
  });

  it('defaults: table 100, protocol 249, active-active', () => {
    const s = parseSettings('vip 192.0.2.1\n', F);
    assert.equal(s.table, DEFAULT_TABLE);
    assert.equal(s.protocol, DEFAULT_PROTOCOL);
    assert.equal(s.vips[0].mode, 'active-active');
  });

  it('reports the first error with file:line and what to do', () => {
    const cases: [string, string][] = [
      ['table 254', `${F}:1: table must be 1-252 (FRR's ip import-table range; 253-255 are the kernel's default, main and local), got "254"`],
      ['table 0x10', `${F}:1: table must be 1-252 (FRR's ip import-table range; 253-255 are the kernel's default, main and local), got "0x10"`],
      ['table 100\ntable 101', `${F}:2: table given twice`],
      ['table', `${F}:1: table needs a routing table number (1-252)`],
      ['table 100 200', `${F}:1: unexpected "200" after table 100`],
      ['\nprotocol 186', `${F}:2: protocol 186 belongs to FRR: choose a number nobody else uses (default 249)`],
      ['protocol 18', `${F}:1: protocol 18 belongs to keepalived (and hactl virtual_routes): choose a number nobody else uses (default 249)`],
      ['protocol 256', `${F}:1: protocol must be a number 1-255, got "256"`],
      ['mode both', `${F}:1: mode must be master-only or active-active, got "both"`],
      ['vip 192.0.2.1\nmode master-only', `${F}:2: mode (the default for the vip lines) must come before the first vip line; give "mode" on the vip line instead`],
      ['vip', `${F}:1: vip needs an IPv4 address`],
      ['vip 192.0.2.1/32', `${F}:1: "192.0.2.1/32" is not an IP address (a VIP is announced as a host route: no prefix)`],
      ['vip 2001:db8::1', `${F}:1: IPv6 VIP 2001:db8::1: FRR 8.4's zebra imports only IPv4 tables (ip import-table); IPv6 is not supported yet`],
      ['vip 192.0.2.1\n\nvip 192.0.2.01', `${F}:3: "192.0.2.01" is not an IP address (a VIP is announced as a host route: no prefix)`],
      ['vip 192.0.2.1\n\nvip 192.0.2.1', `${F}:3: vip 192.0.2.1 already declared at line 1`],
      ['vip 192.0.2.1 weight 3', `${F}:1: unknown vip option "weight" (mode, med, community, sorry-server, track-script)`],
      ['vip 192.0.2.1 med', `${F}:1: vip 192.0.2.1: med needs a value`],
      ['vip 192.0.2.1 med -1', `${F}:1: vip 192.0.2.1: med must be 0-4294967295, got "-1"`],
      ['vip 192.0.2.1 med 4294967296', `${F}:1: vip 192.0.2.1: med must be 0-4294967295, got "4294967296"`],
      ['vip 192.0.2.1 med 1 med 2', `${F}:1: vip 192.0.2.1: med given twice`],
      ['vip 192.0.2.1 community 65536:1', `${F}:1: vip 192.0.2.1: community must be AA:NN (0-65535 each) or no-export, no-advertise, local-AS, got "65536:1"`],
      ['vip 192.0.2.1 sorry-server maybe', `${F}:1: vip 192.0.2.1: sorry-server must be announce or withdraw, got "maybe"`],
      ['virtual_server 192.0.2.1 80', `${F}:1: unknown keyword "virtual_server" (table, protocol, vty-socket, mode, vip)`],
    ];
    for (const [text, want] of cases) assert.equal(err(text), want, text);
  });

  it('renders the FRR config: import-table, one prefix-list per community set, redistribute table', () => {
    const s = parseSettings('table 120\nvip 203.0.113.10 community 64501:1\nvip 203.0.113.11 community 64501:1\nvip 203.0.113.12 med 5\n', 'x.conf');
    assert.equal(
      renderFrrConfig(s, 64501),
      [
        '! hactl bgp: x.conf',
        'ip import-table 120',
        'ip prefix-list HACTL-VIPS-1 seq 1 permit 203.0.113.10/32',
        'ip prefix-list HACTL-VIPS-1 seq 2 permit 203.0.113.11/32',
        'route-map HACTL-VIPS permit 1',
        ' match ip address prefix-list HACTL-VIPS-1',
        ' set community 64501:1 additive',
        'exit',
        'route-map HACTL-VIPS permit 1000',
        'exit',
        'router bgp 64501',
        ' address-family ipv4 unicast',
        '  redistribute table 120 route-map HACTL-VIPS',
        ' exit-address-family',
        'exit',
        '',
      ].join('\n'),
    );
  });
});

describe('bgp announce decision', () => {
  const ann = (mode: VipAnnouncement['mode'], sorry = false): VipAnnouncement => ({ vip: '203.0.113.10', mode, communities: [], sorryServerAnnounces: sorry, line: 1 });
  const vs = (id: string, quorumUp: boolean | undefined, sorryAlive = false): VsQuorum => ({ id, quorumUp, sorryAlive });
  const up = [vs('[203.0.113.10]:tcp:80', true), vs('[203.0.113.10]:tcp:443', true)];
  const h = (instance: string, state: string): VrrpHolder => ({ instance, state });

  it('active-active: announces while every virtual server has quorum and no holder is FAULT', () => {
    assert.deepEqual(decideAnnounce({ announcement: ann('active-active'), virtualServers: up, vrrp: [] }), { announce: true, reason: 'quorum, mode active-active' });
    assert.deepEqual(decideAnnounce({ announcement: ann('active-active'), virtualServers: up, vrrp: [h('VI_1', 'BACKUP')] }).announce, true);
    assert.deepEqual(decideAnnounce({ announcement: ann('active-active'), virtualServers: up, vrrp: [h('VI_1', 'FAULT')] }), {
      announce: false,
      reason: 'mode active-active: VI_1 is FAULT',
    });
  });

  it('never announces a VIP that is not served, or whose quorum is lost or unknown', () => {
    assert.deepEqual(decideAnnounce({ announcement: ann('active-active'), virtualServers: [], vrrp: [] }), {
      announce: false,
      reason: 'no virtual_server on 203.0.113.10: announced but not served',
    });
    assert.deepEqual(decideAnnounce({ announcement: ann('active-active'), virtualServers: [up[0], vs('[203.0.113.10]:tcp:443', false)], vrrp: [] }), {
      announce: false,
      reason: 'quorum lost on [203.0.113.10]:tcp:443',
    });
    assert.deepEqual(decideAnnounce({ announcement: ann('master-only'), virtualServers: [vs('[203.0.113.10]:tcp:80', undefined)], vrrp: [h('VI_1', 'MASTER')] }), {
      announce: false,
      reason: 'quorum of [203.0.113.10]:tcp:80 not known yet',
    });
  });

  it('a live sorry server counts only with sorry-server announce', () => {
    const sorry = [vs('[203.0.113.10]:tcp:80', false, true)];
    assert.equal(decideAnnounce({ announcement: ann('active-active'), virtualServers: sorry, vrrp: [] }).announce, false);
    assert.deepEqual(decideAnnounce({ announcement: ann('active-active', true), virtualServers: sorry, vrrp: [] }), {
      announce: true,
      reason: 'quorum (sorry server on [203.0.113.10]:tcp:80), mode active-active',
    });
    assert.equal(decideAnnounce({ announcement: ann('active-active', true), virtualServers: [vs('[203.0.113.10]:tcp:80', false, false)], vrrp: [] }).announce, false);
  });

  it('master-only: announces only while an instance holding the VIP is MASTER', () => {
    for (const st of ['INIT', 'BACKUP', 'FAULT', 'STOP'])
      assert.deepEqual(decideAnnounce({ announcement: ann('master-only'), virtualServers: up, vrrp: [h('VI_1', st)] }), {
        announce: false,
        reason: `mode master-only: VI_1 is ${st}`,
      });
    assert.deepEqual(decideAnnounce({ announcement: ann('master-only'), virtualServers: up, vrrp: [h('VI_1', 'BACKUP'), h('VI_2', 'MASTER')] }), {
      announce: true,
      reason: 'quorum, VI_2 is MASTER',
    });
    assert.deepEqual(decideAnnounce({ announcement: ann('master-only'), virtualServers: up, vrrp: [] }), {
      announce: false,
      reason: 'mode master-only but no vrrp_instance holds 203.0.113.10',
    });
    // --vrrp-only: no health checks, only VRRP decides (master-only), active-active never announces
    assert.deepEqual(decideAnnounce({ announcement: ann('master-only'), virtualServers: 'unchecked', vrrp: [h('VI_1', 'MASTER')] }), {
      announce: true,
      reason: 'quorum not checked (--vrrp-only), VI_1 is MASTER',
    });
    assert.equal(decideAnnounce({ announcement: ann('master-only'), virtualServers: 'unchecked', vrrp: [h('VI_1', 'BACKUP')] }).announce, false);
    assert.deepEqual(decideAnnounce({ announcement: ann('active-active'), virtualServers: 'unchecked', vrrp: [] }), {
      announce: false,
      reason: "mode active-active needs the virtual servers' quorum or a track-script, and no health checks run here (--vrrp-only)",
    });
    // quorum first: a MASTER without quorum does not attract traffic
    assert.equal(decideAnnounce({ announcement: ann('master-only'), virtualServers: [vs('x', false)], vrrp: [h('VI_1', 'MASTER')] }).announce, false);
  });
});

describe('bgp: track-script (the health signal without the LVS half)', () => {
  const aa = parseSettings('vip 203.0.113.10 track-script chk_web track-script chk_db track-script chk_web\n', F).vips[0];
  it('parses track-script (repeatable, once each)', () => {
    assert.deepEqual(aa.trackScripts, ['chk_web', 'chk_db']);
    assert.match(err('vip 203.0.113.10 track-script\n'), /:1: vip 203\.0\.113\.10: track-script needs a value/);
  });
  it('--vrrp-only: an active-active VIP follows its track-scripts; every one must be up', () => {
    const d = (scripts: Record<string, boolean | undefined>, vrrp: VrrpHolder[] = []) => decideAnnounce({ announcement: aa, virtualServers: 'unchecked', vrrp, scripts });
    assert.deepEqual(d({ chk_web: true, chk_db: true }), { announce: true, reason: 'quorum not checked (--vrrp-only), track_script chk_web, chk_db up, mode active-active' });
    assert.deepEqual(d({ chk_web: true, chk_db: false }), { announce: false, reason: 'track_script chk_db is down' });
    assert.deepEqual(d({ chk_web: true }), { announce: false, reason: 'track_script chk_db is not known yet' });
    assert.deepEqual(d({ chk_web: true, chk_db: true }, [{ instance: 'VI_1', state: 'FAULT' }]), { announce: false, reason: 'mode active-active: VI_1 is FAULT' });
  });
  it('with the LVS half: quorum and the track-scripts', () => {
    const q = [{ id: '[203.0.113.10]:tcp:80', quorumUp: true }];
    assert.equal(decideAnnounce({ announcement: aa, virtualServers: q, vrrp: [], scripts: { chk_web: true, chk_db: true } }).reason, 'quorum, track_script chk_web, chk_db up, mode active-active');
    assert.equal(decideAnnounce({ announcement: aa, virtualServers: q, vrrp: [], scripts: { chk_web: false, chk_db: true } }).announce, false);
  });
});

describe('bgp settings: vty-socket', () => {
  it("FRR's vty socket directory for the daemon's reads: absolute, once", () => {
    assert.equal(parseSettings('vty-socket /run/frr-lab\nvip 203.0.113.10\n', F).vtySocket, '/run/frr-lab');
    assert.equal(parseSettings('vip 203.0.113.10\n', F).vtySocket, undefined);
    assert.match(err('vty-socket run/frr\n'), /:1: vty-socket must be an absolute directory/);
    assert.match(err('vty-socket /a\nvty-socket /b\n'), /:2: vty-socket given twice/);
  });
});
