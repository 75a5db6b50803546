/**
 * HTTP_GET / SSL_GET I/O: one GET per URL over a fresh connection, read until
 * the server closes, with keepalived's per-operation timeout (connect_timeout
 * bounds the connect, the handshake and every wait for data, not the whole
 * transfer). Failure messages are keepalived's (genhash prints them as is).
 */
import { monoMs } from './types';
import type * as net from 'node:net';
import { buildHttpRequest, HttpResponseReader, KEEPALIVED_READ_BUFFER, statusAccepted, formatStatusCodes } from './http-proto';
import type { HttpHeaderInfo } from './http-proto';
import { ConnectFailure, connectTcp, tlsHandshake } from './net';
import { type CompiledRegex, compileRegex, matchBody, RegexError, type RegexSpec } from '../pcre/pcre';
import type { AttemptResult, ConnOptions, HttpCheckOptions, HttpUrl, TlsClientFiles } from './types';

// The addon (for SO_ERROR) loads at the first EOF, not at start-up (as for SO_MARK in ./net).
const markLib = () => require('./mark') as typeof import('./mark');

/** Body bytes kept for a url regex (keepalived streams the whole body through PCRE2; hactl matches up to this much). */
export const REGEX_BODY_LIMIT = 16 << 20;
const compiled = new WeakMap<RegexSpec, CompiledRegex>();

export interface FetchSpec extends ConnOptions {
  ssl: boolean;
  /** Server name for SNI (undefined = no SNI). */
  sni?: string;
  /** Client certificate / key / CA files (keepalived's SSL { } block). */
  tls?: TlsClientFiles;
  path: string;
  protocol: HttpCheckOptions['httpProtocol'];
  virtualhost?: string;
  /** Keep up to this many body bytes for display (-v). */
  keepBody?: number;
  /** Compute the MD5 (default true; HTTP_GET without digest skips it, as keepalived). */
  hash?: boolean;
}

export interface FetchOutcome {
  /** keepalived's failure message (e.g. "Timeout WEB read"), undefined when the response was read to EOF. */
  error?: string;
  /** Connection-level failure kind, for genhash's wording. */
  connectFailure?: ConnectFailure['code'];
  request: Buffer;
  header?: HttpHeaderInfo;
  /** MD5 of the body as keepalived computes it (only when a header was received). */
  digest?: string;
  anyData: boolean;
  /** The header did not end within keepalived's read buffer (KEEPALIVED_READ_BUFFER bytes): "no data received". */
  headerOverflow?: boolean;
  bodyBytes: number;
  hashedBytes: number;
  body?: Buffer;
  connectMs?: number;
  firstByteMs?: number;
  totalMs: number;
}

export async function fetchUrl(spec: FetchSpec): Promise<FetchOutcome> {
  const t0 = monoMs();
  const request = buildHttpRequest({
    path: spec.path,
    protocol: spec.protocol,
    virtualhost: spec.virtualhost,
    host: spec.host,
    port: spec.port,
  });
  const out: FetchOutcome = { request, anyData: false, bodyBytes: 0, hashedBytes: 0, totalMs: 0 };
  let sock: net.Socket | undefined;
  try {
    try {
      sock = await connectTcp({
        host: spec.host,
        port: spec.port,
        bindto: spec.bindto,
        bindPort: spec.bindPort,
        fwmark: spec.fwmark,
        connectTimeoutMs: spec.connectTimeoutMs,
      });
      if (spec.ssl) sock = await tlsHandshake(sock, spec.sni, spec.connectTimeoutMs, spec.tls);
    } catch (e) {
      const f = e instanceof ConnectFailure ? e : new ConnectFailure(String(e), 'error');
      out.connectFailure = f.code;
      out.error = f.message;
      return out;
    }
    out.connectMs = monoMs() - t0;
    const reader = new HttpResponseReader(spec.keepBody ?? 0, spec.hash ?? true);
    const s = sock;
    const end = await new Promise<'eof' | 'timeout' | 'error' | 'write-error'>((resolve) => {
      let settled = false;
      const settle = (v: 'eof' | 'timeout' | 'error' | 'write-error') => {
        if (settled) return;
        settled = true;
        s.setTimeout(0);
        resolve(v);
      };
      s.setTimeout(spec.connectTimeoutMs);
      s.on('timeout', () => settle('timeout'));
      s.on('data', (chunk: Buffer) => {
        if (out.firstByteMs === undefined) out.firstByteMs = monoMs() - t0;
        reader.push(chunk);
        // keepalived stops when its buffer is full without a header: read() of 0 bytes is EOF. Over TLS,
        // SSL_read() of 0 bytes is not: it waits for the peer's close or the read timeout (the reader
        // drops what comes meanwhile).
        if (reader.bufferFull && !spec.ssl) settle('eof');
      });
      s.on('end', () => {
        // A reset that came with the last data: libuv reports EOF (POLLHUP after a partial read) where
        // keepalived's next read() fails with ECONNRESET ("Read error with"). The kernel still holds the error.
        const fd = spec.ssl ? -1 : ((s as unknown as { _handle?: { fd?: number } })._handle?.fd ?? -1);
        settle(fd >= 0 && markLib().pendingSocketError(fd) !== 0 ? 'error' : 'eof');
      });
      s.on('close', () => settle('eof'));
      s.on('error', () => settle(reader.anyData ? 'error' : 'write-error'));
      s.write(request);
    });
    out.anyData = reader.anyData;
    out.header = reader.header;
    out.headerOverflow = reader.bufferFull;
    out.bodyBytes = reader.bodyBytes;
    out.hashedBytes = reader.hashedBytes;
    if (spec.keepBody) out.body = reader.bodySample();
    if (end === 'timeout') {
      // check_ssl.c reports every read timeout as "Timeout SSL read".
      if (spec.ssl) out.error = 'Timeout SSL read';
      else out.error = reader.anyData ? 'Timeout HTTP read' : 'Timeout WEB read';
    } else if (end === 'error' || end === 'write-error') {
      out.error = 'Read error with';
    }
    if (!out.error) out.digest = reader.digest();
    return out;
  } finally {
    sock?.destroy();
    out.totalMs = monoMs() - t0;
  }
}

