/**
 * The one parser and formatter of IP addresses and prefixes (pure, no I/O).
 *
 * Reading follows glibc's inet_pton: an IPv4 address is four decimal parts of
 * one to three digits, each at most 255 and without a leading zero; an IPv6
 * address is eight groups of one to four hex digits, one `::` standing for
 * one or more zero groups, an optional dotted IPv4 tail. Two options widen it:
 * - `v4: 'inet_aton'`: glibc's inet_aton, which ipvsadm uses for IPv4
 *   (`10.1` is 10.0.0.1, `0x7f.1` is 127.0.0.1, `010` is octal 8; 1 to 4
 *   parts, the last filling the remaining bytes);
 * - `zone: true`: an IPv6 `%zone` suffix (`fe80::1%eth0`) is accepted and
 *   returned apart from the address (the configuration reader and the
 *   checkers allow it; the kernel-facing paths do not).
 *
 * Writing follows glibc's inet_ntop, as ipvsadm, iproute2 and keepalived
 * print: IPv4 dotted decimal; IPv6 lower-case hex without leading zeros, the
 * longest run (leftmost of equals) of two or more zero groups as `::`, and
 * the IPv4-mapped (`::ffff:192.0.2.1`) and IPv4-compatible (`::192.0.2.1`)
 * forms in mixed notation.
 *
 * Failures: the `*OrError` functions return the precise reason; the others
 * return null.
 */

/** An address family: 4 or 6 (the one family type; the kernel's numbers and iproute2's words convert below). */
export type Family = 4 | 6;
/** The kernel's address family numbers (AF_INET, AF_INET6). */
export type Af = 2 | 10;
/** iproute2's and the configuration model's words for a family. */
export type FamilyName = 'inet' | 'inet6';

export const AF_INET = 2;
export const AF_INET6 = 10;

export const afOf = (f: Family): Af => (f === 6 ? AF_INET6 : AF_INET);
export const familyOfAf = (af: number): Family => (af === AF_INET6 ? 6 : 4);
export const familyName = (f: Family): FamilyName => (f === 6 ? 'inet6' : 'inet');
export const familyOfName = (n: FamilyName): Family => (n === 'inet6' ? 6 : 4);

/** How IPv4 text is read: inet_pton's strict dotted quad, or inet_aton's 1 to 4 C-style numbers. */
export type V4Mode = 'strict' | 'inet_aton';

export interface ParseOptions {
  /** default 'strict' */
  v4?: V4Mode;
  /** accept an IPv6 `%zone` suffix (default false) */
  zone?: boolean;
}

export interface IpAddr {
  family: Family;
  /** 4 or 16 bytes, network order */
  bytes: Buffer;
  /** inet_ntop's text */
  text: string;
  /** the `%zone` suffix, when `zone: true` allowed one */
  zone?: string;
}

export interface Cidr extends IpAddr {
  prefix: number;
}

export type Result<T> = { ok: true; value: T } | { ok: false; message: string };

// ---------------------------------------------------------------- IPv4

/** Where the last scanIpv4At stopped. */
export const ipv4Scan = { end: 0 };

/**
 * The strict dotted quad starting at s[p] and ending at `end` or at the first
 * character that cannot continue it: its u32 value, or -1. `ipv4Scan.end` is
 * where it stopped. The one IPv4 scanner, by hand for the hot paths (the
 * configuration, `hactl restore`'s line scanner); no allocation.
 */
export function scanIpv4At(s: string, p: number, end: number): number {
  let value = 0;
  let i = p;
  for (let part = 0; part < 4; part++) {
    const start = i;
    let v = 0;
    while (i < end) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) break;
      v = v * 10 + (c - 48);
      i++;
    }
    const len = i - start;
    if (len === 0 || len > 3 || v > 255 || (len > 1 && s.charCodeAt(start) === 48)) return -1;
    value = value * 256 + v;
    if (part < 3) {
      if (i >= end || s.charCodeAt(i) !== 46) return -1;
      i++;
    }
  }
  ipv4Scan.end = i;
  return value;
}

