/**
 * Constants of the IPVS generic netlink interface, from linux
 * include/uapi/linux/ip_vs.h, plus the netlink/genetlink numbers the codec
 * needs. Pure data.
 */

export const IPVS_GENL_NAME = 'IPVS';
export const IPVS_GENL_VERSION = 1;

/** Address families (linux/socket.h): ../addr's. */
export { AF_INET, AF_INET6 } from '../addr';

/** IP protocols. */
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_SCTP = 132;

/** Generic netlink commands of the IPVS family. */
export const Cmd = {
  UNSPEC: 0,
  NEW_SERVICE: 1,
  SET_SERVICE: 2,
  DEL_SERVICE: 3,
  GET_SERVICE: 4,
  NEW_DEST: 5,
  SET_DEST: 6,
  DEL_DEST: 7,
  GET_DEST: 8,
  NEW_DAEMON: 9,
  DEL_DAEMON: 10,
  GET_DAEMON: 11,
  SET_CONFIG: 12,
  GET_CONFIG: 13,
  SET_INFO: 14,
  GET_INFO: 15,
  ZERO: 16,
  FLUSH: 17,
} as const;

/** First-level attributes. */
export const CmdAttr = {
  SERVICE: 1,
  DEST: 2,
  DAEMON: 3,
  TIMEOUT_TCP: 4,
  TIMEOUT_TCP_FIN: 5,
  TIMEOUT_UDP: 6,
} as const;

/** Attributes nested in CmdAttr.SERVICE. */
export const SvcAttr = {
  AF: 1,
  PROTOCOL: 2,
  ADDR: 3,
  PORT: 4,
  FWMARK: 5,
  SCHED_NAME: 6,
  FLAGS: 7,
  TIMEOUT: 8,
  NETMASK: 9,
  STATS: 10,
  PE_NAME: 11,
  STATS64: 12,
} as const;

/** Attributes nested in CmdAttr.DEST. */
export const DestAttr = {
  ADDR: 1,
  PORT: 2,
  FWD_METHOD: 3,
  WEIGHT: 4,
  U_THRESH: 5,
  L_THRESH: 6,
  ACTIVE_CONNS: 7,
  INACT_CONNS: 8,
  PERSIST_CONNS: 9,
  STATS: 10,
  ADDR_FAMILY: 11,
  STATS64: 12,
  TUN_TYPE: 13,
  TUN_PORT: 14,
  TUN_FLAGS: 15,
} as const;

/** Attributes nested in CmdAttr.DAEMON. */
export const DaemonAttr = {
  STATE: 1,
  MCAST_IFN: 2,
  SYNC_ID: 3,
  SYNC_MAXLEN: 4,
  MCAST_GROUP: 5,
  MCAST_GROUP6: 6,
  MCAST_PORT: 7,
  MCAST_TTL: 8,
} as const;

/** Attributes nested in SvcAttr.STATS / STATS64 and DestAttr.STATS / STATS64. */
export const StatsAttr = {
  CONNS: 1,
  INPKTS: 2,
  OUTPKTS: 3,
  INBYTES: 4,
  OUTBYTES: 5,
  CPS: 6,
  INPPS: 7,
  OUTPPS: 8,
  INBPS: 9,
  OUTBPS: 10,
  PAD: 11,
} as const;

/** Attributes of the GET_INFO reply. */
export const InfoAttr = {
  VERSION: 1,
  CONN_TAB_SIZE: 2,
} as const;

/** Virtual service flags. */
export const SvcFlag = {
  PERSISTENT: 0x0001,
  HASHED: 0x0002,
  ONEPACKET: 0x0004,
  SCHED1: 0x0008,
  SCHED2: 0x0010,
  SCHED3: 0x0020,
} as const;
export const SVC_SCHED_FLAGS = SvcFlag.SCHED1 | SvcFlag.SCHED2 | SvcFlag.SCHED3;

/** Forwarding methods (IP_VS_CONN_F_*, masked by FWD_MASK). */
export const Fwd = {
  MASQ: 0,
  LOCALNODE: 1,
  TUNNEL: 2,
  DROUTE: 3,
  BYPASS: 4,
} as const;
export const FWD_MASK = 0x0007;

/** Tunnel types and encapsulation flags. */
export const TunType = { IPIP: 0, GUE: 1, GRE: 2 } as const;
export const TunFlag = { NOCSUM: 0, CSUM: 1, REMCSUM: 2 } as const;

/** Sync daemon states. */
export const DaemonState = { NONE: 0, MASTER: 1, BACKUP: 2 } as const;

export const SCHEDNAME_MAXLEN = 16;
export const PENAME_MAXLEN = 16;
export const IFNAME_MAXLEN = 16;
/** ipvsadm's default persistence timeout (IPVS_SVC_PERSISTENT_TIMEOUT, 6 min). */
export const DEFAULT_PERSISTENT_TIMEOUT = 360;
export const DEFAULT_SCHEDULER = 'wlc';
/** ipvsadm MAX_TIMEOUT: 31 days. */
export const MAX_TIMEOUT = 86400 * 31;

/** Netlink basics (linux/netlink.h): one home in ../netlink. Generic netlink (genetlink.h) below. */
export { NLMSG_DONE, NLMSG_ERROR, NLM_F_ACK, NLM_F_DUMP, NLM_F_MATCH, NLM_F_MULTI, NLM_F_REQUEST, NLM_F_ROOT } from '../netlink/message';
export { NLA_F_NESTED } from '../netlink/attrs';
export const GENL_ID_CTRL = 0x10;
export const CTRL_CMD_GETFAMILY = 3;
export const CTRL_ATTR_FAMILY_ID = 1;
export const CTRL_ATTR_FAMILY_NAME = 2;
export const CTRL_ATTR_VERSION = 3;
export const NETLINK_GENERIC = 16;
