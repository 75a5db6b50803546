/**
 * Pure parser of /proc/net/ip_vs (the kernel's own table listing). `hactl
 * save` reads the destinations from it in one read instead of one netlink
 * dump per service: it holds everything -S prints except tunnel details
 * (fetched over netlink for the services that have tunnel destinations).
 */
import { procFwmarkId, serviceTextId } from './ids';
import { formatIpv6, ipBytes } from '../addr';
import { AF_INET, AF_INET6, Fwd, IPPROTO_SCTP, IPPROTO_TCP, IPPROTO_UDP } from './constants';
import type { Dest, Af } from './types';

export interface ProcService {
  /** ./ids serviceTextId, or procFwmarkId for a fwmark service (the file does not say its family). */
  key: string;
  dests: Dest[];
}

const PROTO: Record<string, number> = { TCP: IPPROTO_TCP, UDP: IPPROTO_UDP, SCTP: IPPROTO_SCTP };
const FWD: Record<string, number> = { Masq: Fwd.MASQ, Local: Fwd.LOCALNODE, Tunnel: Fwd.TUNNEL, Route: Fwd.DROUTE };

function addr(s: string): { af: Af; addr: string } | null {
  if (s.startsWith('[')) {
    const b = ipBytes(s.slice(1, -1), 6);
    return b ? { af: AF_INET6, addr: formatIpv6(b) } : null;
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
      cur = { key: procFwmarkId(Number.parseInt(fw[1], 16)), dests: [] };
      out.push(cur);
      continue;
    }
    const m = /^(TCP|UDP|SCTP)\s+(\S+):([0-9A-F]{4}) /.exec(l);
    const a = m && addr(m[2]);
    if (!m || !a) return null;
    const port = Number.parseInt(m[3], 16);
    cur = { key: serviceTextId({ af: a.af, protocol: PROTO[m[1]], addr: a.addr, port, fwmark: 0 }), dests: [] };
    out.push(cur);
  }
  return out;
}

/**
 * /proc/net/ip_vs of an all-IPv4 table as flat arrays (see parseProcIpvs4):
 * service i (by v4Key in `svc`) has destinations j in [start[i], start[i+1]).
 */
export interface Proc4 {
  svc: Map<number, number>;
  start: Int32Array;
  addr: Uint32Array;
  port: Int32Array;
  fwd: Int32Array;
  weight: Int32Array;
  active: Int32Array;
  inact: Int32Array;
}

/** Key of an IPv4 service for parseProcIpvs4: protocol * 2^48 + address * 2^16 + port (exact in a double). */
export function v4Key(protocol: number, addr: number, port: number): number {
  return protocol * 281474976710656 + addr * 65536 + port;
}

