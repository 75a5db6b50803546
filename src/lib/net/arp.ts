/**
 * Pure Ethernet frame builders/parsers for address announcements (no I/O):
 * - gratuitous ARP exactly as keepalived 2.2.7 sends it (golden vectors in
 *   ../shared/vrrp-vectors/garp*.hex): Ethernet broadcast, ARP request (op 1),
 *   sender MAC = Ethernet source, sender IP = target IP = the VIP, target MAC
 *   ff:ff:ff:ff:ff:ff, no padding (the NIC pads to 60 bytes);
 * - IPv6 unsolicited Neighbour Advertisement (RFC 4861 §7.2.6) as keepalived's
 *   vrrp_ndisc.c: to ff02::1 (33:33:00:00:00:01), source = target = the VIP,
 *   hop limit 255, Override flag, Target Link-Layer Address option;
 * - ARP request (who-has) and a tolerant ARP parser, used by tests and probes.
 */
import { type Family, formatIp } from '../addr';
import { formatMac } from './mac';

export const ETH_P_IP = 0x0800;
export const ETH_P_ARP = 0x0806;
export const ETH_P_IPV6 = 0x86dd;
export const ETH_P_ALL = 0x0003;

const BROADCAST = Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);

function need(b: Uint8Array, len: number, what: string): Buffer {
  if (b.length !== len) throw new RangeError(`${what} must be ${len} bytes, got ${b.length}`);
  return Buffer.from(b);
}

/** Ethernet header. */
export function ethHeader(dst: Uint8Array, src: Uint8Array, ethertype: number): Buffer {
  const h = Buffer.alloc(14);
  need(dst, 6, 'destination MAC').copy(h, 0);
  need(src, 6, 'source MAC').copy(h, 6);
  h.writeUInt16BE(ethertype, 12);
  return h;
}

function arpFrame(op: number, ethDst: Buffer, srcMac: Buffer, senderIp: Buffer, targetMac: Buffer, targetIp: Buffer): Buffer {
  const f = Buffer.alloc(42);
  ethHeader(ethDst, srcMac, ETH_P_ARP).copy(f, 0);
  f.writeUInt16BE(1, 14); // htype Ethernet
  f.writeUInt16BE(ETH_P_IP, 16); // ptype
  f[18] = 6;
  f[19] = 4;
  f.writeUInt16BE(op, 20);
  srcMac.copy(f, 22);
  senderIp.copy(f, 28);
  targetMac.copy(f, 32);
  targetIp.copy(f, 38);
  return f;
}

/**
 * Gratuitous ARP request announcing `ip` (4 bytes) at `mac` (6 bytes), byte
 * for byte what keepalived sends (42 bytes, unpadded).
 */
export function buildGarp(mac: Uint8Array, ip: Uint8Array): Buffer {
  const m = need(mac, 6, 'MAC');
  const a = need(ip, 4, 'IPv4 address');
  return arpFrame(1, BROADCAST, m, a, BROADCAST, a);
}

/** ARP request "who-has targetIp tell senderIp" (broadcast, target MAC zero as Linux sends it). */
export function buildArpRequest(mac: Uint8Array, senderIp: Uint8Array, targetIp: Uint8Array): Buffer {
  return arpFrame(1, BROADCAST, need(mac, 6, 'MAC'), need(senderIp, 4, 'sender IP'), Buffer.alloc(6), need(targetIp, 4, 'target IP'));
}

export interface ArpPacket {
  ethDst: string;
  ethSrc: string;
  op: number;
  senderMac: string;
  senderIp: string;
  targetMac: string;
  targetIp: string;
}

/** Parse an Ethernet+ARP frame (padding accepted); null when it is not an Ethernet/IPv4 ARP frame. */
export function parseArp(frame: Uint8Array): ArpPacket | null {
  const f = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
  if (f.length < 42 || f.readUInt16BE(12) !== ETH_P_ARP) return null;
  if (f.readUInt16BE(14) !== 1 || f.readUInt16BE(16) !== ETH_P_IP || f[18] !== 6 || f[19] !== 4) return null;
  return {
    ethDst: formatMac(f.subarray(0, 6)),
    ethSrc: formatMac(f.subarray(6, 12)),
    op: f.readUInt16BE(20),
    senderMac: formatMac(f.subarray(22, 28)),
    senderIp: formatIp(f.subarray(28, 32)),
    targetMac: formatMac(f.subarray(32, 38)),
    targetIp: formatIp(f.subarray(38, 42)),
  };
}

