/**
 * Addresses, routes and rules (keepalived's static_ipaddress / static_routes / static_rules and a
 * vrrp_instance's virtual_ipaddress / virtual_routes / virtual_rules: one reader for both).
 * Part of the statement-tree builder (./build.ts holds the shared walk and the top level). Pure.
 */
import type {
  IpAddress,
  RouteEntry,
  RuleEntry,
  VirtualIp,
} from './model';
import type { Stmt } from './parser';
import { parseInteger, parseIp, } from './values';
import { NO_PREFIX, type Builder } from './build-common';

export function vip(bu: Builder, e: Stmt, where: string): VirtualIp | undefined {
  const words = [e.keyword, ...e.args.map((t) => t.text)];
  const at = e.pos;
  const r = parseIp(e.keyword);
  if (!r.ok) {
    bu.d(at, 'error', `${where}: invalid IP address '${e.keyword}'`, 'address');
    return undefined;
  }
  const a = r.value;
  const v: VirtualIp = {
    pos: at,
    address: a,
    family: a.family,
    prefix: a.prefix ?? (a.family === 'inet' ? 32 : 128),
    noprefixroute: false,
    nodad: false,
    home: false,
    words,
  };
  const args = e.args;
  for (let i = 0; i < args.length; i++) {
    const key = args[i].text;
    const val = args[i + 1]?.text;
    const p = { file: at.file, line: at.line, col: args[i].col };
    const needVal = (): string | undefined => {
      if (val === undefined) {
        bu.d(p, 'error', `${where}: '${key}' needs a value`, 'missing-parameter');
        return undefined;
      }
      i++;
      return val;
    };
    switch (key) {
      case 'dev':
        v.dev = needVal();
        break;
      case 'label':
        v.label = needVal();
        if (v.label && v.label.length > 15) bu.d(p, 'error', `${where}: label '${v.label}' is longer than 15 characters`, 'range');
        break;
      case 'scope': {
        const sv = needVal();
        if (sv !== undefined) {
          if (!['site', 'link', 'host', 'nowhere', 'global'].includes(sv) && !/^\d+$/.test(sv)) bu.d(p, 'error', `${where}: invalid scope '${sv}'`, 'enum');
          v.scope = sv;
        }
        break;
      }
      case 'brd':
      case 'broadcast': {
        const bv = needVal();
        if (bv !== undefined) {
          if (bv !== '+' && bv !== '-' && !parseIp(bv, NO_PREFIX).ok) bu.d(p, 'error', `${where}: invalid broadcast address '${bv}'`, 'address');
          v.brd = bv;
        }
        break;
      }
      case 'peer': {
        const pv = needVal();
        if (pv !== undefined) {
          const pr = parseIp(pv);
          if (pr.ok) v.peer = pr.value;
          else bu.d(p, 'error', `${where}: invalid peer address '${pv}'`, 'address');
        }
        break;
      }
      case 'track_group':
        v.track_group = needVal();
        break;
      case 'noprefixroute':
        v.noprefixroute = true;
        break;
      case 'nodad':
        v.nodad = true;
        break;
      case 'home':
        v.home = true;
        break;
      case 'autojoin':
      case '-autojoin':
        break;
      case 'preferred_lft':
      case 'valid_lft':
        needVal();
        break;
      default:
        bu.d(p, 'error', `Unknown configuration entry '${key}' for ip address - ignoring`, 'unknown-option');
    }
  }
  return v;
}

