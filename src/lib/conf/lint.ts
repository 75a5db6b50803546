/**
 * `hactl conf lint` core: load each file, add host checks (only with a
 * HostProbe, i.e. --host) and the script-security rule, optionally compare
 * the nodes of one cluster, and compute keepalived-compatible exit codes
 * (0 clean, 2 keepalived's parser abort, 4 fatal, 5 errors/warnings, 6 script-security violation).
 * Pure: the file reader and the host probe are injected.
 */
import { loadConfig } from './index';
import { type Diagnostic, type KeepalivedConfig, type ScriptUse, virtualServerScripts } from './model';
import type { FileReader } from './reader';
import { defaultScriptUser } from '../proc/user';
import { KEEPALIVED_CRASH_EXIT, asExtraNote, braceLessGlobalSecurity, cycleRedefinitions, isHactlOnly, keepalivedCrashes } from './keepalived-mode';

export interface HostProbe {
  interfaceExists(name: string): boolean;
  /** Is `program` (absolute, or a bare name searched in PATH) an existing executable? */
  programExists(program: string): boolean;
  /** Does this user exist (optional: unknown users are not reported without it)? */
  userExists?(name: string): boolean;
  groupExists?(name: string): boolean;
  /** How many CPUs this host has (cpu affinity ids must be below it). */
  cpuCount?(): number;
}

export interface LintOptions {
  files: string[];
  warningsOk?: boolean;
  configId?: string;
  cluster?: boolean;
  env?: Record<string, string | undefined>;
  reader?: FileReader;
  /** Present only with --host. */
  host?: HostProbe;
  /**
   * Lint only: virtual servers are checked as they are read and their real
   * servers are not kept (big configs: less memory, less GC). The findings
   * are the same; `models` stays empty for such files. Ignored with `cluster`.
   */
  lean?: boolean;
  /** A BGP announcement file (docs/bgp.md) checked against the files (each node's with `cluster`). */
  bgp?: string;
  /**
   * keepalived -t's verdict and exit code exactly (`--keepalived`): hactl's extra rules become
   * notes (keepalived-mode.ts), and keepalived's own quirks (its crash, exit 139) are followed.
   */
  keepalived?: boolean;
}

export interface LintResult {
  files: string[];
  diagnostics: Diagnostic[];
  exitCode: number;
  /** The models of the files (not of files linted `lean`). */
  models: KeepalivedConfig[];
}

const SYSTEM_DIRS = ['/bin/', '/sbin/', '/usr/bin/', '/usr/sbin/'];

export type { ScriptUse } from './model';

const NOTIFY_KEYS = ['notify_master', 'notify_backup', 'notify_fault', 'notify_stop', 'notify_deleted', 'notify_master_rx_lower_pri', 'notify'] as const;
const GROUP_NOTIFY_KEYS = ['notify_master', 'notify_backup', 'notify_fault', 'notify_stop', 'notify'] as const;

/**
 * `vsScripts`: the virtual servers' scripts when they were collected while
 * reading (lean lint: the model then has no real servers).
 */
export function allScripts(cfg: KeepalivedConfig, vsScripts?: readonly ScriptUse[]): ScriptUse[] {
  const out: ScriptUse[] = [];
  for (const s of cfg.vrrp_scripts) if (s.script) out.push({ ref: s.script, kind: 'track', vrrp: true });
  for (const i of cfg.vrrp_instances) for (const k of NOTIFY_KEYS) if (i[k]) out.push({ ref: i[k]!, kind: 'notify', vrrp: true });
  for (const g of cfg.vrrp_sync_groups) for (const k of GROUP_NOTIFY_KEYS) if (g[k]) out.push({ ref: g[k]!, kind: 'notify', vrrp: true });
  if (vsScripts) for (const u of vsScripts) out.push(u);
  else for (const vs of cfg.virtual_servers) virtualServerScripts(vs, out);
  return out;
}

