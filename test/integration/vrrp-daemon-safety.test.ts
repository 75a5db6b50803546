/**
 * `hactl vrrp run` daemon safety, in a namespace lab (one hactl node on a bridge):
 * - a second daemon on the same pid file (or control socket) is refused, exit 1,
 *   and the first one is untouched (still MASTER, VIP, pid file, socket served);
 * - a pid file left by a dead process is taken over;
 * - bad flags exit non-zero at once with nothing left (pid file, socket, VIP, nft table);
 * - with its stderr reader gone, the daemon still logs on, and SIGTERM still cleans up.
 */
import * as assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HACTL } from '../helpers/cli';
import { type Node, sleep, VrrpLab, vrrpConf, vrrpLabUnavailable } from './vrrp-lab';

const skip = vrrpLabUnavailable();
const VIP = '198.51.100.100';

describe('vrrp run: daemon safety', { skip: skip ?? false, timeout: 120_000 }, () => {
  let l: VrrpLab;
  let n1: Node;
  // vrrp_strict: a MASTER also installs the nft table, which a refused start must not touch
  const conf = vrrpConf({ prio: 150, version: 3, advert: 0.2, vips: [`${VIP}/24`], globalExtra: '  vrrp_strict\n' });

  before(() => {
    if (skip) return;
    l = new VrrpLab('dsafe', 1);
    n1 = l.nodes[0];
    fs.writeFileSync(n1.conf, conf);
  });
  after(() => l?.cleanup());

  const pidFile = (tag: string) => path.join(l.dir, `${tag}.pid`);

  /** Start a daemon in n1 (stderr and stdout collected). */
  function start(args: string[]): { proc: ChildProcess; out: string[] } {
    const proc = l.lab.spawn(n1.host.ns, process.execPath, [HACTL, 'vrrp', 'run', '-f', n1.conf, ...args]);
    const out: string[] = [];
    proc.stderr?.on('data', (d: Buffer) => out.push(d.toString()));
    proc.stdout?.on('data', (d: Buffer) => out.push(d.toString()));
    return { proc, out };
  }

  /** Run `vrrp run` to completion in n1 (a daemon that does not exit is killed after 15 s: status -1). */
  function runOnce(args: string[]): { status: number; stderr: string; ms: number } {
    const t0 = Date.now();
    const r = spawnSync('ip', ['netns', 'exec', n1.host.ns, process.execPath, HACTL, 'vrrp', 'run', '-f', n1.conf, ...args], {
      encoding: 'utf8',
      timeout: 15_000,
      killSignal: 'SIGKILL',
      env: { ...process.env, NO_COLOR: '1' },
    });
    return { status: r.status ?? -1, stderr: r.stderr ?? '', ms: Date.now() - t0 };
  }

  async function stateOf(sock: string): Promise<string | undefined> {
    n1.sock = sock;
    return l.state(n1);
  }

  async function waitMaster(sock: string, out: string[]): Promise<void> {
    const end = Date.now() + 15_000;
    while (Date.now() < end) {
      if ((await stateOf(sock)) === 'MASTER' && l.hasAddr(n1, VIP)) return;
      await sleep(100);
    }
    assert.fail(`no MASTER with ${VIP} within 15 s:\n${out.join('')}`);
  }

  async function stop(proc: ChildProcess): Promise<number | null> {
    if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
    const done = new Promise<number | null>((r) => proc.once('exit', (c) => r(c)));
    proc.kill('SIGTERM');
    const code = await Promise.race([done, sleep(10_000).then(() => -999)]);
    if (code === -999) proc.kill('SIGKILL');
    return code;
  }

  const nftTables = () => l.lab.nsExec(n1.host.ns, 'nft', ['list', 'tables'], { allowFail: true }).trim();

  it('a second daemon is refused (exit 1, "already running") and the first one is untouched', async () => {
    const sock = path.join(l.dir, 'a.sock');
    const pf = pidFile('a');
    const a = start(['--pid-file', pf, '--control-socket', sock]);
    try {
      await waitMaster(sock, a.out);
      // same pid file and socket; then another pid file on the same socket
      for (const [args, why] of [
        [['--pid-file', pf, '--control-socket', sock], /daemon is already running \(pid \d+\): .*a\.pid is locked/],
        [['--pid-file', pidFile('b'), '--control-socket', sock], /daemon is already running: it answers on control socket .*a\.sock/],
      ] as [string[], RegExp][]) {
        const r = runOnce(args);
        assert.equal(r.status, 1, `${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
        assert.match(r.stderr, why);
        assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
        assert.ok(r.ms < 10_000, `refused after ${r.ms} ms`);
      }
      assert.equal(fs.existsSync(pidFile('b')), false, 'the refused daemon left no pid file');
      // the first daemon: still MASTER, VIP, its pid file, its socket served
      await sleep(1000);
      assert.equal(await stateOf(sock), 'MASTER');
      assert.ok(l.hasAddr(n1, VIP), 'VIP still there');
      assert.equal(fs.readFileSync(pf, 'utf8').trim(), String((await l.status(n1))?.pid), 'pid file still names the first daemon');
      assert.ok(a.proc.exitCode === null, 'first daemon still running');
      assert.equal(await stop(a.proc), 0);
      assert.equal(l.hasAddr(n1, VIP), false, 'VIP removed by the first daemon at exit');
      assert.equal(fs.existsSync(pf), false, 'pid file removed by its owner');
      assert.equal(fs.existsSync(sock), false, 'socket removed by its owner');
    } finally {
      a.proc.kill('SIGKILL');
    }
  });

  it('a pid file and control socket left by a dead daemon are taken over', async () => {
    const sock = path.join(l.dir, 'stale.sock');
    const pf = pidFile('stale');
    // a daemon killed with SIGKILL leaves both behind
    const dead = start(['--pid-file', pf, '--control-socket', sock]);
    await waitMaster(sock, dead.out);
    const deadPid = fs.readFileSync(pf, 'utf8').trim();
    dead.proc.kill('SIGKILL');
    await new Promise((r) => dead.proc.once('exit', r));
    l.lab.nsExec(n1.host.ns, 'ip', ['addr', 'del', `${VIP}/24`, 'dev', 'eth0'], { allowFail: true });
    l.lab.nsExec(n1.host.ns, 'nft', ['flush', 'ruleset'], { allowFail: true });
    assert.ok(fs.existsSync(pf) && fs.existsSync(sock), 'stale pid file and socket exist');
    const b = start(['--pid-file', pf, '--control-socket', sock]);
    try {
      await waitMaster(sock, b.out);
      const pid = fs.readFileSync(pf, 'utf8').trim();
      assert.notEqual(pid, deadPid);
      assert.equal(pid, String((await l.status(n1))?.pid));
      assert.equal(await stop(b.proc), 0);
      assert.equal(fs.existsSync(pf), false);
    } finally {
      b.proc.kill('SIGKILL');
    }
  });

  it('bad flags and start-up errors exit non-zero at once and leave nothing behind', async () => {
    // something else listens on the metrics port
    const busy = l.lab.spawn(n1.host.ns, process.execPath, ['-e', "require('net').createServer().listen(9651, '127.0.0.1', () => console.log('up'))"]);
    await new Promise((r) => busy.stdout?.once('data', r));
    try {
      const sock = path.join(l.dir, 'bad.sock');
      const pf = pidFile('bad');
      for (const [extra, code, why] of [
        [['--pid-file', '/nonexistent/x.pid'], 1, /cannot open pid file \/nonexistent\/x\.pid/],
        [['--pid-file', pf, '--metrics', 'notaport'], 2, /--metrics: expected ADDR:PORT/],
        [['--pid-file', pf, '--metrics', '127.0.0.1:9651'], 1, /cannot serve metrics on 127\.0\.0\.1:9651: EADDRINUSE/],
      ] as [string[], number, RegExp][]) {
        const r = runOnce([...extra, '--control-socket', sock]);
        assert.equal(r.status, code, `${extra.join(' ')}: exit ${r.status}\n${r.stderr}`);
        assert.match(r.stderr, why);
        assert.ok(r.ms < 10_000, `${extra.join(' ')}: exited after ${r.ms} ms`);
        assert.equal(fs.existsSync(pf), false, `${extra.join(' ')}: no pid file`);
        assert.equal(fs.existsSync(sock), false, `${extra.join(' ')}: no control socket`);
        assert.equal(l.hasAddr(n1, VIP), false, `${extra.join(' ')}: no VIP`);
        assert.equal(nftTables(), '', `${extra.join(' ')}: no nft table`);
      }
    } finally {
      busy.kill('SIGKILL');
    }
  });

  it('with its stderr reader gone the daemon runs on, and SIGTERM still cleans up', async () => {
    const sock = path.join(l.dir, 'pipe.sock');
    const pf = pidFile('pipe');
    const proc = spawn('ip', ['netns', 'exec', n1.host.ns, process.execPath, HACTL, 'vrrp', 'run', '-f', n1.conf, '--pid-file', pf, '--control-socket', sock], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const out: string[] = [];
      proc.stderr?.on('data', (d: Buffer) => out.push(d.toString()));
      await waitMaster(sock, out);
      // `vrrp run ... 2>&1 | head -3`: the reader goes away
      proc.stderr?.destroy();
      proc.stdout?.destroy();
      // log lines into the closed pipe: a reload logs several
      for (let i = 0; i < 3; i++) {
        proc.kill('SIGHUP');
        await sleep(300);
      }
      assert.equal(proc.exitCode, null, 'daemon still running after logging into a closed pipe');
      assert.equal(await stateOf(sock), 'MASTER');
      assert.equal(await stop(proc), 0);
      assert.equal(l.hasAddr(n1, VIP), false, 'VIP removed');
      assert.equal(fs.existsSync(pf), false, 'pid file removed');
      assert.equal(fs.existsSync(sock), false, 'socket removed');
      assert.equal(nftTables(), '', 'nft table removed');
    } finally {
      proc.kill('SIGKILL');
    }
  });
});
