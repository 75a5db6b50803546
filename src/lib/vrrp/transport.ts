/**
 * Raw IP protocol 112 channels (one per interface and family), shared by
 * every instance on that interface, dispatching by VRID in the daemon.
 *
 * IPv4: raw-socket with IP_HDRINCL; we send the full IPv4 packet we encode
 * (keepalived's header) and receive the full IPv4 packet (TTL visible).
 * IPv6: raw-socket for sending (hop limit 255 via IPV6_MULTICAST_HOPS /
 * IPV6_UNICAST_HOPS) and group membership; receiving goes through an
 * AF_PACKET socket (net helper) when available, because a raw IPv6 socket
 * via raw-socket cannot return the hop limit or the destination.
 */
import * as fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { formatIpv6, mustIpBytes } from '../addr';
import { errnoName } from '../netlink/errors';
import { VRRP_MCAST_V4, VRRP_MCAST_V6, VRRP_PROTO } from './packet';

// setsockopt constants (Linux)
const SOL_SOCKET = 1;
const SO_BINDTODEVICE = 25;
const SO_RCVBUF = 8;
const IPPROTO_IP = 0;
const IP_HDRINCL = 3;
const IP_MULTICAST_IF = 32;
const IP_MULTICAST_LOOP = 34;
const IP_ADD_MEMBERSHIP = 35;
const IPPROTO_IPV6 = 41;
const IPV6_UNICAST_HOPS = 16;
const IPV6_MULTICAST_IF = 17;
const IPV6_MULTICAST_HOPS = 18;
const IPV6_MULTICAST_LOOP = 19;
const IPV6_JOIN_GROUP = 20;
const IPV6_TCLASS = 67;
const IPV6_PKTINFO = 50;

/** What a channel hands to the daemon. */
export type RxPacket = (
  | { family: 4; raw: Buffer }
  | { family: 6; src: string; dst: string; hopLimit?: number; payload: Buffer }
) & {
  /** when the socket reported it readable (the channel's clock), before any decoding */
  at?: number;
  /** when the kernel received it (SIOCGSTAMPNS, same clock), when known: earlier than `at` */
  kernelAt?: number;
};

export interface Channel {
  readonly ifname: string;
  readonly family: 4 | 6;
  /**
   * IPv4: a full IPv4 packet (IP_HDRINCL); IPv6: the VRRP message, sent from
   * `src` (the address its checksum covers; the channel is shared by the
   * instances of an interface, each with its own source).
   * `hopLimit` (IPv6 unicast): IPV6_UNICAST_HOPS for this send, -1 the kernel's default (unset: 255).
   */
  send(buf: Buffer, dst: string, src?: string, hopLimit?: number): void;
  /** Read everything queued in the kernel now, synchronously (timer safety). */
  drain(): number;
  /** IPv6: the default source of send() (a sticky IPV6_PKTINFO: only the interface sticks on raw sockets). */
  setSource?(addr: string): void;
  /**
   * A MASTER advert sender off the event loop (native thread, native/packet/sender.c) for one
   * instance on this channel, or null when there is none (the daemon then sends from its timers).
   */
  advertSender?(): AdvertSender | null;
  close(): void;
}

/** One arming of an AdvertSender: what to send, how often, from when. */
export interface AdvertArming {
  /** the encoded adverts, one per destination, as send() takes them */
  packets: { buf: Buffer; dst: string }[];
  /** IPv6: the source (IPV6_PKTINFO per send, as send()'s `src`) */
  src?: string;
  /** IPv6 unicast: as send()'s hopLimit (-1 the kernel's default); unset: the multicast hop limit 255 */
  hopLimit?: number;
  intervalMs: number;
  /** the first send this long from now, then every intervalMs (late: no burst) */
  delayMs: number;
  /** IPv4: the id of the last advert sent (the sender continues from it) */
  ipId: number;
  /** the sender stops by itself when no arm() or checkIn() came for this long */
  leaseMs: number;
}

export interface AdvertSenderStats {
  sent: number;
  errors: number;
  /** the last send error (e.g. "ENETUNREACH"), when errors > 0 */
  lastError?: string;
  /** IPv4: the id of its last send */
  ipId: number;
  /** it stopped because no check-in came within the lease */
  expired: boolean;
  /** adverts sent more than half an interval after their deadline */
  late: number;
}

/** "Send these bytes every interval from time T": the state machine decides, this executes. */
export interface AdvertSender {
  /** replaces the previous arming */
  arm(a: AdvertArming): void;
  disarm(): void;
  /** the daemon's event loop is alive: every sender of this process keeps going for `leaseMs` more */
  checkIn(leaseMs: number): void;
  stats(): AdvertSenderStats;
  close(): void;
}

