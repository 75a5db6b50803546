/**
 * Keyword tables of keepalived 2.2.7, per block: which keywords each block
 * accepts, how many words they take, their types and ranges, deprecations.
 * Derived from keepalived.conf(5) of 2.2.7 and checked against the real
 * `keepalived -t` (every keyword here is accepted by it in that block).
 * Data only.
 */

export type Kind =
  | 'flag' // no value (extra words are reported)
  | 'optbool' // optional on|off|true|false|yes|no
  | 'bool'
  | 'int'
  | 'num' // decimal seconds / number
  | 'word' // exactly one word
  | 'words' // one or more words
  | 'optwords' // zero or more words
  | 'ip'
  | 'script' // command line (+ optional user group in some places)
  | 'enum'
  | 'block' // keyword { ... } with its own keyword table
  | 'vblock'; // keyword { entry lines }

export interface Spec {
  k: Kind;
  min?: number;
  max?: number;
  values?: string[];
  /** Table name for 'block'. */
  table?: string;
  /** Deprecation note (keepalived also warns). */
  dep?: string;
  /** The keyword may legitimately appear several times. */
  multi?: boolean;
  /** Extra words allowed after the value (not reported). */
  rest?: boolean;
  /** The value may be omitted (keepalived then uses its default). */
  opt?: boolean;
  /** hactl's own remark (keepalived says nothing): reported as a note. */
  note?: string;
}

const f: Spec = { k: 'flag' };
const ob: Spec = { k: 'optbool' };
const w: Spec = { k: 'word' };
const ws: Spec = { k: 'words', rest: true };
const ows: Spec = { k: 'optwords', rest: true };
const sc: Spec = { k: 'script', rest: true };
const vb: Spec = { k: 'vblock', multi: true };
const int = (min: number, max: number, extra: Partial<Spec> = {}): Spec => ({ k: 'int', min, max, ...extra });
const num = (min: number, max: number, extra: Partial<Spec> = {}): Spec => ({ k: 'num', min, max, ...extra });
const blk = (table: string, extra: Partial<Spec> = {}): Spec => ({ k: 'block', table, ...extra });

const U32 = 4294967295;
const TIMER_MAX = 4294.967295;
/** keepalived's delay_loop limit (an unsigned 64-bit count of microseconds). */
const LOOP_MAX = (2 ** 64 - 1) / 1e6;

export const TOP: Record<string, Spec> = {
  global_defs: blk('global_defs', { multi: true }),
  linkbeat_interfaces: vb,
  interface_up_down_delays: vb,
  track_group: { k: 'block', table: 'raw', multi: true },
  static_ipaddress: vb,
  static_routes: vb,
  static_rules: vb,
  vrrp_script: blk('vrrp_script', { multi: true }),
  vrrp_track_process: blk('vrrp_track_process', { multi: true }),
  track_file: blk('track_file', { multi: true }),
  vrrp_track_file: blk('track_file', { multi: true, dep: "'vrrp_track_file' is deprecated, use 'track_file'" }),
  vrrp_sync_group: blk('vrrp_sync_group', { multi: true }),
  garp_group: blk('garp_group', { multi: true }),
  vrrp_instance: blk('vrrp_instance', { multi: true }),
  virtual_server_group: { k: 'vblock', multi: true },
  virtual_server: blk('virtual_server', { multi: true }),
  SSL: blk('SSL'),
  bfd_instance: blk('bfd_instance', { multi: true }),
  net_namespace: w,
  net_namespace_ipvs: ows,
  namespace_with_ipsets: f,
  instance: w,
  use_pid_dir: f,
  linkbeat_use_polling: f,
  child_wait_time: int(0, U32),
};