/** Why `s` is not a strict dotted quad (explanation only: scanIpv4At decides). */
function v4Reason(s: string): string {
  if (s === '') return 'empty';
  const bad = /[^0-9.]/.exec(s);
  if (bad) return `'${bad[0]}' is not a decimal digit`;
  const parts = s.split('.');
  if (parts.length > 4) return 'more than 4 parts';
  for (const p of parts) {
    if (p === '') return 'empty part';
    if (p.length > 1 && p[0] === '0') return `part '${p}' has a leading zero`;
    if (p.length > 3 || Number(p) > 255) return `part '${p}' is over 255`;
  }
  return `${parts.length} part${parts.length === 1 ? '' : 's'} (an IPv4 address has 4)`;
}

/** Strict dotted quad to a u32, or the reason it is not one. */
function scanStrictV4(s: string): number | string {
  const v = scanIpv4At(s, 0, s.length);
  return v >= 0 && ipv4Scan.end === s.length ? v : v4Reason(s);
}

/** One inet_aton part (C strtoul base 0: 0x.. hex, 0.. octal, else decimal), or -1. */
function cNumber(p: string): number {
  if (p === '') return -1;
  let m: RegExpExecArray | null;
  // "0x" alone is not a number: strtoul stops after the 0 and inet_aton refuses the 'x'
  if ((m = /^0[xX]([0-9a-fA-F]+)$/.exec(p))) return Number.parseInt(m[1], 16);
  if (/^0[0-7]*$/.test(p)) return Number.parseInt(p, 8);
  if (/^[1-9][0-9]*$/.test(p)) return Number.parseInt(p, 10);
  return -1;
}

/** glibc inet_aton to a u32, or the reason it is not an address. Like glibc, white space ends the address (the rest is ignored). */
function scanAtonV4(s0: string): number | string {
  const ws = s0.search(/[ \t\n\v\f\r]/);
  const s = ws < 0 ? s0 : s0.slice(0, ws);
  if (s.length === 0) return 'empty';
  const parts = s.split('.');
  if (parts.length > 4) return 'more than 4 parts';
  const nums: number[] = [];
  for (const p of parts) {
    const v = cNumber(p);
    if (v < 0) return p === '' ? 'empty part' : `part '${p}' is not a C number (decimal, 0octal or 0xhex)`;
    nums.push(v);
  }
  const last = nums.length - 1;
  let value = 0;
  for (let i = 0; i < last; i++) {
    if (nums[i] > 255) return `part '${parts[i]}' is over 255`;
    value += nums[i] * 2 ** (8 * (3 - i));
  }
  const maxLast = 2 ** (8 * (4 - last)) - 1;
  if (nums[last] > maxLast) return `last part '${parts[last]}' is over ${maxLast}`;
  return value + nums[last];
}

function scanV4(s: string, mode: V4Mode): number | string {
  return mode === 'inet_aton' ? scanAtonV4(s) : scanStrictV4(s);
}

function u32Bytes(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0, 0);
  return b;
}

// ---------------------------------------------------------------- IPv6

const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

function groupsOf(part: string, out: number[]): string | null {
  if (part === '') return null;
  for (const g of part.split(':')) {
    if (!HEX_GROUP.test(g)) return g === '' ? `empty group` : `group '${g}' is not 1 to 4 hex digits`;
    out.push(Number.parseInt(g, 16));
  }
  return null;
}

