import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApplyError, applyPlan, type Ops } from '../../src/lib/arp/apply';
import {
  type Change,
  checkStatus,
  describe as describeChange,
  inverse,
  PlanError,
  parseVips,
  planSetup,
  planTeardown,
  recordApplied,
  type Request,
  type Snapshot,
} from '../../src/lib/arp/plan';

const KEYS = ['all', 'eth0', 'lo'].flatMap((d) => [`net.ipv4.conf.${d}.arp_ignore`, `net.ipv4.conf.${d}.arp_announce`]);

function snap(over: Partial<Snapshot> = {}): Snapshot {
  return {
    sysctls: Object.fromEntries(KEYS.map((k) => [k, '0'])),
    links: [
      { name: 'lo', up: true },
      { name: 'eth0', up: true, kind: 'veth' },
    ],
    addresses: [
      { ifname: 'lo', family: 4, address: '127.0.0.1', prefix: 8 },
      { ifname: 'eth0', family: 4, address: '198.51.100.11', prefix: 24 },
    ],
    files: {},
    ...over,
  };
}

const rs = (vips: string[], extra: Partial<Request> = {}): Request => ({ role: 'realserver', mode: 'dr', vips, iface: 'eth0', ...extra });

/** Apply a plan to a snapshot (a model of the kernel), to check idempotence and teardown. */
function simulate(s: Snapshot, plan: Change[]): Snapshot {
  const n: Snapshot = structuredClone(s);
  for (const c of plan) {
    if (c.kind === 'sysctl') n.sysctls[c.key] = c.to;
    else if (c.kind === 'addr-add') n.addresses.push({ ifname: c.ifname, family: c.family, address: c.address, prefix: c.prefix, label: c.label });
    else if (c.kind === 'addr-del') n.addresses = n.addresses.filter((a) => !(a.address === c.address && a.ifname === c.ifname));
    else if (c.kind === 'link-create') n.links.push({ name: c.ifname, up: false });
    else if (c.kind === 'link-up') n.links.find((l) => l.name === c.ifname)!.up = true;
    else if (c.kind === 'link-delete') n.links = n.links.filter((l) => l.name !== c.ifname);
    else if (c.kind === 'file-write') n.files[c.path] = c.content;
    else if (c.kind === 'file-remove') n.files[c.path] = undefined;
    else if (c.kind === 'symlink') n.symlinks = { ...n.symlinks, [c.path]: c.target };
    else if (c.kind === 'unlink') n.symlinks = { ...n.symlinks, [c.path]: undefined };
  }
  return n;
}

