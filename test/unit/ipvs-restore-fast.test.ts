/**
 * The restore fast path (encodeFast): for the files it accepts it must send
 * byte for byte the requests the general planner + codec send, in the same
 * order with the same line numbers; anything else must be left to the
 * general path (null).
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeOp } from '../../src/lib/ipvs/codec';
import { encodeFast, parseV4Port, planRestore } from '../../src/lib/ipvs/restore';

const FAMILY = 0x1c;
const PID = 0x12345;

function same(text: string): number {
  const enc = encodeFast(text, FAMILY, PID);
  assert.ok(enc, 'fast path accepts the file');
  const plan = planRestore(text, [], false);
  assert.deepEqual(plan.errors, []);
  assert.equal(enc.n, plan.ops.length);
  for (let i = 0; i < enc.n; i++) {
    const want = encodeOp(plan.ops[i].op, FAMILY, 0, PID);
    const got = enc.buf.subarray(enc.offs[i], enc.offs[i + 1]);
    assert.equal(got.toString('hex'), want.toString('hex'), `request ${i} (line ${plan.ops[i].line})`);
    assert.equal(enc.lines[i], plan.ops[i].line);
  }
  // Append mode on an empty table plans the same operations.
  assert.deepEqual(
    planRestore(text, [], true).ops.map((p) => p.line),
    plan.ops.map((p) => p.line),
  );
  return enc.n;
}

describe('ipvs restore fast path', () => {
  it('parseV4Port accepts canonical a.b.c.d:port only', () => {
    assert.equal(parseV4Port('192.0.2.1:80'), (0xc0000201 * 65536) + 80);
    assert.equal(parseV4Port('0.0.0.0:0'), 0);
    assert.equal(parseV4Port('255.255.255.255:65535'), 0xffffffff * 65536 + 65535);
    for (const bad of ['192.0.2.1', '192.0.2.01:80', '192.0.2.1:080', '192.0.2.256:80', '192.0.2:80', '192.0.2.1.5:80', '192.0.2.1:65536', '192.0.2.1:', 'x.0.2.1:80', '192.0.2.1:8a', '1234.0.0.1:1', '[2001:db8::1]:80'])
      assert.equal(parseV4Port(bad), -1, bad);
  });

  it('encodes every simple -S line exactly like the general path', () => {
    const text = [
      '# saved rules',
      '-A -t 192.0.2.1:80 -s wlc',
      '-a -t 192.0.2.1:80 -r 203.0.113.1:8080 -m -w 1',
      '-a -t 192.0.2.1:80 -r 203.0.113.2:8080 -g -w 0',
      '-a -t 192.0.2.1:80 -r 203.0.113.3:9 -i -w 2147483647',
      '',
      '-A -u 192.0.2.1:53 -s rr',
      '-a -u 192.0.2.1:53 -r 203.0.113.1:53 -m -w 7',
      '-A --sctp-service 198.51.100.7:3868 -s sh',
      '-a --sctp-service 198.51.100.7:3868 -r 203.0.113.9:3868 -g -w 3',
      '-A -t 0.0.0.1:65535 -s mh',
      '-a -t 192.0.2.1:80 -r 203.0.113.4:1 -m -w 007',
      '',
    ].join('\n');
    assert.equal(same(text), 10);
  });

  it('a bench-sized file: same bytes as the general path', () => {
    const lines: string[] = [];
    for (let i = 0; i < 300; i++) {
      const vip = `192.0.2.${1 + (i % 250)}:${1000 + Math.floor(i / 250)}`;
      lines.push(`-A -t ${vip} -s ${['wlc', 'rr', 'lc'][i % 3]}`);
      for (let d = 0; d < 4; d++) lines.push(`-a -t ${vip} -r 203.0.113.${1 + d}:${2000 + i} ${['-m', '-g', '-i'][d % 3]} -w ${d}`);
    }
    assert.equal(same(`${lines.join('\n')}\n`), 1500);
  });

  it('numbers the requests from firstSeq and reuses a service line\'s address only when it is really the same', () => {
    const text = '-A -t 192.0.2.1:80 -s rr\n-a -t 192.0.2.1:80 -r 203.0.113.1:80 -m -w 1\n-A -u 192.0.2.1:80 -s rr\n-a -u 192.0.2.1:80 -r 203.0.113.1:80 -m -w 1\n-a -t 192.0.2.1:80 -r 203.0.113.2:80 -m -w 1\n';
    same(text);
    const enc = encodeFast(text, FAMILY, PID, 1000);
    assert.ok(enc);
    for (let i = 0; i < enc.n; i++) assert.equal(enc.buf.readUInt32LE(enc.offs[i] + 8), 1000 + i);
    // "192.0.2.1:80" is a prefix of "192.0.2.1:8080": not the same service.
    assert.equal(encodeFast('-A -t 192.0.2.1:80 -s rr\n-a -t 192.0.2.1:8080 -r 203.0.113.1:80 -m -w 1\n', FAMILY, PID), null);
  });

  it('leaves everything else to the general path', () => {
    const base = '-A -t 192.0.2.1:80 -s rr\n';
    const cases = [
      '-A -t 192.0.2.1:80 -s rr\n-A -t 192.0.2.1:80 -s wlc\n', // duplicate service
      '-a -t 192.0.2.1:80 -r 203.0.113.1:80 -m -w 1\n', // dest before its service
      `${base}-a -t 192.0.2.1:80 -r 203.0.113.1:80 -m -w 1\n-a -t 192.0.2.1:80 -r 203.0.113.1:80 -m -w 2\n`, // duplicate dest
      `${base}-a -t 192.0.2.1:80 -r 203.0.113.1:81 -g -w 1\n-a -t 192.0.2.1:80 -r 203.0.113.1:82 -g -w 1\n`, // same dest once DR forces the port
      '-A -t 192.0.2.01:80 -s rr\n',
      '-A -t 192.0.2.1:80 -s rr -p 300\n',
      '-A -t 192.0.2.1:0 -s rr\n',
      '-A -t 192.0.2.1:80 -s RR\n',
      '-A\t-t 192.0.2.1:80 -s rr\n',
      ' -A -t 192.0.2.1:80 -s rr\n',
      '-A -t 192.0.2.1:80 -s rr\r\n',
      '-A -t [2001:db8::1]:80 -s rr\n',
      '-A -f 1 -s rr\n',
      `${base}-a -t 192.0.2.1:80 -r 203.0.113.1:80 -m -w 2147483648\n`,
      `${base}-a -t 192.0.2.1:80 -r 203.0.113.1:80 -m -w -1\n`,
      `${base}-a -t 192.0.2.1:80 -r 203.0.113.1 -m -w 1\n`,
      `${base}-a -t 192.0.2.1:80 -r 203.0.113.1:80 -m -w 1 -x 5\n`,
      `-C\n${base}`,
      `${base}-E -t 192.0.2.1:80 -s wlc\n`,
    ];
    for (const text of cases) assert.equal(encodeFast(text, FAMILY, PID), null, JSON.stringify(text));
  });
});
