/**
 * The LVS blocks (keepalived's check_parser.c): virtual_server_group, virtual_server, real_server,
 * the forwarding method, the lean lint's per-virtual-server check.
 * Part of the statement-tree builder (./build.ts holds the shared walk and the top level). Pure.
 */
import type {
  Checker,
  CheckerKind,
  KeepalivedConfig,
  RealServer,
  VirtualServer,
  VirtualServerGroup,
  VsGroupEntry,
  TunnelOpts,
} from './model';
import { familyOfName, formatIpv4, INET_ATON, ipBytes, } from '../addr';
import { virtualServerScripts } from './model';
import type { Stmt } from './parser';
import { checkVirtualServer, vsKey } from './validate';
import { parseInteger, parseIp, suggest } from './values';
import { LEAN_ABORT, NO_NAMES, NO_PREFIX, type LeanState, type Builder, ABORT_NOTE } from './build-common';
import { checker, CHECKER_KINDS } from './build-check';

export function leanCheck(_bu: Builder, vs: VirtualServer, lean: LeanState, cfg: KeepalivedConfig): void {
  lean.st ??= { cfg, vsGroups: NO_NAMES, trackFiles: NO_NAMES, bfds: NO_NAMES, vsSeen: new Map() };
  const key = vsKey(vs);
  if (vs.group !== undefined || lean.st.vsSeen.has(key)) throw LEAN_ABORT;
  for (const rs of vs.real_servers) {
    for (const c of rs.checkers) if ((c.kind === 'FILE_CHECK' && c.track_file) || (c.kind === 'BFD_CHECK' && c.name_bfd)) throw LEAN_ABORT;
  }
  checkVirtualServer(vs, lean.st, lean.diags, key);
  virtualServerScripts(vs, lean.scripts);
  vs.real_servers = [];
}

/**
 * keepalived 2.2.7 svr_forwarding_handler: `NAT|DR|TUN [type ipip|gue|gre] [port N] [nocsum|csum|remcsum]`.
 * The method is taken even when the words after it are wrong; the tunnel words are read after any
 * method (keepalived keeps them for NAT and DR too) and, when one is wrong, the tunnel set before stays.
 */
export function forwarding(bu: Builder, s: Stmt, sType: 'virtual' | 'real' | 'sorry', before: TunnelOpts | undefined): { method?: 'NAT' | 'DR' | 'TUN'; tunnel?: TunnelOpts } {
  const a = s.args;
  const v = a[0]?.text;
  if (v !== 'NAT' && v !== 'DR' && v !== 'TUN') {
    if (v !== undefined) bu.d(bu.argPos(s, 0), 'error', `unknown [${v}] routing method for ${sType} server (NAT|DR|TUN)`, 'enum');
    return { tunnel: before };
  }
  const fail = (i: number, msg: string) => {
    bu.d(bu.argPos(s, Math.min(i, a.length - 1)), 'error', msg, 'lvs-tunnel');
    return { method: v, tunnel: before } as const;
  };
  let type: TunnelOpts['type'] = 'ipip';
  let port = 0;
  let csum: TunnelOpts['csum'] = 'nocsum';
  for (let i = 1; i < a.length; i++) {
    const w = a[i].text;
    if (w === 'type') {
      if (i + 1 >= a.length) return fail(i, `Missing tunnel type for ${sType} server.`);
      const t = a[i + 1].text;
      if (t !== 'ipip' && t !== 'gue' && t !== 'gre') return fail(i + 1, `Unknown tunnel type ${t} for ${sType} server.`);
      type = t;
      i++;
    } else if (w === 'port') {
      if (i + 1 >= a.length) return fail(i, `Missing port for ${sType} server gue tunnel.`);
      const p = parseInteger(a[i + 1].text, 1, 65535);
      if (!p.ok) return fail(i + 1, `Invalid gue tunnel port ${a[i + 1].text} for ${sType} server (${p.message}).`);
      port = p.value;
      i++;
    } else if (w === 'nocsum' || w === 'csum' || w === 'remcsum') csum = w;
    else return fail(i, `Invalid tunnel option ${w} for ${sType} server.`);
  }
  if ((type === 'gue') !== (port !== 0)) return fail(a.length - 1, 'gue tunnels require port, otherwise cannot have port.');
  if (type === 'ipip' && csum !== 'nocsum') return fail(a.length - 1, 'ipip tunnels do not support checksum option.');
  if (type === 'gre' && csum === 'remcsum') return fail(a.length - 1, 'gre tunnels do not support remote checksum option.');
  if (a.length === 1) return { method: v };
  return { method: v, tunnel: type === 'gue' ? { type, port, csum } : { type, csum } };
}

