/**
 * Typed model of keepalived.conf(5) as read by keepalived 2.2.7.
 *
 * Every node carries `pos` (where its keyword starts) and `at`, the position of
 * each keyword that set one of its fields (key = the keepalived keyword as
 * written, e.g. `at.priority`). Values are already typed: addresses carry their
 * family and prefix, timers are seconds as numbers (fractions allowed where
 * keepalived allows them), booleans follow keepalived's on|off|true|false|yes|no.
 * Keywords that keepalived accepts but that hactl does not model in detail are
 * kept verbatim in `extra` (keyword, words, position) so nothing is lost.
 *
 * This module is types only (plus tiny constructors): no I/O.
 */
import type { FamilyName } from '../addr';

/** A source position: 1-based line and column, file as given/resolved. */
export interface Pos {
  file: string;
  line: number;
  col: number;
}

/** `note`: information that does not change the exit code (keepalived -t is silent there too). */
export type Severity = 'error' | 'warning' | 'note';

export interface Diagnostic {
  file: string;
  line: number;
  col: number;
  severity: Severity;
  message: string;
  /** Stable rule id, e.g. `unknown-keyword`, `range`, `duplicate-vip`. */
  rule: string;
}

export type { FamilyName };

/** An IP address, optionally with a prefix length (`/24`). */
export interface IpAddress {
  family: FamilyName;
  /** Canonical textual form without prefix (IPv6 compressed, lower case). */
  address: string;
  /** Prefix length if written (or implied by the context); undefined when absent. */
  prefix?: number;
  /** The text as written. */
  text: string;
}

/** A keyword kept verbatim (accepted by keepalived, not modelled in detail). */
export interface RawEntry {
  keyword: string;
  args: string[];
  pos: Pos;
  /** Sub-block entries, when the keyword opened a block. */
  block?: RawEntry[];
}

export interface NodeBase {
  pos: Pos;
  /** Position of each keyword seen in this block (last occurrence wins). */
  at: Record<string, Pos>;
  /** Accepted keywords that are not modelled by a typed field. */
  extra: RawEntry[];
  /** Position of the closing `}` of the block (when present). */
  end?: Pos;
}

/** A script invocation (`notify_master "/path arg"`, `script ...`, `misc_path ...`). */
/** `notify_fifo FIFO_NAME [username [groupname]]`: who owns a FIFO that keepalived creates. */
export interface FifoOwner {
  user: string;
  group?: string;
}

export interface ScriptRef {
  /** The whole command line as one string (as keepalived stores it). */
  command: string;
  /** argv split like keepalived does (quotes removed). */
  argv: string[];
  /** `username [groupname]` given after the script (only where keepalived allows it). */
  user?: string;
  group?: string;
  pos: Pos;
}

// ---------------------------------------------------------------------------
// global_defs

