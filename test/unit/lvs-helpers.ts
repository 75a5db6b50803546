/** Spec builders for the LVS unit tests. */
import { Fwd, IPPROTO_TCP } from '../../src/lib/ipvs/constants';
import { LvsReconciler } from '../../src/lib/lvs/reconciler';
import type { CheckerSpec, LvsEvent, LvsSpec, RealServerSpec, SorryServerSpec, VirtualServerSpec } from '../../src/lib/lvs/types';
import { FakeCheckers, FakeClock, FakeIpvs } from './lvs-fakes';

export function chk(id = 'TCP_CHECK#0', extra: Partial<CheckerSpec> = {}): CheckerSpec {
  return { id, type: id.split('#')[0], delayLoopMs: 1000, alpha: false, options: {}, ...extra };
}

export function rs(addr: string, port = 80, extra: Partial<RealServerSpec> = {}): RealServerSpec {
  return {
    addr,
    af: 2,
    port,
    weight: 1,
    fwd: Fwd.MASQ,
    uThresh: 0,
    lThresh: 0,
    tunType: 0,
    tunPort: 0,
    tunFlags: 0,
    inhibitOnFailure: false,
    checkers: [chk()],
    ...extra,
  };
}

export function sorry(addr: string, port = 80, extra: Partial<SorryServerSpec> = {}): SorryServerSpec {
  return { addr, af: 2, port, fwd: Fwd.MASQ, tunType: 0, tunPort: 0, tunFlags: 0, inhibit: false, ...extra };
}

export function vs(addr: string, port: number, realServers: RealServerSpec[], extra: Partial<VirtualServerSpec> = {}): VirtualServerSpec {
  return {
    id: `[${addr}]:tcp:${port}`,
    protocolName: 'tcp',
    services: [{ af: 2, protocol: IPPROTO_TCP, addr, port, fwmark: 0 }],
    sched: 'wlc',
    flags: 0,
    persistenceTimeout: 0,
    pe: '',
    quorum: 1,
    hysteresis: 0,
    alpha: false,
    omega: false,
    haSuspend: false,
    vips: [addr],
    realServers,
    ...extra,
  };
}

export function svc(addr: string, port: number): string {
  return `${IPPROTO_TCP}|${addr}|${port}`;
}

export interface Rig {
  ipvs: FakeIpvs;
  clock: FakeClock;
  checks: FakeCheckers;
  rec: LvsReconciler;
  events: LvsEvent[];
  present: Set<string>;
}

export function rig(opts: { dontRelease?: boolean; ipvs?: FakeIpvs } = {}): Rig {
  const ipvs = opts.ipvs ?? new FakeIpvs();
  const clock = new FakeClock();
  const checks = new FakeCheckers(clock);
  const events: LvsEvent[] = [];
  const present = new Set<string>();
  const rec = new LvsReconciler({
    ipvs,
    checkers: checks,
    clock,
    random: () => 0,
    onEvent: (e) => events.push(e),
    dontRelease: opts.dontRelease,
    vipPresent: (a) => present.has(a),
  });
  return { ipvs, clock, checks, rec, events, present };
}

/** Start, then run every checker once (first run at 1 s with random() = 0). */
export async function startAndCheck(r: Rig, spec: LvsSpec): Promise<void> {
  await r.rec.start(spec);
  await r.clock.advance(1000);
  await r.rec.idle();
}

export async function tick(r: Rig, ms = 1000): Promise<void> {
  await r.clock.advance(ms);
  await r.rec.idle();
}
