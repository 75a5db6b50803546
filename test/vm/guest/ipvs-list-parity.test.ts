/**
 * `hactl vs list` (each list flag), `hactl ipvsadm -L...` and `hactl save`
 * print byte for byte what ipvsadm 1.31 prints for the same table. In the VM.
 */
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseIpvsadmArgs } from '../../../src/lib/ipvs/argv';
import { type IpvsClient, IpvsClient as Client } from '../../../src/lib/ipvs/client';
import { listOutput, runIpvsadmArgs } from '../../../src/lib/ipvs/run';
import { flush, guestSkip, hactl, ipvsadm, ipvsadmLines, RICH_TABLE } from './ipvs-guest-lib';

const skip = guestSkip();

const FLAGSETS = [
  ['-n'],
  [],
  ['-n', '--stats'],
  ['-n', '--rate'],
  ['-n', '--stats', '--exact'],
  ['-n', '--thresholds'],
  ['-n', '--persistent-conn'],
  ['-n', '--tun-info'],
  ['-n', '--nosort'],
  ['--timeout'],
  ['--daemon'],
  ['-n', '-c'],
  ['-n', '-t', '192.0.2.1:80'],
  ['-n', '-f', '1'],
  ['-n', '-u', '[2001:db8::1]:53', '--thresholds'],
];

describe('IPVS list parity with ipvsadm (VM)', { skip }, () => {
  let c: IpvsClient;
  before(async () => {
    flush();
    ipvsadmLines(RICH_TABLE);
    c = await Client.open();
  });
  after(() => {
    c?.close();
    flush();
  });

  it('in-process formatting equals ipvsadm -L for every flag set', async () => {
    for (const f of FLAGSETS) {
      const want = ipvsadm('-L', ...f);
      const got = (await listOutput(c, parseIpvsadmArgs(['-L', ...f]))).text;
      assert.equal(got, want.stdout, `-L ${f.join(' ')}`);
    }
  });

  it('-h and -v print what ipvsadm prints', async () => {
    for (const args of [['-h'], ['--help'], ['-v']]) {
      const want = ipvsadm(...args);
      let out = '';
      const status = await runIpvsadmArgs(c, args, { out: (s) => (out += s), err: () => {} });
      assert.deepEqual([status, out], [want.status, want.stdout], args.join(' '));
    }
  });

  it('`hactl vs list` processes print what ipvsadm prints', () => {
    for (const f of [['-n'], ['-n', '--tun-info'], ['-n', '-t', '192.0.2.1:80'], []]) {
      const want = ipvsadm('-L', ...f);
      const got = hactl(['vs', 'list', ...f]);
      assert.equal(got.status, 0, got.stderr);
      assert.equal(got.stdout, want.stdout, `vs list ${f.join(' ')}`);
    }
  });

  it('`hactl ipvsadm -Ln` / `-Sn` / no arguments, and `hactl save [-n]`', () => {
    for (const args of [['-Ln'], ['-S'], []]) {
      const want = ipvsadm(...args);
      const got = hactl(['ipvsadm', ...args]);
      assert.deepEqual([got.status, got.stdout], [want.status, want.stdout], `ipvsadm ${args.join(' ')}`);
    }
    assert.equal(hactl(['save', '-n']).stdout, ipvsadm('-Sn').stdout);
    assert.equal(hactl(['save']).stdout, ipvsadm('-S').stdout);
  });

  it('--json and --pretty render the same table', () => {
    const j = hactl(['vs', 'list', '--json']);
    assert.equal(j.status, 0, j.stderr);
    const parsed = JSON.parse(j.stdout) as { services: Array<{ dests: unknown[] }> };
    assert.equal(parsed.services.length, 13);
    assert.equal(
      parsed.services.reduce((n, s) => n + s.dests.length, 0),
      13,
    );
    const p = hactl(['vs', 'list', '--pretty']);
    assert.equal(p.status, 0, p.stderr);
    assert.match(p.stdout, /TCP 192\.0\.2\.1:80/);
    assert.match(p.stdout, /198\.51\.100\.1:8080/);
  });
});
