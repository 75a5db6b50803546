/**
 * Pure IP address helpers (no I/O): parse/format IPv4 and IPv6 addresses and
 * CIDR prefixes to/from the byte form rtnetlink and packet builders need.
 */

export type Family = 4 | 6;

export interface IpAddr {
  family: Family;
  /** 4 or 16 bytes, network order */
  bytes: Buffer;
  /** canonical text form (RFC 5952 for IPv6) */
  text: string;
}

export interface Cidr extends IpAddr {
  prefix: number;
}

function parseV4(s: string): Buffer | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  const out = Buffer.alloc(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i];
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p[0] === '0')) return null;
    const n = Number(p);
    if (n > 255) return null;
    out[i] = n;
  }
  return out;
}

function parseV6(s: string): Buffer | null {
  if (s.includes('%')) return null;
  let head = s;
  let tail = '';
  const dbl = s.indexOf('::');
  if (dbl !== -1) {
    if (s.indexOf('::', dbl + 1) !== -1) return null;
    head = s.slice(0, dbl);
    tail = s.slice(dbl + 2);
  }
  const groups = (str: string): number[] | null => {
    if (str === '') return [];
    const out: number[] = [];
    const parts = str.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseV4(p);
        if (!v4) return null;
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return null;
        out.push(parseInt(p, 16));
      }
    }
    return out;
  };
  const h = groups(head);
  const t = groups(tail);
  if (!h || !t) return null;
  if (dbl === -1) {
    if (h.length !== 8) return null;
  } else if (h.length + t.length > 7) return null;
  const all = [...h, ...new Array(8 - h.length - t.length).fill(0), ...t];
  const out = Buffer.alloc(16);
  for (let i = 0; i < 8; i++) out.writeUInt16BE(all[i], i * 2);
  return out;
}

/** Canonical text of a 4- or 16-byte address. */
export function formatIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  if (bytes.length !== 16) throw new Error(`not an IP address: ${bytes.length} bytes`);
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push((bytes[i] << 8) | bytes[i + 1]);
  // longest run of zeros (length >= 2) becomes '::'
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (bestStart === -1) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** Parse an IPv4 or IPv6 address; null when invalid. */
export function parseIp(s: string): IpAddr | null {
  const str = s.trim();
  const v4 = parseV4(str);
  if (v4) return { family: 4, bytes: v4, text: formatIp(v4) };
  const v6 = str.includes(':') ? parseV6(str) : null;
  if (v6) return { family: 6, bytes: v6, text: formatIp(v6) };
  return null;
}

/** Parse "ADDR[/PREFIX]"; the default prefix is the host prefix (32/128). Null when invalid. */
export function parseCidr(s: string, defaultPrefix?: number): Cidr | null {
  const slash = s.indexOf('/');
  const ip = parseIp(slash === -1 ? s : s.slice(0, slash));
  if (!ip) return null;
  const max = ip.family === 4 ? 32 : 128;
  let prefix = defaultPrefix ?? max;
  if (slash !== -1) {
    const p = s.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p)) return null;
    prefix = Number(p);
  }
  if (prefix < 0 || prefix > max) return null;
  return { ...ip, prefix };
}

/** Zero the host bits of a prefix (e.g. for route destinations). */
export function networkOf(c: Cidr): Cidr {
  const b = Buffer.from(c.bytes);
  for (let i = 0; i < b.length; i++) {
    const bits = Math.max(0, Math.min(8, c.prefix - i * 8));
    b[i] &= bits === 0 ? 0 : (0xff << (8 - bits)) & 0xff;
  }
  return { family: c.family, bytes: b, text: formatIp(b), prefix: c.prefix };
}

/** IPv4 broadcast address of a prefix ("brd +"). */
export function broadcastOf(c: Cidr): Buffer {
  if (c.family !== 4) throw new Error('broadcast is IPv4 only');
  const b = Buffer.from(c.bytes);
  for (let i = 0; i < 4; i++) {
    const bits = Math.max(0, Math.min(8, c.prefix - i * 8));
    b[i] |= ~((0xff << (8 - bits)) & 0xff) & 0xff;
  }
  return b;
}

/** "aa:bb:cc:dd:ee:ff" -> 6 bytes; null when invalid. */
export function parseMac(s: string): Buffer | null {
  const m = /^([0-9a-fA-F]{2})[:-]([0-9a-fA-F]{2})[:-]([0-9a-fA-F]{2})[:-]([0-9a-fA-F]{2})[:-]([0-9a-fA-F]{2})[:-]([0-9a-fA-F]{2})$/.exec(s.trim());
  if (!m) return null;
  return Buffer.from(m.slice(1).map((x) => parseInt(x, 16)));
}

export function formatMac(b: Uint8Array): string {
  return Array.from(b)
    .map((x) => x.toString(16).padStart(2, '0'))
    .join(':');
}

/** RFC 3768/5798 virtual router MAC: 00:00:5e:00:01:VRID (IPv4) or 00:00:5e:00:02:VRID (IPv6). */
export function vrrpVirtualMac(vrid: number, family: Family = 4): Buffer {
  if (!Number.isInteger(vrid) || vrid < 1 || vrid > 255) throw new RangeError(`VRID must be 1..255, got ${vrid}`);
  return Buffer.from([0x00, 0x00, 0x5e, 0x00, family === 4 ? 0x01 : 0x02, vrid]);
}
