/**
 * Draining a real server (`hactl rs drain` / `undrain`), the pure parts: which configured
 * real server an IPVS service + destination names (the daemon's side), and how the wait
 * for its connections goes (the CLI's side: one decision per sample of the kernel's counts).
 * No I/O: drain-cli.ts reads IPVS and talks to the LVS half; reconciler.ts and desired.ts
 * keep a drained real server at weight 0.
 */
import { Fwd } from '../ipvs/constants';
import { destTextId, serviceId } from '../ipvs/ids';
import type { RealServerSpec, ServiceKey, VirtualServerSpec } from './types';

/** What the command line names: an IPVS service and a destination (port null: -r without a port). */
export interface DrainTarget {
  svc: ServiceKey;
  addr: string;
  port: number | null;
}

/** The port a real server has in IPVS for one of its virtual server's services (desired.ts destFor). */
export function ipvsDestPort(key: ServiceKey, r: Pick<RealServerSpec, 'fwd' | 'port'>): number {
  return r.fwd === Fwd.MASQ ? r.port : key.fwmark ? 0 : key.port;
}

export type DrainMatch =
  | { kind: 'found'; vsId: string; rsKey: string; rs: RealServerSpec }
  /** no configured virtual server has this service: not the daemon's to drain */
  | { kind: 'not-managed' }
  | { kind: 'error'; message: string; hint?: string };

/** The configured real server `t` names, among the daemon's virtual servers. */
export function findDrainTarget(vss: readonly VirtualServerSpec[], t: DrainTarget): DrainMatch {
  const k = serviceId(t.svc);
  for (const v of vss) {
    const key = v.services.find((s) => serviceId(s) === k);
    if (!key) continue;
    const hits = v.realServers.filter((r) => r.addr === t.addr && (t.port === null || ipvsDestPort(key, r) === t.port || r.port === t.port));
    if (hits.length === 1) return { kind: 'found', vsId: v.id, rsKey: destTextId(hits[0]), rs: hits[0] };
    const list = v.realServers.map((r) => `${r.af === 10 ? `[${r.addr}]` : r.addr}:${ipvsDestPort(key, r)}`).join(', ') || 'none';
    if (hits.length > 1) return { kind: 'error', message: `real server ${t.addr} is in virtual server ${v.id} more than once`, hint: `give its port: ${list}` };
    return { kind: 'error', message: `virtual server ${v.id} has no real server ${t.addr}${t.port === null ? '' : `:${t.port}`} in the running configuration`, hint: `its real servers: ${list}` };
  }
  return { kind: 'not-managed' };
}

/** The kernel's connection counts of one destination (activeConns / inactConns). */
export interface ConnSample {
  active: number;
  inactive: number;
}

export type WaitStep =
  /** still waiting; `changed`: the counts differ from the previous sample (print a line off a terminal) */
  | { kind: 'wait'; changed: boolean }
  | { kind: 'done' }
  | { kind: 'timeout' }
  /** the destination went away (deleted by hand, or the daemon took the real server out) */
  | { kind: 'gone' };

/**
 * One sample of the wait: done once the active connections are 0 (and the inactive ones too
 * with `inactive`; IPVS counts a TCP connection as inactive from FIN until its TIME_WAIT
 * timeout, 2 min by default, so they are not waited for unless asked).
 */
export function waitStep(prev: ConnSample | undefined, cur: ConnSample | undefined, elapsedMs: number, timeoutMs: number, inactive = false): WaitStep {
  if (!cur) return { kind: 'gone' };
  if (cur.active === 0 && (!inactive || cur.inactive === 0)) return { kind: 'done' };
  if (elapsedMs >= timeoutMs) return { kind: 'timeout' };
  return { kind: 'wait', changed: !prev || prev.active !== cur.active || prev.inactive !== cur.inactive };
}

/** "3 active, 12 inactive connection(s)" */
export function connText(c: ConnSample): string {
  return `${c.active} active, ${c.inactive} inactive connection(s)`;
}
