/**
 * `hactl restore` and `hactl vrrp run` identify services and destinations the
 * same way (one planner, plan.ts), but the daemon, like keepalived, only adds
 * to what is already there. Each pair is fed to both paths:
 * - restore: the wanted table saved as ipvsadm -S rules, planned by planRestore
 *   against the live table (what `hactl ipvs save > f; hactl restore f` does);
 * - reconciler: the LVS daemon started on a kernel-like IPVS holding the live
 *   table, with a configuration whose desired table is the wanted one: what
 *   the kernel accepts from it is restore's adds of destinations only (an
 *   existing service or destination is left as it is, nothing is deleted).
 * The kernel-like IPVS keys and prints addresses as the kernel does (bytes,
 * glibc inet_ntop: ::ffff:192.0.2.1), whatever text an operation carried.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Fwd, IPPROTO_TCP, SvcFlag, TunType } from '../../src/lib/ipvs/constants';
import { opToRule } from '../../src/lib/ipvs/diff';
import { formatTable } from '../../src/lib/ipvs/format';
import { planRestore } from '../../src/lib/ipvs/restore';
import type { Dest, Op, Service, ServiceWithDests } from '../../src/lib/ipvs/types';
import { parseIpv6 } from '../../src/lib/conf/values';
import { desiredTable } from '../../src/lib/lvs/desired';
import { LvsState } from '../../src/lib/lvs/state';
import type { LvsSpec, VirtualServerSpec } from '../../src/lib/lvs/types';
import { canonOp, KernelLikeIpvs } from './lvs-fakes';
import { rig, rs, vs } from './lvs-helpers';

const VIP = '192.0.2.10';
const VIP6 = '2001:db8::10';

function liveSvc(extra: Partial<Service>, dests: Dest[]): ServiceWithDests {
  return { af: 2, protocol: IPPROTO_TCP, addr: VIP, port: 80, fwmark: 0, sched: 'wlc', flags: 0, timeout: 0, netmask: 0xffffffff, pe: '', ...extra, dests };
}

function liveDest(addr: string, extra: Partial<Dest> = {}): Dest {
  return { af: 2, addr, port: 80, fwd: Fwd.MASQ, weight: 1, uThresh: 0, lThresh: 0, tunType: 0, tunPort: 0, tunFlags: 0, ...extra };
}

/** Real servers without checkers: always in, so the desired table is known at start. */
const up = (addr: string, extra: Parameters<typeof rs>[2] = {}) => rs(addr, 80, { checkers: [], ...extra });

interface Pair {
  name: string;
  live: ServiceWithDests[];
  spec: VirtualServerSpec[];
  /** What both paths must plan (ipvsadm rules, addresses as the kernel prints them). */
  want: string[];
}

