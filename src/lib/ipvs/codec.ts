/**
 * Pure codec between plain IPVS objects and generic netlink bytes: requests
 * (nlmsghdr + genlmsghdr + attributes) and the kernel's replies. No I/O.
 *
 * Byte orders follow the kernel/libipvs conventions: ports (service, dest,
 * tunnel) and the IPv4 persistence netmask / sync group are network order;
 * every other integer is host order (little-endian on the targets we run on).
 */
import { AF_INET, AF_INET6 } from './constants';
import {
  Cmd,
  CmdAttr,
  CTRL_ATTR_FAMILY_ID,
  CTRL_ATTR_FAMILY_NAME,
  CTRL_ATTR_VERSION,
  CTRL_CMD_GETFAMILY,
  DaemonAttr,
  DestAttr,
  GENL_ID_CTRL,
  IPVS_GENL_VERSION,
  InfoAttr,
  StatsAttr,
  SvcAttr,
  SvcFlag,
} from './constants';
import { formatAf, formatIpv4, formatIpv6, ipBytes } from '../addr';
import { addrBytes } from './addr';
import type { Daemon, Dest, Af, Info, Op, Service, ServiceKey, Stats, Timeouts } from './types';
import { AttrWriter, forEachAttr, parseAttrs } from '../netlink/attrs';
import { ackErrno, NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST, NLMSG_DONE, NLMSG_ERROR, type NlMessage, writeNlmsghdr } from '../netlink/message';

// The netlink framing lives in ../netlink; re-exported for the IPVS client, tests and benches.
export { AttrWriter, parseAttrs };
export { type NlMessage, parseMessages } from '../netlink/message';

// ---------------------------------------------------------------- writing

/** 16-byte nf_inet_addr union attribute for an address. */
function putAddr(w: AttrWriter, type: number, af: number, a: string): void {
  const off = w.reserve(type, 16); // may replace w.buffer: read it after
  writeAddr(w.buffer, off, af, a);
}

const addrCache = new Map<string, Buffer>();
/** Write the 16-byte union for an address (cached: restores repeat addresses a lot). */
function writeAddr(buf: Buffer, off: number, af: number, a: string): void {
  const key = af === AF_INET6 ? `6${a}` : a;
  let b = addrCache.get(key);
  if (!b) {
    b = addrBytes(af, a);
    if (addrCache.size > 50_000) addrCache.clear();
    addrCache.set(key, b);
  }
  b.copy(buf, off);
}

/** Netlink message: 16-byte nlmsghdr + 4-byte genlmsghdr + attributes. */
export function genlMessage(type: number, flags: number, seq: number, pid: number, cmd: number, version: number, attrs: Uint8Array): Buffer {
  const len = 20 + attrs.length;
  const b = Buffer.alloc(len);
  writeGenlHeader(b, 0, len, type, flags, seq, pid, cmd, version);
  b.set(attrs, 20);
  return b;
}

function writeGenlHeader(b: Buffer, off: number, len: number, type: number, flags: number, seq: number, pid: number, cmd: number, version: number): void {
  writeNlmsghdr(b, off, len, type, flags, seq, pid);
  b[off + 16] = cmd;
  b[off + 17] = version;
  b.writeUInt16LE(0, off + 18);
}

/** nlctrl CTRL_CMD_GETFAMILY request for a family name. */
export function encodeGetFamily(name: string, seq: number, pid = 0): Buffer {
  const w = new AttrWriter(32).str(CTRL_ATTR_FAMILY_NAME, name);
  return genlMessage(GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK, seq, pid, CTRL_CMD_GETFAMILY, 1, w.bytes());
}

