/**
 * examples/hactl-vrrp.service: the capability bounding set the unit gives the
 * daemon is enough for what the daemon does. systemd is not PID 1 on the test
 * machines, so the unit's CapabilityBoundingSet is read from the file and
 * applied with setpriv(1) (util-linux) to a `hactl vrrp run` in a namespace:
 * root whose capabilities are bounded as the unit bounds them. The config uses
 * every privileged operation the daemon performs:
 * - VIP add/remove, adverts, GARPs (CAP_NET_ADMIN, CAP_NET_RAW);
 * - `notify_fifo PATH user group` gives the FIFO to that user (CAP_CHOWN);
 * - notify and track scripts as another user (CAP_SETUID, CAP_SETGID);
 * - SIGTERM to a FIFO script running as that user at stop (CAP_KILL).
 */
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { queryControl } from '../../src/lib/vrrp/control';
import { HACTL } from '../helpers/cli';
import { type Host, Lab, netnsUnavailable } from '../helpers/netns';
import { advertThreads } from './vrrp-lab';

const UNIT = path.join(__dirname, '..', '..', '..', 'examples', 'hactl-vrrp.service');
const BGP_DROPIN = path.join(__dirname, '..', '..', '..', 'examples', 'hactl-vrrp-bgp.conf');

function setprivUnavailable(): string | null {
  try {
    execFileSync('setpriv', ['--version'], { stdio: 'ignore' });
    return null;
  } catch {
    return 'setpriv (util-linux) not installed';
  }
}

function userUnavailable(): string | null {
  try {
    execFileSync('id', ['-u', 'nobody'], { stdio: 'ignore' });
    execFileSync('getent', ['group', 'nogroup'], { stdio: 'ignore' });
    return null;
  } catch {
    return 'no user nobody / group nogroup';
  }
}

const skip = netnsUnavailable() ?? setprivUnavailable() ?? userUnavailable() ?? undefined;
if (skip) process.stdout.write(`# systemd-unit: skipped: ${skip}\n`);

