/**
 * The VRRP blocks (keepalived's vrrp_parser.c): vrrp_instance, vrrp_sync_group, garp_group,
 * vrrp_script, vrrp_track_process, track_file, track_bfd references.
 * Part of the statement-tree builder (./build.ts holds the shared walk and the top level). Pure.
 */
import type {
  GarpGroup,
  SyncGroup,
  TrackFile,
  TrackRef,
  VrrpInstance,
  VrrpScript,
  VrrpTrackProcess,
} from './model';
import type { Stmt } from './parser';
import { parseInteger, parseIp, suggest } from './values';
import { NO_PREFIX, type Builder } from './build-common';
import { garpExtraIf } from './build-global';
import { vip, route, rule } from './build-static';

export function bfdInstance(bu: Builder, s: Stmt, name: string): void {
  const m = bu.walk(s.block ?? [], 'bfd_instance', `bfd_instance ${name}`);
  const nb = m.last('neighbor_ip') ?? m.last('neighbour_ip');
  if (!nb) {
    bu.d(s.close ?? s.pos, 'error', `Configuration error: BFD instance ${name} has no neighbor address set, disabling instance`, 'bfd-neighbor');
    return;
  }
  const r = parseIp(nb.value as string, NO_PREFIX);
  if (!r.ok) bu.d(bu.argPos(nb.stmt, 0), 'error', `Configuration error: BFD instance ${name} has malformed neighbor address ${nb.value}, ignoring instance`, 'address');
  const src = m.last('source_ip');
  if (src && !parseIp(src.value as string, NO_PREFIX).ok) bu.d(bu.argPos(src.stmt, 0), 'error', `Configuration error: BFD instance ${name} has malformed source address ${src.value}`, 'address');
}

export function trackRefs(bu: Builder, s: Stmt | undefined, what: string, min: number, max: number): TrackRef[] {
  const out: TrackRef[] = [];
  if (!s) return out;
  for (const e of s.block ?? []) {
    const ref: TrackRef = { pos: e.pos, name: e.keyword, reverse: false };
    const a = e.args;
    for (let i = 0; i < a.length; i++) {
      const p = { ...e.pos, col: a[i].col };
      if (a[i].text === 'weight') {
        const r = parseInteger(a[i + 1]?.text ?? '', min, max);
        if (r.ok) ref.weight = r.value;
        else bu.d(p, 'error', `${what} ${e.keyword} weight: ${r.message}`, 'range');
        i++;
      } else if (a[i].text === 'reverse') ref.reverse = true;
      else if (a[i].text === 'noreverse') ref.reverse = false;
      else bu.d(p, 'error', `unknown ${what} option '${a[i].text}' for ${e.keyword}`, 'unknown-option');
    }
    out.push(ref);
  }
  return out;
}

export function vrrpScript(bu: Builder, s: Stmt, name: string): VrrpScript {
  const n: VrrpScript = { pos: s.pos, at: {}, extra: [], name, weight_reverse: false, init_fail: false, end: s.close };
  const m = bu.walk(s.block ?? [], 'vrrp_script', `vrrp_script ${name}`, n);
  const last = (k: string) => m.last(k);
  // a bare `script` line changes nothing in keepalived: the last one with a command counts
  const sc = (m.get('script') ?? []).filter((o) => o.stmt.args.length > 0).pop();
  if (sc) n.script = bu.script(sc.stmt, false);
  const iv = last('interval');
  n.interval = iv?.value as number | undefined;
  if (iv && n.interval === 0) {
    // keepalived 2.2.7 (vrrp_parser.c): the script would run back to back; it takes 1 s instead
    bu.d(iv.stmt.pos, 'warning', `(${name}): vrrp script interval must be greater than 0, setting to 1`, 'script-interval');
    n.interval = 1;
  }
  n.timeout = last('timeout')?.value as number | undefined;
  const wt = last('weight');
  if (wt) {
    n.weight = wt.value as number | undefined;
    const rest = wt.stmt.args.slice(1);
    if (rest[0]?.text === 'reverse') n.weight_reverse = true;
    else if (rest[0] && rest[0].text !== 'noreverse') bu.d(bu.argPos(wt.stmt, 1), 'warning', `extra word after 'weight ${wt.stmt.args[0].text}': '${rest[0].text}'`, 'extra-args');
  }
  n.rise = last('rise')?.value as number | undefined;
  n.fall = last('fall')?.value as number | undefined;
  const u = last('user');
  if (u) {
    n.user = u.stmt.args[0]?.text;
    n.group = u.stmt.args[1]?.text;
  }
  n.init_fail = !!last('init_fail');
  return n;
}

