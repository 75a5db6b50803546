/**
 * What a reload (SIGHUP, `hactl vrrp reload`) to a new configuration would do, without doing it:
 * `hactl vrrp plan`. Pure: the running and the new configuration (both built by the conf engine)
 * and the daemon's runtime view in, a list of changes out, each classified disruptive or not.
 *
 * The consequences are those of the reload path as it is (VrrpDaemon.reload, LvsState.reload,
 * LvsReconciler.reload, run-cli's FIFO handling), not of a wish:
 * - an instance is keyed by interface/family/VRID (instanceKey): changing one of those deletes the
 *   instance and starts a new one; a deleted MASTER sends priority 0 and removes its VIPs;
 * - an instance that stays keeps its state; as MASTER its new VIPs/routes/rules are added first,
 *   then the ones that went away are removed (no gap for the others); as BACKUP/FAULT nothing is
 *   installed until it becomes MASTER;
 * - then every instance's effective priority is recomputed (retrack): a MASTER whose new priority
 *   differs sends one advert with it at once; one that goes FAULT sends priority 0 and gives up its
 *   VIPs;
 * - a vrrp_script whose definition changed (or a new one) restarts with a fresh state (up, or
 *   down with init_fail); an unchanged one keeps its state; notify FIFOs are closed and reopened,
 *   so their scripts restart on every reload;
 * - virtual/real servers are keyed by address (FMT_VS / addr|port): the ones that stay keep their
 *   health state, a weight change is applied, removed ones leave IPVS; checkers with the same id
 *   and type keep their state (new options apply), and every checker's schedule starts over.
 */
import type { CheckerSpec, LvsSpec, RealServerSpec, VirtualServerSpec } from '../lvs/types';
import { formatHostPort } from '../addr';
import { destTextId } from '../ipvs/ids';
import type { DaemonConfig, InstanceConfig, VipConfig } from './config';
import { instanceKey } from './config';
import { effectivePriority, instanceTracks, masterDownIntervalMs, type State } from './fsm';

/** What the running daemon knows now (VrrpDaemon.planView): JSON, it crosses the control socket. */
export interface RuntimeView {
  /** by instanceKey */
  instances: Record<string, { state: State; effectivePriority: number; masterPriority: number | null; fault: string | null }>;
  internal: [string, boolean][];
  /** link state of every interface the running and the new configuration name (absent: does not exist) */
  links: Record<string, boolean>;
  scripts: Record<string, boolean>;
  files: Record<string, number>;
  processes: Record<string, boolean>;
}

/** yes / no / only if a peer outranks us or the state is not known */
export type Effect = 'yes' | 'no' | 'maybe';

export interface PlanChange {
  area: 'vrrp' | 'address' | 'lvs' | 'checker' | 'script';
  action: 'add' | 'remove' | 'change' | 'reweight' | 'restart' | 'start' | 'stop';
  /** what: `vrrp_instance VI_1`, `VIP 192.0.2.10/24`, `real server 192.0.2.5:80` */
  subject: string;
  /** one line: what the reload does to it */
  detail: string;
  disruptive: boolean;
  /** for a disruptive change: what breaks, and when */
  why?: string;
  instance?: string;
  virtualServer?: string;
  /** the instance's state now (runtime view), when it matters */
  state?: State;
  /** VRRP instance changes: does a MASTER give up its VIPs / send priority 0 */
  givesUpVips?: Effect;
  sendsPriorityZero?: Effect;
  /** false: listed, but this daemon does not apply it (--vrrp-only and virtual servers) */
  applied?: boolean;
}

export interface ReloadPlan {
  disruptive: boolean;
  changes: PlanChange[];
  notes: string[];
}

export interface PlanSide {
  vrrp: DaemonConfig;
  /** the LVS half's spec (lvsSpecFromConfig); absent: not compared */
  lvs?: LvsSpec;
}

export interface PlanOptions {
  /** the daemon applies virtual servers (false with --vrrp-only) */
  lvsManaged?: boolean;
}

/** Exit status of `hactl vrrp plan`: 0 nothing disruptive, 2 disruptive changes (1: an error). */
export const PLAN_EXIT_DISRUPTIVE = 2;

/** JSON without source positions (the model's `pos`, `at`, `end`): a line that moved is no change. */
function canon(x: unknown): string {
  return JSON.stringify(x, (k, v) => (k === 'pos' || k === 'at' || k === 'end' ? undefined : v));
}

