/**
 * The announcement settings checked against keepalived.conf (docs/bgp.md): a VIP announced but in
 * no vrrp_instance or virtual_server, a VIP no virtual_server serves, a virtual server without
 * quorum settings, a track-script that names no vrrp_script; and across the directors of one
 * cluster: the same virtual_server set per announced VIP, consistent hashing (mh) for
 * active-active. Used by `hactl conf lint --bgp FILE` and at `vrrp run --bgp FILE` start. Pure:
 * the facts in (ConfFacts: conf/lint.ts builds them from the parsed model, vrrp/bgp-hook.ts from the daemon's config), problems out,
 * each at the announcement file's line.
 */
import type { BgpSettings } from './settings';

/** What the checks need from one node's keepalived.conf. */
export interface ConfFacts {
  /** the node's keepalived.conf (messages name it) */
  file: string;
  instances: { name: string; vips: string[] }[];
  virtualServers: {
    /** keepalived's FMT_VS id: "[203.0.113.10]:tcp:80" */
    id: string;
    /** the addresses it serves (its own, or its group's entries) */
    vips: string[];
    /** lb_algo (undefined: not known here) */
    sched?: string;
    /** quorum or hysteresis written in the virtual_server (undefined: not known here) */
    quorumSet?: boolean;
  }[];
  scripts: string[];
}

export interface SettingsProblem {
  /** line of the announcement file */
  line: number;
  severity: 'error' | 'warning';
  rule: string;
  message: string;
}

/** One node's checks. */
export function checkSettings(s: BgpSettings, c: ConfFacts): SettingsProblem[] {
  const out: SettingsProblem[] = [];
  for (const a of s.vips) {
    const p = (severity: SettingsProblem['severity'], rule: string, message: string) => out.push({ line: a.line, severity, rule, message });
    const held = c.instances.filter((i) => i.vips.includes(a.vip));
    const vss = c.virtualServers.filter((v) => v.vips.includes(a.vip));
    for (const n of a.trackScripts ?? [])
      if (!c.scripts.includes(n)) p('error', 'bgp-unknown-script', `vip ${a.vip}: track-script ${n}: no vrrp_script ${n} in ${c.file}`);
    if (!held.length && !vss.length) {
      p('error', 'bgp-unknown-vip', `vip ${a.vip} is in no vrrp_instance and no virtual_server of ${c.file}: nothing serves it; remove the line or add the VIP to ${c.file}`);
      continue;
    }
    if (a.mode === 'master-only' && !held.length)
      p('error', 'bgp-not-held', `vip ${a.vip} is master-only but no vrrp_instance of ${c.file} holds it: it is never announced`);
    if (!vss.length) {
      // decide.ts: while health checks run, a VIP without virtual_server is never announced
      if (a.mode === 'active-active' && !a.trackScripts?.length)
        p('error', 'bgp-not-served', `vip ${a.vip} is announced but no virtual_server of ${c.file} serves it: it is never announced (give it a virtual_server, or a track-script for --vrrp-only)`);
      else p('warning', 'bgp-not-served', `vip ${a.vip} is announced but no virtual_server of ${c.file} serves it: announced only with --vrrp-only, never while health checks run`);
      continue;
    }
    for (const v of vss)
      if (v.quorumSet === false)
        p(
          'warning',
          'bgp-no-quorum',
          `vip ${a.vip}: virtual_server ${v.id} in ${c.file} has no quorum: the VIP stays announced while one real server of weight 1 is up; set quorum (and hysteresis) to the capacity the VIP needs`,
        );
  }
  return out;
}

/** Across the nodes of one cluster (the same announcement file on each): the same virtual servers per VIP, mh for active-active. */
export function checkClusterSettings(s: BgpSettings, nodes: ConfFacts[]): SettingsProblem[] {
  const out: SettingsProblem[] = [];
  if (nodes.length < 2) return out;
  for (const a of s.vips) {
    const sets = nodes.map((n) =>
      n.virtualServers
        .filter((v) => v.vips.includes(a.vip))
        .map((v) => v.id)
        .sort()
        .join(' '),
    );
    const [first] = sets;
    nodes.forEach((n, i) => {
      if (i > 0 && sets[i] !== first)
        out.push({
          line: a.line,
          severity: 'error',
          rule: 'bgp-cluster-vs',
          message: `vip ${a.vip}: the directors serve different virtual_servers (${n.file}: ${sets[i] || 'none'}; ${nodes[0].file}: ${first || 'none'}); every director announcing it must serve the same ones`,
        });
    });
    if (a.mode !== 'active-active') continue;
    for (const n of nodes)
      for (const v of n.virtualServers)
        if (v.vips.includes(a.vip) && v.sched !== undefined && v.sched !== 'mh')
          out.push({
            line: a.line,
            severity: 'error',
            rule: 'bgp-cluster-mh',
            message: `vip ${a.vip} is active-active (ECMP to every director) but virtual_server ${v.id} in ${n.file} uses lb_algo ${v.sched}: a flow moved to another director picks another real server; use lb_algo mh on every director`,
          });
  }
  return out;
}
