/**
 * save | restore round trip, diff-apply, --append, --dry-run, per-line error
 * reports, and a failed restore leaving the table exactly as it was. In the VM.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { flush, guestSkip, hactl, ipvsadmLines, RICH_TABLE, run, saveN } from './ipvs-guest-lib';

const skip = guestSkip();

describe('IPVS save/restore (VM)', { skip }, () => {
  let dir = '';
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hactl-restore-'));
  });
  after(() => {
    flush();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a table built with ipvsadm round-trips through `hactl save | hactl restore` on a cleared kernel', () => {
    flush();
    ipvsadmLines(RICH_TABLE);
    const before = saveN();
    const saved = hactl(['save', '-n']);
    assert.equal(saved.status, 0, saved.stderr);
    assert.equal(saved.stdout, before);
    flush();
    assert.equal(saveN(), '');
    const r = hactl(['restore'], saved.stdout);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(saveN(), before);
    // The same file through `-` and through a path; applying it again changes nothing.
    const file = path.join(dir, 'rules');
    fs.writeFileSync(file, saved.stdout);
    const again = hactl(['restore', '--dry-run', file]);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(again.stdout, '', 'nothing to do when the live table already matches');
    assert.equal(hactl(['restore', '-'], saved.stdout).status, 0);
    assert.equal(saveN(), before);
  });

  it('diff-apply changes only what differs, and --dry-run prints that plan without applying it', () => {
    flush();
    ipvsadmLines('-A -t 192.0.2.1:80 -s rr\n-a -t 192.0.2.1:80 -r 198.51.100.1 -g\n-a -t 192.0.2.1:80 -r 198.51.100.2 -g\n-A -t 192.0.2.9:80 -s rr');
    const wanted = '-A -t 192.0.2.1:80 -s wrr\n-a -t 192.0.2.1:80 -r 198.51.100.2:80 -g -w 5\n-a -t 192.0.2.1:80 -r 198.51.100.3:80 -g -w 1\n';
    const before = saveN();
    const dry = hactl(['restore', '--dry-run'], wanted);
    assert.equal(dry.status, 0, dry.stderr);
    assert.equal(
      dry.stdout,
      '-E -t 192.0.2.1:80 -s wrr\n-e -t 192.0.2.1:80 -r 198.51.100.2:80 -g -w 5\n-a -t 192.0.2.1:80 -r 198.51.100.3:80 -g -w 1\n-d -t 192.0.2.1:80 -r 198.51.100.1:80\n-D -t 192.0.2.9:80\n',
    );
    assert.equal(saveN(), before, '--dry-run changed nothing');
    const r = hactl(['restore'], wanted);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(saveN(), wanted);
  });

  it('--append runs every line like ipvsadm -R', () => {
    flush();
    const lines = '-A -t 192.0.2.1:80 -s rr\n-a -t 192.0.2.1:80 -r 198.51.100.1 -m\n';
    assert.equal(hactl(['restore', '--append'], lines).status, 0);
    const mine = saveN();
    flush();
    assert.equal(run('ipvsadm', ['-R'], lines).status, 0);
    const theirs = saveN();
    flush();
    const r = hactl(['ipvsadm', '-R'], lines);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(saveN(), mine);
    assert.equal(mine, theirs);
  });

  it('a failed restore reports every failing line and leaves the table as it was (diff mode and --append)', () => {
    flush();
    ipvsadmLines(RICH_TABLE);
    const before = saveN();
    // Parse-time failures: nothing is applied, each line is named.
    const bad = `${before}-A -t 192.0.2.77:80 -s rr\n-a -t 192.0.2.77:80 -r 198.51.100.1 -w 2147483648\n-a -t 192.0.2.78:80 -r 198.51.100.1\n`;
    const r1 = hactl(['restore'], bad);
    assert.equal(r1.status, 1);
    const n = before.split('\n').length;
    assert.match(r1.stderr, new RegExp(`line ${n + 1}: illegal weight specified`));
    assert.match(r1.stderr, new RegExp(`line ${n + 2}: Service not defined`));
    assert.equal(saveN(), before);
    // Kernel-time failure in the middle of the batch (unknown scheduler): rolled back.
    const kernelBad = `${before.replace('-A -t 192.0.2.9:25 -s lblc', '-A -t 192.0.2.9:25 -s lblc\n-A -t 192.0.2.99:25 -s nosuchsched')}-A -t 192.0.2.98:25 -s rr\n`.replace(
      '-a -t 192.0.2.1:80 -r 198.51.100.1:8080 -m -w 3',
      '-a -t 192.0.2.1:80 -r 198.51.100.1:8080 -m -w 4',
    );
    const r2 = hactl(['restore'], kernelBad);
    assert.equal(r2.status, 1, r2.stderr);
    assert.match(r2.stderr, /line \d+: Scheduler or persistence engine not found: -A -t 192\.0\.2\.99:25 -s nosuchsched/);
    assert.match(r2.stderr, /rolled back/);
    assert.equal(saveN(), before);
    // --append with a kernel failure: also rolled back.
    const r3 = hactl(['restore', '--append'], '-D -t 192.0.2.1:80\n-A -t 192.0.2.50:80 -s rr\n-a -t 192.0.2.50:80 -r 198.51.100.1 -m\n-E -t 192.0.2.50:80 -s nosuchsched\n');
    assert.equal(r3.status, 1, r3.stderr);
    assert.match(r3.stderr, /line 4: Scheduler or persistence engine not found/);
    assert.equal(saveN(), before);
  });
});