export interface ChannelOptions {
  /** the daemon's monotonic clock: stamps received packets (`RxPacket.at`) */
  clock?: () => number;
  /**
   * IPv6 with use_vmac: receive on this (base) interface. Adverts from the
   * peer routers carry the same virtual MAC as our macvlan, and macvlan hands
   * such frames to it as PACKET_LOOPBACK, which AF_PACKET sockets never see;
   * a tap on the base interface sees them before macvlan does.
   */
  rxIfname?: string;
  /** with rxIfname: deliver only adverts for this VRID (the base interface carries the other instances' too) */
  vrid?: number;
}

export interface ChannelFactory {
  open(ifname: string, family: 4 | 6, onPacket: (p: RxPacket) => void, onError: (e: Error) => void, opts?: ChannelOptions): Channel;
}

interface RawSocketLike {
  setOption(level: number, option: number, value: Buffer | number, length?: number): void;
  send(buf: Buffer, off: number, len: number, addr: string, cb: (err: Error | null, bytes: number) => void): void;
  on(ev: 'message', cb: (buf: Buffer, src: string) => void): void;
  on(ev: 'error', cb: (e: Error) => void): void;
  close(): void;
  wrap: {
    recv(buf: Buffer, cb: (buf: Buffer, bytes: number, src: string) => void): void;
    send(buf: Buffer, off: number, len: number, addr: string, cb: (bytes: number) => void): void;
  };
  buffer: Buffer;
}

function ifindexOf(ifname: string): number {
  const s = fs.readFileSync(`/sys/class/net/${ifname}/ifindex`, 'utf8').trim();
  return Number(s);
}

class RawChannel implements Channel {
  private readonly sock: RawSocketLike;
  private pkt?: { close(): void; stopReceiving(): void; drain(): number };
  private closed = false;
  private readonly ifindex: number;
  private readonly clock: () => number;
  /** the raw socket's fd (found through /proc/self/fd), for kernel receive timestamps; -1: none */
  private rawFd = -1;
  /** IPv6: the source address of every advert (setSource) */
  private src = '';
  /** IPv6: the kernel's default unicast hop limit on this interface (read once, for the advert sender) */
  defaultHops?: number;
  /** IPV6_UNICAST_HOPS now set on the socket */
  private unicastHops = 255;
  // biome-ignore lint/suspicious/noExplicitAny: optional sibling module (net helper)
  private net: any;

