import * as assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { BoundedWriter, formatLogLine, isJournalStream } from '../../src/lib/daemon/log';
import { Held, lockPidFile, lvsPidFileFor } from '../../src/lib/daemon/pidfile';
import { lvsMetricsText } from '../../src/lib/lvs/daemon';
import { flockFd } from '../../src/lib/net/packet';

const at = { ident: 'hactl-vrrp', pid: 42, now: new Date('2024-01-02T03:04:05.678Z'), mono: 12.3456 };

class FakeStream extends EventEmitter {
  writableLength = 0;
  lines: string[] = [];
  throwOnWrite = false;
  write(s: string): boolean {
    if (this.throwOnWrite) throw new Error('EAGAIN');
    this.lines.push(s);
    this.writableLength += s.length;
    return true;
  }
}

describe('daemon logger', () => {
  it('json: one object a line, fields merged', () => {
    const l = formatLogLine('warn', 'a\nb', { instance: 'VI_1' }, { ...at, format: 'json' });
    assert.equal(l, '{"ts":"2024-01-02T03:04:05.678Z","mono":12.346,"level":"warn","msg":"a\\nb","instance":"VI_1"}\n');
  });

  it('text: timestamp, ident[pid], level; under the journal the sd-daemon priority and nothing journald adds', () => {
    assert.equal(formatLogLine('info', 'up', undefined, { ...at, format: 'text' }), '2024-01-02T03:04:05.678Z hactl-vrrp[42]: INFO up\n');
    const j = (lv: 'error' | 'warn' | 'info' | 'debug') => formatLogLine(lv, 'x\ny', undefined, { ...at, format: 'text', journal: true });
    assert.deepEqual([j('error'), j('warn'), j('info'), j('debug')], ['<3>ERROR x | y\n', '<4>WARN x | y\n', '<6>INFO x | y\n', '<7>DEBUG x | y\n']);
  });

  it('JOURNAL_STREAM counts only when it names our stderr', () => {
    assert.equal(isJournalStream({ JOURNAL_STREAM: '8:1234' }, { dev: 8, ino: 1234 }), true);
    assert.equal(isJournalStream({ JOURNAL_STREAM: '8:1234' }, { dev: 8, ino: 999 }), false);
    assert.equal(isJournalStream({}, { dev: 8, ino: 1234 }), false);
    assert.equal(isJournalStream({ JOURNAL_STREAM: 'junk' }, { dev: 8, ino: 1234 }), false);
  });

  it('a slow reader: lines beyond the bound are dropped and counted, the count is written once the queue drains', () => {
    const s = new FakeStream();
    const w = new BoundedWriter(s, 10);
    w.write('12345\n');
    w.write('67890\n'); // 12 > 10: dropped
    w.write('abc\n'); // 6 + 4 = 10 fits: written
    assert.deepEqual(s.lines, ['12345\n', 'abc\n']);
    assert.equal(w.dropped, 1);
    s.writableLength = 0; // drained
    w.write('next\n');
    assert.deepEqual(s.lines.slice(2), ['1 log line(s) dropped (log reader too slow)\n', 'next\n']);
    assert.equal(w.dropped, 0);
  });

  it('a write error (EPIPE) or a throwing write never reaches the daemon', () => {
    const s = new FakeStream();
    const w = new BoundedWriter(s);
    s.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    w.write('lost\n');
    assert.deepEqual(s.lines, []);
    const t = new FakeStream();
    t.throwOnWrite = true;
    const w2 = new BoundedWriter(t);
    assert.doesNotThrow(() => w2.write('x\n'));
    assert.equal(w2.broken, true);
  });
});

describe('daemon pid file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-pid-'));
  it('the LVS half has its own pid file beside the main one', () => {
    assert.equal(lvsPidFileFor('/run/hactl-vrrp.pid'), '/run/hactl-vrrp-lvs.pid');
    assert.equal(lvsPidFileFor('/run/x'), '/run/x-lvs');
  });

  it('locked for life: a second lock is refused, the holder removes the file, a dead holder is taken over', { skip: flockFd(0, 0) === undefined ? 'addon without flock' : false }, () => {
    const p = path.join(dir, 'a.pid');
    fs.writeFileSync(p, '999999\n'); // stale: nobody holds it
    const a = lockPidFile(p, 'test', 1234);
    assert.equal(fs.readFileSync(p, 'utf8'), '1234\n');
    assert.throws(() => lockPidFile(p, 'test', 5678), /test: daemon is already running \(pid 1234\): .*a\.pid is locked/);
    assert.equal(fs.readFileSync(p, 'utf8'), '1234\n', 'the refused one changed nothing');
    a.release();
    assert.equal(fs.existsSync(p), false);
    const b = lockPidFile(p, 'test', 5678);
    // a file that is not the one locked any more (replaced by hand) is not removed by the holder
    fs.unlinkSync(p);
    fs.writeFileSync(p, 'other\n');
    b.release();
    assert.equal(fs.readFileSync(p, 'utf8'), 'other\n');
  });

  it('a pid file that cannot be opened is one sentence', () => {
    assert.throws(() => lockPidFile('/nonexistent/dir/x.pid'), /cannot open pid file \/nonexistent\/dir\/x\.pid: ENOENT/);
  });
});

describe('LVS metrics', () => {
  it('exposes virtual and real servers', () => {
    const t = lvsMetricsText({
      ipvsOps: 3,
      syncPending: false,
      virtualServers: [
        {
          id: '192.0.2.10:80',
          services: [],
          sched: 'wrr',
          quorum: 1,
          hysteresis: 0,
          quorumUp: true,
          weightSum: 2,
          realServers: [
            {
              addr: '198.51.100.11',
              port: 80,
              alive: true,
              weight: 2,
              effectiveWeight: 2,
              inhibitOnFailure: false,
              inIpvs: true,
              checkers: [{ id: 'TCP_CHECK', type: 'TCP_CHECK', up: true, runs: 7 }],
            },
          ],
        },
      ],
    });
    assert.match(t, /^hactl_lvs_virtual_server_quorum_up\{virtual_server="192\.0\.2\.10:80"\} 1$/m);
    assert.match(t, /^hactl_lvs_real_server_up\{virtual_server="192\.0\.2\.10:80",real_server="198\.51\.100\.11:80"\} 1$/m);
    assert.match(t, /^hactl_lvs_checker_runs_total\{virtual_server="192\.0\.2\.10:80",real_server="198\.51\.100\.11:80",checker="TCP_CHECK"\} 7$/m);
    assert.match(t, /^hactl_lvs_ipvs_ops_total 3$/m);
  });
});

describe('daemon resources (Held)', () => {
  it('released in reverse order, once each, a failing release not stopping the others', () => {
    const h = new Held();
    const seen: string[] = [];
    h.push(() => seen.push('pid'));
    h.push(() => {
      throw new Error('socket gone');
    });
    h.push(() => seen.push('metrics'));
    h.releaseAll();
    h.releaseAll();
    assert.deepEqual(seen, ['metrics', 'pid']);
  });
});
