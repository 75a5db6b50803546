/**
 * vrrp_track_process in `hactl vrrp run`, two hactl nodes in namespaces:
 * a weight-0 tracker puts the instance in FAULT while its process is gone
 * (the backup takes over) and lets it back when the process returns; a
 * weighted tracker lowers the priority below the backup's (failover) and
 * back; SIGHUP picks up a changed tracker.
 *
 * The tracked processes are copies of sleep with a unique name (comm), so no
 * other process on the machine matches.
 *
 * No keepalived differential: keepalived 2.2.7 learns about processes from
 * the proc connector, which the kernel serves only in the initial network
 * namespace ("Failed to set/clear process event listen - errno 111"); inside
 * a lab namespace it counts no process at all and every track_process is down.
 */
import * as assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type { DaemonStatus } from '../../src/lib/vrrp/daemon';
import { assertNoSplitBrain, sleep, VrrpLab, vrrpConf, vrrpLabUnavailable } from './vrrp-lab';

const skip = vrrpLabUnavailable() ?? undefined;
const ADV = 0.2;
const VIP = '198.51.100.100';

/** Copies of /bin/sleep under unique names (<= 15 bytes: the kernel's comm), killed in cleanup(). */
class Procs {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-tp-'));
  private readonly running = new Map<string, ChildProcess[]>();
  name(tag: string): string {
    const n = `hactl${tag}${crypto.randomBytes(3).toString('hex')}`.slice(0, 15);
    fs.copyFileSync(fs.realpathSync('/bin/sleep'), path.join(this.dir, n));
    fs.chmodSync(path.join(this.dir, n), 0o755);
    return n;
  }
  path(name: string): string {
    return path.join(this.dir, name);
  }
  start(name: string): ChildProcess {
    const p = spawn(this.path(name), ['600'], { stdio: 'ignore' });
    p.on('error', () => {});
    const list = this.running.get(name) ?? [];
    list.push(p);
    this.running.set(name, list);
    return p;
  }
  async stop(name: string): Promise<void> {
    for (const p of this.running.get(name) ?? []) {
      if (p.exitCode !== null || p.signalCode !== null) continue;
      const gone = new Promise((r) => p.once('exit', r));
      p.kill('SIGKILL');
      await Promise.race([gone, sleep(3000)]);
    }
    this.running.set(name, []);
  }
  cleanup(): void {
    for (const list of this.running.values()) for (const p of list) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

async function waitFor<T>(what: string, timeoutMs: number, fn: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + timeoutMs;
  let v: T | undefined;
  while (Date.now() < end) {
    v = await fn();
    if (v !== undefined) return v;
    await sleep(50);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

const tracker = (s: DaemonStatus | undefined, name: string) => s?.trackProcesses?.find((t) => t.name === name);

describe('vrrp_track_process: hactl nodes', { skip, timeout: 120_000 }, () => {
  it('weight 0: FAULT while the process is gone (backup takes over), MASTER again when it returns; weighted: failover by priority; SIGHUP reload', { timeout: 90_000 }, async () => {
    const procs = new Procs();
    const l = new VrrpLab('tpr', 2);
    try {
      const [n1, n2] = l.nodes;
      const must = procs.name('m');
      const bonus = procs.name('b');
      const top = `vrrp_track_process must {
  process ${must}
  terminate_delay 0.5
}
vrrp_track_process bonus {
  process ${bonus}
  weight 20
}
vrrp_track_process cmd_exact {
  process ${procs.path(must)} 600
}
vrrp_track_process cmd_other {
  process ${procs.path(must)} 6000
}
vrrp_track_process cmd_initial {
  process ${procs.path(must)} 60
  param_match initial
}
vrrp_track_process cmd_partial {
  process ${procs.path(must)} 60
  param_match partial
}
`;
      const extra = '  track_process {\n    must\n    bonus weight -60\n  }\n';
      procs.start(must);
      procs.start(bonus);
      l.startCapture();
      const watch = l.watchVip(VIP);
      l.startHactl(n1, vrrpConf({ prio: 150, version: 3, advert: ADV, top, extra }));
      l.startHactl(n2, vrrpConf({ prio: 100, version: 3, advert: ADV }));
      await l.waitState(n1, 'MASTER', 15_000);
      await l.waitState(n2, 'BACKUP', 10_000);
      // from here on at most one holder of the VIP (FAULT, preemption both ways, reload) but for one advert interval
      const converged = Date.now();
      let s = await l.status(n1);
      assert.deepEqual(
        s?.trackProcesses?.map((t) => [t.name, t.count, t.up]),
        [
          ['must', 1, true],
          ['bonus', 1, true],
          // the command line, read from /proc: argv is [path, '600']
          ['cmd_exact', 1, true],
          ['cmd_other', 0, false],
          ['cmd_initial', 1, true],
          ['cmd_partial', 0, false],
        ],
      );
      assert.equal(s?.instances[0].effectivePriority, 150, 'instance weight -60 overrides the tracker weight 20: nothing while up');
      assert.ok(l.hasAddr(n1, VIP));

      // weight 0: the process goes away -> after terminate_delay FAULT, the backup takes over
      const killedAt = Date.now();
      await procs.stop(must);
      await l.waitState(n1, 'FAULT', 5_000);
      const took = Date.now() - killedAt;
      assert.ok(took >= 400, `FAULT after ${took} ms: terminate_delay 0.5 s must be waited for`);
      await l.waitState(n2, 'MASTER', 5_000);
      s = await l.status(n1);
      assert.equal(s?.instances[0].fault, 'process must');
      assert.equal(tracker(s, 'must')?.count, 0);
      process.stderr.write(`# track_process weight 0: FAULT ${took} ms after SIGKILL (terminate_delay 500 ms, poll 250 ms)\n`);

      // it returns -> MASTER again (preempts)
      procs.start(must);
      await l.waitState(n1, 'MASTER', 8_000);
      await l.waitState(n2, 'BACKUP', 5_000);

      // weighted: the bonus process goes away -> 150 - 60 = 90 < 100, n2 preempts
      await procs.stop(bonus);
      await waitFor('priority 90', 3_000, async () => ((await l.status(n1))?.instances[0].effectivePriority === 90 ? true : undefined));
      await l.waitState(n2, 'MASTER', 5_000);
      await l.waitState(n1, 'BACKUP', 5_000);
      await sleep(500);
      assert.ok(l.hasAddr(n2, VIP) && !l.hasAddr(n1, VIP), 'VIP moved with the priority');
      procs.start(bonus);
      await waitFor('priority 150', 3_000, async () => ((await l.status(n1))?.instances[0].effectivePriority === 150 ? true : undefined));
      await l.waitState(n1, 'MASTER', 5_000);
      await l.waitState(n2, 'BACKUP', 5_000);

      // SIGHUP: `must` now needs two processes (quorum 2) -> FAULT; one more -> back
      fs.writeFileSync(n1.conf, vrrpConf({ prio: 150, version: 3, advert: ADV, top: top.replace('  terminate_delay 0.5\n', '  quorum 2\n'), extra }));
      n1.proc?.kill('SIGHUP');
      await l.waitState(n1, 'FAULT', 5_000);
      assert.equal(tracker(await l.status(n1), 'must')?.quorum, 2);
      procs.start(must);
      await l.waitState(n1, 'MASTER', 8_000);
      assert.equal(tracker(await l.status(n1), 'must')?.count, 2);
      assert.equal(n1.proc?.exitCode, null, 'the daemon is still running');
      await sleep(300);
      assertNoSplitBrain(l, { intervalMs: ADV * 1000, since: converged, watch });
    } finally {
      l.cleanup();
      procs.cleanup();
    }
  });
});
