/**
 * Shared pieces of the `hactl check <type>` commands: the flags (named after
 * the keepalived.conf keywords, `_` -> `-`), turning them into checker
 * options with keepalived's defaults, and running/rendering. Commands stay thin.
 */
import { compileRegex, type RegexSpec } from './pcre';
import { Args, Flags } from '@oclif/core';
import { HactlCommand } from '../cli/base';
import { painterFor } from '../cli/color';
import { UsageError } from '../cli/errors';
import { parseDnsType } from './dns-codec';
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_DELAY_LOOP_MS, defaultDelayBeforeRetryMs, defaultRetry } from './defaults';
import { parseHexStr } from './hexstr';
import { parseDigest, parseHttpProtocol, parseStatusCodes } from './http-proto';
import { runCheck } from './index';
import { resultJson, renderResult } from './render';
import { SMTP_DEFAULT_HELO } from './smtp-proto';
import { parsePort, parseTarget, parseTimer, parseUint } from './target';
import { tlsFileOptions } from './net';
import type { CheckKind, CheckOptions, ConnOptions, HttpUrl, RetryOptions, TlsClientFiles } from './types';

export const commonFlags = {
  'connect-ip': Flags.string({ summary: 'connect_ip: address to connect to instead of TARGET.', helpGroup: 'CONNECTION' }),
  'connect-port': Flags.string({ summary: "connect_port: port to connect to instead of TARGET's.", helpGroup: 'CONNECTION' }),
  bindto: Flags.string({ summary: 'bindto: source address.', helpGroup: 'CONNECTION' }),
  'bind-port': Flags.string({ summary: 'bind_port: source port.', helpGroup: 'CONNECTION' }),
  'connect-timeout': Flags.string({ summary: 'connect_timeout in seconds (default 5): bounds connect and every read/write.', helpGroup: 'CONNECTION' }),
  fwmark: Flags.string({ summary: 'fwmark: SO_MARK on the checker\'s packets (decimal; needs root / CAP_NET_ADMIN).', helpGroup: 'CONNECTION' }),
};

/** HTTP_GET / SSL_GET: the url blocks and the request options (shared by `check http` and `check ssl`). */
export const httpFlags = {
  path: Flags.string({ summary: 'url path (default /).', helpGroup: 'URL' }),
  digest: Flags.string({ summary: 'url digest: expected MD5 of the body (from hactl genhash).', helpGroup: 'URL' }),
  'status-code': Flags.string({ summary: 'url status_code: N or N-M, repeatable (default 200-299).', multiple: true, helpGroup: 'URL' }),
  regex: Flags.string({ summary: 'url regex: PCRE2 pattern the body must match (after status and digest).', helpGroup: 'URL' }),
  'regex-options': Flags.string({ summary: 'url regex_options, e.g. "caseless multiline" (keepalived\'s PCRE2 option words).', helpGroup: 'URL' }),
  'regex-no-match': Flags.boolean({ summary: 'url regex_no_match: the check passes when the regex does NOT match.', helpGroup: 'URL' }),
  'regex-min-offset': Flags.string({ summary: 'url regex_min_offset: first body offset where the match may start.', helpGroup: 'URL' }),
  'regex-max-offset': Flags.string({ summary: 'url regex_max_offset: last body offset where the match may start.', helpGroup: 'URL' }),
  url: Flags.string({ summary: 'Another url block: "path=/x,digest=HEX,status_code=200-299 301,virtualhost=NAME" (repeatable).', multiple: true, helpGroup: 'URL' }),
  virtualhost: Flags.string({ summary: 'virtualhost: Host header (default ADDRESS:PORT).' }),
  'http-protocol': Flags.string({ summary: 'http_protocol: 1.0 (default), 1.0C or 1.1.' }),
};