function d(pos: { file: string; line: number; col: number }, severity: Diagnostic['severity'], message: string, rule: string): Diagnostic {
  return { file: pos.file, line: pos.line, col: pos.col, severity, message, rule };
}

/** Offline guess: programs in system directories (or bare command names) are taken to exist. */
function staticallyPresent(program: string): boolean {
  if (!program.includes('/')) return /^[A-Za-z0-9_.+-]+$/.test(program);
  return SYSTEM_DIRS.some((dir) => program.startsWith(dir));
}

/** keepalived's default script user is keepalived_script (enable_script_security) and that user does not exist here. */
function defaultUserMissing(cfg: KeepalivedConfig, host: HostProbe | undefined): boolean {
  const exists = host?.userExists;
  return defaultScriptUser(cfg.global_defs, exists && ((n) => exists.call(host, n)))?.missing === true;
}

type At = { file: string; line: number; col: number };

/**
 * With the default script user missing, where each process (VRRP, checker) first asks for it:
 * keepalived reports "Unable to set default user keepalived_script for script" there, once per
 * process (lib/notify.c get_default_script_user: later scripts fail silently), a config error.
 * Asking are the scripts without a user of their own: a vrrp_script (at its block's end), a notify
 * script (its line), a MISC_CHECK (its block's end).
 */
function firstDefaultUserAsk(cfg: KeepalivedConfig, scripts: readonly ScriptUse[]): { vrrp?: At; checker?: At } {
  const order = (a: At) => [cfg.files.indexOf(a.file), a.line, a.col];
  const before = (a: At, b: At | undefined) => {
    if (!b) return true;
    const [x, y] = [order(a), order(b)];
    return (x[0] - y[0] || x[1] - y[1] || x[2] - y[2]) < 0;
  };
  const first: { vrrp?: At; checker?: At } = {};
  for (const sc of cfg.vrrp_scripts) if (!sc.user && sc.script) {
    const at = sc.end ?? sc.script.pos;
    if (before(at, first.vrrp)) first.vrrp = at;
  }
  for (const u of scripts) {
    if (u.kind === 'track' || u.ref.user || u.ref.argv.length === 0) continue;
    const at = u.kind === 'check' ? (u.endPos ?? u.ref.pos) : u.ref.pos;
    const proc = u.vrrp ? 'vrrp' : 'checker';
    if (before(at, first[proc])) first[proc] = at;
  }
  return first;
}

const samePlace = (a: At, b: At | undefined) => !!b && a.file === b.file && a.line === b.line && a.col === b.col;

