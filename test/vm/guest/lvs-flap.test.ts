/**
 * Runs INSIDE the IPVS VM: backends flapping every second never leave the
 * kernel's IPVS table inconsistent with the check results `hactl vrrp run
 * --lvs-only` reports on its control socket (sampled whenever no
 * reconciliation is pending), and the table converges once they settle.
 * Skips with the reason outside the VM.
 */
import * as assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { queryLvsStatus } from '../../../src/lib/lvs/daemon';
import type { LvsStatus } from '../../../src/lib/lvs/reconciler';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const HACTL = path.join(ROOT, 'bin', 'hactl');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function skipReason(): string | undefined {
  if (!fs.existsSync('/proc/net/ip_vs')) return 'no IPVS in this kernel (this test runs inside ../shared/ipvs-vm)';
  if (process.getuid?.() !== 0) return 'needs root';
  return undefined;
}

/** dest "addr:port" -> weight of one service, from ipvsadm -Sn. */
function destsOf(svc: string): Record<string, number> {
  const r = spawnSync('ipvsadm', ['-Sn'], { encoding: 'utf8' });
  const out: Record<string, number> = {};
  for (const l of r.stdout.split('\n')) {
    const m = /^-a -t (\S+) -r (\S+) \S+ -w (\d+)/.exec(l);
    if (m && m[1] === svc) out[m[2]] = Number(m[3]);
  }
  return out;
}

/** What IPVS must hold according to the daemon's own check state. */
function expectedFrom(st: LvsStatus): Record<string, number> {
  const v = st.virtualServers[0];
  const out: Record<string, number> = {};
  const sorryActive = !!v.sorryServer?.active;
  for (const r of v.realServers) {
    if (r.alive && !sorryActive) out[`${r.addr}:${r.port}`] = Math.min(65535, Math.max(0, r.effectiveWeight));
    else if (r.inhibitOnFailure) out[`${r.addr}:${r.port}`] = 0;
  }
  if (v.sorryServer && sorryActive) out[`${v.sorryServer.addr}:${v.sorryServer.port}`] = 1;
  return out;
}

function sorted(o: Record<string, number>): string {
  return JSON.stringify(Object.entries(o).sort());
}

function checkState(st: LvsStatus | undefined): string {
  if (!st) return 'none';
  const v = st.virtualServers[0];
  return JSON.stringify([v.quorumUp, v.sorryServer?.active, v.realServers.map((r) => [r.alive, r.effectiveWeight])]);
}

describe('LVS flapping backends (IPVS VM)', { skip: skipReason() }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-flap-'));
  let daemon: ChildProcess | undefined;
  let log = '';
  after(() => {
    if (daemon && daemon.exitCode === null) daemon.kill('SIGKILL');
    spawnSync('ipvsadm', ['-C']);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('IPVS matches the reported check state at every quiet sample while backends flap every second', { timeout: 600_000 }, async () => {
    const names = ['x1', 'x2', 'x3', 'x4'];
    for (const n of names) {
      const p = path.join(dir, `chk-${n}.sh`);
      fs.writeFileSync(p, `#!/bin/sh\n[ -e ${dir}/up-${n} ]\n`);
      fs.chmodSync(p, 0o755);
      fs.writeFileSync(path.join(dir, `up-${n}`), '');
    }
    const rs = (n: string, i: number, extra = '') =>
      `  real_server 127.0.1.${i} 80 {\n${extra}    MISC_CHECK {\n      misc_path "${dir}/chk-${n}.sh"\n      misc_timeout 10\n    }\n  }\n`;
    const conf = path.join(dir, 'keepalived.conf');
    fs.writeFileSync(
      conf,
      `virtual_server 192.0.2.30 80 {\n  protocol TCP\n  lb_algo rr\n  delay_loop 1\n  quorum 2\n  sorry_server 127.0.1.99 80\n${rs('x1', 1)}${rs('x2', 2)}${rs('x3', 3, '    inhibit_on_failure\n')}${rs('x4', 4, '    weight 2\n')}}\n`,
    );
    const sock = path.join(dir, 'vrrp.sock');
    const lvsSock = path.join(dir, 'vrrp-lvs.sock');
    daemon = spawn(process.execPath, [HACTL, 'vrrp', 'run', '--lvs-only', '-f', conf, '--control-socket', sock, '--pid-file', path.join(dir, 'vrrp.pid')], { stdio: ['ignore', 'pipe', 'pipe'] });
    daemon.stdout?.on('data', (d) => (log += d));
    daemon.stderr?.on('data', (d) => (log += d));
    const t0 = Date.now();
    while (Object.keys(destsOf('192.0.2.30:80')).length < 4 && Date.now() - t0 < 240_000 && daemon.exitCode === null) await sleep(500);
    assert.equal(Object.keys(destsOf('192.0.2.30:80')).length, 4, `hactl did not start:\n${log}`);

    let seed = 7;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    let flipping = true;
    const flapper = (async () => {
      for (let s = 0; flipping; s++) {
        for (const [k, n] of names.entries()) {
          // x1 flips every second (up/down every second), the others at random.
          const up = k === 0 ? s % 2 === 0 : rnd() < 0.5;
          const f = path.join(dir, `up-${n}`);
          if (up) fs.writeFileSync(f, '');
          else fs.rmSync(f, { force: true });
        }
        await sleep(1000);
      }
    })();

    let checked = 0;
    const states = new Set<string>();
    const end = Date.now() + 25_000;
    try {
      while (Date.now() < end) {
        const s1 = await queryLvsStatus(lvsSock);
        const table = destsOf('192.0.2.30:80');
        const s2 = await queryLvsStatus(lvsSock);
        if (s1 && s2 && !s1.syncPending && !s2.syncPending && checkState(s1) === checkState(s2)) {
          checked++;
          states.add(checkState(s1));
          assert.equal(sorted(table), sorted(expectedFrom(s1)), `IPVS inconsistent with the check state ${checkState(s1)}\n${log.slice(-3000)}`);
        }
        await sleep(200);
      }
    } finally {
      flipping = false;
      await flapper;
    }
    assert.ok(checked >= 10, `only ${checked} quiet samples`);
    assert.ok(states.size >= 3, `the backends did not really flap (${states.size} distinct states)`);

    // Settle all up: the pool converges to every real server with its weight.
    for (const n of names) fs.writeFileSync(path.join(dir, `up-${n}`), '');
    const want = sorted({ '127.0.1.1:80': 1, '127.0.1.2:80': 1, '127.0.1.3:80': 1, '127.0.1.4:80': 2 });
    const t1 = Date.now();
    while (sorted(destsOf('192.0.2.30:80')) !== want && Date.now() - t1 < 60_000) await sleep(500);
    assert.equal(sorted(destsOf('192.0.2.30:80')), want);
    process.stdout.write(`# flap: ${checked} quiet samples consistent, ${states.size} distinct check states\n`);

    const exited = new Promise<void>((r) => daemon!.once('exit', () => r()));
    daemon.kill('SIGTERM');
    await exited;
    assert.deepEqual(destsOf('192.0.2.30:80'), {}, 'released on SIGTERM');
  });
});
