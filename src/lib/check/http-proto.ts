/**
 * Pure HTTP parts of HTTP_GET/SSL_GET and genhash, byte-compatible with
 * keepalived 2.2.7 (check_http.c, html.c):
 *  - the request is keepalived's fixed template (User-Agent: KeepAliveClient);
 *  - the response header ends at the first CRLFCRLF (a bare LF LF is not an end:
 *    such a response counts as "no data received");
 *  - the body is hashed raw (no chunked decoding, redirects not followed);
 *  - a `Content-Length:` value (case-sensitive substring match in the data
 *    received with the header, first occurrence, digits followed by CR/LF)
 *    truncates what is hashed; otherwise the body runs until the peer closes.
 */
import { createHash, type Hash } from 'node:crypto';
import { formatHostPort } from '../addr';
import type { HttpProtocol, StatusCodeSet } from './types';

export const USER_AGENT = 'KeepAliveClient';

export interface HttpRequestSpec {
  path: string;
  protocol: HttpProtocol;
  /** Host header value without port (a virtualhost); undefined = address:port. */
  virtualhost?: string;
  /** Connected address and port (used when there is no virtualhost). */
  host: string;
  port: number;
}

/** The exact request bytes keepalived sends. */
export function buildHttpRequest(spec: HttpRequestSpec): Buffer {
  const minor = spec.protocol === '1.1' ? 1 : 0;
  const close = spec.protocol === '1.0C' || spec.protocol === '1.1' ? 'Connection: close\r\n' : '';
  let hostHeader: string;
  if (spec.virtualhost !== undefined) hostHeader = spec.virtualhost;
  else hostHeader = formatHostPort(spec.host, spec.port);
  return Buffer.from(
    `GET ${spec.path} HTTP/1.${minor}\r\nUser-Agent: ${USER_AGENT}\r\n${close}Host: ${hostHeader}\r\n\r\n`,
    'latin1',
  );
}

/** Parse `http_protocol` / genhash -P values. */
export function parseHttpProtocol(s: string): HttpProtocol | undefined {
  if (s === '1.0') return '1.0';
  if (s === '1.1') return '1.1';
  if (s === '1.0c' || s === '1.0C') return '1.0C';
  return undefined;
}

export const HTTP_STATUS_MIN = 100;
export const HTTP_STATUS_MAX = 599;
export const DEFAULT_STATUS_CODES: StatusCodeSet = [[200, 299]];

/**
 * Parse `status_code` tokens ("200", "200-299", "503"), as keepalived's
 * status_code_handler. Throws on an invalid token (keepalived logs and skips it;
 * hactl reports it precisely instead).
 */
export function parseStatusCodes(tokens: string[]): StatusCodeSet {
  const out: Array<[number, number]> = [];
  for (const tok of tokens) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(tok);
    const min = m ? Number(m[1]) : Number.NaN;
    const max = m ? (m[2] !== undefined ? Number(m[2]) : min) : Number.NaN;
    if (!m || min < HTTP_STATUS_MIN || max > HTTP_STATUS_MAX || min > max) {
      throw new Error(`invalid HTTP status code '${tok}' (expected N or N-M with 100 <= N <= M <= 599)`);
    }
    out.push([min, max]);
  }
  return out;
}

export function statusAccepted(code: number, set: StatusCodeSet | undefined): boolean {
  const s = set && set.length > 0 ? set : DEFAULT_STATUS_CODES;
  if (code < HTTP_STATUS_MIN || code > HTTP_STATUS_MAX) return false;
  return s.some(([a, b]) => code >= a && code <= b);
}

export function formatStatusCodes(set: StatusCodeSet | undefined): string {
  const s = set && set.length > 0 ? set : DEFAULT_STATUS_CODES;
  return s.map(([a, b]) => (a === b ? String(a) : `${a}-${b}`)).join(' ');
}

/** Validate a `digest` value: 32 hex digits, returned lower-case. */
export function parseDigest(s: string): string {
  if (!/^[0-9a-fA-F]{32}$/.test(s)) {
    throw new Error(`invalid digest '${s}': expected 32 hexadecimal digits (an MD5 from genhash)`);
  }
  return s.toLowerCase();
}

/** html.c extract_status_code: the number after the first space of the status line; 0 if none. */
export function extractStatusCode(header: Buffer): number {
  const lineEnd = header.indexOf('\r\n');
  const line = header.subarray(0, lineEnd < 0 ? header.length : lineEnd).toString('latin1');
  const sp = line.indexOf(' ');
  if (sp < 0) return 0;
  const m = /^\s*(\d+)/.exec(line.slice(sp + 1));
  return m ? Number(m[1]) : 0;
}

