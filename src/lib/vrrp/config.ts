/**
 * The VRRP daemon's own configuration types, and the mapping from the typed
 * keepalived.conf model (src/lib/conf/model.ts). Pure: no I/O.
 */
import type { FifoOwner, KeepalivedConfig, ScriptRef, TrackRef, VirtualIp, VrrpInstance, VrrpTrackProcess } from '../conf/model';
import { defaultScriptUser, scriptUserFor } from '../proc/user';
import type { Auth, Family, VrrpVersion } from './packet';
import { type ParamMatch, QUORUM_UNLIMITED, type TrackProcessConfig } from './track-process';

export type { TrackProcessConfig } from './track-process';

export interface VipConfig {
  /** address without prefix */
  address: string;
  prefix: number;
  family: Family;
  dev?: string;
  label?: string;
  scope?: string;
  brd?: string;
  noprefixroute?: boolean;
  nodad?: boolean;
}

/** Where a VIP of `cfg` goes: its own `dev`, else the use_vmac interface, else the instance's. */
export function vipPlacement(cfg: Pick<InstanceConfig, 'vmac' | 'interface'>, v: VipConfig): VipConfig {
  if (!cfg.vmac || (v.dev && v.dev !== cfg.interface)) return v;
  return { ...v, dev: cfg.vmac, label: undefined };
}

/** no_accept applies (keepalived: not the address owner, no `accept`): MASTER's VIPs go in the nftables set. */
export function noAccept(c: Pick<InstanceConfig, 'accept' | 'priority'>): boolean {
  return !c.accept && c.priority < 255;
}

export interface RouteConfig {
  dst: string;
  gw?: string;
  dev?: string;
  src?: string;
  table?: number;
  metric?: number;
  scope?: string;
  type?: 'unicast' | 'local' | 'blackhole' | 'unreachable' | 'prohibit' | 'throw';
}

export interface RuleConfig {
  family: Family;
  from?: string;
  to?: string;
  table?: number;
  priority?: number;
  iif?: string;
  oif?: string;
  fwmark?: number;
}

export interface TrackRefConfig {
  name: string;
  /** undefined: the tracked object's own weight (scripts/files) or 0 (interfaces) */
  weight?: number;
  reverse: boolean;
}

export interface Command {
  argv: string[];
  user?: string;
  group?: string;
}

export interface NotifyConfig {
  master?: Command;
  backup?: Command;
  fault?: Command;
  stop?: Command;
  generic?: Command;
  /** notify_master_rx_lower_pri: run (no arguments) when a MASTER receives a lower-priority advert */
  masterRxLowerPri?: Command;
  /** notify_deleted's script: run (no arguments) when a reload deletes the instance */
  deleted?: Command;
  /** notify_deleted given: a reload that deletes the instance notifies DELETED instead of FAULT */
  sendDeleted?: boolean;
}

