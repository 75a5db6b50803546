import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig, memoryReader } from '../../src/lib/conf/index';
import { AF_INET, Fwd, IPPROTO_TCP, IPPROTO_UDP, SvcFlag } from '../../src/lib/ipvs/constants';
import { checkOptionsFor } from '../../src/lib/lvs/checkers';
import { desiredTable } from '../../src/lib/lvs/desired';
import { serviceTextId } from '../../src/lib/ipvs/ids';
import { expandRange, lvsSpecFromConfig } from '../../src/lib/lvs/from-config';
import { LvsState } from '../../src/lib/lvs/state';

function spec(text: string) {
  const r = loadConfig('/etc/keepalived/keepalived.conf', { reader: memoryReader({ '/etc/keepalived/keepalived.conf': text }), configId: 'x' });
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors, []);
  return lvsSpecFromConfig(r.model);
}

const CONF = `
global_defs {
  lvs_notify_fifo /run/lvs.fifo
  lvs_sync_daemon eth0 VI_1 id 42
}
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  priority 100
  virtual_ipaddress { 192.0.2.100 }
}
virtual_server_group web {
  192.0.2.1-3 80
  fwmark 9
}
virtual_server 192.0.2.10 80 {
  protocol TCP
  delay_loop 2
  lb_algo rr
  lb_kind DR
  persistence_timeout 50
  persistence_granularity 255.255.255.0
  quorum 5
  hysteresis 1
  sorry_server 127.0.0.9 8080
  sorry_server_inhibit
  real_server 127.0.0.1 80 {
    weight 2
    inhibit_on_failure
    notify_up "/bin/echo up"
    TCP_CHECK {
      connect_timeout 1
      retry 0
    }
  }
  real_server 127.0.0.2 80 {
    HTTP_GET {
      url {
        path /health
        digest 0123456789abcdef0123456789ABCDEF
      }
    }
  }
}
virtual_server group web {
  protocol TCP
  real_server 127.0.0.5 80 { TCP_CHECK {} }
}
virtual_server fwmark 5 {
  lb_kind DR
  lb_algo sh
  sh-port
  ops
  real_server 127.0.0.6 80 { TCP_CHECK { connect_port 81 } }
}
virtual_server 192.0.2.11 53 {
  ops
  real_server 127.0.0.7 53 {
    MISC_CHECK {
      misc_path "/bin/true"
      misc_dynamic
    }
  }
}
`;

describe('lvs from keepalived.conf', () => {
  const { spec: s, warnings } = spec(CONF);

  it('maps addresses, ids, schedulers, persistence, flags and defaults', () => {
    assert.deepEqual(
      s.virtualServers.map((v) => v.id),
      ['[192.0.2.10]:tcp:80', '[web]:0', 'FWM 5', '[192.0.2.11]:udp:53'],
    );
    const [a, g, f, u] = s.virtualServers;
    assert.equal(a.sched, 'rr');
    assert.equal(a.persistenceTimeout, 50);
    assert.equal(a.persistenceNetmask, 0xffffff00);
    assert.equal(g.sched, 'wlc', 'keepalived default scheduler');
    assert.equal(f.flags, SvcFlag.SCHED2 | SvcFlag.ONEPACKET);
    assert.equal(u.flags, SvcFlag.ONEPACKET);
    assert.equal(u.services[0].protocol, IPPROTO_UDP, 'no protocol: keepalived 2.2.7 uses UDP');
  });

  it('clamps the quorum to the total weight (keepalived does) and keeps hysteresis below it', () => {
    const a = s.virtualServers[0];
    assert.equal(a.quorum, 3);
    assert.equal(a.hysteresis, 1);
    assert.ok(warnings.some((w) => /reducing quorum to 3/.test(w)));
  });

  it('DR real servers and sorry servers take the virtual port; fwmark DR takes port 0', () => {
    const a = s.virtualServers[0];
    assert.deepEqual(
      a.realServers.map((r) => [r.addr, r.port, r.fwd, r.weight, r.inhibitOnFailure]),
      [
        ['127.0.0.1', 80, Fwd.DROUTE, 2, true],
        ['127.0.0.2', 80, Fwd.DROUTE, 1, false],
      ],
    );
    assert.deepEqual([a.sorryServer?.port, a.sorryServer?.inhibit], [80, true]);
    assert.equal(s.virtualServers[2].realServers[0].port, 0);
  });

  it('expands the group into services (ranges and fwmarks)', () => {
    const g = s.virtualServers[1];
    assert.deepEqual(
      g.services.map((k) => (k.fwmark ? `fwm ${k.fwmark}` : `${k.protocol} ${k.addr}:${k.port}`)),
      [`${IPPROTO_TCP} 192.0.2.1:80`, `${IPPROTO_TCP} 192.0.2.2:80`, `${IPPROTO_TCP} 192.0.2.3:80`, 'fwm 9'],
    );
    assert.deepEqual(expandRange('2001:db8::fe', 'inet6', 0x101), ['2001:db8::fe', '2001:db8::ff', '2001:db8::100', '2001:db8::101']);
  });

  it('sync daemon, FIFO and checker options', () => {
    assert.deepEqual(s.syncDaemon && [s.syncDaemon.interface, s.syncDaemon.syncId], ['eth0', 42]);
    assert.deepEqual(s.notifyFifos, ['/run/lvs.fifo']);
    const tcp = checkOptionsFor(s.virtualServers[0].realServers[0].checkers[0]);
    assert.equal(tcp.kind, 'tcp');
    assert.deepEqual(tcp.kind === 'tcp' && [tcp.host, tcp.port, tcp.connectTimeoutMs, tcp.retry], ['127.0.0.1', 80, 1000, 0]);
    assert.equal(s.virtualServers[0].realServers[0].checkers[0].delayLoopMs, 2000);
    const http = checkOptionsFor(s.virtualServers[0].realServers[1].checkers[0]);
    assert.deepEqual(http.kind === 'http' && [http.urls[0].path, http.urls[0].digest], ['/health', '0123456789abcdef0123456789abcdef']);
    const fw = checkOptionsFor(s.virtualServers[2].realServers[0].checkers[0]);
    assert.deepEqual(fw.kind === 'tcp' && [fw.host, fw.port], ['127.0.0.6', 81]);
    const misc = checkOptionsFor(s.virtualServers[3].realServers[0].checkers[0]);
    assert.deepEqual(misc.kind === 'misc' && [misc.miscPath, misc.miscDynamic], ['/bin/true', true]);
  });

  it('the start-up table: quorum 3 + hysteresis 1 is above the total weight, so the sorry server starts in', () => {
    const st = new LvsState();
    st.init(s);
    const t = desiredTable(st);
    assert.equal(t.size, 1 + 4 + 1 + 1);
    const a = t.get(serviceTextId({ af: AF_INET, protocol: IPPROTO_TCP, addr: '192.0.2.10', port: 80, fwmark: 0 }))!;
    assert.deepEqual(
      [...a.dests.values()].map((d) => `${d.addr}:${d.port} w${d.weight}`),
      ['127.0.0.1:80 w0', '127.0.0.9:80 w1'],
    );
  });
});

