/**
 * `hactl arp ...` use cases: glue between the pure planner (plan.ts), the
 * applier (apply.ts) and the real machine (system.ts). Commands stay thin.
 */
import * as path from 'node:path';
import { HactlError, UsageError } from '../cli/errors';
import type { Rtnl } from '../net/rtnl';
import { Sysctl } from '../net/sysctl';
import { ApplyError, applyPlan, type Ops } from './apply';
import {
  type Change,
  type Check,
  checkStatus,
  describe,
  inverse,
  type Mode,
  neededSysctls,
  PlanError,
  type PersistPaths,
  parseVips,
  persistFiles,
  planSetup,
  planTeardown,
  type Record_,
  recordApplied,
  recordSysctls,
  type Request,
  type Role,
} from './plan';
import { readRecord, removeRecord, snapshot, stateDir, statePath, systemOps, writeRecord } from './system';

export * from './apply';
export * from './plan';

export interface CommonOptions {
  role: Role;
  stateDir?: string;
  /** output sink (stdout) and warnings (stderr) */
  out: (line: string) => void;
  warn: (line: string) => void;
}

export interface SetupOptions extends CommonOptions {
  mode: Mode;
  vips: string[];
  iface?: string;
  dryRun: boolean;
  persist: boolean;
  sysctlDir?: string;
  unitDir?: string;
  /** keepalived.conf to check for VRRP-owned VIPs (director) */
  config?: string;
}

function toHactl(e: unknown): never {
  if (e instanceof PlanError) throw e.usage ? new UsageError(e.message, { hint: e.hint }) : new HactlError(e.message, { hint: e.hint });
  if (e instanceof ApplyError) throw new HactlError(e.message, { exitCode: 1 });
  throw e;
}

function requireRoot(what: string): void {
  if (process.getuid && process.getuid() !== 0) {
    throw new HactlError(`${what} changes sysctls and addresses: it must run as root`, { exitCode: 4, hint: 'run it with sudo, or use --dry-run to see the plan' });
  }
}

export const BIN = path.resolve(__dirname, '..', '..', '..', '..', 'bin', 'hactl');

function persistPaths(o: SetupOptions, dir: string): PersistPaths {
  const args = [process.execPath, BIN, 'arp', `${o.role}-setup`, ...o.vips.flatMap((v) => ['--vip', v]), '--mode', o.mode];
  if (o.iface) args.push('--iface', o.iface);
  args.push('--state-dir', dir);
  return {
    sysctlDir: o.sysctlDir || process.env.HACTL_SYSCTL_DIR || '/etc/sysctl.d',
    unitDir: o.unitDir || process.env.HACTL_UNIT_DIR || '/etc/systemd/system',
    execStart: args.join(' '),
  };
}

async function withRtnl<T>(fn: (nl: Rtnl) => Promise<T>): Promise<T> {
  const nl = (require('../net/rtnl') as typeof import('../net/rtnl')).Rtnl.open();
  try {
    return await fn(nl);
  } finally {
    nl.close();
  }
}

function keysFor(req: Request, rec: Record_ | undefined): string[] {
  const vips = parseVips(req.vips, req.role);
  return [...new Set([...neededSysctls(req, vips), ...(rec ? recordSysctls(rec) : [])])];
}

export async function runSetup(o: SetupOptions): Promise<number> {
  try {
    parseVips(o.vips, o.role); // bad input first, before touching anything
    if (o.role === 'director' && !o.iface) throw new PlanError('director setup needs --iface IF (the interface that holds the VIP)', true);
  } catch (e) {
    toHactl(e);
  }
  if (!o.dryRun) requireRoot(`hactl arp ${o.role}-setup`);
  const dir = stateDir(o.stateDir);
  const file = statePath(dir, o.role);
  if (o.config) {
    for (const w of vrrpOwnedVips(o.config, o.vips, o.role)) o.warn(w);
  }
  const sysctl = new Sysctl();
  return withRtnl(async (nl) => {
    const rec = recordAt(file);
    const req: Request = { role: o.role, mode: o.mode, vips: o.vips, iface: o.iface, persist: o.persist ? persistPaths(o, dir) : undefined };
    const pf = req.persist ? persistFiles(o.role, req.persist) : undefined;
    const snap = await snapshot(nl, sysctl, keysFor(req, rec), pf ? [pf.sysctl, pf.unit] : [], pf ? [pf.wants] : []);
    let plan: Change[] = [];
    try {
      plan = planSetup(req, snap);
    } catch (e) {
      toHactl(e);
    }
    const title = `${o.role === 'realserver' ? 'real server' : 'director'} (${o.mode}), VIPs ${parseVips(o.vips, o.role)
      .map((v) => v.address)
      .join(', ')}`;
    if (plan.length === 0) {
      o.out(`${title}: nothing to do, already set up`);
      return 0;
    }
    if (o.dryRun) {
      o.out(`${title}: would apply ${plan.length} change(s) in this order:`);
      for (const [i, c] of plan.entries()) o.out(`  ${i + 1}. ${describe(c)}`);
      return 0;
    }
    const ops = systemOps(nl, sysctl);
    let applied: Change[] = [];
    try {
      applied = await applyPlan(plan, ops, o.warn);
    } catch (e) {
      toHactl(e);
    }
    try {
      writeRecord(file, recordApplied(rec, req, applied));
    } catch (e) {
      await rollback(applied, ops, o.warn);
      throw new HactlError(`cannot write the state file ${file}: ${(e as Error).message}; rolled back the changes`, {
        hint: 'use --state-dir DIR (or HACTL_STATE_DIR) to put it somewhere writable',
      });
    }
    o.out(`${title}: applied ${applied.length} change(s):`);
    for (const [i, c] of applied.entries()) o.out(`  ${i + 1}. ${describe(c)}`);
    o.out(`recorded in ${file} (teardown: hactl arp ${o.role}-teardown)`);
    return 0;
  });
}

