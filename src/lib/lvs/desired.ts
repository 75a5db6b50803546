/**
 * The IPVS table the daemon wants, computed from the virtual server specs and
 * their health state (state.ts). Pure. This is the table keepalived's checker
 * process converges to (ipwrapper.c / ipvswrapper.c):
 *
 * - a real server is in its services with its effective weight when it is
 *   alive and no sorry server is standing in for the pool;
 * - otherwise an `inhibit_on_failure` real server stays with weight 0 and
 *   any other real server is absent;
 * - a sorry server is in with weight 1 while the quorum is lost; with
 *   `sorry_server_inhibit` it otherwise stays with weight 0;
 * - destinations that are not NAT take the service's port (0 for fwmark);
 * - a drained real server (`hactl rs drain`) that would be in is in with weight 0.
 */
import { AF_INET6, Fwd, SvcFlag } from '../ipvs/constants';
import type { LvsState, VirtualServerState } from './state';
import { destTextId, serviceTextId } from '../ipvs/ids';
import { type Dest, realWeight, type Service, type ServiceKey, type VirtualServerSpec } from './types';

export interface WantedService {
  service: Service;
  dests: Map<string, Dest>;
  /** The virtual server (FMT_VS) this service belongs to. */
  vsId: string;
}

export type IpvsTable = Map<string, WantedService>;

/** The service object keepalived sends for one key of a virtual server (ipvs_set_srule). */
export function serviceFor(v: VirtualServerSpec, key: ServiceKey): Service {
  const persistent = v.persistenceTimeout > 0;
  const defMask = key.af === AF_INET6 ? 128 : 0xffffffff;
  return {
    af: key.af,
    protocol: key.protocol,
    addr: key.addr,
    port: key.port,
    fwmark: key.fwmark,
    sched: v.sched,
    flags: (v.flags & ~(SvcFlag.PERSISTENT | SvcFlag.HASHED)) | (persistent ? SvcFlag.PERSISTENT : 0),
    timeout: persistent ? v.persistenceTimeout : 0,
    netmask: persistent && v.persistenceNetmask !== undefined ? v.persistenceNetmask : defMask,
    pe: persistent ? v.pe : '',
  };
}

/** A destination before its weight is known (a real server or sorry server spec fits). */
type DestInput = Omit<Dest, 'weight' | 'activeConns' | 'inactConns' | 'persistConns' | 'stats'>;

function destFor(key: ServiceKey, d: DestInput, weight: number): Dest {
  const port = d.fwd === Fwd.MASQ ? d.port : key.fwmark ? 0 : key.port;
  return {
    af: d.af,
    addr: d.addr,
    port,
    fwd: d.fwd,
    weight,
    uThresh: d.uThresh,
    lThresh: d.lThresh,
    tunType: d.tunType,
    tunPort: d.tunPort,
    tunFlags: d.tunFlags,
  };
}

/** Destinations of one virtual server (before per-service port mapping), keyed by real-server address|port. */
export function wantedDests(v: VirtualServerState, sorryActive: boolean): { input: DestInput; weight: number }[] {
  const out = new Map<string, { input: DestInput; weight: number }>();
  for (const rs of v.rs.values()) {
    const r = rs.spec;
    if (rs.alive && !sorryActive) out.set(destTextId(r), { input: r, weight: rs.drained ? 0 : realWeight(rs.effectiveWeight) });
    else if (r.inhibitOnFailure) out.set(destTextId(r), { input: r, weight: 0 });
  }
  const ss = v.spec.sorryServer;
  if (ss) {
    if (sorryActive) out.set(destTextId(ss), { input: { ...ss, uThresh: 0, lThresh: 0 }, weight: 1 });
    else if (ss.inhibit && !out.has(destTextId(ss))) out.set(destTextId(ss), { input: { ...ss, uThresh: 0, lThresh: 0 }, weight: 0 });
  }
  return [...out.values()];
}

/** The wanted table for the current state: every virtual server, or only those in `only`. */
export function desiredTable(state: LvsState, only?: ReadonlySet<string>): IpvsTable {
  const table: IpvsTable = new Map();
  for (const v of state.vs.values()) {
    if (only && !only.has(v.id)) continue;
    const dests = wantedDests(v, state.sorryActive(v));
    for (const key of v.spec.services) {
      const k = serviceTextId(key);
      if (table.has(k)) continue; // the first virtual server using a service wins (keepalived rejects duplicates)
      const m = new Map<string, Dest>();
      for (const d of dests) {
        const dest = destFor(key, d.input, d.weight);
        m.set(destTextId(dest), dest);
      }
      table.set(k, { service: serviceFor(v.spec, key), dests: m, vsId: v.id });
    }
  }
  return table;
}
