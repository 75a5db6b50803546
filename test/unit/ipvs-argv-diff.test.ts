import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IpvsadmArgError, parseIpvsadmArgs, parseSavedLineFast } from '../../src/lib/ipvs/argv';
import { opToRule, rollbackOps } from '../../src/lib/ipvs/diff';
import { ERRNO, IPVS_UNAVAILABLE, IpvsUnavailableError, ipvsStrerror } from '../../src/lib/ipvs/errors';
import { formatTable } from '../../src/lib/ipvs/format';
import { planTable, TableModel } from '../../src/lib/ipvs/plan';
import { planRestore } from '../../src/lib/ipvs/restore';
import { ruleLines, splitWords } from '../../src/lib/ipvs/rules';
import type { ServiceWithDests } from '../../src/lib/ipvs/types';

function argErr(argv: string[]): { message: string; code: number; tryHelp: boolean } {
  try {
    parseIpvsadmArgs(argv);
  } catch (e) {
    if (e instanceof IpvsadmArgError) return { message: e.message, code: e.exitCode, tryHelp: e.tryHelp };
    throw e;
  }
  throw new Error(`no error for ${argv.join(' ')}`);
}

describe('ipvsadm argv', () => {
  it('parses a service with every option', () => {
    const ce = parseIpvsadmArgs(['-A', '-u', '[2001:db8::1]:53', '-s', 'sh', '-p', '-M', '64', '-b', 'sh-port', '-o']);
    assert.equal(ce.cmd, 'add-service');
    assert.deepEqual(
      { af: ce.svc.af, proto: ce.svc.protocol, addr: ce.svc.addr, port: ce.svc.port, flags: ce.svc.flags, timeout: ce.svc.timeout, mask: ce.svc.netmask },
      { af: 10, proto: 17, addr: '2001:db8::1', port: 53, flags: 1 | 4 | 0x10, timeout: 360, mask: 64 },
    );
  });
  it('-p takes an optional value; clusters like -Ln work; default scheduler wlc', () => {
    assert.equal(parseIpvsadmArgs(['-A', '-t', '192.0.2.1:80', '-p', '60']).svc.timeout, 60);
    assert.equal(parseIpvsadmArgs(['-A', '-t', '192.0.2.1:80', '-p600']).svc.timeout, 600);
    assert.equal(parseIpvsadmArgs(['-A', '-t', '192.0.2.1:80']).svc.sched, 'wlc');
    const l = parseIpvsadmArgs(['-Ln', '--stats', '--exact']);
    assert.deepEqual(l.fmt, { numeric: true, stats: true, exact: true });
  });
  it('dest defaults: droute, weight 1, port forced to the service port for DR/TUN', () => {
    const ce = parseIpvsadmArgs(['-a', '-t', '192.0.2.1:80', '-r', '198.51.100.1:8080']);
    assert.deepEqual([ce.dest.fwd, ce.dest.weight, ce.dest.port], [3, 1, 80]);
    const m = parseIpvsadmArgs(['-a', '-t', '192.0.2.1:80', '-r', '198.51.100.1:8080', '-m', '-w', '0', '-x', '5', '-y', '1']);
    assert.deepEqual([m.dest.fwd, m.dest.weight, m.dest.port, m.dest.uThresh, m.dest.lThresh], [0, 0, 8080, 5, 1]);
    const t = parseIpvsadmArgs(['-a', '-f', '9', '-r', '2001:db8::9', '-i', '--tun-type', 'gue', '--tun-port', '6080', '--tun-csum']);
    assert.deepEqual([t.dest.af, t.dest.tunType, t.dest.tunPort, t.dest.tunFlags], [10, 1, 6080, 1]);
  });
  it("ipvsadm's messages and exit codes for bad input", () => {
    const cases: Array<[string[], string, number]> = [
      [['-A', '-t', '256.1.1.1:80'], 'illegal virtual server address[:port] specified', 2],
      [['-A', '-t', '192.0.2.1:65536'], 'illegal virtual server address[:port] specified', 2],
      [['-A', '-t', '192.0.2.1:0'], 'Zero port specified for non-persistent service', 2],
      [['-a', '-t', '192.0.2.1:80', '-r', '198.51.100.1', '-w', '2147483648'], 'illegal weight specified', 2],
      [['-a', '-t', '192.0.2.1:80', '-r', '198.51.100.1', '-w', '-1'], 'illegal weight specified', 2],
      [['-a', '-t', '192.0.2.1:80', '-r', '198.51.100.1', '-x', 'lots'], 'illegal u_threshold specified', 2],
      [['-a', '-t', '192.0.2.1:80', '-r', '198.51.100.1', '-y', '2147483648'], 'illegal l_threshold specified', 2],
      [['-a', '-t', '192.0.2.1:80', '-r', '2001:db8::1', '-m'], 'Different address family is allowed only for tunneling servers', 2],
      [['-a', '-t', '192.0.2.1:80', '-r', '198.51.100.1', '--tun-type', 'gue'], 'Tunnel options conflict with forward method', 2],
      [['-a', '-t', '192.0.2.1:80', '-r', '198.51.100.1', '-i', '--tun-type', 'gue'], "You need to supply the 'tun-port' option for the 'gue' tunnel type", 2],
      [['-a', '-t', '192.0.2.1:80'], "You need to supply the 'real-server' option for the 'add-server' command", 2],
      [['-A', '-s', 'rr'], "You need to supply the 'service-address' option for the 'add-service' command", 2],
      [['-A', '-t', '192.0.2.1:80', '-w', '1'], "Illegal 'weight' option with the 'add-service' command", 2],
      [['-A', '-t', '192.0.2.1:80', '-s', 'rr', '-s', 'wrr'], "multiple 'scheduler' options specified", 2],
      [['-A', '-f', '0'], "invalid fwmark value `0' specified", 2],
      [['-A', '-t', '192.0.2.1:80', '-p', '0'], "invalid timeout value `0' specified", 2],
      [['-A', '-t', '192.0.2.1:80', '-o'], 'One-Packet Scheduling is only for UDP virtual services', 2],
      [['-A', '-t', '192.0.2.1:80', '-b', 'sh-port'], "incompatible scheduler flag `sh-port'", 2],
      [['-L', '-c', '--timeout'], "The option 'timeout' conflicts with the 'connection' option in the 'list' command", 2],
      [['--set', '1', '2'], '--set option requires 3 timeout values', 2],
      [['-C', 'extra'], 'unexpected argument extra', 2],
      [['-A', '-6'], '-6 used before -f\n', 2],
    ];
    for (const [argv, message, code] of cases) assert.deepEqual(argErr(argv), { message, code, tryHelp: false }, argv.join(' '));
    assert.deepEqual(argErr(['-Q']), { message: '', code: 255, tryHelp: true });
    assert.deepEqual(argErr(['-A', '--bogus']), { message: '--bogus: unknown option', code: 255, tryHelp: false });
  });
  it('rule files: words, quotes, comments and line numbers', () => {
    assert.deepEqual(splitWords(`-A -t "192.0.2.1:80"  -s 'rr'`), ['-A', '-t', '192.0.2.1:80', '-s', 'rr']);
    assert.deepEqual(
      ruleLines('# saved\n-A -t 192.0.2.1:80 -s rr\n\n-a -t 192.0.2.1:80 -r 198.51.100.1\n').map((l) => l.line),
      [2, 4],
    );
  });
});

