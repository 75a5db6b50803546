/** Plain objects describing the IPVS table (what the codec encodes and decodes). */

import type { Af } from '../addr';

/** The kernel's address family number (AF_INET 2, AF_INET6 10). */
export type { Af };

/** Counters of a service or destination (STATS64 when the kernel has it). */
export interface Stats {
  conns: number;
  inpkts: number;
  outpkts: number;
  inbytes: number;
  outbytes: number;
  cps: number;
  inpps: number;
  outpps: number;
  inbps: number;
  outbps: number;
}

/** Identifies a virtual service: fwmark (> 0) or protocol + address + port. */
export interface ServiceKey {
  af: Af;
  /** IPPROTO_TCP/UDP/SCTP; 0 for fwmark services. */
  protocol: number;
  /** Canonical textual address ("0.0.0.0" / "::" for fwmark services). */
  addr: string;
  port: number;
  fwmark: number;
}

export interface Service extends ServiceKey {
  sched: string;
  /** IP_VS_SVC_F_* (HASHED is dropped on decode). */
  flags: number;
  /** Persistence timeout in seconds (meaningful with the PERSISTENT flag). */
  timeout: number;
  /** IPv4: the mask as a host-order u32 (0xffffffff = /32); IPv6: prefix length. */
  netmask: number;
  /** Persistence engine name, "" when none. */
  pe: string;
  stats?: Stats;
  /** Decoded STATS64 (true) or 32-bit STATS (false). */
  stats64?: boolean;
}

export interface Dest {
  af: Af;
  addr: string;
  port: number;
  /** Fwd.* (masq, local, tunnel, droute). */
  fwd: number;
  weight: number;
  uThresh: number;
  lThresh: number;
  tunType: number;
  tunPort: number;
  tunFlags: number;
  activeConns?: number;
  inactConns?: number;
  persistConns?: number;
  stats?: Stats;
}

export interface ServiceWithDests extends Service {
  dests: Dest[];
}

export interface Timeouts {
  tcp: number;
  tcpFin: number;
  udp: number;
}

export interface Daemon {
  /** DaemonState.MASTER or BACKUP. */
  state: number;
  ifname: string;
  syncId: number;
  maxLen?: number;
  /** Multicast group (IPv4 or IPv6 text), "" when unset. */
  group?: string;
  port?: number;
  ttl?: number;
}

export interface Info {
  version: number;
  connTabSize: number;
}

/** One change to the IPVS table: what a netlink request does. */
export type Op =
  | { kind: 'add-service'; svc: Service }
  | { kind: 'edit-service'; svc: Service }
  | { kind: 'del-service'; svc: ServiceKey }
  | { kind: 'add-dest'; svc: ServiceKey; dest: Dest }
  | { kind: 'edit-dest'; svc: ServiceKey; dest: Dest }
  | { kind: 'del-dest'; svc: ServiceKey; dest: Dest }
  | { kind: 'flush' }
  | { kind: 'zero'; svc?: ServiceKey }
  | { kind: 'set-timeout'; timeouts: Timeouts }
  | { kind: 'start-daemon'; daemon: Daemon }
  | { kind: 'stop-daemon'; daemon: Daemon };