const pairs: Pair[] = [
  {
    name: 'a persistence engine left on a service that is not persistent (pe sip) is removed',
    live: [liveSvc({ pe: 'sip' }, [liveDest('198.51.100.1')])],
    spec: [vs(VIP, 80, [up('198.51.100.1')])],
    want: ['-E -t 192.0.2.10:80 -s wlc'],
  },
  {
    name: 'flags outside the meaningful mask do not call for an edit',
    live: [liveSvc({ flags: 0x40 }, [liveDest('198.51.100.1')])],
    spec: [vs(VIP, 80, [up('198.51.100.1')])],
    want: [],
  },
  {
    name: 'timeout and netmask of a service that is not persistent are not compared',
    live: [liveSvc({ timeout: 300, netmask: 0xffffff00 }, [liveDest('198.51.100.1')])],
    spec: [vs(VIP, 80, [up('198.51.100.1')])],
    want: [],
  },
  {
    name: 'persistence changes, a weight change, a new and a removed real server: edits and adds first, removals last',
    live: [liveSvc({ flags: SvcFlag.PERSISTENT, timeout: 300, netmask: 0xffffffff, pe: 'sip' }, [liveDest('198.51.100.1'), liveDest('198.51.100.2')])],
    spec: [vs(VIP, 80, [up('198.51.100.1', { weight: 5 }), up('198.51.100.3')], { persistenceTimeout: 60, persistenceNetmask: 0xffffff00, pe: 'sip' })],
    want: [
      '-E -t 192.0.2.10:80 -s wlc -p 60 -M 255.255.255.0 --pe sip',
      '-e -t 192.0.2.10:80 -r 198.51.100.1:80 -m -w 5',
      '-a -t 192.0.2.10:80 -r 198.51.100.3:80 -m -w 1',
      '-d -t 192.0.2.10:80 -r 198.51.100.2:80',
    ],
  },
  {
    name: 'tunnel fields count for a tunnel destination only',
    live: [liveSvc({}, [liveDest('198.51.100.1', { fwd: Fwd.TUNNEL, tunType: TunType.IPIP }), liveDest('198.51.100.2', { fwd: Fwd.DROUTE, tunType: TunType.GRE })])],
    spec: [vs(VIP, 80, [up('198.51.100.1', { fwd: Fwd.TUNNEL, tunType: TunType.GRE }), up('198.51.100.2', { fwd: Fwd.DROUTE })])],
    want: ['-e -t 192.0.2.10:80 -r 198.51.100.1:80 -i -w 1 --tun-type gre --tun-nocsum'],
  },
  {
    name: 'an IPv4-mapped IPv6 real server written ::ffff:c000:201 in the configuration is the kernel\'s ::ffff:192.0.2.1',
    live: [liveSvc({ af: 10, addr: VIP6 }, [liveDest('::ffff:192.0.2.1', { af: 10 }), liveDest('2001:db8::1', { af: 10 })])],
    spec: [
      vs(VIP6, 80, [up(parseIpv6('::ffff:192.0.2.1')!, { af: 10 }), up('2001:db8::1', { af: 10, weight: 2 })], {
        services: [{ af: 10, protocol: IPPROTO_TCP, addr: VIP6, port: 80, fwmark: 0 }],
      }),
    ],
    want: ['-e -t [2001:db8::10]:80 -r [2001:db8::1]:80 -m -w 2'],
  },
  {
    name: 'an IPv4-mapped VIP written ::ffff:c000:20a in the configuration is the kernel\'s ::ffff:192.0.2.10',
    live: [liveSvc({ af: 10, addr: '::ffff:192.0.2.10', netmask: 128 }, [liveDest('2001:db8::1', { af: 10 })])],
    spec: [
      vs(parseIpv6('::ffff:192.0.2.10')!, 80, [up('2001:db8::1', { af: 10 }), up('2001:db8::2', { af: 10 })], {
        services: [{ af: 10, protocol: IPPROTO_TCP, addr: parseIpv6('::ffff:192.0.2.10')!, port: 80, fwmark: 0 }],
      }),
    ],
    want: ['-a -t [::ffff:192.0.2.10]:80 -r [2001:db8::2]:80 -m -w 1'],
  },
];

async function reconcilerPlan(live: ServiceWithDests[], spec: LvsSpec): Promise<string[]> {
  const ipvs = new KernelLikeIpvs();
  for (const s of live) {
    const { dests, ...svc } = s;
    await ipvs.apply([{ kind: 'add-service', svc }, ...dests.map((dest): Op => ({ kind: 'add-dest', svc, dest }))]);
  }
  const before = ipvs.log.length;
  const r = rig({ ipvs });
  await r.rec.start(spec);
  await r.rec.idle();
  const ops = ipvs.log.slice(before).map((op) => opToRule(canonOp(op)));
  await r.rec.stop();
  return ops;
}

function restorePlan(live: ServiceWithDests[], spec: LvsSpec): string[] {
  const st = new LvsState();
  st.init(spec, 0);
  const wanted = [...desiredTable(st).values()].map((w) => ({ ...w.service, dests: [...w.dests.values()] }));
  const plan = planRestore(formatTable(wanted, null, { rule: true, numeric: true }), live, false);
  assert.deepEqual(plan.errors, []);
  return plan.ops.map((p) => opToRule(canonOp(p.op)));
}

describe('restore plans the difference, the LVS daemon only the missing destinations', () => {
  for (const p of pairs) {
    it(p.name, async () => {
      const spec: LvsSpec = { virtualServers: p.spec };
      const viaRestore = restorePlan(p.live, spec);
      const viaDaemon = await reconcilerPlan(p.live, spec);
      const adds = viaRestore.filter((l) => l.startsWith('-a '));
      assert.deepEqual(viaDaemon, adds, 'the daemon changed more than keepalived would');
      assert.deepEqual(viaRestore, p.want);
    });
  }
});