const S = (addr: string, sched = 'rr', dests: ServiceWithDests['dests'] = []): ServiceWithDests => ({
  af: 2,
  protocol: 6,
  addr,
  port: 80,
  fwmark: 0,
  sched,
  flags: 0,
  timeout: 0,
  netmask: 0xffffffff,
  pe: '',
  dests,
});
const D = (addr: string, weight = 1) => ({ af: 2 as const, addr, port: 80, fwd: 3, weight, uThresh: 0, lThresh: 0, tunType: 0, tunPort: 0, tunFlags: 0 });

describe('ipvs diff planner', () => {
  it('minimal, ordered: additions and edits first, removals last', () => {
    const live = [S('192.0.2.1', 'rr', [D('198.51.100.1'), D('198.51.100.2')]), S('192.0.2.9')];
    const want = [S('192.0.2.1', 'wrr', [D('198.51.100.2', 5), D('198.51.100.3')]), S('192.0.2.5', 'rr', [D('198.51.100.7')])];
    const plan = planTable(live, want).map((p) => opToRule(p.op));
    assert.deepEqual(plan, [
      '-E -t 192.0.2.1:80 -s wrr',
      '-e -t 192.0.2.1:80 -r 198.51.100.2:80 -g -w 5',
      '-a -t 192.0.2.1:80 -r 198.51.100.3:80 -g -w 1',
      '-A -t 192.0.2.5:80 -s rr',
      '-a -t 192.0.2.5:80 -r 198.51.100.7:80 -g -w 1',
      '-d -t 192.0.2.1:80 -r 198.51.100.1:80',
      '-D -t 192.0.2.9:80',
    ]);
    assert.deepEqual(planTable(want, want), [], 'no-op when equal');
  });
  it('applying the plan then its rollback gives back the live table', () => {
    const live = [S('192.0.2.1', 'rr', [D('198.51.100.1'), D('198.51.100.2')]), S('192.0.2.9', 'lc', [D('198.51.100.9')])];
    const want = [S('192.0.2.1', 'wrr', [D('198.51.100.2', 5)]), S('192.0.2.5')];
    const ops = planTable(live, want).map((p) => p.op);
    const m = TableModel.from(live);
    for (const op of ops) assert.equal(m.apply(op).errno, 0);
    assert.equal(formatTable(m.toTable(), null, { rule: true }), formatTable(want, null, { rule: true }));
    for (const op of rollbackOps(live, ops)) assert.equal(m.apply(op).errno, 0, opToRule(op));
    assert.equal(formatTable(m.toTable(), null, { rule: true }), formatTable(live, null, { rule: true }));
  });
  it('the model reports the kernel errno of impossible operations', () => {
    const m = TableModel.from([S('192.0.2.1', 'rr', [D('198.51.100.1')])]);
    assert.equal(m.apply({ kind: 'add-service', svc: S('192.0.2.1') }).errno, ERRNO.EEXIST);
    assert.equal(m.apply({ kind: 'add-dest', svc: S('192.0.2.1'), dest: D('198.51.100.1') }).errno, ERRNO.EEXIST);
    assert.equal(m.apply({ kind: 'del-dest', svc: S('192.0.2.1'), dest: D('198.51.100.4') }).errno, ERRNO.ENOENT);
    assert.equal(m.apply({ kind: 'del-service', svc: S('192.0.2.7') }).errno, ERRNO.ESRCH);
  });
  it('restore plans: every bad line reported with its number, nothing planned to apply', () => {
    const text = '-A -t 192.0.2.1:80 -s rr\n-a -t 192.0.2.1:80 -r 198.51.100.1 -w 2147483648\n-a -t 192.0.2.7:80 -r 198.51.100.1\n-A -t 192.0.2.1:80 -s rr\n';
    const p = planRestore(text, [], false);
    assert.deepEqual(
      p.errors.map((e) => [e.line, e.message]),
      [
        [2, 'illegal weight specified'],
        [3, 'Service not defined'],
        [4, 'Service already exists'],
      ],
    );
    const ok = planRestore('-A -t 192.0.2.1:80 -s rr\n-a -t 192.0.2.1:80 -r 198.51.100.1\n', [S('192.0.2.1', 'rr', [D('198.51.100.1')])], false);
    assert.deepEqual(ok, { ops: [], errors: [] }, 'already as wanted: nothing to do');
    const fresh = planRestore('-A -t 192.0.2.1:80 -s rr\n-a -t 192.0.2.1:80 -r 198.51.100.1\n-A -t 192.0.2.2:80 -s rr\n', [], false);
    assert.deepEqual(
      fresh.ops.map((o) => [o.line, opToRule(o.op)]),
      [
        [1, '-A -t 192.0.2.1:80 -s rr'],
        [2, '-a -t 192.0.2.1:80 -r 198.51.100.1:80 -g -w 1'],
        [3, '-A -t 192.0.2.2:80 -s rr'],
      ],
      'cleared kernel: the file in order',
    );
    const churn = planRestore('-A -t 192.0.2.1:80 -s rr\n-a -t 192.0.2.1:80 -r 198.51.100.1\n-d -t 192.0.2.1:80 -r 198.51.100.1\n', [], false);
    assert.deepEqual(
      churn.ops.map((o) => opToRule(o.op)),
      ['-A -t 192.0.2.1:80 -s rr'],
      'the end state, not every step',
    );
    const app = planRestore('-a -t 192.0.2.1:80 -r 198.51.100.2\n', [S('192.0.2.1')], true);
    assert.deepEqual(app.ops.map((o) => [o.line, o.op.kind]), [[1, 'add-dest']]);
  });
});

