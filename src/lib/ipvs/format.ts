/**
 * ipvsadm 1.31 output, byte for byte: -L (with -n, --stats, --rate, --exact,
 * --thresholds, --persistent-conn, --tun-info, --nosort), -S, -c, --timeout,
 * --daemon. Pure: name lookups go through an injected resolver.
 */
import { INET_ATON, formatIpv4, formatIpv6, ipBytes, ipv4Scan, scanIpv4At } from '../addr';
import { cmpAddr, cmpU32Wrapping } from './addr';
import { AF_INET, AF_INET6, Fwd, FWD_MASK, IPPROTO_SCTP, IPPROTO_TCP, IPPROTO_UDP, SvcFlag, TunType } from './constants';
import type { Daemon, Dest, Info, Service, ServiceWithDests, Stats, Timeouts } from './types';

export interface ListFormat {
  numeric?: boolean;
  stats?: boolean;
  rate?: boolean;
  thresholds?: boolean;
  persistentConn?: boolean;
  tunInfo?: boolean;
  exact?: boolean;
  nosort?: boolean;
  /** -S rule format. */
  rule?: boolean;
}

/** Host and service name lookups for the non-numeric output (gethostbyaddr/getservbyport). */
export interface NameResolver {
  host(af: number, addr: string): string | undefined;
  service(port: number, proto: string): string | undefined;
}

export const noNames: NameResolver = { host: () => undefined, service: () => undefined };

/** Resolver over the contents of /etc/hosts and /etc/services (what glibc's "files" source reads). */
export function filesResolver(hosts: string, services: string): NameResolver {
  const byAddr = new Map<string, string>();
  for (const raw of hosts.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const [addr, name] = line.split(/\s+/);
    if (!name) continue;
    const v6 = ipBytes(addr, 6);
    const key = v6 && addr.includes(':') ? `10/${formatIpv6(v6)}` : ipBytes(addr, 4, INET_ATON) ? `2/${formatIpv4(ipBytes(addr, 4, INET_ATON)!)}` : '';
    if (key && !byAddr.has(key)) byAddr.set(key, name);
  }
  const byPort = new Map<string, string>();
  for (const raw of services.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    const m = /^(\S+)\s+(\d+)\/(\w+)/.exec(line);
    if (m && !byPort.has(`${m[2]}/${m[3]}`)) byPort.set(`${m[2]}/${m[3]}`, m[1]);
  }
  return {
    host: (af, addr) => byAddr.get(`${af}/${addr}`),
    service: (port, proto) => byPort.get(`${port}/${proto}`),
  };
}

function protoKey(p: number): string {
  return p === IPPROTO_TCP ? 'tcp' : p === IPPROTO_UDP ? 'udp' : p === IPPROTO_SCTP ? 'sctp' : '';
}

export function protocolName(p: number): string {
  return p === IPPROTO_TCP ? 'TCP' : p === IPPROTO_UDP ? 'UDP' : p === IPPROTO_SCTP ? 'SCTP' : '?';
}

function protocolOption(p: number): string {
  return p === IPPROTO_TCP ? '-t' : p === IPPROTO_UDP ? '-u' : p === IPPROTO_SCTP ? '--sctp-service' : '--xxx-service';
}

/** printf %-Ns / %Ns. */
export function padR(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}
export function padL(s: string, n: number): string {
  return s.length >= n ? s : ' '.repeat(n - s.length) + s;
}

function addrPort(af: number, addr: string, port: number, proto: number, fmt: ListFormat, names: NameResolver): string {
  const open = af === AF_INET ? '' : '[';
  const close = af === AF_INET ? '' : ']';
  let s: string;
  if (fmt.numeric) s = `${open}${addr}${close}:${port}`;
  else {
    const h = names.host(af, addr) ?? addr;
    const p = (protoKey(proto) && names.service(port, protoKey(proto))) || String(port);
    s = `${open}${h}${close}:${p}`;
  }
  return s.length > 59 ? s.slice(0, 59) : s;
}

function fwdName(fwd: number): string {
  switch (fwd & FWD_MASK) {
    case Fwd.MASQ:
      return 'Masq';
    case Fwd.LOCALNODE:
      return 'Local';
    case Fwd.TUNNEL:
      return 'Tunnel';
    case Fwd.DROUTE:
      return 'Route';
    default:
      return '(null)';
  }
}