export interface GlobalDefs extends NodeBase {
  router_id?: string;
  notification_email: string[];
  notification_email_from?: string;
  smtp_server?: { address: IpAddress | string; port?: number; pos: Pos };
  smtp_helo_name?: string;
  smtp_connect_timeout?: number;
  script_user?: { user: string; group?: string; pos: Pos };
  enable_script_security: boolean;
  max_auto_priority?: number;
  /** Any flag/value global `vrrp_*` keyword: vrrp_garp_master_delay, vrrp_strict, vrrp_version, ... */
  vrrp: {
    mcast_group4?: IpAddress;
    mcast_group6?: IpAddress;
    garp_master_delay?: number;
    garp_master_repeat?: number;
    garp_master_refresh?: number;
    garp_master_refresh_repeat?: number;
    garp_lower_prio_delay?: number;
    garp_lower_prio_repeat?: number;
    garp_interval?: number;
    gna_interval?: number;
    lower_prio_no_advert?: boolean;
    higher_prio_send_advert?: boolean;
    version?: 2 | 3;
    strict: boolean;
    skip_check_adv_addr: boolean;
    check_unicast_src: boolean;
    iptables?: string[];
    ipsets?: string[];
    priority?: number;
    no_swap: boolean;
    rt_priority?: number;
    min_garp: boolean;
    notify_fifo?: ScriptRef | string;
    notify_fifo_owner?: FifoOwner;
    notify_fifo_script?: ScriptRef;
    startup_delay?: number;
  };
  checker: {
    priority?: number;
    no_swap: boolean;
    rt_priority?: number;
    notify_fifo?: string;
    notify_fifo_owner?: FifoOwner;
    notify_fifo_script?: ScriptRef;
    log_all_failures: boolean;
  };
  lvs_sync_daemon?: {
    interface: string;
    instance: string;
    id?: number;
    maxlen?: number;
    port?: number;
    ttl?: number;
    group?: IpAddress;
    pos: Pos;
  };
  lvs_timeouts?: { tcp?: number; tcpfin?: number; udp?: number; pos: Pos };
  lvs_flush: boolean;
  /** lvs_flush_on_stop: 'full' (no argument: empty the whole table at stop) or 'VS' (delete each virtual server without its real servers first). */
  lvs_flush_on_stop?: 'full' | 'VS';
  notify_fifo?: string;
  notify_fifo_owner?: FifoOwner;
  notify_fifo_script?: ScriptRef;
  dynamic_interfaces: boolean;
  default_interface?: string;
  snmp_socket?: string;
  enable_traps: boolean;
  enable_snmp_vrrp: boolean;
  enable_snmp_checker: boolean;
  enable_snmp_rfc: boolean;
  enable_dbus: boolean;
  net_namespace?: string;
  instance?: string;
}

// ---------------------------------------------------------------------------
// Static addresses / routes / rules (also the shape used in vrrp_instance)

export interface VirtualIp {
  pos: Pos;
  address: IpAddress;
  /** Prefix length actually used (written, or /32 resp. /128 by default). */
  prefix: number;
  family: FamilyName;
  brd?: string;
  dev?: string;
  label?: string;
  scope?: string;
  peer?: IpAddress;
  noprefixroute: boolean;
  nodad: boolean;
  home: boolean;
  track_group?: string;
  /** The words of the entry as written. */
  words: string[];
}

export interface RouteEntry {
  pos: Pos;
  /** Destination (`default` gives 0.0.0.0/0 or ::/0 as IpAddress with prefix). */
  to?: IpAddress;
  type?: string;
  src?: IpAddress;
  via?: IpAddress;
  dev?: string;
  table?: string;
  metric?: number;
  scope?: string;
  /** Remaining options kept as words. */
  words: string[];
}

export interface RuleEntry {
  pos: Pos;
  from?: IpAddress;
  to?: IpAddress;
  table?: string;
  preference?: number;
  iif?: string;
  oif?: string;
  fwmark?: string;
  words: string[];
}

// ---------------------------------------------------------------------------
// Tracking

export interface VrrpScript extends NodeBase {
  name: string;
  script?: ScriptRef;
  interval?: number;
  timeout?: number;
  weight?: number;
  /** `weight N reverse` */
  weight_reverse: boolean;
  rise?: number;
  fall?: number;
  user?: string;
  group?: string;
  init_fail: boolean;
}

export interface VrrpTrackProcess extends NodeBase {
  name: string;
  process?: string;
  param_match?: string;
  weight?: number;
  weight_reverse: boolean;
  quorum?: number;
  quorum_max?: number;
  fork_delay?: number;
  terminate_delay?: number;
  delay?: number;
  full_command: boolean;
}

export interface TrackFile extends NodeBase {
  name: string;
  file?: string;
  weight?: number;
  weight_reverse: boolean;
  init_file?: { value?: number; overwrite: boolean; pos: Pos };
}

/** An entry of a track_interface / track_script / track_file / track_process block. */
export interface TrackRef {
  pos: Pos;
  name: string;
  weight?: number;
  reverse: boolean;
}

