/**
 * Runs INSIDE the IPVS VM: `lvs_sync_daemon` naming no vrrp_instance (active/active directors, no
 * VRRP) starts the kernel's master AND backup sync daemons, with keepalived's checker (`keepalived -C`)
 * and with `hactl vrrp run --lvs-only` on the same keepalived.conf: the same `ipvsadm -L --daemon`,
 * shown by `hactl vs sync status`; both are stopped on SIGTERM. Naming a MASTER vrrp_instance: the
 * master daemon only, syncid = the VRID, with keepalived (both processes) and `hactl vrrp run`.
 * Needs keepalived in the guest (IPVS_VM_EXTRA_BINS="keepalived"); skips elsewhere.
 */
import * as assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { guestSkipWith, HACTL, hactl, sleep, until } from './ipvs-guest-lib';

const daemons = () => spawnSync('ipvsadm', ['-L', '--daemon'], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean).sort().join('\n');

describe('lvs_sync_daemon without a vrrp_instance: hactl as keepalived (IPVS VM)', { skip: guestSkipWith('keepalived') }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-syncd-'));
  const procs: ChildProcess[] = [];
  after(() => {
    for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
    spawnSync('ipvsadm', ['--stop-daemon', 'master']);
    spawnSync('ipvsadm', ['--stop-daemon', 'backup']);
    spawnSync('ipvsadm', ['-C']);
    spawnSync('ip', ['link', 'del', 'syncd0']);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const run = async (argv: string[], want: number, ready: () => boolean = () => true): Promise<string> => {
    let log = '';
    const p = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    procs.push(p);
    p.stdout?.on('data', (b) => (log += b));
    p.stderr?.on('data', (b) => (log += b));
    assert.ok(await until(() => daemons().split('\n').filter(Boolean).length === want && ready(), 120_000), `${argv[0]}: sync daemons: ${daemons()}\n${log}`);
    await sleep(1500);
    const seen = daemons();
    if (argv[0] !== 'keepalived') {
      const st = hactl(['vs', 'sync', 'status']);
      assert.equal(st.status, 0, st.stderr);
      assert.equal(st.stdout.trim().split('\n').sort().join('\n'), seen, 'hactl vs sync status shows the kernel daemons');
      const js = hactl(['vs', 'sync', 'status', '--json']);
      assert.equal(js.status, 0, js.stderr);
      assert.equal(js.stdout.match(/syncd0/g)?.length, want, js.stdout);
    }
    const exited = new Promise<void>((r) => p.once('exit', () => r()));
    p.kill('SIGTERM');
    await exited;
    assert.ok(await until(() => daemons() === '', 30_000), `${argv[0]} left sync daemons: ${daemons()}`);
    return seen;
  };
  before(() => {
    spawnSync('sh', ['-c', 'ip link add syncd0 type dummy && ip link set syncd0 multicast on up && ip addr add 192.0.2.1/24 dev syncd0']);
  });

  it('starts master and backup sync daemons like keepalived -C, shows them, stops both on SIGTERM', { timeout: 170_000 }, async () => {
    const conf = path.join(dir, 'keepalived.conf');
    fs.writeFileSync(
      conf,
      'global_defs {\n  lvs_sync_daemon syncd0 id 7\n}\nvirtual_server 192.0.2.100 80 {\n  lb_algo mh\n  lb_kind NAT\n  protocol TCP\n  real_server 192.0.2.11 80 {\n    weight 1\n  }\n}\n',
    );
    const ka = await run(['keepalived', '-C', '-n', '-l', '-f', conf, '-p', path.join(dir, 'ka.pid'), '-c', path.join(dir, 'kc.pid')], 2);
    assert.match(ka, /master sync daemon \(mcast=syncd0, syncid=7/);
    assert.match(ka, /backup sync daemon \(mcast=syncd0, syncid=7/);
    const mine = await run([process.execPath, HACTL, 'vrrp', 'run', '--lvs-only', '-f', conf, '--control-socket', path.join(dir, 'h.sock'), '--pid-file', path.join(dir, 'h.pid')], 2);
    assert.equal(mine, ka, 'the same sync daemons as keepalived');
  });

  it('naming a MASTER vrrp_instance: the master sync daemon only, syncid = its VRID, as keepalived', { timeout: 170_000 }, async () => {
    const conf = path.join(dir, 'keepalived-vi.conf');
    fs.writeFileSync(
      conf,
      'global_defs {\n  lvs_sync_daemon syncd0 VI_1\n}\nvrrp_instance VI_1 {\n  state MASTER\n  interface syncd0\n  virtual_router_id 52\n  priority 150\n  advert_int 1\n  virtual_ipaddress {\n    192.0.2.50/24\n  }\n}\n' +
        'virtual_server 192.0.2.100 80 {\n  lb_algo mh\n  lb_kind NAT\n  protocol TCP\n  real_server 192.0.2.11 80 {\n    weight 1\n  }\n}\n',
    );
    const master = () => /^master sync daemon/.test(daemons());
    const ka = await run(['keepalived', '-n', '-l', '-f', conf, '-p', path.join(dir, 'kv.pid'), '-r', path.join(dir, 'kvr.pid'), '-c', path.join(dir, 'kvc.pid')], 1, master);
    assert.match(ka, /^master sync daemon \(mcast=syncd0, syncid=52/);
    const mine = await run([process.execPath, HACTL, 'vrrp', 'run', '-f', conf, '--control-socket', path.join(dir, 'hv.sock'), '--pid-file', path.join(dir, 'hv.pid')], 1, master);
    assert.equal(mine, ka, 'the same sync daemon as keepalived');
  });
});
