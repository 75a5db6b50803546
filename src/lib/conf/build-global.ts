/**
 * The global_defs block (keepalived's global_parser.c): its keywords into GlobalDefs, the
 * checks that span several of them, vrrp_garp_extra_if.
 * Part of the statement-tree builder (./build.ts holds the shared walk and the top level). Pure.
 */
import type {
  FifoOwner,
  GlobalDefs,
  Pos,
} from './model';
import { INET_ATON, ipBytes, isMulticast } from '../addr';
import type { Stmt } from './parser';
import { parseInteger, parseIp, } from './values';
import { NO_PREFIX, type Builder } from './build-common';

export function globalDefs(bu: Builder, body: Stmt[], g: GlobalDefs, s: Stmt): void {
  if (g.pos.line === 1 && g.pos.col === 1 && Object.keys(g.at).length === 0) g.pos = s.pos;
  const m = bu.walk(body, 'global_defs', 'global_defs', g);
  const one = (k: string) => m.last(k);
  const str = (k: string) => one(k)?.value as string | undefined;
  const numv = (k: string) => one(k)?.value as number | undefined;
  const flag = (k: string) => (one(k) ? one(k)!.value !== false : false);
  g.router_id = str('router_id') ?? g.router_id;
  const ne = one('notification_email');
  if (ne) for (const e of ne.stmt.block ?? []) g.notification_email.push(e.keyword, ...e.args.map((t) => t.text));
  if (ne?.stmt.block && ne.stmt.block.length === 0) bu.d(ne.stmt.close ?? ne.stmt.pos, 'warning', 'Warning - empty notification_email block', 'empty-block');
  g.notification_email_from = str('notification_email_from') ?? g.notification_email_from;
  const smtp = one('smtp_server');
  if (smtp) {
    const a = smtp.stmt.args;
    const ipr = parseIp(a[0].text, NO_PREFIX);
    // a name is resolved by keepalived (offline lint cannot); one that is not even a host name fails there
    const hostName = /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62})(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62}))*\.?$/.test(a[0].text);
    if (!ipr.ok && !ipBytes(a[0].text, 4, INET_ATON) && (/^[0-9.]+$|:/.test(a[0].text) || !hostName)) bu.d(bu.argPos(smtp.stmt, 0), 'error', `Invalid smtp server ${a.map((t) => t.text).join(' ')}`, 'address');
    let port: number | undefined;
    if (a[1]) {
      const p = parseInteger(a[1].text, 1, 65535);
      if (p.ok) port = p.value;
      else bu.d(bu.argPos(smtp.stmt, 1), 'error', `smtp_server port: ${p.message}`, 'range');
    }
    g.smtp_server = { address: ipr.ok ? ipr.value : a[0].text, port, pos: smtp.stmt.pos };
  }
  g.smtp_helo_name = str('smtp_helo_name') ?? g.smtp_helo_name;
  g.smtp_connect_timeout = numv('smtp_connect_timeout') ?? g.smtp_connect_timeout;
  const su = one('script_user');
  if (su) {
    const a = su.stmt.args;
    g.script_user = { user: a[0].text, group: a[1]?.text, pos: su.stmt.pos };
    if (a.length > 2) bu.d(bu.argPos(su.stmt, 2), 'warning', `extra words after 'script_user ${a[0].text} ${a[1].text}'`, 'extra-args');
  }
  if (one('enable_script_security')) g.enable_script_security = true;
  const map: [string, keyof GlobalDefs['vrrp']][] = [
    ['vrrp_garp_master_delay', 'garp_master_delay'],
    ['vrrp_garp_master_repeat', 'garp_master_repeat'],
    ['vrrp_garp_master_refresh', 'garp_master_refresh'],
    ['vrrp_garp_master_refresh_repeat', 'garp_master_refresh_repeat'],
    ['vrrp_garp_lower_prio_delay', 'garp_lower_prio_delay'],
    ['vrrp_garp_lower_prio_repeat', 'garp_lower_prio_repeat'],
    ['vrrp_garp_interval', 'garp_interval'],
    ['vrrp_gna_interval', 'gna_interval'],
    ['vrrp_priority', 'priority'],
    ['vrrp_rt_priority', 'rt_priority'],
    ['vrrp_startup_delay', 'startup_delay'],
  ];
  const vr = g.vrrp as unknown as Record<string, unknown>;
  for (const [kw, field] of map) if (numv(kw) !== undefined) vr[field] = numv(kw);
  if (numv('vrrp_version') !== undefined) g.vrrp.version = numv('vrrp_version') as 2 | 3;
  for (const [kw, field] of [
    ['vrrp_lower_prio_no_advert', 'lower_prio_no_advert'],
    ['vrrp_higher_prio_send_advert', 'higher_prio_send_advert'],
  ] as const) {
    const o = one(kw);
    if (o) g.vrrp[field] = o.value !== false;
  }
  if (one('vrrp_strict')) g.vrrp.strict = true;
  if (one('vrrp_skip_check_adv_addr')) g.vrrp.skip_check_adv_addr = flag('vrrp_skip_check_adv_addr');
  if (one('vrrp_check_unicast_src')) g.vrrp.check_unicast_src = true;
  if (one('vrrp_no_swap')) g.vrrp.no_swap = true;
  if (one('vrrp_min_garp')) g.vrrp.min_garp = flag('vrrp_min_garp');
  for (const [kw, field] of [
    ['vrrp_mcast_group4', 'mcast_group4'],
    ['vrrp_mcast_group6', 'mcast_group6'],
  ] as const) {
    const o = one(kw);
    if (o) {
      const r = bu.ip(o.stmt, 0, NO_PREFIX);
      if (r) {
        const multicast = isMulticast(r.address);
        if ((field === 'mcast_group4') !== (r.family === 'inet')) bu.d(bu.argPos(o.stmt, 0), 'error', `${kw}: wrong address family for '${r.text}'`, 'address');
        else if (!multicast) bu.d(bu.argPos(o.stmt, 0), 'error', `${kw} [${r.text}] is not multicast. Skipping`, 'address');
        else g.vrrp[field] = r;
      }
    }
  }
  const ipt = one('vrrp_iptables');
  if (ipt) {
    g.vrrp.iptables = ipt.value as string[];
    bu.d(ipt.stmt.pos, 'error', "iptables not supported, using nftables instead (keepalived 2.2.7 as built by Debian 12). Please replace 'vrrp_iptables' with the 'nftables' option", 'unsupported');
  }
  if (one('checker_priority')) g.checker.priority = numv('checker_priority');
  if (one('checker_rt_priority')) g.checker.rt_priority = numv('checker_rt_priority');
  if (one('checker_no_swap')) g.checker.no_swap = true;
  if (one('checker_log_all_failures')) g.checker.log_all_failures = flag('checker_log_all_failures');
  const owner = (x: { value: unknown } | undefined): FifoOwner | undefined => {
    const w = x?.value as string[] | undefined;
    return w?.[1] ? { user: w[1], group: w[2] } : undefined;
  };
  const nf = one('notify_fifo');
  if (nf) g.notify_fifo = (nf.value as string[])[0];
  g.notify_fifo_owner = owner(nf);
  const nfs = one('notify_fifo_script');
  if (nfs) g.notify_fifo_script = bu.script(nfs.stmt, true);
  const vnf = one('vrrp_notify_fifo');
  if (vnf) g.vrrp.notify_fifo = (vnf.value as string[])[0];
  g.vrrp.notify_fifo_owner = owner(vnf);
  const vnfs = one('vrrp_notify_fifo_script');
  if (vnfs) g.vrrp.notify_fifo_script = bu.script(vnfs.stmt, true);
  const lnf = one('lvs_notify_fifo');
  if (lnf) g.checker.notify_fifo = (lnf.value as string[])[0];
  g.checker.notify_fifo_owner = owner(lnf);
  const lnfs = one('lvs_notify_fifo_script');
  if (lnfs) g.checker.notify_fifo_script = bu.script(lnfs.stmt, true);
  const lsd = one('lvs_sync_daemon');
  if (lsd) {
    const a = lsd.stmt.args;
    // lvs_sync_daemon INTERFACE [[inst] VRRP_INSTANCE] [id N] [maxlen N] [port N] [ttl N] [group IP]
    const OPTS = ['id', 'maxlen', 'port', 'ttl', 'group'];
    let i0 = 1;
    let instance = '';
    if (a[1]?.text === 'inst') {
      instance = a[2]?.text ?? '';
      i0 = 3;
    } else if (a[1] && !OPTS.includes(a[1].text)) {
      instance = a[1].text;
      i0 = 2;
    }
    const lsdv: NonNullable<GlobalDefs['lvs_sync_daemon']> = { interface: a[0].text, instance, pos: lsd.stmt.pos };
    for (let i = i0; i < a.length; i++) {
      const key = a[i].text;
      const v = a[i + 1]?.text;
      const numk: Record<string, [number, number]> = { id: [0, 255], maxlen: [1, 65507], port: [1, 65535], ttl: [1, 255] };
      if (key in numk && v !== undefined) {
        const r = parseInteger(v, numk[key][0], numk[key][1]);
        if (r.ok) (lsdv as unknown as Record<string, number>)[key] = r.value;
        else bu.d(bu.argPos(lsd.stmt, i + 1), 'error', `lvs_sync_daemon ${key}: ${r.message}`, 'range');
        i++;
      } else if (key === 'group' && v !== undefined) {
        const r = parseIp(v, NO_PREFIX);
        if (r.ok) lsdv.group = r.value;
        else bu.d(bu.argPos(lsd.stmt, i + 1), 'error', `lvs_sync_daemon group: ${r.message}`, 'address');
        i++;
      } else {
        bu.d(bu.argPos(lsd.stmt, i), 'error', `Unknown option ${key} specified for lvs_sync_daemon`, 'unknown-option');
      }
    }
    g.lvs_sync_daemon = lsdv;
  }
  const lt = one('lvs_timeouts');
  if (lt) {
    const a = lt.stmt.args;
    const v: NonNullable<GlobalDefs['lvs_timeouts']> = { pos: lt.stmt.pos };
    for (let i = 0; i < a.length; i++) {
      const key = a[i].text as 'tcp' | 'tcpfin' | 'udp';
      if (key !== 'tcp' && key !== 'tcpfin' && key !== 'udp') {
        bu.d(bu.argPos(lt.stmt, i), 'error', `Unknown option ${a[i].text} specified for lvs_timeouts`, 'unknown-option');
        continue;
      }
      const r = parseInteger(a[i + 1]?.text ?? '', 0, 86400 * 31);
      if (r.ok) v[key] = r.value;
      else bu.d(bu.argPos(lt.stmt, i + 1), 'error', `lvs_timeouts ${key}: ${r.message}`, 'range');
      i++;
    }
    g.lvs_timeouts = v;
  }
  if (one('lvs_flush')) g.lvs_flush = true;
  const fos = one('lvs_flush_on_stop') ?? one('lvs_flush_onstop');
  if (fos) g.lvs_flush_on_stop = fos.stmt.args[0]?.text === 'VS' ? 'VS' : 'full';
  if (one('dynamic_interfaces')) g.dynamic_interfaces = true;
  g.default_interface = str('default_interface') ?? g.default_interface;
  g.snmp_socket = str('snmp_socket') ?? g.snmp_socket;
  for (const k of ['enable_traps', 'enable_snmp_vrrp', 'enable_snmp_checker', 'enable_snmp_rfc', 'enable_dbus'] as const) if (one(k)) g[k] = true;
  if (one('enable_snmp_keepalived')) g.enable_snmp_vrrp = true;
  g.net_namespace = str('net_namespace') ?? g.net_namespace;
  g.instance = str('instance') ?? g.instance;
  const mp = one('max_auto_priority');
  if (mp) {
    const a = mp.stmt.args;
    if (a.length === 0) g.max_auto_priority = 99;
    else {
      const r = parseInteger(a[0].text, -1, 99);
      if (r.ok) g.max_auto_priority = r.value;
      else bu.d(bu.argPos(mp.stmt, 0), 'error', `max_auto_priority: ${r.message}`, 'range');
    }
  }
  globalWordChecks(bu, one);
  bu.keepExtras(m, g, [
    'router_id',
    'notification_email',
    'notification_email_from',
    'smtp_server',
    'smtp_helo_name',
    'smtp_connect_timeout',
    'script_user',
    'enable_script_security',
    'lvs_sync_daemon',
    'lvs_timeouts',
  ]);
}