describe('notify and MISC_CHECK scripts: who runs them (keepalived notify_script_init)', () => {
  const conf = (global: string) => `
global_defs {
${global}}
virtual_server 192.0.2.1 80 {
  lb_algo rr
  lb_kind NAT
  protocol TCP
  quorum_up /usr/local/bin/up nobody nogroup
  quorum_down "/usr/local/bin/down now"
  real_server 198.51.100.1 80 {
    notify_up /usr/local/bin/rs-up
    notify_down "/usr/local/bin/rs-down x" daemon
    MISC_CHECK {
      misc_path /usr/local/bin/chk arg
    }
  }
  real_server 198.51.100.2 80 {
    MISC_CHECK {
      misc_path "/usr/local/bin/chk arg"
      user daemon
    }
  }
}
`;
  it('a script own `username [groupname]` words, else global_defs script_user', () => {
    const r = spec(conf('  script_user keepalived_script adm\n'));
    const vs = r.spec.virtualServers[0];
    assert.deepEqual(vs.quorumUp, { command: '/usr/local/bin/up', user: 'nobody', group: 'nogroup' });
    assert.deepEqual(vs.quorumDown, { command: '/usr/local/bin/down now', user: 'keepalived_script', group: 'adm' });
    assert.deepEqual(vs.realServers[0].notifyUp, { command: '/usr/local/bin/rs-up', user: 'keepalived_script', group: 'adm' });
    assert.deepEqual(vs.realServers[0].notifyDown, { command: '/usr/local/bin/rs-down x', user: 'daemon' });
    const m1 = checkOptionsFor(vs.realServers[0].checkers[0]) as { miscPath: string; user?: string; group?: string };
    assert.equal(m1.miscPath, '/usr/local/bin/chk', 'misc_path: only the first word (keepalived drops `arg`)');
    assert.equal(m1.user, 'keepalived_script');
    assert.equal(m1.group, 'adm');
    const m2 = checkOptionsFor(vs.realServers[1].checkers[0]) as { miscPath: string; user?: string; group?: string };
    assert.equal(m2.miscPath, '/usr/local/bin/chk arg');
    assert.equal(m2.user, 'daemon');
    assert.equal(m2.group, undefined);
  });
  it('no script_user: no user (the daemon runs them as itself, root, like keepalived)', () => {
    const vs = spec(conf('')).spec.virtualServers[0];
    assert.deepEqual(vs.quorumDown, { command: '/usr/local/bin/down now' });
    assert.equal((checkOptionsFor(vs.realServers[0].checkers[0]) as { user?: string }).user, undefined);
  });
});

describe('notify FIFOs of the LVS half', () => {
  it('lvs_notify_fifo and notify_fifo with their scripts (split later, FIFO path appended) and owners', () => {
    const r = spec(`
global_defs {
  script_user nobody
  notify_fifo /run/all.fifo
  notify_fifo_script "/usr/local/bin/all.sh x"
  lvs_notify_fifo /run/lvs.fifo adm adm
  lvs_notify_fifo_script /usr/local/bin/lvs.sh daemon
}
virtual_server 192.0.2.1 80 {
  protocol TCP
  real_server 198.51.100.1 80 {
  }
}
`);
    assert.deepEqual(r.spec.notifyFifos, ['/run/lvs.fifo', '/run/all.fifo']);
    assert.deepEqual(r.spec.notifyFifoSetup, [
      { path: '/run/lvs.fifo', what: 'lvs_notify_fifo', script: { command: '/usr/local/bin/lvs.sh', user: 'daemon' }, owner: { user: 'adm', group: 'adm' } },
      { path: '/run/all.fifo', what: 'notify_fifo', script: { command: '/usr/local/bin/all.sh x', user: 'nobody' }, owner: undefined },
    ]);
  });
});