/** Ones' complement sum of 16-bit words (odd length padded with a zero byte). */
export function onesSum(buf: Uint8Array, start = 0): number {
  let sum = start;
  for (let i = 0; i + 1 < buf.length; i += 2) sum += (buf[i] << 8) | buf[i + 1];
  if (buf.length % 2) sum += buf[buf.length - 1] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/** ICMPv6 checksum over the IPv6 pseudo-header (RFC 8200 §8.1) and the message (checksum field zero). */
export function icmp6Checksum(src: Uint8Array, dst: Uint8Array, msg: Uint8Array): number {
  const ph = Buffer.alloc(40);
  Buffer.from(src).copy(ph, 0);
  Buffer.from(dst).copy(ph, 16);
  ph.writeUInt32BE(msg.length, 32);
  ph[39] = 58;
  const s = onesSum(msg, onesSum(ph));
  return ~s & 0xffff;
}

export const ALL_NODES = Buffer.from('ff020000000000000000000000000001', 'hex');

/** Ethernet multicast MAC of an IPv6 multicast group (33:33 + low 32 bits). */
export function ipv6MulticastMac(group: Uint8Array): Buffer {
  return Buffer.from([0x33, 0x33, group[12], group[13], group[14], group[15]]);
}

/**
 * Unsolicited Neighbour Advertisement for `ip` (16 bytes) at `mac`: 86 bytes,
 * Override flag set (Router flag when `router`), Target Link-Layer Address option.
 */
export function buildUnsolicitedNa(mac: Uint8Array, ip: Uint8Array, opts: { router?: boolean } = {}): Buffer {
  const m = need(mac, 6, 'MAC');
  const a = need(ip, 16, 'IPv6 address');
  const f = Buffer.alloc(14 + 40 + 32);
  ethHeader(ipv6MulticastMac(ALL_NODES), m, ETH_P_IPV6).copy(f, 0);
  const ip6 = 14;
  f.writeUInt32BE(0x60000000, ip6); // version 6, traffic class 0, flow 0
  f.writeUInt16BE(32, ip6 + 4); // payload length
  f[ip6 + 6] = 58; // ICMPv6
  f[ip6 + 7] = 255; // hop limit (RFC 4861: MUST be 255)
  a.copy(f, ip6 + 8);
  ALL_NODES.copy(f, ip6 + 24);
  const na = 54;
  f[na] = 136; // Neighbor Advertisement
  f[na + 1] = 0;
  f[na + 4] = (opts.router ? 0x80 : 0) | 0x20; // R . O
  a.copy(f, na + 8);
  f[na + 24] = 2; // Target Link-Layer Address
  f[na + 25] = 1; // length in units of 8 bytes
  m.copy(f, na + 26);
  f.writeUInt16BE(icmp6Checksum(a, ALL_NODES, f.subarray(na)), na + 2);
  return f;
}

/** Solicited-node multicast group of `ip` (ff02::1:ffXX:XXXX, RFC 4291 §2.7.1). */
export function solicitedNode(ip: Uint8Array): Buffer {
  const g = Buffer.from('ff0200000000000000000001ff000000', 'hex');
  g[13] = ip[13];
  g[14] = ip[14];
  g[15] = ip[15];
  return g;
}

/**
 * Neighbour Solicitation for `target` (16 bytes) from `src` at `mac` (RFC 4861 §4.3): to the target's
 * solicited-node group, hop limit 255, Source Link-Layer Address option. Used by probes (`vrrp drill`).
 */
export function buildNeighborSolicit(mac: Uint8Array, src: Uint8Array, target: Uint8Array): Buffer {
  const m = need(mac, 6, 'MAC');
  const s = need(src, 16, 'IPv6 source');
  const t = need(target, 16, 'IPv6 target');
  const dst = solicitedNode(t);
  const f = Buffer.alloc(14 + 40 + 32);
  ethHeader(ipv6MulticastMac(dst), m, ETH_P_IPV6).copy(f, 0);
  f.writeUInt32BE(0x60000000, 14);
  f.writeUInt16BE(32, 18);
  f[20] = 58;
  f[21] = 255;
  s.copy(f, 22);
  dst.copy(f, 38);
  const ns = 54;
  f[ns] = 135; // Neighbor Solicitation
  t.copy(f, ns + 8);
  f[ns + 24] = 1; // Source Link-Layer Address
  f[ns + 25] = 1;
  m.copy(f, ns + 26);
  f.writeUInt16BE(icmp6Checksum(s, dst, f.subarray(ns)), ns + 2);
  return f;
}

export interface NaPacket {
  ethSrc: string;
  src: string;
  dst: string;
  hopLimit: number;
  router: boolean;
  solicited: boolean;
  override: boolean;
  target: string;
  targetMac?: string;
  checksumOk: boolean;
}

/** Parse an Ethernet+IPv6+ICMPv6 Neighbour Advertisement; null otherwise. */
export function parseNa(frame: Uint8Array): NaPacket | null {
  const f = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
  if (f.length < 14 + 40 + 24 || f.readUInt16BE(12) !== ETH_P_IPV6) return null;
  if (f[14] >> 4 !== 6 || f[20] !== 58) return null;
  const plen = f.readUInt16BE(18);
  if (f.length < 54 + plen || plen < 24) return null;
  const msg = f.subarray(54, 54 + plen);
  if (msg[0] !== 136) return null;
  const src = f.subarray(22, 38);
  const dst = f.subarray(38, 54);
  const copy = Buffer.from(msg);
  const sent = copy.readUInt16BE(2);
  copy.writeUInt16BE(0, 2);
  let targetMac: string | undefined;
  for (let o = 24; o + 8 <= msg.length; ) {
    const len = msg[o + 1] * 8;
    if (len === 0) break;
    if (msg[o] === 2 && len >= 8) targetMac = formatMac(msg.subarray(o + 2, o + 8));
    o += len;
  }
  return {
    ethSrc: formatMac(f.subarray(6, 12)),
    src: formatIp(src),
    dst: formatIp(dst),
    hopLimit: f[21],
    router: (msg[4] & 0x80) !== 0,
    solicited: (msg[4] & 0x40) !== 0,
    override: (msg[4] & 0x20) !== 0,
    target: formatIp(msg.subarray(8, 24)),
    targetMac,
    checksumOk: icmp6Checksum(src, dst, copy) === sent,
  };
}

/** The announcement frame for an address of either family. */
export function buildAnnouncement(mac: Uint8Array, family: Family, ip: Uint8Array, opts: { router?: boolean } = {}): Buffer {
  return family === 4 ? buildGarp(mac, ip) : buildUnsolicitedNa(mac, ip, opts);
}
