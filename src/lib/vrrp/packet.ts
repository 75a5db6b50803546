/**
 * VRRP packet codec: VRRPv2 (RFC 3768, auth none / simple text password) and
 * VRRPv3 (RFC 5798, IPv4 and IPv6). Pure: no I/O.
 *
 * keepalived builds the IPv4 header itself (IP_HDRINCL): TOS 0xc0, TTL 255,
 * a per-instance identification counter starting at 1, DF not set. We do the
 * same so our adverts are byte-identical to keepalived's (see the golden
 * vectors in ../shared/vrrp-vectors).
 */
import { type Family, formatIpv4, formatIpv6, mustIpBytes } from '../addr';

export const VRRP_PROTO = 112;
export const VRRP_MCAST_V4 = '224.0.0.18';
export const VRRP_MCAST_V6 = 'ff02::12';
export const VRRP_TTL = 255;
export const VRRP_TOS = 0xc0;

export type VrrpVersion = 2 | 3;
export type { Family };

/** Authentication (VRRPv2 only). AH (type 2) is not supported. */
export type Auth = { type: 'none' } | { type: 'pass'; password: string };

/** One advertisement, independent of the wire encoding. */
export interface Advert {
  version: VrrpVersion;
  vrid: number;
  priority: number;
  /** Advertisement interval in centiseconds (v2 carries whole seconds: must be a multiple of 100). */
  intervalCs: number;
  /** Virtual addresses, in order (all of the same family). */
  addrs: string[];
  /** v2 only (ignored for v3). */
  auth?: Auth;
}

/** Why a packet was dropped: also the names of the per-reason drop counters. */
export type DropReason =
  | 'truncated'
  | 'ip-header'
  | 'ip-checksum'
  | 'ip-proto'
  | 'fragment'
  | 'ttl'
  | 'version'
  | 'type'
  | 'length'
  | 'addr-count'
  | 'checksum'
  | 'auth-type'
  | 'auth-ah'
  | 'auth-mismatch'
  | 'vrid'
  | 'interval'
  | 'family'
  | 'own'
  /** unicast instance: the source is not one of its unicast_peer addresses */
  | 'not-peer'
  /** a unicast advert to a multicast instance, or the reverse */
  | 'dst-type'
  | 'addr-mismatch';

export class PacketError extends Error {
  constructor(
    readonly reason: DropReason,
    message: string,
  ) {
    super(message);
    this.name = 'PacketError';
  }
}

// ---------------------------------------------------------------- helpers

