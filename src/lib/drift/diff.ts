/**
 * `hactl drift` (pure): what keepalived.conf says this node should have in the kernel now, against
 * what the kernel has. No I/O: the command (cli.ts) reads the kernel and the daemon and passes
 * plain objects in.
 *
 * Which VRRP instances should hold their addresses here:
 * - with a running hactl daemon, the daemon says (its control socket): a MASTER instance must have
 *   every VIP (virtual_ipaddress and virtual_ipaddress_excluded) on its interface, its
 *   virtual_routes and virtual_rules, and (no_accept) its VIPs in the nftables `vips` set; an
 *   instance in any other state must have none of them;
 * - without one (`role: 'inferred'`: a keepalived host, or a stopped daemon) the VIPs found decide:
 *   an instance with at least one of its VIPs on the host is taken to be MASTER here (so its missing
 *   VIPs, routes, rules and set elements are drift), one with none is taken not to be (its routes,
 *   rules and set elements must be absent). The report says which instances were inferred.
 *
 * IPVS: the wanted table is the LVS half's (lvs/desired.ts) for the real servers' health the daemon
 * reports, or, without a daemon, every real server alive at its configured weight. Differences are
 * found with the IPVS planner's own predicates (ipvs/plan.ts), so drift and the reconciler agree on
 * what "different" means.
 */
import { serviceId } from '../ipvs/ids';
import { destNeedsEdit, serviceNeedsEdit, TableModel } from '../ipvs/plan';
import type { Dest, Service, ServiceWithDests } from '../ipvs/types';
import { desiredTable } from '../lvs/desired';
import { type LvsStatus, svcLabel } from '../lvs/reconciler';
import { LvsState } from '../lvs/state';
import type { LvsSpec } from '../lvs/types';
import { networkOf, parseCidr, parseIp } from '../addr';
import { type DaemonConfig, noAccept, type RouteConfig, type RuleConfig, vipPlacement } from '../vrrp/config';

export type DriftKind =
  | 'vip-missing'
  | 'vip-unexpected'
  | 'vip-wrong-interface'
  | 'route-missing'
  | 'route-unexpected'
  | 'rule-missing'
  | 'rule-unexpected'
  | 'nft-missing'
  | 'nft-unexpected'
  | 'ipvs-service-missing'
  | 'ipvs-service-unexpected'
  | 'ipvs-service-changed'
  | 'ipvs-dest-missing'
  | 'ipvs-dest-unexpected'
  | 'ipvs-dest-weight'
  | 'ipvs-dest-changed';

export interface Difference {
  kind: DriftKind;
  /** the VRRP instance or virtual server it belongs to ('' when none: an address nobody configures) */
  owner: string;
  /** what differs, as one readable phrase ("198.51.100.100/24 on eth0") */
  what: string;
  expected?: string;
  actual?: string;
}

/** One VRRP instance as drift needs it (its VIPs already placed on their device: use_vmac, dev). */
export interface DriftInstance {
  name: string;
  vips: { address: string; prefix: number; dev: string }[];
  routes: RouteConfig[];
  rules: RuleConfig[];
  /** no_accept applies: its VIPs are in the nftables set while MASTER */
  noAccept: boolean;
  /** from the daemon: its state; undefined: no daemon (inferred from the VIPs) */
  state?: string;
}

export interface KernelAddr {
  dev: string;
  address: string;
  prefix: number;
}

export interface KernelRoute {
  family: 4 | 6;
  dst: string;
  dstLen: number;
  gw?: string;
  dev?: string;
  table: number;
  metric?: number;
  src?: string;
  type: string;
  protocol: number;
}

export interface KernelRule {
  family: 4 | 6;
  from?: string;
  to?: string;
  table: number;
  priority?: number;
  fwmark?: number;
  iif?: string;
  oif?: string;
  protocol: number;
}

export interface DriftInput {
  instances: DriftInstance[];
  addrs: KernelAddr[];
  routes: KernelRoute[];
  rules: KernelRule[];
  /** addresses in the keepalived tables' `vips` sets; undefined: could not be read (see notes) */
  nftVips?: string[];
  /** wanted and live IPVS tables; undefined: not compared (see notes) */
  ipvs?: { wanted: ServiceWithDests[]; live: ServiceWithDests[]; owners?: Map<string, string> };
}

