/**
 * One failing and one passing config per lint rule (in-memory files, no
 * host access), plus --host rules with a fake HostProbe and cluster mode.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type HostProbe, lint } from '../../../src/lib/conf/lint';
import { memoryReader } from '../../../src/lib/conf/reader';

const VIP = ' virtual_ipaddress {\n  192.0.2.1/24\n }\n';
/** A clean instance with extra body lines. */
const vi = (body = '', name = 'VI_1', vrid = 51, vip = VIP) => `vrrp_instance ${name} {\n interface eth0\n virtual_router_id ${vrid}\n priority 100\n${vip}${body}\n}\n`;
const vs = (body = '', head = '192.0.2.1 80') =>
  `virtual_server ${head} {\n lb_algo rr\n lb_kind NAT\n protocol TCP\n${body}\n real_server 198.51.100.1 80 {\n  TCP_CHECK {\n   connect_timeout 3\n  }\n }\n}\n`;

function run(text: string | Record<string, string>, opts: { host?: HostProbe; cluster?: boolean; files?: string[] } = {}) {
  const files = typeof text === 'string' ? { '/c/k.conf': text } : text;
  return lint({ files: opts.files ?? Object.keys(files), reader: memoryReader(files, '/c'), configId: 'lb1', env: {}, host: opts.host, cluster: opts.cluster });
}

function rules(text: string | Record<string, string>, opts: { host?: HostProbe; cluster?: boolean } = {}): string[] {
  return run(text, opts).diagnostics.map((d) => d.rule);
}