/**
 * html.c extract_content_length: first "Content-Length:" (case-sensitive,
 * anywhere in `data`), optional blanks, digits, then CR or LF. Undefined when
 * absent or malformed (then the body runs to EOF).
 */
export function extractContentLength(data: Buffer): number | undefined {
  const at = data.indexOf('Content-Length:', 0, 'latin1');
  if (at < 0) return undefined;
  let i = at + 'Content-Length:'.length;
  while (i < data.length && (data[i] === 0x20 || data[i] === 0x09)) i++;
  const start = i;
  while (i < data.length && data[i] >= 0x30 && data[i] <= 0x39) i++;
  if (i === start) return undefined;
  if (i < data.length && data[i] !== 0x0d && data[i] !== 0x0a) return undefined;
  const n = Number(data.subarray(start, i).toString('latin1'));
  return Number.isSafeInteger(n) ? n : undefined;
}

export interface HttpHeaderInfo {
  /** Raw header bytes including the final CRLFCRLF. */
  raw: Buffer;
  statusCode: number;
  statusLine: string;
  headers: Array<[string, string]>;
  contentLength?: number;
}

function parseHeaderLines(raw: Buffer): { statusLine: string; headers: Array<[string, string]> } {
  const text = raw.toString('latin1').replace(/\r\n\r\n$/, '');
  const lines = text.split(/\r?\n/);
  const statusLine = lines.shift() ?? '';
  const headers: Array<[string, string]> = [];
  for (const l of lines) {
    const c = l.indexOf(':');
    if (c > 0) headers.push([l.slice(0, c).trim(), l.slice(c + 1).trim()]);
  }
  return { statusLine, headers };
}

/**
 * Streaming response reader: feed it every chunk read from the socket, then
 * call finish() at EOF. Hashes what keepalived hashes (MD5 of the body,
 * truncated at Content-Length). Bounded memory: only the header (up to
 * maxHeaderBytes) and optionally a small body sample are kept.
 */
export class HttpResponseReader {
  header?: HttpHeaderInfo;
  /** Body bytes received (all of them, as keepalived's rx_bytes). */
  bodyBytes = 0;
  /** Body bytes that went into the digest. */
  hashedBytes = 0;
  /** Any byte at all received. */
  anyData = false;
  private pending: Buffer[] = [];
  private pendingLen = 0;
  private md5: Hash = createHash('md5');
  private sample: Buffer[] = [];
  private sampleLen = 0;
  headerTooLarge = false;

  constructor(
    private readonly maxHeaderBytes = 1 << 20,
    private readonly keepBodySample = 0,
    /** keepalived only hashes when a digest is configured (genhash always does). */
    private readonly hash = true,
  ) {}

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.anyData = true;
    if (this.header) {
      this.body(chunk);
      return;
    }
    this.pending.push(chunk);
    this.pendingLen += chunk.length;
    const buf = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingLen);
    this.pending = [buf];
    const end = buf.indexOf('\r\n\r\n', 0, 'latin1');
    if (end < 0) {
      if (this.pendingLen > this.maxHeaderBytes) this.headerTooLarge = true;
      return;
    }
    const raw = buf.subarray(0, end + 4);
    const { statusLine, headers } = parseHeaderLines(raw);
    this.header = {
      raw: Buffer.from(raw),
      statusCode: extractStatusCode(raw),
      statusLine,
      headers,
      contentLength: extractContentLength(buf),
    };
    this.pending = [];
    this.pendingLen = 0;
    this.body(buf.subarray(end + 4));
  }

  private body(chunk: Buffer): void {
    if (chunk.length === 0) return;
    const cl = this.header?.contentLength;
    let take = chunk.length;
    if (cl !== undefined) take = Math.max(0, Math.min(chunk.length, cl - this.bodyBytes));
    if (take > 0) {
      const part = take === chunk.length ? chunk : chunk.subarray(0, take);
      if (this.hash) this.md5.update(part);
      this.hashedBytes += take;
      if (this.sampleLen < this.keepBodySample) {
        const s = part.subarray(0, this.keepBodySample - this.sampleLen);
        this.sample.push(Buffer.from(s));
        this.sampleLen += s.length;
      }
    }
    this.bodyBytes += chunk.length;
  }

  /** MD5 hex of the hashed body (call once, at EOF). Undefined if no header was found or hashing is off. */
  digest(): string | undefined {
    if (!this.header || !this.hash) return undefined;
    return this.md5.digest('hex');
  }

  bodySample(): Buffer {
    return Buffer.concat(this.sample, this.sampleLen);
  }
}