export interface InstanceVerdict {
  name: string;
  /** 'daemon': the running daemon's state; 'inferred': from the VIPs found (no daemon) */
  source: 'daemon' | 'inferred';
  state: string;
  /** should hold its addresses here */
  holds: boolean;
  vipsPresent: number;
  vipsTotal: number;
}

export interface DriftReport {
  differences: Difference[];
  instances: InstanceVerdict[];
}

/** keepalived's protocol number on its routes and rules (vrrp/netops.ts RTPROT_KEEPALIVED). */
const RTPROT_KEEPALIVED = 18;
const MAIN_TABLE = 254;

const canon = (a: string) => parseIp(a)?.text ?? a;

/** A route destination as "ADDR/LEN" (network address), "default" = 0.0.0.0/0 or ::/0. */
function routeDst(dst: string, family: 4 | 6): string {
  if (dst === 'default') return family === 6 ? '::/0' : '0.0.0.0/0';
  const c = parseCidr(dst);
  if (!c) return dst;
  const n = networkOf(c);
  return `${n.text}/${n.prefix}`;
}

function routeFamily(r: RouteConfig): 4 | 6 {
  return r.dst.includes(':') || r.gw?.includes(':') ? 6 : 4;
}

function routeText(r: RouteConfig): string {
  return [r.dst, r.gw && `via ${r.gw}`, r.dev && `dev ${r.dev}`, r.table !== undefined && `table ${r.table}`, r.metric !== undefined && `metric ${r.metric}`]
    .filter(Boolean)
    .join(' ');
}

function kernelRouteText(r: KernelRoute): string {
  return [`${r.dst}/${r.dstLen}`, r.gw && `via ${r.gw}`, r.dev && `dev ${r.dev}`, `table ${r.table}`, r.metric !== undefined && `metric ${r.metric}`].filter(Boolean).join(' ');
}

/** Does the kernel route satisfy the configured one (every configured field equal)? */
function routeMatches(c: RouteConfig, k: KernelRoute): boolean {
  const f = routeFamily(c);
  if (k.family !== f || routeDst(`${k.dst}/${k.dstLen}`, f) !== routeDst(c.dst, f)) return false;
  if ((c.table ?? MAIN_TABLE) !== k.table) return false;
  if (c.gw !== undefined && canon(c.gw) !== canon(k.gw ?? '')) return false;
  if (c.dev !== undefined && c.dev !== k.dev) return false;
  if (c.metric !== undefined && c.metric !== (k.metric ?? 0)) return false;
  if (c.type !== undefined && c.type !== k.type) return false;
  if (c.src !== undefined && canon(c.src) !== canon(k.src ?? '')) return false;
  return true;
}

const prefixText = (p: string | undefined) => {
  if (p === undefined) return undefined;
  const c = parseCidr(p);
  if (!c) return p;
  const n = networkOf(c);
  return `${n.text}/${n.prefix}`;
};

function ruleMatches(c: RuleConfig, k: KernelRule): boolean {
  if (c.family !== k.family) return false;
  if (prefixText(c.from) !== prefixText(k.from)) return false;
  if (prefixText(c.to) !== prefixText(k.to)) return false;
  if (c.table !== undefined && c.table !== k.table) return false;
  if (c.priority !== undefined && c.priority !== k.priority) return false;
  if ((c.fwmark ?? 0) !== (k.fwmark ?? 0)) return false;
  if ((c.iif ?? '') !== (k.iif ?? '') || (c.oif ?? '') !== (k.oif ?? '')) return false;
  return true;
}

function ruleText(r: Pick<RuleConfig, 'from' | 'to' | 'table' | 'priority' | 'iif' | 'oif' | 'fwmark'>): string {
  return [
    r.priority !== undefined && `priority ${r.priority}`,
    `from ${r.from ?? 'all'}`,
    r.to && `to ${r.to}`,
    r.fwmark && `fwmark ${r.fwmark}`,
    r.iif && `iif ${r.iif}`,
    r.oif && `oif ${r.oif}`,
    r.table !== undefined && `table ${r.table}`,
  ]
    .filter(Boolean)
    .join(' ');
}