function fwdSwitch(fwd: number): string {
  switch (fwd & FWD_MASK) {
    case Fwd.MASQ:
      return '-m';
    case Fwd.TUNNEL:
      return '-i';
    case Fwd.LOCALNODE:
    case Fwd.DROUTE:
      return '-g';
    default:
      return '(null)';
  }
}

const TUN_NAMES = ['ipip', 'gue', 'gre'];
const TUN_FLAGS = ['-c', '+c', 'r+c'];
const TUN_FLAG_OPTS = ['--tun-nocsum', '--tun-csum', '--tun-remcsum'];

function tunInfo(d: Dest): string | null {
  if ((d.fwd & FWD_MASK) !== Fwd.TUNNEL) return null;
  let s: string;
  switch (d.tunType) {
    case TunType.IPIP:
      s = 'ipip';
      break;
    case TunType.GUE:
      s = `gue:${d.tunPort}:${TUN_FLAGS[d.tunFlags] ?? '(null)'}`;
      break;
    case TunType.GRE:
      s = `gre:${TUN_FLAGS[d.tunFlags] ?? '(null)'}`;
      break;
    default:
      return null;
  }
  return s.slice(0, 15);
}

/** print_largenum. */
export function largeNum(i: number, exact: boolean): string {
  if (exact) {
    const s = String(i);
    return padL(s, s.length <= 8 ? 9 : s.length + 1);
  }
  if (i < 100000000) return padL(String(i), 9);
  if (i < 1000000000) return `${padL(String(Math.floor(i / 1000)), 8)}K`;
  if (i < 100000000000) return `${padL(String(Math.floor(i / 1000000)), 8)}M`;
  if (i < 100000000000000) return `${padL(String(Math.floor(i / 1000000000)), 8)}G`;
  return `${padL(String(Math.floor(i / 1000000000000)), 8)}T`;
}

export function schedFlags(s: Pick<Service, 'sched' | 'flags'>): string {
  const f: string[] = [];
  if (s.sched === 'sh') {
    if (s.flags & SvcFlag.SCHED1) f.push('sh-fallback');
    if (s.flags & SvcFlag.SCHED2) f.push('sh-port');
  } else if (s.sched === 'mh') {
    if (s.flags & SvcFlag.SCHED1) f.push('mh-fallback');
    if (s.flags & SvcFlag.SCHED2) f.push('mh-port');
  } else {
    if (s.flags & SvcFlag.SCHED1) f.push('flag-1');
    if (s.flags & SvcFlag.SCHED2) f.push('flag-2');
    if (s.flags & SvcFlag.SCHED3) f.push('flag-3');
  }
  return f.join(',');
}

function titleLines(fmt: ListFormat): string {
  const head = 'Prot LocalAddress:Port';
  if (fmt.stats) return `${padR(head, 33)} ${['Conns', 'InPkts', 'OutPkts', 'InBytes', 'OutBytes'].map((x) => padL(x, 8)).join(' ')}\n  -> RemoteAddress:Port\n`;
  if (fmt.rate) return `${padR(head, 33)} ${['CPS', 'InPPS', 'OutPPS', 'InBPS', 'OutBPS'].map((x) => padL(x, 8)).join(' ')}\n  -> RemoteAddress:Port\n`;
  if (fmt.thresholds) return `${padR(head, 33)} ${['Uthreshold', 'Lthreshold', 'ActiveConn', 'InActConn'].map((x) => padR(x, 10)).join(' ')}\n  -> RemoteAddress:Port\n`;
  if (fmt.persistentConn)
    return `${padR(head, 33)} ${padR('Weight', 9)} ${padR('PersistConn', 11)} ${padR('ActiveConn', 10)} ${padR('InActConn', 10)}\n  -> RemoteAddress:Port\n`;
  if (fmt.tunInfo) return 'Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n';
  if (fmt.rule) return '';
  return 'Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n';
}

const ZERO: Stats = { conns: 0, inpkts: 0, outpkts: 0, inbytes: 0, outbytes: 0, cps: 0, inpps: 0, outpps: 0, inbps: 0, outbps: 0 };

