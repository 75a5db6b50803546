/**
 * Pure HTTP parts of HTTP_GET/SSL_GET and genhash, byte-compatible with
 * keepalived 2.2.7 (check_http.c, html.c). keepalived's genhash and its
 * checker read a response with the same code, and so do hactl's (one reader,
 * HttpResponseReader, used by check/http.ts for both):
 *  - the request is keepalived's fixed template (User-Agent: KeepAliveClient);
 *  - reads go into a 4096-byte buffer (MAX_BUFFER_LENGTH, one byte kept for a
 *    NUL): the header must end (CRLFCRLF; a bare LF LF is not an end) within
 *    the first 4095 bytes. When the buffer fills first, keepalived's next read
 *    asks for 0 bytes, gets 0 and takes it as EOF: "no data received", no
 *    digest, at once (it does not wait for the peer to close). Over TLS an
 *    SSL_read() of 0 bytes is not EOF: keepalived waits for the close ("no
 *    data received") or the read timeout ("Timeout SSL read");
 *  - status code and Content-Length are read from that buffer as it is when
 *    the header completes (at most 4095 bytes: the header and whatever body
 *    came with it): Content-Length by strstr() (case-sensitive, anywhere, up
 *    to the first NUL byte) and strtoul() (see extractContentLength);
 *  - the body is hashed raw (no chunked decoding, redirects not followed), up
 *    to Content-Length; reading goes on until EOF, a read error or the read
 *    timeout, whatever Content-Length says.
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

/** keepalived's read buffer: MAX_BUFFER_LENGTH (4096) less the byte for the terminating NUL. */
export const KEEPALIVED_READ_BUFFER = 4095;

const isSpace = (c: number) => c === 0x20 || (c >= 0x09 && c <= 0x0d);
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

/**
 * html.c extract_status_code: after the first space of the status line (a CR
 * before it: 0), exactly three characters that strtoul reads whole, followed by
 * a space; 0 otherwise. So "HTTP/1.0 200\r\n" (no reason phrase) is 0, which
 * no status_code accepts. Only "DDD " can give 100-599: any other form is
 * returned as 0.
 */
export function extractStatusCode(buf: Buffer): number {
  let i = 0;
  while (i < buf.length && buf[i] !== 0x20 && buf[i] !== 0x0d) i++;
  if (i >= buf.length || buf[i] !== 0x20) return 0;
  i++;
  if (i + 3 >= buf.length || buf[i] === 0x20 || buf[i + 3] !== 0x20) return 0;
  if (!isDigit(buf[i]) || !isDigit(buf[i + 1]) || !isDigit(buf[i + 2])) return 0;
  return (buf[i] - 0x30) * 100 + (buf[i + 1] - 0x30) * 10 + (buf[i + 2] - 0x30);
}

const ULONG_MAX = (1n << 64n) - 1n;

/**
 * html.c extract_content_length: strstr(buffer, "Content-Length:") on the
 * NUL-terminated buffer (case-sensitive, anywhere, and not past a NUL byte),
 * then strtoul() of what follows: any white space (CR and LF too) skipped, an
 * optional sign, decimal digits. The character after the digits must be CR,
 * LF or the end of the data. No digits at all: strtoul gives 0 and points back
 * at the byte after the colon, so "Content-Length:" directly followed by CR/LF
 * means 0. A negative value wraps (2^64 - n), an overflow is ULONG_MAX; that
 * (SIZE_MAX) means "no Content-Length". Undefined = no limit: the body runs to
 * EOF.
 */
export function extractContentLength(data: Buffer): number | undefined {
  const nul = data.indexOf(0);
  const hay = nul < 0 ? data : data.subarray(0, nul);
  const at = hay.indexOf('Content-Length:', 0, 'latin1');
  if (at < 0) return undefined;
  const p = at + 'Content-Length:'.length;
  const endOk = (i: number) => i >= hay.length || hay[i] === 0x0d || hay[i] === 0x0a;
  let i = p;
  while (i < hay.length && isSpace(hay[i])) i++;
  let neg = false;
  if (i < hay.length && (hay[i] === 0x2b || hay[i] === 0x2d)) {
    neg = hay[i] === 0x2d;
    i++;
  }
  const start = i;
  while (i < hay.length && isDigit(hay[i])) i++;
  if (i === start) return endOk(p) ? 0 : undefined;
  if (!endOk(i)) return undefined;
  let v = BigInt(hay.subarray(start, i).toString('latin1'));
  if (v > ULONG_MAX) v = ULONG_MAX;
  else if (neg && v !== 0n) v = (1n << 64n) - v;
  if (v === ULONG_MAX) return undefined;
  return Number(v);
}

export interface HttpHeaderInfo {
  /** Raw header bytes including the final CRLFCRLF. */
  raw: Buffer;
  statusCode: number;
  statusLine: string;
  headers: Array<[string, string]>;
  contentLength?: number;
  /**
   * The read that completed the header also held body bytes. keepalived's url
   * regex then runs over that whole read buffer, header included
   * (http_process_response); otherwise it skips that read and sees the body only.
   */
  bodyInHeaderRead?: boolean;
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
 * call digest() at EOF. Hashes what keepalived hashes (MD5 of the body,
 * truncated at Content-Length). Bounded memory: only keepalived's read buffer
 * (the header) and optionally a small body sample are kept.
 */
export class HttpResponseReader {
  header?: HttpHeaderInfo;
  /** Body bytes received (all of them, as keepalived's rx_bytes). */
  bodyBytes = 0;
  /** Body bytes that went into the digest. */
  hashedBytes = 0;
  /** Any byte at all received. */
  anyData = false;
  /**
   * KEEPALIVED_READ_BUFFER bytes came without the end of the header: keepalived
   * stops reading here (its next read is of 0 bytes, taken as EOF), so the
   * caller must stop too; the outcome is "no data received".
   */
  bufferFull = false;
  private pending: Buffer = Buffer.alloc(0);
  private md5: Hash = createHash('md5');
  private sample: Buffer[] = [];
  private sampleLen = 0;

  constructor(
    private readonly keepBodySample = 0,
    /** keepalived only hashes when a digest is configured (genhash always does). */
    private readonly hash = true,
  ) {}

  push(chunk: Buffer): void {
    if (chunk.length === 0 || this.bufferFull) return;
    this.anyData = true;
    if (this.header) {
      this.body(chunk);
      return;
    }
    // keepalived reads at most what is left of its buffer; the rest of this chunk is its next read.
    const room = KEEPALIVED_READ_BUFFER - this.pending.length;
    const buf = Buffer.concat([this.pending, chunk.subarray(0, room)]);
    const rest = chunk.subarray(room);
    const end = buf.indexOf('\r\n\r\n', 0, 'latin1');
    if (end < 0) {
      this.pending = buf;
      if (buf.length >= KEEPALIVED_READ_BUFFER) this.bufferFull = true;
      return;
    }
    const raw = buf.subarray(0, end + 4);
    const { statusLine, headers } = parseHeaderLines(raw);
    this.header = {
      raw: Buffer.from(raw),
      statusCode: extractStatusCode(buf),
      statusLine,
      headers,
      contentLength: extractContentLength(buf),
      bodyInHeaderRead: buf.length > end + 4,
    };
    this.pending = Buffer.alloc(0);
    this.body(buf.subarray(end + 4));
    this.body(rest);
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
