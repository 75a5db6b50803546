/**
 * Cluster mode (`hactl conf lint --cluster a.conf b.conf ...`): checks the
 * nodes of one cluster against each other. Per VRID (and interface): the same
 * VIP set, version, advert_int, auth type and password, distinct priorities,
 * unicast peers listing each other; and identical virtual_server sets. Pure.
 */
import type { Diagnostic, KeepalivedConfig, VrrpInstance } from './model';
import { vsKey } from './validate';

function d(pos: { file: string; line: number; col: number }, message: string, rule: string, severity: 'error' | 'warning' = 'error'): Diagnostic {
  return { file: pos.file, line: pos.line, col: pos.col, severity, message, rule };
}

function ownAddresses(cfg: KeepalivedConfig): Set<string> {
  const s = new Set<string>();
  for (const i of cfg.vrrp_instances) {
    if (i.unicast_src_ip) s.add(i.unicast_src_ip.address);
    if (i.mcast_src_ip) s.add(i.mcast_src_ip.address);
  }
  return s;
}

export function checkCluster(nodes: KeepalivedConfig[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const name = (c: KeepalivedConfig) => c.files[0] ?? '?';
  // Group instances by VRID.
  const byVrid = new Map<number, { node: KeepalivedConfig; inst: VrrpInstance }[]>();
  for (const node of nodes) {
    for (const inst of node.vrrp_instances) {
      if (inst.virtual_router_id === undefined) continue;
      const l = byVrid.get(inst.virtual_router_id) ?? [];
      l.push({ node, inst });
      byVrid.set(inst.virtual_router_id, l);
    }
  }
  for (const [vrid, members] of byVrid) {
    const [first, ...rest] = members;
    const vips = (i: VrrpInstance) =>
      i.virtual_ipaddress
        .map((v) => `${v.address.address}/${v.prefix}`)
        .sort()
        .join(' ');
    const ver = (c: KeepalivedConfig, i: VrrpInstance) => i.version ?? c.global_defs.vrrp.version ?? 2;
    for (const m of rest) {
      const where = `VRID ${vrid}: ${m.inst.name} in ${name(m.node)} vs ${first.inst.name} in ${name(first.node)}`;
      if (vips(m.inst) !== vips(first.inst)) out.push(d(m.inst.pos, `${where}: different VIP sets (${vips(m.inst) || 'none'} / ${vips(first.inst) || 'none'})`, 'cluster-vips'));
      if (ver(m.node, m.inst) !== ver(first.node, first.inst)) out.push(d(m.inst.pos, `${where}: VRRP version ${ver(m.node, m.inst)} vs ${ver(first.node, first.inst)}`, 'cluster-version'));
      if ((m.inst.advert_int ?? 1) !== (first.inst.advert_int ?? 1)) out.push(d(m.inst.at.advert_int ?? m.inst.pos, `${where}: advert_int ${m.inst.advert_int ?? 1} vs ${first.inst.advert_int ?? 1}`, 'cluster-advert-int'));
      const at = (i: VrrpInstance) => i.authentication?.auth_type ?? 'none';
      const ap = (i: VrrpInstance) => (i.authentication?.auth_pass ?? '').slice(0, 8);
      if (at(m.inst) !== at(first.inst)) out.push(d(m.inst.authentication?.pos ?? m.inst.pos, `${where}: auth_type ${at(m.inst)} vs ${at(first.inst)}`, 'cluster-auth'));
      else if (ap(m.inst) !== ap(first.inst)) out.push(d(m.inst.authentication?.pos ?? m.inst.pos, `${where}: auth_pass differs`, 'cluster-auth'));
    }
    const prios = new Map<number, { node: KeepalivedConfig; inst: VrrpInstance }>();
    for (const m of members) {
      const p = m.inst.priority ?? 100;
      const prev = prios.get(p);
      if (prev) out.push(d(m.inst.at.priority ?? m.inst.pos, `VRID ${vrid}: priority ${p} of ${m.inst.name} in ${name(m.node)} equals that of ${prev.inst.name} in ${name(prev.node)}; priorities must differ`, 'cluster-priority'));
      else prios.set(p, m);
    }
    // Unicast peers list each other.
    for (const m of members) {
      if (m.inst.unicast_peer.length === 0) continue;
      const peers = new Set(m.inst.unicast_peer.map((p) => p.address.address));
      for (const o of members) {
        if (o === m) continue;
        const own = o.inst.unicast_src_ip ? [o.inst.unicast_src_ip.address] : [...ownAddresses(o.node)];
        if (own.length && !own.some((a) => peers.has(a))) {
          out.push(d(m.inst.at.unicast_peer ?? m.inst.pos, `VRID ${vrid}: unicast_peer of ${m.inst.name} in ${name(m.node)} does not list ${o.inst.name}'s address ${own.join('/')} (${name(o.node)})`, 'cluster-unicast-peer'));
        }
      }
    }
  }
  for (const node of nodes) {
    for (const inst of node.vrrp_instances) {
      if (inst.virtual_router_id === undefined) continue;
      if ((byVrid.get(inst.virtual_router_id) ?? []).length === 1) {
        out.push(d(inst.pos, `VRID ${inst.virtual_router_id} (${inst.name}) exists only in ${name(node)}`, 'cluster-missing-instance', 'warning'));
      }
    }
  }
  // virtual_server sets.
  const sets = nodes.map((n) => new Map(n.virtual_servers.map((v) => [vsKey(v), v])));
  for (let i = 1; i < nodes.length; i++) {
    for (const [k, v] of sets[i]) if (!sets[0].has(k)) out.push(d(v.pos, `virtual_server ${k} is in ${name(nodes[i])} but not in ${name(nodes[0])}`, 'cluster-virtual-servers'));
    for (const [k, v] of sets[0]) if (!sets[i].has(k)) out.push(d(v.pos, `virtual_server ${k} is in ${name(nodes[0])} but not in ${name(nodes[i])}`, 'cluster-virtual-servers'));
    for (const [k, v] of sets[i]) {
      const o = sets[0].get(k);
      if (!o) continue;
      const rs = (x: typeof v) =>
        x.real_servers
          .map((r) => `${r.address.address}:${r.port ?? ''}/${r.weight ?? 1}`)
          .sort()
          .join(' ');
      if (rs(v) !== rs(o) || v.lb_algo !== o.lb_algo || v.lb_kind !== o.lb_kind) {
        out.push(d(v.pos, `virtual_server ${k} differs between ${name(nodes[i])} and ${name(nodes[0])} (real servers, lb_algo or lb_kind)`, 'cluster-virtual-servers'));
      }
    }
  }
  return out;
}