/** libipvs ipvs_cmp_services (wrapping int subtraction included). */
export function cmpServices(a: Service, b: Service): number {
  let r = cmpU32Wrapping(a.fwmark, b.fwmark);
  if (r) return r;
  r = a.af - b.af;
  if (r) return r;
  r = a.protocol - b.protocol;
  if (r) return r;
  if (!a.fwmark) {
    r = cmpAddr(a.af, a.addr, b.addr);
    if (r) return r;
  }
  return a.port - b.port;
}

/** libipvs ipvs_cmp_dests. */
export function cmpDests(a: Dest, b: Dest): number {
  const r = a.af === b.af ? cmpAddr(a.af, a.addr, b.addr) : cmpAddrMixed(a, b);
  if (r) return r;
  return a.port - b.port;
}

function cmpAddrMixed(a: Dest, b: Dest): number {
  // The C code reads d2's union with d1's family; emulate with 16-byte unions.
  const x = Buffer.alloc(16);
  const y = Buffer.alloc(16);
  (a.af === AF_INET6 ? ipBytes(a.addr, 6)! : ipBytes(a.addr, 4, INET_ATON)!).copy(x);
  (b.af === AF_INET6 ? ipBytes(b.addr, 6)! : ipBytes(b.addr, 4, INET_ATON)!).copy(y);
  const words = a.af === AF_INET6 ? 4 : 1;
  for (let i = 0; i < words; i++) {
    const r = cmpU32Wrapping(x.readUInt32BE(i * 4), y.readUInt32BE(i * 4));
    if (r) return r;
  }
  return 0;
}

function serviceName(s: Service, fmt: ListFormat, names: NameResolver): string {
  if (s.fwmark) {
    // ipvsadm prints the mark with %d.
    const mark = s.fwmark | 0;
    if (fmt.rule) return s.af === AF_INET6 ? `-f ${mark} -6` : `-f ${mark}`;
    return s.af === AF_INET6 ? `FWM  ${mark} IPv6` : `FWM  ${mark}`;
  }
  const v = addrPort(s.af, s.addr, s.port, s.protocol, fmt, names);
  if (fmt.rule) return `${protocolOption(s.protocol)} ${v}`;
  const n = `${padR(protocolName(s.protocol), 4)} ${v}`;
  return s.af !== AF_INET6 ? n.slice(0, 33) : n;
}

function ipv4Mask(m: number): string {
  return `${(m >>> 24) & 255}.${(m >>> 16) & 255}.${(m >>> 8) & 255}.${m & 255}`;
}

