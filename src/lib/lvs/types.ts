/**
 * The LVS half of the daemon (keepalived's checker process), as hactl's own
 * types. src/lib/lvs/from-config.ts maps the keepalived.conf model onto them;
 * the pure parts (state.ts, desired.ts) and the reconciler only see these.
 *
 * Times are milliseconds. Addresses are canonical text (as the kernel prints
 * them back). IPVS objects are src/lib/ipvs's own types.
 */
import type { Daemon, Dest, Af, Op, Service, ServiceKey, ServiceWithDests } from '../ipvs/types';

export type { Daemon, Dest, Af, Op, Service, ServiceKey, ServiceWithDests };

export type Protocol = 'tcp' | 'udp' | 'sctp';

/** One checker of a real server, opaque to this module except for timing. */
export interface CheckerSpec {
  /** Stable id within its real server (e.g. "TCP_CHECK#0"). */
  id: string;
  /** keepalived checker keyword (TCP_CHECK, HTTP_GET, ...). */
  type: string;
  /** delay_loop of this checker (ms). */
  delayLoopMs: number;
  /** alpha: the checker starts down (the real server is not added until it succeeds). */
  alpha: boolean;
  /** Options for the CheckerPort (the check library's options), passed through unchanged. */
  options: unknown;
}

export interface RealServerSpec {
  addr: string;
  af: Af;
  /** Port as IPVS gets it (0 for fwmark services without NAT). */
  port: number;
  /** Configured weight (iweight). */
  weight: number;
  /** Fwd.* */
  fwd: number;
  uThresh: number;
  lThresh: number;
  tunType: number;
  tunPort: number;
  tunFlags: number;
  inhibitOnFailure: boolean;
  notifyUp?: ScriptSpec;
  notifyDown?: ScriptSpec;
  checkers: CheckerSpec[];
}

export interface SorryServerSpec {
  addr: string;
  af: Af;
  port: number;
  fwd: number;
  tunType: number;
  tunPort: number;
  tunFlags: number;
  /** sorry_server_inhibit */
  inhibit: boolean;
}

/** What a virtual_server expands to in IPVS: one or more service keys (groups expand). */
export interface VirtualServerSpec {
  /** keepalived's FMT_VS: "[192.0.2.1]:tcp:80", "FWM 5", "[grp]:0". Also the state key. */
  id: string;
  /** Protocol number for FMT_RS ("tcp", "udp", "sctp", "none" for fwmark). */
  protocolName: 'tcp' | 'udp' | 'sctp' | 'none';
  /** The IPVS services this virtual server owns (1, or many for a group). */
  services: ServiceKey[];
  sched: string;
  /** IP_VS_SVC_F_* without PERSISTENT/HASHED: ONEPACKET and SCHED1..3. */
  flags: number;
  /** persistence_timeout in seconds; 0 = not persistent. */
  persistenceTimeout: number;
  /** Netmask as src/lib/ipvs stores it: IPv4 host-order u32 mask, IPv6 prefix length. */
  persistenceNetmask?: number;
  pe: string;
  quorum: number;
  hysteresis: number;
  quorumUp?: ScriptSpec;
  quorumDown?: ScriptSpec;
  alpha: boolean;
  omega: boolean;
  haSuspend: boolean;
  /** Addresses whose presence on the host ha_suspend waits for (the VIPs). */
  vips: string[];
  sorryServer?: SorryServerSpec;
  realServers: RealServerSpec[];
}

export interface LvsSyncDaemonSpec {
  interface: string;
  syncId: number;
  maxLen?: number;
  port?: number;
  ttl?: number;
  group?: string;
  /** VRRP instance whose state decides master/backup (informational here). */
  instance?: string;
}

export interface LvsSpec {
  virtualServers: VirtualServerSpec[];
  syncDaemon?: LvsSyncDaemonSpec;
  /** global_defs lvs_flush: clear the whole IPVS table at start. */
  flushOnStart?: boolean;
  /** global_defs lvs_flush_on_stop without VS: empty the whole IPVS table at stop (keepalived's LVS_FLUSH_FULL). */
  flushOnStop?: boolean;
  /** global_defs lvs_timeouts (seconds; 0 = leave as is). */
  timeouts?: { tcp: number; tcpFin: number; udp: number };
  /** global_defs lvs_notify_fifo and notify_fifo (paths): RS/VS lines go to both. */
  notifyFifos?: string[];
  /** How to open them: their *_fifo_script and owner (src/lib/notify/fifo.ts). */
  notifyFifoSetup?: FifoSetup[];
}

/**
 * A notify script (notify_up/down, quorum_up/down) as keepalived runs it: the command line (split
 * into argv, never through a shell) and the user/group it runs as - its own `username [groupname]`
 * or global_defs script_user; unset: the daemon's user.
 */
/** lvs_notify_fifo / notify_fifo with its script (run once, the FIFO's path as last argument) and owner. */
export interface FifoSetup {
  path: string;
  what: 'notify_fifo' | 'lvs_notify_fifo';
  script?: ScriptSpec;
  owner?: { user: string; group?: string };
}

export interface ScriptSpec {
  command: string;
  user?: string;
  group?: string;
}

/** Something the daemon must do besides IPVS: run a notify script, write a FIFO line, log. */
export type LvsEvent =
  | ({ kind: 'script'; why: string } & ScriptSpec)
  | { kind: 'fifo'; line: string }
  | { kind: 'log'; message: string };

/** The result a CheckerPort reports for one run of one checker (retries already done). */
export interface CheckOutcome {
  up: boolean;
  reason: string;
  /** MISC_CHECK misc_dynamic: the new weight. */
  weight?: number;
  durationMs?: number;
}

/** keepalived's inet_sockaddrtotrio: "[addr]:proto:port". */
export function fmtTrio(addr: string, proto: string, port: number): string {
  return `[${addr}]:${proto}:${port}`;
}

/** IPVS weights are clamped like keepalived's real_weight(). */
export const IPVS_WEIGHT_MAX = 65535;
export function realWeight(w: number): number {
  return Math.min(IPVS_WEIGHT_MAX, Math.max(0, w));
}