const vipKey = (v: VipConfig) => `${v.address}/${v.prefix}@${v.dev ?? ''}`;
const vipText = (v: VipConfig) => `${v.address}/${v.prefix}${v.dev ? ` dev ${v.dev}` : ''}`;

function diffBy<T>(a: readonly T[], b: readonly T[], key: (x: T) => string): { added: T[]; removed: T[] } {
  const ka = new Set(a.map(key));
  const kb = new Set(b.map(key));
  return { added: b.filter((x) => !ka.has(key(x))), removed: a.filter((x) => !kb.has(key(x))) };
}

export function planReload(cur: PlanSide, next: PlanSide, rt?: RuntimeView, opts: PlanOptions = {}): ReloadPlan {
  const changes: PlanChange[] = [];
  const notes: string[] = [];
  planVrrp(cur.vrrp, next.vrrp, rt, changes, notes);
  if (cur.lvs && next.lvs) {
    const applied = opts.lvsManaged !== false;
    const before = changes.length;
    planLvs(cur.lvs, next.lvs, changes);
    if (!applied) {
      for (const c of changes.slice(before)) {
        c.applied = false;
        c.disruptive = false;
        c.why = undefined;
      }
      if (changes.length > before) notes.push('this daemon runs --vrrp-only: the virtual_server changes are listed but not applied here');
    } else if (changes.length > before || next.lvs.virtualServers.length) notes.push("every checker's schedule starts over on a reload");
  }
  return { disruptive: changes.some((c) => c.disruptive), changes, notes };
}

// ------------------------------------------------------------------ VRRP

