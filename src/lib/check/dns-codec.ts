/**
 * DNS message codec of DNS_CHECK (keepalived check_dns.c): one question,
 * RD set, class IN, a random id; a reply is accepted when it is at least a
 * header long, carries the same id and QR=1; then RCODE 0 means up.
 */
import type { DnsType } from './types';

export const DNS_TYPES: Record<DnsType, number> = { A: 1, NS: 2, CNAME: 5, SOA: 6, MX: 15, TXT: 16, AAAA: 28 };

export function parseDnsType(s: string): DnsType | undefined {
  const u = s.toUpperCase();
  return Object.hasOwn(DNS_TYPES, u) ? (u as DnsType) : undefined;
}

/** Encode a name as DNS labels ("." is the root). Throws on a bad label. */
export function encodeName(name: string): Buffer {
  const parts: Buffer[] = [];
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  if (trimmed.length > 0) {
    for (const label of trimmed.split('.')) {
      const b = Buffer.from(label, 'latin1');
      if (b.length === 0) throw new Error(`invalid DNS name '${name}': empty label`);
      if (b.length > 63) throw new Error(`invalid DNS name '${name}': label '${label}' is longer than 63 bytes`);
      parts.push(Buffer.from([b.length]), b);
    }
  }
  parts.push(Buffer.from([0]));
  const out = Buffer.concat(parts);
  if (out.length > 255) throw new Error(`invalid DNS name '${name}': longer than 255 bytes`);
  return out;
}

export function encodeQuery(id: number, name: string, type: DnsType): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(id & 0xffff, 0);
  h.writeUInt16BE(0x0100, 2); // RD
  h.writeUInt16BE(1, 4); // QDCOUNT
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(DNS_TYPES[type], 0);
  tail.writeUInt16BE(1, 2); // IN
  return Buffer.concat([h, encodeName(name), tail]);
}

export type DnsReplyVerdict =
  | { kind: 'ignore'; why: string }
  | { kind: 'ok'; rcode: 0; ancount: number }
  | { kind: 'error'; rcode: number };

/** Judge one datagram received after sending a query with `id`. */
export function judgeReply(msg: Buffer, id: number): DnsReplyVerdict {
  if (msg.length < 12) return { kind: 'ignore', why: `too small message (${msg.length} bytes)` };
  const rid = msg.readUInt16BE(0);
  if (rid !== (id & 0xffff)) return { kind: 'ignore', why: `ID does not match (${rid} != ${id})` };
  const flags = msg.readUInt16BE(2);
  if ((flags & 0x8000) === 0) return { kind: 'ignore', why: 'received a query, not a response' };
  const rcode = flags & 0x000f;
  if (rcode !== 0) return { kind: 'error', rcode };
  return { kind: 'ok', rcode: 0, ancount: msg.readUInt16BE(6) };
}

const RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];
export function rcodeName(rcode: number): string {
  return RCODES[rcode] ?? `RCODE${rcode}`;
}
