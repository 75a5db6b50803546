/**
 * src/lib/proc/run, the one script spawner (processes on this host, no namespaces): output capture,
 * the timeout (SIGTERM to the whole process group, SIGKILL after the grace), scripts that cannot
 * run, and the VRRP daemon's execArgv on top of it (a track script's background child goes too).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runScript } from '../../src/lib/proc/run';
import { execArgv } from '../../src/lib/vrrp/daemon';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Wait (at most 2 s) for processes to be gone: a SIGKILLed process can take a moment to be reaped. */
async function gone(pids: number[]): Promise<number[]> {
  const end = Date.now() + 2000;
  let left = pids.filter(alive);
  while (left.length && Date.now() < end) {
    await sleep(50);
    left = left.filter(alive);
  }
  return left;
}

describe('proc: running a script', { timeout: 30_000 }, () => {
  let dir = '';
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-proc-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('captures stdout and stderr, at most captureBytes', async () => {
    const r = await runScript({ argv: ['/bin/sh', '-c', 'echo out; echo err >&2; exit 3'], captureBytes: 100 });
    assert.equal(r.code, 3);
    assert.deepEqual(r.output?.split('\n').filter(Boolean).sort(), ['err', 'out']);
    const big = await runScript({ argv: ['/bin/sh', '-c', 'head -c 5000 /dev/zero'], captureBytes: 10 });
    assert.equal(big.output?.length, 10);
    const none = await runScript({ argv: ['/bin/true'] });
    assert.equal(none.output, undefined, 'not captured unless asked');
  });

  it('timeout: SIGTERM to the whole group; one that ignores it gets SIGKILL after the grace', async () => {
    const pids = path.join(dir, 'pids');
    const t = await runScript({ argv: ['/bin/sh', '-c', `sleep 30 & echo $$ $! > ${pids}; wait`], timeoutMs: 300 });
    assert.equal(t.timedOut, true);
    assert.equal(t.signal, 'SIGTERM');
    assert.deepEqual(await gone(fs.readFileSync(pids, 'utf8').trim().split(/\s+/).map(Number)), [], 'script and its child gone');

    const t0 = performance.now();
    const k = await runScript({ argv: ['/bin/sh', '-c', `trap '' TERM; echo $$ > ${pids}; while :; do sleep 0.1; done`], timeoutMs: 200, killGraceMs: 500 });
    const ms = performance.now() - t0;
    assert.equal(k.timedOut, true);
    assert.equal(k.signal, 'SIGKILL');
    // 200 ms + 500 ms grace; generous upper bound for a loaded 2-core machine
    assert.ok(ms >= 650 && ms < 5000, `${ms} ms`);
    assert.deepEqual(await gone([Number(fs.readFileSync(pids, 'utf8'))]), []);
  });

  it('not run: unknown user, unknown group, no such program, no command (one line each)', async () => {
    const u = await runScript({ argv: ['/bin/true'], user: 'hactl-no-such-user' });
    assert.match(u.error ?? '', /^unknown user 'hactl-no-such-user'; not run/);
    assert.equal(u.pid, undefined);
    const g = await runScript({ argv: ['/bin/true'], user: 'root', group: 'hactl-no-such-group' });
    assert.match(g.error ?? '', /^unknown group 'hactl-no-such-group'; not run/);
    const e = await runScript({ argv: ['/nonexistent/script'] });
    assert.match(e.error ?? '', /^cannot run '\/nonexistent\/script': ENOENT$/);
    assert.match((await runScript({ argv: [] })).error ?? '', /no command/);
  });

  it('VRRP track/notify scripts (execArgv): a timed-out script goes with its process group', async () => {
    const pids = path.join(dir, 'vpids');
    const r = await execArgv({ argv: ['/bin/sh', '-c', `sleep 30 & echo $$ $! > ${pids}; wait`] }, [], 300);
    assert.equal(r.timedOut, true);
    // the old runner SIGKILLed the script only: its `sleep 30` lived on
    assert.deepEqual(await gone(fs.readFileSync(pids, 'utf8').trim().split(/\s+/).map(Number)), [], 'the background child is gone too');
    assert.deepEqual(await execArgv({ argv: ['/bin/sh', '-c', 'exit "$#"', 'sh'] }, ['x', 'y'], 5000), { code: 2, timedOut: false }, 'extra arguments appended');
    assert.equal((await execArgv({ argv: ['/bin/true'], user: 'hactl-no-such-user' }, [], 1000)).code, 127);
  });
});
