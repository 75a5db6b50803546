/** Golden tests of the IPVS planner (src/lib/ipvs/plan.ts) with fixed tables. */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatIpv6 } from '../../src/lib/addr';
import { canonicalAddr } from '../../src/lib/ipvs/addr';
import { Fwd, IPPROTO_TCP, IPPROTO_UDP, SvcFlag, TunType } from '../../src/lib/ipvs/constants';
import { opToRule } from '../../src/lib/ipvs/diff';
import { isInetNtopV6 } from '../../src/lib/addr';
import { destId, serviceId } from '../../src/lib/ipvs/ids';
import { destNeedsEdit, planTable, serviceNeedsEdit, TableModel } from '../../src/lib/ipvs/plan';
import type { Dest, Service, ServiceWithDests } from '../../src/lib/ipvs/types';

const S = (addr: string, extra: Partial<ServiceWithDests> = {}): ServiceWithDests => ({
  af: addr.includes(':') ? 10 : 2,
  protocol: IPPROTO_TCP,
  addr,
  port: 80,
  fwmark: 0,
  sched: 'wlc',
  flags: 0,
  timeout: 0,
  netmask: addr.includes(':') ? 128 : 0xffffffff,
  pe: '',
  dests: [],
  ...extra,
});
const D = (addr: string, extra: Partial<Dest> = {}): Dest => ({
  af: addr.includes(':') ? 10 : 2,
  addr,
  port: 80,
  fwd: Fwd.DROUTE,
  weight: 1,
  uThresh: 0,
  lThresh: 0,
  tunType: 0,
  tunPort: 0,
  tunFlags: 0,
  ...extra,
});
const rules = (live: ServiceWithDests[], want: ServiceWithDests[], o?: Parameters<typeof planTable>[2]) => planTable(live, want, o).map((p) => opToRule(p.op));

describe('ipvs planner: when a service needs an edit', () => {
  const base: Service = S('192.0.2.1');
  const cases: [string, Partial<Service>, Partial<Service>, boolean][] = [
    ['same', {}, {}, false],
    ['scheduler', { sched: 'rr' }, {}, true],
    ['one-packet flag', { flags: SvcFlag.ONEPACKET }, {}, true],
    ['scheduler flag', { flags: SvcFlag.SCHED2 }, {}, true],
    ['a bit outside the mask', { flags: 0x40 }, {}, false],
    ['HASHED', { flags: SvcFlag.HASHED }, {}, false],
    ['pe without persistence', { pe: 'sip' }, {}, true],
    ['pe with persistence', { flags: 1, timeout: 60, pe: 'sip' }, { flags: 1, timeout: 60 }, true],
    ['timeout, not persistent', { timeout: 300 }, { timeout: 0 }, false],
    ['netmask, not persistent', { netmask: 0xffffff00 }, {}, false],
    ['timeout, persistent', { flags: 1, timeout: 300 }, { flags: 1, timeout: 60 }, true],
    ['netmask, persistent', { flags: 1, timeout: 60, netmask: 0xffffff00 }, { flags: 1, timeout: 60 }, true],
    ['netmask signed/unsigned', { flags: 1, timeout: 60, netmask: 0xffffff00 }, { flags: 1, timeout: 60, netmask: 0xffffff00 | 0 }, false],
    ['persistence turned off', { flags: 1, timeout: 60 }, {}, true],
  ];
  for (const [name, live, want, edit] of cases) it(`${name}: ${edit ? 'edit' : 'no edit'}`, () => assert.equal(serviceNeedsEdit({ ...base, ...live }, { ...base, ...want }), edit));
});

describe('ipvs planner: when a destination needs an edit', () => {
  const base = D('198.51.100.1');
  const cases: [string, Partial<Dest>, Partial<Dest>, boolean][] = [
    ['same', {}, {}, false],
    ['weight', { weight: 2 }, {}, true],
    ['upper threshold', { uThresh: 10 }, {}, true],
    ['lower threshold', { lThresh: 1 }, {}, true],
    ['forwarding method', { fwd: Fwd.MASQ }, {}, true],
    ['bits outside FWD_MASK', { fwd: Fwd.DROUTE | 0x100 }, {}, false],
    ['tunnel fields of a DR destination', { tunType: TunType.GUE, tunPort: 6080 }, {}, false],
    ['tunnel type', { fwd: Fwd.TUNNEL, tunType: TunType.IPIP }, { fwd: Fwd.TUNNEL, tunType: TunType.GRE }, true],
    ['tunnel port', { fwd: Fwd.TUNNEL, tunType: TunType.GUE, tunPort: 6080 }, { fwd: Fwd.TUNNEL, tunType: TunType.GUE, tunPort: 6081 }, true],
    ['tunnel flags', { fwd: Fwd.TUNNEL, tunType: TunType.GUE, tunFlags: 1 }, { fwd: Fwd.TUNNEL, tunType: TunType.GUE }, true],
  ];
  for (const [name, live, want, edit] of cases) it(`${name}: ${edit ? 'edit' : 'no edit'}`, () => assert.equal(destNeedsEdit({ ...base, ...live }, { ...base, ...want }), edit));
});

