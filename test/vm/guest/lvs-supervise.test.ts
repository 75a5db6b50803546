/**
 * Runs INSIDE the IPVS VM: the supervisor restarts a crashed LVS half on a real IPVS kernel.
 * `hactl vrrp run` with a vrrp_instance and a virtual_server; SIGKILL of the LVS child (it
 * cannot clean up): the VRRP instance goes FAULT and gives up its VIP, `vrrp status` exits 3,
 * the child is restarted (at once: the first quick death), finds the table it left and
 * converges to the same service; the instance becomes MASTER again. Skips outside the VM.
 */
import * as assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { queryControl } from '../../../src/lib/vrrp/control';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const HACTL = path.join(ROOT, 'bin', 'hactl');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function skipReason(): string | undefined {
  if (!fs.existsSync('/proc/net/ip_vs')) return 'no IPVS in this kernel (this test runs inside ../shared/ipvs-vm)';
  if (process.getuid?.() !== 0) return 'needs root';
  return undefined;
}

const ipvsadmSn = () => spawnSync('ipvsadm', ['-Sn'], { encoding: 'utf8' }).stdout.trim();

async function until(cond: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await sleep(250);
  }
  return cond();
}

describe('hactl vrrp run: a crashed LVS half is restarted (IPVS VM)', { skip: skipReason() }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-sup-'));
  const procs: ChildProcess[] = [];
  after(() => {
    for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
    spawnSync('ipvsadm', ['-C']);
    spawnSync('ip', ['link', 'del', 'lvss0']);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('SIGKILL of the LVS child: FAULT meanwhile, restarted, the IPVS table converges, MASTER again', { timeout: 600_000 }, async () => {
    spawnSync('sh', ['-c', 'ip link add lvss0 type dummy && ip link set lvss0 up && ip addr add 198.51.100.2/24 dev lvss0']);
    const conf = path.join(dir, 'keepalived.conf');
    fs.writeFileSync(
      conf,
      `vrrp_instance VI_1 {
  state MASTER
  interface lvss0
  virtual_router_id 52
  priority 150
  advert_int 1
  virtual_ipaddress {
    198.51.100.10/24
  }
}
virtual_server 198.51.100.10 80 {
  protocol TCP
  lb_algo rr
  lb_kind NAT
  delay_loop 1
  real_server 127.0.0.1 80 {
  }
}
`,
    );
    const sock = path.join(dir, 'vrrp.sock');
    let log = '';
    const d = spawn(process.execPath, [HACTL, 'vrrp', 'run', '-f', conf, '--control-socket', sock], { stdio: ['ignore', 'pipe', 'pipe'] });
    procs.push(d);
    d.stdout?.on('data', (b) => (log += b));
    d.stderr?.on('data', (b) => (log += b));
    const st = () => queryControl(sock, 5000).catch(() => undefined);
    const vip = () => spawnSync('ip', ['-4', 'addr', 'show', 'dev', 'lvss0'], { encoding: 'utf8' }).stdout.includes('198.51.100.10/');
    assert.ok(await until(async () => (await st())?.halves?.[0]?.state === 'up', 240_000), `LVS half up:\n${log}`);
    assert.ok(await until(() => /-A -t 198\.51\.100\.10:80 -s rr/.test(ipvsadmSn()), 120_000), `service installed:\n${log}`);
    assert.ok(await until(vip, 120_000), `MASTER with the VIP:\n${log}`);
    const table = ipvsadmSn();
    const pid = (await st())!.halves![0].pid!;
    process.kill(pid, 'SIGKILL');
    assert.ok(await until(async () => (await st())?.instances[0]?.state === 'FAULT' || (await st())?.halves?.[0]?.restarts === 1, 30_000), `FAULT:\n${log}`);
    assert.ok(await until(async () => (await st())?.halves?.[0]?.state === 'up' && (await st())?.halves?.[0]?.pid !== pid, 240_000), `restarted:\n${log}`);
    const s = (await st())!;
    assert.equal(s.halves![0].restarts, 1);
    assert.equal(s.halves![0].lastExit, 'signal SIGKILL');
    assert.match(log, /LVS half is down: VRRP instances go to FAULT/);
    assert.match(log, /\(VI_1\) Entering FAULT STATE \(tracked object down: LVS half\)/);
    assert.ok(await until(() => ipvsadmSn() === table, 60_000), `the restarted half converges to the same table:\n${ipvsadmSn()}\nwas\n${table}`);
    assert.ok(await until(async () => (await st())?.instances[0]?.state === 'MASTER', 120_000), `MASTER again:\n${log}`);
    assert.ok(await until(vip, 30_000));
    const status = spawnSync(process.execPath, [HACTL, 'vrrp', 'status', '--control-socket', sock], { encoding: 'utf8' });
    assert.equal(status.status, 0, status.stdout + status.stderr);
    assert.match(status.stdout, /LVS half: up \(pid \d+, 1 restart\(s\), last died: signal SIGKILL\)/);
    const exited = new Promise<number | null>((r) => d.once('exit', (c) => r(c)));
    d.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.ok(await until(() => ipvsadmSn() === '', 60_000), `IPVS released at stop:\n${log}`);
  });
});