/** SSL_GET: keepalived's global SSL { } block (client certificate for servers that ask for one). */
export const sslFileFlags = {
  certificate: Flags.string({ summary: 'SSL certificate: client certificate chain file (PEM).', helpGroup: 'SSL' }),
  key: Flags.string({ summary: 'SSL key: private key file (PEM; default: in the certificate file).', helpGroup: 'SSL' }),
  password: Flags.string({ summary: 'SSL password: pass phrase of the key.', helpGroup: 'SSL' }),
  ca: Flags.string({ summary: 'SSL ca: CA file (loaded; like keepalived, the server certificate is not verified).', helpGroup: 'SSL' }),
};

export const retryFlags = {
  retry: Flags.string({ summary: 'retry: extra attempts after a failure (default 1; DNS 3; MISC 0).', helpGroup: 'RETRY' }),
  'nb-get-retry': Flags.string({ summary: 'Old name of --retry.', helpGroup: 'RETRY', hidden: true }),
  'delay-before-retry': Flags.string({ summary: 'delay_before_retry in seconds (default 3 for HTTP/SSL, delay_loop for DNS, else 1).', helpGroup: 'RETRY' }),
  'delay-loop': Flags.string({ summary: 'delay_loop in seconds (default 60): the default of DNS delay_before_retry and misc_timeout.', helpGroup: 'RETRY' }),
  warmup: Flags.string({ summary: 'warmup: wait a random time up to this many seconds first (default 0 here).', helpGroup: 'RETRY' }),
};

export const outputFlags = {
  json: Flags.boolean({ summary: 'Print the result as JSON.' }),
};

export const targetArg = {
  target: Args.string({ description: 'Real server: ADDRESS[:PORT], [IPv6]:PORT or HOSTNAME[:PORT]', required: true }),
};

type FlagBag = Record<string, unknown>;

const str = (f: FlagBag, k: string): string | undefined => (typeof f[k] === 'string' ? (f[k] as string) : undefined);

export const DEFAULT_PORTS: Partial<Record<CheckKind, number>> = { http: 80, ssl: 443, smtp: 25, dns: 53 };

function retryOptions(kind: CheckKind, f: FlagBag): RetryOptions & { delayLoopMs: number } {
  const delayLoopMs = str(f, 'delay-loop') !== undefined ? parseTimer(str(f, 'delay-loop')!, 'delay_loop') : DEFAULT_DELAY_LOOP_MS;
  const r = str(f, 'retry') ?? str(f, 'nb-get-retry');
  return {
    retry: r !== undefined ? parseUint(r, 'retry') : defaultRetry(kind),
    delayBeforeRetryMs:
      str(f, 'delay-before-retry') !== undefined
        ? parseTimer(str(f, 'delay-before-retry')!, 'delay_before_retry')
        : defaultDelayBeforeRetryMs(kind, delayLoopMs),
    warmupMs: str(f, 'warmup') !== undefined ? parseTimer(str(f, 'warmup')!, 'warmup') : 0,
    delayLoopMs,
  };
}

function connOptions(kind: CheckKind, target: string | undefined, f: FlagBag): ConnOptions {
  const t = target !== undefined ? parseTarget(target) : undefined;
  const host = str(f, 'connect-ip') ?? t?.host;
  if (!host) throw new Error('no address to check: give TARGET or --connect-ip');
  const cp = str(f, 'connect-port');
  const port = cp !== undefined ? parsePort(cp, 'connect_port') : (t?.port ?? DEFAULT_PORTS[kind]);
  if (port === undefined && kind !== 'ping') throw new Error(`${kind} check needs a port: TARGET as ADDRESS:PORT or --connect-port`);
  const ct = str(f, 'connect-timeout');
  return {
    host,
    port: port ?? 0,
    bindto: str(f, 'bindto'),
    bindPort: str(f, 'bind-port') !== undefined ? parsePort(str(f, 'bind-port')!, 'bind_port') : undefined,
    fwmark: str(f, 'fwmark') !== undefined ? parseUint(str(f, 'fwmark')!, 'fwmark') : undefined,
    connectTimeoutMs: ct !== undefined ? parseTimer(ct, 'connect_timeout') : DEFAULT_CONNECT_TIMEOUT_MS,
  };
}