/** Service attributes into `w` (key: AF + FWMARK, or AF + PROTOCOL + ADDR + PORT; full adds the rest). */
function serviceAttrs(w: AttrWriter, s: ServiceKey | Service, full: boolean): void {
  w.u16(SvcAttr.AF, s.af);
  if (s.fwmark) {
    w.u32(SvcAttr.FWMARK, s.fwmark);
  } else {
    w.u16(SvcAttr.PROTOCOL, s.protocol);
    putAddr(w, SvcAttr.ADDR, s.af, s.addr);
    w.be16(SvcAttr.PORT, s.port);
  }
  if (full) {
    const f = s as Service;
    w.str(SvcAttr.SCHED_NAME, f.sched);
    if (f.pe) w.str(SvcAttr.PE_NAME, f.pe);
    w.u32pair(SvcAttr.FLAGS, f.flags, 0xffffffff);
    w.u32(SvcAttr.TIMEOUT, f.timeout);
    if (f.af === AF_INET6) w.u32(SvcAttr.NETMASK, f.netmask);
    else w.be32(SvcAttr.NETMASK, f.netmask);
  }
}

function destAttrs(w: AttrWriter, d: Dest, full: boolean): void {
  w.u16(DestAttr.ADDR_FAMILY, d.af);
  putAddr(w, DestAttr.ADDR, d.af, d.addr);
  w.be16(DestAttr.PORT, d.port);
  if (full) {
    w.u32(DestAttr.FWD_METHOD, d.fwd);
    w.u32(DestAttr.WEIGHT, d.weight);
    w.u8(DestAttr.TUN_TYPE, d.tunType);
    w.be16(DestAttr.TUN_PORT, d.tunPort);
    w.u16(DestAttr.TUN_FLAGS, d.tunFlags);
    w.u32(DestAttr.U_THRESH, d.uThresh);
    w.u32(DestAttr.L_THRESH, d.lThresh);
  }
}

function daemonAttrs(w: AttrWriter, d: Daemon, full: boolean): void {
  w.u32(DaemonAttr.STATE, d.state);
  w.str(DaemonAttr.MCAST_IFN, d.ifname);
  w.u32(DaemonAttr.SYNC_ID, d.syncId);
  if (full) {
    if (d.maxLen) w.u16(DaemonAttr.SYNC_MAXLEN, d.maxLen);
    if (d.port) w.u16(DaemonAttr.MCAST_PORT, d.port);
    if (d.ttl) w.u8(DaemonAttr.MCAST_TTL, d.ttl);
    if (d.group) {
      const v6 = d.group.includes(':') ? ipBytes(d.group, 6) : null;
      if (v6) w.put(DaemonAttr.MCAST_GROUP6, v6);
      else w.put(DaemonAttr.MCAST_GROUP, addrBytes(AF_INET, d.group).subarray(0, 4));
    }
  }
}

/** The nested IPVS_CMD_ATTR_SERVICE contents; `full` adds sched/flags/timeout/netmask/pe. */
export function encodeService(s: ServiceKey | Service, full: boolean): AttrWriter {
  const w = new AttrWriter(96);
  serviceAttrs(w, s, full);
  return w;
}

/** The nested IPVS_CMD_ATTR_DEST contents; `full` adds forwarding, weight, thresholds, tunnel. */
export function encodeDest(d: Dest, full: boolean): AttrWriter {
  const w = new AttrWriter(96);
  destAttrs(w, d, full);
  return w;
}

export function encodeDaemon(d: Daemon, full: boolean): AttrWriter {
  const w = new AttrWriter(64);
  daemonAttrs(w, d, full);
  return w;
}

function nested(w: AttrWriter, type: number, fill: () => void): void {
  const at = w.start(type);
  fill();
  w.end(at);
}

