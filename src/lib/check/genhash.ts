/**
 * genhash: fetch one URL the way keepalived's HTTP_GET/SSL_GET does and
 * report the MD5 of the body, with keepalived genhash's output by default.
 *
 * keepalived's genhash prints, on stdout, the digest line, or one of its
 * failure messages ("Connection failed", "Timeout connecting", "Timeout WEB
 * read", "Timeout HTTP read", "Timeout SSL read", "Read error with", ...), or on
 * stderr "no data received from remote webserver"; and always exits 0. hactl
 * prints the same lines but exits 1 whenever no digest was computed.
 */
import { lookup } from 'node:dns/promises';
import { ipFamily, WITH_ZONE } from '../addr';
import { type FetchOutcome, fetchUrl } from './http';
import { KEEPALIVED_READ_BUFFER } from './http-proto';
import type { HttpProtocol } from './types';

export interface GenhashOptions {
  server: string;
  port: number;
  url: string;
  ssl: boolean;
  sni: boolean;
  virtualhost?: string;
  protocol: HttpProtocol;
  timeoutMs: number;
  fwmark?: number;
  /** Body bytes to keep for the verbose dump. */
  keepBody?: number;
}

export interface GenhashReport {
  server: string;
  address: string;
  port: number;
  url: string;
  ssl: boolean;
  sni?: string;
  request: string;
  digest?: string;
  /** keepalived genhash's line for this outcome (stdout unless onStderr). */
  line: string;
  onStderr: boolean;
  status?: number;
  statusLine?: string;
  headers?: Array<[string, string]>;
  contentLength?: number;
  bodyBytes: number;
  hashedBytes: number;
  body?: Buffer;
  error?: string;
  timeMs: { connect?: number; firstByte?: number; total: number };
}

const OVERFLOW_NOTE = ` (the response header does not end within the first ${KEEPALIVED_READ_BUFFER} bytes, keepalived's read buffer)`;

/** genhash's wording for an outcome. */
export function genhashLine(r: FetchOutcome): { line: string; onStderr: boolean } {
  if (r.digest !== undefined) return { line: r.digest, onStderr: false };
  if (r.error) {
    if (r.connectFailure === 'refused') return { line: 'Connection failed', onStderr: false };
    if (r.connectFailure === 'timeout') return { line: 'Timeout connecting', onStderr: false };
    // A TLS-level failure is keepalived's "SSL handshake/communication error"; a socket error
    // during the handshake (reset, EOF) is its "Connection failed" (which one keepalived prints
    // for a peer that answers a ClientHello with plain text depends on timing).
    if (r.connectFailure === 'error' && r.error.startsWith('SSL') && !/ECONNRESET|EPIPE|socket disconnected|socket hang up/i.test(r.error)) {
      return { line: 'SSL handshake/communication error connecting to', onStderr: false };
    }
    if (r.connectFailure === 'error') return { line: 'Connection failed', onStderr: false };
    return { line: r.error, onStderr: false };
  }
  return { line: 'no data received from remote webserver', onStderr: true };
}

export async function resolveServer(server: string): Promise<string> {
  if (ipFamily(server, WITH_ZONE)) return server;
  const a = await lookup(server);
  return a.address;
}

export async function genhash(o: GenhashOptions): Promise<GenhashReport> {
  const address = await resolveServer(o.server);
  const r = await fetchUrl({
    host: address,
    port: o.port,
    fwmark: o.fwmark,
    connectTimeoutMs: o.timeoutMs,
    ssl: o.ssl,
    sni: o.ssl && o.sni ? o.virtualhost : undefined,
    path: o.url,
    protocol: o.protocol,
    virtualhost: o.virtualhost,
    keepBody: o.keepBody,
  });
  const { line, onStderr } = genhashLine(r);
  return {
    server: o.server,
    address,
    port: o.port,
    url: o.url,
    ssl: o.ssl,
    sni: o.ssl && o.sni ? o.virtualhost : undefined,
    request: r.request.toString('latin1'),
    digest: r.digest,
    line,
    onStderr,
    status: r.header?.statusCode,
    statusLine: r.header?.statusLine,
    headers: r.header?.headers,
    contentLength: r.header?.contentLength,
    bodyBytes: r.bodyBytes,
    hashedBytes: r.hashedBytes,
    body: r.body,
    error: r.digest === undefined ? (r.error ?? `no data received from remote webserver${r.headerOverflow ? OVERFLOW_NOTE : ''}`) : undefined,
    timeMs: { connect: r.connectMs, firstByte: r.firstByteMs, total: r.totalMs },
  };
}

export function genhashJson(r: GenhashReport): Record<string, unknown> {
  return {
    server: r.server,
    address: r.address,
    port: r.port,
    url: r.url,
    ssl: r.ssl,
    sni: r.sni ?? null,
    request: r.request,
    status: r.status ?? null,
    statusLine: r.statusLine ?? null,
    headers: r.headers ? Object.fromEntries(groupHeaders(r.headers)) : null,
    contentLength: r.contentLength ?? null,
    bodyBytes: r.bodyBytes,
    hashedBytes: r.hashedBytes,
    digest: r.digest ?? null,
    error: r.error ?? null,
    time: {
      connectMs: round(r.timeMs.connect),
      firstByteMs: round(r.timeMs.firstByte),
      totalMs: round(r.timeMs.total),
    },
  };
}

function groupHeaders(h: Array<[string, string]>): Array<[string, string]> {
  const m = new Map<string, string>();
  for (const [k, v] of h) {
    const key = k.toLowerCase();
    m.set(key, m.has(key) ? `${m.get(key)}, ${v}` : v);
  }
  return [...m.entries()];
}

function round(x: number | undefined): number | null {
  return x === undefined ? null : Math.round(x * 1000) / 1000;
}

function printable(b: Buffer): string {
  return b.toString('latin1').replace(/[^\x09\x0a\x20-\x7e]/g, '.');
}

/** Readable verbose dump (hactl's own format, not keepalived's hex dump); ends with genhash's line. */
export function genhashVerbose(r: GenhashReport, bodyLimit: number): string {
  const out: string[] = [];
  const ms = (x?: number) => (x === undefined ? '-' : `${x.toFixed(1)} ms`);
  out.push(`== Request to ${r.address}:${r.port}${r.ssl ? ` (TLS${r.sni ? `, SNI ${r.sni}` : ''})` : ''}`);
  for (const l of r.request.split('\r\n').filter((x) => x.length > 0)) out.push(`> ${l}`);
  if (r.statusLine !== undefined) {
    out.push('== Response header');
    out.push(`< ${r.statusLine}`);
    for (const [k, v] of r.headers ?? []) out.push(`< ${k}: ${v}`);
    out.push('== Body');
    const cl = r.contentLength !== undefined ? `, Content-Length ${r.contentLength}` : '';
    out.push(`${r.bodyBytes} bytes received, ${r.hashedBytes} hashed${cl}`);
    if (r.body && r.body.length > 0) {
      out.push(printable(r.body.subarray(0, bodyLimit)).replace(/\n?$/, ''));
      if (r.hashedBytes > bodyLimit) out.push(`[... ${r.hashedBytes - bodyLimit} more bytes]`);
    }
  }
  out.push('== Timing');
  out.push(`connect ${ms(r.timeMs.connect)}, first byte ${ms(r.timeMs.firstByte)}, total ${ms(r.timeMs.total)}`);
  out.push(r.digest ? '== MD5 digest' : '== Result');
  if (r.error && r.error !== r.line) out.push(r.error);
  out.push(r.line);
  return `${out.join('\n')}\n`;
}
