/**
 * `hactl check <type>` without oclif: the parsed flags (src/lib/cli/parse over
 * the spec of ./cli) to checker options with keepalived's defaults, then one
 * run and the rendered result. Checker code is loaded only when it runs.
 */
import { isTTY, writeStdout } from '../cli/stdio-cli';
import { ipFamily, WITH_ZONE } from '../addr';
import { painterFor } from '../cli/color';
import { UsageError } from '../cli/errors';
import type { Parsed } from '../cli/parse';
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_DELAY_LOOP_MS, defaultDelayBeforeRetryMs, defaultRetry } from './defaults';
import type { RegexSpec } from '../pcre/pcre';
import { parsePort, parseTarget, parseTimer, parseUint } from './target';
import type { CheckKind, CheckOptions, ConnOptions, HttpUrl, RetryOptions, TlsClientFiles } from './types';

// Loaded only by the checker kinds that need them (start-up of one-shot checks).
const httpProto = () => require('./http-proto') as typeof import('./http-proto');
const parseDigest = (s: string) => httpProto().parseDigest(s);
const parseHttpProtocol = (s: string) => httpProto().parseHttpProtocol(s);
const parseStatusCodes = (s: string[]) => httpProto().parseStatusCodes(s);
const parseDnsType = (s: string) => (require('./dns-codec') as typeof import('./dns-codec')).parseDnsType(s);
const parseHexStr = (s: string, mask: boolean) => (require('./hexstr') as typeof import('./hexstr')).parseHexStr(s, mask);

type FlagBag = Record<string, unknown>;

const str = (f: FlagBag, k: string): string | undefined => (typeof f[k] === 'string' ? (f[k] as string) : undefined);

export const DEFAULT_PORTS: Partial<Record<CheckKind, number>> = { http: 80, ssl: 443, smtp: 25, dns: 53 };

function retryOptions(kind: CheckKind, f: FlagBag): RetryOptions & { delayLoopMs: number } {
  const delayLoopMs = str(f, 'delay-loop') !== undefined ? parseTimer(str(f, 'delay-loop')!, '--delay-loop') : DEFAULT_DELAY_LOOP_MS;
  const r = str(f, 'retry') ?? str(f, 'nb-get-retry');
  return {
    retry: r !== undefined ? parseUint(r, '--retry') : defaultRetry(kind),
    delayBeforeRetryMs:
      str(f, 'delay-before-retry') !== undefined
        ? parseTimer(str(f, 'delay-before-retry')!, '--delay-before-retry')
        : defaultDelayBeforeRetryMs(kind, delayLoopMs),
    warmupMs: str(f, '--warmup') !== undefined ? parseTimer(str(f, '--warmup')!, '--warmup') : 0,
    delayLoopMs,
  };
}