describe('ipvs planner: identities', () => {
  it('addresses are keyed as the kernel prints them back', () => {
    assert.equal(destId(D('::ffff:c000:201')), destId(D('::ffff:192.0.2.1')));
    assert.equal(destId(D('2001:DB8:0:0::1')), '[2001:db8::1]:80');
    assert.equal(serviceId(S('::ffff:c000:20a')), serviceId(S('::ffff:192.0.2.10')));
    assert.notEqual(destId(D('198.51.100.1')), destId(D('198.51.100.1', { port: 81 })));
    assert.equal(serviceId({ af: 2, protocol: IPPROTO_UDP, addr: '192.0.2.1', port: 5, fwmark: 7 }), serviceId({ af: 2, protocol: 0, addr: '0.0.0.0', port: 0, fwmark: 7 }));
    assert.notEqual(serviceId({ af: 2, protocol: 0, addr: '0.0.0.0', port: 0, fwmark: 7 }), serviceId({ af: 10, protocol: 0, addr: '::', port: 0, fwmark: 7 }));
  });
});

describe('ipvs planner: golden plans', () => {
  it('equal tables (stats, counters and HASHED aside): nothing', () => {
    const live = [S('192.0.2.1', { flags: SvcFlag.HASHED, stats64: true, dests: [{ ...D('198.51.100.1'), activeConns: 5 }] })];
    assert.deepEqual(rules(live, [S('192.0.2.1', { dests: [D('198.51.100.1')] })]), []);
  });

  it('an empty live table: every service, each followed by its destinations, in wanted order', () => {
    assert.deepEqual(rules([], [S('192.0.2.2', { dests: [D('198.51.100.2'), D('198.51.100.1')] }), S('192.0.2.1', { sched: 'rr', dests: [D('198.51.100.3', { weight: 0 })] })]), [
      '-A -t 192.0.2.2:80 -s wlc',
      '-a -t 192.0.2.2:80 -r 198.51.100.2:80 -g -w 1',
      '-a -t 192.0.2.2:80 -r 198.51.100.1:80 -g -w 1',
      '-A -t 192.0.2.1:80 -s rr',
      '-a -t 192.0.2.1:80 -r 198.51.100.3:80 -g -w 0',
    ]);
  });

  it('a mixed change: per service edit, edits and adds; then removed destinations; then removed services', () => {
    const live = [
      S('192.0.2.1', { dests: [D('198.51.100.1'), D('198.51.100.2'), D('198.51.100.3')] }),
      S('192.0.2.2', { dests: [D('198.51.100.9')] }),
      S('192.0.2.3', { pe: 'sip', dests: [D('198.51.100.8')] }),
    ];
    const want = [
      S('192.0.2.3', { dests: [D('198.51.100.8', { fwd: Fwd.TUNNEL, tunType: TunType.GUE, tunPort: 6080 })] }),
      S('192.0.2.1', { flags: SvcFlag.PERSISTENT, timeout: 60, netmask: 0xffffff00, dests: [D('198.51.100.4'), D('198.51.100.2', { weight: 3, uThresh: 100 }), D('198.51.100.1')] }),
    ];
    assert.deepEqual(rules(live, want), [
      '-E -t 192.0.2.3:80 -s wlc',
      '-e -t 192.0.2.3:80 -r 198.51.100.8:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-nocsum',
      '-E -t 192.0.2.1:80 -s wlc -p 60 -M 255.255.255.0',
      '-a -t 192.0.2.1:80 -r 198.51.100.4:80 -g -w 1',
      '-e -t 192.0.2.1:80 -r 198.51.100.2:80 -g -w 3 -x 100',
      '-d -t 192.0.2.1:80 -r 198.51.100.3:80',
      '-D -t 192.0.2.2:80',
    ]);
  });

  it('deletable limits which unwanted services are removed (the daemon only removes its own)', () => {
    const live = [S('192.0.2.1'), S('192.0.2.2'), S('192.0.2.3')];
    assert.deepEqual(rules(live, [S('192.0.2.1')], { deletable: new Set([serviceId(S('192.0.2.3'))]) }), ['-D -t 192.0.2.3:80']);
    assert.deepEqual(rules(live, [S('192.0.2.1')], { deletable: new Set() }), []);
  });

  it('IPv4-mapped and other IPv6 spellings of the same addresses: nothing to do', () => {
    const live = [S('2001:db8::10', { dests: [D('::ffff:192.0.2.1'), D('2001:db8::1')] })];
    const want = [S('2001:DB8:0::10', { dests: [D('::ffff:c000:201'), D('2001:db8:0:0:0:0:0:1')] })];
    assert.deepEqual(rules(live, want), []);
  });

  it('fwmark services are one service whatever protocol/address text they carry', () => {
    const live = [S('0.0.0.0', { protocol: 0, port: 0, fwmark: 5, dests: [D('198.51.100.1', { port: 0 })] })];
    const want = [S('192.0.2.1', { protocol: IPPROTO_TCP, port: 80, fwmark: 5, dests: [D('198.51.100.1', { port: 0, weight: 2 })] })];
    assert.deepEqual(rules(live, want), ['-e -f 5 -r 198.51.100.1:0 -g -w 2']);
  });

  it('lines: each planned operation carries the line of its wanted entry', () => {
    const want = [S('192.0.2.1', { dests: [D('198.51.100.1')] })];
    const lines = new Map([
      [serviceId(want[0]), 3],
      [`${serviceId(want[0])}|${destId(want[0].dests[0])}`, 4],
    ]);
    assert.deepEqual(
      planTable([], want, { lines }).map((p) => p.line),
      [3, 4],
    );
  });

  it('the model keys canonically: the kernel form of a dest added in conf form is the same dest', () => {
    const m = TableModel.from([S('2001:db8::10')]);
    assert.equal(m.apply({ kind: 'add-dest', svc: S('2001:db8::10'), dest: D('::ffff:c000:201') }).errno, 0);
    assert.equal(m.apply({ kind: 'add-dest', svc: S('2001:db8::10'), dest: D('::ffff:192.0.2.1') }).errno, 17);
    assert.equal(m.apply({ kind: 'del-dest', svc: S('2001:db8:0::10'), dest: D('::ffff:192.0.2.1') }).errno, 0);
  });
});