/** Write an operation's attributes into `w`; returns the command number. */
function opAttrs(w: AttrWriter, op: Op): number {
  let at: number;
  switch (op.kind) {
    case 'add-service':
    case 'edit-service':
      at = w.start(CmdAttr.SERVICE);
      serviceAttrs(w, op.svc, true);
      w.end(at);
      return op.kind === 'add-service' ? Cmd.NEW_SERVICE : Cmd.SET_SERVICE;
    case 'del-service':
      at = w.start(CmdAttr.SERVICE);
      serviceAttrs(w, op.svc, false);
      w.end(at);
      return Cmd.DEL_SERVICE;
    case 'add-dest':
    case 'edit-dest':
    case 'del-dest':
      at = w.start(CmdAttr.SERVICE);
      serviceAttrs(w, op.svc, false);
      w.end(at);
      at = w.start(CmdAttr.DEST);
      destAttrs(w, op.dest, op.kind !== 'del-dest');
      w.end(at);
      return op.kind === 'add-dest' ? Cmd.NEW_DEST : op.kind === 'edit-dest' ? Cmd.SET_DEST : Cmd.DEL_DEST;
    case 'flush':
      return Cmd.FLUSH;
    case 'zero':
      if (op.svc) {
        at = w.start(CmdAttr.SERVICE);
        serviceAttrs(w, op.svc, false);
        w.end(at);
      }
      return Cmd.ZERO;
    case 'set-timeout':
      w.u32(CmdAttr.TIMEOUT_TCP, op.timeouts.tcp);
      w.u32(CmdAttr.TIMEOUT_TCP_FIN, op.timeouts.tcpFin);
      w.u32(CmdAttr.TIMEOUT_UDP, op.timeouts.udp);
      return Cmd.SET_CONFIG;
    case 'start-daemon':
    case 'stop-daemon':
      at = w.start(CmdAttr.DAEMON);
      daemonAttrs(w, op.daemon, op.kind === 'start-daemon');
      w.end(at);
      return op.kind === 'start-daemon' ? Cmd.NEW_DAEMON : Cmd.DEL_DAEMON;
  }
}

/** Command number and attribute payload of an operation. */
export function encodeOpPayload(op: Op): { cmd: number; attrs: Buffer } {
  const w = new AttrWriter(192);
  const cmd = opAttrs(w, op);
  return { cmd, attrs: w.bytes() };
}

/** Full request message for an operation (REQUEST|ACK). */
export function encodeOp(op: Op, family: number, seq: number, pid = 0): Buffer {
  const w = new AttrWriter(192);
  w.raw(20);
  const cmd = opAttrs(w, op);
  const b = w.bytes();
  writeGenlHeader(b, 0, b.length, family, NLM_F_REQUEST | NLM_F_ACK, seq, pid, cmd, IPVS_GENL_VERSION);
  return b;
}

/** Append many operations' requests to one writer (one buffer for a whole window). */
export function encodeOpsInto(w: AttrWriter, op: Op, family: number, seq: number, pid: number): void {
  const at = w.raw(20);
  const cmd = opAttrs(w, op);
  writeGenlHeader(w.buffer, at, w.len - at, family, NLM_F_REQUEST | NLM_F_ACK, seq, pid, cmd, IPVS_GENL_VERSION);
}

/** GET_SERVICE dump request. */
export function encodeGetServices(family: number, seq: number, pid = 0): Buffer {
  return genlMessage(family, NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP, seq, pid, Cmd.GET_SERVICE, IPVS_GENL_VERSION, Buffer.alloc(0));
}

/** GET_SERVICE for one service (not a dump). */
export function encodeGetService(svc: ServiceKey, family: number, seq: number, pid = 0): Buffer {
  const w = new AttrWriter(64);
  nested(w, CmdAttr.SERVICE, () => serviceAttrs(w, svc, false));
  return genlMessage(family, NLM_F_REQUEST | NLM_F_ACK, seq, pid, Cmd.GET_SERVICE, IPVS_GENL_VERSION, w.bytes());
}

/** GET_DEST dump request for one service. */
export function encodeGetDests(svc: ServiceKey, family: number, seq: number, pid = 0): Buffer {
  const w = new AttrWriter(64);
  nested(w, CmdAttr.SERVICE, () => serviceAttrs(w, svc, false));
  return genlMessage(family, NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP, seq, pid, Cmd.GET_DEST, IPVS_GENL_VERSION, w.bytes());
}

/** A request without attributes (GET_INFO, GET_CONFIG), or a dump (GET_DAEMON). */
export function encodeSimple(cmd: number, family: number, seq: number, dump = false, pid = 0): Buffer {
  const flags = NLM_F_REQUEST | NLM_F_ACK | (dump ? NLM_F_DUMP : 0);
  return genlMessage(family, flags, seq, pid, cmd, IPVS_GENL_VERSION, Buffer.alloc(0));
}

// ---------------------------------------------------------------- reading