/** Every difference between what the configuration wants here and what the kernel has. */
export function driftReport(inp: DriftInput): DriftReport {
  const out: Difference[] = [];
  const verdicts: InstanceVerdict[] = [];
  const addrKey = (a: string) => canon(a);
  const byAddr = new Map<string, KernelAddr[]>();
  for (const a of inp.addrs) {
    const k = addrKey(a.address);
    byAddr.set(k, [...(byAddr.get(k) ?? []), a]);
  }
  const wantNft = new Set<string>();
  const usedRoutes = new Set<KernelRoute>();
  const usedRules = new Set<KernelRule>();
  for (const inst of inp.instances) {
    const present = inst.vips.filter((v) => (byAddr.get(addrKey(v.address)) ?? []).some((a) => a.dev === v.dev));
    const holds = inst.state !== undefined ? inst.state === 'MASTER' : present.length > 0;
    verdicts.push({
      name: inst.name,
      source: inst.state !== undefined ? 'daemon' : 'inferred',
      state: inst.state ?? (holds ? 'MASTER (inferred)' : 'not MASTER (inferred)'),
      holds,
      vipsPresent: present.length,
      vipsTotal: inst.vips.length,
    });
    for (const v of inst.vips) {
      const here = byAddr.get(addrKey(v.address)) ?? [];
      const onDev = here.find((a) => a.dev === v.dev);
      const want = `${v.address}/${v.prefix} on ${v.dev}`;
      if (holds) {
        if (onDev) {
          if (onDev.prefix !== v.prefix) out.push({ kind: 'vip-wrong-interface', owner: inst.name, what: want, expected: want, actual: `${onDev.address}/${onDev.prefix} on ${onDev.dev}` });
        } else if (here.length) {
          out.push({ kind: 'vip-wrong-interface', owner: inst.name, what: want, expected: want, actual: here.map((a) => `${a.address}/${a.prefix} on ${a.dev}`).join(', ') });
        } else out.push({ kind: 'vip-missing', owner: inst.name, what: want, expected: 'present', actual: 'absent' });
      } else {
        for (const a of here) out.push({ kind: 'vip-unexpected', owner: inst.name, what: `${a.address}/${a.prefix} on ${a.dev}`, expected: `absent (${inst.name} is ${verdicts.at(-1)?.state})`, actual: 'present' });
      }
      if (holds && inst.noAccept) wantNft.add(addrKey(v.address));
    }
    for (const r of inst.routes) {
      const k = inp.routes.filter((x) => routeMatches(r, x));
      for (const x of k) usedRoutes.add(x);
      if (holds && !k.length) out.push({ kind: 'route-missing', owner: inst.name, what: routeText(r), expected: 'present', actual: 'absent' });
      if (!holds) for (const x of k) out.push({ kind: 'route-unexpected', owner: inst.name, what: kernelRouteText(x), expected: 'absent', actual: 'present' });
    }
    for (const r of inst.rules) {
      const k = inp.rules.filter((x) => ruleMatches(r, x));
      for (const x of k) usedRules.add(x);
      if (holds && !k.length) out.push({ kind: 'rule-missing', owner: inst.name, what: ruleText(r), expected: 'present', actual: 'absent' });
      if (!holds) for (const x of k) out.push({ kind: 'rule-unexpected', owner: inst.name, what: ruleText(x), expected: 'absent', actual: 'present' });
    }
  }
  // routes and rules keepalived's way (proto 18) that no instance configures
  for (const x of inp.routes)
    if (x.protocol === RTPROT_KEEPALIVED && !usedRoutes.has(x))
      out.push({ kind: 'route-unexpected', owner: '', what: `${kernelRouteText(x)} proto keepalived`, expected: 'absent (no virtual_routes entry)', actual: 'present' });
  for (const x of inp.rules)
    if (x.protocol === RTPROT_KEEPALIVED && !usedRules.has(x))
      out.push({ kind: 'rule-unexpected', owner: '', what: `${ruleText(x)} proto keepalived`, expected: 'absent (no virtual_rules entry)', actual: 'present' });
  if (inp.nftVips) {
    const have = new Set(inp.nftVips.map(addrKey));
    const ownerOf = (a: string) => inp.instances.find((i) => i.vips.some((v) => addrKey(v.address) === a))?.name ?? '';
    for (const a of wantNft) if (!have.has(a)) out.push({ kind: 'nft-missing', owner: ownerOf(a), what: `${a} in the no_accept set`, expected: 'present', actual: 'absent' });
    for (const a of have) if (!wantNft.has(a)) out.push({ kind: 'nft-unexpected', owner: ownerOf(a), what: `${a} in the no_accept set`, expected: 'absent', actual: 'present' });
  }
  if (inp.ipvs) out.push(...ipvsDrift(inp.ipvs.wanted, inp.ipvs.live, inp.ipvs.owners));
  return { differences: out, instances: verdicts };
}

