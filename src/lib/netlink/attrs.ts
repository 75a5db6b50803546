/**
 * Netlink attributes (struct nlattr / rtattr: u16 length, u16 type, payload padded to 4 bytes),
 * the one framing every netlink user here shares: IPVS (generic netlink), rtnetlink, nf_tables.
 * Pure, no I/O. Integers are host order (little-endian) unless a method says BE.
 */

/** Nested attribute flag (the type of an attribute whose payload is attributes). */
export const NLA_F_NESTED = 0x8000;
/** Payload in network byte order (nf_tables sets it on some). */
export const NLA_F_NET_BYTEORDER = 0x4000;
/** The type without the two flag bits. */
export const NLA_TYPE_MASK = 0x3fff;
export const NLA_HDRLEN = 4;

/** NLA_ALIGN / NLMSG_ALIGN: round up to 4 bytes. */
export const nlAlign = (n: number): number => (n + 3) & ~3;

/** One attribute as its own buffer, payload zero padded to 4 bytes. */
export function nlAttr(type: number, payload: Uint8Array): Buffer {
  const len = NLA_HDRLEN + payload.length;
  const out = Buffer.alloc(nlAlign(len));
  out.writeUInt16LE(len, 0);
  out.writeUInt16LE(type, 2);
  out.set(payload, NLA_HDRLEN);
  return out;
}

/** A nested attribute (NLA_F_NESTED set) around already encoded attributes. */
export const nlNest = (type: number, ...children: Uint8Array[]): Buffer => nlAttr(type | NLA_F_NESTED, Buffer.concat(children));

/** A NUL-terminated string attribute. */
export const nlStr = (type: number, s: string): Buffer => nlAttr(type, Buffer.from(`${s}\0`, 'utf8'));

/** A host-order u32 attribute. */
export function nlU32(type: number, v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0, 0);
  return nlAttr(type, b);
}

/**
 * Walk the attributes in b[off, end): `each(type, payloadOff, payloadLen)` with the flag bits
 * masked off. Stops at the first malformed or truncated attribute (as the kernel's nla_ok).
 */
export function forEachAttr(b: Buffer, off: number, end: number, each: (type: number, p: number, plen: number) => void): void {
  while (off + NLA_HDRLEN <= end) {
    const len = b[off] | (b[off + 1] << 8);
    if (len < NLA_HDRLEN || off + len > end) break;
    each((b[off + 2] | (b[off + 3] << 8)) & NLA_TYPE_MASK, off + NLA_HDRLEN, len - NLA_HDRLEN);
    off += nlAlign(len);
  }
}

/** Attributes by type (flag bits masked); the last one of a type wins. Payloads are views into `buf`. */
export function parseAttrs(buf: Buffer): Map<number, Buffer> {
  const m = new Map<number, Buffer>();
  forEachAttr(buf, 0, buf.length, (type, p, plen) => m.set(type, buf.subarray(p, p + plen)));
  return m;
}

/**
 * Attribute writer that encodes in place into one growing buffer (no intermediate
 * buffers: an IPVS restore encodes tens of thousands of requests).
 */
export class AttrWriter {
  private buf: Buffer;
  len = 0;
  constructor(size = 256) {
    this.buf = Buffer.allocUnsafe(size);
  }
  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const nb = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(nb, 0, 0, this.len);
    this.buf = nb;
  }
  /**
   * Attribute header + `n` payload bytes (padding zeroed); returns the payload offset in
   * `buffer`, which this call may replace: read `buffer` after it.
   */
  reserve(type: number, n: number): number {
    const alen = NLA_HDRLEN + n;
    const padded = nlAlign(alen);
    this.ensure(padded);
    const off = this.len;
    this.buf.writeUInt16LE(alen, off);
    this.buf.writeUInt16LE(type, off + 2);
    if (padded !== alen) this.buf.fill(0, off + alen, off + padded);
    this.len += padded;
    return off + NLA_HDRLEN;
  }
  /** Raw zeroed bytes (no attribute header), e.g. message headers; returns their offset. */
  raw(n: number): number {
    this.ensure(n);
    const off = this.len;
    this.buf.fill(0, off, off + n);
    this.len += n;
    return off;
  }
  /** Attribute with its payload. */
  put(type: number, data: Uint8Array): this {
    const off = this.reserve(type, data.length);
    this.buf.set(data, off);
    return this;
  }
  u8(type: number, v: number): this {
    const off = this.reserve(type, 1);
    this.buf[off] = v & 0xff;
    return this;
  }
  u16(type: number, v: number): this {
    const off = this.reserve(type, 2); // reserve() may replace this.buf: evaluate it first
    this.buf.writeUInt16LE(v & 0xffff, off);
    return this;
  }
  be16(type: number, v: number): this {
    const off = this.reserve(type, 2);
    this.buf.writeUInt16BE(v & 0xffff, off);
    return this;
  }
  u32(type: number, v: number): this {
    const off = this.reserve(type, 4);
    this.buf.writeUInt32LE(v >>> 0, off);
    return this;
  }
  be32(type: number, v: number): this {
    const off = this.reserve(type, 4);
    this.buf.writeUInt32BE(v >>> 0, off);
    return this;
  }
  /** Two u32 (e.g. struct ip_vs_flags). */
  u32pair(type: number, a: number, b: number): this {
    const off = this.reserve(type, 8);
    this.buf.writeUInt32LE(a >>> 0, off);
    this.buf.writeUInt32LE(b >>> 0, off + 4);
    return this;
  }
  /** NUL-terminated string. */
  str(type: number, s: string): this {
    const n = Buffer.byteLength(s);
    const off = this.reserve(type, n + 1);
    this.buf.write(s, off);
    this.buf[off + n] = 0;
    return this;
  }
  /** Start a nested attribute (NLA_F_NESTED); close it with end(the returned offset). */
  start(type: number): number {
    return this.reserve(type | NLA_F_NESTED, 0) - NLA_HDRLEN;
  }
  end(at: number): this {
    this.buf.writeUInt16LE(this.len - at, at);
    return this;
  }
  /** Nested attribute from another writer's bytes. */
  nest(type: number, inner: AttrWriter): this {
    return this.put(type | NLA_F_NESTED, inner.bytes());
  }
  bytes(): Buffer {
    return this.buf.subarray(0, this.len);
  }
  /** The backing buffer, to patch headers written with raw() (replaced as it grows). */
  get buffer(): Buffer {
    return this.buf;
  }
}