/** Error/ACK message: errno (positive, 0 = ACK) and the sequence of the request it answers. */
export function decodeError(msg: NlMessage): { errno: number; seq: number } {
  return { errno: ackErrno(msg), seq: msg.seq };
}

export function isError(msg: NlMessage): boolean {
  return msg.type === NLMSG_ERROR;
}
export function isDone(msg: NlMessage): boolean {
  return msg.type === NLMSG_DONE;
}

/** Generic netlink attributes of a message (after the 4-byte genlmsghdr). */
export function genlAttrs(msg: NlMessage): Map<number, Buffer> {
  return parseAttrs(msg.payload.subarray(4));
}

function u16(b: Buffer | undefined): number {
  return b && b.length >= 2 ? b.readUInt16LE(0) : 0;
}
function be16(b: Buffer | undefined): number {
  return b && b.length >= 2 ? b.readUInt16BE(0) : 0;
}
function u32(b: Buffer | undefined): number {
  return b && b.length >= 4 ? b.readUInt32LE(0) : 0;
}
function cstr(b: Buffer | undefined): string {
  if (!b) return '';
  const z = b.indexOf(0);
  return b.subarray(0, z < 0 ? b.length : z).toString('latin1');
}

export function decodeStats(b: Buffer, is64: boolean): Stats {
  return decodeStatsAt(b, 0, b.length, is64);
}

/** Nested service attributes → Service. */
export function decodeService(b: Buffer): Service {
  const a = parseAttrs(b);
  const af = (u16(a.get(SvcAttr.AF)) || AF_INET) as Af;
  const fwmark = u32(a.get(SvcAttr.FWMARK));
  const addrB = a.get(SvcAttr.ADDR);
  const flagsB = a.get(SvcAttr.FLAGS);
  const flags = flagsB && flagsB.length >= 8 ? (flagsB.readUInt32LE(0) & flagsB.readUInt32LE(4)) >>> 0 : u32(flagsB);
  const nm = a.get(SvcAttr.NETMASK);
  const svc: Service = {
    af,
    protocol: fwmark ? 0 : u16(a.get(SvcAttr.PROTOCOL)),
    addr: addrB ? formatAf(af, addrB) : af === AF_INET6 ? '::' : '0.0.0.0',
    port: be16(a.get(SvcAttr.PORT)),
    fwmark,
    sched: cstr(a.get(SvcAttr.SCHED_NAME)),
    flags: (flags & ~SvcFlag.HASHED) >>> 0,
    timeout: u32(a.get(SvcAttr.TIMEOUT)),
    netmask: nm && nm.length >= 4 ? (af === AF_INET6 ? nm.readUInt32LE(0) : nm.readUInt32BE(0)) : af === AF_INET6 ? 128 : 0xffffffff,
    pe: cstr(a.get(SvcAttr.PE_NAME)),
  };
  const s64 = a.get(SvcAttr.STATS64);
  const s32 = a.get(SvcAttr.STATS);
  if (s64) {
    svc.stats = decodeStats(s64, true);
    svc.stats64 = true;
  } else if (s32) {
    svc.stats = decodeStats(s32, false);
    svc.stats64 = false;
  }
  return svc;
}

/** Little-endian reads by plain indexing (cheaper than Buffer methods before the JIT warms up). */
function le16(b: Buffer, p: number): number {
  return b[p] | (b[p + 1] << 8);
}
function le32(b: Buffer, p: number): number {
  return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16)) + b[p + 3] * 16777216;
}

/** u64 attribute payload at p (length plen) like u64(): 8 bytes, else 4, else 0. */
function u64At(b: Buffer, p: number, plen: number): number {
  if (plen >= 8) return le32(b, p + 4) * 4294967296 + le32(b, p);
  return plen >= 4 ? le32(b, p) : 0;
}

