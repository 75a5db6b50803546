/**
 * The restore fast path (a plain -S file onto a cleared kernel: requests
 * encoded straight from the text, sent in windows of thousands) and the
 * `save -n` fast path, against ipvsadm. In the VM.
 */
import * as assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { flush, guestSkip, hactl, run, saveN } from './ipvs-guest-lib';

const skip = guestSkip();

/** SERVICES plain IPv4 services with DESTS masq/route destinations each (documentation addresses). */
function plain(services: number, dests: number, bad?: number): string {
  const lines: string[] = [];
  for (let i = 0; i < services; i++) {
    const vip = `${i % 2 ? '198.51.100' : '192.0.2'}.${1 + (i % 250)}:${1000 + Math.floor(i / 250)}`;
    lines.push(`-A ${i % 3 === 2 ? '-u' : '-t'} ${vip} -s ${i === bad ? 'nosuchsched' : ['wlc', 'rr', 'sh'][i % 3]}`);
    for (let d = 0; d < dests; d++) lines.push(`-a ${i % 3 === 2 ? '-u' : '-t'} ${vip} -r 203.0.113.${1 + d}:${80 + d} ${d % 2 ? '-g' : '-m'} -w ${d}`);
  }
  return `${lines.join('\n')}\n`;
}

describe('IPVS restore/save fast paths (VM)', { skip }, () => {
  after(() => flush());

  it('a big plain file (several windows) restores exactly like ipvsadm -R, and save -n prints what ipvsadm -Sn prints', () => {
    const text = plain(1200, 3);
    flush();
    const r = hactl(['restore', '--json'], text);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { applied: 4800, failed: [], rolledBack: false });
    const mine = saveN();
    const saved = hactl(['save', '-n']);
    assert.equal(saved.status, 0, saved.stderr);
    assert.equal(saved.stdout, mine);
    flush();
    assert.equal(run('ipvsadm', ['-R'], text).status, 0);
    assert.equal(saveN(), mine);
    assert.equal(mine.split('\n').length - 1, 4800);
  });

  it('on a cleared kernel, a kernel-time failure is reported with its line and everything is rolled back', () => {
    flush();
    const text = plain(300, 2, 200);
    const r = hactl(['restore'], text);
    assert.equal(r.status, 1, r.stderr);
    const line = 200 * 3 + 1;
    assert.match(r.stderr, new RegExp(`line ${line}: Scheduler or persistence engine not found: -A -u 192\\.0\\.2\\.201:1000 -s nosuchsched`));
    assert.match(r.stderr, new RegExp(`line ${line + 1}: Service not defined: `));
    assert.match(r.stderr, /rolled back, the table is as before/);
    assert.equal(saveN(), '');
  });
});