export function trackProcess(bu: Builder, s: Stmt, name: string): VrrpTrackProcess {
  const n: VrrpTrackProcess = { pos: s.pos, at: {}, extra: [], name, weight_reverse: false, full_command: false, end: s.close };
  const m = bu.walk(s.block ?? [], 'vrrp_track_process', `vrrp_track_process ${name}`, n);
  const last = (k: string) => m.last(k);
  const p = last('process');
  if (p) n.process = (p.value as string[]).join(' ');
  const pm = last('param_match');
  if (pm) {
    const v = (pm.value as string[])[0] ?? 'exact';
    if (['exact', 'partial', 'initial'].includes(v)) n.param_match = v;
    else bu.d(bu.argPos(pm.stmt, 0), 'error', `Invalid param_match type ${v} - ignoring (exact|partial|initial)`, 'enum');
  }
  const wt = last('weight');
  if (wt) {
    n.weight = wt.value as number | undefined;
    n.weight_reverse = wt.stmt.args[1]?.text === 'reverse';
    const opt = wt.stmt.args[1];
    if (opt && opt.text !== 'reverse' && opt.text !== 'noreverse') bu.d(bu.argPos(wt.stmt, 1), 'error', `vrrp_track_process ${name} unknown weight option ${opt.text}`, 'unknown-option');
  }
  n.quorum = last('quorum')?.value as number | undefined;
  n.quorum_max = last('quorum_max')?.value as number | undefined;
  n.fork_delay = last('fork_delay')?.value as number | undefined;
  n.terminate_delay = last('terminate_delay')?.value as number | undefined;
  n.delay = last('delay')?.value as number | undefined;
  n.full_command = !!last('full_command');
  return n;
}

export function trackFile(bu: Builder, s: Stmt, name: string): TrackFile {
  const n: TrackFile = { pos: s.pos, at: {}, extra: [], name, weight_reverse: false };
  const m = bu.walk(s.block ?? [], 'track_file', `track_file ${name}`, n);
  const last = (k: string) => m.last(k);
  n.file = last('file')?.value as string | undefined;
  const wt = last('weight');
  if (wt) {
    n.weight = wt.value as number | undefined;
    n.weight_reverse = wt.stmt.args[1]?.text === 'reverse';
    const opt = wt.stmt.args[1];
    if (opt && opt.text !== 'reverse' && opt.text !== 'noreverse') bu.d(bu.argPos(wt.stmt, 1), 'error', `track_file ${name} unknown weight option ${opt.text}`, 'unknown-option');
  }
  const inf = last('init_file');
  if (inf) {
    const a = inf.stmt.args.map((t) => t.text);
    let v: number | undefined;
    let overwrite = false;
    for (let i = 0; i < a.length; i++) {
      if (a[i] === 'overwrite') overwrite = true;
      // a later number is taken silently as well (keepalived -t: `init_file 1 2` is fine)
      else if (/^-?\d+$/.test(a[i])) v = Number.parseInt(a[i], 10);
      else bu.d(bu.argPos(inf.stmt, i), 'error', `Unknown track file init option ${a[i]}`, 'unknown-option');
    }
    n.init_file = { value: v, overwrite, pos: inf.stmt.pos };
  }
  if (!n.file) bu.d(s.close ?? s.pos, 'error', `No file set for track_file ${name} - ignoring`, 'script-missing');
  return n;
}

