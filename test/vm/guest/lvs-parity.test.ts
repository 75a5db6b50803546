/**
 * Runs INSIDE the IPVS VM (../shared/ipvs-vm): the same keepalived.conf with
 * several virtual servers is run by keepalived's checker process
 * (`keepalived -C -n`) and by `hactl vrrp run --lvs-only`, and every phase of
 * backends going down and coming back (quorum, sorry server, inhibit) must give
 * the same `ipvsadm -Sn` table. Needs root, IPVS and keepalived in the guest
 * (IPVS_VM_EXTRA_BINS="keepalived"); skips with the reason elsewhere.
 *
 * Backends: TCP servers of this test on 127.0.0.x, and MISC_CHECK scripts that
 * test for a flag file. VIPs on a dummy interface.
 */
import * as assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { guestSkipWith, HACTL, sortedSaveN } from './ipvs-guest-lib';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const TCP_BACKENDS: Record<string, [string, number]> = { a1: ['127.0.0.1', 8001], a2: ['127.0.0.2', 8002] };
const MISC_BACKENDS = ['a3', 'b1', 'b2', 'c1', 'd1', 'd2', 'd3', 'e1', 'f1', 'g1', 'h2'];

function config(dir: string, reloaded = false): string {
  // misc_timeout: Node spawns slowly under TCG on a loaded host; the default (delay_loop) gives false failures there.
  const misc = (n: string) => `    MISC_CHECK {\n      misc_path "${dir}/chk-${n}.sh"\n      misc_timeout 10\n    }\n`;
  const tcp = `    TCP_CHECK {\n      connect_timeout 1\n      retry 0\n    }\n`;
  return `global_defs {
  script_user root
}
virtual_server_group g1 {
  192.0.2.20-21 443
  fwmark 8
}
virtual_server 192.0.2.10 80 {
  delay_loop 1
  lb_algo rr
  lb_kind NAT
  protocol TCP
  quorum 2
  sorry_server 127.0.0.9 8009
  real_server 127.0.0.1 8001 {
${tcp}  }
  real_server 127.0.0.2 8002 {
    weight ${reloaded ? 5 : 2}
    inhibit_on_failure
${tcp}  }
  real_server 127.0.0.3 8003 {
${misc('a3')}  }
}
virtual_server 192.0.2.11 80 {
  delay_loop 1
  lb_algo wlc
  lb_kind DR
  persistence_timeout 60
  persistence_granularity 255.255.255.0
  protocol TCP
  quorum 3
  hysteresis 1
  sorry_server 127.0.0.19 80
  sorry_server_inhibit
  real_server 127.0.0.11 80 {
    weight 2
${misc('b1')}  }
  real_server 127.0.0.12 80 {
    weight 2
    inhibit_on_failure
${misc('b2')}  }
}
virtual_server fwmark 7 {
  delay_loop 1
  lb_algo sh
  sh-port
  lb_kind DR
  alpha
  real_server 127.0.0.21 80 {
${misc('c1')}  }
}
virtual_server group g1 {
  delay_loop 1
  lb_algo wrr
  lb_kind NAT
  protocol TCP
  real_server 127.0.0.31 443 {
    weight 3
${misc('d1')}  }
  real_server 127.0.0.32 443 {
${misc('d2')}  }
${reloaded ? `  real_server 127.0.0.33 443 {\n${misc('d3')}  }\n` : ''}}
${
  reloaded
    ? ''
    : `virtual_server 192.0.2.12 53 {
  delay_loop 1
  lb_algo rr
  lb_kind NAT
  protocol UDP
  ops
  real_server 127.0.0.41 53 {
${misc('e1')}  }
}
`
}virtual_server 192.0.2.14 80 {
  delay_loop 1
  protocol TCP
  lb_algo wrr
  real_server 127.0.0.61 80 {
    weight 4
    MISC_CHECK {
      misc_path "${dir}/dyn-h1.sh"
      misc_timeout 10
      misc_dynamic
    }
  }
  real_server 127.0.0.62 80 {
${misc('h2')}  }
}
virtual_server 192.0.2.13 8080 {
  delay_loop 1
  real_server 127.0.0.51 8080 {
${misc('g1')}  }
}
virtual_server 2001:db8::10 80 {
  delay_loop 1
  lb_algo lc
  lb_kind NAT
  protocol TCP
  real_server ::1 8051 {
    uthreshold 100
    lthreshold 10
${misc('f1')}  }
}
`;
}

