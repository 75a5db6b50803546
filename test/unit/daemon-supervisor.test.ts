import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { LvsHost } from '../../src/lib/lvs/daemon';
import { hactl } from '../helpers/cli';
import { FakeIpvs } from './lvs-fakes';
import {
  type ChildEvents,
  type ChildHandle,
  classifyExit,
  degraded,
  HalfSupervisor,
  KEEPALIVED_EXIT,
  restartDelay,
} from '../../src/lib/daemon/supervisor';
import { BYE_FRAME, encodePlan, type MasterPlan } from '../../src/lib/vrrp/watchdog';
import { delRouteRequest } from '../../src/lib/net/rtnl';
import { metricsText, renderStatus } from '../../src/lib/vrrp/control';
import { VrrpDaemon } from '../../src/lib/vrrp/daemon';
import { decodeIpv4Packet } from '../../src/lib/vrrp/packet';
import { daemonConfig, FakeLink, flush, instance, makeNode, VirtualClock } from './vrrp-fakes';

class FakeChild implements ChildHandle {
  signals: string[] = [];
  constructor(
    readonly pid: number,
    readonly ev: ChildEvents,
  ) {}
  kill(sig: NodeJS.Signals): void {
    this.signals.push(sig);
  }
}

function harness() {
  const clock = new VirtualClock();
  const children: FakeChild[] = [];
  const avail: boolean[] = [];
  const permanent: number[] = [];
  const logs: string[] = [];
  const sup = new HalfSupervisor('LVS', {
    spawn: (ev) => {
      const c = new FakeChild(1000 + children.length, ev);
      children.push(c);
      return c;
    },
    clock: () => clock.now,
    timers: { set: clock.set, clear: clock.clear },
    log: (l, m) => logs.push(`${l} ${m}`),
    availability: (up) => avail.push(up),
    permanent: (code) => permanent.push(code),
  });
  const last = () => children[children.length - 1];
  return { clock, children, avail, permanent, logs, sup, last };
}

describe('daemon supervisor: exit codes and back-off (keepalived 2.2.7)', () => {
  it('FATAL, CONFIG and missing permission are permanent; other codes, 0 and signals are restarted', () => {
    for (const c of [1, 2, 4]) assert.equal(classifyExit(c, null).permanent, true, `exit ${c}`);
    for (const c of [0, 3, 6, 70, 134, 255]) assert.equal(classifyExit(c, null).permanent, false, `exit ${c}`);
    assert.equal(classifyExit(null, 'SIGKILL').permanent, false);
    assert.equal(classifyExit(null, 'SIGSEGV').text, 'signal SIGSEGV');
    assert.equal(classifyExit(1, null).text, 'exit 1 (FATAL)');
    assert.equal(classifyExit(2, null).text, 'exit 2 (CONFIG)');
  });

  it('calc_restart_delay: 0, 1, 2, 4, 8, 16, 32, 60, 60 s for quick deaths; a child that ran 60 s restarts at once and resets', () => {
    let next = 0;
    const delays: number[] = [];
    for (let i = 0; i < 9; i++) {
      const d = restartDelay(1000, next);
      delays.push(d.delayMs / 1000);
      next = d.next;
    }
    assert.deepEqual(delays, [0, 1, 2, 4, 8, 16, 32, 60, 60]);
    assert.deepEqual(restartDelay(60_000, next), { delayMs: 0, next: 0 });
    assert.equal(restartDelay(59_999, next).delayMs, 60_000);
  });
});

