/**
 * Address helpers with the C library's semantics (inet_aton, inet_pton,
 * inet_ntop), so that hactl accepts and prints exactly what ipvsadm does.
 * Pure.
 */
import { AF_INET, AF_INET6 } from './constants';
import type { Family } from './types';

/** C strtoul(s, 0) on a whole string: 0x.. hex, 0.. octal, else decimal. null if not a number. */
function cNumber(s: string): number | null {
  if (s === '') return null;
  let m: RegExpMatchArray | null;
  if ((m = /^0[xX]([0-9a-fA-F]*)$/.exec(s))) return m[1] === '' ? 0 : Number.parseInt(m[1], 16);
  if (/^0[0-7]*$/.test(s)) return Number.parseInt(s, 8);
  if (/^[1-9][0-9]*$/.test(s)) return Number.parseInt(s, 10);
  return null;
}

/** inet_aton: "a.b.c.d", "a.b.c", "a.b", "a", each part C-style. Returns the 4 bytes or null. */
export function inetAton(s: string): Buffer | null {
  if (s.length === 0 || s.length > 64) return null;
  const parts = s.split('.');
  if (parts.length > 4) return null;
  const nums: number[] = [];
  for (const p of parts) {
    const n = cNumber(p);
    if (n === null) return null;
    nums.push(n);
  }
  let v: number;
  const last = nums[nums.length - 1];
  const head = nums.slice(0, -1);
  if (head.some((x) => x > 255)) return null;
  const maxLast = [0xffffffff, 0xffffff, 0xffff, 0xff][head.length];
  if (last > maxLast) return null;
  v = last;
  for (let i = 0; i < head.length; i++) v += head[i] * 2 ** (8 * (3 - i));
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0, 0);
  return b;
}

/** Strict dotted quad (inet_pton AF_INET). */
export function parseIPv4(s: string): Buffer | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return null;
  const b = Buffer.alloc(4);
  for (let i = 0; i < 4; i++) {
    const p = m[i + 1];
    if (p.length > 1 && p[0] === '0') return null;
    const n = Number(p);
    if (n > 255) return null;
    b[i] = n;
  }
  return b;
}

/** inet_pton AF_INET6. Returns 16 bytes or null. */
export function parseIPv6(s: string): Buffer | null {
  if (s.length === 0 || s.length > 45 || !/^[0-9a-fA-F:.]+$/.test(s)) return null;
  let tail4: Buffer | null = null;
  let str = s;
  const lastColon = s.lastIndexOf(':');
  if (s.indexOf('.', lastColon) >= 0) {
    tail4 = parseIPv4(s.slice(lastColon + 1));
    if (!tail4) return null;
    str = `${s.slice(0, lastColon + 1)}0:0`;
  }
  const dbl = str.indexOf('::');
  if (dbl !== str.lastIndexOf('::')) return null;
  const groups: number[] = [];
  const parseGroups = (part: string): number[] | null => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      out.push(Number.parseInt(g, 16));
    }
    return out;
  };
  if (dbl >= 0) {
    const a = parseGroups(str.slice(0, dbl));
    const b = parseGroups(str.slice(dbl + 2));
    if (!a || !b) return null;
    if (a.length + b.length > 7) return null;
    groups.push(...a, ...new Array(8 - a.length - b.length).fill(0), ...b);
  } else {
    const a = parseGroups(str);
    if (a?.length !== 8) return null;
    groups.push(...(a as number[]));
  }
  const buf = Buffer.alloc(16);
  for (let i = 0; i < 8; i++) buf.writeUInt16BE(groups[i], i * 2);
  if (tail4) tail4.copy(buf, 12);
  return buf;
}

/** glibc inet_ntop AF_INET6. */
export function formatIPv6(b: Uint8Array): string {
  const w: number[] = [];
  for (let i = 0; i < 8; i++) w.push((b[i * 2] << 8) | b[i * 2 + 1]);
  let bestBase = -1;
  let bestLen = 0;
  let curBase = -1;
  let curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (w[i] === 0) {
      if (curBase === -1) {
        curBase = i;
        curLen = 1;
      } else curLen++;
    } else if (curBase !== -1) {
      if (bestBase === -1 || curLen > bestLen) {
        bestBase = curBase;
        bestLen = curLen;
      }
      curBase = -1;
    }
  }
  if (curBase !== -1 && (bestBase === -1 || curLen > bestLen)) {
    bestBase = curBase;
    bestLen = curLen;
  }
  if (bestBase !== -1 && bestLen < 2) bestBase = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase !== -1 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && w[5] === 0xffff))) {
      out += `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
      break;
    }
    out += w[i].toString(16);
  }
  if (bestBase !== -1 && bestBase + bestLen === 8) out += ':';
  return out;
}

export function formatIPv4(b: Uint8Array): string {
  return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
}

/** Address bytes (4 or 16, or the 16-byte nf_inet_addr union) to text for a family. */
export function formatAddr(af: number, b: Uint8Array): string {
  return af === AF_INET6 ? formatIPv6(b) : formatIPv4(b);
}

/** Text to the 16-byte nf_inet_addr union (IPv4 in the first 4 bytes). */
export function addrBytes(af: number, addr: string): Buffer {
  const out = Buffer.alloc(16);
  const b = af === AF_INET6 ? parseIPv6(addr) : parseIPv4(addr) ?? inetAton(addr);
  if (!b) throw new Error(`invalid ${af === AF_INET6 ? 'IPv6' : 'IPv4'} address "${addr}"`);
  b.copy(out, 0);
  return out;
}

/** Canonical text of an address (as the kernel would print it back). */
export function canonicalAddr(af: number, addr: string): string {
  return formatAddr(af, addrBytes(af, addr));
}

/** Parse text as IPv6 (inet_pton) or IPv4 (inet_aton), like ipvsadm's parse_service. */
export function parseAnyAddr(s: string): { af: Family; bytes: Buffer } | null {
  const v6 = parseIPv6(s);
  if (v6) return { af: AF_INET6, bytes: v6 };
  const v4 = inetAton(s);
  if (v4) return { af: AF_INET, bytes: v4 };
  return null;
}

/** ipvsadm's sort key comparisons use 32-bit wrapping subtraction; reproduce it. */
export function cmpU32Wrapping(a: number, b: number): number {
  return (a - b) | 0;
}

/** Compare two addresses the way libipvs does (per 32-bit word, wrapping). */
export function cmpAddr(af: number, a: string, b: string): number {
  const x = addrBytes(af, a);
  const y = addrBytes(af, b);
  if (af === AF_INET6) {
    for (let i = 0; i < 4; i++) {
      const r = cmpU32Wrapping(x.readUInt32BE(i * 4), y.readUInt32BE(i * 4));
      if (r !== 0) return r;
    }
    return 0;
  }
  return cmpU32Wrapping(x.readUInt32BE(0), y.readUInt32BE(0));
}