/** Returns which script families would make keepalived -t exit 6. */
function scriptChecks(cfg: KeepalivedConfig, host: HostProbe | undefined, diags: Diagnostic[], vsScripts?: readonly ScriptUse[]): { vrrp: boolean; checker: boolean } {
  const violation = { vrrp: false, checker: false };
  const secure = cfg.global_defs.enable_script_security;
  const noDefaultUser = defaultUserMissing(cfg, host);
  const scripts = allScripts(cfg, vsScripts);
  const firstAsk = noDefaultUser ? firstDefaultUserAsk(cfg, scripts) : {};
  for (const { ref, kind, vrrp, userPos, endPos } of scripts) {
    // a line keepalived cannot read is no script at all (said where it is built)
    if (ref.argv.length === 0) continue;
    const prog = ref.argv[0];
    // no user of its own and no default user (see interfaceChecks for vrrp_scripts): keepalived drops it
    if (noDefaultUser && !ref.user && kind !== 'track') {
      if (kind === 'check') {
        // the checker process says it once, at the end of its first MISC_CHECK block
        const at = endPos ?? ref.pos;
        if (samePlace(at, firstAsk.checker)) diags.push(d(at, 'error', 'Unable to set default user keepalived_script for script (checker process)', 'user-missing'));
        diags.push(d(at, 'error', `Unable to set default user for misc script '${prog}' - removing (add script_user to global_defs, or a user to the MISC_CHECK)`, 'user-missing'));
      }
      else {
        // the first script of its process to ask for the missing user makes keepalived report it (exit 5)
        if (samePlace(ref.pos, firstAsk[vrrp ? 'vrrp' : 'checker']))
          diags.push(d(ref.pos, 'error', `Unable to set default user keepalived_script for script (${vrrp ? 'VRRP' : 'checker'} process; add script_user to global_defs, or a user to this script)`, 'user-missing'));
        diags.push(d(ref.pos, 'note', `Failed to set default user for notify script ${prog} - ignoring: keepalived_script does not exist and there is no script_user`, 'user-missing'));
      }
      continue;
    }
    // keepalived drops a notify script whose user or group does not exist (LOG_INFO only, -t exits 0):
    // it is neither run nor checked for security
    const badUser = host && ref.user && host.userExists && !host.userExists(ref.user);
    const badGroup = host && !badUser && ref.group && host.groupExists && !host.groupExists(ref.group);
    if ((badUser || badGroup) && kind === 'check') {
      diags.push(d(userPos ?? ref.pos, 'error', `Failed to set uid/gid for misc checker script '${prog}' - removing (${badUser ? `user ${ref.user}` : `group ${ref.group}`} does not exist)`, 'user-missing'));
      continue;
    }
    if (badUser || badGroup) {
      diags.push(
        d(
          { file: ref.pos.file, line: ref.pos.line, col: ref.pos.col },
          'note',
          `Invalid user/group for ${kind} script ${prog} - ignoring: ${badUser ? `user ${ref.user}` : `group ${ref.group}`} does not exist, so keepalived never runs this script${ref.argv.length === 1 ? ` (quote "${prog} ${ref.user}${ref.group ? ` ${ref.group}` : ''}" if those are arguments)` : ''}`,
          'user-missing',
        ),
      );
      continue;
    }
    const exists = host ? host.programExists(prog) : staticallyPresent(prog);
    if (host && !exists) {
      if (kind === 'track') diags.push(d(ref.pos, 'error', `script '${prog}' not found or not executable: keepalived disables this track script`, 'script-not-found'));
      else diags.push(d(ref.pos, 'warning', `${kind === 'check' ? 'check' : 'notify'} script '${prog}' not found or not executable on this host`, 'script-not-found'));
      continue;
    }
    if (!host && !exists && kind === 'track' && !secure) {
      diags.push(
        d(ref.pos, 'warning', `track script '${prog}' runs without enable_script_security: keepalived -t exits 6 (SECURITY VIOLATION) where it exists, 5 where it does not`, 'script-security'),
      );
      continue;
    }
    // keepalived only starts (and checks) the VRRP process with instances, the checker with virtual servers.
    const runs = vrrp ? cfg.vrrp_instances.length > 0 : cfg.virtual_servers.length > 0;
    if (exists && !secure && runs) {
      if (vrrp) violation.vrrp = true;
      else violation.checker = true;
      diags.push(
        d(ref.pos, 'error', `SECURITY VIOLATION - scripts are being executed but script_security not enabled ('${prog}'); add enable_script_security to global_defs`, 'script-security'),
      );
    }
  }
  return violation;
}

