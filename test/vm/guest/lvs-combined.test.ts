/**
 * Runs INSIDE the IPVS VM: `hactl vrrp run -f FILE` with both a vrrp_instance
 * and a virtual_server runs both halves (the LVS half as a child process, like
 * keepalived's checker child); `hactl vrrp status` shows the virtual servers
 * through the LVS control socket; SIGTERM to the daemon stops both and
 * releases IPVS; `--vrrp-only` leaves IPVS alone. Skips outside the VM.
 */
import * as assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { queryLvsStatus } from '../../../src/lib/lvs/daemon';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const HACTL = path.join(ROOT, 'bin', 'hactl');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function skipReason(): string | undefined {
  if (!fs.existsSync('/proc/net/ip_vs')) return 'no IPVS in this kernel (this test runs inside ../shared/ipvs-vm)';
  if (process.getuid?.() !== 0) return 'needs root';
  return undefined;
}

function ipvsadmSn(): string {
  return spawnSync('ipvsadm', ['-Sn'], { encoding: 'utf8' }).stdout.trim();
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await sleep(500);
  }
  return cond();
}

describe('hactl vrrp run: VRRP and LVS halves together (IPVS VM)', { skip: skipReason() }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-both-'));
  const procs: ChildProcess[] = [];
  after(() => {
    for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
    spawnSync('ipvsadm', ['-C']);
    spawnSync('ip', ['link', 'del', 'lvsc0']);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs both halves, shows the LVS status, stops both on SIGTERM; --vrrp-only leaves IPVS alone', { timeout: 600_000 }, async () => {
    spawnSync('sh', ['-c', 'ip link add lvsc0 type dummy && ip link set lvsc0 up && ip addr add 198.51.100.2/24 dev lvsc0']);
    const conf = path.join(dir, 'keepalived.conf');
    fs.writeFileSync(
      conf,
      `global_defs {
  lvs_sync_daemon lvsc0 VI_1
}
vrrp_instance VI_1 {
  state MASTER
  interface lvsc0
  virtual_router_id 51
  priority 150
  advert_int 1
  virtual_ipaddress {
    198.51.100.10/24
  }
}
virtual_server 198.51.100.10 80 {
  protocol TCP
  lb_algo rr
  delay_loop 1
  real_server 127.0.0.1 80 {
  }
}
`,
    );
    const sock = path.join(dir, 'vrrp.sock');
    let log = '';
    const d = spawn(process.execPath, [HACTL, 'vrrp', 'run', '-f', conf, '--control-socket', sock, '--pid-file', path.join(dir, 'vrrp.pid')], { stdio: ['ignore', 'pipe', 'pipe'] });
    procs.push(d);
    d.stdout?.on('data', (b) => (log += b));
    d.stderr?.on('data', (b) => (log += b));
    assert.ok(await until(() => /-A -t 198\.51\.100\.10:80 -s rr/.test(ipvsadmSn()), 240_000), `LVS half did not install the service:\n${log}`);
    assert.match(ipvsadmSn(), /-a -t 198\.51\.100\.10:80 -r 127\.0\.0\.1:80 -m -w 1/);
    const vip = () => spawnSync('ip', ['-4', 'addr', 'show', 'dev', 'lvsc0'], { encoding: 'utf8' }).stdout.includes('198.51.100.10/');
    assert.ok(await until(vip, 120_000), `VRRP half did not become master:\n${log}`);
    // lvs_sync_daemon follows the VRRP instance: master once VI_1 is MASTER (syncid = its VRID).
    const daemons = () => spawnSync('ipvsadm', ['-L', '--daemon'], { encoding: 'utf8' }).stdout;
    assert.ok(await until(() => /master sync daemon \(mcast=lvsc0, syncid=51/.test(daemons()), 60_000), `sync daemon: ${daemons()}\n${log}`);
    const lvs = await queryLvsStatus(path.join(dir, 'vrrp-lvs.sock'));
    assert.equal(lvs?.virtualServers[0]?.id, '[198.51.100.10]:tcp:80');
    assert.equal(lvs?.virtualServers[0]?.realServers[0]?.alive, true);
    // The CLI shows both halves: the VRRP instance and the virtual server with its real server.
    const txt = spawnSync(process.execPath, [HACTL, 'vrrp', 'status', '--control-socket', sock], { encoding: 'utf8' });
    assert.equal(txt.status, 0, txt.stderr);
    assert.match(txt.stdout, /VI_1/);
    assert.match(txt.stdout, /198\.51\.100\.10/);
    assert.match(txt.stdout, /127\.0\.0\.1/);
    const js = spawnSync(process.execPath, [HACTL, 'vrrp', 'status', '--json', '--control-socket', sock], { encoding: 'utf8' });
    assert.equal(js.status, 0, js.stderr);
    assert.equal(JSON.parse(js.stdout).lvs?.virtualServers?.[0]?.id, '[198.51.100.10]:tcp:80');

    const exited = new Promise<void>((r) => d.once('exit', () => r()));
    d.kill('SIGTERM');
    await exited;
    assert.ok(await until(() => ipvsadmSn() === '', 60_000), `LVS child did not release IPVS:\n${log}`);
    assert.ok(await until(() => !vip(), 30_000), 'VIP removed');
    assert.ok(await until(() => daemons().trim() === '', 30_000), `sync daemon stopped: ${daemons()}`);

    // --vrrp-only: no IPVS at all.
    let log2 = '';
    const v = spawn(process.execPath, [HACTL, 'vrrp', 'run', '--vrrp-only', '-f', conf, '--control-socket', sock, '--pid-file', path.join(dir, 'vrrp.pid')], { stdio: ['ignore', 'pipe', 'pipe'] });
    procs.push(v);
    v.stdout?.on('data', (b) => (log2 += b));
    v.stderr?.on('data', (b) => (log2 += b));
    assert.ok(await until(vip, 240_000), `--vrrp-only did not become master:\n${log2}`);
    await sleep(3000);
    assert.equal(ipvsadmSn(), '', '--vrrp-only must not touch IPVS');
    const ex2 = new Promise<void>((r) => v.once('exit', () => r()));
    v.kill('SIGTERM');
    await ex2;
  });
});
