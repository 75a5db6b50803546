/**
 * Cross-object validation of a built model: the checks keepalived 2.2.7 makes
 * after parsing (missing VRID, no VIP, strict-mode conflicts, AH with MASTER,
 * unknown track scripts, empty sync groups, fwmark with protocol, ...) and the
 * extra rules hactl adds (duplicate VIPs, identical virtual servers, VRID
 * clashes, undefined references, mixed families, nopreempt with MASTER,
 * unicast_peer with a prefix, auth_pass > 8, empty config). Pure.
 */
import { DiagnosticList } from './diagnostics';
import type { Diagnostic, KeepalivedConfig, Pos, VirtualServer, VsGroupEntry } from './model';

function push(diags: Diagnostic[], pos: Pos, severity: 'error' | 'warning', message: string, rule: string): void {
  diags.push({ file: pos.file, line: pos.line, col: pos.col, severity, message, rule });
}

export function vsKey(vs: VirtualServer): string {
  if (vs.fwmark !== undefined) return `fwmark ${vs.fwmark}${vs.ip_family ? ` ${vs.ip_family}` : ''}`;
  if (vs.group !== undefined) return `group ${vs.group}`;
  return `${vs.address?.address ?? '?'} ${vs.port ?? 0} ${vs.protocol ?? 'TCP'}`;
}

/** `topCount`: how many top-level statements the files had (0: empty config). */
const NO_ENTRIES: readonly VsGroupEntry[] = [];

/** How keepalived names a virtual server in its messages. */
function vsLabel(vs: VirtualServer): string {
  return vs.fwmark !== undefined ? `FWM ${vs.fwmark}` : vs.group !== undefined ? `group ${vs.group}` : `${vs.address?.text ?? '?'}:${vs.port ?? 0}`;
}

/**
 * `preChecked`: the virtual servers' findings when they were already checked
 * one by one while reading (lean lint, see Builder.lean), appended in place of
 * the per-virtual-server checks.
 */