export interface InstanceConfig {
  name: string;
  interface: string;
  vrid: number;
  version: VrrpVersion;
  family: Family;
  priority: number;
  initialState?: 'MASTER' | 'BACKUP';
  intervalCs: number;
  preempt: boolean;
  preemptDelayMs: number;
  accept: boolean;
  auth: Auth;
  vips: VipConfig[];
  excludedVips: VipConfig[];
  routes: RouteConfig[];
  rules: RuleConfig[];
  unicastPeers: string[];
  /** unicast_ttl (with unicast peers): the TTL / hop limit of our adverts; unset: IPv4 255, IPv6 the kernel's default (keepalived 2.2.7) */
  unicastTtl?: number;
  /**
   * check_unicast_src (or global vrrp_check_unicast_src), unicast instances: an advert must come from
   * a unicast_peer, with a TTL / hop limit in its min_ttl..max_ttl (default 0..255). Without it
   * keepalived 2.2.7 accepts a unicast advert from any source (vrrp_check_packet).
   */
  checkUnicastSrc?: boolean;
  /** per-peer TTL range (check_unicast_src), in unicastPeers' order */
  unicastPeerTtl?: { minTtl: number; maxTtl: number }[];
  unicastSrcIp?: string;
  mcastSrcIp?: string;
  /** skip_check_adv_addr (or global vrrp_skip_check_adv_addr): a BACKUP does not check the addresses of its master's adverts */
  skipCheckAdvAddr?: boolean;
  /** macvlan name when use_vmac is set */
  vmac?: string;
  vmacXmitBase: boolean;
  /** promote_secondaries: set on the VIPs' interface while running, restored at exit (keepalived). */
  promoteSecondaries?: boolean;
  garpMasterDelayMs: number;
  garpMasterRepeat: number;
  garpMasterRefreshMs: number;
  garpMasterRefreshRepeat: number;
  /** garp_lower_prio_delay (ms): second GARP/NA burst after a lower-priority advert; default garpMasterDelayMs */
  garpLowerPrioDelayMs?: number;
  /** garp_lower_prio_repeat: GARPs/NAs sent at once on a lower-priority advert (0: none); default garpMasterRepeat */
  garpLowerPrioRepeat?: number;
  /** lower_prio_no_advert: as MASTER, do not answer a lower-priority advert (default false, true in strict mode) */
  lowerPrioNoAdvert?: boolean;
  /** higher_prio_send_advert: as MASTER, send one advert before yielding to a higher priority */
  higherPrioSendAdvert?: boolean;
  trackInterfaces: TrackRefConfig[];
  trackScripts: TrackRefConfig[];
  trackFiles: TrackRefConfig[];
  /** track_process (vrrp_track_process names); absent: none */
  trackProcesses?: TrackRefConfig[];
  dontTrackPrimary: boolean;
  notify: NotifyConfig;
}

export interface ScriptConfig {
  name: string;
  command: Command;
  intervalMs: number;
  timeoutMs: number;
  weight: number;
  reverse: boolean;
  rise: number;
  fall: number;
  initFail: boolean;
}

export interface TrackFileConfig {
  name: string;
  path: string;
  weight: number;
  reverse: boolean;
}

export interface SyncGroupConfig {
  name: string;
  members: string[];
  notify: NotifyConfig;
}

export interface DaemonConfig {
  routerId?: string;
  instances: InstanceConfig[];
  scripts: ScriptConfig[];
  trackFiles: TrackFileConfig[];
  /** vrrp_track_process blocks; absent: none */
  trackProcesses?: TrackProcessConfig[];
  syncGroups: SyncGroupConfig[];
  /** A FIFO path the daemon writes notify lines to (tests; the configuration gives `notifyFifos`). */
  notifyFifo?: string;
  /** notify_fifo and vrrp_notify_fifo with their scripts (src/lib/notify/fifo.ts opens them). */
  notifyFifos?: NotifyFifoConfig[];
  scriptUser?: { user: string; group?: string };
  enableScriptSecurity: boolean;
  /** global_defs vrrp_priority: nice value of the VRRP process (-20..19) */
  processPriority?: number;
  /** global_defs vrrp_rt_priority: SCHED_RR priority (1..99) of the advert sender thread */
  realtimePriority?: number;
}

export interface NotifyFifoConfig {
  path: string;
  what: 'notify_fifo' | 'vrrp_notify_fifo';
  /** *_fifo_script: run once with the FIFO's path as its last argument */
  script?: Command;
  /** `notify_fifo PATH user [group]`: owner of a FIFO the daemon creates */
  owner?: { user: string; group?: string };
}

export interface MapProblem {
  where: string;
  message: string;
}

/** Does a user / group name exist here (getpwnam/getgrnam)? Injected: fromModel does no I/O. */
export interface UserProbe {
  userExists(name: string): boolean;
  groupExists(name: string): boolean;
}

function cmd(r: ScriptRef | undefined): Command | undefined {
  if (!r || r.argv.length === 0) return undefined;
  return { argv: [...r.argv], user: r.user, group: r.group };
}

