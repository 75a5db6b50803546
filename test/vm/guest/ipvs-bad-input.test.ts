/**
 * The bad-input matrix: malformed and out-of-range addresses, ports, weights,
 * thresholds, unknown scheduler, missing service, duplicate dest, non-root.
 * `hactl ipvsadm` gives ipvsadm's exact messages and statuses; `hactl vs|rs`
 * give the same or a clearer message and a documented status. In the VM.
 */
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { IpvsClient as Client } from '../../../src/lib/ipvs/client';
import { runIpvsadmArgs } from '../../../src/lib/ipvs/run';
import { flush, guestSkip, hactl, ipvsadm, ipvsadmLines, run, saveN } from './ipvs-guest-lib';

const skip = guestSkip();

const MATRIX: string[][] = [
  ['-A', '-t', '192.0.2.300:80'],
  ['-A', '-t', '192.0.2.1:99999'],
  ['-A', '-t', '192.0.2.1:http-nope'],
  ['-A', '-t', '192.0.2.1'],
  ['-A', '-u', '[2001:db8::zz]:53'],
  ['-A', '-t', '192.0.2.50:80', '-s', 'nosuchsched'],
  ['-A', '-t', '192.0.2.1:80'],
  ['-E', '-t', '192.0.2.51:80', '-s', 'rr'],
  ['-D', '-t', '192.0.2.51:80'],
  ['-a', '-t', '192.0.2.51:80', '-r', '198.51.100.1'],
  ['-a', '-t', '192.0.2.1:80', '-r', '198.51.100.1'],
  ['-a', '-t', '192.0.2.1:80', '-r', '198.51.100.2', '-w', '2147483648'],
  ['-a', '-t', '192.0.2.1:80', '-r', '198.51.100.2', '-w', '-1'],
  ['-a', '-t', '192.0.2.1:80', '-r', '198.51.100.2', '-w', 'heavy'],
  ['-a', '-t', '192.0.2.1:80', '-r', '198.51.100.2', '-x', '-5'],
  ['-a', '-t', '192.0.2.1:80', '-r', '198.51.100.2', '-y', '99999999999'],
  ['-a', '-t', '192.0.2.1:80', '-r', '198.51.100.256'],
  ['-d', '-t', '192.0.2.1:80', '-r', '198.51.100.99'],
  ['-e', '-t', '192.0.2.1:80', '-r', '198.51.100.99', '-w', '2'],
  ['-A', '-f', '0'],
  ['-A', '-f', '-3'],
  ['-Q'],
  ['-A', '--bogus'],
  ['-L', '-t', '192.0.2.51:80'],
  ['--stop-daemon', 'master'],
  ['--start-daemon', 'master', '--mcast-interface', 'nosuchif0'],
];

describe('IPVS bad input (VM)', { skip }, () => {
  before(() => {
    flush();
    ipvsadmLines('-A -t 192.0.2.1:80 -s rr\n-a -t 192.0.2.1:80 -r 198.51.100.1 -g');
  });
  after(() => flush());

  it('`hactl ipvsadm` prints ipvsadm\'s messages with ipvsadm\'s exit statuses, and changes nothing', async () => {
    const table = saveN();
    // Every case through the code path of `hactl ipvsadm` in this process (a node start costs seconds here)...
    const c = await Client.open();
    try {
      for (const args of MATRIX) {
        const want = ipvsadm(...args);
        let out = '';
        let err = '';
        const status = await runIpvsadmArgs(c, args, { out: (s) => (out += s), err: (s) => (err += s) });
        assert.deepEqual({ status, stdout: out, stderr: err }, { status: want.status, stdout: want.stdout, stderr: want.stderr }, `ipvsadm ${args.join(' ')}`);
        assert.notEqual(status, 0, args.join(' '));
      }
    } finally {
      c.close();
    }
    // ...and a few as real `hactl ipvsadm` processes.
    for (const args of [MATRIX[0], MATRIX[5], MATRIX[10], MATRIX[21]]) {
      const want = ipvsadm(...args);
      const got = hactl(['ipvsadm', ...args]);
      assert.deepEqual({ status: got.status, stdout: got.stdout, stderr: got.stderr }, { status: want.status, stdout: want.stdout, stderr: want.stderr }, `hactl ipvsadm ${args.join(' ')}`);
    }
    assert.equal(saveN(), table);
  });

  it('`hactl vs|rs` name the problem and exit 2 (usage) or 1 (kernel refused)', () => {
    const cases: Array<[string[], number, RegExp]> = [
      [['vs', 'add', '-t', '192.0.2.300:80'], 2, /illegal virtual server address\[:port\] specified/],
      [['vs', 'add', '-t', '192.0.2.1:80', '-s', 'nosuchsched'], 1, /Service already exists|Scheduler or persistence engine not found/],
      [['vs', 'add', '-t', '192.0.2.60:80', '-s', 'nosuchsched'], 1, /Scheduler or persistence engine not found/],
      [['vs', 'add', '-s', 'rr'], 2, /missing the virtual service: give -t\|-u\|--sctp ADDR:PORT or -f MARK/],
      [['rs', 'add', '-t', '192.0.2.1:80'], 2, /missing the real server: give -r ADDR\[:PORT\]/],
      [['rs', 'add', '-t', '192.0.2.1:80', '-r', '198.51.100.1'], 1, /Destination already exists/],
      [['rs', 'add', '-t', '192.0.2.61:80', '-r', '198.51.100.1'], 1, /Service not defined/],
      [['rs', 'add', '-t', '192.0.2.1:80', '-r', '198.51.100.2', '-w', '2147483648'], 2, /illegal weight specified/],
      [['rs', 'del', '-t', '192.0.2.1:80', '-r', '198.51.100.9'], 1, /No such destination/],
      [['vs', 'del', '-t', '192.0.2.1:80'], 2, /needs confirmation: add --yes/],
      [['vs', 'clear'], 2, /needs confirmation: add --yes/],
      [['vs', 'list', '-n', '-t', '192.0.2.62:80'], 1, /No such service/],
    ];
    const table = saveN();
    for (const [args, code, re] of cases) {
      const r = hactl(args);
      assert.equal(r.status, code, `hactl ${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re, args.join(' '));
      assert.match(r.stderr, /^hactl: error: /, 'one hactl error line');
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    }
    assert.equal(saveN(), table);
  });

  it('non-root: ipvsadm and hactl both refuse with the permission message', () => {
    const want = ipvsadm('-Ln');
    assert.equal(want.status, 0);
    const nobody = { uid: 65534, gid: 65534 };
    const theirs = run('ipvsadm', ['-Ln'], undefined, nobody);
    const a = hactl(['ipvsadm', '-Ln'], undefined, nobody);
    assert.equal(a.status, 2, a.stderr);
    assert.equal(theirs.status, 2, theirs.stderr);
    const keep = (s: string) => s.split('\n').filter((l) => /^(Can't|Are you)/.test(l)).join('\n');
    assert.equal(keep(a.stderr), keep(theirs.stderr));
    assert.match(a.stderr, /Permission denied \(you must be root\)/);
    const b = hactl(['vs', 'add', '-t', '192.0.2.70:80'], undefined, nobody);
    assert.equal(b.status, 1, b.stderr);
    assert.match(b.stderr, /Permission denied \(you must be root\)/);
  });
});