export const GLOBAL_DEFS: Record<string, Spec> = {
  router_id: w,
  notification_email: vb,
  notification_email_from: w,
  smtp_server: ws,
  smtp_helo_name: { k: 'word', opt: true },
  smtp_connect_timeout: int(0, 4294),
  smtp_alert: ob,
  smtp_alert_vrrp: ob,
  smtp_alert_checker: ob,
  no_email_faults: f,
  checker_log_all_failures: ob,
  script_user: ws,
  enable_script_security: f,
  max_auto_priority: { k: 'optwords', rest: true },
  min_auto_priority_delay: int(0, U32),
  dynamic_interfaces: { k: 'enum', values: ['allow_if_changes'], opt: true },
  default_interface: w,
  notify_fifo: ws,
  notify_fifo_script: sc,
  vrrp_notify_fifo: ws,
  vrrp_notify_fifo_script: sc,
  lvs_notify_fifo: ws,
  lvs_notify_fifo_script: sc,
  vrrp_notify_priority_changes: ob,
  fifo_write_vrrp_states_on_reload: f,
  lvs_sync_daemon: ws,
  lvs_timeouts: ws,
  lvs_flush: f,
  lvs_flush_on_stop: { k: 'enum', values: ['VS'], opt: true },
  lvs_flush_onstop: { k: 'enum', values: ['VS'], opt: true },
  vrrp_mcast_group4: w,
  vrrp_mcast_group6: w,
  vrrp_garp_master_delay: int(0, U32),
  vrrp_garp_master_repeat: int(0, U32),
  vrrp_garp_master_refresh: int(0, U32),
  vrrp_garp_master_refresh_repeat: int(0, U32),
  vrrp_garp_lower_prio_delay: int(0, U32),
  vrrp_garp_lower_prio_repeat: int(0, U32),
  vrrp_garp_interval: num(0.000001, TIMER_MAX),
  vrrp_gna_interval: num(0.000001, TIMER_MAX),
  vrrp_min_garp: ob,
  vrrp_garp_extra_if: ows,
  vrrp_vmac_garp_intvl: { k: 'words', rest: true, dep: 'Keyword "vrrp_vmac_garp_intvl" is deprecated - please use "vrrp_garp_extra_if"' },
  vrrp_lower_prio_no_advert: ob,
  vrrp_higher_prio_send_advert: ob,
  vrrp_version: int(2, 3),
  vrrp_iptables: ows,
  nftables: ows,
  nftables_priority: int(-2147483648, 2147483647),
  // keepalived sets these whatever follows them
  nftables_ifindex: { k: 'flag', rest: true },
  nftables_counters: f,
  nftables_ipvs: ows,
  nftables_ipvs_priority: int(-2147483648, 2147483647),
  nftables_ipvs_start_fwmark: int(0, U32),
  vrrp_check_unicast_src: f,
  vrrp_skip_check_adv_addr: { k: 'flag', rest: true },
  vrrp_strict: f,
  vrrp_priority: int(-20, 19),
  checker_priority: int(-20, 19),
  bfd_priority: int(-20, 19),
  vrrp_no_swap: f,
  checker_no_swap: f,
  bfd_no_swap: f,
  vrrp_rt_priority: int(1, 99),
  checker_rt_priority: int(1, 99),
  bfd_rt_priority: int(1, 99),
  vrrp_rlimit_rtime: int(1, U32),
  checker_rlimit_rtime: int(1, U32),
  bfd_rlimit_rtime: int(1, U32),
  vrrp_rlimit_rttime: int(1, U32),
  checker_rlimit_rttime: int(1, U32),
  bfd_rlimit_rttime: int(1, U32),
  vrrp_cpu_affinity: ws,
  checker_cpu_affinity: ws,
  bfd_cpu_affinity: ws,
  process_names: f,
  process_name: w,
  vrrp_process_name: w,
  checker_process_name: w,
  bfd_process_name: w,
  lvs_process_name: w,
  snmp_socket: w,
  enable_traps: f,
  enable_snmp_vrrp: f,
  // keepalived says nothing of it: a note, not a warning
  enable_snmp_keepalived: { k: 'flag', rest: true, note: "'enable_snmp_keepalived' is an old spelling of 'enable_snmp_vrrp'" },
  enable_snmp_checker: f,
  enable_snmp_rfc: f,
  enable_snmp_rfcv2: f,
  enable_snmp_rfcv3: f,
  enable_dbus: f,
  dbus_service_name: w,
  vrrp_netlink_cmd_rcv_bufs: int(0, U32),
  vrrp_netlink_cmd_rcv_bufs_force: ob,
  vrrp_netlink_monitor_rcv_bufs: int(0, U32),
  vrrp_netlink_monitor_rcv_bufs_force: ob,
  lvs_netlink_cmd_rcv_bufs: int(0, U32),
  lvs_netlink_cmd_rcv_bufs_force: ob,
  lvs_netlink_monitor_rcv_bufs: int(0, U32),
  lvs_netlink_monitor_rcv_bufs_force: ob,
  process_monitor_rcv_bufs: int(0, U32),
  process_monitor_rcv_bufs_force: ob,
  vrrp_rx_bufs_policy: ws,
  vrrp_rx_bufs_multiplier: int(1, U32),
  vrrp_startup_delay: num(0, TIMER_MAX),
  vrrp_down_timer_adverts: int(1, 100),
  rs_init_notifies: f,
  no_checker_emails: f,
  umask: w,
  startup_script: sc,
  startup_script_timeout: int(1, 1000),
  shutdown_script: sc,
  shutdown_script_timeout: int(1, 1000),
  vmac_prefix: w,
  vmac_addr_prefix: w,
  random_seed: int(0, U32),
  data_use_instance: f,
  config_save_dir: w,
  tmp_config_directory: w,
  reload_check_config: ows,
  reload_time_file: w,
  reload_repeat: f,
  reload_file: ows,
  include_check: ows,
  disable_local_igmp: f,
  log_unknown_vrids: f,
};

