/**
 * vrrp_track_process: matching (comm / cmdline, param_match), quorum bounds,
 * fork/terminate delays on a fake clock, weight/reverse -> priority / FAULT,
 * the config mapping, and the daemon end to end with injected snapshots.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/lib/conf';
import { fromModel, trackProcess } from '../../src/lib/vrrp/config';
import { renderStatus } from '../../src/lib/vrrp/control';
import { VrrpDaemon } from '../../src/lib/vrrp/daemon';
import { effectivePriority, fileTrack, type TrackStatus, weightedTrack } from '../../src/lib/vrrp/fsm';
import {
  checkParams,
  type ProcInfo,
  ProcessMatcher,
  ProcessTracker,
  ProcessTrackers,
  QUORUM_UNLIMITED,
  type TrackProcessConfig,
} from '../../src/lib/vrrp/track-process';
import { ProcScanner, parseStat, scanProc } from '../../src/lib/vrrp/track-process-proc';
import { daemonConfig, FakeLink, instance, makeNode, VirtualClock } from './vrrp-fakes';

function tp(o: Partial<TrackProcessConfig> = {}): TrackProcessConfig {
  return {
    name: 'p',
    path: 'nginx',
    paramMatch: 'none',
    fullCommand: false,
    weight: 0,
    reverse: false,
    quorum: 1,
    quorumMax: QUORUM_UNLIMITED,
    forkDelayMs: 0,
    terminateDelayMs: 0,
    ...o,
  };
}

const proc = (pid: number, comm: string, argv?: string[], ppid = 1, zombie = false): ProcInfo => ({ pid, ppid, comm, argv, zombie });

function matcher(o: Partial<TrackProcessConfig>): ProcessMatcher {
  const c = tp(o);
  const len = Buffer.byteLength(c.path) + 1 + (c.params ?? []).reduce((a, p) => a + Buffer.byteLength(p) + 1, 0);
  return new ProcessMatcher(c, len);
}

const model = (conf: string) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-tp-'));
  try {
    const f = path.join(dir, 'k.conf');
    fs.writeFileSync(f, conf);
    return loadConfig(f, {});
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
};

describe('vrrp_track_process matching', () => {
  it('comm: the whole comm must equal the process name; zombies never match', () => {
    const m = matcher({ path: 'nginx' });
    assert.equal(m.matches(proc(10, 'nginx')), true);
    assert.equal(m.matches(proc(10, 'nginx-worker')), false);
    assert.equal(m.matches(proc(10, 'ngin')), false);
    assert.equal(m.matches(proc(10, 'nginx', undefined, 1, true)), false, 'zombie');
    // comm matching ignores the command line entirely
    assert.equal(m.matches(proc(10, 'nginx', ['/usr/sbin/other'])), true);
  });

  it('full_command: argv[0] must equal the process exactly (no basename)', () => {
    const m = matcher({ path: '/usr/sbin/nginx', fullCommand: true });
    assert.equal(m.matches(proc(1, 'nginx', ['/usr/sbin/nginx', '-g', 'daemon off;'])), true);
    assert.equal(m.matches(proc(1, 'nginx', ['nginx'])), false);
    assert.equal(m.matches(proc(1, 'nginx', [])), false, 'kernel thread / zombie: empty cmdline');
    assert.equal(m.matches(proc(1, 'nginx')), false, 'no cmdline read');
    // a process that rewrote its argv into one string
    assert.equal(m.matches(proc(1, 'nginx', ['nginx: master process /usr/sbin/nginx'])), false);
  });

  it('param_match exact: the parameters are exactly the configured ones', () => {
    const m = matcher({ path: 'sleep', params: ['100', 'x'], paramMatch: 'exact', fullCommand: true });
    assert.equal(m.matches(proc(1, 'sleep', ['sleep', '100', 'x'])), true);
    assert.equal(m.matches(proc(1, 'sleep', ['sleep', '100', 'x', 'y'])), false, 'one more');
    assert.equal(m.matches(proc(1, 'sleep', ['sleep', '100'])), false, 'one less');
    assert.equal(m.matches(proc(1, 'sleep', ['sleep', '100', 'xy'])), false, 'longer last');
    assert.equal(m.matches(proc(1, 'sleep', ['sleep', '10', '0x'])), false, 'same bytes, other split');
    // exact without parameters: the process must have none
    const bare = matcher({ path: 'sleep', paramMatch: 'exact', fullCommand: true });
    assert.equal(bare.matches(proc(1, 'sleep', ['sleep'])), true);
    assert.equal(bare.matches(proc(1, 'sleep', ['sleep', '1'])), false);
  });

  it('param_match partial: the configured parameters come first, complete; more may follow', () => {
    const m = matcher({ path: 'sleep', params: ['100', 'x'], paramMatch: 'partial', fullCommand: true });
    assert.equal(m.matches(proc(1, 'sleep', ['sleep', '100', 'x'])), true);
    assert.equal(m.matches(proc(1, 'sleep', ['sleep', '100', 'x', 'more'])), true);
    assert.equal(m.matches(proc(1, 'sleep', ['sleep', '100', 'xy'])), false, 'last parameter must be complete');
    assert.equal(m.matches(proc(1, 'sleep', ['sleep', '100'])), false);
    const none = matcher({ path: 'sleep', paramMatch: 'partial', fullCommand: true });
    assert.equal(none.matches(proc(1, 'sleep', ['sleep', 'anything'])), true, 'no parameters configured: any');
  });

  it('param_match initial: the last configured parameter may be a prefix', () => {
    const m = matcher({ path: 'sleep', params: ['100', 'x'], paramMatch: 'initial', fullCommand: true });
    assert.equal(m.matches(proc(1, 'sleep', ['sleep', '100', 'x'])), true);
    assert.equal(m.matches(proc(1, 'sleep', ['sleep', '100', 'xyz'])), true);
    assert.equal(m.matches(proc(1, 'sleep', ['sleep', '100', 'xyz', 'w'])), true);
    assert.equal(m.matches(proc(1, 'sleep', ['sleep', '1000', 'x'])), false, 'earlier parameters are whole');
    assert.equal(m.matches(proc(1, 'sleep', ['sleep', '100', 'y'])), false);
    assert.equal(m.matches(proc(1, 'sleep', ['sleep', '100'])), false);
  });

  it('checkParams on raw bytes, as keepalived', () => {
    const P = Buffer.from('a\0bc\0');
    assert.equal(checkParams('exact', P, Buffer.from('a\0bc\0')), true);
    assert.equal(checkParams('exact', P, Buffer.from('a\0bc\0d\0')), false);
    assert.equal(checkParams('partial', P, Buffer.from('a\0bc\0d\0')), true);
    assert.equal(checkParams('partial', P, Buffer.from('a\0bcd\0')), false);
    assert.equal(checkParams('initial', P, Buffer.from('a\0bcd\0')), true);
    assert.equal(checkParams('initial', P, Buffer.from('a\0b\0')), false, 'shorter than the configured parameters');
    assert.equal(checkParams('exact', undefined, Buffer.alloc(0)), true);
  });

  it('the cmdline is read up to the longest configured process + 1 byte: longer argv[0] never equals', () => {
    const t = new ProcessTrackers([tp({ name: 'a', path: 'ab', fullCommand: true })]);
    t.init([proc(1, 'x', ['ab']), proc(2, 'x', ['abc']), proc(3, 'x', ['ab', 'more'])]);
    assert.deepEqual([...t.get('a')!.pids].sort(), [1, 3]);
    assert.deepEqual(t.needs, { cmdline: true, cmdlineBytes: 5 });
  });
});

describe('vrrp_track_process quorum and delays', () => {
  it('quorum <= count <= quorum_max at start', () => {
    const procs = [proc(1, 'w'), proc(2, 'w'), proc(3, 'w')];
    const up = (o: Partial<TrackProcessConfig>) => {
      const t = new ProcessTracker(tp({ path: 'w', ...o }), 2);
      t.init(procs);
      return [t.count, t.up];
    };
    assert.deepEqual(up({}), [3, true]);
    assert.deepEqual(up({ quorum: 3 }), [3, true]);
    assert.deepEqual(up({ quorum: 4 }), [3, false]);
    assert.deepEqual(up({ quorumMax: 2 }), [3, false]);
    assert.deepEqual(up({ quorum: 2, quorumMax: 3 }), [3, true]);
    assert.deepEqual(up({ path: 'none', quorum: 0, quorumMax: 0 }), [0, true], 'quorum_max 0: up while no such process');
    assert.deepEqual(up({ path: 'none' }), [0, false]);
  });

  it('exit and exec/no-match react at once without delays; crossing quorum_max from above and below', () => {
    const t = new ProcessTrackers([tp({ path: 'w', quorum: 2, quorumMax: 3 })]);
    const snap = (...pids: number[]) => pids.map((p) => proc(p, 'w'));
    t.init(snap(1));
    const w = t.get('p')!;
    assert.equal(w.up, false);
    assert.deepEqual(t.update(snap(1, 2), 0), ['p']);
    assert.equal(w.up, true);
    assert.deepEqual(t.update(snap(1, 2, 3), 10), []);
    assert.deepEqual(t.update(snap(1, 2, 3, 4), 20), ['p'], 'above quorum_max');
    assert.equal(w.up, false);
    assert.deepEqual(t.update(snap(1, 2, 3), 30), ['p'], 'back to quorum_max');
    // pid 3 changes its name (exec of something else): no longer counted
    assert.deepEqual(t.update([...snap(1, 2), proc(3, 'other')], 40), []);
    assert.deepEqual(t.update(snap(1), 50), ['p'], 'below quorum');
    assert.equal(w.count, 1);
    assert.equal(w.up, false);
  });

  it('terminate_delay: an exit that loses quorum waits; a new process in time cancels it', () => {
    const t = new ProcessTrackers([tp({ path: 'w', terminateDelayMs: 1000 })]);
    t.init([proc(1, 'w')]);
    const w = t.get('p')!;
    assert.deepEqual(t.update([], 0), []);
    assert.equal(w.up, true, 'still up during terminate_delay');
    assert.equal(w.state().pending, 'terminate');
    assert.equal(t.nextDeadline(), 1000);
    assert.deepEqual(t.tick(999), []);
    assert.deepEqual(t.tick(1000), ['p']);
    assert.equal(w.up, false);
    // comes back (exec): at once
    assert.deepEqual(t.update([proc(2, 'w')], 1500), ['p']);
    // exits and restarts within the delay: never down
    assert.deepEqual(t.update([], 2000), []);
    assert.deepEqual(t.update([proc(3, 'w')], 2500), []);
    assert.equal(w.state().pending, null, 'the new process cancelled the terminate timer');
    assert.deepEqual(t.tick(5000), []);
    assert.equal(w.up, true);
  });

  it('a killed process seen as a zombie (not reaped yet) is an exit: terminate_delay applies', () => {
    // the scan can land between SIGKILL and the parent's wait(): the pid is still in /proc, state Z
    const t = new ProcessTrackers([tp({ path: 'w', terminateDelayMs: 500 })]);
    t.init([proc(1, 'w')]);
    assert.deepEqual(t.update([proc(1, 'w', undefined, 1, true)], 0), [], 'not down at once');
    assert.equal(t.get('p')!.state().pending, 'terminate');
    assert.deepEqual(t.update([], 250), [], 'reaped: still waiting');
    assert.deepEqual(t.tick(500), ['p']);
    assert.equal(t.get('p')!.up, false);
  });

  it('a process that stops matching (exec/comm change) ignores terminate_delay', () => {
    const t = new ProcessTrackers([tp({ path: 'w', terminateDelayMs: 1000 })]);
    t.init([proc(1, 'w')]);
    assert.deepEqual(t.update([proc(1, 'renamed')], 0), ['p']);
    assert.equal(t.get('p')!.up, false);
  });

  it('fork_delay: a child of a counted process gaining quorum waits; an unrelated exec does not', () => {
    const cfg = tp({ path: 'w', quorum: 2, forkDelayMs: 500 });
    const t = new ProcessTrackers([cfg]);
    t.init([proc(10, 'w')]);
    const w = t.get('p')!;
    assert.equal(w.up, false);
    // pid 11 is new and its parent 10 is counted: a fork
    assert.deepEqual(t.update([proc(10, 'w'), proc(11, 'w', undefined, 10)], 0), []);
    assert.equal(w.state().pending, 'fork');
    assert.deepEqual(t.tick(499), []);
    assert.deepEqual(t.tick(500), ['p']);
    assert.equal(w.up, true);
    // the same with an unrelated parent: at once
    const u = new ProcessTrackers([cfg]);
    u.init([proc(10, 'w'), proc(50, 'sh')]);
    assert.deepEqual(u.update([proc(10, 'w'), proc(50, 'sh'), proc(11, 'w', undefined, 50)], 0), ['p']);
  });

  it('fork_delay: the child exiting before the delay cancels the timer (keepalived re-evaluates at once)', () => {
    const t = new ProcessTrackers([tp({ path: 'w', quorum: 2, forkDelayMs: 500, terminateDelayMs: 5000 })]);
    t.init([proc(10, 'w')]);
    t.update([proc(10, 'w'), proc(11, 'w', undefined, 10)], 0);
    assert.deepEqual(t.update([proc(10, 'w')], 100), []);
    const w = t.get('p')!;
    assert.equal(w.state().pending, null);
    assert.equal(w.up, false);
    assert.deepEqual(t.tick(1000), []);
  });

  it('a pid that vanishes and one that appears in the same scan: removal first (restart keeps quorum)', () => {
    const t = new ProcessTrackers([tp({ path: 'w' })]);
    t.init([proc(1, 'w')]);
    assert.deepEqual(t.update([proc(2, 'w')], 0), [], 'quorum lost and regained in one scan: no change reported');
    assert.equal(t.get('p')!.up, true);
  });

  it('reconfigure keeps unchanged trackers and counts new or changed ones afresh', () => {
    const t = new ProcessTrackers([tp({ name: 'a', path: 'w', terminateDelayMs: 1000 }), tp({ name: 'b', path: 'x' })]);
    t.init([proc(1, 'w')]);
    t.update([], 0);
    const a = t.get('a')!;
    assert.equal(a.state().pending, 'terminate');
    t.reconfigure([tp({ name: 'a', path: 'w', terminateDelayMs: 1000 }), tp({ name: 'b', path: 'y' }), tp({ name: 'c', path: 'z' })], [proc(5, 'y')]);
    assert.equal(t.get('a'), a, 'unchanged: same tracker, timer kept');
    assert.equal(t.get('b')!.up, true);
    assert.equal(t.get('c')!.up, false);
  });
});

describe('tracked object weight and reverse (keepalived 2.2.7 vrrp_track.c, seen in its log)', () => {
  const prio = (base: number, ...t: TrackStatus[]) => effectivePriority(base, t);
  it('weight 0: down is FAULT; reverse: up is FAULT', () => {
    assert.equal(prio(100, weightedTrack('p', true, 0, false)).fault, null);
    assert.equal(prio(100, weightedTrack('p', false, 0, false)).fault, 'p');
    assert.equal(prio(100, weightedTrack('p', true, 0, true)).fault, 'p');
    assert.equal(prio(100, weightedTrack('p', false, 0, true)).fault, null);
  });
  it('positive weight added while up, negative while down; reverse negates (not flips); owner ignores', () => {
    assert.equal(prio(100, weightedTrack('p', true, 10, false)).priority, 110);
    assert.equal(prio(100, weightedTrack('p', false, 10, false)).priority, 100);
    assert.equal(prio(100, weightedTrack('p', true, -10, false)).priority, 100);
    assert.equal(prio(100, weightedTrack('p', false, -10, false)).priority, 90);
    // keepalived 2.2.7: a passing script with `weight 10 reverse` -> 90; a failing one with `weight -7 reverse` -> 107;
    // an up interface with `weight 5 reverse` -> 95
    assert.equal(prio(100, weightedTrack('p', true, 10, true)).priority, 90);
    assert.equal(prio(100, weightedTrack('p', false, -7, true)).priority, 107);
    assert.equal(prio(100, weightedTrack('p', true, 5, true)).priority, 95);
    assert.equal(prio(100, weightedTrack('p', false, 10, true)).priority, 100);
    assert.equal(prio(250, weightedTrack('p', true, 30, false)).priority, 254, 'capped at 254');
    assert.deepEqual(prio(255, weightedTrack('p', false, -10, false), weightedTrack('q', true, 20, false)), { priority: 255, fault: null });
    assert.equal(prio(255, weightedTrack('p', false, 0, false)).fault, 'p', 'the owner still goes to FAULT');
  });
  it('track_file: value x weight, reverse negates, -254 or below is FAULT, weight 0 reverse is FAULT on 0', () => {
    // keepalived 2.2.7: -30 x 10 -> "tracked file tf has status -300" (FAULT); 3 x 10 reverse -> 70; 0 with weight 0 reverse -> FAULT
    assert.equal(prio(100, fileTrack('f', -30, 10, false)).fault, 'f');
    assert.deepEqual(prio(100, fileTrack('f', 3, 10, true)), { priority: 70, fault: null });
    assert.equal(prio(100, fileTrack('f', 0, 0, true)).fault, 'f');
    assert.equal(prio(100, fileTrack('f', 0, 0, false)).fault, null);
    assert.equal(prio(100, fileTrack('f', 2, 0, false)).fault, 'f');
    assert.equal(prio(1, fileTrack('f', 1000, 1, false)).priority, 254, 'a status above 253 adds 253 at most');
  });
});

describe('vrrp_track_process config mapping', () => {
  it('process with parameters implies full_command and exact; delay sets both; quorum_max 0', () => {
    const r = model(`vrrp_track_process a {
  process /bin/sleep 100 x
  weight -20 reverse
  delay 1.5
  terminate_delay 3
}
vrrp_track_process b {
  process sleep
  param_match initial
  quorum 2
  quorum_max 4
}
vrrp_track_process c {
  process nope
  quorum_max 0
}
vrrp_instance V {
  interface eth0
  virtual_router_id 1
  priority 100
  virtual_ipaddress {
    192.0.2.10/24
  }
  track_process {
    a
    b weight 30
    c
  }
}
`);
    const { config, problems } = fromModel(r.model);
    assert.deepEqual(problems, []);
    const [a, b, c] = config.trackProcesses!;
    assert.deepEqual(
      { ...a },
      {
        name: 'a',
        path: '/bin/sleep',
        params: ['100', 'x'],
        paramMatch: 'exact',
        fullCommand: true,
        weight: -20,
        reverse: true,
        quorum: 1,
        quorumMax: QUORUM_UNLIMITED,
        forkDelayMs: 1500,
        terminateDelayMs: 3000,
      },
    );
    assert.equal(b.paramMatch, 'initial');
    assert.equal(b.fullCommand, true);
    assert.equal(b.params, undefined);
    assert.deepEqual([b.quorum, b.quorumMax], [2, 4]);
    assert.deepEqual([c.quorum, c.quorumMax, c.fullCommand], [0, 0, false]);
    assert.deepEqual(config.instances[0].trackProcesses, [
      { name: 'a', weight: undefined, reverse: false },
      { name: 'b', weight: 30, reverse: false },
      { name: 'c', weight: undefined, reverse: false },
    ]);
  });

  it('a track_process naming no vrrp_track_process, and one without process, are problems', () => {
    const m = model('vrrp_instance V {\n  interface eth0\n  virtual_router_id 1\n  virtual_ipaddress {\n    192.0.2.10/24\n  }\n}\n').model;
    m.vrrp_instances[0].track_process = [{ pos: m.vrrp_instances[0].pos, name: 'ghost', reverse: false }];
    m.vrrp_track_processes = [{ pos: m.vrrp_instances[0].pos, at: {}, extra: [], name: 'empty', weight_reverse: false, full_command: false }];
    const { problems } = fromModel(m);
    assert.ok(
      problems.some((p) => /vrrp_track_process empty/.test(p.where) && p.message === 'no `process`'),
      JSON.stringify(problems),
    );
    assert.ok(problems.some((p) => p.message === 'track_process ghost: no such vrrp_track_process'), JSON.stringify(problems));
  });

  it('trackProcess: a bare param_match (position, no value) is exact', () => {
    const c = trackProcess({ pos: { file: 'x', line: 1, col: 1 }, at: { param_match: { file: 'x', line: 2, col: 1 } }, extra: [], name: 'n', process: 'sleep', weight_reverse: false, full_command: false });
    assert.equal(c?.paramMatch, 'exact');
    assert.equal(c?.fullCommand, true);
  });
});

describe('vrrp_track_process /proc reader', () => {
  it('parses stat with parentheses and spaces in comm', () => {
    assert.deepEqual(parseStat('123 (a) b) c) S 42 123 123 0'), { comm: 'a) b) c', state: 'S', ppid: 42 });
    assert.equal(parseStat('garbage'), undefined);
  });

  it('finds this process in /proc with its parent and command line', () => {
    const all = scanProc({ cmdline: true, cmdlineBytes: 4096 });
    const me = all.find((p) => p.pid === process.pid);
    assert.ok(me, 'own pid listed');
    assert.equal(me.ppid, process.ppid);
    assert.deepEqual(me.argv, fs.readFileSync('/proc/self/cmdline', 'utf8').split('\0').slice(0, -1));
    assert.equal(me.comm, fs.readFileSync('/proc/self/comm', 'utf8').trim());
    assert.ok(!all.some((p) => p.argv === undefined), 'cmdline read for all');
    assert.ok(scanProc({ cmdline: false, cmdlineBytes: 0 }).every((p) => p.argv === undefined), 'comm only when not needed');
  });

  it('ProcScanner: command lines cached per (pid, comm), re-read for a new comm and on every refreshEvery-th scan', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-fakeproc-'));
    try {
      fs.mkdirSync(path.join(dir, '7'));
      const put = (comm: string, cmdline: string) => {
        fs.writeFileSync(path.join(dir, '7', 'comm'), `${comm}\n`);
        fs.writeFileSync(path.join(dir, '7', 'cmdline'), cmdline);
        fs.writeFileSync(path.join(dir, '7', 'stat'), `7 (${comm}) S 1 0`);
      };
      const sc = new ProcScanner(3, dir);
      const opts = { cmdline: true, cmdlineBytes: 64 };
      const argv = () => sc.scan(opts)[0].argv;
      put('a', 'a\0one\0');
      assert.deepEqual(argv(), ['a', 'one'], 'scan 0: full');
      put('a', 'a\0two\0');
      assert.deepEqual(argv(), ['a', 'one'], 'scan 1: same pid and comm: cached');
      put('b', 'b\0three\0');
      assert.deepEqual(argv(), ['b', 'three'], 'scan 2: comm changed: re-read');
      put('b', 'b\0four\0');
      assert.deepEqual(argv(), ['b', 'four'], 'scan 3: full refresh');
      assert.equal(sc.scan({ cmdline: false, cmdlineBytes: 0 })[0].argv, undefined);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a process directory that disappears mid-scan is skipped, not an error', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-fakeproc-'));
    try {
      const mk = (pid: string, files: Record<string, string>) => {
        fs.mkdirSync(path.join(dir, pid));
        for (const [f, v] of Object.entries(files)) fs.writeFileSync(path.join(dir, pid, f), v);
      };
      mk('100', { comm: 'w\n', stat: '100 (w) S 1 0', cmdline: 'w\0a\0' });
      mk('200', {}); // exited between readdir and open
      mk('300', { comm: 'w\n', cmdline: 'w\0' }); // exited between comm and stat
      mk('400', { comm: 'other\n', cmdline: 'other\0' }); // not a candidate: stat not read
      mk('500', { comm: 'w\n', stat: '500 (w) Z 100 0', cmdline: '' });
      mk('self', {});
      const tr = new ProcessTrackers([tp({ path: 'w' })]);
      const r = scanProc({ ...tr.needs, cmdline: true, cmdlineBytes: 64, detail: tr.candidate }, dir);
      assert.deepEqual(
        r.sort((x, y) => x.pid - y.pid),
        [
          { pid: 100, ppid: 1, comm: 'w', zombie: false, argv: ['w', 'a'] },
          { pid: 400, ppid: 0, comm: 'other', argv: ['other'] },
          { pid: 500, ppid: 100, comm: 'w', zombie: true, argv: [] },
        ],
      );
      tr.init(r);
      assert.equal(tr.get('p')!.count, 1, 'the zombie is not counted');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('vrrp_track_process in the daemon (fake clock, injected snapshots)', () => {
  it('weight 0: FAULT when the process is gone, back when it returns; weighted: priority changes', async () => {
    const clock = new VirtualClock();
    const link = new FakeLink(clock);
    const a = makeNode(link, 'a', '192.0.2.1');
    let procs: ProcInfo[] = [proc(100, 'must'), proc(200, 'bonus')];
    let scans = 0;
    a.deps.scanProcesses = () => {
      scans++;
      return procs;
    };
    const cfg = daemonConfig(
      [
        instance({ priority: 150, trackProcesses: [{ name: 'must', reverse: false }] }),
        instance({ name: 'VI_2', vrid: 52, priority: 100, trackProcesses: [{ name: 'bonus', reverse: false }] }),
        instance({ name: 'VI_3', vrid: 53, priority: 100, trackProcesses: [{ name: 'bonus', weight: -30, reverse: true }] }),
      ],
      {
        trackProcesses: [tp({ name: 'must', path: 'must', terminateDelayMs: 1000 }), tp({ name: 'bonus', path: 'bonus', weight: 20 })],
      },
    );
    const d = new VrrpDaemon(cfg, a.deps);
    await d.start();
    await clock.advance(5000);
    const st = () => d.status().instances;
    assert.equal(st()[0].state, 'MASTER');
    assert.equal(st()[1].effectivePriority, 120, '+20 while up');
    assert.equal(st()[2].effectivePriority, 100, 'instance weight -30 reverse: nothing while up');
    assert.deepEqual(
      d.status().trackProcesses?.map((t) => [t.name, t.count, t.up]),
      [
        ['must', 1, true],
        ['bonus', 1, true],
      ],
    );
    assert.match(renderStatus(d.status()), /track_process must: UP, 1 running \(quorum >= 1\)/);
    procs = [];
    await clock.advance(clock.now + 300);
    assert.match(renderStatus(d.status()), /track_process must: UP, 0 running \(quorum >= 1\), terminate_delay pending/);
    assert.equal(st()[0].state, 'MASTER', 'terminate_delay not over');
    assert.equal(st()[1].effectivePriority, 100, 'bonus gone: +20 removed at once');
    assert.equal(st()[2].effectivePriority, 130, 'reverse negative weight while down: +30');
    await clock.advance(clock.now + 1000);
    assert.equal(st()[0].state, 'FAULT', 'weight 0 and quorum lost');
    assert.equal(st()[0].fault, 'process must');
    procs = [proc(300, 'must')];
    await clock.advance(clock.now + 300);
    assert.notEqual(st()[0].state, 'FAULT');
    await clock.advance(clock.now + 5000);
    assert.equal(st()[0].state, 'MASTER');
    assert.ok(scans > 10, `polled (${scans} scans)`);
    // reload: the tracker now wants another name; the instance goes to FAULT
    await d.reload(daemonConfig(cfg.instances, { trackProcesses: [tp({ name: 'must', path: 'other' }), cfg.trackProcesses![1]] }));
    await clock.advance(clock.now + 100);
    assert.equal(st()[0].state, 'FAULT', 'changed tracker counted afresh on reload');
    await d.stop();
    const after = scans;
    await clock.advance(clock.now + 2000);
    assert.equal(scans, after, 'no polling after stop');
  });

  it('a throwing scanner is logged, not fatal', async () => {
    const clock = new VirtualClock();
    const link = new FakeLink(clock);
    const a = makeNode(link, 'a', '192.0.2.1');
    a.deps.scanProcesses = () => {
      throw new Error('EMFILE');
    };
    const d = new VrrpDaemon(
      daemonConfig([instance({ trackProcesses: [{ name: 'x', reverse: false }] })], {
        trackProcesses: [tp({ name: 'x', path: 'x' }), tp({ name: 'long', path: 'a-very-long-name' })],
      }),
      a.deps,
    );
    await d.start();
    await clock.advance(3000);
    assert.equal(d.status().instances[0].state, 'FAULT');
    assert.match(renderStatus(d.status()), /track_process x: DOWN, 0 running/);
    assert.ok(a.logs.some((l) => /track_process: cannot read the process list: EMFILE/.test(l)));
    assert.ok(a.logs.some((l) => /warn track_process long: "a-very-long-name" is longer than a process name \(15 bytes\)/.test(l)), a.logs.join('\n'));
    await d.stop();
  });
});