export function syncGroup(bu: Builder, s: Stmt, name: string): SyncGroup {
  const n: SyncGroup = {
    pos: s.pos,
    at: {},
    extra: [],
    name,
    group: [],
    track_interface: [],
    track_script: [],
    track_file: [],
    track_process: [],
    global_tracking: false,
    sync_group_tracking_weight: false,
  };
  const m = bu.walk(s.block ?? [], 'vrrp_sync_group', `vrrp_sync_group ${name}`, n);
  const last = (k: string) => m.last(k);
  const g = m.get('group');
  if (g) {
    if (g.length > 1) bu.d(g[1].stmt.pos, 'warning', `Group list already specified for sync group ${name}`, 'duplicate-keyword');
    for (const e of g[0].stmt.block ?? []) {
      n.group.push({ name: e.keyword, pos: e.pos });
      for (const a of e.args) n.group.push({ name: a.text, pos: { ...e.pos, col: a.col } });
    }
  }
  n.track_interface = trackRefs(bu, last('track_interface')?.stmt, 'track_interface', -253, 253);
  n.track_script = trackRefs(bu, last('track_script')?.stmt, 'track_script', -253, 253);
  n.track_file = trackRefs(bu, last('track_file')?.stmt, 'track_file', -254, 254);
  n.track_process = trackRefs(bu, last('track_process')?.stmt, 'track_process', -254, 254);
  bu.deferUndefined(name, 'script', n.track_script);
  bu.deferUndefined(name, 'file', n.track_file);
  bu.deferUndefined(name, 'process', n.track_process);
  for (const k of ['notify_master', 'notify_backup', 'notify_fault', 'notify_stop', 'notify'] as const) {
    const x = last(k);
    if (x) n[k] = bu.script(x.stmt, true);
  }
  const sa = last('smtp_alert');
  if (sa) n.smtp_alert = sa.value !== false;
  n.global_tracking = !!last('global_tracking');
  n.sync_group_tracking_weight = !!last('sync_group_tracking_weight');
  return n;
}

export function garpGroup(bu: Builder, s: Stmt): GarpGroup {
  const n: GarpGroup = { pos: s.pos, at: {}, extra: [], interfaces: [] };
  const m = bu.walk(s.block ?? [], 'garp_group', 'garp_group', n);
  n.garp_interval = m.last('garp_interval')?.value as number | undefined;
  n.gna_interval = m.last('gna_interval')?.value as number | undefined;
  n.interface = m.last('interface')?.value as string | undefined;
  for (const e of m.last('interfaces')?.stmt.block ?? []) n.interfaces.push(e.keyword);
  return n;
}

