/**
 * Netlink messages (linux/netlink.h): the 16-byte nlmsghdr, several messages to a datagram
 * (each aligned to 4), NLMSG_ERROR (ACK when its errno is 0) and NLMSG_DONE ending a dump.
 * Pure, no I/O; shared by IPVS (generic netlink), rtnetlink and nf_tables.
 */
import { nlAlign } from './attrs';

export const NLMSG_HDRLEN = 16;
export const NLMSG_NOOP = 1;
export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;

export const NLM_F_REQUEST = 0x01;
export const NLM_F_MULTI = 0x02;
export const NLM_F_ACK = 0x04;
export const NLM_F_ROOT = 0x100;
export const NLM_F_MATCH = 0x200;
export const NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;
/** NEW requests */
export const NLM_F_REPLACE = 0x100;
export const NLM_F_EXCL = 0x200;
export const NLM_F_CREATE = 0x400;
export const NLM_F_APPEND = 0x800;

/** Write an nlmsghdr at b[off]. */
export function writeNlmsghdr(b: Buffer, off: number, len: number, type: number, flags: number, seq: number, pid: number): void {
  b.writeUInt32LE(len, off);
  b.writeUInt16LE(type, off + 4);
  b.writeUInt16LE(flags, off + 6);
  b.writeUInt32LE(seq >>> 0, off + 8);
  b.writeUInt32LE(pid >>> 0, off + 12);
}

/** One message: nlmsghdr + the parts (family header, attributes) as they are. */
export function nlMessage(type: number, flags: number, seq: number, pid: number, parts: readonly Uint8Array[]): Buffer {
  let n = NLMSG_HDRLEN;
  for (const p of parts) n += p.length;
  const b = Buffer.alloc(n);
  writeNlmsghdr(b, 0, n, type, flags, seq, pid);
  let off = NLMSG_HDRLEN;
  for (const p of parts) {
    b.set(p, off);
    off += p.length;
  }
  return b;
}

export interface NlMessage {
  type: number;
  flags: number;
  seq: number;
  pid: number;
  /** Bytes after the 16-byte nlmsghdr. */
  payload: Buffer;
}

/**
 * Walk the messages in b[0, n) in place: `each(type, seq, off, len)` with `off` the message's
 * start; returning true stops the walk. Throws on a truncated message.
 */
export function forEachMessage(b: Buffer, n: number, each: (type: number, seq: number, off: number, len: number) => boolean | undefined): void {
  let off = 0;
  while (off + NLMSG_HDRLEN <= n) {
    const len = b.readUInt32LE(off);
    if (len < NLMSG_HDRLEN || off + len > n) throw new Error(`truncated netlink message (len ${len} at ${off} of ${n})`);
    if (each(b.readUInt16LE(off + 4), b.readUInt32LE(off + 8), off, len) === true) return;
    off += nlAlign(len);
  }
}

/** Split a datagram into messages (payloads are views into `buf`). Throws on truncation. */
export function parseMessages(buf: Buffer): NlMessage[] {
  const out: NlMessage[] = [];
  forEachMessage(buf, buf.length, (type, seq, off, len) => {
    out.push({ type, flags: buf.readUInt16LE(off + 6), seq, pid: buf.readUInt32LE(off + 12), payload: buf.subarray(off + NLMSG_HDRLEN, off + len) });
    return false;
  });
  return out;
}

/** The errno of an NLMSG_ERROR message whose nlmsghdr starts at b[off]: positive, 0 for an ACK. */
export const errnoAt = (b: Buffer, off: number): number => 0 - b.readInt32LE(off + NLMSG_HDRLEN);

/** The errno of a parsed NLMSG_ERROR message: positive, 0 for an ACK. */
export const ackErrno = (msg: NlMessage): number => 0 - msg.payload.readInt32LE(0);