/** Ones'-complement 16-bit sum of several buffers concatenated (not inverted). */
export function onesSum(...bufs: Buffer[]): number {
  let sum = 0;
  let odd = false;
  let carryByte = 0;
  for (const b of bufs) {
    let i = 0;
    if (odd && b.length > 0) {
      sum += (carryByte << 8) | b[0];
      i = 1;
      odd = false;
    }
    for (; i + 1 < b.length; i += 2) sum += (b[i] << 8) | b[i + 1];
    if (i < b.length) {
      carryByte = b[i];
      odd = true;
    }
  }
  if (odd) sum += carryByte << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/** Internet checksum (inverted ones'-complement sum). */
export function inetChecksum(...bufs: Buffer[]): number {
  return ~onesSum(...bufs) & 0xffff;
}

/** Compare two addresses of the same family as unsigned integers (for the tie-break). */
export function compareAddr(a: string, b: string): number {
  return Buffer.compare(mustIpBytes(a), mustIpBytes(b));
}

function pseudoHeader(family: Family, src: string, dst: string, len: number): Buffer {
  if (family === 4) {
    const p = Buffer.alloc(12);
    mustIpBytes(src, 4).copy(p, 0);
    mustIpBytes(dst, 4).copy(p, 4);
    p[9] = VRRP_PROTO;
    p.writeUInt16BE(len, 10);
    return p;
  }
  const p = Buffer.alloc(40);
  mustIpBytes(src, 6).copy(p, 0);
  mustIpBytes(dst, 6).copy(p, 16);
  p.writeUInt32BE(len, 32);
  p[39] = VRRP_PROTO;
  return p;
}

// ---------------------------------------------------------------- encode

export interface EncodeContext {
  family: Family;
  /** Source and destination of the carrying IP packet (v3 pseudo-header). */
  src: string;
  dst: string;
}

/** Encode the VRRP message (without IP header). Throws on invalid input. */
export function encodeVrrp(adv: Advert, ctx: EncodeContext): Buffer {
  const { version, vrid, priority, addrs } = adv;
  if (version !== 2 && version !== 3) throw new Error(`unsupported VRRP version ${version}`);
  if (!Number.isInteger(vrid) || vrid < 1 || vrid > 255) throw new Error(`VRID ${vrid} out of range 1..255`);
  if (!Number.isInteger(priority) || priority < 0 || priority > 255) throw new Error(`priority ${priority} out of range 0..255`);
  if (addrs.length > 255) throw new Error('too many virtual addresses in one advert (max 255)');
  const alen = ctx.family === 4 ? 4 : 16;
  if (version === 2 && ctx.family !== 4) throw new Error('VRRPv2 is IPv4 only');
  const body = Buffer.alloc(8 + alen * addrs.length + (version === 2 ? 8 : 0));
  body[0] = (version << 4) | 1;
  body[1] = vrid;
  body[2] = priority;
  body[3] = addrs.length;
  if (version === 2) {
    const auth = adv.auth ?? { type: 'none' };
    const secs = Math.round(adv.intervalCs / 100);
    if (secs < 1 || secs > 255) throw new Error(`VRRPv2 advert interval ${adv.intervalCs / 100}s out of range 1..255`);
    body[4] = auth.type === 'pass' ? 1 : 0;
    body[5] = secs;
    if (auth.type === 'pass') Buffer.from(auth.password, 'latin1').subarray(0, 8).copy(body, 8 + 4 * addrs.length);
  } else {
    if (!Number.isInteger(adv.intervalCs) || adv.intervalCs < 1 || adv.intervalCs > 0xfff)
      throw new Error(`VRRPv3 advert interval ${adv.intervalCs}cs out of range 1..4095`);
    body.writeUInt16BE(adv.intervalCs & 0x0fff, 4);
  }
  addrs.forEach((a, i) => {
    const b = mustIpBytes(a, ctx.family);
    b.copy(body, 8 + alen * i);
  });
  const sum = version === 2 ? inetChecksum(body) : inetChecksum(pseudoHeader(ctx.family, ctx.src, ctx.dst, body.length), body);
  body.writeUInt16BE(sum, 6);
  return body;
}

/** Encode the full IPv4 packet as keepalived does (IP_HDRINCL). */
export function encodeIpv4Packet(adv: Advert, ip: { src: string; dst: string; id: number; ttl?: number }): Buffer {
  const vrrp = encodeVrrp(adv, { family: 4, src: ip.src, dst: ip.dst });
  const hdr = Buffer.alloc(20);
  hdr[0] = 0x45;
  hdr[1] = VRRP_TOS;
  hdr.writeUInt16BE(20 + vrrp.length, 2);
  hdr.writeUInt16BE(ip.id & 0xffff, 4);
  hdr.writeUInt16BE(0, 6);
  hdr[8] = ip.ttl ?? VRRP_TTL;
  hdr[9] = VRRP_PROTO;
  mustIpBytes(ip.src, 4).copy(hdr, 12);
  mustIpBytes(ip.dst, 4).copy(hdr, 16);
  hdr.writeUInt16BE(inetChecksum(hdr), 10);
  return Buffer.concat([hdr, vrrp]);
}

/** Rewrite the identification of an encoded IPv4 packet and its header checksum, in place. */
export function setIpv4Id(pkt: Buffer, id: number): void {
  pkt.writeUInt16BE(id & 0xffff, 4);
  pkt.writeUInt16BE(0, 10);
  pkt.writeUInt16BE(inetChecksum(pkt.subarray(0, 20)), 10);
}

// ---------------------------------------------------------------- decode

export interface DecodedAdvert extends Advert {
  /** Checksum as transmitted. */
  checksum: number;
  /** v2: the raw 8 auth bytes. */
  authData?: Buffer;
}

export interface IpInfo {
  family: Family;
  src: string;
  dst: string;
  /** TTL / hop limit; undefined when the transport could not provide it. */
  ttl?: number;
}

export interface DecodeOptions {
  /**
   * Drop a TTL / hop limit other than 255 (default true). The daemon says
   * false and checks it per instance: keepalived checks it for multicast
   * instances only (see VrrpFsm.checkDetail).
   */
  checkTtl?: boolean;
}

/**
 * Decode and validate a VRRP message (RFC 3768 section 7.1 / RFC 5798
 * section 7.1, the instance-independent checks). Throws PacketError.
 */
export function decodeVrrp(buf: Buffer, ip: IpInfo, opts: DecodeOptions = {}): DecodedAdvert {
  if (opts.checkTtl !== false && ip.ttl !== undefined && ip.ttl !== VRRP_TTL)
    throw new PacketError('ttl', `${ip.family === 4 ? 'TTL' : 'hop limit'} ${ip.ttl} is not 255 (sender not on this link)`);
  if (buf.length < 8) throw new PacketError('truncated', `VRRP message of ${buf.length} bytes is shorter than the 8-byte header`);
  const version = buf[0] >> 4;
  const type = buf[0] & 0x0f;
  if (version !== 2 && version !== 3) throw new PacketError('version', `unknown VRRP version ${version}`);
  if (type !== 1) throw new PacketError('type', `unknown VRRP packet type ${type} (only 1 = ADVERTISEMENT exists)`);
  const vrid = buf[1];
  const priority = buf[2];
  const count = buf[3];
  if (vrid === 0) throw new PacketError('vrid', 'VRID 0 is invalid');
  const alen = ip.family === 4 ? 4 : 16;
  if (version === 2 && ip.family !== 4) throw new PacketError('family', 'VRRPv2 over IPv6');
  const expected = 8 + alen * count + (version === 2 ? 8 : 0);
  if (count === 0) throw new PacketError('addr-count', 'advert carries no virtual address');
  if (buf.length < expected)
    throw new PacketError('length', `VRRP message of ${buf.length} bytes is shorter than ${expected} for ${count} address(es)`);
  // keepalived tolerates trailing bytes only up to the computed size; we check the covered part.
  const msg = buf.subarray(0, expected);
  const covered = version === 2 ? onesSum(msg) : onesSum(pseudoHeader(ip.family, ip.src, ip.dst, msg.length), msg);
  if (covered !== 0xffff) throw new PacketError('checksum', `bad VRRP checksum 0x${buf.readUInt16BE(6).toString(16).padStart(4, '0')}`);
  const addrs: string[] = [];
  for (let i = 0; i < count; i++) addrs.push(ip.family === 4 ? formatIpv4(msg, 8 + 4 * i) : formatIpv6(msg, 8 + 16 * i));
  const out: DecodedAdvert = {
    version: version as VrrpVersion,
    vrid,
    priority,
    intervalCs: 0,
    addrs,
    checksum: msg.readUInt16BE(6),
  };
  if (version === 2) {
    const authType = msg[4];
    if (authType === 2)
      throw new PacketError('auth-ah', 'VRRPv2 IP Authentication Header (auth type 2, AH) is not supported: use PASS or no authentication');
    if (authType > 2) throw new PacketError('auth-type', `unknown VRRPv2 auth type ${authType}`);
    out.intervalCs = msg[5] * 100;
    if (msg[5] === 0) throw new PacketError('interval', 'advert interval 0');
    out.authData = Buffer.from(msg.subarray(8 + 4 * count, 16 + 4 * count));
    if (authType === 1) {
      const z = out.authData.indexOf(0);
      out.auth = { type: 'pass', password: out.authData.subarray(0, z < 0 ? 8 : z).toString('latin1') };
    } else out.auth = { type: 'none' };
  } else {
    out.intervalCs = msg.readUInt16BE(4) & 0x0fff;
    if (out.intervalCs === 0) throw new PacketError('interval', 'advert interval 0');
  }
  return out;
}

export interface DecodedIpv4 {
  ip: IpInfo & { id: number; tos: number };
  advert: DecodedAdvert;
}

/** Decode an IPv4 packet (as read from a raw socket) carrying VRRP. Throws PacketError. */
export function decodeIpv4Packet(buf: Buffer, opts: DecodeOptions = {}): DecodedIpv4 {
  if (buf.length < 20) throw new PacketError('truncated', `IPv4 packet of ${buf.length} bytes`);
  if (buf[0] >> 4 !== 4) throw new PacketError('ip-header', `IP version ${buf[0] >> 4} in an IPv4 packet`);
  const ihl = (buf[0] & 0x0f) * 4;
  if (ihl < 20 || ihl > buf.length) throw new PacketError('ip-header', `bad IPv4 header length ${ihl}`);
  const total = buf.readUInt16BE(2);
  // Linux raw sockets may deliver total length in host order on some old kernels; accept either if it fits.
  if (total > buf.length || total < ihl) throw new PacketError('truncated', `IPv4 total length ${total} but ${buf.length} bytes received`);
  if (onesSum(buf.subarray(0, ihl)) !== 0xffff) throw new PacketError('ip-checksum', 'bad IPv4 header checksum');
  const frag = buf.readUInt16BE(6);
  if ((frag & 0x3fff) !== 0) throw new PacketError('fragment', 'fragmented VRRP packet');
  if (buf[9] !== VRRP_PROTO) throw new PacketError('ip-proto', `IP protocol ${buf[9]} is not VRRP (112)`);
  const ip = {
    family: 4 as const,
    src: formatIpv4(buf, 12),
    dst: formatIpv4(buf, 16),
    ttl: buf[8],
    id: buf.readUInt16BE(4),
    tos: buf[1],
  };
  const advert = decodeVrrp(buf.subarray(ihl, total), ip, opts);
  return { ip, advert };
}

/** Parse a hex string (whitespace ignored). */
export function fromHex(s: string): Buffer {
  const h = s.replace(/\s+/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(h)) throw new Error('not a hex string');
  return Buffer.from(h, 'hex');
}
