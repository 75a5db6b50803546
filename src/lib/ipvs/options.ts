/**
 * ipvsadm's options, each declared once: its spellings and argument (popt), the
 * commands_v_options column it fills, and the help line hactl's own `vs`/`rs`/`save`
 * commands show for it. Read by ./argv (the ipvsadm-compatible parser and its checks)
 * and by src/flags/ipvs.ts (the oclif flags, hence oclif.manifest.json: `--help`,
 * completion and the man page). ipvsadm's own `-h` text (./run ipvsadmUsage) is
 * ipvsadm's output, kept to the letter. Pure.
 */

/** commands_v_options columns in ipvsadm's OPT_* order, each with the name ipvsadm's messages use. */
const COLUMNS = {
  NUMERIC: 'numeric',
  CONNECTION: 'connection',
  SERVICE: 'service-address',
  SCHEDULER: 'scheduler',
  PERSISTENT: 'persistent',
  NETMASK: 'netmask',
  SERVER: 'real-server',
  FORWARD: 'forwarding-method',
  WEIGHT: 'weight',
  UTHRESHOLD: 'u-threshold',
  LTHRESHOLD: 'l-threshold',
  MCAST: 'mcast-interface',
  TIMEOUT: 'timeout',
  DAEMON: 'daemon',
  STATS: 'stats',
  RATE: 'rate',
  THRESHOLDS: 'thresholds',
  PERSISTENTCONN: 'persistent-conn',
  NOSORT: 'nosort',
  SYNCID: 'syncid',
  EXACT: 'exact',
  ONEPACKET: 'ops',
  PE: 'pe',
  SCHED_FLAGS: 'sched-flags',
  MCAST_GROUP: 'mcast-group',
  MCAST_PORT: 'mcast-port',
  MCAST_TTL: 'mcast-ttl',
  SYNC_MAXLEN: 'sync-maxlen',
  TUN_INFO: 'tun-info',
  TUN_TYPE: 'tun-type',
  TUN_PORT: 'tun-port',
  TUN_NOCSUM: 'tun-nocsum',
  TUN_CSUM: 'tun-csum',
  TUN_REMCSUM: 'tun-remcsum',
} as const;

export type OptColumn = keyof typeof COLUMNS;

/** Column index by key (ipvsadm's OPT_NUMERIC = 0, ...). */
export const OPT = Object.fromEntries(Object.keys(COLUMNS).map((k, i) => [k, i])) as { readonly [K in OptColumn]: number };

/** Column names by index, as ipvsadm's messages spell them. */
export const OPT_NAMES: readonly string[] = Object.values(COLUMNS);

/**
 * commands_v_options: '+' compulsory, 'x' illegal, '1' exclusive, ' ' optional
 * (one char per column, in OPT order; ipvsadm.c's table to the letter).
 */
export const TABLE: Readonly<Record<string, string>> = {
  'add-service': 'xx+   xxxxxxxxxxxxxxx   xxxxxxxxxx',
  'edit-service': 'xx+   xxxxxxxxxxxxxxx   xxxxxxxxxx',
  'delete-service': 'xx+xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
  flush: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
  list: ' 11xxxxxxxxx11       xxxxxxx xxxxx',
  'add-server': 'xx+xxx+    xxxxxxxxxxxxxxxxxx     ',
  'delete-server': 'xx+xxx+xxxxxxxxxxxxxxxxxxxxxxxxxxx',
  'edit-server': 'xx+xxx+    xxxxxxxxxxxxxxxxxx     ',
  set: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
  'start-daemon': 'xxxxxxxxxxx xxxxxxx xxxx    xxxxxx',
  'stop-daemon': 'xxxxxxxxxxxxxxxxxxx xxxxxxxxxxxxxx',
  restore: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
  save: ' xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
  zero: 'xx xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
};

/** tunnel_types_v_options over [tun-port, nocsum, csum, remcsum], by tunnel type. */
export const TUN_TABLE = ['xxxx', '+111', 'x11x'];
export const TUN_OPTS = [OPT.TUN_PORT, OPT.TUN_NOCSUM, OPT.TUN_CSUM, OPT.TUN_REMCSUM];
export const TUN_NAMES = ['ipip', 'gue', 'gre'];

/**
 * Which hactl command's `--help` shows an option: `service` (every vs/rs command
 * naming a service), `svc` (vs add/edit), `dest` (rs add/edit/del), `list` (vs list;
 * `numeric` also save), `sync` (vs sync start/stop), `timeout` (vs timeout).
 */
export type FlagGroup = 'service' | 'svc' | 'dest' | 'list' | 'sync' | 'timeout';

export interface OptDef {
  long: string;
  /** popt's one-letter spelling (oclif shows it when it is a letter). */
  short?: string;
  arg: 'none' | 'required' | 'optional';
  /** What the parser switches on (several spellings share one). */
  tag: string;
  /** The commands_v_options column it fills (none: a command word, -6, --sort). */
  col?: OptColumn;
  /** hactl's help for it; absent: not shown by hactl's commands (ipvsadm spells it). */
  help?: { group: FlagGroup; description: string; value?: string };
}

