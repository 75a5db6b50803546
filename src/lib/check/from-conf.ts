/**
 * Mapping from the keepalived.conf model (src/lib/conf) to checker options:
 * which checkers keepalived would run for a real server, with keepalived's
 * inheritance (checker, then real_server, then virtual_server, then the
 * per-checker default) for connect_timeout, retry, delay_before_retry,
 * delay_loop and virtualhost. Pure.
 *
 * warmup is not applied: it only scatters keepalived's first checks at start-up.
 */
import { canonicalIp, formatHostPort, splitHostPort, WITH_ZONE } from '../addr';
import type { Checker, KeepalivedConfig, RealServer, SslDefs, TrackFile, VirtualServer } from '../conf/model';
import { scriptUserFor } from '../proc/user';
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_DELAY_LOOP_MS, defaultDelayBeforeRetryMs, defaultRetry } from './defaults';
import { parseDnsType } from './dns-codec';
import { parseHexStr } from './hexstr';
import { parseHttpProtocol } from './http-proto';
import { SMTP_DEFAULT_HELO } from './smtp-proto';
import type { CheckKind, CheckOptions, ConnOptions, HttpUrl } from './types';

export interface ConfChecker {
  vs: string;
  rs: string;
  /** keepalived's checker keyword (HTTP_GET, ...). */
  keyword: string;
  /** file:line of the checker block. */
  where: string;
  options?: CheckOptions;
  /** Why hactl cannot run this checker (BFD_CHECK, bad values). */
  skipped?: string;
  rsWeight: number;
  /** The configured checker and its real server (FILE_CHECK is run from these). */
  source: { checker: Checker; rs: RealServer };
}

const KINDS: Partial<Record<Checker['kind'], CheckKind>> = {
  HTTP_GET: 'http',
  SSL_GET: 'ssl',
  TCP_CHECK: 'tcp',
  SMTP_CHECK: 'smtp',
  MISC_CHECK: 'misc',
  DNS_CHECK: 'dns',
  UDP_CHECK: 'udp',
  PING_CHECK: 'ping',
};

export function vsLabel(vs: VirtualServer): string {
  if (vs.fwmark !== undefined) return `fwmark ${vs.fwmark}`;
  if (vs.group !== undefined) return `group ${vs.group}`;
  return formatHostPort(vs.address?.address ?? '?', vs.port);
}

export function rsLabel(rs: RealServer): string {
  return formatHostPort(rs.address.address, rs.port);
}

/** Does `spec` (ADDR:PORT, "fwmark N", "group NAME" or a group name) name this virtual server? */
export function matchesVs(vs: VirtualServer, spec: string): boolean {
  const s = spec.trim();
  const fm = /^fwmark\s+(\d+)$/i.exec(s);
  if (fm) return vs.fwmark === Number(fm[1]);
  const gm = /^group\s+(\S+)$/i.exec(s);
  if (gm) return vs.group === gm[1];
  if (vs.group !== undefined && vs.group === s) return true;
  const hp = splitHostPort(s);
  const a = hp && canonicalIp(hp.host, WITH_ZONE);
  return !!a && vs.address?.address === a && (hp.port === undefined || vs.port === Number(hp.port));
}

export function matchesRs(rs: RealServer, spec: string): boolean {
  const hp = splitHostPort(spec.trim());
  const a = hp && canonicalIp(hp.host, WITH_ZONE);
  return !!a && rs.address.address === a && (hp.port === undefined || rs.port === Number(hp.port));
}

const sec = (x: number | undefined) => (x === undefined ? undefined : Math.round(x * 1000));

function extraValue(c: Checker, keyword: string): string | undefined {
  const e = c.extra.filter((x) => x.keyword === keyword).at(-1);
  return e?.args[0];
}

/**
 * Options for one configured checker: checker value, else the real server's, else the virtual
 * server's, else the type's default (keepalived 2.2.7). `target` is the default connect address
 * and port (the real server as IPVS sees it; the LVS daemon passes the expanded group member).
 */