function vip(v: VirtualIp): VipConfig {
  return {
    address: v.address.address,
    prefix: v.prefix,
    family: v.family === 'inet6' ? 6 : 4,
    dev: v.dev,
    label: v.label,
    scope: v.scope,
    brd: v.brd,
    noprefixroute: v.noprefixroute,
    // IPv6 VIPs are added without DAD unless the entry says otherwise: a VIP
    // moving to a new master must be usable at once
    nodad: v.nodad || undefined,
  };
}

const ROUTE_TYPES = new Set(['unicast', 'local', 'blackhole', 'unreachable', 'prohibit', 'throw']);

function tableNumber(t: string | undefined): number | undefined {
  if (t === undefined) return undefined;
  if (/^\d+$/.test(t)) return Number(t);
  return { main: 254, local: 255, default: 253 }[t];
}

type GlobalVrrp = KeepalivedConfig['global_defs']['vrrp'];

/**
 * keepalived 2.2.7 (vrrp_complete_instance): garp_lower_prio_{delay,repeat}
 * fall back to the global vrrp_garp_lower_prio_* and then to the global
 * vrrp_garp_master_{delay,repeat} (never the instance's garp_master_*);
 * lower_prio_no_advert defaults to vrrp_lower_prio_no_advert and
 * higher_prio_send_advert to vrrp_higher_prio_send_advert. Strict mode forces
 * lower_prio_no_advert on, higher_prio_send_advert off and no lower-priority
 * GARPs, whatever is configured (keepalived -t: "Strict mode requires ... resetting").
 * Seen on the wire in test/integration/vrrp-lowprio.test.ts.
 */
function lowerPrio(
  i: VrrpInstance,
  gv: GlobalVrrp,
): Pick<InstanceConfig, 'garpLowerPrioDelayMs' | 'garpLowerPrioRepeat' | 'lowerPrioNoAdvert' | 'higherPrioSendAdvert'> {
  const strict = i.strict_mode ?? gv.strict;
  const delayS = strict ? 0 : (i.garp_lower_prio_delay ?? gv.garp_lower_prio_delay ?? gv.garp_master_delay ?? 5);
  return {
    garpLowerPrioDelayMs: Math.round(delayS * 1000),
    garpLowerPrioRepeat: strict ? 0 : (i.garp_lower_prio_repeat ?? gv.garp_lower_prio_repeat ?? gv.garp_master_repeat ?? 5),
    lowerPrioNoAdvert: strict ? true : (i.lower_prio_no_advert ?? gv.lower_prio_no_advert ?? false),
    higherPrioSendAdvert: strict ? false : (i.higher_prio_send_advert ?? gv.higher_prio_send_advert ?? false),
  };
}