describe('arp planner: real server', () => {
  it('orders ARP sysctls (all, IF, lo) before the VIPs on lo', () => {
    const plan = planSetup(rs(['198.51.100.100', '2001:db8::100']), snap());
    assert.deepEqual(plan.map(describeChange), [
      'sysctl net.ipv4.conf.all.arp_ignore: 0 -> 1',
      'sysctl net.ipv4.conf.all.arp_announce: 0 -> 2',
      'sysctl net.ipv4.conf.eth0.arp_ignore: 0 -> 1',
      'sysctl net.ipv4.conf.eth0.arp_announce: 0 -> 2',
      'sysctl net.ipv4.conf.lo.arp_ignore: 0 -> 1',
      'sysctl net.ipv4.conf.lo.arp_announce: 0 -> 2',
      'add 198.51.100.100/32 on lo label lo:hactl',
      'add 2001:db8::100/128 on lo nodad',
    ]);
  });

  it('is idempotent: planning against the result is an empty plan', () => {
    const req = rs(['198.51.100.100', '2001:db8::100']);
    const s1 = simulate(snap(), planSetup(req, snap()));
    assert.deepEqual(planSetup(req, s1), []);
  });

  it('only plans what is missing', () => {
    const s = snap();
    s.sysctls['net.ipv4.conf.all.arp_ignore'] = '1';
    s.addresses.push({ ifname: 'lo', family: 4, address: '198.51.100.100', prefix: 32 });
    const plan = planSetup(rs(['198.51.100.100']), s);
    assert.equal(plan.length, 5);
    assert.ok(!plan.some((c) => c.kind === 'addr-add'));
  });

  it('IPv6-only VIPs need no ARP sysctls', () => {
    assert.deepEqual(planSetup(rs(['2001:db8::5']), snap()).map(describeChange), ['add 2001:db8::5/128 on lo nodad']);
  });

  it('tun mode: tunnel device created/up, rp_filter, VIPs on tunl0', () => {
    const s = snap();
    s.sysctls['net.ipv4.conf.all.rp_filter'] = '1';
    const plan = planSetup(rs(['198.51.100.100'], { mode: 'tun' }), s).map(describeChange);
    assert.deepEqual(plan.slice(6), [
      'sysctl net.ipv4.conf.all.rp_filter: 1 -> 0',
      'create ipip device tunl0',
      'set tunl0 up',
      'sysctl net.ipv4.conf.tunl0.rp_filter: ? -> 0',
      'add 198.51.100.100/32 on tunl0 label tunl0:hactl',
    ]);
  });

  it('bad input is a PlanError before any change', () => {
    const bad: [Request, RegExp][] = [
      [rs(['198.51.100.300']), /invalid VIP "198\.51\.100\.300"/],
      [rs(['2001:db8::1', '2001:DB8:0:0::1']), /duplicate VIP "2001:DB8:0:0::1"/],
      [rs(['198.51.100.1/24']), /\/32 only/],
      [rs(['224.0.0.18']), /not a unicast/],
      [rs(['fe80::1']), /not a global unicast/],
      [rs([]), /no VIP/],
      [rs(['198.51.100.100'], { iface: 'eth7' }), /interface "eth7" does not exist/],
      [rs(['198.51.100.100'], { mode: 'nat' }), /--mode nat needs nothing/],
    ];
    for (const [req, re] of bad) assert.throws(() => planSetup(req, snap()), (e: unknown) => e instanceof PlanError && re.test(e.message));
  });

  it('refuses a VIP held on an ARP-answering interface of a real server', () => {
    const s = snap();
    s.addresses.push({ ifname: 'eth0', family: 4, address: '198.51.100.100', prefix: 24 });
    assert.throws(() => planSetup(rs(['198.51.100.100']), s), /already configured on eth0/);
  });

  it('--persist: sysctl.d file, unit, wants symlink; second run unchanged', () => {
    const req = rs(['198.51.100.100'], { persist: { sysctlDir: '/t/sysctl.d', unitDir: '/t/units', execStart: '/usr/bin/hactl arp realserver-setup --vip 198.51.100.100' } });
    const plan = planSetup(req, snap());
    const tail = plan.slice(-3);
    assert.equal(tail[0].kind, 'file-write');
    assert.equal((tail[0] as { path: string }).path, '/t/sysctl.d/90-hactl-arp-realserver.conf');
    assert.match((tail[0] as { content: string }).content, /^net\.ipv4\.conf\.eth0\.arp_announce = 2$/m);
    assert.match((tail[1] as { content: string }).content, /^ExecStart=\/usr\/bin\/hactl arp realserver-setup --vip 198\.51\.100\.100$/m);
    assert.deepEqual(tail[2], { kind: 'symlink', path: '/t/units/multi-user.target.wants/hactl-arp-realserver.service', target: '/t/units/hactl-arp-realserver.service' });
    assert.deepEqual(planSetup(req, simulate(snap(), plan)), []);
  });
});

describe('arp planner: record and teardown', () => {
  it('teardown restores the exact previous values, VIPs first, and removes only what setup added', () => {
    const s0 = snap();
    s0.sysctls['net.ipv4.conf.eth0.arp_ignore'] = '8';
    s0.sysctls['net.ipv4.conf.all.arp_announce'] = '1';
    s0.addresses.push({ ifname: 'lo', family: 4, address: '198.51.100.100', prefix: 32 }); // pre-existing
    const req = rs(['198.51.100.100', '198.51.100.101']);
    const plan = planSetup(req, s0);
    const rec = recordApplied(undefined, req, plan);
    const s1 = simulate(s0, plan);
    const td = planTeardown(rec, s1);
    assert.equal(td[0].kind, 'addr-del');
    assert.equal(td.filter((c) => c.kind === 'addr-del').length, 1, 'pre-existing VIP kept');
    const s2 = simulate(s1, td);
    assert.deepEqual(s2.sysctls, s0.sysctls);
    assert.deepEqual(s2.addresses, s0.addresses);
  });

  it('a second setup keeps the first previous values', () => {
    const req = rs(['198.51.100.100']);
    const s0 = snap();
    const p1 = planSetup(req, s0);
    let rec = recordApplied(undefined, req, p1);
    const s1 = simulate(s0, p1);
    const req2 = rs(['198.51.100.100', '198.51.100.102']);
    const p2 = planSetup(req2, s1);
    assert.deepEqual(p2.map(describeChange), ['add 198.51.100.102/32 on lo label lo:hactl']);
    rec = recordApplied(rec, req2, p2);
    assert.deepEqual(rec.vips, ['198.51.100.100', '198.51.100.102']);
    assert.ok(rec.sysctls.every((x) => x.previous === '0'));
    assert.deepEqual(simulate(simulate(s1, p2), planTeardown(rec, simulate(s1, p2))).sysctls, s0.sysctls);
  });

  it('every change has an inverse that undoes it (except announcements)', () => {
    const plan = planSetup(rs(['198.51.100.100'], { mode: 'tun' }), snap({ sysctls: { ...snap().sysctls, 'net.ipv4.conf.all.rp_filter': '1', 'net.ipv4.conf.tunl0.rp_filter': '1' } }));
    for (const c of plan) {
      const inv = inverse(c);
      assert.ok(inv, describeChange(c));
      assert.deepEqual(inverse(inv), c);
    }
  });
});