/** inet_pton AF_INET6 (without a zone) to 16 bytes, or the reason it is not an address. */
function scanV6(s: string): Buffer | string {
  if (s === '') return 'empty';
  let body = s;
  let tail: number | null = null;
  const lastColon = s.lastIndexOf(':');
  if (lastColon < 0) return "no ':'";
  if (s.indexOf('.', lastColon) >= 0) {
    const v4 = scanStrictV4(s.slice(lastColon + 1));
    if (typeof v4 === 'string') return `IPv4 tail '${s.slice(lastColon + 1)}': ${v4}`;
    tail = v4;
    body = s.slice(0, lastColon + 1);
    // "::a.b.c.d" keeps its "::"; "x:a.b.c.d" loses the separating ':'
    if (!body.endsWith('::')) body = body.slice(0, -1);
  }
  const dbl = body.indexOf('::');
  if (dbl >= 0 && body.indexOf('::', dbl + 1) >= 0) return "more than one '::'";
  const head: number[] = [];
  const rest: number[] = [];
  const want = tail === null ? 8 : 6;
  if (dbl < 0) {
    const err = body === '' ? 'empty group' : groupsOf(body, head);
    if (err) return err;
    if (head.length !== want) return `${head.length + 8 - want} groups (an IPv6 address has 8)`;
  } else {
    const err = groupsOf(body.slice(0, dbl), head) ?? groupsOf(body.slice(dbl + 2), rest);
    if (err) return err;
    if (head.length + rest.length >= want) return `'::' with ${head.length + rest.length + 8 - want} groups (it must stand for at least one)`;
  }
  const out = Buffer.alloc(16);
  for (let i = 0; i < head.length; i++) out.writeUInt16BE(head[i], i * 2);
  for (let i = 0; i < rest.length; i++) out.writeUInt16BE(rest[i], (want - rest.length + i) * 2);
  if (tail !== null) out.writeUInt32BE(tail >>> 0, 12);
  return out;
}

// ---------------------------------------------------------------- parse

/** Parse an IPv4 or IPv6 address, with the reason when it is not one. */
export function parseIpOrError(s: string, opts: ParseOptions = {}): Result<IpAddr> {
  const bad = (why: string): Result<IpAddr> => ({ ok: false, message: `invalid IP address '${s}': ${why}` });
  if (s === '') return bad('empty');
  if (!s.includes(':')) {
    const v = scanV4(s, opts.v4 ?? 'strict');
    if (typeof v === 'string') return bad(v);
    const bytes = u32Bytes(v);
    return { ok: true, value: { family: 4, bytes, text: formatIpv4(bytes) } };
  }
  let addr = s;
  let zone: string | undefined;
  const pct = s.indexOf('%');
  if (pct >= 0) {
    if (!opts.zone) return bad('a %zone is not allowed here');
    addr = s.slice(0, pct);
    zone = s.slice(pct + 1);
  }
  const b = scanV6(addr);
  if (typeof b === 'string') return bad(b);
  const value: IpAddr = { family: 6, bytes: b, text: formatIpv6(b) };
  if (zone !== undefined) value.zone = zone;
  return { ok: true, value };
}

/** Parse an IPv4 or IPv6 address; null when invalid. */
export function parseIp(s: string, opts?: ParseOptions): IpAddr | null {
  const r = parseIpOrError(s, opts);
  return r.ok ? r.value : null;
}

/** The address bytes (4 or 16) of text of a given family, or null. */
export function ipBytes(s: string, family: Family, opts?: ParseOptions): Buffer | null {
  if (family === 4) {
    if (s.includes(':')) return null;
    const v = scanV4(s, opts?.v4 ?? 'strict');
    return typeof v === 'string' ? null : u32Bytes(v);
  }
  const ip = s.includes(':') ? parseIp(s, opts) : null;
  return ip ? ip.bytes : null;
}

/** 4, 6, or 0 when the text is not an address (like node's isIP, with this module's reading). */
export function ipFamily(s: string, opts?: ParseOptions): Family | 0 {
  return parseIp(s, opts)?.family ?? 0;
}

/**
 * The strict dotted quad `s` itself when it is one (such text is already
 * canonical), else null. The configuration's hot path: no allocation.
 */
export function strictIpv4Text(s: string): string | null {
  const n = s.length;
  if (n < 7 || n > 15) return null;
  return scanIpv4At(s, 0, n) >= 0 && ipv4Scan.end === n ? s : null;
}