describe('ipvs error mapping', () => {
  it("ipvsadm's per-operation messages", () => {
    assert.equal(ipvsStrerror('add-service', ERRNO.EEXIST), 'Service already exists');
    assert.equal(ipvsStrerror('add-service', ERRNO.ENOENT), 'Scheduler or persistence engine not found');
    assert.equal(ipvsStrerror('edit-service', ERRNO.ESRCH), 'No such service');
    assert.equal(ipvsStrerror('add-dest', ERRNO.ESRCH), 'Service not defined');
    assert.equal(ipvsStrerror('add-dest', ERRNO.EEXIST), 'Destination already exists');
    assert.equal(ipvsStrerror('del-dest', ERRNO.ENOENT), 'No such destination');
    assert.equal(ipvsStrerror('flush', ERRNO.EPERM), 'Permission denied (you must be root)');
    assert.equal(ipvsStrerror('start-daemon', ERRNO.ENODEV), 'No such device');
  });
  it('one sentence when the family is missing', () => {
    assert.equal(new IpvsUnavailableError().message, IPVS_UNAVAILABLE);
    assert.equal(IPVS_UNAVAILABLE, 'IPVS is not available: load the ip_vs module');
  });
});

describe('ipvsadm -S fast line parser', () => {
  it('gives exactly what the general parser gives, and declines everything else', () => {
    const same = [
      '-A -t 192.0.2.1:80 -s wlc',
      '-A -u 198.51.100.250:65535 -s rr',
      '-A --sctp-service 203.0.113.9:3868 -s mh',
      '-a -t 192.0.2.1:80 -r 203.0.113.1:8080 -m -w 1',
      '-a -t 192.0.2.1:80 -r 203.0.113.1:8080 -g -w 0',
      '-a -u 192.0.2.1:53 -r 203.0.113.1:5353 -i -w 2147483647',
      '-A -t 192.0.2.01:80 -s wlc', // inet_aton: octal 01
    ];
    for (const l of same) {
      const args = l.split(' ');
      assert.deepEqual(parseSavedLineFast(args), parseIpvsadmArgs(args), l);
    }
    for (const l of [
      '-A -t 192.0.2.1:0 -s wlc',
      '-A -t [2001:db8::1]:80 -s wlc',
      '-A -t 192.0.2.1:80 -s wlc -p 30',
      '-a -t 192.0.2.1:80 -r 203.0.113.1:8080 -m -w 2147483648',
      '-a -t 192.0.2.1:80 -r 203.0.113.1:8080 -i -w 1 --tun-type ipip',
      '-A -f 1 -s rr',
    ])
      assert.equal(parseSavedLineFast(l.split(' ')), null, l);
  });
});
