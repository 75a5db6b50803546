import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { fileCheckResult, parseTrackFileStatus, trackFileInitAction } from '../../src/lib/check/track-file';
import { loadConfig, memoryReader } from '../../src/lib/conf/index';
import { fileChecker, initTrackFiles, realCheckers, trackFilePaths, watchTrackFiles } from '../../src/lib/lvs/checkers';
import type { FileCheckOptions } from '../../src/lib/check/from-conf';
import { lvsSpecFromConfig } from '../../src/lib/lvs/from-config';
import { LvsReconciler } from '../../src/lib/lvs/reconciler';
import type { CheckerPort } from '../../src/lib/lvs/reconciler';
import type { LvsEvent } from '../../src/lib/lvs/types';
import { FakeClock, FakeIpvs } from './lvs-fakes';
import { rs, svc, vs } from './lvs-helpers';

function load(text: string) {
  const r = loadConfig('/etc/keepalived/keepalived.conf', { reader: memoryReader({ '/etc/keepalived/keepalived.conf': text }), configId: 'x' });
  assert.deepEqual(
    r.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  return lvsSpecFromConfig(r.model);
}

const conf = (fileCheck: string, tfWeight = '') => `
track_file TF {
  file /run/hactl-test/status
  ${tfWeight}
}
virtual_server 192.0.2.10 80 {
  delay_loop 5
  protocol TCP
  real_server 198.51.100.1 80 {
    weight 10
    FILE_CHECK {
      track_file TF
      ${fileCheck}
    }
  }
}
`;

describe('track_file status parsing (strtol base 0, keepalived 2.2.7)', () => {
  it('reads decimal, signed, hex, octal, trailing text; missing/empty/garbage is 0', () => {
    assert.equal(parseTrackFileStatus(undefined), 0);
    assert.equal(parseTrackFileStatus(''), 0);
    assert.equal(parseTrackFileStatus('abc'), 0);
    assert.equal(parseTrackFileStatus('0\n'), 0);
    assert.equal(parseTrackFileStatus('  7\n'), 7);
    assert.equal(parseTrackFileStatus('-3 x'), -3);
    assert.equal(parseTrackFileStatus('0x10'), 16);
    assert.equal(parseTrackFileStatus('010'), 8);
    assert.equal(parseTrackFileStatus('2147483648'), 2147483648);
  });
  it('an out-of-range number is invalid (null: keep the previous status)', () => {
    assert.equal(parseTrackFileStatus('2147483649'), null);
    assert.equal(parseTrackFileStatus('-2147483649'), null);
  });
});

describe('FILE_CHECK state for a status', () => {
  it('weight 0: up when 0, down otherwise; reverse inverts', () => {
    assert.deepEqual(fileCheckResult(0, 0, false), { up: true, delta: 0 });
    assert.deepEqual(fileCheckResult(1, 0, false), { up: false, delta: 0 });
    assert.deepEqual(fileCheckResult(-5, 0, false), { up: false, delta: 0 });
    assert.deepEqual(fileCheckResult(0, 0, true), { up: false, delta: 0 });
    assert.deepEqual(fileCheckResult(3, 0, true), { up: true, delta: 0 });
  });
  it('weighted: status * weight, negated with reverse; int32 underflow is DOWN', () => {
    assert.deepEqual(fileCheckResult(3, 2, false), { up: true, delta: 6 });
    assert.deepEqual(fileCheckResult(3, 2, true), { up: true, delta: -6 });
    assert.deepEqual(fileCheckResult(-4, 5, false), { up: true, delta: -20 });
    assert.equal(fileCheckResult(-2147483648, 2, false).up, false);
    assert.deepEqual(fileCheckResult(2147483648, 2, false), { up: true, delta: 2147483647 });
  });
});

describe('FILE_CHECK from keepalived.conf', () => {
  it('maps to a file checker (alpha, first read at start) with the checker weight', () => {
    const r = load(conf('weight 3'));
    const c = r.spec.virtualServers[0].realServers[0].checkers[0];
    assert.equal(c.type, 'FILE_CHECK');
    assert.equal(c.alpha, true);
    assert.equal(c.delayLoopMs, 5000);
    const o = c.options as FileCheckOptions;
    assert.deepEqual(o, { kind: 'file', trackFile: 'TF', path: '/run/hactl-test/status', weight: 3, reverse: false, rsWeight: 10 });
    assert.equal(
      r.warnings.some((w) => w.includes('FILE_CHECK')),
      false,
    );
  });
  it('an unset checker weight takes the track_file weight and reverse', () => {
    const o = load(conf('', 'weight 4 reverse')).spec.virtualServers[0].realServers[0].checkers[0].options as FileCheckOptions;
    assert.equal(o.weight, 4);
    assert.equal(o.reverse, true);
    const o0 = load(conf('')).spec.virtualServers[0].realServers[0].checkers[0].options as FileCheckOptions;
    assert.equal(o0.weight, 1, 'track_file weight defaults to 1 as in keepalived');
  });
  it("the checker's own `weight N reverse` (any int, as keepalived 2.2.7) overrides the track_file's", () => {
    const own = (w: string) => load(conf(w, 'weight 4')).spec.virtualServers[0].realServers[0].checkers[0].options as FileCheckOptions;
    assert.deepEqual([own('weight 300 reverse').weight, own('weight 300 reverse').reverse], [300, true]);
    assert.deepEqual([own('weight -7 noreverse').weight, own('weight -7 noreverse').reverse], [-7, false]);
    // an unknown option word makes keepalived ignore the statement (an error): the track_file's weight applies
    const bad = loadConfig('/k.conf', { reader: memoryReader({ '/k.conf': conf('weight 9 backwards', 'weight 4') }), configId: 'x' });
    assert.deepEqual(
      bad.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.line, d.message]),
      [[13, 'unknown track file weight option backwards - ignoring']],
    );
    const o = lvsSpecFromConfig(bad.model).spec.virtualServers[0].realServers[0].checkers[0].options as FileCheckOptions;
    assert.deepEqual([o.weight, o.reverse], [4, false]);
  });
});

