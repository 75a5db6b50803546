/**
 * AF_PACKET socket bound to one interface, via hactl's own minimal N-API addon
 * (native/packet, built by node-gyp during `npm ci`). See native/packet/packet.c
 * for why an own addon rather than a pcap binding: raw-socket cannot carry ARP,
 * libpcap bindings add a runtime library and ABI churn for ~150 lines of syscalls.
 */
import * as os from 'node:os';
import { loadAddon, NATIVE_BUILD_HINT } from '../netlink/addon';
import { errnoName } from '../netlink/errors';
import { ETH_P_ALL } from './arp';

interface Native {
  open(ifindex: number, protocol: number): unknown;
  send(h: unknown, frame: Buffer): number;
  recvStart(h: unknown, cb: (frame: Buffer, pkttype: number, ageMs?: number) => void): void;
  recvStop(h: unknown): void;
  ref(h: unknown, on: boolean): void;
  close(h: unknown): void;
  /** absent in an addon built before they were added */
  drain?(h: unknown): number;
  attachFilter?(h: unknown, program: Buffer): void;
  rxAge?(fd: number): number;
  sockInfo?(fd: number): SocketInfo | null;
  setTimerSlack?(ns: number): void;
  flock?(fd: number, op: number): number;
  sendPktinfo6?(fd: number, payload: Buffer, dst: string, src: string, ifindex: number): number;
  senderOpen?(fd: number, family: number): unknown;
  senderArm?(
    h: unknown,
    packets: Buffer[],
    dsts: string[],
    src: string | null,
    ifindex: number,
    hopLimit: number,
    intervalMs: number,
    delayMs: number,
    ipId: number,
    leaseMs: number,
  ): void;
  senderDisarm?(h: unknown): void;
  senderClose?(h: unknown): void;
  senderStats?(h: unknown): number[];
  senderLease?(ms: number): void;
  senderRealtime?(prio: number): number;
}

export interface SocketInfo {
  /** SO_DOMAIN (2 AF_INET, 10 AF_INET6, 17 AF_PACKET) */
  domain: number;
  /** SO_TYPE (1 stream, 2 dgram, 3 raw) */
  type: number;
  protocol: number;
  /** SO_BINDTODEVICE ('' when unbound) */
  device: string;
}

/** sll_pkttype values passed to receive callbacks. */
export const PacketType = { HOST: 0, BROADCAST: 1, MULTICAST: 2, OTHERHOST: 3, OUTGOING: 4 } as const;

let native: Native | undefined;
let loadError: string | undefined;

/** The addon (HACTL_PACKET_ADDON, then native/packet/build/{Release,Debug}: ../netlink/addon). */
function load(): Native {
  if (native) return native;
  if (loadError) throw new Error(loadError);
  const m = loadAddon<Native>('hactl_packet');
  if (m) {
    native = m;
    return native;
  }
  loadError = `packet socket addon not built (native/packet): ${NATIVE_BUILD_HINT}`;
  throw new Error(loadError);
}