export const VRRP_SCRIPT: Record<string, Spec> = {
  script: { k: 'script', rest: true, opt: true },
  // whole seconds (keepalived read_unsigned_strvec: "1.5" is an invalid number); 0 kept for old configs
  interval: int(0, 4294),
  timeout: int(0, 4294),
  weight: { k: 'int', min: -253, max: 253, rest: true },
  rise: int(1, U32),
  fall: int(1, U32),
  user: ws,
  init_fail: f,
};

export const VRRP_TRACK_PROCESS: Record<string, Spec> = {
  process: ws,
  // bare `param_match` is exact (keepalived vrrp_tprocess_match_handler)
  param_match: ows,
  weight: { k: 'int', min: -254, max: 254, rest: true },
  quorum: int(1, U32),
  quorum_max: int(0, U32),
  fork_delay: num(0, TIMER_MAX),
  terminate_delay: num(0, TIMER_MAX),
  delay: num(0, TIMER_MAX),
  full_command: f,
};

export const TRACK_FILE: Record<string, Spec> = {
  file: w,
  weight: { k: 'int', min: -254, max: 254, rest: true },
  init_file: ows,
};

export const SYNC_GROUP: Record<string, Spec> = {
  group: vb,
  track_interface: vb,
  track_script: vb,
  track_file: vb,
  track_process: vb,
  track_bfd: vb,
  notify_master: sc,
  notify_backup: sc,
  notify_fault: sc,
  notify_stop: sc,
  notify: sc,
  smtp_alert: ob,
  global_tracking: { k: 'flag', dep: 'global_tracking is deprecated. Use track_interface/script/file on the sync group' },
  sync_group_tracking_weight: f,
  notify_priority_changes: ob,
};

export const GARP_GROUP: Record<string, Spec> = {
  garp_interval: num(0, TIMER_MAX),
  gna_interval: num(0, TIMER_MAX),
  interface: w,
  interfaces: vb,
};

export const VRRP_INSTANCE: Record<string, Spec> = {
  use_vmac: ows,
  vmac_xmit_base: f,
  use_vmac_addr: f,
  use_ipvlan: ows,
  unicast_peer: vb,
  unicast_ttl: int(1, 255),
  unicast_fault_no_peer: f,
  old_unicast_checksum: { k: 'enum', values: ['never'], opt: true },
  native_ipv6: f,
  state: w,
  interface: w,
  dont_track_primary: f,
  track_interface: vb,
  track_script: vb,
  track_file: vb,
  track_process: vb,
  track_bfd: vb,
  mcast_src_ip: w,
  unicast_src_ip: w,
  mcast_dst_ip: { k: 'ip' },
  track_src_ip: f,
  virtual_router_id: int(1, 255),
  priority: int(1, 255),
  advert_int: num(0.01, 255),
  version: int(2, 3),
  virtual_ipaddress: vb,
  virtual_ipaddress_excluded: vb,
  promote_secondaries: f,
  linkbeat_use_polling: { k: 'flag', dep: "'linkbeat_use_polling' in vrrp instance deprecated - use linkbeat_interfaces block" },
  virtual_routes: vb,
  virtual_rules: vb,
  accept: f,
  no_accept: f,
  skip_check_adv_addr: ob,
  strict_mode: ob,
  preempt: { k: 'flag', rest: true, note: "'preempt' is the default (keepalived ignores it); remove it" },
  nopreempt: f,
  preempt_delay: num(0, 1000),
  debug: int(0, 4),
  notify_backup: sc,
  notify_master: sc,
  notify_fault: sc,
  notify_stop: sc,
  notify_deleted: { k: 'script', rest: true, opt: true },
  notify_master_rx_lower_pri: sc,
  notify: sc,
  notify_priority_changes: ob,
  smtp_alert: ob,
  lvs_sync_daemon_interface: { k: 'word', dep: 'Specifying lvs_sync_daemon_interface against a vrrp is deprecated. Please use global lvs_sync_daemon' },
  garp_master_delay: int(0, U32),
  garp_master_refresh: int(0, U32),
  garp_master_repeat: int(0, U32),
  garp_master_refresh_repeat: int(0, U32),
  garp_lower_prio_delay: int(0, U32),
  garp_lower_prio_repeat: int(0, U32),
  garp_extra_if: ows,
  down_timer_adverts: int(1, 100),
  lower_prio_no_advert: ob,
  higher_prio_send_advert: ob,
  kernel_rx_buf_size: int(0, U32),
  authentication: blk('authentication'),
  vrf: w,
  check_unicast_src: f,
  vmac_garp_intvl: { k: 'words', rest: true, dep: 'Keyword "vmac_garp_intvl" is deprecated - please use "garp_extra_if"' },
};

