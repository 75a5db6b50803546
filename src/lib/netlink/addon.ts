/**
 * The one loader of native/packet's build outputs (built by `npm ci`): the N-API addons
 * hactl_packet (AF_PACKET, fwmark sockets, timer slack...) and hactl_netlink (synchronous
 * netlink datagrams for IPVS, rtnetlink, nf_tables), and the hactl-watchdog executable.
 * Each is looked for at its environment override, then build/Release, then build/Debug.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export type NativeOutput = 'hactl_packet' | 'hactl_netlink' | 'hactl-watchdog';

const ENV: Record<NativeOutput, string> = {
  hactl_packet: 'HACTL_PACKET_ADDON',
  hactl_netlink: 'HACTL_NETLINK_ADDON',
  'hactl-watchdog': 'HACTL_WATCHDOG',
};

/** How to build them, for error messages. */
export const NATIVE_BUILD_HINT = 'run `npm ci` (or `node native/packet/build.js`)';

/** Where a build output is looked for, in order (the override first when set). */
export function nativeCandidates(name: NativeOutput): string[] {
  // dist/src/lib/netlink/addon.js -> the repository root is four levels up
  const root = path.resolve(__dirname, '..', '..', '..', '..');
  const file = name === 'hactl-watchdog' ? name : `${name}.node`;
  const out = [path.join(root, 'native/packet/build/Release', file), path.join(root, 'native/packet/build/Debug', file)];
  const env = process.env[ENV[name]];
  return env ? [env, ...out] : out;
}

/**
 * The first candidate of an addon that loads and that `accept` takes (an older build may lack
 * functions), or null. Node's require cache makes calls after the first cheap.
 */
export function loadAddon<T>(name: 'hactl_packet' | 'hactl_netlink', accept: (m: Partial<T>) => boolean = () => true): T | null {
  for (const p of nativeCandidates(name)) {
    if (!fs.existsSync(p)) continue;
    try {
      const m = require(p) as Partial<T>;
      if (accept(m)) return m as T;
    } catch {
      /* not loadable here (other ABI, other architecture): the next candidate */
    }
  }
  return null;
}

/** The hactl-watchdog executable, or undefined when it is not built. */
export function watchdogPath(): string | undefined {
  for (const p of nativeCandidates('hactl-watchdog')) {
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return undefined;
}

/** hactl_netlink (native/packet/netlink.c): synchronous netlink datagram I/O. */
export interface NativeNl {
  /** [fd, portid, receive buffer size] (an older build returns no size) */
  open(protocol: number, bufBytes: number): number[];
  send(fd: number, buf: Uint8Array, len: number): number;
  recv(fd: number, buf: Uint8Array, timeoutMs: number): number;
  acks(fd: number, firstSeq: number, count: number, errnos: Int32Array, timeoutMs: number): number;
  close(fd: number): void;
}

/** Why the netlink addon is missing, for error messages. */
export const NETLINK_ADDON_HINT = `the hactl_netlink addon is not built: ${NATIVE_BUILD_HINT}`;

let netlink: NativeNl | null | undefined;

/** The netlink addon, or null when it is not built. */
export function loadNetlinkAddon(): NativeNl | null {
  if (netlink === undefined) netlink = loadAddon<NativeNl>('hactl_netlink');
  return netlink;
}