describe('daemon supervisor: HalfSupervisor (fake spawner, virtual clock)', () => {
  it('first start counts as available; a crash makes it unavailable until the restarted child is ready', async () => {
    const h = harness();
    h.sup.start();
    assert.equal(h.children.length, 1);
    assert.equal(h.sup.status().state, 'starting');
    assert.equal(h.sup.status().available, true, 'as keepalived: VRRP does not wait for the first start');
    assert.equal(degraded([h.sup.status()]), true, 'not up yet');
    h.last().ev.ready();
    assert.equal(h.sup.status().state, 'up');
    assert.equal(degraded([h.sup.status()]), false);
    await h.clock.advance(5000);
    h.last().ev.exit(null, 'SIGKILL');
    assert.deepEqual(h.avail, [false]);
    assert.equal(h.sup.status().state, 'restarting');
    // first quick death: restarted at once (delay 0)
    await h.clock.advance(h.clock.now);
    assert.equal(h.children.length, 2);
    assert.equal(h.sup.status().state, 'restarting', 'spawned, not ready yet');
    assert.equal(h.sup.status().available, false);
    h.last().ev.ready();
    assert.deepEqual(h.avail, [false, true]);
    assert.equal(h.sup.status().restarts, 1);
    assert.equal(h.sup.status().lastExit, 'signal SIGKILL');
    assert.deepEqual(h.permanent, []);
  });

  it('quick repeated crashes back off (1 s, then 2 s); a crash after 60 s of running restarts at once', async () => {
    const h = harness();
    h.sup.start();
    h.last().ev.ready();
    h.last().ev.exit(70, null); // delay 0
    await h.clock.advance(h.clock.now);
    h.last().ev.ready();
    await h.clock.advance(h.clock.now + 100);
    h.last().ev.exit(null, 'SIGSEGV'); // delay 1 s
    assert.equal(h.sup.status().nextStartInMs, 1000);
    await h.clock.advance(h.clock.now + 999);
    assert.equal(h.children.length, 2, 'not before 1 s');
    await h.clock.advance(h.clock.now + 1);
    assert.equal(h.children.length, 3);
    h.last().ev.exit(0, null); // even exit 0 is respawned (keepalived); delay 2 s
    await h.clock.advance(h.clock.now + 1999);
    assert.equal(h.children.length, 3);
    await h.clock.advance(h.clock.now + 1);
    assert.equal(h.children.length, 4);
    h.last().ev.ready();
    await h.clock.advance(h.clock.now + 61_000);
    h.last().ev.exit(null, 'SIGKILL');
    await h.clock.advance(h.clock.now);
    assert.equal(h.children.length, 5, 'ran over 60 s: at once');
    assert.equal(h.sup.status().restarts, 4);
    assert.match(h.logs.join('\n'), /restarting it in 1 s \(limiting the respawn rate\)/);
  });

  it('a permanent exit (FATAL) is reported once and never restarted', async () => {
    const h = harness();
    h.sup.start();
    h.last().ev.exit(KEEPALIVED_EXIT.FATAL, null);
    await h.clock.advance(120_000);
    assert.equal(h.children.length, 1);
    assert.deepEqual(h.permanent, [1]);
    assert.equal(h.sup.status().state, 'failed');
    assert.equal(degraded([h.sup.status()]), true);
    assert.deepEqual(h.avail, [], 'no detour through FAULT: the daemon stops through its normal path');
    assert.match(h.logs.join('\n'), /exited with permanent error exit 1 \(FATAL\); stopping the daemon/);
  });

  it('a permanent exit after restarts (CONFIG on a restart) stops too', async () => {
    const h = harness();
    h.sup.start();
    h.last().ev.ready();
    h.last().ev.exit(null, 'SIGKILL');
    await h.clock.advance(h.clock.now);
    h.last().ev.exit(KEEPALIVED_EXIT.CONFIG, null);
    await h.clock.advance(120_000);
    assert.equal(h.children.length, 2);
    assert.deepEqual(h.permanent, [2]);
  });

  it('stop: SIGTERM, resolves at exit, SIGKILL after the grace time, no restart; a pending restart is cancelled', async () => {
    const h = harness();
    h.sup.start();
    h.last().ev.ready();
    let done = false;
    const p = h.sup.stop(10_000).then(() => {
      done = true;
    });
    assert.deepEqual(h.last().signals, ['SIGTERM']);
    await h.clock.advance(10_000);
    assert.deepEqual(h.last().signals, ['SIGTERM', 'SIGKILL']);
    assert.equal(done, false);
    h.last().ev.exit(null, 'SIGKILL');
    await p;
    await h.clock.advance(200_000);
    assert.equal(h.children.length, 1);
    assert.deepEqual(h.permanent, []);
    assert.equal(h.sup.status().state, 'stopped');

    const g = harness();
    g.sup.start();
    g.last().ev.ready();
    g.last().ev.exit(null, 'SIGKILL');
    await g.clock.advance(g.clock.now);
    g.last().ev.exit(null, 'SIGKILL'); // restart pending in 1 s
    await g.sup.stop();
    await g.clock.advance(g.clock.now + 5000);
    assert.equal(g.children.length, 2);
  });

  it('events of a replaced child are ignored (a late ready from the dead one)', async () => {
    const h = harness();
    h.sup.start();
    const first = h.last();
    first.ev.ready();
    first.ev.exit(null, 'SIGKILL');
    await h.clock.advance(h.clock.now);
    first.ev.ready();
    assert.equal(h.sup.status().available, false);
    first.ev.exit(1, null);
    assert.deepEqual(h.permanent, []);
  });
});