const CASES: [rule: string, bad: string, good: string][] = [
  ['unknown-keyword', vi(' priorty 100'), vi()],
  ['duplicate-keyword', vi(' priority 100'), vi()],
  ['extra-args', vi(' advert_int 1 2'), vi(' advert_int 1')],
  ['parser-abort', vi(' advert_int'), vi(' advert_int 1')],
  ['missing-parameter', vi(' kernel_rx_buf_size'), vi(' kernel_rx_buf_size 1048576')],
  ['range', vi(' preempt_delay 2000'), vi(' preempt_delay 10')],
  ['number', vi(' advert_int x'), vi(' advert_int 3')],
  ['bool', vi(' smtp_alert maybe'), vi(' smtp_alert yes')],
  ['enum', vi(' state SLAVE'), vi(' state BACKUP')],
  ['address', vi(' mcast_src_ip 192.0.2.300'), vi(' mcast_src_ip 192.0.2.3')],
  ['unicast-no-peer', vi(' unicast_src_ip 192.0.2.3'), vi(' unicast_src_ip 192.0.2.3\n unicast_peer {\n  192.0.2.4\n }')],
  ['unicast-no-peer', vi(' unicast_peer {\n }'), vi(' unicast_peer {\n  192.0.2.4\n }')],
  ['unicast-no-peer', vi(' unicast_peer {\n  @nosuchhost 192.0.2.4\n }'), vi(' unicast_peer {\n  @nosuchhost 192.0.2.4\n  192.0.2.5\n }')],
  ['track-own-interface', vi(' track_interface {\n  eth0\n }'), vi(' track_interface {\n  eth1\n }')],
  ['unknown-option', vi('', 'VI_1', 51, ' virtual_ipaddress {\n  192.0.2.1/24 dve eth0\n }\n'), vi('', 'VI_1', 51, ' virtual_ipaddress {\n  192.0.2.1/24 dev eth0\n }\n')],
  ['deprecated', `${vi()}${vs(' real_server 198.51.100.2 80 {\n  HTTP_GET {\n   url {\n    path /\n   }\n   nb_get_retry 3\n  }\n }')}`, `${vi()}${vs(' real_server 198.51.100.2 80 {\n  HTTP_GET {\n   url {\n    path /\n   }\n   retry 3\n  }\n }')}`],
  ['brace', vi(' garp_master_delay 1 {\n }'), vi(' garp_master_delay 1')],
  ['missing-name', 'vrrp_script {\n script /bin/true\n}\n', 'global_defs {\n enable_script_security\n}\nvrrp_script s {\n script /bin/true\n}\n'],
  ['empty-config', '# nothing\n', vi()],
  ['duplicate-name', vi() + vi('', 'VI_1', 52, ' virtual_ipaddress {\n  192.0.2.2/24\n }\n'), vi() + vi('', 'VI_2', 52, ' virtual_ipaddress {\n  192.0.2.2/24\n }\n')],
  ['script-missing', `vrrp_script s {\n interval 2\n}\n${vi(' track_script {\n  s\n }')}`, `global_defs {\n enable_script_security\n}\nvrrp_script s {\n script /bin/true\n}\n${vi(' track_script {\n  s\n }')}`],
  ['vrid-missing', 'vrrp_instance VI_1 {\n interface eth0\n virtual_ipaddress {\n  192.0.2.1\n }\n}\n', vi()],
  ['no-vip', 'vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 5\n}\n', vi()],
  ['no-interface', 'vrrp_instance VI_1 {\n virtual_router_id 5\n virtual_ipaddress {\n  192.0.2.1\n }\n}\n', vi()],
  ['strict-auth', `global_defs {\n vrrp_strict\n}\n${vi(' authentication {\n  auth_type PASS\n  auth_pass x\n }')}`, `global_defs {\n vrrp_strict\n}\n${vi()}`],
  ['auth-v3', vi(' version 3\n authentication {\n  auth_type PASS\n  auth_pass x\n }'), vi(' version 3')],
  ['auth-pass-length', vi(' authentication {\n  auth_type PASS\n  auth_pass 123456789\n }'), vi(' authentication {\n  auth_type PASS\n  auth_pass 12345678\n }')],
  ['auth-pass-missing', vi(' authentication {\n  auth_type PASS\n }'), vi(' authentication {\n  auth_type PASS\n  auth_pass x\n }')],
  ['ah-master', vi(' state MASTER\n authentication {\n  auth_type AH\n  auth_pass x\n }'), vi(' state BACKUP\n authentication {\n  auth_type AH\n  auth_pass x\n }')],
  ['strict-master', `global_defs {\n vrrp_strict\n}\n${vi(' state MASTER')}`, `global_defs {\n vrrp_strict\n}\n${vi(' state BACKUP')}`],
  ['strict-unicast', `global_defs {\n vrrp_strict\n}\n${vi(' unicast_peer {\n  192.0.2.9\n }')}`, `global_defs {\n vrrp_strict\n}\n${vi()}`],
  ['strict-accept', `global_defs {\n vrrp_strict\n}\n${vi(' accept')}`, `global_defs {\n vrrp_strict\n}\n${vi(' version 3\n accept')}`],
  ['nopreempt-master', vi(' state MASTER\n nopreempt'), vi(' state BACKUP\n nopreempt')],
  ['advert-int', vi(' advert_int 1.5'), vi(' version 3\n advert_int 1.5')],
  ['unicast-peer-prefix', vi(' unicast_peer {\n  192.0.2.9/24\n }'), vi(' unicast_peer {\n  192.0.2.9\n }')],
  ['mixed-family', vi(' unicast_src_ip 192.0.2.5\n unicast_peer {\n  2001:db8::9\n }'), vi(' unicast_src_ip 192.0.2.5\n unicast_peer {\n  192.0.2.9\n }')],
  ['duplicate-vip', vi() + vi('', 'VI_2', 52), vi() + vi('', 'VI_2', 52, ' virtual_ipaddress {\n  192.0.2.2/24\n }\n')],
  ['vrid-clash', vi() + vi('', 'VI_2', 51, ' virtual_ipaddress {\n  192.0.2.2/24\n }\n'), vi() + vi('', 'VI_2', 52, ' virtual_ipaddress {\n  192.0.2.2/24\n }\n')],
  ['undefined-reference', vi(' track_script {\n  nosuch\n }'), vi()],
  ['route-no-interface', vi(' virtual_routes {\n  203.0.113.0/24 via 192.0.2.254\n }'), vi(' virtual_routes {\n  203.0.113.0/24 via 192.0.2.254 dev eth0\n }')],
  ['rule-preference', vi(' virtual_rules {\n  from 192.0.2.0/24 table 100\n }'), vi(' virtual_rules {\n  from 192.0.2.0/24 table 100 priority 100\n }')],
  ['sync-group-empty', `vrrp_sync_group G {\n group {\n  VI_X\n }\n}\n${vi()}`, `vrrp_sync_group G {\n group {\n  VI_1\n  VI_2\n }\n}\n${vi()}${vi('', 'VI_2', 52, ' virtual_ipaddress {\n  192.0.2.2/24\n }\n')}`],
  ['sync-group-single', `vrrp_sync_group G {\n group {\n  VI_1\n }\n}\n${vi()}`, `vrrp_sync_group G {\n group {\n  VI_1\n  VI_2\n }\n}\n${vi()}${vi('', 'VI_2', 52, ' virtual_ipaddress {\n  192.0.2.2/24\n }\n')}`],
  ['vs-defaults', 'virtual_server 192.0.2.1 80 {\n real_server 198.51.100.1 80 {\n }\n}\n', vs()],
  ['vs-no-real-server', 'virtual_server 192.0.2.1 80 {\n lb_algo rr\n lb_kind NAT\n protocol TCP\n}\n', vs()],
  ['dr-port', vs().replace('lb_kind NAT', 'lb_kind DR').replace('198.51.100.1 80', '198.51.100.1 81'), vs().replace('lb_kind NAT', 'lb_kind DR')],
  ['fwmark-protocol', vs('', 'fwmark 1').replace('198.51.100.1 80 {', '198.51.100.1 {'), vs('', 'fwmark 1').replace(' protocol TCP\n', '').replace('198.51.100.1 80 {', '198.51.100.1 {')],
  ['fwmark-rs-port', vs('', 'fwmark 1').replace(' protocol TCP\n', '').replace('lb_kind NAT', 'lb_kind DR'), vs('', 'fwmark 1').replace(' protocol TCP\n', '').replace('lb_kind NAT', 'lb_kind DR').replace('198.51.100.1 80 {', '198.51.100.1 0 {')],
  ['vsg-empty', `virtual_server_group G {\n}\n${vs('', 'group G')}`, `virtual_server_group G {\n 192.0.2.1 80\n}\n${vs('', 'group G')}`],
  ['payload', vs(' real_server 198.51.100.2 80 {\n  UDP_CHECK {\n   payload xyz\n  }\n }'), vs(' real_server 198.51.100.2 80 {\n  UDP_CHECK {\n   payload 0a0b\n  }\n }')],
  ['interface-loopback', vi().replace('interface eth0', 'interface lo'), vi()],
  ['interface-name', vi(' use_vmac vrrp-much-too-long-name'), vi(' use_vmac vrrp.51')],
  ['duplicate-virtual-server', vs() + vs(), vs() + vs('', '192.0.2.1 443')],
  ['duplicate-real-server', vs(' real_server 198.51.100.1 80 {\n }'), vs(' real_server 198.51.100.2 80 {\n }')],
  ['digest', vs(' real_server 198.51.100.2 80 {\n  HTTP_GET {\n   url {\n    path /\n    digest xyz\n   }\n  }\n }'), vs(' real_server 198.51.100.2 80 {\n  HTTP_GET {\n   url {\n    path /\n    digest 9b3a0c85a887a256d6939da88aabd8cd\n   }\n  }\n }')],
  ['sync-group-weight', `vrrp_script s {\n script /bin/true\n weight 10\n}\nglobal_defs {\n enable_script_security\n}\nvrrp_sync_group G {\n group {\n  VI_1\n  VI_2\n }\n}\n${vi(' track_script {\n  s\n }')}${vi('', 'VI_2', 52, ' virtual_ipaddress {\n  192.0.2.2/24\n }\n')}`, `vrrp_script s {\n script /bin/true\n}\nglobal_defs {\n enable_script_security\n}\nvrrp_sync_group G {\n group {\n  VI_1\n  VI_2\n }\n}\n${vi(' track_script {\n  s\n }')}${vi('', 'VI_2', 52, ' virtual_ipaddress {\n  192.0.2.2/24\n }\n')}`],
  ['script-security', `vrrp_script s {\n script "/usr/bin/killall -0 x"\n}\n${vi(' track_script {\n  s\n }')}`, `global_defs {\n enable_script_security\n}\nvrrp_script s {\n script "/usr/bin/killall -0 x"\n}\n${vi(' track_script {\n  s\n }')}`],
  ['checker-incomplete', vs(' real_server 198.51.100.2 80 {\n  MISC_CHECK {\n   misc_timeout 5\n  }\n }'), vs()],
  ['preempt-delay-nopreempt', vi(' nopreempt\n preempt_delay 30'), vi(' preempt_delay 30')],
  ['strict-ipv6-link-local', `global_defs {\n vrrp_strict\n}\n${vi(' version 3', 'VI_1', 51, ' virtual_ipaddress {\n  2001:db8::1/64\n }\n')}`, `global_defs {\n vrrp_strict\n}\n${vi(' version 3', 'VI_1', 51, ' virtual_ipaddress {\n  fe80::1\n  2001:db8::1/64\n }\n')}`],
  ['unsupported', `global_defs {\n vrrp_iptables\n}\n${vi()}`, `global_defs {\n nftables\n}\n${vi()}`],
  ['crlf', vi().replace(/\n/g, '\r\n'), vi()],
  ['nbsp', vi(' advert_int\u00a01'), vi(' advert_int 1')],
  ['smart-quote', vi(' notify_master \u201c/bin/true\u201d'), vi(' notify_master "/usr/local/bin/n.sh"')],
  ['unterminated-quote', vi(' notify_master "/usr/local/bin/n.sh'), vi(' notify_master "/usr/local/bin/n.sh"')],
  ['bom', `\ufeff${vi()}`, vi()],
  ['seq-syntax', vi(' ~SEQ(N, 1, x) garp_master_delay 1'), vi(' ~SEQ(N, 1, 1) garp_master_delay 1')],
];