export interface SyncGroup extends NodeBase {
  name: string;
  group: { name: string; pos: Pos }[];
  track_interface: TrackRef[];
  track_script: TrackRef[];
  track_file: TrackRef[];
  track_process: TrackRef[];
  notify_master?: ScriptRef;
  notify_backup?: ScriptRef;
  notify_fault?: ScriptRef;
  notify_stop?: ScriptRef;
  notify?: ScriptRef;
  smtp_alert?: boolean;
  global_tracking: boolean;
  sync_group_tracking_weight: boolean;
}

export interface GarpGroup extends NodeBase {
  garp_interval?: number;
  gna_interval?: number;
  interface?: string;
  interfaces: string[];
}

// ---------------------------------------------------------------------------
// vrrp_instance

export interface VrrpInstance extends NodeBase {
  name: string;
  state?: 'MASTER' | 'BACKUP';
  interface?: string;
  virtual_router_id?: number;
  priority?: number;
  advert_int?: number;
  /** Effective version: `version` in the instance, else `vrrp_version` in global_defs, else 3 for IPv6 instances, else 2. */
  version?: 2 | 3;
  authentication?: { auth_type?: 'PASS' | 'AH'; auth_pass?: string; pos: Pos; at: Record<string, Pos> };
  virtual_ipaddress: VirtualIp[];
  virtual_ipaddress_excluded: VirtualIp[];
  virtual_routes: RouteEntry[];
  virtual_rules: RuleEntry[];
  unicast_src_ip?: IpAddress;
  unicast_peer: { pos: Pos; address: IpAddress; min_ttl?: number; max_ttl?: number; words: string[] }[];
  mcast_src_ip?: IpAddress;
  track_interface: TrackRef[];
  track_script: TrackRef[];
  track_file: TrackRef[];
  track_process: TrackRef[];
  track_bfd: TrackRef[];
  nopreempt: boolean;
  /** `preempt` (old spelling, the default) was written. */
  preempt: boolean;
  preempt_delay?: number;
  /** true: accept, false: no_accept, undefined: default. */
  accept?: boolean;
  use_vmac?: string | true;
  vmac_xmit_base: boolean;
  dont_track_primary: boolean;
  garp_master_delay?: number;
  garp_master_repeat?: number;
  garp_master_refresh?: number;
  garp_master_refresh_repeat?: number;
  garp_lower_prio_delay?: number;
  garp_lower_prio_repeat?: number;
  lower_prio_no_advert?: boolean;
  higher_prio_send_advert?: boolean;
  notify_master?: ScriptRef;
  notify_backup?: ScriptRef;
  notify_fault?: ScriptRef;
  notify_stop?: ScriptRef;
  notify_deleted?: ScriptRef;
  /** `notify_deleted` given (with or without a script): a vrrp_instance deleted by a reload notifies DELETED, not FAULT. */
  notify_deleted_state: boolean;
  notify_master_rx_lower_pri?: ScriptRef;
  notify?: ScriptRef;
  smtp_alert?: boolean;
  strict_mode?: boolean;
  /** skip_check_adv_addr given with no value or any valid one (keepalived 2.2.7 sets the flag even for `false`) */
  skip_check_adv_addr: boolean;
  native_ipv6: boolean;
  /** promote_secondaries: set net.ipv4.conf.IF.promote_secondaries, so removing one address of a subnet keeps the others. */
  promote_secondaries: boolean;
  /** unicast_ttl: TTL / hop limit of the unicast adverts sent (keepalived: IPv4 255, IPv6 the kernel's default when unset) */
  unicast_ttl?: number;
  /** check_unicast_src: accept unicast adverts only from a unicast_peer within its min_ttl..max_ttl (keepalived: any source otherwise) */
  check_unicast_src: boolean;
  debug?: number;
  lvs_sync_daemon_interface?: string;
}

