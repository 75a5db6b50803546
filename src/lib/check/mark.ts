/**
 * keepalived's `fwmark` (SO_MARK on the checker's socket) through hactl's own
 * N-API addon (native/packet: socketWithMark, openDgram). Node's net and dgram
 * cannot set SO_MARK, so:
 * - TCP: the addon creates a non-blocking, marked (and bound) socket; Node
 *   adopts the fd (`new net.Socket({ fd })`) and connect() reuses it, so the
 *   SYN and everything after it carry the mark.
 * - UDP: dgram cannot adopt an fd; the addon keeps a connected, marked UDP
 *   socket and drives it with uv_poll (send, receive, ICMP errors as codes).
 * Setting SO_MARK needs CAP_NET_ADMIN: without it the error says so.
 */
import { ipFamily, isIpv6Host, WITH_ZONE } from '../addr';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { loadAddon, NATIVE_BUILD_HINT } from '../netlink/addon';

interface MarkNative {
  socketWithMark(family: 4 | 6, type: 1 | 2, mark: number, bindAddr?: string, bindPort?: number): number;
  openDgram(family: 4 | 6, mark: number, bindAddr: string | undefined, bindPort: number, dstAddr: string, dstPort: number): unknown;
  send(h: unknown, payload: Buffer): number;
  recvStart(h: unknown, cb: (datagram: Buffer | null, err: string | null) => void): void;
  close(h: unknown): void;
}

let native: MarkNative | undefined;
let loadError: string | undefined;

function load(): MarkNative {
  if (native) return native;
  if (loadError) throw new Error(loadError);
  const m = loadAddon<MarkNative>('hactl_packet', (a) => typeof a.socketWithMark === 'function' && typeof a.openDgram === 'function');
  if (m) {
    native = m;
    return native;
  }
  loadError = `fwmark needs the native addon (native/packet), which is not built: ${NATIVE_BUILD_HINT}`;
  throw new Error(loadError);
}

/** Human-readable reason for an addon error (EPERM already says "fwmark needs root (CAP_NET_ADMIN)"). */
export function markError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'EPERM' || err?.code === 'EACCES') return 'fwmark needs root (CAP_NET_ADMIN)';
  return err instanceof Error ? err.message : String(e);
}

function familyOf(addr: string): 4 | 6 {
  return isIpv6Host(addr) ? 6 : 4;
}

/**
 * An unconnected TCP socket whose packets carry `mark` (bound to bindto/bindPort
 * when given). The caller connects it with `sock.connect(port, ip)`; `ip` must be
 * an address of the family of `forAddr`. Throws with markError()-friendly errors.
 */
export function markedTcpSocket(forAddr: string, mark: number, bindto?: string, bindPort?: number): net.Socket {
  const fd = load().socketWithMark(familyOf(forAddr), 1, mark >>> 0, bindto, bindPort);
  try {
    return new net.Socket({ fd, readable: true, writable: true });
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
}

/** A connected UDP socket whose datagrams carry `mark`. */
export class MarkedUdp {
  private readonly h: unknown;
  private closed = false;

  constructor(host: string, port: number, mark: number, bindto?: string, bindPort?: number) {
    if (!ipFamily(host, WITH_ZONE)) throw new Error(`not an IP address: ${JSON.stringify(host)}`);
    this.h = load().openDgram(familyOf(host), mark >>> 0, bindto, bindPort ?? 0, host, port);
  }

  /** Datagrams and socket errors (ECONNREFUSED for ICMP port unreachable, EHOSTUNREACH, ...). */
  onMessage(cb: (msg: Buffer | null, errCode: string | null) => void): void {
    load().recvStart(this.h, cb);
  }

  /** Send one datagram; returns an error code instead of throwing. */
  send(payload: Buffer): string | null {
    try {
      load().send(this.h, payload);
      return null;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    load().close(this.h);
  }
}

let soErrorFn: ((fd: number) => number) | null | undefined;

/**
 * The pending SO_ERROR of a socket fd (reading it clears it), or 0 when there is
 * none or it cannot be known (addon not built, or built before soError). Used
 * where libuv reports EOF although the kernel holds a reset (see http.ts).
 */
export function pendingSocketError(fd: number): number {
  if (soErrorFn === undefined) {
    const m = loadAddon<{ soError: (fd: number) => number }>('hactl_packet', (a) => typeof a.soError === 'function');
    soErrorFn = m ? m.soError : null;
  }
  if (!soErrorFn || fd < 0) return 0;
  const e = soErrorFn(fd);
  return Math.max(e, 0);
}
