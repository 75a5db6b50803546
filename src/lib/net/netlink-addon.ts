/**
 * Loader of the project's hactl_netlink addon (native/packet/netlink.c): synchronous netlink
 * datagram I/O, used by the IPVS client (generic netlink) and the no_accept firewall
 * (NETLINK_NETFILTER). One place finds the built file and types its API.
 */
import * as path from 'node:path';

export interface NativeNl {
  /** [fd, portid, receive buffer size] (an older build returns no size) */
  open(protocol: number, bufBytes: number): number[];
  send(fd: number, buf: Uint8Array, len: number): number;
  recv(fd: number, buf: Uint8Array, timeoutMs: number): number;
  acks(fd: number, firstSeq: number, count: number, errnos: Int32Array, timeoutMs: number): number;
  close(fd: number): void;
}

/** How to build it, for error messages. */
export const NETLINK_ADDON_HINT = 'the hactl_netlink addon is not built: run `npm ci` (or `node native/packet/build.js`)';

let loaded: NativeNl | null | undefined;

/** The addon (HACTL_NETLINK_ADDON, then native/packet/build/{Release,Debug}), or null when it is not built. */
export function loadNetlinkAddon(): NativeNl | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  const root = path.resolve(__dirname, '..', '..', '..', '..');
  const cands = [process.env.HACTL_NETLINK_ADDON, path.join(root, 'native/packet/build/Release/hactl_netlink.node'), path.join(root, 'native/packet/build/Debug/hactl_netlink.node')];
  for (const p of cands) {
    if (!p) continue;
    try {
      loaded = require(p) as NativeNl;
      break;
    } catch {
      /* not built: next candidate */
    }
  }
  return loaded;
}