const CANONICAL_V6_GROUP = /^(?:0|[1-9a-f][0-9a-f]{0,3})$/;

function zeroRun(groups: string[]): number {
  let best = 0;
  let cur = 0;
  for (const g of groups) {
    cur = g === '0' ? cur + 1 : 0;
    if (cur > best) best = cur;
  }
  return best;
}

/**
 * Is this IPv6 text already what inet_ntop prints (so it needs no parse)? A
 * fast path of canonicalIp, conservative: text starting with "::" or holding
 * a dotted quad (the mixed forms) always takes the full parse. Its
 * equivalence with parse+format is tested (test/unit/addr.test.ts).
 */
export function isInetNtopV6(s: string): boolean {
  if (s.length < 3 || s.startsWith('::') || s.includes('.')) return false;
  const halves = s.split('::');
  if (halves.length > 2) return false;
  const left = halves[0].split(':');
  if (halves.length === 1) return left.length === 8 && left.every((g) => CANONICAL_V6_GROUP.test(g)) && zeroRun(left) < 2;
  const right = halves[1] === '' ? [] : halves[1].split(':');
  const run = 8 - left.length - right.length;
  if (run < 2 || !left.every((g) => CANONICAL_V6_GROUP.test(g)) || !right.every((g) => CANONICAL_V6_GROUP.test(g))) return false;
  // The compressed run is the longest one, the leftmost of equals, and no zero group touches it.
  return left[left.length - 1] !== '0' && right[0] !== '0' && zeroRun(left) < run && zeroRun(right) <= run;
}

/** inet_ntop's text of an address given as text (`2001:DB8:0::1` -> `2001:db8::1`), or null when invalid. */
export function canonicalIp(s: string, opts?: ParseOptions): string | null {
  // a strict dotted quad reads the same under inet_aton
  if (!s.includes(':')) {
    if (strictIpv4Text(s) !== null) return s;
  } else if (isInetNtopV6(s)) return s;
  return parseIp(s, opts)?.text ?? null;
}

/** An address as a comparison key: its canonical text, or the text itself when it is not an address. */
export function addrKey(s: string, opts?: ParseOptions): string {
  return canonicalIp(s, opts) ?? s;
}

// ---------------------------------------------------------------- format

export function formatIpv4(b: Uint8Array, off = 0): string {
  if (off + 4 > b.length) throw new RangeError(`IPv4 address at offset ${off} runs past the ${b.length}-byte buffer`);
  return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
}

/** glibc inet_ntop AF_INET6 of 16 bytes at `off`. */
export function formatIpv6(b: Uint8Array, off = 0): string {
  if (off + 16 > b.length) throw new RangeError(`IPv6 address at offset ${off} runs past the ${b.length}-byte buffer`);
  const w: number[] = [];
  for (let i = 0; i < 8; i++) w.push((b[off + i * 2] << 8) | b[off + i * 2 + 1]);
  // longest run of zero groups, the leftmost of equals; at least two
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) best = -1;
  // IPv4-compatible (::a.b.c.d) and IPv4-mapped (::ffff:a.b.c.d) in mixed notation, as glibc
  if (best === 0 && (bestLen === 6 || (bestLen === 5 && w[5] === 0xffff))) {
    return `::${bestLen === 5 ? 'ffff:' : ''}${b[off + 12]}.${b[off + 13]}.${b[off + 14]}.${b[off + 15]}`;
  }
  const hex = w.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** inet_ntop's text of a 4- or 16-byte address. */
export function formatIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return formatIpv4(bytes);
  if (bytes.length !== 16) throw new Error(`not an IP address: ${bytes.length} bytes`);
  return formatIpv6(bytes);
}

/** Text of an address of a kernel family number (4 bytes, 16 bytes, or the 16-byte nf_inet_addr union). */
export function formatAf(af: number, b: Uint8Array, off = 0): string {
  return af === AF_INET6 ? formatIpv6(b, off) : formatIpv4(b, off);
}