export function validate(cfg: KeepalivedConfig, topCount: number, diags: Diagnostic[], preChecked?: DiagnosticList): void {
  const g = cfg.global_defs;
  if (topCount === 0 && cfg.files.length > 0) {
    push(diags, { file: cfg.files[0], line: 1, col: 1 }, 'warning', 'empty configuration: no keyword at all (keepalived would run with nothing to do)', 'empty-config');
  }
  const scripts = new Map(cfg.vrrp_scripts.map((s) => [s.name, s]));
  const trackFiles = new Set(cfg.track_files.map((s) => s.name));
  const processes = new Set(cfg.vrrp_track_processes.filter((s) => s.process).map((s) => s.name));
  const bfds = new Set(cfg.extra.filter((e) => e.keyword === 'bfd_instance').map((e) => e.args[0]));
  const instances = new Map(cfg.vrrp_instances.map((i) => [i.name, i]));

  // Duplicate names.
  const dupNames = <T extends { name: string; pos: Pos }>(list: T[], what: string) => {
    const seen = new Map<string, T>();
    for (const x of list) {
      const p = seen.get(x.name);
      if (p) push(diags, x.pos, 'error', `${what} ${x.name} already defined at ${p.pos.file}:${p.pos.line}`, 'duplicate-name');
      else seen.set(x.name, x);
    }
  };
  dupNames(cfg.vrrp_instances, 'vrrp instance');
  dupNames(cfg.vrrp_scripts, 'vrrp_script');
  dupNames(cfg.vrrp_sync_groups, 'vrrp sync group');
  dupNames(cfg.virtual_server_groups, 'virtual_server_group');

  for (const p of cfg.vrrp_track_processes) {
    if (!p.process) push(diags, p.end ?? p.pos, 'error', `track process '${p.name}' process name not specified`, 'script-missing');
  }
  for (const s of cfg.vrrp_scripts) {
    if (!s.script || s.script.argv.length === 0) push(diags, s.end ?? s.pos, 'error', `No script set for vrrp_script ${s.name} - removing`, 'script-missing');
  }

  const usedScripts = new Set<string>();
  const vipSeen = new Map<string, { pos: Pos; inst: string }>();
  const vridSeen = new Map<string, { pos: Pos; inst: string }>();

  // keepalived reads global_defs first: a global lvs_sync_daemon is there before any instance's
  let lvsSyncIf = g.lvs_sync_daemon?.interface;
  for (const inst of cfg.vrrp_instances) {
    const n = inst.name;
    if (inst.lvs_sync_daemon_interface !== undefined) {
      // vrrp_parser.c vrrp_lvs_syncd_handler: the first one wins
      if (lvsSyncIf !== undefined) {
        push(diags, inst.at.lvs_sync_daemon_interface ?? inst.pos, 'warning', `(${n}) lvs_sync_daemon_interface has already been specified as ${lvsSyncIf} - ignoring`, 'lvs-sync-daemon-twice');
      } else lvsSyncIf = inst.lvs_sync_daemon_interface;
    }
    const strict = inst.strict_mode ?? g.vrrp.strict;
    const version = inst.version ?? g.vrrp.version ?? 2;
    if (inst.virtual_router_id === undefined) push(diags, inst.pos, 'error', `(${n}) the virtual router id must be set`, 'vrid-missing');
    if (inst.virtual_ipaddress.length === 0) {
      push(diags, inst.pos, 'error', `(${n}) No VIP specified; at least one is sensible`, 'no-vip');
    }
    if (!inst.interface && !g.default_interface) {
      push(diags, inst.pos, 'error', `(${n}) Unknown interface! (no 'interface' in the instance and no default_interface in global_defs)`, 'no-interface');
    }
    if (inst.authentication) {
      const a = inst.authentication;
      if (strict) push(diags, a.pos, 'error', `(${n}) Strict mode does not support authentication. Ignoring.`, 'strict-auth');
      else if (version === 3) push(diags, a.pos, 'error', `(${n}) VRRP version 3 does not support authentication. Ignoring.`, 'auth-v3');
      if (a.auth_pass !== undefined && a.auth_pass.length > 8) {
        push(diags, a.at.auth_pass ?? a.pos, 'warning', `(${n}) auth_pass is ${a.auth_pass.length} characters; keepalived truncates it to 8 ('${a.auth_pass.slice(0, 8)}'), which must match the peers`, 'auth-pass-length');
      }
      if (a.auth_pass === undefined) push(diags, a.pos, 'error', `(${n}) Authentication specified but no password given. Ignoring`, 'auth-pass-missing');
      if (a.auth_type === 'AH' && inst.state === 'MASTER') {
        push(diags, inst.at.state ?? inst.pos, 'error', `(${n}) Initial state master is incompatible with AH authentication - clearing`, 'ah-master');
      }
    }
    if (strict && inst.state === 'MASTER' && (inst.priority ?? 100) !== 255) {
      push(diags, inst.at.state ?? inst.pos, 'error', `(${n}) State MASTER must match being address owner (strict mode needs priority 255)`, 'strict-master');
    }
    if (strict && inst.unicast_peer.length > 0) push(diags, inst.at.unicast_peer ?? inst.pos, 'error', `(${n}) Strict mode does not support unicast peers`, 'strict-unicast');
    // keepalived vrrp_complete_instance: only values set on the instance are reported, and reset (a
    // warning: keepalived -t exits 5, the daemon runs with the value reset)
    if (strict) {
      const reset: [keyof typeof inst.at, boolean, string][] = [
        ['garp_lower_prio_repeat', !!inst.garp_lower_prio_repeat, 'Strict mode requires no repeat garps. resetting'],
        ['garp_lower_prio_delay', !!inst.garp_lower_prio_delay, 'Strict mode requires no repeat garp delay. resetting'],
        ['lower_prio_no_advert', inst.lower_prio_no_advert === false, 'Strict mode requires no lower priority advert. resetting'],
        ['higher_prio_send_advert', inst.higher_prio_send_advert === true, 'strict mode requires higher_prio_send_advert to be clear. resetting'],
      ];
      for (const [k, bad, msg] of reset) if (bad) push(diags, inst.at[k] ?? inst.pos, 'warning', `(${n}) ${msg}`, 'strict-lower-prio');
    }
    if (strict && inst.accept === true && version === 2) {
      push(diags, inst.at.accept ?? inst.pos, 'warning', `(${n}) warning - accept mode for VRRP version 2 does not comply with RFC3768 - resetting`, 'strict-accept');
    }
    if (inst.nopreempt && inst.preempt_delay !== undefined) {
      push(diags, inst.at.preempt_delay ?? inst.pos, 'warning', `(${n}) preempt_delay is incompatible with nopreempt mode - resetting`, 'preempt-delay-nopreempt');
    }
    if (strict && inst.virtual_ipaddress[0]?.family === 'inet6' && !/^fe[89ab]/.test(inst.virtual_ipaddress[0].address.address)) {
      push(diags, inst.virtual_ipaddress[0].pos, 'error', `(${n}) the first IPv6 VIP address must be link local (strict mode)`, 'strict-ipv6-link-local');
    }
    if (inst.nopreempt && inst.priority === 255) {
      // keepalived 2.2.7 (vrrp.c vrrp_complete_instance): an address owner always takes over
      push(diags, inst.at.nopreempt ?? inst.pos, 'warning', `(${n}) nopreempt is incompatible with priority 255. resetting nopreempt`, 'nopreempt-owner');
    }
    if (inst.nopreempt && inst.state === 'MASTER') {
      push(diags, inst.at.nopreempt ?? inst.pos, 'warning', `(${n}) nopreempt will not work with initial state MASTER - clearing`, 'nopreempt-master');
    }
    if (inst.advert_int !== undefined && version === 2 && !Number.isInteger(inst.advert_int)) {
      push(diags, inst.at.advert_int ?? inst.pos, 'warning', `(${n}) VRRPv2 advertisement interval ${inst.advert_int}s must be an integer. rounding`, 'advert-int');
    }
    for (const p of inst.unicast_peer) {
      if (p.address.prefix !== undefined) push(diags, p.pos, 'warning', `(${n}) unicast_peer ${p.address.text} has a prefix length; a peer is one address (write ${p.address.address})`, 'unicast-peer-prefix');
    }
    // Families: the instance takes the family of the first address it sees (VIP or source address).
    const firsts = [inst.virtual_ipaddress[0], inst.unicast_src_ip && { pos: inst.at.unicast_src_ip ?? inst.pos, family: inst.unicast_src_ip.family }, inst.mcast_src_ip && { pos: inst.at.mcast_src_ip ?? inst.pos, family: inst.mcast_src_ip.family }]
      .filter((x): x is { pos: Pos; family: 'inet' | 'inet6' } => !!x)
      .sort((a, b) => (a.pos.file === b.pos.file ? a.pos.line - b.pos.line || a.pos.col - b.pos.col : 0));
    const fam = inst.native_ipv6 ? 'inet6' : firsts[0]?.family;
    const ipvlan = inst.extra.find((e) => e.keyword === 'use_ipvlan');
    if (ipvlan && fam !== 'inet6' && !ipvlan.args.some((w) => /^\d+\.\d+\.\d+\.\d+(\/\d+)?$/.test(w)))
      push(diags, ipvlan.pos, 'warning', `(${n}) IPv4 ipvlan requires a source ip address to be configured. setting instance to fault state`, 'ipvlan');
    for (const k of ['unicast_src_ip', 'mcast_src_ip'] as const) {
      const a = inst[k];
      if (a && fam && a.family !== fam) {
        push(diags, inst.at[k] ?? inst.pos, 'error', `Configuration error: VRRP instance[${n}] and src address[${a.text}] MUST be of the same family !!! Skipping...`, 'mixed-family');
      }
    }
    for (const v of inst.virtual_ipaddress) {
      if (fam && v.family !== fam) push(diags, v.pos, 'error', `(${n}): address family must match VRRP instance [${v.address.text}] - ignoring (use virtual_ipaddress_excluded for the other family)`, 'mixed-family');
    }
    for (const p of inst.unicast_peer) {
      if (fam && p.address.family !== fam) push(diags, p.pos, 'error', `(${n}) unicast_peer ${p.address.text} is not of the instance's address family`, 'mixed-family');
    }
    if (inst.unicast_peer.length === 0) {
      // (keepalived 2.2.7 says nothing of unicast_fault_no_peer without peers)
      // (an empty `unicast_peer { }` counts too, also when @id lines removed every peer)
      const uk = ['unicast_peer', 'unicast_src_ip', 'unicast_ttl', 'old_unicast_checksum', 'check_unicast_src'].find((k) => inst.at[k]);
      if (uk) push(diags, inst.at[uk]!, 'error', `(${n}) A unicast keyword (${uk}) has been specified without any unicast peers. Defaulting to multicast. This usage is deprecated`, 'unicast-no-peer');
    }
    for (const t of inst.track_interface) {
      if (t.name === inst.interface) push(diags, t.pos, 'warning', `(${n}) Ignoring track_interface ${t.name} since own interface`, 'track-own-interface');
    }
    vipsPerAdvert(inst, fam, version, diags);
    // Duplicate VIPs (within and across instances).
    for (const v of [...inst.virtual_ipaddress, ...inst.virtual_ipaddress_excluded]) {
      const key = `${v.address.address}/${v.prefix}${v.dev ? `%${v.dev}` : ''}`;
      const prev = vipSeen.get(key);
      if (prev) push(diags, v.pos, 'warning', `duplicate VIP ${v.address.text} (also at ${prev.pos.file}:${prev.pos.line} in ${prev.inst})`, 'duplicate-vip');
      else vipSeen.set(key, { pos: v.pos, inst: n });
    }
    // VRID clash on one interface.
    if (inst.virtual_router_id !== undefined && inst.interface) {
      const fam = inst.virtual_ipaddress[0]?.family ?? 'inet';
      const key = `${inst.interface}/${inst.virtual_router_id}/${fam}/${inst.unicast_peer.length ? 'u' : 'm'}`;
      const prev = vridSeen.get(key);
      if (prev) {
        push(diags, inst.at.virtual_router_id ?? inst.pos, 'error', `(${n}) virtual_router_id ${inst.virtual_router_id} on ${inst.interface} is already used by ${prev.inst} (${prev.pos.file}:${prev.pos.line})`, 'vrid-clash');
      } else vridSeen.set(key, { pos: inst.at.virtual_router_id ?? inst.pos, inst: n });
    }
    // References.
    for (const t of inst.track_script) {
      usedScripts.add(t.name);
      if (!scripts.has(t.name)) push(diags, t.pos, 'error', `(${n}) track script ${t.name} not found, ignoring...`, 'undefined-reference');
      else if (!scripts.get(t.name)!.script) push(diags, t.pos, 'error', `(${n}) track script ${t.name} not found, ignoring...`, 'undefined-reference');
    }
    for (const t of inst.track_file) if (!trackFiles.has(t.name)) push(diags, t.pos, 'error', `(${n}) track file ${t.name} not found, ignoring...`, 'undefined-reference');
    for (const t of inst.track_process) if (!processes.has(t.name)) push(diags, t.pos, 'error', `(${n}) track process ${t.name} not found, ignoring...`, 'undefined-reference');
    for (const t of inst.track_bfd) if (!bfds.has(t.name)) push(diags, t.pos, 'error', `(${n}) track bfd ${t.name} not found, ignoring...`, 'undefined-reference');
    for (const r of inst.virtual_routes) {
      if (!r.dev && !r.words.includes('no_track') && r.type !== 'blackhole' && r.type !== 'unreachable' && r.type !== 'prohibit') {
        push(diags, r.pos, 'warning', `cannot track route ${r.to?.text ?? '?'} with no interface specified, not tracking`, 'route-no-interface');
      } else if (!r.dev && !r.words.includes('no_track')) {
        push(diags, r.pos, 'warning', `cannot track route ${r.to?.text ?? '?'} with no interface specified, not tracking`, 'route-no-interface');
      }
    }
  }
  untrackedStaticRoutes(cfg, diags);
  for (const sg of cfg.vrrp_sync_groups) {
    for (const t of sg.track_script) usedScripts.add(t.name);
    let found = 0;
    for (const m of sg.group) {
      if (!instances.has(m.name)) push(diags, m.pos, 'error', `Virtual router ${m.name} specified in sync group ${sg.name} doesn't exist - ignoring`, 'undefined-reference');
      else found++;
    }
    if (found === 0) push(diags, sg.pos, 'error', `Sync group ${sg.name} has no virtual router(s). removing`, 'sync-group-empty');
    else if (found === 1) push(diags, sg.pos, 'warning', `Sync group ${sg.name} has only 1 virtual router(s) - this probably isn't what you want`, 'sync-group-single');
    // a vrrp_script without a script line is removed before the sync group looks it up
    for (const t of sg.track_script)
      if (!scripts.get(t.name)?.script?.argv.length) push(diags, t.pos, 'error', `(${sg.name}) track script ${t.name} not found, ignoring...`, 'undefined-reference');
    trackedTwice(sg, instances, diags);
    for (const t of sg.track_file) if (!trackFiles.has(t.name)) push(diags, t.pos, 'error', `(${sg.name}) track file ${t.name} not found, ignoring...`, 'undefined-reference');
  }
  // Instances in more than one sync group.
  const inGroup = new Map<string, string>();
  for (const sg of cfg.vrrp_sync_groups) {
    const here = new Set<string>();
    for (const m of sg.group) {
      const prev = inGroup.get(m.name);
      if (prev && prev !== sg.name) push(diags, m.pos, 'error', `vrrp instance ${m.name} is already in sync group ${prev}`, 'sync-group-member');
      // listed twice in one group: keepalived drops the whole group
      else if (here.has(m.name)) push(diags, m.pos, 'error', `Virtual router ${m.name} cannot exist in more than one sync group; ignoring ${sg.name}`, 'sync-group-member');
      here.add(m.name);
      inGroup.set(m.name, sg.name);
    }
  }
  // keepalived: weighted tracking inside a sync group is ignored (unless sync_group_tracking_weight).
  for (const sg of cfg.vrrp_sync_groups) {
    if (sg.sync_group_tracking_weight) continue;
    for (const m of sg.group) {
      const inst = instances.get(m.name);
      if (!inst) continue;
      for (const t of inst.track_script) {
        const w = t.weight ?? scripts.get(t.name)?.weight ?? 0;
        if (w !== 0 && scripts.has(t.name)) push(diags, t.pos, 'warning', `(${inst.name}) ignoring tracked script ${t.name} with weights due to SYNC group`, 'sync-group-weight');
      }
      for (const t of inst.track_interface) {
        if ((t.weight ?? 0) !== 0) push(diags, t.pos, 'warning', `(${inst.name}) ignoring weight of tracked interface ${t.name} due to SYNC group`, 'sync-group-weight');
      }
    }
  }
  if (g.lvs_sync_daemon?.instance && !instances.has(g.lvs_sync_daemon.instance)) {
    push(diags, g.lvs_sync_daemon.pos, 'warning', `lvs_sync_daemon: vrrp instance ${g.lvs_sync_daemon.instance} is not defined (keepalived accepts this silently)`, 'undefined-reference');
  }

  // Virtual servers (already checked one by one while reading in lean mode).
  if (preChecked) {
    if (diags instanceof DiagnosticList) diags.absorb(preChecked);
    else diags.push(...preChecked.finish());
    return;
  }
  const st: VsCheckState = {
    cfg,
    vsGroups: new Set(cfg.virtual_server_groups.map((x) => x.name)),
    trackFiles,
    bfds,
    vsSeen: new Map<string, VirtualServer>(),
  };
  for (const vs of cfg.virtual_servers) checkVirtualServer(vs, st, diags);
}

