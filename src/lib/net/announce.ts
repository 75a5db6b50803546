/**
 * Send address announcements (gratuitous ARP / unsolicited NA) on an interface.
 * Thin glue between the frame builders (arp.ts) and PacketSocket.
 *
 * Opening and closing an AF_PACKET socket is slow: the kernel waits for an RCU
 * grace period (synchronize_net()) in close(), and in bind() when a receive
 * hook is registered. Measured on a loaded 2-core host: 15 to 40 ms with the
 * calling thread blocked, i.e. longer than a Master_Down_Interval at
 * advert_int 0.01. A daemon therefore keeps one `Announcer` (one socket per
 * interface, protocol 0: it receives nothing) for its whole life, as
 * keepalived keeps its GARP socket.
 */
import { buildAnnouncement } from './arp';
import { parseIp } from '../addr';
import { parseMac } from './mac';
import { PacketSocket } from './packet';

export interface AnnounceOptions {
  /** interface to send on (the macvlan for use_vmac) */
  ifindex: number;
  /** source MAC (the interface MAC, or the VMAC) */
  mac: string;
  /** VIPs, IPv4 and/or IPv6 */
  addresses: string[];
  /** frames per address (keepalived garp_master_repeat, default 1) */
  repeat?: number;
  /** set the Router flag in NAs */
  router?: boolean;
}

/** Every frame of an announcement, IPv4 (GARP) first; throws on bad input before anything is sent. Pure. */
export function announcementFrames(opts: AnnounceOptions): Buffer[] {
  const mac = parseMac(opts.mac);
  if (!mac) throw new Error(`invalid MAC "${opts.mac}"`);
  const v4: Buffer[] = [];
  const v6: Buffer[] = [];
  for (const a of opts.addresses) {
    const ip = parseIp(a.split('/')[0]);
    if (!ip) throw new Error(`invalid address "${a}"`);
    (ip.family === 4 ? v4 : v6).push(buildAnnouncement(mac, ip.family, ip.bytes, { router: opts.router }));
  }
  const repeat = opts.repeat ?? 1;
  const out: Buffer[] = [];
  for (const frames of [v4, v6]) for (let r = 0; r < repeat; r++) out.push(...frames);
  return out;
}

/** Long-lived announcement sender: one send-only AF_PACKET socket per interface, opened on first use. */
export class Announcer {
  private readonly socks = new Map<number, PacketSocket>();

  /** Send the announcement now (synchronous). Returns frames sent. */
  send(opts: AnnounceOptions): number {
    const frames = announcementFrames(opts);
    if (frames.length === 0) return 0;
    let s = this.socks.get(opts.ifindex);
    if (!s) {
      // protocol 0: no receive hook (nothing queued to it, no grace period in bind)
      s = new PacketSocket(opts.ifindex, 0);
      this.socks.set(opts.ifindex, s);
    }
    let sent = 0;
    try {
      for (const f of frames) sent += s.send(f) > 0 ? 1 : 0;
    } catch (e) {
      // ENXIO/ENODEV: the interface went away (a new one may get another index); reopen next time
      this.socks.delete(opts.ifindex);
      s.close();
      throw e;
    }
    return sent;
  }

  /** Open the interface's socket and compile the frame builders now (keeps first-use costs off a takeover). */
  prepare(ifindex: number, mac: string): void {
    if (!this.socks.has(ifindex)) this.socks.set(ifindex, new PacketSocket(ifindex, 0));
    announcementFrames({ ifindex, mac, addresses: ['192.0.2.1', '2001:db8::1'] });
  }

  /** Forget the socket of an interface that went away. */
  drop(ifindex: number): void {
    this.socks.get(ifindex)?.close();
    this.socks.delete(ifindex);
  }

  close(): void {
    for (const s of this.socks.values()) s.close();
    this.socks.clear();
  }
}

/** One announcement with a socket of its own (CLI use). Returns frames sent. */
export function announce(opts: AnnounceOptions): number {
  const frames = announcementFrames(opts);
  if (frames.length === 0) return 0;
  const a = new Announcer();
  try {
    return a.send(opts);
  } finally {
    a.close();
  }
}
