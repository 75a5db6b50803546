/**
 * Identical operation sequences through hactl and through ipvsadm give
 * identical `ipvsadm -Sn` tables, exit statuses and messages. In the VM.
 * - a fixed sequence through the `hactl vs|rs` commands (separate processes);
 * - a seeded random sequence of 600 ipvsadm command lines (services, dests,
 *   edits, deletes, IPv4/IPv6/fwmark, every forwarding method and tunnel type,
 *   every scheduler of the guest kernel), run in one process through the
 *   library (`hactl ipvsadm` code path) and then by ipvsadm itself, compared
 *   line by line and table snapshot by snapshot.
 */
import * as assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { type IpvsClient, IpvsClient as Client } from '../../../src/lib/ipvs/client';
import { runIpvsadmArgs } from '../../../src/lib/ipvs/run';
import { flush, guestSkip, hactl, ipvsadm, prng, run, saveN } from './ipvs-guest-lib';

const skip = guestSkip();

const SCHEDULERS = ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh'];
const SERVICES = [
  ['-t', '192.0.2.1:80'],
  ['-t', '192.0.2.2:443'],
  ['-u', '192.0.2.3:53'],
  ['--sctp-service', '192.0.2.4:3868'],
  ['-t', '[2001:db8::1]:80'],
  ['-u', '[2001:db8::2]:53'],
  ['-f', '1'],
  ['-f', '2'],
  ['-f', '3', '-6'],
  ['-f', '4', '-6'],
];
const V4_DESTS = ['198.51.100.1', '198.51.100.2', '198.51.100.3:8080', '203.0.113.4', '203.0.113.5:9000'];
const V6_DESTS = ['2001:db8:1::1', '[2001:db8:1::2]:8080', '2001:db8:1::3'];

/** The random workload: ipvsadm argv lists (deterministic for a seed). */
export function workload(seed: number, n: number): string[][] {
  const r = prng(seed);
  const pick = <T>(a: T[]): T => a[Math.floor(r() * a.length)];
  const out: string[][] = [];
  for (let i = 0; i < n; i++) {
    const svc = pick(SERVICES);
    const v6 = svc.includes('-6') || svc[1].startsWith('[');
    const x = r();
    if (x < 0.2) {
      const sched = pick(SCHEDULERS);
      const a = [r() < 0.85 ? '-A' : '-E', ...svc, '-s', sched];
      if (r() < 0.3) a.push('-p', String(1 + Math.floor(r() * 3600)));
      if (a.includes('-p') && r() < 0.5) a.push('-M', v6 ? String(48 + Math.floor(r() * 80)) : pick(['255.255.255.0', '255.255.0.0']));
      if (sched === 'sh' && r() < 0.5) a.push('-b', pick(['sh-fallback', 'sh-port', 'sh-fallback,sh-port']));
      if (sched === 'mh' && r() < 0.5) a.push('-b', pick(['mh-fallback', 'mh-port']));
      if (svc[0] === '-u' && r() < 0.3) a.push('-o');
      out.push(a);
    } else if (x < 0.27) {
      out.push(['-E', ...svc, '-s', pick(SCHEDULERS)]);
    } else if (x < 0.3) {
      out.push(['-D', ...svc]);
    } else if (x < 0.75) {
      const cross = r() < 0.08;
      const dest = (v6 !== cross ? pick(V6_DESTS) : pick(V4_DESTS)) as string;
      const a = [r() < 0.75 ? '-a' : '-e', ...svc, '-r', dest];
      const fwd = cross ? '-i' : pick(['-g', '-m', '-i', '']);
      if (fwd) a.push(fwd);
      if (fwd === '-i' && r() < 0.6) {
        const t = pick(['ipip', 'gue', 'gre']);
        a.push('--tun-type', t);
        if (t === 'gue') a.push('--tun-port', String(5000 + Math.floor(r() * 1000)), pick(['--tun-nocsum', '--tun-csum', '--tun-remcsum']));
        if (t === 'gre' && r() < 0.5) a.push(pick(['--tun-nocsum', '--tun-csum']));
      }
      if (r() < 0.7) a.push('-w', String(Math.floor(r() * 100)));
      if (r() < 0.2) a.push('-x', String(Math.floor(r() * 1000)), '-y', String(Math.floor(r() * 100)));
      out.push(a);
    } else if (x < 0.92) {
      out.push(['-d', ...svc, '-r', (v6 ? pick(V6_DESTS) : pick(V4_DESTS)) as string]);
    } else if (x < 0.96) {
      out.push(r() < 0.5 ? ['-Z'] : ['-Z', ...svc]);
    } else if (x < 0.985) {
      out.push(['--set', String(Math.floor(r() * 1000)), String(Math.floor(r() * 200)), String(Math.floor(r() * 500))]);
    } else {
      out.push(['-C']);
    }
  }
  return out;
}

