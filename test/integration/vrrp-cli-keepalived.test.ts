/**
 * keepalived's own command line, run as `keepalived ARGS` and as `hactl vrrp run ARGS`
 * (issue 11: an admin swaps one for the other in a unit or a script): the same option
 * line must be taken by both, reach MASTER, write the same pid files, hold the VIP and
 * clean up at SIGTERM; `-t` gives the same exit codes on a good and a bad config.
 * One namespace host each, run one after the other (same VRID, never together).
 */
import * as assert from 'node:assert/strict';
import { type ChildProcess, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HACTL } from '../helpers/cli';
import { type Host, Lab } from '../helpers/netns';
import { keepalivedUnavailable, vrrpLabUnavailable } from './vrrp-lab';

const skip = vrrpLabUnavailable() ?? keepalivedUnavailable() ?? undefined;
if (skip) process.stdout.write(`# vrrp-cli-keepalived: skipped: ${skip}\n`);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const CONF = `global_defs {
  router_id cli-test
}
vrrp_instance VI_1 {
  state MASTER
  interface eth0
  virtual_router_id 71
  priority 200
  advert_int 1
  virtual_ipaddress {
    198.51.100.171/24
  }
}
`;

describe('keepalived command line: the same option line for keepalived and hactl vrrp run', { skip, timeout: 180_000 }, () => {
  let lab: Lab;
  let host: Host;
  let dir: string;
  before(() => {
    lab = new Lab('kcli');
    host = lab.addHost('n1', ['198.51.100.1/24']);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-kcli-'));
    fs.writeFileSync(path.join(dir, 'ka.conf'), CONF);
    fs.writeFileSync(path.join(dir, 'bad.conf'), CONF.replace('priority 200', 'priority 300'));
  });
  after(() => {
    lab?.cleanup();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const hasVip = () => lab.nsExec(host.ns, 'ip', ['-o', 'addr', 'show', 'dev', 'eth0']).includes(' 198.51.100.171/24 ');

  async function run(kind: 'keepalived' | 'hactl'): Promise<{ pidFiles: string[]; vipAtMaster: boolean; exit: number | null; leftAfter: string[]; vipAfter: boolean; log: string }> {
    const p1 = path.join(dir, `${kind}.pid`);
    const p2 = path.join(dir, `${kind}-vrrp.pid`);
    const p3 = path.join(dir, `${kind}-chk.pid`);
    // keepalived's usual service line: no fork, log to the console, details, VRRP only, three pid files
    const line = ['-n', '-l', '-D', '-P', '-f', path.join(dir, 'ka.conf'), '-p', p1, '-r', p2, '-c', p3];
    const [cmd, args] = kind === 'keepalived' ? ['keepalived', line] : [process.execPath, [HACTL, 'vrrp', 'run', ...line, '--control-socket', path.join(dir, 'h.sock')]];
    const child: ChildProcess = lab.spawn(host.ns, cmd, args as string[]);
    let log = '';
    child.stdout?.on('data', (d) => (log += d));
    child.stderr?.on('data', (d) => (log += d));
    try {
      const end = Date.now() + 30_000;
      while (!/Entering MASTER STATE/.test(log)) {
        if (Date.now() > end || child.exitCode !== null) throw new Error(`${kind}: no MASTER within 30 s (exit ${child.exitCode}); log:\n${log}`);
        await sleep(100);
      }
      // the VIP follows the transition
      const vEnd = Date.now() + 5000;
      while (!hasVip() && Date.now() < vEnd) await sleep(50);
      const vipAtMaster = hasVip();
      const pidFiles = [p1, p2, p3].filter((f) => fs.existsSync(f)).map((f) => path.basename(f).replace(`${kind}`, 'X'));
      const exit = await new Promise<number | null>((resolve) => {
        child.once('exit', (c) => resolve(c));
        child.kill('SIGTERM');
      });
      const leftAfter = [p1, p2, p3].filter((f) => fs.existsSync(f)).map((f) => path.basename(f));
      return { pidFiles, vipAtMaster, exit, leftAfter, vipAfter: hasVip(), log };
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }

  it('-n -l -D -P -f CONF -p P -r R -c C: both run it, reach MASTER, write the same pid files and clean up', async () => {
    const k = await run('keepalived');
    const h = await run('hactl');
    assert.ok(k.vipAtMaster, `keepalived holds the VIP as MASTER; log:\n${k.log}`);
    assert.ok(h.vipAtMaster, `hactl holds the VIP as MASTER; log:\n${h.log}`);
    assert.deepEqual(k.pidFiles, ['X.pid', 'X-vrrp.pid'], 'keepalived -P writes the main and the VRRP pid file');
    assert.deepEqual(h.pidFiles, k.pidFiles, 'the same pid files while running');
    assert.equal(k.exit, 0);
    assert.equal(h.exit, 0, `hactl exit; log:\n${h.log}`);
    assert.deepEqual(h.leftAfter, [], 'hactl removes its pid files at stop');
    assert.deepEqual(k.leftAfter, [], 'keepalived removes its pid files at stop');
    assert.equal(h.vipAfter, false, 'hactl removes the VIP at stop');
    assert.equal(k.vipAfter, false, 'keepalived removes the VIP at stop');
  });

  it('-t -f CONF: the same exit codes as keepalived -t on a good and a bad config', () => {
    for (const f of ['ka.conf', 'bad.conf']) {
      const conf = path.join(dir, f);
      const k = spawnSync('ip', ['netns', 'exec', host.ns, 'keepalived', '-t', '-f', conf], { encoding: 'utf8', timeout: 30_000 });
      const h = spawnSync('ip', ['netns', 'exec', host.ns, process.execPath, HACTL, 'vrrp', 'run', '-t', '-f', conf], { encoding: 'utf8', timeout: 30_000 });
      assert.equal(h.status, k.status, `${f}: hactl vrrp run -t exit ${h.status}, keepalived -t ${k.status}\nhactl: ${h.stdout}${h.stderr}\nkeepalived: ${k.stdout}${k.stderr}`);
    }
  });
});