/** keepalived's DEFAULT_MTU: the MTU offline lint assumes for the instance's interface. */
const ADVERT_MTU = 1500;

/**
 * vrrp.c vrrp_complete_instance: the VIPs that fit in one advert (ethernet + IP + VRRP header,
 * VRRPv2 authentication data, AH), at most 255 (the count field is 8 bits); the rest become eVIPs.
 * keepalived uses the interface's MTU; hactl assumes 1500.
 */
export function maxVipsPerAdvert(family: 'inet' | 'inet6', version: number, ah: boolean, mtu = ADVERT_MTU): number {
  const ether = 14;
  const vrrpHdr = 8;
  const hdr = family === 'inet' ? ether + 20 + vrrpHdr + (version === 2 ? 8 + (ah ? 24 : 0) : 0) : ether + 40 + vrrpHdr;
  return Math.min(255, Math.floor((mtu - hdr) / (family === 'inet' ? 4 : 16)));
}

function vipsPerAdvert(inst: KeepalivedConfig['vrrp_instances'][number], fam: 'inet' | 'inet6' | undefined, version: number, diags: Diagnostic[]): void {
  const family = fam ?? 'inet';
  const vips = inst.virtual_ipaddress.filter((v) => v.family === family);
  const max = maxVipsPerAdvert(family, version, inst.authentication?.auth_type === 'AH');
  if (vips.length <= max) return;
  push(
    diags,
    vips[max].pos,
    'warning',
    `(${inst.name}) Number of VIPs (${vips.length}) exceeds maximum/space available in packet (max ${max} addresses) - excess moved to eVIPs (from ${vips[max].address.text} on; hactl assumes a ${ADVERT_MTU}-byte MTU)`,
    'vips-per-advert',
  );
}