function connOptions(kind: CheckKind, target: string | undefined, f: FlagBag): ConnOptions {
  const t = target !== undefined ? parseTarget(target) : undefined;
  const host = str(f, 'connect-ip') ?? t?.host;
  if (!host) throw new Error('no address to check: give TARGET or --connect-ip');
  const cp = str(f, 'connect-port');
  const port = cp !== undefined ? parsePort(cp, '--connect-port') : (t?.port ?? DEFAULT_PORTS[kind]);
  if (port === undefined && kind !== 'ping') throw new Error(`${kind} check needs a port: TARGET as ADDRESS:PORT or --connect-port`);
  const ct = str(f, 'connect-timeout');
  const bindto = str(f, 'bindto');
  if (bindto !== undefined && ipFamily(bindto, WITH_ZONE) === 0) throw new Error(`invalid --bindto '${bindto}' (expected an IPv4 or IPv6 address)`);
  const ci = str(f, 'connect-ip');
  if (ci !== undefined && ipFamily(ci, WITH_ZONE) === 0) throw new Error(`invalid --connect-ip '${ci}' (expected an IPv4 or IPv6 address)`);
  if (kind === 'ping' && t?.port !== undefined)
    throw new Error(`PING_CHECK has no port: give ${target?.replace(/:\d+$/, '')} instead of ${target} (ICMP echo goes to the address only)`);
  if (kind === 'ping' && cp !== undefined) throw new Error('PING_CHECK has no port: --connect-port does not apply');
  return {
    host,
    port: port ?? 0,
    bindto,
    bindPort: str(f, 'bind-port') !== undefined ? parsePort(str(f, 'bind-port')!, '--bind-port') : undefined,
    fwmark: str(f, 'fwmark') !== undefined ? parseUint(str(f, 'fwmark')!, '--fwmark') : undefined,
    connectTimeoutMs: ct !== undefined ? parseTimer(ct, '--connect-timeout') : DEFAULT_CONNECT_TIMEOUT_MS,
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
  (require('./net') as typeof import('./net')).tlsFileOptions(files);
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
    minOffset: min !== undefined ? parseUint(min, '--regex-min-offset') : undefined,
    maxOffset: max !== undefined ? parseUint(max, '--regex-max-offset') : undefined,
  };
  (require('../pcre/pcre') as typeof import('../pcre/pcre')).compileRegex(spec);
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
      if (!proto) throw new Error(`invalid --http-protocol '${str(f, 'http-protocol')}' (expected 1.0, 1.0C or 1.1)`);
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
      return { kind, ...connOptions(kind, target, f), ...base, heloName: str(f, 'helo-name') ?? (require('./smtp-proto') as typeof import('./smtp-proto')).SMTP_DEFAULT_HELO, hosts: [] };
    case 'dns': {
      const type = parseDnsType(str(f, 'type') ?? 'SOA');
      if (!type) throw new Error(`invalid --type '${str(f, 'type')}' (expected A, NS, CNAME, SOA, MX, TXT or AAAA)`);
      return { kind, ...connOptions(kind, target, f), ...base, type, name: str(f, 'name') ?? '.' };
    }
    case 'udp': {
      const payload = str(f, 'payload') !== undefined ? parseHexStr(str(f, 'payload')!, false).data : undefined;
      const replyHex = str(f, 'reply-data');
      const reply = replyHex !== undefined ? parseHexStr(replyHex, true) : undefined;
      const minL = str(f, 'min-reply-length') !== undefined ? parseUint(str(f, 'min-reply-length')!, '--min-reply-length', 65535) : 0;
      const maxL = str(f, 'max-reply-length') !== undefined ? parseUint(str(f, 'max-reply-length')!, '--max-reply-length', 65535) : 255;
      if (minL > maxL) throw new Error(`--min-reply-length ${minL} > --max-reply-length ${maxL}: the check would always fail`);
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
        miscTimeoutMs: mt !== undefined ? parseTimer(mt, '--misc-timeout') : retry.delayLoopMs,
        miscDynamic: Boolean(f['misc-dynamic']),
        user: user || undefined,
        group: group || undefined,
      };
    }
  }
}

/** src/fast.ts handler of `hactl check <kind>`: options from the parsed flags, one run, the rendered result. */
export function checkHandler(kind: CheckKind): (p: Parsed) => Promise<number> {
  return async (p) => {
    let opts: CheckOptions;
    try {
      opts = buildOptions(kind, p.args.target, p.flags);
    } catch (e) {
      throw new UsageError(e instanceof Error ? e.message : String(e), { hint: `see \`hactl check ${kind} --help\`` });
    }
    const { runCheck } = require('./index') as typeof import('./index');
    const r = await runCheck(opts);
    const { renderResult, resultJson } = require('./render') as typeof import('./render');
    if (p.flags.json) writeStdout(`${JSON.stringify(resultJson(r), null, 2)}\n`);
    else writeStdout(renderResult(r, painterFor({ isTTY: isTTY(1) })));
    return r.up ? 0 : 1;
  };
}