async function pair() {
  const clock = new VirtualClock();
  const link = new FakeLink(clock);
  const a = makeNode(link, 'a', '192.0.2.1');
  const b = makeNode(link, 'b', '192.0.2.2');
  const plans: MasterPlan[][] = [];
  a.deps.onMasters = (p) => plans.push(p);
  const da = new VrrpDaemon(daemonConfig([instance({ priority: 150 })]), a.deps);
  const db = new VrrpDaemon(daemonConfig([instance({ priority: 100 })]), b.deps);
  await da.start();
  await db.start();
  return { clock, link, a, b, da, db, plans };
}

describe('VRRP daemon: the LVS half as an internal tracked object, the watchdog plan', () => {
  it('LVS half down: the MASTER sends priority 0, gives up its VIPs and stays FAULT; the backup takes over; up again: it preempts back', async () => {
    const { clock, link, a, b, da, db } = await pair();
    await clock.advance(5000);
    assert.equal(da.status().instances[0].state, 'MASTER');
    const t0 = clock.now;
    da.setInternalTrack('LVS half', false);
    await clock.advance(clock.now + 10);
    const zero = link.sent.filter((s) => s.from === 'a' && s.at >= t0).map((s) => decodeIpv4Packet(s.buf).advert.priority);
    assert.deepEqual(zero.slice(0, 1), [0]);
    assert.equal(da.status().instances[0].state, 'FAULT');
    assert.equal(da.status().instances[0].fault, 'LVS half');
    assert.deepEqual([...a.net.addrs], []);
    await clock.advance(clock.now + 2000);
    assert.equal(db.status().instances[0].state, 'MASTER');
    assert.match(renderStatus(da.status()), /FAULT\(LVS half\)/);
    await clock.advance(clock.now + 20_000);
    assert.equal(da.status().instances[0].state, 'FAULT', 'never takes MASTER while down');
    da.setInternalTrack('LVS half', true);
    await clock.advance(clock.now + 10_000);
    assert.equal(da.status().instances[0].state, 'MASTER');
    assert.equal(db.status().instances[0].state, 'BACKUP');
    assert.deepEqual([...b.net.addrs], []);
    await da.stop();
    await db.stop();
  });

  it("onMasters: every instance's use_vmac link, BACKUP ones too (the watchdog deletes them as the clean stop does)", async () => {
    const clock = new VirtualClock();
    const link = new FakeLink(clock);
    const a = makeNode(link, 'a', '192.0.2.1');
    const got: string[][] = [];
    a.deps.onMasters = (_p, links) => got.push(links);
    const da = new VrrpDaemon(daemonConfig([instance({ priority: 100, vmac: 'vrrp.51' }), instance({ name: 'VI_2', vrid: 52, priority: 100 })]), a.deps);
    await da.start();
    await flush();
    assert.deepEqual(got.at(-1), ['vrrp.51']);
    await da.stop();
  });

  it('LVS half down before start: the instance starts in FAULT', async () => {
    const clock = new VirtualClock();
    const link = new FakeLink(clock);
    const a = makeNode(link, 'a', '192.0.2.1');
    const da = new VrrpDaemon(daemonConfig([instance({ priority: 150 })]), a.deps);
    da.setInternalTrack('LVS half', false);
    await da.start();
    await clock.advance(10_000);
    assert.equal(da.status().instances[0].state, 'FAULT');
    await da.stop();
  });

  it('onMasters: the MASTER instance with its priority-0 advert and VIPs; empty once it is no longer MASTER', async () => {
    const { clock, da, db, plans } = await pair();
    await clock.advance(5000);
    const p = plans.at(-1)!;
    assert.equal(p.length, 1);
    assert.equal(p[0].instance, 'VI_1');
    assert.equal(p[0].ifname, 'eth0');
    assert.deepEqual(p[0].vips, [{ address: '192.0.2.100', prefix: 24, dev: 'eth0' }]);
    assert.equal(p[0].adverts.length, 1);
    assert.equal(p[0].adverts[0].dst, '224.0.0.18');
    const adv = decodeIpv4Packet(p[0].adverts[0].packet);
    assert.equal(adv.advert.priority, 0);
    assert.equal(adv.advert.vrid, 51);
    assert.equal(adv.ip.src, '192.0.2.1');
    const n = plans.length;
    await clock.advance(clock.now + 5000);
    assert.equal(plans.length, n, 'sent only when it changes');
    da.setInternalTrack('LVS half', false);
    await flush();
    assert.deepEqual(plans.at(-1), []);
    await da.stop();
    await db.stop();
  });

  it('encodePlan: the frame layout watchdog.c reads', () => {
    const pkt = Buffer.alloc(28, 7);
    const f = encodePlan([
      { instance: 'VI_1', ifname: 'eth0', family: 4, src: '192.0.2.1', adverts: [{ dst: '224.0.0.18', packet: pkt }], vips: [{ address: '192.0.2.100', prefix: 24, dev: 'eth0' }], nftVips: [] },
      { instance: 'VI_6', ifname: 'vrrp.51', family: 6, src: 'fe80::1', adverts: [{ dst: 'ff02::12', packet: Buffer.alloc(8, 1) }], vips: [{ address: '2001:db8::10', prefix: 64, dev: 'eth0' }], nftVips: ['2001:db8::10'] },
    ]);
    assert.equal(f.readUInt32LE(0), f.length - 4);
    assert.equal(String.fromCharCode(f[4]), 'P');
    const acts: { kind: number; body: Buffer }[] = [];
    for (let o = 5; o < f.length; ) {
      const n = f.readUInt32LE(o + 1);
      acts.push({ kind: f[o], body: f.subarray(o + 5, o + 5 + n) });
      o += 5 + n;
    }
    assert.deepEqual(
      acts.map((a) => a.kind),
      [1, 2, 3, 3, 4],
      'adverts first, then addresses, then nftables',
    );
    assert.deepEqual(acts[0].body, Buffer.concat([Buffer.from([4]), Buffer.from('eth0'), Buffer.from([224, 0, 0, 18]), pkt]));
    assert.equal(acts[1].body[0], 7);
    assert.equal(acts[1].body.subarray(1, 8).toString(), 'vrrp.51');
    assert.equal(acts[1].body.length, 1 + 7 + 32 + 8);
    assert.deepEqual(acts[2].body, Buffer.concat([Buffer.from([4]), Buffer.from('eth0'), Buffer.from([4, 24, 192, 0, 2, 100])]));
    assert.equal(acts[3].body[5], 6);
    assert.equal(acts[3].body[6], 64);
    assert.deepEqual(BYE_FRAME, Buffer.from([1, 0, 0, 0, 0x42]));
    // virtual_routes / virtual_rules: rtnetlink requests (kind 5) before the addresses; the route's ifindex is patched in by watchdog.c
    const g = encodePlan([
      {
        instance: 'VI_1',
        ifname: 'eth0',
        family: 4,
        src: '192.0.2.1',
        adverts: [],
        vips: [{ address: '192.0.2.100', prefix: 24, dev: 'eth0' }],
        nftVips: [],
        routes: [{ dst: '203.0.113.0/24', dev: 'eth0' }],
        rules: [{ family: 4, from: '203.0.113.7', table: 100 }],
      },
    ]);
    const gacts: { kind: number; body: Buffer }[] = [];
    for (let o = 5; o < g.length; ) {
      const n = g.readUInt32LE(o + 1);
      gacts.push({ kind: g[o], body: g.subarray(o + 5, o + 5 + n) });
      o += 5 + n;
    }
    assert.deepEqual(
      gacts.map((a) => a.kind),
      [5, 5, 3],
    );
    const [rule, route] = gacts.map((a) => a.body);
    assert.equal(rule[0], 0, 'a rule names no interface');
    assert.equal(rule.readUInt32LE(1), 0xffffffff);
    assert.equal(rule.readUInt16LE(5 + 4), 33, 'RTM_DELRULE');
    assert.equal(route.subarray(1, 5).toString(), 'eth0');
    const at = route.readUInt32LE(5);
    const msg = route.subarray(9);
    assert.equal(msg.readUInt16LE(4), 25, 'RTM_DELROUTE');
    assert.equal(msg.readUInt32LE(0), msg.length, 'nlmsg_len');
    assert.equal(msg.readUInt32LE(at), 0x7ffffe5a, 'the ifindex placeholder, at the offset given');
    assert.equal(msg.readUInt16LE(at - 2), 4, 'inside RTA_OIF');
    // the BGP announcer's host routes (rawRoutes): the exact RTM_DELROUTE `hactl bgp withdraw` sends, no interface
    const spec = { dst: '203.0.113.10/32', table: 100, protocol: 249, type: 'blackhole' as const, metric: 7 };
    const h = encodePlan([{ instance: 'bgp', ifname: 'lo', family: 4, src: '0.0.0.0', adverts: [], vips: [], nftVips: [], rawRoutes: [spec] }]);
    assert.equal(h[5], 5);
    const body = h.subarray(10);
    assert.equal(body[0], 0, 'no interface');
    assert.equal(body.readUInt32LE(1), 0xffffffff, 'nothing to patch');
    assert.deepEqual(body.subarray(5), delRouteRequest(spec));
    assert.throws(() => encodePlan([{ instance: 'x', ifname: 'a-very-long-ifname', family: 4, src: '', adverts: [{ dst: '224.0.0.18', packet: pkt }], vips: [], nftVips: [] }]));
    // use_vmac links: kind 6, the name, after every other action, each once
    const k = encodePlan([{ instance: 'bgp', ifname: 'lo', family: 4, src: '0.0.0.0', adverts: [], vips: [], nftVips: [], rawRoutes: [spec] }], 1, ['vrrp.51', 'vrrp.51']);
    const tail = k.subarray(h.length);
    assert.equal(k.readUInt32LE(0), k.length - 4);
    assert.deepEqual([...tail], [6, 8, 0, 0, 0, 7, ...Buffer.from('vrrp.51')]);
  });

  it('status and /metrics show the LVS half: restarting is DEGRADED', () => {
    const s = {
      pid: 1,
      uptimeMs: 1000,
      stalls: 0,
      maxStallMs: 0,
      drops: {},
      instances: [],
      halves: [{ name: 'LVS', state: 'restarting' as const, available: false, pid: null, restarts: 2, lastExit: 'signal SIGKILL', nextStartInMs: 1500, sinceMs: 10 }],
    };
    assert.match(renderStatus(s), /LVS half: DOWN, restarting \(restart 2 in 1\.5 s, last died: signal SIGKILL\): DEGRADED, VRRP instances FAULT/);
    const m = metricsText(s);
    assert.match(m, /^hactl_daemon_half_up\{half="lvs"\} 0$/m);
    assert.match(m, /^hactl_daemon_half_state\{half="lvs",state="restarting"\} 1$/m);
    assert.match(m, /^hactl_daemon_half_restarts_total\{half="lvs"\} 2$/m);
    assert.match(m, /^hactl_daemon_degraded 1$/m);
    const up = { ...s, halves: [{ ...s.halves[0], state: 'up' as const, pid: 42, nextStartInMs: null }] };
    assert.match(renderStatus(up), /LVS half: up \(pid 42, 2 restart\(s\), last died: signal SIGKILL\)/);
    assert.match(metricsText(up), /^hactl_daemon_degraded 0$/m);
    assert.doesNotMatch(metricsText({ ...s, halves: undefined }), /hactl_daemon/);
  });
});

