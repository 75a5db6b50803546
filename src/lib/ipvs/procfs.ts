/**
 * Pure parser of /proc/net/ip_vs (the kernel's own table listing). `hactl
 * save` reads the destinations from it in one read instead of one netlink
 * dump per service: it holds everything -S prints except tunnel details
 * (fetched over netlink for the services that have tunnel destinations).
 */
import { formatIPv6, parseIPv6 } from './addr';
import { AF_INET, AF_INET6, Fwd, IPPROTO_SCTP, IPPROTO_TCP, IPPROTO_UDP } from './constants';
import type { Dest, Family } from './types';

export interface ProcService {
  /** serviceId()-compatible key, or `fwm:<mark>` (the file does not say the family of fwmark services). */
  key: string;
  dests: Dest[];
}

const PROTO: Record<string, number> = { TCP: IPPROTO_TCP, UDP: IPPROTO_UDP, SCTP: IPPROTO_SCTP };
const FWD: Record<string, number> = { Masq: Fwd.MASQ, Local: Fwd.LOCALNODE, Tunnel: Fwd.TUNNEL, Route: Fwd.DROUTE };

function addr(s: string): { af: Family; addr: string } | null {
  if (s.startsWith('[')) {
    const b = parseIPv6(s.slice(1, -1));
    return b ? { af: AF_INET6, addr: formatIPv6(b) } : null;
  }
  if (!/^[0-9A-Fa-f]{8}$/.test(s)) return null;
  const n = Number.parseInt(s, 16);
  return { af: AF_INET, addr: `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}` };
}

/** Services in file order with their destinations; null if the text is not understood. */
export function parseProcIpvs(text: string): ProcService[] | null {
  const out: ProcService[] = [];
  let cur: ProcService | null = null;
  const lines = text.split('\n');
  for (let i = 3; i < lines.length; i++) {
    const l = lines[i];
    if (l === '') continue;
    if (l.startsWith('  -> ')) {
      const m = /^ {2}-> (\S+):([0-9A-F]{4})\s+(\S+)\s+(-?\d+)\s+(\d+)\s+(\d+)/.exec(l);
      const a = m && addr(m[1]);
      if (!m || !a || !cur || FWD[m[3]] === undefined) return null;
      cur.dests.push({
        af: a.af,
        addr: a.addr,
        port: Number.parseInt(m[2], 16),
        fwd: FWD[m[3]],
        weight: Number(m[4]),
        uThresh: 0,
        lThresh: 0,
        tunType: 0,
        tunPort: 0,
        tunFlags: 0,
        activeConns: Number(m[5]),
        inactConns: Number(m[6]),
      });
      continue;
    }
    const fw = /^FWM {2}([0-9A-F]{8}) /.exec(l);
    if (fw) {
      cur = { key: `fwm:${Number.parseInt(fw[1], 16)}`, dests: [] };
      out.push(cur);
      continue;
    }
    const m = /^(TCP|UDP|SCTP)\s+(\S+):([0-9A-F]{4}) /.exec(l);
    const a = m && addr(m[2]);
    if (!m || !a) return null;
    const port = Number.parseInt(m[3], 16);
    cur = { key: `${PROTO[m[1]]}:${a.af === AF_INET6 ? `[${a.addr}]` : a.addr}:${port}`, dests: [] };
    out.push(cur);
  }
  return out;
}

/** One IPv4 destination line of /proc/net/ip_vs, as numbers (see parseProcIpvs4). */
export interface ProcDest4 {
  addr: number;
  port: number;
  fwd: number;
  weight: number;
  active: number;
  inact: number;
}

const FWD_BY_NAME: Record<string, number> = { Masq: Fwd.MASQ, Local: Fwd.LOCALNODE, Tunnel: Fwd.TUNNEL, Route: Fwd.DROUTE };
const PROTO_CODE: Record<string, number> = { TCP: IPPROTO_TCP, UDP: IPPROTO_UDP, SCTP: IPPROTO_SCTP };

/** Key of an IPv4 service for parseProcIpvs4: protocol * 2^48 + address * 2^16 + port (exact in a double). */
export function v4Key(protocol: number, addr: number, port: number): number {
  return protocol * 281474976710656 + addr * 65536 + port;
}

function hexAt(s: string, from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

/** Next run of non-space characters from i: [start, end), or null at the end of the line. */
function word(s: string, i: number): [number, number] | null {
  const n = s.length;
  while (i < n && s.charCodeAt(i) === 32) i++;
  if (i >= n) return null;
  const st = i;
  while (i < n && s.charCodeAt(i) !== 32) i++;
  return [st, i];
}

function int(s: string, w: [number, number] | null): number | null {
  if (!w) return null;
  const t = s.slice(w[0], w[1]);
  return /^-?\d+$/.test(t) ? Number(t) : null;
}

/**
 * Fast reader of /proc/net/ip_vs for tables of IPv4 TCP/UDP/SCTP services
 * with IPv4 destinations (the common case), without regular expressions or
 * per-destination objects: destinations by service key (v4Key), in file
 * order. null when the text has anything else (IPv6, fwmark services...):
 * parseProcIpvs() then handles it.
 */
export function parseProcIpvs4(text: string): Map<number, ProcDest4[]> | null {
  const out = new Map<number, ProcDest4[]>();
  let cur: ProcDest4[] | null = null;
  const lines = text.split('\n');
  if (lines.length < 3) return null;
  for (let i = 3; i < lines.length; i++) {
    const l = lines[i];
    if (l === '') continue;
    if (l.startsWith('  -> ')) {
      // "  -> C0000201:0050      Masq    1      0          0"
      if (!cur || l.length < 18 || l.charCodeAt(13) !== 58) return null;
      const addr = hexAt(l, 5, 13);
      const port = hexAt(l, 14, 18);
      const fw = word(l, 18);
      if (addr < 0 || port < 0 || !fw) return null;
      const fwd = FWD_BY_NAME[l.slice(fw[0], fw[1])];
      const ww = word(l, fw[1]);
      const aw = ww && word(l, ww[1]);
      const iw = aw && word(l, aw[1]);
      const weight = int(l, ww);
      const active = int(l, aw);
      const inact = int(l, iw);
      if (fwd === undefined || weight === null || active === null || inact === null) return null;
      cur.push({ addr, port, fwd, weight, active, inact });
      continue;
    }
    // "TCP  C0000201:0050 wlc" (the kernel prints "%s  %08X:%04X %s ")
    const sp = l.indexOf(' ');
    const proto = sp > 0 ? PROTO_CODE[l.slice(0, sp)] : undefined;
    const a = sp + 2;
    if (proto === undefined || l.charCodeAt(sp + 1) !== 32 || l.length < a + 14 || l.charCodeAt(a + 8) !== 58 || l.charCodeAt(a + 13) !== 32) return null;
    const addr = hexAt(l, a, a + 8);
    const port = hexAt(l, a + 9, a + 13);
    if (addr < 0 || port < 0) return null;
    const key = v4Key(proto, addr, port);
    if (out.has(key)) return null;
    cur = [];
    out.set(key, cur);
  }
  return out;
}