export function vrrpInstance(bu: Builder, s: Stmt, name: string): VrrpInstance {
  const n: VrrpInstance = {
    pos: s.pos,
    at: {},
    extra: [],
    name,
    virtual_ipaddress: [],
    virtual_ipaddress_excluded: [],
    virtual_routes: [],
    virtual_rules: [],
    unicast_peer: [],
    track_interface: [],
    track_script: [],
    track_file: [],
    track_process: [],
    track_bfd: [],
    notify_deleted_state: false,
    nopreempt: false,
    preempt: false,
    vmac_xmit_base: false,
    dont_track_primary: false,
    native_ipv6: false,
    skip_check_adv_addr: false,
    promote_secondaries: false,
    check_unicast_src: false,
  };
  const where = `vrrp_instance ${name}`;
  const m = bu.walk(s.block ?? [], 'vrrp_instance', where, n);
  const last = (k: string) => m.last(k);
  const st = last('state');
  if (st) {
    const v = st.value as string;
    if (v === 'MASTER' || v === 'BACKUP') n.state = v;
    else {
      bu.d(bu.argPos(st.stmt, 0), 'error', `(${name}) unknown state '${v}', defaulting to BACKUP${suggest(v, ['MASTER', 'BACKUP']) ? `; did you mean '${suggest(v, ['MASTER', 'BACKUP'])}'?` : ''}`, 'enum');
      n.state = 'BACKUP';
    }
  }
  n.interface = last('interface')?.value as string | undefined;
  n.virtual_router_id = last('virtual_router_id')?.value as number | undefined;
  n.priority = last('priority')?.value as number | undefined;
  n.advert_int = last('advert_int')?.value as number | undefined;
  const ver = last('version');
  if (ver && ver.value !== undefined) n.version = ver.value as 2 | 3;
  const auth = last('authentication');
  if (auth) {
    const a: NonNullable<VrrpInstance['authentication']> = { pos: auth.stmt.pos, at: {} };
    const am = bu.walk(auth.stmt.block ?? [], 'authentication', `${where} authentication`);
    const at = am.last('auth_type');
    if (at) {
      a.at.auth_type = at.stmt.pos;
      const v = at.value as string;
      if (v === 'PASS' || v === 'AH') a.auth_type = v;
      else bu.d(bu.argPos(at.stmt, 0), 'error', `unknown authentication type '${v}' (PASS or AH)`, 'enum');
    }
    const ap = am.last('auth_pass');
    if (ap) {
      a.at.auth_pass = ap.stmt.pos;
      a.auth_pass = ap.value as string;
    }
    n.authentication = a;
  }
  for (const k of ['virtual_ipaddress', 'virtual_ipaddress_excluded'] as const) {
    for (const occ of m.get(k) ?? []) {
      for (const e of occ.stmt.block ?? []) {
        const v = vip(bu, e, k);
        if (v) n[k].push(v);
      }
    }
  }
  for (const occ of m.get('virtual_routes') ?? []) for (const e of occ.stmt.block ?? []) n.virtual_routes.push(route(bu, e));
  for (const occ of m.get('virtual_rules') ?? []) for (const e of occ.stmt.block ?? []) n.virtual_rules.push(rule(bu, e));
  for (const k of ['unicast_src_ip', 'mcast_src_ip'] as const) {
    const x = last(k);
    if (x) n[k] = bu.ip(x.stmt, 0, NO_PREFIX);
  }
  for (const occ of m.get('unicast_peer') ?? []) {
    for (const e of occ.stmt.block ?? []) {
      const r = parseIp(e.keyword);
      if (!r.ok) {
        bu.d(e.pos, 'error', `(${name}) unicast_peer: invalid IP address '${e.keyword}'`, 'address');
        continue;
      }
      const peer: VrrpInstance['unicast_peer'][number] = { pos: e.pos, address: r.value, words: [e.keyword, ...e.args.map((t) => t.text)] };
      for (let i = 0; i < e.args.length; i++) {
        const key = e.args[i].text;
        if (key === 'min_ttl' || key === 'max_ttl') {
          const v = parseInteger(e.args[i + 1]?.text ?? '', 0, 255);
          if (v.ok) peer[key] = v.value;
          else bu.d({ ...e.pos, col: e.args[i].col }, 'error', `unicast_peer ${key}: ${v.message}`, 'range');
          i++;
        } else bu.d({ ...e.pos, col: e.args[i].col }, 'error', `(${name}) unknown unicast_peer option '${key}'`, 'unknown-option');
      }
      n.unicast_peer.push(peer);
    }
  }
  n.track_interface = trackRefs(bu, last('track_interface')?.stmt, 'track_interface', -253, 253);
  n.track_script = trackRefs(bu, last('track_script')?.stmt, 'track_script', -253, 253);
  n.track_file = trackRefs(bu, last('track_file')?.stmt, 'track_file', -254, 254);
  n.track_process = trackRefs(bu, last('track_process')?.stmt, 'track_process', -254, 254);
  n.track_bfd = trackRefs(bu, last('track_bfd')?.stmt, 'track_bfd', -253, 253);
  bu.deferUndefined(name, 'script', n.track_script);
  bu.deferUndefined(name, 'file', n.track_file);
  bu.deferUndefined(name, 'process', n.track_process);
  n.nopreempt = !!last('nopreempt');
  n.preempt = !!last('preempt');
  n.preempt_delay = last('preempt_delay')?.value as number | undefined;
  const acc = last('accept');
  const nacc = last('no_accept');
  if (acc || nacc) {
    const accLine = acc ? acc.stmt.pos.line * 1e6 + acc.stmt.pos.col : -1;
    const naccLine = nacc ? nacc.stmt.pos.line * 1e6 + nacc.stmt.pos.col : -1;
    n.accept = accLine > naccLine;
  }
  const vm = last('use_vmac');
  if (vm) {
    const nm = (vm.value as string[])[0];
    n.use_vmac = nm ?? true;
    const more = (vm.value as string[])[1];
    if (more !== undefined) bu.d(bu.argPos(vm.stmt, 1), 'error', `VMAC interface name already specified ('${nm}'): '${more}' ignored`, 'extra-args');
    if (nm !== undefined && (nm.length > 15 || !/^[A-Za-z0-9_.:@-]+$/.test(nm) || nm === '.' || nm === '..')) {
      bu.d(bu.argPos(vm.stmt, 0), 'error', `VMAC interface name '${nm}' too long or invalid characters - ignoring (at most 15 characters)`, 'interface-name');
    }
  }
  const ifn = last('interface');
  if (ifn && ifn.value === 'lo') bu.d(bu.argPos(ifn.stmt, 0), 'error', `(${name}) cannot use a loopback interface (lo) for vrrp - ignoring`, 'interface-loopback');
  n.vmac_xmit_base = !!last('vmac_xmit_base');
  if (n.vmac_xmit_base && !vm) bu.d(last('vmac_xmit_base')!.stmt.pos, 'error', `(${name}) vmac_xmit_base is only valid with a vmac`, 'vmac');
  n.dont_track_primary = !!last('dont_track_primary');
  for (const k of [
    'garp_master_delay',
    'garp_master_repeat',
    'garp_master_refresh',
    'garp_master_refresh_repeat',
    'garp_lower_prio_delay',
    'garp_lower_prio_repeat',
    'debug',
  ] as const) {
    const x = last(k);
    if (x && x.value !== undefined) n[k] = x.value as number;
  }
  for (const k of ['lower_prio_no_advert', 'higher_prio_send_advert', 'smtp_alert', 'strict_mode'] as const) {
    const x = last(k);
    if (x && x.value !== undefined) n[k] = x.value as boolean;
  }
  for (const k of ['notify_master', 'notify_backup', 'notify_fault', 'notify_stop', 'notify_deleted', 'notify_master_rx_lower_pri', 'notify'] as const) {
    const x = last(k);
    if (x && x.stmt.args.length > 0) n[k] = bu.script(x.stmt, true);
  }
  // `notify_deleted` with or without a script: a deleted instance notifies DELETED instead of FAULT
  n.notify_deleted_state = !!last('notify_deleted');
  n.native_ipv6 = !!last('native_ipv6');
  n.skip_check_adv_addr = last('skip_check_adv_addr')?.value !== undefined;
  for (const k of ['garp_extra_if', 'vmac_garp_intvl']) {
    const st = last(k)?.stmt;
    if (st) garpExtraIf(bu, st, `(${name}) ${k}`);
  }
  const mdst = last('mcast_dst_ip');
  if (mdst?.stmt.args[0] && !parseIp(mdst.stmt.args[0].text, NO_PREFIX).ok)
    bu.d(bu.argPos(mdst.stmt, 0), 'error', `(${name}) malformed mcast dest address ${mdst.stmt.args[0].text}. Skipping...`, 'address');
  const vrf = last('vrf');
  if (vrf && last('interface')) bu.d(vrf.stmt.pos, 'warning', `(${name}) Cannot specify VRF interface and interface - ignoring`, 'vrf');
  n.promote_secondaries = !!last('promote_secondaries');
  n.unicast_ttl = last('unicast_ttl')?.value as number | undefined;
  n.check_unicast_src = !!last('check_unicast_src');
  n.lvs_sync_daemon_interface = last('lvs_sync_daemon_interface')?.value as string | undefined;
  bu.keepExtras(m, n, TYPED_VRRP);
  return n;
}

