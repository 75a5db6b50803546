/**
 * One connected UDP exchange for UDP_CHECK and DNS_CHECK: bind (bindto,
 * bind_port), connect to host:port, send one payload, then deliver replies and
 * socket errors (ICMP unreachable arrives as ECONNREFUSED/EHOSTUNREACH/...).
 * Without a fwmark this is node:dgram; with one, the native addon's marked
 * socket (dgram cannot adopt an fd). Returns the function that closes it.
 */
import * as dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { ipFamily, isIpv6Host, WITH_ZONE } from '../addr';
import { MarkedUdp, markError } from './mark';
import type { ConnOptions } from './types';

export interface UdpHandlers {
  message(msg: Buffer): void;
  /** Socket error after connect (code such as ECONNREFUSED, or a message). */
  error(code: string): void;
  /** Could not bind/connect (or set the mark): the attempt fails with this. */
  connectError(message: string): void;
  sendError(message: string): void;
}

export function udpExchange(o: ConnOptions, payload: Buffer, h: UdpHandlers): () => void {
  if (o.fwmark) {
    const mark = o.fwmark;
    if (!ipFamily(o.host, WITH_ZONE)) {
      // dgram resolves names itself; the addon needs an address
      let closed = false;
      let close = () => {};
      lookup(o.host).then(
        (a) => {
          if (!closed) close = udpExchange({ ...o, host: a.address }, payload, h);
        },
        (e: NodeJS.ErrnoException) => {
          if (!closed) h.connectError(`cannot resolve ${o.host}: ${e.code ?? e.message}`);
        },
      );
      return () => {
        closed = true;
        close();
      };
    }
    let sock: MarkedUdp;
    try {
      sock = new MarkedUdp(o.host, o.port, mark, o.bindto, o.bindPort);
    } catch (e) {
      queueMicrotask(() => h.connectError(markError(e)));
      return () => {};
    }
    sock.onMessage((msg, err) => {
      if (msg) h.message(msg);
      else h.error(err ?? 'EIO');
    });
    const e = sock.send(payload);
    if (e) {
      // a send error on a connected UDP socket is a pending ICMP error or a local one
      queueMicrotask(() => (e === 'ECONNREFUSED' || e === 'EHOSTUNREACH' || e === 'ENETUNREACH' ? h.error(e) : h.sendError(e)));
    }
    return () => sock.close();
  }
  const sock = dgram.createSocket(isIpv6Host(o.host) ? 'udp6' : 'udp4');
  sock.on('error', (e: NodeJS.ErrnoException) => h.error(e.code ?? e.message));
  sock.on('message', (msg) => h.message(msg));
  sock.bind({ address: o.bindto, port: o.bindPort ?? 0 }, () => {
    sock.connect(o.port, o.host, ((err?: Error) => {
      if (err) return h.connectError(err.message);
      sock.send(payload, (e) => {
        if (e) h.sendError(e.message);
      });
    }) as () => void);
  });
  return () => sock.close();
}