describe('arp planner: director and status', () => {
  it('director nat: ip_forward, VIP on IF (prefix kept), announcement', () => {
    const plan = planSetup({ role: 'director', mode: 'nat', vips: ['198.51.100.100/24', '2001:db8::100'], iface: 'eth0' }, snap({ sysctls: { 'net.ipv4.ip_forward': '0', 'net.ipv6.conf.all.forwarding': '0' } }));
    assert.deepEqual(plan.map(describeChange), [
      'sysctl net.ipv4.ip_forward: 0 -> 1',
      'sysctl net.ipv6.conf.all.forwarding: 0 -> 1',
      'add 198.51.100.100/24 on eth0 label eth0:hactl',
      'add 2001:db8::100/128 on eth0 nodad',
      'announce 198.51.100.100, 2001:db8::100 on eth0 (gratuitous ARP / unsolicited NA)',
    ]);
  });

  it('director needs --iface', () => {
    assert.throws(() => planSetup({ role: 'director', mode: 'dr', vips: ['198.51.100.100'] }, snap()), /needs --iface/);
  });

  it('status reports each missing piece', () => {
    const req = { role: 'realserver' as const, mode: 'dr' as const, iface: 'eth0', vips: ['198.51.100.100'] };
    const done = simulate(snap(), planSetup(rs(['198.51.100.100']), snap()));
    assert.ok(checkStatus(req, done).every((c) => c.ok));
    for (const k of KEYS) {
      const s = structuredClone(done);
      s.sysctls[k] = '0';
      assert.deepEqual(
        checkStatus(req, s)
          .filter((c) => !c.ok)
          .map((c) => c.what),
        [k],
      );
    }
    const s = structuredClone(done);
    s.addresses.push({ ifname: 'eth0', family: 4, address: '198.51.100.100', prefix: 32 });
    assert.deepEqual(
      checkStatus(req, s)
        .filter((c) => !c.ok)
        .map((c) => c.what),
      ['VIP 198.51.100.100 not on other interfaces'],
    );
  });

  it('parseVips canonicalizes', () => {
    assert.deepEqual(parseVips(['2001:DB8::0:1'], 'realserver'), [{ address: '2001:db8::1', family: 6, prefix: 128 }]);
  });
});

describe('arp applier', () => {
  function fakeOps(failOn?: string): { ops: Ops; log: string[] } {
    const log: string[] = [];
    const op =
      (name: string) =>
      async (...args: unknown[]) => {
        const line = `${name} ${args.filter((a) => a !== undefined).join(' ')}`;
        if (failOn && line.startsWith(failOn)) throw new Error('EACCES from the fake kernel');
        log.push(line);
      };
    return {
      log,
      ops: {
        writeSysctl: op('sysctl'),
        createLink: op('create'),
        deleteLink: op('delete'),
        setLinkUp: op('up'),
        addAddress: op('add'),
        delAddress: op('del'),
        writeFile: op('write'),
        removeFile: op('rm'),
        symlink: op('ln'),
        announce: op('announce'),
      },
    };
  }

  it('applies in order', async () => {
    const plan = planSetup(rs(['198.51.100.100']), snap());
    const { ops, log } = fakeOps();
    const done = await applyPlan(plan, ops);
    assert.equal(done.length, 7);
    assert.equal(log[0], 'sysctl net.ipv4.conf.all.arp_ignore 1');
    assert.equal(log[6], 'add lo 198.51.100.100 32 4 lo:hactl');
  });

  it('rolls back what was applied, in reverse, when a step fails', async () => {
    const plan = planSetup(rs(['198.51.100.100', '2001:db8::100']), snap());
    const { ops, log } = fakeOps('add lo 2001:db8::100');
    await assert.rejects(applyPlan(plan, ops), (e: unknown) => {
      assert.ok(e instanceof ApplyError);
      assert.match(e.message, /add 2001:db8::100\/128 on lo nodad failed: EACCES from the fake kernel; rolled back the 7 change\(s\) already applied/);
      return true;
    });
    assert.deepEqual(log.slice(7), [
      'del lo 198.51.100.100 32',
      'sysctl net.ipv4.conf.lo.arp_announce 0',
      'sysctl net.ipv4.conf.lo.arp_ignore 0',
      'sysctl net.ipv4.conf.eth0.arp_announce 0',
      'sysctl net.ipv4.conf.eth0.arp_ignore 0',
      'sysctl net.ipv4.conf.all.arp_announce 0',
      'sysctl net.ipv4.conf.all.arp_ignore 0',
    ]);
  });

  it('a failed announcement is a warning, not a rollback', async () => {
    const plan = planSetup({ role: 'director', mode: 'dr', vips: ['198.51.100.100'], iface: 'eth0' }, snap());
    const { ops } = fakeOps('announce');
    const warnings: string[] = [];
    const done = await applyPlan(plan, ops, (w) => warnings.push(w));
    assert.equal(done.length, 1);
    assert.match(warnings[0], /could not announce 198\.51\.100\.100/);
  });
});