/** Null when the addon is available, else why not (for tests and error messages). */
export function packetUnavailable(): string | null {
  try {
    load();
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

/** What the native advert sender thread did for one instance (native/packet/sender.c). */
export interface NativeSenderStats {
  sent: number;
  errors: number;
  /** errno of the last failed send (0: none) */
  lastErrno: number;
  /** the IPv4 id of its last send */
  ipId: number;
  /** it stopped itself: no senderLease() check-in came in time */
  expired: boolean;
  /** sends more than half an interval after their deadline (the thread was not scheduled in time) */
  late: number;
  /** the latest send after its deadline, ms */
  lateMaxMs: number;
}

/**
 * The MASTER advert sender thread for one VRRP raw socket fd (native/packet/sender.c), or
 * null when the addon lacks it. arm(): send `packets[i]` to `dsts[i]` every intervalMs, the
 * first delayMs from now; IPv6: from `src` on `ifindex` (IPV6_PKTINFO), hopLimit >= 0 as
 * IPV6_HOPLIMIT. Every arming also checks in (leaseMs, see lease()).
 */
export function openNativeSender(fd: number, family: 4 | 6) {
  const n = load();
  if (!n.senderOpen || !n.senderArm || !n.senderDisarm || !n.senderClose || !n.senderStats) return null;
  const h = n.senderOpen(fd, family);
  return {
    arm(packets: Buffer[], dsts: string[], src: string | null, ifindex: number, hopLimit: number, intervalMs: number, delayMs: number, ipId: number, leaseMs: number): void {
      n.senderArm!(h, packets, dsts, src, ifindex, hopLimit, intervalMs, delayMs, ipId, leaseMs);
    },
    disarm: (): void => n.senderDisarm!(h),
    close: (): void => n.senderClose!(h),
    stats(): NativeSenderStats {
      const [sent, errors, lastErrno, ipId, expired, late = 0, lateMaxMs = 0] = n.senderStats!(h);
      return { sent, errors, lastErrno, ipId, expired: expired === 1, late, lateMaxMs };
    },
  };
}

/**
 * The advert sender thread's scheduling: SCHED_RR at `prio` (1..99), 0 for SCHED_OTHER.
 * Returns null when it took, else why not (e.g. "EPERM": no CAP_SYS_NICE).
 */
export function nativeSenderRealtime(prio: number): string | null {
  const n = load();
  if (!n.senderRealtime) return 'the native addon has no advert sender';
  const err = n.senderRealtime(prio);
  return err === 0 ? null : errnoName(err);
}

/** Check in with the advert sender thread: it stops every sender when no check-in comes within `ms`. */
export function nativeSenderLease(ms: number): void {
  load().senderLease?.(ms);
}

export class PacketSocket {
  private handle: unknown;
  private closed = false;

  /**
   * Open an AF_PACKET/SOCK_RAW socket on `ifindex` for `protocol`
   * (ethertype, e.g. ETH_P_ARP; ETH_P_ALL for everything). Needs CAP_NET_RAW.
   */
  constructor(
    readonly ifindex: number,
    readonly protocol: number = ETH_P_ALL,
  ) {
    this.handle = load().open(ifindex, protocol);
  }

  /** Send one complete Ethernet frame (no FCS). Returns bytes sent. */
  send(frame: Buffer): number {
    return load().send(this.handle, frame);
  }

  /**
   * Deliver every received frame to `cb` (frame, sll_pkttype, ageMs: how
   * long ago the kernel received it, -1 when unknown). With ETH_P_ALL
   * the socket also sees its own outgoing frames (pkttype OUTGOING).
   * While receiving, the socket keeps the event loop alive unless unref().
   */
  onFrame(cb: (frame: Buffer, pkttype: number, ageMs?: number) => void): void {
    load().recvStart(this.handle, cb);
  }

  /**
   * Read every frame queued in the kernel now and hand each to the onFrame()
   * callback before returning (synchronous). Returns how many were read, or
   * -1 when the addon is too old to do it.
   */
  drain(): number {
    const n = load();
    if (this.closed || !n.drain) return -1;
    return n.drain(this.handle);
  }

  /** Attach a classic BPF program (struct sock_filter array, host byte order); see bpfIpv6Proto(). */
  attachFilter(program: Buffer): boolean {
    const n = load();
    if (!n.attachFilter) return false;
    n.attachFilter(this.handle, program);
    return true;
  }

  stopReceiving(): void {
    if (!this.closed) load().recvStop(this.handle);
  }

  ref(): void {
    load().ref(this.handle, true);
  }

  unref(): void {
    load().ref(this.handle, false);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    load().close(this.handle);
  }
}

/** One classic BPF instruction (struct sock_filter: u16 code, u8 jt, u8 jf, u32 k; host order). */
function bpf(code: number, jt: number, jf: number, k: number): Buffer {
  const b = Buffer.alloc(8);
  const le = os.endianness() === 'LE';
  if (le) b.writeUInt16LE(code, 0);
  else b.writeUInt16BE(code, 0);
  b[2] = jt;
  b[3] = jf;
  if (le) b.writeUInt32LE(k >>> 0, 4);
  else b.writeUInt32BE(k >>> 0, 4);
  return b;
}

/**
 * BPF program for an AF_PACKET socket: keep only IPv6 frames whose next
 * header is `proto` (no extension headers), so a busy interface does not fill
 * the socket queue with unrelated traffic.
 */
export function bpfIpv6Proto(proto: number): Buffer {
  const LDH_ABS = 0x28;
  const LDB_ABS = 0x30;
  const JEQ_K = 0x15;
  const RET_K = 0x06;
  return Buffer.concat([
    bpf(LDH_ABS, 0, 0, 12), // ethertype
    bpf(JEQ_K, 0, 3, 0x86dd),
    bpf(LDB_ABS, 0, 0, 14 + 6), // IPv6 next header
    bpf(JEQ_K, 0, 1, proto),
    bpf(RET_K, 0, 0, 0x40000), // accept the whole frame
    bpf(RET_K, 0, 0, 0), // drop
  ]);
}

/**
 * Age in ms of the last datagram read from socket `fd`, from the kernel's
 * receive timestamp (SIOCGSTAMPNS); -1 when unknown. The first call on a
 * socket turns timestamping on and returns -1.
 */
export function socketRxAge(fd: number): number {
  try {
    const n = load();
    return n.rxAge ? n.rxAge(fd) : -1;
  } catch {
    return -1;
  }
}

/** getsockopt facts about a socket fd (null: not a socket, or an old addon). */
export function socketInfo(fd: number): SocketInfo | null {
  try {
    const n = load();
    return n.sockInfo ? n.sockInfo(fd) : null;
  } catch {
    return null;
  }
}

/** flock(2) operations. */
export const LOCK = { SH: 1, EX: 2, NB: 4, UN: 8 } as const;

/**
 * flock(2) on `fd`: 0, or the errno (11 EWOULDBLOCK with LOCK.NB when another open file holds the lock).
 * undefined when the addon (or this function of it) is not available.
 */
export function flockFd(fd: number, op: number): number | undefined {
  let n: Native;
  try {
    n = load();
  } catch {
    return undefined;
  }
  return n.flock ? n.flock(fd, op) : undefined;
}

/**
 * Send `payload` on the AF_INET6 socket `fd` from `src` out of `ifindex`
 * (sendmsg with an IPV6_PKTINFO control message): the kernel does not pick
 * the source. Throws (Error with .code) when the send fails; false when the
 * addon is missing or too old (the caller sends another way).
 */
export function sendPktinfo6(fd: number, payload: Buffer, dst: string, src: string, ifindex: number): boolean {
  let n: Native;
  try {
    n = load();
  } catch {
    return false;
  }
  if (!n.sendPktinfo6) return false;
  n.sendPktinfo6(fd, payload, dst, src, ifindex);
  return true;
}

/**
 * prctl(PR_SET_TIMERSLACK) for the calling (main) thread: timed waits
 * (epoll, futex) may otherwise wake up to 50 µs late. False when unavailable.
 */
export function setTimerSlack(ns: number): boolean {
  try {
    const n = load();
    if (!n.setTimerSlack) return false;
    n.setTimerSlack(ns);
    return true;
  } catch {
    return false;
  }
}
