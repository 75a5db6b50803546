/** Pure ICMP echo codec for PING_CHECK (IPv4 type 8/0, IPv6 type 128/129). */

export function inetChecksum(buf: Buffer): number {
  let sum = 0;
  for (let i = 0; i + 1 < buf.length; i += 2) sum += buf.readUInt16BE(i);
  if (buf.length % 2) sum += buf[buf.length - 1] << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return ~sum & 0xffff;
}

/** Echo request; for IPv6 the kernel computes the checksum (pseudo-header). */
export function buildEcho(v6: boolean, id: number, seq: number, payload: Buffer): Buffer {
  const b = Buffer.alloc(8 + payload.length);
  b[0] = v6 ? 128 : 8;
  b.writeUInt16BE(id & 0xffff, 4);
  b.writeUInt16BE(seq & 0xffff, 6);
  payload.copy(b, 8);
  if (!v6) b.writeUInt16BE(inetChecksum(b), 2);
  return b;
}

/** Is `msg` (IPv4: with its IP header; IPv6: ICMPv6 only) the echo reply to (id, seq)? */
export function isEchoReply(v6: boolean, msg: Buffer, id: number, seq: number): boolean {
  let off = 0;
  if (!v6) {
    if (msg.length < 20 || msg[0] >> 4 !== 4) return false;
    off = (msg[0] & 0x0f) * 4;
  }
  if (msg.length < off + 8) return false;
  const type = msg[off];
  if (type !== (v6 ? 129 : 0)) return false;
  return msg.readUInt16BE(off + 4) === (id & 0xffff) && msg.readUInt16BE(off + 6) === (seq & 0xffff);
}