describe('lint rules: one failing and one passing config each', () => {
  for (const [rule, bad, good] of CASES) {
    it(rule, () => {
      const b = rules(bad);
      assert.ok(b.includes(rule), `bad config should raise ${rule}; got ${b.join(', ') || 'nothing'}`);
      const g = run(good);
      assert.ok(!g.diagnostics.some((d) => d.rule === rule), `good config should not raise ${rule}; got ${JSON.stringify(g.diagnostics)}`);
    });
  }
  it('the good configs are entirely clean (exit 0)', () => {
    for (const [rule, , good] of CASES) {
      if (rule === 'script-missing' || rule === 'unknown-option' || rule === 'smart-quote' || rule === 'unterminated-quote') continue;
      const r = run(good);
      assert.equal(r.exitCode, 0, `${rule}: ${JSON.stringify(r.diagnostics)}`);
    }
  });
});

describe('lb_kind / lvs_method tunnel words (keepalived 2.2.7 svr_forwarding_handler)', () => {
  const msgs = (text: string) => run(text).diagnostics.filter((d) => d.rule === 'lvs-tunnel' || d.rule === 'extra-args').map((d) => `${d.line}: ${d.message}`);
  const withKind = (k: string) => vs().replace('lb_kind NAT', k);
  it('accepts the tunnel words and keeps them in the model', () => {
    for (const k of ['lb_kind TUN type gue port 6080', 'lvs_method TUN type gre csum', 'lb_kind TUN type ipip nocsum', 'lb_kind NAT type gue port 5']) assert.deepEqual(msgs(withKind(k)), [], k);
    const m = run(withKind('lb_kind TUN type gue port 6080 remcsum')).models[0];
    assert.equal(m.virtual_servers[0].lb_kind, 'TUN');
    assert.deepEqual(m.virtual_servers[0].tunnel, { type: 'gue', port: 6080, csum: 'remcsum' });
  });
  it("reports keepalived's messages at the line", () => {
    const cases: Array<[string, string]> = [
      ['lb_kind TUN type gue', 'gue tunnels require port, otherwise cannot have port.'],
      ['lb_kind TUN port 80', 'gue tunnels require port, otherwise cannot have port.'],
      ['lb_kind TUN type vxlan', 'Unknown tunnel type vxlan for virtual server.'],
      ['lb_kind TUN type', 'Missing tunnel type for virtual server.'],
      ['lb_kind TUN type gue port', 'Missing port for virtual server gue tunnel.'],
      ['lb_kind TUN type ipip csum', 'ipip tunnels do not support checksum option.'],
      ['lb_kind TUN type gre remcsum', 'gre tunnels do not support remote checksum option.'],
      ['lb_kind DR fast', 'Invalid tunnel option fast for virtual server.'],
    ];
    for (const [k, m] of cases) assert.deepEqual(msgs(withKind(k)), [`3: ${m}`], k);
    assert.match(msgs(withKind('lb_kind TUN type gue port 0'))[0], /^3: Invalid gue tunnel port 0 for virtual server/);
  });
  it('the method counts even when the tunnel words are wrong; bad words keep the tunnel set before', () => {
    const m = run(withKind('lb_kind TUN type gue port 5\n lvs_method DR type bogus')).models[0].virtual_servers[0];
    assert.equal(m.lb_kind, 'DR');
    assert.deepEqual(m.tunnel, { type: 'gue', port: 5, csum: 'nocsum' });
  });
  it('real_server lvs_method and sorry_server_lvs_method take them too', () => {
    const rs = vs().replace('  TCP_CHECK {', '  lvs_method TUN type gre\n  TCP_CHECK {');
    const m = run(rs).models[0].virtual_servers[0].real_servers[0];
    assert.equal(m.lvs_method, 'TUN');
    assert.deepEqual(m.tunnel, { type: 'gre', csum: 'nocsum' });
    const ss = vs(' sorry_server 198.51.100.9 80\n sorry_server_lvs_method TUN type gue');
    assert.deepEqual(msgs(ss).map((x) => x.replace(/^\d+: /, '')), ['gue tunnels require port, otherwise cannot have port.']);
  });
});