export function route(bu: Builder, e: Stmt): RouteEntry {
  const words = [e.keyword, ...e.args.map((t) => t.text)];
  const r: RouteEntry = { pos: e.pos, words };
  const toks = [{ text: e.keyword, col: e.pos.col }, ...e.args];
  let i = 0;
  const ROUTE_TYPES = ['unicast', 'blackhole', 'unreachable', 'prohibit', 'local', 'broadcast', 'anycast', 'multicast', 'throw', 'nat'];
  const setDest = (t: { text: string; col: number }) => {
    const dst = t.text;
    if (r.to) {
      bu.d({ ...e.pos, col: t.col }, 'error', `unknown route option '${dst}'`, 'unknown-option');
      return;
    }
    if (dst === 'default') r.to = { family: 'inet', address: '0.0.0.0', prefix: 0, text: 'default' };
    else {
      const p = parseIp(dst);
      if (p.ok) r.to = p.value;
      else {
        bu.d({ ...e.pos, col: t.col }, 'error', `Invalid route destination '${dst}'`, 'address');
        r.to = { family: 'inet', address: '0.0.0.0', prefix: 0, text: dst };
      }
    }
  };
  for (; i < toks.length; i++) {
    const key = toks[i].text;
    const val = toks[i + 1]?.text;
    const p = { ...e.pos, col: toks[i].col };
    const ipv = (): IpAddress | undefined => {
      i++;
      if (val === undefined) {
        bu.d(p, 'error', `route: '${key}' needs an address`, 'missing-parameter');
        return undefined;
      }
      const pr = parseIp(val);
      if (!pr.ok) {
        bu.d(p, 'error', `route: invalid ${key} address '${val}'`, 'address');
        return undefined;
      }
      return pr.value;
    };
    switch (key) {
      case 'via':
        r.via = ipv();
        break;
      case 'gw':
      case 'or':
        bu.d(p, 'warning', `"${key}" for routes is deprecated. Please use "${key === 'gw' ? 'via' : 'nexthop'}"`, 'deprecated');
        if (key === 'gw') r.via = ipv();
        else ipv();
        break;
      case 'src':
        r.src = ipv();
        break;
      case 'dev':
      case 'oif':
        r.dev = val;
        i++;
        break;
      case 'table':
        r.table = val;
        i++;
        break;
      case 'metric':
      case 'preference':
      case 'priority': {
        const n = parseInteger(val ?? '', 0, 4294967295);
        if (n.ok) r.metric = n.value;
        else bu.d(p, 'error', `route ${key}: ${n.message}`, 'number');
        i++;
        break;
      }
      case 'scope':
        r.scope = val;
        i++;
        break;
      case 'to':
        if (toks[i + 1]) setDest(toks[i + 1]);
        i++;
        break;
      case 'unicast':
      case 'blackhole':
      case 'unreachable':
      case 'prohibit':
      case 'local':
      case 'broadcast':
      case 'anycast':
      case 'multicast':
      case 'throw':
      case 'nat':
        if (ROUTE_TYPES.includes(key)) r.type = key;
        break;
      case 'nexthop':
      case 'onlink':
      case 'no_track':
      case 'pervasive':
        break;
      case 'weight':
      case 'protocol':
      case 'tos':
      case 'dsfield':
      case 'realms':
      case 'mtu':
      case 'advmss':
      case 'rtt':
      case 'rttvar':
      case 'reordering':
      case 'window':
      case 'cwnd':
      case 'ssthresh':
      case 'initcwnd':
      case 'initrwnd':
      case 'features':
      case 'quickack':
      case 'congctl':
      case 'pref':
      case 'hoplimit':
      case 'rto_min':
      case 'fastopen_no_cookie':
      case 'ttl-propagate':
      case 'from':
      case 'encap':
      case 'expires':
      case 'lock':
        if (key !== 'lock') i++;
        break;
      default:
        setDest(toks[i]);
    }
  }
  if (!r.to) bu.d(e.pos, 'error', 'route without destination', 'missing-parameter');
  return r;
}

export function rule(bu: Builder, e: Stmt): RuleEntry {
  const toks = [{ text: e.keyword, col: e.pos.col }, ...e.args];
  const r: RuleEntry = { pos: e.pos, words: toks.map((t) => t.text) };
  for (let i = 0; i < toks.length; i++) {
    const key = toks[i].text;
    const val = toks[i + 1]?.text;
    const p = { ...e.pos, col: toks[i].col };
    const ipv = (): IpAddress | undefined => {
      i++;
      if (val === undefined) {
        bu.d(p, 'error', `rule: '${key}' needs a value`, 'missing-parameter');
        return undefined;
      }
      if (val === 'all') return undefined;
      const pr = parseIp(val);
      if (!pr.ok) {
        bu.d({ ...e.pos, col: toks[i].col }, 'error', `Invalid rule ${key} address ${val}`, 'address');
        return undefined;
      }
      return pr.value;
    };
    switch (key) {
      case 'from':
        r.from = ipv();
        break;
      case 'to':
        r.to = ipv();
        break;
      case 'table':
      case 'lookup':
        r.table = val;
        i++;
        break;
      case 'preference':
      case 'priority':
      case 'pref':
      case 'prio': {
        const n = parseInteger(val ?? '', 0, 4294967295);
        if (n.ok) r.preference = n.value;
        else bu.d(p, 'error', `rule ${key}: ${n.message}`, 'number');
        i++;
        break;
      }
      case 'iif':
        r.iif = val;
        i++;
        break;
      case 'oif':
        r.oif = val;
        i++;
        break;
      case 'fwmark':
        r.fwmark = val;
        i++;
        break;
      case 'not':
      case 'no_track':
      case 'l3mdev':
        break;
      case 'tos':
      case 'dsfield':
      case 'realms':
      case 'goto':
      case 'suppress_prefixlength':
      case 'suppress_ifgroup':
      case 'uidrange':
      case 'sport':
      case 'dport':
      case 'ipproto':
      case 'protocol':
      case 'tun_id':
      case 'action':
      case 'type':
        i++;
        break;
      default:
        bu.d(p, 'error', `unknown rule option '${key}'`, 'unknown-option');
    }
  }
  if (r.preference === undefined) bu.d(e.pos, 'warning', 'Rule has no preference specified - keepalived picks one. This is probably not what you want.', 'rule-preference');
  return r;
}