describe('LVS half exit codes (keepalived: permanent vs restarted)', () => {
  const VS = 'virtual_server 192.0.2.10 80 {\n  protocol TCP\n  lb_kind NAT\n  real_server 192.0.2.20 80 {\n  }\n}\n';
  it('a configuration with errors: CONFIG (2), permanent', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-sup-'));
    try {
      const f = path.join(dir, 'ka.conf');
      fs.writeFileSync(f, `${VS}virtual_server 192.0.2.11 80 {\n  lb_algo nosuch\n}\n`);
      const h = new LvsHost({ file: f, log: () => {}, ipvs: new FakeIpvs() });
      await assert.rejects(h.start(), (e: { exitCode?: number }) => {
        assert.equal(e.exitCode, 2);
        assert.equal(classifyExit(e.exitCode, null).permanent, true);
        return true;
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('no IPVS in the kernel: `vrrp run --lvs-only` exits 1 (FATAL), permanent', { skip: fs.existsSync('/proc/net/ip_vs') ? 'this kernel has IPVS' : undefined }, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-sup-'));
    try {
      const f = path.join(dir, 'ka.conf');
      fs.writeFileSync(f, VS);
      const r = hactl(['vrrp', 'run', '--lvs-only', '-f', f, '--control-socket', path.join(dir, 'v.sock')]);
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, /IPVS/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
