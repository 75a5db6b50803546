/**
 * Runs INSIDE the IPVS VM: `hactl drift` on an IPVS table (no daemon: every real server is wanted
 * at its configured weight). A clean table reports nothing; a destination added by hand and a
 * weight changed by hand are found, and nothing else. Skips outside the VM.
 */
import * as assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { flush, guestSkip, HACTL, hactl, ipvsadmLines } from './ipvs-guest-lib';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const get = (url: string) =>
  new Promise<string>((resolve) => {
    http
      .get(url, (r) => {
        let b = '';
        r.on('data', (d) => {
          b += d;
        });
        r.on('end', () => resolve(b));
      })
      .on('error', () => resolve(''));
  });

const CONF = `virtual_server 192.0.2.10 80 {
  lb_algo wlc
  lb_kind NAT
  protocol TCP
  real_server 198.51.100.11 80 {
    weight 3
  }
  real_server 198.51.100.12 80 {
    weight 1
  }
}
`;

describe('hactl drift: IPVS (VM)', { skip: guestSkip() }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-drift-'));
  const conf = path.join(dir, 'keepalived.conf');
  fs.writeFileSync(conf, CONF);
  let daemon: ChildProcess | undefined;
  after(() => {
    if (daemon && daemon.exitCode === null) daemon.kill('SIGKILL');
    flush();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const drift = () => {
    const r = hactl(['drift', '-f', conf, '--control-socket', path.join(dir, 'none.sock'), '--json']);
    const j = JSON.parse(r.stdout) as { differences: { kind: string; what: string; expected?: string; actual?: string }[]; notes: string[] };
    return { status: r.status, kinds: j.differences.map((d) => `${d.kind} ${d.what} ${d.expected} -> ${d.actual}`), notes: j.notes };
  };

  it('clean table: no drift; a hand-added destination and a changed weight are found', () => {
    flush();
    ipvsadmLines(`
      -A -t 192.0.2.10:80 -s wlc
      -a -t 192.0.2.10:80 -r 198.51.100.11:80 -m -w 3
      -a -t 192.0.2.10:80 -r 198.51.100.12:80 -m -w 1
    `);
    let r = drift();
    assert.deepEqual(r.kinds, [], `clean: ${r.kinds.join('; ')} ${r.notes.join('; ')}`);
    assert.equal(r.status, 0);
    assert.doesNotMatch(r.notes.join('\n'), /IPVS: cannot read/);
    ipvsadmLines(`
      -a -t 192.0.2.10:80 -r 198.51.100.99:80 -m -w 1
      -e -t 192.0.2.10:80 -r 198.51.100.11:80 -m -w 5
    `);
    r = drift();
    assert.equal(r.status, 1);
    assert.deepEqual(r.kinds, [
      'ipvs-dest-weight 198.51.100.11:80 in TCP 192.0.2.10:80 weight 3 -> weight 5',
      'ipvs-dest-unexpected 198.51.100.99:80 in TCP 192.0.2.10:80 absent -> masq weight 1',
    ]);
  });

  it('the LVS half: /metrics has the kernel counters per service and destination, and drift finds its table clean', { timeout: 120_000 }, async () => {
    flush();
    daemon = spawn(process.execPath, [HACTL, 'vrrp', 'run', '--lvs-only', '-f', conf, '--control-socket', path.join(dir, 'none.sock'), '--pid-file', path.join(dir, 'vrrp.pid'), '--metrics', '127.0.0.1:9653'], {
      stdio: 'ignore',
    });
    let body = '';
    const end = Date.now() + 60_000;
    while (Date.now() < end && !/hactl_lvs_real_server_connections_total\{/.test(body)) {
      await sleep(500);
      body = await get('http://127.0.0.1:9653/metrics');
    }
    const svc = 'virtual_server="\\[192\\.0\\.2\\.10\\]:tcp:80",service="TCP 192\\.0\\.2\\.10:80"';
    assert.match(body, new RegExp(`^hactl_lvs_virtual_server_connections_total\\{${svc}\\} 0$`, 'm'));
    assert.match(body, new RegExp(`^hactl_lvs_real_server_in_bytes_total\\{${svc},real_server="198.51.100.11:80"\\} 0$`, 'm'));
    assert.match(body, new RegExp(`^hactl_lvs_real_server_kernel_weight\\{${svc},real_server="198.51.100.11:80"\\} 3$`, 'm'));
    assert.match(body, /^# TYPE hactl_lvs_real_server_out_packets_total counter$/m);
    const r = drift();
    assert.deepEqual(r.kinds, [], r.notes.join('; '));
    assert.equal(r.status, 0);
    daemon.kill('SIGTERM');
    await new Promise((res) => daemon?.once('exit', res));
  });

  it('both halves (the LVS half as a child): one /metrics with the VRRP and the LVS metrics', { timeout: 240_000 }, async () => {
    flush();
    spawnSync('sh', ['-c', 'ip link add drm0 type dummy && ip link set drm0 up && ip addr add 198.51.100.2/24 dev drm0']);
    const both = path.join(dir, 'both.conf');
    fs.writeFileSync(
      both,
      `vrrp_instance VI_1 {
  state MASTER
  interface drm0
  virtual_router_id 52
  priority 150
  advert_int 1
  virtual_ipaddress {
    198.51.100.20/24
  }
}
${CONF}`,
    );
    daemon = spawn(process.execPath, [HACTL, 'vrrp', 'run', '-f', both, '--control-socket', path.join(dir, 'both.sock'), '--pid-file', path.join(dir, 'both.pid'), '--metrics', '127.0.0.1:9654'], {
      stdio: 'ignore',
    });
    try {
      let body = '';
      const end = Date.now() + 180_000;
      while (Date.now() < end && !(/hactl_vrrp_state\{instance="VI_1"\} 2/.test(body) && /hactl_daemon_half_up\{half="lvs"\} 1/.test(body) && /hactl_lvs_real_server_kernel_weight\{/.test(body))) {
        await sleep(1000);
        body = await get('http://127.0.0.1:9654/metrics');
      }
      assert.match(body, /^hactl_vrrp_state\{instance="VI_1"\} 2$/m);
      assert.match(body, /^hactl_daemon_half_up\{half="lvs"\} 1$/m);
      assert.match(body, /^hactl_lvs_real_server_up\{virtual_server="\[192\.0\.2\.10\]:tcp:80",real_server="198\.51\.100\.11:80"\} 1$/m);
      assert.match(body, /^hactl_lvs_real_server_kernel_weight\{virtual_server="\[192\.0\.2\.10\]:tcp:80",service="TCP 192\.0\.2\.10:80",real_server="198\.51\.100\.11:80"\} 3$/m);
      // each family once (the two expositions do not overlap)
      const types = body.split('\n').filter((l) => l.startsWith('# TYPE '));
      assert.equal(new Set(types).size, types.length);
    } finally {
      daemon.kill('SIGTERM');
      await new Promise((res) => daemon?.once('exit', res));
      spawnSync('ip', ['link', 'del', 'drm0']);
    }
  });
});