/** Backends that are down in each phase (the others are up). */
/** `dyn` is the exit status of the misc_dynamic script (2..255: weight = status - 2). */
const PHASES: { name: string; down: string[]; dyn: number; reload?: boolean }[] = [
  { name: 'all up', down: [], dyn: 0 },
  { name: 'one down per pool (inhibit, quorum kept); misc_dynamic weight 5', down: ['a1', 'b1', 'c1', 'd1', 'e1', 'f1', 'g1'], dyn: 7 },
  { name: 'quorum lost: sorry servers in; misc_dynamic fails', down: ['a1', 'a2', 'b1', 'b2', 'c1', 'd1', 'd2', 'e1', 'f1', 'h2'], dyn: 1 },
  { name: 'partly back: A regains quorum, B stays below quorum + hysteresis; misc_dynamic exit 0', down: ['a2', 'b2', 'c1', 'd2', 'e1'], dyn: 0 },
  { name: 'all back; misc_dynamic weight 0', down: [], dyn: 2 },
  { name: 'inhibited and weighted ones down; misc_dynamic weight 10', down: ['a2', 'b2', 'd1'], dyn: 12 },
  { name: 'SIGHUP: a weight changed, a real server added, a virtual server removed', down: ['b2'], dyn: 12, reload: true },
];

