/**
 * `hactl vrrp drill`, the pure part: what the frames seen on the instance's interface say about a
 * takeover (no I/O; the capture and the control socket are in drill-cli.ts).
 *
 * Times are the receive times of frames on this host's interface, counted from this node's own
 * priority-0 advert leaving it: the peer's first advert (priority > 0, same VRID) and, per VIP, the
 * first ARP frame (IPv4: a reply to our probe, or the peer's gratuitous ARP) / Neighbour
 * Advertisement (IPv6) that gives the VIP another MAC than this host's.
 */
import { type Family, formatIp } from '../addr';
import { ETH_P_ARP, ETH_P_IP, ETH_P_IPV6, parseArp, parseNa } from '../net/arp';
import { formatMac } from '../net/mac';
import { VRRP_PROTO } from './packet';

/** sll_pkttype of a frame this host sent (net/packet.ts OUTGOING; that module loads the addon). */
const OUTGOING = 4;

export interface DrillTarget {
  instance: string;
  interface: string;
  vrid: number;
  family: Family;
  /** this node's advert source address */
  src: string;
  /** this host's MACs on the interface (lower case), the VMAC included */
  ownMacs: string[];
  /** the VIPs, without prefix */
  vips: string[];
  advertIntervalMs: number;
}

export interface DrillResult {
  instance: string;
  interface: string;
  vrid: number;
  family: Family;
  advertIntervalMs: number;
  /** ISO 8601: when this node's priority-0 advert left (wall clock) */
  steppedDownAt: string;
  /** the priority-0 advert was seen on the wire (false: counted from the control request) */
  zeroSeen: boolean;
  peer: { addr: string; mac: string; priority: number } | null;
  /** ms from our priority-0 advert to the peer's first advert */
  advertMs: number | null;
  vips: { address: string; ms: number | null; mac: string | null; how: string | null }[];
  /** ms until the peer's advert and every VIP answered from another MAC (null: not all seen) */
  takeoverMs: number | null;
}

interface Vrrp {
  src: string;
  vrid: number;
  priority: number;
}

/** The VRRP header of an Ethernet frame (IPv4 or IPv6, no extension headers), or null. */
export function vrrpInFrame(f: Buffer): Vrrp | null {
  if (f.length < 14) return null;
  const et = f.readUInt16BE(12);
  if (et === ETH_P_IP && f.length >= 34 && f[14] >> 4 === 4 && f[23] === VRRP_PROTO) {
    const ihl = (f[14] & 0x0f) * 4;
    if (f.length < 14 + ihl + 3) return null;
    return { src: formatIp(f.subarray(26, 30)), vrid: f[14 + ihl + 1], priority: f[14 + ihl + 2] };
  }
  if (et === ETH_P_IPV6 && f.length >= 54 + 3 && f[14] >> 4 === 6 && f[20] === VRRP_PROTO)
    return { src: formatIp(f.subarray(22, 38)), vrid: f[55], priority: f[56] };
  return null;
}

/** Feed frames (with their receive time, monotonic ms); it says when the takeover is complete. */
export class DrillWatch {
  zeroAt: number | null = null;
  peer: { addr: string; mac: string; priority: number; at: number } | null = null;
  readonly answers = new Map<string, { at: number; mac: string; how: string }>();
  private readonly own: Set<string>;

  constructor(readonly t: DrillTarget) {
    this.own = new Set(t.ownMacs.map((m) => m.toLowerCase()));
  }

  frame(f: Buffer, pkttype: number, at: number): void {
    const v = vrrpInFrame(f);
    if (v) {
      if (v.vrid !== this.t.vrid) return;
      if (pkttype === OUTGOING || v.src === this.t.src) {
        if (v.priority === 0 && this.zeroAt === null) this.zeroAt = at;
        return;
      }
      if (v.priority > 0 && this.zeroAt !== null && !this.peer) this.peer = { addr: v.src, mac: formatMac(f.subarray(6, 12)), priority: v.priority, at };
      return;
    }
    if (pkttype === OUTGOING || this.zeroAt === null) return;
    const et = f.readUInt16BE(12);
    if (et === ETH_P_ARP && this.t.family === 4) {
      const a = parseArp(f);
      if (!a || !this.t.vips.includes(a.senderIp) || this.own.has(a.senderMac) || this.answers.has(a.senderIp)) return;
      this.answers.set(a.senderIp, { at, mac: a.senderMac, how: a.op === 2 ? 'ARP reply' : 'gratuitous ARP' });
    } else if (et === ETH_P_IPV6 && this.t.family === 6) {
      const n = parseNa(f);
      if (!n?.checksumOk) return;
      const mac = n.targetMac ?? n.ethSrc;
      if (!this.t.vips.includes(n.target) || this.own.has(mac) || this.answers.has(n.target)) return;
      this.answers.set(n.target, { at, mac, how: n.solicited ? 'solicited NA' : 'unsolicited NA' });
    }
  }

  /** The peer's advert arrived and every VIP answered from another MAC. */
  get complete(): boolean {
    return this.peer !== null && this.t.vips.every((v) => this.answers.has(v));
  }

  /** The figures, from `zero` (our priority-0 advert, or the request time when it was not seen). */
  result(fallbackZero: number, wallAt: (mono: number) => number): DrillResult {
    const zero = this.zeroAt ?? fallbackZero;
    const ms = (at: number) => Math.round((at - zero) * 10) / 10;
    const vips = this.t.vips.map((address) => {
      const a = this.answers.get(address);
      return { address, ms: a ? ms(a.at) : null, mac: a?.mac ?? null, how: a?.how ?? null };
    });
    const advertMs = this.peer ? ms(this.peer.at) : null;
    const all = advertMs !== null && vips.every((v) => v.ms !== null);
    return {
      instance: this.t.instance,
      interface: this.t.interface,
      vrid: this.t.vrid,
      family: this.t.family,
      advertIntervalMs: this.t.advertIntervalMs,
      steppedDownAt: new Date(wallAt(zero)).toISOString(),
      zeroSeen: this.zeroAt !== null,
      peer: this.peer ? { addr: this.peer.addr, mac: this.peer.mac, priority: this.peer.priority } : null,
      advertMs,
      vips,
      takeoverMs: all ? Math.max(advertMs, ...vips.map((v) => v.ms as number)) : null,
    };
  }
}

/** The text report. */
export function renderDrill(r: DrillResult, extra: string[] = []): string {
  const lines = [`drill ${r.instance} (VRID ${r.vrid} on ${r.interface}, advert_int ${r.advertIntervalMs / 1000} s): stepped down at ${r.steppedDownAt}${r.zeroSeen ? '' : ' (priority-0 advert not seen on the wire: counted from the request)'}`];
  lines.push(r.peer ? `  peer advert:  ${r.advertMs} ms  from ${r.peer.addr} (${r.peer.mac}, priority ${r.peer.priority})` : '  peer advert:  none seen');
  for (const v of r.vips) lines.push(`  VIP ${v.address}: ${v.ms === null ? 'no answer from another MAC' : `${v.ms} ms  ${v.how} from ${v.mac}`}`);
  lines.push(r.takeoverMs === null ? '  takeover: not complete' : `  takeover: ${r.takeoverMs} ms`);
  lines.push(...extra.map((e) => `  ${e}`));
  return `${lines.join('\n')}\n`;
}