// ---------------------------------------------------------------------------
// LVS

export interface VsGroupEntry {
  pos: Pos;
  /** address [port] or `fwmark N`; ranges `10.0.0.1-10` keep `range_end`. */
  address?: IpAddress;
  range_end?: number;
  port?: number;
  fwmark?: number;
  words: string[];
}

export interface VirtualServerGroup extends NodeBase {
  name: string;
  entries: VsGroupEntry[];
}

export type CheckerKind =
  | 'HTTP_GET'
  | 'SSL_GET'
  | 'TCP_CHECK'
  | 'SMTP_CHECK'
  | 'MISC_CHECK'
  | 'DNS_CHECK'
  | 'UDP_CHECK'
  | 'PING_CHECK'
  | 'FILE_CHECK'
  | 'BFD_CHECK';

export interface HttpUrl extends NodeBase {
  path?: string;
  digest?: string;
  status_code: { from: number; to: number }[];
  virtualhost?: string;
  regex?: string;
  regex_no_match: boolean;
  /** PCRE2 option words (keepalived's regex_options). */
  regex_options?: string[];
  regex_min_offset?: number;
  /** Last offset where a match may start (inclusive). */
  regex_max_offset?: number;
}

export interface Checker extends NodeBase {
  kind: CheckerKind;
  connect_ip?: IpAddress;
  connect_port?: number;
  bindto?: IpAddress;
  bind_port?: number;
  bind_if?: string;
  connect_timeout?: number;
  /** `retry`, or the old spelling `nb_get_retry`. */
  retry?: number;
  delay_before_retry?: number;
  warmup?: number;
  delay_loop?: number;
  fwmark?: number;
  alpha?: boolean;
  // HTTP_GET / SSL_GET
  url: HttpUrl[];
  virtualhost?: string;
  http_protocol?: string;
  enable_sni?: boolean;
  // SMTP_CHECK
  helo_name?: string;
  host: Checker[];
  // MISC_CHECK
  misc_path?: ScriptRef;
  misc_timeout?: number;
  misc_dynamic: boolean;
  user?: string;
  group?: string;
  // DNS_CHECK
  type?: string;
  name?: string;
  // UDP_CHECK
  payload?: string;
  require_reply?: string | true;
  // FILE_CHECK
  track_file?: string;
  /** FILE_CHECK `weight N reverse` */
  weight_reverse?: boolean;
  // BFD_CHECK
  name_bfd?: string;
  weight?: number;
}

/** The tunnel words after `TUN` (keepalived 2.2.7 svr_forwarding_handler): type, gue port, checksum option. */
export interface TunnelOpts {
  type: 'ipip' | 'gue' | 'gre';
  /** gue only (1-65535) */
  port?: number;
  csum: 'nocsum' | 'csum' | 'remcsum';
}

export interface RealServer extends NodeBase {
  address: IpAddress;
  port?: number;
  /** real_server's own lvs_method (overrides the virtual server's). */
  lvs_method?: 'NAT' | 'DR' | 'TUN';
  tunnel?: TunnelOpts;
  weight?: number;
  inhibit_on_failure: boolean;
  notify_up?: ScriptRef;
  notify_down?: ScriptRef;
  uthreshold?: number;
  lthreshold?: number;
  delay_loop?: number;
  retry?: number;
  delay_before_retry?: number;
  warmup?: number;
  alpha?: boolean;
  smtp_alert?: boolean;
  virtualhost?: string;
  checkers: Checker[];
}