/** The Stats field of each IPVS_STATS_ATTR_* (index: attribute type). */
const STATS_FIELDS: (keyof Stats | undefined)[] = [];
STATS_FIELDS[StatsAttr.CONNS] = 'conns';
STATS_FIELDS[StatsAttr.INPKTS] = 'inpkts';
STATS_FIELDS[StatsAttr.OUTPKTS] = 'outpkts';
STATS_FIELDS[StatsAttr.INBYTES] = 'inbytes';
STATS_FIELDS[StatsAttr.OUTBYTES] = 'outbytes';
STATS_FIELDS[StatsAttr.CPS] = 'cps';
STATS_FIELDS[StatsAttr.INPPS] = 'inpps';
STATS_FIELDS[StatsAttr.OUTPPS] = 'outpps';
STATS_FIELDS[StatsAttr.INBPS] = 'inbps';
STATS_FIELDS[StatsAttr.OUTBPS] = 'outbps';

/** Stats from the nested attributes at b[off, end), read in place (no Map, no subarrays). */
function decodeStatsAt(b: Buffer, off: number, end: number, is64: boolean): Stats {
  const st: Stats = { conns: 0, inpkts: 0, outpkts: 0, inbytes: 0, outbytes: 0, cps: 0, inpps: 0, outpps: 0, inbps: 0, outbps: 0 };
  forEachAttr(b, off, end, (type, p, plen) => {
    const field = STATS_FIELDS[type];
    if (field) st[field] = type === StatsAttr.INBYTES || type === StatsAttr.OUTBYTES || is64 ? u64At(b, p, plen) : plen >= 4 ? le32(b, p) : 0;
  });
  return st;
}

function cstrAt(b: Buffer, p: number, plen: number): string {
  let z = p;
  const e = p + plen;
  while (z < e && b[z] !== 0) z++;
  return b.toString('latin1', p, z);
}

/**
 * decodeService() of the nested service attributes at b[off, end), read in
 * place: the same object, without the attribute Map and subarrays (a dump of
 * a big table decodes tens of thousands of these).
 */
export function decodeServiceAt(b: Buffer, off: number, end: number): Service {
  let af = 0;
  let protocol = 0;
  let addrAt = -1;
  let addrLen = 0;
  let port = 0;
  let fwmark = 0;
  let sched = '';
  let flags = 0;
  let timeout = 0;
  let nmAt = -1;
  let pe = '';
  let s64At = -1;
  let s64End = 0;
  let s32At = -1;
  let s32End = 0;
  forEachAttr(b, off, end, (type, p, plen) => {
    switch (type) {
      case SvcAttr.AF:
        af = plen >= 2 ? le16(b, p) : 0;
        break;
      case SvcAttr.PROTOCOL:
        protocol = plen >= 2 ? le16(b, p) : 0;
        break;
      case SvcAttr.ADDR:
        addrAt = p;
        addrLen = plen;
        break;
      case SvcAttr.PORT:
        port = plen >= 2 ? ((b[p] << 8) | b[p + 1]) : 0;
        break;
      case SvcAttr.FWMARK:
        fwmark = plen >= 4 ? le32(b, p) : 0;
        break;
      case SvcAttr.SCHED_NAME:
        sched = cstrAt(b, p, plen);
        break;
      case SvcAttr.FLAGS:
        flags = plen >= 8 ? (le32(b, p) & le32(b, p + 4)) >>> 0 : plen >= 4 ? le32(b, p) : 0;
        break;
      case SvcAttr.TIMEOUT:
        timeout = plen >= 4 ? le32(b, p) : 0;
        break;
      case SvcAttr.NETMASK:
        nmAt = plen >= 4 ? p : -1;
        break;
      case SvcAttr.PE_NAME:
        pe = cstrAt(b, p, plen);
        break;
      case SvcAttr.STATS64:
        s64At = p;
        s64End = p + plen;
        break;
      case SvcAttr.STATS:
        s32At = p;
        s32End = p + plen;
        break;
    }
  });
  const family = (af || AF_INET) as Af;
  const v6 = family === AF_INET6;
  const svc: Service = {
    af: family,
    protocol: fwmark ? 0 : protocol,
    addr:
      addrAt < 0 ? (v6 ? '::' : '0.0.0.0') : !v6 && addrLen >= 4 ? formatIpv4(b, addrAt) : formatAf(family, b.subarray(addrAt, addrAt + addrLen)),
    port,
    fwmark,
    sched,
    flags: (flags & ~SvcFlag.HASHED) >>> 0,
    timeout,
    netmask: nmAt >= 0 ? (v6 ? le32(b, nmAt) : b.readUInt32BE(nmAt)) : v6 ? 128 : 0xffffffff,
    pe,
  };
  if (s64At >= 0) {
    svc.stats = decodeStatsAt(b, s64At, s64End, true);
    svc.stats64 = true;
  } else if (s32At >= 0) {
    svc.stats = decodeStatsAt(b, s32At, s32End, false);
    svc.stats64 = false;
  }
  return svc;
}