describe('includes', () => {
  it('missing include file', () => {
    assert.ok(rules({ '/c/k.conf': `include other.conf\n${vi()}` }).includes('missing-include'));
    assert.ok(!rules({ '/c/k.conf': `include other.conf\n${vi()}`, '/c/other.conf': vs() }).includes('missing-include'));
  });
  it('include cycle', () => {
    assert.ok(rules({ '/c/k.conf': 'include k.conf\n' }).includes('include-cycle'));
  });
});

describe('--host rules (fake probe)', () => {
  const probe = (ifs: string[], progs: string[]): HostProbe => ({
    interfaceExists: (n) => ifs.includes(n),
    programExists: (p) => progs.includes(p),
  });
  it('interface-missing only with a probe', () => {
    assert.ok(rules(vi(), { host: probe([], []) }).includes('interface-missing'));
    assert.ok(!rules(vi(), { host: probe(['eth0'], []) }).includes('interface-missing'));
    assert.ok(!rules(vi()).includes('interface-missing'));
  });
  it('notify scripts that do not exist', () => {
    const cfg = vi(' notify_master "/usr/local/bin/notify.sh master"');
    assert.ok(rules(cfg, { host: probe(['eth0'], []) }).includes('script-not-found'));
    assert.ok(!rules(cfg).includes('script-not-found'));
  });
  it('script-security: exit 6 when the program exists and security is off', () => {
    const cfg = vi(' notify_master "/usr/local/bin/notify.sh master"');
    assert.equal(run(cfg, { host: probe(['eth0'], ['/usr/local/bin/notify.sh']) }).exitCode, 6);
    assert.equal(run(`global_defs {\n enable_script_security\n}\n${cfg}`, { host: probe(['eth0'], ['/usr/local/bin/notify.sh']) }).exitCode, 0);
  });
});