export function vsGroup(bu: Builder, s: Stmt, name: string): VirtualServerGroup {
  const n: VirtualServerGroup = { pos: s.pos, at: {}, extra: [], name, entries: [] };
  for (const e of s.block ?? []) {
    const ent: VsGroupEntry = { pos: e.pos, words: [e.keyword, ...e.args.map((t) => t.text)] };
    if (e.keyword === 'fwmark') {
      const r = parseInteger(e.args[0]?.text ?? '', 1, 4294967295);
      if (r.ok) ent.fwmark = r.value;
      else bu.d(e.pos, 'error', `virtual_server_group ${name}: fwmark: ${r.message}`, 'number');
    } else {
      const m = /^(.*?)(?:-(\d+|[0-9a-fA-F]+))?$/.exec(e.keyword)!;
      let r = parseIp(e.keyword);
      if (!r.ok && m[2] !== undefined) {
        r = parseIp(m[1]);
        if (r.ok) {
          ent.range_end = Number.parseInt(m[2], r.value.family === 'inet' ? 10 : 16);
          const b = ipBytes(r.value.address, familyOfName(r.value.family));
          const last = !b ? 0 : b.length === 4 ? b[3] : b.readUInt16BE(14);
          const max = r.value.family === 'inet' ? 255 : 0xffff;
          if (ent.range_end <= last || ent.range_end > max) {
            bu.d(e.pos, 'error', `Address range end is not greater than address range start - ${e.keyword} - skipping`, 'address');
            continue;
          }
        }
      }
      if (!r.ok) {
        bu.d(e.pos, 'error', `virtual_server_group ${name}: invalid address '${e.keyword}'`, 'address');
        continue;
      }
      ent.address = r.value;
      if (e.args[0]) {
        const p = parseInteger(e.args[0].text, 0, 65535);
        if (p.ok) ent.port = p.value;
        else bu.d({ ...e.pos, col: e.args[0].col }, 'error', `virtual_server_group ${name}: port: ${p.message}`, 'range');
      }
      if (e.args.length > 1) bu.d({ ...e.pos, col: e.args[1].col }, 'warning', `extra words after '${e.keyword} ${e.args[0].text}'`, 'extra-args');
    }
    n.entries.push(ent);
  }
  if (n.entries.length === 0) bu.d(s.close ?? s.pos, 'error', `virtual server group ${name} has no entries - removing`, 'vsg-empty');
  return n;
}

