/**
 * AF_PACKET socket bound to one interface, via hactl's own minimal N-API addon
 * (native/packet, built by node-gyp during `npm ci`). See native/packet/packet.c
 * for why an own addon rather than a pcap binding: raw-socket cannot carry ARP,
 * libpcap bindings add a runtime library and ABI churn for ~150 lines of syscalls.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ETH_P_ALL } from './arp';

interface Native {
  open(ifindex: number, protocol: number): unknown;
  send(h: unknown, frame: Buffer): number;
  recvStart(h: unknown, cb: (frame: Buffer, pkttype: number) => void): void;
  recvStop(h: unknown): void;
  ref(h: unknown, on: boolean): void;
  close(h: unknown): void;
}

/** sll_pkttype values passed to receive callbacks. */
export const PacketType = { HOST: 0, BROADCAST: 1, MULTICAST: 2, OTHERHOST: 3, OUTGOING: 4 } as const;

let native: Native | undefined;
let loadError: string | undefined;

/** Where the addon is looked for: HACTL_PACKET_ADDON, then native/packet/build/{Release,Debug}. */
function candidates(): string[] {
  // dist/src/lib/net/packet.js -> repository root is four levels up
  const root = path.resolve(__dirname, '..', '..', '..', '..');
  const out: string[] = [];
  if (process.env.HACTL_PACKET_ADDON) out.push(process.env.HACTL_PACKET_ADDON);
  out.push(path.join(root, 'native/packet/build/Release/hactl_packet.node'), path.join(root, 'native/packet/build/Debug/hactl_packet.node'));
  return out;
}

function load(): Native {
  if (native) return native;
  if (loadError) throw new Error(loadError);
  for (const p of candidates()) {
    if (!fs.existsSync(p)) continue;
    native = require(p) as Native;
    return native;
  }
  loadError = 'packet socket addon not built (native/packet): run `npm ci` or `npx node-gyp rebuild --directory native/packet`';
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
   * Deliver every received frame to `cb` (frame, sll_pkttype). With ETH_P_ALL
   * the socket also sees its own outgoing frames (pkttype OUTGOING).
   * While receiving, the socket keeps the event loop alive unless unref().
   */
  onFrame(cb: (frame: Buffer, pkttype: number) => void): void {
    load().recvStart(this.handle, cb);
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
