import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig, memoryReader } from '../../src/lib/conf';
import { fromModel, notifyArgs } from '../../src/lib/vrrp/config';

function map(text: string) {
  const r = loadConfig('/etc/keepalived/keepalived.conf', { reader: memoryReader({ '/etc/keepalived/keepalived.conf': text }), configId: 'x', env: {} });
  return { ...fromModel(r.model), diagnostics: r.diagnostics };
}

describe('vrrp config mapping from keepalived.conf', () => {
  it('maps an instance with every field the daemon uses', () => {
    const { config, problems } = map(`
global_defs {
  router_id lb1
  vrrp_garp_master_delay 2
}
vrrp_script chk {
  script "/usr/bin/test -f /run/ok"
  interval 2
  timeout 1
  weight -30
  rise 2
  fall 3
}
vrrp_instance VI_1 {
  state MASTER
  interface eth0
  virtual_router_id 51
  priority 150
  advert_int 1
  nopreempt
  preempt_delay 5
  authentication {
    auth_type PASS
    auth_pass s3cret-long
  }
  unicast_src_ip 192.0.2.1
  unicast_peer {
    192.0.2.2
  }
  virtual_ipaddress {
    192.0.2.100/24 dev eth0 label eth0:vip
    192.0.2.101
  }
  virtual_ipaddress_excluded {
    2001:db8::100/64
  }
  virtual_routes {
    198.51.100.0/24 via 192.0.2.254 dev eth0
  }
  track_interface {
    eth1 weight -20
  }
  track_script {
    chk
  }
  notify "/usr/local/bin/notify arg1"
  notify_master /usr/local/bin/master
}
`);
    assert.deepEqual(problems, []);
    const i = config.instances[0];
    assert.equal(config.routerId, 'lb1');
    assert.equal(i.vrid, 51);
    assert.equal(i.version, 2);
    assert.equal(i.family, 4);
    assert.equal(i.priority, 150);
    assert.equal(i.initialState, 'MASTER');
    assert.equal(i.intervalCs, 100);
    assert.equal(i.preempt, false);
    assert.equal(i.preemptDelayMs, 5000);
    assert.deepEqual(i.auth, { type: 'pass', password: 's3cret-l' });
    assert.deepEqual(i.unicastPeers, ['192.0.2.2']);
    assert.equal(i.unicastSrcIp, '192.0.2.1');
    assert.deepEqual(
      i.vips.map((v) => [v.address, v.prefix, v.label]),
      [
        ['192.0.2.100', 24, 'eth0:vip'],
        ['192.0.2.101', 32, undefined],
      ],
    );
    assert.deepEqual(
      i.excludedVips.map((v) => v.address),
      ['2001:db8::100'],
    );
    assert.equal(i.routes[0].dst, '198.51.100.0/24');
    assert.equal(i.routes[0].gw, '192.0.2.254');
    assert.deepEqual(i.trackInterfaces, [{ name: 'eth1', weight: -20, reverse: false }]);
    assert.equal(i.garpMasterDelayMs, 2000);
    assert.deepEqual(i.notify.generic?.argv, ['/usr/local/bin/notify', 'arg1']);
    assert.deepEqual(i.notify.master?.argv, ['/usr/local/bin/master']);
    const s = config.scripts[0];
    assert.deepEqual([s.intervalMs, s.timeoutMs, s.weight, s.rise, s.fall], [2000, 1000, -30, 2, 3]);
    assert.deepEqual(s.command.argv, ['/usr/bin/test', '-f', '/run/ok']);
  });

  it('unicast_ttl, check_unicast_src (instance or global vrrp_check_unicast_src) and per-peer min_ttl/max_ttl', () => {
    const inst = (name: string, vrid: number, body: string) =>
      `vrrp_instance ${name} {\n  interface eth0\n  virtual_router_id ${vrid}\n  priority 100\n  virtual_ipaddress {\n    192.0.2.${vrid}/24\n  }\n${body}}\n`;
    const peers = '  unicast_src_ip 192.0.2.1\n  unicast_peer {\n    192.0.2.2 min_ttl 250\n    192.0.2.3 max_ttl 64\n  }\n';
    const a = map(inst('U', 51, `${peers}  unicast_ttl 9\n  check_unicast_src\n`) + inst('P', 52, peers)).config.instances;
    assert.equal(a[0].unicastTtl, 9);
    assert.equal(a[0].checkUnicastSrc, true);
    assert.deepEqual(a[0].unicastPeerTtl, [
      { minTtl: 250, maxTtl: 255 },
      { minTtl: 0, maxTtl: 64 },
    ]);
    assert.equal(a[1].unicastTtl, undefined);
    assert.equal(a[1].checkUnicastSrc, undefined, 'keepalived: any source unless check_unicast_src');
    const g = map(`global_defs {\n  vrrp_check_unicast_src\n}\n${inst('P', 52, peers)}`).config.instances;
    assert.equal(g[0].checkUnicastSrc, true);
  });

  it('v3: centisecond intervals and IPv6 instances', () => {
    const { config } = map(`
vrrp_instance V6 {
  interface eth0
  virtual_router_id 7
  priority 100
  version 3
  advert_int 0.05
  virtual_ipaddress {
    2001:db8::1/64
  }
}
`);
    const i = config.instances[0];
    assert.equal(i.intervalCs, 5);
    assert.equal(i.family, 6);
    assert.equal(i.version, 3);
  });

  it('rejects AH authentication with a clear message', () => {
    const { problems, diagnostics } = map(`
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  priority 100
  authentication {
    auth_type AH
    auth_pass x
  }
  virtual_ipaddress {
    192.0.2.100
  }
}
`);
    const all = [...problems.map((p) => p.message), ...diagnostics.map((d) => d.message)].join('\n');
    assert.match(all, /AH/);
  });

  it('sync group members ignore weighted tracked objects (keepalived semantics)', () => {
    const { config } = map(`
vrrp_script w {
  script "/bin/true"
  weight -10
}
vrrp_script f {
  script "/bin/true"
}
vrrp_sync_group G {
  group {
    A
  }
}
vrrp_instance A {
  interface eth0
  virtual_router_id 1
  priority 100
  virtual_ipaddress {
    192.0.2.1
  }
  track_script {
    w
    f
  }
}
`);
    assert.deepEqual(
      config.instances[0].trackScripts.map((t) => t.name),
      ['f'],
    );
    assert.deepEqual(config.syncGroups[0].members, ['A']);
  });

  it("a sync group's own tracked objects go to every member, weights kept, without duplicates", () => {
    const { config, problems } = map(`
vrrp_script w {
  script "/bin/true"
  weight -10
}
vrrp_sync_group G {
  group {
    A
    B
  }
  track_script {
    w
  }
  track_interface {
    eth1 weight 5
  }
}
vrrp_instance A {
  interface eth0
  virtual_router_id 1
  priority 100
  virtual_ipaddress {
    192.0.2.1
  }
  track_script {
    w weight 0
  }
}
vrrp_instance B {
  interface eth0
  virtual_router_id 2
  priority 100
  virtual_ipaddress {
    192.0.2.2
  }
}
`);
    assert.deepEqual(problems, []);
    const [a, b] = config.instances;
    assert.deepEqual(a.trackScripts, [{ name: 'w', weight: 0, reverse: false }], "A's own line wins over the group's");
    assert.deepEqual(b.trackScripts, [{ name: 'w', weight: undefined, reverse: false }]);
    assert.deepEqual(b.trackInterfaces, [{ name: 'eth1', weight: 5, reverse: false }]);
  });

  it('notify arguments are keepalived\'s: TYPE NAME STATE PRIORITY', () => {
    assert.deepEqual(notifyArgs('INSTANCE', 'VI_1', 'MASTER', 150), ['INSTANCE', 'VI_1', 'MASTER', '150']);
  });
});