export function virtualServer(bu: Builder, s: Stmt): VirtualServer | undefined {
  const a = s.args;
  const vs: VirtualServer = {
    pos: s.pos,
    at: {},
    extra: [],
    alpha: false,
    omega: false,
    ha_suspend: false,
    sorry_server_inhibit: false,
    ops: false,
    inhibit_on_failure: false,
    lb_flags: [],
    real_servers: [],
    // Always set below: declared here so the object is built with its final shape.
    delay_loop: undefined,
    persistence_timeout: undefined,
    persistence_engine: undefined,
    quorum: undefined,
    hysteresis: undefined,
    sorry_server_lvs_method: undefined,
    virtualhost: undefined,
    retry: undefined,
    delay_before_retry: undefined,
    warmup: undefined,
    connect_timeout: undefined,
  };
  if (a.length === 0) {
    bu.d(s.pos, 'error', `virtual_server needs an address and port, fwmark N, or group NAME${ABORT_NOTE}`, 'parser-abort');
    return undefined;
  }
  let label: string;
  if (a[0].text === 'fwmark') {
    const r = parseInteger(a[1]?.text ?? '', 1, 4294967295);
    if (r.ok) vs.fwmark = r.value;
    else bu.d(bu.argPos(s, 1), 'error', `virtual_server fwmark: ${r.message}`, 'number');
    label = `FWM ${a[1]?.text ?? ''}`;
  } else if (a[0].text === 'group') {
    vs.group = a[1]?.text;
    if (!vs.group) bu.d(s.pos, 'error', 'virtual_server group needs a name', 'missing-parameter');
    label = `group ${vs.group}`;
  } else {
    const r = parseIp(a[0].text, NO_PREFIX);
    const p = a[1] ? parseInteger(a[1].text, 0, 65535) : undefined;
    if (!r.ok || (p && !p.ok)) {
      // keepalived 2.2.7 skips the whole block ("Invalid virtual server IP address/port ... - skipping"):
      // nothing inside it is read, so nothing inside it is reported either
      const why = !r.ok ? r.message : p && !p.ok ? `port: ${p.message}` : '';
      bu.d(
        bu.argPos(s, !r.ok ? 0 : 1),
        'error',
        `Invalid virtual server IP address/port ${a[0].text}/${a[1]?.text ?? ''} - skipping (${why})`,
        !r.ok ? 'address' : 'range',
      );
      return undefined;
    }
    vs.address = r.value;
    if (p?.ok) vs.port = p.value;
    if (a.length > 2) bu.d(bu.argPos(s, 2), 'warning', `extra words after 'virtual_server ${a[0].text} ${a[1].text}'`, 'extra-args');
    label = `${a[0].text}${a[1] ? ` ${a[1].text}` : ''}`;
  }
  if (!s.block) return undefined;
  const where = `virtual_server ${label}`;
  const m = bu.walk(s.block, 'virtual_server', where, vs);
  const last = (k: string) => m.last(k);
  const ipf = last('ip_family');
  if (ipf) {
    if (ipf.value === 'inet' || ipf.value === 'inet6') vs.ip_family = ipf.value;
    else bu.d(bu.argPos(ipf.stmt, 0), 'error', `unknown address family ${ipf.value}`, 'enum');
  }
  vs.delay_loop = last('delay_loop')?.value as number | undefined;
  // lb_algo / lvs_sched and lb_kind / lvs_method are two spellings: every one is checked, the last wins
  // (no arrays or closures here: this runs for every one of tens of thousands of virtual servers)
  const lastOf = (a: string, b: string) => {
    const x = last(a);
    const y = last(b);
    return !x ? y : !y ? x : y.stmt.line > x.stmt.line ? y : x;
  };
  for (const k of LB_ALGO_KEYS) {
    const occs = m.get(k);
    if (!occs) continue;
    for (let i = 0; i < occs.length; i++) {
      const v = occs[i].value as string;
      if (!ALGOS.includes(v)) bu.d(bu.argPos(occs[i].stmt, 0), 'error', `Invalid lvs_scheduler '${v}' - ignoring${suggest(v, ALGOS) ? `; did you mean '${suggest(v, ALGOS)}'?` : ''}`, 'enum');
    }
  }
  const algo = lastOf('lb_algo', 'lvs_sched');
  if (algo && ALGOS.includes(algo.value as string)) vs.lb_algo = algo.value as string;
  // lb_kind and lvs_method in line order: a bad method keeps the one before, bad tunnel words keep the tunnel before
  const kinds = [...(m.get('lb_kind') ?? []), ...(m.get('lvs_method') ?? [])].sort((x, y) => x.stmt.line - y.stmt.line || x.stmt.pos.col - y.stmt.pos.col);
  for (let i = 0; i < kinds.length; i++) {
    const f = forwarding(bu, kinds[i].stmt, 'virtual', vs.tunnel);
    if (f.method) vs.lb_kind = f.method;
    vs.tunnel = f.tunnel;
  }
  vs.persistence_timeout = last('persistence_timeout')?.value as number | undefined;
  const pg = last('persistence_granularity');
  if (pg) {
    const v = pg.value as string;
    const r = parseIp(v, NO_PREFIX);
    if (r.ok) vs.persistence_granularity = r.value;
    else if (/^\d+$/.test(v) && Number(v) <= 128) vs.persistence_granularity = Number(v);
    // keepalived reads an IPv4 mask with inet_aton: "1.5" is 1.0.0.5
    else if (ipBytes(v, 4, INET_ATON)) {
      const q = parseIp(formatIpv4(ipBytes(v, 4, INET_ATON)!), NO_PREFIX);
      if (q.ok) vs.persistence_granularity = q.value;
    }
    else bu.d(bu.argPos(pg.stmt, 0), 'error', `invalid persistence_granularity '${v}'`, 'address');
  }
  vs.persistence_engine = last('persistence_engine')?.value as string | undefined;
  const proto = last('protocol');
  if (proto) {
    const v = proto.value as string;
    // keepalived 2.2.7 proto_handler: strcasecmp ('protocol tcp' is TCP)
    const u = v.toUpperCase();
    if (u === 'TCP' || u === 'UDP' || u === 'SCTP') vs.protocol = u;
    else bu.d(bu.argPos(proto.stmt, 0), 'error', `unknown protocol '${v}' (TCP|UDP|SCTP)`, 'enum');
  }
  vs.quorum = last('quorum')?.value as number | undefined;
  vs.hysteresis = last('hysteresis')?.value as number | undefined;
  for (let i = 0; i < VS_SCRIPTS.length; i++) {
    const k = VS_SCRIPTS[i];
    const x = last(k);
    if (x) vs[k] = bu.script(x.stmt, true);
  }
  vs.alpha = !!last('alpha');
  vs.omega = !!last('omega');
  vs.ha_suspend = !!last('ha_suspend');
  vs.ops = !!last('ops');
  const ss = last('sorry_server');
  if (ss) {
    const r = bu.ip(ss.stmt, 0, NO_PREFIX);
    let port: number | undefined;
    if (ss.stmt.args[1]) {
      const p = parseInteger(ss.stmt.args[1].text, 0, 65535);
      if (p.ok) port = p.value;
      else bu.d(bu.argPos(ss.stmt, 1), 'error', `sorry_server port: ${p.message}`, 'range');
    }
    if (r) vs.sorry_server = { address: r, port, pos: ss.stmt.pos };
  }
  const ssi = last('sorry_server_inhibit');
  vs.sorry_server_inhibit = !!ssi && ssi.value !== false;
  // keepalived applies these to the sorry_server read before them
  if (ssi && (!ss || ssi.stmt.line < ss.stmt.line)) bu.d(ssi.stmt.pos, 'warning', 'Ignoring sorry_server inhibit used before or without sorry_server', 'sorry-server');
  const sslm = last('sorry_server_lvs_method');
  if (sslm) {
    const f = forwarding(bu, sslm.stmt, 'sorry', undefined);
    vs.sorry_server_lvs_method = f.method;
    vs.sorry_server_tunnel = f.tunnel;
  }
  if (sslm && (!ss || sslm.stmt.line < ss.stmt.line)) bu.d(sslm.stmt.pos, 'warning', 'sorry_server forwarding used without sorry_server', 'sorry-server');
  vs.virtualhost = last('virtualhost')?.value as string | undefined;
  const iof = last('inhibit_on_failure');
  vs.inhibit_on_failure = !!iof && iof.value !== false;
  vs.retry = last('retry')?.value as number | undefined;
  vs.delay_before_retry = last('delay_before_retry')?.value as number | undefined;
  vs.warmup = last('warmup')?.value as number | undefined;
  vs.connect_timeout = last('connect_timeout')?.value as number | undefined;
  for (let i = 0; i < LB_FLAGS.length; i++) {
    const f = LB_FLAGS[i];
    const x = last(f);
    if (!x) continue;
    vs.lb_flags.push(f);
    if (f === 'hashed' && vs.lb_algo !== 'sh') bu.d(x.stmt.pos, 'warning', 'hashed only applies to sh scheduler - ignoring', 'scheduler-flag');
    if (f.startsWith('sh-') && vs.lb_algo !== 'sh') bu.d(x.stmt.pos, 'error', `${f} only applies to sh scheduler - ignoring`, 'scheduler-flag');
    if (f.startsWith('mh-') && vs.lb_algo !== 'mh') bu.d(x.stmt.pos, 'error', `${f} only applies to mh scheduler - ignoring`, 'scheduler-flag');
  }
  const sa = last('smtp_alert');
  if (sa) vs.smtp_alert = sa.value !== false;
  for (const occ of m.get('real_server') ?? []) {
    const rs = realServer(bu, occ.stmt, where);
    if (rs) vs.real_servers.push(rs);
  }
  return vs;
}

