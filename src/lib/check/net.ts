/**
 * Thin socket helpers shared by the TCP-based checkers: connect with
 * keepalived's connection options (bindto, bind_port, connect_timeout) and
 * report failures with keepalived's wording. Every socket is destroyed on every
 * path (no leaks on timeout).
 */
import { monoMs } from './types';
import { ipFamily, WITH_ZONE } from '../addr';
import * as net from 'node:net';
import type * as tls from 'node:tls';
import * as fs from 'node:fs';
import type { ConnOptions, TlsClientFiles } from './types';

// node:tls and the SO_MARK addon load only when a check needs them (start-up of one-shot checks).
const tlsLib = () => require('node:tls') as typeof import('node:tls');
const markLib = () => require('./mark') as typeof import('./mark');

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
  const t0 = monoMs();
  let ip = o.host;
  if (!ipFamily(ip, WITH_ZONE)) {
    try {
      // node:dns/promises only for a name (an address is the usual target: start-up, issue 11)
      ip = (await (require('node:dns/promises') as typeof import('node:dns/promises')).lookup(o.host)).address;
    } catch (e) {
      throw new ConnectFailure(`Error connecting (cannot resolve ${o.host}: ${(e as NodeJS.ErrnoException).code ?? String(e)})`, 'error');
    }
  }
  let sock: net.Socket;
  try {
    sock = markLib().markedTcpSocket(ip, o.fwmark, o.bindto, o.bindPort);
  } catch (e) {
    throw new ConnectFailure(`Error connecting (${markLib().markError(e)})`, 'error');
  }
  return connectPlain({ ...o, connectTimeoutMs: Math.max(1, o.connectTimeoutMs - (monoMs() - t0)) }, sock, ip);
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
          family: ipFamily(o.host, WITH_ZONE) || undefined,
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

/** File contents by path, re-read when the file changes (SIGHUP reloads and renewed certificates). */
const fileCache = new Map<string, { mtimeMs: number; size: number; data: Buffer }>();
function readCached(file: string, what: string): Buffer {
  try {
    const st = fs.statSync(file);
    const hit = fileCache.get(file);
    if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.data;
    const data = fs.readFileSync(file);
    fileCache.set(file, { mtimeMs: st.mtimeMs, size: st.size, data });
    return data;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConnectFailure(`SSL error: cannot load ${what} file ${file}${code ? ` (${code})` : ''}`, 'error');
  }
}

/** tls.connect options for keepalived's SSL { } block; throws ConnectFailure naming the file that cannot be used. */
export function tlsFileOptions(files: TlsClientFiles | undefined): tls.ConnectionOptions {
  if (!files) return {};
  const o: tls.ConnectionOptions = {};
  if (files.certificate) o.cert = readCached(files.certificate, 'certificate');
  // keepalived loads the key from its own file; without one, OpenSSL looks for it in the certificate file.
  if (files.key) o.key = readCached(files.key, 'key');
  else if (files.certificate) o.key = o.cert;
  if (files.password !== undefined) o.passphrase = files.password;
  if (files.ca) o.ca = readCached(files.ca, 'CA');
  if (!o.cert && !o.key) return o;
  // One secure context per set of file contents (as keepalived builds its SSL_CTX once): the
  // certificate and key are parsed when they change, not on every check's handshake.
  const id = `${files.certificate}\0${files.key ?? ''}\0${files.ca ?? ''}\0${files.password ?? ''}`;
  const hit = ctxCache.get(id);
  if (hit && hit.cert === o.cert && hit.key === o.key && hit.ca === o.ca) return { secureContext: hit.ctx };
  let ctx: tls.SecureContext;
  try {
    ctx = tlsLib().createSecureContext(o);
  } catch (e) {
    throw new ConnectFailure(`SSL error: cannot use the certificate/key (${(e as Error).message})`, 'error');
  }
  ctxCache.set(id, { cert: o.cert as Buffer, key: o.key as Buffer, ca: o.ca as Buffer | undefined, ctx });
  return { secureContext: ctx };
}

const ctxCache = new Map<string, { cert: Buffer; key: Buffer; ca?: Buffer; ctx: tls.SecureContext }>();

/** TLS handshake over a connected socket, bounded by timeoutMs. No certificate verification (as keepalived). */

export function tlsHandshake(
  sock: net.Socket,
  servername: string | undefined,
  timeoutMs: number,
  files?: TlsClientFiles,
): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    let extra: tls.ConnectionOptions;
    try {
      extra = tlsFileOptions(files);
    } catch (e) {
      sock.destroy();
      reject(e);
      return;
    }
    const t = tlsLib().connect({
      ...extra,
      socket: sock,
      servername: servername && !ipFamily(servername, WITH_ZONE) ? servername : undefined,
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

