/**
 * Runs INSIDE the IPVS VM: a virtual server on an IPv4-mapped IPv6 address
 * (`virtual_server ::ffff:192.0.2.10 80`; the configuration's text is
 * ::ffff:c000:20a, the kernel prints ::ffff:192.0.2.10) that is already in the
 * kernel (a restarted daemon) is recognised: `hactl vrrp run --lvs-only`
 * plans nothing, is refused nothing and has nothing pending. Skips with the
 * reason outside the VM.
 */
import * as assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { queryLvsStatus } from '../../../src/lib/lvs/daemon';
import type { LvsStatus } from '../../../src/lib/lvs/reconciler';
import { guestSkip, HACTL } from './ipvs-guest-lib';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ipvsadm = (...args: string[]) => spawnSync('ipvsadm', args, { encoding: 'utf8' });

describe('LVS: an IPv4-mapped VIP already in the kernel (IPVS VM)', { skip: guestSkip() }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-mapped-'));
  let daemon: ChildProcess | undefined;
  after(() => {
    if (daemon && daemon.exitCode === null) daemon.kill('SIGKILL');
    ipvsadm('-C');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is left as it is: no operation, no IPVS error, nothing pending', { timeout: 300_000 }, async () => {
    ipvsadm('-C');
    assert.equal(ipvsadm('-A', '-t', '[::ffff:192.0.2.10]:80', '-s', 'wlc').status, 0);
    for (const rs of ['2001:db8::1', '2001:db8::2']) assert.equal(ipvsadm('-a', '-t', '[::ffff:192.0.2.10]:80', '-r', `[${rs}]:80`, '-m', '-w', '1').status, 0);
    const before = ipvsadm('-Sn').stdout;
    const conf = path.join(dir, 'keepalived.conf');
    fs.writeFileSync(
      conf,
      'virtual_server ::ffff:192.0.2.10 80 {\n  protocol TCP\n  lb_algo wlc\n  lb_kind NAT\n  delay_loop 1\n  real_server 2001:db8::1 80 {\n    weight 1\n  }\n  real_server 2001:db8::2 80 {\n    weight 1\n  }\n}\n',
    );
    let log = '';
    daemon = spawn(process.execPath, [HACTL, 'vrrp', 'run', '--lvs-only', '-f', conf, '--control-socket', path.join(dir, 'vrrp.sock'), '--pid-file', path.join(dir, 'vrrp.pid')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    daemon.stdout?.on('data', (d) => (log += d));
    daemon.stderr?.on('data', (d) => (log += d));
    const lvsSock = path.join(dir, 'vrrp-lvs.sock');
    let st: LvsStatus | undefined;
    const t0 = Date.now();
    while (Date.now() - t0 < 240_000 && daemon.exitCode === null) {
      st = await queryLvsStatus(lvsSock);
      if (st) break;
      await sleep(500);
    }
    assert.ok(st, `hactl did not start:\n${log}`);
    // Give a refused operation time to show (the first retry is after 0.5 s).
    await sleep(3000);
    st = await queryLvsStatus(lvsSock);
    assert.ok(st);
    assert.equal(st.lastIpvsError, undefined, `IPVS refused something:\n${log}`);
    assert.equal(st.syncPending, false, 'a reconciliation is pending');
    assert.equal(st.ipvsOps, 0, 'operations were applied');
    assert.deepEqual(
      st.virtualServers[0].realServers.map((r) => [r.addr, r.inIpvs]),
      [
        ['2001:db8::1', true],
        ['2001:db8::2', true],
      ],
    );
    assert.equal(ipvsadm('-Sn').stdout, before);
    const exited = new Promise<void>((r) => daemon!.once('exit', () => r()));
    daemon.kill('SIGTERM');
    await exited;
    assert.equal(ipvsadm('-Sn').stdout, '', 'released on SIGTERM');
  });
});