describe('scripts whose user or group does not exist (keepalived drops them; never run as root)', () => {
  const ids = { userExists: (u: string) => u === 'root' || u === 'nobody', groupExists: (g: string) => g === 'root' };
  const text = `
vrrp_script chk {
  script "/bin/true"
  user ghost
}
vrrp_script ok {
  script "/bin/true"
  user nobody
}
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  priority 100
  virtual_ipaddress {
    192.0.2.1/24
  }
  track_script {
    chk
    ok
  }
  notify_master /usr/bin/logger vrrp-master
  notify_backup "/usr/bin/logger backup" root
  notify_fault "/usr/bin/logger fault" root nogroup
  notify_deleted "/usr/bin/logger deleted"
}
`;
  it('drops them with a note and keeps the rest; track_script entries of a dropped vrrp_script go too', () => {
    const r = loadConfig('/k.conf', { reader: memoryReader({ '/k.conf': text }), configId: 'x', env: {} });
    const { config, problems, notes } = fromModel(r.model, ids);
    assert.deepEqual(problems, []);
    const i = config.instances[0];
    assert.equal(i.notify.master, undefined);
    assert.deepEqual(i.notify.backup, { argv: ['/usr/bin/logger', 'backup'], user: 'root', group: undefined });
    assert.equal(i.notify.fault, undefined);
    assert.deepEqual(i.notify.deleted?.argv, ['/usr/bin/logger', 'deleted']);
    assert.equal(i.notify.sendDeleted, true);
    assert.deepEqual(
      config.scripts.map((s) => s.name),
      ['ok'],
    );
    assert.deepEqual(
      i.trackScripts.map((t) => t.name),
      ['ok'],
    );
    assert.equal(notes.length, 3, notes.join('\n'));
    assert.ok(notes.some((n) => /vrrp_script chk ignored: user ghost does not exist/.test(n)));
    assert.ok(notes.some((n) => /notify_master script \/usr\/bin\/logger - ignoring \(user vrrp-master does not exist/.test(n)));
    assert.ok(notes.some((n) => /notify_fault .*group nogroup does not exist/.test(n)));
  });
  it('without a probe nothing is dropped (pure mapping)', () => {
    const r = loadConfig('/k.conf', { reader: memoryReader({ '/k.conf': text }), configId: 'x', env: {} });
    const { config, notes } = fromModel(r.model);
    assert.deepEqual(notes, []);
    assert.equal(config.instances[0].notify.master?.user, 'vrrp-master');
  });
});

const PLAIN_VI = 'vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n  priority 100\n  virtual_ipaddress {\n    192.0.2.1/24\n  }\n}\n';

describe('notify FIFOs of the VRRP half', () => {
  it('the global notify_fifo and vrrp_notify_fifo, each with its script and owner', () => {
    const { config } = map(`
global_defs {
  notify_fifo /run/all.fifo root
  notify_fifo_script "/usr/local/bin/all.sh -v"
  vrrp_notify_fifo /run/vrrp.fifo
  vrrp_notify_fifo_script /usr/local/bin/vrrp.sh nobody
}
${PLAIN_VI}`);
    assert.deepEqual(config.notifyFifos, [
      { path: '/run/all.fifo', what: 'notify_fifo', script: { argv: ['/usr/local/bin/all.sh', '-v'], user: undefined, group: undefined }, owner: { user: 'root', group: undefined } },
      { path: '/run/vrrp.fifo', what: 'vrrp_notify_fifo', script: { argv: ['/usr/local/bin/vrrp.sh'], user: 'nobody', group: undefined }, owner: undefined },
    ]);
  });
});

describe("the default script user (keepalived: script_user, else keepalived_script when it exists, else root)", () => {
  const text = (global: string) => `
global_defs {
${global}}
vrrp_script chk {
  script "/bin/true"
}
vrrp_script own {
  script "/bin/true"
  user daemon
}
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  priority 100
  track_script {
    chk
    own
  }
  notify /usr/local/bin/n.sh
}
`;
  const load = (global: string, users: string[]) => {
    const r = loadConfig('/k.conf', { reader: memoryReader({ '/k.conf': text(global) }), configId: 'x', env: {} });
    return fromModel(r.model, { userExists: (u) => users.includes(u), groupExists: () => true });
  };
  it('script_user applies to vrrp_scripts without `user` and to notify scripts', () => {
    const { config } = load('  script_user nobody nogroup\n', ['nobody', 'daemon']);
    assert.deepEqual(
      config.scripts.map((s) => [s.name, s.command.user, s.command.group]),
      [
        ['chk', 'nobody', 'nogroup'],
        ['own', 'daemon', undefined],
      ],
    );
    assert.deepEqual(config.instances[0].notify.generic, { argv: ['/usr/local/bin/n.sh'], user: 'nobody', group: 'nogroup' });
  });
  it('no script_user: keepalived_script when that user exists, else none (root)', () => {
    const a = load('', ['keepalived_script', 'daemon']).config;
    assert.equal(a.scripts[0].command.user, 'keepalived_script');
    assert.equal(a.instances[0].notify.generic?.user, 'keepalived_script');
    assert.deepEqual(a.scriptUser, { user: 'keepalived_script', group: undefined });
    const b = load('', ['daemon']).config;
    assert.equal(b.scripts[0].command.user, undefined);
    assert.equal(b.scriptUser, undefined);
  });
  it('a script_user that does not exist: the scripts that would run as it are dropped (never run as root)', () => {
    const { config, notes } = load('  script_user ghost\n', ['daemon']);
    assert.deepEqual(
      config.scripts.map((s) => s.name),
      ['own'],
    );
    assert.equal(config.instances[0].notify.generic, undefined);
    assert.ok(notes.some((n) => /vrrp_script chk ignored: user ghost does not exist/.test(n)));
  });
});