export function checkerOptions(
  vs: VirtualServer,
  rs: RealServer,
  c: Checker,
  target: { host: string; port: number } | undefined = undefined,
  /** The global `SSL { }` block (SSL_GET client certificate). */
  ssl?: SslDefs,
  /** global_defs script_user: who runs a MISC_CHECK without its own `user` (keepalived's default script user). */
  scriptUser?: { user: string; group?: string },
): CheckOptions {
  target ??= { host: rs.address.address, port: rs.port ?? vs.port ?? 0 };
  const kind = KINDS[c.kind];
  if (!kind) throw new Error(`${c.kind} is not a network checker; hactl does not run it`);
  const delayLoopMs = sec(c.delay_loop ?? rs.delay_loop ?? vs.delay_loop) ?? DEFAULT_DELAY_LOOP_MS;
  const retry = {
    retry: c.retry ?? rs.retry ?? vs.retry ?? defaultRetry(kind),
    delayBeforeRetryMs: sec(c.delay_before_retry ?? rs.delay_before_retry ?? vs.delay_before_retry) ?? defaultDelayBeforeRetryMs(kind, delayLoopMs),
    warmupMs: 0,
  };
  const conn = (x: Checker, parent?: ConnOptions): ConnOptions => ({
    host: x.connect_ip?.address ?? parent?.host ?? target.host,
    port: x.connect_port ?? parent?.port ?? target.port,
    bindto: x.bindto?.address ?? parent?.bindto,
    bindPort: x.bind_port ?? parent?.bindPort,
    fwmark: x.fwmark ?? parent?.fwmark,
    connectTimeoutMs: sec(x.connect_timeout) ?? parent?.connectTimeoutMs ?? sec(vs.connect_timeout) ?? DEFAULT_CONNECT_TIMEOUT_MS,
  });
  const co = conn(c);
  switch (kind) {
    case 'http':
    case 'ssl': {
      const urls: HttpUrl[] = c.url
        .filter((u) => u.path !== undefined)
        .map((u) => ({
          path: u.path!,
          digest: u.digest,
          statusCodes: u.status_code.length ? u.status_code.map((s) => [s.from, s.to] as const) : undefined,
          virtualhost: u.virtualhost,
          regex:
            u.regex !== undefined
              ? { pattern: u.regex, options: u.regex_options, noMatch: u.regex_no_match, minOffset: u.regex_min_offset, maxOffset: u.regex_max_offset }
              : undefined,
        }));
      const proto = parseHttpProtocol(c.http_protocol ?? '1.0') ?? '1.0';
      return {
        kind,
        ...co,
        ...retry,
        urls,
        httpProtocol: proto,
        virtualhost: c.virtualhost ?? rs.virtualhost ?? vs.virtualhost,
        enableSni: Boolean(c.enable_sni),
        tls:
          kind === 'ssl' && ssl && (ssl.certificate || ssl.key || ssl.ca || ssl.password !== undefined)
            ? { certificate: ssl.certificate, key: ssl.key, password: ssl.password, ca: ssl.ca }
            : undefined,
      };
    }
    case 'tcp':
      return { kind, ...co, ...retry };
    case 'smtp':
      return { kind, ...co, ...retry, heloName: c.helo_name ?? SMTP_DEFAULT_HELO, hosts: c.host.map((h) => conn(h, co)) };
    case 'dns': {
      const t = parseDnsType(c.type ?? 'SOA') ?? 'SOA';
      return { kind, ...co, ...retry, type: t, name: c.name ?? '.' };
    }
    case 'udp': {
      const rr = c.require_reply;
      const reply = typeof rr === 'string' ? parseHexStr(rr, true) : undefined;
      const minL = extraValue(c, 'min_reply_length');
      const maxL = extraValue(c, 'max_reply_length');
      return {
        kind,
        ...co,
        ...retry,
        payload: c.payload ? parseHexStr(c.payload, false).data : undefined,
        requireReply: rr !== undefined,
        replyData: reply?.data,
        replyMask: reply?.mask,
        minReplyLength: minL !== undefined ? Number(minL) : 0,
        maxReplyLength: maxL !== undefined ? Number(maxL) : 255,
      };
    }
    case 'ping':
      return { kind, host: co.host, bindto: co.bindto, fwmark: co.fwmark, connectTimeoutMs: co.connectTimeoutMs, ...retry };
    case 'misc': {
      if (!c.misc_path) throw new Error('MISC_CHECK without misc_path');
      const u = scriptUserFor(c, scriptUser);
      return {
        kind,
        ...retry,
        miscPath: c.misc_path.command,
        miscTimeoutMs: sec(c.misc_timeout) ?? delayLoopMs,
        miscDynamic: c.misc_dynamic,
        user: u?.user,
        group: u?.group,
        rsWeight: rs.weight ?? 1,
      };
    }
  }
}