/** One service and its destinations (print_service_entry). */
export function formatServiceEntry(s: ServiceWithDests, fmt: ListFormat, names: NameResolver = noNames): string {
  const name = serviceName(s, fmt, names);
  const st = s.stats ?? ZERO;
  const ex = !!fmt.exact;
  let out = '';
  if (fmt.rule) {
    out += `-A ${name} -s ${s.sched}`;
    if (s.flags & SvcFlag.PERSISTENT) {
      out += ` -p ${s.timeout}`;
      if (s.af === AF_INET && s.netmask >>> 0 !== 0xffffffff) out += ` -M ${ipv4Mask(s.netmask)}`;
      if (s.af === AF_INET6 && s.netmask !== 128) out += ` -M ${s.netmask | 0}`;
    }
    if (s.pe) out += ` --pe ${s.pe}`;
    if (s.flags & SvcFlag.ONEPACKET) out += ' -o';
    if (s.flags & (SvcFlag.SCHED1 | SvcFlag.SCHED2 | SvcFlag.SCHED3)) out += ` -b ${schedFlags(s)}`;
  } else if (fmt.stats) {
    out += padR(name, 33) + [st.conns, st.inpkts, st.outpkts, st.inbytes, st.outbytes].map((n) => largeNum(n, ex)).join('');
  } else if (fmt.rate) {
    out += padR(name, 33) + [st.cps, st.inpps, st.outpps, st.inbps, st.outbps].map((n) => largeNum(n, ex)).join('');
  } else {
    out += `${name} ${s.sched}`;
    if (s.flags & (SvcFlag.SCHED1 | SvcFlag.SCHED2 | SvcFlag.SCHED3)) out += ` (${schedFlags(s)})`;
    if (s.flags & SvcFlag.PERSISTENT) {
      out += ` persistent ${s.timeout}`;
      if (s.af === AF_INET && s.netmask >>> 0 !== 0xffffffff) out += ` mask ${ipv4Mask(s.netmask)}`;
      if (s.af === AF_INET6 && s.netmask !== 128) out += ` mask ${s.netmask | 0}`;
      if (s.pe) out += ` pe ${s.pe}`;
    }
    if (s.flags & SvcFlag.ONEPACKET) out += ' ops';
  }
  out += '\n';
  const dests = fmt.nosort ? s.dests : sortDests(s.dests);
  for (const e of dests) {
    let dname = addrPort(e.af, e.addr, e.port, s.protocol, fmt, names);
    if (!fmt.rule && e.af !== AF_INET6) dname = dname.slice(0, 28);
    const ds = e.stats ?? ZERO;
    if (fmt.rule) {
      const base = `-a ${name} -r ${dname} ${fwdSwitch(e.fwd)} -w ${e.weight}`;
      if ((e.fwd & FWD_MASK) === Fwd.TUNNEL) {
        if (e.tunType === TunType.GRE) out += `${base} --tun-type gre ${TUN_FLAG_OPTS[e.tunFlags] ?? '(null)'}\n`;
        else if (e.tunType === TunType.GUE) out += `${base} --tun-type gue --tun-port ${e.tunPort} ${TUN_FLAG_OPTS[e.tunFlags] ?? '(null)'}\n`;
        else if (e.tunType === TunType.IPIP) out += `${base} --tun-type ipip\n`;
        else out += `${base}\n`;
      } else out += `${base}\n`;
    } else if (fmt.stats) {
      out += `  -> ${padR(dname, 28)}${[ds.conns, ds.inpkts, ds.outpkts, ds.inbytes, ds.outbytes].map((n) => largeNum(n, ex)).join('')}\n`;
    } else if (fmt.rate) {
      out += `  -> ${padR(dname, 28)} ${padL(String(ds.cps), 8)} ${padL(String(ds.inpps), 8)} ${padL(String(ds.outpps), 8)}${largeNum(ds.inbps, ex)}${largeNum(ds.outbps, ex)}\n`;
    } else if (fmt.thresholds) {
      out += `  -> ${padR(dname, 28)} ${padR(String(e.uThresh), 10)} ${padR(String(e.lThresh), 10)} ${padR(String(e.activeConns ?? 0), 10)} ${padR(String(e.inactConns ?? 0), 10)}\n`;
    } else if (fmt.persistentConn) {
      out += `  -> ${padR(dname, 28)} ${padR(String(e.weight), 9)} ${padR(String(e.persistConns ?? 0), 11)} ${padR(String(e.activeConns ?? 0), 10)} ${padR(String(e.inactConns ?? 0), 10)}\n`;
    } else if (fmt.tunInfo) {
      out += `  -> ${padR(dname, 28)} ${padR(fwdName(e.fwd), 7)} ${padR(tunInfo(e) ?? 'n/a', 13)} ${padR(String(e.weight), 6)} ${padR(String(e.activeConns ?? 0), 10)} ${padR(String(e.inactConns ?? 0), 10)}\n`;
    } else {
      out += `  -> ${padR(dname, 28)} ${padR(fwdName(e.fwd), 7)} ${padR(String(e.weight), 6)} ${padR(String(e.activeConns ?? 0), 10)} ${padR(String(e.inactConns ?? 0), 10)}\n`;
    }
  }
  return out;
}

/** Address as big-endian 32-bit words (1 for IPv4, 4 for IPv6), for sorting. */
function addrWords(af: number, addr: string): number[] {
  if (af === AF_INET6) {
    const b = ipBytes(addr, 6);
    return b ? [b.readUInt32BE(0), b.readUInt32BE(4), b.readUInt32BE(8), b.readUInt32BE(12)] : [0, 0, 0, 0];
  }
  // Canonical dotted quads (what the kernel gives back) without allocations.
  const v = scanIpv4At(addr, 0, addr.length);
  if (v >= 0 && ipv4Scan.end === addr.length) return [v];
  const b = ipBytes(addr, 4, INET_ATON);
  return [b ? b.readUInt32BE(0) : 0];
}

function cmpWords(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) {
    const r = cmpU32Wrapping(a[i], b[i] ?? 0);
    if (r) return r;
  }
  return 0;
}