function planVrrp(cur: DaemonConfig, next: DaemonConfig, rt: RuntimeView | undefined, out: PlanChange[], notes: string[]): void {
  const curBy = new Map(cur.instances.map((i) => [instanceKey(i), i]));
  const nextBy = new Map(next.instances.map((i) => [instanceKey(i), i]));
  const nextByName = new Map(next.instances.map((i) => [i.name, i]));
  const curByName = new Map(cur.instances.map((i) => [i.name, i]));
  const stateOf = (k: string): State | undefined => rt?.instances[k]?.state;

  for (const [k, ic] of curBy) {
    if (nextBy.has(k)) continue;
    const st = stateOf(k);
    const renamed = nextByName.get(ic.name);
    const master: Effect = st === undefined ? 'maybe' : st === 'MASTER' ? 'yes' : 'no';
    const what = renamed ? keyChange(ic, renamed) : undefined;
    out.push({
      area: 'vrrp',
      action: 'remove',
      subject: `vrrp_instance ${ic.name}`,
      detail: what ? `${what}: the reload deletes the instance (${k}) and starts a new one (${instanceKey(renamed as InstanceConfig)})` : `deleted (${st ?? 'state not known'})`,
      disruptive: master !== 'no',
      why:
        master !== 'no'
          ? `${master === 'maybe' ? 'if MASTER: ' : ''}sends priority 0 and removes its VIPs (${ic.vips.map(vipText).join(', ') || 'none'}); a backup takes over after Skew_Time${renamed ? ', and the new instance starts as BACKUP' : ''}`
          : undefined,
      instance: ic.name,
      state: st,
      givesUpVips: master,
      sendsPriorityZero: master,
    });
  }
  for (const [k, ic] of nextBy) {
    if (curBy.has(k)) continue;
    const owner = ic.priority === 255;
    const old = curByName.get(ic.name);
    out.push({
      area: 'vrrp',
      action: 'add',
      subject: `vrrp_instance ${ic.name}`,
      detail: `${old && instanceKey(old) !== k ? `new ${keyChange(old, ic)}; ` : ''}starts (${k}) ${owner ? 'as MASTER at once (address owner, priority 255)' : 'as BACKUP; MASTER after Master_Down_Interval if no master is heard'}`,
      disruptive: owner,
      why: owner ? 'an address owner takes the VIPs from the current master at once' : undefined,
      instance: ic.name,
      givesUpVips: 'no',
      sendsPriorityZero: 'no',
    });
  }

  // the tracked objects after the reload, as the reload path leaves them
  const oldScripts = new Map(cur.scripts.map((s) => [s.name, s]));
  const view = rt && {
    internal: rt.internal,
    link: (n: string) => rt.links[n],
    script: (n: string) => {
      const s = next.scripts.find((x) => x.name === n);
      if (!s) return undefined;
      const o = oldScripts.get(n);
      const kept = o && canon(o) === canon(s) && rt.scripts[n] !== undefined;
      return { up: kept ? rt.scripts[n] : !s.initFail, weight: s.weight, reverse: s.reverse };
    },
    file: (n: string) => rt.files[n] ?? 0,
    process: (n: string) => {
      const p = (next.trackProcesses ?? []).find((x) => x.name === n);
      if (!p) return undefined;
      return { up: rt.processes[n] ?? true, weight: p.weight, reverse: p.reverse };
    },
  };
  for (const p of next.trackProcesses ?? [])
    if (rt && rt.processes[p.name] === undefined) notes.push(`track_process ${p.name} is new: counted as up here; its state is known once the reload scans the processes`);

  for (const [k, ic] of nextBy) {
    const old = curBy.get(k);
    if (!old) continue;
    const st = stateOf(k);
    const r = rt?.instances[k];
    const fields = Object.keys({ ...old, ...ic }).filter((f) => canon((old as unknown as Record<string, unknown>)[f]) !== canon((ic as unknown as Record<string, unknown>)[f]));
    const item: PlanChange = {
      area: 'vrrp',
      action: 'change',
      subject: `vrrp_instance ${ic.name}`,
      detail: fields.length ? `changes: ${fields.join(', ')}` : 'unchanged configuration',
      disruptive: false,
      instance: ic.name,
      state: st,
      givesUpVips: 'no',
      sendsPriorityZero: 'no',
    };
    const whys: string[] = [];
    const detail: string[] = [];
    const downMs = Math.round(masterDownIntervalMs(ic.version, Math.min(ic.priority, 254), ic.intervalCs));
    const isMaster = st === 'MASTER';
    const maybeMaster = st === undefined || isMaster;

    if (fields.length) {
      // addresses: a MASTER applies them at once (new first, then the gone ones); others when MASTER
      const when = isMaster ? 'now' : st === undefined ? 'now if MASTER' : `when it becomes MASTER (now ${st})`;
      const v = diffBy([...old.vips, ...old.excludedVips], [...ic.vips, ...ic.excludedVips], vipKey);
      for (const a of v.added)
        out.push({ area: 'address', action: 'add', subject: `VIP ${vipText(a)}`, detail: `added ${when}${isMaster ? ' (GARP/NA burst)' : ''}`, disruptive: false, instance: ic.name, state: st });
      for (const a of v.removed)
        out.push({
          area: 'address',
          action: 'remove',
          subject: `VIP ${vipText(a)}`,
          detail: `removed ${when}`,
          disruptive: maybeMaster,
          why: maybeMaster ? `${isMaster ? '' : 'if MASTER: '}the address stops answering on this node (no other VIP moves)` : undefined,
          instance: ic.name,
          state: st,
        });
      const rk = (x: unknown) => canon(x);
      const ro = diffBy(old.routes, ic.routes, rk);
      const ru = diffBy(old.rules, ic.rules, rk);
      for (const [kind, d] of [
        ['virtual_route', ro],
        ['virtual_rule', ru],
      ] as const) {
        for (const a of d.added) out.push({ area: 'address', action: 'add', subject: `${kind} ${describe(a)}`, detail: `added ${when}`, disruptive: false, instance: ic.name, state: st });
        for (const a of d.removed)
          out.push({
            area: 'address',
            action: 'remove',
            subject: `${kind} ${describe(a)}`,
            detail: `removed ${when}`,
            disruptive: maybeMaster,
            why: maybeMaster ? `${isMaster ? '' : 'if MASTER: '}traffic that uses it is routed otherwise` : undefined,
            instance: ic.name,
            state: st,
          });
      }
      // what the adverts carry: peers still on the old configuration check it
      const oldAddrs = old.vips.map((x) => x.address);
      const newAddrs = ic.vips.map((x) => x.address);
      const listChanged = canon([...oldAddrs].sort()) !== canon([...newAddrs].sort());
      const advertChanges: string[] = [];
      if (listChanged) advertChanges.push(`address list (${oldAddrs.length} -> ${newAddrs.length})`);
      if (old.version !== ic.version) advertChanges.push(`version ${old.version} -> ${ic.version}`);
      if (ic.version === 2 && canon(old.auth) !== canon(ic.auth)) advertChanges.push('authentication');
      if (ic.version === 2 && Math.round(old.intervalCs / 100) !== Math.round(ic.intervalCs / 100)) advertChanges.push(`advert_int ${old.intervalCs / 100} -> ${ic.intervalCs / 100} s`);
      if (advertChanges.length) {
        const onlyList = advertChanges.length === 1 && listChanged;
        if (maybeMaster)
          whys.push(
            `${isMaster ? '' : 'if MASTER: '}adverts change (${advertChanges.join(', ')}): a backup still on the old configuration drops them${onlyList ? ' unless it has skip_check_adv_addr' : ''} and becomes MASTER too after its Master_Down_Interval (3 x advert_int + Skew_Time: over ${3 * ic.intervalCs * 10} ms here): reload the peers within that time`,
          );
        else if (st === 'BACKUP' && !(onlyList && ic.skipCheckAdvAddr))
          whys.push(
            `as BACKUP it drops the master's adverts (${advertChanges.join(', ')} differ)${onlyList ? ' (no skip_check_adv_addr)' : ''} until the master is reloaded the same way, and becomes MASTER after Master_Down_Interval (~${downMs} ms)`,
          );
      }
      const peers = diffBy(old.unicastPeers, ic.unicastPeers, (x) => x);
      if (peers.removed.length && maybeMaster)
        whys.push(`${isMaster ? '' : 'if MASTER: '}unicast_peer ${peers.removed.join(', ')} no longer get(s) our adverts and become(s) MASTER after Master_Down_Interval`);
    }

    // effective priority / fault after the reload (retrack runs for every instance)
    if (view && r) {
      const { priority, fault } = effectivePriority(ic.priority, instanceTracks(ic, next.trackFiles, view));
      if (fault && !r.fault) {
        detail.push(`goes FAULT (${fault} down)`);
        if (maybeMaster) {
          item.givesUpVips = isMaster ? 'yes' : 'maybe';
          item.sendsPriorityZero = item.givesUpVips;
          whys.push(`tracked object ${fault} is down after the reload: as MASTER it sends priority 0 and gives up its VIPs`);
        }
      } else if (!fault && r.fault) detail.push(`leaves FAULT (${r.fault}) for ${priority === 255 ? 'MASTER' : 'BACKUP'}`);
      else if (!fault && priority !== r.effectivePriority) {
        detail.push(`effective priority ${r.effectivePriority} -> ${priority}`);
        if (isMaster) {
          detail.push('sends one advert with it at once');
          if (priority < r.effectivePriority) {
            item.givesUpVips = 'maybe';
            whys.push(`as MASTER at a lower priority (${priority}): a backup with a higher one preempts and the VIPs move there`);
          }
        } else if (st === 'BACKUP' && r.masterPriority !== null && priority > r.masterPriority && ic.preempt) {
          whys.push(`as BACKUP at ${priority} it outranks the master (${r.masterPriority}) and takes over (preempt${ic.preemptDelayMs ? `, after preempt_delay ${ic.preemptDelayMs} ms` : ''}): the VIPs move here`);
        }
      } else if (st === 'BACKUP' && r.masterPriority !== null && priority > r.masterPriority && ic.preempt && !old.preempt) {
        whys.push(`preempt is now on and at ${priority} it outranks the master (${r.masterPriority}): it takes over, the VIPs move here`);
      }
    } else if (!rt && (old.priority !== ic.priority || canon(old.trackScripts) !== canon(ic.trackScripts) || canon(old.trackInterfaces) !== canon(ic.trackInterfaces))) {
      whys.push('the priority or tracking changes and the runtime state is not known: the instance may change state');
    }
    if (!fields.length && !detail.length && !whys.length) continue;
    if (detail.length) item.detail = fields.length ? `${item.detail}; ${detail.join('; ')}` : detail.join('; ');
    if (whys.length) {
      item.disruptive = true;
      item.why = whys.join('; ');
    }
    out.push(item);
  }

  // vrrp_script: changed/new ones restart with a fresh state, removed ones stop
  const sd = diffBy(cur.scripts, next.scripts, (s) => s.name);
  for (const s of sd.added) out.push({ area: 'script', action: 'start', subject: `vrrp_script ${s.name}`, detail: `starts ${s.initFail ? 'down (init_fail)' : 'up'}`, disruptive: false });
  for (const s of sd.removed) out.push({ area: 'script', action: 'stop', subject: `vrrp_script ${s.name}`, detail: 'stops', disruptive: false });
  for (const s of next.scripts) {
    const o = oldScripts.get(s.name);
    if (o && canon(o) !== canon(s))
      out.push({ area: 'script', action: 'restart', subject: `vrrp_script ${s.name}`, detail: `restarts with the new definition, state starts over ${s.initFail ? 'down (init_fail)' : 'up'}`, disruptive: false });
  }
  // notify FIFOs: closed and reopened on every reload
  const fd = diffBy(cur.notifyFifos ?? [], next.notifyFifos ?? [], (f) => f.path);
  for (const f of next.notifyFifos ?? [])
    if (f.script) {
      const isNew = fd.added.includes(f);
      out.push({ area: 'script', action: isNew ? 'start' : 'restart', subject: `${f.what}_script ${f.script.argv[0]}`, detail: `${isNew ? 'starts' : 'restarts (SIGTERM, then started again: every reload reopens the FIFOs)'} for ${f.path}`, disruptive: false });
    }
  for (const f of fd.removed) if (f.script) out.push({ area: 'script', action: 'stop', subject: `${f.what}_script ${f.script.argv[0]}`, detail: `stops (FIFO ${f.path} closed)`, disruptive: false });
  const gd = diffBy(cur.syncGroups, next.syncGroups, (g) => canon(g));
  if (gd.added.length || gd.removed.length) notes.push(`vrrp_sync_group changes: ${[...new Set([...gd.added, ...gd.removed].map((g) => g.name))].join(', ')}`);
}