/** --url "path=/x,digest=...,status_code=200-299 301,virtualhost=name" */
export function parseUrlSpec(s: string): HttpUrl {
  const u: HttpUrl = { path: '' };
  for (const part of s.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) throw new Error(`invalid --url '${s}': expected key=value pairs (path, digest, status_code, virtualhost)`);
    const k = part.slice(0, eq).trim();
    const v = part.slice(eq + 1).trim();
    if (k === 'path') u.path = v;
    else if (k === 'digest') u.digest = parseDigest(v);
    else if (k === 'status_code' || k === 'status-code') u.statusCodes = parseStatusCodes(v.split(/\s+/).filter(Boolean));
    else if (k === 'virtualhost') u.virtualhost = v;
    else throw new Error(`invalid --url key '${k}' (expected path, digest, status_code or virtualhost)`);
  }
  if (!u.path) throw new Error(`--url '${s}' has no path`);
  return u;
}

/** --certificate/--key/--password/--ca, checked now so a missing or unusable file is a usage error. */
function tlsFromFlags(f: FlagBag): TlsClientFiles | undefined {
  const files: TlsClientFiles = { certificate: str(f, 'certificate'), key: str(f, 'key'), password: str(f, 'password'), ca: str(f, 'ca') };
  if (!files.certificate && !files.key && !files.ca && files.password === undefined) return undefined;
  if (files.key && !files.certificate) throw new Error('--key needs --certificate (the client certificate it belongs to)');
  tlsFileOptions(files);
  return files;
}

/** --regex and its companions, validated (the pattern compiled once here, so a bad one is a usage error). */
function regexFromFlags(f: FlagBag): RegexSpec | undefined {
  const pattern = str(f, 'regex');
  const options = str(f, 'regex-options')?.split(/[\s,]+/).filter(Boolean);
  const min = str(f, 'regex-min-offset');
  const max = str(f, 'regex-max-offset');
  if (pattern === undefined) {
    if (options?.length || f['regex-no-match'] || min !== undefined || max !== undefined) {
      throw new Error('--regex-options, --regex-no-match and --regex-min/max-offset need --regex');
    }
    return undefined;
  }
  const spec: RegexSpec = {
    pattern,
    options,
    noMatch: Boolean(f['regex-no-match']),
    minOffset: min !== undefined ? parseUint(min, 'regex_min_offset') : undefined,
    maxOffset: max !== undefined ? parseUint(max, 'regex_max_offset') : undefined,
  };
  compileRegex(spec);
  return spec;
}