export const AUTHENTICATION: Record<string, Spec> = {
  auth_type: w,
  auth_pass: w,
};

const CHECKER_COMMON: Record<string, Spec> = {
  connect_ip: w,
  connect_port: int(1, 65535),
  bindto: w,
  bind_port: int(1, 65535),
  bind_if: w,
  connect_timeout: num(0.000001, TIMER_MAX),
  retry: int(0, U32),
  delay_before_retry: num(0, TIMER_MAX),
  warmup: num(0, TIMER_MAX),
  delay_loop: num(0.000001, LOOP_MAX),
  fwmark: int(0, U32),
  alpha: ob,
  log_all_failures: ob,
};

export const HTTP_GET: Record<string, Spec> = {
  ...CHECKER_COMMON,
  nb_get_retry: { k: 'int', min: 0, max: U32, dep: "'nb_get_retry' is deprecated, use 'retry'" },
  url: blk('url', { multi: true }),
  virtualhost: w,
  http_protocol: w,
  enable_sni: ob,
  fast_recovery: ob,
};

export const URL: Record<string, Spec> = {
  path: w,
  digest: w,
  status_code: { k: 'words', rest: true, opt: true },
  virtualhost: w,
  regex: { k: 'word', opt: true },
  regex_no_match: f,
  regex_options: { k: 'words', rest: true, opt: true },
  // keepalived reads these with strtoul: a bad or missing number is 0, no message
  regex_stack: { k: 'optwords', rest: true },
  regex_max_offset: { k: 'optwords', rest: true },
  regex_min_offset: { k: 'optwords', rest: true },
};

export const TCP_CHECK: Record<string, Spec> = { ...CHECKER_COMMON };

export const SMTP_CHECK: Record<string, Spec> = {
  ...CHECKER_COMMON,
  helo_name: w,
  host: blk('SMTP_HOST', { multi: true }),
};

export const SMTP_HOST: Record<string, Spec> = { ...CHECKER_COMMON };

export const MISC_CHECK: Record<string, Spec> = {
  retry: int(0, U32),
  delay_before_retry: num(0, TIMER_MAX),
  warmup: num(0, TIMER_MAX),
  delay_loop: num(0.000001, LOOP_MAX),
  alpha: ob,
  log_all_failures: ob,
  misc_path: { k: 'script', rest: true, opt: true },
  misc_timeout: int(1, U32),
  misc_dynamic: f,
  user: ws,
};

export const DNS_CHECK: Record<string, Spec> = {
  ...CHECKER_COMMON,
  type: w,
  name: w,
};

export const UDP_CHECK: Record<string, Spec> = {
  ...CHECKER_COMMON,
  // HEX_STR: whitespace-separated groups of hex digits (odd counts allowed; the reply may use x for 'any')
  payload: { k: 'words', rest: true },
  require_reply: ows,
  min_reply_length: int(0, 65535),
  max_reply_length: int(0, 65535),
};

export const PING_CHECK: Record<string, Spec> = { ...CHECKER_COMMON };

export const FILE_CHECK: Record<string, Spec> = {
  track_file: w,
  // keepalived 2.2.7 check_file.c: [-IPVS_WEIGHT_MAX..IPVS_WEIGHT_MAX] with IPVS_WEIGHT_MAX = INT_MAX, then [reverse|noreverse]
  weight: { k: 'int', min: -2147483647, max: 2147483647, rest: true },
};

export const BFD_CHECK: Record<string, Spec> = {
  name: w,
  alpha: ob,
};