/**
 * vrrp.c add_vrrp_to_interface: an interface a sync group tracks that a member instance tracks too
 * (its track_interface, or its own interface unless dont_track_primary).
 */
function trackedTwice(sg: KeepalivedConfig['vrrp_sync_groups'][number], instances: ReadonlyMap<string, KeepalivedConfig['vrrp_instances'][number]>, diags: Diagnostic[]): void {
  if (sg.track_interface.length === 0) return;
  const groupIfs = new Set(sg.track_interface.map((t) => t.name));
  for (const m of sg.group) {
    const inst = instances.get(m.name);
    if (!inst) continue;
    const seen = new Set<string>();
    const own = inst.interface && !inst.dont_track_primary ? [{ name: inst.interface, pos: inst.at.interface ?? inst.pos }] : [];
    for (const t of [...own, ...inst.track_interface]) {
      if (!groupIfs.has(t.name) || seen.has(t.name)) continue;
      seen.add(t.name);
      push(diags, t.pos, 'warning', `(${inst.name}) track_interface ${t.name} is configured on VRRP instance and sync group. Remove vrrp instance or sync group config`, 'track-interface-twice');
    }
  }
}

/** What the checks of one virtual server need from the rest of the config. */
export interface VsCheckState {
  cfg: KeepalivedConfig;
  vsGroups: ReadonlySet<string>;
  trackFiles: ReadonlySet<string>;
  bfds: ReadonlySet<string>;
  /** First virtual server seen per vsKey (duplicates). */
  vsSeen: Map<string, VirtualServer>;
}