describe('ipvs planner: the fast canonical check agrees with inet_ntop', () => {
  it('on fixed spellings', () => {
    const yes = ['2001:db8::1', '2001:db8::', '2001:db8:0:1::1', 'fe80::1:0:0:1', '1::4:0:0:7:8', '1:2:3:4:5:6:7:8', '1:0:3:4:5:6:7:8'];
    for (const s of yes) assert.equal(isInetNtopV6(s), true, s);
    const no = ['::1', '::', '::ffff:c000:201', '::ffff:192.0.2.1', '2001:DB8::1', '2001:db8:0:0::1', '2001:0db8::1', '1:0:0:4:5:6:7:8', '1:0::5:6:7:8', '1:0:0:0:5::8', '1:2:3:4:5:6:7::', '1::2::3', '1:2:3:4:5:6:7'];
    for (const s of no) assert.equal(isInetNtopV6(s), false, s);
  });
  it('on random addresses: whenever it says canonical, inet_ntop prints the same text; inet_ntop output passes it unless it starts with ::', () => {
    let seed = 12345;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x80000000;
    };
    for (let n = 0; n < 5000; n++) {
      const b = Buffer.alloc(16);
      for (let i = 0; i < 8; i++) if (rnd() < 0.5) b.writeUInt16BE(rnd() < 0.3 ? 1 : Math.floor(rnd() * 65536), i * 2);
      const text = formatIpv6(b);
      if (!text.startsWith('::') && !text.includes('.')) assert.equal(isInetNtopV6(text), true, text);
      // Spellings of the same address: full, uncompressed, upper case, leading zeros.
      const words = [...Array(8)].map((_, i) => b.readUInt16BE(i * 2).toString(16));
      for (const s of [words.join(':'), words.map((w) => w.padStart(4, '0')).join(':'), text.toUpperCase()]) {
        if (isInetNtopV6(s)) assert.equal(canonicalAddr(10, s), s, s);
      }
    }
  });
});
