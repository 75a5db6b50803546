/**
 * `hactl vrrp drain` / `undrain` (the whole director), the pure parts: which instances to step
 * down or give back, and when the drain is complete. The step-down itself is the drill's
 * (the daemon's `drill NAME` / `drill-return NAME` on the control socket: priority 0, VIPs
 * removed, held BACKUP until given back), so there is one home for it.
 */
import type { VipAnnounceStatus } from '../bgp/announcer';
import type { DaemonStatus, InstanceStatus } from './daemon';

export interface DrainSelection {
  /** --instance NAME (repeatable); empty with `all` */
  names: string[];
  all: boolean;
}

export interface DrainPick {
  /** the instances to ask the daemon about */
  go: string[];
  /** the others, each with why */
  skip: { instance: string; why: string }[];
  /** a named instance the daemon does not have */
  unknown: string[];
}

/** drain: the MASTER instances; undrain: the ones a drain (or drill) holds BACKUP. */
export function pickInstances(s: Pick<DaemonStatus, 'instances'>, sel: DrainSelection, op: 'drain' | 'undrain'): DrainPick {
  const byName = new Map(s.instances.map((i) => [i.name, i]));
  const wanted = sel.all ? s.instances.map((i) => i.name) : sel.names;
  const out: DrainPick = { go: [], skip: [], unknown: [] };
  for (const n of wanted) {
    const i = byName.get(n);
    if (!i) out.unknown.push(n);
    else if (op === 'drain') {
      if (i.state === 'MASTER') out.go.push(n);
      else out.skip.push({ instance: n, why: i.drillHold ? 'already drained (held BACKUP)' : `${i.state}, not MASTER: nothing to hand over` });
    } else if (i.drillHold) out.go.push(n);
    else out.skip.push({ instance: n, why: 'not drained' });
  }
  return out;
}

/** The address of a VIP entry ("192.0.2.1/24" -> "192.0.2.1"). */
const vipAddr = (v: string) => v.replace(/\/\d+$/, '');

/** What is still not handed over, per instance: its state, no peer heard as MASTER, a VIP still announced over BGP. */
export function drainPending(s: Pick<DaemonStatus, 'instances' | 'bgp'>, names: readonly string[]): { instance: string; why: string }[] {
  const out: { instance: string; why: string }[] = [];
  const announced = new Map((s.bgp ?? []).map((b: VipAnnounceStatus) => [vipAddr(b.vip), b.announced]));
  for (const n of names) {
    const i: InstanceStatus | undefined = s.instances.find((x) => x.name === n);
    if (!i) {
      out.push({ instance: n, why: 'gone from the daemon (a reload removed it?)' });
      continue;
    }
    if (i.state === 'MASTER') out.push({ instance: n, why: 'still MASTER' });
    else if (!i.masterAddr) out.push({ instance: n, why: `${i.state}, no other router's advert accepted yet (no peer holds the VIPs)` });
    const still = i.vips.map(vipAddr).filter((v) => announced.get(v) === true);
    if (still.length) out.push({ instance: n, why: `still announced over BGP: ${still.join(', ')}` });
  }
  return out;
}

/** undrain --wait: the instances not MASTER again. */
export function undrainPending(s: Pick<DaemonStatus, 'instances'>, names: readonly string[]): { instance: string; why: string }[] {
  return names.flatMap((n) => {
    const i = s.instances.find((x) => x.name === n);
    return !i ? [{ instance: n, why: 'gone from the daemon' }] : i.state === 'MASTER' ? [] : [{ instance: n, why: `${i.state}${i.drillHold ? ' (still held)' : ''}` }];
  });
}