/** Map the keepalived.conf model to the daemon configuration. */
export function fromModel(model: KeepalivedConfig, ids?: UserProbe): { config: DaemonConfig; problems: MapProblem[]; notes: string[] } {
  const problems: MapProblem[] = [];
  /** What keepalived also drops or ignores and the daemon should say once at start. */
  const notes: string[] = [];
  const g = model.global_defs;
  // keepalived 2.2.7 (notify_script_init): a script whose user or group does not exist is ignored, never run
  // as the daemon's own user
  const missingId = (user: string | undefined, group: string | undefined): string | undefined => {
    if (!ids) return undefined;
    if (user && !ids.userExists(user)) return `user ${user} does not exist`;
    if (group && !ids.groupExists(group)) return `group ${group} does not exist`;
    return undefined;
  };
  // keepalived's default script user (src/lib/proc/user)
  const su = defaultScriptUser(g, ids ? (n) => ids.userExists(n) : undefined);
  const script = (r: ScriptRef | undefined, what: string): Command | undefined => {
    const c = cmd(r);
    if (!c || !r) return c;
    const u = scriptUserFor(c, su);
    c.user = u?.user;
    c.group = u?.group;
    const why = missingId(c.user, c.group);
    if (!why) return c;
    notes.push(`${r.pos.file}:${r.pos.line}: Invalid user/group for ${what} script ${c.argv[0]} - ignoring (${why}; keepalived does not run it either)`);
    return undefined;
  };
  const gv = g.vrrp;
  const instances: InstanceConfig[] = [];
  const where = (i: VrrpInstance) => `${i.pos.file}:${i.pos.line}: vrrp_instance ${i.name}`;
  for (const i of model.vrrp_instances) {
    if (!i.interface) {
      problems.push({ where: where(i), message: 'no `interface`' });
      continue;
    }
    if (i.virtual_router_id === undefined) {
      problems.push({ where: where(i), message: 'no `virtual_router_id`' });
      continue;
    }
    const version: VrrpVersion = i.version ?? gv.version ?? 2;
    const v4 = i.virtual_ipaddress.filter((v) => v.family === 'inet');
    const v6 = i.virtual_ipaddress.filter((v) => v.family === 'inet6');
    const family: Family = v4.length === 0 && v6.length > 0 ? 6 : 4;
    if (family === 6 && version === 2) problems.push({ where: where(i), message: 'IPv6 virtual addresses need `version 3`' });
    let auth: Auth = { type: 'none' };
    if (i.authentication && version === 2) {
      if (i.authentication.auth_type === 'AH') {
        problems.push({ where: where(i), message: 'auth_type AH is not supported by hactl (obsolete IPsec AH): use PASS or no authentication' });
      } else if (i.authentication.auth_type === 'PASS') {
        auth = { type: 'pass', password: (i.authentication.auth_pass ?? '').slice(0, 8) };
      }
    }
    const advert = i.advert_int ?? 1;
    const intervalCs = version === 2 ? Math.max(1, Math.round(advert)) * 100 : Math.max(1, Math.min(4095, Math.round(advert * 100)));
    const priority = i.priority ?? (i.state === 'MASTER' ? 100 : 100);
    const mainVips = family === 6 ? v6 : v4;
    // addresses of the other family go in the excluded list (not advertised), like keepalived
    const other = family === 6 ? v4 : v6;
    const vmac = i.use_vmac === undefined ? undefined : i.use_vmac === true ? `vrrp.${i.virtual_router_id}` : i.use_vmac;
    instances.push({
      name: i.name,
      interface: i.interface,
      vrid: i.virtual_router_id,
      version,
      family,
      priority,
      initialState: i.state,
      intervalCs,
      preempt: !i.nopreempt,
      preemptDelayMs: Math.round((i.preempt_delay ?? 0) * 1000),
      accept: i.accept ?? !gv.strict,
      auth,
      vips: mainVips.map(vip),
      excludedVips: [...other.map(vip), ...i.virtual_ipaddress_excluded.map(vip)],
      routes: i.virtual_routes.map((r) => ({
        dst: r.to ? (r.to.prefix !== undefined ? `${r.to.address}/${r.to.prefix}` : r.to.address) : 'default',
        gw: r.via?.address,
        dev: r.dev,
        src: r.src?.address,
        table: tableNumber(r.table),
        metric: r.metric,
        scope: r.scope,
        type: r.type && ROUTE_TYPES.has(r.type) ? (r.type as RouteConfig['type']) : undefined,
      })),
      rules: i.virtual_rules.map((r) => ({
        family: (r.from ?? r.to)?.family === 'inet6' ? 6 : 4,
        from: r.from ? `${r.from.address}/${r.from.prefix ?? (r.from.family === 'inet6' ? 128 : 32)}` : undefined,
        to: r.to ? `${r.to.address}/${r.to.prefix ?? (r.to.family === 'inet6' ? 128 : 32)}` : undefined,
        table: tableNumber(r.table),
        priority: r.preference,
        iif: r.iif,
        oif: r.oif,
        fwmark: r.fwmark !== undefined ? Number(r.fwmark) : undefined,
      })),
      unicastPeers: i.unicast_peer.map((p) => p.address.address),
      unicastTtl: i.unicast_peer.length > 0 ? i.unicast_ttl : undefined,
      checkUnicastSrc: i.unicast_peer.length > 0 && (i.check_unicast_src || gv.check_unicast_src) ? true : undefined,
      unicastPeerTtl: i.unicast_peer.map((p) => ({ minTtl: p.min_ttl ?? 0, maxTtl: p.max_ttl ?? 255 })),
      unicastSrcIp: i.unicast_src_ip?.address,
      mcastSrcIp: i.mcast_src_ip?.address,
      // keepalived 2.2.7 sets the flag for `skip_check_adv_addr` with any valid value, `false` included
      skipCheckAdvAddr: i.skip_check_adv_addr || gv.skip_check_adv_addr || undefined,
      vmac,
      vmacXmitBase: i.vmac_xmit_base,
      promoteSecondaries: i.promote_secondaries || undefined,
      garpMasterDelayMs: Math.round((i.garp_master_delay ?? gv.garp_master_delay ?? 5) * 1000),
      garpMasterRepeat: i.garp_master_repeat ?? gv.garp_master_repeat ?? 5,
      garpMasterRefreshMs: Math.round((i.garp_master_refresh ?? gv.garp_master_refresh ?? 0) * 1000),
      garpMasterRefreshRepeat: i.garp_master_refresh_repeat ?? gv.garp_master_refresh_repeat ?? 1,
      ...lowerPrio(i, gv),
      trackInterfaces: i.track_interface.map((t) => ({ name: t.name, weight: t.weight, reverse: t.reverse })),
      trackScripts: i.track_script.map((t) => ({ name: t.name, weight: t.weight, reverse: t.reverse })),
      trackFiles: i.track_file.map((t) => ({ name: t.name, weight: t.weight, reverse: t.reverse })),
      trackProcesses: i.track_process.map((t) => ({ name: t.name, weight: t.weight, reverse: t.reverse })),
      dontTrackPrimary: i.dont_track_primary,
      notify: {
        master: script(i.notify_master, 'notify_master'),
        backup: script(i.notify_backup, 'notify_backup'),
        fault: script(i.notify_fault, 'notify_fault'),
        stop: script(i.notify_stop, 'notify_stop'),
        generic: script(i.notify, 'notify'),
        masterRxLowerPri: script(i.notify_master_rx_lower_pri, 'notify_master_rx_lower_pri'),
        deleted: script(i.notify_deleted, 'notify_deleted'),
        sendDeleted: i.notify_deleted_state || undefined,
      },
    });
  }
  // duplicate VRID on the same interface and family
  const seen = new Map<string, string>();
  for (const i of instances) {
    const k = `${i.interface}/${i.family}/${i.vrid}`;
    const prev = seen.get(k);
    if (prev) problems.push({ where: `vrrp_instance ${i.name}`, message: `VRID ${i.vrid} on ${i.interface} is also used by ${prev}` });
    seen.set(k, i.name);
  }
  const scripts: ScriptConfig[] = [];
  const droppedScripts = new Set<string>();
  for (const s of model.vrrp_scripts) {
    const c = cmd(s.script);
    if (!c) {
      problems.push({ where: `${s.pos.file}:${s.pos.line}: vrrp_script ${s.name}`, message: 'no `script`' });
      continue;
    }
    const u = scriptUserFor(s, su);
    c.user = u?.user;
    c.group = u?.group;
    if (c.user) {
      const why = missingId(c.user, c.group);
      if (why) {
        // keepalived drops the vrrp_script; its track_script entries are then "not found, ignoring"
        notes.push(`${s.pos.file}:${s.pos.line}: vrrp_script ${s.name} ignored: ${why} (keepalived drops it too; instances tracking it ignore it)`);
        droppedScripts.add(s.name);
        continue;
      }
    }
    const intervalMs = Math.round((s.interval ?? 1) * 1000);
    scripts.push({
      name: s.name,
      command: c,
      intervalMs,
      timeoutMs: s.timeout !== undefined ? Math.round(s.timeout * 1000) : intervalMs,
      weight: s.weight ?? 0,
      reverse: s.weight_reverse,
      rise: s.rise ?? 1,
      fall: s.fall ?? 1,
      initFail: s.init_fail,
    });
  }
  const trackFiles: TrackFileConfig[] = [];
  for (const f of model.track_files) {
    if (!f.file) {
      problems.push({ where: `${f.pos.file}:${f.pos.line}: track_file ${f.name}`, message: 'no `file`' });
      continue;
    }
    trackFiles.push({ name: f.name, path: f.file, weight: f.weight ?? 1, reverse: f.weight_reverse });
  }
  const trackProcesses: TrackProcessConfig[] = [];
  for (const p of model.vrrp_track_processes) {
    const tp = trackProcess(p);
    if (!tp) {
      problems.push({ where: `${p.pos.file}:${p.pos.line}: vrrp_track_process ${p.name}`, message: 'no `process`' });
      continue;
    }
    trackProcesses.push(tp);
  }
  const names = new Set(instances.map((i) => i.name));
  const syncGroups: SyncGroupConfig[] = model.vrrp_sync_groups.map((s) => {
    for (const m of s.group) if (!names.has(m.name)) problems.push({ where: `vrrp_sync_group ${s.name}`, message: `unknown instance ${m.name}` });
    return {
      name: s.name,
      members: s.group.map((m) => m.name).filter((n) => names.has(n)),
      notify: {
        master: script(s.notify_master, 'notify_master'),
        backup: script(s.notify_backup, 'notify_backup'),
        fault: script(s.notify_fault, 'notify_fault'),
        stop: script(s.notify_stop, 'notify_stop'),
        generic: script(s.notify, 'notify'),
      },
    };
  });
  // keepalived: members of a sync group ignore tracked objects with weights
  // unless the group sets sync_group_tracking_weight
  for (const g of model.vrrp_sync_groups) {
    if (g.sync_group_tracking_weight) continue;
    for (const i of instances) {
      if (!g.group.some((m) => m.name === i.name)) continue;
      i.trackScripts = i.trackScripts.filter((t) => (t.weight ?? scripts.find((s) => s.name === t.name)?.weight ?? 0) === 0);
      i.trackInterfaces = i.trackInterfaces.filter((t) => (t.weight ?? 0) === 0);
      i.trackFiles = i.trackFiles.filter((t) => (t.weight ?? trackFiles.find((f) => f.name === t.name)?.weight ?? 0) === 0);
      i.trackProcesses = i.trackProcesses?.filter((t) => (t.weight ?? trackProcesses.find((f) => f.name === t.name)?.weight ?? 0) === 0);
    }
  }
  // A sync group's own track_interface/script/file/process apply to every member, weights
  // included (keepalived 2.2.7: a group tracking `ok10` (weight 10) lifts each member by 10).
  for (const g of model.vrrp_sync_groups) {
    const refs = (l: TrackRef[]) => l.map((t) => ({ name: t.name, weight: t.weight, reverse: t.reverse }));
    const add = (to: TrackRefConfig[], from: TrackRef[]) => {
      for (const t of refs(from)) if (!to.some((x) => x.name === t.name)) to.push(t);
    };
    for (const i of instances) {
      if (!g.group.some((m) => m.name === i.name)) continue;
      add(i.trackInterfaces, g.track_interface);
      add(i.trackScripts, g.track_script);
      add(i.trackFiles, g.track_file);
      i.trackProcesses ??= [];
      add(i.trackProcesses, g.track_process);
    }
  }
  for (const i of instances) {
    i.trackScripts = i.trackScripts.filter((t) => !droppedScripts.has(t.name));
    for (const t of i.trackScripts)
      if (!scripts.some((s) => s.name === t.name)) problems.push({ where: `vrrp_instance ${i.name}`, message: `track_script ${t.name}: no such vrrp_script` });
    for (const t of i.trackFiles)
      if (!trackFiles.some((s) => s.name === t.name)) problems.push({ where: `vrrp_instance ${i.name}`, message: `track_file ${t.name}: no such track_file` });
    for (const t of i.trackProcesses ?? [])
      if (!trackProcesses.some((s) => s.name === t.name))
        problems.push({ where: `vrrp_instance ${i.name}`, message: `track_process ${t.name}: no such vrrp_track_process` });
  }
  // keepalived's VRRP process writes its lines to the global notify_fifo and to vrrp_notify_fifo
  const notifyFifos: NotifyFifoConfig[] = [];
  const fifoOf = (path: string | ScriptRef | undefined, what: NotifyFifoConfig['what'], sc: ScriptRef | undefined, owner: FifoOwner | undefined) => {
    const p = typeof path === 'string' ? path : path?.argv[0];
    if (!p || notifyFifos.some((f) => f.path === p)) return;
    notifyFifos.push({ path: p, what, script: script(sc, `${what}_script`), owner: owner ? { ...owner } : undefined });
  };
  fifoOf(g.notify_fifo, 'notify_fifo', g.notify_fifo_script, g.notify_fifo_owner);
  fifoOf(gv.notify_fifo, 'vrrp_notify_fifo', gv.notify_fifo_script, gv.notify_fifo_owner);
  return {
    config: {
      routerId: g.router_id,
      instances,
      scripts,
      trackFiles,
      trackProcesses,
      syncGroups,
      notifyFifos,
      scriptUser: scriptUserFor({}, su),
      enableScriptSecurity: g.enable_script_security,
      processPriority: gv.priority,
      realtimePriority: gv.rt_priority,
    },
    problems,
    notes,
  };
}