export interface RsSelection {
  matches: ConfChecker[];
  /** Real servers that matched (label list), to report "no checker" cases. */
  servers: Array<{ vs: string; rs: string; weight: number }>;
}

/** Every checker keepalived would run for the real server(s) matching rsSpec (and vsSpec). */
export function checkersFor(model: KeepalivedConfig, rsSpec: string, vsSpec?: string): RsSelection {
  const out: RsSelection = { matches: [], servers: [] };
  for (const vs of model.virtual_servers) {
    if (vsSpec !== undefined && !matchesVs(vs, vsSpec)) continue;
    for (const rs of vs.real_servers) {
      if (!matchesRs(rs, rsSpec)) continue;
      const v = vsLabel(vs);
      const r = rsLabel(rs);
      out.servers.push({ vs: v, rs: r, weight: rs.weight ?? 1 });
      for (const c of rs.checkers) {
        const where = `${c.pos.file}:${c.pos.line}`;
        const entry: ConfChecker = { vs: v, rs: r, keyword: c.kind, where, rsWeight: rs.weight ?? 1, source: { checker: c, rs } };
        if (c.kind === 'FILE_CHECK') {
          out.matches.push(entry);
          continue;
        }
        try {
          entry.options = checkerOptions(vs, rs, c, undefined, model.ssl, model.global_defs.script_user);
        } catch (e) {
          entry.skipped = e instanceof Error ? e.message : String(e);
        }
        out.matches.push(entry);
      }
    }
  }
  return out;
}

/** What a FILE_CHECK CheckerSpec's `options` holds (keepalived 2.2.7 check_file.c). */
export interface FileCheckOptions {
  kind: 'file';
  /** track_file name and its `file` path. */
  trackFile: string;
  path: string;
  /** FILE_CHECK weight, or the track_file's when the checker's is unset or 0 (file_end_handler). */
  weight: number;
  reverse: boolean;
  /** The real server's configured weight, base of the adjustment. */
  rsWeight: number;
}

/**
 * A FILE_CHECK's options (keepalived 2.2.7 check_file.c file_end_handler: an unset or 0
 * checker weight takes the track_file's weight, default 1, and its reverse), or why it
 * cannot run. Shared by the LVS daemon and `hactl check config`.
 */
export function fileCheckOptions(c: Checker, rs: RealServer, trackFiles: readonly TrackFile[]): FileCheckOptions | string {
  const tf = trackFiles.find((t) => t.name === c.track_file);
  if (!c.track_file || !tf?.file) return `FILE_CHECK has no usable track_file${c.track_file ? ` (${c.track_file} is not defined or has no file)` : ''}`;
  const own = c.weight !== undefined && c.weight !== 0;
  return {
    kind: 'file',
    trackFile: tf.name,
    path: tf.file,
    weight: own ? (c.weight as number) : (tf.weight ?? 1),
    reverse: own ? (c.weight_reverse ?? false) : tf.weight_reverse,
    rsWeight: rs.weight ?? 1,
  };
}
