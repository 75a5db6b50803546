/**
 * The real CheckerPort: keepalived.conf checker blocks (as from-config.ts
 * carries them) -> src/lib/check options, run with runCheck. The defaults
 * follow keepalived 2.2.7 (checker value, else real server's, else virtual
 * server's, else the checker type's default). The first-run warmup is done by
 * the reconciler's scheduling, so the options carry warmupMs 0.
 */
import { DEFAULT_CONNECT_TIMEOUT_MS, defaultDelayBeforeRetryMs, defaultRetry } from '../check/defaults';
import { parseDnsType } from '../check/dns-codec';
import { parseHexStr } from '../check/hexstr';
import { parseHttpProtocol } from '../check/http-proto';
import { runCheck } from '../check/index';
import type { CheckKind, CheckOptions, ConnOptions, HttpUrl, RetryOptions, SmtpHost } from '../check/types';
import type * as M from '../conf/model';
import type { ConfCheckerOptions } from './from-config';
import type { CheckerPort } from './reconciler';
import type { CheckOutcome, CheckerSpec } from './types';

const KIND: Partial<Record<M.CheckerKind, CheckKind>> = {
  HTTP_GET: 'http',
  SSL_GET: 'ssl',
  TCP_CHECK: 'tcp',
  SMTP_CHECK: 'smtp',
  MISC_CHECK: 'misc',
  DNS_CHECK: 'dns',
  UDP_CHECK: 'udp',
  PING_CHECK: 'ping',
};

const sec = (s: number | undefined): number | undefined => (s === undefined ? undefined : Math.round(s * 1000));

/** Map one configured checker to the check library's options. Throws with a precise message on a bad value. */
export function checkOptionsFor(spec: CheckerSpec): CheckOptions {
  const o = spec.options as ConfCheckerOptions;
  const { checker: c, rs, vs } = o;
  const kind = KIND[c.kind];
  if (!kind) throw new Error(`${c.kind} is not supported`);
  const retry: RetryOptions = {
    retry: c.retry ?? rs.retry ?? vs.retry ?? defaultRetry(kind),
    delayBeforeRetryMs: sec(c.delay_before_retry ?? rs.delay_before_retry ?? vs.delay_before_retry) ?? defaultDelayBeforeRetryMs(kind, spec.delayLoopMs),
    warmupMs: 0,
  };
  const connectTimeoutMs = sec(c.connect_timeout ?? vs.connect_timeout) ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const conn = (x: M.Checker, defHost: string, defPort: number): ConnOptions => ({
    host: x.connect_ip?.address ?? defHost,
    port: x.connect_port ?? defPort,
    bindto: x.bindto?.address,
    bindPort: x.bind_port,
    fwmark: x.fwmark,
    connectTimeoutMs: sec(x.connect_timeout) ?? connectTimeoutMs,
  });
  const base = conn(c, o.addr, o.port);
  switch (kind) {
    case 'http':
    case 'ssl': {
      const urls: HttpUrl[] = c.url.map((u) => ({
        path: u.path ?? '/',
        digest: u.digest?.toLowerCase(),
        statusCodes: u.status_code.length ? u.status_code.map((s) => [s.from, s.to] as const) : undefined,
        virtualhost: u.virtualhost,
      }));
      const proto = c.http_protocol ? parseHttpProtocol(c.http_protocol) : '1.0';
      if (!proto) throw new Error(`http_protocol ${c.http_protocol} is not 1.0, 1.0C or 1.1`);
      return {
        kind,
        ...base,
        ...retry,
        urls,
        httpProtocol: proto,
        virtualhost: c.virtualhost ?? rs.virtualhost ?? vs.virtualhost,
        enableSni: c.enable_sni ?? false,
      };
    }
    case 'tcp':
      return { kind, ...base, ...retry };
    case 'smtp': {
      const hosts: SmtpHost[] = c.host.map((h) => conn(h, o.addr, h.connect_port ?? 25));
      return { kind, ...conn(c, o.addr, c.connect_port ?? o.port), ...retry, heloName: c.helo_name ?? 'smtpchecker.keepalived.org', hosts };
    }
    case 'misc':
      if (!c.misc_path) throw new Error('MISC_CHECK without misc_path');
      return {
        kind,
        ...retry,
        miscPath: c.misc_path.command,
        miscTimeoutMs: sec(c.misc_timeout) ?? spec.delayLoopMs,
        miscDynamic: c.misc_dynamic,
        user: c.user ?? c.misc_path.user,
        group: c.group ?? c.misc_path.group,
        rsWeight: rs.weight ?? 1,
      };
    case 'dns': {
      const type = c.type ? parseDnsType(c.type) : 'SOA';
      if (!type) throw new Error(`DNS_CHECK type ${c.type} is not supported`);
      return { kind, ...conn(c, o.addr, c.connect_port ?? o.port ?? 53), ...retry, type, name: c.name ?? '.' };
    }
    case 'udp': {
      const payload = c.payload ? parseHexStr(c.payload, false).data : undefined;
      const reply = typeof c.require_reply === 'string' ? parseHexStr(c.require_reply, true) : undefined;
      return {
        kind,
        ...base,
        ...retry,
        payload,
        requireReply: c.require_reply !== undefined,
        replyData: reply?.data,
        replyMask: reply?.mask,
        minReplyLength: 0,
        maxReplyLength: 255,
      };
    }
    case 'ping':
      return { kind, ...retry, host: base.host, bindto: base.bindto, fwmark: base.fwmark, connectTimeoutMs: base.connectTimeoutMs };
  }
}

/** CheckerPort on src/lib/check. An option that cannot be mapped makes the checker fail with the reason. */
export const realCheckers: CheckerPort = {
  async run(check: CheckerSpec, _rs, _vs, signal: AbortSignal): Promise<CheckOutcome> {
    let opts: CheckOptions;
    try {
      opts = checkOptionsFor(check);
    } catch (e) {
      return { up: false, reason: `configuration: ${(e as Error).message}` };
    }
    if (signal.aborted) return { up: false, reason: 'aborted' };
    const r = await runCheck(opts);
    // misc_dynamic: exit 0 puts the configured weight back (keepalived 2.2.7, seen in the IPVS VM parity test).
    const weight = r.weight ?? (opts.kind === 'misc' && opts.miscDynamic && r.up ? opts.rsWeight : undefined);
    return { up: r.up, reason: r.reason, weight, durationMs: r.totalMs };
  },
};