/** Host checks of interfaces and users; returns true when a VRRP interface is missing (keepalived then stops validating VRRP). */
function interfaceChecks(cfg: KeepalivedConfig, host: HostProbe, diags: Diagnostic[], vsScripts?: readonly ScriptUse[]): boolean {
  const seen = new Set<string>();
  let missing = false;
  const check = (name: string | undefined, pos: { file: string; line: number; col: number }, what: string) => {
    if (!name || name === 'lo') return;
    if (host.interfaceExists(name)) return;
    missing = true;
    const key = `${name}@${pos.file}:${pos.line}`;
    if (seen.has(key)) return;
    seen.add(key);
    diags.push(d(pos, 'error', `WARNING - interface ${name} ${what === 'garp_group' ? 'specified for' : 'for'} ${what} doesn't exist`, 'interface-missing'));
  };
  for (const i of cfg.vrrp_instances) {
    check(i.interface, i.at.interface ?? i.pos, `vrrp_instance ${i.name}`);
    for (const t of i.track_interface) check(t.name, t.pos, `track_interface of ${i.name}`);
    for (const v of i.virtual_ipaddress) check(v.dev, v.pos, `ip address ${v.address.text}`);
    for (const r of i.virtual_routes) check(r.dev, r.pos, 'VROUTE');
  }
  for (const g of cfg.garp_groups) {
    check(g.interface, g.at.interface ?? g.pos, 'garp_group');
    for (const i of g.interfaces) check(i, g.at.interfaces ?? g.pos, 'garp_group');
  }
  for (const v of cfg.static_ipaddress) check(v.dev, v.pos, `ip address ${v.address.text}`);
  for (const r of cfg.static_routes) check(r.dev, r.pos, 'static route');
  const su = cfg.global_defs.script_user;
  if (su && host.userExists && !host.userExists(su.user)) diags.push(d(su.pos, 'error', `Error setting global script uid/gid: user ${su.user} does not exist`, 'user-missing'));
  else if (su?.group && host.groupExists && !host.groupExists(su.group)) diags.push(d(su.pos, 'error', `Error setting global script uid/gid: group ${su.group} does not exist`, 'user-missing'));
  // global_defs lines keepalived checks against the host
  for (const e of cfg.global_defs.extra) {
    if (/^(vrrp|checker|bfd)_cpu_affinity$/.test(e.keyword) && host.cpuCount) {
      const n = host.cpuCount();
      for (const w of e.args)
        if (/^\d+$/.test(w) && Number(w) >= n)
          diags.push(d(e.pos, 'error', `number '${w}' outside range [0, ${n - 1}]: Invalid cpu_id:${w} specified for ${e.keyword.split('_')[0]} process (this host has ${n} CPUs)`, 'range'));
    }
    // startup_script / shutdown_script SCRIPT [username [groupname]]
    if ((e.keyword === 'startup_script' || e.keyword === 'shutdown_script') && e.args[1] && host.userExists) {
      const [, user, group] = e.args;
      if (!host.userExists(user) || (group && host.groupExists && !host.groupExists(group)))
        diags.push(d(e.pos, 'error', `Invalid ${e.keyword.split('_')[0]} script: ${!host.userExists(user) ? `user ${user}` : `group ${group}`} does not exist`, 'user-missing'));
    }
  }
  // enable_script_security without script_user: keepalived runs scripts as keepalived_script and
  // drops those without a user of their own when that user does not exist
  const noDefaultUser = defaultUserMissing(cfg, host);
  const firstAsk = noDefaultUser ? firstDefaultUserAsk(cfg, allScripts(cfg, vsScripts)) : {};
  for (const s of cfg.vrrp_scripts) {
    if (!s.user && noDefaultUser && s.script) {
      // keepalived names the end of the vrrp_script block
      const at = s.end ?? s.script.pos;
      if (samePlace(at, firstAsk.vrrp)) diags.push(d(at, 'error', 'Unable to set default user keepalived_script for script (add script_user to global_defs, or create the user keepalived_script)', 'user-missing'));
      diags.push(d(at, 'error', `Unable to set default user for vrrp script ${s.name} - removing`, 'user-missing'));
      for (const o of [...cfg.vrrp_instances, ...cfg.vrrp_sync_groups])
        for (const t of o.track_script)
          if (t.name === s.name) diags.push(d(t.pos, 'error', `(${o.name}) track script ${s.name} not found, ignoring... (it has no user to run as)`, 'user-missing'));
      continue;
    }
    if (s.user && host.userExists && !host.userExists(s.user)) {
      diags.push(d(s.at.user ?? s.pos, 'error', `vrrp_script ${s.name}: user ${s.user} does not exist`, 'user-missing'));
      // keepalived drops such a script, so every reference to it is "not found"
      for (const o of [...cfg.vrrp_instances, ...cfg.vrrp_sync_groups])
        for (const t of o.track_script)
          if (t.name === s.name) diags.push(d(t.pos, 'error', `(${o.name}) track script ${s.name} not found, ignoring... (its user ${s.user} does not exist)`, 'user-missing'));
    }
  }
  return missing;
}