  constructor(
    readonly ifname: string,
    readonly family: 4 | 6,
    private readonly onPacket: (p: RxPacket) => void,
    onError: (e: Error) => void,
    opts: ChannelOptions = {},
  ) {
    this.clock = opts.clock ?? (() => performance.now());
    // biome-ignore lint/suspicious/noExplicitAny: untyped JS module
    const raw: any = require('raw-socket');
    const ifindex = ifindexOf(ifname);
    this.ifindex = ifindex;
    try {
      this.net = require('../net');
    } catch {
      this.net = undefined;
    }
    const before = socketFds();
    this.sock = raw.createSocket({
      addressFamily: family === 4 ? raw.AddressFamily.IPv4 : raw.AddressFamily.IPv6,
      protocol: VRRP_PROTO,
      bufferSize: 9000,
    }) as RawSocketLike;
    const s = this.sock;
    s.on('error', (e) => {
      // EAGAIN: a readiness event for a packet drain() already consumed
      if (!this.closed && !/temporarily unavailable|EAGAIN/i.test(e.message)) onError(e);
    });
    const name = Buffer.from(`${ifname}\0`);
    s.setOption(SOL_SOCKET, SO_BINDTODEVICE, name, name.length);
    if (this.net?.socketInfo) {
      // raw-socket does not expose its fd: find it (new since createSocket, AF_INET(6)/SOCK_RAW/112 on ifname)
      const domain = family === 4 ? 2 : 10;
      for (const fd of socketFds()) {
        if (before.has(fd)) continue;
        const i = this.net.socketInfo(fd);
        if (i && i.domain === domain && i.type === 3 && i.protocol === VRRP_PROTO && i.device === ifname) this.rawFd = fd;
      }
      // IPv4: kernel receive timestamps; IPv6 (received through AF_PACKET): sendmsg with IPV6_PKTINFO
      if (family === 4 && this.rawFd >= 0) this.net.socketRxAge(this.rawFd); // turns timestamping on
    }
    try {
      s.setOption(SOL_SOCKET, SO_RCVBUF, 1 << 20);
    } catch {
      /* keep the default */
    }
    if (family === 4) {
      s.setOption(IPPROTO_IP, IP_HDRINCL, 1);
      const mreqn = Buffer.alloc(12);
      mustIpBytes(VRRP_MCAST_V4, 4).copy(mreqn, 0);
      mreqn.writeInt32LE(ifindex, 8);
      s.setOption(IPPROTO_IP, IP_ADD_MEMBERSHIP, mreqn, 12);
      const mif = Buffer.alloc(12);
      mif.writeInt32LE(ifindex, 8);
      s.setOption(IPPROTO_IP, IP_MULTICAST_IF, mif, 12);
      s.setOption(IPPROTO_IP, IP_MULTICAST_LOOP, 0);
      s.on('message', (buf) => this.onPacket({ family: 4, raw: Buffer.from(buf), ...this.rxTimes() }));
    } else {
      s.setOption(IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 255);
      s.setOption(IPPROTO_IPV6, IPV6_UNICAST_HOPS, 255);
      s.setOption(IPPROTO_IPV6, IPV6_MULTICAST_IF, ifindex);
      s.setOption(IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0);
      try {
        s.setOption(IPPROTO_IPV6, IPV6_TCLASS, 0xc0);
      } catch {
        /* older kernels */
      }
      const mreq = Buffer.alloc(20);
      mustIpBytes(VRRP_MCAST_V6, 6).copy(mreq, 0);
      mreq.writeUInt32LE(ifindex, 16);
      s.setOption(IPPROTO_IPV6, IPV6_JOIN_GROUP, mreq, 20);
      let viaPacket = false;
      try {
        // biome-ignore lint/suspicious/noExplicitAny: optional sibling module
        const net: any = this.net;
        if (net && net.packetUnavailable() === null) {
          // on the base interface (use_vmac): every protocol, so the tap runs before macvlan's rx handler
          const base = opts.rxIfname && opts.rxIfname !== ifname;
          const ps = new net.PacketSocket(base ? ifindexOf(opts.rxIfname!) : ifindex, base ? 3 : 0x86dd);
          try {
            // only VRRP reaches user space (a busy interface must not fill the queue)
            ps.attachFilter(net.bpfIpv6Proto(VRRP_PROTO));
          } catch {
            /* unfiltered: parseIpv6Frame drops the rest */
          }
          ps.onFrame((frame: Buffer, pkttype: number, ageMs?: number) => {
            if (pkttype === 4) return; // our own
            const at = this.clock();
            const kernelAt = ageMs !== undefined && ageMs >= 0 ? at - ageMs : undefined;
            const p = parseIpv6Frame(frame);
            if (!p || (base && opts.vrid !== undefined && p.family === 6 && p.payload[1] !== opts.vrid)) return;
            this.onPacket({ ...p, at, kernelAt });
          });
          this.pkt = ps;
          viaPacket = true;
        }
      } catch {
        viaPacket = false;
      }
      if (viaPacket) {
        // the raw socket still receives: discard its copies
        s.on('message', () => {});
      } else {
        s.on('message', (buf, src) => this.onPacket({ family: 6, src, dst: VRRP_MCAST_V6, payload: Buffer.from(buf), at: this.clock() }));
      }
    }
  }

  /** Now, and when the kernel received the datagram just read (when known). */
  private rxTimes(): { at: number; kernelAt?: number } {
    const at = this.clock();
    if (this.rawFd < 0) return { at };
    const age = this.net.socketRxAge(this.rawFd);
    return age >= 0 ? { at, kernelAt: at - age } : { at };
  }

  send(buf: Buffer, dst: string, src?: string, hopLimit?: number): void {
    if (this.closed) return;
    const from = src ?? this.src;
    if (this.family === 6 && hopLimit !== undefined && hopLimit !== this.unicastHops) {
      // per send: the instances sharing this socket may want different hop limits (unicast_ttl)
      const v = Buffer.alloc(4);
      v.writeInt32LE(hopLimit, 0);
      try {
        this.sock.setOption(IPPROTO_IPV6, IPV6_UNICAST_HOPS, v, 4);
        this.unicastHops = hopLimit;
      } catch {
        /* keep the current one */
      }
    }
    if (this.family === 6 && from && this.rawFd >= 0 && this.net?.sendPktinfo6) {
      // the source must be the one the checksum covers: a sendto() lets the kernel pick one,
      // and once a VIP in the peer's prefix is up it picks the VIP (keepalived: IPV6_PKTINFO per send)
      try {
        if (this.net.sendPktinfo6(this.rawFd, buf, dst, from, this.ifindex)) return;
      } catch (e) {
        if ((e as { code?: string }).code !== 'EAGAIN') throw e;
        return; // the socket buffer is full: this advert is lost, as with sendto()
      }
    }
    // sendto() right now (raw-socket's send() waits for the next writable event)
    try {
      this.sock.wrap.send(buf, 0, buf.length, dst, () => {});
    } catch {
      const copy = Buffer.from(buf); // the caller reuses its buffer
      this.sock.send(copy, 0, copy.length, dst, () => {});
    }
  }