/** The unit's CapabilityBoundingSet as setpriv's --bounding-set argument (-all,+net_admin,...). */
export function boundingSetArg(unitText: string): string {
  const lines = unitText.split('\n').filter((l) => /^CapabilityBoundingSet=/.test(l));
  assert.equal(lines.length, 1, 'one CapabilityBoundingSet line');
  const caps = lines[0]
    .replace(/^CapabilityBoundingSet=/, '')
    .trim()
    .split(/\s+/)
    .map((c) => c.replace(/^CAP_/, '').toLowerCase());
  return ['-all', ...caps.map((c) => `+${c}`)].join(',');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe('systemd unit: the capability bounding set covers what the daemon does', { skip, timeout: 120_000 }, () => {
  let lab: Lab;
  let host: Host;
  let dir: string;
  before(() => {
    lab = new Lab('unit');
    host = lab.addHost('n1', ['198.51.100.1/24']);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-unit-'));
    fs.chmodSync(dir, 0o777); // the scripts run as nobody and write here
  });
  after(() => {
    lab?.cleanup();
    // scripts that outlived a failed run (they run as nobody, in their own process group)
    if (dir) spawnSync('pkill', ['-f', dir], { stdio: 'ignore' });
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('VIP, FIFO given to its user, scripts as another user, clean stop', async () => {
    const put = (name: string, body: string) => fs.writeFileSync(path.join(dir, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
    put('master.sh', `id -u > ${dir}/master.uid`);
    put('chk.sh', `id -u > ${dir}/chk.uid`);
    // the FIFO script runs as nobody too: the daemon must be able to SIGTERM it at stop
    put('fifo.sh', `for last; do :; done\ntrap 'echo TERM > ${dir}/fifo.term; exit 0' TERM\nwhile read -r line; do echo "$line" >> ${dir}/fifo.log; done < "$last"`);
    const fifo = path.join(dir, 'notify.fifo');
    const conf = path.join(dir, 'ka.conf');
    fs.writeFileSync(
      conf,
      `global_defs {
  notify_fifo ${fifo} nobody nogroup
  notify_fifo_script ${dir}/fifo.sh nobody
}
vrrp_script chk {
  script ${dir}/chk.sh
  user nobody nogroup
  interval 1
}
vrrp_instance VI_1 {
  state MASTER
  interface eth0
  virtual_router_id 61
  priority 200
  advert_int 1
  virtual_ipaddress {
    198.51.100.100/24
  }
  track_script {
    chk
  }
  notify_master ${dir}/master.sh nobody nogroup
}
`,
    );
    const sock = path.join(dir, 'ctl.sock');
    const bset = boundingSetArg(fs.readFileSync(UNIT, 'utf8'));
    const p = lab.spawn(host.ns, 'setpriv', ['--bounding-set', bset, '--inh-caps', '-all', '--', process.execPath, HACTL, 'vrrp', 'run', '-f', conf, '--control-socket', sock, '--pid-file', path.join(dir, 'hactl.pid')]);
    let log = '';
    p.stderr?.on('data', (d) => (log += d));
    p.stdout?.on('data', (d) => (log += d));
    try {
      await until(`MASTER (log so far:\n${log})`, async () => {
        const st = await queryControl(sock, 1000).catch(() => undefined);
        return st?.instances.find((i) => i.name === 'VI_1')?.state === 'MASTER' || undefined;
      });
      const addrs = lab.nsExec(host.ns, 'ip', ['-o', 'addr', 'show', 'dev', 'eth0']);
      assert.match(addrs, / 198\.51\.100\.100\/24 /, 'VIP added (CAP_NET_ADMIN)');
      assert.deepEqual(advertThreads(p.pid!), ['policy 2 rtprio 1'], `the advert sender thread runs SCHED_RR 1 (CAP_SYS_NICE); daemon log:\n${log}`);
      const nobody = Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).trim());
      assert.equal(fs.statSync(fifo).uid, nobody, `FIFO given to nobody (CAP_CHOWN); daemon log:\n${log}`);
      const masterUid = await until('notify_master to run', () => (fs.existsSync(`${dir}/master.uid`) ? fs.readFileSync(`${dir}/master.uid`, 'utf8').trim() : undefined));
      assert.equal(Number(masterUid), nobody, 'notify_master ran as nobody (CAP_SETUID/CAP_SETGID)');
      const chkUid = await until('the track script to run', () => (fs.existsSync(`${dir}/chk.uid`) ? fs.readFileSync(`${dir}/chk.uid`, 'utf8').trim() : undefined));
      assert.equal(Number(chkUid), nobody, 'vrrp_script ran as nobody');
      await until(`the FIFO script to read a line; daemon log:\n${log}`, () => (fs.existsSync(`${dir}/fifo.log`) ? true : undefined));
      const code = await new Promise<number | null>((resolve) => {
        p.once('exit', (c) => resolve(c));
        p.kill('SIGTERM');
      });
      assert.equal(code, 0, `clean stop; daemon log:\n${log}`);
      assert.doesNotMatch(lab.nsExec(host.ns, 'ip', ['-o', 'addr', 'show', 'dev', 'eth0']), /198\.51\.100\.100/, 'VIP removed at stop');
      await until('the FIFO script to get SIGTERM (CAP_KILL)', () => (fs.existsSync(`${dir}/fifo.term`) ? true : undefined), 5000);
      assert.doesNotMatch(log, /EPERM|Operation not permitted|cannot chown/i, 'no permission errors in the log');
    } finally {
      if (p.exitCode === null) p.kill('SIGKILL');
    }
  });

  it('BGP drop-in: ExecStopPost withdraws routes a killed daemon and watchdog left, under the unit\'s bounding set', () => {
    const line = fs
      .readFileSync(BGP_DROPIN, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('ExecStopPost='));
    assert.ok(line, 'the drop-in has an ExecStopPost line');
    const settings = path.join(dir, 'bgp.conf');
    fs.writeFileSync(settings, 'vip 203.0.113.10\nvip 203.0.113.20\n');
    const argv = line
      .replace(/^ExecStopPost=/, '')
      .trim()
      .split(/\s+/)
      .map((a) => (a === '/etc/hactl/bgp.conf' ? settings : a));
    assert.equal(argv[0], '/usr/bin/hactl');
    // what a run killed together with its watchdog leaves: its routes in table 100, proto 249, and another's
    for (const v of ['203.0.113.10', '203.0.113.20']) lab.nsExec(host.ns, 'ip', ['route', 'add', 'blackhole', `${v}/32`, 'table', '100', 'proto', '249']);
    lab.nsExec(host.ns, 'ip', ['route', 'add', 'blackhole', '203.0.113.30/32', 'table', '100', 'proto', 'static']);
    const bset = boundingSetArg(fs.readFileSync(UNIT, 'utf8'));
    const r = spawnSync('ip', ['netns', 'exec', host.ns, 'setpriv', '--bounding-set', bset, '--inh-caps', '-all', '--', process.execPath, HACTL, ...argv.slice(1)], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const left = lab.nsExec(host.ns, 'ip', ['route', 'show', 'table', '100']);
    assert.doesNotMatch(left, /203\.0\.113\.(10|20)/, `hactl's routes withdrawn: ${left}`);
    assert.match(left, /203\.0\.113\.30/, 'a route of another protocol stays');
  });
});
