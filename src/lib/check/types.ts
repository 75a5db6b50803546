import type { RegexSpec } from '../pcre/pcre';
/**
 * Options and results of hactl's health checkers. These types are hactl's own
 * (not the keepalived.conf model): src/lib/check/from-conf.ts maps the
 * configuration engine's checker blocks onto them.
 *
 * Times are in milliseconds everywhere in this module.
 */

export type CheckKind = 'http' | 'ssl' | 'tcp' | 'smtp' | 'misc' | 'dns' | 'udp' | 'ping';

/** keepalived's per-checker connection options (conn_opts_t). */
export interface ConnOptions {
  /** Address to connect to (connect_ip, default: the real server address). */
  host: string;
  /** Port to connect to (connect_port, default: the real server port). */
  port: number;
  /** Source address (bindto). */
  bindto?: string;
  /** Source port (bind_port). */
  bindPort?: number;
  /**
   * SO_MARK for outgoing packets (fwmark), set through the native addon
   * (native/packet, see ./mark.ts); needs CAP_NET_ADMIN, else the attempt fails
   * with "fwmark needs root (CAP_NET_ADMIN)" rather than sending unmarked packets.
   */
  fwmark?: number;
  /** connect_timeout: every connect/read/write waits at most this long (default 5 s). */
  connectTimeoutMs: number;
}

/** Retry policy shared by every checker. */
export interface RetryOptions {
  /** Extra attempts after a failure (retry / nb_get_retry). */
  retry: number;
  /** Pause between attempts (delay_before_retry). */
  delayBeforeRetryMs: number;
  /** Random delay in [0, warmup] before the first attempt (0 = none). */
  warmupMs: number;
}

export type HttpProtocol = '1.0' | '1.0C' | '1.1';

export interface HttpUrl {
  path: string;
  /** Expected MD5 of the body, lower-case hex (32 chars). */
  digest?: string;
  /** Accepted status codes; default 200-299. */
  statusCodes?: StatusCodeSet;
  /** Host header for this URL (overrides the checker's). */
  virtualhost?: string;
  /** regex / regex_options / regex_no_match / regex_min_offset / regex_max_offset (checked after the digest). */
  regex?: RegexSpec;
}

/** A set of HTTP status codes 100..599 (keepalived's status_code bit array). */
export type StatusCodeSet = ReadonlyArray<readonly [number, number]>;

export interface HttpCheckOptions extends ConnOptions, RetryOptions {
  kind: 'http' | 'ssl';
  urls: HttpUrl[];
  httpProtocol: HttpProtocol;
  /** Checker-level virtualhost (then real server's, then virtual server's). */
  virtualhost?: string;
  /** SSL_GET: send SNI (the virtualhost) in the TLS handshake. */
  enableSni: boolean;
  /** SSL_GET: the global `SSL { }` block (client certificate chain, key, key password, CA file). */
  tls?: TlsClientFiles;
}

/**
 * keepalived's `SSL { certificate key password ca }`: file paths. As keepalived, the
 * client certificate is presented when the server asks; the CA file is loaded but the
 * server's certificate is not verified (check_ssl.c sets no verify mode).
 */
export interface TlsClientFiles {
  certificate?: string;
  key?: string;
  password?: string;
  ca?: string;
}

export interface TcpCheckOptions extends ConnOptions, RetryOptions {
  kind: 'tcp';
}

export interface SmtpHost extends ConnOptions {}

export interface SmtpCheckOptions extends ConnOptions, RetryOptions {
  kind: 'smtp';
  heloName: string;
  /** Deprecated `host {}` blocks: every host must pass, in order. Empty = the checker's own address. */
  hosts: SmtpHost[];
}

export interface MiscCheckOptions extends RetryOptions {
  kind: 'misc';
  /** misc_path: command line, split like keepalived (quotes allowed). */
  miscPath: string;
  /** misc_timeout (default: delay_loop). */
  miscTimeoutMs: number;
  miscDynamic: boolean;
  /** Run as this user (and group). Needs root. */
  user?: string;
  group?: string;
  /** The real server's configured weight (only used to report the dynamic weight). */
  rsWeight?: number;
}

export type DnsType = 'A' | 'NS' | 'CNAME' | 'SOA' | 'MX' | 'TXT' | 'AAAA';

export interface DnsCheckOptions extends ConnOptions, RetryOptions {
  kind: 'dns';
  type: DnsType;
  name: string;
}

export interface UdpCheckOptions extends ConnOptions, RetryOptions {
  kind: 'udp';
  /** Bytes sent; undefined = random payload. */
  payload?: Buffer;
  requireReply: boolean;
  /** Expected reply bytes and their "don't care" mask (X nibbles). */
  replyData?: Buffer;
  replyMask?: Buffer;
  minReplyLength: number;
  maxReplyLength: number;
}

export interface PingCheckOptions extends RetryOptions {
  kind: 'ping';
  host: string;
  bindto?: string;
  fwmark?: number;
  connectTimeoutMs: number;
}

export type CheckOptions =
  | HttpCheckOptions
  | TcpCheckOptions
  | SmtpCheckOptions
  | MiscCheckOptions
  | DnsCheckOptions
  | UdpCheckOptions
  | PingCheckOptions;

/** Result of one attempt. */
export interface AttemptResult {
  ok: boolean;
  /** Why it failed (keepalived's wording where it has one), or what succeeded. */
  reason: string;
  /** misc_dynamic: the weight keepalived would set (exit status - 2). */
  weight?: number;
  /** Per-checker details (HTTP status, digest, DNS rcode, ...). */
  detail?: Record<string, unknown>;
}

export interface AttemptRecord extends AttemptResult {
  /** Attempt start relative to the check start. */
  startMs: number;
  durationMs: number;
}

/** Result of running a checker once (with its retries). */
export interface CheckResult {
  /** 'file': a FILE_CHECK read by `hactl check config` */
  kind: CheckKind | 'file';
  target: string;
  up: boolean;
  reason: string;
  weight?: number;
  /** Whole run, including warmup and delays between retries. */
  totalMs: number;
  attempts: AttemptRecord[];
  detail?: Record<string, unknown>;
}

/** Injectable clock: tests drive retries and timeouts without real waiting. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/**
 * Monotonic milliseconds (for differences only): process.hrtime, because the global
 * `performance` loads node's 11 perf_hooks modules on first use (start-up of one-shot checks,
 * issue 11).
 */
export const monoMs = (): number => Number(process.hrtime.bigint()) / 1e6;

export const realClock: Clock = {
  now: monoMs,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