const CHECKERS: Record<string, Spec> = {
  HTTP_GET: blk('HTTP_GET', { multi: true }),
  SSL_GET: blk('HTTP_GET', { multi: true }),
  TCP_CHECK: blk('TCP_CHECK', { multi: true }),
  SMTP_CHECK: blk('SMTP_CHECK', { multi: true }),
  MISC_CHECK: blk('MISC_CHECK', { multi: true }),
  DNS_CHECK: blk('DNS_CHECK', { multi: true }),
  UDP_CHECK: blk('UDP_CHECK', { multi: true }),
  PING_CHECK: blk('PING_CHECK', { multi: true }),
  FILE_CHECK: blk('FILE_CHECK', { multi: true }),
  BFD_CHECK: blk('BFD_CHECK', { multi: true }),
};

export const REAL_SERVER: Record<string, Spec> = {
  weight: int(0, 2147483647),
  inhibit_on_failure: ob,
  notify_up: sc,
  notify_down: sc,
  uthreshold: int(0, 65535),
  lthreshold: int(0, 65535),
  delay_loop: num(0.000001, LOOP_MAX),
  retry: int(0, U32),
  delay_before_retry: num(0, TIMER_MAX),
  warmup: num(0, TIMER_MAX),
  connect_timeout: num(0.000001, TIMER_MAX),
  alpha: ob,
  smtp_alert: ob,
  virtualhost: w,
  lvs_method: ws,
  snmp_name: w,
  ...CHECKERS,
};

export const VIRTUAL_SERVER: Record<string, Spec> = {
  ip_family: w,
  delay_loop: num(0.000001, LOOP_MAX),
  lb_algo: w,
  lvs_sched: w,
  lb_kind: ws,
  lvs_method: ws,
  hashed: f,
  'flag-1': f,
  'flag-2': f,
  'flag-3': f,
  'sh-port': f,
  'sh-fallback': f,
  'mh-port': f,
  'mh-fallback': f,
  weight: int(0, 2147483647),
  ops: f,
  persistence_engine: w,
  persistence_timeout: int(1, 2678400, { opt: true }),
  persistence_granularity: w,
  protocol: w,
  ha_suspend: f,
  smtp_alert: ob,
  virtualhost: w,
  sorry_server: ws,
  sorry_server_inhibit: ob,
  sorry_server_lvs_method: ws,
  real_server: blk('real_server', { multi: true }),
  quorum: int(1, U32),
  quorum_up: sc,
  quorum_down: sc,
  hysteresis: int(0, U32),
  alpha: f,
  omega: f,
  // a virtual server's inhibit_on_failure is set whatever follows it (a real server's reads on|off)
  inhibit_on_failure: { k: 'flag', rest: true },
  retry: int(0, U32),
  delay_before_retry: num(0, TIMER_MAX),
  warmup: num(0, TIMER_MAX),
  connect_timeout: num(0.000001, TIMER_MAX),
  snmp_name: w,
};

export const SSL: Record<string, Spec> = {
  password: w,
  ca: w,
  certificate: w,
  key: w,
};

export const BFD_INSTANCE: Record<string, Spec> = {
  source_ip: w,
  neighbor_ip: w,
  neighbour_ip: w,
  min_rx: int(1, 1000000),
  min_tx: int(1, 1000000),
  idle_tx: int(1, 1000000),
  multiplier: int(1, 255),
  passive: f,
  ttl: int(1, 255),
  hoplimit: int(1, 255),
  max_hops: int(0, 255),
  weight: { k: 'int', min: -253, max: 253, rest: true },
  vrrp: f,
  checker: f,
};

export const TABLES: Record<string, Record<string, Spec>> = {
  top: TOP,
  global_defs: GLOBAL_DEFS,
  vrrp_script: VRRP_SCRIPT,
  vrrp_track_process: VRRP_TRACK_PROCESS,
  track_file: TRACK_FILE,
  vrrp_sync_group: SYNC_GROUP,
  garp_group: GARP_GROUP,
  vrrp_instance: VRRP_INSTANCE,
  authentication: AUTHENTICATION,
  virtual_server: VIRTUAL_SERVER,
  real_server: REAL_SERVER,
  HTTP_GET,
  url: URL,
  TCP_CHECK,
  SMTP_CHECK,
  SMTP_HOST,
  MISC_CHECK,
  DNS_CHECK,
  UDP_CHECK,
  PING_CHECK,
  FILE_CHECK,
  BFD_CHECK,
  SSL,
  bfd_instance: BFD_INSTANCE,
  raw: {},
};
