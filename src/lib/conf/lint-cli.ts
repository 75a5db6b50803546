/**
 * The `conf lint` and `conf dump` runners shared by the oclif commands and the
 * fast path of bin/hactl (src/fast.ts): parse argv with node:util parseArgs,
 * run the engine, print, return the exit code. No oclif here, so start-up
 * stays small.
 */
import { parseArgs } from 'node:util';
import { painterFor } from '../cli/color';
import { formatDiagnostic, formatJson, formatSarif, formatText } from './format';
import { loadConfig } from './index';
import { lint } from './lint';

export interface LintFlags {
  format: 'text' | 'json' | 'sarif';
  warningsOk: boolean;
  host: boolean;
  configId?: string;
  cluster: boolean;
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

/** Run lint and print; returns the exit code. */
export function runLint(files: string[], flags: LintFlags, stream?: NodeJS.WriteStream): number {
  if (files.length === 0) {
    process.stderr.write('hactl: error: conf lint needs at least one FILE\nSee `hactl conf lint --help`.\n');
    return 1;
  }
  if (flags.cluster && files.length < 2) {
    process.stderr.write('hactl: error: --cluster needs two or more FILEs (one per node)\n');
    return 1;
  }
  const r = lint({
    files,
    warningsOk: flags.warningsOk,
    configId: flags.configId,
    cluster: flags.cluster,
    host: flags.host ? (require('./host-probe') as typeof import('./host-probe')).nodeHostProbe() : undefined,
    lean: true,
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
    lines.push(`virtual_server ${head}: ${vs.protocol ?? '-'} ${vs.lb_algo ?? 'wlc'} ${vs.lb_kind ?? 'NAT'}`);
    for (const rs of vs.real_servers) lines.push(`  real_server ${rs.address.text} ${rs.port ?? ''} weight ${rs.weight ?? 1} ${rs.checkers.map((c) => c.kind).join(',')}`);
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

/** Fast path entry (argv after `conf lint`). */
export async function fastMain(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseLintArgv>;
  try {
    parsed = parseLintArgv(argv);
  } catch (e) {
    process.stderr.write(`hactl: error: ${(e as Error).message}\nSee \`hactl conf lint --help\`.\n`);
    return 1;
  }
  const big = bigInput(parsed.files);
  if (big) (require('node:v8') as typeof import('node:v8')).setFlagsFromString(V8_FLAGS);
  const code = runLint(parsed.files, parsed.flags);
  // After a big lint, leave as soon as the output is out (tearing down a heap
  // of 100 MiB costs more than the lint's output): an empty write's callback
  // runs once everything written before it has gone (or failed: EPIPE).
  if (big) process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
  return code;
}

export function parseLintArgv(argv: string[]): { files: string[]; flags: LintFlags } {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      format: { type: 'string', short: 'f' },
      'warnings-ok': { type: 'boolean' },
      host: { type: 'boolean' },
      'config-id': { type: 'string', short: 'i' },
      cluster: { type: 'boolean' },
    },
  });
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json' && format !== 'sarif') throw new Error(`--format must be text, json or sarif (got '${format}')`);
  return {
    files: positionals,
    flags: {
      format,
      warningsOk: !!values['warnings-ok'],
      host: !!values.host,
      configId: values['config-id'],
      cluster: !!values.cluster,
    },
  };
}