describe('exit codes', () => {
  it("2 for keepalived's parser abort (a keyword without its value, as keepalived -t exits), not for keywords whose handler checks", () => {
    assert.equal(run(vi(' priority')).exitCode, 2);
    assert.equal(run(`${vi()}${vs(' real_server')}`).exitCode, 2);
    assert.equal(run(`global_defs {\n router_id\n}\n${vi()}`).exitCode, 5, 'router_id: keepalived says "routerid name missing - ignoring"');
    assert.match(run(vi(' priority')).diagnostics.find((d) => d.rule === 'parser-abort')?.message ?? '', /keepalived -t stops reading the configuration here \(exit 2\)/);
  });
  it('0 clean, 5 warnings or errors, 0 with --warnings-ok and only warnings, 4 fatal', () => {
    assert.equal(run(vi()).exitCode, 0);
    assert.equal(run(vi(' priority 100')).exitCode, 5);
    assert.equal(lint({ files: ['/c/k.conf'], reader: memoryReader({ '/c/k.conf': vi(' priority 100') }), warningsOk: true, configId: 'x', env: {} }).exitCode, 0);
    assert.equal(lint({ files: ['/c/k.conf'], reader: memoryReader({ '/c/k.conf': vi(' priority 300') }), warningsOk: true, configId: 'x', env: {} }).exitCode, 5);
    assert.equal(lint({ files: ['/c/none.conf'], reader: memoryReader({}), configId: 'x', env: {} }).exitCode, 4);
  });
  it('6 statically for a system program without enable_script_security', () => {
    assert.equal(run(`vrrp_script s {\n script "/bin/true"\n}\n${vi(' track_script {\n  s\n }')}`).exitCode, 6);
  });
});

describe('cluster mode', () => {
  const node = (prio: number, src: string, peer: string, extra = '') =>
    vi(` state BACKUP\n priority ${prio}\n unicast_src_ip ${src}\n unicast_peer {\n  ${peer}\n }${extra}`).replace(' priority 100\n', '');
  const ok = { '/c/a.conf': node(150, '192.0.2.11', '192.0.2.12') + vs(), '/c/b.conf': node(100, '192.0.2.12', '192.0.2.11') + vs() };
  const cl = (files: Record<string, string>) => rules(files, { cluster: true }).filter((r) => r.startsWith('cluster-'));
  it('a consistent pair is clean', () => {
    assert.deepEqual(cl(ok), []);
    assert.equal(run(ok, { cluster: true }).exitCode, 0);
  });
  it('equal priorities', () => assert.deepEqual(cl({ ...ok, '/c/b.conf': node(150, '192.0.2.12', '192.0.2.11') + vs() }), ['cluster-priority']));
  it('different VIP sets', () => assert.ok(cl({ ...ok, '/c/b.conf': node(100, '192.0.2.12', '192.0.2.11').replace('192.0.2.1/24', '192.0.2.2/24') + vs() }).includes('cluster-vips')));
  it('different advert_int', () => assert.ok(cl({ ...ok, '/c/b.conf': node(100, '192.0.2.12', '192.0.2.11', '\n advert_int 2') + vs() }).includes('cluster-advert-int')));
  it('different version', () => assert.ok(cl({ ...ok, '/c/b.conf': node(100, '192.0.2.12', '192.0.2.11', '\n version 3') + vs() }).includes('cluster-version')));
  it('different auth', () =>
    assert.ok(cl({ ...ok, '/c/b.conf': node(100, '192.0.2.12', '192.0.2.11', '\n authentication {\n  auth_type PASS\n  auth_pass x\n }') + vs() }).includes('cluster-auth')));
  it('unicast peers that do not list each other', () => assert.ok(cl({ ...ok, '/c/b.conf': node(100, '192.0.2.12', '192.0.2.99') + vs() }).includes('cluster-unicast-peer')));
  it('different virtual_server sets', () => assert.ok(cl({ ...ok, '/c/b.conf': node(100, '192.0.2.12', '192.0.2.11') + vs('', '192.0.2.1 443') }).includes('cluster-virtual-servers')));
});