/** global_defs keywords whose words keepalived checks (messages as keepalived 2.2.7 words them). */
export function globalWordChecks(bu: Builder, one: (k: string) => { stmt: Stmt; value: unknown } | undefined): void {
  const words = (k: string) => one(k)?.stmt;
  for (const k of ['vrrp_garp_extra_if', 'vrrp_vmac_garp_intvl']) {
    const st = words(k);
    if (st) garpExtraIf(bu, st, k === 'vrrp_vmac_garp_intvl' ? 'vrrp_vmac_garp_intvl' : 'vrrp_garp_extra_if');
  }
  for (const [k, proc] of [
    ['vrrp_cpu_affinity', 'vrrp'],
    ['checker_cpu_affinity', 'checker'],
    ['bfd_cpu_affinity', 'bfd'],
  ] as const) {
    const st = words(k);
    if (!st) continue;
    for (let i = 0; i < st.args.length; i++)
      if (!/^\d+$/.test(st.args[i].text)) bu.d(bu.argPos(st, i), 'error', `invalid number '${st.args[i].text}'; Invalid cpu_id specified for ${proc} process`, 'number');
  }
  const rb = words('vrrp_rx_bufs_policy');
  if (rb)
    for (let i = 0; i < rb.args.length; i++) {
      const t = rb.args[i].text;
      const u = t.toUpperCase(); // strcasecmp in keepalived's vrrp_rx_bufs_policy_handler
      if (u !== 'MTU' && u !== 'ADVERT' && !/^\d+$/.test(t)) bu.d(bu.argPos(rb, i), 'error', `Invalid vrrp_rx_bufs_policy ${t} (MTU, ADVERT or a number)`, 'enum');
    }
  const um = words('umask');
  if (um?.args[0]) {
    const t = um.args.map((x) => x.text).join('');
    const BITS = ['IRUSR', 'IWUSR', 'IXUSR', 'IRGRP', 'IWGRP', 'IXGRP', 'IROTH', 'IWOTH', 'IXOTH'];
    const numeric = /^(0x[0-9a-fA-F]+|0[0-7]*|[1-9]\d*)$/.test(um.args[0].text);
    if (!numeric)
      for (const b of t.split('|').filter(Boolean))
        if (!BITS.includes(b)) bu.d(bu.argPos(um, 0), 'error', `Unknown umask bit ${b} (${BITS.join(', ')}, joined by '|', or a number)`, 'enum');
  }
  const ic = words('include_check');
  if (ic)
    for (let i = 0; i < ic.args.length; i++) {
      const t = ic.args[i].text.replace(/^[+-]/, '');
      if (!['readable', 'match', 'wildcard_match', 'brace_match'].includes(t))
        bu.d(bu.argPos(ic, i), 'error', `Unknown include_check type '${ic.args[i].text}' - ignoring (readable, match, wildcard_match, brace_match)`, 'enum');
    }
}