/**
 * keepalived 2.2.7 (vrrp_parser.c vrrp_tprocess_*): `process PATH [PARAMS...]`
 * with parameters implies full_command and exact parameter matching unless
 * param_match says otherwise; param_match implies full_command; quorum 1 and
 * quorum_max unlimited by default, quorum_max 0 (with quorum at most 1) means
 * "no such process" (quorum 0); a quorum_max below quorum is ignored; `delay`
 * sets fork_delay and terminate_delay, the specific keywords override it.
 * Returns undefined without `process`.
 */
export function trackProcess(p: VrrpTrackProcess): TrackProcessConfig | undefined {
  const words = (p.process ?? '').split(' ').filter((w) => w !== '');
  if (words.length === 0) return undefined;
  const params = words.length > 1 ? words.slice(1) : undefined;
  let paramMatch: ParamMatch = 'none';
  let fullCommand = p.full_command;
  // a bare `param_match` (the model has its position but no value) is exact, as keepalived
  const pm = p.param_match ?? (p.at?.param_match ? '' : undefined);
  if (pm !== undefined) {
    if (pm === '' || pm === 'exact') paramMatch = 'exact';
    else if (pm === 'initial' || pm === 'partial') paramMatch = pm;
    // keepalived: "Invalid param_match type" - ignored
    if (paramMatch !== 'none') fullCommand = true;
  }
  if (params) {
    if (paramMatch === 'none') paramMatch = 'exact';
    fullCommand = true;
  }
  let quorum = p.quorum ?? 1;
  let quorumMax = QUORUM_UNLIMITED;
  if (p.quorum_max !== undefined) {
    if (p.quorum_max === 0 && quorum <= 1) {
      quorumMax = 0;
      quorum = 0;
    } else if (p.quorum_max >= quorum) quorumMax = p.quorum_max;
  }
  const ms = (s: number | undefined) => (s === undefined || s <= 0 ? undefined : Math.max(1, Math.round(s * 1000)));
  const both = ms(p.delay);
  return {
    name: p.name,
    path: words[0],
    params,
    paramMatch,
    fullCommand,
    weight: p.weight ?? 0,
    reverse: p.weight_reverse,
    quorum,
    quorumMax,
    forkDelayMs: ms(p.fork_delay) ?? both ?? 0,
    terminateDelayMs: ms(p.terminate_delay) ?? both ?? 0,
  };
}

/** keepalived's notify arguments: TYPE NAME STATE PRIORITY. */
export function notifyArgs(type: 'INSTANCE' | 'GROUP', name: string, state: string, priority: number): string[] {
  return [type, name, state, String(priority)];
}

/** Instances whose definition changed in a way that needs a restart (not just a priority/tracking change). */
export function instanceKey(i: InstanceConfig): string {
  return `${i.interface}/${i.family}/${i.vrid}`;
}

/** True when two instance configs are identical. */
export function sameInstance(a: InstanceConfig, b: InstanceConfig): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