/** Uppercase hex digits b[from, to) (what the kernel prints); -1 for anything else. */
function hexAt(b: Uint8Array, from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = b[i];
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

/** Where the last intAt stopped. */
let wordEnd = 0;

/** After spaces from i: a decimal integer (a leading '-' only when signed) ending at a space or `end`; null otherwise. */
function intAt(b: Uint8Array, i: number, end: number, signed: boolean): number | null {
  while (i < end && b[i] === 32) i++;
  let neg = false;
  if (signed && i < end && b[i] === 45) {
    neg = true;
    i++;
  }
  const st = i;
  let v = 0;
  while (i < end && b[i] !== 32) {
    const c = b[i];
    if (c < 48 || c > 57 || i - st > 10) return null;
    v = v * 10 + (c - 48);
    i++;
  }
  if (i === st) return null;
  wordEnd = i;
  return neg ? -v : v;
}

/** The forwarding name at b[i..] followed by a space: Fwd value, or -1. */
const FWD_NAMES: Array<[string, number]> = [
  ['Masq ', Fwd.MASQ],
  ['Route ', Fwd.DROUTE],
  ['Local ', Fwd.LOCALNODE],
  ['Tunnel ', Fwd.TUNNEL],
];

function fwdAt(b: Uint8Array, i: number): number {
  for (const [name, v] of FWD_NAMES) {
    let ok = true;
    for (let k = 0; k < name.length && ok; k++) ok = b[i + k] === name.charCodeAt(k);
    if (ok) {
      wordEnd = i + name.length - 1;
      return v;
    }
  }
  return -1;
}

/**
 * Fast reader of /proc/net/ip_vs (bytes or text) for tables of IPv4
 * TCP/UDP/SCTP services with IPv4 destinations (the common case): no
 * strings, no regular expressions, no per-destination objects. null when the
 * text has anything else (IPv6, fwmark services...): parseProcIpvs() then
 * handles it.
 */
export function parseProcIpvs4(data: Uint8Array | string): Proc4 | null {
  const b = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
  const n = b.length;
  let rows = 1;
  for (let i = 0; i < n; i++) if (b[i] === 10) rows++;
  const svc = new Map<number, number>();
  const start = new Int32Array(rows + 1);
  const addr = new Uint32Array(rows);
  const port = new Int32Array(rows);
  const fwd = new Int32Array(rows);
  const weight = new Int32Array(rows);
  const active = new Int32Array(rows);
  const inact = new Int32Array(rows);
  let nsvc = 0;
  let nd = 0;
  let pos = 0;
  let line = 0;
  while (pos < n) {
    let eol = b.indexOf(10, pos);
    if (eol < 0) eol = n;
    const ls = pos;
    pos = eol + 1;
    if (line++ < 3 || eol === ls) continue;
    if (b[ls] === 32 && b[ls + 1] === 32 && b[ls + 2] === 45 && b[ls + 3] === 62 && b[ls + 4] === 32) {
      // "  -> C0000201:0050      Masq    1      0          0"
      if (nsvc === 0 || eol - ls < 19 || b[ls + 13] !== 58) return null;
      const a = hexAt(b, ls + 5, ls + 13);
      const pt = hexAt(b, ls + 14, ls + 18);
      let i = ls + 18;
      while (i < eol && b[i] === 32) i++;
      if (a < 0 || pt < 0 || i === ls + 18) return null;
      const f = fwdAt(b, i);
      if (f < 0) return null;
      const w = intAt(b, wordEnd, eol, true);
      if (w === null) return null;
      const ac = intAt(b, wordEnd, eol, false);
      if (ac === null) return null;
      const ia = intAt(b, wordEnd, eol, false);
      if (ia === null) return null;
      addr[nd] = a;
      port[nd] = pt;
      fwd[nd] = f;
      weight[nd] = w;
      active[nd] = ac;
      inact[nd] = ia;
      nd++;
      continue;
    }
    // "TCP  C0000201:0050 wlc" (the kernel prints "%s  %08X:%04X %s ")
    let proto = 0;
    let a0 = 0;
    if (b[ls] === 84 && b[ls + 1] === 67 && b[ls + 2] === 80) {
      proto = IPPROTO_TCP;
      a0 = ls + 3;
    } else if (b[ls] === 85 && b[ls + 1] === 68 && b[ls + 2] === 80) {
      proto = IPPROTO_UDP;
      a0 = ls + 3;
    } else if (b[ls] === 83 && b[ls + 1] === 67 && b[ls + 2] === 84 && b[ls + 3] === 80) {
      proto = IPPROTO_SCTP;
      a0 = ls + 4;
    } else return null;
    if (b[a0] !== 32 || b[a0 + 1] !== 32) return null;
    a0 += 2;
    if (eol - a0 < 14 || b[a0 + 8] !== 58 || b[a0 + 13] !== 32) return null;
    const a = hexAt(b, a0, a0 + 8);
    const pt = hexAt(b, a0 + 9, a0 + 13);
    if (a < 0 || pt < 0) return null;
    const key = v4Key(proto, a, pt);
    if (svc.has(key)) return null;
    svc.set(key, nsvc);
    start[nsvc++] = nd;
  }
  start[nsvc] = nd;
  return { svc, start, addr, port, fwd, weight, active, inact };
}