/** Sorted like ipvsadm (cmpServices), with each address parsed once. */
export function sortServices<T extends Service>(svcs: T[]): T[] {
  const keyed = svcs.map((s) => ({ s, w: s.fwmark ? [] : addrWords(s.af, s.addr) }));
  keyed.sort((x, y) => {
    const a = x.s;
    const b = y.s;
    let r = cmpU32Wrapping(a.fwmark, b.fwmark);
    if (r) return r;
    r = a.af - b.af;
    if (r) return r;
    r = a.protocol - b.protocol;
    if (r) return r;
    if (!a.fwmark) {
      r = cmpWords(x.w, y.w);
      if (r) return r;
    }
    return a.port - b.port;
  });
  return keyed.map((k) => k.s);
}

/** Sorted like ipvsadm (cmpDests: the first dest's family decides how many words compare). */
export function sortDests(dests: Dest[]): Dest[] {
  if (dests.length < 2) return dests.slice();
  if (dests.some((d) => d.af !== dests[0].af)) return [...dests].sort(cmpDests);
  const keyed = dests.map((d) => ({ d, w: addrWords(d.af, d.addr) }));
  keyed.sort((x, y) => cmpWords(x.w, y.w) || x.d.port - y.d.port);
  return keyed.map((k) => k.d);
}

export function versionLine(info: Info): string {
  const v = info.version;
  return `IP Virtual Server version ${(v >> 16) & 255}.${(v >> 8) & 255}.${v & 255} (size=${info.connTabSize})\n`;
}

/** list_all: the whole table (-L, or -S with fmt.rule). */
export function formatTable(table: ServiceWithDests[], info: Info | null, fmt: ListFormat, names: NameResolver = noNames): string {
  let out = '';
  if (!fmt.rule && info) out += versionLine(info);
  out += titleLines(fmt);
  const svcs = fmt.nosort ? table : sortServices(table);
  const parts: string[] = [out];
  for (const s of svcs) parts.push(formatServiceEntry(s, fmt, names));
  return parts.join('');
}

/** list_service: -L with a service (no version line). */
export function formatOneService(s: ServiceWithDests, fmt: ListFormat, names: NameResolver = noNames): string {
  return titleLines(fmt) + formatServiceEntry(s, fmt, names);
}

export function formatTimeouts(t: Timeouts): string {
  return `Timeout (tcp tcpfin udp): ${t.tcp} ${t.tcpFin} ${t.udp}\n`;
}

export function formatDaemons(ds: Daemon[]): string {
  let out = '';
  for (const d of ds.slice(0, 2)) {
    const type = d.state & 1 ? 'master' : d.state & 2 ? 'backup' : null;
    if (!type) continue;
    out += `${type} sync daemon (mcast=${d.ifname}, syncid=${d.syncId}`;
    if (d.maxLen) out += `, maxlen=${d.maxLen}`;
    if (d.group) out += `, group=${d.group}`;
    if (d.port) out += `, port=${d.port}`;
    if (d.ttl) out += `, ttl=${d.ttl}`;
    out += ')\n';
  }
  return out;
}

/** One parsed line of /proc/net/ip_vs_conn. */
export interface Conn {
  protocol: string;
  caddr: { af: number; addr: string };
  cport: number;
  vaddr: { af: number; addr: string };
  vport: number;
  daddr: { af: number; addr: string };
  dport: number;
  state: string;
  expires: number;
  peName?: string;
  peData?: string;
  /** Number of fields sscanf matched (11 when the pe columns exist). */
  fields: number;
}

function procAddr(s: string): { af: number; addr: string } {
  const v6 = ipBytes(s, 6);
  if (v6 && s.includes(':')) return { af: AF_INET6, addr: formatIpv6(v6) };
  const v4 = /^\d+\.\d+\.\d+\.\d+$/.test(s) ? ipBytes(s, 4, INET_ATON) : null;
  if (v4) return { af: AF_INET, addr: formatIpv4(v4) };
  const n = Number.parseInt(s, 16) >>> 0;
  return { af: AF_INET, addr: ipv4Mask(Number.isNaN(n) ? 0 : n) };
}