function keyChange(a: InstanceConfig, b: InstanceConfig): string {
  const w: string[] = [];
  if (a.vrid !== b.vrid) w.push(`VRID ${a.vrid} -> ${b.vrid}`);
  if (a.interface !== b.interface) w.push(`interface ${a.interface} -> ${b.interface}`);
  if (a.family !== b.family) w.push(`family IPv${a.family} -> IPv${b.family}`);
  return w.join(', ');
}

function describe(x: object): string {
  return Object.entries(x)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k} ${v}`)
    .join(' ');
}

// ------------------------------------------------------------------ LVS

/**
 * A checker's definition as it runs: its spec with the configuration objects it was built from
 * (src/lib/lvs/from-config.ts ConfCheckerOptions), less what is not its own (the real server's
 * weight and other checkers, the virtual server's other real servers).
 */
function checkerCanon(c: CheckerSpec): string {
  const o = c.options as { rs?: object; vs?: object } | undefined;
  if (!o || typeof o !== 'object' || !('rs' in o) || !('vs' in o)) return canon(c);
  return canon({ ...c, options: { ...o, rs: { ...o.rs, weight: undefined, checkers: undefined }, vs: { ...o.vs, real_servers: undefined } } });
}

function rsText(r: RealServerSpec): string {
  return formatHostPort(r.addr, r.port);
}

function planLvs(cur: LvsSpec, next: LvsSpec, out: PlanChange[]): void {
  const curBy = new Map(cur.virtualServers.map((v) => [v.id, v]));
  const nextBy = new Map(next.virtualServers.map((v) => [v.id, v]));
  for (const [id, v] of curBy)
    if (!nextBy.has(id))
      out.push({
        area: 'lvs',
        action: 'remove',
        subject: `virtual_server ${id}`,
        detail: `removed with its ${v.realServers.length} real server(s)`,
        disruptive: true,
        why: 'its IPVS service goes: connections through it break',
        virtualServer: id,
      });
  for (const [id, v] of nextBy)
    if (!curBy.has(id)) out.push({ area: 'lvs', action: 'add', subject: `virtual_server ${id}`, detail: `added with ${v.realServers.length} real server(s)`, disruptive: false, virtualServer: id });
  for (const [id, nv] of nextBy) {
    const ov = curBy.get(id);
    if (!ov) continue;
    const strip = (v: VirtualServerSpec) => ({ ...v, realServers: undefined });
    const fields = Object.keys({ ...ov, ...nv }).filter(
      // vips: only ha_suspend reads them
      (f) => f !== 'realServers' && !(f === 'vips' && !nv.haSuspend && !ov.haSuspend) && canon((strip(ov) as Record<string, unknown>)[f]) !== canon((strip(nv) as Record<string, unknown>)[f]),
    );
    if (fields.length) out.push({ area: 'lvs', action: 'change', subject: `virtual_server ${id}`, detail: `changes: ${fields.join(', ')}`, disruptive: false, virtualServer: id });
    const oldRs = new Map(ov.realServers.map((r) => [destTextId(r), r]));
    const newRs = new Map(nv.realServers.map((r) => [destTextId(r), r]));
    for (const [k, r] of oldRs)
      if (!newRs.has(k))
        out.push({
          area: 'lvs',
          action: 'remove',
          subject: `real_server ${rsText(r)}`,
          detail: `removed from ${id}`,
          disruptive: true,
          why: 'its IPVS destination is deleted: its connections break (drain it first with weight 0)',
          virtualServer: id,
        });
    for (const [k, r] of newRs) {
      const o = oldRs.get(k);
      if (!o) {
        out.push({ area: 'lvs', action: 'add', subject: `real_server ${rsText(r)}`, detail: `added to ${id} (weight ${r.weight}${r.checkers.length ? `, ${r.checkers.length} checker(s) start` : ''})`, disruptive: false, virtualServer: id });
        continue;
      }
      const f = Object.keys({ ...o, ...r }).filter(
        (x) => x !== 'checkers' && canon((o as unknown as Record<string, unknown>)[x]) !== canon((r as unknown as Record<string, unknown>)[x]),
      );
      if (f.length === 1 && f[0] === 'weight')
        out.push({ area: 'lvs', action: 'reweight', subject: `real_server ${rsText(r)}`, detail: `in ${id}: weight ${o.weight} -> ${r.weight}`, disruptive: false, virtualServer: id });
      else if (f.length) out.push({ area: 'lvs', action: 'change', subject: `real_server ${rsText(r)}`, detail: `in ${id}: changes ${f.join(', ')}`, disruptive: false, virtualServer: id });
      const oc = new Map(o.checkers.map((c) => [c.id, c]));
      const nc = new Map(r.checkers.map((c) => [c.id, c]));
      for (const [cid, c] of oc) if (!nc.has(cid)) out.push({ area: 'checker', action: 'stop', subject: `${c.type} of ${rsText(r)}`, detail: `in ${id}: stops`, disruptive: false, virtualServer: id });
      for (const [cid, c] of nc) {
        const p = oc.get(cid);
        if (!p) out.push({ area: 'checker', action: 'start', subject: `${c.type} of ${rsText(r)}`, detail: `in ${id}: starts`, disruptive: false, virtualServer: id });
        else if (p.type !== c.type)
          out.push({ area: 'checker', action: 'restart', subject: `${c.type} of ${rsText(r)}`, detail: `in ${id}: replaces ${p.type}, state starts over`, disruptive: false, virtualServer: id });
        else if (checkerCanon(p) !== checkerCanon(c))
          out.push({ area: 'checker', action: 'restart', subject: `${c.type} of ${rsText(r)}`, detail: `in ${id}: restarts with new options, keeps its up/down state`, disruptive: false, virtualServer: id });
      }
    }
  }
}

// ------------------------------------------------------------------ text

const MARK: Record<PlanChange['action'], string> = { add: '+', start: '+', remove: '-', stop: '-', change: '~', reweight: '~', restart: '~' };

/** The plan as text: one line per change, `!` before the disruptive ones, then why. */
export function renderPlan(p: ReloadPlan, what: string): string {
  const n = p.changes.filter((c) => c.disruptive).length;
  const lines = [
    p.changes.length === 0
      ? `plan for ${what}: no change`
      : `plan for ${what}: ${p.changes.length} change(s), ${n ? `${n} DISRUPTIVE` : 'nothing disruptive'}`,
  ];
  for (const c of p.changes) {
    const ctx = [c.instance && c.area !== 'vrrp' ? c.instance : '', c.state ?? ''].filter(Boolean).join(', ');
    const vr = c.area === 'vrrp' && (c.givesUpVips !== 'no' || c.sendsPriorityZero !== 'no') ? ` [gives up VIPs: ${c.givesUpVips}, priority 0: ${c.sendsPriorityZero}]` : '';
    lines.push(`${c.disruptive ? '!' : ' '} ${MARK[c.action]} ${c.subject}${ctx ? ` (${ctx})` : ''}: ${c.detail}${vr}${c.applied === false ? ' (not applied here)' : ''}`);
    if (c.why) lines.push(`      why disruptive: ${c.why}`);
  }
  for (const x of p.notes) lines.push(`note: ${x}`);
  return `${lines.join('\n')}\n`;
}
