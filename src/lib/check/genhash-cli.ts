/**
 * `hactl genhash` runner shared by the oclif command (src/commands/genhash.ts)
 * and the fast path of bin/hactl (src/fast.ts): validate the options, fetch,
 * print keepalived genhash's line (or -v / --json), return the exit code.
 * People call genhash from loops while tuning HTTP_GET blocks, so the fast path
 * keeps oclif (~150 ms of module loading) out of it.
 */
import { writeStderr, writeStdout } from '../cli/stdio-cli';
import { HactlError, UsageError } from '../cli/errors';
import type { Parsed } from '../cli/parse';
import { genhash, genhashJson, genhashVerbose } from './genhash';
import { parseHttpProtocol } from './http-proto';
import { parseUint } from './target';

const VERBOSE_BODY = 2048;

export interface GenhashFlags {
  server: string;
  port: string;
  url: string;
  useSsl?: boolean;
  useSni?: boolean;
  virtualhost?: string;
  protocol?: string;
  timeout?: string;
  fwmark?: string;
  verbose?: boolean;
  json?: boolean;
}

/** Validate, fetch, print. Throws HactlError (UsageError: exit 2) for bad options. */
export async function runGenhash(flags: GenhashFlags, warn: (msg: string) => void): Promise<number> {
  const port = Number(flags.port);
  if (!/^\d+$/.test(flags.port) || port < 1 || port > 65535) {
    throw new UsageError(`invalid port number '${flags.port}' (expected 1-65535)`);
  }
  const protoText = flags.protocol ?? '1.0';
  const protocol = parseHttpProtocol(protoText);
  if (!protocol) throw new UsageError(`invalid HTTP protocol version '${protoText}' (expected 1.0, 1.0c or 1.1)`);
  let timeoutMs = 5000;
  if (flags.timeout !== undefined) {
    if (!/^\s*\d+$/.test(flags.timeout) || Number(flags.timeout) < 1) {
      throw new UsageError(`invalid timeout '${flags.timeout}' (expected whole seconds, at least 1)`);
    }
    timeoutMs = Number(flags.timeout) * 1000;
  }
  let fwmark: number | undefined;
  if (flags.fwmark !== undefined) {
    try {
      fwmark = parseUint(flags.fwmark, 'fwmark');
    } catch (e) {
      throw new UsageError(`-m/--fwmark: ${(e as Error).message}`);
    }
  }
  if (flags.useSni && !flags.virtualhost) {
    throw new UsageError('-I/--use-sni needs -V/--use-virtualhost: SNI sends the virtual host name');
  }
  if (!flags.url.startsWith('/')) warn(`url '${flags.url}' does not start with '/': sent as is`);
  let report: Awaited<ReturnType<typeof genhash>>;
  try {
    report = await genhash({
      server: flags.server,
      port,
      url: flags.url,
      ssl: !!flags.useSsl,
      sni: !!flags.useSni,
      virtualhost: flags.virtualhost,
      protocol,
      timeoutMs,
      fwmark,
      keepBody: flags.verbose ? VERBOSE_BODY : 0,
    });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new HactlError(`cannot resolve server '${flags.server}'${code ? ` (${code})` : ''}`, {
      exitCode: 2,
      hint: 'give an IP address or a resolvable host name',
    });
  }
  if (report.error?.includes('fwmark needs')) {
    throw new HactlError(report.error.replace(/^Error connecting \((.*)\)$/, '$1'), {
      exitCode: 1,
      hint: 'run as root (setting SO_MARK needs CAP_NET_ADMIN), or run without -m',
    });
  }
  if (flags.json) {
    writeStdout(`${JSON.stringify(genhashJson(report), null, 2)}\n`);
  } else if (flags.verbose) {
    writeStdout(genhashVerbose(report, VERBOSE_BODY));
  } else if (report.onStderr) {
    writeStderr(`${report.line}\n`);
  } else {
    writeStdout(`${report.line}\n`);
  }
  return report.digest === undefined ? 1 : 0;
}

/** src/fast.ts handler: the command line parsed from the command's spec (src/lib/cli/parse). */
export function genhashHandler(p: Parsed): Promise<number> {
  const f = p.flags as Record<string, string | boolean | undefined>;
  const str = (k: string) => (typeof f[k] === 'string' ? (f[k] as string) : undefined);
  return runGenhash(
    {
      server: str('server') as string,
      port: str('port') as string,
      url: str('url') as string,
      useSsl: f['use-ssl'] === true,
      useSni: f['use-sni'] === true,
      virtualhost: str('use-virtualhost'),
      protocol: str('protocol'),
      timeout: str('timeout'),
      fwmark: str('fwmark'),
      verbose: f.verbose === true,
      json: f.json === true,
    },
    (m) => (require('../cli/report-cli') as typeof import('../cli/report-cli')).reportWarning(m),
  );
}