/** Nested dest attributes → Dest (`svcAf` when the kernel omits ADDR_FAMILY). */
export function decodeDest(b: Buffer, svcAf: Af): Dest {
  const a = parseAttrs(b);
  const afB = a.get(DestAttr.ADDR_FAMILY);
  const af = (afB ? u16(afB) : svcAf) as Af;
  const addrB = a.get(DestAttr.ADDR);
  const d: Dest = {
    af,
    addr: addrB ? formatAf(af, addrB) : af === AF_INET6 ? '::' : '0.0.0.0',
    port: be16(a.get(DestAttr.PORT)),
    fwd: u32(a.get(DestAttr.FWD_METHOD)) & 7,
    weight: u32(a.get(DestAttr.WEIGHT)) | 0,
    uThresh: u32(a.get(DestAttr.U_THRESH)),
    lThresh: u32(a.get(DestAttr.L_THRESH)),
    tunType: a.get(DestAttr.TUN_TYPE)?.[0] ?? 0,
    tunPort: be16(a.get(DestAttr.TUN_PORT)),
    tunFlags: u16(a.get(DestAttr.TUN_FLAGS)),
    activeConns: u32(a.get(DestAttr.ACTIVE_CONNS)),
    inactConns: u32(a.get(DestAttr.INACT_CONNS)),
    persistConns: u32(a.get(DestAttr.PERSIST_CONNS)),
  };
  const s64 = a.get(DestAttr.STATS64);
  const s32 = a.get(DestAttr.STATS);
  if (s64) d.stats = decodeStats(s64, true);
  else if (s32) d.stats = decodeStats(s32, false);
  return d;
}

export function decodeDaemon(b: Buffer): Daemon {
  const a = parseAttrs(b);
  const d: Daemon = {
    state: u32(a.get(DaemonAttr.STATE)),
    ifname: cstr(a.get(DaemonAttr.MCAST_IFN)),
    syncId: u32(a.get(DaemonAttr.SYNC_ID)),
  };
  const ml = a.get(DaemonAttr.SYNC_MAXLEN);
  if (ml) d.maxLen = u16(ml);
  const port = a.get(DaemonAttr.MCAST_PORT);
  if (port) d.port = u16(port);
  const ttl = a.get(DaemonAttr.MCAST_TTL);
  if (ttl) d.ttl = ttl[0];
  const g4 = a.get(DaemonAttr.MCAST_GROUP);
  const g6 = a.get(DaemonAttr.MCAST_GROUP6);
  if (g4) d.group = formatAf(AF_INET, g4);
  else if (g6) d.group = formatIpv6(g6);
  return d;
}

/** GET_CONFIG reply attributes → timeouts. */
export function decodeTimeouts(attrs: Map<number, Buffer>): Timeouts {
  return {
    tcp: u32(attrs.get(CmdAttr.TIMEOUT_TCP)),
    tcpFin: u32(attrs.get(CmdAttr.TIMEOUT_TCP_FIN)),
    udp: u32(attrs.get(CmdAttr.TIMEOUT_UDP)),
  };
}

export function decodeInfo(attrs: Map<number, Buffer>): Info {
  return { version: u32(attrs.get(InfoAttr.VERSION)), connTabSize: u32(attrs.get(InfoAttr.CONN_TAB_SIZE)) };
}

/** Family id and version from a CTRL_CMD_NEWFAMILY reply. */
export function decodeFamily(msg: NlMessage): { id: number; version: number } {
  const a = genlAttrs(msg);
  return { id: u16(a.get(CTRL_ATTR_FAMILY_ID)), version: u32(a.get(CTRL_ATTR_VERSION)) };
}
