/**
 * The `conf lint` and `conf dump` handlers (src/fast.ts; the command line is
 * parsed from the commands' spec by src/lib/cli/parse): run the engine, print,
 * return the exit code. No oclif here, so start-up stays small.
 */
import { painterFor } from '../cli/color';
import { UsageError } from '../cli/errors';
import type { Parsed } from '../cli/parse';
import { formatDiagnostic, formatJson, formatSarif, formatText } from './format';
import { loadConfig } from './index';
import { type FileReader, resolvePath } from './reader';
import { lint } from './lint';

export interface LintFlags {
  format: 'text' | 'json' | 'sarif';
  warningsOk: boolean;
  host: boolean;
  configId?: string;
  cluster: boolean;
  /** a BGP announcement file to check against the FILEs (src/lib/bgp/check.ts) */
  bgp?: string;
  /** --keepalived: keepalived -t's verdict and exit code, hactl's extra rules as notes */
  keepalived?: boolean;
}

function version(): string {
  try {
    // dist/src/lib/conf -> the package root
    return (require('../../../../package.json') as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

/** A reader that went away (`| head`) ends the process quietly with the result's exit code. */
function quietOnEpipe(out: NodeJS.WriteStream, code: () => number): void {
  out.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(code());
    process.stderr.write(`hactl: error: cannot write output: ${e.message}\n`);
    process.exit(1);
  });
}

/** `conf lint`'s usage errors keep keepalived's status for bad usage: 1. */
const USAGE = { exitCode: 1, hint: 'see `hactl conf lint --help`' };

/**
 * A reader that serves `-` (standard input, read once) and the files otherwise,
 * so `cat keepalived.conf | hactl conf lint -` works (includes resolve against the current directory).
 */
function stdinReader(): FileReader {
  const base = (require('./node-reader') as typeof import('./node-reader')).nodeReader;
  const stdinPath = resolvePath(base.cwd(), '-');
  let data: Uint8Array | undefined;
  return {
    read: (p, max) => {
      if (p !== stdinPath && p !== '-') return base.read(p, max);
      try {
        data ??= (require('node:fs') as typeof import('node:fs')).readFileSync(0);
      } catch (e) {
        return { ok: false, code: 'EOTHER', message: `cannot read standard input: ${(e as Error).message}` };
      }
      return { ok: true, data: data.subarray(0, max) };
    },
    glob: (g, missed) => base.glob(g, missed),
    cwd: () => base.cwd(),
  };
}

/** Run lint and print; returns the exit code. */
export function runLint(files: string[], flags: LintFlags, stream?: NodeJS.WriteStream): number {
  if (files.length === 0) throw new UsageError('conf lint needs at least one FILE (or - for standard input)', USAGE);
  if (flags.cluster && files.length < 2) throw new UsageError('--cluster needs two or more FILEs (one per node)', USAGE);
  if (files.filter((f) => f === '-').length > 1) throw new UsageError('- (standard input) can be given only once', USAGE);
  const r = lint({
    files,
    reader: files.includes('-') ? stdinReader() : undefined,
    warningsOk: flags.warningsOk,
    configId: flags.configId,
    cluster: flags.cluster,
    bgp: flags.bgp,
    host: flags.host ? (require('./host-probe') as typeof import('./host-probe')).nodeHostProbe() : undefined,
    lean: true,
    keepalived: flags.keepalived,
  });
  // Clean text output prints nothing (like keepalived -t); process.stdout is not even touched then (start-up cost).
  if (flags.format === 'text' && r.diagnostics.length === 0) return r.exitCode;
  const out = stream ?? process.stdout;
  quietOnEpipe(out, () => r.exitCode);
  if (flags.format === 'json') out.write(formatJson(r, version()));
  else if (flags.format === 'sarif') out.write(formatSarif(r, version()));
  else out.write(formatText(r, painterFor(out)));
  return r.exitCode;
}

/** Run dump; returns the exit code. */
export function runDump(file: string, json: boolean, configId?: string, stream?: NodeJS.WriteStream): number {
  const r = loadConfig(file, { configId });
  const p = painterFor(process.stderr);
  for (const d of r.diagnostics) {
    process.stderr.write(formatDiagnostic(d, p));
  }
  if (r.fatal) return 4;
  const out = stream ?? process.stdout;
  quietOnEpipe(out, () => 0);
  if (json) out.write(`${JSON.stringify(r.model, null, 2)}\n`);
  else out.write(summary(r.model));
  return 0;
}

/** ` type gue port 6080 csum` as written in keepalived.conf (nothing for the default ipip without checksum). */
function tunnelWords(t: import('./model').TunnelOpts | undefined): string {
  if (!t || (t.type === 'ipip' && t.csum === 'nocsum')) return '';
  return ` type ${t.type}${t.port ? ` port ${t.port}` : ''}${t.csum !== 'nocsum' ? ` ${t.csum}` : ''}`;
}

function summary(m: import('./model').KeepalivedConfig): string {
  const lines: string[] = [];
  lines.push(`files: ${m.files.join(', ')}`);
  if (m.global_defs.router_id) lines.push(`router_id: ${m.global_defs.router_id}`);
  for (const s of m.vrrp_scripts) lines.push(`vrrp_script ${s.name}: ${s.script?.command ?? '(no script)'} interval ${s.interval ?? 1}s weight ${s.weight ?? 0}`);
  for (const g of m.vrrp_sync_groups) lines.push(`vrrp_sync_group ${g.name}: ${g.group.map((x) => x.name).join(' ')}`);
  for (const i of m.vrrp_instances) {
    lines.push(
      `vrrp_instance ${i.name}: ${i.state ?? 'BACKUP'} ${i.interface ?? '-'} vrid ${i.virtual_router_id ?? '-'} prio ${i.priority ?? 100} advert ${i.advert_int ?? 1}s v${i.version ?? m.global_defs.vrrp.version ?? 2}`,
    );
    for (const v of i.virtual_ipaddress) lines.push(`  vip ${v.address.address}/${v.prefix}${v.dev ? ` dev ${v.dev}` : ''}${v.label ? ` label ${v.label}` : ''}`);
  }
  for (const vs of m.virtual_servers) {
    const head = vs.fwmark !== undefined ? `fwmark ${vs.fwmark}` : vs.group !== undefined ? `group ${vs.group}` : `${vs.address?.text} ${vs.port ?? ''}`;
    lines.push(`virtual_server ${head}: ${vs.protocol ?? '-'} ${vs.lb_algo ?? 'wlc'} ${vs.lb_kind ?? 'NAT'}${tunnelWords(vs.tunnel)}`);
    for (const rs of vs.real_servers) {
      const fwd = rs.lvs_method ? ` lvs_method ${rs.lvs_method}${tunnelWords(rs.tunnel)}` : '';
      lines.push(`  real_server ${rs.address.text} ${rs.port ?? ''} weight ${rs.weight ?? 1}${fwd} ${rs.checkers.map((c) => c.kind).join(',')}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/**
 * V8 tuning for this short-lived process: TurboFan inlines less, so the big
 * builder functions compile in a fraction of the time (the optimizing compiler
 * otherwise spends more CPU than the lint itself on a large config: about
 * 15% less wall time on bench/conf-lint, see bench/README.md). Read by the
 * compiler when it starts a job, so it applies to everything compiled after.
 */
const V8_FLAGS = '--max-inlined-bytecode-size-cumulative=100';

/** Only worth it (loading node:v8 costs ~2 ms) when the files named are over 1 MiB together. */
function bigInput(files: string[]): boolean {
  const fs = require('node:fs') as typeof import('node:fs');
  let total = 0;
  for (const f of files) {
    try {
      total += fs.statSync(f).size;
    } catch {
      // Reported by the lint itself.
    }
  }
  return total > 1 << 20;
}

/** `hactl conf lint FILE...` (src/fast.ts). */
export function lintHandler(p: Parsed): number {
  const files = p.argv;
  const big = bigInput(files);
  if (big) (require('node:v8') as typeof import('node:v8')).setFlagsFromString(V8_FLAGS);
  const code = runLint(files, {
    format: p.flags.format as LintFlags['format'],
    warningsOk: p.flags['warnings-ok'] === true,
    host: p.flags.host === true,
    configId: p.flags['config-id'] as string | undefined,
    cluster: p.flags.cluster === true,
    bgp: p.flags.bgp as string | undefined,
    keepalived: p.flags.keepalived === true,
  });
  // After a big lint, leave as soon as the output is out (tearing down a heap
  // of 100 MiB costs more than the lint's output): an empty write's callback
  // runs once everything written before it has gone (or failed: EPIPE).
  if (big) process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
  return code;
}

/** `hactl conf dump FILE` (src/fast.ts). */
export function dumpHandler(p: Parsed): number {
  return runDump(p.args.file as string, p.flags.json === true, p.flags['config-id'] as string | undefined);
}