/**
 * Warnings for VIPs that a keepalived.conf's vrrp_instance owns (virtual_ipaddress
 * or virtual_ipaddress_excluded), through the config engine's loadConfig.
 */
export function vrrpOwnedVips(config: string, vips: string[], role: Role): string[] {
  // the config engine loads only with --config (start-up of the other arp commands)
  const { model, fatal } = (require('../conf') as typeof import('../conf')).loadConfig(config);
  if (fatal) throw new HactlError(`cannot read --config ${config}`, { hint: 'check the path (hactl conf lint FILE shows details)' });
  const owned = new Map<string, string>();
  for (const inst of model.vrrp_instances) {
    for (const v of [...inst.virtual_ipaddress, ...inst.virtual_ipaddress_excluded]) {
      if (!owned.has(v.address.address)) owned.set(v.address.address, `vrrp_instance ${inst.name} (${v.pos.file}:${v.pos.line})`);
    }
  }
  const out: string[] = [];
  for (const v of parseVips(vips, role)) {
    const where = owned.get(v.address);
    if (where) {
      out.push(
        `warning: VIP ${v.address} is in a virtual_ipaddress block of ${where}: in an HA setup the VRRP daemon (hactl vrrp run / keepalived) owns it and moves it on failover; configure it here only on a director without VRRP`,
      );
    }
  }
  return out;
}

async function rollback(applied: Change[], ops: Ops, warn: (l: string) => void): Promise<void> {
  for (const c of [...applied].reverse()) {
    const inv = inverse(c);
    if (!inv) continue;
    try {
      await applyPlan([inv], ops);
    } catch (e) {
      warn(`rollback: ${(e as Error).message}`);
    }
  }
}

export interface StatusOptions extends CommonOptions {
  mode?: Mode;
  vips: string[];
  iface?: string;
  json: boolean;
}

export interface StatusReport {
  role: Role;
  mode: Mode;
  iface?: string;
  vips: string[];
  ok: boolean;
  recorded: boolean;
  checks: Check[];
}

/** The state record of a role (undefined: none yet); an unreadable one is a one-line HactlError. */
function recordAt(file: string): Record_ | undefined {
  try {
    return readRecord(file);
  } catch (e) {
    throw new HactlError((e as Error).message);
  }
}

export async function runStatus(o: StatusOptions): Promise<number> {
  const file = statePath(stateDir(o.stateDir), o.role);
  const rec = recordAt(file);
  const vips = o.vips.length ? o.vips : (rec?.vips ?? []);
  if (vips.length === 0) throw new UsageError(`no --vip given and no setup recorded in ${file}`, { hint: 'pass the VIPs to check with --vip ADDR' });
  const mode: Mode = o.mode ?? rec?.mode ?? (o.role === 'director' ? 'dr' : 'dr');
  const iface = o.iface ?? rec?.iface;
  if (o.role === 'director' && !iface) throw new UsageError('director status needs --iface IF', {});
  let checks: Check[] = [];
  const sysctl = new Sysctl();
  await withRtnl(async (nl) => {
    const req = { role: o.role, mode, iface, vips };
    try {
      const snap = await snapshot(nl, sysctl, neededSysctls(req, parseVips(vips, o.role)), []);
      checks = checkStatus(req, snap);
    } catch (e) {
      toHactl(e);
    }
  });
  const report: StatusReport = { role: o.role, mode, iface, vips, ok: checks.every((c) => c.ok), recorded: !!rec, checks };
  if (o.json) o.out(JSON.stringify(report, null, 2));
  else {
    o.out(`${o.role === 'realserver' ? 'real server' : 'director'} (${mode})${iface ? ` on ${iface}` : ''}, VIPs ${vips.join(', ')}${rec ? '' : ' (no setup recorded)'}`);
    for (const c of checks) o.out(`  ${c.ok ? 'ok     ' : 'MISSING'}  ${c.what}: ${c.have}${c.ok ? '' : ` (want ${c.want})`}`);
    const bad = checks.filter((c) => !c.ok).length;
    o.out(bad ? `${bad} problem(s)` : 'all set');
  }
  return report.ok ? 0 : 1;
}

export interface TeardownOptions extends CommonOptions {
  dryRun: boolean;
}

export async function runTeardown(o: TeardownOptions): Promise<number> {
  if (!o.dryRun) requireRoot(`hactl arp ${o.role}-teardown`);
  const file = statePath(stateDir(o.stateDir), o.role);
  const rec = recordAt(file);
  if (!rec) {
    o.out(`nothing recorded in ${file}: nothing to tear down`);
    return 0;
  }
  const r = rec;
  const sysctl = new Sysctl();
  return withRtnl(async (nl) => {
    const files = r.files.map((f) => f.path);
    const snap = await snapshot(nl, sysctl, recordSysctls(r), files, (r.symlinks ?? []).map((l) => l.path));
    const plan = planTeardown(r, snap);
    if (o.dryRun) {
      o.out(plan.length ? `would apply ${plan.length} change(s) in this order:` : 'nothing to undo (would only remove the state file)');
      for (const [i, c] of plan.entries()) o.out(`  ${i + 1}. ${describe(c)}`);
      return 0;
    }
    let applied: Change[] = [];
    try {
      applied = await applyPlan(plan, systemOps(nl, sysctl), o.warn);
    } catch (e) {
      toHactl(e);
    }
    removeRecord(file);
    o.out(`undid ${applied.length} change(s):`);
    for (const [i, c] of applied.entries()) o.out(`  ${i + 1}. ${describe(c)}`);
    return 0;
  });
}
