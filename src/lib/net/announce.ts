/**
 * Send address announcements (gratuitous ARP / unsolicited NA) on an interface.
 * Thin glue between the frame builders (arp.ts) and PacketSocket.
 */
import { buildAnnouncement, ETH_P_ARP, ETH_P_IPV6 } from './arp';
import { parseIp, parseMac } from './ip';
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

/** Build every frame first (so bad input fails before anything is sent), then send them. Returns frames sent. */
export function announce(opts: AnnounceOptions): number {
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
  let sent = 0;
  for (const [proto, frames] of [
    [ETH_P_ARP, v4],
    [ETH_P_IPV6, v6],
  ] as const) {
    if (frames.length === 0) continue;
    const s = new PacketSocket(opts.ifindex, proto);
    try {
      for (let r = 0; r < repeat; r++) for (const f of frames) sent += s.send(f) > 0 ? 1 : 0;
    } finally {
      s.close();
    }
  }
  return sent;
}