/** Build checker options from command flags; throws Error with a precise message on bad input. */
export function buildOptions(kind: CheckKind, target: string | undefined, f: FlagBag): CheckOptions {
  const retry = retryOptions(kind, f);
  const base = { retry: retry.retry, delayBeforeRetryMs: retry.delayBeforeRetryMs, warmupMs: retry.warmupMs };
  switch (kind) {
    case 'http':
    case 'ssl': {
      const urls: HttpUrl[] = ((f.url as string[] | undefined) ?? []).map(parseUrlSpec);
      const path = str(f, 'path');
      const regex = regexFromFlags(f);
      if (path !== undefined) {
        const u: HttpUrl = { path };
        if (str(f, 'digest')) u.digest = parseDigest(str(f, 'digest')!);
        const sc = f['status-code'] as string[] | undefined;
        if (sc?.length) u.statusCodes = parseStatusCodes(sc.flatMap((x) => x.split(/[\s,]+/)).filter(Boolean));
        if (regex) u.regex = regex;
        urls.unshift(u);
      } else if (str(f, 'digest') || (f['status-code'] as string[] | undefined)?.length) {
        throw new Error('--digest and --status-code apply to --path: give --path too (or use --url)');
      } else if (regex && urls.length > 0) {
        throw new Error('--regex applies to --path: give --path too (--url blocks take no regex)');
      }
      if (urls.length === 0) urls.push(regex ? { path: '/', regex } : { path: '/' });
      const proto = parseHttpProtocol(str(f, 'http-protocol') ?? '1.0');
      if (!proto) throw new Error(`invalid http_protocol '${str(f, 'http-protocol')}' (expected 1.0, 1.0C or 1.1)`);
      return {
        kind,
        ...connOptions(kind, target, f),
        ...base,
        urls,
        httpProtocol: proto,
        virtualhost: str(f, 'virtualhost'),
        enableSni: Boolean(f['enable-sni']),
        tls: kind === 'ssl' ? tlsFromFlags(f) : undefined,
      };
    }
    case 'tcp':
      return { kind, ...connOptions(kind, target, f), ...base };
    case 'smtp':
      return { kind, ...connOptions(kind, target, f), ...base, heloName: str(f, 'helo-name') ?? SMTP_DEFAULT_HELO, hosts: [] };
    case 'dns': {
      const type = parseDnsType(str(f, 'type') ?? 'SOA');
      if (!type) throw new Error(`invalid DNS type '${str(f, 'type')}' (expected A, NS, CNAME, SOA, MX, TXT or AAAA)`);
      return { kind, ...connOptions(kind, target, f), ...base, type, name: str(f, 'name') ?? '.' };
    }
    case 'udp': {
      const payload = str(f, 'payload') !== undefined ? parseHexStr(str(f, 'payload')!, false).data : undefined;
      const replyHex = str(f, 'reply-data');
      const reply = replyHex !== undefined ? parseHexStr(replyHex, true) : undefined;
      const minL = str(f, 'min-reply-length') !== undefined ? parseUint(str(f, 'min-reply-length')!, 'min_reply_length', 65535) : 0;
      const maxL = str(f, 'max-reply-length') !== undefined ? parseUint(str(f, 'max-reply-length')!, 'max_reply_length', 65535) : 255;
      if (minL > maxL) throw new Error(`min_reply_length ${minL} > max_reply_length ${maxL}: the check would always fail`);
      return {
        kind,
        ...connOptions(kind, target, f),
        ...base,
        payload,
        requireReply: Boolean(f['require-reply']) || reply !== undefined,
        replyData: reply?.data,
        replyMask: reply?.mask,
        minReplyLength: minL,
        maxReplyLength: maxL,
      };
    }
    case 'ping': {
      const c = connOptions(kind, target, f);
      return { kind, host: c.host, bindto: c.bindto, fwmark: c.fwmark, connectTimeoutMs: c.connectTimeoutMs, ...base };
    }
    case 'misc': {
      const mp = str(f, 'misc-path');
      if (!mp) throw new Error('MISC_CHECK needs --misc-path');
      const mt = str(f, 'misc-timeout');
      const u = str(f, 'user');
      const [user, group] = u ? u.split(':') : [undefined, undefined];
      return {
        kind,
        ...base,
        miscPath: mp,
        miscTimeoutMs: mt !== undefined ? parseTimer(mt, 'misc_timeout') : retry.delayLoopMs,
        miscDynamic: Boolean(f['misc-dynamic']),
        user: user || undefined,
        group: group || undefined,
      };
    }
  }
}

/** Base of every `hactl check <type>` command. */
export abstract class CheckCommand extends HactlCommand {
  protected abstract readonly kind: CheckKind;

  protected async runChecker(target: string | undefined, flags: FlagBag): Promise<void> {
    let opts: CheckOptions;
    try {
      opts = buildOptions(this.kind, target, flags);
    } catch (e) {
      throw new UsageError(e instanceof Error ? e.message : String(e));
    }
    const r = await runCheck(opts);
    if (flags.json) process.stdout.write(`${JSON.stringify(resultJson(r), null, 2)}\n`);
    else process.stdout.write(renderResult(r, painterFor(process.stdout)));
    process.exitCode = r.up ? 0 : 1;
  }
}