// ---------------------------------------------------------------- prefixes

/** Parse "ADDR[/PREFIX]" with the reason when invalid; the default prefix is the host prefix (32/128). */
export function parseCidrOrError(s: string, opts: ParseOptions & { defaultPrefix?: number } = {}): Result<Cidr> {
  const slash = s.indexOf('/');
  const r = parseIpOrError(slash === -1 ? s : s.slice(0, slash), opts);
  if (!r.ok) return slash === -1 ? r : { ok: false, message: `invalid prefix '${s}': ${r.message.replace(/^invalid IP address '[^']*': /, '')}` };
  const ip = r.value;
  const max = ip.family === 4 ? 32 : 128;
  let prefix = opts.defaultPrefix ?? max;
  if (slash !== -1) {
    const p = s.slice(slash + 1).trim();
    if (!/^\d{1,3}$/.test(p) || Number(p) > max) return { ok: false, message: `invalid prefix length in '${s}' (0-${max})` };
    prefix = Number(p);
  }
  if (prefix < 0 || prefix > max) return { ok: false, message: `invalid prefix length ${prefix} for '${s}' (0-${max})` };
  return { ok: true, value: { ...ip, prefix } };
}

/** Parse "ADDR[/PREFIX]"; null when invalid. */
export function parseCidr(s: string, defaultPrefix?: number): Cidr | null {
  const r = parseCidrOrError(s, { defaultPrefix });
  return r.ok ? r.value : null;
}

/** Network mask bytes of a prefix length. */
export function maskBytes(family: Family, prefix: number): Buffer {
  const b = Buffer.alloc(family === 4 ? 4 : 16);
  for (let i = 0; i < b.length; i++) {
    const bits = Math.max(0, Math.min(8, prefix - i * 8));
    b[i] = bits === 0 ? 0 : (0xff << (8 - bits)) & 0xff;
  }
  return b;
}

/** Zero the host bits of a prefix (e.g. for route destinations). */
export function networkOf(c: Cidr): Cidr {
  const m = maskBytes(c.family, c.prefix);
  const b = Buffer.from(c.bytes);
  for (let i = 0; i < b.length; i++) b[i] &= m[i];
  return { family: c.family, bytes: b, text: formatIp(b), prefix: c.prefix };
}

/** IPv4 broadcast address of a prefix ("brd +"). */
export function broadcastOf(c: Cidr): Buffer {
  if (c.family !== 4) throw new Error('broadcast is IPv4 only');
  const m = maskBytes(4, c.prefix);
  const b = Buffer.from(c.bytes);
  for (let i = 0; i < 4; i++) b[i] |= ~m[i] & 0xff;
  return b;
}

/** Multicast (224.0.0.0/4, ff00::/8)? False for text that is not an address. */
export function isMulticast(s: string, opts?: ParseOptions): boolean {
  const ip = parseIp(s, opts);
  if (!ip) return false;
  return ip.family === 4 ? ip.bytes[0] >= 224 && ip.bytes[0] <= 239 : ip.bytes[0] === 0xff;
}

/** The bytes of an address that must be valid (and of `family` when given); throws "not an IPv4 address: S" otherwise. */
export function mustIpBytes(s: string, family?: Family): Buffer {
  const ip = parseIp(s);
  if (!ip || (family !== undefined && ip.family !== family)) throw new Error(`not an IPv${family ?? (s.includes(':') ? 6 : 4)} address: ${s}`);
  return ip.bytes;
}

/** `v4: 'inet_aton'`: ipvsadm's reading of IPv4 text (glibc inet_aton). */
export const INET_ATON: ParseOptions = Object.freeze({ v4: 'inet_aton' });

/** `zone: true`: an IPv6 %zone allowed (what node's sockets take; the checkers' and the configuration's reading). */
export const WITH_ZONE: ParseOptions = Object.freeze({ zone: true });