describe('IPVS operation parity with ipvsadm (VM)', { skip }, () => {
  let c: IpvsClient | undefined;
  after(() => {
    c?.close();
    flush();
  });

  it('the `hactl vs|rs` commands build the same table as ipvsadm', () => {
    const pairs: Array<[string[], string[]]> = [
      [['vs', 'add', '-t', '192.0.2.1:80', '-s', 'rr'], ['-A', '-t', '192.0.2.1:80', '-s', 'rr']],
      [['rs', 'add', '-t', '192.0.2.1:80', '-r', '198.51.100.1:8080', '-m', '-w', '3'], ['-a', '-t', '192.0.2.1:80', '-r', '198.51.100.1:8080', '-m', '-w', '3']],
      [['rs', 'add', '-t', '192.0.2.1:80', '-r', '198.51.100.2'], ['-a', '-t', '192.0.2.1:80', '-r', '198.51.100.2']],
      [['vs', 'add', '-u', '[2001:db8::1]:53', '-s', 'sh', '-b', 'sh-port', '-p'], ['-A', '-u', '[2001:db8::1]:53', '-s', 'sh', '-b', 'sh-port', '-p']],
      [['rs', 'add', '-u', '[2001:db8::1]:53', '-r', '198.51.100.9', '-i', '--tun-type', 'gue', '--tun-port', '6080', '--tun-csum'], ['-a', '-u', '[2001:db8::1]:53', '-r', '198.51.100.9', '-i', '--tun-type', 'gue', '--tun-port', '6080', '--tun-csum']],
      [['vs', 'add', '-f', '7', '-6', '-s', 'mh'], ['-A', '-f', '7', '-6', '-s', 'mh']],
      [['rs', 'add', '-f', '7', '-6', '-r', '2001:db8::7', '-g', '-x', '50', '-y', '5'], ['-a', '-f', '7', '-6', '-r', '2001:db8::7', '-g', '-x', '50', '-y', '5']],
      [['vs', 'add', '--sctp', '192.0.2.4:3868', '-s', 'lc'], ['-A', '--sctp-service', '192.0.2.4:3868', '-s', 'lc']],
      [['vs', 'edit', '-t', '192.0.2.1:80', '-s', 'wrr', '-p', '120', '-M', '255.255.255.0'], ['-E', '-t', '192.0.2.1:80', '-s', 'wrr', '-p', '120', '-M', '255.255.255.0']],
      [['rs', 'edit', '-t', '192.0.2.1:80', '-r', '198.51.100.2', '-w', '9'], ['-e', '-t', '192.0.2.1:80', '-r', '198.51.100.2', '-w', '9']],
      [['rs', 'del', '-t', '192.0.2.1:80', '-r', '198.51.100.1:8080'], ['-d', '-t', '192.0.2.1:80', '-r', '198.51.100.1:8080']],
      [['vs', 'del', '--sctp', '192.0.2.4:3868', '--yes'], ['-D', '--sctp-service', '192.0.2.4:3868']],
      [['vs', 'zero'], ['-Z']],
    ];
    flush();
    ipvsadm('--set', '900', '120', '300');
    for (const [h] of pairs) {
      const r = hactl(h);
      assert.equal(r.status, 0, `hactl ${h.join(' ')}: ${r.stderr}`);
    }
    const viaHactl = saveN();
    flush();
    for (const [, i] of pairs) assert.equal(ipvsadm(...i).status, 0, i.join(' '));
    assert.equal(viaHactl, saveN());
    assert.match(viaHactl, /-A -t 192\.0\.2\.1:80 -s wrr -p 120 -M 255\.255\.255\.0/);
    const t = hactl(['vs', 'timeout', '--set', '901', '0', '302']);
    assert.equal(t.status, 0, t.stderr);
    assert.equal(hactl(['vs', 'timeout']).stdout, ipvsadm('-L', '--timeout').stdout);
    assert.equal(ipvsadm('-L', '--timeout').stdout, 'Timeout (tcp tcpfin udp): 901 120 302\n');
    const clear = hactl(['vs', 'clear', '--yes']);
    assert.equal(clear.status, 0, clear.stderr);
    assert.equal(saveN(), '');
  });

  it('`hactl vs sync start|stop|status` drive the kernel sync daemon like ipvsadm', () => {
    run('ip', ['link', 'add', 'hsync0', 'type', 'dummy']);
    run('ip', ['link', 'set', 'hsync0', 'multicast', 'on', 'up']);
    try {
      const a = hactl(['vs', 'sync', 'start', 'master', '--mcast-interface', 'hsync0', '--syncid', '7']);
      assert.equal(a.status, 0, a.stderr);
      const st = hactl(['vs', 'sync', 'status']);
      assert.equal(st.status, 0, st.stderr);
      assert.equal(st.stdout, ipvsadm('-L', '--daemon').stdout);
      assert.match(st.stdout, /^master sync daemon \(mcast=hsync0, syncid=7/);
      const again = hactl(['vs', 'sync', 'start', 'master', '--mcast-interface', 'hsync0']);
      assert.equal(again.status, 1);
      assert.match(again.stderr, /Daemon has already run/);
      assert.equal(hactl(['vs', 'sync', 'stop', 'master']).status, 0);
      assert.equal(ipvsadm('-L', '--daemon').stdout, '');
    } finally {
      ipvsadm('--stop-daemon', 'master');
      run('ip', ['link', 'del', 'hsync0']);
    }
  });

  it('seeded random sequence of 600 operations: same statuses, messages and tables', async () => {
    const ops = workload(20261121, 600);
    const kinds = new Set(ops.map((o) => o[0]));
    for (const k of ['-A', '-E', '-D', '-a', '-e', '-d', '-Z', '--set', '-C']) assert.ok(kinds.has(k), `workload covers ${k}`);
    const EVERY = 20;
    // hactl: one process, the library pipeline `hactl ipvsadm` uses.
    flush();
    ipvsadm('--set', '900', '120', '300');
    c = await Client.open();
    const mine: Array<{ status: number; err: string }> = [];
    const mineSnaps: string[] = [];
    for (let i = 0; i < ops.length; i++) {
      let err = '';
      const status = await runIpvsadmArgs(c, ops[i], { out: () => {}, err: (s) => (err += s) });
      mine.push({ status, err });
      if ((i + 1) % EVERY === 0) mineSnaps.push(saveN());
    }
    const mineTimeout = ipvsadm('-L', '--timeout').stdout;
    // ipvsadm: the same lines.
    flush();
    ipvsadm('--set', '900', '120', '300');
    for (let i = 0; i < ops.length; i++) {
      const r = ipvsadm(...ops[i]);
      assert.deepEqual(mine[i], { status: r.status === 255 ? 255 : r.status, err: r.stderr }, `op ${i + 1}: ipvsadm ${ops[i].join(' ')}`);
      if ((i + 1) % EVERY === 0) assert.equal(mineSnaps[(i + 1) / EVERY - 1], saveN(), `table after op ${i + 1}`);
    }
    assert.equal(mineTimeout, ipvsadm('-L', '--timeout').stdout);
    const failures = mine.filter((m) => m.status !== 0).length;
    const nonEmpty = mineSnaps.filter((s) => s.split('\n').length > 5).length;
    assert.ok(failures > 20 && failures < 400, `a mix of failing and succeeding operations (${failures} failed)`);
    assert.ok(nonEmpty > 10, 'the tables were not trivially empty');
  });
});