describe('script lines as keepalived 2.2.7 reads them (notify_script_init / set_script_params_array)', () => {
  const SEC = 'global_defs {\n enable_script_security\n}\n';
  const model = (text: string) => run(SEC + text).diagnostics;
  const inst = (body: string) => lint({ files: ['/c/k.conf'], reader: memoryReader({ '/c/k.conf': SEC + vi(body) }, '/c'), configId: 'lb1', env: {} });
  const dump = (body: string) => {
    const { loadConfig } = require('../../../src/lib/conf') as typeof import('../../../src/lib/conf');
    return loadConfig('/c/k.conf', { reader: memoryReader({ '/c/k.conf': SEC + body }, '/c'), configId: 'lb1', env: {} }).model;
  };
  it('an unquoted notify script: the first word is the script, the next ones its user and group', () => {
    const m = dump(vi(' notify_master /usr/bin/logger vrrp-master adm'));
    assert.deepEqual(m.vrrp_instances[0].notify_master?.argv, ['/usr/bin/logger']);
    assert.equal(m.vrrp_instances[0].notify_master?.user, 'vrrp-master');
    assert.equal(m.vrrp_instances[0].notify_master?.group, 'adm');
    const q = dump(vi(' notify_master "/usr/bin/logger vrrp-master" root'));
    assert.deepEqual(q.vrrp_instances[0].notify_master?.argv, ['/usr/bin/logger', 'vrrp-master']);
    assert.equal(q.vrrp_instances[0].notify_master?.user, 'root');
  });
  it('words after user and group are ignored by keepalived: a note, exit code unchanged', () => {
    const r = inst(' notify_backup /bin/true root root extra');
    assert.equal(r.exitCode, 0);
    const n = r.diagnostics.find((d) => d.rule === 'script-words');
    assert.equal(n?.severity, 'note');
    assert.match(n?.message ?? '', /'extra'/);
  });
  it('vrrp_script and misc_path take no user from the line: extra words are dropped (note)', () => {
    const m = dump(`vrrp_script chk {\n script /bin/check arg1 arg2\n}\n${vi(' track_script {\n  chk\n }')}`);
    assert.deepEqual(m.vrrp_scripts[0].script?.argv, ['/bin/check']);
    assert.equal(m.vrrp_scripts[0].script?.user, undefined);
    const d = model(`vrrp_script chk {\n script /bin/check arg1 arg2\n}\n${vi(' track_script {\n  chk\n }')}`).find((x) => x.rule === 'script-words');
    assert.equal(d?.severity, 'note');
    assert.match(d?.message ?? '', /script "\/bin\/check arg1 arg2"/);
    const v = dump(vs(' real_server 198.51.100.2 80 {\n  MISC_CHECK {\n   misc_path /bin/check nobody\n  }\n }'));
    const rs = v.virtual_servers[0].real_servers.find((r) => r.port === 80 && r.checkers.some((c) => c.kind === 'MISC_CHECK'));
    const mc = rs?.checkers.find((c) => c.kind === 'MISC_CHECK');
    assert.deepEqual(mc?.misc_path?.argv, ['/bin/check']);
    assert.equal(mc?.misc_path?.user, undefined);
  });
  it('quotes, single quotes and escapes as keepalived 2.2.7 reads script lines (each case run by keepalived in a namespace)', () => {
    const m = dump(
      vi(
        [
          ' notify_master "/tmp/nd/n.sh m1" # root',
          " notify_backup '/tmp/nd/n.sh b1 b2'",
          ' notify "/tmp/nd/n.sh \\"g1 g2\\" g\\x41"',
          ' notify_fault /tmp/nd/n.sh\\ x1 ! root',
          ' notify_stop /tmp/nd/n.sh"y1 y2"',
        ].join('\n'),
      ),
    );
    const i = m.vrrp_instances[0];
    // what keepalived ran (its argv, logged by the script): [m1] / [b1][b2] / [g1 g2][gA] / [x1] / not run
    assert.deepEqual(i.notify_master?.argv, ['/tmp/nd/n.sh', 'm1']);
    assert.equal(i.notify_master?.user, undefined, 'the comment is not a user');
    assert.deepEqual(i.notify_backup?.argv, ['/tmp/nd/n.sh', 'b1', 'b2']);
    assert.deepEqual(i.notify?.argv, ['/tmp/nd/n.sh', 'g1 g2', 'gA']);
    assert.deepEqual(i.notify_fault?.argv, ['/tmp/nd/n.sh', 'x1']);
    assert.deepEqual(i.notify_stop?.argv, ['/tmp/nd/n.shy1', 'y2'], 'a quote inside a word joins it');
  });
  it('a command keepalived cannot read again (a quote without its end inside the quotes): an error where keepalived has one, and no script', () => {
    const r = run(`vrrp_script chk {\n script "/bin/echo 'a"\n}\n${vi(' track_script {\n  chk\n }')}${vs(' real_server 198.51.100.2 80 {\n  MISC_CHECK {\n   misc_path "/bin/echo \'a"\n  }\n }')}`);
    // keepalived 2.2.7 -t (exit 5): String '/bin/echo 'a': missing terminating ' (lines 2 and the misc_path line),
    // No script set for vrrp_script chk - removing, No script path has been specified for MISC_CHECKER - skipping
    const msgs = r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.line}: ${d.message}`);
    assert.ok(msgs.includes("2: String '/bin/echo 'a': missing terminating ' (keepalived has no script here)"), msgs.join('\n'));
    assert.ok(msgs.some((m) => /No script set for vrrp_script chk - removing/.test(m)), msgs.join('\n'));
    assert.ok(msgs.some((m) => /No script path has been specified for MISC_CHECKER - skipping/.test(m)), msgs.join('\n'));
    assert.ok(!r.diagnostics.some((d) => d.rule === 'script-security' && /''/.test(d.message)), 'no security finding for a script that does not exist');
    const e = inst(String.raw` notify_master "/bin/echo a\\"`);
    assert.equal(e.exitCode, 0, 'keepalived only logs "Missing escape char at end"');
    assert.match(e.diagnostics.find((d) => d.rule === 'script-words')?.message ?? '', /Missing escape char at end/);
  });
  it('notify_deleted takes an optional script (keepalived -t accepts it bare)', () => {
    const r = inst(' notify_deleted');
    assert.deepEqual(r.diagnostics, []);
    assert.equal(dump(vi(' notify_deleted')).vrrp_instances[0].notify_deleted_state, true);
    assert.equal(dump(vi(' notify_deleted')).vrrp_instances[0].notify_deleted, undefined);
    assert.equal(dump(vi()).vrrp_instances[0].notify_deleted_state, false);
    assert.deepEqual(dump(vi(' notify_deleted "/bin/echo gone"')).vrrp_instances[0].notify_deleted?.argv, ['/bin/echo', 'gone']);
  });
  it('--host: a notify script whose user does not exist is dropped by keepalived (note, no security violation)', () => {
    const probe: HostProbe = { interfaceExists: () => true, programExists: () => true, userExists: (u) => u === 'root', groupExists: (g) => g === 'root' };
    const bad = run(vi(' notify_master /bin/true nosuch'), { host: probe });
    assert.equal(bad.exitCode, 0, 'keepalived never runs it, so no SECURITY VIOLATION');
    assert.deepEqual(
      bad.diagnostics.map((d) => [d.rule, d.severity]),
      [['user-missing', 'note']],
    );
    const group = run(vi(' notify_master /bin/true root nosuch'), { host: probe });
    assert.match(group.diagnostics[0]?.message ?? '', /group nosuch does not exist/);
    assert.equal(run(vi(' notify_master /bin/true root'), { host: probe }).exitCode, 6, 'an existing user: the script runs, security applies');
  });
  it('--host, enable_script_security, keepalived_script absent: the first notify script without a user is "Unable to set default user" (exit 5, as keepalived -t)', () => {
    const noDefault: HostProbe = { interfaceExists: () => true, programExists: () => true, userExists: (u) => u === 'root', groupExists: (g) => g === 'root' };
    const secure = 'global_defs {\n enable_script_security\n}\n';
    const r = run(secure + vi(' notify_master /bin/true\n notify_backup /bin/true'), { host: noDefault });
    assert.equal(r.exitCode, 5);
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    assert.deepEqual(errors.map((d) => [d.rule, d.line]), [['user-missing', 11]], 'said once, on the first script that asks');
    assert.match(errors[0].message, /^Unable to set default user keepalived_script for script/);
    // the user exists: the scripts run as keepalived_script (exit 0: keepalived -t's 143 there is its bug, KNOWN-DIFFERENCES.md)
    const withUser: HostProbe = { ...noDefault, userExists: (u) => u === 'root' || u === 'keepalived_script' };
    assert.equal(run(secure + vi(' notify_master /bin/true'), { host: withUser }).exitCode, 0);
    // a user of its own, or a script_user: no default needed
    assert.equal(run(secure + vi(' notify_master /bin/true root'), { host: noDefault }).exitCode, 0);
    assert.equal(run('global_defs {\n enable_script_security\n script_user root\n}\n' + vi(' notify_master /bin/true'), { host: noDefault }).exitCode, 0);
    // a vrrp_script earlier in the file asks first: the message is at its end, once
    const both = run(`${secure}vrrp_script chk {\n script /bin/true\n}\n${vi(' notify_master /bin/true\n track_script {\n  chk\n }')}`, { host: noDefault });
    assert.deepEqual(both.diagnostics.filter((d) => /^Unable to set default user keepalived_script/.test(d.message)).map((d) => d.line), [6]);
  });
  it('--keepalived: hactl-only findings become notes and keepalived -t exit codes follow (139 where 2.2.7 crashes)', () => {
    const dupVip = vi('', 'VI_1', 51, ' virtual_ipaddress {\n  192.0.2.1/24\n  192.0.2.1/24\n }\n');
    assert.equal(run(dupVip).exitCode, 5);
    const k = lint({ files: ['/c/k.conf'], reader: memoryReader({ '/c/k.conf': dupVip }, '/c'), configId: 'lb1', env: {}, keepalived: true });
    assert.equal(k.exitCode, 0);
    assert.deepEqual(k.diagnostics.map((d) => [d.rule, d.severity]), [['duplicate-vip', 'note']]);
    const noUrl = vs('', '192.0.2.1 80').replace('TCP_CHECK {\n   connect_timeout 3\n  }', 'HTTP_GET {\n   connect_timeout 3\n  }');
    const c = lint({ files: ['/c/k.conf'], reader: memoryReader({ '/c/k.conf': noUrl }, '/c'), configId: 'lb1', env: {}, keepalived: true });
    assert.equal(c.exitCode, 139);
    assert.equal(run(noUrl).exitCode, 5, 'the default mode keeps 5');
  });
});

describe('issue 16: five keepalived -t warnings (wording and line as keepalived 2.2.7)', () => {
  const msgs = (text: string | Record<string, string>) => run(text).diagnostics.map((d) => `${d.line}:${d.rule}:${d.message}`);
  const sg = (track: string) => `vrrp_sync_group VG_1 {\n group {\n  VI_1\n  VI_2\n }\n${track}}\n`;
  it('track_interface on an instance and its sync group (vrrp.c add_vrrp_to_interface)', () => {
    const both = sg(' track_interface {\n  eth1\n }\n') + vi(' track_interface {\n  eth1\n }') + vi('', 'VI_2', 52);
    assert.ok(msgs(both).some((m) => m.endsWith(':track-interface-twice:(VI_1) track_interface eth1 is configured on VRRP instance and sync group. Remove vrrp instance or sync group config')), msgs(both).join('\n'));
    // the member's own interface counts too, unless dont_track_primary
    assert.ok(rules(sg(' track_interface {\n  eth0\n }\n') + vi() + vi('', 'VI_2', 52)).includes('track-interface-twice'));
    assert.ok(!rules(sg(' track_interface {\n  eth0\n }\n') + vi(' dont_track_primary') + vi(' dont_track_primary', 'VI_2', 52)).includes('track-interface-twice'));
    assert.ok(!rules(sg(' track_interface {\n  eth1\n }\n') + vi() + vi('', 'VI_2', 52)).includes('track-interface-twice'));
  });
  it('more VIPs than fit in an advert move to eVIPs (vrrp.c vrrp_complete_instance; MTU 1500)', () => {
    const v4 = (n: number) => ` virtual_ipaddress {\n${Array.from({ length: n }, (_, i) => `  198.51.${100 + (i >> 8)}.${i & 255}\n`).join('')} }\n`;
    const v6 = (n: number) => ` virtual_ipaddress {\n${Array.from({ length: n }, (_, i) => `  2001:db8::${(i + 1).toString(16)}\n`).join('')} }\n`;
    assert.ok(!rules(vi('', 'VI_1', 51, v4(255))).includes('vips-per-advert'));
    assert.ok(msgs(vi('', 'VI_1', 51, v4(256))).some((m) => m.includes('(VI_1) Number of VIPs (256) exceeds maximum/space available in packet (max 255 addresses) - excess moved to eVIPs')));
    assert.ok(!rules(vi('', 'VI_1', 51, v6(89))).includes('vips-per-advert'));
    assert.ok(msgs(vi('', 'VI_1', 51, v6(90))).some((m) => m.includes('(VI_1) Number of VIPs (90) exceeds maximum/space available in packet (max 89 addresses)')));
  });
  it('lvs_sync_daemon_interface after one already given (vrrp_parser.c vrrp_lvs_syncd_handler)', () => {
    const twice = vi(' lvs_sync_daemon_interface eth0') + vi(' lvs_sync_daemon_interface eth1', 'VI_2', 52);
    assert.ok(msgs(twice).some((m) => m.startsWith('17:lvs-sync-daemon-twice:(VI_2) lvs_sync_daemon_interface has already been specified as eth0 - ignoring')), msgs(twice).join('\n'));
    // global_defs is read first, wherever it is in the file
    const global = `${vi(' lvs_sync_daemon_interface eth0')}global_defs {\n lvs_sync_daemon eth1 VI_1\n}\n`;
    assert.ok(msgs(global).some((m) => m.includes('(VI_1) lvs_sync_daemon_interface has already been specified as eth1 - ignoring')));
    assert.ok(!rules(vi(' lvs_sync_daemon_interface eth0')).includes('lvs-sync-daemon-twice'));
  });
  it("a sync group's track_script naming a removed vrrp_script (vrrp_track.c alloc_track_script)", () => {
    const cfg = `vrrp_script chk_none {\n interval 2\n}\n${sg(' track_script {\n  chk_none\n }\n')}${vi()}${vi('', 'VI_2', 52)}`;
    assert.ok(msgs(cfg).includes('10:undefined-reference:(VG_1) track script chk_none not found, ignoring...'), msgs(cfg).join('\n'));
  });
  it('include globs: missing directories and files, directories (lib/parser.c gl_opendir / gl_lstat / check_glob_file)', () => {
    const main = (inc: string) => ({ '/c/k.conf': `include ${inc}\n${vi()}`, '/c/d/a.conf': '# a\n' });
    assert.ok(msgs(main('nodir/*.conf')).some((m) => m.includes(`(keepalived: "Config files missing 'nodir/*.conf'." and carries on)`)));
    assert.ok(msgs(main('d/*.none')).some((m) => m.includes('(keepalived silently ignores this)')), 'a wildcard that matches nothing in a present directory');
    assert.ok(msgs(main('d/{a,b}.conf')).some((m) => m.includes('(keepalived: "Some config files missing: "d/{a,b}.conf".", and it reads the others)')));
    assert.ok(msgs(main('d')).some((m) => m.includes(`"Configuration file 'd/' is a directory - skipping"`)));
    // --keepalived: keepalived -t exits 0 on all of them
    for (const inc of ['nodir/*.conf', 'd/{a,b}.conf', 'd']) {
      const files = main(inc);
      assert.equal(lint({ files: ['/c/k.conf'], reader: memoryReader(files, '/c'), configId: 'lb1', env: {}, keepalived: true }).exitCode, 0, inc);
    }
  });
});

describe('issue 16: line-level agreement with keepalived -t', () => {
  it('a real server of the other family is reported where keepalived reports it: the end of its block', () => {
    const cfg = 'virtual_server 192.0.2.100 80 {\n lb_algo rr\n lb_kind NAT\n protocol TCP\n real_server 2001:db8::1 80 {\n  TCP_CHECK {\n   connect_timeout 3\n  }\n }\n}\n';
    const d = run(cfg).diagnostics.filter((x) => x.rule === 'mixed-family');
    assert.deepEqual(
      d.map((x) => `${x.line}: ${x.message}`),
      ["9: Address family of virtual server and real server 2001:db8::1 don't match - skipping real server. (real_server at line 5; virtual_server 192.0.2.100:80 is IPv4)"],
    );
  });
});