function opts(weight: number, reverse = false): FileCheckOptions {
  return { kind: 'file', trackFile: 'TF', path: '/x', weight, reverse, rsWeight: 10 };
}

describe('FILE_CHECK checker port', () => {
  it('reads the file each run; a missing file is status 0; an invalid number keeps the last status', () => {
    const files = new Map<string, string>();
    const run = fileChecker((p) => files.get(p));
    const r = rs('198.51.100.1', 80, { weight: 10 });
    const c = { id: 'FILE_CHECK#0', type: 'FILE_CHECK', delayLoopMs: 1000, alpha: true, options: opts(0) };
    assert.equal(run(c, r).up, true, 'missing file');
    files.set('/x', '1\n');
    assert.equal(run(c, r).up, false);
    files.set('/x', '99999999999');
    assert.equal(run(c, r).up, false, 'invalid keeps status 1');
    files.set('/x', '0');
    assert.equal(run(c, r).up, true);
  });
  it('weighted: the real server weight is configured + the sum of its FILE_CHECK adjustments', () => {
    const files = new Map<string, string>([
      ['/a', '2'],
      ['/b', '-1'],
    ]);
    const run = fileChecker((p) => files.get(p));
    const r = rs('198.51.100.1', 80, { weight: 10 });
    const a = { id: 'FILE_CHECK#0', type: 'FILE_CHECK', delayLoopMs: 1000, alpha: true, options: { ...opts(5), path: '/a' } };
    const b = { id: 'FILE_CHECK#1', type: 'FILE_CHECK', delayLoopMs: 1000, alpha: true, options: { ...opts(3, true), path: '/b' } };
    assert.equal(run(a, r).weight, 20);
    assert.equal(run(b, r).weight, 23);
    files.set('/a', '0');
    assert.equal(run(a, r).weight, 13);
  });
  it('realCheckers reads a real file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-fc-'));
    try {
      const p = path.join(dir, 'st');
      fs.writeFileSync(p, '1\n');
      const r = rs('198.51.100.1', 80);
      const c = { id: 'FILE_CHECK#0', type: 'FILE_CHECK', delayLoopMs: 1000, alpha: true, options: { ...opts(0), path: p } };
      const v = vs('192.0.2.10', 80, [r]);
      assert.equal((await realCheckers.run(c, r, v, new AbortController().signal)).up, false);
      fs.writeFileSync(p, '0\n');
      assert.equal((await realCheckers.run(c, r, v, new AbortController().signal)).up, true);
      fs.rmSync(p);
      assert.equal((await realCheckers.run(c, r, v, new AbortController().signal)).up, true, 'deleted file = 0');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('FILE_CHECK through the reconciler (fake IPVS, fake clock)', () => {
  function setup(weight: number, reverse = false, initial?: string) {
    const files = new Map<string, string>();
    if (initial !== undefined) files.set('/x', initial);
    const run = fileChecker((p) => files.get(p));
    const port: CheckerPort = { run: async (c, r) => run(c, r) };
    const ipvs = new FakeIpvs();
    const clock = new FakeClock();
    const events: LvsEvent[] = [];
    const rec = new LvsReconciler({ ipvs, checkers: port, clock, random: () => 0, onEvent: (e) => events.push(e) });
    const check = { id: 'FILE_CHECK#0', type: 'FILE_CHECK', delayLoopMs: 2000, alpha: true, options: opts(weight, reverse), warmupMs: 0 };
    const spec = { virtualServers: [vs('192.0.2.10', 80, [rs('198.51.100.1', 80, { weight: 10, checkers: [check] })])] };
    const step = async (ms: number) => {
      await clock.advance(ms);
      await rec.idle();
    };
    return { files, ipvs, rec, spec, step };
  }
  const K = svc('192.0.2.10', 80);

  it('status 0 -> added; non-zero -> removed; back to 0 -> added again', async () => {
    const t = setup(0, false, '0');
    await t.rec.start(t.spec);
    await t.step(1000);
    assert.deepEqual(t.ipvs.weights(K), { '198.51.100.1|80': 10 });
    t.files.set('/x', '1');
    await t.step(2000);
    assert.deepEqual(t.ipvs.weights(K), {});
    t.files.delete('/x');
    await t.step(2000);
    assert.deepEqual(t.ipvs.weights(K), { '198.51.100.1|80': 10 });
    t.rec.stop?.();
  });

  it('non-zero at start: never added until it reads 0', async () => {
    const t = setup(0, false, '5');
    await t.rec.start(t.spec);
    await t.step(1000);
    assert.deepEqual(t.ipvs.weights(K), {});
    t.files.set('/x', '0');
    await t.step(2000);
    assert.deepEqual(t.ipvs.weights(K), { '198.51.100.1|80': 10 });
    t.rec.stop?.();
  });

  it('reverse: 0 is down, non-zero is up, once the status changed (keepalived ignores reverse at start)', async () => {
    const t = setup(0, true, '0');
    await t.rec.start(t.spec);
    await t.step(1000);
    assert.deepEqual(t.ipvs.weights(K), { '198.51.100.1|80': 10 }, 'start: status 0 counts as up');
    await t.step(2000);
    assert.deepEqual(t.ipvs.weights(K), { '198.51.100.1|80': 10 }, 'unchanged status: no change');
    t.files.set('/x', '2');
    await t.step(2000);
    assert.deepEqual(t.ipvs.weights(K), { '198.51.100.1|80': 10 });
    t.files.set('/x', '0');
    await t.step(2000);
    assert.deepEqual(t.ipvs.weights(K), {});
    t.files.set('/x', '3');
    await t.step(2000);
    assert.deepEqual(t.ipvs.weights(K), { '198.51.100.1|80': 10 });
    t.rec.stop?.();
  });

  it('weighted: the IPVS weight follows 10 + status * weight (clamped at 0)', async () => {
    const t = setup(2, false, '3');
    await t.rec.start(t.spec);
    await t.step(1000);
    assert.deepEqual(t.ipvs.weights(K), { '198.51.100.1|80': 16 });
    t.files.set('/x', '-2');
    await t.step(2000);
    assert.deepEqual(t.ipvs.weights(K), { '198.51.100.1|80': 6 });
    t.files.set('/x', '-100');
    await t.step(2000);
    assert.deepEqual(t.ipvs.weights(K), { '198.51.100.1|80': 0 });
    t.rec.stop?.();
  });

  it('poke (a watched file changed) runs the FILE_CHECK at once instead of at the next delay_loop', async () => {
    const t = setup(0, false, '0');
    await t.rec.start(t.spec);
    await t.step(1000);
    assert.deepEqual(t.ipvs.weights(K), { '198.51.100.1|80': 10 });
    t.files.set('/x', '1');
    await t.step(10);
    assert.deepEqual(t.ipvs.weights(K), { '198.51.100.1|80': 10 }, 'not read yet');
    assert.equal(
      t.rec.poke((c) => c.type === 'TCP_CHECK'),
      0,
    );
    assert.equal(
      t.rec.poke((c) => (c.options as FileCheckOptions).path === '/x'),
      1,
    );
    await t.step(0);
    assert.deepEqual(t.ipvs.weights(K), {});
    t.rec.stop?.();
  });
});

describe('track file watching (fs.watch on the directory, like keepalived inotify)', () => {
  it('lists the FILE_CHECK paths of a spec', () => {
    const r = load(conf('weight 3'));
    assert.deepEqual(trackFilePaths(r.spec), ['/run/hactl-test/status']);
  });
  it('reports a write, a delete and a rename into place of a watched file, not of others', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-fw-'));
    const p = path.join(dir, 'st');
    const seen: string[] = [];
    const close = watchTrackFiles([p, '/nonexistent-dir-hactl/x'], (x) => seen.push(x));
    const waitFor = async (n: number) => {
      for (let i = 0; i < 100 && seen.length < n; i++) await new Promise((r) => setTimeout(r, 20));
    };
    try {
      fs.writeFileSync(path.join(dir, 'other'), '1');
      fs.writeFileSync(p, '1\n');
      await waitFor(1);
      assert.ok(seen.length >= 1, 'write seen');
      assert.ok(seen.every((x) => x === p));
      seen.length = 0;
      fs.rmSync(p);
      await waitFor(1);
      assert.ok(seen.length >= 1, 'delete seen');
      seen.length = 0;
      fs.writeFileSync(path.join(dir, 'tmp'), '0\n');
      fs.renameSync(path.join(dir, 'tmp'), p);
      await waitFor(1);
      assert.ok(seen.includes(p), 'rename into place seen');
    } finally {
      close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('track_file init_file', () => {
  it('creates a missing file; overwrite rewrites a regular file at start but not on reload', () => {
    assert.equal(trackFileInitAction(undefined, 'missing', false), 'keep');
    assert.equal(trackFileInitAction({ overwrite: false }, 'missing', true), 'write');
    assert.equal(trackFileInitAction({ overwrite: false }, 'regular', false), 'keep');
    assert.equal(trackFileInitAction({ overwrite: true }, 'regular', false), 'write');
    assert.equal(trackFileInitAction({ overwrite: true }, 'regular', true), 'keep');
    assert.equal(trackFileInitAction({ overwrite: true }, 'other', false), 'not-regular');
  });
  it('writes the init value of a FILE_CHECK track file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-fi-'));
    try {
      const p = path.join(dir, 'st');
      const text = conf('').replace('file /run/hactl-test/status', `file ${p}\n  init_file 7 overwrite`);
      const r = loadConfig('/etc/keepalived/keepalived.conf', { reader: memoryReader({ '/etc/keepalived/keepalived.conf': text }), configId: 'x' });
      const sp = lvsSpecFromConfig(r.model).spec;
      assert.deepEqual(initTrackFiles(r.model.track_files, sp, false), []);
      assert.equal(fs.readFileSync(p, 'utf8'), '7\n');
      fs.writeFileSync(p, '1\n');
      assert.deepEqual(initTrackFiles(r.model.track_files, sp, true), []);
      assert.equal(fs.readFileSync(p, 'utf8'), '1\n', 'not overwritten on reload');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
