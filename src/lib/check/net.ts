/**
 * Thin socket helpers shared by the TCP-based checkers: connect with
 * keepalived's connection options (bindto, bind_port, connect_timeout) and
 * report failures with keepalived's wording. Every socket is destroyed on every
 * path (no leaks on timeout).
 */
import { lookup } from 'node:dns/promises';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { markError, markedTcpSocket } from './mark';
import type { ConnOptions } from './types';

export class ConnectFailure extends Error {
  constructor(
    message: string,
    readonly code: 'timeout' | 'refused' | 'error',
  ) {
    super(message);
  }
}

/**
 * TCP connect bounded by connectTimeoutMs. Resolves with the connected socket.
 * With a fwmark the socket comes from the native addon with SO_MARK set (see
 * ./mark): a host name is resolved first (within the same timeout budget).
 */
export async function connectTcp(o: ConnOptions): Promise<net.Socket> {
  if (!o.fwmark) return connectPlain(o, undefined, o.host);
  const t0 = performance.now();
  let ip = o.host;
  if (!net.isIP(ip)) {
    try {
      ip = (await lookup(o.host)).address;
    } catch (e) {
      throw new ConnectFailure(`Error connecting (cannot resolve ${o.host}: ${(e as NodeJS.ErrnoException).code ?? String(e)})`, 'error');
    }
  }
  let sock: net.Socket;
  try {
    sock = markedTcpSocket(ip, o.fwmark, o.bindto, o.bindPort);
  } catch (e) {
    throw new ConnectFailure(`Error connecting (${markError(e)})`, 'error');
  }
  return connectPlain({ ...o, connectTimeoutMs: Math.max(1, o.connectTimeoutMs - (performance.now() - t0)) }, sock, ip);
}

function connectPlain(o: ConnOptions, marked: net.Socket | undefined, host: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const sock = marked
      ? marked.connect(o.port, host)
      : net.connect({
          host: o.host,
          port: o.port,
          localAddress: o.bindto,
          localPort: o.bindPort,
          family: net.isIP(o.host) || undefined,
        });
    let done = false;
    const finish = (err?: ConnectFailure) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.removeListener('connect', onConnect);
      sock.removeListener('error', onError);
      if (err) {
        sock.destroy();
        reject(err);
      } else resolve(sock);
    };
    const onConnect = () => finish();
    const onError = (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNREFUSED') finish(new ConnectFailure('Connection refused', 'refused'));
      else finish(new ConnectFailure(`Error connecting (${e.code ?? e.message})`, 'error'));
    };
    const timer = setTimeout(() => finish(new ConnectFailure('Timeout connecting', 'timeout')), o.connectTimeoutMs);
    sock.once('connect', onConnect);
    sock.once('error', onError);
  });
}

/** TLS handshake over a connected socket, bounded by timeoutMs. No certificate verification (as keepalived). */
export function tlsHandshake(sock: net.Socket, servername: string | undefined, timeoutMs: number): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const t = tls.connect({
      socket: sock,
      servername: servername && !net.isIP(servername) ? servername : undefined,
      rejectUnauthorized: false,
    });
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      t.removeListener('secureConnect', onOk);
      t.removeListener('error', onErr);
      if (err) {
        t.destroy();
        sock.destroy();
        reject(err);
      } else resolve(t);
    };
    const onOk = () => finish();
    const onErr = (e: Error) => finish(new ConnectFailure(`SSL handshake/communication error connecting (${e.message})`, 'error'));
    const timer = setTimeout(() => finish(new ConnectFailure('Timeout connecting', 'timeout')), timeoutMs);
    t.once('secureConnect', onOk);
    t.once('error', onErr);
  });
}

export function describeTarget(host: string, port?: number): string {
  if (port === undefined) return host;
  return net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}