/** The checks of one virtual server, in validate's order. */
export function checkVirtualServer(vs: VirtualServer, st: VsCheckState, diags: Diagnostic[], key = vsKey(vs)): void {
  const { vsGroups, trackFiles, bfds, vsSeen } = st;
  if (vs.fwmark !== undefined && vs.protocol !== undefined) {
    push(diags, vs.at.protocol ?? vs.pos, 'warning', `Warning: Virtual server ${vsLabel(vs)}: protocol specified for fwmark - protocol will be ignored`, 'fwmark-protocol');
  }
  if (vs.group !== undefined && !vsGroups.has(vs.group)) push(diags, vs.pos, 'error', `Virtual server group ${vs.group} specified but not configured`, 'undefined-reference');
  const groupEntries = vs.group !== undefined ? (st.cfg.virtual_server_groups.find((x) => x.name === vs.group)?.entries ?? NO_ENTRIES) : NO_ENTRIES;
  const allFwmark = groupEntries.length > 0 && groupEntries.every((e) => e.fwmark !== undefined);
  if (vs.fwmark === undefined && !allFwmark && vs.protocol === undefined) {
    push(diags, vs.pos, 'warning', `Virtual server ${vsLabel(vs)}: no protocol set - keepalived defaults to UDP (add 'protocol TCP')`, 'vs-defaults');
  }
  if (vs.lb_algo === undefined) push(diags, vs.pos, 'warning', `Virtual server ${vsLabel(vs)}: no scheduler set (lb_algo), keepalived uses 'wlc'`, 'vs-defaults');
  if (vs.lb_kind === undefined) push(diags, vs.pos, 'warning', `Virtual server ${vsLabel(vs)}: no forwarding method set (lb_kind), keepalived uses NAT`, 'vs-defaults');
  if (vs.real_servers.length === 0 && !vs.sorry_server) push(diags, vs.pos, 'error', `Virtual server ${vsLabel(vs)} has no real servers - ignoring`, 'vs-no-real-server');
  if (vs.real_servers.length > 0) {
    // keepalived 2.2.7 lowers an unreachable quorum (default 1) to the total weight, with a warning.
    const total = vs.real_servers.reduce((sum, rs) => sum + (rs.weight ?? 1), 0);
    const quorum = vs.quorum ?? 1;
    if (quorum > total) {
      push(diags, vs.at.quorum ?? vs.pos, 'warning', `Warning - quorum ${quorum} for ${vsLabel(vs)} exceeds total weight of real servers ${total}, reducing quorum to ${total}`, 'vs-quorum');
    }
  }
  if (vs.ops && (vs.protocol === 'TCP' || vs.protocol === 'SCTP')) {
    push(diags, vs.at.ops ?? vs.pos, 'warning', `Virtual server ${vsLabel(vs)}: one packet scheduling requires UDP - resetting`, 'vs-ops');
  }
  if (vs.hysteresis !== undefined && vs.hysteresis >= (vs.quorum ?? 1)) {
    push(diags, vs.at.hysteresis ?? vs.pos, 'warning', `Virtual server ${vsLabel(vs)}: hysteresis ${vs.hysteresis} >= quorum ${vs.quorum ?? 1}; setting hysteresis to 0`, 'vs-quorum');
  }
  const persistent = vs.persistence_timeout !== undefined || !!vs.at.persistence_timeout;
  if (vs.address && vs.port === 0 && !persistent) {
    push(diags, vs.pos, 'error', `Virtual server ${vsLabel(vs)}: zero port only valid for persistent services (add persistence_timeout)`, 'vs-port-zero');
  }
  // A group entry without a port has port 0 (keepalived: "Virtual server [VSG_1]:0: zero port only valid
  // for persistent services - setting", and for DR/TUN "ports don't match" with a real server's port).
  const zeroEntry = groupEntries.find((ge) => ge.fwmark === undefined && !ge.port);
  if (vs.group !== undefined && zeroEntry && !persistent) {
    push(
      diags,
      vs.pos,
      'error',
      `Virtual server group ${vs.group}: entry ${zeroEntry.address?.text ?? ''} has port 0 (no port given); zero port only valid for persistent services (add persistence_timeout or a port)`,
      'vs-port-zero',
    );
  }
  if (vs.lb_kind === 'DR' || vs.lb_kind === 'TUN') {
    for (const ge of groupEntries) {
      if (ge.fwmark !== undefined) continue;
      const gp = ge.port ?? 0;
      for (const rs of vs.real_servers) {
        if (rs.port && rs.port !== gp) push(diags, rs.pos, 'error', `virtual server group ${vs.group} entry ${ge.address?.text}:${gp} and real server ${rs.address.text}:${rs.port} ports don't match (${vs.lb_kind} cannot change the port)`, 'dr-port');
      }
    }
  }
  if ((vs.lb_kind === 'DR' || vs.lb_kind === 'TUN') && vs.port) {
    for (const rs of vs.real_servers) {
      if (rs.port !== undefined && rs.port !== vs.port) push(diags, rs.pos, 'error', `virtual server ${vsLabel(vs)} and real server ${rs.address.text}:${rs.port} ports don't match (${vs.lb_kind} cannot change the port) - resetting`, 'dr-port');
    }
  }
  const prev = vsSeen.get(key);
  if (prev && prev !== vs) {
    const same = JSON.stringify(stripPos(vs)) === JSON.stringify(stripPos(prev));
    push(
      diags,
      vs.pos,
      'warning',
      same ? `virtual_server ${vsLabel(vs)} is identical to the one at ${prev.pos.file}:${prev.pos.line}` : `virtual_server ${vsLabel(vs)} is defined twice (also at ${prev.pos.file}:${prev.pos.line}); keepalived accepts both`,
      same ? 'duplicate-virtual-server' : 'duplicate-virtual-server',
    );
  } else if (!prev) vsSeen.set(key, vs);
  const vsgFwmark = vs.group !== undefined && st.cfg.virtual_server_groups.some((g) => g.name === vs.group && g.entries.some((e) => e.fwmark !== undefined));
  if ((vs.fwmark !== undefined || vsgFwmark) && (vs.lb_kind === 'DR' || vs.lb_kind === 'TUN')) {
    for (const rs of vs.real_servers) {
      if (rs.port) push(diags, rs.pos, 'warning', `WARNING - fwmark virtual server ${vsLabel(vs)}, real server ${rs.address.text} has port specified - port will be ignored`, 'fwmark-rs-port');
    }
  }
  const rss = vs.real_servers;
  // Few real servers (the usual case): compare pairwise instead of building keys.
  const rsSeen = rss.length > 8 ? new Map<string, Pos>() : null;
  for (let r = 0; r < rss.length; r++) {
    const rs = rss[r];
    let p: Pos | undefined;
    if (rsSeen) {
      const k = `${rs.address.address}:${rs.port ?? vs.port ?? 0}`;
      p = rsSeen.get(k);
      if (!p) rsSeen.set(k, rs.pos);
    } else {
      const port = rs.port ?? vs.port ?? 0;
      for (let q = 0; q < r; q++) {
        if (rss[q].address.address === rs.address.address && (rss[q].port ?? vs.port ?? 0) === port) {
          p = rss[q].pos;
          break;
        }
      }
    }
    if (p) push(diags, rs.pos, 'warning', `real_server ${rs.address.text} ${rs.port ?? ''} appears twice in virtual_server ${vsLabel(vs)} (also at line ${p.line})`, 'duplicate-real-server');
    for (const c of rs.checkers) {
      const at = c.end ?? c.pos;
      if ((c.kind === 'HTTP_GET' || c.kind === 'SSL_GET') && c.url.length === 0) push(diags, at, 'error', 'HTTP/SSL_GET checker has no urls specified - ignoring (keepalived 2.2.7 may crash on this)', 'checker-incomplete');
      for (const u of c.url) if (u.path === undefined) push(diags, u.end ?? u.pos, 'error', 'HTTP/SSL_GET checker url has no path - ignoring', 'checker-incomplete');
      if (c.url.length > 0 && c.url.every((u) => u.path === undefined)) push(diags, at, 'error', 'HTTP/SSL_GET checker has no urls specified - ignoring', 'checker-incomplete');
      if (c.kind === 'MISC_CHECK' && !c.misc_path?.argv.length) push(diags, at, 'error', 'No script path has been specified for MISC_CHECKER - skipping', 'checker-incomplete');
      if (c.kind === 'FILE_CHECK' && !c.track_file) push(diags, at, 'error', 'FILE_CHECK has no track_file specified - ignoring', 'checker-incomplete');
      if (c.kind === 'FILE_CHECK' && c.track_file && !trackFiles.has(c.track_file)) {
        push(diags, c.at.track_file ?? c.pos, 'error', `FILE_CHECK: track_file ${c.track_file} is not defined`, 'undefined-reference');
        push(diags, at, 'error', 'FILE_CHECK has no track_file specified - ignoring', 'checker-incomplete');
      }
      if (c.kind === 'BFD_CHECK' && c.name_bfd && !bfds.has(c.name_bfd)) {
        push(diags, c.at.name ?? c.pos, 'error', `BFD_CHECK - BFD ${c.name_bfd} not configured`, 'undefined-reference');
      }
      if (c.kind === 'BFD_CHECK' && !c.name_bfd) push(diags, at, 'error', 'No name has been specified for BFD_CHECKER - skipping', 'checker-incomplete');
    }
    if (!vs.address && rss[0] && rs.address.family !== rss[0].address.family && vs.lb_kind !== 'TUN') {
      // A virtual_server group or fwmark has no family of its own in keepalived 2.2.7: its first real server
      // gives it one (whatever the group's entries are), and a real server of the other family is
      // dropped, reported at the end of its block (check_parser.c / check_data.c).
      push(diags, rs.end ?? rs.pos, 'error', `Address family of virtual server and real server ${rs.address.text} don't match - skipping real server.`, 'mixed-family');
    }
    if (vs.address && rs.address.family !== vs.address.family && vs.lb_kind !== 'TUN') {
      // keepalived checks at the end of the real_server block and names that line
      push(
        diags,
        rs.end ?? rs.pos,
        'error',
        `Address family of virtual server and real server ${rs.address.text} don't match - skipping real server. (real_server at line ${rs.pos.line}; virtual_server ${vsLabel(vs)} is ${vs.address.family === 'inet' ? 'IPv4' : 'IPv6'})`,
        'mixed-family',
      );
    }
  }
  if (vs.sorry_server && vs.address && vs.sorry_server.address.family !== vs.address.family) {
    push(diags, vs.sorry_server.pos, 'error', `sorry_server ${vs.sorry_server.address.text} is not of the same address family as virtual_server ${vsLabel(vs)}`, 'mixed-family');
  }
}

function stripPos(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v, (k, val) => (k === 'pos' || k === 'at' || k === 'line' || k === 'col' || k === 'file' ? undefined : val)));
}

/**
 * keepalived 2.2.7 vrrp_iproute.c alloc_route: a route that is tracked (no `no_track`) needs an
 * interface; static_routes are tracked like an instance's virtual_routes, so the same warning.
 */
function untrackedStaticRoutes(cfg: KeepalivedConfig, diags: Diagnostic[]): void {
  for (const r of cfg.static_routes)
    if (!r.dev && !r.words.includes('no_track')) push(diags, r.pos, 'warning', `cannot track route ${r.to?.text ?? '?'} with no interface specified, not tracking`, 'route-no-interface');
}