  advertSender(): AdvertSender | null {
    if (this.rawFd < 0 || !this.net?.openNativeSender || this.closed) return null;
    const n = this.net.openNativeSender(this.rawFd, this.family) as NativeSender | null;
    if (!n) return null;
    const ch = this;
    return {
      arm(a: AdvertArming): void {
        if (ch.closed) return;
        let hop = -1;
        if (ch.family === 6 && a.hopLimit !== undefined) hop = a.hopLimit >= 0 ? a.hopLimit : (ch.defaultHops ??= kernelHopLimit(ch.ifname));
        n.arm(
          a.packets.map((p) => p.buf),
          a.packets.map((p) => p.dst),
          ch.family === 6 ? (a.src ?? ch.src) || null : null,
          ch.ifindex,
          hop,
          a.intervalMs,
          a.delayMs,
          a.ipId,
          a.leaseMs,
        );
      },
      disarm: () => n.disarm(),
      checkIn: (ms: number) => ch.net.nativeSenderLease(ms),
      stats(): AdvertSenderStats {
        const s = n.stats();
        return { sent: s.sent, errors: s.errors, ipId: s.ipId, expired: s.expired, late: s.late, ...(s.errors > 0 ? { lastError: errnoName(s.lastErrno) } : {}) };
      },
      close: () => n.close(),
    };
  }

  setSource(addr: string): void {
    if (this.family !== 6) return;
    this.src = addr;
    // sticky IPV6_PKTINFO (RFC 3542): source address and interface for every send
    const info = Buffer.alloc(20);
    mustIpBytes(addr, 6).copy(info, 0);
    info.writeUInt32LE(this.ifindex, 16);
    try {
      this.sock.setOption(IPPROTO_IPV6, IPV6_PKTINFO, info, 20);
    } catch {
      /* kernel picks the source */
    }
  }

  drain(): number {
    let n = 0;
    if (this.closed) return 0;
    // IPv6 adverts arrive on the AF_PACKET socket: read its queue (the frames
    // go through the onFrame callback above, synchronously)
    if (this.pkt) return Math.max(0, this.pkt.drain());
    for (; n < 1000; n++) {
      try {
        this.sock.wrap.recv(this.sock.buffer, (b, bytes, src) => {
          const t = this.rxTimes();
          const copy = Buffer.from(b.subarray(0, bytes));
          if (this.family === 4) this.onPacket({ family: 4, raw: copy, ...t });
          else this.onPacket({ family: 6, src, dst: VRRP_MCAST_V6, payload: copy, ...t });
        });
      } catch {
        break; // EAGAIN: queue empty
      }
    }
    return n;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.pkt?.stopReceiving();
      this.pkt?.close();
    } catch {
      /* gone */
    }
    this.sock.close();
  }
}

type NativeSender = NonNullable<ReturnType<typeof import('../net/packet').openNativeSender>>;

/** The hop limit the kernel gives IPv6 unicast from `ifname` when none is set (keepalived 2.2.7's IPv6 unicast adverts). */
function kernelHopLimit(ifname: string): number {
  try {
    const v = Number(fs.readFileSync(`/proc/sys/net/ipv6/conf/${ifname}/hop_limit`, 'utf8').trim());
    return Number.isInteger(v) && v >= 1 && v <= 255 ? v : 64;
  } catch {
    return 64;
  }
}

/** This process's socket file descriptors. */
function socketFds(): Set<number> {
  const out = new Set<number>();
  try {
    for (const f of fs.readdirSync('/proc/self/fd')) {
      try {
        if (fs.readlinkSync(`/proc/self/fd/${f}`).startsWith('socket:')) out.add(Number(f));
      } catch {
        /* closed meanwhile */
      }
    }
  } catch {
    /* no /proc */
  }
  return out;
}

/** Parse an Ethernet frame carrying IPv6 + VRRP (no extension headers). */
export function parseIpv6Frame(frame: Buffer): RxPacket | null {
  if (frame.length < 14 + 40) return null;
  let off = 12;
  let et = frame.readUInt16BE(off);
  if (et === 0x8100) {
    off += 4;
    et = frame.readUInt16BE(off);
  }
  if (et !== 0x86dd) return null;
  const ip = off + 2;
  if (frame.length < ip + 40 || frame[ip] >> 4 !== 6) return null;
  if (frame[ip + 6] !== VRRP_PROTO) return null;
  const plen = frame.readUInt16BE(ip + 4);
  const payload = frame.subarray(ip + 40, Math.min(frame.length, ip + 40 + plen));
  return {
    family: 6,
    src: formatIpv6(frame, ip + 8),
    dst: formatIpv6(frame, ip + 24),
    hopLimit: frame[ip + 7],
    payload: Buffer.from(payload),
  };
}

export const rawChannels: ChannelFactory = {
  open: (ifname, family, onPacket, onError, opts) => new RawChannel(ifname, family, onPacket, onError, opts),
};