describe('LVS parity with keepalived -C (IPVS VM)', { skip: guestSkipWith('keepalived') }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-lvs-'));
  const conf = path.join(dir, 'keepalived.conf');
  const servers = new Map<string, net.Server>();
  const sockets = new Set<net.Socket>();
  let daemon: ChildProcess | undefined;
  let daemonLog = '';

  after(async () => {
    if (daemon && daemon.exitCode === null) daemon.kill('SIGKILL');
    for (const s of servers.values()) s.close();
    for (const s of sockets) s.destroy();
    spawnSync('ipvsadm', ['-C']);
    spawnSync('ip', ['link', 'del', 'lvsp0']);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function setBackends(down: string[], dyn = 0): Promise<void> {
    fs.writeFileSync(path.join(dir, 'dyn-h1'), String(dyn));
    for (const n of MISC_BACKENDS) {
      const flag = path.join(dir, `up-${n}`);
      if (down.includes(n)) fs.rmSync(flag, { force: true });
      else fs.writeFileSync(flag, '');
    }
    for (const [n, [addr, port]] of Object.entries(TCP_BACKENDS)) {
      const s = servers.get(n);
      if (down.includes(n) && s) {
        servers.delete(n);
        await new Promise<void>((r) => s.close(() => r()));
      } else if (!down.includes(n) && !s) {
        const srv = net.createServer((c) => {
          sockets.add(c);
          c.on('close', () => sockets.delete(c));
          c.on('error', () => {});
          c.end();
        });
        await new Promise<void>((r, j) => srv.listen(port, addr, () => r()).once('error', j));
        servers.set(n, srv);
      }
    }
  }

  function startDaemon(argv: string[]): ChildProcess {
    daemonLog = '';
    const ch = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    ch.stdout?.on('data', (d) => (daemonLog += d));
    ch.stderr?.on('data', (d) => (daemonLog += d));
    return ch;
  }

  async function stopDaemon(ch: ChildProcess, timeoutMs: number): Promise<void> {
    if (ch.exitCode !== null) return;
    const exited = new Promise<void>((r) => ch.once('exit', () => r()));
    ch.kill('SIGTERM');
    const t = setTimeout(() => ch.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(t);
  }

  /** Wait until the table is the same twice, stableMs apart. */
  async function stableTable(minWaitMs: number, stableMs: number, maxMs: number): Promise<string> {
    await sleep(minWaitMs);
    const t0 = Date.now();
    let prev = sortedSaveN();
    for (;;) {
      await sleep(stableMs);
      const cur = sortedSaveN();
      if (cur === prev || Date.now() - t0 > maxMs) return cur;
      prev = cur;
    }
  }

  it('gives the same ipvsadm -Sn as keepalived in every phase, and removes everything on SIGTERM', { timeout: 600_000 }, async () => {
    for (const n of MISC_BACKENDS) {
      const p = path.join(dir, `chk-${n}.sh`);
      fs.writeFileSync(p, `#!/bin/sh\n[ -e ${dir}/up-${n} ]\n`);
      fs.chmodSync(p, 0o755);
    }
    fs.writeFileSync(path.join(dir, 'dyn-h1.sh'), `#!/bin/sh\nexit $(cat ${dir}/dyn-h1)\n`);
    fs.chmodSync(path.join(dir, 'dyn-h1.sh'), 0o755);
    fs.writeFileSync(conf, config(dir));
    const sh = (c: string) => {
      const r = spawnSync('sh', ['-c', c], { encoding: 'utf8' });
      assert.equal(r.status, 0, `${c}: ${r.stderr}`);
    };
    sh('ip link add lvsp0 type dummy && ip link set lvsp0 up');
    sh('ip addr add 192.0.2.10/24 dev lvsp0 && ip -6 addr add 2001:db8::10/64 dev lvsp0 nodad');
    spawnSync('ipvsadm', ['-C']);

    // Reference: keepalived's checker process.
    const ref: string[] = [];
    await setBackends(PHASES[0].down);
    daemon = startDaemon(['keepalived', '-C', '-n', '-l', '-f', conf, '-p', path.join(dir, 'ka.pid'), '-c', path.join(dir, 'kc.pid')]);
    for (const ph of PHASES) {
      await setBackends(ph.down, ph.dyn);
      if (ph.reload) {
        fs.writeFileSync(conf, config(dir, true));
        daemon.kill('SIGHUP');
      }
      ref.push(await stableTable(3500, 2500, 20_000));
    }
    await stopDaemon(daemon, 10_000);
    assert.equal(sortedSaveN(), '', `keepalived left IPVS entries:\n${daemonLog}`);
    // The phases are different tables (the test can fail).
    assert.notEqual(ref[0], ref[2]);
    assert.notEqual(ref[1], ref[2]);
    assert.notEqual(ref[PHASES.length - 1], ref[PHASES.length - 2]);

    // hactl
    fs.writeFileSync(conf, config(dir));
    await setBackends(PHASES[0].down);
    daemon = startDaemon([process.execPath, HACTL, 'vrrp', 'run', '--lvs-only', '-f', conf, '--control-socket', path.join(dir, 'vrrp.sock'), '--pid-file', path.join(dir, 'vrrp.pid')]);
    for (const [i, ph] of PHASES.entries()) {
      await setBackends(ph.down, ph.dyn);
      if (ph.reload) {
        fs.writeFileSync(conf, config(dir, true));
        daemon.kill('SIGHUP');
      }
      // Node under TCG on a loaded host starts slowly: generous deadlines (the table must still converge).
      const deadline = Date.now() + (i === 0 ? 240_000 : 90_000);
      let got = sortedSaveN();
      while (got !== ref[i] && Date.now() < deadline && daemon.exitCode === null) {
        await sleep(500);
        got = sortedSaveN();
      }
      assert.equal(got, ref[i], `phase ${i} (${ph.name}): hactl table differs from keepalived's (hactl exit ${daemon.exitCode})\n--- hactl log:\n${daemonLog.slice(-4000)}`);
      // And it stays there (no flapping of unchanged servers).
      await sleep(2500);
      assert.equal(sortedSaveN(), ref[i], `phase ${i} (${ph.name}): hactl table did not stay equal`);
    }
    await stopDaemon(daemon, 30_000);
    assert.equal(sortedSaveN(), '', `hactl left IPVS entries:\n${daemonLog.slice(-4000)}`);
    process.stdout.write(`# lvs parity: ${PHASES.length} phases equal\n${ref.map((t, i) => `# phase ${i}:\n${t.replace(/^/gm, '#   ')}`).join('\n')}\n`);
  });
});