export function lint(opts: LintOptions): LintResult {
  const diagnostics: Diagnostic[] = [];
  const files: string[] = [];
  const models: KeepalivedConfig[] = [];
  let fatal = false;
  let security = false;
  for (const f of opts.files) {
    const r = loadConfig(f, { configId: opts.configId, env: opts.env, reader: opts.reader, lean: opts.lean && !opts.cluster && !opts.bgp });
    files.push(...(r.model.files.length ? r.model.files : [f]));
    const from = diagnostics.length;
    diagnostics.push(...r.diagnostics);
    if (r.fatal) {
      fatal = true;
      continue;
    }
    if (!r.lean) models.push(r.model);
    const v = scriptChecks(r.model, opts.host, diagnostics, r.vsScripts);
    const vrrpIfMissing = opts.host ? interfaceChecks(r.model, opts.host, diagnostics, r.vsScripts) : false;
    // keepalived stops validating VRRP after a missing interface, so VRRP scripts no longer count then.
    const secured = opts.keepalived && braceLessGlobalSecurity(diagnostics.slice(from));
    if (opts.keepalived) diagnostics.push(...cycleRedefinitions(r.model, diagnostics.slice(from)));
    if (!secured && (v.checker || (v.vrrp && !vrrpIfMissing))) security = true;
  }
  if (opts.cluster && models.length >= 2) diagnostics.push(...(require('./cluster') as typeof import('./cluster')).checkCluster(models));
  if (opts.bgp && !fatal) {
    files.push(opts.bgp);
    diagnostics.push(...bgpChecks(opts.bgp, models, !!opts.cluster, opts.reader));
  }
  // --keepalived: what keepalived -t does not count is shown, as a note
  if (opts.keepalived) {
    for (let i = 0; i < diagnostics.length; i++) if (diagnostics[i].severity !== 'note' && isHactlOnly(diagnostics[i])) diagnostics[i] = asExtraNote(diagnostics[i]);
  }
  let exitCode = 0;
  const counts = diagnostics.some((x) => x.rule !== 'file-unreadable' && x.severity !== 'note' && (x.severity === 'error' || !opts.warningsOk));
  if (fatal) exitCode = 4;
  if (counts) exitCode = 5;
  if (security) exitCode = 6;
  // keepalived 2.2.7 -t dies (SIGSEGV) on these after reporting them
  if (opts.keepalived && diagnostics.some(keepalivedCrashes)) exitCode = KEEPALIVED_CRASH_EXIT;
  // keepalived exits 2 at the first missing word it reads through strvec_slot (see build.ts NO_PARSER_ABORT).
  if (diagnostics.some((x) => x.rule === 'parser-abort')) exitCode = 2;
  // Stable order: by file (reading order), then line and column.
  const order = new Map(files.map((f, i) => [f, i]));
  const summaries = diagnostics.filter((x) => x.rule === 'too-many-diagnostics');
  const sorted = diagnostics
    .filter((x) => x.rule !== 'too-many-diagnostics')
    .map((x, i) => ({ x, i }))
    .sort((a, b) => (order.get(a.x.file) ?? 1e9) - (order.get(b.x.file) ?? 1e9) || a.x.line - b.x.line || a.x.col - b.x.col || a.i - b.i)
    .map((e) => e.x)
    // The same message at the same place (e.g. from a ~SEQ expansion) is reported once.
    .filter((x, i, a) => i === 0 || !(a[i - 1].line === x.line && a[i - 1].col === x.col && a[i - 1].file === x.file && a[i - 1].message === x.message));
  sorted.push(...summaries);
  return { files, diagnostics: capDiagnostics(sorted), exitCode, models };
}