export function realServer(bu: Builder, s: Stmt, vsWhere: string): RealServer | undefined {
  const a = s.args;
  if (a.length === 0) {
    bu.d(s.pos, 'error', `real_server needs an address${ABORT_NOTE}`, 'parser-abort');
    return undefined;
  }
  const r = parseIp(a[0].text, NO_PREFIX);
  if (!r.ok) {
    bu.d(bu.argPos(s, 0), 'error', `real_server: ${r.message}`, 'address');
    return undefined;
  }
  const rs: RealServer = { pos: s.pos, at: {}, extra: [], address: r.value, inhibit_on_failure: false, checkers: [], port: undefined, weight: undefined, virtualhost: undefined, end: s.close };
  if (a[1]) {
    const p = parseInteger(a[1].text, 0, 65535);
    if (p.ok) rs.port = p.value;
    else bu.d(bu.argPos(s, 1), 'error', `real_server port: ${p.message}`, 'range');
  }
  if (a.length > 2) bu.d(bu.argPos(s, 2), 'warning', `extra words after 'real_server ${a[0].text} ${a[1].text}'`, 'extra-args');
  if (!s.block) return undefined;
  const where = `real_server ${a[0].text}${a[1] ? ` ${a[1].text}` : ''} of ${vsWhere}`;
  // Lean: the real server is dropped once checked and no check reads its keyword positions.
  const m = bu.walk(s.block, 'real_server', where, bu.lean ? undefined : rs);
  const last = (k: string) => m.last(k);
  const lm = m.get('lvs_method');
  if (lm)
    for (let i = 0; i < lm.length; i++) {
      const f = forwarding(bu, lm[i].stmt, 'real', rs.tunnel);
      if (f.method) rs.lvs_method = f.method;
      rs.tunnel = f.tunnel;
    }
  rs.weight = last('weight')?.value as number | undefined;
  const iof = last('inhibit_on_failure');
  rs.inhibit_on_failure = !!iof && iof.value !== false;
  for (let i = 0; i < RS_SCRIPTS.length; i++) {
    const k = RS_SCRIPTS[i];
    const x = last(k);
    if (x) rs[k] = bu.script(x.stmt, true);
  }
  for (let i = 0; i < RS_NUMBERS.length; i++) {
    const k = RS_NUMBERS[i];
    const x = last(k);
    if (x && x.value !== undefined) rs[k] = x.value as number;
  }
  for (let i = 0; i < RS_BOOLS.length; i++) {
    const k = RS_BOOLS[i];
    const x = last(k);
    if (x && x.value !== undefined) rs[k] = x.value as boolean;
  }
  rs.virtualhost = last('virtualhost')?.value as string | undefined;
  // Exact-size list (a pushed-to empty array reserves room for 17).
  let n = 0;
  for (let i = 0; i < s.block.length; i++) if (s.block[i].block && CHECKER_KINDS.includes(s.block[i].keyword as CheckerKind)) n++;
  if (n > 0) {
    const checkers = new Array<Checker>(n);
    let k = 0;
    for (let i = 0; i < s.block.length; i++) {
      const s2 = s.block[i];
      if (!s2.block || !CHECKER_KINDS.includes(s2.keyword as CheckerKind)) continue;
      checkers[k++] = checker(bu, s2, s2.keyword as CheckerKind, where);
    }
    rs.checkers = checkers;
  }
  return rs;
}

export const VS_SCRIPTS = ['quorum_up', 'quorum_down'] as const;

export const ALGOS = ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh', 'twos'];

export const LB_ALGO_KEYS = ['lb_algo', 'lvs_sched'];

export const LB_FLAGS = ['hashed', 'flag-1', 'flag-2', 'flag-3', 'sh-port', 'sh-fallback', 'mh-port', 'mh-fallback'];

export const RS_SCRIPTS = ['notify_up', 'notify_down'] as const;

export const RS_NUMBERS = ['uthreshold', 'lthreshold', 'delay_loop', 'retry', 'delay_before_retry', 'warmup'] as const;

export const RS_BOOLS = ['alpha', 'smtp_alert'] as const;