export const TYPED_VRRP: Record<string, true> = Object.fromEntries(
  [
    'state',
    'interface',
    'virtual_router_id',
    'priority',
    'advert_int',
    'version',
    'authentication',
    'virtual_ipaddress',
    'virtual_ipaddress_excluded',
    'virtual_routes',
    'virtual_rules',
    'unicast_src_ip',
    'mcast_src_ip',
    'unicast_peer',
    'track_interface',
    'track_script',
    'track_file',
    'track_process',
    'track_bfd',
    'nopreempt',
    'preempt',
    'preempt_delay',
    'accept',
    'no_accept',
    'use_vmac',
    'vmac_xmit_base',
    'dont_track_primary',
    'garp_master_delay',
    'garp_master_repeat',
    'garp_master_refresh',
    'garp_master_refresh_repeat',
    'garp_lower_prio_delay',
    'garp_lower_prio_repeat',
    'debug',
    'lower_prio_no_advert',
    'higher_prio_send_advert',
    'smtp_alert',
    'strict_mode',
    'notify_master',
    'notify_backup',
    'notify_fault',
    'notify_stop',
    'notify_deleted',
    'notify_master_rx_lower_pri',
    'notify',
    'native_ipv6',
    'skip_check_adv_addr',
    'promote_secondaries',
    'unicast_ttl',
    'check_unicast_src',
    'lvs_sync_daemon_interface',
  ].map((k) => [k, true]),
);