/** `[vrrp_]garp_extra_if [all] SECONDS` (and the old `[vrrp_]vmac_garp_intvl`). */
export function garpExtraIf(bu: Builder, st: Stmt, what: string): void {
  const a = st.args.map((t) => t.text);
  const nums = a.filter((t) => t !== 'all');
  if (nums.length === 0) {
    bu.d(st.pos, 'warning', `${what} specified without time - ignoring`, 'missing-parameter');
    return;
  }
  for (const t of nums) {
    const r = parseInteger(t, 0, 86400);
    if (!r.ok) bu.d(bu.argPos(st, a.indexOf(t)), 'error', `invalid number '${t}': ${what} '${t}' invalid - ignoring`, 'number');
  }
}

export function emptyGlobal(pos: Pos): GlobalDefs {
  return {
    pos,
    at: {},
    extra: [],
    notification_email: [],
    enable_script_security: false,
    vrrp: { strict: false, skip_check_adv_addr: false, check_unicast_src: false, no_swap: false, min_garp: false },
    checker: { no_swap: false, log_all_failures: false },
    lvs_flush: false,
    dynamic_interfaces: false,
    enable_traps: false,
    enable_snmp_vrrp: false,
    enable_snmp_checker: false,
    enable_snmp_rfc: false,
    enable_dbus: false,
  };
}