export function parseConnLine(line: string): Conn | null {
  const f = line.trim().split(/\s+/);
  if (f.length < 9) return null;
  return {
    protocol: f[0],
    caddr: procAddr(f[1]),
    cport: Number.parseInt(f[2], 16) & 0xffff,
    vaddr: procAddr(f[3]),
    vport: Number.parseInt(f[4], 16) & 0xffff,
    daddr: procAddr(f[5]),
    dport: Number.parseInt(f[6], 16) & 0xffff,
    state: f[7],
    expires: Number.parseInt(f[8], 10) | 0,
    peName: f[9],
    peData: f[10],
    fields: Math.min(f.length, 11),
  };
}

/** list_conn: the text of /proc/net/ip_vs_conn in ipvsadm -Lc format. */
export function formatConnections(procText: string, fmt: ListFormat, names: NameResolver = noNames): string {
  const lines = procText.split('\n');
  let out = 'IPVS connection entries\n';
  if (fmt.persistentConn)
    out += `pro expire ${padR('state', 11)} ${padR('source', 18)} ${padR('virtual', 18)} ${padR('destination', 18)} ${padR('pe name', 16)} pe_data\n`;
  else out += `pro expire ${padR('state', 11)} ${padR('source', 18)} ${padR('virtual', 18)} destination\n`;
  for (const line of lines.slice(1)) {
    if (!line.trim()) continue;
    const c = parseConnLine(line);
    if (!c) continue;
    const proto = c.protocol === 'TCP' ? IPPROTO_TCP : c.protocol === 'UDP' ? IPPROTO_UDP : c.protocol === 'SCTP' ? IPPROTO_SCTP : 0;
    // ipvsadm uses the client's family for the virtual address too.
    const cname = addrPort(c.caddr.af, c.caddr.addr, c.cport, proto, fmt, names);
    const vname = addrPort(c.caddr.af, c.vaddr.addr, c.vport, proto, fmt, names);
    const dname = addrPort(c.daddr.af, c.daddr.addr, c.dport, proto, fmt, names);
    const exp = `${String(Math.floor(c.expires / 60)).padStart(2, '0')}:${String(c.expires % 60).padStart(2, '0')}`;
    if (fmt.persistentConn && c.fields === 11)
      out += `${padR(c.protocol, 3)} ${padR(exp, 6)} ${padR(c.state, 11)} ${padR(cname, 18)} ${padR(vname, 18)} ${padR(dname, 16)} ${padR(c.peName ?? '', 18)} ${c.peData ?? ''}\n`;
    else out += `${padR(c.protocol, 3)} ${padR(exp, 6)} ${padR(c.state, 11)} ${padR(cname, 18)} ${padR(vname, 18)} ${dname}\n`;
  }
  return out;
}

/** JSON-friendly view of the table (sorted like the text output unless nosort). */
export function tableJson(table: ServiceWithDests[], nosort = false): unknown[] {
  const svcs = nosort ? table : sortServices(table);
  return svcs.map((s) => ({
    ...(s.fwmark ? { fwmark: s.fwmark } : { protocol: protoKey(s.protocol), address: s.addr, port: s.port }),
    family: s.af === AF_INET6 ? 'inet6' : 'inet',
    scheduler: s.sched,
    schedFlags: schedFlags(s) ? schedFlags(s).split(',') : [],
    persistent: s.flags & SvcFlag.PERSISTENT ? s.timeout : null,
    netmask: s.af === AF_INET6 ? s.netmask : ipv4Mask(s.netmask),
    onePacket: !!(s.flags & SvcFlag.ONEPACKET),
    pe: s.pe || null,
    stats: s.stats ?? null,
    dests: (nosort ? s.dests : sortDests(s.dests)).map((d) => ({
      family: d.af === AF_INET6 ? 'inet6' : 'inet',
      address: d.addr,
      port: d.port,
      forward: ['masq', 'local', 'tunnel', 'route'][d.fwd & 3],
      weight: d.weight,
      upperThreshold: d.uThresh,
      lowerThreshold: d.lThresh,
      tunnel: (d.fwd & FWD_MASK) === Fwd.TUNNEL ? { type: TUN_NAMES[d.tunType] ?? d.tunType, port: d.tunPort, flags: ['nocsum', 'csum', 'remcsum'][d.tunFlags] ?? d.tunFlags } : null,
      activeConns: d.activeConns ?? 0,
      inactiveConns: d.inactConns ?? 0,
      persistentConns: d.persistConns ?? 0,
      stats: d.stats ?? null,
    })),
  }));
}
