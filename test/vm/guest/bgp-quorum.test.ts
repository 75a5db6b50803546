/**
 * Runs INSIDE the IPVS VM (issue 14): `hactl vrrp run --bgp` announces an active-active VIP from
 * the LVS half's live quorum. Real IPVS, real TCP_CHECKs against two real servers in namespaces;
 * quorum 2: stopping one server withdraws the VIP's host route (table 100, proto 249: what FRR
 * imports and announces), starting it again re-announces it, SIGTERM withdraws it. The split: hactl
 * and IPVS run in the guest; FRR is not in the guest (it needs its user, its YANG modules and
 * several daemons), the route in the kernel table is the hand-over point, and the host labs
 * (test/integration/bgp-*.test.ts) show FRR announcing and withdrawing exactly those routes.
 */
import * as assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { guestSkip, HACTL, hactl, until } from './ipvs-guest-lib';

const VIP = '203.0.113.10';
const announced = () => spawnSync('ip', ['route', 'show', 'table', '100', 'proto', '249'], { encoding: 'utf8' }).stdout.includes(VIP);
const RS = [
  { ns: 'bgpq-rs1', dev: 'bgpq1', here: '192.0.2.1', there: '192.0.2.2' },
  { ns: 'bgpq-rs2', dev: 'bgpq2', here: '192.0.2.5', there: '192.0.2.6' },
];

describe('BGP announcement follows the live LVS quorum (IPVS VM)', { skip: guestSkip() }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-bgpq-'));
  const procs: ChildProcess[] = [];
  const servers = new Map<string, ChildProcess>();
  after(() => {
    for (const p of [...procs, ...servers.values()]) if (p.exitCode === null) p.kill('SIGKILL');
    spawnSync('ipvsadm', ['-C']);
    spawnSync('ip', ['route', 'flush', 'table', '100', 'proto', '249']);
    for (const r of RS) spawnSync('ip', ['netns', 'del', r.ns]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const serve = (r: (typeof RS)[number]) => {
    const p = spawn('ip', ['netns', 'exec', r.ns, process.execPath, '-e', `require('net').createServer((s) => s.destroy()).listen(80, '${r.there}')`], { stdio: 'ignore' });
    servers.set(r.ns, p);
  };
  const unserve = async (r: (typeof RS)[number]) => {
    const p = servers.get(r.ns);
    if (!p || p.exitCode !== null) return;
    const ex = new Promise<void>((res) => p.once('exit', () => res()));
    p.kill('SIGKILL');
    await ex;
  };

  it('quorum lost -> route withdrawn, regained -> announced, SIGTERM -> withdrawn', { timeout: 170_000 }, async () => {
    for (const r of RS) {
      spawnSync('ip', ['netns', 'del', r.ns]);
      const cmds = [
        ['netns', 'add', r.ns],
        ['link', 'add', r.dev, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', r.ns],
        ['addr', 'add', `${r.here}/30`, 'dev', r.dev],
        ['link', 'set', r.dev, 'up'],
        ['-n', r.ns, 'link', 'set', 'lo', 'up'],
        ['-n', r.ns, 'addr', 'add', `${r.there}/30`, 'dev', 'eth0'],
        ['-n', r.ns, 'link', 'set', 'eth0', 'up'],
      ];
      for (const c of cmds) {
        const x = spawnSync('ip', c, { encoding: 'utf8' });
        assert.equal(x.status, 0, `ip ${c.join(' ')}: ${x.stderr}`);
      }
      serve(r);
    }
    const conf = path.join(dir, 'keepalived.conf');
    const rsConf = (a: string) => `  real_server ${a} 80 {\n    weight 1\n    TCP_CHECK {\n      connect_timeout 1\n      retry 0\n    }\n  }\n`;
    fs.writeFileSync(conf, `virtual_server ${VIP} 80 {\n  delay_loop 1\n  lb_algo mh\n  lb_kind NAT\n  protocol TCP\n  quorum 2\n${RS.map((r) => rsConf(r.there)).join('')}}\n`);
    const bgp = path.join(dir, 'bgp.conf');
    // no FRR here: its vty directory does not exist, the routing view is degraded (ok: false)
    fs.writeFileSync(bgp, `vty-socket ${dir}/no-frr\nvip ${VIP}\n`);
    const sock = path.join(dir, 'vrrp.sock');
    let log = '';
    const d = spawn(process.execPath, [HACTL, 'vrrp', 'run', '-f', conf, '--bgp', bgp, '--control-socket', sock, '--pid-file', path.join(dir, 'vrrp.pid')], { stdio: ['ignore', 'pipe', 'pipe'] });
    procs.push(d);
    d.stdout?.on('data', (b) => (log += b));
    d.stderr?.on('data', (b) => (log += b));
    const status = () => {
      const r = hactl(['vrrp', 'status', '--json', '--control-socket', sock]);
      return r.status === 0 ? JSON.parse(r.stdout) : undefined;
    };
    assert.ok(await until(announced, 120_000), `both real servers up, quorum 2: VIP not announced\n${log}`);
    assert.match(spawnSync('ipvsadm', ['-Ln'], { encoding: 'utf8' }).stdout, /192\.0\.2\.6:80/);

    await unserve(RS[1]);
    assert.ok(await until(() => !announced(), 40_000), `one real server down (quorum 2): route still there\n${log}`);
    const st = status();
    assert.equal(st?.bgp?.[0]?.announced, false, JSON.stringify(st?.bgp));
    assert.match(String(st?.bgp?.[0]?.reason), /quorum/i);
    assert.equal(st?.bgpRouting?.ok, false, 'no FRR: degraded routing view');
    const txt = hactl(['vrrp', 'status', '--control-socket', sock]);
    assert.match(txt.stdout, /^BGP 203\.0\.113\.10 \(active-active\): withdrawn \(.*quorum.*\); FRR unknown$/im, txt.stdout);
    assert.match(txt.stdout, /^BGP: FRR not answering: /m);

    serve(RS[1]);
    assert.ok(await until(announced, 40_000), `real server back: VIP not announced again\n${log}`);

    const exited = new Promise<void>((r) => d.once('exit', () => r()));
    d.kill('SIGTERM');
    await exited;
    assert.equal(announced(), false, 'SIGTERM withdraws the route');
  });
});