const FWD_NAME: Record<number, string> = { 0: 'masq', 1: 'local', 2: 'tunnel', 3: 'route', 4: 'bypass' };

function destText(d: Dest): string {
  return `${d.af === 10 ? `[${d.addr}]` : d.addr}:${d.port}`;
}

function destAttrs(d: Dest): string {
  return `${FWD_NAME[d.fwd & 7] ?? d.fwd} weight ${d.weight}${d.uThresh ? ` u-threshold ${d.uThresh}` : ''}${d.lThresh ? ` l-threshold ${d.lThresh}` : ''}`;
}

function svcAttrs(s: Service): string {
  return `scheduler ${s.sched}${s.timeout ? ` persistent ${s.timeout}` : ''}${s.pe ? ` pe ${s.pe}` : ''} flags 0x${(s.flags >>> 0).toString(16)}`;
}

/** IPVS differences, with the planner's predicates. `owners`: virtual server id by service id. */
export function ipvsDrift(wanted: ServiceWithDests[], live: ServiceWithDests[], owners?: Map<string, string>): Difference[] {
  const out: Difference[] = [];
  const w = TableModel.from(wanted);
  const l = TableModel.from(live);
  for (const [id, ws] of w.svcs) {
    const owner = owners?.get(id) ?? svcLabel(ws.svc);
    const ls = l.svcs.get(id);
    if (!ls) {
      out.push({ kind: 'ipvs-service-missing', owner, what: svcLabel(ws.svc), expected: svcAttrs(ws.svc), actual: 'absent' });
      continue;
    }
    if (serviceNeedsEdit(ls.svc, ws.svc)) out.push({ kind: 'ipvs-service-changed', owner, what: svcLabel(ws.svc), expected: svcAttrs(ws.svc), actual: svcAttrs(ls.svc) });
    for (const [did, wd] of ws.dests) {
      const ld = ls.dests.get(did);
      const what = `${destText(wd)} in ${svcLabel(ws.svc)}`;
      if (!ld) out.push({ kind: 'ipvs-dest-missing', owner, what, expected: destAttrs(wd), actual: 'absent' });
      else if (destNeedsEdit(ld, wd)) {
        const onlyWeight = destNeedsEdit({ ...ld, weight: wd.weight }, wd) === false;
        out.push({ kind: onlyWeight ? 'ipvs-dest-weight' : 'ipvs-dest-changed', owner, what, expected: onlyWeight ? `weight ${wd.weight}` : destAttrs(wd), actual: onlyWeight ? `weight ${ld.weight}` : destAttrs(ld) });
      }
    }
    for (const [did, ld] of ls.dests)
      if (!ws.dests.has(did)) out.push({ kind: 'ipvs-dest-unexpected', owner, what: `${destText(ld)} in ${svcLabel(ls.svc)}`, expected: 'absent', actual: destAttrs(ld) });
  }
  for (const [id, ls] of l.svcs) if (!w.svcs.has(id)) out.push({ kind: 'ipvs-service-unexpected', owner: '', what: svcLabel(ls.svc), expected: 'absent (no virtual_server)', actual: svcAttrs(ls.svc) });
  return out;
}