/** Every spelling ipvsadm 1.31 accepts (and hactl's --sctp), commands first; help groups in help order. */
export const OPTIONS: readonly OptDef[] = [
  { long: 'add-service', short: 'A', arg: 'none', tag: 'A' },
  { long: 'edit-service', short: 'E', arg: 'none', tag: 'E' },
  { long: 'delete-service', short: 'D', arg: 'none', tag: 'D' },
  { long: 'clear', short: 'C', arg: 'none', tag: 'C' },
  { long: 'list', short: 'L', arg: 'none', tag: 'L' },
  { long: 'list', short: 'l', arg: 'none', tag: 'L' },
  { long: 'zero', short: 'Z', arg: 'none', tag: 'Z' },
  { long: 'add-server', short: 'a', arg: 'none', tag: 'a' },
  { long: 'edit-server', short: 'e', arg: 'none', tag: 'e' },
  { long: 'delete-server', short: 'd', arg: 'none', tag: 'd' },
  { long: 'set', arg: 'none', tag: 'set', help: { group: 'timeout', description: 'set the three timeouts given as arguments: TCP TCPFIN UDP' } },
  { long: 'help', short: 'h', arg: 'none', tag: 'h' },
  { long: 'version', short: 'v', arg: 'none', tag: 'v' },
  { long: 'restore', short: 'R', arg: 'none', tag: 'R' },
  { long: 'save', short: 'S', arg: 'none', tag: 'S' },
  { long: 'start-daemon', arg: 'required', tag: 'start-daemon' },
  { long: 'stop-daemon', arg: 'required', tag: 'stop-daemon' },
  // virtual service
  {
    long: 'tcp-service',
    short: 't',
    arg: 'required',
    tag: 't',
    col: 'SERVICE',
    help: { group: 'service', description: 'TCP virtual service ADDR:PORT ([v6]:PORT for IPv6)', value: 'ADDR:PORT' },
  },
  { long: 'udp-service', short: 'u', arg: 'required', tag: 'u', col: 'SERVICE', help: { group: 'service', description: 'UDP virtual service ADDR:PORT', value: 'ADDR:PORT' } },
  { long: 'sctp-service', arg: 'required', tag: 'sctp', col: 'SERVICE' },
  // hactl's shorter spelling (ipvsadm itself only knows --sctp-service).
  { long: 'sctp', arg: 'required', tag: 'sctp', col: 'SERVICE', help: { group: 'service', description: 'SCTP virtual service ADDR:PORT (also --sctp-service)', value: 'ADDR:PORT' } },
  {
    long: 'fwmark-service',
    short: 'f',
    arg: 'required',
    tag: 'f',
    col: 'SERVICE',
    help: { group: 'service', description: 'firewall-mark virtual service (integer > 0)', value: 'MARK' },
  },
  { long: 'ipv6', short: '6', arg: 'none', tag: '6', help: { group: 'service', description: 'the fwmark service is IPv6 (-6, after -f)' } },
  // service options
  {
    long: 'scheduler',
    short: 's',
    arg: 'required',
    tag: 's',
    col: 'SCHEDULER',
    help: { group: 'svc', description: 'scheduler: rr|wrr|lc|wlc|lblc|lblcr|dh|sh|sed|nq|fo|ovf|mh (default wlc)' },
  },
  {
    long: 'persistent',
    short: 'p',
    arg: 'optional',
    tag: 'p',
    col: 'PERSISTENT',
    help: { group: 'svc', description: 'persistent service, optional timeout in seconds (default 360)', value: '[TIMEOUT]' },
  },
  {
    long: 'netmask',
    short: 'M',
    arg: 'required',
    tag: 'M',
    col: 'NETMASK',
    help: { group: 'svc', description: 'persistence granularity mask (IPv4 mask, or prefix length for IPv6)' },
  },
  {
    long: 'sched-flags',
    short: 'b',
    arg: 'required',
    tag: 'b',
    col: 'SCHED_FLAGS',
    help: { group: 'svc', description: 'scheduler flags, comma-separated (sh-fallback, sh-port, mh-fallback, mh-port, flag-1..3)' },
  },
  { long: 'ops', short: 'o', arg: 'none', tag: 'o', col: 'ONEPACKET', help: { group: 'svc', description: 'one-packet scheduling (UDP)' } },
  { long: 'pe', arg: 'required', tag: 'pe', col: 'PE', help: { group: 'svc', description: 'persistence engine (sip)' } },
  // real server
  { long: 'real-server', short: 'r', arg: 'required', tag: 'r', col: 'SERVER', help: { group: 'dest', description: 'real server ADDR[:PORT]', value: 'ADDR[:PORT]' } },
  { long: 'gatewaying', short: 'g', arg: 'none', tag: 'g', col: 'FORWARD', help: { group: 'dest', description: 'direct routing (default)' } },
  { long: 'ipip', short: 'i', arg: 'none', tag: 'i', col: 'FORWARD', help: { group: 'dest', description: 'tunnelling' } },
  { long: 'masquerading', short: 'm', arg: 'none', tag: 'm', col: 'FORWARD', help: { group: 'dest', description: 'NAT' } },
  { long: 'weight', short: 'w', arg: 'required', tag: 'w', col: 'WEIGHT', help: { group: 'dest', description: 'weight 0..2147483647 (default 1)' } },
  { long: 'u-threshold', short: 'x', arg: 'required', tag: 'x', col: 'UTHRESHOLD', help: { group: 'dest', description: 'upper connection threshold' } },
  { long: 'l-threshold', short: 'y', arg: 'required', tag: 'y', col: 'LTHRESHOLD', help: { group: 'dest', description: 'lower connection threshold' } },
  { long: 'tun-type', arg: 'required', tag: 'tun-type', col: 'TUN_TYPE', help: { group: 'dest', description: 'tunnel type: ipip|gue|gre' } },
  { long: 'tun-port', arg: 'required', tag: 'tun-port', col: 'TUN_PORT', help: { group: 'dest', description: 'GUE tunnel port' } },
  { long: 'tun-nocsum', arg: 'none', tag: 'tun-nocsum', col: 'TUN_NOCSUM', help: { group: 'dest', description: 'tunnel without checksum' } },
  { long: 'tun-csum', arg: 'none', tag: 'tun-csum', col: 'TUN_CSUM', help: { group: 'dest', description: 'tunnel with checksum' } },
  { long: 'tun-remcsum', arg: 'none', tag: 'tun-remcsum', col: 'TUN_REMCSUM', help: { group: 'dest', description: 'tunnel with remote checksum' } },
  // listing
  { long: 'numeric', short: 'n', arg: 'none', tag: 'n', col: 'NUMERIC', help: { group: 'list', description: 'numeric addresses and ports' } },
  { long: 'connection', short: 'c', arg: 'none', tag: 'c', col: 'CONNECTION', help: { group: 'list', description: 'connections (/proc/net/ip_vs_conn)' } },
  { long: 'stats', arg: 'none', tag: 'stats', col: 'STATS', help: { group: 'list', description: 'counters' } },
  { long: 'rate', arg: 'none', tag: 'rate', col: 'RATE', help: { group: 'list', description: 'rates' } },
  { long: 'exact', short: 'X', arg: 'none', tag: 'X', col: 'EXACT', help: { group: 'list', description: 'exact numbers' } },
  { long: 'thresholds', arg: 'none', tag: 'thresholds', col: 'THRESHOLDS', help: { group: 'list', description: 'thresholds' } },
  { long: 'persistent-conn', arg: 'none', tag: 'persistent-conn', col: 'PERSISTENTCONN', help: { group: 'list', description: 'persistent connections' } },
  { long: 'tun-info', arg: 'none', tag: 'tun-info', col: 'TUN_INFO', help: { group: 'list', description: 'tunnel information' } },
  { long: 'timeout', arg: 'none', tag: 'timeout', col: 'TIMEOUT', help: { group: 'list', description: 'tcp tcpfin udp timeouts' } },
  { long: 'daemon', arg: 'none', tag: 'daemon', col: 'DAEMON', help: { group: 'list', description: 'sync daemon state' } },
  { long: 'nosort', arg: 'none', tag: 'nosort', col: 'NOSORT', help: { group: 'list', description: 'kernel order' } },
  { long: 'sort', arg: 'none', tag: 'sort' },
  // sync daemon
  { long: 'mcast-interface', arg: 'required', tag: 'mcast-interface', col: 'MCAST', help: { group: 'sync', description: 'interface for the sync traffic (default eth0)' } },
  { long: 'syncid', arg: 'required', tag: 'syncid', col: 'SYNCID', help: { group: 'sync', description: 'sync id 0..255' } },
  { long: 'sync-maxlen', arg: 'required', tag: 'sync-maxlen', col: 'SYNC_MAXLEN', help: { group: 'sync', description: 'max sync message length' } },
  { long: 'mcast-group', arg: 'required', tag: 'mcast-group', col: 'MCAST_GROUP', help: { group: 'sync', description: 'multicast group (default 224.0.0.81)' } },
  { long: 'mcast-port', arg: 'required', tag: 'mcast-port', col: 'MCAST_PORT', help: { group: 'sync', description: 'UDP port (default 8848)' } },
  { long: 'mcast-ttl', arg: 'required', tag: 'mcast-ttl', col: 'MCAST_TTL', help: { group: 'sync', description: 'multicast TTL (default 1)' } },
];

/** The options hactl's help shows for a group, in table order. */
export function optionsOf(group: FlagGroup): OptDef[] {
  return OPTIONS.filter((o) => o.help?.group === group);
}