/** The facts of a parsed keepalived.conf (conf lint). */
function bgpFacts(m: KeepalivedConfig): import('../bgp/check').ConfFacts {
  const groups = new Map(m.virtual_server_groups.map((g) => [g.name, g]));
  return {
    file: m.files[0] ?? '?',
    instances: m.vrrp_instances.map((i) => ({ name: i.name, vips: [...i.virtual_ipaddress, ...i.virtual_ipaddress_excluded].map((v) => v.address.address) })),
    virtualServers: m.virtual_servers.map((v) => {
      const proto = (v.protocol ?? 'TCP').toLowerCase();
      const vips =
        v.group !== undefined
          ? (groups.get(v.group)?.entries ?? []).flatMap((e) => (e.address ? lastOctetRange(e.address.address, e.range_end) : []))
          : v.address
            ? [v.address.address]
            : [];
      const id = v.group !== undefined ? `[${v.group}]:0` : v.fwmark !== undefined ? `FWM ${v.fwmark}` : `[${v.address?.address}]:${proto}:${v.port ?? 0}`;
      return { id, vips, sched: v.lb_algo ?? 'wlc', quorumSet: v.quorum !== undefined || v.hysteresis !== undefined };
    }),
    scripts: m.vrrp_scripts.map((s) => s.name),
  };
}

/** 192.0.2.1-3 -> 192.0.2.1, .2, .3 (IPv4; the BGP VIPs are IPv4 only, an IPv6 range stays its first address). */
function lastOctetRange(a: string, end: number | undefined): string[] {
  const m = /^(\d+\.\d+\.\d+\.)(\d+)$/.exec(a);
  if (end === undefined || !m) return [a];
  const out: string[] = [];
  for (let i = Number(m[2]); i <= Math.min(end, 255); i++) out.push(`${m[1]}${i}`);
  return out;
}

/**
 * `--bgp FILE`: the announcement file parsed (src/lib/bgp/settings.ts) and checked against each
 * model (src/lib/bgp/check.ts), with `cluster` across them too; diagnostics at the file's lines.
 */
function bgpChecks(file: string, models: KeepalivedConfig[], cluster: boolean, reader?: FileReader): Diagnostic[] {
  const d = (line: number, severity: 'error' | 'warning', message: string, rule: string): Diagnostic => ({ file, line, col: 1, severity, message, rule });
  const rd = reader ?? (require('./node-reader') as typeof import('./node-reader')).nodeReader;
  const r = rd.read(file, 1 << 20);
  if (!r.ok) return [d(0, 'error', `cannot read the BGP announcement file ${file}: ${r.message}`, 'file-unreadable')];
  const { parseSettings, SettingsError } = require('../bgp/settings') as typeof import('../bgp/settings');
  const chk = require('../bgp/check') as typeof import('../bgp/check');
  let s: import('../bgp/settings').BgpSettings;
  try {
    s = parseSettings(new TextDecoder().decode(r.data), file);
  } catch (e) {
    if (e instanceof SettingsError) return [d(e.line, 'error', e.reason, 'bgp-settings')];
    throw e;
  }
  const facts = models.map(bgpFacts);
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const f of facts)
    for (const p of chk.checkSettings(s, f)) {
      // the same finding on every node is reported once
      const key = `${p.line} ${p.rule} ${p.message}`;
      if (!seen.has(key)) out.push(d(p.line, p.severity, p.message, p.rule));
      seen.add(key);
    }
  if (cluster) for (const p of chk.checkClusterSettings(s, facts)) out.push(d(p.line, p.severity, p.message, p.rule));
  return out;
}

/** Bound the output: each message at most 400 characters (the count is capped per file by DiagnosticList). */
function capDiagnostics(list: Diagnostic[]): Diagnostic[] {
  for (const x of list) if (x.message.length > 400) x.message = `${x.message.slice(0, 200)}…(${x.message.length} characters)`;
  return list;
}