/**
 * The instances of a daemon configuration as drift compares them; `states`: instance name -> state
 * from a running daemon (undefined: none answers, the states are inferred).
 */
export function driftInstances(config: DaemonConfig, states?: ReadonlyMap<string, string>): DriftInstance[] {
  return config.instances.map((c) => ({
    name: c.name,
    vips: [...c.vips, ...c.excludedVips].map((v) => {
      const on = vipPlacement(c, v);
      return { address: v.address, prefix: v.prefix, dev: on.dev ?? c.interface };
    }),
    routes: c.routes,
    rules: c.rules,
    noAccept: noAccept(c),
    state: states ? (states.get(c.name) ?? 'UNKNOWN') : undefined,
  }));
}

/**
 * The IPVS table the LVS half wants (lvs/desired.ts) for the given health: the running LVS half's
 * (alive, effective weight, drained, quorum, sorry server per real server) or, without one, every real
 * server alive at its configured weight. Also the virtual server that owns each service.
 */
export function wantedIpvs(spec: LvsSpec, health?: LvsStatus): { table: ServiceWithDests[]; owners: Map<string, string> } {
  const st = new LvsState();
  st.init(spec);
  for (const v of st.vs.values()) {
    const h = health?.virtualServers.find((x) => x.id === v.id);
    for (const rs of v.rs.values()) {
      const hr = h?.realServers.find((x) => x.addr === rs.spec.addr && x.port === rs.spec.port);
      rs.alive = hr ? hr.alive : true;
      rs.effectiveWeight = hr ? hr.effectiveWeight : rs.spec.weight;
      // drained by `hactl rs drain`: weight 0 is what the daemon wants
      rs.drained = hr?.drained || undefined;
    }
    v.quorumUp = h ? h.quorumUp : st.weightSum(v) >= v.spec.quorum;
    v.sorryAlive = h ? !!h.sorryServer?.active : !v.quorumUp && !!v.spec.sorryServer;
  }
  const table: ServiceWithDests[] = [];
  const owners = new Map<string, string>();
  for (const w of desiredTable(st).values()) {
    table.push({ ...w.service, dests: [...w.dests.values()] });
    owners.set(serviceId(w.service), w.vsId);
  }
  return { table, owners };
}

const KIND_TEXT: Record<DriftKind, string> = {
  'vip-missing': 'VIP missing',
  'vip-unexpected': 'VIP present but should not be',
  'vip-wrong-interface': 'VIP on the wrong interface or prefix',
  'route-missing': 'virtual_route missing',
  'route-unexpected': 'route present but should not be',
  'rule-missing': 'virtual_rule missing',
  'rule-unexpected': 'rule present but should not be',
  'nft-missing': 'no_accept set element missing',
  'nft-unexpected': 'no_accept set element present but should not be',
  'ipvs-service-missing': 'IPVS service missing',
  'ipvs-service-unexpected': 'IPVS service not in the configuration',
  'ipvs-service-changed': 'IPVS service differs',
  'ipvs-dest-missing': 'IPVS destination missing',
  'ipvs-dest-unexpected': 'IPVS destination not wanted',
  'ipvs-dest-weight': 'IPVS destination weight differs',
  'ipvs-dest-changed': 'IPVS destination differs',
};

/** The report as text: one line per instance verdict, per difference, per note. */
export function renderDrift(r: DriftReport, notes: string[]): string {
  const lines: string[] = [];
  for (const i of r.instances)
    lines.push(`instance ${i.name}: ${i.state}${i.source === 'daemon' ? ' (daemon)' : ''}, ${i.vipsPresent}/${i.vipsTotal} VIPs present`);
  for (const d of r.differences) {
    const ea = d.expected !== undefined || d.actual !== undefined ? ` (expected ${d.expected ?? '-'}, found ${d.actual ?? '-'})` : '';
    lines.push(`DRIFT ${d.owner ? `${d.owner}: ` : ''}${KIND_TEXT[d.kind]}: ${d.what}${ea}`);
  }
  for (const n of notes) lines.push(`note: ${n}`);
  lines.push(r.differences.length ? `${r.differences.length} difference(s)` : 'no drift');
  return `${lines.join('\n')}\n`;
}