export interface VirtualServer extends NodeBase {
  /** Either an address+port, a fwmark, or a group. */
  address?: IpAddress;
  port?: number;
  fwmark?: number;
  group?: string;
  ip_family?: FamilyName;
  delay_loop?: number;
  lb_algo?: string;
  lb_kind?: 'NAT' | 'DR' | 'TUN';
  /** Tunnel words of lb_kind / lvs_method (kept whatever the method, as keepalived). */
  tunnel?: TunnelOpts;
  persistence_timeout?: number;
  persistence_granularity?: IpAddress | number;
  persistence_engine?: string;
  protocol?: 'TCP' | 'UDP' | 'SCTP';
  quorum?: number;
  hysteresis?: number;
  quorum_up?: ScriptRef;
  quorum_down?: ScriptRef;
  alpha: boolean;
  omega: boolean;
  ha_suspend: boolean;
  sorry_server?: { address: IpAddress; port?: number; pos: Pos };
  sorry_server_inhibit: boolean;
  sorry_server_lvs_method?: string;
  sorry_server_tunnel?: TunnelOpts;
  virtualhost?: string;
  ops: boolean;
  inhibit_on_failure: boolean;
  retry?: number;
  delay_before_retry?: number;
  warmup?: number;
  connect_timeout?: number;
  /** Scheduler flags (flag-1..3, sh-port, sh-fallback, mh-port, mh-fallback). */
  lb_flags: string[];
  smtp_alert?: boolean;
  real_servers: RealServer[];
}

export interface SslDefs extends NodeBase {
  password?: string;
  ca?: string;
  certificate?: string;
  key?: string;
}

// ---------------------------------------------------------------------------

export interface KeepalivedConfig {
  /** Every file read (main file first, then includes in reading order). */
  files: string[];
  global_defs: GlobalDefs;
  static_ipaddress: VirtualIp[];
  static_routes: RouteEntry[];
  static_rules: RuleEntry[];
  vrrp_scripts: VrrpScript[];
  vrrp_track_processes: VrrpTrackProcess[];
  track_files: TrackFile[];
  vrrp_sync_groups: SyncGroup[];
  garp_groups: GarpGroup[];
  vrrp_instances: VrrpInstance[];
  virtual_server_groups: VirtualServerGroup[];
  virtual_servers: VirtualServer[];
  ssl?: SslDefs;
  /** Other accepted top-level blocks/keywords (bfd_instance, linkbeat_interfaces, ...). */
  extra: RawEntry[];
}

/** Every script command of a model with where it is used. */
export interface ScriptUse {
  ref: ScriptRef;
  kind: 'track' | 'notify' | 'check';
  /** Run by the VRRP process (else by the checker process). */
  vrrp: boolean;
  /** Where the user is named, when not on the script line (MISC_CHECK `user`). */
  userPos?: Pos;
  /** The end of the block the script belongs to (MISC_CHECK: where keepalived reports a missing default user). */
  endPos?: Pos;
}

/** The scripts of one virtual server (quorum, real server notify, MISC_CHECK), in model order. */
export function virtualServerScripts(vs: VirtualServer, out: ScriptUse[]): void {
  if (vs.quorum_up) out.push({ ref: vs.quorum_up, kind: 'notify', vrrp: false });
  if (vs.quorum_down) out.push({ ref: vs.quorum_down, kind: 'notify', vrrp: false });
  const rss = vs.real_servers;
  for (let r = 0; r < rss.length; r++) {
    const rs = rss[r];
    if (rs.notify_up) out.push({ ref: rs.notify_up, kind: 'notify', vrrp: false });
    if (rs.notify_down) out.push({ ref: rs.notify_down, kind: 'notify', vrrp: false });
    const cs = rs.checkers;
    for (let c = 0; c < cs.length; c++) {
      const mp = cs[c].misc_path;
      // a MISC_CHECK's user comes from its `user` line
      if (mp)
        out.push(
          cs[c].user
            ? { ref: { ...mp, user: cs[c].user, group: cs[c].group }, kind: 'check', vrrp: false, userPos: cs[c].at.user }
            : { ref: mp, kind: 'check', vrrp: false, endPos: cs[c].end },
        );
    }
  }
}

export function emptyNode(pos: Pos): NodeBase {
  return { pos, at: {}, extra: [] };
}