/** The Host header keepalived uses: url, checker, real server, virtual server (already folded into o.virtualhost). */
export function effectiveVhost(o: HttpCheckOptions, url: HttpUrl): string | undefined {
  return url.virtualhost ?? o.virtualhost;
}

/** Check one URL once: keepalived's http_handle_response verdict. */
export async function httpUrlAttempt(o: HttpCheckOptions, url: HttpUrl): Promise<AttemptResult> {
  const vhost = effectiveVhost(o, url);
  const r = await fetchUrl({
    host: o.host,
    port: o.port,
    bindto: o.bindto,
    bindPort: o.bindPort,
    fwmark: o.fwmark,
    connectTimeoutMs: o.connectTimeoutMs,
    ssl: o.kind === 'ssl',
    sni: o.kind === 'ssl' && o.enableSni ? vhost : undefined,
    tls: o.kind === 'ssl' ? o.tls : undefined,
    path: url.path,
    protocol: o.httpProtocol,
    virtualhost: vhost,
    hash: url.digest !== undefined,
    keepBody: url.regex ? REGEX_BODY_LIMIT : 0,
  });
  const detail: Record<string, unknown> = {
    url: url.path,
    status: r.header?.statusCode,
    digest: r.digest,
    bodyBytes: r.bodyBytes,
    connectMs: r.connectMs,
    firstByteMs: r.firstByteMs,
  };
  if (r.error) {
    if (r.connectFailure === 'refused') return { ok: false, reason: `${url.path}: connection refused`, detail };
    return { ok: false, reason: `${url.path}: ${r.error}`, detail };
  }
  if (!r.header) {
    const why = r.headerOverflow ? ` (the response header does not end within keepalived's ${KEEPALIVED_READ_BUFFER}-byte read buffer)` : '';
    return { ok: false, reason: `${url.path}: Read, no data received${why}`, detail };
  }
  const code = r.header.statusCode;
  if (!statusAccepted(code, url.statusCodes)) {
    return {
      ok: false,
      reason: `${url.path}: HTTP status code error (got ${code}, expected ${formatStatusCodes(url.statusCodes)})`,
      detail,
    };
  }
  if (url.digest && r.digest !== url.digest) {
    return { ok: false, reason: `${url.path}: MD5 digest error (got ${r.digest}, expected ${url.digest})`, detail };
  }
  if (url.regex) {
    let v: ReturnType<typeof matchBody>;
    try {
      let c = compiled.get(url.regex);
      if (!c) {
        c = compileRegex(url.regex);
        compiled.set(url.regex, c);
      }
      // keepalived's subject: the header too when its read also held body bytes (anchored patterns see "HTTP/1.x").
      const body = r.body ?? Buffer.alloc(0);
      v = matchBody(c, r.header.bodyInHeaderRead ? Buffer.concat([r.header.raw, body]) : body);
    } catch (e) {
      if (!(e instanceof RegexError)) throw e;
      return { ok: false, reason: `${url.path}: ${e.message}`, detail };
    }
    detail.regexMatchAt = v.at;
    const what = `/${url.regex.pattern}/${url.regex.noMatch ? ' (regex_no_match)' : ''}`;
    if (!v.ok) {
      const found = v.at === undefined ? 'no match' : v.matched ? `matched at offset ${v.at}` : `first match at offset ${v.at}, beyond regex_max_offset ${url.regex.maxOffset}`;
      return { ok: false, reason: `${url.path}: Regex match failed (${what}: ${found})`, detail };
    }
    return { ok: true, reason: `${url.path}: Regex match success (${what}, status ${code})`, detail };
  }
  return {
    ok: true,
    reason: url.digest ? `${url.path}: MD5 digest success (status ${code})` : `${url.path}: HTTP status code success (${code})`,
    detail,
  };
}
